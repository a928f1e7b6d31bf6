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
        s.targets[s.cur_idx].clear();
        s.stats[s.cur_idx] = PayloadStats{};
        s.since_ns = now;
        s.window_end = now + window;
    }
    s.cur = WindowCounts{};
    s.cur_idx = next;
    s.targets[next].clear();
    s.stats[next] = PayloadStats{};
    s.has_last_dst = false;  // so that the new window's sketch sees a repeated destination
    s.inspections_left = inspect_per_window;
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

SourceState& SourceTable::get(const wire::Ipv6Addr& a, bool v6, std::uint64_t hash,
                              std::uint64_t now, std::uint64_t window,
                              std::uint32_t inspect_per_window) noexcept {
    const std::size_t base = set_of(hash) * ways;
    const std::uint32_t tag = tag_of(hash);
    std::uint32_t* tags = tags_.get() + base;
    std::size_t free_way = ways;
    for (std::size_t w = 0; w < ways; ++w) {
        if (tags[w] == tag && same_addr(entries_[base + w].addr, a)) return entries_[base + w];
        if (tags[w] == 0 && free_way == ways) free_way = w;
    }
    std::size_t way = free_way;
    if (way == ways) {  // full: the least active way, the oldest among equals
        way = 0;
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
    } else {
        ++in_use_;
    }
    ++tracked_;
    tags[way] = tag;
    SourceState& e = entries_[base + way];
    e = SourceState{};
    e.addr = a;
    e.used = true;
    e.v6 = v6;
    e.first_ns = now;
    e.since_ns = now;
    e.last_ns = now;
    e.window_end = now + window;
    e.inspections_left = inspect_per_window;
    return e;
}

}  // namespace pw::insight
