// The tracker: each observation updates its source's entry (a one-entry cache of the last
// source first), counts it in the source's and the global windows, and checks the thresholds
// the update can have crossed. The cheap bound (current + previous window) is tested before
// the sliding-window count, and a held alert before an estimate, so that a sustained flood
// costs a few dozen instructions a packet.
#include "lib/insight/tracker.hh"

#include <algorithm>
#include <cstring>

#include "lib/insight/entropy.hh"
#include "lib/insight/hll.hh"
#include "lib/insight/payload_shape.hh"
#include "lib/insight/source_table.hh"
#include "lib/insight/ttl_fingerprint.hh"
#include "lib/insight/tunnel_score.hh"

namespace pw::insight {

namespace {

constexpr std::uint64_t min_window_ns = 1'000'000;  // 1 ms: no division by zero
// Deep inspections per window over all sources: this many sources' worth.
constexpr std::uint32_t global_inspect_factor = 64;

constexpr std::uint32_t bit(AlertKind k) noexcept {
    return std::uint32_t{1} << static_cast<unsigned>(k);
}
constexpr std::size_t idx(AlertKind k) noexcept {
    return static_cast<std::size_t>(k);
}

// Counts a full window must reach for a rate of pps (ceil(pps * window)).
std::uint64_t per_window(std::uint32_t pps, std::uint64_t window_ns) noexcept {
    const double n = static_cast<double>(pps) * static_cast<double>(window_ns) / 1e9;
    const auto c = static_cast<std::uint64_t>(n);
    return std::max<std::uint64_t>(1, static_cast<double>(c) < n ? c + 1 : c);
}

struct GlobalWindow {
    std::uint64_t window_end = 0;
    WindowCounts cur{};
    WindowCounts prev{};
    std::array<std::uint64_t, 2> last_alert_ns{};
    std::array<bool, 2> alerted{};
};

}  // namespace

struct Tracker::Impl {
    InsightConfig cfg;
    std::uint64_t window = 0;
    std::uint64_t flood_count = 0, error_count = 0, global_flood_count = 0, global_error_count = 0;
    unsigned sweep_min_filled = 0;
    std::uint32_t global_inspections = 0;  // per window, all sources
    SourceTable table;
    SourceState* last = nullptr;   // the source of the previous observation
    SourceState* fast = nullptr;   // the source of the previous frame, an IPv4 echo request
    std::uint64_t fast_addrs = 0;  // its source and destination as they sit in the frame
    GlobalWindow global;
    mutable TrackerCounters counters;
    AlertQueue alerts;

    explicit Impl(const InsightConfig& c) : table(c.sources) {
        tune(c);
        global_inspections = global_inspect_factor * cfg.inspect_per_window;
    }

    void tune(const InsightConfig& c) noexcept {
        cfg = c;
        fast = nullptr;
        window = std::max(c.window_ns, min_window_ns);
        flood_count = per_window(c.flood_pps, window);
        error_count = per_window(c.error_pps, window);
        global_flood_count = per_window(c.global_flood_pps, window);
        global_error_count = per_window(c.global_error_pps, window);
        sweep_min_filled = Hll::min_filled(static_cast<double>(c.sweep_targets));
    }

    SourceState& source(const Observation& o, std::uint64_t now) noexcept {
        if (last != nullptr && same_addr(last->addr, o.src)) return *last;
        last = &table.get(o.src, o.v6, addr_hash(o.src), now, window, cfg.inspect_per_window);
        return *last;
    }

    bool held(const SourceState& s, AlertKind k, std::uint64_t now) const noexcept {
        return (s.alert_bits & bit(k)) != 0 && now - s.last_alert_ns[idx(k)] < cfg.alert_hold_ns;
    }

    Alert source_alert(SourceState& s, AlertKind k, std::uint64_t now) noexcept {
        s.alert_bits |= bit(k);
        s.last_alert_ns[idx(k)] = now;
        Alert a;
        a.kind = k;
        a.v6 = s.v6;
        a.source = s.addr;
        a.at_ns = now;
        a.ttl = s.ttl;
        a.initial_ttl = s.ttl == 0 ? 0 : initial_ttl(s.ttl);
        return a;
    }

