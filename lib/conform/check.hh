// A conformance check as a data row (no DPDK): a stable ID, the RFC section it tests, the
// family, what is expected, how the stimulus is built (plan) and how the exchange is judged
// (judge). The runner sends the plan's control frames, listens, sends its probe frames,
// listens, optionally sends a follow-up built from what came back, and hands the exchange
// to judge. Judges are pure functions of the setup and the exchange: unit-tested on
// recorded exchanges.
//
// Honesty rules (the issue's, and every judge keeps them): a check never passes on silence
// where a message is expected; a check that expects silence has a control sent right before
// it that must get its message, and says "inconclusive" when the control got nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/conform/frame.hh"
#include "lib/conform/seen.hh"
#include "lib/wire/addr.hh"

namespace pw::conform {

enum class Verdict : std::uint8_t { pass, fail, not_applicable, inconclusive };
const char* to_string(Verdict v) noexcept;

struct Result {
    Verdict verdict = Verdict::inconclusive;
    std::string evidence;  // one line: what was sent, what came back
};

enum class Family : std::uint8_t { v4, v6 };

// What the checks know of the bench: the tool's two ports, the RUT's addresses and MACs.
struct Setup {
    wire::MacAddr in_mac, out_mac;  // port 0 (facing the RUT's ingress), port 1
    // The tool's addresses and subnets on each port (a family absent: nullopt).
    std::optional<wire::Ipv4Prefix> in4, out4;
    std::optional<wire::Ipv6Prefix> in6, out6;
    // The RUT's addresses facing port 0 / port 1 and its MACs (resolved by ARP / NDP).
    std::optional<wire::Ipv4Addr> rut_in4, rut_out4;
    std::optional<wire::Ipv6Addr> rut_in6, rut_out6;
    wire::MacAddr rut_in_mac4, rut_in_mac6;
    unsigned mtu_in = 1500;  // port 0's MTU (what the tool can send)
    unsigned mtu_out4 = 0;   // the RUT's MTU toward port 1 (0: not below mtu_in, or unknown)
    unsigned mtu_out6 = 0;
    // Destinations: beyond the RUT with no route; on port 1's subnet with nobody behind.
    wire::Ipv4Addr unrouted4, unresolved4;
    wire::Ipv6Addr unrouted6, unresolved6;
    // Source addresses on port 0's subnet answered by the tool (its aliases): k = 1..sources.
    unsigned sources = 0;
    std::function<wire::Ipv4Addr(unsigned)> source4;
    std::function<wire::Ipv6Addr(unsigned)> source6;

    bool has(Family f) const noexcept {
        return f == Family::v4 ? (in4 && out4 && rut_in4) : (in6 && out6 && rut_in6);
    }
};

// One check's context: the setup and the check's number (its own source alias, ports and
// identifiers, so no two checks share a rate-limit bucket or a quote).
struct Ctx {
    const Setup* setup = nullptr;
    unsigned n = 0;
    const Setup& s() const noexcept { return *setup; }
    std::uint16_t token() const noexcept { return static_cast<std::uint16_t>(0x7000 + n); }
    wire::Ipv4Addr src4() const { return setup->source4(1 + n % setup->sources); }
    wire::Ipv6Addr src6() const { return setup->source6(1 + n % setup->sources); }
};

struct Tx {
    std::uint8_t port = 0;
    Frame bytes;
};

// What a check sends: control frames first, then probe frames; each phase listened to for
// its wait. na: the check cannot run on this bench (the evidence says why).
struct Plan {
    std::vector<Tx> control;
    std::vector<Tx> probe;
    std::uint32_t control_wait_ms = 300;
    std::uint32_t probe_wait_ms = 300;
    std::optional<std::string> na;
};

struct Phase {
    std::vector<Tx> sent;
    std::vector<Seen> got;  // everything received on both ports while listening
};

struct Exchange {
    Phase control, probe, follow;
};

struct Check {
    const char* id;
    const char* rfc;
    Family family;
    const char* expect;  // the expected observable outcome, one line
    Plan (*plan)(const Ctx&);
    Result (*judge)(const Ctx&, const Exchange&);
    // Optional: frames to send after the probe phase, built from it (e.g. the PMTU stream).
    std::vector<Tx> (*follow)(const Ctx&, const Exchange&) = nullptr;
    std::uint32_t follow_wait_ms = 300;
};

// The whole catalogue, in the order it runs.
std::span<const Check> catalogue();
// The checks of one topic (catalogue() concatenates them).
std::vector<Check> ttl_checks();
std::vector<Check> mtu_checks();
std::vector<Check> unreachable_checks();
std::vector<Check> silence_checks();
std::vector<Check> misc_checks();

}  // namespace pw::conform
