// The Internet checksum: RFC 1071 full computation, RFC 1624 incremental update, and the
// IPv4/IPv6 pseudo-header sums of UDP, TCP and ICMPv6 (RFC 768, RFC 8200 8.1).
//
// Sums are 16-bit one's-complement sums of the data taken as big-endian words (a trailing odd
// byte padded with zero), returned in host order, folded, not complemented. A checksum is the
// complement of a sum; a region whose checksum field is correct sums to 0xffff.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::wire {

// One's-complement addition of two folded 16-bit sums.
constexpr std::uint16_t ones_add(std::uint16_t a, std::uint16_t b) noexcept {
    std::uint32_t s = std::uint32_t{a} + b;
    s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

// RFC 1071 2(C): one's-complement addition of 64-bit words (the end-around carry comes back
// in at the bottom). Summing native-order 64-bit words this way and folding once gives the
// same 16-bit sum as summing 16-bit words (RFC 1071 2(A) associativity, 2(B) byte order).
constexpr std::uint64_t ones_add64(std::uint64_t acc, std::uint64_t w) noexcept {
    std::uint64_t r = 0;
    const bool carry = __builtin_add_overflow(acc, w, &r);
    return r + static_cast<std::uint64_t>(carry);  // r <= 2^64 - 2 when carry: no overflow
}

// Folds a one's-complement sum of native-order words held in 64 bits to 16 bits, still in
// native order (RFC 1071 2(B): swap once at the end on little-endian machines).
constexpr std::uint16_t fold64(std::uint64_t acc) noexcept {
    std::uint64_t s = (acc & 0xffffffffULL) + (acc >> 32);  // <= 2^33 - 2
    s = (s & 0xffffULL) + (s >> 16);                        // <= 0x2fffe
    s = (s & 0xffffULL) + (s >> 16);                        // <= 0x10001
    s = (s & 0xffffULL) + (s >> 16);                        // <= 0xffff
    return static_cast<std::uint16_t>(s);
}

// A folded native-order sum in host order (the big-endian word sum of RFC 1071).
constexpr std::uint16_t native_sum_to_host(std::uint16_t s) noexcept {
    if constexpr (std::endian::native == std::endian::little) return bswap16(s);
    return s;
}

// RFC 1071: the one's-complement sum of data, added to initial.
std::uint16_t ones_sum(ConstBytes data, std::uint16_t initial = 0) noexcept;

// RFC 1071 over an option-less IPv4 header (exactly 20 bytes at p): three loads, no loop.
// The same result as ones_sum over those 20 bytes.
inline std::uint16_t ipv4_header_sum(const std::byte* p) noexcept {
    std::uint64_t a = 0, b = 0;
    std::uint32_t c = 0;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    std::memcpy(&c, p + 16, 4);
    return native_sum_to_host(fold64(ones_add64(ones_add64(a, b), c)));
}

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

// RFC 1624 eqn. 3 for several words at once: the term one word contributes (~m + m'), to be
// added up (at most 0x8000 terms fit in 32 bits) and applied by checksum_update_terms.
constexpr std::uint32_t checksum_term(std::uint16_t old_word, std::uint16_t new_word) noexcept {
    return std::uint32_t{static_cast<std::uint16_t>(~old_word)} + new_word;
}
// HC' = ~(~HC + sum of the terms), folded with end-around carries.
constexpr std::uint16_t checksum_update_terms(std::uint16_t old_checksum,
                                              std::uint32_t terms) noexcept {
    std::uint64_t s = std::uint64_t{static_cast<std::uint16_t>(~old_checksum)} + terms;
    s = (s & 0xffffULL) + (s >> 16);  // <= 0x1ffff
    s = (s & 0xffffULL) + (s >> 16);  // <= 0x10000
    s = (s & 0xffffULL) + (s >> 16);  // <= 0xffff
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
