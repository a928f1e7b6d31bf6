// Fragmentation of datagrams we send (an echo reply larger than the port MTU), as pure
// functions over byte spans: no allocation, no state. The caller asks for the count, then
// emits each fragment into its own buffer (an mbuf of at least mtu bytes of L3 room).
//
// Both families cut as Linux does (ip_do_fragment, ip6_fragment) and as scapy's fragment()
// and fragment6() do for option-less packets: every fragment but the last carries the
// largest multiple of 8 data bytes that fits the MTU; the last may carry up to the MTU.
//
// A datagram that fits the MTU is one "fragment": the datagram itself, copied unchanged (no
// IPv6 atomic fragment is made, RFC 8021). Invalid input (a header the views reject, an MTU
// that cannot carry 8 data bytes per fragment, an IPv6 MTU below 1280, an IPv6 packet that
// already holds a Fragment header) gives a count of 0. emit_* write nothing and return 0
// when index >= count or out is smaller than fragment_length_*.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/wire/bytes.hh"

namespace pw::icmp {

// IPv4, RFC 791 3.2 ("An Example Fragmentation Procedure"), for l3, a whole IPv4 datagram
// from its header (bytes past its Total Length are ignored):
//  - the first fragment carries the whole header, options included; the later ones only
//    the options whose copy flag is set, padded to a 32-bit boundary with End of Option List;
//  - every fragment but the last carries a multiple of 8 data bytes and has MF set;
//  - identification, DF, TOS, TTL, protocol and addresses are those of l3 (clear DF
//    beforehand if the fragments must not carry it: Linux's ICMP replies are sent with DF
//    clear); each fragment gets its own total length and header checksum.
// An l3 that is itself a fragment is fragmented further: offsets add up, and the last
// piece keeps l3's MF.
std::size_t fragment_count_v4(wire::ConstBytes l3, std::uint16_t mtu) noexcept;
// The L3 length of fragment index (0 when index >= count).
std::size_t fragment_length_v4(wire::ConstBytes l3, std::uint16_t mtu, std::size_t index) noexcept;
// Writes fragment index (its IP header, then its data) at the start of out; returns the L3
// bytes written (<= mtu).
std::size_t emit_fragment_v4(wire::Bytes out, wire::ConstBytes l3, std::uint16_t mtu,
                             std::size_t index) noexcept;

// IPv6, RFC 8200 4.5, for l3, a whole IPv6 packet from its fixed header: the Unfragmentable
// Part (the IPv6 header, plus the Hop-by-Hop and Routing headers and Destination Options
// before a Routing header, when present; our packets carry none) is repeated in each
// fragment, followed by a Fragment header with the given identification (the Next Header
// of the last unfragmentable header becomes 44, and the Fragment header carries its old
// value) and a piece of the Fragmentable Part: at most mtu bytes per fragment, data a
// multiple of 8 but in the last. mtu must be at least 1280 (RFC 8200 5).
std::size_t fragment_count_v6(wire::ConstBytes l3, std::uint16_t mtu) noexcept;
std::size_t fragment_length_v6(wire::ConstBytes l3, std::uint16_t mtu, std::size_t index) noexcept;
std::size_t emit_fragment_v6(wire::Bytes out, wire::ConstBytes l3, std::uint16_t mtu,
                             std::uint32_t ident, std::size_t index) noexcept;

}  // namespace pw::icmp
