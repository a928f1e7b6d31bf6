// Shannon byte entropy H = log2(n) - (1/n) * sum over byte values of c * log2(c), from a table
// of c * log2(c) for every count c a 512-byte prefix can give (no log call per byte).
#include "lib/insight/entropy.hh"

#include <array>
#include <cmath>
#include <cstdint>

namespace pw::insight {

namespace {

struct Tables {
    std::array<float, entropy_max_bytes + 1> c_log2_c{};  // c * log2(c), 0 for c = 0
    std::array<float, entropy_max_bytes + 1> log2_n{};
    Tables() {
        for (std::size_t c = 1; c <= entropy_max_bytes; ++c) {
            const double l = std::log2(static_cast<double>(c));
            c_log2_c[c] = static_cast<float>(static_cast<double>(c) * l);
            log2_n[c] = static_cast<float>(l);
        }
    }
};
const Tables tables;

}  // namespace

double byte_entropy(wire::ConstBytes b) noexcept {
    const std::size_t n = b.size() < entropy_max_bytes ? b.size() : entropy_max_bytes;
    if (n < 2) return 0;
    std::array<std::uint16_t, 256> count{};
    for (std::size_t i = 0; i < n; ++i) ++count[std::to_integer<std::uint8_t>(b[i])];
    double sum = 0;
    for (const std::uint16_t c : count) sum += tables.c_log2_c[c];
    const double h = tables.log2_n[n] - sum / static_cast<double>(n);
    return h < 0 ? 0 : h;
}

double max_entropy(std::size_t n) noexcept {
    if (n > 256) n = 256;
    if (n < 2) return 0;
    return tables.log2_n[n];
}

}  // namespace pw::insight
