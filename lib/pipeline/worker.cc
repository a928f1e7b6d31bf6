#include "lib/pipeline/worker.hh"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <cstring>

#include "lib/icmp/fragment.hh"
#include "lib/icmp/host_input.hh"
#include "lib/pipeline/mbuf_bytes.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::pipeline {

namespace {

constexpr unsigned prefetch_ahead = 3;
// How often the reassembly table is scanned for timed-out datagrams.
constexpr std::uint64_t expire_every_ns = 10'000'000;

// The ICMP message an answer built in place carries, for the Out counters.
TxTag tag_of(icmp::Reply r) noexcept {
    using icmp::Reply;
    switch (r) {
        case Reply::echo4_reply:
            return {false, true, false, wire::icmpv4::echo_reply};
        case Reply::echo6_reply:
            return {false, true, true, wire::icmpv6::echo_reply};
        case Reply::nd_advert:
            return {false, true, true, wire::icmpv6::neighbor_advertisement};
        case Reply::timestamp_reply:
            return {false, true, false, wire::icmpv4::timestamp_reply};
        case Reply::probe4_reply:
            return {false, true, false, 43};
        case Reply::probe6_reply:
            return {false, true, true, 161};
        case Reply::arp_reply:
        case Reply::count_:
            break;
    }
    return {};
}

}  // namespace

Worker::Worker(const WorkerConfig& cfg, const WorkerEnv& env, LcoreCounters& counters,
               unsigned index)
    : env_(env), counters_(&counters) {
    for (const auto& q : cfg.rx) {
        if (n_rx_ == rx_.size()) break;
        rx_[n_rx_++] = q;
        if (q.port < tx_queue_of_port_.size()) tx_queue_of_port_[q.port] = q.tx_queue;
    }
    from_control_ = cfg.from_control;
    limiter_.configure(env.rate, env.global_bucket, 0x9e3779b97f4a7c15ULL * (index + 1));
    reasm_.configure(env.reassembly);
    // IPv6 fragment identifications: the worker index in the top byte keeps workers apart.
    ip6_ident_ = static_cast<std::uint32_t>(index) << 24;
    ip_ident_ = static_cast<std::uint16_t>(index << 12);
    update_clock();
}

void Worker::update_clock() noexcept {
    const std::uint64_t hz = env_.tsc_hz != 0 ? env_.tsc_hz : rte_get_tsc_hz();
    const std::uint64_t dt = rte_get_tsc_cycles() - env_.tsc_at_start;
    // Split so the product cannot overflow: (dt % hz) * 1e9 < hz * 1e9 < 2^64 below 18 GHz.
    now_ns_ = dt / hz * 1'000'000'000U + dt % hz * 1'000'000'000U / hz;
    utc_ms_of_day_ =
        static_cast<std::uint32_t>((env_.utc_ms_at_start + now_ns_ / 1'000'000U) % 86'400'000U);
}

icmp::HostContext Worker::context(std::uint16_t port) noexcept {
    icmp::HostContext ctx;
    ctx.iface = env_.interfaces->find(port);
    ctx.policy = env_.policy;
    ctx.limiter = &limiter_;
    ctx.stats = &counters_->port[port].icmp;
    ctx.now_ns = now_ns_;
    ctx.utc_ms_of_day = utc_ms_of_day_;
    ctx.ip_ident = &ip_ident_;
    ctx.probe_ifaces = env_.probe_ifaces;
    ctx.router = env_.router;
    if (env_.ext_v4 != nullptr) ctx.ext_v4 = &env_.ext_v4[port];
    if (env_.ext_v6 != nullptr) ctx.ext_v6 = &env_.ext_v6[port];
    return ctx;
}

void Worker::send_error(std::uint16_t port, const icmp::ErrorPlan& plan,
                        std::span<const wire::ConstBytes> quote) noexcept {
    icmp::IcmpStats& st = counters_->port[port].icmp;
    rte_mbuf* m = rte_pktmbuf_alloc(env_.pool);
    if (m == nullptr) {
        st.count_outcome(plan.v6, icmp::ErrorOutcome::no_mbuf);
        ++counters_->port[port].generated_failed;
        return;
    }
    const auto len = static_cast<std::uint32_t>(plan.frame_len());
    char* p = rte_pktmbuf_append(m, static_cast<std::uint16_t>(len));
    if (p == nullptr) {  // cannot happen with the default data room; counted, not leaked
        rte_pktmbuf_free(m);
        st.count_outcome(plan.v6, icmp::ErrorOutcome::no_mbuf);
        ++counters_->port[port].generated_failed;
        return;
    }
    icmp::emit_error({reinterpret_cast<std::byte*>(p), len}, plan, quote);
    st.count_outcome(plan.v6, icmp::ErrorOutcome::sent);
    tx_.add(port, tx_queue_of_port_[port], m, {true, true, plan.v6, plan.spec.type}, *counters_);
}

