#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

// IPv6 receive checks of a host (RFC 8200 3, 4; RFC 4291 2.5.2, 2.7).
Verdict ip6_input(Frame& f, const Iface& iface) noexcept {
    namespace ipv6 = wire::ipv6;
    const auto ip = ipv6::View<std::byte>::checked(f.l3());
    if (!ip) return Verdict::dropped(ip.reason());
    // RFC 4291 2.7: a multicast address must not be a source; ::1 never arrives from a link
    // (RFC 4291 2.5.3).
    const auto src = ip->src();
    if (src.is_multicast() || src.is_loopback()) return Verdict::dropped(Drop::ip6_martian_source);
    const auto dst = ip->dst();
    if (!iface.owns_v6(dst) && !iface.joined_v6_group(dst)) return Verdict::dropped(Drop::ip6_not_for_us);

    const auto walk = ipv6::walk_extensions(ip->bytes());
    if (!walk.upper) return Verdict::dropped(walk.error.reason);
    const auto& up = *walk.upper;
    if (up.fragment) return Verdict::dropped(Drop::ip6_fragment);
    if (up.protocol != ipv6::nh_icmp6) return Verdict::dropped(Drop::ip6_unhandled_next_header);
    return icmp6_input(f, *ip, up.offset, iface);
}

}  // namespace pw::icmp
