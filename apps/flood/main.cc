// pingwire-flood: ping floods, sweeps and path MTU probes at DPDK speed. Thin: options, the
// program skeleton, one flood stage per worker (which holds a host stage for ARP, NDP and
// whatever else reaches our addresses), and the control lcore's run: resolve the next hops,
// start the probes, follow them, stop, tell.
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <new>
#include <vector>

#include <fmt/format.h>

#include "apps/flood/capture.hh"
#include "apps/flood/options.hh"
#include "apps/flood/resolve.hh"
#include "apps/flood/summary.hh"
#include "apps/flood/telemetry.hh"
#include "apps/skeleton/config_file.hh"
#include "apps/skeleton/cli_errors.hh"
#include "apps/skeleton/program.hh"
#include "drivers/eal.hh"
#include "lib/pipeline/flood_stage.hh"
#include "lib/pipeline/report.hh"

namespace {

using pw::pipeline::FloodPhase;
using pw::pipeline::FloodStage;

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Each port's source addresses: its first IPv4 address, its first global IPv6 address (else
// its link-local one).
std::array<pw::pipeline::FloodSource, pw::route::max_ports> sources(pw::app::Program& prog) {
    std::array<pw::pipeline::FloodSource, pw::route::max_ports> out{};
    for (const auto& p : prog.ports()) {
        const auto* ifc = prog.interfaces().find(p.port);
        auto& s = out[p.port];
        if (ifc->n4 > 0) {
            s.has_v4 = true;
            s.v4 = ifc->v4[0].addr;
        }
        for (std::size_t i = 0; i < ifc->n6; ++i) {
            if (!s.has_v6 || (s.v6.is_link_local() && !ifc->v6[i].addr.is_link_local())) {
                s.has_v6 = true;
                s.v6 = ifc->v6[i].addr;
            }
        }
    }
    return out;
}

// The control lcore's view of the run, tick by tick.
struct Run {
    FloodPhase phase_seen = FloodPhase::resolving;
    bool aborted = false;   // set-up failed: no summary
    bool finished = false;  // ended by itself (not SIGINT)
    std::uint64_t finish_at_ns = 0;
    std::uint64_t next_live_ns = 0;
    std::uint64_t last_sent = 0;
    std::uint64_t last_received = 0;
    std::uint64_t send_start_ns = 0;
};

}  // namespace