void Worker::send_datagram(std::uint16_t port, wire::ConstBytes frame, std::size_t l2_len,
                           TxTag tag) noexcept {
    PortCounters& pc = counters_->port[port];
    const net::Iface* iface = env_.interfaces->find(port);
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    const bool v6 = wire::load16(frame, l2_len - 2) == wire::eth::type_ipv6;
    const std::uint16_t mtu = iface->mtu;
    tag.generated = true;
    if (l3.size() <= mtu) {
        rte_mbuf* m = rte_pktmbuf_alloc(env_.pool);
        char* p = m != nullptr ? rte_pktmbuf_append(m, static_cast<std::uint16_t>(frame.size()))
                               : nullptr;
        if (p == nullptr) {
            if (m != nullptr) rte_pktmbuf_free(m);
            ++pc.generated_failed;
            return;
        }
        std::memcpy(p, frame.data(), frame.size());
        tx_.add(port, tx_queue_of_port_[port], m, tag, *counters_);
        return;
    }
    // Larger than the port MTU: we are its source, so we fragment it (RFC 791 3.2, RFC 8200
    // 4.5), each fragment in its own mbuf behind a copy of the L2 header.
    const std::uint32_t ident = ip6_ident_++;
    const std::size_t n = v6 ? icmp::fragment_count_v6(l3, mtu) : icmp::fragment_count_v4(l3, mtu);
    for (std::size_t i = 0; i < n; ++i) {
        rte_mbuf* m = rte_pktmbuf_alloc(env_.pool);
        if (m == nullptr) {
            pc.generated_failed += n - i;
            return;
        }
        const wire::Bytes room = frame_room(m);
        std::memcpy(room.data(), frame.data(), l2_len);
        const wire::Bytes out = room.subspan(l2_len);
        const std::size_t len = v6 ? icmp::emit_fragment_v6(out, l3, mtu, ident, i)
                                   : icmp::emit_fragment_v4(out, l3, mtu, i);
        set_frame_len(m, static_cast<std::uint32_t>(l2_len + len));
        TxTag t = tag;
        t.icmp = tag.icmp && i == 0;  // one ICMP message, however many fragments
        tx_.add(port, tx_queue_of_port_[port], m, t, *counters_);
    }
}

