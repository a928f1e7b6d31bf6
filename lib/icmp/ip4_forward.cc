#include "lib/icmp/forward.hh"
#include "lib/icmp/steps.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

Verdict ip4_forward(wire::Bytes frame, std::size_t l2_len, const Route& route,
                    const HostContext& ctx) noexcept {
    namespace ipv4 = wire::ipv4;
    namespace icmpv4 = wire::icmpv4;
    Frame f{frame,
            frame.size(),
            l2_len,
            wire::load_bytes<MacAddr>(frame, 6),
            wire::load_bytes<MacAddr>(frame, 0),
            false};
    // ip4_input validated the header (RFC 1812 5.2.2) before asking for the lookup.
    const auto ip = *ipv4::View<std::byte>::checked(f.l3());
    const Iface& in = *ctx.iface;

    // RFC 1812 5.2.7.1 / 4.3.3.1: no route, Net Unreachable; a prohibiting route or the
    // ACL, Communication Administratively Prohibited (RFC 1812 5.2.7.1 code 13).
    switch (route.kind) {
        case Route::Kind::none:
            return router_error_v4(f, ip, Drop::no_route, {icmpv4::dest_unreachable, 0, 0}, ctx);
        case Route::Kind::reject:
            return router_error_v4(f, ip, Drop::route_reject, {icmpv4::dest_unreachable, 13, 0},
                                   ctx);
        case Route::Kind::blackhole:
            return Verdict::dropped(Drop::route_blackhole);
        case Route::Kind::connected:
        case Route::Kind::via:
            break;
    }
    if (route.denied)
        return router_error_v4(f, ip, Drop::acl_denied, {icmpv4::dest_unreachable, 13, 0}, ctx);

    // RFC 2644 / RFC 1812 5.3.5.2: a directed broadcast to a connected subnet (its all-ones
    // address, or the all-zeros one old hosts used, RFC 1812 4.2.3.1) is not forwarded by
    // default, and no error is sent about a packet to a broadcast address (4.3.2.7).
    if (route.kind == Route::Kind::connected && route.egress != nullptr) {
        const Ipv4Addr dst = ip.dst();
        for (std::size_t i = 0; i < route.egress->n4; ++i) {
            const auto& p = route.egress->v4[i];
            if (p.len < 31 && p.contains(dst) &&
                (route.egress->is_v4_broadcast(dst) || (dst.to_u32() & ~p.mask()) == 0))
                return Verdict::dropped(Drop::ip4_directed_broadcast);
        }
    }

    // RFC 1812 5.3.1: a router decrements the TTL; a datagram whose TTL would reach zero is
    // not forwarded and owes Time Exceeded (code 0, in transit).
    if (ip.ttl() <= 1)
        return router_error_v4(f, ip, Drop::ttl_expired, {icmpv4::time_exceeded, 0, 0}, ctx);

    const Iface& out = *route.egress;
    const std::size_t len = ip.total_length();
    bool fragment = false;
    if (len > out.mtu) {
        // RFC 1191 4 / RFC 1812 5.2.6: DF set, too big: Fragmentation Needed with the next-hop
        // MTU in the low 16 bits of the second word (never rate-limited, see error_plan.cc).
        if (ip.dont_fragment())
            return router_error_v4(f, ip, Drop::mtu_exceeded,
                                   {icmpv4::dest_unreachable, 4, out.mtu}, ctx);
        fragment = true;
    }

    const Ipv4Addr next_hop = route.kind == Route::Kind::via ? route.gw4 : ip.dst();
    // RFC 1812 5.2.7.2: a Redirect (code 1, for the host) when the packet leaves by the
    // interface it came in on toward a next hop on the sender's subnet; the packet is
    // forwarded all the same.
    const ErrorOutcome redirect = ctx.router->send_redirects && &out == &in
                                      ? redirect_v4(f, ip, next_hop, ctx)
                                      : ErrorOutcome::count_;
    // RFC 1812 5.3.1 and RFC 1624: TTL - 1 with an incremental header checksum update (the
    // TTL is the high byte of the word it shares with the protocol).
    const std::uint16_t old_word = wire::load16(f.l3(), ipv4::field::ttl);
    ip.set_ttl(static_cast<std::uint8_t>(ip.ttl() - 1));
    const std::uint16_t new_word = wire::load16(f.l3(), ipv4::field::ttl);
    ip.set_checksum(wire::checksum_update16(ip.checksum(), old_word, new_word));
    return Verdict::forwarded(route.port, false, l2_len, wire::v4_mapped(next_hop), fragment,
                              redirect);
}

}  // namespace pw::icmp
