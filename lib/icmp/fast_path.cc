#include "lib/icmp/fast_path.hh"

#include <bit>
#include <cstring>

#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

namespace {

namespace eth = wire::eth;
namespace ipv4 = wire::ipv4;
namespace ipv6 = wire::ipv6;
namespace icmpf = wire::icmp::field;
using wire::load16;
using wire::load32;
using wire::load8;

constexpr std::size_t l2_len = eth::header_len;  // untagged frames only
constexpr std::uint8_t reply_ttl = 64;           // as ip4_reply_in_place / ip6_reply_in_place
constexpr std::uint8_t ver_ihl_5 = 0x45;

// The Ethernet checks every fast path makes: the frame is addressed to iface's own MAC, comes
// from an individual address (host_input's eth_group_source) and is untagged with the given
// EtherType (a tagged frame has 0x8100 there, IEEE 802.1Q 9.6).
// Broadcast and group destinations are left to the full path (RFC 1122 3.3.6 and the
// link-layer group rules differ per family).
inline bool eth_to_us(wire::ConstBytes frame, const net::Iface& iface,
                      std::uint16_t ethertype) noexcept {
    return net::mac_key(frame.data()) == net::mac_key(iface.mac) &&
           (load8(frame, eth::field::src) & 0x01) == 0 &&
           load16(frame, eth::field::type) == ethertype;
}

// Writes the Ethernet header of the reply: back to the sender, from iface (as
// Frame::reply_l2). The request's destination was iface.mac.
inline void eth_reply(wire::Bytes frame, const net::Iface& iface) noexcept {
    std::memmove(frame.data() + eth::field::dst, frame.data() + eth::field::src, 6);
    wire::store_bytes(frame, eth::field::src, iface.mac);
}

// RFC 1122 3.2.1.3 / RFC 1812 5.3.7: sources that are not one unique host (0/8, 127/8,
// 224/4, 240/4; Ipv4Addr::is_martian_source), or a broadcast address of the interface.
inline bool bad_source_v4(std::uint32_t src, const net::Iface& iface) noexcept {
    const std::uint32_t b0 = src >> 24;
    return b0 == 0 || b0 == 127 || b0 >= 224 || iface.is_v4_broadcast_u32(src);
}

// An IPv6 address in a packet as two native 64-bit words.
struct Addr6 {
    std::uint64_t hi = 0, lo = 0;
};
inline Addr6 load_addr6(wire::ConstBytes b, std::size_t off) noexcept {
    Addr6 a;
    std::memcpy(&a.hi, b.data() + off, 8);
    std::memcpy(&a.lo, b.data() + off + 8, 8);
    return a;
}
inline bool is_zero(const Addr6& a) noexcept {
    return (a.hi | a.lo) == 0;
}
// ::1 (RFC 4291 2.5.3).
inline bool is_loopback(const Addr6& a) noexcept {
    constexpr std::uint64_t one = std::endian::native == std::endian::little ? 1ULL << 56 : 1ULL;
    return a.hi == 0 && a.lo == one;
}

// The router's view of "ours": an address of another interface (ip4_input's and ip6_input's
// owned_elsewhere; the same loop over the same list).
bool owned_elsewhere_v4(const HostContext& ctx, std::uint32_t a) noexcept {
    for (const auto& p : ctx.probe_ifaces)
        if (p.iface != nullptr && p.iface != ctx.iface && p.iface->owns_v4_u32(a)) return true;
    return false;
}
bool owned_elsewhere_v6(const HostContext& ctx, const Ipv6Addr& a) noexcept {
    for (const auto& p : ctx.probe_ifaces)
        if (p.iface != nullptr && p.iface != ctx.iface && p.iface->owns_v6(a)) return true;
    return false;
}

// Redirects (RFC 1812 5.2.7.2, RFC 4861 8.2) are only ever owed for a packet leaving by the
// interface it came in on; with redirects on, that case is the full path's. ip4_forward and
// ip6_forward compare interfaces; the port is compared too, which only declines more.
inline bool redirect_possible(const Route& r, std::uint16_t in_port,
                              const HostContext& ctx) noexcept {
    return ctx.router->send_redirects && (r.egress == ctx.iface || r.port == in_port);
}

}  // namespace

FastPolicy make_fast_policy(const HostPolicy& policy, const RateLimitConfig& rate,
                            bool router) noexcept {
    FastPolicy fp;
    // icmp4_input: echo_ignore_all drops; an echo reply whose type is in the rate mask
    // (Linux icmp_ratemask bit 0) consults the limiter, whose state the fast path does not
    // touch. Outside the mask the limiter answers "exempt" without a side effect.
    fp.echo4 = !policy.echo_ignore_all && !rate.mask_v4.test(wire::icmpv4::echo_reply);
    // icmp6_input: the same with echo6_ignore_all and the ICMPv6 mask (type 129).
    fp.echo6 = !policy.echo6_ignore_all && !rate.mask_v6.test(wire::icmpv6::echo_reply);
    fp.router = router;
    return fp;
}

