// HyperLogLog estimate with the linear-counting small-range correction.
#include "lib/insight/hll.hh"

#include <algorithm>
#include <cmath>

namespace pw::insight {

namespace {

constexpr double m = static_cast<double>(Hll::registers);
// alpha_m for m >= 128 (Flajolet et al. 2007, figure 3).
constexpr double alpha = 0.7213 / (1.0 + 1.079 / m);

// 2^-r for every register value (ranks are at most 58).
constexpr std::array<double, 64> inv_pow2 = [] {
    std::array<double, 64> t{};
    double v = 1.0;
    for (auto& x : t) {
        x = v;
        v /= 2.0;
    }
    return t;
}();

double finish(double sum, unsigned zeros) noexcept {
    const double raw = alpha * m * m / sum;
    // Small range (Flajolet et al. 2007, Heule et al. 2013 5.2): linear counting while
    // registers are still empty and the raw estimate is below 2.5 m.
    if (raw <= 2.5 * m && zeros != 0) return m * std::log(m / static_cast<double>(zeros));
    return raw;
}

}  // namespace

void Hll::merge(const Hll& o) noexcept {
    unsigned filled = 0;
    for (std::size_t i = 0; i < registers; ++i) {
        if (o.reg_[i] > reg_[i]) reg_[i] = o.reg_[i];
        filled += reg_[i] != 0 ? 1U : 0U;
    }
    filled_ = static_cast<std::uint8_t>(filled);
}

unsigned Hll::min_filled(double x) noexcept {
    if (x <= 0) return 0;
    // With Z registers empty: linear counting gives m ln(m / Z) >= x only if
    // Z <= m e^(-x/m); the raw estimate alpha m^2 / S (S >= Z, each empty register adds 1)
    // only if Z <= alpha m^2 / x, and it is used only above 2.5 m: Z < alpha m / 2.5.
    const double linear = m * (1.0 - std::exp(-x / m));
    const double raw_zeros = std::min(alpha * m * m / x, alpha * m / 2.5);
    const double raw = m - raw_zeros;
    const double need = std::floor(std::min(linear, raw)) - 1.0;  // margin for rounding
    return need <= 0 ? 0U : static_cast<unsigned>(need);
}

double Hll::estimate() const noexcept {
    double sum = 0;
    unsigned zeros = 0;
    for (const std::uint8_t r : reg_) {
        sum += inv_pow2[r & 63];
        zeros += r == 0 ? 1U : 0U;
    }
    return finish(sum, zeros);
}

double Hll::estimate_union(const Hll& a, const Hll& b) noexcept {
    double sum = 0;
    unsigned zeros = 0;
    for (std::size_t i = 0; i < registers; ++i) {
        const std::uint8_t r = a.reg_[i] > b.reg_[i] ? a.reg_[i] : b.reg_[i];
        sum += inv_pow2[r & 63];
        zeros += r == 0 ? 1U : 0U;
    }
    return finish(sum, zeros);
}

}  // namespace pw::insight
