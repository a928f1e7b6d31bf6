// The host stage: pingwire's host and router logic as one stage of the lcore runtime. Per
// burst: the validated fast paths for the common cases (echo v4, echo v6, forwarding with bulk
// FIB lookups), everything else through icmp::host_input -> answers in place, ICMP errors built
// in fresh mbufs, fragments to the lcore's reassembler, packets not for us to the forwarding
// step (host_forward.cc) and, when their next hop is unresolved, to a bounded waiting queue.
// pingwire-responder runs it alone; the programs to come (pingwire-flood, pingwire-conform)
// are meant to hand it the frames that are not theirs (ARP, NDP, echo to their own addresses)
// through handle().
//
// State is per lcore, preallocated: the rate-limit table, the reassembly table, the waiting
// queue and the counters.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "lib/icmp/fast_path.hh"
#include "lib/icmp/forward.hh"
#include "lib/icmp/host_context.hh"
#include "lib/icmp/reassembly.hh"
#include "lib/insight/icmp_filter.hh"
#include "lib/insight/tracker.hh"
#include "lib/pipeline/host_counters.hh"
#include "lib/pipeline/neigh_events.hh"
#include "lib/pipeline/neigh_pending.hh"
#include "lib/pipeline/runtime.hh"
#include "lib/pipeline/source_board.hh"
#include "lib/route/interfaces.hh"

struct rte_ring;

namespace pw::route {
class Fib;
class NeighborTable;
}  // namespace pw::route

namespace pw::pipeline {

// What every host stage shares, read-only once they run (the global rate bucket excepted,
// which is one atomic).
struct HostEnv {
    const route::InterfaceTable* interfaces = nullptr;
    const icmp::HostPolicy* policy = nullptr;
    icmp::RateLimitConfig rate;
    icmp::SharedBucket* global_bucket = nullptr;  // null: no global limit
    icmp::ReassemblyConfig reassembly;
    std::span<const icmp::ProbeIface> probe_ifaces;
    // RFC 4884 / RFC 5837 Interface Information, indexed by port (route::max_ports entries
    // each); null: errors without extensions.
    const icmp::InterfaceInfo* ext_v4 = nullptr;
    const icmp::InterfaceInfo* ext_v6 = nullptr;
    // Router mode (--forward); all null for a host.
    const icmp::RouterPolicy* router = nullptr;
    const route::Fib* fib = nullptr;
    const route::NeighborTable* neighbors = nullptr;
    // NeighEvent to the control lcore (multi-producer): sightings always (when set), wants in
    // router mode.
    rte_ring* neigh_events = nullptr;
    std::uint64_t neigh_wait_ns = 3'500'000'000;  // how long a packet may wait for its next hop
    std::uint64_t utc_ms_at_start = 0;  // wall clock (ms since the epoch) at the clock's start
    // Security insight (lib/insight): sweeps, tunnels, floods, TTLs of what arrives; null or
    // !enabled: no tracker.
    const insight::InsightConfig* insight = nullptr;
    // Router mode: the selective ICMP filter (--icmp-filter, --icmp-policy) on forwarded ICMP
    // and ICMPv6; null: none (the forwarding paths then pay one branch).
    const insight::IcmpFilter* icmp_filter = nullptr;
    // Live reload (pingwire-responder, SIGHUP): the current environment, replaced by the control
    // lcore. Each stage adopts it between rounds (on_quiescent); the control lcore frees the old
    // one after an RCU grace period (rte_rcu_qsbr, LcoreConfig::qsbr). Null: fixed.
    const std::atomic<const HostEnv*>* live = nullptr;
};

class HostStage {
public:
    // env, its tables and counters outlive the stage; counters is this lcore's own block.
    // Allocates (rate-limit and reassembly tables): control path; throws std::bad_alloc.
    HostStage(const HostEnv& env, LcoreHost& counters, unsigned index);

    void on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept;
    void on_tick(Lcore& l) noexcept;
    void on_stop(Lcore& l) noexcept;
    // Between rounds (after the lcore's quiescent report): adopts env.live's environment when
    // it changed. What a reload cannot change (tables' sizes, reassembly) stays as built.
    void on_quiescent(Lcore& l) noexcept;

    // The full path for one frame (no fast path), for stages that hand frames over.
    void handle(rte_mbuf* m, std::uint16_t port, Lcore& l) noexcept;

