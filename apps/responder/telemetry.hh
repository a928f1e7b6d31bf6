// DPDK telemetry commands of pingwire-responder, next to DPDK's own (/ethdev/stats...). Read
// them with the stock dpdk-telemetry.py (-f FILE_PREFIX) or any client of
// /var/run/dpdk/<prefix>/dpdk_telemetry.v2:
//
//   /pingwire/ports          the port ids
//   /pingwire/stats[,PORT]   a port's counters summed over the workers (the exit summary's);
//                            without PORT every port, keyed by id. Every counter is present,
//                            zeros included (a stable schema); a bad PORT answers
//                            {"error": "..."}
//   /pingwire/icmp           the Icmp / IcmpMsg counters summed over ports, named as nstat
//   /pingwire/icmp6          names them (IcmpInEchos, IcmpMsgOutType0; Icmp6InEchos...)
//   /pingwire/ratelimit      the rate-limit settings, table sizes and evictions, and the
//                            errors not sent by reason
//   /pingwire/neigh[,FROM]   the neighbour table (router mode), a page from entry FROM
//   /pingwire/routes[,FROM]  the FIB, a page from route FROM
//   /pingwire/config         the effective configuration
//
// Threads: DPDK runs the callbacks on its telemetry threads (one per client), concurrently
// with the workers and the control lcore. They read the per-lcore counter arrays directly
// (relaxed loads, as the control lcore does) and everything else from a ControlView, a copy
// the control lcore refreshes under a mutex: the FIB, the neighbour table and the options may
// be replaced or changed while a client asks.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "apps/responder/options.hh"
#include "apps/skeleton/metrics.hh"
#include "drivers/port.hh"
#include "lib/pipeline/host_counters.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/runtime.hh"
#include "lib/route/fib.hh"
#include "lib/route/neighbors.hh"

namespace pw::responder {

// One FIB entry, as /pingwire/routes shows it.
struct RouteRow {
    std::string prefix;
    std::string kind;      // what lookups return: connected, via, reject, blackhole, deny
    std::string gateway;   // via: the next hop; else empty
    int port = -1;         // connected and via; else -1
    std::string own_kind;  // a route inside a --deny prefix: its own kind (lookups say deny)
};

// One neighbour entry, as /pingwire/neigh shows it.
struct NeighRow {
    std::string address;
    std::string mac;  // empty while unresolved
    std::string state;
    std::uint16_t port = 0;
    bool permanent = false;
    bool probing = false;
    std::uint64_t age_ns = 0;  // at the snapshot
};

// What the control lcore knows that the telemetry threads may not read live: the routes, the
// neighbours, the rate-limit tables' sizes and evictions, the effective options. Control path
// writes (set_* and tick), telemetry threads read (under the mutex; never on the data path).
class ControlView {
public:
    // At start and after every change of the FIB (reload).
    void set_routes(const route::Fib& fib);
    // At start and after every reload: the options in force, with the ports as set up.
    void set_config(const Options& opt);
    void set_ports(const std::vector<drivers::PortInfo>& ports);
    // Every control tick; refreshes the neighbour rows and the rate-limit tables' figures
    // every 250 ms. neigh may be null (host mode).
    void tick(std::uint64_t now_ns, const route::NeighborTable* neigh,
              const std::vector<std::unique_ptr<pipeline::HostStage>>& stages);
    void set_clock(const pipeline::Clock& c) noexcept { clock_ = c; }

    // The telemetry side: everything under one lock.
    struct Limits {
        std::uint64_t capacity_v4 = 0, capacity_v6 = 0;    // per lcore
        std::uint64_t evictions_v4 = 0, evictions_v6 = 0;  // summed over lcores
        unsigned lcores = 0;
    };
    struct Snapshot {
        std::vector<RouteRow> routes;
        std::size_t routes_v4 = 0, routes_v6 = 0;
        bool has_neighbours = false;
        std::vector<NeighRow> neighbours;
        std::size_t neigh_capacity = 0;
        std::uint64_t neigh_reclaimed = 0;
        std::uint64_t neigh_age_ns = 0;  // since the rows were taken
        Limits limits;
        std::optional<Options> options;
        std::vector<drivers::PortInfo> ports;
    };
    // Calls f(const Snapshot&) under the lock.
    template <class F>
    auto read(F&& f) const {
        std::lock_guard lock(mu_);
        snap_.neigh_age_ns = neigh_at_ns_ != 0 ? clock_.now_ns() - neigh_at_ns_ : 0;
        return f(static_cast<const Snapshot&>(snap_));
    }

private:
    mutable std::mutex mu_;
    mutable Snapshot snap_;
    pipeline::Clock clock_;
    std::uint64_t neigh_at_ns_ = 0;
    std::uint64_t next_refresh_ns_ = 0;
};

// Registers the commands. The vectors and the view must stay valid until unregister_telemetry
// (declare the TelemetryScope after them).
void register_telemetry(const std::vector<pipeline::LcoreBase>& base,
                        const std::vector<pipeline::LcoreHost>& host,
                        const std::vector<drivers::PortInfo>& ports, const ControlView& view);
// After it the commands answer {"error": "stopping"} (DPDK cannot unregister a command).
void unregister_telemetry();

// Prometheus (apps/skeleton/metrics.hh): what only the responder has, from the view: the
// rate-limit tables (size, evictions), the neighbour table (entries by state), the routes.
void collect_metrics(app::Families& f, const ControlView& view);

struct TelemetryScope {
    TelemetryScope(const std::vector<pipeline::LcoreBase>& base,
                   const std::vector<pipeline::LcoreHost>& host,
                   const std::vector<drivers::PortInfo>& ports, const ControlView& view) {
        register_telemetry(base, host, ports, view);
    }
    ~TelemetryScope() { unregister_telemetry(); }
    TelemetryScope(const TelemetryScope&) = delete;
    TelemetryScope& operator=(const TelemetryScope&) = delete;
};

}  // namespace pw::responder
