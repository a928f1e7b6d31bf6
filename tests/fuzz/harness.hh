// What every fuzz target shares: a failed check aborts (libFuzzer reports it with the input),
// the input as a byte span, bounds checks on views, a sink for values read (so that every
// accessor runs, under ASan), and a reader of the selector bytes in front of an input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "lib/wire/bytes.hh"

namespace pw_fuzz {

// A failed check names its line on stderr, then aborts (libFuzzer saves the input).
inline void check(bool ok, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    if (ok) return;
    std::fprintf(stderr, "fuzz check failed: %s:%d\n", file, line);
    std::abort();
}

inline pw::wire::ConstBytes input(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const std::byte*>(data), size};
}

// part lies within whole.
inline void check_within(pw::wire::ConstBytes part, pw::wire::ConstBytes whole) {
    check(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// Values read are summed into a volatile, so that no read is optimised away.
inline void sink(std::uint64_t v) {
    static volatile std::uint64_t s = 0;
    s = s + v;
}

// RFC 1071, one 16-bit word at a time over the concatenation of parts: the reference for the
// views' checksums (a message checks when this is 0xffff).
inline std::uint16_t reference_sum(std::initializer_list<pw::wire::ConstBytes> parts) {
    std::uint64_t s = 0;
    std::size_t at = 0;  // bytes summed so far: odd means the next byte is a low half
    for (const auto part : parts)
        for (const std::byte b : part)
            s += std::to_integer<std::uint64_t>(b) << ((at++ % 2 == 0) ? 8 : 0);
    while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

// The leading bytes of an input that choose what a harness does (modes, routes, sizes); what
// is left is the frame. Reads past the end give 0.
class Selectors {
public:
    Selectors(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint8_t byte() {
        if (size_ == 0) return 0;
        --size_;
        return *data_++;
    }
    std::uint16_t u16() {
        const unsigned hi = byte();
        return static_cast<std::uint16_t>((hi << 8) | byte());
    }
    // An address (MacAddr, Ipv4Addr, Ipv6Addr) from the next bytes.
    template <class A>
    A addr() {
        A a;
        for (auto& b : a.bytes) b = byte();
        return a;
    }
    // The next n bytes (fewer at the end).
    pw::wire::ConstBytes take(std::size_t n) {
        if (n > size_) n = size_;
        const pw::wire::ConstBytes b = input(data_, n);
        data_ += n;
        size_ -= n;
        return b;
    }
    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    pw::wire::ConstBytes rest() const { return input(data_, size_); }

private:
    const std::uint8_t* data_;
    std::size_t size_;
};

}  // namespace pw_fuzz
