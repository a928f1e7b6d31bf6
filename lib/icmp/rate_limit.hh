// ICMP output rate limits, as Linux applies them (net/ipv4/icmp.c, net/ipv6/icmp.c):
//
//  - a global budget (icmp_msgs_per_sec, icmp_msgs_burst: 1000/s, burst 50), shared by all
//    worker lcores;
//  - a per-destination budget keyed by the invoking packet's source (icmp_ratelimit: one per
//    1000 ms after a burst of 6, XRLIM_BURST_FACTOR), in a bounded per-lcore table;
//  - both applied only to the ICMP types in a mask (icmp_ratemask: 3, 4, 11, 12 for IPv4;
//    for IPv6 every error but Packet Too Big), so frag-needed and PTB are exempt by default.
//
// Both budgets are GCRA (the virtual-scheduling form of a token bucket, ITU-T I.371): a
// bucket is one timestamp, the theoretical arrival time (TAT). A message is allowed when
// TAT - now <= tolerance, with tolerance = (burst - 1) * interval; it then moves TAT to
// max(TAT, now) + cost * interval. Over any window W at most burst + W / interval messages
// pass, exactly.
//
// Time is passed in (nanoseconds, any epoch, monotonic): the pipeline reads the TSC, tests
// inject a clock.
#pragma once

#include <array>
#include <atomic>
#include <bitset>
#include <vector>
#include <cstdint>

#include "lib/wire/addr.hh"

namespace pw::icmp {

struct RateLimitConfig {
    // Per destination (Linux net.ipv4.icmp_ratelimit / net.ipv6.icmp.ratelimit, in ms; 0
    // disables). Each family has its own table, as Linux has its own inet_peer base.
    std::uint64_t host_interval_ns = 1'000'000'000;
    std::uint64_t host_interval_v6_ns = 1'000'000'000;
    std::uint32_t host_burst = 6;
    // Global (Linux icmp_msgs_per_sec / icmp_msgs_burst; rate 0 disables).
    std::uint32_t global_per_sec = 1000;
    std::uint32_t global_burst = 50;
    // Linux icmp_ratemask: bit N set = ICMP type N is limited. Default 0x1818.
    std::bitset<256> mask_v4 = default_mask_v4();
    // Linux icmpv6 ratemask: default 0-1,3-127 (errors but PTB).
    std::bitset<256> mask_v6 = default_mask_v6();
    // Linux spends a random 0..2 global credits per message (mean 1) so that the budget
    // cannot be probed exactly; deterministic mode spends exactly 1.
    bool deterministic = false;
    // Per-destination table size per lcore, in sets of HostBuckets::ways (a power of two).
    std::size_t host_table_sets = 1024;

    static std::bitset<256> default_mask_v4() {
        std::bitset<256> m;
        m.set(3).set(4).set(11).set(12);
        return m;
    }
    static std::bitset<256> default_mask_v6() {
        std::bitset<256> m;
        for (unsigned t = 0; t < 128; ++t)
            if (t != 2) m.set(t);
        return m;
    }
};

// One GCRA bucket shared by several lcores: one atomic TAT, updated by compare-and-swap only
// when a message passes. Every pass moves TAT forward by its cost under CAS, so the passes
// of all lcores together never exceed burst + elapsed * rate: the sum over lcores stays within
// the budget whatever the interleaving.
class SharedBucket {
public:
    void configure(std::uint64_t interval_ns, std::uint32_t burst) noexcept;
    // Would a message pass now (no state change)?
    bool peek(std::uint64_t now_ns) const noexcept;
    // Takes cost units if the bucket allows it now.
    bool take(std::uint64_t now_ns, std::uint32_t cost) noexcept;
    bool enabled() const noexcept { return interval_ns_ != 0; }

private:
    std::atomic<std::uint64_t> tat_{0};
    std::uint64_t interval_ns_ = 0;
    std::uint64_t tolerance_ns_ = 0;
};

// Per-destination buckets of one lcore: a set-associative table (4 ways) with a fixed number
// of entries. A new destination takes a free way of its set or evicts the way used least
// recently; an evicted destination starts again with a full burst, as Linux's inet_peer does
// when its entry is reclaimed.
class HostBuckets {
public:
    static constexpr std::size_t ways = 4;
    static constexpr std::size_t default_sets = 1024;

    // sets must be a power of two. Allocates: call on the control path.
    void configure(std::uint64_t interval_ns, std::uint32_t burst, std::size_t sets = default_sets);
    // New rate and burst for the same table (a live reload): no allocation; what each entry
    // has spent stays, measured against the new tolerance.
    void retune(std::uint64_t interval_ns, std::uint32_t burst) noexcept;
    bool take(const wire::Ipv6Addr& key, std::uint64_t now_ns) noexcept;
    bool take(const wire::Ipv4Addr& key, std::uint64_t now_ns) noexcept;

    std::size_t capacity() const noexcept { return entries_.size(); }
    // Destinations that took the place of another (the table full). The owning lcore counts;
    // any lcore may read (a relaxed load, as the counters are read).
    std::uint64_t evictions() const noexcept {
        return __atomic_load_n(&evictions_, __ATOMIC_RELAXED);
    }

private:
    struct Entry {
        std::array<std::uint8_t, 16> key{};
        std::uint64_t tat_ns = 0;
        std::uint64_t last_ns = 0;
        bool used = false;
    };
    std::vector<Entry> entries_;
    std::size_t set_mask_ = 0;
    std::uint64_t interval_ns_ = 0;
    std::uint64_t tolerance_ns_ = 0;
    std::uint64_t evictions_ = 0;
};

enum class RateVerdict : std::uint8_t { pass, exempt, limited_global, limited_host };

// The limiter an lcore uses: its own host buckets, the shared global bucket, the config.
class RateLimiter {
public:
    // global is shared by all lcores and outlives this limiter. Allocates (host table).
    void configure(const RateLimitConfig& cfg, SharedBucket* global, std::uint64_t seed);
    // A live reload's settings (rates, bursts, masks, global bucket); the tables keep the size
    // configure gave them. No allocation: any lcore's own limiter, between rounds.
    void retune(const RateLimitConfig& cfg, SharedBucket* global) noexcept;

    // Decides for one outgoing ICMPv4 (v6) message of `type` to `dst` (the invoking packet's
    // source), in Linux's order: global budget looked at, then the destination's budget
    // spent, then the global budget spent.
    RateVerdict check_v4(std::uint8_t type, const wire::Ipv4Addr& dst,
                         std::uint64_t now_ns) noexcept;
    RateVerdict check_v6(std::uint8_t type, const wire::Ipv6Addr& dst,
                         std::uint64_t now_ns) noexcept;

    const RateLimitConfig& config() const noexcept { return cfg_; }
    const HostBuckets& hosts() const noexcept { return hosts_; }
    const HostBuckets& hosts_v6() const noexcept { return hosts6_; }

private:
    template <class Addr>
    RateVerdict check(HostBuckets& table, const Addr& dst, std::uint64_t now_ns) noexcept;
    std::uint32_t global_cost() noexcept;

    RateLimitConfig cfg_;
    SharedBucket* global_ = nullptr;
    HostBuckets hosts_;
    HostBuckets hosts6_;
    std::uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
};

}  // namespace pw::icmp
