// The source table: probe by tag then address, insert with eviction of the least active way,
// and the per-source window roll.
#include "lib/insight/source_table.hh"

#include <bit>

namespace pw::insight {

void roll_window(SourceState& s, std::uint64_t now, std::uint64_t window,
                 std::uint32_t inspect_per_window) noexcept {
    const std::uint8_t next = s.cur_idx ^ 1;
    if (now < s.window_end + window) {
        s.prev = s.cur;
        const std::uint64_t prev_start = s.window_end - window;
        if (s.since_ns < prev_start) s.since_ns = prev_start;
        s.window_end += window;
    } else {  // silent for a whole window: nothing of before counts
        s.prev = WindowCounts{};
        if (s.sketching) s.targets[s.cur_idx].clear();
        s.first_in = 0;
        s.stats[s.cur_idx] = PayloadStats{};
        s.since_ns = now;
        s.window_end = now + window;
    }
    s.cur = WindowCounts{};
    s.cur_idx = next;
    if (s.sketching) s.targets[next].clear();
    s.first_in = static_cast<std::uint8_t>(s.first_in & ~(1U << next));
    s.stats[next] = PayloadStats{};
    s.has_last_dst = false;  // so that the new window's sketch sees a repeated destination
    s.inspections_left = inspect_per_window;
}

void SourceState::reset(const wire::Ipv6Addr& a, bool is_v6, std::uint64_t now,
                        std::uint64_t window, std::uint32_t inspect_per_window) noexcept {
    addr = a;
    window_end = now + window;
    last_ns = now;
    packets = 0;
    echo_requests = 0;
    cur = WindowCounts{};
    prev = WindowCounts{};
    inspections_left = inspect_per_window;
    used = true;
    v6 = is_v6;
    has_last_dst = false;
    sketching = false;
    probed = false;
    first_in = 0;
    ttl = 0;
    cur_idx = 0;
    alert_bits = 0;
    echo_replies = 0;
    errors = 0;
    tcp_no_ack = 0;
    first_ns = now;
    since_ns = now;
    shape.len = 0;  // payload_changed() reads no digest of an empty shape
    stats = {};
}

void SourceState::start_sketching() noexcept {
    for (std::size_t i = 0; i < targets.size(); ++i) {
        targets[i].clear();
        if (probed && (first_in & (1U << i)) != 0) targets[i].add(last_dst);
    }
    sketching = true;
}

double SourceState::target_estimate(bool both) const noexcept {
    const std::uint8_t c = cur_idx;
    if (sketching)
        return both ? Hll::estimate_union(targets[c], targets[c ^ 1]) : targets[c].estimate();
    // One target at most: what a sketch of one address estimates, in the windows it was in.
    static const double one = [] {
        Hll h;
        h.add_hash(0);
        return h.estimate();
    }();
    const unsigned mask = both ? 3U : (1U << c);
    return probed && (first_in & mask) != 0 ? one : 0.0;
}

SourceTable::SourceTable(std::uint32_t sources) {
    const std::size_t want = sources == 0 ? 1 : (std::size_t{sources} + ways - 1) / ways;
    sets_ = std::bit_ceil(want);
    tags_ = std::make_unique<std::uint32_t[]>(capacity());
    entries_ = std::make_unique<SourceState[]>(capacity());
}

SourceState* SourceTable::find(const wire::Ipv6Addr& a, std::uint64_t hash) noexcept {
    const std::size_t base = set_of(hash) * ways;
    const std::uint32_t tag = tag_of(hash);
    const std::uint32_t* tags = tags_.get() + base;
    for (std::size_t w = 0; w < ways; ++w)
        if (tags[w] == tag && same_addr(entries_[base + w].addr, a)) return &entries_[base + w];
    return nullptr;
}

const SourceState* SourceTable::find(const wire::Ipv6Addr& a, std::uint64_t hash) const noexcept {
    return const_cast<SourceTable*>(this)->find(a, hash);
}

namespace {

// Packets in the windows that still count at now (the eviction order).
std::uint64_t activity(const SourceState& s, std::uint64_t window, std::uint64_t now) noexcept {
    switch (live_windows(s, window, now)) {
        case Live::both:
            return std::uint64_t{s.cur.packets} + s.prev.packets;
        case Live::current_as_previous:
            return s.cur.packets;
        case Live::none:
            break;
    }
    return 0;
}

}  // namespace

SourceState& SourceTable::add_at(std::size_t slot, const wire::Ipv6Addr& a, bool v6,
                                 std::uint64_t hash, std::uint64_t now, std::uint64_t window,
                                 std::uint32_t inspect_per_window) noexcept {
    ++in_use_;
    ++tracked_;
    tags_[slot] = tag_of(hash);
    SourceState& e = entries_[slot];
    e.reset(a, v6, now, window, inspect_per_window);
    return e;
}

SourceState& SourceTable::evict_for(const wire::Ipv6Addr& a, bool v6, std::uint64_t hash,
                                    std::uint64_t now, std::uint64_t window,
                                    std::uint32_t inspect_per_window) noexcept {
    const std::size_t base = set_of(hash) * ways;
    // The least active way, the oldest among equals.
    std::size_t way = 0;
    std::uint64_t best = activity(entries_[base], window, now);
    for (std::size_t w = 1; w < ways; ++w) {
        const SourceState& e = entries_[base + w];
        const std::uint64_t act = activity(e, window, now);
        if (act < best || (act == best && e.last_ns < entries_[base + way].last_ns)) {
            best = act;
            way = w;
        }
    }
    ++evicted_;
    ++tracked_;
    tags_[base + way] = tag_of(hash);
    SourceState& e = entries_[base + way];
    e.reset(a, v6, now, window, inspect_per_window);
    return e;
}

SourceState& SourceTable::get(const wire::Ipv6Addr& a, bool v6, std::uint64_t hash,
                              std::uint64_t now, std::uint64_t window,
                              std::uint32_t inspect_per_window) noexcept {
    if (SourceState* e = find_or_add(a, v6, hash, now, window, inspect_per_window)) return *e;
    return evict_for(a, v6, hash, now, window, inspect_per_window);
}

}  // namespace pw::insight
