// The host stage's fragments: into the lcore's reassembler, the reassembled datagram through
// the host path again, its answer fragmented to the port MTU, and the reassembly timers.
#include <rte_mbuf.h>

#include <cstring>

#include "lib/icmp/deferred_error.hh"
#include "lib/icmp/fragment.hh"
#include "lib/icmp/host_input.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/mbuf_bytes.hh"
#include "lib/wire/ethernet.hh"

namespace pw::pipeline {

namespace {

// How often the reassembly table is scanned for timed-out datagrams.
constexpr std::uint64_t expire_every_ns = 10'000'000;

}  // namespace

void HostStage::send_datagram(std::uint16_t port, wire::ConstBytes frame, std::size_t l2_len,
                              icmp::Reply kind, Lcore& l) noexcept {
    HostCounters& hc = counters_->port[port];
    const net::Iface* iface = env_.interfaces->find(port);
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    const bool v6 = wire::load16(frame, l2_len - 2) == wire::eth::type_ipv6;
    const std::uint16_t mtu = iface->mtu;
    count_reply(port, kind);  // one ICMP message, however many fragments carry it
    if (l3.size() <= mtu) {
        rte_mbuf* m = rte_pktmbuf_alloc(l.pool());
        char* p = m != nullptr ? rte_pktmbuf_append(m, static_cast<std::uint16_t>(frame.size()))
                               : nullptr;
        if (p == nullptr) {
            if (m != nullptr) rte_pktmbuf_free(m);
            ++hc.generated_failed;
            if (kind != icmp::Reply::arp_reply) ++(v6 ? hc.icmp.v6 : hc.icmp.v4).out_errors;
            return;
        }
        std::memcpy(p, frame.data(), frame.size());
        l.send(port, m, TxKind::generated);
        return;
    }
    // Larger than the port MTU: we are its source, so we fragment it (RFC 791 3.2, RFC 8200
    // 4.5), each fragment in its own mbuf behind a copy of the L2 header.
    const std::uint32_t ident = ip6_ident_++;
    const std::size_t n = v6 ? icmp::fragment_count_v6(l3, mtu) : icmp::fragment_count_v4(l3, mtu);
    icmp::IpMib& ip = hc.icmp.ip(v6);  // RFC 4293 OutFragOKs / OutFragFails / OutFragCreates
    for (std::size_t i = 0; i < n; ++i) {
        rte_mbuf* m = rte_pktmbuf_alloc(l.pool());
        if (m == nullptr) {
            hc.generated_failed += n - i;
            if (i == 0) ++(v6 ? hc.icmp.v6 : hc.icmp.v4).out_errors;
            ++ip[icmp::IpCounter::frag_fails];
            return;
        }
        ++ip[icmp::IpCounter::frag_creates];
        if (i + 1 == n) ++ip[icmp::IpCounter::frag_oks];
        const wire::Bytes room = frame_room(m);
        std::memcpy(room.data(), frame.data(), l2_len);
        const wire::Bytes out = room.subspan(l2_len);
        const std::size_t len = v6 ? icmp::emit_fragment_v6(out, l3, mtu, ident, i)
                                   : icmp::emit_fragment_v4(out, l3, mtu, i);
        set_frame_len(m, static_cast<std::uint32_t>(l2_len + len));
        l.send(port, m, TxKind::generated);
    }
}

void HostStage::on_fragment(rte_mbuf* m, const icmp::Verdict& v, std::uint16_t port,
                            icmp::HostContext& ctx, Lcore& l) noexcept {
    HostCounters& hc = counters_->port[port];
    const wire::ConstBytes frame{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
    const wire::ConstBytes l2 = frame.first(v.l3_from);
    wire::ConstBytes l3 = frame.subspan(v.l3_from);
    // The handler validated the header; the datagram ends where its length field says.
    l3 =
        l3.first(v.v6 ? wire::ipv6::header_len + wire::load16(l3, wire::ipv6::field::payload_length)
                      : wire::load16(l3, wire::ipv4::field::total_length));
    const auto r = v.v6 ? reasm_.insert_v6(l2, l3, v.up.upper(), port, l.now_ns())
                        : reasm_.insert_v4(l2, l3, port, l.now_ns());
    icmp::IpMib& ip = hc.icmp.ip(v.v6);
    if (r.dropped()) {
        ++ip[icmp::IpCounter::reasm_fails];
        if (r.param_problem) {
            const auto d = icmp::plan_fragment_problem(frame, l3, r.pointer, ctx);
            if (d.outcome == icmp::ErrorOutcome::sent) {
                const wire::ConstBytes seg[1] = {l3};
                send_error(port, d.plan, seg, l);
            } else {
                hc.icmp.count_outcome(true, d.outcome);
            }
        }
        l.drop(port, m, r.reason);
        return;
    }
    ++hc.held;
    rte_pktmbuf_free(m);  // the reassembler copied what it needs
    if (!r.complete()) return;

    ++hc.datagrams;
    ++ip[icmp::IpCounter::reasm_oks];
    const wire::Bytes room{r.frame.data(), r.frame.size() + icmp::Reassembler::tail_room};
    const icmp::Verdict dv = icmp::host_input_reassembled(room, r.frame.size(), r.l2_len, ctx);
    if (dv.next == icmp::Next::reply) {
        send_datagram(port, wire::ConstBytes{room.data(), dv.len}, r.l2_len, dv.kind, l);
        return;
    }
    ++hc.datagram_drops[static_cast<std::size_t>(dv.drop)];
    if (dv.error_to_send()) {
        const wire::ConstBytes seg[1] = {wire::ConstBytes{r.frame}.subspan(dv.l3_from)};
        send_error(port, *ctx.plan, seg, l);
    }
}

void HostStage::expire_fragments(Lcore& l) noexcept {
    if (l.now_ns() < next_expire_ns_) return;
    next_expire_ns_ = l.now_ns() + expire_every_ns;
    reasm_.expire(l.now_ns(), [this, &l](const icmp::Reassembler::Expired& e) {
        icmp::IpMib& ip = counters_->port[e.port].icmp.ip(e.v6);
        ++ip[icmp::IpCounter::reasm_fails];
        ++ip[icmp::IpCounter::reasm_timeout];
        std::byte head[256];
        const auto d =
            icmp::plan_reassembly_timeout(e, wire::Bytes{head, sizeof head}, context(e.port, l));
        if (d.outcome == icmp::ErrorOutcome::sent)
            send_error(e.port, d.plan, e.first_fragment, l);
        else
            counters_->port[e.port].icmp.count_outcome(e.v6, d.outcome);
    });
}

}  // namespace pw::pipeline
