// A frame pingwire-conform received, parsed once (no DPDK): Ethernet, the IP header, and for
// ICMP / ICMPv6 the type, code, the fields of bytes 4..7 and the quoted packet (RFC 792,
// RFC 4443 2.1) with its own IP header and ports parsed, so the verdicts compare fields.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "lib/conform/frame.hh"
#include "lib/wire/addr.hh"

namespace pw::conform {

// The IP-level facts of a packet (the received one, or the one an error quotes).
struct IpFacts {
    bool v6 = false;
    wire::Ipv4Addr src4, dst4;
    wire::Ipv6Addr src6, dst6;
    std::uint8_t ttl = 0;    // or hop limit
    std::uint8_t tos = 0;    // or traffic class
    std::uint8_t proto = 0;  // the upper layer (IPv6: after the extension headers)
    std::uint16_t ip_id = 0;
    std::size_t total_len = 0;                // as the header says
    std::size_t header_len = 0;               // IP header + extension headers
    bool header_checksum_ok = true;           // IPv4
    std::uint16_t sport = 0, dport = 0;       // UDP / TCP
    std::uint16_t icmp_id = 0, icmp_seq = 0;  // echo
    std::uint8_t icmp_type = 0, icmp_code = 0;
    std::string src_text() const;
    std::string dst_text() const;
};

struct Seen {
    std::uint8_t port = 0;
    std::uint64_t at_ns = 0;
    Frame bytes;
    wire::MacAddr dst_mac, src_mac;
    bool ip = false;  // IPv4 or IPv6 parsed
    IpFacts l3;
    // ICMP / ICMPv6
    bool icmp = false;
    bool icmp_checksum_ok = false;
    std::uint32_t icmp_word = 0;  // bytes 4..7 (unused / MTU / pointer / id+seq)
    std::size_t icmp_len = 0;     // ICMP message length (header included)
    std::span<const std::uint8_t> icmp_body() const noexcept;  // from byte 8
    // The quoted packet of an error (ICMPv4 types 3, 4, 5, 11, 12; ICMPv6 types 1-4).
    bool is_error = false;
    std::optional<IpFacts> quoted;
    std::size_t quote_offset = 0;  // where the quote starts in bytes
    std::size_t quote_len = 0;

    static Seen parse(std::uint8_t port, std::uint64_t at_ns, Frame bytes);
    // "ICMP 11/0 from 198.18.0.254 (576 B)", "UDP 198.18.0.100 -> 198.18.1.1", ...
    std::string describe() const;
};

}  // namespace pw::conform
