#include "lib/pipeline/host_stage.hh"

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <cstring>

#include "lib/icmp/host_input.hh"
#include "lib/pipeline/mbuf_bytes.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::pipeline {

namespace {

constexpr unsigned prefetch_ahead = 3;
// Where the classification of a burst looks (untagged Ethernet).
constexpr std::size_t ethertype_at = 12;
constexpr std::size_t v4_dst_at = wire::eth::header_len + wire::ipv4::field::dst;
constexpr std::size_t v6_dst_at = wire::eth::header_len + wire::ipv6::field::dst;
constexpr std::size_t v6_dst_end = v6_dst_at + 16;  // also past the IPv4 destination

// What an answer built in place is, for the Out counters: an IP datagram (ARP is none), of
// which family, carrying which ICMP message or a TCP reset.
struct OutType {
    bool icmp = false;
    bool v6 = false;
    std::uint8_t type = 0;
    bool ip = true;
    bool tcp = false;
};

constexpr OutType out_type_of(icmp::Reply r) noexcept {
    using icmp::Reply;
    switch (r) {
        case Reply::echo4_reply:
            return {true, false, wire::icmpv4::echo_reply};
        case Reply::echo6_reply:
            return {true, true, wire::icmpv6::echo_reply};
        case Reply::nd_advert:
            return {true, true, wire::icmpv6::neighbor_advertisement};
        case Reply::timestamp_reply:
            return {true, false, wire::icmpv4::timestamp_reply};
        case Reply::probe4_reply:
            return {true, false, 43};  // RFC 8335 Extended Echo Reply
        case Reply::probe6_reply:
            return {true, true, 161};
        case Reply::tcp4_reset:
            return {false, false, 0, true, true};
        case Reply::tcp6_reset:
            return {false, true, 0, true, true};
        case Reply::arp_reply:
        case Reply::count_:
            break;
    }
    return {false, false, 0, false, false};
}

}  // namespace

HostStage::HostStage(const HostEnv& env, LcoreHost& counters, unsigned index)
    : env_(env), counters_(&counters) {
    limiter_.configure(env.rate, env.global_bucket, 0x9e3779b97f4a7c15ULL * (index + 1));
    reasm_.configure(env.reassembly);
    // Fragment identifications: the worker index in the top bits keeps workers apart.
    ip6_ident_ = static_cast<std::uint32_t>(index) << 24;
    ip_ident_ = static_cast<std::uint16_t>(index << 12);
    for (std::uint16_t port = 0; port < route::max_ports; ++port) {
        icmp::HostContext& c = ctx_[port];
        c.limiter = &limiter_;
        c.stats = &counters_->port[port].icmp;
        c.ip_ident = &ip_ident_;
        c.plan = &plan_;  // one packet at a time: one slot of each for every port
        c.sighting = &sighting_;
        c.vlan_counters = counters_->vlan.data();
        c.respond_counters = counters_->respond.data();
    }
    if (env.insight != nullptr && env.insight->enabled) {
        tracker_ = std::make_unique<insight::Tracker>(*env.insight);
        // Each worker its own admission draws (a source refused by one is not by all).
        tracker_->seed(rte_get_tsc_cycles() ^ (0x9e3779b97f4a7c15ULL * (index + 1)));
    }
    bind();
}

void HostStage::bind() noexcept {
    fast_ = icmp::make_fast_policy(*env_.policy, env_.rate, env_.router != nullptr);
    fast_.respond = counters_->respond.data();  // --respond prefixes' echo answers
    // Facts fixed until the next reload, per port: the context each burst of that port starts
    // from.
    for (std::uint16_t port = 0; port < route::max_ports; ++port) {
        icmp::HostContext& c = ctx_[port];
        c.iface = env_.interfaces->find(port);
        c.policy = env_.policy;
        c.probe_ifaces = env_.probe_ifaces;
        c.router = env_.router;
        c.learns_neighbours = env_.router != nullptr || env_.neigh_events != nullptr;
        c.ext_v4 = env_.ext_v4 != nullptr ? &env_.ext_v4[port] : nullptr;
        c.ext_v6 = env_.ext_v6 != nullptr ? &env_.ext_v6[port] : nullptr;
    }
}

void HostStage::on_quiescent(Lcore&) noexcept {
    if (env_.live == nullptr) return;
    const HostEnv* now = env_.live->load(std::memory_order_acquire);
    if (now == adopted_ || now == nullptr) return;
    const auto* live = env_.live;
    env_ = *now;
    env_.live = live;
    adopted_ = now;
    // The new limits; the tables (sized at start) and what they learnt stay.
    limiter_.retune(env_.rate, env_.global_bucket);
    if (tracker_ && env_.insight != nullptr) tracker_->retune(*env_.insight);
    bind();
}

icmp::HostContext& HostStage::context(std::uint16_t port, const Lcore& l) noexcept {
    icmp::HostContext& c = ctx_[port];
    c.now_ns = l.now_ns();
    c.utc_ms_of_day =
        static_cast<std::uint32_t>((env_.utc_ms_at_start + l.now_ns() / 1'000'000U) % 86'400'000U);
    return c;
}

