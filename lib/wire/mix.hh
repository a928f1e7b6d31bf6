// MurmurHash3's 64-bit finaliser (fmix64): every input bit flips each output bit with
// probability about 1/2. The hash of the tables keyed by addresses (neighbours, security
// insight's sources and sketches).
#pragma once

#include <cstdint>

namespace pw::wire {

constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

}  // namespace pw::wire