std::size_t echo4_fast(wire::Bytes frame, const net::Iface& iface, const FastPolicy& fp) noexcept {
    if (!fp.echo4) return 0;
    if (frame.size() < l2_len + ipv4::min_header_len + wire::icmp::header_len) return 0;
    if (frame.size() > l2_len + iface.max_rx_packet()) return 0;  // frame_too_long
    if (!eth_to_us(frame, iface, eth::type_ipv4)) return 0;
    // RFC 1122 3.3.6: a unicast datagram in a link-layer group frame is discarded (our MAC
    // could be misconfigured as a group address).
    if ((load8(frame, eth::field::dst) & 0x01) != 0) return 0;
    const wire::Bytes l3 = frame.subspan(l2_len);
    // RFC 791 3.1 / RFC 1812 5.2.2: version 4; IHL 5 (options are the full path's).
    if (load8(l3, ipv4::field::ver_ihl) != ver_ihl_5) return 0;
    // RFC 1812 5.2.2: the total length covers the header and lies within the frame; here it
    // also holds an ICMP header (RFC 792), else icmp4_truncated.
    const std::size_t tlen = load16(l3, ipv4::field::total_length);
    if (tlen < ipv4::min_header_len + wire::icmp::header_len || tlen > l3.size()) return 0;
    // RFC 1122 3.2.1.2: the header checksum.
    if (wire::ipv4_header_sum(l3.data()) != 0xffff) return 0;
    // RFC 1122 3.3.2: a fragment (MF or an offset) goes to reassembly.
    const std::uint16_t flags_frag = load16(l3, ipv4::field::flags_frag);
    if ((flags_frag & (ipv4::flag_mf | ipv4::frag_offset_mask)) != 0) return 0;
    if (load8(l3, ipv4::field::protocol) != ipv4::proto_icmp) return 0;
    // RFC 1122 3.2.1.3: the source is one unique host.
    const std::uint32_t src = load32(l3, ipv4::field::src);
    if (bad_source_v4(src, iface)) return 0;
    // One of our unicast addresses: an echo to a broadcast address is policy (RFC 1122
    // 3.2.2.6) and answered from another address, the full path's.
    const std::uint32_t dst = load32(l3, ipv4::field::dst);
    // An exact address first; then the --respond prefixes (a short loop of masks).
    int slot = -1;
    if (!iface.owns_address_v4_u32(dst) &&
        (iface.n_respond4 == 0 || (slot = iface.respond_slot_v4(dst)) < 0))
        return 0;
    if (iface.is_v4_broadcast_u32(dst)) return 0;
    const wire::Bytes msg = l3.subspan(ipv4::min_header_len, tlen - ipv4::min_header_len);
    // RFC 792: Echo (type 8, any code).
    if (load8(msg, icmpf::type) != wire::icmpv4::echo_request) return 0;
    // RFC 1122 3.2.2: a bad ICMP checksum is discarded.
    if (wire::ones_sum(msg) != 0xffff) return 0;

    // The reply (RFC 792, RFC 1122 3.2.2.6): type 0, identifier, sequence and data kept, so
    // the ICMP checksum is updated incrementally (RFC 1624) as icmp4_input does; its -0
    // (an all-zero reply, RFC 1624 4) is recomputed there, so it is the full path's.
    const std::uint16_t old_tc = load16(msg, icmpf::type);
    const auto new_tc = static_cast<std::uint16_t>(old_tc & 0x00ffU);  // type 0, code kept
    const std::uint16_t icmp_cs =
        wire::checksum_update16(load16(msg, icmpf::checksum), old_tc, new_tc);
    if (icmp_cs == 0) return 0;
    // The IP header as ip4_reply_in_place writes it: fresh TTL, DF kept, the reserved bit
    // cleared, the addresses swapped (which leaves the sum as it was). The stored checksum
    // was checked, so RFC 1624 eqn. 3 over the two changed words is the full recompute.
    const auto new_flags = static_cast<std::uint16_t>(flags_frag & ipv4::flag_df);
    const std::uint16_t old_ttl_word = load16(l3, ipv4::field::ttl);
    const auto new_ttl_word = static_cast<std::uint16_t>(reply_ttl << 8 | ipv4::proto_icmp);
    const std::uint16_t ip_cs = wire::checksum_update_terms(
        load16(l3, ipv4::field::checksum), wire::checksum_term(flags_frag, new_flags) +
                                               wire::checksum_term(old_ttl_word, new_ttl_word));

    // Everything checked: write.
    wire::store8(msg, icmpf::type, wire::icmpv4::echo_reply);
    wire::store16(msg, icmpf::checksum, icmp_cs);
    wire::store16(l3, ipv4::field::flags_frag, new_flags);
    wire::store8(l3, ipv4::field::ttl, reply_ttl);
    wire::store16(l3, ipv4::field::checksum, ip_cs);
    wire::store32(l3, ipv4::field::src, dst);
    wire::store32(l3, ipv4::field::dst, src);
    eth_reply(frame, iface);
    if (slot >= 0 && fp.respond != nullptr) ++fp.respond[slot].echo;
    return l2_len + tlen;
}

