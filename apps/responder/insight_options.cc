#include "apps/responder/insight_options.hh"

#include <CLI/CLI.hpp>

#include <cmath>

namespace pw::responder {

void InsightOptionTexts::add_to(CLI::App& app, InsightOptions& o) {
    insight::InsightConfig& c = o.tracker;
    app.add_flag("--no-insight", off,
                 "no security insight: no sweep, tunnel or flood detection, no TTL table");
    app.add_option("--insight-sources", c.sources,
                   "sources tracked per worker (8-way sets; default 4096; the least active of a "
                   "set makes room)")
        ->check(CLI::Range(8U, 1U << 20));
    app.add_option("--insight-window", window_s,
                   "seconds the sliding window of rates and targets covers (default 2)")
        ->check(CLI::Range(0.1, 3600.0));
    app.add_option("--sweep-targets", c.sweep_targets,
                   "distinct destinations one source may probe in a window before a ping-sweep "
                   "alert (echo, ARP, Neighbor Solicitation, TTL-expiring probes; default 64)")
        ->check(CLI::Range(2U, 1U << 24));
    app.add_option("--flood-pps", c.flood_pps,
                   "echo requests per second from one source, over a whole window, before an "
                   "echo-flood alert (default 10000)")
        ->check(CLI::Range(1U, 1U << 30));
    app.add_option("--error-flood-pps", c.error_pps,
                   "ICMP errors per second from one source before an error-flood alert (default "
                   "1000)")
        ->check(CLI::Range(1U, 1U << 30));
    app.add_option("--global-flood-pps", c.global_flood_pps,
                   "echo requests per second from all sources before a global-flood alert "
                   "(default 200000)")
        ->check(CLI::Range(1U, 1U << 30));
    app.add_option("--global-error-flood-pps", c.global_error_pps,
                   "ICMP errors per second from all sources before a global error-flood alert "
                   "(default 20000)")
        ->check(CLI::Range(1U, 1U << 30));
    app.add_option("--tunnel-score", c.tunnel_score,
                   "tunnel score (0..100) of a source's echo payloads that raises an ICMP-tunnel "
                   "alert (default 50)")
        ->check(CLI::Range(1U, 100U));
    app.add_option("--tunnel-min-requests", c.tunnel_min_requests,
                   "echo payloads inspected in a window before a source's tunnel score counts "
                   "(default 16)")
        ->check(CLI::Range(2U, 1U << 16));
    app.add_option("--insight-inspect", c.inspect_per_window,
                   "echo payloads inspected in depth per source per window (default 64)")
        ->check(CLI::Range(2U, 1U << 16));
    app.add_option("--alert-hold", hold_s,
                   "seconds before one source's alert of one kind is raised again while it lasts "
                   "(default 10)")
        ->check(CLI::Range(0.0, 86400.0));
    app.add_option("--alert-log-rate", o.alert_log_per_sec,
                   "alert lines logged per second at most, then one 'N more suppressed' line "
                   "(default 10)")
        ->check(CLI::Range(1U, 100000U));
}

std::optional<std::string> InsightOptionTexts::finish(InsightOptions& o) const {
    insight::InsightConfig& c = o.tracker;
    c.enabled = !off;
    c.window_ns = static_cast<std::uint64_t>(std::llround(window_s * 1e9));
    c.alert_hold_ns = static_cast<std::uint64_t>(std::llround(hold_s * 1e9));
    if (c.tunnel_min_requests > c.inspect_per_window)
        return "--tunnel-min-requests " + std::to_string(c.tunnel_min_requests) +
               " is more than --insight-inspect " + std::to_string(c.inspect_per_window) +
               ": no source could ever be scored";
    return std::nullopt;
}

}  // namespace pw::responder
