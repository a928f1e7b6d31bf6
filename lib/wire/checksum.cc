#include "lib/wire/checksum.hh"

#include <cstring>

namespace pw::wire {

std::uint16_t ones_sum(ConstBytes data, std::uint16_t initial) noexcept {
    // The sum is computed over native-order 64-bit words with end-around carries (RFC 1071
    // 2(C), as on 64-bit machines in RFC 1071 4.2), folded once and swapped once at the end:
    // RFC 1071 2(B), byte-order independence.
    const std::byte* p = data.data();
    std::size_t n = data.size();
    // Two chains so that the carries of one do not wait for the other's.
    std::uint64_t a0 = 0, a1 = 0;
    while (n >= 32) {
        std::uint64_t w[4];
        std::memcpy(w, p, 32);
        a0 = ones_add64(a0, w[0]);
        a1 = ones_add64(a1, w[1]);
        a0 = ones_add64(a0, w[2]);
        a1 = ones_add64(a1, w[3]);
        p += 32;
        n -= 32;
    }
    std::uint64_t acc = ones_add64(a0, a1);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        acc = ones_add64(acc, w);
        p += 8;
        n -= 8;
    }
    // The last 0..7 bytes, as one zero-padded 64-bit word: its bytes keep their positions
    // within the word, so their 16-bit lanes line up with those of the words before. An odd
    // byte is the high-order byte of a zero-padded 16-bit word (RFC 1071 4.1).
    if (n != 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        acc = ones_add64(acc, w);
    }
    return ones_add(native_sum_to_host(fold64(acc)), initial);
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
    // RFC 8200 8.1: 32 bytes of addresses as four native 64-bit words, then the length and
    // next header (host-order 16-bit words, added after the swap).
    std::uint64_t w[4];
    std::memcpy(w, src.bytes.data(), 16);
    std::memcpy(w + 2, dst.bytes.data(), 16);
    const std::uint64_t acc = ones_add64(ones_add64(w[0], w[1]), ones_add64(w[2], w[3]));
    std::uint16_t s = native_sum_to_host(fold64(acc));
    s = ones_add(s, static_cast<std::uint16_t>(l4_length >> 16));
    s = ones_add(s, static_cast<std::uint16_t>(l4_length & 0xffff));
    s = ones_add(s, next_header);
    return s;
}

}  // namespace pw::wire