std::size_t echo6_fast(wire::Bytes frame, const net::Iface& iface, const FastPolicy& fp) noexcept {
    if (!fp.echo6) return 0;
    if (frame.size() < l2_len + ipv6::header_len + wire::icmp::header_len) return 0;
    if (frame.size() > l2_len + iface.max_rx_packet()) return 0;  // frame_too_long
    if (!eth_to_us(frame, iface, eth::type_ipv6)) return 0;
    const wire::Bytes l3 = frame.subspan(l2_len);
    // RFC 8200 3: version 6; the payload lies within the frame (no jumbograms, RFC 2675) and
    // holds an ICMPv6 header (RFC 4443 2.1), else icmp6_truncated.
    if ((load8(l3, ipv6::field::ver_tc_flow) >> 4) != 6) return 0;
    const std::size_t plen = load16(l3, ipv6::field::payload_length);
    if (plen < wire::icmp::header_len || ipv6::header_len + plen > l3.size()) return 0;
    // RFC 8200 4: no extension header to walk (the reply would strip them).
    if (load8(l3, ipv6::field::next_header) != ipv6::nh_icmp6) return 0;
    // RFC 4291 2.7: a multicast source is invalid; ::1 never arrives from a link (2.5.3);
    // RFC 4443 2.4(e) / 4.2: a request from :: cannot be answered.
    const Addr6 src = load_addr6(l3, ipv6::field::src);
    if (load8(l3, ipv6::field::src) == 0xff || is_zero(src) || is_loopback(src)) return 0;
    // One of our unicast addresses (RFC 4443 4.2: a multicast echo is answered from one of
    // our unicast addresses, the full path's).
    if (load8(l3, ipv6::field::dst) == 0xff) return 0;
    int slot = -1;
    if (const auto d = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);
        !iface.owns_address_v6(d) &&
        (iface.n_respond6 == 0 || (slot = iface.respond_slot_v6(d)) < 0))
        return 0;
    const wire::Bytes msg = l3.subspan(ipv6::header_len, plen);
    // RFC 4443 4.1: Echo Request (type 128, any code).
    if (load8(msg, icmpf::type) != wire::icmpv6::echo_request) return 0;
    // RFC 4443 2.3: the checksum covers the pseudo-header of RFC 8200 8.1 (both addresses,
    // the upper-layer length, Next Header 58) and the message.
    const Addr6 dst = load_addr6(l3, ipv6::field::dst);
    const std::uint64_t addrs =
        wire::ones_add64(wire::ones_add64(src.hi, src.lo), wire::ones_add64(dst.hi, dst.lo));
    std::uint16_t pseudo = wire::native_sum_to_host(wire::fold64(addrs));
    pseudo = wire::ones_add(pseudo, static_cast<std::uint16_t>(plen));
    pseudo = wire::ones_add(pseudo, ipv6::nh_icmp6);
    if (wire::ones_sum(msg, pseudo) != 0xffff) return 0;

    // The reply (RFC 4443 4.2): type 129 from the address the request went to, back to its
    // source; swapping the addresses leaves the pseudo-header sum as it was, so the checksum
    // is updated for the type alone (RFC 1624), as icmp6_input does. A result of 0x0000 is
    // recomputed there (to the same value: the pseudo-header is never all zero), so that
    // 1-in-65536 case is simply left to it.
    const std::uint16_t old_tc = load16(msg, icmpf::type);
    const auto new_tc =
        static_cast<std::uint16_t>(wire::icmpv6::echo_reply << 8 | (old_tc & 0x00ffU));
    const std::uint16_t cs = wire::checksum_update16(load16(msg, icmpf::checksum), old_tc, new_tc);
    if (cs == 0) return 0;

    wire::store8(msg, icmpf::type, wire::icmpv6::echo_reply);
    wire::store16(msg, icmpf::checksum, cs);
    // ip6_reply_in_place: hop limit 64, src and dst swapped, Ethernet back to the sender.
    wire::store8(l3, ipv6::field::hop_limit, reply_ttl);
    std::memcpy(l3.data() + ipv6::field::src, &dst.hi, 8);
    std::memcpy(l3.data() + ipv6::field::src + 8, &dst.lo, 8);
    std::memcpy(l3.data() + ipv6::field::dst, &src.hi, 8);
    std::memcpy(l3.data() + ipv6::field::dst + 8, &src.lo, 8);
    eth_reply(frame, iface);
    if (slot >= 0 && fp.respond != nullptr) ++fp.respond[slot].echo;
    return l2_len + ipv6::header_len + plen;
}

