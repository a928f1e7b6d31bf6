#include "lib/conform/bucket_fit.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pw::conform {
namespace {

constexpr std::uint64_t ms = 1'000'000ULL;
constexpr std::uint64_t sec = 1'000'000'000ULL;

// A known token bucket: burst tokens, refilled at rate per second, either continuously
// (refill_ns == 0) or rate * refill_ns of credit at each multiple of refill_ns from the step's
// first trigger (taken at the first trigger after it, as Linux's does). A message goes when the
// bucket holds >= 1 token and takes 1, or a random 0..2 (Linux since CVE-2020-25705).
struct Bucket {
    double burst = 0;
    double rate = 0;
    std::uint64_t refill_ns = 0;
    bool random_cost = false;
    bool unlimited = false;
};

// The way back: a fixed delay, a uniform jitter on top, and a random loss.
struct Path {
    std::uint64_t delay_ns = 300'000;
    std::uint64_t jitter_ns = 0;
    double loss = 0;
};

// Log-spaced offered rates from 1 to 100000 pps.
std::vector<double> offered_rates(int per_decade = 4) {
    std::vector<double> out;
    for (int k = 0; k <= 5 * per_decade; ++k) {
        out.push_back(std::pow(10.0, static_cast<double>(k) / per_decade));
    }
    return out;
}

RateStep simulate_step(const Bucket& b, const Path& p, double offered, std::uint64_t duration,
                       std::mt19937_64& rng) {
    RateStep s;
    s.offered_pps = offered;
    s.duration_ns = duration;
    auto n = static_cast<std::uint64_t>(offered * static_cast<double>(duration) / 1e9);
    std::uniform_int_distribution<int> cost(0, 2);
    std::uniform_int_distribution<std::uint64_t> jitter(0, p.jitter_ns);
    std::bernoulli_distribution lost(p.loss);
    double tokens = b.burst;
    std::uint64_t last = 0;
    std::uint64_t stamp = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        auto t = static_cast<std::uint64_t>(std::llround(static_cast<double>(i) * 1e9 / offered));
        bool go = b.unlimited;
        if (!b.unlimited) {
            if (b.refill_ns == 0) {
                tokens = std::min(b.burst, tokens + b.rate * static_cast<double>(t - last) / 1e9);
                last = t;
            } else if (t - stamp >= b.refill_ns) {
                std::uint64_t k = (t - stamp) / b.refill_ns;
                tokens =
                    std::min(b.burst, tokens + b.rate * static_cast<double>(k * b.refill_ns) / 1e9);
                stamp += k * b.refill_ns;
            }
            if (tokens >= 1 - 1e-9) {
                go = true;
                tokens = std::max(0.0, tokens - (b.random_cost ? cost(rng) : 1));
            }
        }
        if (!go) continue;
        if (p.loss > 0 && lost(rng)) continue;
        s.arrivals_ns.push_back(t + p.delay_ns + (p.jitter_ns > 0 ? jitter(rng) : 0));
    }
    std::sort(s.arrivals_ns.begin(), s.arrivals_ns.end());
    s.sent = n;
    s.returned = s.arrivals_ns.size();
    return s;
}

std::vector<RateStep> simulate(const Bucket& b, const Path& p, std::uint64_t seed,
                               std::uint64_t duration = 2 * sec) {
    std::mt19937_64 rng(seed);
    std::vector<RateStep> out;
    for (double r : offered_rates()) out.push_back(simulate_step(b, p, r, duration, rng));
    return out;
}

// Messages per refill of c credits at saturation with a random cost of 0..2: E(c) = 1 +
// (E(c) + E(c-1) + E(c-2)) / 3, E(<= 0) = 0 (a message goes at any credit >= 1).
double expected_per_refill(int credits) {
    std::vector<double> e(static_cast<std::size_t>(credits) + 1, 0.0);
    for (int c = 1; c <= credits; ++c) {
        double one = e[static_cast<std::size_t>(c - 1)];
        double two = c >= 2 ? e[static_cast<std::size_t>(c - 2)] : 0.0;
        e[static_cast<std::size_t>(c)] = (3 + one + two) / 2;
    }
    return e.back();
}

bool contains(const Estimate& e, double v) {
    return e.lo <= v && v <= e.hi;
}

const Bucket per_message{6, 50, 0, false, false};
const Bucket linux_random{50, 1000, 20 * ms, true, false};
const Bucket linux_fixed{50, 1000, 20 * ms, false, false};

