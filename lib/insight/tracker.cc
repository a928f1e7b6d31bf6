// The tracker: each observation updates its source's entry (a one-entry cache of the last
// source first), counts it in the source's and the global windows, and checks the thresholds
// the update can have crossed. The cheap bound (current + previous window) is tested before
// the sliding-window count, and a held alert before an estimate, so that a sustained flood
// costs a few dozen instructions a packet.
//
// Two things keep a flood cheap. Runs: an IPv4 echo request that repeats the previous one's
// addresses, inside the windows and with no inspection due, only adds to a pending run (its
// frames, payload bytes, last TTL and time); the run reaches the source, the counters and the
// global window at 64 frames, just as a flood bound would be reached (so that every check runs
// on the frame the full path would run it on), before any frame takes the full path, and in
// flush(). Sampled admission: a new source whose set is full gets an entry (the least active
// way's) 1 time in 8 (xorshift64); the other times its frame is counted in the global window
// and the counters only. A source that keeps sending gets in after a few frames; a spoofed
// one-packet-per-source flood costs a probe of the set, not an entry.
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

// xorshift64 (Marsaglia 2003): the admission draw. Any non-zero seed.
constexpr std::uint64_t default_seed = 0x2545f4914f6cdd1dULL;
inline std::uint64_t xorshift64(std::uint64_t& x) noexcept {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t c = a + b;
    return c < a ? ~std::uint64_t{0} : c;
}

