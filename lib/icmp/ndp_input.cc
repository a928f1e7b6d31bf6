#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ndp.hh"

namespace pw::icmp {

namespace {
constexpr std::uint8_t nd_hop_limit = 255;
}

// Neighbor Solicitation -> Neighbor Advertisement (RFC 4861 7.1.1 validation, 7.2.3
// receipt, 7.2.4 sending). The advertisement is built in place over the solicitation.
Verdict ndp_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                  const HostContext& ctx) noexcept {
    const Iface& iface = *ctx.iface;
    namespace ipv6 = wire::ipv6;
    namespace ndp = wire::ndp;
    // RFC 4861 7.1.1: the hop limit is 255 (the packet cannot have crossed a router).
    if (ip.hop_limit() != nd_hop_limit) return Verdict::dropped(Drop::ndp_bad_hop_limit);
    const wire::Bytes msg = ip.bytes().subspan(icmp_offset);
    // ICMP code 0, ICMP length 24 or more, target not multicast.
    if (wire::load8(msg, wire::icmp::field::code) != 0 || msg.size() < ndp::ns_na_len)
        return Verdict::dropped(Drop::ndp_invalid);
    const auto target = wire::load_bytes<Ipv6Addr>(msg, ndp::target_offset);
    if (target.is_multicast()) return Verdict::dropped(Drop::ndp_invalid);
    // All options have a length greater than zero.
    const auto opts = ndp::parse_options(msg.subspan(ndp::options_offset));
    if (!opts) return Verdict::dropped(Drop::ndp_invalid);
    const auto src = ip.src();
    const auto dst = ip.dst();
    // From the unspecified address (Duplicate Address Detection): the destination is a
    // solicited-node group and there is no source link-layer address option.
    const bool dad = src.is_unspecified();
    if (dad && (!dst.is_multicast() || dst != dst.solicited_node() || opts->source_lladdr))
        return Verdict::dropped(Drop::ndp_invalid);
    // RFC 4861 7.2.3: answer only for our own (non-tentative) addresses.
    if (!iface.owns_v6(target)) return Verdict::dropped(Drop::ndp_not_for_us);

    const std::size_t l3_len = ipv6::header_len + ndp::ns_na_len + ndp::lladdr_opt_len;
    if (f.l2_len + l3_len > f.buf.size()) return Verdict::dropped(Drop::no_room);
    const wire::Bytes l3 = f.buf.subspan(f.l2_len, l3_len);

    // RFC 4861 7.2.4: to the solicitation's source, or to all-nodes with S clear when it came
    // from the unspecified address. Override set: the target is not anycast for us.
    const Ipv6Addr na_dst = dad ? Ipv6Addr::all_nodes() : src;
    std::uint32_t flags = ndp::na_flag_override;
    if (!dad) flags |= ndp::na_flag_solicited;
    if (iface.is_router) flags |= ndp::na_flag_router;

    wire::ipv6::Repr{
        .src = target,
        .dst = na_dst,
        .next_header = ipv6::nh_icmp6,
        .hop_limit = nd_hop_limit,
        .traffic_class = 0,
        .flow_label = 0,
        .payload_len = static_cast<std::uint16_t>(ndp::ns_na_len + ndp::lladdr_opt_len)}
        .emit(l3);
    const wire::Bytes na = l3.subspan(ipv6::header_len);
    wire::icmp::Repr{wire::icmpv6::neighbor_advertisement, 0, flags}.emit(na);
    wire::store_bytes(na, ndp::target_offset, target);
    // The Target Link-Layer Address option is included: the NA answers a solicitation that
    // needs our MAC (RFC 4861 7.2.4 "MUST be included" for multicast solicitations).
    ndp::emit_lladdr_option(na.subspan(ndp::options_offset), ndp::opt_target_lladdr, iface.mac);
    const auto icmp = *wire::icmp::View<std::byte>::checked(na, Drop::icmp6_truncated);
    icmp.fill_checksum_v6(
        wire::pseudo_sum_v6(target, na_dst, static_cast<std::uint32_t>(na.size()), ipv6::nh_icmp6));

    const MacAddr l2_dst =
        dad ? na_dst.multicast_mac() : (opts->source_lladdr ? *opts->source_lladdr : f.eth_src);
    f.reply_l2(l2_dst, iface);
    Verdict v = Verdict::answer(Reply::nd_advert, f.l2_len + l3_len);
    // Router mode: the solicitation's source link-layer address creates or updates the
    // sender's entry, as stale (RFC 4861 7.2.3); never one for our own address (a conflict or
    // a spoof, not a neighbour).
    if (ctx.learns_neighbours && !dad && opts->source_lladdr && !iface.owns_v6(src)) {
        sight(v, ctx, {false, false, true, true, src, *opts->source_lladdr});
    }
    return v;
}

// Neighbor Advertisement (RFC 4861 7.1.2 validation, 7.2.5 receipt): a host answers none; a
// router learns the target's link-layer address from it.
Verdict na_input(const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                 const HostContext& ctx) noexcept {
    namespace ndp = wire::ndp;
    Verdict v = Verdict::dropped(Drop::ndp_unhandled);
    if (!ctx.learns_neighbours) return v;
    if (ip.hop_limit() != nd_hop_limit) return Verdict::dropped(Drop::ndp_bad_hop_limit);
    const wire::Bytes msg = ip.bytes().subspan(icmp_offset);
    if (wire::load8(msg, wire::icmp::field::code) != 0 || msg.size() < ndp::ns_na_len)
        return Verdict::dropped(Drop::ndp_invalid);
    const auto target = wire::load_bytes<Ipv6Addr>(msg, ndp::target_offset);
    const std::uint32_t flags = wire::load32(msg, wire::icmp::field::word);
    // Target not multicast; Solicited clear when the destination is multicast.
    if (target.is_multicast() || (ip.dst().is_multicast() && (flags & ndp::na_flag_solicited) != 0))
        return Verdict::dropped(Drop::ndp_invalid);
    const auto opts = ndp::parse_options(msg.subspan(ndp::options_offset));
    if (!opts) return Verdict::dropped(Drop::ndp_invalid);
    // An advertisement for one of our own addresses is another node claiming it (RFC 4862
    // 5.4.4 territory), never a neighbour to learn.
    if (ctx.iface->owns_v6(target)) return v;
    if (opts->target_lladdr) {
        sight(v, ctx,
              {true, (flags & ndp::na_flag_solicited) != 0, (flags & ndp::na_flag_override) != 0,
               true, target, *opts->target_lladdr});
    } else if ((flags & ndp::na_flag_solicited) != 0) {
        // RFC 4861 7.2.4 lets a unicast answer omit the option (Linux does); 7.2.5: it still
        // confirms reachability of the address we have.
        sight(v, ctx, {true, true, true, false, target, MacAddr{}});
    }
    return v;
}

}  // namespace pw::icmp
