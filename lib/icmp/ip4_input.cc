#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

// IPv4 receive checks of a host (RFC 1122 3.2.1, with the RFC 1812 5.2.2 header checks).
Verdict ip4_input(Frame& f, const Iface& iface) noexcept {
    namespace ipv4 = wire::ipv4;
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
    if (!broadcast && !iface.owns_v4(dst)) return Verdict::dropped(Drop::ip4_not_for_us);
    // RFC 1122 3.3.6: discard a unicast datagram that came in a link-layer broadcast.
    if (!broadcast && f.eth_dst.is_group()) return Verdict::dropped(Drop::ip4_unicast_in_l2_broadcast);
    if (ip->is_fragment()) return Verdict::dropped(Drop::ip4_fragment);
    if (ip->protocol() != ipv4::proto_icmp) return Verdict::dropped(Drop::ip4_unhandled_protocol);
    return icmp4_input(f, *ip, broadcast, iface);
}

}  // namespace pw::icmp
