// The tracker's bounded table of sources: per source what it did since it was tracked, and in
// two windows (the current one and the one before) its packets, echo requests, errors, the
// destinations it probed (a HyperLogLog each) and its payload statistics.
//
// Set-associative: 8 ways per set, a power-of-two number of sets (at least cfg.sources
// entries), a 32-bit tag per way probed before the 16-byte address is compared. A new source
// takes a free way of its set, or (when the tracker admits it: 1 time in 8, see tracker.cc)
// the least active way: the fewest packets in its live windows, the oldest last packet among
// equals. So a burst of spoofed one-packet sources evicts itself, not the sweeper or the
// flooder it hides behind.
//
// A fresh entry is cheap: only what is read before it is written is reset (the counts, the
// payload statistics); its destination sketches start when it probes a second destination.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "lib/insight/alert.hh"
#include "lib/insight/hll.hh"
#include "lib/insight/payload_shape.hh"
#include "lib/wire/addr.hh"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pw::insight {

inline constexpr std::size_t alert_kinds = static_cast<std::size_t>(AlertKind::count_);

struct WindowCounts {
    std::uint32_t packets = 0;
    std::uint32_t echo_requests = 0;
    std::uint32_t errors = 0;
    std::uint32_t tcp_no_ack = 0;  // TCP segments without ACK (Seen::tcp_no_ack)
    // What the flood check counts: echo requests and TCP segments without ACK.
    std::uint32_t flood() const noexcept { return echo_requests + tcp_no_ack; }
};

// What is known of one source. The fields the fast echo path touches come first.
struct SourceState {
    wire::Ipv6Addr addr{};
    wire::Ipv6Addr last_dst{};     // skip the sketch while the destination repeats
    std::uint64_t window_end = 0;  // the current window is [window_end - window, window_end)
    std::uint64_t last_ns = 0;
    std::uint64_t packets = 0;
    std::uint64_t echo_requests = 0;
    WindowCounts cur{};
    WindowCounts prev{};
    std::uint32_t inspections_left = 0;  // deep payload inspections left in this window
    bool used = false;
    bool v6 = false;
    bool has_last_dst = false;
    // The destination sketches are live (a second distinct destination was probed); before,
    // last_dst is the one target and first_in says in which windows (bit cur_idx) it was.
    bool sketching = false;
    bool probed = false;  // last_dst holds the first target
    std::uint8_t first_in = 0;
    std::uint8_t ttl = 0;
    std::uint8_t cur_idx = 0;      // which of targets[] and stats[] is the current window's
    std::uint32_t alert_bits = 0;  // 1 << AlertKind for each kind raised
    std::uint64_t echo_replies = 0;
    std::uint64_t errors = 0;
    std::uint64_t tcp_no_ack = 0;
    std::uint64_t first_ns = 0;
    std::uint64_t since_ns = 0;  // when the live windows' counting began
    PayloadShape shape{};        // of the payload inspected last (shape.len 0: none)
    std::array<PayloadStats, 2> stats{};
    std::array<std::uint64_t, alert_kinds> last_alert_ns{};  // read only under alert_bits
    std::array<Hll, 2> targets{};                            // read only while sketching

    // A fresh entry for a (what a previous owner left is not read again).
    void reset(const wire::Ipv6Addr& a, bool is_v6, std::uint64_t now, std::uint64_t window,
               std::uint32_t inspect_per_window) noexcept;
    // The sketches begin: both cleared, the one target put into the windows it was seen in.
    void start_sketching() noexcept;
    // The distinct destinations of the live windows (both, or the current one only).
    double target_estimate(bool both) const noexcept;

    Hll& cur_targets() noexcept { return targets[cur_idx]; }
    PayloadStats& cur_stats() noexcept { return stats[cur_idx]; }
};

// A count over the sliding window that ends at now, from a tumbling window's current and
// previous counts: the previous one weighted by the part of it still inside the sliding
// window (the current window began at window_end - window). 0 once both are over.
inline double windowed(std::uint64_t cur, std::uint64_t prev, std::uint64_t window_end,
                       std::uint64_t window, std::uint64_t now) noexcept {
    const std::uint64_t start = window_end - window;
    if (now < start) return static_cast<double>(cur + prev);
    if (now < window_end) {
        const double left =
            static_cast<double>(window - (now - start)) / static_cast<double>(window);
        return static_cast<double>(cur) + static_cast<double>(prev) * left;
    }
    if (now < window_end + window) {
        const double left =
            static_cast<double>(window_end + window - now) / static_cast<double>(window);
        return static_cast<double>(cur) * left;
    }
    return 0;
}

