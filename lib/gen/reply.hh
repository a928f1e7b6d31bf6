// Reading what comes back: one Ethernet frame classified as an answer to a probe of this run
// (echo reply, timestamp reply, an ICMP error quoting a probe, TCP SYN-ACK / RST, UDP) or as
// something else, which the program hands to the host stage (ARP, NDP, requests to us). Every
// field is read with bounds checks; a frame too short for what it claims is `other`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/gen/probe.hh"
#include "lib/gen/stamp.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::gen {

enum class ReplyKind : std::uint8_t {
    other,            // not an answer to a probe: hand it on
    echo_reply,       // ICMP / ICMPv6 echo reply (any identifier: the caller checks it)
    timestamp_reply,  // ICMP timestamp reply
    icmp_error,       // ICMP / ICMPv6 error whose quote is one of our probes (any kind)
    tcp_synack,       // TCP SYN+ACK
    tcp_rst,          // TCP RST
    udp,              // a UDP datagram
};

struct Reply {
    ReplyKind kind = ReplyKind::other;
    bool v6 = false;
    bool checksum_ok = false;  // ICMP / TCP / UDP checksum (IPv4 header checksum is required)
    std::uint8_t ttl = 0;      // of the reply (TTL / hop limit)
    wire::Ipv6Addr src;        // its source (IPv4-mapped for IPv4)
    wire::Ipv6Addr dst;        // its destination (IPv4-mapped for IPv4)
    std::uint16_t ip_len = 0;  // IPv4 total length / IPv6 40 + payload length

    // echo_reply, timestamp_reply: the ICMP identifier and sequence.
    // tcp_*, udp: ident = the destination port (ours), seq = the source port (the peer's).
    std::uint16_t ident = 0;
    std::uint16_t seq = 0;
    // echo_reply, udp: the stamp in the payload.
    StampStatus stamp_status = StampStatus::absent;
    Stamp stamp;
    // tcp_*: sequence and acknowledgment numbers.
    std::uint32_t tcp_seq = 0;
    std::uint32_t tcp_ack = 0;

    // icmp_error: what it says and what it quotes.
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t mtu = 0;  // Frag Needed next-hop MTU (RFC 1191) / Packet Too Big MTU
    ProbeKind quoted_kind = ProbeKind::echo;
    wire::Ipv6Addr quoted_dst;        // the probe's destination (the target), mapped for IPv4
    std::uint16_t quoted_ip_len = 0;  // the probe's IPv4 total length / IPv6 40 + payload
    std::uint16_t quoted_ident = 0;   // echo: identifier; tcp/udp: source port (ours)
    std::uint16_t quoted_seq = 0;     // echo: sequence; tcp/udp: destination port
    // valid / corrupted only when the whole probe payload is quoted (the check covers all of
    // it); a partial quote (Linux: 576 bytes of IPv4 error, 1280 of IPv6) that holds a stamp
    // of this run leaves the status absent but fills quoted_stamp, unverified.
    StampStatus quoted_stamp_status = StampStatus::absent;
    Stamp quoted_stamp;
};

// Classifies one frame (Ethernet first, one optional VLAN tag). magic: this run's stamp magic.
Reply parse_reply(wire::ConstBytes frame, std::uint32_t magic) noexcept;

}  // namespace pw::gen