    void raise(const Alert& a) noexcept {
        ++counters.alerts[idx(a.kind)];
        alerts.push(a);  // a full queue counts it lost
    }

    // A destination probed (echo, ARP, NS, an expiring probe): the sweep sketch.
    void probe(SourceState& s, const wire::Ipv6Addr& dst, std::uint64_t now) noexcept {
        if (s.has_last_dst && same_addr(s.last_dst, dst)) return;
        s.last_dst = dst;
        s.has_last_dst = true;
        if (!s.cur_targets().add(dst)) return;  // the estimate did not move
        // Too few registers filled for the threshold (one-packet sources), or held.
        if (s.targets[0].filled() + s.targets[1].filled() < sweep_min_filled) return;
        if (held(s, AlertKind::sweep, now)) return;
        const double est = Hll::estimate_union(s.targets[0], s.targets[1]);
        if (est < static_cast<double>(cfg.sweep_targets)) return;
        Alert a = source_alert(s, AlertKind::sweep, now);
        a.value = static_cast<std::uint64_t>(est + 0.5);
        a.threshold = cfg.sweep_targets;
        a.window_ns = now - s.since_ns;
        a.requests = std::uint32_t{s.cur.packets} + s.prev.packets;
        raise(a);
    }

    // Rate checks, per source and global: `count` events in the sliding window against
    // `limit` (a full window's worth of the threshold rate).
    [[gnu::noinline]] void check_rate(SourceState& s, AlertKind k, std::uint32_t cur,
                                      std::uint32_t prev, std::uint64_t limit, std::uint32_t pps,
                                      std::uint64_t now) noexcept {
        if (held(s, k, now)) return;
        const double n = windowed(cur, prev, s.window_end, window, now);
        if (n < static_cast<double>(limit)) return;
        Alert a = source_alert(s, k, now);
        a.value = static_cast<std::uint64_t>(n * 1e9 / static_cast<double>(window) + 0.5);
        a.threshold = pps;
        a.window_ns = window;
        a.requests = static_cast<std::uint32_t>(n + 0.5);
        raise(a);
    }

    [[gnu::noinline]] void check_global(AlertKind k, std::size_t slot, std::uint32_t cur,
                                        std::uint32_t prev, std::uint64_t limit, std::uint32_t pps,
                                        std::uint64_t now) noexcept {
        if (global.alerted[slot] && now - global.last_alert_ns[slot] < cfg.alert_hold_ns) return;
        const double n = windowed(cur, prev, global.window_end, window, now);
        if (n < static_cast<double>(limit)) return;
        global.alerted[slot] = true;
        global.last_alert_ns[slot] = now;
        Alert a;
        a.kind = k;
        a.global = true;
        a.at_ns = now;
        a.value = static_cast<std::uint64_t>(n * 1e9 / static_cast<double>(window) + 0.5);
        a.threshold = pps;
        a.window_ns = window;
        a.requests = static_cast<std::uint32_t>(n + 0.5);
        raise(a);
    }

    void roll_global(std::uint64_t now) noexcept {
        if (now < global.window_end) return;
        if (now < global.window_end + window) {
            global.prev = global.cur;
            global.window_end += window;
        } else {
            global.prev = WindowCounts{};
            global.window_end = now + window;
        }
        global.cur = WindowCounts{};
        global_inspections = global_inspect_factor * cfg.inspect_per_window;
    }

