// The Internet checksum: RFC 1071 full computation, RFC 1624 incremental update, and the
// IPv4/IPv6 pseudo-header sums of UDP, TCP and ICMPv6 (RFC 768, RFC 8200 8.1).
//
// Sums are 16-bit one's-complement sums of the data taken as big-endian words (a trailing odd
// byte padded with zero), returned in host order, folded, not complemented. A checksum is the
// complement of a sum; a region whose checksum field is correct sums to 0xffff.
#pragma once

#include <cstdint>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::wire {

// One's-complement addition of two folded 16-bit sums.
constexpr std::uint16_t ones_add(std::uint16_t a, std::uint16_t b) noexcept {
    std::uint32_t s = std::uint32_t{a} + b;
    s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

// RFC 1071: the one's-complement sum of data, added to initial.
std::uint16_t ones_sum(ConstBytes data, std::uint16_t initial = 0) noexcept;

// RFC 1071: the checksum of data (complement of its sum).
inline std::uint16_t checksum(ConstBytes data, std::uint16_t initial = 0) noexcept {
    return static_cast<std::uint16_t>(~ones_sum(data, initial));
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word changing from m to m'.
// Unlike eqn. 2 it never produces 0x0000 from a non-zero sum (the "negative zero" of 4).
constexpr std::uint16_t checksum_update16(std::uint16_t old_checksum, std::uint16_t old_word,
                                          std::uint16_t new_word) noexcept {
    std::uint16_t s =
        ones_add(static_cast<std::uint16_t>(~old_checksum), static_cast<std::uint16_t>(~old_word));
    s = ones_add(s, new_word);
    return static_cast<std::uint16_t>(~s);
}

// RFC 1624 for a 32-bit field (an IPv4 address): two word updates.
constexpr std::uint16_t checksum_update32(std::uint16_t old_checksum, std::uint32_t old_value,
                                          std::uint32_t new_value) noexcept {
    const auto c = checksum_update16(old_checksum, static_cast<std::uint16_t>(old_value >> 16),
                                     static_cast<std::uint16_t>(new_value >> 16));
    return checksum_update16(c, static_cast<std::uint16_t>(old_value),
                             static_cast<std::uint16_t>(new_value));
}

// The IPv4 pseudo-header sum (RFC 768, RFC 793): src, dst, zero, protocol, length.
std::uint16_t pseudo_sum_v4(const Ipv4Addr& src, const Ipv4Addr& dst, std::uint8_t protocol,
                            std::uint16_t l4_length) noexcept;

// The IPv6 pseudo-header sum (RFC 8200 8.1): src, dst, upper-layer length, next header. The
// length is the upper-layer packet's own length (not the payload length when extension
// headers precede it).
std::uint16_t pseudo_sum_v6(const Ipv6Addr& src, const Ipv6Addr& dst, std::uint32_t l4_length,
                            std::uint8_t next_header) noexcept;

}  // namespace pw::wire
