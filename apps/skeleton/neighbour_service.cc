#include "apps/skeleton/neighbour_service.hh"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>

#include <fmt/format.h>

#include "lib/pipeline/neigh_events.hh"

namespace pw::app {

NeighbourService::~NeighbourService() {
    if (to_worker_ != nullptr) {
        // Probes nobody sent are freed, not leaked.
        void* m = nullptr;
        while (rte_ring_dequeue(to_worker_, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
        rte_ring_free(to_worker_);
    }
    if (events_ != nullptr) rte_ring_free(events_);
}

namespace {

// The port whose connected subnet holds a.
std::optional<std::uint16_t> port_of(const route::InterfaceTable& ifaces, const route::IpAddr& a) {
    for (std::uint16_t p = 0; p < route::max_ports; ++p) {
        const auto* ifc = ifaces.find(p);
        if (ifc == nullptr) continue;
        if (const auto* a4 = std::get_if<wire::Ipv4Addr>(&a)) {
            for (std::size_t i = 0; i < ifc->n4; ++i)
                if (ifc->v4[i].contains(*a4)) return p;
        } else {
            for (std::size_t i = 0; i < ifc->n6; ++i)
                if (ifc->v6[i].contains(std::get<wire::Ipv6Addr>(a))) return p;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<NeighbourService::Failure> NeighbourService::build(
    unsigned capacity, std::span<const route::NeighSpec> permanent,
    const route::InterfaceTable& ifaces, rte_mempool* pool) {
    if (auto e = table_.init("pw_neigh", capacity)) return Failure{"neighbour table: " + *e, 1};
    for (const auto& n : permanent) {
        const std::string what = "--neigh " + route::to_string(n.addr);
        std::optional<std::uint16_t> port = n.port;
        if (port && ifaces.find(*port) == nullptr)
            return Failure{what + ": port " + std::to_string(*port) + " is not configured (--port)",
                           2};
        if (!port) port = port_of(ifaces, n.addr);
        if (!port) return Failure{what + ": no port has a subnet holding it (give port=ID)", 2};
        const route::NeighKey key =
            std::holds_alternative<wire::Ipv4Addr>(n.addr)
                ? route::NeighKey::of(*port, std::get<wire::Ipv4Addr>(n.addr))
                : route::NeighKey::of(*port, std::get<wire::Ipv6Addr>(n.addr));
        if (!table_.add_permanent(key, n.mac, 0))
            return Failure{what + ": the neighbour table is full (--neigh-table)", 2};
    }
    const int socket = static_cast<int>(rte_socket_id());
    events_ = rte_ring_create_elem("pw_neigh_events", sizeof(pipeline::NeighEvent), 4096, socket,
                                   RING_F_SC_DEQ);
    if (events_ == nullptr)
        return Failure{std::string("cannot create the neighbour event ring: ") +
                       rte_strerror(rte_errno)};
    to_worker_ = rte_ring_create("pw_control_tx", 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (to_worker_ == nullptr)
        return Failure{std::string("cannot create the control TX ring: ") +
                       rte_strerror(rte_errno)};
    pipeline::Control::Env ce;
    ce.neighbors = &table_;
    ce.interfaces = &ifaces;
    ce.events = events_;
    ce.to_worker = to_worker_;
    ce.pool = pool;
    control_ = std::make_unique<pipeline::Control>(ce);
    return std::nullopt;
}

std::string NeighbourService::report(std::uint64_t now_ns) const {
    const auto& c = control_->counters();
    // A probe still in the ring has not reached the worker (at exit: never will, the workers
    // stopped, and the destructor frees it): not sent, failed.
    const std::uint64_t queued = to_worker_ != nullptr ? rte_ring_count(to_worker_) : 0;
    std::string s = fmt::format(
        "neighbours {} (events {} probes_sent {} probes_failed {} table_full {} "
        "resolutions_failed {} reclaimed {})\n",
        table_.size(), c.events, c.probes_sent - std::min(queued, c.probes_sent),
        c.probes_failed + queued, c.table_full, c.resolutions_failed, table_.reclaimed());
    table_.for_each(now_ns, [&s](const route::NeighInfo& n) {
        s += fmt::format("  neigh {:<40} {:<10} {} age {:.1f}s\n", n.key.to_string(),
                         n.permanent ? "permanent" : route::to_string(n.state), n.mac.to_string(),
                         static_cast<double>(n.age_ns) / 1e9);
    });
    return s;
}

void NeighbourService::poll(std::uint64_t now_ns) noexcept {
    const std::uint64_t since = last_poll_ns_;
    last_poll_ns_ = now_ns;
    control_->poll(now_ns);
    failed_log_.flush();
    const std::uint64_t failed = control_->counters().resolutions_failed;
    if (failed == failed_seen_) return;
    const std::uint64_t n = failed - failed_seen_;
    failed_seen_ = failed;
    try {
        // The entries that failed in this poll (their state changed since the last one).
        std::uint64_t named = 0;
        table_.for_each(now_ns, [&](const route::NeighInfo& e) {
            if (e.permanent || e.state != route::NeighState::failed) return;
            if (e.age_ns > now_ns - since) return;
            ++named;
            failed_log_.logf(
                "%s failed: no answer to %u probes (packets waiting for it get "
                "Destination Unreachable)",
                e.key.to_string().c_str(), e.probes);
        });
        if (named < n)
            failed_log_.logf("%llu more resolutions failed (%llu in all)",
                             static_cast<unsigned long long>(n - named),
                             static_cast<unsigned long long>(failed));
    } catch (const std::exception&) {  // a log line that could not be formatted: none
    }
}

}  // namespace pw::app
