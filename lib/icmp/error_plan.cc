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
        case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18: case 42: case 43:
            return true;
        default:
            return false;
    }
}

ErrorDecision stop(ErrorOutcome o) noexcept {
    ErrorDecision d;
    d.outcome = o;
    return d;
}

}  // namespace

ErrorDecision plan_error_v4(const Invoking& in, const ErrorSpec& spec, const ErrorContext& ctx) noexcept {
    namespace ipv4 = wire::ipv4;
    const auto& l3 = in.l3;
    const Iface& iface = *ctx.iface;
    const std::size_t ihl = std::size_t{wire::load8(l3, ipv4::field::ver_ihl) & 0x0fU} * 4;
    const auto src = wire::load_bytes<Ipv4Addr>(l3, ipv4::field::src);
    const auto dst = wire::load_bytes<Ipv4Addr>(l3, ipv4::field::dst);
    const std::uint16_t frag = wire::load16(l3, ipv4::field::flags_frag);

    // RFC 1122 3.2.2 and RFC 1812 4.3.2.7, in the order of Linux's __icmp_send:
    // not about a datagram to an IP broadcast or multicast address,
    if (dst.is_multicast() || iface.is_v4_broadcast(dst)) return stop(ErrorOutcome::suppressed_ip_multicast);
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
    if (src.is_martian_source() || iface.is_v4_broadcast(src)) return stop(ErrorOutcome::suppressed_source);

    // Fragmentation Needed is never rate-limited, whatever the mask (Linux icmpv4_mask_allow:
    // "Don't limit PMTU discovery"): the mask is per type and type 3 is in it.
    const bool pmtud = spec.type == wire::icmpv4::dest_unreachable && spec.code == 4;
    if (ctx.limiter != nullptr && !pmtud) {
        switch (ctx.limiter->check_v4(spec.type, src, ctx.now_ns)) {
            case RateVerdict::limited_global:
                return stop(ErrorOutcome::rate_limited_global);
            case RateVerdict::limited_host:
                return stop(ErrorOutcome::rate_limited_host);
            case RateVerdict::pass:
            case RateVerdict::exempt:
                break;
        }
    }

    ErrorDecision d;
    ErrorPlan& p = d.plan;
    const ErrorConfig& cfg = *ctx.config;
    std::optional<Ipv4Addr> from;
    switch (cfg.source) {
        case ErrorSource::invoking_dst:
            if (iface.owns_v4(dst)) from = dst;
            else if (iface.n4 > 0) from = iface.v4[0].addr;
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
    return d;
}

ErrorDecision plan_error_v6(const Invoking& in, const ErrorSpec& spec, const ErrorContext& ctx) noexcept {
    namespace ipv6 = wire::ipv6;
    namespace icmpv6 = wire::icmpv6;
    const auto& l3 = in.l3;
    const Iface& iface = *ctx.iface;
    const auto src = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::src);
    const auto dst = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);

    // Where the upper layer is, as far as the bytes at hand show. A packet whose extension
    // headers cannot be walked (the cause of a Parameter Problem, say) is not ICMPv6 for
    // this purpose.
    const std::size_t avail = std::min(l3.size(), ipv6::header_len + std::size_t{wire::load16(l3, ipv6::field::payload_length)});
    const auto walk = ipv6::walk_extensions(l3.first(avail));
    if (walk.upper && walk.upper->protocol == ipv6::nh_icmp6 && !(walk.upper->fragment && walk.upper->frag_offset != 0)) {
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
    if (walk.upper && walk.upper->fragment && walk.upper->frag_offset != 0)
        return stop(ErrorOutcome::suppressed_fragment);
    // RFC 4443 2.4(e.5): not about a packet whose source is not one unique node.
    if (src.is_unspecified() || src.is_multicast() || src.is_loopback())
        return stop(ErrorOutcome::suppressed_source);

    if (ctx.limiter != nullptr) {
        switch (ctx.limiter->check_v6(spec.type, src, ctx.now_ns)) {
            case RateVerdict::limited_global:
                return stop(ErrorOutcome::rate_limited_global);
            case RateVerdict::limited_host:
                return stop(ErrorOutcome::rate_limited_host);
            case RateVerdict::pass:
            case RateVerdict::exempt:
                break;
        }
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
    return d;
}

}  // namespace pw::icmp
