// Byte spans, network-order value types and field loads/stores.
//
// Every read of a packet field goes through load/store (memcpy + byteswap): no packed-struct
// casts, no alignment assumptions. Network-order values have their own types (Be16, Be32) so
// that mixing byte orders does not compile.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace pw::wire {

using Bytes = std::span<std::byte>;
using ConstBytes = std::span<const std::byte>;

// A byte type for views: std::byte (mutable view) or const std::byte (read-only view).
template <class B>
concept ByteType = std::is_same_v<std::remove_const_t<B>, std::byte>;

template <class B>
inline constexpr bool is_mutable_v = !std::is_const_v<B>;

constexpr std::uint16_t bswap16(std::uint16_t v) noexcept {
    return static_cast<std::uint16_t>((v >> 8) | (v << 8));
}
constexpr std::uint32_t bswap32(std::uint32_t v) noexcept {
    return ((v & 0x000000ffU) << 24) | ((v & 0x0000ff00U) << 8) | ((v & 0x00ff0000U) >> 8) |
           ((v & 0xff000000U) >> 24);
}

constexpr std::uint16_t host_to_be16(std::uint16_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) return bswap16(v);
    return v;
}
constexpr std::uint32_t host_to_be32(std::uint32_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) return bswap32(v);
    return v;
}

// A 16-bit value held in network byte order.
struct Be16 {
    std::uint16_t raw = 0;  // as it sits in the packet
    static constexpr Be16 from_host(std::uint16_t v) noexcept { return Be16{host_to_be16(v)}; }
    constexpr std::uint16_t host() const noexcept { return host_to_be16(raw); }
    friend constexpr bool operator==(Be16, Be16) = default;
};

// A 32-bit value held in network byte order.
struct Be32 {
    std::uint32_t raw = 0;
    static constexpr Be32 from_host(std::uint32_t v) noexcept { return Be32{host_to_be32(v)}; }
    constexpr std::uint32_t host() const noexcept { return host_to_be32(raw); }
    friend constexpr bool operator==(Be32, Be32) = default;
};

// Field access at a byte offset. Callers guarantee bounds (views check once, in checked()).
template <ByteType B>
inline std::uint8_t load8(std::span<B> b, std::size_t off) noexcept {
    return std::to_integer<std::uint8_t>(b[off]);
}
template <ByteType B>
inline std::uint16_t load16(std::span<B> b, std::size_t off) noexcept {
    std::uint16_t v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return host_to_be16(v);
}
template <ByteType B>
inline std::uint32_t load32(std::span<B> b, std::size_t off) noexcept {
    std::uint32_t v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return host_to_be32(v);
}
inline void store8(Bytes b, std::size_t off, std::uint8_t v) noexcept {
    b[off] = std::byte{v};
}
inline void store16(Bytes b, std::size_t off, std::uint16_t v) noexcept {
    const std::uint16_t n = host_to_be16(v);
    std::memcpy(b.data() + off, &n, sizeof n);
}
inline void store32(Bytes b, std::size_t off, std::uint32_t v) noexcept {
    const std::uint32_t n = host_to_be32(v);
    std::memcpy(b.data() + off, &n, sizeof n);
}

// Copy a fixed-size array-like value (an address) in or out of a packet.
template <class T, ByteType B>
inline T load_bytes(std::span<B> b, std::size_t off) noexcept {
    T v;
    std::memcpy(v.bytes.data(), b.data() + off, v.bytes.size());
    return v;
}
template <class T>
inline void store_bytes(Bytes b, std::size_t off, const T& v) noexcept {
    std::memcpy(b.data() + off, v.bytes.data(), v.bytes.size());
}

}  // namespace pw::wire
