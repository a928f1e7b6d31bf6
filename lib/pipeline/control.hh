// The control work of the main lcore in router mode: it is the neighbour table's only
// writer. It takes the workers' requests ("resolve this next hop") and sightings ("this
// address has this MAC") from a ring, runs the table's timers, and sends ARP requests and
// Neighbor Solicitations through worker 0's TX queues (handed over on a ring), so that no
// port needs a TX queue of its own for the main lcore.
#pragma once

#include <cstdint>

struct rte_mempool;
struct rte_ring;

namespace pw::route {
class InterfaceTable;
class NeighborTable;
}  // namespace pw::route

namespace pw::pipeline {

struct ControlCounters {
    std::uint64_t events = 0;         // messages taken from the workers
    std::uint64_t probes_sent = 0;    // ARP requests and Neighbor Solicitations handed to a worker
    std::uint64_t probes_failed = 0;  // no mbuf, or the worker's ring was full
    std::uint64_t table_full = 0;     // a next hop could not get an entry
    std::uint64_t resolutions_failed = 0;  // next hops that stayed unresolved
};

class Control {
public:
    struct Env {
        route::NeighborTable* neighbors = nullptr;
        const route::InterfaceTable* interfaces = nullptr;
        rte_ring* events = nullptr;     // NeighEvent from the workers
        rte_ring* to_worker = nullptr;  // mbufs for worker 0 to send (mbuf->port says where)
        rte_mempool* pool = nullptr;
    };

    explicit Control(const Env& env) noexcept : env_(env) {}
    // One round: drain the events, run the timers. Call every millisecond or so.
    void poll(std::uint64_t now_ns) noexcept;
    const ControlCounters& counters() const noexcept { return c_; }
    // A live reload's interfaces (their addresses source the probes from the next poll on).
    void set_interfaces(const route::InterfaceTable* ifaces) noexcept { env_.interfaces = ifaces; }

private:
    void probe(std::uint16_t port, bool v6, const unsigned char* addr16,
               const void* unicast_mac) noexcept;

    Env env_;
    ControlCounters c_;
};

}  // namespace pw::pipeline
