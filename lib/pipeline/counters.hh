// Per-lcore, per-port packet counters. Each worker writes only its own block (cache-line
// aligned, no sharing); the main lcore sums the blocks when it reports.
//
// Invariant per port: rx == tx + sum(drops). A reply refused by the TX queue is counted as
// the tx_full drop (and still in `replies`, which counts replies built).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "lib/icmp/verdict.hh"
#include "lib/route/interfaces.hh"
#include "lib/wire/drop.hh"

namespace pw::pipeline {

struct PortCounters {
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    std::array<std::uint64_t, icmp::reply_count> replies{};
    std::array<std::uint64_t, wire::drop_count> drops{};

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
