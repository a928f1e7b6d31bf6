#include "lib/gen/histogram.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pw::gen {
namespace {

__extension__ typedef unsigned __int128 u128;

// Percentiles in thousandths of a percent, so the reference rank is integer arithmetic:
// rank = ceil(q / 100000 * n).
const std::uint64_t quantiles[] = {1,     1000,  10000, 25000, 50000, 75000,
                                   90000, 99000, 99900, 99990, 100000};

void check_against_reference(const std::string& name, std::vector<std::uint64_t> values) {
    SCOPED_TRACE(name);
    Histogram h;
    for (std::uint64_t v : values) h.record(v);
    std::sort(values.begin(), values.end());
    const std::uint64_t n = values.size();
    ASSERT_EQ(h.count(), n);
    EXPECT_EQ(h.min(), values.front());
    EXPECT_EQ(h.max(), values.back());
    std::uint64_t over = 0;
    for (std::uint64_t v : values) over += v > Histogram::highest_ns;
    EXPECT_EQ(h.overflow(), over);

    u128 sum = 0;
    for (std::uint64_t v : values) sum += v;
    const long double mean = static_cast<long double>(sum) / static_cast<long double>(n);
    EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(mean));
    long double dev2 = 0;  // two-pass population variance
    for (std::uint64_t v : values) {
        long double d = static_cast<long double>(v) - mean;
        dev2 += d * d;
    }
    const double sd = static_cast<double>(std::sqrt(dev2 / static_cast<long double>(n)));
    if (sd == 0) {
        EXPECT_EQ(h.stddev(), 0.0);
    } else {
        EXPECT_NEAR(h.stddev(), sd, sd * 1e-9);
    }

    for (std::uint64_t q : quantiles) {
        const std::uint64_t rank = std::max<std::uint64_t>(1, (q * n + 99999) / 100000);
        const std::uint64_t ref = values[rank - 1];
        const double p = static_cast<double>(q) / 1000.0;
        const std::uint64_t got = h.percentile(p);
        if (ref > Histogram::highest_ns) {
            // Above the range: not bucketed; the bound given is the exact max.
            EXPECT_EQ(got, h.max()) << "p " << p;
            continue;
        }
        // The bucket's highest value: never below the exact one, at most 0.1% (or 1 ns) above.
        EXPECT_GE(got, ref) << "p " << p;
        const double tol = std::max(1.0, static_cast<double>(ref) * 0.001);
        EXPECT_LE(static_cast<double>(got - ref), tol) << "p " << p << " ref " << ref;
    }
    EXPECT_EQ(h.percentile(100), values.back());
}

