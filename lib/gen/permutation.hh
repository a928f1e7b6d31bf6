// A full-cycle pseudo-random permutation of [0, n), as ZMap and Yarrp order their probes: no
// per-target table is shuffled. A keyed Feistel network over the smallest even number of bits
// that holds n, with cycle-walking (values >= n are encrypted again), is a bijection of
// [0, n): at(0..n-1) visits every index exactly once, in an order that spreads load over the
// address space. Random access and stateless, so lcore i of k takes positions i, i+k, ...
#pragma once

#include <cstdint>

namespace pw::gen {

class Permutation {
public:
    Permutation() = default;
    // n >= 1. sequential: at(i) == i (the identity, --order sequential).
    Permutation(std::uint64_t n, std::uint64_t seed, bool sequential = false) noexcept;
    std::uint64_t size() const noexcept { return n_; }
    // The i-th element of the permutation, i < n.
    std::uint64_t at(std::uint64_t i) const noexcept;

private:
    std::uint64_t feistel(std::uint64_t x) const noexcept;

    std::uint64_t n_ = 1;
    bool sequential_ = true;
    unsigned half_bits_ = 1;
    std::uint64_t half_mask_ = 1;
    std::uint64_t keys_[4] = {};
};

}  // namespace pw::gen