bool forward4_check(wire::ConstBytes frame, const HostContext& ctx, const FastPolicy& fp,
                    std::uint32_t& dst_out) noexcept {
    if (!fp.router || ctx.router == nullptr || ctx.iface == nullptr) return false;
    const net::Iface& in = *ctx.iface;
    if (frame.size() < l2_len + ipv4::min_header_len) return false;
    if (frame.size() > l2_len + in.max_rx_packet()) return false;  // frame_too_long
    if (!eth_to_us(frame, in, eth::type_ipv4)) return false;
    // RFC 1812 5.3.4 / RFC 1122 3.3.6: unicast in a link-layer group frame is not forwarded.
    if ((load8(frame, eth::field::dst) & 0x01) != 0) return false;
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    // RFC 1812 5.2.2: version 4, IHL 5 here, total length >= the header and within the frame,
    // header checksum good.
    if (load8(l3, ipv4::field::ver_ihl) != ver_ihl_5) return false;
    const std::size_t tlen = load16(l3, ipv4::field::total_length);
    if (tlen < ipv4::min_header_len || tlen > l3.size()) return false;
    if (wire::ipv4_header_sum(l3.data()) != 0xffff) return false;
    // RFC 1812 5.3.1: a TTL that would reach 0 owes Time Exceeded (the full path's).
    if (load8(l3, ipv4::field::ttl) <= 1) return false;
    // RFC 1812 5.3.7 / RFC 1122 3.2.1.3: a source that is not one unique host.
    const std::uint32_t src = load32(l3, ipv4::field::src);
    if (bad_source_v4(src, in)) return false;
    // RFC 1812 5.3.7 / 5.3.4: destinations never forwarded (0/8, 127/8, 240/4) and
    // multicast/limited broadcast (no multicast routing here) stay with the full path.
    const std::uint32_t dst = load32(l3, ipv4::field::dst);
    const std::uint32_t d0 = dst >> 24;
    if (d0 == 0 || d0 == 127 || d0 >= 224) return false;
    // Not for us (RFC 1812 5.2.3): neither one of our addresses on this interface, nor its
    // broadcast, nor (router mode, RFC 1812 5.2.3 either model) another interface's address.
    if (in.is_v4_broadcast_u32(dst) || in.owns_v4_u32(dst) || owned_elsewhere_v4(ctx, dst))
        return false;
    dst_out = dst;
    return true;
}

bool forward4_apply(wire::Bytes frame, const Route& r, std::uint16_t in_port,
                    const HostContext& ctx, wire::Ipv4Addr& next_hop) noexcept {
    // RFC 1812 5.2.7.1: no route, a reject route or the ACL owe Destination Unreachable; a
    // blackhole drops. Those are the full path's.
    if (r.kind != Route::Kind::connected && r.kind != Route::Kind::via) return false;
    if (r.denied || r.egress == nullptr || ctx.router == nullptr) return false;
    if (frame.size() < l2_len + ipv4::min_header_len) return false;
    const wire::Bytes l3 = frame.subspan(l2_len);
    const std::uint32_t dst = load32(l3, ipv4::field::dst);
    const net::Iface& out = *r.egress;
    // RFC 2644 / RFC 1812 5.3.5.2: a directed broadcast to a connected subnet (all ones, or
    // the all-zeros host of RFC 1812 4.2.3.1) is not forwarded (the same test as ip4_forward).
    if (r.kind == Route::Kind::connected) {
        for (std::size_t i = 0; i < out.n4; ++i) {
            const auto& p = out.v4[i];
            if (p.len >= 31) continue;
            const std::uint32_t m = p.mask();
            if ((dst & m) == (out.v4_u32[i] & m) &&
                (out.is_v4_broadcast_u32(dst) || (dst & ~m) == 0))
                return false;
        }
    }
    // RFC 1812 5.3.1: TTL.
    const std::uint8_t ttl = load8(l3, ipv4::field::ttl);
    if (ttl <= 1) return false;
    // RFC 1191 4 / RFC 1812 5.2.6: larger than the egress MTU: fragmented or Frag Needed.
    if (load16(l3, ipv4::field::total_length) > out.mtu) return false;
    if (redirect_possible(r, in_port, ctx)) return false;

    // RFC 1812 5.3.1 and RFC 1624: TTL - 1 with the incremental update ip4_forward makes (the
    // TTL is the high byte of the word it shares with the protocol).
    const std::uint16_t old_word = load16(l3, ipv4::field::ttl);
    const auto new_word = static_cast<std::uint16_t>(old_word - 0x0100U);
    wire::store8(l3, ipv4::field::ttl, static_cast<std::uint8_t>(ttl - 1));
    wire::store16(l3, ipv4::field::checksum,
                  wire::checksum_update16(load16(l3, ipv4::field::checksum), old_word, new_word));
    next_hop = r.kind == Route::Kind::via ? r.gw4 : Ipv4Addr::from_u32(dst);
    return true;
}