TEST(BucketFit, PerMessageBucket) {
    auto steps = simulate(per_message, Path{}, 1);
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.burst.value, 6, 0.6);
    EXPECT_NEAR(f.rate_pps.value, 50, 2.5);
    EXPECT_TRUE(contains(f.rate_pps, 50)) << f.rate_pps.lo << ".." << f.rate_pps.hi;
    EXPECT_TRUE(contains(f.burst, 6)) << f.burst.lo << ".." << f.burst.hi;
    // Every window holds exactly the same count, yet the interval keeps +-1 message over a
    // step's 1 s steady span.
    EXPECT_GE(f.rate_pps.hi - f.rate_pps.lo, 2 - 1e-9);
    // One message every 20 ms is the per-message interval, not a refill clump.
    EXPECT_FALSE(f.refill_ms.has_value()) << *f.refill_ms;
    EXPECT_EQ(f.cost, CostKind::unknown);
    // 100 pps for 2 s: 200 sent, 6 + 100 back (< 180); 56 pps: 112 sent, 106 back.
    EXPECT_NEAR(f.knee_pps, 100, 1e-6);
    EXPECT_NE(f.evidence.find("saturated steps (100-100000 pps)"), std::string::npos) << f.evidence;
}

TEST(BucketFit, LinuxLikeGlobalBucketRandomisedCost) {
    auto steps = simulate(linux_random, Path{300'000, 100'000, 0}, 2);
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.rate_pps.value, 1000, 100);
    EXPECT_NEAR(f.burst.value, 50, 12.5);
    ASSERT_TRUE(f.refill_ms.has_value());
    EXPECT_NEAR(*f.refill_ms, 20, 2);
    EXPECT_EQ(f.cost, CostKind::randomised) << f.evidence;
    // 1000 pps: 2000 back of 2000; 1778 pps: 3556 sent, ~2080 back.
    EXPECT_NEAR(f.knee_pps, std::pow(10.0, 3.25), 1e-6);
}

TEST(BucketFit, LinuxLikeGlobalBucketFixedCost) {
    auto steps = simulate(linux_fixed, Path{300'000, 100'000, 0}, 3);
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.rate_pps.value, 1000, 50);
    EXPECT_NEAR(f.burst.value, 50, 5);
    ASSERT_TRUE(f.refill_ms.has_value());
    EXPECT_NEAR(*f.refill_ms, 20, 2);
    EXPECT_EQ(f.cost, CostKind::fixed) << f.evidence;
    EXPECT_NE(f.evidence.find("cost fixed"), std::string::npos) << f.evidence;
}

TEST(BucketFit, FixedCostSeenThroughLossIsNotRandomised) {
    // 6% loss spreads the 20 per refill binomially (sd ~1.06, above 0.8, but a variance of
    // only ~0.06 of the mean): not a random cost.
    auto steps = simulate(linux_fixed, Path{300'000, 100'000, 0.06}, 4);
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.refill_ms.has_value());
    EXPECT_NEAR(*f.refill_ms, 20, 2);
    EXPECT_EQ(f.cost, CostKind::unknown) << f.evidence;
    EXPECT_NEAR(f.rate_pps.value, 940, 30);
}

TEST(BucketFit, RandomisedCostWithLargeRefillsIsSeen) {
    // 50 credits per 20 ms: 50 +- 5.8 a refill, a coefficient of variation of only 0.12.
    Bucket b{100, 2500, 20 * ms, true, false};
    auto steps = simulate(b, Path{300'000, 50'000, 0}, 5);
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.refill_ms.has_value());
    EXPECT_NEAR(*f.refill_ms, 20, 2);
    EXPECT_EQ(f.cost, CostKind::randomised) << f.evidence;
}

