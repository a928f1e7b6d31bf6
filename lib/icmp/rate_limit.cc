#include "lib/icmp/rate_limit.hh"

#include <cstring>

namespace pw::icmp {

namespace {

std::uint64_t gcra_tolerance(std::uint64_t interval_ns, std::uint32_t burst) {
    return burst == 0 ? 0 : (std::uint64_t{burst} - 1) * interval_ns;
}

// FNV-1a over the key: cheap, and good enough to spread addresses over the sets.
std::size_t hash_key(const std::array<std::uint8_t, 16>& k) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (auto b : k) {
        h ^= b;
        h *= 0x100000001b3ULL;
    }
    return static_cast<std::size_t>(h ^ (h >> 29));
}

}  // namespace

void SharedBucket::configure(std::uint64_t interval_ns, std::uint32_t burst) noexcept {
    interval_ns_ = burst == 0 ? 0 : interval_ns;
    tolerance_ns_ = gcra_tolerance(interval_ns, burst);
    tat_.store(0, std::memory_order_relaxed);
}

bool SharedBucket::peek(std::uint64_t now_ns) const noexcept {
    if (interval_ns_ == 0) return true;
    const std::uint64_t tat = tat_.load(std::memory_order_relaxed);
    return tat <= now_ns + tolerance_ns_;
}

bool SharedBucket::take(std::uint64_t now_ns, std::uint32_t cost) noexcept {
    if (interval_ns_ == 0) return true;
    std::uint64_t tat = tat_.load(std::memory_order_relaxed);
    for (;;) {
        if (tat > now_ns + tolerance_ns_) return false;
        const std::uint64_t next = (tat > now_ns ? tat : now_ns) + cost * interval_ns_;
        if (tat_.compare_exchange_weak(tat, next, std::memory_order_relaxed)) return true;
    }
}

void HostBuckets::configure(std::uint64_t interval_ns, std::uint32_t burst, std::size_t sets) {
    if (sets == 0 || (sets & (sets - 1)) != 0) sets = default_sets;
    entries_.assign(sets * ways, Entry{});
    set_mask_ = sets - 1;
    interval_ns_ = burst == 0 ? 0 : interval_ns;
    tolerance_ns_ = gcra_tolerance(interval_ns, burst);
    evictions_ = 0;
}

void HostBuckets::retune(std::uint64_t interval_ns, std::uint32_t burst) noexcept {
    interval_ns_ = burst == 0 ? 0 : interval_ns;
    tolerance_ns_ = gcra_tolerance(interval_ns, burst);
}

bool HostBuckets::take(const wire::Ipv4Addr& key, std::uint64_t now_ns) noexcept {
    // IPv4 keys live in the same table as IPv4-mapped IPv6 addresses (RFC 4291 2.5.5.2).
    wire::Ipv6Addr k{};
    k.bytes[10] = 0xff;
    k.bytes[11] = 0xff;
    std::memcpy(k.bytes.data() + 12, key.bytes.data(), 4);
    return take(k, now_ns);
}

bool HostBuckets::take(const wire::Ipv6Addr& key, std::uint64_t now_ns) noexcept {
    if (interval_ns_ == 0 || entries_.empty()) return true;
    Entry* set = &entries_[(hash_key(key.bytes) & set_mask_) * ways];
    Entry* e = nullptr;
    Entry* victim = &set[0];
    for (std::size_t i = 0; i < ways; ++i) {
        Entry& w = set[i];
        if (w.used && w.key == key.bytes) {
            e = &w;
            break;
        }
        // Prefer a free way; else the way used longest ago.
        if (!w.used) {
            if (victim->used) victim = &w;
        } else if (victim->used && w.last_ns < victim->last_ns) {
            victim = &w;
        }
    }
    if (e == nullptr) {
        if (victim->used) ++evictions_;
        e = victim;
        e->used = true;
        e->key = key.bytes;
        e->tat_ns = 0;  // a new destination starts with a full burst
    }
    e->last_ns = now_ns;
    if (e->tat_ns > now_ns + tolerance_ns_) return false;
    e->tat_ns = (e->tat_ns > now_ns ? e->tat_ns : now_ns) + interval_ns_;
    return true;
}

void RateLimiter::configure(const RateLimitConfig& cfg, SharedBucket* global, std::uint64_t seed) {
    cfg_ = cfg;
    global_ = global;
    hosts_.configure(cfg.host_interval_ns, cfg.host_burst, cfg.host_table_sets);
    hosts6_.configure(cfg.host_interval_v6_ns, cfg.host_burst, cfg.host_table_sets);
    rng_ = seed | 1;
}

void RateLimiter::retune(const RateLimitConfig& cfg, SharedBucket* global) noexcept {
    const std::size_t sets = cfg_.host_table_sets;
    cfg_ = cfg;
    cfg_.host_table_sets = sets;
    global_ = global;
    hosts_.retune(cfg.host_interval_ns, cfg.host_burst);
    hosts6_.retune(cfg.host_interval_v6_ns, cfg.host_burst);
}

std::uint32_t RateLimiter::global_cost() noexcept {
    if (cfg_.deterministic) return 1;
    // xorshift64: a random cost of 0, 1 or 2 credits (mean 1), as Linux's
    // icmp_global_consume() spends get_random_u32_below(3).
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<std::uint32_t>(rng_ % 3);
}

template <class Addr>
RateVerdict RateLimiter::check(HostBuckets& table, const Addr& dst, std::uint64_t now_ns) noexcept {
    if (global_ != nullptr && !global_->peek(now_ns)) return RateVerdict::limited_global;
    if (!table.take(dst, now_ns)) return RateVerdict::limited_host;
    if (global_ != nullptr) {
        const std::uint32_t cost = global_cost();
        if (cost != 0 && !global_->take(now_ns, cost)) return RateVerdict::limited_global;
    }
    return RateVerdict::pass;
}

RateVerdict RateLimiter::check_v4(std::uint8_t type, const wire::Ipv4Addr& dst,
                                  std::uint64_t now_ns) noexcept {
    if (!cfg_.mask_v4.test(type)) return RateVerdict::exempt;
    return check(hosts_, dst, now_ns);
}

RateVerdict RateLimiter::check_v6(std::uint8_t type, const wire::Ipv6Addr& dst,
                                  std::uint64_t now_ns) noexcept {
    if (!cfg_.mask_v6.test(type)) return RateVerdict::exempt;
    return check(hosts6_, dst, now_ns);
}

}  // namespace pw::icmp
