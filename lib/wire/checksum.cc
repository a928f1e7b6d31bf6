#include "lib/wire/checksum.hh"

#include <bit>
#include <cstring>

namespace pw::wire {

namespace {

// Folds a wide accumulator of native-order 16-bit lanes to 16 bits.
std::uint16_t fold(std::uint64_t acc) noexcept {
    acc = (acc & 0xffffffffULL) + (acc >> 32);
    acc = (acc & 0xffffffffULL) + (acc >> 32);
    acc = (acc & 0xffffULL) + (acc >> 16);
    acc = (acc & 0xffffULL) + (acc >> 16);
    acc = (acc & 0xffffULL) + (acc >> 16);
    return static_cast<std::uint16_t>(acc);
}

}  // namespace

std::uint16_t ones_sum(ConstBytes data, std::uint16_t initial) noexcept {
    // The sum is computed over native-order words and swapped once at the end: RFC 1071
    // section 2(B), byte-order independence.
    const std::byte* p = data.data();
    std::size_t n = data.size();
    std::uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    while (n >= 16) {
        std::uint32_t w[4];
        std::memcpy(w, p, 16);
        a0 += w[0];
        a1 += w[1];
        a2 += w[2];
        a3 += w[3];
        p += 16;
        n -= 16;
    }
    std::uint64_t acc = a0 + a1 + a2 + a3;
    while (n >= 4) {
        std::uint32_t w;
        std::memcpy(&w, p, 4);
        acc += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        std::uint16_t w;
        std::memcpy(&w, p, 2);
        acc += w;
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        // The odd byte is the high-order byte of a zero-padded word (RFC 1071 4.1).
        std::byte tail[2] = {*p, std::byte{0}};
        std::uint16_t w;
        std::memcpy(&w, tail, 2);
        acc += w;
    }
    std::uint16_t s = fold(acc);
    if constexpr (std::endian::native == std::endian::little) s = bswap16(s);
    return ones_add(s, initial);
}

std::uint16_t pseudo_sum_v4(const Ipv4Addr& src, const Ipv4Addr& dst, std::uint8_t protocol,
                            std::uint16_t l4_length) noexcept {
    std::uint32_t s = 0;
    s += src.to_u32() >> 16;
    s += src.to_u32() & 0xffff;
    s += dst.to_u32() >> 16;
    s += dst.to_u32() & 0xffff;
    s += protocol;
    s += l4_length;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

std::uint16_t pseudo_sum_v6(const Ipv6Addr& src, const Ipv6Addr& dst, std::uint32_t l4_length,
                            std::uint8_t next_header) noexcept {
    std::uint16_t s =
        ones_sum(ConstBytes{reinterpret_cast<const std::byte*>(src.bytes.data()), 16});
    s = ones_sum(ConstBytes{reinterpret_cast<const std::byte*>(dst.bytes.data()), 16}, s);
    s = ones_add(s, static_cast<std::uint16_t>(l4_length >> 16));
    s = ones_add(s, static_cast<std::uint16_t>(l4_length & 0xffff));
    s = ones_add(s, next_header);
    return s;
}

}  // namespace pw::wire