TEST(BucketFit, SmoothLimiterWithJitterHasNoRefill) {
    // One message every 0.5-1 ms with 0.4-1 ms of jitter: the 1 ms rule merges neighbours into
    // clumps of 1-3 (a mean >= 1.5) at irregular periods of 2-5 ms, which is no refill.
    struct Case {
        double rate;
        std::uint64_t jitter_ns;
    };
    for (Case c : {Case{1000, 400'000}, Case{1500, 600'000}, Case{2000, 1'000'000}}) {
        Bucket b{20, c.rate, 0, false, false};
        auto steps = simulate(b, Path{300'000, c.jitter_ns, 0}, 6);
        BucketFit f = fit_bucket(steps);
        ASSERT_TRUE(f.limited);
        EXPECT_FALSE(f.refill_ms.has_value()) << c.rate << ": " << *f.refill_ms;
        EXPECT_EQ(f.cost, CostKind::unknown) << c.rate;
        EXPECT_NEAR(f.rate_pps.value, c.rate, 0.05 * c.rate);
        EXPECT_NEAR(f.burst.value, 20, 4) << c.rate;
    }
}

TEST(BucketFit, LargeBurstStillDrainingAtHalfTime) {
    // 1000 tokens at 10/s: the 1000 pps step spends its burst only after ~1 s, so its second
    // half is not all steady.
    Bucket b{1000, 10, 0, false, false};
    auto steps = simulate(b, Path{300'000, 100'000, 0}, 16);
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.rate_pps.value, 10, 0.5);
    EXPECT_TRUE(contains(f.rate_pps, 10)) << f.rate_pps.lo << ".." << f.rate_pps.hi;
    EXPECT_NEAR(f.burst.value, 1000, 20);
    EXPECT_FALSE(f.refill_ms.has_value());
}

TEST(BucketFit, StepsOfDifferentDurations) {
    // The runner's steps last 1-3 s.
    std::mt19937_64 rng(17);
    std::vector<RateStep> steps;
    std::uint64_t durations[] = {1 * sec, 3 * sec, 2 * sec, 1500 * ms};
    std::size_t i = 0;
    for (double r : offered_rates()) {
        steps.push_back(
            simulate_step(linux_random, Path{300'000, 100'000, 0}, r, durations[i++ % 4], rng));
    }
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.rate_pps.value, expected_per_refill(20) / 0.020, 50);
    EXPECT_NEAR(f.burst.value, 50, 12.5);
    ASSERT_TRUE(f.refill_ms.has_value());
    EXPECT_NEAR(*f.refill_ms, 20, 2);
    EXPECT_EQ(f.cost, CostKind::randomised);
    for (const RateStep& s : steps) {
        // The model follows the measured steps within 10% (loss-free, so only the fit's error).
        double model = model_returned_pps(f, s.offered_pps, s.duration_ns);
        EXPECT_NEAR(model, s.returned_pps(), 0.1 * s.returned_pps() + 1) << s.offered_pps;
    }
}

TEST(BucketFit, UnlimitedStream) {
    Bucket b;
    b.unlimited = true;
    auto steps = simulate(b, Path{300'000, 100'000, 0.03}, 7);
    BucketFit f = fit_bucket(steps);
    EXPECT_FALSE(f.limited);
    EXPECT_EQ(f.knee_pps, 0);
    EXPECT_EQ(f.rate_pps.value, 0);
    EXPECT_EQ(f.burst.value, 0);
    EXPECT_FALSE(f.refill_ms.has_value());
    EXPECT_EQ(f.cost, CostKind::unknown);
    EXPECT_NE(f.evidence.find("no limit"), std::string::npos) << f.evidence;
    EXPECT_EQ(model_returned_pps(f, 1234.5, 2 * sec), 1234.5);
}

TEST(BucketFit, NoSteps) {
    BucketFit f = fit_bucket({});
    EXPECT_FALSE(f.limited);
    EXPECT_EQ(f.knee_pps, 0);
    EXPECT_FALSE(f.evidence.empty());
}

// Of 10 seeds, the 95% interval must hold the true rate at least 8 times (a correct interval
// fails that with probability ~1%), and must not be so wide as to be useless.
void expect_coverage(const Bucket& b, const Path& p, double true_rate, double max_rel_width) {
    int covered = 0;
    for (std::uint64_t seed = 100; seed < 110; ++seed) {
        BucketFit f = fit_bucket(simulate(b, p, seed));
        ASSERT_TRUE(f.limited);
        if (contains(f.rate_pps, true_rate)) ++covered;
        EXPECT_LT(f.rate_pps.hi - f.rate_pps.lo, max_rel_width * true_rate)
            << f.rate_pps.lo << ".." << f.rate_pps.hi;
        EXPECT_LE(f.burst.lo, f.burst.value);
        EXPECT_GE(f.burst.hi, f.burst.value);
    }
    EXPECT_GE(covered, 8);
}

TEST(BucketFit, IntervalHoldsTheTrueRateLinuxLike) {
    // The true rate of a random-cost bucket: the messages one refill lets through, per period,
    // as seen through the loss.
    double loss = 0.02;
    double true_rate = expected_per_refill(20) / 0.020 * (1 - loss);
    ASSERT_NEAR(true_rate, 1000 * (1 - loss), 25);
    expect_coverage(linux_random, Path{300'000, 200'000, loss}, true_rate, 0.06);
}

