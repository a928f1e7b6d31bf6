#include "lib/gen/permutation.hh"

namespace pw::gen {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The round function: a keyed 64-bit finalizer (Moremur, a stronger splitmix64 finalizer), so
// every input bit reaches the low bits the Feistel network keeps.
std::uint64_t mix(std::uint64_t x, std::uint64_t key) noexcept {
    x ^= key;
    x ^= x >> 27;
    x *= 0x3c79ac492ba7b653ULL;
    x ^= x >> 33;
    x *= 0x1c69b3f74ac4ae35ULL;
    x ^= x >> 27;
    return x;
}

}  // namespace

Permutation::Permutation(std::uint64_t n, std::uint64_t seed, bool sequential) noexcept
    : n_(n == 0 ? 1 : n), sequential_(sequential) {
    // Bits to hold [0, n): the width of n - 1, rounded up to even, at least 2.
    unsigned bits = n_ <= 1 ? 0U : static_cast<unsigned>(64 - __builtin_clzll(n_ - 1));
    bits = (bits + 1U) & ~1U;
    if (bits < 2) bits = 2;
    half_bits_ = bits / 2;
    half_mask_ = (1ULL << half_bits_) - 1;
    std::uint64_t state = seed;
    for (auto& k : keys_) k = splitmix64(state);
}

std::uint64_t Permutation::feistel(std::uint64_t x) const noexcept {
    std::uint64_t left = (x >> half_bits_) & half_mask_;
    std::uint64_t right = x & half_mask_;
    for (std::uint64_t key : keys_) {
        std::uint64_t next = left ^ (mix(right, key) & half_mask_);
        left = right;
        right = next;
    }
    return (left << half_bits_) | right;
}

std::uint64_t Permutation::at(std::uint64_t i) const noexcept {
    if (sequential_) return i;
    // Out of contract; reduced so the walk below stays on a cycle that holds values < n.
    if (i >= n_) i %= n_;
    // Cycle walking: the network permutes [0, 2^(2h)) and 2^(2h) < 4n, so a few steps along
    // i's cycle reach a value < n; following cycles keeps it a bijection of [0, n).
    std::uint64_t x = feistel(i);
    while (x >= n_) x = feistel(x);
    return x;
}

}  // namespace pw::gen
