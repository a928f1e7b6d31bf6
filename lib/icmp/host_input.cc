#include "lib/icmp/host_input.hh"

#include "lib/icmp/ip_mib.hh"
#include "lib/icmp/respond_count.hh"
#include "lib/icmp/steps.hh"
#include "lib/icmp/vlan_input.hh"
#include "lib/wire/ethernet.hh"

namespace pw::icmp {

namespace {

namespace eth = wire::eth;

Verdict dispatch(Frame& f, std::uint16_t ethertype, const HostContext& ctx) noexcept {
    switch (ethertype) {
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

// The frame on the interface it came in on (ctx.iface: the port, or a VLAN sub-interface).
Verdict receive(wire::Bytes buffer, std::size_t frame_len, const eth::View<std::byte>& view,
                const HostContext& ctx) noexcept {
    const Iface& iface = *ctx.iface;
    const auto dst = view.dst();
    if (!iface.accepts_mac(dst)) return Verdict::dropped(Drop::not_our_mac);
    // IEEE 802.3 3.2.3: a source address is an individual address. A frame from a group
    // address is forged, and answering it would send the reply to every station of the link
    // (or the group): dropped, whatever it carries.
    if (view.src().is_group()) return Verdict::dropped(Drop::eth_group_source);
    // IEEE 802.3 4.2.4.2.2 / RFC 894: a frame longer than the port receives is not received
    // (a NIC counts it as oversize); answering it in place would send a reply the link cannot
    // carry either.
    if (frame_len - view.header_length() > iface.max_rx_packet())
        return Verdict::dropped(Drop::frame_too_long);

    Frame f{buffer, frame_len, view.header_length(), view.src(), dst, false};
    const std::uint16_t type = view.ethertype();
    if ((iface.n_respond4 | iface.n_respond6) == 0) return dispatch(f, type, ctx);
    // --respond: which prefix it is for, looked at before an answer rewrites it.
    const int slot = respond_slot_of(buffer.first(frame_len), f.l2_len, type, iface);
    const Verdict v = dispatch(f, type, ctx);
    count_respond(ctx, slot, v);
    return v;
}

}  // namespace

Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const HostContext& ctx) noexcept {
    if (frame_len > buffer.size()) frame_len = buffer.size();
    const auto view = eth::View<std::byte>::checked(buffer.first(frame_len));
    if (!view) return Verdict::dropped(view.reason());
    if (!view->has_vlan()) return receive(buffer, frame_len, *view, ctx);
    // IEEE 802.1Q: a tagged frame belongs to the sub-interface of its VID (Linux's
    // vlan_do_receive), as if it had come in there.
    Drop why = Drop::vlan_unknown;
    const Iface* sub = ingress_iface(*ctx.iface, view->bytes(), why);
    if (sub == nullptr) return Verdict::dropped(why);
    const HostContext sc = vlan_context(ctx, *sub);
    const Verdict v = receive(buffer, frame_len, *view, sc);
    vlan_done(sc, v, true);
    return v;
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
    // The first fragment's L2 header, tag and all: the sub-interface it came in on.
    Drop why = Drop::vlan_unknown;
    const Iface* in = ingress_iface(*ctx.iface, wire::ConstBytes{buffer}.first(l2_len), why);
    if (in == nullptr) return Verdict::dropped(why);
    const HostContext sc = in == ctx.iface ? ctx : vlan_context(ctx, *in);
    const int slot = (in->n_respond4 | in->n_respond6) != 0
                         ? respond_slot_of(buffer.first(frame_len), l2_len, type, *in)
                         : -1;
    // Its fragments were received (Ip InReceives); the datagram is counted by its verdict.
    const bool v6 = type == eth::type_ipv6;
    const Verdict v =
        count_ip_input(v6 ? ip6_input(f, sc) : ip4_input(f, sc), IpDst::unicast, v6, true, sc);
    count_respond(sc, slot, v);
    if (in != ctx.iface) vlan_done(sc, v, false);
    return v;
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
