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

// The expected entropy of n uniformly random bytes (n counted: at most 512), below the maximum
// because random bytes repeat (7.18 for 256 bytes, 7.6 for 512, 4.88 for 32).
double random_entropy(std::size_t n) noexcept;

// Entropy h of an n-byte payload looks like random data (encrypted or compressed): at least
// 0.93 of random_entropy(n). Random payloads pass 99% of the time from 16 bytes on (90% at
// 8); Windows' 32-byte alphabet (4.44 bits, 0.91) and Linux ping's 56 bytes (0.92 to 0.95,
// with its timestamp) sit at the edge; fixed patterns far below.
inline constexpr double high_entropy_ratio = 0.93;
bool looks_random(double h, std::size_t n) noexcept;

}  // namespace pw::insight
