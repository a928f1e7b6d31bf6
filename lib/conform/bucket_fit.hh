// The token-bucket fit of pingwire-conform's rate-limit characterisation (no DPDK): from the
// steps of one trigger stream (offered rate, what was sent, what came back and when), the
// bucket that explains them: burst, sustained rate (each with an interval), refill
// granularity, and whether the cost per message is fixed or randomised.
//
// The model (RFC 1812 4.3.2.8 asks routers to limit ICMP "e.g. by a token bucket"; Linux
// net/ipv4/icmp.c): a bucket of `burst` tokens, refilled at `rate` tokens per second, possibly
// only every `refill` interval (Linux's global bucket: at most every 20 ms, HZ/50), each
// message taking one token (or a random 0..2, mean 1: Linux since CVE-2020-25705). A step
// starts with a full bucket (the runner pauses between steps), so a step of duration T at
// offered rate L returns min(L*T, burst + rate*T) messages, minus loss.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pw::conform {

// One step of a trigger stream: triggers offered at offered_pps for duration_ns (from the
// step's first trigger), how many left, how many errors came back, and when (ns from the
// step's first trigger, ascending): the time of the trigger each error answers where the
// error names it (pingwire-conform numbers its triggers), else its arrival. latency_ns: for
// the errors that name their trigger, arrival minus the trigger's time.
struct RateStep {
    double offered_pps = 0;
    std::uint64_t duration_ns = 0;
    std::uint64_t sent = 0;
    std::uint64_t returned = 0;
    std::vector<std::uint64_t> arrivals_ns;
    std::vector<std::uint64_t> latency_ns;
    double returned_pps() const noexcept {
        return duration_ns == 0
                   ? 0.0
                   : static_cast<double>(returned) * 1e9 / static_cast<double>(duration_ns);
    }
};

// A figure with its 95% interval.
struct Estimate {
    double value = 0;
    double lo = 0;
    double hi = 0;
};

enum class CostKind : std::uint8_t {
    unknown,     // too few messages per refill to tell
    fixed,       // every refill lets the same number through
    randomised,  // the number per refill varies beyond what a fixed cost allows
};

struct BucketFit {
    // False when every step got (nearly) everything back: no limit seen up to the highest
    // offered rate. The other figures are then meaningless (0).
    bool limited = false;
    Estimate burst;     // messages let through at the start of a saturated step
    Estimate rate_pps;  // sustained messages per second once the burst is spent
    // Refill granularity: the period of the clumps in which messages come back at
    // saturation, when they come in clumps (nullopt: smooth, or too few messages).
    std::optional<double> refill_ms;
    CostKind cost = CostKind::unknown;
    // The offered rate from which steps lose messages (the knee), 0 when not limited.
    double knee_pps = 0;
    std::string evidence;  // one line: which steps the figures come from
};

// Fits the bucket. Steps may come in any order; steps with sent == 0 are ignored.
BucketFit fit_bucket(std::span<const RateStep> steps);

// What the model predicts for a step of duration_ns at offered_pps (for the plot).
double model_returned_pps(const BucketFit& fit, double offered_pps, std::uint64_t duration_ns);

const char* to_string(CostKind c) noexcept;

}  // namespace pw::conform
