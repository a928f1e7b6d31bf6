// Packets of one worker waiting for their next hop's MAC (RFC 1812 5.2.1 / RFC 4861 7.2.2:
// a small queue per unresolved neighbour). Bounded: at most `capacity` packets per worker and
// `per_neighbour` per next hop; past that the new packet is dropped and counted.
#pragma once

#include <array>
#include <cstdint>

#include "lib/wire/addr.hh"

struct rte_mbuf;

namespace pw::pipeline {

struct Pending {
    rte_mbuf* m = nullptr;
    std::uint16_t egress = 0;
    std::uint16_t ingress = 0;
    bool v6 = false;
    bool fragment_needed = false;
    wire::Ipv6Addr next_hop;  // IPv4 mapped
    std::uint64_t since_ns = 0;
    std::uint64_t asked_ns = 0;  // when the control lcore was last asked to resolve next_hop
};

class PendingQueue {
public:
    static constexpr std::size_t capacity = 256;
    // Linux queues about 100 packets per unresolved neighbour (unres_qlen_bytes); a traceroute
    // burst of 16 probes must fit.
    static constexpr std::size_t per_neighbour = 32;

    std::size_t size() const noexcept { return n_; }
    // How many wait for this next hop already.
    std::size_t count(std::uint16_t egress, const wire::Ipv6Addr& nh) const noexcept {
        std::size_t c = 0;
        for (std::size_t i = 0; i < n_; ++i)
            c += items_[i].egress == egress && items_[i].next_hop == nh;
        return c;
    }
    bool push(const Pending& p) noexcept {
        if (n_ == capacity || count(p.egress, p.next_hop) >= per_neighbour) return false;
        items_[n_++] = p;
        return true;
    }
    // Visits every entry; f returns true to remove it (order is not kept).
    template <class F>
    void sweep(F&& f) noexcept {
        for (std::size_t i = 0; i < n_;) {
            if (f(items_[i]))
                items_[i] = items_[--n_];
            else
                ++i;
        }
    }

private:
    std::array<Pending, capacity> items_{};
    std::size_t n_ = 0;
};

}  // namespace pw::pipeline