void Worker::on_fragment(rte_mbuf* m, const icmp::Verdict& v, const RxQueue& q,
                         icmp::HostContext& ctx) noexcept {
    PortCounters& pc = counters_->port[q.port];
    const wire::ConstBytes frame{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
    const wire::ConstBytes l2 = frame.first(v.l3_from);
    wire::ConstBytes l3 = frame.subspan(v.l3_from);
    // The handler validated the header; the datagram ends where its length field says.
    l3 =
        l3.first(v.v6 ? wire::ipv6::header_len + wire::load16(l3, wire::ipv6::field::payload_length)
                      : wire::load16(l3, wire::ipv4::field::total_length));
    const auto r = v.v6 ? reasm_.insert_v6(l2, l3, v.up, q.port, now_ns_)
                        : reasm_.insert_v4(l2, l3, q.port, now_ns_);
    if (r.dropped()) {
        ++pc.drops[static_cast<std::size_t>(r.reason)];
        if (r.param_problem) {
            // RFC 8200 4.5: a fragment of bad length, or one reaching past 65535 bytes, owes
            // a Parameter Problem code 0 pointing at the offending field.
            const icmp::Invoking in{wire::load_bytes<wire::MacAddr>(l2, 6),
                                    wire::load_bytes<wire::MacAddr>(l2, 0), l3, l3.size()};
            icmp::ErrorContext ec;
            ec.iface = ctx.iface;
            ec.config = &ctx.policy->errors;
            ec.limiter = &limiter_;
            ec.now_ns = now_ns_;
            const auto d =
                icmp::plan_error_v6(in, {wire::icmpv6::parameter_problem, 0, r.pointer}, ec);
            if (d.outcome == icmp::ErrorOutcome::sent) {
                const wire::ConstBytes seg[1] = {l3};
                send_error(q.port, d.plan, seg);
            } else {
                pc.icmp.count_outcome(true, d.outcome);
            }
        }
        rte_pktmbuf_free(m);
        return;
    }
    ++pc.held;
    rte_pktmbuf_free(m);  // the reassembler copied what it needs
    if (!r.complete()) return;

    ++pc.datagrams;
    const wire::Bytes room{r.frame.data(), r.frame.size() + icmp::Reassembler::tail_room};
    const icmp::Verdict dv = icmp::host_input_reassembled(room, r.frame.size(), r.l2_len, ctx);
    if (dv.reply) {
        ++pc.replies[static_cast<std::size_t>(dv.kind)];
        send_datagram(q.port, wire::ConstBytes{room.data(), dv.len}, r.l2_len, tag_of(dv.kind));
        return;
    }
    ++pc.datagram_drops[static_cast<std::size_t>(dv.drop)];
    if (dv.error_to_send()) {
        const wire::ConstBytes seg[1] = {wire::ConstBytes{r.frame}.subspan(dv.quote_from)};
        send_error(q.port, dv.plan, seg);
    }
}

void Worker::expire_fragments() noexcept {
    reasm_.expire(now_ns_, [this](const icmp::Reassembler::Expired& e) {
        if (!e.have_first || e.l2.size() < wire::eth::header_len) return;
        // RFC 792 (code 1) and RFC 8200 4.5: the first fragment arrived but the datagram did
        // not complete in time: Time Exceeded, fragment reassembly time exceeded, quoting the
        // first fragment, to its source.
        const icmp::HostContext ctx = context(e.port);
        std::byte head[256];
        const std::size_t n =
            icmp::copy_from_segments(e.first_fragment, 0, wire::Bytes{head, sizeof head});
        const icmp::Invoking in{wire::load_bytes<wire::MacAddr>(e.l2, 6),
                                wire::load_bytes<wire::MacAddr>(e.l2, 0), wire::ConstBytes{head, n},
                                e.first_len};
        std::uint16_t ident = ip_ident_++;
        icmp::ErrorContext ec;
        ec.iface = ctx.iface;
        ec.config = &ctx.policy->errors;
        ec.limiter = &limiter_;
        ec.now_ns = now_ns_;
        ec.ident = ident;
        ec.ext = e.v6 ? ctx.ext_v6 : ctx.ext_v4;
        const auto d = e.v6 ? icmp::plan_error_v6(in, {wire::icmpv6::time_exceeded, 1, 0}, ec)
                            : icmp::plan_error_v4(in, {wire::icmpv4::time_exceeded, 1, 0}, ec);
        if (d.outcome == icmp::ErrorOutcome::sent)
            send_error(e.port, d.plan, e.first_fragment);
        else
            counters_->port[e.port].icmp.count_outcome(e.v6, d.outcome);
    });
}

unsigned Worker::poll_queue(const RxQueue& q) noexcept {
    rte_mbuf* pkts[burst_size];
    const std::uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, burst_size);
    if (n == 0) return 0;
    PortCounters& pc = counters_->port[q.port];
    pc.rx += n;
    update_clock();
    icmp::HostContext ctx = context(q.port);

    for (unsigned i = 0; i < prefetch_ahead && i < n; ++i)
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    for (std::uint16_t i = 0; i < n; ++i) {
        if (i + prefetch_ahead < n)
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + prefetch_ahead], void*));
        rte_mbuf* m = pkts[i];
        // Handlers read contiguous bytes: a chained frame is copied into its first segment
        // when it fits there, else dropped and counted.
        if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
            ++pc.drops[static_cast<std::size_t>(wire::Drop::multi_segment)];
            rte_pktmbuf_free(m);
            continue;
        }
        const icmp::Verdict v = icmp::host_input(frame_room(m), m->data_len, ctx);
        if (v.learn) post_learn(q.port, v);
        if (v.route_lookup) {
            forward(m, v, q, ctx);
            continue;
        }
        if (v.reply) {
            set_frame_len(m, v.len);
            m->ol_flags = 0;
            ++pc.replies[static_cast<std::size_t>(v.kind)];
            tx_.add(q.port, q.tx_queue, m, tag_of(v.kind), *counters_);
            continue;
        }
        if (v.reassemble) {
            on_fragment(m, v, q, ctx);
            continue;
        }
        ++pc.drops[static_cast<std::size_t>(v.drop)];
        if (v.error_to_send()) {
            const wire::ConstBytes seg[1] = {
                wire::ConstBytes{rte_pktmbuf_mtod(m, const std::byte*), m->data_len}.subspan(
                    v.quote_from)};
            send_error(q.port, v.plan, seg);
        }
        rte_pktmbuf_free(m);
    }
    tx_.flush(*counters_);
    return n;
}

unsigned Worker::poll_once() noexcept {
    unsigned total = 0;
    for (std::size_t i = 0; i < n_rx_; ++i) total += poll_queue(rx_[i]);
    drain_control();
    if (pending_.size() != 0) {
        if (total == 0) update_clock();
        sweep_pending();
    }
    tx_.flush(*counters_);
    if (reasm_.in_use() != 0) {
        if (total == 0) update_clock();
        if (now_ns_ >= next_expire_ns_) {
            expire_fragments();
            tx_.flush(*counters_);
            next_expire_ns_ = now_ns_ + expire_every_ns;
        }
    }
    return total;
}

void Worker::run(const std::atomic<bool>& stop) noexcept {
    while (!stop.load(std::memory_order_relaxed)) poll_once();
    tx_.flush(*counters_);
    // Packets still waiting for a next hop at exit are freed and counted, never leaked.
    pending_.sweep([this](const Pending& p) {
        ++counters_->port[p.egress].fwd_failed;
        rte_pktmbuf_free(p.m);
        return true;
    });
}

}  // namespace pw::pipeline
