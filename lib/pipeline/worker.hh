// The per-lcore burst loop: rx burst -> host_input per packet -> answers in place, ICMP
// errors built in fresh mbufs, fragments to the lcore's reassembler -> tx burst. Run to
// completion, shared nothing: a worker owns its RX queues, one TX queue on each port it
// serves, its rate-limit table, its reassembly table and its counters.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "lib/icmp/forward.hh"
#include "lib/icmp/host_context.hh"
#include "lib/icmp/reassembly.hh"
#include "lib/pipeline/counters.hh"
#include "lib/pipeline/neigh_events.hh"
#include "lib/pipeline/neigh_pending.hh"
#include "lib/pipeline/tx_stage.hh"
#include "lib/route/interfaces.hh"

struct rte_mempool;
struct rte_ring;

namespace pw::route {
class Fib;
class NeighborTable;
}  // namespace pw::route

namespace pw::pipeline {

inline constexpr std::uint16_t burst_size = 32;

struct RxQueue {
    std::uint16_t port = 0;
    std::uint16_t queue = 0;
    std::uint16_t tx_queue = 0;  // this worker's TX queue on the same port
};

struct WorkerConfig {
    std::vector<RxQueue> rx;           // control path only: copied into a fixed array by Worker
    rte_ring* from_control = nullptr;  // frames the control lcore asks this worker to send
};

// What all workers share, read-only once they run (the global rate bucket excepted, which is
// one atomic).
struct WorkerEnv {
    const route::InterfaceTable* interfaces = nullptr;
    const icmp::HostPolicy* policy = nullptr;
    icmp::RateLimitConfig rate;
    icmp::SharedBucket* global_bucket = nullptr;  // null: no global limit
    icmp::ReassemblyConfig reassembly;
    rte_mempool* pool = nullptr;  // for generated frames
    std::span<const icmp::ProbeIface> probe_ifaces;
    // RFC 4884 / RFC 5837 Interface Information, indexed by port (route::max_ports entries
    // each); null: errors without extensions.
    const icmp::InterfaceInfo* ext_v4 = nullptr;
    const icmp::InterfaceInfo* ext_v6 = nullptr;
    // Router mode (--forward); all null for a host.
    const icmp::RouterPolicy* router = nullptr;
    const route::Fib* fib = nullptr;
    const route::NeighborTable* neighbors = nullptr;
    rte_ring* neigh_events = nullptr;  // NeighEvent, to the control lcore (multi-producer)
    std::uint64_t neigh_wait_ns = 3'500'000'000;  // how long a packet may wait for its next hop
    std::uint64_t utc_ms_at_start = 0;            // wall clock (ms since the epoch) at tsc_at_start
    std::uint64_t tsc_at_start = 0;
    std::uint64_t tsc_hz = 0;
};

class Worker {
public:
    static constexpr std::size_t max_rx_queues = 64;

    // env, its tables and counters outlive the worker; counters is this worker's own block.
    // Allocates (rate-limit and reassembly tables): control path.
    Worker(const WorkerConfig& cfg, const WorkerEnv& env, LcoreCounters& counters, unsigned index);

    // One pass over every RX queue (and the reassembly timers). Returns packets received.
    unsigned poll_once() noexcept;
    // Polls until stop becomes true.
    void run(const std::atomic<bool>& stop) noexcept;

    const icmp::Reassembler& reassembler() const noexcept { return reasm_; }

private:
    unsigned poll_queue(const RxQueue& q) noexcept;
    icmp::HostContext context(std::uint16_t port) noexcept;
    void on_fragment(rte_mbuf* m, const icmp::Verdict& v, const RxQueue& q,
                     icmp::HostContext& ctx) noexcept;
    void send_error(std::uint16_t port, const icmp::ErrorPlan& plan,
                    std::span<const wire::ConstBytes> quote) noexcept;
    void send_datagram(std::uint16_t port, wire::ConstBytes frame, std::size_t l2_len,
                       TxTag tag) noexcept;
    void expire_fragments() noexcept;
    // Router mode (forward_step.cc).
    void forward(rte_mbuf* m, const icmp::Verdict& v, const RxQueue& q,
                 const icmp::HostContext& ctx) noexcept;
    icmp::Route route_for(bool v6, wire::ConstBytes l3) const noexcept;
    bool transmit_forward(rte_mbuf* m, const Pending& p) noexcept;
    void unreachable(rte_mbuf* m, const Pending& p) noexcept;
    void sweep_pending() noexcept;
    void post_learn(std::uint16_t port, const icmp::Verdict& v) noexcept;
    void post_want(std::uint16_t port, bool v6, const wire::Ipv6Addr& addr) noexcept;
    void drain_control() noexcept;
    void update_clock() noexcept;

    std::array<RxQueue, max_rx_queues> rx_{};
    std::size_t n_rx_ = 0;
    std::array<std::uint16_t, route::max_ports> tx_queue_of_port_{};
    WorkerEnv env_;
    LcoreCounters* counters_;
    icmp::RateLimiter limiter_;
    icmp::Reassembler reasm_;
    TxStage tx_;
    std::uint16_t ip_ident_ = 0;
    std::uint32_t ip6_ident_ = 0;
    std::uint64_t now_ns_ = 0;
    std::uint32_t utc_ms_of_day_ = 0;
    std::uint64_t next_expire_ns_ = 0;
    rte_ring* from_control_ = nullptr;
    PendingQueue pending_;
    std::uint64_t next_sweep_ns_ = 0;
    // Recently asked next hops, so a busy flow toward an unresolved or stale neighbour asks
    // the control lcore about once per interval, not once per packet.
    struct Asked {
        wire::Ipv6Addr addr;
        std::uint16_t port = 0;
        std::uint64_t at_ns = 0;
    };
    std::array<Asked, 64> asked_{};
};

}  // namespace pw::pipeline
