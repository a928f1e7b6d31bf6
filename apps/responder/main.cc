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

#include "apps/responder/options.hh"
#include "apps/responder/ip_telemetry.hh"
#include "apps/responder/telemetry.hh"
#include "apps/skeleton/program.hh"
#include "drivers/eal.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/report.hh"
#include "lib/route/fib.hh"

namespace {

using pw::pipeline::HostStage;

// RFC 8335 PROBE names our interfaces "port<ID>", index ID + 1.
std::vector<pw::icmp::ProbeIface> probe_ifaces(pw::app::Program& prog) {
    std::vector<pw::icmp::ProbeIface> out;
    for (const auto& p : prog.ports()) {
        pw::icmp::ProbeIface pi;
        pi.iface = prog.interfaces().find(p.port);
        pi.index = p.port + 1U;
        std::snprintf(pi.name.data(), pi.name.size(), "port%u", p.port);
        pi.up = p.link_up;
        out.push_back(pi);
    }
    return out;
}

// RFC 5837: each port described as the incoming interface of the errors it sends.
void interface_info(pw::app::Program& prog, std::vector<pw::icmp::InterfaceInfo>& ext4,
                    std::vector<pw::icmp::InterfaceInfo>& ext6) {
    ext4.assign(pw::route::max_ports, {});
    ext6.assign(pw::route::max_ports, {});
    for (const auto& p : prog.ports()) {
        const auto* ifc = prog.interfaces().find(p.port);
        for (auto* info : {&ext4[p.port], &ext6[p.port]}) {
            info->role = pw::icmp::IfRole::incoming;
            info->has_ifindex = true;
            info->ifindex = p.port + 1U;
            info->has_mtu = true;
            info->mtu = ifc->mtu;
            std::snprintf(info->name.data(), info->name.size(), "port%u", p.port);
        }
        if (ifc->n4 > 0) {
            ext4[p.port].has_addr = true;
            ext4[p.port].a4 = ifc->v4[0].addr;
        }
        if (ifc->n6 > 0) {
            ext6[p.port].has_addr = true;
            ext6[p.port].addr_v6 = true;
            ext6[p.port].a6 =
                ifc->v6[ifc->n6 - 1].addr;  // the last added: global when there is one
        }
    }
}

std::optional<std::string> build_fib(pw::route::Fib& fib, const pw::responder::Options& opt,
                                     const pw::route::InterfaceTable& ifaces) {
    if (auto e = fib.init("pw_fib", opt.max_routes, opt.max_routes)) return "FIB: " + *e;
    if (auto e = fib.add_interfaces(ifaces)) return "FIB: " + *e;
    for (const auto& r : opt.routes)
        if (auto e = fib.add(r)) return "--route " + pw::route::to_string(r) + ": " + *e;
    for (const auto& d : opt.denies)
        if (auto e = fib.add(d)) return "--deny " + pw::route::to_string(d.prefix) + ": " + *e;
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    auto args = pw::drivers::split_args(argc, argv);
    // The program's options are checked before the EAL starts, so a typo costs no start-up.
    auto parsed = pw::responder::parse_options(args.app);
    if (auto* e = std::get_if<pw::responder::Exit>(&parsed)) {
        std::fputs(e->text.c_str(), e->code == 0 ? stdout : stderr);
        return e->code;
    }
    const auto opt_holder =
        std::make_unique<pw::responder::Options>(std::get<pw::responder::Options>(parsed));
    const auto& opt = *opt_holder;

    pw::app::Program prog("pingwire-responder");
    if (auto rc = prog.start(args.eal, opt.common)) return *rc;
    // Declared after the program: FIB memory is released before the EAL is.
    pw::route::Fib fib;
    prog.interfaces().set_router(opt.forward);
    if (opt.forward) {
        if (auto rc = prog.enable_neighbours(opt.neigh_capacity, opt.neighbours)) return *rc;
        if (auto e = build_fib(fib, opt, prog.interfaces())) return prog.fail(*e);
    }

    const auto probes = probe_ifaces(prog);
    std::vector<pw::icmp::InterfaceInfo> ext4, ext6;
    interface_info(prog, ext4, ext6);
    // The global ICMP budget: one bucket, shared by every worker (see rate_limit.hh).
    pw::icmp::SharedBucket global_bucket;
    if (opt.rate.global_per_sec != 0)
        global_bucket.configure(1'000'000'000ULL / opt.rate.global_per_sec, opt.rate.global_burst);

    pw::pipeline::HostEnv env;
    env.interfaces = &prog.interfaces();
    env.policy = &opt.policy;
    env.rate = opt.rate;
    env.global_bucket = opt.rate.global_per_sec != 0 ? &global_bucket : nullptr;
    env.reassembly = opt.reassembly;
    env.probe_ifaces = probes;
    if (opt.errors_extension) {
        env.ext_v4 = ext4.data();
        env.ext_v6 = ext6.data();
    }
    if (opt.forward) {
        env.router = &opt.router;
        env.fib = &fib;
        env.neighbors = &prog.neighbours()->table();
        env.neigh_events = prog.neighbours()->events();
    }
    // The wall clock at the program clock's start, for Timestamp Reply (RFC 792).
    const auto since_start = std::chrono::nanoseconds(prog.clock().now_ns());
    env.utc_ms_at_start = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch() - since_start)
            .count());

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
    view.set_config(opt);
    if (opt.forward) view.set_routes(fib);
    const pw::responder::TelemetryScope telemetry(prog.base_counters(), host_counters,
                                                  prog.ports(), view);
    pw::app::Metrics metrics;
    metrics.add([&](pw::app::Families& f) {
        pw::app::collect_ports(f, prog.base_counters(), host_counters, prog.ports());
        pw::responder::collect_metrics(f, view);
    });
    if (auto e = metrics.start(opt.common.metrics, prog.name())) return prog.fail(*e);
    const pw::responder::IpTelemetry ip_telemetry(host_counters);  // /pingwire/ip, ip6, tcp

    pw::app::Hooks hooks;
    hooks.report = [&](bool at_exit) {
        std::string out;
        for (const auto& p : prog.ports()) {
            const auto c = pw::pipeline::sum_port(prog.base_counters(), host_counters, p.port);
            out += pw::pipeline::format_port_report(
                p.port, fmt::format("{} {}", p.name, p.mac.to_string()), c);
            if (at_exit) out += pw::app::Program::device_line(p.port);
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
        return out;
    };
    hooks.tick = [&](std::uint64_t now) {
        view.tick(now, prog.neighbours() ? &prog.neighbours()->table() : nullptr, stages);
    };
    if (opt.forward)
        hooks.final_report = [&] {
            return fmt::format("router: routes v4 {} v6 {}; ", fib.size_v4(), fib.size_v6()) +
                   prog.neighbours()->report(prog.clock().now_ns());
        };
    return prog.run(stages, hooks);
}
