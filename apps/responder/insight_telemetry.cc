#include "apps/responder/insight_telemetry.hh"

#include <rte_telemetry.h>

#include <atomic>
#include <cstdio>

#include <fmt/format.h>

#include "apps/skeleton/telemetry_dict.hh"

namespace pw::responder {

namespace {

using app::tel::Dict;

std::atomic<const InsightService*> g_service{nullptr};

std::string source_text(const insight::SourceView& v) {
    if (!v.v6) {
        const wire::Ipv4Addr a{
            {v.source.bytes[12], v.source.bytes[13], v.source.bytes[14], v.source.bytes[15]}};
        return a.to_string();
    }
    return v.source.to_string();
}

std::string seconds(std::uint64_t ns) {
    return fmt::format("{:.1f}", static_cast<double>(ns) / 1e9);
}

int alerts_cb(const char*, const char* params, rte_tel_data* d) {
    const InsightService* s = g_service.load();
    if (s == nullptr) return app::tel::error_reply(d, "security insight is not running");
    const InsightState st = s->state();
    if (!st.enabled) return app::tel::error_reply(d, "security insight is off (--no-insight)");
    // Newest first.
    std::vector<const AlertRecord*> rows;
    for (auto it = st.recent.rbegin(); it != st.recent.rend(); ++it) rows.push_back(&*it);
    // The page of recent alerts, then the totals beside it.
    return app::tel::page(d, params, rows, "recent",
                          [&](Dict& row, const AlertRecord* r, std::size_t i) {
                              const insight::Alert& a = r->alert;
                              row.str("time", r->time);
                              row.str("kind", insight::alert_kind_name(a.kind));
                              row.str("source", a.global ? "" : insight::source_text(a));
                              row.u64("value", a.value);
                              row.u64("threshold", a.threshold);
                              row.str("window_s", seconds(a.window_ns));
                              row.u64("worker", r->worker);
                              row.str("text", r->text);
                              return std::to_string(i);
                          });
}

int alert_counts_cb(const char*, const char* params, rte_tel_data* d) {
    if (params != nullptr && *params != '\0') return app::tel::error_reply(d, "no parameter");
    const InsightService* s = g_service.load();
    if (s == nullptr) return app::tel::error_reply(d, "security insight is not running");
    const InsightState st = s->state();
    Dict r(d);
    r.u64("enabled", st.enabled ? 1 : 0);
    r.u64("alerts", st.alerts);
    for (std::size_t k = 0; k < InsightState::kinds; ++k)
        r.u64(insight::alert_kind_name(static_cast<insight::AlertKind>(k)), st.by_kind[k]);
    r.u64("lost", st.lost);
    r.u64("log_suppressed", st.log_suppressed);
    r.u64("sources_tracked", st.tracked);
    r.u64("sources_capacity", st.capacity);
    r.u64("sources_evicted", st.counters.evicted);
    r.u64("sources_not_admitted", st.counters.unadmitted);
    r.u64("frames_observed", st.counters.observed);
    r.u64("payloads_inspected", st.counters.inspected);
    return 0;
}

int sources_cb(const char*, const char* params, rte_tel_data* d) {
    const InsightService* s = g_service.load();
    if (s == nullptr) return app::tel::error_reply(d, "security insight is not running");
    const InsightState st = s->state();
    if (!st.enabled) return app::tel::error_reply(d, "security insight is off (--no-insight)");
    return app::tel::page(d, params, st.sources, "sources",
                          [&](Dict& row, const insight::SourceView& v, std::size_t i) {
                              row.str("source", source_text(v));
                              row.str("family", v.v6 ? "ipv6" : "ipv4");
                              row.u64("packets", v.packets);
                              row.u64("echo_requests", v.echo_requests);
                              row.u64("echo_replies", v.echo_replies);
                              row.u64("errors", v.errors);
                              row.u64("tcp_no_ack", v.tcp_no_ack);
                              row.u64("targets", v.targets);
                              row.u64("echo_pps", v.echo_pps);
                              row.u64("error_pps", v.error_pps);
                              row.u64("tcp_pps", v.tcp_pps);
                              row.u64("ttl", v.ttl);
                              row.u64("initial_ttl", v.initial_ttl);
                              row.u64("hops", v.hops);
                              row.u64("tunnel_score", v.tunnel_score);
                              row.u64("inspected", v.inspected);
                              row.u64("changed_pct", v.changed_pct);
                              row.u64("sizes", v.sizes);
                              row.str("entropy_bits",
                                      fmt::format("{:.2f}", v.entropy_centibits / 100.0));
                              row.u64("request_bytes", v.request_bytes);
                              row.u64("reply_bytes", v.reply_bytes);
                              row.str("alerts", alert_names(v.alerts));
                              const std::uint64_t now = std::max(st.at_ns, v.last_ns);
                              row.str("first_seen_s_ago", seconds(now - v.first_ns));
                              row.str("last_seen_s_ago", seconds(now - v.last_ns));
                              return std::to_string(i);
                          });
}

}  // namespace

std::string alert_names(std::uint32_t bits) {
    std::string s;
    for (std::size_t k = 0; k < InsightState::kinds; ++k)
        if ((bits >> k) & 1U)
            s += (s.empty() ? "" : ",") +
                 std::string(insight::alert_kind_name(static_cast<insight::AlertKind>(k)));
    return s;
}

InsightTelemetry::InsightTelemetry(const InsightService& service) {
    g_service.store(&service);
    // DPDK 22.11 refuses a help text of 128 bytes or more.
    const bool ok =
        rte_telemetry_register_cmd("/pingwire/alerts", alerts_cb,
                                   "Recent security-insight alerts, newest first. Parameter: "
                                   "the index to start from (the reply says next)") == 0 &&
        rte_telemetry_register_cmd("/pingwire/alert_counts", alert_counts_cb,
                                   "Security-insight alerts by kind, lost, log lines held back, "
                                   "the source table's use. No parameters") == 0 &&
        rte_telemetry_register_cmd("/pingwire/sources", sources_cb,
                                   "Tracked sources, most active first (targets, rates, TTL, "
                                   "tunnel score). Parameter: the index to start from") == 0;
    if (!ok)
        std::fprintf(stderr,
                     "pingwire-responder: warning: the /pingwire/alerts, /pingwire/alert_counts "
                     "or /pingwire/sources telemetry command was not registered\n");
}

InsightTelemetry::~InsightTelemetry() {
    g_service.store(nullptr);
}

void collect_insight(app::Families& f, const InsightService& service) {
    const InsightState st = service.state();
    if (!st.enabled) return;
    auto& alerts = app::counter_family(f, "pingwire_insight_alerts_total",
                                       "Security-insight alerts raised, by kind.");
    for (std::size_t k = 0; k < InsightState::kinds; ++k)
        app::sample(
            alerts,
            {{"kind", std::string(insight::alert_kind_name(static_cast<insight::AlertKind>(k)))}},
            static_cast<double>(st.by_kind[k]));
    app::sample(app::gauge_family(f, "pingwire_insight_sources_tracked",
                                  "Sources in the security-insight tables (all workers)."),
                {}, static_cast<double>(st.tracked));
    app::sample(app::gauge_family(f, "pingwire_insight_sources_capacity",
                                  "Room in the security-insight tables (all workers)."),
                {}, static_cast<double>(st.capacity));
    app::sample(app::counter_family(f, "pingwire_insight_sources_evicted_total",
                                    "Tracked sources that made room for a new one."),
                {}, static_cast<double>(st.counters.evicted));
    app::sample(app::counter_family(f, "pingwire_insight_sources_not_admitted_total",
                                    "Frames of new sources a full table set did not admit "
                                    "(counted only in the global rates)."),
                {}, static_cast<double>(st.counters.unadmitted));
    app::sample(app::counter_family(f, "pingwire_insight_frames_observed_total",
                                    "Frames security insight looked at (ICMP, ARP, NDP, "
                                    "TTL-expiring)."),
                {}, static_cast<double>(st.counters.observed));
    app::sample(app::counter_family(f, "pingwire_insight_payloads_inspected_total",
                                    "Echo payloads inspected in depth (entropy, change, size)."),
                {}, static_cast<double>(st.counters.inspected));
    // The most active sources, bounded so that a sweep of spoofed sources cannot blow up the
    // series count.
    constexpr std::size_t top = 16;
    auto& targets = app::gauge_family(f, "pingwire_insight_source_targets",
                                      "Distinct destinations the source probed in the window.");
    auto& pps = app::gauge_family(f, "pingwire_insight_source_echo_requests_per_second",
                                  "Echo requests per second from the source (last window).");
    auto& score = app::gauge_family(f, "pingwire_insight_source_tunnel_score",
                                    "Tunnel score (0..100) of the source's echo payloads.");
    auto& ttl = app::gauge_family(f, "pingwire_insight_source_ttl",
                                  "The source's TTL as last seen, with its probable initial TTL.");
    for (std::size_t i = 0; i < st.sources.size() && i < top; ++i) {
        const auto& v = st.sources[i];
        const std::string src = source_text(v);
        app::sample(targets, {{"source", src}}, static_cast<double>(v.targets));
        app::sample(pps, {{"source", src}}, static_cast<double>(v.echo_pps));
        app::sample(score, {{"source", src}}, static_cast<double>(v.tunnel_score));
        app::sample(ttl, {{"source", src}, {"initial", std::to_string(v.initial_ttl)}},
                    static_cast<double>(v.ttl));
    }
}

}  // namespace pw::responder