// The pending run of repeated IPv4 echo requests (of Impl::fast).
struct Run {
    std::uint32_t frames = 0;
    std::uint32_t cap = 1;  // applied when frames reaches it
    std::uint64_t bytes = 0;
    std::uint64_t last_ns = 0;
    std::uint8_t ttl = 0;  // the last non-zero TTL, 0: none
};

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
    // The fast path's tests, made when it is armed: before this time (the windows' ends, and
    // a flood alert's hold where the bound is reached), and whether an inspection is due (a
    // payload of inspect_min_bytes then takes the full path).
    // (fast_until 0 and arm_due: armed at the first repeat, not on every request.)
    std::uint64_t fast_until = 0;
    std::size_t fast_min_payload = 0;
    bool arm_due = false;
    Run run;
    std::uint64_t rng = default_seed;
    // The global flood check is a no-op until the window's count reaches this (no alert can
    // come before: see check_global).
    std::uint64_t global_next_check = 0;
    GlobalWindow global;
    mutable TrackerCounters counters;
    AlertQueue alerts;

    explicit Impl(const InsightConfig& c) : table(c.sources) {
        tune(c);
        global_inspections = global_inspect_factor * cfg.inspect_per_window;
    }

    void tune(const InsightConfig& c) noexcept {
        apply_run();
        cfg = c;
        disarm();
        global_next_check = 0;
        window = std::max(c.window_ns, min_window_ns);
        flood_count = per_window(c.flood_pps, window);
        error_count = per_window(c.error_pps, window);
        global_flood_count = per_window(c.global_flood_pps, window);
        global_error_count = per_window(c.global_error_pps, window);
        sweep_min_filled = Hll::min_filled(static_cast<double>(c.sweep_targets));
    }

    // The source's entry; null when it has none, its set is full and the draw (1 in 8) does
    // not admit it.
    SourceState* source(const Observation& o, std::uint64_t now) noexcept {
        if (last != nullptr && same_addr(last->addr, o.src)) return last;
        const std::uint64_t h = addr_hash(o.src);
        SourceState* e = table.find_or_add(o.src, o.v6, h, now, window, cfg.inspect_per_window);
        if (e == nullptr) {
            if ((xorshift64(rng) >> 61) != 0) return nullptr;
            e = &table.evict_for(o.src, o.v6, h, now, window, cfg.inspect_per_window);
        }
        last = e;
        return e;
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
        if (!s.sketching) {
            // One target so far: no sketch yet (an estimate of 1 is no sweep of 2 or more).
            if ((!s.probed || same_addr(s.last_dst, dst)) && cfg.sweep_targets > 1) {
                s.last_dst = dst;
                s.has_last_dst = true;
                s.probed = true;
                s.first_in = static_cast<std::uint8_t>(s.first_in | (1U << s.cur_idx));
                return;
            }
            s.start_sketching();
        }
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
    // (tcp_cur, tcp_prev: of cur and prev, the TCP segments without ACK, for the words.)
    [[gnu::noinline]] void check_rate(SourceState& s, AlertKind k, std::uint32_t cur,
                                      std::uint32_t prev, std::uint64_t limit, std::uint32_t pps,
                                      std::uint64_t now, std::uint32_t tcp_cur = 0,
                                      std::uint32_t tcp_prev = 0) noexcept {
        if (held(s, k, now)) return;
        const double n = windowed(cur, prev, s.window_end, window, now);
        if (n < static_cast<double>(limit)) return;
        Alert a = source_alert(s, k, now);
        a.value = static_cast<std::uint64_t>(n * 1e9 / static_cast<double>(window) + 0.5);
        a.threshold = pps;
        a.window_ns = window;
        a.requests = static_cast<std::uint32_t>(n + 0.5);
        a.tcp = static_cast<std::uint32_t>(windowed(tcp_cur, tcp_prev, s.window_end, window, now) +
                                           0.5);
        raise(a);
    }

    [[gnu::noinline]] void check_global(AlertKind k, std::size_t slot, std::uint32_t cur,
                                        std::uint32_t prev, std::uint64_t limit, std::uint32_t pps,
                                        std::uint64_t now, std::uint32_t tcp_cur = 0,
                                        std::uint32_t tcp_prev = 0) noexcept {
        if (global.alerted[slot] && now - global.last_alert_ns[slot] < cfg.alert_hold_ns) return;
        const double n = windowed(cur, prev, global.window_end, window, now);
        if (n < static_cast<double>(limit)) {
            // The sliding count only shrinks but by requests: none can raise before
            // limit - n more (less one for rounding).
            const double deficit = static_cast<double>(limit) - n - 1.0;
            if (slot == 0 && deficit >= 1.0)
                global_next_check = cur + static_cast<std::uint64_t>(deficit);
            return;
        }
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
        a.tcp = static_cast<std::uint32_t>(
            windowed(tcp_cur, tcp_prev, global.window_end, window, now) + 0.5);
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
        global_next_check = 0;
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

    // The flood checks (RFC 792 echo requests and TCP segments without ACK together), once
    // the cheap bound (current + previous window) is reached: the source's, then the global.
    void check_floods(SourceState& s, std::uint64_t now) noexcept {
        if (std::uint64_t{s.cur.flood()} + s.prev.flood() >= flood_count &&
            !held(s, AlertKind::flood, now))
            check_rate(s, AlertKind::flood, s.cur.flood(), s.prev.flood(), flood_count,
                       cfg.flood_pps, now, s.cur.tcp_no_ack, s.prev.tcp_no_ack);
        check_global_flood(now);
    }
    void check_global_flood(std::uint64_t now) noexcept {
        if (std::uint64_t{global.cur.flood()} + global.prev.flood() >= global_flood_count &&
            global.cur.flood() >= global_next_check &&
            !(global.alerted[0] && now - global.last_alert_ns[0] < cfg.alert_hold_ns))
            check_global(AlertKind::global_flood, 0, global.cur.flood(), global.prev.flood(),
                         global_flood_count, cfg.global_flood_pps, now, global.cur.tcp_no_ack,
                         global.prev.tcp_no_ack);
    }

    // What every echo request costs: its counts, and the flood checks.
    void count_request(SourceState& s, std::size_t payload, std::uint64_t now) noexcept {
        ++s.echo_requests;
        ++s.cur.echo_requests;
        ++counters.echo_requests;
        s.cur_stats().request_bytes += payload;
        ++global.cur.echo_requests;
        check_floods(s, now);
    }

    void tcp_segment(SourceState& s, std::uint64_t now) noexcept {
        ++s.tcp_no_ack;
        ++s.cur.tcp_no_ack;
        ++counters.tcp_no_ack;
        ++global.cur.tcp_no_ack;
        check_floods(s, now);
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
            fast_until = 0;  // (and the payload test passed: the late path arms and tests)
            fast_min_payload = ~std::size_t{0};
            arm_due = true;
        }
    }

    // How many more requests (at least 1) a window that ends at window_end, with cur and prev
    // counted at now, takes until its flood check could raise: its sliding count at now (the
    // previous window's part only shrinks later) plus each request, against limit; a request
    // of margin for rounding. The run ends on that request: the checks before it are no-ops.
    std::uint64_t quiet_frames(std::uint32_t cur, std::uint32_t prev, std::uint64_t window_end,
                               std::uint64_t limit, std::uint64_t now) const noexcept {
        if (std::uint64_t{cur} + prev + Tracker::run_frames < limit) return Tracker::run_frames;
        const double n = windowed(cur, prev, window_end, window, now);
        const double deficit = static_cast<double>(limit) - n - 1.0;
        return deficit < 1.0 ? 1 : static_cast<std::uint64_t>(deficit);
    }

    void disarm() noexcept {
        fast = nullptr;
        fast_until = 0;
        arm_due = false;
    }

    // The fast path's tests for the frames after now, and the next run's length: a run ends
    // on the frame that reaches a flood bound (the full path checks from that frame on), and
    // is one frame long while a bound is reached and its alert not held (checked each frame).
    void arm(const SourceState& s, std::uint64_t now) noexcept {
        std::uint64_t until = std::min(s.window_end, global.window_end);
        std::uint64_t cap = Tracker::run_frames;
        if (held(s, AlertKind::flood, now))
            until = std::min(
                until, saturating_add(s.last_alert_ns[idx(AlertKind::flood)], cfg.alert_hold_ns));
        else
            cap = std::min(
                cap, quiet_frames(s.cur.flood(), s.prev.flood(), s.window_end, flood_count, now));
        if (global.alerted[0] && now - global.last_alert_ns[0] < cfg.alert_hold_ns)
            until = std::min(until, saturating_add(global.last_alert_ns[0], cfg.alert_hold_ns));
        else
            cap = std::min(cap, quiet_frames(global.cur.flood(), global.prev.flood(),
                                             global.window_end, global_flood_count, now));
        fast_until = until;
        const bool inspect_due = s.inspections_left != 0 && global_inspections != 0;
        fast_min_payload = inspect_due ? inspect_min_bytes : ~std::size_t{0};
        run.cap = static_cast<std::uint32_t>(cap);
    }

    // The pending run into the source, the counters and the global window, and the flood
    // checks on its last frame (the only one of the run that can reach a bound).
    void apply_run() noexcept {
        if (run.frames != 0) apply_pending();
    }
    [[gnu::noinline]] void apply_pending() noexcept {
        SourceState& s = *fast;
        const std::uint32_t n = run.frames;
        const std::uint64_t now = run.last_ns;
        counters.observed += n;
        counters.echo_requests += n;
        s.packets += n;
        s.cur.packets += n;
        s.echo_requests += n;
        s.cur.echo_requests += n;
        s.last_ns = now;
        if (run.ttl != 0) s.ttl = run.ttl;
        s.cur_stats().request_bytes += run.bytes;
        global.cur.echo_requests += n;
        run.frames = 0;
        run.bytes = 0;
        run.ttl = 0;
        check_floods(s, now);
        arm(s, now);
    }

    // An untagged IPv4 echo request without options (RFC 791 3.1: IHL 5, not a later
    // fragment; RFC 792: type 8), a whole one (its total length within the frame). The fast
    // path takes it when it repeats the previous frame's addresses before fast_until with no
    // inspection due: into the run. Any other goes the full path, without classify().
    void observe_frame(wire::ConstBytes f, std::uint64_t now) noexcept {
        // (Every way out a tail call: the fast path saves no register.)
        constexpr std::size_t ip = 14, icmp = 34, data = 42;
        if (f.size() < data) return observe_other(f, now);
        std::uint32_t w12, w20;
        std::memcpy(&w12, f.data() + 12, 4);      // EtherType, version and IHL, TOS
        std::memcpy(&w20, f.data() + ip + 6, 4);  // flags and fragment offset, TTL, protocol
        // Bytes as they sit: 08 00 45 .., and .. .. (a 13-bit fragment offset) TTL 01.
        if ((w12 & 0x00ffffffU) != 0x00450008U) return observe_other(f, now);
        if ((w20 & 0xff00ff1fU) != 0x01000000U) return observe_other(f, now);
        if (wire::load8(f, icmp) != 8) return observe_other(f, now);
        const std::uint32_t total = wire::load16(f, ip + 2);
        if (total < 28 || ip + total > f.size()) return observe_other(f, now);
        const std::size_t payload = total - 28;
        const auto ttl = static_cast<std::uint8_t>(w20 >> 16);
        std::uint64_t addrs;
        std::memcpy(&addrs, f.data() + ip + 12, 8);  // source and destination
        if (addrs != fast_addrs || payload >= fast_min_payload)
            return observe_echo4(f, payload, ttl, now);
        if (now >= fast_until) return observe_late(f, payload, ttl, now);
        take(payload, ttl, now);
    }

    // Into the run.
    void take(std::size_t payload, std::uint8_t ttl, std::uint64_t now) noexcept {
        if (ttl != 0) run.ttl = ttl;
        run.bytes += payload;
        run.last_ns = now;
        if (++run.frames >= run.cap) apply_pending();
    }

    // A repeat at or after fast_until: armed now if it was due, then the run or the full path.
    [[gnu::noinline]] void observe_late(wire::ConstBytes f, std::size_t payload, std::uint8_t ttl,
                                        std::uint64_t now) noexcept {
        if (rearm(now) && payload < fast_min_payload) return take(payload, ttl, now);
        observe_echo4(f, payload, ttl, now);
    }

    // The armed tests were due (a repeat after a full-path request): whether now passes them.
    bool rearm(std::uint64_t now) noexcept {
        if (!arm_due) return false;
        arm_due = false;
        arm(*fast, now);
        return now < fast_until;
    }

    // What classify() makes of such a frame, without it.
    [[gnu::noinline]] void observe_echo4(wire::ConstBytes f, std::size_t payload, std::uint8_t ttl,
                                         std::uint64_t now) noexcept {
        Observation o;
        o.seen = Seen::echo_request;
        o.src.bytes[10] = o.src.bytes[11] = o.dst.bytes[10] = o.dst.bytes[11] = 0xff;
        std::memcpy(o.src.bytes.data() + 12, f.data() + 26, 4);
        std::memcpy(o.dst.bytes.data() + 12, f.data() + 30, 4);
        o.ttl = ttl;
        o.payload = f.subspan(42, payload);
        observe(o, now);
    }

    [[gnu::noinline]] void observe_other(wire::ConstBytes f, std::uint64_t now) noexcept {
        observe(classify(f), now);
    }

    // RFC 792 / RFC 4443 4.2: a reply carries the request's data back; its bytes go to the
    // destination (the requester), when tracked, for the request/reply asymmetry.
    void echo_reply(SourceState& s, const Observation& o, std::uint64_t now) noexcept {
        ++s.echo_replies;
        reply_bytes(o, now);
    }
    void reply_bytes(const Observation& o, std::uint64_t now) noexcept {
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
        global_error(now);
    }
    void global_error(std::uint64_t now) noexcept {
        ++global.cur.errors;
        if (std::uint64_t{global.cur.errors} + global.prev.errors >= global_error_count)
            check_global(AlertKind::global_error_flood, 1, global.cur.errors, global.prev.errors,
                         global_error_count, cfg.global_error_pps, now);
    }

    // A frame from a source not admitted: the counters and the global window only.
    [[gnu::noinline]] void unadmitted(const Observation& o, std::uint64_t now) noexcept {
        ++counters.unadmitted;
        switch (o.seen) {
            case Seen::echo_request:
                ++counters.echo_requests;
                ++global.cur.echo_requests;
                check_global_flood(now);
                break;
            case Seen::tcp_no_ack:
                ++counters.tcp_no_ack;
                ++global.cur.tcp_no_ack;
                check_global_flood(now);
                break;
            case Seen::icmp_error:
                ++counters.errors;
                global_error(now);
                break;
            case Seen::echo_reply:
                reply_bytes(o, now);
                break;
            default:
                break;
        }
    }

    void observe(const Observation& o, std::uint64_t now) noexcept {
        if (!cfg.enabled) return;
        apply_run();
        disarm();  // armed again by an IPv4 echo request
        if (o.seen == Seen::other) {
            ++counters.ignored;
            return;
        }
        ++counters.observed;
        if (now >= global.window_end) roll_global(now);
        SourceState* e = source(o, now);
        if (e == nullptr) {
            unadmitted(o, now);
            return;
        }
        SourceState& s = *e;
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
            case Seen::tcp_no_ack:
                tcp_segment(s, now);
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
        v.tcp_no_ack = s.tcp_no_ack;
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
        v.tcp_pps = static_cast<std::uint64_t>(
            windowed(s.cur.tcp_no_ack, s.prev.tcp_no_ack, s.window_end, window, now) / secs + 0.5);
        const Live live = live_windows(s, window, now);
        const std::uint8_t c = s.cur_idx;
        double targets = 0;
        PayloadSummary sum;
        if (live == Live::both) {
            targets = s.target_estimate(true);
            sum = summarize(s.stats[c], s.stats[c ^ 1], true);
        } else if (live == Live::current_as_previous) {
            targets = s.target_estimate(false);
            sum = summarize(s.stats[c], s.stats[c ^ 1], false);
        }
        v.targets = static_cast<std::uint64_t>(targets + 0.5);
        v.inspected = sum.inspected;
        v.tunnel_score = tunnel_score(sum);
        v.changed_pct = static_cast<std::uint16_t>(
            sum.inspected == 0 ? 0 : sum.changed * 100ULL / sum.inspected);
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
    impl_->observe_frame(frame, now_ns);
}

void Tracker::flush(std::uint64_t) noexcept {
    impl_->apply_run();  // the run's own frames' times, not now
}

void Tracker::seed(std::uint64_t s) noexcept {
    impl_->rng = s == 0 ? default_seed : s;
}

std::size_t Tracker::snapshot(std::span<SourceView> out, std::uint64_t now_ns) const noexcept {
    impl_->apply_run();  // the table as the frames seen so far left it
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
    impl_->apply_run();
    impl_->counters.tracked = impl_->table.tracked();
    impl_->counters.evicted = impl_->table.evicted();
    return impl_->counters;
}

AlertQueue& Tracker::alerts() noexcept {
    return impl_->alerts;
}

}  // namespace pw::insight
