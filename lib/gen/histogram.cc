#include "lib/gen/histogram.hh"

#include <algorithm>
#include <cmath>

namespace pw::gen {

// Layout (HdrHistogram's, unit 1 ns): 2048 sub-buckets, so values below 2048 have a bucket each;
// above, "bucket" b >= 1 covers [2^(10+b), 2^(11+b)) in 1024 steps of 2^b, a relative width of
// at most 2^b / 2^(10+b) = 1/1024 < 1/1000. Value v lands at index (b << 10) + (v >> b), where
// b = (bit width of (v | 2047)) - 11: the indices of consecutive b are contiguous, so the array
// holds index_of(highest_ns) + 1 counters (27389, 214 KiB). The top counter also takes every
// value above highest_ns (counted in overflow_ too): those are the largest values recorded, so a
// rank past count_ - overflow_ is one of them, and its best bound is the exact max.
namespace {

constexpr unsigned sub_bits = 11;  // 2048 sub-buckets
constexpr unsigned half_bits = sub_bits - 1;
constexpr std::uint64_t sub_mask = (1ULL << sub_bits) - 1;

constexpr unsigned magnitude(std::uint64_t v) noexcept {
    return static_cast<unsigned>(64 - __builtin_clzll(v | sub_mask)) - sub_bits;
}

constexpr std::size_t raw_index(std::uint64_t v) noexcept {
    unsigned b = magnitude(v);
    return (static_cast<std::size_t>(b) << half_bits) + static_cast<std::size_t>(v >> b);
}

constexpr std::size_t top_index = raw_index(Histogram::highest_ns);

constexpr unsigned magnitude_of_index(std::size_t index) noexcept {
    return index < (std::size_t{1} << sub_bits) ? 0U
                                                : static_cast<unsigned>(index >> half_bits) - 1U;
}

constexpr std::uint64_t raw_lowest(std::size_t index) noexcept {
    unsigned b = magnitude_of_index(index);
    return static_cast<std::uint64_t>(index - (static_cast<std::size_t>(b) << half_bits)) << b;
}

constexpr std::uint64_t raw_highest(std::size_t index) noexcept {
    return raw_lowest(index) + (1ULL << magnitude_of_index(index)) - 1;
}

static_assert(raw_index(1) == 1 && raw_index(2047) == 2047 && raw_index(2048) == 2048);
static_assert(raw_index(4095) == 3071 && raw_index(4096) == 3072);
static_assert(raw_lowest(raw_index(123'456'789)) <= 123'456'789 &&
              raw_highest(raw_index(123'456'789)) >= 123'456'789);
static_assert(raw_highest(top_index) >= Histogram::highest_ns);

}  // namespace

Histogram::Histogram() : counts_(top_index + 1, 0) {}

std::size_t Histogram::index_of(std::uint64_t ns) const noexcept {
    // 0 shares the 1 ns counter.
    return raw_index(ns == 0 ? 1 : std::min(ns, highest_ns));
}

std::uint64_t Histogram::lowest_of(std::size_t index) const noexcept {
    return raw_lowest(index);
}

std::uint64_t Histogram::highest_of(std::size_t index) const noexcept {
    return raw_highest(index);
}

void Histogram::record(std::uint64_t ns) noexcept {
    if (ns > highest_ns) ++overflow_;
    ++counts_[index_of(ns)];
    ++count_;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
    sum_ += ns;
    sum_sq_ += static_cast<hist_u128>(ns) * ns;
}

void Histogram::merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    overflow_ += other.overflow_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
    sum_sq_ += other.sum_sq_;
}

void Histogram::reset() noexcept {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    overflow_ = 0;
    min_ = ~0ULL;
    max_ = 0;
    sum_ = 0;
    sum_sq_ = 0;
}

double Histogram::mean() const noexcept {
    if (count_ == 0) return 0.0;
    // One rounding: the exact sum's nearest double over the count.
    return static_cast<double>(static_cast<long double>(sum_) / count_);
}

double Histogram::stddev() const noexcept {
    if (count_ == 0) return 0.0;
    // n^2 var = n * sum_sq - sum^2, exact in 128 bits while it fits (n * sum_sq < 2^128: e.g.
    // 2^30 values of up to 2^48 ns); otherwise in long double.
    hist_u128 n_sum_sq = 0;
    hist_u128 sum_2 = 0;
    if (!__builtin_mul_overflow(sum_sq_, static_cast<hist_u128>(count_), &n_sum_sq) &&
        !__builtin_mul_overflow(sum_, sum_, &sum_2)) {
        hist_u128 num = n_sum_sq >= sum_2 ? n_sum_sq - sum_2 : 0;
        long double n = static_cast<long double>(count_);
        return static_cast<double>(std::sqrt(static_cast<long double>(num) / (n * n)));
    }
    long double n = static_cast<long double>(count_);
    long double m = static_cast<long double>(sum_) / n;
    long double var = static_cast<long double>(sum_sq_) / n - m * m;
    return static_cast<double>(std::sqrt(std::max(var, 0.0L)));
}

std::uint64_t Histogram::percentile(double p) const noexcept {
    if (count_ == 0) return 0;
    // The rank ceil(p/100 * count), forgiving the rounding of p/100 (99.9 / 100 * 1000 is
    // 999.0000000000001 in doubles, and must be rank 999).
    long double want = static_cast<long double>(p) / 100.0L * static_cast<long double>(count_);
    want -= want * 1e-12L;
    std::uint64_t rank = want <= 1.0L ? 1
                         : want >= static_cast<long double>(count_)
                             ? count_
                             : static_cast<std::uint64_t>(std::ceil(want));
    if (rank > count_ - overflow_) return max_;  // a value above highest_ns: unbucketed
    std::uint64_t seen = 0;
    std::size_t index = 0;
    for (; index < counts_.size(); ++index) {
        seen += counts_[index];
        if (seen >= rank) break;
    }
    if (index == counts_.size()) index = top_index;  // not reached: counts sum to count_
    return std::clamp(highest_of(index), min_, max_);
}

std::vector<Histogram::Bucket> Histogram::nonzero_buckets() const {
    std::vector<Bucket> out;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        if (counts_[i] == 0) continue;
        std::uint64_t hi = highest_of(i);
        if (i == top_index) hi = std::max(hi, max_);  // open-ended: holds the overflow
        out.push_back({lowest_of(i), hi, counts_[i]});
    }
    return out;
}

std::uint64_t Histogram::bucket_width(std::uint64_t ns) noexcept {
    // Above highest_ns, the width of the ordinary buckets there (the top counter is open-ended).
    return 1ULL << magnitude(ns);
}

}  // namespace pw::gen
