// pingwire-responder: a DPDK host that answers ICMP for its addresses (echo, timestamp, PROBE,
// ARP, NDP, host-side errors) and, with --forward, a router. Thin: options, the program
// skeleton, one host stage per worker.
#include <rte_cycles.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <new>
#include <vector>

#include <fmt/format.h>

#include "apps/responder/insight_service.hh"
#include "apps/responder/insight_telemetry.hh"
#include "apps/responder/filter_telemetry.hh"
#include "apps/responder/options.hh"
#include "apps/responder/reload.hh"
#include "apps/responder/ip_telemetry.hh"
#include "apps/responder/respond_telemetry.hh"
#include "apps/responder/telemetry.hh"
#include "apps/skeleton/config_file.hh"
#include "apps/skeleton/cli_errors.hh"
#include "apps/skeleton/program.hh"
#include "drivers/eal.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/iface_report.hh"
#include "lib/pipeline/report.hh"

using pw::pipeline::HostStage;

int main(int argc, char** argv) {
    auto args = pw::drivers::split_args(argc, argv);
    // The program's options are checked before the EAL starts, so a typo costs no start-up.
    auto parsed = pw::app::parse_with_config<pw::responder::Options>(args.app, "pingwire-responder",
                                                                     &pw::responder::parse_options);
    if (auto* e = std::get_if<pw::responder::Exit>(&parsed)) {
        // An option of ours before "--" makes the parse fail: said as such.
        const auto shown = pw::app::with_eal_hint("pingwire-responder", args.eal, *e);
        std::fputs(shown.text.c_str(), shown.code == 0 ? stdout : stderr);
        return shown.code;
    }
    const auto opt_holder =
        std::make_unique<pw::responder::Options>(std::get<pw::responder::Options>(parsed));
    const auto& opt = *opt_holder;

    pw::app::Program prog("pingwire-responder");
    if (auto rc = prog.start(args.eal, opt.common)) return *rc;
    prog.interfaces().set_router(opt.forward);
    if (opt.forward)
        if (auto rc = prog.enable_neighbours(opt.neigh_capacity, opt.neighbours)) return *rc;
    // Workers report quiescent states, so a reload (SIGHUP) can replace what they read.
    if (auto rc = prog.enable_rcu()) return *rc;

    // The wall clock at the program clock's start, for Timestamp Reply (RFC 792).
    const auto since_start = std::chrono::nanoseconds(prog.clock().now_ns());
    const auto utc_ms_at_start = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch() - since_start)
            .count());
    // Generation 0 of the configuration (reload.hh replaces it whole on SIGHUP). Declared after
    // the program: FIB memory is released before the EAL is.
    auto built = pw::responder::build_generation(opt, prog, 0, utc_ms_at_start);
    if (auto* e = std::get_if<std::string>(&built)) {
        // The configuration's mistake (2), or DPDK out of memory for the FIB (1).
        prog.fail(*e);
        return e->rfind(pw::responder::fib_memory_error, 0) == 0 ? 1 : 2;
    }
    auto first = std::move(std::get<std::unique_ptr<pw::responder::Generation>>(built));
    std::atomic<const pw::pipeline::HostEnv*> live{&first->env};
    if (prog.neighbours() != nullptr) prog.neighbours()->set_interfaces(first->ifaces);
    pw::pipeline::HostEnv env = first->env;
    env.live = &live;
    pw::responder::Reloader reloader(prog, std::move(first), live, utc_ms_at_start);
    reloader.register_telemetry();

    std::vector<pw::pipeline::LcoreHost> host_counters(prog.workers());
    std::vector<std::unique_ptr<HostStage>> stages;
    try {
        for (unsigned w = 0; w < prog.workers(); ++w)
            stages.push_back(std::make_unique<HostStage>(env, host_counters[w], w));
    } catch (const std::bad_alloc&) {
        return prog.fail(
            "not enough memory for the per-lcore tables (lower --ipfrag-max-datagrams or "
            "--icmp-ratelimit-table)");
    }
    // Telemetry and --metrics read the counters and a control-path copy of the rest (view).
    pw::responder::ControlView view;
    view.set_clock(prog.clock());
    view.set_ports(prog.ports());
    // Security insight: the workers' alerts and sources, on the control lcore.
    pw::responder::InsightService insight(opt.insight.tracker.enabled,
                                          opt.insight.alert_log_per_sec);
    const pw::responder::InsightTelemetry insight_telemetry(insight);
    auto show = [&view](const pw::responder::Generation& g) {
        view.set_config(g.opt);
        if (g.opt.forward) view.set_routes(g.fib);
    };
    // /pingwire/respond: the --respond prefixes of the configuration in force.
    pw::responder::RespondTelemetry respond_telemetry(host_counters);
    const pw::responder::IpTelemetry ip_telemetry(host_counters);  // /pingwire/ip, ip6, tcp
    respond_telemetry.set_prefixes(reloader.current().ifaces);
    show(reloader.current());
    reloader.on_applied = [&](const pw::responder::Generation& g) {
        show(g);
        respond_telemetry.set_prefixes(g.ifaces);
        insight.set_log_rate(g.opt.insight.alert_log_per_sec);
    };
    const pw::responder::TelemetryScope telemetry(prog.base_counters(), host_counters, prog.ports(),
                                                  view);
    pw::app::Metrics metrics;
    metrics.add([&](pw::app::Families& f) {
        pw::app::collect_ports(f, prog.base_counters(), host_counters, prog.ports());
        pw::responder::collect_metrics(f, view);
        pw::responder::collect_insight(f, insight);
    });
    if (auto e = metrics.start(opt.common.metrics, prog.name())) return prog.fail(*e);

    pw::app::Hooks hooks;
    hooks.report = [&](bool at_exit) {
        std::string out;
        for (const auto& p : prog.ports()) {
            const auto c = pw::pipeline::sum_port(prog.base_counters(), host_counters, p.port);
            const auto label = fmt::format("{} {}", p.name, p.mac.to_string());
            // At exit the totals; every --stats-interval the rates and deltas too.
            out += at_exit ? pw::pipeline::format_port_report(p.port, label, c) +
                                 pw::app::Program::device_line(p.port)
                           : prog.interval_report(p.port, label, c);
        }
        // The per-destination rate-limit tables: bounded, so a new destination may evict one
        // (it then starts again with a full burst, as an inet_peer entry Linux reclaimed).
        std::uint64_t ev4 = 0, ev6 = 0;
        for (const auto& st : stages) {
            ev4 += st->limiter().hosts().evictions();
            ev6 += st->limiter().hosts_v6().evictions();
        }
        out += fmt::format(
            "ratelimit: per-destination tables {} entries per lcore and family; evictions v4 {} "
            "v6 {}\n",
            stages.empty() ? 0 : stages[0]->limiter().hosts().capacity(), ev4, ev6);
        // The VLAN sub-interfaces and the --respond prefixes, one line each.
        out += pw::pipeline::format_vlan_reports(reloader.current().ifaces, host_counters);
        out += pw::pipeline::format_respond_reports(reloader.current().ifaces, host_counters);
        // The ICMP filter's rules (router mode), each with the packets it decided.
        if (at_exit)
            out += pw::responder::format_filter_report(reloader.current().opt.icmp_filter,
                                                       host_counters);
        if (at_exit) {
            // What the workers raised and published last (they stopped).
            insight.tick(stages, prog.clock().now_ns(), true);
            out += insight.summary();
        }
        return out;
    };
    hooks.reload = [&] { reloader.reload(); };
    // The errors the rate limits held back (logged at most once a second while they grow).
    hooks.rate_limited = [&] {
        std::uint64_t host = 0, global = 0;
        for (const auto& lc : host_counters)
            for (const auto& pc : lc.port) {
                const auto& e = pc.icmp.errors;
                host += pw::pipeline::relaxed(
                    e[static_cast<std::size_t>(pw::icmp::ErrorOutcome::rate_limited_host)]);
                global += pw::pipeline::relaxed(
                    e[static_cast<std::size_t>(pw::icmp::ErrorOutcome::rate_limited_global)]);
            }
        return std::pair{host, global};
    };
    hooks.tick = [&](std::uint64_t now) {
        view.tick(now, prog.neighbours() ? &prog.neighbours()->table() : nullptr, stages);
        insight.tick(stages, now);
    };
    if (opt.forward)
        hooks.final_report = [&] {
            const auto& fib = reloader.current().fib;
            return fmt::format("router: routes v4 {} v6 {}; ", fib.size_v4(), fib.size_v6()) +
                   prog.neighbours()->report(prog.clock().now_ns());
        };
    return prog.run(stages, hooks);
}
