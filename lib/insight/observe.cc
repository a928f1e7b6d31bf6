// classify(): what a received Ethernet frame is to the tracker. Every length is checked before
// a byte is read (it is fuzzed); a frame cut short of what its kind needs is Seen::other.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lib/insight/tracker.hh"

namespace pw::insight {

namespace {

using wire::ConstBytes;
using wire::load16;
using wire::load32;
using wire::load8;

constexpr std::uint16_t eth_ipv4 = 0x0800;
constexpr std::uint16_t eth_arp = 0x0806;
constexpr std::uint16_t eth_ipv6 = 0x86dd;
constexpr std::uint16_t eth_8021q = 0x8100;
constexpr std::uint16_t eth_8021ad = 0x88a8;
constexpr std::size_t icmp_header = 8;  // type, code, checksum, and 4 bytes (id/seq, unused...)
constexpr std::uint8_t proto_tcp = 6;
// RFC 9293 3.1: a header of at least 20 bytes, the control bits in byte 13; ACK is 0x10.
constexpr std::size_t tcp_header = 20;
constexpr std::size_t tcp_flags = 13;
constexpr std::uint8_t tcp_ack = 0x10;

// A TCP segment at f[l4, end) without ACK: SYN, FIN, RST alone, no flags at all, Xmas.
bool tcp_without_ack(ConstBytes f, std::size_t l4, std::size_t end) noexcept {
    return end >= l4 + tcp_header && (load8(f, l4 + tcp_flags) & tcp_ack) == 0;
}

// The IPv4 address at f[off] as ::ffff:a.b.c.d, into a zeroed a.
void put_v4_mapped(wire::Ipv6Addr& a, ConstBytes f, std::size_t off) noexcept {
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, f.data() + off, 4);
}

// Each parser fills o (zeroed) and says whether the frame is something to the tracker.
bool arp(ConstBytes f, std::size_t at, Observation& o) noexcept {
    // RFC 826: htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4, then the opcode; the sender
    // protocol address at 14, the target's at 24.
    if (f.size() < at + 28) return false;
    if (load16(f, at) != 1 || load16(f, at + 2) != eth_ipv4 || load8(f, at + 4) != 6 ||
        load8(f, at + 5) != 4 || load16(f, at + 6) != 1)
        return false;
    // RFC 5227 2.1.1: an ARP Probe (sender 0.0.0.0) checks an address before a host takes it;
    // many hosts doing so at once (a link coming up) are no sweep by one source.
    if (load32(f, at + 14) == 0) return false;
    o.seen = Seen::arp_request;
    put_v4_mapped(o.src, f, at + 14);
    put_v4_mapped(o.dst, f, at + 24);
    return true;
}

bool ipv4(ConstBytes f, std::size_t at, Observation& o) noexcept {
    if (f.size() < at + 20) return false;
    const std::uint8_t vihl = load8(f, at);
    const std::size_t ihl = std::size_t{vihl & 0x0fU} * 4;
    if ((vihl >> 4) != 4 || ihl < 20 || f.size() < at + ihl) return false;
    const std::size_t total = load16(f, at + 2);
    if (total < ihl) return false;
    // RFC 791 3.1: a fragment other than the first carries no ICMP header.
    if ((load16(f, at + 6) & 0x1fffU) != 0) return false;
    const std::size_t end = at + total < f.size() ? at + total : f.size();
    const std::uint8_t ttl = load8(f, at + 8);
    const std::uint8_t proto = load8(f, at + 9);
    const std::size_t l4 = at + ihl;
    if (proto == proto_tcp && ttl > 1) {
        if (!tcp_without_ack(f, l4, end)) return false;  // an established flow's: other
        o.seen = Seen::tcp_no_ack;
    } else if (proto != 1) {
        // A probe that expires here (traceroute's UDP or TCP, RFC 1812 5.3.1); multicast and
        // broadcast with TTL 1 are link-local protocols (IGMP, OSPF, LLMNR), not probes.
        if (ttl > 1) return false;
        const auto dst = wire::load_bytes<wire::Ipv4Addr>(f, at + 16);
        if (dst.is_multicast() || dst.is_limited_broadcast()) return false;
        o.seen = Seen::ttl_expiring;
    } else {
        if (end < l4 + icmp_header) return false;
        // RFC 792: the message types.
        switch (load8(f, l4)) {
            case 8:
                o.seen = Seen::echo_request;
                o.payload = f.subspan(l4 + icmp_header, end - l4 - icmp_header);
                break;
            case 0:
                o.seen = Seen::echo_reply;
                o.payload = f.subspan(l4 + icmp_header, end - l4 - icmp_header);
                break;
            case 3:   // Destination Unreachable
            case 4:   // Source Quench
            case 5:   // Redirect
            case 11:  // Time Exceeded
            case 12:  // Parameter Problem
                o.seen = Seen::icmp_error;
                break;
            default:
                o.seen = Seen::icmp_other;
                break;
        }
    }
    o.ttl = ttl;
    put_v4_mapped(o.src, f, at + 12);
    put_v4_mapped(o.dst, f, at + 16);
    return true;
}

bool ipv6(ConstBytes f, std::size_t at, Observation& o) noexcept {
    if (f.size() < at + 40) return false;
    if ((load8(f, at) >> 4) != 6) return false;
    const std::size_t len = at + 40 + std::size_t{load16(f, at + 4)};
    const std::size_t end = len < f.size() ? len : f.size();
    std::uint8_t nh = load8(f, at + 6);
    const std::uint8_t hlim = load8(f, at + 7);
    std::size_t off = at + 40;
    // RFC 8200 4: Hop-by-Hop (0), Routing (43) and Destination Options (60) headers are
    // (8 + 8 * length) bytes; a Fragment header (44) 8, and a fragment other than the first
    // carries no ICMPv6 header. A few at most.
    for (int walked = 0;; ++walked) {
        if (nh != 0 && nh != 43 && nh != 60 && nh != 44) break;
        if (walked == 6) return false;
        if (nh == 44) {
            if (end < off + 8) return false;
            if ((load16(f, off + 2) & 0xfff8U) != 0) return false;
            nh = load8(f, off);
            off += 8;
        } else {
            if (end < off + 2) return false;
            const std::size_t ext = (std::size_t{load8(f, off + 1)} + 1) * 8;
            nh = load8(f, off);
            off += ext;
            if (end < off) return false;
        }
    }
    o.v6 = true;
    o.src = wire::load_bytes<wire::Ipv6Addr>(f, at + 8);
    o.dst = wire::load_bytes<wire::Ipv6Addr>(f, at + 24);
    o.ttl = hlim;
    if (nh == proto_tcp && hlim > 1) {
        if (!tcp_without_ack(f, off, end)) return false;
        o.seen = Seen::tcp_no_ack;
        return true;
    }
    if (nh != 58) {
        if (hlim > 1 || o.dst.is_multicast()) return false;
        o.seen = Seen::ttl_expiring;
        return true;
    }
    if (end < off + icmp_header) return false;
    const std::uint8_t type = load8(f, off);
    // RFC 4443 2.1: errors are 1..127 (1-4 defined), informational 128..255.
    if (type >= 1 && type <= 4) {
        o.seen = Seen::icmp_error;
    } else if (type == 128 || type == 129) {
        o.seen = type == 128 ? Seen::echo_request : Seen::echo_reply;
        o.payload = f.subspan(off + icmp_header, end - off - icmp_header);
    } else if (type == 135) {
        // RFC 4861 4.3: the Target Address follows the 4 reserved bytes.
        if (end < off + 24) return false;
        // RFC 4862 5.4.2: a Duplicate Address Detection probe comes from :: (the unspecified
        // address): not a probe of another node, whoever sends it.
        o.seen = o.src.is_unspecified() ? Seen::icmp_other : Seen::neighbor_solicit;
        o.dst = wire::load_bytes<wire::Ipv6Addr>(f, off + 8);
    } else {
        o.seen = Seen::icmp_other;
    }
    // MLD (130-132, 143: hop limit 1, RFC 2710 3 / RFC 3810 5) and NDP (133-137: hop limit
    // 255, RFC 4861 6.1.1 ...) fix their hop limit: it says nothing of the sender's stack.
    if ((type >= 130 && type <= 137) || type == 143) o.ttl = 0;
    return true;
}

}  // namespace

Observation classify(wire::ConstBytes frame) noexcept {
    Observation o;
    if (frame.size() < 14) return o;
    std::uint16_t type = load16(frame, 12);
    std::size_t at = 14;
    // IEEE 802.1Q: one tag (C-tag 0x8100 or S-tag 0x88a8), then the EtherType.
    if (type == eth_8021q || type == eth_8021ad) {
        if (frame.size() < 18) return o;
        type = load16(frame, 16);
        at = 18;
    }
    bool seen = false;
    switch (type) {
        case eth_ipv4:
            seen = ipv4(frame, at, o);
            break;
        case eth_ipv6:
            seen = ipv6(frame, at, o);
            break;
        case eth_arp:
            seen = arp(frame, at, o);
            break;
        default:
            break;
    }
    if (!seen) o = Observation{};
    return o;
}

}  // namespace pw::insight
