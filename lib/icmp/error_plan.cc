#include <algorithm>

#include "lib/icmp/icmp_error.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {

// ICMPv4 types that are queries or replies (answering them with an error is allowed);
// every other type, errors and unknown ones alike, gets no error (RFC 1122 3.2.2 "MUST
// NOT be sent as the result of receiving an ICMP error message"; Linux treats unknown
// types as errors too).
constexpr bool is_informational_v4(std::uint8_t t) noexcept {
    switch (t) {
        case 0:
        case 8:
        case 13:
        case 14:
        case 15:
        case 16:
        case 17:
        case 18:
        case 42:
        case 43:
            return true;
        default:
            return false;
    }
}

// What a rate-limit verdict means for an error: nothing (it may go), or the outcome to count.
std::optional<ErrorOutcome> limited(RateVerdict v) noexcept {
    switch (v) {
        case RateVerdict::limited_global:
            return ErrorOutcome::rate_limited_global;
        case RateVerdict::limited_host:
            return ErrorOutcome::rate_limited_host;
        case RateVerdict::pass:
        case RateVerdict::exempt:
            break;
    }
    return std::nullopt;
}

ErrorDecision stop(ErrorOutcome o) noexcept {
    ErrorDecision d;
    d.outcome = o;
    return d;
}

constexpr std::size_t round_up(std::size_t n, std::size_t word) noexcept {
    return (n + word - 1) / word * word;
}

// RFC 4884 4.1, 4.2, 5: with an extension, the original datagram field is the quote zero
// padded to at least 128 bytes and to a whole word (32 bits for ICMPv4, 64 for ICMPv6), and
// cut to whole words so that the message with the extension still fits in room (the 576 /
// 1280-byte limit less the IP and ICMP headers); or exactly 128 bytes when fixed_128.
void plan_extension(ErrorPlan& p, std::size_t l3_len, std::size_t room, std::size_t word,
                    const InterfaceInfo& info, bool fixed_128) noexcept {
    const std::size_t ext = info.extension_len();
    const std::size_t most = (room - ext) / word * word;
    const std::size_t orig =
        fixed_128 ? rfc4884::min_original_len
                  : std::min(round_up(std::max(l3_len, rfc4884::min_original_len), word), most);
    const std::size_t quote = std::min(l3_len, orig);
    p.rfc4884 = true;
    p.ext = &info;
    p.quote_len = static_cast<std::uint32_t>(quote);
    p.pad_len = static_cast<std::uint16_t>(orig - quote);
    p.ext_len = static_cast<std::uint16_t>(ext);
}

// RFC 1812 5.2.7.2: a source route option (LSRR 131, SSRR 137; RFC 791 3.1) in the header.
bool has_source_route(wire::ConstBytes hdr) noexcept {
    std::size_t i = wire::ipv4::min_header_len;
    while (i < hdr.size()) {
        const std::uint8_t t = wire::load8(hdr, i);
        if (t == 0) break;  // End of Option List
        if (t == 1) {       // No Operation
            ++i;
            continue;
        }
        if (t == 131 || t == 137) return true;
        if (i + 1 >= hdr.size()) break;
        const std::uint8_t len = wire::load8(hdr, i + 1);
        if (len < 2) break;
        i += len;
    }
    return false;
}

}  // namespace

