// TTL fingerprint: the initial TTL (IPv4) or hop limit (IPv6) a sender probably used, and so
// the number of routers between it and us. Stacks start from one of a few values: 64 (Linux,
// the BSDs, macOS; RFC 1700's recommended default), 128 (Windows), 255 (network gear, Solaris,
// and every NDP message: RFC 4861 4.x), 32 (old Windows). Each router decrements it by one
// (RFC 791 3.2, RFC 1812 5.3.1; RFC 8200 3 for the hop limit), so the smallest of those not
// below what arrives is the likely start.
#pragma once

#include <cstdint>

namespace pw::insight {

// The smallest of 32, 64, 128, 255 not below ttl.
constexpr std::uint8_t initial_ttl(std::uint8_t ttl) noexcept {
    if (ttl <= 32) return 32;
    if (ttl <= 64) return 64;
    if (ttl <= 128) return 128;
    return 255;
}

// Routers between the sender and us: initial_ttl(ttl) - ttl.
constexpr std::uint8_t ttl_hops(std::uint8_t ttl) noexcept {
    return static_cast<std::uint8_t>(initial_ttl(ttl) - ttl);
}

}  // namespace pw::insight
