// TCP to one of our addresses. Nothing listens here: every connection is CLOSED, and a
// segment to a closed port is answered with a reset (RFC 9293 3.5.2 item 1, 3.10.7.1), as
// Linux does (tcp_v4_send_reset, tcp_v6_send_reset), instead of the Protocol Unreachable a
// host without TCP would owe. The reset is the segment rewritten in place: it is never
// larger than what asked for it, and it is not rate limited (Linux limits no reset to a
// closed port either).
#include "lib/icmp/steps.hh"
#include "lib/wire/tcp.hh"

namespace pw::icmp {

namespace {

namespace tcp = wire::tcp;

// RFC 9293 3.5.2 item 1: "If the incoming segment has the ACK bit set, the reset takes its
// sequence number from the ACK field of the segment; otherwise, the reset has sequence
// number zero and the ACK field is set to the sum of the sequence number and segment length
// of the incoming segment." SEG.LEN counts SYN and FIN (RFC 9293 3.4). No window, no options.
tcp::Repr reset_for(const tcp::View<std::byte>& seg) noexcept {
    tcp::Repr r;
    r.src_port = seg.dst_port();
    r.dst_port = seg.src_port();
    if (seg.ack_flag()) {
        r.seq = seg.ack();
        r.flags = tcp::flag_rst;
    } else {
        const auto len = static_cast<std::uint32_t>(seg.payload().size()) + (seg.syn() ? 1U : 0U) +
                         (seg.fin() ? 1U : 0U);
        r.seq = 0;
        r.ack = seg.seq() + len;  // modulo 2^32
        r.flags = tcp::flag_rst | tcp::flag_ack;
    }
    return r;
}

// The checks every segment passes before it may be answered (Linux tcp_v4_rcv order): one
// of our unicast addresses, a whole header, a good checksum, not a reset. Counts the Tcp
// table. Returns Drop::count_ when a reset is owed.
Drop check_segment(const wire::Checked<tcp::View<std::byte>>& seg, bool to_group,
                   std::uint16_t pseudo_sum_of_len, TcpMib& mib) noexcept {
    // RFC 1122 4.2.3.10: a SYN to a broadcast or multicast address is discarded silently;
    // no other segment to one is answered either (TCP is unicast; Linux drops what is not
    // PACKET_HOST and resets only what was routed as RTN_LOCAL).
    if (to_group) return Drop::tcp_to_group;
    ++mib[TcpCounter::in_segs];
    if (!seg) {
        ++mib[TcpCounter::in_errs];
        return seg.reason();
    }
    // RFC 1122 4.2.2.7 / RFC 9293 3.1: the checksum is never optional; a receiver MUST check
    // it, and a segment failing it is discarded (no reset: its ports may be wrong too).
    if (!seg->checksum_ok(pseudo_sum_of_len)) {
        ++mib[TcpCounter::in_csum_errors];
        ++mib[TcpCounter::in_errs];
        return Drop::tcp_bad_checksum;
    }
    // RFC 9293 3.10.7.1: "An incoming segment containing a RST is discarded."
    if (seg->rst()) return Drop::tcp_reset_received;
    return Drop::count_;
}

}  // namespace

Verdict tcp_input_v4(Frame& f, const wire::ipv4::View<std::byte>& ip, bool to_broadcast,
                     const HostContext& ctx) noexcept {
    namespace ipv4 = wire::ipv4;
    const wire::Bytes l4 = ip.payload();
    const auto seg = tcp::View<std::byte>::checked(l4, Drop::tcp_truncated);
    const Drop d = check_segment(seg, to_broadcast || f.eth_dst.is_group(),
                                 wire::pseudo_sum_v4(ip.src(), ip.dst(), ipv4::proto_tcp,
                                                     static_cast<std::uint16_t>(l4.size())),
                                 ctx.stats->tcp);
    if (d != Drop::count_) return Verdict::dropped(d);
    const tcp::Repr rst = reset_for(*seg);
    // The reply's IP header as Linux's ip_send_unicast_reply makes it: TTL 64, the TOS of the
    // segment, no options, DF set and identification 0 (an atomic datagram, RFC 6864 4.1).
    const std::size_t len = ip4_reply_in_place(f, ip, tcp::header_len, *ctx.iface);
    ip.set_ident(0);
    ip.set_flags_frag(ipv4::flag_df);
    ip.fill_checksum();
    const wire::Bytes out = f.l3().subspan(ipv4::min_header_len, tcp::header_len);
    rst.emit(out);
    const auto v = tcp::View<std::byte>::checked(out, Drop::tcp_truncated);
    v->fill_checksum(wire::pseudo_sum_v4(ip.src(), ip.dst(), ipv4::proto_tcp,
                                         static_cast<std::uint16_t>(tcp::header_len)));
    return Verdict::answer(Reply::tcp4_reset, len);
}

Verdict tcp_input_v6(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t tcp_offset,
                     const HostContext& ctx) noexcept {
    namespace ipv6 = wire::ipv6;
    const wire::Bytes l4 = ip.bytes().subspan(tcp_offset);
    const auto seg = tcp::View<std::byte>::checked(l4, Drop::tcp_truncated);
    const auto us = ip.dst();
    const Drop d = check_segment(
        seg, us.is_multicast() || f.eth_dst.is_group(),
        wire::pseudo_sum_v6(ip.src(), us, static_cast<std::uint32_t>(l4.size()), ipv6::nh_tcp),
        ctx.stats->tcp);
    if (d != Drop::count_) return Verdict::dropped(d);
    const tcp::Repr rst = reset_for(*seg);
    // Hop limit 64 and the traffic class of the segment, as Linux's tcp_v6_send_response;
    // extension headers are not reflected.
    const std::size_t len = ip6_reply_in_place(f, ip, tcp_offset, tcp::header_len, us, *ctx.iface);
    ip.set_next_header(ipv6::nh_tcp);
    const wire::Bytes out = f.l3().subspan(ipv6::header_len, tcp::header_len);
    rst.emit(out);
    const auto v = tcp::View<std::byte>::checked(out, Drop::tcp_truncated);
    v->fill_checksum(wire::pseudo_sum_v6(
        ip.src(), ip.dst(), static_cast<std::uint32_t>(tcp::header_len), ipv6::nh_tcp));
    return Verdict::answer(Reply::tcp6_reset, len);
}

}  // namespace pw::icmp