ErrorDecision plan_error_v4(const Invoking& in, const ErrorSpec& spec,
                            const ErrorContext& ctx) noexcept {
    namespace ipv4 = wire::ipv4;
    const auto& l3 = in.l3;
    const Iface& iface = *ctx.iface;
    const std::size_t ihl = std::size_t{wire::load8(l3, ipv4::field::ver_ihl) & 0x0fU} * 4;
    const auto src = wire::load_bytes<Ipv4Addr>(l3, ipv4::field::src);
    const auto dst = wire::load_bytes<Ipv4Addr>(l3, ipv4::field::dst);
    const std::uint16_t frag = wire::load16(l3, ipv4::field::flags_frag);

    // RFC 1122 3.2.2 and RFC 1812 4.3.2.7, in the order of Linux's __icmp_send:
    // not about a datagram to an IP broadcast or multicast address,
    if (dst.is_multicast() || iface.is_v4_broadcast(dst))
        return stop(ErrorOutcome::suppressed_ip_multicast);
    // nor one sent as a link-layer broadcast or multicast,
    if (in.eth_dst.is_group()) return stop(ErrorOutcome::suppressed_l2_multicast);
    // nor a fragment other than the first,
    if ((frag & ipv4::frag_offset_mask) != 0) return stop(ErrorOutcome::suppressed_fragment);
    // nor an ICMP error message (or a message of unknown type),
    if (wire::load8(l3, ipv4::field::protocol) == ipv4::proto_icmp) {
        if (l3.size() < ihl + 1 || !is_informational_v4(wire::load8(l3, ihl)))
            return stop(ErrorOutcome::suppressed_icmp_error);
    }
    // nor a datagram whose source is not one unique host (0/8, 127/8, 224/4, 240/4,
    // limited or directed broadcast).
    if (src.is_martian_source() || iface.is_v4_broadcast(src))
        return stop(ErrorOutcome::suppressed_source);

    // Fragmentation Needed is never rate-limited, whatever the mask (Linux icmpv4_mask_allow:
    // "Don't limit PMTU discovery"): the mask is per type and type 3 is in it.
    const bool pmtud = spec.type == wire::icmpv4::dest_unreachable && spec.code == 4;
    if (ctx.limiter != nullptr && !pmtud) {
        if (const auto o = limited(ctx.limiter->check_v4(spec.type, src, ctx.now_ns)))
            return stop(*o);
    }

    ErrorDecision d;
    ErrorPlan& p = d.plan;
    const ErrorConfig& cfg = *ctx.config;
    std::optional<Ipv4Addr> from;
    switch (cfg.source) {
        case ErrorSource::invoking_dst:
            if (iface.owns_v4(dst))
                from = dst;
            else if (iface.n4 > 0)
                from = iface.v4[0].addr;
            break;
        case ErrorSource::ingress:
            if (iface.n4 > 0) from = iface.v4[0].addr;
            break;
        case ErrorSource::fixed:
            from = cfg.fixed_v4;
            break;
    }
    if (!from) return stop(ErrorOutcome::no_source_address);
    p.v6 = false;
    p.eth_dst = in.eth_src;
    p.eth_src = iface.mac;
    p.src4 = *from;
    p.dst4 = src;
    p.spec = spec;
    p.ttl = cfg.ttl;
    p.tos = cfg.tos;
    p.ident = ctx.ident;
    constexpr std::size_t room = max_error_len_v4 - ipv4::min_header_len - wire::icmp::header_len;
    p.quote_len = static_cast<std::uint32_t>(std::min(in.l3_len, room));
    if (ctx.ext != nullptr && rfc4884::allowed_v4(spec.type))
        plan_extension(p, in.l3_len, room, rfc4884::word_v4, *ctx.ext, cfg.rfc4884_original_128);
    return d;
}

