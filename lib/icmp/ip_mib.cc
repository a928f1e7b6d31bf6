#include "lib/icmp/ip_mib.hh"

#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

IpCounter ip_fate(Drop d) noexcept {
    using C = IpCounter;
    switch (d) {
        // RFC 4293 ipSystemStatsInHdrErrors: "errors in their IP headers, including version
        // number mismatch, other format errors, hop count exceeded, errors discovered in
        // processing their IP options". A source that is no unique host is a header error
        // here (Linux counts an IPv6 one so, an IPv4 one nowhere).
        case Drop::ip4_truncated:
        case Drop::ip4_bad_version:
        case Drop::ip4_bad_ihl:
        case Drop::ip4_bad_checksum:
        case Drop::ip4_bad_option:
        case Drop::ip4_martian_source:
        case Drop::ip6_truncated:
        case Drop::ip6_bad_version:
        case Drop::ip6_martian_source:
        case Drop::ip6_bad_ext_header:
        case Drop::ip6_routing_header:
        case Drop::ip6_unknown_option:
        case Drop::ttl_expired:
            return C::in_hdr_errors;
        // ipSystemStatsInTruncatedPkts: "the datagram frame didn't carry enough data" (Linux:
        // a total / payload length past the frame).
        case Drop::ip4_bad_total_length:
        case Drop::ip6_bad_payload_length:
            return C::in_truncated_pkts;
        // ipSystemStatsInAddrErrors: "the IP address in their IP header's destination field
        // was not a valid address to be received at this entity" (a host's datagram to
        // another, as Linux's ip_error with forwarding off; never-forwarded destinations).
        case Drop::ip4_not_for_us:
        case Drop::ip4_bad_destination:
        case Drop::ip6_not_for_us:
        case Drop::ip6_not_forwardable:
        case Drop::beyond_scope:
            return C::in_addr_errors;
        // ipSystemStatsInNoRoutes (Linux IpExtInNoRoutes, Ip6InNoRoutes).
        case Drop::no_route:
        case Drop::route_reject:
            return C::in_no_routes;
        // ipSystemStatsInUnknownProtos.
        case Drop::ip4_unhandled_protocol:
        case Drop::ip6_unhandled_next_header:
            return C::in_unknown_protos;
        // ipSystemStatsInDiscards: no problem with the datagram, discarded by policy.
        case Drop::ip4_unicast_in_l2_broadcast:
        case Drop::ip4_source_route:
        case Drop::ip4_fragment:
        case Drop::ip6_fragment:
        case Drop::ip4_multicast_not_forwarded:
        case Drop::ip4_directed_broadcast:
        case Drop::route_blackhole:
        case Drop::acl_denied:
        case Drop::icmp_filtered:  // RFC 4890 filtering: a discard by policy
            return C::in_discards;
        // ipSystemStatsOutFragFails: "needed to be fragmented but could not be" (DF set or
        // IPv6 in transit: Linux ip_forward / ip6_forward count FragFails).
        case Drop::mtu_exceeded:
        case Drop::fragment_failed:
            return C::frag_fails;
        case Drop::reasm_overlap:
        case Drop::reasm_too_big:
        case Drop::reasm_bad_length:
        case Drop::reasm_too_many_fragments:
        case Drop::reasm_table_full:
            return C::reasm_fails;
        // Delivered to a transport, which decided (Linux counts InDelivers before ICMP, UDP or
        // TCP looks at the message; No Next Header is delivered to a discard protocol).
        case Drop::icmp4_truncated:
        case Drop::icmp4_bad_checksum:
        case Drop::icmp4_unhandled_type:
        case Drop::icmp4_echo_to_broadcast:
        case Drop::echo_rate_limited:
        case Drop::icmp4_echo_ignored:
        case Drop::icmp4_timestamp_disabled:
        case Drop::icmp4_probe_disabled:
        case Drop::icmp4_redirect_ignored:
        case Drop::icmp4_source_quench_ignored:
        case Drop::icmp4_obsolete_request:
        case Drop::icmp4_error_received:
        case Drop::icmp6_truncated:
        case Drop::icmp6_bad_checksum:
        case Drop::icmp6_unhandled_type:
        case Drop::icmp6_echo_ignored:
        case Drop::icmp6_probe_disabled:
        case Drop::icmp6_redirect_ignored:
        case Drop::icmp6_error_received:
        case Drop::probe_malformed:
        case Drop::ip6_no_next_header:
        case Drop::udp_truncated:
        case Drop::udp_bad_checksum:
        case Drop::udp_port_closed:
        case Drop::udp_to_open_port:
        case Drop::tcp_truncated:
        case Drop::tcp_bad_checksum:
        case Drop::tcp_reset_received:
        case Drop::tcp_to_group:
        case Drop::ndp_bad_hop_limit:
        case Drop::ndp_invalid:
        case Drop::ndp_not_for_us:
        case Drop::ndp_unhandled:
        case Drop::no_room:
            return C::in_delivers;
        default:
            return C::count_;
    }
}

void count_ip_verdict(IpMib& m, const Verdict& v, bool v6) noexcept {
    switch (v.next) {
        case Next::reply:
            ++m[IpCounter::in_delivers];
            return;
        case Next::reassemble:
            ++m[IpCounter::reasm_reqds];
            return;
        case Next::forward:
            ++m[IpCounter::forw_datagrams];
            return;
        case Next::route:
        case Next::count_:
            return;
        case Next::drop:
        case Next::error:
            break;
    }
    const IpCounter c = ip_fate(v.drop);
    if (c == IpCounter::count_) return;
    ++m[c];
    if (v.drop == Drop::ip4_bad_checksum) ++m[IpCounter::in_csum_errors];
    // Linux ip6_forward: a packet too big is InTooBigErrors and FragFails.
    if (v.drop == Drop::mtu_exceeded && v6) ++m[IpCounter::in_too_big_errors];
}

IpDst ip_dst_of(wire::ConstBytes l3, bool v6, const Iface& iface) noexcept {
    if (v6) {
        if (l3.size() < wire::ipv6::header_len) return IpDst::unicast;
        return std::to_integer<std::uint8_t>(l3[wire::ipv6::field::dst]) == 0xff ? IpDst::multicast
                                                                                 : IpDst::unicast;
    }
    if (l3.size() < wire::ipv4::min_header_len) return IpDst::unicast;
    const auto dst = wire::load_bytes<wire::Ipv4Addr>(l3, wire::ipv4::field::dst);
    if (dst.is_multicast()) return IpDst::multicast;
    if (dst.is_limited_broadcast() || iface.is_v4_broadcast(dst)) return IpDst::broadcast;
    return IpDst::unicast;
}

Verdict count_ip_input(const Verdict& v, IpDst dst, bool v6, bool reassembled,
                       const HostContext& ctx) noexcept {
    IpMib& m = ctx.stats->ip(v6);
    if (!reassembled) ++m[IpCounter::in_receives];
    const IpCounter fate =
        v.next == Next::drop || v.next == Next::error ? ip_fate(v.drop) : IpCounter::count_;
    // Only from a header that passed its checks (Linux counts Ip6InMcastPkts in ip6_mc_input,
    // IpExtInMcastPkts / InBcastPkts once routed); a reassembled datagram's fragments were.
    if (dst != IpDst::unicast && !reassembled && fate != IpCounter::in_hdr_errors &&
        fate != IpCounter::in_truncated_pkts)
        ++m[dst == IpDst::multicast ? IpCounter::in_mcast_pkts : IpCounter::in_bcast_pkts];
    count_ip_verdict(m, v, v6);
    return v;
}

}  // namespace pw::icmp