void HostStage::send_error(std::uint16_t port, const icmp::ErrorPlan& plan,
                           std::span<const wire::ConstBytes> quote, Lcore& l) noexcept {
    HostCounters& hc = counters_->port[port];
    rte_mbuf* m = rte_pktmbuf_alloc(l.pool());
    const auto len = static_cast<std::uint32_t>(plan.frame_len());
    char* p = m != nullptr ? rte_pktmbuf_append(m, static_cast<std::uint16_t>(len)) : nullptr;
    if (p == nullptr) {  // no mbuf (or, impossible with the default data room, no room)
        if (m != nullptr) rte_pktmbuf_free(m);
        hc.icmp.count_outcome(plan.v6, icmp::ErrorOutcome::no_mbuf);
        ++(plan.v6 ? hc.icmp.v6 : hc.icmp.v4).out_errors;
        ++hc.generated_failed;
        return;
    }
    icmp::emit_error({reinterpret_cast<std::byte*>(p), len}, plan, quote);
    hc.icmp.count_outcome(plan.v6, icmp::ErrorOutcome::sent);
    (plan.v6 ? hc.icmp.v6 : hc.icmp.v4).count_out(plan.spec.type);
    ++hc.icmp.ip(plan.v6)[icmp::IpCounter::out_requests];
    l.send(port, m, TxKind::generated);
}

// Inlined into on_burst: it runs once per fast answer.
[[gnu::always_inline]] inline void HostStage::answer_fast(rte_mbuf* m, std::uint16_t port,
                                                          std::size_t len, Lcore& l) noexcept {
    set_frame_len(m, static_cast<std::uint32_t>(len));
    m->ol_flags = 0;
    l.send(port, m, TxKind::reply);
}

void HostStage::count_reply(std::uint16_t port, icmp::Reply kind) noexcept {
    HostCounters& hc = counters_->port[port];
    ++hc.replies[static_cast<std::size_t>(kind)];
    const OutType t = out_type_of(kind);
    if (t.icmp) (t.v6 ? hc.icmp.v6 : hc.icmp.v4).count_out(t.type);
    if (t.ip) ++hc.icmp.ip(t.v6)[icmp::IpCounter::out_requests];
    if (t.tcp) {
        ++hc.icmp.tcp[icmp::TcpCounter::out_segs];
        ++hc.icmp.tcp[icmp::TcpCounter::out_rsts];
    }
}

void HostStage::send_reply(std::uint16_t port, rte_mbuf* m, icmp::Reply kind, Lcore& l) noexcept {
    count_reply(port, kind);
    m->ol_flags = 0;
    l.send(port, m, TxKind::reply);
}

void HostStage::slow_path(rte_mbuf* m, std::uint16_t port, icmp::HostContext& ctx,
                          Lcore& l) noexcept {
    using icmp::Next;
    const icmp::Verdict v = icmp::host_input(frame_room(m), m->data_len, ctx);
    if (v.sighted) post_learn(port, *ctx.sighting);
    switch (v.next) {
        case Next::route:
            forward(m, v, port, ctx, l);
            return;
        case Next::reply:
            set_frame_len(m, v.len);
            send_reply(port, m, v.kind, l);
            return;
        case Next::reassemble:
            on_fragment(m, v, port, ctx, l);
            return;
        case Next::error:
            if (v.error_to_send()) {
                const wire::ConstBytes seg[1] = {
                    wire::ConstBytes{rte_pktmbuf_mtod(m, const std::byte*), m->data_len}.subspan(
                        v.l3_from)};
                send_error(port, *ctx.plan, seg, l);
            }
            break;
        case Next::drop:
        case Next::forward:  // only ip4_forward / ip6_forward go there
        case Next::count_:
            break;
    }
    l.drop(port, m, v.drop);
}

void HostStage::handle(rte_mbuf* m, std::uint16_t port, Lcore& l) noexcept {
    // Handlers read contiguous bytes: a chained frame is copied into its first segment when
    // it fits there, else dropped and counted.
    if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
        l.drop(port, m, wire::Drop::multi_segment);
        return;
    }
    slow_path(m, port, context(port, l), l);
}