ErrorDecision plan_error_v6(const Invoking& in, const ErrorSpec& spec,
                            const ErrorContext& ctx) noexcept {
    namespace ipv6 = wire::ipv6;
    namespace icmpv6 = wire::icmpv6;
    const auto& l3 = in.l3;
    const Iface& iface = *ctx.iface;
    const auto src = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::src);
    const auto dst = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);

    // Where the upper layer is, as far as the bytes at hand show. A packet whose extension
    // headers cannot be walked (the cause of a Parameter Problem, say) is not ICMPv6 for
    // this purpose.
    const std::size_t avail = std::min(
        l3.size(), ipv6::header_len + std::size_t{wire::load16(l3, ipv6::field::payload_length)});
    const auto walk = ipv6::walk_extensions(l3.first(avail));
    if (walk.upper && walk.upper->protocol == ipv6::nh_icmp6 &&
        !(walk.upper->fragment && walk.upper->frag_offset != 0)) {
        if (avail < walk.upper->offset + 1) return stop(ErrorOutcome::suppressed_icmp_error);
        const std::uint8_t t = wire::load8(l3, walk.upper->offset);
        // RFC 4443 2.4(e.1): not about an ICMPv6 error message; (e.2) nor a Redirect.
        if (icmpv6::is_error(t)) return stop(ErrorOutcome::suppressed_icmp_error);
        if (t == icmpv6::redirect) return stop(ErrorOutcome::suppressed_redirect);
    }
    // RFC 4443 2.4(e.3), (e.4): not about a packet to a multicast address or sent as a
    // link-layer multicast/broadcast, except Packet Too Big and Parameter Problem code 2
    // (so that path MTU discovery and option processing work for multicast).
    const bool multicast_ok = spec.type == icmpv6::packet_too_big ||
                              (spec.type == icmpv6::parameter_problem && spec.code == 2);
    if (dst.is_multicast() && !multicast_ok) return stop(ErrorOutcome::suppressed_ip_multicast);
    if (in.eth_dst.is_group() && !multicast_ok) return stop(ErrorOutcome::suppressed_l2_multicast);
    // A fragment other than the first: the upper-layer header is not in it.
    // Packet Too Big is owed about every fragment too large for the link (RFC 4443 has no
    // rule against it, and Linux sends it), so that the source learns the path MTU; and
    // Parameter Problem is owed about the fragment itself (RFC 8200 4.5: a non-last fragment
    // whose length is not a multiple of 8, one that would make the datagram longer than
    // 65535 octets, which can only be a later fragment), as Linux's ip6_frag_queue sends it.
    if (walk.upper && walk.upper->fragment && walk.upper->frag_offset != 0 &&
        spec.type != icmpv6::packet_too_big && spec.type != icmpv6::parameter_problem)
        return stop(ErrorOutcome::suppressed_fragment);
    // RFC 4443 2.4(e.5): not about a packet whose source is not one unique node.
    if (src.is_unspecified() || src.is_multicast() || src.is_loopback())
        return stop(ErrorOutcome::suppressed_source);

    if (ctx.limiter != nullptr) {
        if (const auto o = limited(ctx.limiter->check_v6(spec.type, src, ctx.now_ns)))
            return stop(*o);
    }

    ErrorDecision d;
    ErrorPlan& p = d.plan;
    const ErrorConfig& cfg = *ctx.config;
    std::optional<Ipv6Addr> from;
    switch (cfg.source) {
        case ErrorSource::invoking_dst:
            from = iface.owns_v6(dst) ? std::optional<Ipv6Addr>(dst) : iface.source_for_v6(src);
            break;
        case ErrorSource::ingress:
            from = iface.source_for_v6(src);
            break;
        case ErrorSource::fixed:
            from = cfg.fixed_v6;
            break;
    }
    if (!from) return stop(ErrorOutcome::no_source_address);
    p.v6 = true;
    p.eth_dst = in.eth_src;
    p.eth_src = iface.mac;
    p.src6 = *from;
    p.dst6 = src;
    p.spec = spec;
    p.ttl = cfg.ttl;
    constexpr std::size_t room = max_error_len_v6 - ipv6::header_len - wire::icmp::header_len;
    p.quote_len = static_cast<std::uint32_t>(std::min(in.l3_len, room));
    if (ctx.ext != nullptr && rfc4884::allowed_v6(spec.type))
        plan_extension(p, in.l3_len, room, rfc4884::word_v6, *ctx.ext, cfg.rfc4884_original_128);
    return d;
}

