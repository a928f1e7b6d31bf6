// ICMP counters in the shape of Linux's SNMP tables (/proc/net/snmp Icmp, IcmpMsg and
// /proc/net/snmp6 Icmp6): In/Out totals, errors, checksum errors, rate-limit drops, and a
// count per ICMP type in each direction. One block per port and lcore, summed on read.
#pragma once

#include <array>
#include <cstdint>

#include "lib/icmp/error_outcome.hh"

namespace pw::icmp {

struct IcmpMib {
    std::uint64_t in_msgs = 0;         // InMsgs: every ICMP message received, good or bad
    std::uint64_t in_errors = 0;       // InErrors: received with an error (truncated, bad sum)
    std::uint64_t in_csum_errors = 0;  // InCsumErrors
    std::uint64_t out_msgs = 0;        // OutMsgs: every ICMP message sent
    // OutErrors: could not be built (no mbuf). A built message the TX queue refuses is counted
    // by the runtime (BaseCounters::refused, kind generated or reply), as Linux counts OutMsgs
    // when a message is handed down, not when the device sends it.
    std::uint64_t out_errors = 0;
    std::uint64_t out_rate_limit_global = 0;    // OutRateLimitGlobal
    std::uint64_t out_rate_limit_host = 0;      // OutRateLimitHost
    std::array<std::uint64_t, 256> in_type{};   // IcmpMsg InTypeN / Icmp6InTypeN
    std::array<std::uint64_t, 256> out_type{};  // IcmpMsg OutTypeN / Icmp6OutTypeN

    void count_in(std::uint8_t type) noexcept {
        ++in_msgs;
        ++in_type[type];
    }
    void count_out(std::uint8_t type) noexcept {
        ++out_msgs;
        ++out_type[type];
    }
    IcmpMib& operator+=(const IcmpMib& o) noexcept;
};

struct IcmpStats {
    IcmpMib v4;
    IcmpMib v6;
    // What became of every error owed (sent, or which suppression / limit stopped it).
    std::array<std::uint64_t, error_outcome_count> errors{};

    void count_outcome(bool v6_family, ErrorOutcome o) noexcept {
        if (o >= ErrorOutcome::count_) return;
        ++errors[static_cast<std::size_t>(o)];
        if (o == ErrorOutcome::rate_limited_global) ++(v6_family ? v6 : v4).out_rate_limit_global;
        if (o == ErrorOutcome::rate_limited_host) ++(v6_family ? v6 : v4).out_rate_limit_host;
    }
    IcmpStats& operator+=(const IcmpStats& o) noexcept;
};

}  // namespace pw::icmp
