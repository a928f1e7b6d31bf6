#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

// ICMPv6 messages to us: verify, count (Linux Icmp6 InMsgs/InErrors/InCsumErrors, InTypeN),
// answer echo (RFC 4443 4.2) and PROBE when enabled, hand ND to ndp_input; the rest is
// counted and dropped by name.
Verdict icmp6_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                    const HostContext& ctx, bool fragmented) noexcept {
    namespace ipv6 = wire::ipv6;
    namespace icmpv6 = wire::icmpv6;
    IcmpMib& mib = ctx.stats->v6;
    const wire::Bytes msg = ip.bytes().subspan(icmp_offset);
    const auto ic = wire::icmp::View<std::byte>::checked(msg, Drop::icmp6_truncated);
    if (!ic) {
        ++mib.in_msgs;
        ++mib.in_errors;
        return Verdict::dropped(ic.reason());
    }
    const auto src = ip.src();
    const auto dst = ip.dst();
    // RFC 4443 2.3: the checksum covers the pseudo-header (RFC 8200 8.1) and the message.
    const auto msg_len = static_cast<std::uint32_t>(msg.size());
    if (!ic->checksum_ok_v6(wire::pseudo_sum_v6(src, dst, msg_len, ipv6::nh_icmp6))) {
        ++mib.in_msgs;
        ++mib.in_errors;
        ++mib.in_csum_errors;
        return Verdict::dropped(Drop::icmp6_bad_checksum);
    }
    const std::uint8_t type = ic->type();
    mib.count_in(type);
    const HostPolicy& pol = *ctx.policy;

    switch (type) {
        case icmpv6::echo_request:
        case 160:  // RFC 8335 Extended Echo Request
            break;
        case icmpv6::neighbor_solicitation:
        case icmpv6::neighbor_advertisement:
            // RFC 6980 5: a Neighbor Discovery message in a fragmented packet (an atomic
            // fragment included, RFC 6946) MUST be silently ignored: it cannot have been sent
            // by a conforming node, and fragments hide it from ND-inspecting switches (RA
            // Guard, RFC 7113). Linux: suppress_frag_ndisc.
            if (fragmented) return Verdict::dropped(Drop::ndp_invalid);
            return type == icmpv6::neighbor_solicitation ? ndp_input(f, ip, icmp_offset, ctx)
                                                         : na_input(ip, icmp_offset, ctx);
        case icmpv6::router_solicitation:
        case icmpv6::router_advertisement:
            return Verdict::dropped(Drop::ndp_unhandled);
        case icmpv6::redirect:
            return Verdict::dropped(Drop::icmp6_redirect_ignored);
        default:
            return Verdict::dropped(icmpv6::is_error(type) ? Drop::icmp6_error_received
                                                           : Drop::icmp6_unhandled_type);
    }

    const bool echo = type == icmpv6::echo_request;
    if (echo && (pol.echo6_ignore_all || (dst.is_multicast() && pol.echo6_ignore_multicast)))
        return Verdict::dropped(Drop::icmp6_echo_ignored);
    if (!echo && !pol.probe) return Verdict::dropped(Drop::icmp6_probe_disabled);
    // Replies are rate-limited only when their type is in the mask (Linux's icmpv6 ratemask;
    // echo replies, 129, are not in it by default).
    if (ctx.limiter != nullptr) {
        switch (ctx.limiter->check_v6(echo ? icmpv6::echo_reply : 161, src, ctx.now_ns)) {
            case RateVerdict::limited_global:
                ++mib.out_rate_limit_global;
                return Verdict::dropped(Drop::echo_rate_limited);
            case RateVerdict::limited_host:
                ++mib.out_rate_limit_host;
                return Verdict::dropped(Drop::echo_rate_limited);
            case RateVerdict::pass:
            case RateVerdict::exempt:
                break;
        }
    }
    // RFC 4443 4.2: the reply goes to the request's source; a request from the unspecified
    // address cannot be answered (RFC 4443 2.4(e): not a unique source).
    if (src.is_unspecified()) return Verdict::dropped(Drop::ip6_martian_source);
    // An echo to a group we joined (ff02::1, solicited-node) is answered from one of our
    // unicast addresses (RFC 4443 4.2: "the source address of the reply MUST be a unicast
    // address belonging to the interface").
    Ipv6Addr reply_src = dst;
    if (dst.is_multicast()) {
        if (!echo) return Verdict::dropped(Drop::ip6_not_for_us);
        const auto s = ctx.iface->source_for_v6(src);
        if (!s) return Verdict::dropped(Drop::ip6_not_for_us);
        reply_src = *s;
    }

    std::size_t len = msg.size();
    Reply kind = Reply::echo6_reply;
    const std::uint16_t old_word = ic->type_code_word();
    if (echo) {
        ic->set_type(icmpv6::echo_reply);
    } else {
        const Verdict v = probe_input(f, msg, true, ctx);
        if (v.next != Next::reply) return v;
        len = v.len;
        kind = Reply::probe6_reply;
    }
    const std::size_t frame_len =
        ip6_reply_in_place(f, ip, icmp_offset, len, reply_src, *ctx.iface);
    ip.set_next_header(ipv6::nh_icmp6);
    const auto out = *wire::icmp::View<std::byte>::checked(f.l3().subspan(ipv6::header_len, len),
                                                           Drop::icmp6_truncated);
    if (echo && reply_src == dst &&
        wire::checksum_update16(out.checksum(), old_word, out.type_code_word()) != 0) {
        // Swapping source and destination leaves the pseudo-header sum as it was: only the
        // type changed (RFC 1624 incremental update).
        out.set_checksum(wire::checksum_update16(out.checksum(), old_word, out.type_code_word()));
    } else {
        out.fill_checksum_v6(
            wire::pseudo_sum_v6(reply_src, src, static_cast<std::uint32_t>(len), ipv6::nh_icmp6));
    }
    return Verdict::answer(kind, frame_len);
}

}  // namespace pw::icmp
