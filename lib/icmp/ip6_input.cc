#include <cstring>

#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {

// Router mode: an address of another of our interfaces is ours too.
bool owned_elsewhere_v6(const HostContext& ctx, const Ipv6Addr& a) noexcept {
    if (ctx.router == nullptr || a.is_link_local()) return false;
    for (const auto& p : ctx.probe_ifaces)
        if (p.iface != ctx.iface && p.iface->owns_v6(a)) return true;
    return false;
}

}  // namespace

// IPv6 receive checks of a host (RFC 8200 3, 4; RFC 4291 2.5.2, 2.7), then the upper layer:
// ICMPv6, UDP, TCP (a reset), or Parameter Problem for what we do not serve.
Verdict ip6_input(Frame& f, const HostContext& ctx) noexcept {
    namespace ipv6 = wire::ipv6;
    namespace icmpv6 = wire::icmpv6;
    const Iface& iface = *ctx.iface;
    const auto ip = ipv6::View<std::byte>::checked(f.l3());
    if (!ip) return Verdict::dropped(ip.reason());
    // RFC 4291 2.7: a multicast address must not be a source; ::1 never arrives from a link
    // (RFC 4291 2.5.3).
    const auto src = ip->src();
    if (src.is_multicast() || src.is_loopback()) return Verdict::dropped(Drop::ip6_martian_source);
    const auto dst = ip->dst();
    if (!iface.owns_v6(dst) && !iface.joined_v6_group(dst) && !owned_elsewhere_v6(ctx, dst)) {
        if (ctx.router == nullptr) return Verdict::dropped(Drop::ip6_not_for_us);
        // Router mode: multicast (no multicast routing here), link-local (RFC 4291 2.5.6:
        // never forwarded), the unspecified address (RFC 4291 2.5.2) and loopback (RFC 4291
        // 2.5.3: "must be dropped", so silently) stay here.
        if (dst.is_multicast() || dst.is_link_local() || dst.is_unspecified() ||
            dst.is_loopback() || src.is_unspecified())
            return Verdict::dropped(Drop::ip6_not_forwardable);
        return Verdict::to(Next::route, true, f.l2_len);
    }

    const auto walk = ipv6::walk_extensions(ip->bytes());
    if (!walk.upper) {
        // RFC 8200 4.2: an unrecognised option may ask for a silent discard, or for no error
        // when the packet went to a multicast address.
        if (walk.error.silent || (walk.error.not_if_multicast && dst.is_multicast()))
            return Verdict::dropped(walk.error.reason);
        // RFC 8200 4: an extension header we cannot process: Parameter Problem with the
        // pointer at the offending field (code 0), code 1 for a Hop-by-Hop header that is
        // not first (RFC 8200 4.3), code 2 for an unrecognised option (4.2).
        return host_error_v6(f, *ip, walk.error.reason,
                             {icmpv6::parameter_problem, walk.error.code, walk.error.pointer}, ctx);
    }
    const auto& up = *walk.upper;
    // RFC 6946: an atomic fragment (offset 0, M clear) is processed in isolation, at once.
    if (up.fragment && (up.frag_offset != 0 || up.more_fragments)) {
        // RFC 8200 4.5: reassembly at the destination, for unicast to us.
        if (dst.is_multicast() || f.reassembled) return Verdict::dropped(Drop::ip6_fragment);
        Verdict v = Verdict::to(Next::reassemble, true, f.l2_len);
        v.up = Upper6::of(up);
        return v;
    }
    switch (up.protocol) {
        case ipv6::nh_icmp6:
            return icmp6_input(f, *ip, up.offset, ctx, up.fragment || f.reassembled);
        case ipv6::nh_udp:
            return udp_input_v6(f, *ip, up.offset, ctx);
        case ipv6::nh_tcp:
            return tcp_input_v6(f, *ip, up.offset, ctx);
        case ipv6::nh_none:
            // RFC 8200 4.7: nothing follows; the packet is consumed quietly.
            return Verdict::dropped(Drop::ip6_no_next_header);
        default:
            // RFC 8200 4: an unrecognised Next Header: Parameter Problem code 1, pointer at the
            // Next Header field that named it (RFC 4443 3.4).
            return host_error_v6(
                f, *ip, Drop::ip6_unhandled_next_header,
                {icmpv6::parameter_problem, 1, static_cast<std::uint32_t>(up.nh_field)}, ctx);
    }
}

std::size_t ip6_reply_in_place(Frame& f, const wire::ipv6::View<std::byte>& ip,
                               std::size_t payload_offset, std::size_t payload_len,
                               const wire::Ipv6Addr& src, const Iface& iface) noexcept {
    namespace ipv6 = wire::ipv6;
    constexpr std::uint8_t reply_hop_limit = 64;
    const auto peer = ip.src();
    const wire::Bytes l3 = f.l3();
    // Extension headers of the request are not reflected: the reply carries the upper layer
    // right after the fixed header.
    if (payload_offset != ipv6::header_len)
        std::memmove(l3.data() + ipv6::header_len, l3.data() + payload_offset, payload_len);
    ip.set_payload_length(static_cast<std::uint16_t>(payload_len));
    ip.set_hop_limit(reply_hop_limit);
    ip.set_src(src);
    ip.set_dst(peer);
    f.reply_l2(f.eth_src, iface);
    return f.l2_len + ipv6::header_len + payload_len;
}

}  // namespace pw::icmp