ErrorDecision plan_redirect_v4(const Invoking& in, const Ipv4Addr& next_hop,
                               const ErrorContext& ctx) noexcept {
    namespace ipv4 = wire::ipv4;
    const auto& l3 = in.l3;
    const Iface& iface = *ctx.iface;
    const std::size_t ihl = std::size_t{wire::load8(l3, ipv4::field::ver_ihl) & 0x0fU} * 4;
    const auto src = wire::load_bytes<Ipv4Addr>(l3, ipv4::field::src);

    // RFC 1812 5.2.7.2: no Redirect about a packet that holds a source route option,
    if (has_source_route(l3.first(std::min(ihl, l3.size())))) return stop(ErrorOutcome::count_);
    // nor unless its source is on the same subnet as the next hop (that subnet is one of
    // this interface's: the packet leaves by the interface it came in on). A next hop that
    // is the source itself would bounce the packet back: no Redirect either.
    const Ipv4Prefix* net = nullptr;
    for (std::size_t i = 0; i < iface.n4 && net == nullptr; ++i)
        if (iface.v4[i].contains(src) && iface.v4[i].contains(next_hop)) net = &iface.v4[i];
    if (net == nullptr || next_hop == src) return stop(ErrorOutcome::count_);

    // The rest as for errors (suppression, rate limits; RFC 1812 4.3.2.7), from our address on
    // that subnet: RFC 1122 3.2.2.2, a host takes a Redirect only from its first-hop gateway.
    ErrorConfig cfg = *ctx.config;
    cfg.source = ErrorSource::fixed;
    cfg.fixed_v4 = net->addr;
    ErrorContext rctx = ctx;
    rctx.config = &cfg;
    rctx.ext = nullptr;
    // RFC 1812 5.2.7.2: routers send Redirect for Host (code 1), never the network codes.
    return plan_error_v4(in, ErrorSpec{wire::icmpv4::redirect, 1, next_hop.to_u32()}, rctx);
}

ErrorDecision plan_redirect_v6(const Invoking& in, const Ipv6Addr& target,
                               const MacAddr* target_mac, const ErrorContext& ctx) noexcept {
    namespace ipv6 = wire::ipv6;
    const auto& l3 = in.l3;
    const Iface& iface = *ctx.iface;
    const auto src = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::src);
    const auto dst = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);

    // RFC 4861 8.2: no Redirect about a packet to a multicast address;
    if (dst.is_multicast()) return stop(ErrorOutcome::count_);
    // RFC 4861 4.5: the target is the destination itself (it is on the link) or a router's
    // link-local address (a host discards any other, RFC 4861 8.1).
    if (!(target == dst || target.is_link_local())) return stop(ErrorOutcome::count_);
    if (in.eth_dst.is_group()) return stop(ErrorOutcome::suppressed_l2_multicast);
    if (src.is_unspecified() || src.is_multicast() || src.is_loopback())
        return stop(ErrorOutcome::suppressed_source);
    // RFC 4861 8.2: the source is a neighbour, link-local or in an on-link prefix of the
    // interface the packet came in on (and is leaving by).
    bool neighbour = src.is_link_local();
    for (std::size_t i = 0; i < iface.n6 && !neighbour; ++i)
        neighbour = !iface.v6[i].addr.is_link_local() && iface.v6[i].contains(src);
    if (!neighbour) return stop(ErrorOutcome::count_);

    if (ctx.limiter != nullptr) {
        if (const auto o = limited(ctx.limiter->check_v6(wire::icmpv6::redirect, src, ctx.now_ns)))
            return stop(*o);
    }

    // RFC 4861 4.5: from the link-local address of the interface it is sent on.
    const Ipv6Addr* from = nullptr;
    for (std::size_t i = 0; i < iface.n6 && from == nullptr; ++i)
        if (iface.v6[i].addr.is_link_local()) from = &iface.v6[i].addr;
    if (from == nullptr) return stop(ErrorOutcome::no_source_address);

    ErrorDecision d;
    ErrorPlan& p = d.plan;
    p.v6 = true;
    p.eth_dst = in.eth_src;
    p.eth_src = iface.mac;
    p.src6 = *from;
    p.dst6 = src;
    p.spec = ErrorSpec{wire::icmpv6::redirect, 0, 0};
    p.ttl = 255;  // RFC 4861 4.5: hop limit 255, so that the receiver knows it is on-link
    p.target6 = target;
    p.redirect_dst6 = dst;
    p.has_tlla = target_mac != nullptr;
    if (target_mac != nullptr) p.tlla = *target_mac;
    // RFC 4861 4.6.3: the Redirected Header quotes as much of the packet as fits in the
    // minimum MTU, whole 8-byte units (a short packet is zero padded to the next one).
    const std::size_t room =
        max_error_len_v6 - ipv6::header_len - wire::icmp::header_len - p.head_len();
    p.quote_len = static_cast<std::uint32_t>(std::min(in.l3_len, room / 8 * 8));
    p.pad_len = static_cast<std::uint16_t>(round_up(p.quote_len, 8) - p.quote_len);
    return d;
}

}  // namespace pw::icmp
