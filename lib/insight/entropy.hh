// Shannon entropy of a payload's bytes, in bits per byte (0 for a constant payload, 8 at most;
// log2(n) at most for n bytes): encrypted or compressed data is close to the maximum, text and
// fixed patterns well below. The first 512 bytes at most are counted (a bound on the cost).
#pragma once

#include <cstddef>

#include "lib/wire/bytes.hh"

namespace pw::insight {

inline constexpr std::size_t entropy_max_bytes = 512;

double byte_entropy(wire::ConstBytes b) noexcept;

// The most the entropy of n bytes can be: log2(min(n, 256)) (n distinct values, or all 256).
double max_entropy(std::size_t n) noexcept;

}  // namespace pw::insight