TEST(BucketFit, IntervalHoldsTheTrueRatePerMessage) {
    double loss = 0.03;
    expect_coverage(per_message, Path{300'000, 2 * ms, loss}, 50 * (1 - loss), 0.1);
}

TEST(BucketFit, ExpectedPerRefill) {
    // One credit: a message always; with chance 1/3 it cost 0 and another follows: 1.5.
    EXPECT_DOUBLE_EQ(expected_per_refill(1), 1.5);
    EXPECT_DOUBLE_EQ(expected_per_refill(2), 2.25);
    EXPECT_NEAR(expected_per_refill(20) - 20, 1.0 / 3, 0.01);
}

void expect_same(const BucketFit& a, const BucketFit& b) {
    EXPECT_EQ(a.limited, b.limited);
    EXPECT_EQ(a.burst.value, b.burst.value);
    EXPECT_EQ(a.burst.lo, b.burst.lo);
    EXPECT_EQ(a.burst.hi, b.burst.hi);
    EXPECT_EQ(a.rate_pps.value, b.rate_pps.value);
    EXPECT_EQ(a.rate_pps.lo, b.rate_pps.lo);
    EXPECT_EQ(a.rate_pps.hi, b.rate_pps.hi);
    EXPECT_EQ(a.refill_ms, b.refill_ms);
    EXPECT_EQ(a.cost, b.cost);
    EXPECT_EQ(a.knee_pps, b.knee_pps);
    EXPECT_EQ(a.evidence, b.evidence);
}

TEST(BucketFit, StepsInAnyOrder) {
    auto steps = simulate(linux_random, Path{300'000, 100'000, 0.01}, 8);
    BucketFit sorted = fit_bucket(steps);
    std::mt19937_64 rng(9);
    for (int i = 0; i < 3; ++i) {
        std::shuffle(steps.begin(), steps.end(), rng);
        expect_same(fit_bucket(steps), sorted);
    }
    std::reverse(steps.begin(), steps.end());
    expect_same(fit_bucket(steps), sorted);
}

TEST(BucketFit, StepWithNothingSentIsIgnored) {
    for (const Bucket& b : {per_message, Bucket{0, 0, 0, false, true}}) {
        auto steps = simulate(b, Path{}, 10);
        BucketFit plain = fit_bucket(steps);
        // Nothing sent, at rates outside the others' range; one even claims replies.
        RateStep high;
        high.offered_pps = 1e6;
        high.duration_ns = 2 * sec;
        high.returned = 5;
        high.arrivals_ns = {1, 2, 3, 4, 5};
        RateStep low;
        low.offered_pps = 0.1;
        low.duration_ns = 2 * sec;
        steps.insert(steps.begin(), high);
        steps.push_back(low);
        expect_same(fit_bucket(steps), plain);
    }
}

TEST(BucketFit, UnsortedArrivalsAreSorted) {
    auto steps = simulate(linux_random, Path{300'000, 100'000, 0}, 11);
    BucketFit plain = fit_bucket(steps);
    std::mt19937_64 rng(12);
    for (RateStep& s : steps) std::shuffle(s.arrivals_ns.begin(), s.arrivals_ns.end(), rng);
    expect_same(fit_bucket(steps), plain);
}

TEST(BucketFit, SomeStepsWithoutArrivalTimes) {
    auto steps = simulate(per_message, Path{}, 13);
    bool strip = false;
    for (RateStep& s : steps) {
        if (strip) s.arrivals_ns.clear();
        strip = !strip;
    }
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.rate_pps.value, 50, 2.5);
    EXPECT_NEAR(f.burst.value, 6, 1);
    EXPECT_NE(f.evidence.find("without arrival times"), std::string::npos) << f.evidence;
}

TEST(BucketFit, NoArrivalTimesAtAll) {
    auto steps = simulate(per_message, Path{}, 14);
    for (RateStep& s : steps) s.arrivals_ns.clear();
    BucketFit f = fit_bucket(steps);
    ASSERT_TRUE(f.limited);
    EXPECT_NEAR(f.knee_pps, 100, 1e-6);
    // returned / T: the rate plus the burst spread over the step, an upper bound.
    EXPECT_GE(f.rate_pps.value, 50);
    EXPECT_LE(f.rate_pps.value, 50 + 6.0 / 2 + 0.5);
    EXPECT_TRUE(contains(f.rate_pps, 50)) << f.rate_pps.lo << ".." << f.rate_pps.hi;
    EXPECT_EQ(f.burst.value, 0);
    EXPECT_GE(f.burst.hi, 6);
    EXPECT_FALSE(f.refill_ms.has_value());
    EXPECT_NE(f.evidence.find("burst unknown"), std::string::npos) << f.evidence;
}

TEST(BucketFit, ModelReturned) {
    BucketFit f = fit_bucket(simulate(per_message, Path{}, 15));
    ASSERT_TRUE(f.limited);
    EXPECT_EQ(model_returned_pps(f, 10, 2 * sec), 10);
    double top = f.rate_pps.value + f.burst.value / 2;
    EXPECT_DOUBLE_EQ(model_returned_pps(f, 1e5, 2 * sec), top);
    EXPECT_NEAR(top, 53, 0.5);
    EXPECT_DOUBLE_EQ(model_returned_pps(f, 1e5, 1 * sec), f.rate_pps.value + f.burst.value);
}

TEST(BucketFit, CostNames) {
    EXPECT_STREQ(to_string(CostKind::unknown), "unknown");
    EXPECT_STREQ(to_string(CostKind::fixed), "fixed");
    EXPECT_STREQ(to_string(CostKind::randomised), "randomised");
}

}  // namespace
}  // namespace pw::conform
