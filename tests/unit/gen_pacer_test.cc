#include "lib/gen/pacer.hh"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace pw::gen {
namespace {

__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t sec = 1'000'000'000ULL;

// The schedule as defined: global packet j is due floor(j * 1e9 / rate) ns after the start.
std::uint64_t due_time(std::uint64_t rate, std::uint64_t j) {
    return static_cast<std::uint64_t>(static_cast<u128>(j) * sec / rate);
}

// How many global packets are due at or before rel ns after the start, by binary search over
// the definition above (not the closed form the pacer uses).
std::uint64_t ref_global_due(std::uint64_t rate, std::uint64_t rel) {
    std::uint64_t lo = 0;                           // due_time(lo - 1) <= rel for lo > 0
    std::uint64_t hi = (rel / sec + 2) * rate + 1;  // due_time(hi) > rel
    while (lo < hi) {
        std::uint64_t mid = lo + (hi - lo) / 2;
        if (due_time(rate, mid) <= rel) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// Of the first g global packets, those with j % k == i.
std::uint64_t ref_share(std::uint64_t g, unsigned i, unsigned k) {
    return g / k + (i < g % k ? 1 : 0);
}

const std::uint64_t rates[] = {1, 999, 20000, 1'000'000, 14'880'000};

// An irregular poll loop against an injected clock: steps of random jitter up to 2 * mean_step
// and now and then a stall of up to 30 ms; each poll sends one burst of at most 32, sometimes
// more bursts at the same instant (a loop that catches up). Never sends ahead of the schedule.
// Ends with a drain at start + 1e9 - 1.
void run_irregular(std::vector<Pacer>& pacers, std::uint64_t rate, std::uint64_t start,
                   std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const std::uint64_t mean_step = rate >= 1'000'000 ? 3'000 : 50'000;
    std::uniform_int_distribution<std::uint64_t> jitter(0, 2 * mean_step);
    std::uniform_int_distribution<std::uint64_t> stall(1'000'000, 30'000'000);
    std::uniform_int_distribution<int> dice(0, 9999);
    const std::uint64_t end = start + sec - 1;
    const unsigned k = static_cast<unsigned>(pacers.size());
    std::uint64_t now = start - 5'000;  // polls before the start send nothing
    while (true) {
        bool last = now >= end;
        if (last) now = end;
        for (unsigned i = 0; i < k; ++i) {
            Pacer& p = pacers[i];
            int bursts = last ? 1'000'000 : (dice(rng) < 7000 ? 1 : 4);
            for (int b = 0; b < bursts; ++b) {
                std::uint64_t n = p.due(now, 32);
                ASSERT_LE(n, 32U);
                if (n == 0) break;
                p.sent(n);
            }
            std::uint64_t owed =
                now < start ? 0 : ref_share(ref_global_due(rate, now - start), i, k);
            ASSERT_LE(p.sent_count(), owed) << "ahead of the schedule at " << now - start;
        }
        if (last) break;
        now += dice(rng) < 2 ? stall(rng) : jitter(rng);
    }
}

TEST(GenPacer, NoDriftOverOneSecondIrregularPolling) {
    for (std::uint64_t rate : rates) {
        const std::uint64_t start = 123'456'789'000ULL;
        std::vector<Pacer> one{Pacer(rate, 0, 1, start)};
        run_irregular(one, rate, start, rate);
        // Packets 0 .. rate - 1 are due before start + 1e9; packet rate is due exactly then.
        EXPECT_EQ(one[0].sent_count(), rate) << "rate " << rate;
        EXPECT_EQ(one[0].sent_count(), ref_global_due(rate, sec - 1)) << "rate " << rate;
        EXPECT_EQ(one[0].owed_by(sec), rate) << "rate " << rate;
        EXPECT_EQ(one[0].due(start + sec - 1, ~0ULL), 0U) << "rate " << rate;
        EXPECT_EQ(one[0].due(start + sec, ~0ULL), 1U) << "rate " << rate;
        EXPECT_EQ(one[0].next_due_ns(), start + sec) << "rate " << rate;
    }
}

TEST(GenPacer, ThreeSharesSumToOnePacer) {
    for (std::uint64_t rate : rates) {
        const std::uint64_t start = 5'000'000ULL;
        std::vector<Pacer> three;
        for (unsigned i = 0; i < 3; ++i) three.emplace_back(rate, i, 3, start);
        run_irregular(three, rate, start, rate * 7 + 1);
        std::uint64_t total = 0;
        std::uint64_t lo = ~0ULL, hi = 0;
        for (unsigned i = 0; i < 3; ++i) {
            std::uint64_t s = three[i].sent_count();
            total += s;
            lo = std::min(lo, s);
            hi = std::max(hi, s);
            EXPECT_EQ(s, ref_share(rate, i, 3)) << "rate " << rate << " share " << i;
            EXPECT_EQ(three[i].owed_by(sec), s) << "rate " << rate << " share " << i;
            // The share's next packet is global packet sent * 3 + i.
            EXPECT_EQ(three[i].next_due_ns(), start + due_time(rate, s * 3 + i))
                << "rate " << rate << " share " << i;
        }
        EXPECT_EQ(total, rate) << "rate " << rate;
        EXPECT_LE(hi - lo, 1U) << "rate " << rate;
    }
}

TEST(GenPacer, StallThenCatchUpReturnsBacklog) {
    const std::uint64_t rate = 1'000'000;  // one per microsecond
    const std::uint64_t start = 1'000;
    Pacer p(rate, 0, 1, start);
    for (std::uint64_t t = start; t < start + 1'000'000; t += 10'000) p.sent(p.due(t, ~0ULL));
    EXPECT_EQ(p.sent_count(), 991U);  // packets due at 0, 1 us, ..., 990 us
    const std::uint64_t after = start + 1'000'000 + 50'000'000;  // a 50 ms stall
    const std::uint64_t backlog = ref_global_due(rate, after - start) - 991;
    EXPECT_EQ(backlog, 50'010U);
    EXPECT_EQ(p.due(after, ~0ULL), backlog);
    EXPECT_EQ(p.due(after, 32), 32U);  // a burst at a time
    std::uint64_t drained = 0;
    for (std::uint64_t n; (n = p.due(after, 32)) != 0; drained += n) p.sent(n);
    EXPECT_EQ(drained, backlog);
    EXPECT_EQ(p.due(after, ~0ULL), 0U);
    EXPECT_EQ(p.due(after + 999, ~0ULL), 0U);
    EXPECT_EQ(p.due(after + 1'000, ~0ULL), 1U);
}

TEST(GenPacer, BeforeStartNothingDue) {
    Pacer p(20000, 0, 1, 1'000'000);
    EXPECT_EQ(p.due(0, 32), 0U);
    EXPECT_EQ(p.due(999'999, 32), 0U);
    EXPECT_EQ(p.due(1'000'000, 32), 1U);  // packet 0 is due at the start
    EXPECT_EQ(p.next_due_ns(), 1'000'000U);
    p.sent(1);
    EXPECT_EQ(p.next_due_ns(), 1'050'000U);
    EXPECT_EQ(p.due(1'049'999, 32), 0U);
    EXPECT_EQ(p.due(1'050'000, 32), 1U);
}

TEST(GenPacer, OddRateDueTimesAreFloored) {
    // 999 pps: packet j at floor(j * 1e9 / 999) = 0, 1001001, 2002002, ...
    Pacer p(999, 0, 1, 0);
    EXPECT_EQ(p.due(1'001'000, ~0ULL), 1U);
    EXPECT_EQ(p.due(1'001'001, ~0ULL), 2U);
    EXPECT_EQ(p.owed_by(1'001'001), 1U);
    EXPECT_EQ(p.owed_by(1'001'002), 2U);
    EXPECT_EQ(p.owed_by(0), 0U);
    EXPECT_EQ(p.owed_by(1), 1U);
    EXPECT_EQ(p.owed_by(10 * sec), 9990U);
}

TEST(GenPacer, SharesInterleave) {
    // 3 shares of 3 pps: share i owns global packet j = i (due at i/3 s), then j = i + 3, ...
    for (unsigned i = 0; i < 3; ++i) {
        Pacer p(3, i, 3, 0);
        EXPECT_EQ(p.next_due_ns(), due_time(3, i));
        EXPECT_EQ(p.due(due_time(3, i) - (i ? 1 : 0), 8), i ? 0U : 1U);
        EXPECT_EQ(p.due(due_time(3, i), 8), 1U);
        EXPECT_EQ(p.due(due_time(3, i + 3), 8), 2U);
    }
}

TEST(GenPacer, LargeClockNoOverflow) {
    // A TSC-derived clock far from 0 and a long run at line rate.
    const std::uint64_t start = 1ULL << 62;
    const std::uint64_t rate = 14'880'000;
    Pacer p(rate, 1, 4, start);
    const std::uint64_t span = 3600 * sec;  // an hour
    EXPECT_EQ(p.due(start + span - 1, ~0ULL), ref_share(rate * 3600, 1, 4));
    EXPECT_EQ(p.owed_by(span), ref_share(rate * 3600, 1, 4));
}

TEST(GenPacer, UnpacedReturnsLimit) {
    Pacer p(0, 0, 1, 777);
    EXPECT_TRUE(p.unpaced());
    EXPECT_EQ(p.due(0, 32), 32U);
    EXPECT_EQ(p.due(1'000'000, 7), 7U);
    p.sent(1000);
    EXPECT_EQ(p.due(0, 32), 32U);
    EXPECT_EQ(p.sent_count(), 1000U);
    EXPECT_EQ(p.next_due_ns(), 777U);
    EXPECT_FALSE(Pacer(1, 0, 1, 0).unpaced());
}

}  // namespace
}  // namespace pw::gen