    // Deep inspection of one echo request's payload (bounded per source and window).
    void inspect(SourceState& s, wire::ConstBytes payload, std::uint64_t now) noexcept {
        --s.inspections_left;
        --global_inspections;
        ++counters.inspected;
        const PayloadShape shape = PayloadShape::of(payload);
        const bool changed = payload_changed(s.shape, shape);
        s.shape = shape;
        s.cur_stats().add(payload.size(), changed, byte_entropy(payload));
        if (held(s, AlertKind::tunnel, now)) return;
        const PayloadSummary sum = summarize(s.stats[s.cur_idx], s.stats[s.cur_idx ^ 1], true);
        if (sum.inspected < cfg.tunnel_min_requests) return;
        const std::uint8_t score = tunnel_score(sum);
        if (score < cfg.tunnel_score) return;
        Alert a = source_alert(s, AlertKind::tunnel, now);
        a.value = score;
        a.threshold = cfg.tunnel_score;
        a.window_ns = now - s.since_ns;
        a.requests = sum.inspected;
        a.changed_pct = static_cast<std::uint16_t>(sum.changed * 100ULL / sum.inspected);
        a.sizes = sum.sizes;
        a.entropy_centibits = sum.entropy_centibits;
        raise(a);
    }

    // What every echo request costs: its counts, and the flood checks once the cheap bound
    // (current + previous window) is reached.
    void count_request(SourceState& s, std::size_t payload, std::uint64_t now) noexcept {
        ++s.echo_requests;
        ++s.cur.echo_requests;
        ++counters.echo_requests;
        s.cur_stats().request_bytes += payload;
        if (std::uint64_t{s.cur.echo_requests} + s.prev.echo_requests >= flood_count &&
            !held(s, AlertKind::flood, now))
            check_rate(s, AlertKind::flood, s.cur.echo_requests, s.prev.echo_requests, flood_count,
                       cfg.flood_pps, now);
        ++global.cur.echo_requests;
        if (std::uint64_t{global.cur.echo_requests} + global.prev.echo_requests >=
            global_flood_count)
            check_global(AlertKind::global_flood, 0, global.cur.echo_requests,
                         global.prev.echo_requests, global_flood_count, cfg.global_flood_pps, now);
    }

    // Not a source's first request (a spoofed flood's sources send one each), and within the
    // source's and the global budget of the window.
    // (requests: the source's echo requests, this one counted.)
    bool wants_inspection(const SourceState& s, std::size_t payload,
                          std::uint64_t requests) const noexcept {
        return s.inspections_left != 0 && payload >= inspect_min_bytes && requests > 1 &&
               global_inspections != 0;
    }

    void echo_request(SourceState& s, const Observation& o, std::uint64_t now) noexcept {
        count_request(s, o.payload.size(), now);
        probe(s, o.dst, now);
        if (wants_inspection(s, o.payload.size(), s.echo_requests)) inspect(s, o.payload, now);
        // The next frame may take the fast path when it repeats this one's addresses.
        if (!o.v6 && s.has_last_dst) {
            fast = &s;
            std::memcpy(&fast_addrs, o.src.bytes.data() + 12, 4);
            std::memcpy(reinterpret_cast<std::byte*>(&fast_addrs) + 4, o.dst.bytes.data() + 12, 4);
        }
    }

    // The fast path: an untagged IPv4 echo request without options (RFC 791 3.1: IHL 5, not a
    // later fragment), from the source of the previous frame to the same destination, inside
    // both windows, with no inspection due: its counts only. False: the full path must see it.
    bool observe_fast(wire::ConstBytes f, std::uint64_t now) noexcept {
        constexpr std::size_t ip = 14, icmp = 34, data = 42;
        if (fast == nullptr || f.size() < data) return false;
        if ((wire::load32(f, 12) & 0xffffff00U) != 0x08004500U) return false;  // IPv4, IHL 5
        if (wire::load8(f, ip + 9) != 1 || wire::load8(f, icmp) != 8) return false;
        if ((wire::load16(f, ip + 6) & 0x1fffU) != 0) return false;
        std::uint64_t addrs;
        std::memcpy(&addrs, f.data() + ip + 12, 8);  // source and destination
        if (addrs != fast_addrs) return false;
        SourceState& s = *fast;
        if (now >= s.window_end || now >= global.window_end) return false;
        const std::size_t total = wire::load16(f, ip + 2);
        if (total < 28) return false;
        const std::size_t end = ip + total < f.size() ? ip + total : f.size();
        if (end < data) return false;
        const std::size_t payload = end - data;
        if (wants_inspection(s, payload, s.echo_requests + 1)) return false;
        ++counters.observed;
        ++s.packets;
        ++s.cur.packets;
        s.last_ns = now;
        const std::uint8_t ttl = wire::load8(f, ip + 8);
        if (ttl != 0) s.ttl = ttl;
        count_request(s, payload, now);
        return true;
    }

