#include <cstring>

#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4_options.hh"

namespace pw::icmp {

namespace {

// Router mode: an address of another of our interfaces is ours too (RFC 1812 5.2.3 allows
// either model; Linux answers for any local address on any interface).
bool owned_elsewhere_v4(const HostContext& ctx, const Ipv4Addr& a) noexcept {
    if (ctx.router == nullptr) return false;
    for (const auto& p : ctx.probe_ifaces)
        if (p.iface != ctx.iface && p.iface->owns_v4(a)) return true;
    return false;
}

// RFC 1122 3.2.1.8 / 3.2.2.5 (RFC 1812 5.2.4 for a router): a datagram whose options are
// malformed is discarded with Parameter Problem code 0, the pointer at the octet at fault (as
// Linux's ip_options_compile). A source-routed one is dropped quietly, as Linux does by
// default (accept_source_route 0; RFC 7126 4.3, 4.4: source routing is an attack tool). The
// error comes from the host or, for a datagram in transit, the router (RFC 1812 4.3.2.4).
// Returns false when the datagram goes on.
bool bad_options(Frame& f, const wire::ipv4::View<std::byte>& ip, bool transit,
                 const HostContext& ctx, Verdict& out) noexcept {
    if (ip.header_length() == wire::ipv4::min_header_len) return false;
    const auto check = wire::ipv4::check_options(ip.header());
    if (check.ok && !check.source_route) return false;
    if (!check.ok) {
        const ErrorSpec spec{wire::icmpv4::parameter_problem, 0,
                             std::uint32_t{check.pointer} << 24};
        out = transit ? router_error_v4(f, ip, Drop::ip4_bad_option, spec, ctx)
                      : host_error_v4(f, ip, Drop::ip4_bad_option, spec, ctx);
    } else {
        out = Verdict::dropped(Drop::ip4_source_route);
    }
    return true;
}

}  // namespace

// IPv4 receive checks of a host (RFC 1122 3.2.1, with the RFC 1812 5.2.2 header checks),
// then the upper layer: ICMP, UDP, TCP (a reset), or Protocol Unreachable.
Verdict ip4_input(Frame& f, const HostContext& ctx) noexcept {
    namespace ipv4 = wire::ipv4;
    const Iface& iface = *ctx.iface;
    const auto ip = ipv4::View<std::byte>::checked(f.l3());
    if (!ip) return Verdict::dropped(ip.reason());
    // RFC 1122 3.2.1.2: a host MUST verify the header checksum and discard on failure.
    if (!ip->header_checksum_ok()) return Verdict::dropped(Drop::ip4_bad_checksum);
    // RFC 1122 3.2.1.3: discard datagrams whose source is not a unique host.
    const auto src = ip->src();
    if (src.is_martian_source() || iface.is_v4_broadcast(src))
        return Verdict::dropped(Drop::ip4_martian_source);
    const auto dst = ip->dst();
    const bool broadcast = iface.is_v4_broadcast(dst);
    if (!broadcast && !iface.owns_v4(dst) && !owned_elsewhere_v4(ctx, dst)) {
        if (ctx.router == nullptr) return Verdict::dropped(Drop::ip4_not_for_us);
        // Router mode (RFC 1812 5.3.4, 5.3.7): not forwarded are multicast and broadcast
        // (no multicast routing here), unicast sent as a link-layer broadcast, and
        // destinations that are never valid (0/8, 127/8, 240/4).
        if (dst.is_multicast() || dst.is_limited_broadcast())
            return Verdict::dropped(Drop::ip4_multicast_not_forwarded);
        if (f.eth_dst.is_group()) return Verdict::dropped(Drop::ip4_unicast_in_l2_broadcast);
        if (dst.bytes[0] == 0 || dst.is_loopback() || dst.bytes[0] >= 240)
            return Verdict::dropped(Drop::ip4_bad_destination);
        if (Verdict v; bad_options(f, *ip, true, ctx, v)) return v;
        return Verdict::to(Next::route, false, f.l2_len);
    }
    // RFC 1122 3.3.6: discard a unicast datagram that came in a link-layer broadcast.
    if (!broadcast && f.eth_dst.is_group())
        return Verdict::dropped(Drop::ip4_unicast_in_l2_broadcast);
    if (Verdict v; bad_options(f, *ip, false, ctx, v)) return v;

    if (ip->is_fragment()) {
        // RFC 1122 3.3.2: a host reassembles datagrams addressed to it.
        if (broadcast || f.reassembled) return Verdict::dropped(Drop::ip4_fragment);
        return Verdict::to(Next::reassemble, false, f.l2_len);
    }
    switch (ip->protocol()) {
        case ipv4::proto_icmp:
            return icmp4_input(f, *ip, broadcast, ctx);
        case ipv4::proto_udp:
            return udp_input_v4(f, *ip, ctx);
        case ipv4::proto_tcp:
            return tcp_input_v4(f, *ip, broadcast, ctx);
        default:
            // RFC 1122 3.2.2.1: a host SHOULD send Protocol Unreachable for a transport
            // protocol it does not support.
            return host_error_v4(f, *ip, Drop::ip4_unhandled_protocol,
                                 {wire::icmpv4::dest_unreachable, 2, 0}, ctx);
    }
}

std::size_t ip4_reply_in_place(Frame& f, const wire::ipv4::View<std::byte>& ip,
                               std::size_t payload_len, const Iface& iface) noexcept {
    namespace ipv4 = wire::ipv4;
    constexpr std::uint8_t reply_ttl = 64;
    const auto src = ip.src();
    const auto dst = ip.dst();
    const std::size_t hlen = ip.header_length();
    const wire::Bytes l3 = f.l3();
    const std::size_t total = ipv4::min_header_len + payload_len;
    const std::uint16_t flags = ip.dont_fragment() ? ipv4::flag_df : 0;
    if (hlen == ipv4::min_header_len) {
        // No options: only the total length (a Timestamp or PROBE reply may be shorter than
        // its request), the flags/fragment word and the TTL change; swapping the addresses
        // leaves the sum as it was. RFC 1624 eqn. 3 updates the checksum for those words.
        // It needs a stored checksum that is right for the header as it stands, which
        // icmp4_input breaks when it answers a broadcast (it rewrites dst first): the
        // header is summed once (20 bytes inline) and recomputed in full when it is off.
        const bool stored_ok = wire::ipv4_header_sum(l3.data()) == 0xffff;
        const std::uint16_t old_checksum = ip.checksum();
        const std::uint32_t terms =
            wire::checksum_term(ip.total_length(), static_cast<std::uint16_t>(total)) +
            wire::checksum_term(wire::load16(l3, ipv4::field::flags_frag), flags) +
            wire::checksum_term(wire::load16(l3, ipv4::field::ttl),
                                static_cast<std::uint16_t>(reply_ttl << 8 | ip.protocol()));
        ip.set_total_length(static_cast<std::uint16_t>(total));
        ip.set_flags_frag(flags);
        ip.set_ttl(reply_ttl);
        ip.set_src(dst);
        ip.set_dst(src);
        if (stored_ok) {
            ip.set_checksum(wire::checksum_update_terms(old_checksum, terms));
        } else {
            ip.set_checksum(0);
            ip.set_checksum(static_cast<std::uint16_t>(~wire::ipv4_header_sum(l3.data())));
        }
        f.reply_l2(f.eth_src, iface);
        return f.l2_len + total;
    }
    // IP options of the request are not echoed: a reflected source route or record route
    // would be wrong on the way back (RFC 1122 3.2.2.6 lets the reply carry updated ones; we
    // send none). The payload moves up to follow a 20-byte header.
    std::memmove(l3.data() + ipv4::min_header_len, l3.data() + hlen, payload_len);
    // The view's header fields sit at fixed offsets, so it stays valid for the rewrite.
    ip.set_ihl(5);
    ip.set_total_length(static_cast<std::uint16_t>(total));
    ip.set_flags_frag(flags);
    ip.set_ttl(reply_ttl);
    ip.set_src(dst);
    ip.set_dst(src);
    ip.fill_checksum();
    f.reply_l2(f.eth_src, iface);
    return f.l2_len + total;
}

}  // namespace pw::icmp
