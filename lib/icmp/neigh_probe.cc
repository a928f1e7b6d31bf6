#include "lib/icmp/neigh_probe.hh"

#include "lib/wire/arp.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/ndp.hh"

namespace pw::icmp {

std::size_t emit_arp_request(wire::Bytes out, const wire::MacAddr& our_mac,
                             const wire::Ipv4Addr& our_ip, const wire::Ipv4Addr& target,
                             const wire::MacAddr* unicast_dst) noexcept {
    namespace eth = wire::eth;
    if (out.size() < arp_request_len) return 0;
    const wire::MacAddr dst = unicast_dst != nullptr ? *unicast_dst : wire::MacAddr::broadcast();
    eth::Repr{dst, our_mac, eth::type_arp}.emit(out);
    // RFC 826: "ar$op = ares_op$REQUEST", our addresses as sender, the target's protocol
    // address; the target hardware address is what we ask for (zero).
    wire::arp::Repr{wire::arp::op_request, our_mac, our_ip, wire::MacAddr{}, target}.emit(
        out.subspan(eth::header_len));
    return arp_request_len;
}

std::size_t emit_neighbor_solicitation(wire::Bytes out, const wire::MacAddr& our_mac,
                                       const wire::Ipv6Addr& src, const wire::Ipv6Addr& target,
                                       const wire::MacAddr* unicast_dst) noexcept {
    namespace eth = wire::eth;
    namespace ipv6 = wire::ipv6;
    namespace ndp = wire::ndp;
    const bool slla = !src.is_unspecified();
    const std::size_t msg_len = ndp::ns_na_len + (slla ? ndp::lladdr_opt_len : 0);
    const std::size_t len = eth::header_len + ipv6::header_len + msg_len;
    if (out.size() < len) return 0;

    // RFC 4861 7.2.2: a solicitation for address resolution goes to the target's
    // solicited-node multicast address; one that re-confirms reachability to the target.
    const wire::Ipv6Addr dst = unicast_dst != nullptr ? target : target.solicited_node();
    const wire::MacAddr l2_dst = unicast_dst != nullptr ? *unicast_dst : dst.multicast_mac();
    eth::Repr{l2_dst, our_mac, eth::type_ipv6}.emit(out);
    const wire::Bytes l3 = out.subspan(eth::header_len, ipv6::header_len + msg_len);
    // RFC 4861 4.3 / 7.1.1: hop limit 255, so that a receiver knows it came from the link.
    ipv6::Repr{src, dst, ipv6::nh_icmp6, 255, 0, 0, static_cast<std::uint16_t>(msg_len)}.emit(l3);
    const wire::Bytes msg = l3.subspan(ipv6::header_len);
    // Type 135, code 0, the second word reserved (zero), then the target address.
    wire::icmp::Repr{wire::icmpv6::neighbor_solicitation, 0, 0}.emit(msg);
    wire::store_bytes(msg, ndp::target_offset, target);
    if (slla)
        ndp::emit_lladdr_option(msg.subspan(ndp::options_offset), ndp::opt_source_lladdr, our_mac);
    const auto icmp = *wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp6_truncated);
    icmp.fill_checksum_v6(
        wire::pseudo_sum_v6(src, dst, static_cast<std::uint32_t>(msg_len), ipv6::nh_icmp6));
    return len;
}

}  // namespace pw::icmp