TEST(GenHistogram, PercentilesUniform) {
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<std::uint64_t> d(1, 10'000'000);
    std::vector<std::uint64_t> v(200'000);
    for (auto& x : v) x = d(rng);
    check_against_reference("uniform", v);
}

TEST(GenHistogram, PercentilesLogNormal) {
    std::mt19937_64 rng(2);
    std::lognormal_distribution<double> d(std::log(50'000.0), 1.5);
    std::vector<std::uint64_t> v(200'000);
    for (auto& x : v) x = static_cast<std::uint64_t>(std::min(d(rng), 5e10));
    check_against_reference("log-normal", v);
}

TEST(GenHistogram, PercentilesBimodal) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> fast(20'000.0, 2'000.0);
    std::normal_distribution<double> slow(5'000'000.0, 300'000.0);
    std::vector<std::uint64_t> v(100'001);
    for (std::size_t i = 0; i < v.size(); ++i) {
        double x = (i % 3 == 0) ? slow(rng) : fast(rng);
        v[i] = static_cast<std::uint64_t>(std::max(x, 1.0));
    }
    check_against_reference("bimodal", v);
}

TEST(GenHistogram, PercentilesSmallExactValues) {
    std::mt19937_64 rng(4);
    std::uniform_int_distribution<std::uint64_t> d(0, 3'000);
    std::vector<std::uint64_t> v(50'000);
    for (auto& x : v) x = d(rng);
    check_against_reference("small, with 0", v);
}

TEST(GenHistogram, PercentilesConstant) {
    check_against_reference("constant", std::vector<std::uint64_t>(10'000, 123'456'789));
}

TEST(GenHistogram, PercentilesSingleValue) {
    check_against_reference("single", {777'777});
    check_against_reference("single 60 s", {Histogram::highest_ns});
    check_against_reference("single 0", {0});
}

TEST(GenHistogram, PercentilesAboveSixtySeconds) {
    std::mt19937_64 rng(5);
    std::uniform_int_distribution<std::uint64_t> in(1'000, 59'990'000'000ULL);
    std::uniform_int_distribution<std::uint64_t> out(60'000'000'001ULL, 500'000'000'000ULL);
    std::vector<std::uint64_t> v(20'000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = i % 50 == 0 ? out(rng) : in(rng);
    v.push_back(Histogram::highest_ns);  // the top of the range is still in range
    check_against_reference("above 60 s", v);
    check_against_reference("all above 60 s", {70'000'000'000ULL, 80'000'000'000ULL});
}

TEST(GenHistogram, MeanStddevExactSmall) {
    Histogram h;
    for (std::uint64_t v : {2, 4, 4, 4, 5, 5, 7, 9}) h.record(v);
    EXPECT_EQ(h.count(), 8U);
    EXPECT_EQ(h.min(), 2U);
    EXPECT_EQ(h.max(), 9U);
    EXPECT_EQ(h.mean(), 5.0);
    EXPECT_EQ(h.stddev(), 2.0);  // the textbook population example
    EXPECT_EQ(h.percentile(50), 4U);
    EXPECT_EQ(h.percentile(50.1), 5U);
}

TEST(GenHistogram, ZeroKeepsMinZero) {
    Histogram h;
    h.record(0);
    h.record(0);
    h.record(10);
    EXPECT_EQ(h.min(), 0U);
    EXPECT_EQ(h.percentile(50), 1U);  // the 1 ns bucket's value
    EXPECT_EQ(h.percentile(100), 10U);
    auto b = h.nonzero_buckets();
    ASSERT_EQ(b.size(), 2U);
    EXPECT_EQ(b[0].lo_ns, 1U);
    EXPECT_EQ(b[0].count, 2U);
}

TEST(GenHistogram, Empty) {
    Histogram h;
    EXPECT_EQ(h.count(), 0U);
    EXPECT_EQ(h.min(), 0U);
    EXPECT_EQ(h.max(), 0U);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.stddev(), 0.0);
    EXPECT_EQ(h.percentile(50), 0U);
    EXPECT_TRUE(h.nonzero_buckets().empty());
}

TEST(GenHistogram, MergeEqualsRecordingInOne) {
    std::mt19937_64 rng(6);
    std::lognormal_distribution<double> d(std::log(200'000.0), 2.0);
    Histogram all, parts[3], merged;
    for (int i = 0; i < 100'000; ++i) {
        std::uint64_t v = static_cast<std::uint64_t>(d(rng));
        if (i % 1000 == 0) v = 90'000'000'000ULL + static_cast<std::uint64_t>(i);
        all.record(v);
        parts[rng() % 3].record(v);
    }
    for (const Histogram& p : parts) merged.merge(p);
    EXPECT_EQ(merged.count(), all.count());
    EXPECT_EQ(merged.overflow(), all.overflow());
    EXPECT_GT(merged.overflow(), 0U);
    EXPECT_EQ(merged.min(), all.min());
    EXPECT_EQ(merged.max(), all.max());
    EXPECT_EQ(merged.mean(), all.mean());
    EXPECT_EQ(merged.stddev(), all.stddev());
    for (std::uint64_t q : quantiles) {
        double p = static_cast<double>(q) / 1000.0;
        EXPECT_EQ(merged.percentile(p), all.percentile(p)) << p;
    }
    auto a = all.nonzero_buckets();
    auto m = merged.nonzero_buckets();
    ASSERT_EQ(a.size(), m.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].lo_ns, m[i].lo_ns);
        EXPECT_EQ(a[i].hi_ns, m[i].hi_ns);
        EXPECT_EQ(a[i].count, m[i].count);
    }
    // Merging an empty one changes nothing; min stays exact.
    merged.merge(Histogram());
    EXPECT_EQ(merged.min(), all.min());
    EXPECT_EQ(merged.count(), all.count());
}

TEST(GenHistogram, Reset) {
    Histogram h;
    h.record(5);
    h.record(100'000'000'000ULL);
    h.reset();
    EXPECT_EQ(h.count(), 0U);
    EXPECT_EQ(h.overflow(), 0U);
    EXPECT_EQ(h.max(), 0U);
    EXPECT_TRUE(h.nonzero_buckets().empty());
    h.record(42);
    EXPECT_EQ(h.min(), 42U);
    EXPECT_EQ(h.mean(), 42.0);
    EXPECT_EQ(h.percentile(99), 42U);
}

// Buckets hold the values recorded in them, ascend without overlap, and are no wider than
// bucket_width(), which is at most 1/1000 of the value (1 ns below 2048 ns).
TEST(GenHistogram, BucketsAndWidths) {
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> values;
    for (std::uint64_t v = 1; v < Histogram::highest_ns; v = v * 3 / 2 + 1) values.push_back(v);
    for (int i = 0; i < 2000; ++i) values.push_back(rng() % Histogram::highest_ns + 1);
    for (std::uint64_t v : values) {
        Histogram h;
        h.record(v);
        auto b = h.nonzero_buckets();
        ASSERT_EQ(b.size(), 1U);
        ASSERT_LE(b[0].lo_ns, v);
        ASSERT_GE(b[0].hi_ns, v);
        ASSERT_EQ(b[0].hi_ns - b[0].lo_ns + 1, Histogram::bucket_width(v)) << v;
        ASSERT_LE(static_cast<double>(Histogram::bucket_width(v)),
                  std::max(1.0, static_cast<double>(v) / 1000.0))
            << v;
        // Neighbours: one below lo and one above hi are in other buckets.
        if (b[0].lo_ns > 1) {
            Histogram below;
            below.record(b[0].lo_ns - 1);
            ASSERT_LT(below.nonzero_buckets()[0].hi_ns, b[0].lo_ns);
        }
    }
    EXPECT_EQ(Histogram::bucket_width(1), 1U);
    EXPECT_EQ(Histogram::bucket_width(2047), 1U);
    EXPECT_EQ(Histogram::bucket_width(2048), 2U);
    EXPECT_EQ(Histogram::bucket_width(1'000'000), 512U);

    Histogram h;
    for (std::uint64_t v : values) h.record(v);
    auto b = h.nonzero_buckets();
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
        total += b[i].count;
        if (i > 0) {
            EXPECT_LT(b[i - 1].hi_ns, b[i].lo_ns);
        }
    }
    EXPECT_EQ(total, values.size());
}

TEST(GenHistogram, OverflowInTopBucket) {
    Histogram h;
    h.record(Histogram::highest_ns);
    h.record(200'000'000'000ULL);
    EXPECT_EQ(h.overflow(), 1U);
    EXPECT_EQ(h.max(), 200'000'000'000ULL);
    auto b = h.nonzero_buckets();
    ASSERT_EQ(b.size(), 1U);  // both in the top bucket
    EXPECT_EQ(b[0].count, 2U);
    EXPECT_LE(b[0].lo_ns, Histogram::highest_ns);
    EXPECT_EQ(b[0].hi_ns, 200'000'000'000ULL);
    EXPECT_EQ(h.percentile(100), 200'000'000'000ULL);
    const std::uint64_t p50 = h.percentile(50);
    EXPECT_GE(p50, Histogram::highest_ns);
    EXPECT_LE(p50, Histogram::highest_ns + Histogram::highest_ns / 1000);
}

}  // namespace
}  // namespace pw::gen
