#include "lib/icmp/forward.hh"
#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

// Forwarding of one IPv6 packet not addressed to us (RFC 8200 3, 5; RFC 4443 3). The
// Hop-by-Hop Options header is not examined (RFC 8200 4.3 lets a router ignore it).
Verdict ip6_forward(wire::Bytes frame, std::size_t l2_len, const Route& route,
                    const HostContext& ctx) noexcept {
    namespace ipv6 = wire::ipv6;
    namespace icmpv6 = wire::icmpv6;
    Frame f{frame,
            frame.size(),
            l2_len,
            wire::load_bytes<MacAddr>(frame, 6),
            wire::load_bytes<MacAddr>(frame, 0),
            false};
    const auto ip = *ipv6::View<std::byte>::checked(f.l3());
    const Iface& in = *ctx.iface;

    // RFC 4443 3.1: code 0 no route, code 1 administratively prohibited.
    switch (route.kind) {
        case Route::Kind::none:
            return router_error_v6(f, ip, Drop::no_route, {icmpv6::dest_unreachable, 0, 0}, ctx);
        case Route::Kind::reject:
            return router_error_v6(f, ip, Drop::route_reject, {icmpv6::dest_unreachable, 1, 0},
                                   ctx);
        case Route::Kind::blackhole:
            return Verdict::dropped(Drop::route_blackhole);
        case Route::Kind::connected:
        case Route::Kind::via:
            break;
    }
    if (route.denied)
        return router_error_v6(f, ip, Drop::acl_denied, {icmpv6::dest_unreachable, 1, 0}, ctx);

    // RFC 8200 3 / RFC 4443 3.3: the hop limit is decremented; at zero the packet is
    // discarded with Time Exceeded code 0.
    if (ip.hop_limit() <= 1)
        return router_error_v6(f, ip, Drop::ttl_expired, {icmpv6::time_exceeded, 0, 0}, ctx);

    const Iface& out = *route.egress;
    // RFC 4443 3.1 code 2 (Beyond scope of source address): a link-local source may not
    // leave its link (RFC 4291 2.5.6), as Linux's ip6_forward sends it.
    if (ip.src().is_link_local() && &out != &in)
        return router_error_v6(f, ip, Drop::beyond_scope, {icmpv6::dest_unreachable, 2, 0}, ctx);

    // RFC 8200 5 and RFC 4443 3.2: routers do not fragment; a packet larger than the next
    // link's MTU owes Packet Too Big carrying that MTU (sent even about multicast).
    if (ip.bytes().size() > out.mtu)
        return router_error_v6(f, ip, Drop::mtu_exceeded, {icmpv6::packet_too_big, 0, out.mtu},
                               ctx);

    const Ipv6Addr next_hop = route.kind == Route::Kind::via ? route.gw6 : ip.dst();
    // RFC 4861 8.2: a Redirect when the packet leaves by the interface it came in on. Its
    // target is the destination itself when on-link, else the next router, which must be
    // named by its link-local address (RFC 4861 4.5): a gateway given by a global address
    // gets no Redirect.
    const ErrorOutcome redirect =
        ctx.router->send_redirects && &out == &in &&
                (route.kind == Route::Kind::connected || next_hop.is_link_local())
            ? redirect_v6(f, ip, next_hop, ctx)
            : ErrorOutcome::count_;
    ip.set_hop_limit(static_cast<std::uint8_t>(ip.hop_limit() - 1));
    return Verdict::forwarded(route.port, true, l2_len, next_hop, false, redirect);
}

}  // namespace pw::icmp