    // RFC 792 / RFC 4443 4.2: a reply carries the request's data back; its bytes go to the
    // destination (the requester), when tracked, for the request/reply asymmetry.
    void echo_reply(SourceState& s, const Observation& o, std::uint64_t now) noexcept {
        ++s.echo_replies;
        if (o.payload.empty()) return;
        SourceState* d = table.find(o.dst, addr_hash(o.dst));
        if (d == nullptr) return;
        if (now >= d->window_end) roll_window(*d, now, window, cfg.inspect_per_window);
        d->cur_stats().reply_bytes += o.payload.size();
    }

    void error(SourceState& s, std::uint64_t now) noexcept {
        ++s.errors;
        ++s.cur.errors;
        ++counters.errors;
        if (std::uint64_t{s.cur.errors} + s.prev.errors >= error_count &&
            !held(s, AlertKind::error_flood, now))
            check_rate(s, AlertKind::error_flood, s.cur.errors, s.prev.errors, error_count,
                       cfg.error_pps, now);
        ++global.cur.errors;
        if (std::uint64_t{global.cur.errors} + global.prev.errors >= global_error_count)
            check_global(AlertKind::global_error_flood, 1, global.cur.errors, global.prev.errors,
                         global_error_count, cfg.global_error_pps, now);
    }

    // Out of line, so that the fast path saves no registers for it.
    [[gnu::noinline]] void observe_frame(wire::ConstBytes f, std::uint64_t now) noexcept {
        observe(classify(f), now);
    }

    void observe(const Observation& o, std::uint64_t now) noexcept {
        if (!cfg.enabled) return;
        fast = nullptr;  // set again by an IPv4 echo request
        if (o.seen == Seen::other) {
            ++counters.ignored;
            return;
        }
        ++counters.observed;
        if (now >= global.window_end) roll_global(now);
        SourceState& s = source(o, now);
        if (now >= s.window_end) roll_window(s, now, window, cfg.inspect_per_window);
        ++s.packets;
        ++s.cur.packets;
        s.last_ns = now;
        if (o.ttl != 0) s.ttl = o.ttl;
        switch (o.seen) {
            case Seen::echo_request:
                echo_request(s, o, now);
                break;
            case Seen::echo_reply:
                echo_reply(s, o, now);
                break;
            case Seen::icmp_error:
                error(s, now);
                break;
            case Seen::arp_request:
            case Seen::neighbor_solicit:
            case Seen::ttl_expiring:
                probe(s, o.dst, now);
                break;
            case Seen::icmp_other:
            case Seen::other:
                break;
        }
    }

    // A source as telemetry shows it, at now (its windows read, not rolled).
    SourceView view(const SourceState& s, std::uint64_t now) const noexcept {
        SourceView v;
        v.source = s.addr;
        v.v6 = s.v6;
        v.first_ns = s.first_ns;
        v.last_ns = s.last_ns;
        v.packets = s.packets;
        v.echo_requests = s.echo_requests;
        v.echo_replies = s.echo_replies;
        v.errors = s.errors;
        v.ttl = s.ttl;
        v.initial_ttl = s.ttl == 0 ? 0 : initial_ttl(s.ttl);
        v.hops = s.ttl == 0 ? 0 : ttl_hops(s.ttl);
        v.alerts = s.alert_bits;
        const double secs = static_cast<double>(window) / 1e9;
        v.window_packets = window_packets(s, now);
        v.echo_pps = static_cast<std::uint64_t>(
            windowed(s.cur.echo_requests, s.prev.echo_requests, s.window_end, window, now) / secs +
            0.5);
        v.error_pps = static_cast<std::uint64_t>(
            windowed(s.cur.errors, s.prev.errors, s.window_end, window, now) / secs + 0.5);
        const Live live = live_windows(s, window, now);
        const std::uint8_t c = s.cur_idx;
        double targets = 0;
        PayloadSummary sum;
        if (live == Live::both) {
            targets = Hll::estimate_union(s.targets[c], s.targets[c ^ 1]);
            sum = summarize(s.stats[c], s.stats[c ^ 1], true);
        } else if (live == Live::current_as_previous) {
            targets = s.targets[c].estimate();
            sum = summarize(s.stats[c], s.stats[c ^ 1], false);
        }
        v.targets = static_cast<std::uint64_t>(targets + 0.5);
        v.inspected = sum.inspected;
        v.tunnel_score = tunnel_score(sum);
        v.changed_pct = sum.inspected == 0
                            ? 0
                            : static_cast<std::uint16_t>(sum.changed * 100ULL / sum.inspected);
        v.sizes = sum.sizes;
        v.entropy_centibits = sum.entropy_centibits;
        v.request_bytes = sum.request_bytes;
        v.reply_bytes = sum.reply_bytes;
        return v;
    }