void HostStage::on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept {
    const std::uint16_t port = q.port;
    icmp::HostContext& ctx = context(port, l);
    if (ctx.iface == nullptr) {  // a port the stage was not given: nothing here is ours
        for (std::uint16_t i = 0; i < n; ++i) l.drop(port, pkts[i], wire::Drop::not_our_mac);
        return;
    }
    const net::Iface& iface = *ctx.iface;
    // Per burst: the packets for the bulk FIB lookups, and the counts of fast answers.
    rte_mbuf* fwd4[burst_size];
    std::uint32_t dst4[burst_size];
    rte_mbuf* fwd6[burst_size];
    std::uint8_t dst6[burst_size][16];
    unsigned n4 = 0, n6 = 0, echo4 = 0, echo6 = 0;

    for (unsigned i = 0; i < prefetch_ahead && i < n; ++i)
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    for (std::uint16_t i = 0; i < n; ++i) {
        if (i + prefetch_ahead < n)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + prefetch_ahead], void*));
        rte_mbuf* m = pkts[i];
        // Security insight sees every frame as it arrived, before any answer rewrites it.
        if (tracker_)
            tracker_->observe({rte_pktmbuf_mtod(m, const std::byte*), m->data_len}, ctx.now_ns);
        if (m->nb_segs == 1) {
            // Per packet, one look at EtherType and destination picks the one fast path that
            // may take it: an echo to us, or (router mode) a packet to forward.
            const wire::Bytes frame{rte_pktmbuf_mtod(m, std::byte*), m->data_len};
            const std::uint16_t type =
                frame.size() >= v6_dst_end ? wire::load16(frame, ethertype_at) : 0;
            if (type == wire::eth::type_ipv4) {
                if (!fast_.router || iface.owns_v4_u32(wire::load32(frame, v4_dst_at))) {
                    if (const std::size_t len = icmp::echo4_fast(frame, iface, fast_)) {
                        answer_fast(m, port, len, l);
                        ++echo4;
                        continue;
                    }
                } else if (icmp::forward4_check(frame, ctx, fast_, dst4[n4])) {
                    fwd4[n4++] = m;
                    continue;
                }
            } else if (type == wire::eth::type_ipv6) {
                const auto dst = wire::load_bytes<wire::Ipv6Addr>(frame, v6_dst_at);
                if (!fast_.router || iface.owns_v6(dst)) {
                    if (const std::size_t len = icmp::echo6_fast(frame, iface, fast_)) {
                        answer_fast(m, port, len, l);
                        ++echo6;
                        continue;
                    }
                } else if (wire::Ipv6Addr d6; icmp::forward6_check(frame, ctx, fast_, d6)) {
                    std::memcpy(dst6[n6], d6.bytes.data(), 16);
                    fwd6[n6++] = m;
                    continue;
                }
            }
        } else if (rte_pktmbuf_linearize(m) != 0) {
            // Handlers read contiguous bytes: a chained frame is copied into its first segment
            // when it fits there, else dropped and counted.
            l.drop(port, m, wire::Drop::multi_segment);
            continue;
        }
        slow_path(m, port, ctx, l);
    }
    if (n4 != 0) forward_fast<false>(fwd4, dst4, n4, port, ctx, l);
    if (n6 != 0) forward_fast<true>(fwd6, dst6, n6, port, ctx, l);
    if (echo4 != 0) count_fast_echo(port, false, echo4);
    if (echo6 != 0) count_fast_echo(port, true, echo6);
}

// As host_input's path counts each answer: Ip InReceives and InDelivers, Icmp InMsgs and
// InType8 (Icmp6 InType128), the reply event, OutMsgs and OutType0 (129), Ip OutRequests.
void HostStage::count_fast_echo(std::uint16_t port, bool v6, unsigned n) noexcept {
    HostCounters& hc = counters_->port[port];
    icmp::IpMib& ip = hc.icmp.ip(v6);
    ip[icmp::IpCounter::in_receives] += n;
    ip[icmp::IpCounter::in_delivers] += n;
    ip[icmp::IpCounter::out_requests] += n;
    icmp::IcmpMib& mib = v6 ? hc.icmp.v6 : hc.icmp.v4;
    hc.replies[static_cast<std::size_t>(v6 ? icmp::Reply::echo6_reply
                                           : icmp::Reply::echo4_reply)] += n;
    mib.in_msgs += n;
    mib.in_type[v6 ? wire::icmpv6::echo_request : wire::icmpv4::echo_request] += n;
    mib.out_msgs += n;
    mib.out_type[v6 ? wire::icmpv6::echo_reply : wire::icmpv4::echo_reply] += n;
}

void HostStage::on_tick(Lcore& l) noexcept {
    if (pending_.size() != 0) sweep_pending(l);
    if (reasm_.in_use() != 0) expire_fragments(l);
    if (tracker_ && l.now_ns() >= next_board_ns_) publish_sources(l.now_ns());
}

// Once a second: the tracker's most active sources and its counters, for the control lcore.
void HostStage::publish_sources(std::uint64_t now_ns) noexcept {
    next_board_ns_ = now_ns + board_interval_ns;
    SourcePage& page = board_.begin_write();
    page.n = tracker_->snapshot(page.sources, now_ns);
    page.tracked = tracker_->tracked_now();
    page.capacity = tracker_->capacity();
    page.counters = tracker_->counters();
    page.alerts_lost = tracker_->alerts().lost();
    page.at_ns = now_ns;
    board_.end_write();
}

void HostStage::on_stop(Lcore& l) noexcept {
    if (tracker_) publish_sources(l.now_ns());  // the last word, for the exit summary
    // Packets still waiting for a next hop at exit are freed and counted, never leaked.
    pending_.sweep([this](const Pending& p) {
        ++counters_->port[p.egress].fwd_failed;
        rte_pktmbuf_free(p.m);
        return true;
    });
}

}  // namespace pw::pipeline
