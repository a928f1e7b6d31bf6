#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/udp.hh"

namespace pw::icmp {

namespace {

// RFC 768 / RFC 1122 4.1.3.4: a non-zero checksum is verified; a bad one discards the
// datagram without an ICMP error.
bool udp_sum_ok(wire::ConstBytes udp, std::uint16_t pseudo) noexcept {
    return wire::ones_sum(udp, pseudo) == 0xffff;
}

}  // namespace

// UDP to one of our IPv4 addresses: nobody listens (RFC 1122 4.1.3.1: Port Unreachable),
// unless the port is listed as open.
Verdict udp_input_v4(Frame& f, const wire::ipv4::View<std::byte>& ip,
                     const HostContext& ctx) noexcept {
    const auto u = wire::udp::View<std::byte>::checked(ip.payload(), Drop::udp_truncated);
    if (!u) return Verdict::dropped(u.reason());
    if (u->checksum() != 0 &&
        !udp_sum_ok(u->bytes(),
                    wire::pseudo_sum_v4(ip.src(), ip.dst(), wire::ipv4::proto_udp, u->length())))
        return Verdict::dropped(Drop::udp_bad_checksum);
    if (ctx.policy->udp_open.test(u->dst_port())) return Verdict::dropped(Drop::udp_to_open_port);
    return host_error_v4(f, ip, Drop::udp_port_closed, {wire::icmpv4::dest_unreachable, 3, 0}, ctx);
}

// UDP to one of our IPv6 addresses: Port Unreachable (RFC 4443 3.1 code 4).
Verdict udp_input_v6(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t udp_offset,
                     const HostContext& ctx) noexcept {
    const auto u =
        wire::udp::View<std::byte>::checked(ip.bytes().subspan(udp_offset), Drop::udp_truncated);
    if (!u) return Verdict::dropped(u.reason());
    // RFC 8200 8.1: over IPv6 the UDP checksum is mandatory; zero is invalid.
    if (u->checksum() == 0 ||
        !udp_sum_ok(u->bytes(),
                    wire::pseudo_sum_v6(ip.src(), ip.dst(), u->length(), wire::ipv6::nh_udp)))
        return Verdict::dropped(Drop::udp_bad_checksum);
    if (ctx.policy->udp_open.test(u->dst_port())) return Verdict::dropped(Drop::udp_to_open_port);
    return host_error_v6(f, ip, Drop::udp_port_closed, {wire::icmpv6::dest_unreachable, 4, 0}, ctx);
}

}  // namespace pw::icmp
