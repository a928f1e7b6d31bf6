// The host stage in router mode: the FIB lookup, the forwarding decision (lib/icmp
// ip4_forward/ip6_forward), the next hop's MAC from the neighbour table, and the packets waiting
// for one.
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <cstring>

#include "lib/icmp/deferred_error.hh"
#include "lib/icmp/fragment.hh"
#include "lib/icmp/ip_mib.hh"
#include "lib/insight/icmp_filter.hh"
#include "lib/pipeline/mbuf_bytes.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/route/fib.hh"
#include "lib/route/neighbors.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::pipeline {

namespace {

constexpr std::uint64_t ask_again_ns = 500'000'000;
constexpr std::uint64_t sweep_every_ns = 1'000'000;

static_assert(insight::filter_ports == route::max_ports, "a filter rule names any port");

// The selective ICMP filter (--icmp-filter, --icmp-policy) on a datagram about to be forwarded
// from port in to port out: true when its rule denies it. The packet is counted on the rule
// that decided (or the default); counters taken under an earlier rule list (a reload changed
// it) start again from zero. Not ICMP, or no ICMP header in it (a non-initial fragment): not
// the filter's, false.
inline bool icmp_denied(const insight::IcmpFilter& f, insight::FilterCounters& c,
                        wire::ConstBytes l3, bool v6, std::uint16_t in,
                        std::uint16_t out) noexcept {
    const auto tc = insight::icmp_of_datagram(l3, v6);
    if (!tc) return false;
    if (c.digest != f.digest()) [[unlikely]] {
        c.packets.fill(0);
        c.digest = f.digest();
    }
    const std::size_t i = f.match(v6, in, out, tc->type, tc->code);
    ++c.packets[i];
    return f.action_of(i) == insight::FilterAction::deny;
}

// A cheap look first, so that the forwarded traffic that is not ICMP pays one compare: IPv4
// protocol 1, IPv6 Next Header 58 or an extension header (RFC 8200 4: Hop-by-Hop 0, Routing
// 43, Fragment 44, Destination Options 60) that may lead to it.
inline bool maybe_icmp(wire::ConstBytes l3, bool v6) noexcept {
    if (!v6) return wire::load8(l3, wire::ipv4::field::protocol) == wire::ipv4::proto_icmp;
    const std::uint8_t nh = wire::load8(l3, wire::ipv6::field::next_header);
    return nh == 58 || nh == 0 || nh == 43 || nh == 44 || nh == 60;
}

inline route::NeighView neighbour(const route::NeighborTable& t, std::uint16_t port, bool v6,
                                  const wire::Ipv6Addr& a) noexcept {
    return v6 ? t.lookup(port, a) : t.lookup(port, unmapped(a));
}

}  // namespace

icmp::Route HostStage::route_for(bool v6, wire::ConstBytes l3) const noexcept {
    // One lookup: the --deny ACL lives in the same table (its entries beat more specific
    // routes), so the next hop says whether the destination is denied.
    std::uint32_t nh = route::Fib::no_route;
    if (v6) {
        const auto dst = wire::load_bytes<wire::Ipv6Addr>(l3, wire::ipv6::field::dst);
        env_.fib->lookup_v6(reinterpret_cast<const std::uint8_t(*)[16]>(dst.bytes.data()), &nh, 1);
    } else {
        const std::uint32_t ip = wire::load32(l3, wire::ipv4::field::dst);
        env_.fib->lookup_v4(&ip, &nh, 1);
    }
    return route_of(nh);
}

