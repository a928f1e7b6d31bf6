// The rate-limit characterisation of pingwire-conform (no DPDK): which triggers are
// streamed, the frame of each trigger, which error answers it, the plan of steps (offered
// rates, log-spaced), and the model drawn from the fitted series: per trigger and family,
// the scope (per-source, global or none), burst, sustained rate with its interval, refill
// granularity, cost, and what it shares (RFC 1812 4.3.2.8: routers SHOULD limit the rate of
// ICMP errors; Linux: per destination icmp_ratelimit + global icmp_msgs_per_sec / burst).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/conform/bucket_fit.hh"
#include "lib/conform/check.hh"

namespace pw::conform {

enum class Trigger : std::uint8_t { time_exceeded, port_unreachable, net_unreachable, frag_needed };
inline constexpr Trigger all_triggers[] = {Trigger::time_exceeded, Trigger::port_unreachable,
                                           Trigger::net_unreachable, Trigger::frag_needed};
const char* to_string(Trigger t) noexcept;  // "time-exceeded", ...
std::optional<Trigger> trigger_of(const std::string& name);

// The trigger frame from source alias k (1-based), with UDP source port sport (which names
// the step its errors belong to). nullopt: the trigger cannot run on this bench (frag-needed
// with no smaller egress MTU).
std::optional<FrameSpec> trigger_frame(const Setup& s, Trigger t, Family f, unsigned k,
                                       std::uint16_t sport);
// Where a trigger frame holds its sequence number (4 bytes, the first of its UDP data) and
// its UDP checksum: offsets in the frame.
std::size_t trigger_seq_offset(Family f) noexcept;
std::size_t trigger_csum_offset(Family f) noexcept;
// The sequence number of the trigger an error quotes, when the quote reaches it.
std::optional<std::uint32_t> quoted_sequence(const Seen& seen);
// Is seen an error answering trigger t of family f (its type and code)?
bool answers(const Seen& seen, Trigger t, Family f);

// A series: one trigger, one family, one source or many, its steps.
struct Series {
    Trigger trigger = Trigger::time_exceeded;
    Family family = Family::v4;
    unsigned sources = 1;  // 1: one source (a fresh one each step); else spread over this many
    std::vector<RateStep> steps;
    BucketFit fit;
    std::string label() const;  // "time-exceeded v4, one source"
};

enum class Scope : std::uint8_t { none, per_source, global };
const char* to_string(Scope s) noexcept;  // "none", "per-source", "global"

// The model of one trigger and family (the JSON "ratelimit" entries).
struct RateModel {
    Trigger trigger = Trigger::time_exceeded;
    Family family = Family::v4;
    Scope scope = Scope::none;
    Estimate burst;
    Estimate rate_pps;
    std::optional<double> refill_ms;
    CostKind cost = CostKind::unknown;
    std::vector<std::string> shares_bucket_with;  // "port-unreachable v4", ...
    const Series* steps_from = nullptr;           // the series its figures come from
    std::string evidence;
};

// The models of the series (a per-source and a global model when both limits show).
std::vector<RateModel> characterise(const std::vector<Series>& series);

// An error counted in an experiment: the quoted source port of its trigger, and which error.
struct TallyKey {
    std::uint16_t sport = 0;
    Trigger trigger = Trigger::time_exceeded;
    Family family = Family::v4;
};

// One experiment on the RUT's buckets and its reading.
struct Experiment {
    std::string what;     // "shares: time-exceeded v4 / port-unreachable v4 (per source)"
    std::string verdict;  // "shared", "separate", "per-source first", ... or "inconclusive"
    std::string evidence;
};

// Drained bucket then probe: B's triggers right after A's drained the bucket got after_a
// errors, B's alone (the control, same bucket state otherwise) got alone.
Experiment read_share(const std::string& what, std::uint64_t after_a, std::uint64_t alone,
                      std::uint64_t sent_b);
// Light sources' errors beside a heavy source (with_heavy) and alone, out of sent each time.
Experiment read_order(std::uint64_t with_heavy, std::uint64_t alone, std::uint64_t sent);
// Fills the models' shares_bucket_with from the share experiments.
void apply_shares(std::vector<RateModel>& models, const std::vector<Experiment>& ex);

// Offered rates from lo to hi, `per_decade` log-spaced points a decade (1, 3, 10, ... for 2).
std::vector<double> log_rates(double lo, double hi, unsigned per_decade);

}  // namespace pw::conform
