// Link and network addresses as plain values (bytes in wire order), with prefixes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pw::wire {

struct MacAddr {
    std::array<std::uint8_t, 6> bytes{};

    static constexpr MacAddr broadcast() noexcept { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
    constexpr bool is_broadcast() const noexcept { return *this == broadcast(); }
    // I/G bit: group (multicast or broadcast) address.
    constexpr bool is_group() const noexcept { return (bytes[0] & 0x01) != 0; }
    constexpr bool is_zero() const noexcept { return *this == MacAddr{}; }
    friend constexpr bool operator==(const MacAddr&, const MacAddr&) = default;

    static std::optional<MacAddr> parse(std::string_view s);
    std::string to_string() const;
};

struct Ipv4Addr {
    std::array<std::uint8_t, 4> bytes{};

    static constexpr Ipv4Addr from_u32(std::uint32_t host_order) noexcept {
        return {{static_cast<std::uint8_t>(host_order >> 24),
                 static_cast<std::uint8_t>(host_order >> 16),
                 static_cast<std::uint8_t>(host_order >> 8),
                 static_cast<std::uint8_t>(host_order)}};
    }
    constexpr std::uint32_t to_u32() const noexcept {
        return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
               (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
    }
    constexpr bool is_unspecified() const noexcept { return to_u32() == 0; }
    constexpr bool is_limited_broadcast() const noexcept { return to_u32() == 0xffffffffU; }
    constexpr bool is_multicast() const noexcept { return (bytes[0] & 0xf0) == 0xe0; }  // 224/4
    constexpr bool is_loopback() const noexcept { return bytes[0] == 127; }
    // RFC 1122 3.2.1.3 and RFC 1812 4.2.2.11 / 5.3.7: addresses that never name one unique
    // host as a source: 0/8 ("this network"), 127/8, 224/4 (multicast), 240/4 (reserved,
    // including 255.255.255.255).
    constexpr bool is_martian_source() const noexcept {
        return bytes[0] == 0 || is_loopback() || bytes[0] >= 224;
    }
    friend constexpr bool operator==(const Ipv4Addr&, const Ipv4Addr&) = default;

    static std::optional<Ipv4Addr> parse(std::string_view s);
    std::string to_string() const;
};

struct Ipv6Addr {
    std::array<std::uint8_t, 16> bytes{};

    constexpr bool is_unspecified() const noexcept { return *this == Ipv6Addr{}; }
    constexpr bool is_multicast() const noexcept { return bytes[0] == 0xff; }
    constexpr bool is_link_local() const noexcept {
        return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;  // fe80::/10
    }
    constexpr bool is_loopback() const noexcept {
        Ipv6Addr one{};
        one.bytes[15] = 1;
        return *this == one;
    }
    // ff02::1, all nodes on the link (RFC 4291 2.7.1).
    static constexpr Ipv6Addr all_nodes() noexcept {
        Ipv6Addr a{};
        a.bytes[0] = 0xff;
        a.bytes[1] = 0x02;
        a.bytes[15] = 0x01;
        return a;
    }
    // ff02::1:ffXX:XXXX, the solicited-node group of this address (RFC 4291 2.7.1).
    constexpr Ipv6Addr solicited_node() const noexcept {
        Ipv6Addr a{};
        a.bytes[0] = 0xff;
        a.bytes[1] = 0x02;
        a.bytes[11] = 0x01;
        a.bytes[12] = 0xff;
        a.bytes[13] = bytes[13];
        a.bytes[14] = bytes[14];
        a.bytes[15] = bytes[15];
        return a;
    }
    // The Ethernet group address a multicast IPv6 address maps to (RFC 2464 7).
    constexpr MacAddr multicast_mac() const noexcept {
        return {{0x33, 0x33, bytes[12], bytes[13], bytes[14], bytes[15]}};
    }
    // fe80::/64 with the modified EUI-64 interface identifier of mac (RFC 4291 2.5.1, app. A).
    static constexpr Ipv6Addr link_local_from_mac(const MacAddr& mac) noexcept {
        Ipv6Addr a{};
        a.bytes[0] = 0xfe;
        a.bytes[1] = 0x80;
        a.bytes[8] = static_cast<std::uint8_t>(mac.bytes[0] ^ 0x02);
        a.bytes[9] = mac.bytes[1];
        a.bytes[10] = mac.bytes[2];
        a.bytes[11] = 0xff;
        a.bytes[12] = 0xfe;
        a.bytes[13] = mac.bytes[3];
        a.bytes[14] = mac.bytes[4];
        a.bytes[15] = mac.bytes[5];
        return a;
    }
    friend constexpr bool operator==(const Ipv6Addr&, const Ipv6Addr&) = default;

    static std::optional<Ipv6Addr> parse(std::string_view s);
    std::string to_string() const;
};

// RFC 4291 2.5.5.2: the IPv4-mapped IPv6 address ::ffff:a.b.c.d, one key for both families
// (next hops, neighbour sightings, rate-limit entries).
constexpr Ipv6Addr v4_mapped(const Ipv4Addr& a) noexcept {
    Ipv6Addr m{};
    m.bytes[10] = 0xff;
    m.bytes[11] = 0xff;
    for (std::size_t i = 0; i < 4; ++i) m.bytes[12 + i] = a.bytes[i];
    return m;
}
constexpr bool is_v4_mapped(const Ipv6Addr& m) noexcept {
    for (std::size_t i = 0; i < 10; ++i)
        if (m.bytes[i] != 0) return false;
    return m.bytes[10] == 0xff && m.bytes[11] == 0xff;
}
// The IPv4 address in the low 32 bits (of a mapped address).
constexpr Ipv4Addr v4_unmapped(const Ipv6Addr& m) noexcept {
    return {{m.bytes[12], m.bytes[13], m.bytes[14], m.bytes[15]}};
}

struct Ipv4Prefix {
    Ipv4Addr addr;         // the configured address (host bits kept)
    std::uint8_t len = 0;  // 0..32

    constexpr std::uint32_t mask() const noexcept {
        return len == 0 ? 0U : ~std::uint32_t{0} << (32 - len);
    }
    constexpr bool contains(const Ipv4Addr& a) const noexcept {
        return (a.to_u32() & mask()) == (addr.to_u32() & mask());
    }
    // The directed broadcast address of the subnet (RFC 922); none for /31 and /32 (RFC 3021).
    constexpr std::optional<Ipv4Addr> directed_broadcast() const noexcept {
        if (len >= 31) return std::nullopt;
        return Ipv4Addr::from_u32(addr.to_u32() | ~mask());
    }
};

struct Ipv6Prefix {
    Ipv6Addr addr;
    std::uint8_t len = 0;  // 0..128

    constexpr bool contains(const Ipv6Addr& a) const noexcept {
        unsigned bits = len;
        for (unsigned i = 0; i < 16 && bits > 0; ++i) {
            const unsigned take = bits >= 8 ? 8 : bits;
            const auto m = static_cast<std::uint8_t>(0xff << (8 - take));
            if ((a.bytes[i] & m) != (addr.bytes[i] & m)) return false;
            bits -= take;
        }
        return true;
    }
};

}  // namespace pw::wire
