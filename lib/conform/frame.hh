// The stimuli of pingwire-conform, built byte by byte (no DPDK): Ethernet + IPv4 / IPv6
// (+ extension headers) + UDP / ICMP / ICMPv6 / raw payload, with correct checksums unless a
// check asks for a wrong one. A check describes the packet it wants as a FrameSpec; build()
// lays it out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/wire/addr.hh"

namespace pw::conform {

using Frame = std::vector<std::uint8_t>;

enum class L4 : std::uint8_t { udp, icmp_echo, icmp_raw, raw };

struct FrameSpec {
    wire::MacAddr src_mac, dst_mac;
    bool v6 = false;
    wire::Ipv4Addr src4, dst4;
    wire::Ipv6Addr src6, dst6;
    std::uint8_t ttl = 64;  // or hop limit
    std::uint8_t tos = 0;
    std::uint16_t ip_id = 0;
    bool df = false;
    bool mf = false;
    std::uint16_t frag_offset = 0;  // in 8-byte units (IPv4 header, or the IPv6 fragment header)
    bool bad_ip_checksum = false;
    std::vector<std::uint8_t> ip_options;  // IPv4 options (padded to 4 by the caller)
    // IPv6 extension headers, in order, before the upper layer. Each is (next-header number,
    // bytes without its own next-header byte): build() chains them.
    std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>> ext;
    bool frag_header = false;      // IPv6: a fragment header last before the upper layer
    std::uint32_t frag_ident = 0;  // its identification
    L4 l4 = L4::udp;
    std::uint8_t protocol = 17;  // for L4::raw: the protocol / next header number
    std::uint16_t sport = 0, dport = 0;
    std::uint16_t icmp_id = 0, icmp_seq = 0;
    std::uint8_t icmp_type = 0, icmp_code = 0;             // L4::icmp_raw: type, code, then payload
    std::vector<std::uint8_t> icmp_rest;                   // L4::icmp_raw: bytes 4..7 and the body
    std::size_t payload = 0;                               // upper-layer data bytes (a pattern)
    std::optional<std::size_t> ipv6_payload_len_override;  // a wrong Payload Length
    std::optional<std::size_t> total_bytes;  // pad or grow the payload to this IP length
};

// The frame (Ethernet header included).
Frame build(const FrameSpec& s);

// The offset of the IP header in a frame we built (14: no VLAN).
inline constexpr std::size_t l3_offset = 14;

// Helpers for checks: big-endian loads from a byte vector (0 when out of range).
std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) noexcept;
std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) noexcept;

// RFC 1071 over bytes.
std::uint16_t inet_checksum(std::span<const std::uint8_t> b, std::uint32_t initial = 0) noexcept;
// The pseudo-header sums (RFC 768, RFC 8200 8.1), unfolded, for inet_checksum's initial.
std::uint32_t pseudo4(const wire::Ipv4Addr& s, const wire::Ipv4Addr& d, std::uint8_t proto,
                      std::size_t len) noexcept;
std::uint32_t pseudo6(const wire::Ipv6Addr& s, const wire::Ipv6Addr& d, std::uint8_t proto,
                      std::size_t len) noexcept;

}  // namespace pw::conform
