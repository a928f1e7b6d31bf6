#include "apps/responder/generation.hh"

#include <chrono>
#include <cstdio>

#include "apps/skeleton/program.hh"

namespace pw::responder {

namespace {

// RFC 8335 PROBE names our interfaces "port<ID>", index ID + 1.
void probe_ifaces(Generation& g, app::Program& prog) {
    for (const auto& p : prog.ports()) {
        icmp::ProbeIface pi;
        pi.iface = g.ifaces.find(p.port);
        pi.index = p.port + 1U;
        std::snprintf(pi.name.data(), pi.name.size(), "port%u", p.port);
        pi.up = p.link_up;
        g.probes.push_back(pi);
    }
}

// RFC 5837: each port described as the incoming interface of the errors it sends.
void interface_info(Generation& g, app::Program& prog) {
    g.ext4.assign(route::max_ports, {});
    g.ext6.assign(route::max_ports, {});
    for (const auto& p : prog.ports()) {
        const auto* ifc = g.ifaces.find(p.port);
        for (auto* info : {&g.ext4[p.port], &g.ext6[p.port]}) {
            info->role = icmp::IfRole::incoming;
            info->has_ifindex = true;
            info->ifindex = p.port + 1U;
            info->has_mtu = true;
            info->mtu = ifc->mtu;
            std::snprintf(info->name.data(), info->name.size(), "port%u", p.port);
        }
        if (ifc->n4 > 0) {
            g.ext4[p.port].has_addr = true;
            g.ext4[p.port].a4 = ifc->v4[0].addr;
        }
        if (ifc->n6 > 0) {
            g.ext6[p.port].has_addr = true;
            g.ext6[p.port].addr_v6 = true;
            g.ext6[p.port].a6 =
                ifc->v6[ifc->n6 - 1].addr;  // the last added: global when there is one
        }
    }
}

std::optional<std::string> build_fib(Generation& g, unsigned number) {
    const Options& opt = g.opt;
    // DPDK names the tables' memory after the FIB: each generation has its own name.
    if (auto e = g.fib.init("pw_fib" + std::to_string(number), opt.max_routes, opt.max_routes))
        return fib_memory_error + *e;
    if (auto e = g.fib.add_interfaces(g.ifaces)) return "FIB: " + *e;
    for (const auto& r : opt.routes)
        if (auto e = g.fib.add(r)) return "--route " + route::to_string(r) + ": " + *e;
    for (const auto& d : opt.denies)
        if (auto e = g.fib.add(d)) return "--deny " + route::to_string(d.prefix) + ": " + *e;
    return std::nullopt;
}

}  // namespace

std::variant<std::unique_ptr<Generation>, std::string> build_generation(
    const Options& opt, app::Program& prog, unsigned number, std::uint64_t utc_ms_at_start) {
    auto g = std::make_unique<Generation>();
    g->number = number;
    g->opt = opt;
    for (const auto& spec : opt.common.ports) {
        const drivers::PortInfo* info = nullptr;
        for (const auto& p : prog.ports())
            if (p.port == spec.port) info = &p;
        if (info == nullptr) return "port " + std::to_string(spec.port) + " is not running";
        if (auto e = g->ifaces.add(spec, info->mac, info->mtu)) return *e;
    }
    g->ifaces.set_router(opt.forward);
    if (opt.forward)
        if (auto e = build_fib(*g, number)) return *e;
    probe_ifaces(*g, prog);
    interface_info(*g, prog);

    // The global ICMP budget: one bucket, shared by every worker (see rate_limit.hh).
    if (opt.rate.global_per_sec != 0)
        g->global_bucket.configure(1'000'000'000ULL / opt.rate.global_per_sec,
                                   opt.rate.global_burst);
    pipeline::HostEnv& env = g->env;
    env.interfaces = &g->ifaces;
    env.policy = &g->opt.policy;
    env.rate = g->opt.rate;
    env.global_bucket = opt.rate.global_per_sec != 0 ? &g->global_bucket : nullptr;
    env.reassembly = g->opt.reassembly;
    env.probe_ifaces = g->probes;
    if (opt.errors_extension) {
        env.ext_v4 = g->ext4.data();
        env.ext_v6 = g->ext6.data();
    }
    if (opt.forward) {
        env.router = &g->opt.router;
        env.fib = &g->fib;
        env.neighbors = &prog.neighbours()->table();
        env.neigh_events = prog.neighbours()->events();
        // The ICMP filter when there is one to apply (no rules and allow: none, no cost).
        const auto& f = g->opt.icmp_filter;
        if (!f.empty() || f.default_action() != insight::FilterAction::allow) env.icmp_filter = &f;
    }
    env.utc_ms_at_start = utc_ms_at_start;
    env.insight = &g->opt.insight.tracker;
    return g;
}

namespace {

bool same_neighbours(const std::vector<route::NeighSpec>& a,
                     const std::vector<route::NeighSpec>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].addr != b[i].addr || a[i].mac != b[i].mac || a[i].port != b[i].port) return false;
    return true;
}

}  // namespace

std::optional<std::string> needs_restart(const Options& cur, const Options& next) {
    const auto& a = cur.common;
    const auto& b = next.common;
    if (a.ports.size() != b.ports.size()) return std::string("the set of ports (--port) changed");
    for (std::size_t i = 0; i < a.ports.size(); ++i) {
        const auto& p = a.ports[i];
        const auto& q = b.ports[i];
        const std::string name = "port " + std::to_string(p.port);
        if (p.port != q.port) return std::string("the set of ports (--port) changed");
        if (p.mac != q.mac) return name + ": mac= changed";
        if (p.mtu != q.mtu) return name + ": mtu= changed";
    }
    if (a.rx_desc != b.rx_desc || a.tx_desc != b.tx_desc || a.mbufs != b.mbufs)
        return std::string("--rx-desc, --tx-desc or --mbufs changed");
    if (cur.forward != next.forward) return std::string("--forward changed");
    if (cur.max_routes != next.max_routes) return std::string("--max-routes changed");
    if (cur.neigh_capacity != next.neigh_capacity) return std::string("--neigh-table changed");
    if (!same_neighbours(cur.neighbours, next.neighbours)) return std::string("--neigh changed");
    if (cur.rate.host_table_sets != next.rate.host_table_sets)
        return std::string("--icmp-ratelimit-table changed");
    if (cur.reassembly.timeout_v4_ns != next.reassembly.timeout_v4_ns ||
        cur.reassembly.timeout_v6_ns != next.reassembly.timeout_v6_ns ||
        cur.reassembly.max_datagrams != next.reassembly.max_datagrams)
        return std::string("--ipfrag-time, --ip6frag-time or --ipfrag-max-datagrams changed");
    if (cur.insight.tracker.enabled != next.insight.tracker.enabled ||
        cur.insight.tracker.sources != next.insight.tracker.sources)
        return std::string("--no-insight or --insight-sources changed");
    return std::nullopt;
}

}  // namespace pw::responder