// The route a FIB next-hop index stands for (a --deny entry is a next hop of kind deny).
icmp::Route HostStage::route_of(std::uint32_t nh) const noexcept {
    icmp::Route r;
    if (nh == route::Fib::no_route) return r;
    const route::NextHop& hop = env_.fib->next_hop(nh);
    r.port = hop.port;
    r.egress = env_.interfaces->find(hop.port);
    r.gw4 = hop.gw4;
    r.gw6 = hop.gw6;
    switch (hop.kind) {
        case route::RouteKind::none:
            r.kind = icmp::Route::Kind::none;
            break;
        case route::RouteKind::connected:
            r.kind = icmp::Route::Kind::connected;
            break;
        case route::RouteKind::via:
            r.kind = icmp::Route::Kind::via;
            break;
        case route::RouteKind::reject:
            r.kind = icmp::Route::Kind::reject;
            break;
        case route::RouteKind::blackhole:
            r.kind = icmp::Route::Kind::blackhole;
            break;
        case route::RouteKind::deny:
            // The ACL: the kind says nothing of where it would go; it is denied before that.
            r.kind = icmp::Route::Kind::connected;
            r.denied = true;
            break;
    }
    if (r.egress == nullptr && !r.denied &&
        (r.kind == icmp::Route::Kind::connected || r.kind == icmp::Route::Kind::via))
        r.kind = icmp::Route::Kind::none;
    return r;
}

void HostStage::post_learn(std::uint16_t port, const icmp::Sighting& s) noexcept {
    if (env_.neigh_events == nullptr) return;
    NeighEvent e;
    e.kind = NeighEvent::Kind::learned;
    e.v6 = !wire::is_v4_mapped(s.addr);
    e.solicited = s.solicited;
    e.advert = s.advert;
    e.override_flag = s.override_flag;
    e.has_mac = s.has_mac;
    e.port = port;
    e.addr = s.addr;
    e.mac = s.mac;
    // A full ring loses a hint, not a packet: the entry is learnt again from the next one.
    rte_ring_enqueue_elem(env_.neigh_events, &e, sizeof e);
}

void HostStage::post_want(std::uint16_t port, bool v6, const wire::Ipv6Addr& addr,
                          std::uint64_t now_ns) noexcept {
    if (env_.neigh_events == nullptr) return;
    Asked& slot = asked_[(addr.bytes[15] ^ addr.bytes[14] ^ port) % asked_.size()];
    if (slot.port == port && slot.addr == addr && now_ns - slot.at_ns < ask_again_ns) return;
    slot = {addr, port, now_ns};
    NeighEvent e;
    e.kind = NeighEvent::Kind::want;
    e.v6 = v6;
    e.port = port;
    e.addr = addr;
    rte_ring_enqueue_elem(env_.neigh_events, &e, sizeof e);
}

// Sends a packet whose next hop is known: MACs rewritten, fragmented if it must be.
bool HostStage::transmit_forward(rte_mbuf* m, const Pending& p, Lcore& l) noexcept {
    const route::NeighView nv = neighbour(*env_.neighbors, p.egress, p.v6, p.next_hop);
    if (!nv.found ||
        (nv.state != route::NeighState::reachable && nv.state != route::NeighState::stale))
        return false;
    // RFC 4861 7.3.3: a stale entry is used, and checked again (once: `probing` says it is).
    if (nv.state == route::NeighState::stale && !nv.probing)
        post_want(p.egress, p.v6, p.next_hop, l.now_ns());
    const net::Iface* out = env_.interfaces->find(p.egress);
    const wire::Bytes frame{rte_pktmbuf_mtod(m, std::byte*), m->data_len};
    wire::store_bytes(frame, 0, nv.mac);
    wire::store_bytes(frame, 6, out->mac);
    HostCounters& hc = counters_->port[p.egress];
    if (!p.fragment_needed) {
        l.send(p.egress, m, TxKind::forward);
        return true;
    }
    // RFC 1812 5.2.6 / RFC 791 3.2: fragment to the egress MTU, each piece in its own mbuf.
    const std::size_t l2 = wire::eth::header_len;
    const wire::ConstBytes l3 = wire::ConstBytes{frame}.subspan(l2);
    const std::size_t n = icmp::fragment_count_v4(l3, out->mtu);
    icmp::IpMib& ip = hc.icmp.ip4;  // RFC 4293 OutFragOKs / OutFragFails / OutFragCreates
    if (n == 0) {
        // Counted once, on the egress side: the ingress port already counted it forwarded.
        ++hc.fwd_failed;
        ++ip[icmp::IpCounter::frag_fails];
        rte_pktmbuf_free(m);
        return true;
    }
    ++ip[icmp::IpCounter::frag_oks];
    for (std::size_t i = 0; i < n; ++i) {
        rte_mbuf* f = rte_pktmbuf_alloc(l.pool());
        if (f == nullptr) {
            hc.fwd_failed += n - i;
            break;
        }
        ++ip[icmp::IpCounter::frag_creates];
        const wire::Bytes room = frame_room(f);
        std::memcpy(room.data(), frame.data(), l2);
        const std::size_t len = icmp::emit_fragment_v4(room.subspan(l2), l3, out->mtu, i);
        set_frame_len(f, static_cast<std::uint32_t>(l2 + len));
        l.send(p.egress, f, TxKind::forward);
    }
    rte_pktmbuf_free(m);
    return true;
}

