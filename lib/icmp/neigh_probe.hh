// Neighbour probes the control lcore sends when it resolves or re-confirms a next hop: ARP
// requests (RFC 826) and Neighbor Solicitations (RFC 4861 4.3, 7.2.2). Plain functions over a
// byte span: no allocation, nothing thrown.
#pragma once

#include <cstddef>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// Ethernet + ARP: 14 + 28 bytes. No padding to 60: the NIC pads short frames.
inline constexpr std::size_t arp_request_len = 42;
// Ethernet + IPv6 + NS (24) + Source Link-Layer Address option (8); 8 less without it.
inline constexpr std::size_t neighbor_solicitation_len = 86;

// An ARP request for target from our_mac / our_ip (RFC 826): to the broadcast address, or to
// unicast_dst when given (RFC 1122 2.3.2.1: re-confirming a cached entry by unicast poll).
// The target hardware address is zero either way, as Linux sends it. Returns the frame
// length, or 0 when out holds fewer than arp_request_len bytes.
std::size_t emit_arp_request(wire::Bytes out, const wire::MacAddr& our_mac,
                             const wire::Ipv4Addr& our_ip, const wire::Ipv4Addr& target,
                             const wire::MacAddr* unicast_dst) noexcept;

// A Neighbor Solicitation for target from src (RFC 4861 4.3), hop limit 255. Null unicast_dst:
// address resolution, to target's solicited-node group and its Ethernet group address (RFC
// 4861 7.2.2, RFC 2464 7); otherwise neighbour unreachability detection, to target itself at
// unicast_dst (RFC 4861 7.3.1). A Source Link-Layer Address option unless src is the
// unspecified address (RFC 4861 4.3: it MUST NOT be included then; duplicate address
// detection, RFC 4862 5.4.2). Returns the frame length, or 0 when out is too small.
std::size_t emit_neighbor_solicitation(wire::Bytes out, const wire::MacAddr& our_mac,
                                       const wire::Ipv6Addr& src, const wire::Ipv6Addr& target,
                                       const wire::MacAddr* unicast_dst) noexcept;

}  // namespace pw::icmp
