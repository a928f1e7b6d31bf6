// Per-lcore, per-port packet counters. Each worker writes only its own block (cache-line
// aligned, no sharing); the main lcore sums the blocks when it reports.
//
// Every received frame ends in exactly one place:
//     rx == answered + forwarded + held + dropped     (dropped = sum of the named reasons)
// (forwarded: accepted for forwarding, counted on the ingress port) and every frame handed to
// the port is an answer built in place, a generated one (an ICMP error, a reply to a
// reassembled datagram, a fragment of one, a neighbour probe) or a forwarded one:
//     tx == answered + generated + fwd_sent                (fwd_sent: on the egress port)
// An answer the TX queue refuses is the drop reason tx_full; a generated frame that cannot be
// built or sent is counted in generated_failed (and in the ICMP OutErrors).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "lib/icmp/icmp_stats.hh"
#include "lib/icmp/verdict.hh"
#include "lib/route/interfaces.hh"
#include "lib/wire/drop.hh"

namespace pw::pipeline {

struct PortCounters {
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    std::uint64_t answered = 0;    // answers built in place and sent
    std::uint64_t forwarded = 0;   // ingress: accepted for forwarding
    std::uint64_t fwd_sent = 0;    // egress: forwarded frames sent
    std::uint64_t fwd_failed = 0;  // egress: refused by TX, next hop failed, fragmenting failed
    std::uint64_t held = 0;        // fragments taken by the reassembler
    std::uint64_t generated = 0;   // frames built anew and sent
    std::uint64_t generated_failed = 0;  // frames that could not be built or sent
    std::uint64_t datagrams = 0;         // reassembled datagrams handled
    std::array<std::uint64_t, icmp::reply_count> replies{};
    std::array<std::uint64_t, wire::drop_count> drops{};
    // Reassembled datagrams that were not answered, by reason (not part of the rx balance:
    // their fragments were counted as held).
    std::array<std::uint64_t, wire::drop_count> datagram_drops{};
    icmp::IcmpStats icmp;

    std::uint64_t dropped() const noexcept {
        std::uint64_t s = 0;
        for (auto d : drops) s += d;
        return s;
    }
    PortCounters& operator+=(const PortCounters& o) noexcept;
};

struct alignas(64) LcoreCounters {
    std::array<PortCounters, route::max_ports> port{};
};

// Sums the blocks of all lcores for one port. Reads are relaxed loads of counters that one
// writer increments; a sum taken while workers run is a consistent-enough snapshot for
// statistics (each counter is exact, the set is not taken atomically).
PortCounters sum_port(const std::vector<LcoreCounters>& blocks, std::uint16_t port) noexcept;

}  // namespace pw::pipeline
