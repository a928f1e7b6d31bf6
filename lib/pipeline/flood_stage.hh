// The flood stage: pingwire-flood's work on one worker lcore. TX-driven: every round of the
// loop (on_tick) it sends the probes its pacer says are due, built from a prepared frame
// (gen::ProbeWriter) with a stamp; every burst received (on_burst) is classified
// (gen::parse_reply): answers to our probes are matched and counted (gen::Accounting), the
// rest (ARP, NDP, requests to our addresses) goes to the host stage it holds, which answers
// them as pingwire-responder would. Nothing of the runtime's loop is copied.
//
// Targets are split between lcores by position in the run's order (position p belongs to
// lcore p % lcores), so each target has one sending lcore, and the rate by the pacer's
// shares, so the split is exact. Each lcore sends with its own ICMP identifier (and TCP/UDP
// source port): an answer names its sender, and duplicates are found in that sender's window.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lib/gen/accounting.hh"
#include "lib/gen/pacer.hh"
#include "lib/gen/permutation.hh"
#include "lib/gen/pmtu.hh"
#include "lib/gen/probe.hh"
#include "lib/gen/targets.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/runtime.hh"

struct rte_ring;

namespace pw::pipeline {

enum class FloodPhase : std::uint8_t {
    resolving,  // the control lcore resolves next hops; the stages only answer ARP / NDP
    sending,    // probes go out from start_ns
    finishing,  // no more probes: answers are still counted
};

// Where a target's probes leave: the port and the next hop's MAC. ok false: its next hop did
// not resolve, it is skipped.
struct TargetHop {
    wire::MacAddr mac;
    std::uint8_t port = 0;
    bool ok = false;
};

// The source addresses of one port (probes and answers).
struct FloodSource {
    bool has_v4 = false;
    bool has_v6 = false;
    wire::Ipv4Addr v4;
    wire::Ipv6Addr v6;
};

struct FloodEnv {
    const gen::TargetSet* targets = nullptr;
    std::span<gen::TargetStats> stats;  // one per target
    std::span<const TargetHop> hops;    // one per target
    std::array<FloodSource, route::max_ports> sources{};
    gen::Permutation order;
    std::vector<gen::ProbeKind> kinds{gen::ProbeKind::echo};  // each target gets one of each
    std::uint16_t tcp_port = 80;
    std::uint16_t udp_port = 33434;
    std::uint32_t count = 0;        // probes per target and kind; 0: unbounded
    std::uint64_t duration_ns = 0;  // 0: no limit
    std::uint64_t rate = 0;         // probes per second over all lcores; 0: as fast as TX takes
    unsigned lcores = 1;
    std::uint32_t magic = 0;
    std::uint16_t ident_base = 0;     // lcore w: ICMP identifier ident_base + w
    std::uint16_t port_base = 40000;  // lcore w: TCP / UDP source port port_base + w
    std::uint16_t size_lo = 56;       // ICMP / UDP data bytes
    std::uint16_t size_hi = 56;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0;
    bool df = false;
    gen::Pattern pattern;
    std::uint64_t timeout_ns = 1'000'000'000;  // answers slower than this are late
    bool pmtu = false;                         // path MTU search toward target 0 (lcore 0)
    std::uint16_t pmtu_max = 1500;             // the port MTU
    unsigned pmtu_probes = 3;                  // probes per step
    rte_ring* anomalies = nullptr;  // answers worth a look (MP ring of mbufs); null: none
    const std::atomic<FloodPhase>* phase = nullptr;
    const std::atomic<std::uint64_t>* start_ns = nullptr;  // valid once phase is sending
};

// What one lcore did, beside the base counters. Written by its lcore only.
struct alignas(64) FloodCounters {
    std::uint64_t probes = 0;      // accepted by the TX queue
    std::uint64_t tx_refused = 0;  // probes the TX queue refused (built again, retried)
    std::uint64_t no_mbuf = 0;     // rounds short of mbufs
    std::uint64_t unresolved =
        0;                       // slots skipped: next hop unresolved, timestamp to IPv6, too large
    std::uint64_t rst_sent = 0;  // RSTs for SYN-ACKs
    std::uint64_t captured = 0;  // answers handed to the capture
    std::uint64_t capture_full = 0;  // answers the capture ring had no room for
    std::uint64_t first_tx_ns = 0;   // when its first probe left (0: none yet)
    std::uint64_t last_tx_ns = 0;    // when its last probe left
    std::atomic<bool> done{false};   // sent all it owes (or its time is up)
};

class FloodStage {
public:
    // env and its tables, and counters, outlive the stage. Allocates (the host stage's tables,
    // the accounting's windows, the prepared frames): control path; throws std::bad_alloc.
    FloodStage(const FloodEnv& env, const HostEnv& host, LcoreHost& host_counters,
               FloodCounters& counters, unsigned index);

