#include "apps/flood/telemetry.hh"

#include <rte_telemetry.h>

#include <atomic>
#include <cstdio>

#include "apps/skeleton/telemetry_dict.hh"

namespace pw::flood {

namespace {

std::mutex g_mu;
const FloodTelemetry* g_tel = nullptr;

int flood_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_tel == nullptr) return app::tel::error_reply(d, "stopping");
    const FloodSnapshot s = g_tel->snapshot();
    app::tel::Dict r(d);
    r.str("phase", s.phase);
    r.u64("elapsed_ms", s.elapsed_ns / 1'000'000);
    r.u64("targets", s.targets);
    r.u64("sent", s.sent);
    r.u64("received", s.received);
    // Not answered yet: lost, or still in flight while sending.
    r.u64("lost", s.sent > s.received ? s.sent - s.received : 0);
    r.u64("duplicates", s.duplicates);
    r.u64("reordered", s.reordered);
    r.u64("corrupted", s.corrupted);
    r.u64("late", s.late);
    r.u64("too_old", s.too_old);
    r.u64("unmatched", s.unmatched);
    r.u64("errors", s.errors);
    r.u64("alive", s.alive);
    r.u64("tx_refused", s.tx_refused);
    r.u64("unresolved", s.unresolved);
    r.u64("tx_pps", s.tx_pps);
    r.u64("rx_pps", s.rx_pps);
    app::tel::Dict rtt;
    rtt.u64("count", s.rtt_count);
    rtt.u64("min", s.rtt_min);
    rtt.u64("p50", s.rtt_p50);
    rtt.u64("p90", s.rtt_p90);
    rtt.u64("p99", s.rtt_p99);
    rtt.u64("max", s.rtt_max);
    rtt.u64("mean", static_cast<std::uint64_t>(s.rtt_mean_ns));
    r.add("rtt_ns", std::move(rtt));
    return 0;
}

const char* phase_name(pipeline::FloodPhase p) {
    switch (p) {
        case pipeline::FloodPhase::resolving:
            return "resolving";
        case pipeline::FloodPhase::sending:
            return "sending";
        case pipeline::FloodPhase::finishing:
            return "finishing";
    }
    return "unknown";
}

}  // namespace

FloodTelemetry::FloodTelemetry() = default;

FloodTelemetry::~FloodTelemetry() {
    std::lock_guard lock(g_mu);
    if (g_tel == this) g_tel = nullptr;
}

void FloodTelemetry::register_command() {
    {
        std::lock_guard lock(g_mu);
        g_tel = this;
    }
    static bool registered = false;  // DPDK keeps commands for the life of the process
    if (registered) return;
    registered = true;
    if (rte_telemetry_register_cmd("/pingwire/flood", flood_cb,
                                   "The flood's live run: sent, received, rates, RTT") != 0)
        std::fputs("pingwire-flood: warning: telemetry command /pingwire/flood not registered\n",
                   stderr);
}