    const icmp::Reassembler& reassembler() const noexcept { return reasm_; }
    // The per-destination rate-limit tables (their evictions are read by the reports).
    const icmp::RateLimiter& limiter() const noexcept { return limiter_; }
    // This lcore's security insight (null: --no-insight). Its alert queue is drained and its
    // board read by the control lcore; the tracker itself only here.
    insight::Tracker* tracker() noexcept { return tracker_.get(); }
    const SourceBoard& board() const noexcept { return board_; }

private:
    // The per-port contexts and the fast path's policy, from env_.
    void bind() noexcept;
    void publish_sources(std::uint64_t now_ns) noexcept;
    static constexpr std::uint64_t board_interval_ns = 1'000'000'000;
    // The full path of one single-segment frame, with the burst's context of its port.
    void slow_path(rte_mbuf* m, std::uint16_t port, icmp::HostContext& ctx, Lcore& l) noexcept;
    icmp::HostContext& context(std::uint16_t port, const Lcore& l) noexcept;
    // host_fragments.cc
    void on_fragment(rte_mbuf* m, const icmp::Verdict& v, std::uint16_t port,
                     icmp::HostContext& ctx, Lcore& l) noexcept;
    void expire_fragments(Lcore& l) noexcept;
    void send_datagram(std::uint16_t port, wire::ConstBytes frame, std::size_t l2_len,
                       icmp::Reply kind, Lcore& l) noexcept;
    // host_stage.cc
    void send_error(std::uint16_t port, const icmp::ErrorPlan& plan,
                    std::span<const wire::ConstBytes> quote, Lcore& l) noexcept;
    void send_reply(std::uint16_t port, rte_mbuf* m, icmp::Reply kind, Lcore& l) noexcept;
    void count_reply(std::uint16_t port, icmp::Reply kind) noexcept;
    // An answer a fast path built in place: len is its frame length.
    void answer_fast(rte_mbuf* m, std::uint16_t port, std::size_t len, Lcore& l) noexcept;
    // host_forward.cc (router mode)
    void forward(rte_mbuf* m, const icmp::Verdict& v, std::uint16_t port,
                 const icmp::HostContext& ctx, Lcore& l) noexcept;
    icmp::Route route_for(bool v6, wire::ConstBytes l3) const noexcept;
    icmp::Route route_of(std::uint32_t nh) const noexcept;
    // A packet accepted for forwarding (counted forwarded on ingress): out now when its next
    // hop is known, else into the waiting queue.
    void send_forward(rte_mbuf* m, std::uint16_t ingress, std::uint16_t egress, bool v6,
                      bool fragment_needed, const wire::Ipv6Addr& next_hop, Lcore& l) noexcept;
    // The fast forwarding path of a burst: one bulk FIB lookup, then forward4/6_apply.
    // Dst: std::uint32_t (IPv4, host order) or std::uint8_t[16] (IPv6, as on the wire).
    template <bool V6, class Dst>
    void forward_fast(rte_mbuf** ms, const Dst* dst, unsigned n, std::uint16_t port,
                      icmp::HostContext& ctx, Lcore& l) noexcept;
    // The fast echo answers of a burst, counted once as host_input counts each.
    void count_fast_echo(std::uint16_t port, bool v6, unsigned n) noexcept;
    bool transmit_forward(rte_mbuf* m, const Pending& p, Lcore& l) noexcept;
    void unreachable(rte_mbuf* m, const Pending& p, Lcore& l) noexcept;
    void sweep_pending(Lcore& l) noexcept;
    void post_learn(std::uint16_t port, const icmp::Sighting& s) noexcept;
    void post_want(std::uint16_t port, bool v6, const wire::Ipv6Addr& addr,
                   std::uint64_t now_ns) noexcept;

    HostEnv env_;
    const HostEnv* adopted_ = nullptr;  // the env.live environment env_ holds, if any
    icmp::FastPolicy fast_;
    LcoreHost* counters_;
    icmp::RateLimiter limiter_;
    icmp::Reassembler reasm_;
    std::array<icmp::HostContext, route::max_ports> ctx_{};  // per port, set up at start
    // The contexts' slots: the plan of the ICMP error a handler says to send, and the
    // neighbour it saw; read right after the handler returns.
    icmp::ErrorPlan plan_;
    icmp::Sighting sighting_;
    std::uint16_t ip_ident_ = 0;
    std::uint32_t ip6_ident_ = 0;
    std::uint64_t next_expire_ns_ = 0;
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
    // Security insight: every received frame is shown to the tracker; once a second its most
    // active sources are published on the board for telemetry.
    std::unique_ptr<insight::Tracker> tracker_;
    SourceBoard board_;
    std::uint64_t next_board_ns_ = 0;
};

}  // namespace pw::pipeline