int main(int argc, char** argv) {
    auto args = pw::drivers::split_args(argc, argv);
    auto parsed = pw::app::parse_with_config<pw::flood::Options>(args.app, "pingwire-flood",
                                                                 &pw::flood::parse_options);
    if (auto* e = std::get_if<pw::flood::Exit>(&parsed)) {
        // An option of ours before "--" makes the parse fail: said as such.
        const auto shown = pw::app::with_eal_hint("pingwire-flood", args.eal, *e);
        std::fputs(shown.text.c_str(), shown.code == 0 ? stdout : stderr);
        return shown.code;
    }
    const auto opt_holder =
        std::make_unique<pw::flood::Options>(std::get<pw::flood::Options>(std::move(parsed)));
    const auto& opt = *opt_holder;

    pw::app::Program prog("pingwire-flood");
    if (auto rc = prog.start(args.eal, opt.common)) return *rc;
    const unsigned workers = prog.workers();
    // Probes are never fragmented: the largest must fit every port's MTU (and an mbuf).
    for (const auto& p : prog.ports()) {
        const unsigned headers = opt.targets.has_v6() ? 48U : 28U;
        // One mbuf holds a probe: RTE_MBUF_DEFAULT_DATAROOM (2048) bytes of frame.
        if (opt.size_hi + headers + 14U > RTE_MBUF_DEFAULT_DATAROOM) {
            prog.fail(
                fmt::format("--size {}: a probe frame of {} bytes does not fit one mbuf "
                            "({} bytes)",
                            opt.size_hi, opt.size_hi + headers + 14U, RTE_MBUF_DEFAULT_DATAROOM));
            return 2;
        }
        if (!opt.pmtu && opt.size_hi + headers > p.mtu) {
            prog.fail(
                fmt::format("--size {}: a probe of {} bytes is larger than port {}'s MTU {} "
                            "(probes are not fragmented; lower --size or raise mtu=)",
                            opt.size_hi, opt.size_hi + headers, p.port, p.mtu));
            return 2;
        }
    }

    std::vector<pw::pipeline::TargetHop> hops;
    pw::flood::Resolver resolver(opt.targets, prog.interfaces(), opt.gw4, opt.gw6, hops,
                                 static_cast<std::uint64_t>(opt.resolve_timeout_s * 1e9));
    const auto capacity = static_cast<unsigned>(
        std::min<std::size_t>(std::size_t{1} << 22, resolver.next_hops() * 2 + 1024));
    if (auto rc = prog.enable_neighbours(capacity, opt.neighbours)) return *rc;
    pw::flood::AnomalyCapture capture;
    if (!opt.capture_file.empty())
        if (auto e = capture.open(opt.capture_file)) {
            prog.fail(*e);
            return 2;
        }

    std::vector<pw::gen::TargetStats> stats;
    try {
        stats.resize(opt.targets.size());
    } catch (const std::bad_alloc&) {
        return prog.fail("not enough memory for the per-target table (lower --max-targets)");
    }

    const std::uint64_t seed = opt.seed.value_or(
        rte_get_tsc_cycles() ^
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
    std::atomic<FloodPhase> phase{FloodPhase::resolving};
    std::atomic<std::uint64_t> start_ns{0};

    pw::pipeline::FloodEnv env;
    env.targets = &opt.targets;
    env.stats = stats;
    env.hops = hops;
    env.sources = sources(prog);
    env.order = pw::gen::Permutation(opt.targets.size(), mix64(seed), !opt.random_order);
    env.kinds = opt.kinds;
    env.tcp_port = opt.tcp_port;
    env.udp_port = opt.udp_port;
    env.count = opt.count;
    env.duration_ns = static_cast<std::uint64_t>(opt.duration_s * 1e9);
    env.rate = opt.rate;
    env.lcores = workers;
    env.magic = static_cast<std::uint32_t>(mix64(seed ^ 0x6d61676963ULL)) | 1U;
    env.ident_base = static_cast<std::uint16_t>(mix64(seed ^ 1) % (65536U - workers));
    env.port_base = static_cast<std::uint16_t>(32768U + mix64(seed ^ 2) % (28000U - workers));
    env.size_lo = opt.size_lo;
    env.size_hi = opt.size_hi;
    env.ttl = opt.ttl;
    env.tos = opt.tos;
    env.df = opt.df;
    env.pattern = opt.pattern;
    env.timeout_ns = static_cast<std::uint64_t>(opt.timeout_ms * 1e6);
    env.pmtu = opt.pmtu;
    if (opt.pmtu)  // the port MTU, as far as one mbuf holds the probe
        env.pmtu_max = static_cast<std::uint16_t>(
            std::min<unsigned>(prog.ports().front().mtu, RTE_MBUF_DEFAULT_DATAROOM - 14U));
    env.anomalies = capture.ring();
    env.phase = &phase;
    env.start_ns = &start_ns;

    // The host side: ARP, NDP and requests to our addresses answered as a host answers them;
    // sightings to the neighbour service, which resolves our next hops.
    const pw::icmp::HostPolicy policy;
    pw::pipeline::HostEnv host;
    host.interfaces = &prog.interfaces();
    host.policy = &policy;
    host.neigh_events = prog.neighbours()->events();

    std::vector<pw::pipeline::LcoreHost> host_counters(workers);
    std::vector<pw::pipeline::FloodCounters> counters(workers);
    std::vector<std::unique_ptr<FloodStage>> stages;
    try {
        for (unsigned w = 0; w < workers; ++w)
            stages.push_back(
                std::make_unique<FloodStage>(env, host, host_counters[w], counters[w], w));
    } catch (const std::bad_alloc&) {
        return prog.fail("not enough memory for the per-lcore tables");
    }

    // Telemetry (/pingwire/flood) and --metrics read a snapshot the tick takes.
    pw::flood::FloodTelemetry telemetry;
    telemetry.register_command();
    pw::app::Metrics metrics;
    metrics.add([&](pw::app::Families& f) {
        pw::app::collect_ports(f, prog.base_counters(), host_counters, prog.ports());
        telemetry.collect(f);
    });
    if (auto e = metrics.start(opt.common.metrics, prog.name())) return prog.fail(*e);

    Run run;
    auto all_done = [&] {
        for (const auto& c : counters)
            if (!c.done.load(std::memory_order_acquire)) return false;
        return true;
    };
    auto sum_sent = [&] {
        std::uint64_t s = 0;
        for (const auto& c : counters) s += pw::pipeline::relaxed(c.probes);
        return s;
    };
    auto sum_received = [&] {
        std::uint64_t s = 0;
        for (const auto& st : stages)
            s += pw::pipeline::relaxed(st->accounting().totals().received);
        return s;
    };

    pw::app::Hooks hooks;
    hooks.tick = [&](std::uint64_t now) {
        capture.drain();
        telemetry.tick(now, run.phase_seen, run.send_start_ns, opt.targets.size(), stages,
                       counters);
        switch (run.phase_seen) {
            case FloodPhase::resolving: {
                if (!resolver.tick(*prog.neighbours(), now)) return;
                const auto failure = resolver.failure();
                if (failure && (!opt.targets.is_sweep() || resolver.gateway_failed() ||
                                resolver.resolved() == 0)) {
                    std::fprintf(stderr, "pingwire-flood: error: %s\n", failure->c_str());
                    run.aborted = true;
                    prog.set_exit_code(2);
                    pw::app::Program::request_stop();
                    return;
                }
                std::fputs(pw::flood::start_line(opt).c_str(), stdout);
                std::fflush(stdout);
                run.send_start_ns = now + 1'000'000;  // every lcore starts on the same schedule
                start_ns.store(run.send_start_ns, std::memory_order_release);
                phase.store(FloodPhase::sending, std::memory_order_release);
                run.phase_seen = FloodPhase::sending;
                run.next_live_ns = run.send_start_ns + 1'000'000'000;
                return;
            }
            case FloodPhase::sending:
                if (all_done()) {
                    phase.store(FloodPhase::finishing, std::memory_order_release);
                    run.phase_seen = FloodPhase::finishing;
                    run.finish_at_ns = now + static_cast<std::uint64_t>(opt.wait_s * 1e9);
                }
                break;
            case FloodPhase::finishing:
                if (now >= run.finish_at_ns) {
                    run.finished = true;
                    pw::app::Program::request_stop();
                    return;
                }
                break;
        }
        if (!opt.quiet && now >= run.next_live_ns) {
            const std::uint64_t sent = sum_sent(), received = sum_received();
            pw::gen::Histogram rtt;
            for (const auto& st : stages) rtt.merge(st->accounting().rtt());
            std::fputs(
                pw::flood::live_line(static_cast<double>(now - run.send_start_ns) / 1e9, sent,
                                     received, static_cast<double>(sent - run.last_sent),
                                     static_cast<double>(received - run.last_received), rtt)
                    .c_str(),
                stderr);
            run.last_sent = sent;
            run.last_received = received;
            run.next_live_ns += 1'000'000'000;
        }
    };
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
        return out;
    };
    hooks.final_report = [&]() -> std::string {
        if (run.aborted) return "";
        capture.drain();
        pw::flood::RunResult r;
        r.opt = &opt;
        r.stats = stats;
        for (const auto& st : stages) {
            r.totals += st->accounting().totals();
            r.rtt.merge(st->accounting().rtt());
            r.errors.merge(st->accounting().errors());
        }
        for (const auto& c : counters) {
            r.transmitted += c.probes;
            r.tx_refused += c.tx_refused;
            r.unresolved += c.unresolved;
            if (c.first_tx_ns != 0 && (r.first_tx_ns == 0 || c.first_tx_ns < r.first_tx_ns))
                r.first_tx_ns = c.first_tx_ns;
            r.last_tx_ns = std::max(r.last_tx_ns, c.last_tx_ns);
            r.capture_lost += c.capture_full;
        }
        r.resolved_hops = resolver.resolved();
        r.schedule_start_ns = run.send_start_ns;
        r.tsc_hz = prog.clock().tsc_hz;
        r.captured = capture.written();
        r.capture_lost += capture.failed();
        if (opt.pmtu) r.pmtu = &stages[0]->pmtu();
        r.interrupted = !run.finished;
        if (run.phase_seen == FloodPhase::resolving) r.interrupted = true;
        std::string out = pw::flood::format_summary(r);
        if (!opt.json_file.empty())
            if (auto e = pw::flood::write_json(r, opt.json_file))
                std::fprintf(stderr, "pingwire-flood: error: %s\n", e->c_str());
        prog.set_exit_code(pw::flood::exit_code(r));
        return out;
    };
    return prog.run(stages, hooks);
}