void FloodTelemetry::tick(std::uint64_t now_ns, pipeline::FloodPhase phase,
                          std::uint64_t send_start_ns, std::uint64_t targets,
                          const std::vector<std::unique_ptr<pipeline::FloodStage>>& stages,
                          const std::vector<pipeline::FloodCounters>& counters) {
    if (now_ns < next_ns_) return;
    next_ns_ = now_ns + 250'000'000;
    FloodSnapshot s;
    s.phase = phase_name(phase);
    s.elapsed_ns = send_start_ns != 0 && now_ns > send_start_ns ? now_ns - send_start_ns : 0;
    s.targets = targets;
    // Relaxed reads of the lcores' counters, as the live line takes them: the answers first,
    // then the probes, so that a snapshot never shows more answers than probes sent (an answer
    // is counted after its probe).
    gen::Totals t;
    merged_.reset();
    for (const auto& st : stages) {
        t += st->accounting().totals();
        merged_.merge(st->accounting().rtt());
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    for (const auto& c : counters) {
        s.sent += pipeline::relaxed(c.probes);
        s.tx_refused += pipeline::relaxed(c.tx_refused);
        s.unresolved += pipeline::relaxed(c.unresolved);
    }
    s.received = t.received;
    s.duplicates = t.duplicates;
    s.reordered = t.reordered;
    s.corrupted = t.corrupted;
    s.late = t.late;
    s.too_old = t.too_old;
    s.unmatched = t.unmatched;
    s.errors = t.errors;
    s.alive = t.alive;
    s.rtt_count = merged_.count();
    s.rtt_min = merged_.min();
    s.rtt_p50 = merged_.percentile(50);
    s.rtt_p90 = merged_.percentile(90);
    s.rtt_p99 = merged_.percentile(99);
    s.rtt_max = merged_.max();
    s.rtt_mean_ns = merged_.mean();
    for (const auto& b : merged_.nonzero_buckets()) {
        // A bucket counts under the first bound its highest value does not pass (the
        // histogram's buckets are at most 0.1% wide, far narrower than these).
        std::size_t i = 0;
        while (i < rtt_bounds_s.size() && static_cast<double>(b.hi_ns) > rtt_bounds_s[i] * 1e9) ++i;
        s.rtt_buckets[i] += b.count;
    }
    // Rates over at least a second.
    if (rate_at_ns_ == 0) {
        rate_at_ns_ = now_ns;
        rate_sent_ = s.sent;
        rate_received_ = s.received;
    }
    std::lock_guard lock(mu_);
    if (now_ns - rate_at_ns_ >= 1'000'000'000) {
        const double dt = static_cast<double>(now_ns - rate_at_ns_) / 1e9;
        snap_.tx_pps = static_cast<std::uint64_t>(static_cast<double>(s.sent - rate_sent_) / dt);
        snap_.rx_pps =
            static_cast<std::uint64_t>(static_cast<double>(s.received - rate_received_) / dt);
        rate_at_ns_ = now_ns;
        rate_sent_ = s.sent;
        rate_received_ = s.received;
    }
    s.tx_pps = snap_.tx_pps;
    s.rx_pps = snap_.rx_pps;
    snap_ = s;
}

void FloodTelemetry::collect(app::Families& f) const {
    const FloodSnapshot s = snapshot();
    auto counter = [&](const char* name, const char* help, std::uint64_t v) {
        app::sample(app::counter_family(f, name, help), {}, static_cast<double>(v));
    };
    auto gauge = [&](const char* name, const char* help, double v) {
        app::sample(app::gauge_family(f, name, help), {}, v);
    };
    counter("pingwire_flood_sent_total", "Probes the TX queues accepted.", s.sent);
    counter("pingwire_flood_received_total", "First answers to probes.", s.received);
    counter("pingwire_flood_duplicates_total", "Later answers to probes already answered.",
            s.duplicates);
    counter("pingwire_flood_reordered_total",
            "First answers below a probe number already answered for their target.", s.reordered);
    counter("pingwire_flood_corrupted_total", "Answers whose payload check failed.", s.corrupted);
    counter("pingwire_flood_late_total", "Answers slower than --timeout (received all the same).",
            s.late);
    counter("pingwire_flood_unmatched_total", "Echo replies with our identifier but no stamp.",
            s.unmatched);
    counter("pingwire_flood_icmp_errors_total", "ICMP errors quoting our probes.", s.errors);
    counter("pingwire_flood_tx_refused_total", "Probes the TX queue refused (built again).",
            s.tx_refused);
    gauge("pingwire_flood_targets", "Targets of the run.", static_cast<double>(s.targets));
    gauge("pingwire_flood_alive_targets", "Targets that answered.", static_cast<double>(s.alive));
    gauge("pingwire_flood_tx_rate_pps", "Probes sent per second over the last second.",
          static_cast<double>(s.tx_pps));
    gauge("pingwire_flood_rx_rate_pps", "Answers received per second over the last second.",
          static_cast<double>(s.rx_pps));
    gauge("pingwire_flood_elapsed_seconds", "Time since the first probe was due.",
          static_cast<double>(s.elapsed_ns) / 1e9);
    {
        auto& fam = app::gauge_family(f, "pingwire_flood_phase",
                                      "1 for the run's phase: resolving, sending, finishing.");
        for (const char* p : {"resolving", "sending", "finishing"})
            app::sample(fam, {{"phase", p}}, s.phase == p ? 1 : 0);
    }
    auto& hist = app::histogram_family(f, "pingwire_flood_rtt_seconds",
                                       "Round-trip times of the answers, in seconds.");
    app::histogram_sample(hist, {}, rtt_bounds_s, s.rtt_buckets,
                          s.rtt_mean_ns * static_cast<double>(s.rtt_count) / 1e9);
}

}  // namespace pw::flood
