// The counters every program has, per lcore and per port, kept by the runtime itself: frames
// received, frames sent by kind, frames the TX queue refused by kind, and drops by named
// reason (wire::Drop, one X-macro list for every program). A stage keeps its own counters
// beside these (the responder's replies by kind, ICMP tables, held fragments...).
//
// Each lcore writes only its own block (cache-line aligned, no sharing); the control lcore sums
// the blocks with relaxed loads when it reports.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lib/route/interfaces.hh"
#include "lib/wire/drop.hh"

namespace pw::pipeline {

// X(name, description): what a transmitted frame is.
#define PW_TX_KINDS(X)                                          \
    X(reply, "received frames answered in place and sent back") \
    X(forward, "received frames forwarded toward another host") \
    X(generated, "frames built anew: ICMP errors, probes, neighbour solicitations")

enum class TxKind : std::uint8_t {
#define PW_X(name, desc) name,
    PW_TX_KINDS(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t tx_kind_count = static_cast<std::size_t>(TxKind::count_);

constexpr std::string_view tx_kind_name(TxKind k) noexcept {
    switch (k) {
#define PW_X(name, desc) \
    case TxKind::name:   \
        return #name;
        PW_TX_KINDS(PW_X)
#undef PW_X
        case TxKind::count_:
            break;
    }
    return "unknown";
}

struct BaseCounters {
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;                                // accepted by the TX queue, all kinds
    std::array<std::uint64_t, tx_kind_count> sent{};     // accepted by the TX queue, by kind
    std::array<std::uint64_t, tx_kind_count> refused{};  // refused by the TX queue (freed)
    std::array<std::uint64_t, wire::drop_count> drops{};

    std::uint64_t sent_of(TxKind k) const noexcept { return sent[static_cast<std::size_t>(k)]; }
    std::uint64_t refused_of(TxKind k) const noexcept {
        return refused[static_cast<std::size_t>(k)];
    }
    std::uint64_t dropped() const noexcept {
        std::uint64_t s = 0;
        for (auto d : drops) s += d;
        return s;
    }
    // Relaxed loads of counters another lcore increments: each value exact, the set not taken
    // atomically.
    BaseCounters& operator+=(const BaseCounters& o) noexcept;
};

struct alignas(64) LcoreBase {
    std::array<BaseCounters, route::max_ports> port{};
};

BaseCounters sum_base(const std::vector<LcoreBase>& blocks, std::uint16_t port) noexcept;

// A relaxed load of a counter another lcore writes (for the summing side).
inline std::uint64_t relaxed(const std::uint64_t& v) noexcept {
    return __atomic_load_n(&v, __ATOMIC_RELAXED);
}

}  // namespace pw::pipeline
