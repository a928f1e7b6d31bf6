#include <cstring>

#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {
constexpr std::uint8_t reply_hop_limit = 64;
}

// ICMPv6 messages to us: verify, answer echo (RFC 4443 4.2), hand ND to ndp_input.
Verdict icmp6_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                    const Iface& iface) noexcept {
    namespace ipv6 = wire::ipv6;
    namespace icmpv6 = wire::icmpv6;
    const wire::Bytes msg = ip.bytes().subspan(icmp_offset);
    const auto ic = wire::icmp::View<std::byte>::checked(msg, Drop::icmp6_truncated);
    if (!ic) return Verdict::dropped(ic.reason());
    const auto src = ip.src();
    const auto dst = ip.dst();
    // RFC 4443 2.3: the checksum covers the pseudo-header (RFC 8200 8.1) and the message.
    const auto pseudo = wire::pseudo_sum_v6(src, dst, static_cast<std::uint32_t>(msg.size()), ipv6::nh_icmp6);
    if (!ic->checksum_ok_v6(pseudo)) return Verdict::dropped(Drop::icmp6_bad_checksum);

    switch (ic->type()) {
        case icmpv6::echo_request:
            break;
        case icmpv6::neighbor_solicitation:
            return ndp_input(f, ip, icmp_offset, iface);
        case icmpv6::neighbor_advertisement:
        case icmpv6::router_solicitation:
        case icmpv6::router_advertisement:
        case icmpv6::redirect:
            return Verdict::dropped(Drop::ndp_unhandled);
        default:
            return Verdict::dropped(Drop::icmp6_unhandled_type);
    }

    // RFC 4443 4.2: the reply goes to the request's source. A request with an unspecified
    // source cannot be answered (RFC 4443 2.4(e): no reply to a non-unique source).
    if (src.is_unspecified()) return Verdict::dropped(Drop::ip6_martian_source);
    // An echo to a group we joined (ff02::1, solicited-node) is answered from one of our
    // unicast addresses (RFC 4443 4.2: "the source address of the reply MUST be a unicast
    // address belonging to the interface").
    Ipv6Addr reply_src = dst;
    if (dst.is_multicast()) {
        const auto s = iface.source_for_v6(src);
        if (!s) return Verdict::dropped(Drop::ip6_not_for_us);
        reply_src = *s;
    }

    const std::size_t icmp_len = msg.size();
    const wire::Bytes l3 = f.l3();
    // Extension headers of the request are not reflected: the reply carries ICMPv6 right
    // after the fixed header.
    if (icmp_offset != ipv6::header_len)
        std::memmove(l3.data() + ipv6::header_len, l3.data() + icmp_offset, icmp_len);
    ip.set_payload_length(static_cast<std::uint16_t>(icmp_len));
    ip.set_next_header(ipv6::nh_icmp6);
    ip.set_hop_limit(reply_hop_limit);
    ip.set_src(reply_src);
    ip.set_dst(src);

    const auto out = *wire::icmp::View<std::byte>::checked(l3.subspan(ipv6::header_len, icmp_len),
                                                           Drop::icmp6_truncated);
    const std::uint16_t old_word = out.type_code_word();
    out.set_type(icmpv6::echo_reply);
    if (reply_src == dst) {
        // Swapping source and destination leaves the pseudo-header sum as it was: only the
        // type changed (RFC 1624 incremental update).
        out.set_checksum(wire::checksum_update16(out.checksum(), old_word, out.type_code_word()));
    } else {
        out.fill_checksum_v6(wire::pseudo_sum_v6(reply_src, src, static_cast<std::uint32_t>(icmp_len),
                                                 ipv6::nh_icmp6));
    }
    f.reply_l2(f.eth_src, iface);
    return Verdict::answer(Reply::echo6_reply, f.l2_len + ipv6::header_len + icmp_len);
}

}  // namespace pw::icmp
