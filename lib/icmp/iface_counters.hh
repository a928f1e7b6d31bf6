// Counters of the interfaces beside the ports: the 802.1Q sub-interfaces (--vlan) and the
// --respond prefixes. Per lcore, indexed by net::Iface::subif and Respond4/Respond6::slot,
// summed on read. What a tagged frame or a frame to a respond prefix became is counted
// here as well as on its port (the port's balance, rx == answered + ... + dropped, is kept
// as before; these are a view into it).
#pragma once

#include <array>
#include <cstdint>

#include "lib/icmp/verdict.hh"

namespace pw::icmp {

namespace detail {
// Counters are written by one worker and summed by the main lcore: relaxed loads.
inline std::uint64_t relaxed(const std::uint64_t& v) noexcept {
    return __atomic_load_n(&v, __ATOMIC_RELAXED);
}
}  // namespace detail

// One sub-interface: every tagged frame with its VID that host_input took, by outcome.
struct VlanCounters {
    std::uint64_t rx = 0;
    std::array<std::uint64_t, reply_count> replies{};  // answered in place, by kind
    std::uint64_t errors = 0;   // ICMP errors planned to send (built fresh, tagged)
    std::uint64_t held = 0;     // fragments to the reassembler
    std::uint64_t dropped = 0;  // dropped by host_input (the reasons are on the port)

    std::uint64_t answered() const noexcept {
        std::uint64_t n = 0;
        for (const auto r : replies) n += r;
        return n;
    }
    VlanCounters& operator+=(const VlanCounters& o) noexcept {
        using detail::relaxed;
        rx += relaxed(o.rx);
        for (std::size_t i = 0; i < replies.size(); ++i) replies[i] += relaxed(o.replies[i]);
        errors += relaxed(o.errors);
        held += relaxed(o.held);
        dropped += relaxed(o.dropped);
        return *this;
    }
};

// One --respond prefix: the frames to one of its addresses (IPv4/IPv6 destination, ARP or
// Neighbor Solicitation target).
struct RespondCounters {
    std::uint64_t echo = 0;   // echo requests answered (ICMP and ICMPv6)
    std::uint64_t neigh = 0;  // ARP requests and Neighbor Solicitations answered
    std::uint64_t other = 0;  // everything else: errors sent, other answers, drops

    std::uint64_t total() const noexcept { return echo + neigh + other; }
    RespondCounters& operator+=(const RespondCounters& o) noexcept {
        using detail::relaxed;
        echo += relaxed(o.echo);
        neigh += relaxed(o.neigh);
        other += relaxed(o.other);
        return *this;
    }
};

}  // namespace pw::icmp
