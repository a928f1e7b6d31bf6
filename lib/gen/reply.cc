// Classifying what comes back. Every length is checked by a wire view before a field is
// read; a frame that is too short for what it claims is `other`.
#include "lib/gen/reply.hh"

#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/tcp.hh"
#include "lib/wire/udp.hh"

namespace pw::gen {
namespace {

using wire::ConstBytes;
using CView4 = wire::ipv4::View<const std::byte>;
using CView6 = wire::ipv6::View<const std::byte>;

// RFC 792 timestamp reply: the 8-byte header and three 32-bit timestamps.
constexpr std::size_t timestamp_msg_len = wire::icmp::header_len + 12;
// RFC 792 / RFC 4443: an error quotes at least the IP header and the first 8 bytes after it
// (the ICMP header, the UDP header, the TCP ports and sequence number).
constexpr std::size_t quoted_l4_min = 8;

// What an ICMP error quotes: the invoking packet's IP header (maybe options) and as much of
// the rest as the sender kept. Only the header is required; the quote may stop anywhere
// after the first 8 bytes of the upper layer.
bool read_quote(Reply& r, ConstBytes quote, bool v6, std::uint32_t magic) noexcept {
    std::uint8_t proto = 0;
    ConstBytes l4;           // what is quoted of the upper-layer message
    std::size_t l4_len = 0;  // its length in the probe as sent
    if (!v6) {
        if (quote.size() < wire::ipv4::min_header_len) return false;
        const std::uint8_t vi = wire::load8(quote, wire::ipv4::field::ver_ihl);
        const std::size_t hlen = std::size_t{vi & 0x0fU} * 4;
        if ((vi >> 4) != 4 || hlen < wire::ipv4::min_header_len || hlen > quote.size())
            return false;
        const std::uint16_t tlen = wire::load16(quote, wire::ipv4::field::total_length);
        if (tlen < hlen) return false;
        // Only a first fragment holds the upper-layer header.
        if ((wire::load16(quote, wire::ipv4::field::flags_frag) & wire::ipv4::frag_offset_mask) !=
            0)
            return false;
        proto = wire::load8(quote, wire::ipv4::field::protocol);
        r.quoted_dst =
            wire::v4_mapped(wire::load_bytes<wire::Ipv4Addr>(quote, wire::ipv4::field::dst));
        r.quoted_ip_len = tlen;
        l4 = quote.subspan(hlen);
        l4_len = tlen - hlen;
    } else {
        if (quote.size() < wire::ipv6::header_len) return false;
        if ((wire::load8(quote, wire::ipv6::field::ver_tc_flow) >> 4) != 6) return false;
        proto = wire::load8(quote, wire::ipv6::field::next_header);
        const std::uint16_t plen = wire::load16(quote, wire::ipv6::field::payload_length);
        r.quoted_dst = wire::load_bytes<wire::Ipv6Addr>(quote, wire::ipv6::field::dst);
        r.quoted_ip_len = static_cast<std::uint16_t>(wire::ipv6::header_len + plen);
        l4 = quote.subspan(wire::ipv6::header_len);
        l4_len = plen;
    }
    // A quote longer than the probe is link padding or garbage past it: cut it off.
    if (l4.size() > l4_len) l4 = l4.first(l4_len);
    if (l4.size() < quoted_l4_min) return false;

    ConstBytes data;  // the quoted probe payload (the stamp), when the kind carries one
    std::size_t data_len = 0;
    const bool icmp = v6 ? proto == wire::ipv6::nh_icmp6 : proto == wire::ipv4::proto_icmp;
    if (icmp) {
        const std::uint8_t type = wire::load8(l4, wire::icmp::field::type);
        if (type == (v6 ? wire::icmpv6::echo_request : wire::icmpv4::echo_request)) {
            r.quoted_kind = ProbeKind::echo;
        } else if (!v6 && type == wire::icmpv4::timestamp_request) {
            r.quoted_kind = ProbeKind::timestamp;
        } else {
            return false;  // an error about an echo reply, or about another error, ...
        }
        r.quoted_ident = wire::load16(l4, wire::icmp::field::ident);
        r.quoted_seq = wire::load16(l4, wire::icmp::field::seq);
        if (r.quoted_kind == ProbeKind::echo) {
            data = l4.subspan(wire::icmp::header_len);
            data_len = l4_len - wire::icmp::header_len;
        }
    } else if (proto == wire::ipv4::proto_tcp || proto == wire::ipv4::proto_udp) {
        // (IPv4 protocol numbers and IPv6 next-header values agree for TCP and UDP.)
        r.quoted_kind = proto == wire::ipv4::proto_tcp ? ProbeKind::tcp_syn : ProbeKind::udp;
        r.quoted_ident = wire::load16(l4, 0);  // source port (ours)
        r.quoted_seq = wire::load16(l4, 2);    // destination port
        if (r.quoted_kind == ProbeKind::udp) {
            data = l4.subspan(wire::udp::header_len);
            data_len = l4_len - wire::udp::header_len;
        }
    } else {
        return false;
    }
    // The check covers the whole payload: it can be verified only when all of it is quoted.
    // A partial quote (Linux: 576 bytes of IPv4 error, 1280 of IPv6) that holds our stamp
    // still gives the stamp's fields, unverified (status absent).
    if (data.size() >= stamp_len) {
        if (data.size() == data_len) {
            r.quoted_stamp_status = read_stamp(data, magic, r.quoted_stamp);
        } else {
            Stamp s;
            if (read_stamp(data.first(stamp_len), magic, s) != StampStatus::absent)
                r.quoted_stamp = s;
        }
    }
    return true;
}

// A pseudo-header sum (taken with length 0) with the upper-layer length added: a 16-bit word
// over IPv4; the low of two 32-bit halves over IPv6, the high one 0 (lengths < 2^16 here).
std::uint16_t with_length(std::uint16_t pseudo, std::size_t len) noexcept {
    return wire::ones_add(pseudo, static_cast<std::uint16_t>(len));
}

bool is_error_v4(std::uint8_t type) noexcept {
    return type == wire::icmpv4::dest_unreachable || type == wire::icmpv4::source_quench ||
           type == wire::icmpv4::redirect || type == wire::icmpv4::time_exceeded ||
           type == wire::icmpv4::parameter_problem;
}

bool is_error_v6(std::uint8_t type) noexcept {
    return type == wire::icmpv6::dest_unreachable || type == wire::icmpv6::packet_too_big ||
           type == wire::icmpv6::time_exceeded || type == wire::icmpv6::parameter_problem;
}

void parse_icmp(Reply& r, ConstBytes msg, std::uint16_t pseudo, std::uint32_t magic) noexcept {
    const auto icmp = wire::icmp::View<const std::byte>::checked(msg, wire::Drop::icmp4_truncated);
    if (!icmp) return;
    const std::uint8_t type = icmp->type();
    r.checksum_ok =
        r.v6 ? icmp->checksum_ok_v6(with_length(pseudo, msg.size())) : icmp->checksum_ok_v4();
    if (type == (r.v6 ? wire::icmpv6::echo_reply : wire::icmpv4::echo_reply)) {
        r.kind = ReplyKind::echo_reply;
        r.ident = icmp->ident();
        r.seq = icmp->seq();
        r.stamp_status = read_stamp(icmp->data(), magic, r.stamp);
        return;
    }
    if (!r.v6 && type == wire::icmpv4::timestamp_reply) {
        if (msg.size() < timestamp_msg_len) return;
        r.kind = ReplyKind::timestamp_reply;
        r.ident = icmp->ident();
        r.seq = icmp->seq();
        return;
    }
    if (r.v6 ? !is_error_v6(type) : !is_error_v4(type)) return;
    r.type = type;
    r.code = icmp->code();
    if (r.v6 && type == wire::icmpv6::packet_too_big) r.mtu = icmp->word();  // RFC 4443 3.2
    // RFC 1191 4: Fragmentation Needed carries the next-hop MTU in the low 16 bits.
    if (!r.v6 && type == wire::icmpv4::dest_unreachable && r.code == 4)
        r.mtu = icmp->word() & 0xffff;
    if (!read_quote(r, icmp->data(), r.v6, magic)) {
        r = Reply{};
        return;
    }
    r.kind = ReplyKind::icmp_error;
}

void parse_tcp(Reply& r, ConstBytes seg, std::uint16_t pseudo) noexcept {
    const auto tcp = wire::tcp::View<const std::byte>::checked(seg, wire::Drop::ip4_truncated);
    if (!tcp) return;
    if (tcp->rst())
        r.kind = ReplyKind::tcp_rst;  // with or without ACK
    else if (tcp->syn() && tcp->ack_flag())
        r.kind = ReplyKind::tcp_synack;
    else
        return;
    r.ident = tcp->dst_port();
    r.seq = tcp->src_port();
    r.tcp_seq = tcp->seq();
    r.tcp_ack = tcp->ack();
    r.checksum_ok = tcp->checksum_ok(with_length(pseudo, seg.size()));
}

void parse_udp(Reply& r, ConstBytes dgram, std::uint16_t pseudo, std::uint32_t magic) noexcept {
    const auto udp = wire::udp::View<const std::byte>::checked(dgram, wire::Drop::udp_truncated);
    if (!udp) return;
    r.kind = ReplyKind::udp;
    r.ident = udp->dst_port();
    r.seq = udp->src_port();
    // RFC 768: 0 is "no checksum" over IPv4; RFC 8200 8.1: IPv6 requires one.
    if (udp->checksum() == 0)
        r.checksum_ok = !r.v6;
    else
        r.checksum_ok = wire::ones_sum(udp->bytes(), with_length(pseudo, udp->length())) == 0xffff;
    r.stamp_status = read_stamp(udp->payload(), magic, r.stamp);
}

}  // namespace

Reply parse_reply(wire::ConstBytes frame, std::uint32_t magic) noexcept {
    Reply r;
    const auto eth = wire::eth::View<const std::byte>::checked(frame);
    if (!eth) return r;
    std::uint8_t proto = 0;
    ConstBytes l4;
    std::uint16_t pseudo = 0;
    if (eth->ethertype() == wire::eth::type_ipv4) {
        const auto ip = CView4::checked(eth->payload());
        if (!ip || !ip->header_checksum_ok()) return r;
        if (ip->frag_offset() != 0) return r;  // not a first fragment: no upper-layer header
        proto = ip->protocol();
        r.ttl = ip->ttl();
        r.src = wire::v4_mapped(ip->src());
        r.dst = wire::v4_mapped(ip->dst());
        r.ip_len = ip->total_length();
        l4 = ip->payload();
        // The pseudo-header without its length, which each parser adds (the UDP length
        // field, the TCP segment's).
        if (proto == wire::ipv4::proto_tcp || proto == wire::ipv4::proto_udp)
            pseudo = wire::pseudo_sum_v4(ip->src(), ip->dst(), proto, 0);
    } else if (eth->ethertype() == wire::eth::type_ipv6) {
        const auto ip = CView6::checked(eth->payload());
        if (!ip) return r;
        // No extension header is walked: our peers answer with none, and anything else
        // goes on to the host stage.
        proto = ip->next_header();
        r.v6 = true;
        r.ttl = ip->hop_limit();
        r.src = ip->src();
        r.dst = ip->dst();
        r.ip_len = static_cast<std::uint16_t>(wire::ipv6::header_len + ip->payload_length());
        l4 = ip->payload();
        if (proto == wire::ipv6::nh_icmp6 || proto == wire::ipv6::nh_tcp ||
            proto == wire::ipv6::nh_udp)
            pseudo = wire::pseudo_sum_v6(ip->src(), ip->dst(), 0, proto);
    } else {
        return r;
    }

    const bool icmp = r.v6 ? proto == wire::ipv6::nh_icmp6 : proto == wire::ipv4::proto_icmp;
    if (icmp)
        parse_icmp(r, l4, pseudo, magic);
    else if (proto == wire::ipv4::proto_tcp)
        parse_tcp(r, l4, pseudo);
    else if (proto == wire::ipv4::proto_udp)
        parse_udp(r, l4, pseudo, magic);
    if (r.kind == ReplyKind::other) return Reply{};
    return r;
}

}  // namespace pw::gen