    void on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept;
    void on_tick(Lcore& l) noexcept;
    void on_stop(Lcore& l) noexcept;

    // Read by the control lcore (relaxed: figures of a running lcore, exact at the end).
    const gen::Accounting& accounting() const noexcept { return acct_; }
    const gen::PmtuSearch& pmtu() const noexcept { return pmtu_; }
    bool pmtu_done() const noexcept { return pmtu_done_.load(std::memory_order_acquire); }

private:
    // The i-th probe of this lcore: its target and kind; nullopt past the end of its share.
    struct Slot {
        std::uint64_t target = 0;
        gen::ProbeKind kind = gen::ProbeKind::echo;
        std::uint32_t round = 0;
    };
    std::optional<Slot> slot(std::uint64_t i) const noexcept;
    void send_due(Lcore& l) noexcept;
    // Builds the probe of slot s into m; false if the frame does not fit.
    bool build(rte_mbuf* m, const Slot& s, std::uint16_t data_len, std::uint64_t seq,
               std::uint64_t tsc) noexcept;
    std::uint16_t data_len_of(std::uint64_t seq) const noexcept;
    // One answer: counted, and kept for the capture when it is an anomaly.
    void take(rte_mbuf* m, std::uint16_t port, const gen::Reply& r, Lcore& l) noexcept;
    void answer_synack(std::uint16_t port, const rte_mbuf* m, Lcore& l) noexcept;
    void pmtu_tick(Lcore& l) noexcept;
    void pmtu_reply(const gen::Reply& r, std::uint64_t rx_tsc, const Lcore& l) noexcept;
    std::uint64_t rtt_ns(std::uint64_t tx_tsc, const Lcore& l) const noexcept;

    FloodEnv env_;
    HostStage host_;
    FloodCounters* counters_;
    unsigned index_;
    gen::Accounting acct_;
    gen::Pacer pacer_;
    bool started_ = false;
    std::uint64_t positions_ = 0;  // targets this lcore owns
    std::uint64_t owed_ = 0;       // probes it owes (0: unbounded)
    std::uint64_t next_ = 0;       // its next probe (slot index)
    std::uint64_t seq_ = 0;        // its sequence number: one per probe sent
    std::uint64_t end_ns_ = 0;     // --duration: when sending stops (0: never)
    // Prepared frames per port and family, for echo and udp at the fixed size.
    std::array<std::array<gen::ProbeWriter, 2>, route::max_ports> echo_{};
    std::array<std::array<gen::ProbeWriter, 2>, route::max_ports> udp_{};
    std::array<std::array<gen::ProbeTemplate, 2>, route::max_ports> tmpl_{};
    bool fixed_size_ = true;
    std::array<wire::MacAddr, route::max_ports> macs_{};
    std::uint64_t only_target_ = 0;       // the first position's target (slot's fast case)
    std::uint64_t cached_index_ = ~0ULL;  // build(): the last target looked up
    gen::Target cached_target_;

    // --pmtu (lcore 0)
    gen::PmtuSearch pmtu_{false, 1500};
    std::atomic<bool> pmtu_done_{false};
    unsigned pmtu_size_ = 0;  // size of the step's probes (0: none in flight)
    std::uint64_t pmtu_deadline_ = 0;
    bool pmtu_answered_ = false;
    bool pmtu_too_big_ = false;
    unsigned pmtu_mtu_ = 0;
    wire::Ipv6Addr pmtu_from_;
};

}  // namespace pw::pipeline
