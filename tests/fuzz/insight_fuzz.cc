// libFuzzer target: lib/insight's tracker (classify() and Tracker::observe) over arbitrary
// frames. The input is one Ethernet frame; a fresh tracker with tiny thresholds and table (so
// that every detection, the eviction and the sampled admission run) sees it, then 64 variants
// of it (one byte changed every other one, the clock moving on by varying steps), then
// snapshot() and its alerts; a second tracker sees the same through observe(classify(frame)),
// never the fast path nor its runs (counters() and snapshot() flush them). Asserts: no exception
// escapes; both trackers count and keep the same; an echo payload lies within the frame and
// classify() is deterministic; every frame is counted once (observed + ignored); the table never
// holds more than its capacity; the snapshot is ordered; every alert counted is popped or lost, and
// has a known kind and a text.
#include <exception>
#include <vector>

#include "lib/insight/tracker.hh"
#include "tests/fuzz/harness.hh"

using namespace pw;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const wire::ConstBytes frame = pw_fuzz::input(data, size);
        const insight::Observation o = insight::classify(frame);
        if (!o.payload.empty()) pw_fuzz::check_within(o.payload, frame);
        const insight::Observation again = insight::classify(frame);
        check(again.seen == o.seen && again.src == o.src && again.dst == o.dst &&
              again.payload.size() == o.payload.size() && again.ttl == o.ttl);

        insight::InsightConfig cfg;
        cfg.sources = 16;
        cfg.window_ns = 100'000'000;
        cfg.sweep_targets = 4;
        cfg.flood_pps = 20;
        cfg.error_pps = 20;
        cfg.global_flood_pps = 40;
        cfg.global_error_pps = 40;
        cfg.tunnel_min_requests = 2;
        cfg.tunnel_score = 10;
        cfg.inspect_per_window = 8;
        cfg.alert_hold_ns = 300'000'000;
        insight::Tracker t(cfg);
        insight::Tracker full(cfg);  // never takes the fast path
        std::uint64_t now = 1'000'000'000;
        std::uint64_t fed = 0;
        for (int i = 0; i < 3; ++i, ++fed) {
            t.observe(frame, now += 1000);
            full.observe(insight::classify(frame), now);
        }
        std::vector<std::byte> v(frame.begin(), frame.end());
        for (unsigned r = 1; r <= 64 && !v.empty(); ++r, ++fed) {
            // Every other variant repeats the one before (the fast path's case).
            if (r % 2 == 0) v[(r * 7U) % v.size()] ^= std::byte{static_cast<std::uint8_t>(r)};
            now += (size > 0 ? data[r % size] : 1U) * 1'000'000ULL + r;
            t.observe(wire::ConstBytes(v.data(), v.size()), now);
            full.observe(insight::classify(wire::ConstBytes(v.data(), v.size())), now);
        }
        const insight::TrackerCounters& c = t.counters();
        const insight::TrackerCounters& d = full.counters();
        check(c.observed == d.observed && c.ignored == d.ignored && c.tracked == d.tracked &&
              c.evicted == d.evicted && c.unadmitted == d.unadmitted &&
              c.inspected == d.inspected && c.echo_requests == d.echo_requests &&
              c.tcp_no_ack == d.tcp_no_ack && c.errors == d.errors);
        for (std::size_t k = 0; k < static_cast<std::size_t>(insight::AlertKind::count_); ++k)
            check(c.alerts[k] == d.alerts[k]);
        check(c.observed + c.ignored == fed);
        check(t.tracked_now() <= 16 && c.tracked - c.evicted == t.tracked_now());
        check(c.echo_requests + c.tcp_no_ack + c.errors <= c.observed);
        check(c.unadmitted <= c.observed);

        insight::SourceView views[32];
        const std::size_t n = t.snapshot(views, now);
        check(n == t.tracked_now());
        insight::SourceView other[32];
        check(full.snapshot(other, now) == n);
        for (std::size_t i = 0; i < n; ++i)
            check(views[i].source == other[i].source && views[i].packets == other[i].packets &&
                  views[i].request_bytes == other[i].request_bytes &&
                  views[i].ttl == other[i].ttl && views[i].inspected == other[i].inspected);
        for (std::size_t i = 0; i < n; ++i) {
            check(views[i].tunnel_score <= 100 && views[i].initial_ttl >= views[i].ttl);
            if (i > 0) check(views[i - 1].window_packets >= views[i].window_packets);
        }
        std::uint64_t raised = 0;
        for (const std::uint64_t a : c.alerts) raised += a;
        std::uint64_t popped = 0;
        insight::Alert a;
        while (t.alerts().pop(a)) {
            ++popped;
            check(a.kind < insight::AlertKind::count_);
            check(!insight::format_alert(a).empty() && !insight::source_text(a).empty());
        }
        check(popped + t.alerts().lost() == raised);
    } catch (const std::exception&) {
        std::abort();
    }
    return 0;
}
