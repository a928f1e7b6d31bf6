// Helpers shared by the unit tests: golden arrays as byte spans, buffers pre-filled with 0xA5,
// address literals, and a byte-for-byte comparison that names the first differing offset.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::test {

inline constexpr std::byte fill_byte{0xA5};

// A golden vector (std::array<std::uint8_t, N> or a span of it) as read-only bytes.
inline wire::ConstBytes cbytes(std::span<const std::uint8_t> s) noexcept {
    return std::as_bytes(s);
}

// A mutable copy of a golden vector.
inline std::vector<std::byte> copy(std::span<const std::uint8_t> s) {
    std::vector<std::byte> v(s.size());
    std::transform(s.begin(), s.end(), v.begin(), [](std::uint8_t b) { return std::byte{b}; });
    return v;
}

// A buffer of n bytes, all 0xA5 (so that a byte an emitter forgets shows up).
inline std::vector<std::byte> filled(std::size_t n) {
    return std::vector<std::byte>(n, fill_byte);
}

inline std::string hex(wire::ConstBytes b, std::size_t from, std::size_t count) {
    std::string s;
    for (std::size_t i = from; i < b.size() && i < from + count; ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x ", std::to_integer<unsigned>(b[i]));
        s += buf;
    }
    return s;
}

// Equal lengths and equal bytes; on failure, says where they first differ.
inline testing::AssertionResult same_bytes(wire::ConstBytes got, wire::ConstBytes want) {
    const std::size_t n = std::min(got.size(), want.size());
    std::size_t i = 0;
    while (i < n && got[i] == want[i]) ++i;
    if (i == n && got.size() == want.size()) return testing::AssertionSuccess();
    const std::size_t from = i >= 8 ? i - 8 : 0;
    return testing::AssertionFailure()
           << "lengths " << got.size() << " (got) and " << want.size() << " (want); first "
           << "difference at offset " << i << "\n  got  [" << from << "..]: " << hex(got, from, 24)
           << "\n  want [" << from << "..]: " << hex(want, from, 24);
}
inline testing::AssertionResult same_bytes(wire::ConstBytes got,
                                           std::span<const std::uint8_t> want) {
    return same_bytes(got, cbytes(want));
}

// Every byte of b is the 0xA5 fill.
inline bool all_fill(wire::ConstBytes b) {
    return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == fill_byte; });
}

inline wire::MacAddr mac(std::string_view s) {
    const auto m = wire::MacAddr::parse(s);
    EXPECT_TRUE(m.has_value()) << s;
    return m.value_or(wire::MacAddr{});
}
inline wire::Ipv4Addr ip4(std::string_view s) {
    const auto a = wire::Ipv4Addr::parse(s);
    EXPECT_TRUE(a.has_value()) << s;
    return a.value_or(wire::Ipv4Addr{});
}
inline wire::Ipv6Addr ip6(std::string_view s) {
    const auto a = wire::Ipv6Addr::parse(s);
    EXPECT_TRUE(a.has_value()) << s;
    return a.value_or(wire::Ipv6Addr{});
}

// The addresses make_vectors.py uses.
inline const wire::MacAddr us_mac = mac("02:00:00:00:00:01");
inline const wire::MacAddr peer_mac = mac("02:00:00:00:00:02");
inline const wire::Ipv4Addr us4 = ip4("198.18.0.1");
inline const wire::Ipv4Addr us4b = ip4("198.19.255.1");
inline const wire::Ipv4Addr peer4 = ip4("198.18.0.2");
inline const wire::Ipv6Addr us6 = ip6("2001:2::1");
inline const wire::Ipv6Addr us6b = ip6("2001:2:0:1::10");
inline const wire::Ipv6Addr peer6 = ip6("2001:2::2");
inline const wire::Ipv6Addr us_ll = ip6("fe80::ff:fe00:1");
inline const wire::Ipv6Addr peer_ll = ip6("fe80::ff:fe00:2");

}  // namespace pw::test