// Which of a source's windows still count at now (without rolling them).
enum class Live : std::uint8_t { none, current_as_previous, both };
inline Live live_windows(const SourceState& s, std::uint64_t window, std::uint64_t now) noexcept {
    if (now < s.window_end) return Live::both;
    if (now < s.window_end + window) return Live::current_as_previous;
    return Live::none;
}

// Starts the window now falls in: the current one becomes the previous one, or both are
// cleared when the source was silent for a whole window.
void roll_window(SourceState& s, std::uint64_t now, std::uint64_t window,
                 std::uint32_t inspect_per_window) noexcept;

class SourceTable {
public:
    static constexpr std::size_t ways = 8;

    // At least `sources` entries (control path; throws std::bad_alloc).
    explicit SourceTable(std::uint32_t sources);

    std::size_t sets() const noexcept { return sets_; }
    std::size_t capacity() const noexcept { return sets_ * ways; }
    std::size_t in_use() const noexcept { return in_use_; }
    std::uint64_t tracked() const noexcept { return tracked_; }
    std::uint64_t evicted() const noexcept { return evicted_; }
    std::size_t set_of(std::uint64_t hash) const noexcept {
        return static_cast<std::size_t>(hash >> 32) & (sets_ - 1);
    }

    // The entry of a (hash = addr_hash(a)), or null.
    SourceState* find(const wire::Ipv6Addr& a, std::uint64_t hash) noexcept;
    const SourceState* find(const wire::Ipv6Addr& a, std::uint64_t hash) const noexcept;
    // The entry of a, a fresh one if it has none (the least active way of its set evicted).
    SourceState& get(const wire::Ipv6Addr& a, bool v6, std::uint64_t hash, std::uint64_t now,
                     std::uint64_t window, std::uint32_t inspect_per_window) noexcept;
    // The entry of a, or a fresh one in a free way of its set; null when the set is full.
    SourceState* find_or_add(const wire::Ipv6Addr& a, bool v6, std::uint64_t hash,
                             std::uint64_t now, std::uint64_t window,
                             std::uint32_t inspect_per_window) noexcept {
        const std::size_t base = set_of(hash) * ways;
        unsigned free = 0;
        for (unsigned match = probe(base, tag_of(hash), free); match != 0; match &= match - 1) {
            const std::size_t slot = base + static_cast<unsigned>(std::countr_zero(match));
            if (same_addr(entries_[slot].addr, a)) return &entries_[slot];
        }
        if (free == 0) return nullptr;
        const std::size_t slot = base + static_cast<unsigned>(std::countr_zero(free));
        return &add_at(slot, a, v6, hash, now, window, inspect_per_window);
    }
    // A fresh entry for a (not in the table, its set full) in the least active way.
    SourceState& evict_for(const wire::Ipv6Addr& a, bool v6, std::uint64_t hash, std::uint64_t now,
                           std::uint64_t window, std::uint32_t inspect_per_window) noexcept;

    std::span<const SourceState> entries() const noexcept { return {entries_.get(), capacity()}; }

private:
    static std::uint32_t tag_of(std::uint64_t hash) noexcept {
        return static_cast<std::uint32_t>(hash) | 1U;  // 0: a free way
    }

    // The ways of the set at base whose tag is tag, and (into free) those free, as bit masks
    // (no branch per way).
    unsigned probe(std::size_t base, std::uint32_t tag, unsigned& free) const noexcept {
        const std::uint32_t* tags = tags_.get() + base;
#if defined(__SSE2__)
        static_assert(ways == 8);
        const __m128i want = _mm_set1_epi32(static_cast<int>(tag)), zero = _mm_setzero_si128();
        const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tags));
        const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tags + 4));
        const auto mask = [](__m128i eq) {
            return static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(eq)));
        };
        free = mask(_mm_cmpeq_epi32(lo, zero)) | mask(_mm_cmpeq_epi32(hi, zero)) << 4;
        return mask(_mm_cmpeq_epi32(lo, want)) | mask(_mm_cmpeq_epi32(hi, want)) << 4;
#else
        unsigned match = 0;
        free = 0;
        for (std::size_t w = 0; w < ways; ++w) {
            match |= static_cast<unsigned>(tags[w] == tag) << w;
            free |= static_cast<unsigned>(tags[w] == 0) << w;
        }
        return match;
#endif
    }
    SourceState& add_at(std::size_t slot, const wire::Ipv6Addr& a, bool v6, std::uint64_t hash,
                        std::uint64_t now, std::uint64_t window,
                        std::uint32_t inspect_per_window) noexcept;

    std::size_t sets_ = 1;
    std::unique_ptr<std::uint32_t[]> tags_;
    std::unique_ptr<SourceState[]> entries_;
    std::size_t in_use_ = 0;
    std::uint64_t tracked_ = 0;
    std::uint64_t evicted_ = 0;
};

}  // namespace pw::insight
