#include "apps/responder/router_plane.hh"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <fmt/format.h>

#include "lib/pipeline/neigh_events.hh"

namespace pw::responder {

RouterPlane::~RouterPlane() {
    if (to_worker_ != nullptr) {
        // Probes nobody sent are freed, not leaked.
        void* m = nullptr;
        while (rte_ring_dequeue(to_worker_, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
        rte_ring_free(to_worker_);
    }
    if (events_ != nullptr) rte_ring_free(events_);
}

std::optional<std::string> RouterPlane::build(const Options& opt,
                                              const route::InterfaceTable& ifaces,
                                              rte_mempool* pool) {
    if (auto e = fib_.init("pw_fib", opt.max_routes, opt.max_routes)) return "FIB: " + *e;
    if (auto e = fib_.add_interfaces(ifaces)) return "FIB: " + *e;
    for (const auto& r : opt.routes)
        if (auto e = fib_.add(r)) return "--route " + route::to_string(r) + ": " + *e;
    for (const auto& d : opt.denies)
        if (auto e = fib_.add(d)) return "--deny " + route::to_string(d.prefix) + ": " + *e;
    if (auto e = neighbors_.init("pw_neigh", opt.neigh_capacity)) return "neighbour table: " + *e;
    for (const auto& n : opt.neighbours) {
        const std::string what = "--neigh " + route::to_string(n.addr);
        std::optional<std::uint16_t> port = n.port;
        if (port && ifaces.find(*port) == nullptr)
            return what + ": port " + std::to_string(*port) + " is not configured (--port)";
        for (std::uint16_t p = 0; !port && p < route::max_ports; ++p) {
            const auto* ifc = ifaces.find(p);
            if (ifc == nullptr) continue;
            if (const auto* a4 = std::get_if<wire::Ipv4Addr>(&n.addr)) {
                for (std::size_t i = 0; i < ifc->n4; ++i)
                    if (ifc->v4[i].contains(*a4)) port = p;
            } else {
                const auto& a6 = std::get<wire::Ipv6Addr>(n.addr);
                for (std::size_t i = 0; i < ifc->n6; ++i)
                    if (ifc->v6[i].contains(a6)) port = p;
            }
        }
        if (!port) return what + ": no port has a subnet holding it (give port=ID)";
        const route::NeighKey key =
            std::holds_alternative<wire::Ipv4Addr>(n.addr)
                ? route::NeighKey::of(*port, std::get<wire::Ipv4Addr>(n.addr))
                : route::NeighKey::of(*port, std::get<wire::Ipv6Addr>(n.addr));
        if (!neighbors_.add_permanent(key, n.mac, 0)) return what + ": the neighbour table is full";
    }
    const int socket = static_cast<int>(rte_socket_id());
    events_ = rte_ring_create_elem("pw_neigh_events", sizeof(pipeline::NeighEvent), 4096, socket,
                                   RING_F_SC_DEQ);
    if (events_ == nullptr)
        return std::string("cannot create the neighbour event ring: ") + rte_strerror(rte_errno);
    to_worker_ = rte_ring_create("pw_control_tx", 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (to_worker_ == nullptr)
        return std::string("cannot create the control TX ring: ") + rte_strerror(rte_errno);
    pipeline::Control::Env ce;
    ce.neighbors = &neighbors_;
    ce.interfaces = &ifaces;
    ce.events = events_;
    ce.to_worker = to_worker_;
    ce.pool = pool;
    control_ = std::make_unique<pipeline::Control>(ce);
    return std::nullopt;
}

void RouterPlane::attach(pipeline::WorkerEnv& env, pipeline::WorkerConfig& worker0) const noexcept {
    env.fib = &fib_;
    env.neighbors = &neighbors_;
    env.neigh_events = events_;
    worker0.from_control = to_worker_;
}

std::string RouterPlane::report(std::uint64_t now_ns) const {
    const auto& c = control_->counters();
    std::string s = fmt::format(
        "router: routes v4 {} v6 {}; neighbours {} (events {} probes_sent {} probes_failed {} "
        "table_full {} resolutions_failed {})\n",
        fib_.size_v4(), fib_.size_v6(), neighbors_.size(), c.events, c.probes_sent, c.probes_failed,
        c.table_full, c.resolutions_failed);
    neighbors_.for_each(now_ns, [&s](const route::NeighInfo& n) {
        s += fmt::format("  neigh {:<40} {:<10} {} age {:.1f}s\n", n.key.to_string(),
                         n.permanent ? "permanent" : route::to_string(n.state), n.mac.to_string(),
                         static_cast<double>(n.age_ns) / 1e9);
    });
    return s;
}

}  // namespace pw::responder
