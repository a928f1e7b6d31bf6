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
    std::array<float, entropy_max_bytes + 1> random{};  // expected entropy of n random bytes
    Tables() {
        for (std::size_t c = 1; c <= entropy_max_bytes; ++c) {
            const double l = std::log2(static_cast<double>(c));
            c_log2_c[c] = static_cast<float>(static_cast<double>(c) * l);
            log2_n[c] = static_cast<float>(l);
        }
        // E[H] = log2(n) - (256 / n) * E[c log2 c], the count c of one byte value binomial
        // (n, 1/256); its probabilities by the recurrence P(k) = P(k-1) (n-k+1)/k p/(1-p).
        constexpr double p = 1.0 / 256.0;
        for (std::size_t n = 2; n <= entropy_max_bytes; ++n) {
            const double nd = static_cast<double>(n);
            double pk = std::pow(1.0 - p, nd);
            double e = 0;
            for (std::size_t k = 1; k <= n && k <= 64; ++k) {
                const double kd = static_cast<double>(k);
                pk *= (nd - kd + 1.0) / kd * (p / (1.0 - p));
                e += pk * c_log2_c[k];
            }
            random[n] = static_cast<float>(log2_n[n] - 256.0 * e / nd);
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
    float sum = 0;
    if (n <= 128) {
        // Short payloads (pings are): each value seen once, its count taken and cleared.
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t& c = count[std::to_integer<std::uint8_t>(b[i])];
            sum += tables.c_log2_c[c];
            c = 0;
        }
    } else {
        for (const std::uint16_t c : count) sum += tables.c_log2_c[c];
    }
    const double h = tables.log2_n[n] - sum / static_cast<double>(n);
    return h < 0 ? 0 : h;
}

double random_entropy(std::size_t n) noexcept {
    if (n > entropy_max_bytes) n = entropy_max_bytes;
    return tables.random[n];
}

bool looks_random(double h, std::size_t n) noexcept {
    return n >= 2 && h >= high_entropy_ratio * random_entropy(n);
}

double max_entropy(std::size_t n) noexcept {
    if (n > 256) n = 256;
    if (n < 2) return 0;
    return tables.log2_n[n];
}

}  // namespace pw::insight
