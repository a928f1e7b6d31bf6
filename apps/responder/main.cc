// pingwire-responder: a DPDK host that answers ICMP echo, ARP and Neighbor Solicitation for
// its addresses. Thin: parse options, bring ports up, launch one burst loop per worker lcore,
// report counters.
#include <rte_lcore.h>

#include <rte_cycles.h>

#include <atomic>
#include <memory>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "apps/responder/options.hh"
#include "apps/responder/router_plane.hh"
#include "apps/responder/telemetry.hh"
#include "drivers/eal.hh"
#include "drivers/mempool.hh"
#include "drivers/port.hh"
#include "lib/pipeline/counters.hh"
#include "lib/pipeline/report.hh"
#include "lib/pipeline/worker.hh"
#include "lib/route/interfaces.hh"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
    g_stop.store(true, std::memory_order_relaxed);
}

struct WorkerSlot {
    pw::pipeline::Worker* worker = nullptr;
};

int worker_main(void* arg) {
    static_cast<WorkerSlot*>(arg)->worker->run(g_stop);
    return 0;
}

void print_reports(const std::vector<pw::drivers::PortInfo>& ports,
                   const std::vector<pw::pipeline::LcoreCounters>& counters, bool with_device) {
    std::string out;
    for (const auto& p : ports) {
        const auto c = pw::pipeline::sum_port(counters, p.port);
        out += pw::pipeline::format_port_report(p.port,
                                                fmt::format("{} {}", p.name, p.mac.to_string()), c);
        if (with_device) {
            const auto d = pw::drivers::device_stats(p.port);
            out += fmt::format(
                "  device: ipackets {} opackets {} imissed {} ierrors {} oerrors {} rx_nombuf {}\n",
                d.ipackets, d.opackets, d.imissed, d.ierrors, d.oerrors, d.rx_nombuf);
        }
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
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

    if (auto e = pw::drivers::eal_init(args.eal)) {
        std::fprintf(stderr, "pingwire-responder: error: %s\n", e->c_str());
        return 1;
    }
    const auto workers = pw::drivers::worker_lcores();
    if (workers.empty()) {
        std::fprintf(
            stderr,
            "pingwire-responder: error: no worker lcore: give at least two lcores (e.g. -l 0,1); "
            "the main lcore does control work only\n");
        pw::drivers::eal_cleanup();
        return 2;
    }
    const auto n_workers = static_cast<std::uint16_t>(workers.size());

    // Pool: every RX descriptor filled, every TX descriptor in flight, a burst per worker,
    // per-lcore caches, and headroom for PMDs that keep their own fill ring (af_xdp: 2048
    // per queue).
    unsigned n_mbufs = opt.mbufs;
    if (n_mbufs == 0) {
        n_mbufs = 4096;
        for (std::size_t i = 0; i < opt.ports.size(); ++i)
            n_mbufs +=
                n_workers * (opt.rx_desc + opt.tx_desc + 2048U + 2U * pw::pipeline::burst_size);
        n_mbufs += (n_workers + 1U) * 256U;
    }
    auto pool = pw::drivers::make_pktmbuf_pool("pw_mbufs", n_mbufs);
    if (auto* e = std::get_if<std::string>(&pool)) {
        std::fprintf(stderr, "pingwire-responder: error: %s\n", e->c_str());
        pw::drivers::eal_cleanup();
        return 1;
    }

    pw::route::InterfaceTable interfaces;
    std::vector<pw::drivers::PortInfo> ports;
    // Router mode's tables live in DPDK memory: released before the EAL is.
    std::unique_ptr<pw::responder::RouterPlane> router;
    auto fail = [&](const std::string& msg) {
        std::fprintf(stderr, "pingwire-responder: error: %s\n", msg.c_str());
        router.reset();
        for (const auto& p : ports) pw::drivers::stop_port(p.port);
        pw::drivers::eal_cleanup();
        return 1;
    };
    for (const auto& spec : opt.ports) {
        pw::drivers::PortSetup s;
        s.port = spec.port;
        s.mac = spec.mac;
        s.mtu = spec.mtu;
        s.rx_queues = n_workers;
        s.tx_queues = n_workers;
        s.rx_desc = static_cast<std::uint16_t>(opt.rx_desc);
        s.tx_desc = static_cast<std::uint16_t>(opt.tx_desc);
        s.pool = std::get<rte_mempool*>(pool);
        auto r = pw::drivers::setup_port(s);
        if (auto* e = std::get_if<std::string>(&r)) return fail(*e);
        auto info = std::get<pw::drivers::PortInfo>(r);
        ports.push_back(info);
        if (info.tx_queues < info.rx_queues)
            return fail(fmt::format("port {}: {} has fewer TX queues ({}) than RX queues ({})",
                                    info.port, info.driver, info.tx_queues, info.rx_queues));
        if (auto e = interfaces.add(spec, info.mac, info.mtu)) return fail(*e);
        // Join the Ethernet groups of ff02::1 and of the solicited-node group of each address
        // (RFC 4861 7.2.1), now that the link-local address is known.
        std::vector<pw::wire::MacAddr> groups{pw::wire::Ipv6Addr::all_nodes().multicast_mac()};
        const auto* ifc = interfaces.find(spec.port);
        for (std::size_t i = 0; i < ifc->n6; ++i)
            groups.push_back(ifc->v6[i].addr.solicited_node().multicast_mac());
        ports.back().multicast_mode = pw::drivers::join_multicast(spec.port, groups);
    }

    interfaces.set_router(opt.forward);
    if (opt.forward) {
        router = std::make_unique<pw::responder::RouterPlane>();
        if (auto e = router->build(opt, interfaces, std::get<rte_mempool*>(pool))) return fail(*e);
    }

    // RFC 8335 PROBE names our interfaces "port<ID>", index ID + 1.
    std::vector<pw::icmp::ProbeIface> probe_ifaces;
    for (const auto& p : ports) {
        pw::icmp::ProbeIface pi;
        pi.iface = interfaces.find(p.port);
        pi.index = p.port + 1U;
        std::snprintf(pi.name.data(), pi.name.size(), "port%u", p.port);
        pi.up = p.link_up;
        probe_ifaces.push_back(pi);
    }

    // RFC 5837: each port described as the incoming interface of the errors it sends.
    std::vector<pw::icmp::InterfaceInfo> ext4(pw::route::max_ports), ext6(pw::route::max_ports);
    for (const auto& p : ports) {
        const auto* ifc = interfaces.find(p.port);
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

    // The global ICMP budget: one bucket, shared by every worker (see rate_limit.hh).
    pw::icmp::SharedBucket global_bucket;
    if (opt.rate.global_per_sec != 0)
        global_bucket.configure(1'000'000'000ULL / opt.rate.global_per_sec, opt.rate.global_burst);

    pw::pipeline::WorkerEnv env;
    env.interfaces = &interfaces;
    env.policy = &opt.policy;
    env.rate = opt.rate;
    env.global_bucket = opt.rate.global_per_sec != 0 ? &global_bucket : nullptr;
    env.reassembly = opt.reassembly;
    env.pool = std::get<rte_mempool*>(pool);
    env.probe_ifaces = probe_ifaces;
    env.tsc_hz = rte_get_tsc_hz();
    env.tsc_at_start = rte_get_tsc_cycles();
    env.router = opt.forward ? &opt.router : nullptr;
    if (opt.errors_extension) {
        env.ext_v4 = ext4.data();
        env.ext_v6 = ext6.data();
    }
    env.utc_ms_at_start =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());

    // Queue q of every port goes to worker q; worker q transmits on its own TX queue q.
    std::vector<pw::pipeline::LcoreCounters> counters(n_workers);
    std::vector<std::unique_ptr<pw::pipeline::Worker>> worker_objs;
    try {
        for (std::uint16_t w = 0; w < n_workers; ++w) {
            pw::pipeline::WorkerConfig cfg;
            for (const auto& p : ports)
                if (w < p.rx_queues) cfg.rx.push_back({p.port, w, w});
            if (router && w == 0) router->attach(env, cfg);
            worker_objs.push_back(std::make_unique<pw::pipeline::Worker>(cfg, env, counters[w], w));
        }
    } catch (const std::bad_alloc&) {
        return fail(
            "not enough memory for the per-lcore tables (lower --ipfrag-max-datagrams or "
            "--icmp-ratelimit-table)");
    }

    pw::responder::register_telemetry(counters, ports);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::vector<WorkerSlot> slots(n_workers);
    for (std::uint16_t w = 0; w < n_workers; ++w) {
        slots[w].worker = worker_objs[w].get();
        rte_eal_remote_launch(worker_main, &slots[w], workers[w]);
    }

    for (const auto& p : ports) {
        const auto* ifc = interfaces.find(p.port);
        std::string addrs;
        for (std::size_t i = 0; i < ifc->n4; ++i)
            addrs += fmt::format(" {}/{}", ifc->v4[i].addr.to_string(), ifc->v4[i].len);
        for (std::size_t i = 0; i < ifc->n6; ++i)
            addrs += fmt::format(" {}/{}", ifc->v6[i].addr.to_string(), ifc->v6[i].len);
        std::printf("port %u: %s (%s) mac %s%s mtu %u queues %u link %s multicast %s addrs%s\n",
                    p.port, p.name.c_str(), p.driver.c_str(), p.mac.to_string().c_str(),
                    p.software_mac ? " (software)" : "", p.mtu, p.rx_queues,
                    p.link_up ? "up" : "down", p.multicast_mode.c_str(), addrs.c_str());
    }
    std::printf("pingwire-responder: ready (%zu ports, %u workers)\n", ports.size(), n_workers);
    std::fflush(stdout);

    using clock = std::chrono::steady_clock;
    auto next_stats = clock::now() + std::chrono::duration_cast<clock::duration>(
                                         std::chrono::duration<double>(opt.stats_interval));
    // The main lcore's control work: neighbour resolution in router mode (every millisecond),
    // statistics.
    const auto tick = std::chrono::milliseconds(opt.forward ? 1 : 50);
    auto now_ns = [&env]() {
        const std::uint64_t dt = rte_get_tsc_cycles() - env.tsc_at_start;
        return dt / env.tsc_hz * 1'000'000'000U + dt % env.tsc_hz * 1'000'000'000U / env.tsc_hz;
    };
    while (!g_stop.load(std::memory_order_relaxed)) {
        std::this_thread::sleep_for(tick);
        if (router) router->poll(now_ns());
        if (opt.stats_interval > 0 && clock::now() >= next_stats) {
            print_reports(ports, counters, false);
            next_stats += std::chrono::duration_cast<clock::duration>(
                std::chrono::duration<double>(opt.stats_interval));
        }
    }
    rte_eal_mp_wait_lcore();
    std::printf("pingwire-responder: stopping; final counters:\n");
    print_reports(ports, counters, true);
    if (router) std::fputs(router->report(now_ns()).c_str(), stdout);
    std::fflush(stdout);
    for (const auto& p : ports) pw::drivers::stop_port(p.port);
    router.reset();
    pw::drivers::eal_cleanup();
    return 0;
}
