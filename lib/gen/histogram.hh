// A log-linear latency histogram of fixed memory, HdrHistogram-style: values from 1 ns to 60 s
// with 3 significant decimal digits (each bucket no wider than 1/1000 of its lower bound, so
// a percentile is within 0.1% of the exact value), plus the exact count, min, max, sum and
// sum of squares (ping's avg and mdev are exact, not bucketed). One per lcore, merged at the
// end; record() is a few instructions and never allocates.
#pragma once

#include <cstdint>
#include <vector>

namespace pw::gen {

__extension__ typedef unsigned __int128 hist_u128;

class Histogram {
public:
    static constexpr std::uint64_t lowest_ns = 1;
    static constexpr std::uint64_t highest_ns = 60'000'000'000ULL;  // 60 s

    Histogram();  // allocates its buckets once (control path)

    // Values above highest_ns are counted in the top bucket and in overflow(); 0 counts as 1 ns
    // bucket but keeps min 0.
    void record(std::uint64_t ns) noexcept;
    void merge(const Histogram& other) noexcept;
    void reset() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t overflow() const noexcept { return overflow_; }
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }  // exact
    std::uint64_t max() const noexcept { return max_; }               // exact
    double mean() const noexcept;                                     // exact
    // Population standard deviation, as ping's mdev: sqrt(E[x^2] - E[x]^2). Exact.
    double stddev() const noexcept;
    // The value at or below which p percent (0 < p <= 100) of the recorded values lie: the
    // highest value equivalent to the bucket where the cumulative count reaches
    // ceil(p/100 * count), clamped to [min, max]. 0 when empty.
    std::uint64_t percentile(double p) const noexcept;

    struct Bucket {
        std::uint64_t lo_ns = 0;  // inclusive
        std::uint64_t hi_ns = 0;  // inclusive
        std::uint64_t count = 0;
    };
    std::vector<Bucket> nonzero_buckets() const;  // ascending
    // The width of the bucket holding ns: the resolution of a figure near ns.
    static std::uint64_t bucket_width(std::uint64_t ns) noexcept;

private:
    std::size_t index_of(std::uint64_t ns) const noexcept;
    std::uint64_t lowest_of(std::size_t index) const noexcept;
    std::uint64_t highest_of(std::size_t index) const noexcept;

    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t overflow_ = 0;
    std::uint64_t min_ = ~0ULL;
    std::uint64_t max_ = 0;
    hist_u128 sum_ = 0;
    hist_u128 sum_sq_ = 0;
};

}  // namespace pw::gen
