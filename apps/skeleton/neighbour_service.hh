// The control lcore's neighbour service, for any program that needs next hops resolved: the
// neighbour table (ARP and NDP, its only writer is the control lcore), the ring on which the
// workers post wants and sightings, the ring on which the control lcore hands its probes to
// worker 0, permanent entries (--neigh) and the report of the table.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "drivers/log.hh"
#include "lib/pipeline/control.hh"
#include "lib/route/interfaces.hh"
#include "lib/route/neighbors.hh"
#include "lib/route/route_spec.hh"

struct rte_mempool;
struct rte_ring;

namespace pw::app {

class NeighbourService {
public:
    NeighbourService() = default;
    NeighbourService(const NeighbourService&) = delete;
    NeighbourService& operator=(const NeighbourService&) = delete;
    ~NeighbourService();

    // Why build failed: one line, and the exit status (2: a --neigh the configuration
    // contradicts, 1: DPDK memory or rings).
    struct Failure {
        std::string what;
        int code = 1;
    };
    // Needs the EAL and the interfaces.
    std::optional<Failure> build(unsigned capacity, std::span<const route::NeighSpec> permanent,
                                 const route::InterfaceTable& ifaces, rte_mempool* pool);

    const route::NeighborTable& table() const noexcept { return table_; }
    rte_ring* events() const noexcept { return events_; }        // workers -> control
    rte_ring* to_worker() const noexcept { return to_worker_; }  // control -> worker 0
    // The control tick: timers and probes; a neighbour that failed is logged (pingwire.neigh,
    // at most 5 lines a second, then "... N more suppressed").
    void poll(std::uint64_t now_ns) noexcept;
    // Control lcore: the interfaces of a live reload (ifaces outlives its use).
    void set_interfaces(const route::InterfaceTable& ifaces) noexcept {
        control_->set_interfaces(&ifaces);
    }
    // Control lcore only: resolve this neighbour (the next poll sends its first probe). False
    // when the table is full.
    bool want(const route::NeighKey& k, std::uint64_t now_ns) { return table_.want(k, now_ns); }
    // "neighbours N (events ...)" and one line per entry.
    std::string report(std::uint64_t now_ns) const;

private:
    route::NeighborTable table_;
    rte_ring* events_ = nullptr;
    rte_ring* to_worker_ = nullptr;
    std::unique_ptr<pipeline::Control> control_;
    drivers::RateLimitedLog failed_log_{drivers::LogType::neigh, drivers::LogLevel::notice, 5};
    std::uint64_t failed_seen_ = 0;  // resolutions_failed already logged
    std::uint64_t last_poll_ns_ = 0;
};

}  // namespace pw::app