    std::uint64_t window_packets(const SourceState& s, std::uint64_t now) const noexcept {
        return static_cast<std::uint64_t>(
            windowed(s.cur.packets, s.prev.packets, s.window_end, window, now) + 0.5);
    }
};

namespace {

// Snapshot order: most packets in the window, then the most recent, then the address.
bool before(const SourceView& a, const SourceView& b) noexcept {
    if (a.window_packets != b.window_packets) return a.window_packets > b.window_packets;
    if (a.last_ns != b.last_ns) return a.last_ns > b.last_ns;
    return a.source.bytes < b.source.bytes;
}

}  // namespace

Tracker::Tracker(const InsightConfig& cfg) : impl_(std::make_unique<Impl>(cfg)) {}
Tracker::~Tracker() = default;

void Tracker::retune(const InsightConfig& cfg) noexcept {
    InsightConfig c = cfg;
    c.sources = impl_->cfg.sources;  // the table keeps its size
    impl_->tune(c);
}

const InsightConfig& Tracker::config() const noexcept {
    return impl_->cfg;
}

void Tracker::observe(const Observation& o, std::uint64_t now_ns) noexcept {
    impl_->observe(o, now_ns);
}

void Tracker::observe(wire::ConstBytes frame, std::uint64_t now_ns) noexcept {
    if (impl_->observe_fast(frame, now_ns)) return;
    impl_->observe_frame(frame, now_ns);
}

std::size_t Tracker::snapshot(std::span<SourceView> out, std::uint64_t now_ns) const noexcept {
    if (out.empty()) return 0;
    // The top out.size() by a min-heap in out of light views (order fields only), then the
    // winners filled in.
    std::size_t n = 0;
    for (const SourceState& s : impl_->table.entries()) {
        if (!s.used) continue;
        SourceView v;
        v.source = s.addr;
        v.last_ns = s.last_ns;
        v.window_packets = impl_->window_packets(s, now_ns);
        if (n < out.size()) {
            out[n++] = v;
            std::push_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), before);
        } else if (before(v, out[0])) {
            std::pop_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), before);
            out[n - 1] = v;
            std::push_heap(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), before);
        }
    }
    std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), before);
    for (std::size_t i = 0; i < n; ++i) {
        const SourceState* s = impl_->table.find(out[i].source, addr_hash(out[i].source));
        if (s != nullptr) out[i] = impl_->view(*s, now_ns);
    }
    return n;
}

std::size_t Tracker::tracked_now() const noexcept {
    return impl_->table.in_use();
}

std::size_t Tracker::capacity() const noexcept {
    return impl_->table.capacity();
}

const TrackerCounters& Tracker::counters() const noexcept {
    impl_->counters.tracked = impl_->table.tracked();
    impl_->counters.evicted = impl_->table.evicted();
    return impl_->counters;
}

AlertQueue& Tracker::alerts() noexcept {
    return impl_->alerts;
}

}  // namespace pw::insight
