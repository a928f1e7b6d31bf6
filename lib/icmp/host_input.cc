#include "lib/icmp/host_input.hh"

#include "lib/icmp/ip_mib.hh"
#include "lib/icmp/steps.hh"
#include "lib/wire/ethernet.hh"

namespace pw::icmp {

Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const HostContext& ctx) noexcept {
    namespace eth = wire::eth;
    if (frame_len > buffer.size()) frame_len = buffer.size();
    const auto view = eth::View<std::byte>::checked(buffer.first(frame_len));
    if (!view) return Verdict::dropped(view.reason());
    const auto dst = view->dst();
    if (!ctx.iface->accepts_mac(dst)) return Verdict::dropped(Drop::not_our_mac);
    // IEEE 802.3 3.2.3: a source address is an individual address. A frame from a group
    // address is forged, and answering it would send the reply to every station of the link
    // (or the group): dropped, whatever it carries.
    if (view->src().is_group()) return Verdict::dropped(Drop::eth_group_source);
    if (view->has_vlan()) return Verdict::dropped(Drop::vlan_not_configured);
    // IEEE 802.3 4.2.4.2.2 / RFC 894: a frame longer than the port receives is not received
    // (a NIC counts it as oversize); answering it in place would send a reply the link cannot
    // carry either.
    if (frame_len - view->header_length() > ctx.iface->max_rx_packet())
        return Verdict::dropped(Drop::frame_too_long);

    Frame f{buffer, frame_len, view->header_length(), view->src(), dst, false};
    switch (view->ethertype()) {
        case eth::type_arp:
            return arp_input(f, ctx);
        case eth::type_ipv4: {
            const IpDst ip_dst = ip_dst_of(f.l3(), false, *ctx.iface);
            return count_ip_input(ip4_input(f, ctx), ip_dst, false, false, ctx);
        }
        case eth::type_ipv6: {
            const IpDst ip_dst = ip_dst_of(f.l3(), true, *ctx.iface);
            return count_ip_input(ip6_input(f, ctx), ip_dst, true, false, ctx);
        }
        default:
            return Verdict::dropped(Drop::unknown_ethertype);
    }
}

Verdict host_input_reassembled(wire::Bytes buffer, std::size_t frame_len, std::size_t l2_len,
                               const HostContext& ctx) noexcept {
    Frame f{buffer,
            frame_len,
            l2_len,
            wire::load_bytes<MacAddr>(buffer, 6),
            wire::load_bytes<MacAddr>(buffer, 0),
            true};
    const std::uint16_t type = wire::load16(buffer, l2_len - 2);
    // Its fragments were received (Ip InReceives); the datagram is counted by its verdict.
    const bool v6 = type == wire::eth::type_ipv6;
    return count_ip_input(v6 ? ip6_input(f, ctx) : ip4_input(f, ctx), IpDst::unicast, v6, true,
                          ctx);
}

Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const Iface& iface) noexcept {
    static const HostPolicy policy{};
    thread_local IcmpStats scratch;
    thread_local std::uint16_t ident = 0;
    thread_local ErrorPlan plan;
    thread_local Sighting sighting;
    HostContext ctx;
    ctx.iface = &iface;
    ctx.policy = &policy;
    ctx.stats = &scratch;
    ctx.ip_ident = &ident;
    ctx.plan = &plan;
    ctx.sighting = &sighting;
    return host_input(buffer, frame_len, ctx);
}

}  // namespace pw::icmp