// The next hop did not resolve: Host Unreachable (RFC 1812 5.2.7.1 code 1) / Address
// Unreachable (RFC 4443 3.1 code 3), from the ingress interface, back to the source.
void HostStage::unreachable(rte_mbuf* m, const Pending& p, Lcore& l) noexcept {
    const wire::ConstBytes frame{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
    const auto d =
        icmp::plan_unresolved_next_hop(frame, wire::eth::header_len, p.v6, context(p.ingress, l));
    ++counters_->port[p.egress].fwd_failed;
    if (d.outcome == icmp::ErrorOutcome::sent) {
        const wire::ConstBytes seg[1] = {frame.subspan(wire::eth::header_len)};
        send_error(p.ingress, d.plan, seg, l);
    } else {
        counters_->port[p.ingress].icmp.count_outcome(p.v6, d.outcome);
    }
    rte_pktmbuf_free(m);
}

void HostStage::forward(rte_mbuf* m, const icmp::Verdict& v, std::uint16_t port,
                        const icmp::HostContext& ctx, Lcore& l) noexcept {
    HostCounters& hc = counters_->port[port];
    const wire::Bytes frame{rte_pktmbuf_mtod(m, std::byte*), m->data_len};
    const icmp::Route r = route_for(v.v6, wire::ConstBytes{frame}.subspan(v.l3_from));
    const icmp::Verdict fv = v.v6 ? icmp::ip6_forward(frame, v.l3_from, r, ctx)
                                  : icmp::ip4_forward(frame, v.l3_from, r, ctx);
    if (env_.icmp_filter != nullptr && fv.next == icmp::Next::forward) {
        // RFC 4890 4.3 (and its IPv4 counterpart): a forwarded ICMP message the filter denies
        // is dropped silently, before any Redirect about it: Ip InDiscards (RFC 4293, a
        // discard by policy), not ForwDatagrams.
        const wire::ConstBytes l3 = wire::ConstBytes{frame}.subspan(v.l3_from);
        if (maybe_icmp(l3, v.v6) &&
            icmp_denied(*env_.icmp_filter, counters_->filter, l3, v.v6, port, fv.egress_port)) {
            ++hc.icmp.ip(v.v6)[icmp::IpCounter::in_discards];
            l.drop(port, m, wire::Drop::icmp_filtered);
            return;
        }
    }
    icmp::count_ip_verdict(hc.icmp.ip(v.v6), fv, v.v6);
    if (fv.error_to_send()) {
        // An error about a packet we drop, or a Redirect about one we still forward.
        const wire::ConstBytes seg[1] = {wire::ConstBytes{frame}.subspan(fv.l3_from)};
        send_error(port, *ctx.plan, seg, l);
    }
    if (fv.next != icmp::Next::forward) {
        l.drop(port, m, fv.drop);
        return;
    }
    ++hc.forwarded;
    // The frame now ends where the IP datagram does (link-layer padding dropped).
    const wire::ConstBytes l3 = wire::ConstBytes{frame}.subspan(v.l3_from);
    const std::size_t l3_len =
        v.v6 ? wire::ipv6::header_len + wire::load16(l3, wire::ipv6::field::payload_length)
             : wire::load16(l3, wire::ipv4::field::total_length);
    set_frame_len(m, static_cast<std::uint32_t>(v.l3_from + l3_len));
    send_forward(m, port, fv.egress_port, v.v6, fv.fragment_needed, fv.next_hop, l);
}

void HostStage::send_forward(rte_mbuf* m, std::uint16_t ingress, std::uint16_t egress, bool v6,
                             bool fragment_needed, const wire::Ipv6Addr& next_hop,
                             Lcore& l) noexcept {
    m->ol_flags = 0;
    Pending p;
    p.m = m;
    p.egress = egress;
    p.ingress = ingress;
    p.v6 = v6;
    p.fragment_needed = fragment_needed;
    p.next_hop = next_hop;
    p.since_ns = l.now_ns();
    p.asked_ns = p.since_ns;
    if (transmit_forward(m, p, l)) return;
    // Unresolved: wait in the bounded queue and ask the control lcore to resolve it.
    post_want(p.egress, p.v6, p.next_hop, l.now_ns());
    if (!pending_.push(p)) {
        // Not forwarded after all: counted as this drop, so rx stays balanced.
        --counters_->port[ingress].forwarded;
        l.drop(ingress, m, wire::Drop::neigh_queue_full);
    }
}

// The common case of a whole burst at once: one bulk lookup (rte_fib_lookup_bulk or its IPv6
// twin), then per packet the same decision ip4_forward / ip6_forward makes
// (icmp::forward4_apply / forward6_apply), else the full path.
template <bool V6, class Dst>
void HostStage::forward_fast(rte_mbuf** ms, const Dst* dst, unsigned n, std::uint16_t port,
                             icmp::HostContext& ctx, Lcore& l) noexcept {
    std::uint32_t nh[burst_size];
    if constexpr (V6)
        env_.fib->lookup_v6(dst, nh, n);
    else
        env_.fib->lookup_v4(dst, nh, n);
    HostCounters& hc = counters_->port[port];
    // A burst mostly goes one way: the route of the last next-hop index and the neighbour of
    // the last next hop are kept for the rest of the burst (the table is read, never held).
    std::uint32_t last_nh = route::Fib::no_route;
    icmp::Route r;
    bool have_neigh = false;
    std::uint16_t neigh_port = 0;
    wire::Ipv6Addr neigh_addr;
    route::NeighView nv;
    std::uint64_t fast = 0;      // forwarded here: Ip InReceives and ForwDatagrams, in bulk
    std::uint64_t filtered = 0;  // denied by the ICMP filter: InReceives and InDiscards
    const insight::IcmpFilter* const filter = env_.icmp_filter;
    for (unsigned i = 0; i < n; ++i) {
        rte_mbuf* m = ms[i];
        if (i == 0 || nh[i] != last_nh) {
            r = route_of(nh[i]);
            last_nh = nh[i];
        }
        const wire::Bytes frame{rte_pktmbuf_mtod(m, std::byte*), m->data_len};
        const std::size_t l3 = wire::eth::header_len;
        wire::Ipv6Addr next_hop;  // IPv4 mapped
        std::size_t l3_len = 0;
        if constexpr (V6) {
            if (!icmp::forward6_apply(frame, r, port, ctx, next_hop)) {
                slow_path(m, port, ctx, l);
                continue;
            }
            l3_len = wire::ipv6::header_len +
                     wire::load16(frame, l3 + wire::ipv6::field::payload_length);
        } else {
            wire::Ipv4Addr hop4;
            if (!icmp::forward4_apply(frame, r, port, ctx, hop4)) {
                slow_path(m, port, ctx, l);
                continue;
            }
            next_hop = mapped(hop4);
            l3_len = wire::load16(frame, l3 + wire::ipv4::field::total_length);
        }
        // The ICMP filter, now that the egress port is known (no filter: this one branch).
        if (filter != nullptr) {
            const wire::ConstBytes ip = wire::ConstBytes{frame}.subspan(l3);
            if (maybe_icmp(ip, V6) &&
                icmp_denied(*filter, counters_->filter, ip, V6, port, r.port)) {
                ++filtered;
                l.drop(port, m, wire::Drop::icmp_filtered);
                continue;
            }
        }
        ++hc.forwarded;
        ++fast;
        // The frame now ends where the IP datagram does (link-layer padding dropped).
        set_frame_len(m, static_cast<std::uint32_t>(l3 + l3_len));
        if (!have_neigh || neigh_port != r.port || !(neigh_addr == next_hop)) {
            nv = neighbour(*env_.neighbors, r.port, V6, next_hop);
            have_neigh = true;
            neigh_port = r.port;
            neigh_addr = next_hop;
        }
        if (nv.found && nv.state == route::NeighState::reachable) {
            // RFC 1812 5.3.1 / RFC 4861 7.2: known next hop: MACs rewritten, out.
            wire::store_bytes(frame, 0, nv.mac);
            wire::store_bytes(frame, 6, r.egress->mac);
            m->ol_flags = 0;
            l.send(r.port, m, TxKind::forward);
            continue;
        }
        // Stale (to be checked again), unknown or unresolved: the general step.
        send_forward(m, port, r.port, V6, false, next_hop, l);
    }
    // The declined went through the full path, which counted them.
    icmp::IpMib& ip = hc.icmp.ip(V6);
    ip[icmp::IpCounter::in_receives] += fast + filtered;
    ip[icmp::IpCounter::forw_datagrams] += fast;
    ip[icmp::IpCounter::in_discards] += filtered;
}

template void HostStage::forward_fast<false, std::uint32_t>(rte_mbuf**, const std::uint32_t*,
                                                            unsigned, std::uint16_t,
                                                            icmp::HostContext&, Lcore&) noexcept;
template void HostStage::forward_fast<true, std::uint8_t[16]>(rte_mbuf**,
                                                              const std::uint8_t (*)[16], unsigned,
                                                              std::uint16_t, icmp::HostContext&,
                                                              Lcore&) noexcept;

void HostStage::sweep_pending(Lcore& l) noexcept {
    const std::uint64_t now_ns = l.now_ns();
    if (pending_.size() == 0 || now_ns < next_sweep_ns_) return;
    next_sweep_ns_ = now_ns + sweep_every_ns;
    pending_.sweep([this, &l, now_ns](Pending& p) {
        const route::NeighView nv = neighbour(*env_.neighbors, p.egress, p.v6, p.next_hop);
        if (nv.found && nv.state == route::NeighState::failed) {
            unreachable(p.m, p, l);
            return true;
        }
        if (transmit_forward(p.m, p, l)) return true;
        if (now_ns - p.since_ns > env_.neigh_wait_ns) {
            unreachable(p.m, p, l);
            return true;
        }
        // Asked again every ask_again_ns while it waits, not on every sweep: post_want's
        // cache of recent asks has 64 slots, and with more next hops waiting than that it
        // would let every sweep ask for all of them (a million events in the storm of a
        // full neighbour table).
        if (now_ns - p.asked_ns >= ask_again_ns) {
            p.asked_ns = now_ns;
            post_want(p.egress, p.v6, p.next_hop, now_ns);
        }
        return false;
    });
}

}  // namespace pw::pipeline