bool forward6_check(wire::ConstBytes frame, const HostContext& ctx, const FastPolicy& fp,
                    wire::Ipv6Addr& dst_out) noexcept {
    if (!fp.router || ctx.router == nullptr || ctx.iface == nullptr) return false;
    const net::Iface& in = *ctx.iface;
    if (frame.size() < l2_len + ipv6::header_len) return false;
    if (frame.size() > l2_len + in.max_rx_packet()) return false;  // frame_too_long
    if (!eth_to_us(frame, in, eth::type_ipv6)) return false;
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    // RFC 8200 3: version 6, the payload within the frame.
    if ((load8(l3, ipv6::field::ver_tc_flow) >> 4) != 6) return false;
    if (ipv6::header_len + load16(l3, ipv6::field::payload_length) > l3.size()) return false;
    // RFC 8200 3 / RFC 4443 3.3: a hop limit that would reach 0 owes Time Exceeded.
    if (load8(l3, ipv6::field::hop_limit) <= 1) return false;
    // RFC 4291 2.7 / 2.5.3: no multicast or loopback source; RFC 4291 2.5.2: the
    // unspecified address is not forwarded from.
    const Addr6 src = load_addr6(l3, ipv6::field::src);
    if (load8(l3, ipv6::field::src) == 0xff || is_zero(src) || is_loopback(src)) return false;
    // RFC 4291 2.7 (no multicast routing here), 2.5.6 (link-local is never forwarded), 2.5.2,
    // 2.5.3 (loopback is never forwarded).
    const auto dst = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);
    if (dst.is_multicast() || dst.is_link_local() || dst.is_unspecified() || dst.is_loopback())
        return false;
    // Not ours, here or (router mode) on another interface. A unicast destination is in no
    // group we joined.
    if (in.owns_v6(dst) || owned_elsewhere_v6(ctx, dst)) return false;
    dst_out = dst;
    return true;
}

bool forward6_apply(wire::Bytes frame, const Route& r, std::uint16_t in_port,
                    const HostContext& ctx, wire::Ipv6Addr& next_hop) noexcept {
    // RFC 4443 3.1: no route (code 0), prohibited (code 1), blackhole: the full path's.
    if (r.kind != Route::Kind::connected && r.kind != Route::Kind::via) return false;
    if (r.denied || r.egress == nullptr || ctx.router == nullptr) return false;
    if (frame.size() < l2_len + ipv6::header_len) return false;
    const wire::Bytes l3 = frame.subspan(l2_len);
    const std::uint8_t hop_limit = load8(l3, ipv6::field::hop_limit);
    if (hop_limit <= 1) return false;
    const net::Iface& out = *r.egress;
    // RFC 4443 3.1 code 2 / RFC 4291 2.5.6: a link-local source stays on its link.
    const auto src = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::src);
    if (src.is_link_local() && &out != ctx.iface) return false;
    // RFC 8200 5 / RFC 4443 3.2: routers do not fragment; too big owes Packet Too Big.
    if (ipv6::header_len + std::size_t{load16(l3, ipv6::field::payload_length)} > out.mtu)
        return false;
    if (redirect_possible(r, in_port, ctx)) return false;

    // RFC 8200 3: the hop limit is decremented by each node that forwards the packet.
    wire::store8(l3, ipv6::field::hop_limit, static_cast<std::uint8_t>(hop_limit - 1));
    next_hop =
        r.kind == Route::Kind::via ? r.gw6 : wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);
    return true;
}

}  // namespace pw::icmp
