// A small HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007; the small-range correction of
// Heule, Nunkesser, Hall 2013): the number of distinct addresses one source probed, in 128
// one-byte registers. Relative standard error 1.04 / sqrt(128), about 9.2%; below 2.5 * 128
// distinct values linear counting takes over: about 1% at 10, 6.8% at 64, 9.2% at 254.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lib/wire/addr.hh"
#include "lib/wire/mix.hh"

namespace pw::insight {

// Two addresses are the same (two 8-byte compares, no memcmp call).
inline bool same_addr(const wire::Ipv6Addr& a, const wire::Ipv6Addr& b) noexcept {
    std::uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

using wire::mix64;  // MurmurHash3's finaliser

// A 64-bit hash of a 16-byte address (the source table's sets and tags, the sketch's
// registers and ranks).
inline std::uint64_t addr_hash(const wire::Ipv6Addr& a) noexcept {
    // Two 8-byte words; an IPv4-mapped address has a constant high word.
    std::uint64_t hi;
    std::uint64_t lo;
    std::memcpy(&hi, a.bytes.data(), sizeof hi);
    std::memcpy(&lo, a.bytes.data() + 8, sizeof lo);
    constexpr std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
    constexpr std::uint64_t v4_high = mix64(seed);  // of a high word 0 (IPv4-mapped)
    return mix64(lo ^ (hi == 0 ? v4_high : mix64(hi ^ seed)));
}

class Hll {
public:
    static constexpr unsigned index_bits = 7;
    static constexpr std::size_t registers = std::size_t{1} << index_bits;  // 128

    // True when a register grew (the estimate may have changed).
    bool add(const wire::Ipv6Addr& a) noexcept { return add_hash(addr_hash(a)); }
    bool add_hash(std::uint64_t h) noexcept {
        const auto idx = static_cast<std::size_t>(h >> (64 - index_bits));
        // Rank: position of the first 1 bit in the remaining 57 bits, 1..58.
        const std::uint64_t w = (h << index_bits) | (std::uint64_t{1} << (index_bits - 1));
        const auto rank = static_cast<std::uint8_t>(std::countl_zero(w) + 1);
        if (rank <= reg_[idx]) return false;
        filled_ = static_cast<std::uint8_t>(filled_ + (reg_[idx] == 0 ? 1 : 0));
        reg_[idx] = rank;
        return true;
    }
    void merge(const Hll& o) noexcept;
    void clear() noexcept {
        reg_.fill(0);
        filled_ = 0;
    }
    bool empty() const noexcept { return filled_ == 0; }
    // Registers not 0 (the union of two sketches has at most the sum of theirs).
    unsigned filled() const noexcept { return filled_; }
    // The fewest filled registers an estimate of at least x needs: below it, no estimate is
    // worth computing (the tracker's gate before a sweep check).
    static unsigned min_filled(double x) noexcept;

    double estimate() const noexcept;
    // The estimate of the union of a and b, without building it.
    static double estimate_union(const Hll& a, const Hll& b) noexcept;

    const std::array<std::uint8_t, registers>& raw() const noexcept { return reg_; }

private:
    std::array<std::uint8_t, registers> reg_{};
    std::uint8_t filled_ = 0;
};

}  // namespace pw::insight
