// lib/insight's sketches and table: the HyperLogLog's estimates against exact counts (within
// 3 standard errors, 1.04 / sqrt(128) each, far closer in the linear-counting range), its
// merge; the source table's eviction order (least active, then oldest) and its bound under a
// million random sources.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "lib/insight/hll.hh"
#include "lib/insight/source_table.hh"
#include "lib/insight/tracker.hh"
#include "lib/wire/addr.hh"

namespace {

using namespace pw::insight;
namespace wire = pw::wire;

// The i-th address of 2001:2::/48 (distinct for every i).
wire::Ipv6Addr nth6(std::uint64_t i) {
    wire::Ipv6Addr a{};
    a.bytes[0] = 0x20;
    a.bytes[1] = 0x01;
    a.bytes[3] = 0x02;
    for (int b = 0; b < 8; ++b) a.bytes[15 - b] = static_cast<std::uint8_t>(i >> (8 * b));
    return a;
}

// The i-th address of 198.18.0.0/15, v4-mapped.
wire::Ipv6Addr nth4(std::uint32_t i) {
    return wire::v4_mapped(wire::Ipv4Addr::from_u32(0xc6120000U + (i & 0x1ffffU)));
}

constexpr double std_error = 1.04 / 11.313708498984761;  // 1.04 / sqrt(128)

TEST(InsightHll, EstimatesWithinThreeSigma) {
    for (const std::uint64_t n : {1ULL, 10ULL, 64ULL, 254ULL, 1000ULL, 100000ULL}) {
        Hll h;
        for (std::uint64_t i = 0; i < n; ++i)
            h.add(n <= 0x1ffff ? nth4(static_cast<std::uint32_t>(i)) : nth6(i));
        const double est = h.estimate();
        const double err = std::fabs(est - static_cast<double>(n)) / static_cast<double>(n);
        EXPECT_LE(err, 3 * std_error) << n << " distinct, estimate " << est;
        // Linear counting (below 2.5 * 128): its own standard error, sqrt(m (e^t - t - 1)) / n
        // with t = n / m (Whang et al. 1990): 6.8% at 64, 9.2% at 254, far less below.
        if (n <= 254) {
            const double m = 128, t = static_cast<double>(n) / m;
            const double se = std::sqrt(m * (std::exp(t) - t - 1)) / static_cast<double>(n);
            EXPECT_LE(err, std::max(1.0 / static_cast<double>(n), 3 * se)) << n;
        }
    }
}

TEST(InsightHll, MeanErrorOverManySetsIsSmall) {
    // 200 independent sets of 1000 (IPv6, different prefixes): the mean relative error is
    // near 0 (no bias) and its spread near the theoretical 9.2%.
    double sum = 0, sum2 = 0;
    const int sets = 200;
    for (int s = 0; s < sets; ++s) {
        Hll h;
        for (std::uint64_t i = 0; i < 1000; ++i)
            h.add(nth6((std::uint64_t{static_cast<unsigned>(s)} << 32) | i));
        const double e = (h.estimate() - 1000.0) / 1000.0;
        sum += e;
        sum2 += e * e;
    }
    const double mean = sum / sets;
    const double sd = std::sqrt(sum2 / sets - mean * mean);
    EXPECT_LT(std::fabs(mean), 0.03) << mean;
    EXPECT_GT(sd, 0.5 * std_error) << sd;
    EXPECT_LT(sd, 1.5 * std_error) << sd;
}

TEST(InsightHll, RepeatsDoNotCount) {
    Hll h;
    EXPECT_TRUE(h.empty());
    EXPECT_EQ(h.estimate(), 0.0);
    EXPECT_TRUE(h.add(nth4(7)));
    for (int i = 0; i < 1000; ++i) EXPECT_FALSE(h.add(nth4(7)));
    EXPECT_NEAR(h.estimate(), 1.0, 0.01);
    h.clear();
    EXPECT_TRUE(h.empty());
}

TEST(InsightHll, MergeIsTheUnion) {
    Hll a, b, both;
    for (std::uint32_t i = 0; i < 500; ++i) a.add(nth4(i)), both.add(nth4(i));
    for (std::uint32_t i = 250; i < 750; ++i) b.add(nth4(i)), both.add(nth4(i));
    EXPECT_EQ(Hll::estimate_union(a, b), both.estimate());
    Hll m = a;
    m.merge(b);
    EXPECT_EQ(m.raw(), both.raw());
    EXPECT_EQ(m.estimate(), both.estimate());
    EXPECT_NEAR(m.estimate(), 750.0, 750.0 * 3 * std_error);
    // Merging is idempotent and commutative.
    Hll n = b;
    n.merge(a);
    n.merge(a);
    EXPECT_EQ(n.raw(), m.raw());
}

TEST(InsightHll, FilledRegistersBoundTheEstimate) {
    // min_filled(x) never exceeds the filled registers of a sketch whose estimate is x or more:
    // checked on every state of sketches growing to 5000 values, and for unions.
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        Hll h, other;
        for (std::uint64_t i = 0; i < 5000; ++i) {
            h.add(nth6((seed << 40) | i));
            if (i % 3 == 0) other.add(nth6((seed << 40) | (1ULL << 32) | i));
            ASSERT_GE(h.filled(), Hll::min_filled(h.estimate())) << seed << " " << i;
            ASSERT_GE(h.filled() + other.filled(), Hll::min_filled(Hll::estimate_union(h, other)));
        }
        unsigned nonzero = 0;
        for (auto r : h.raw()) nonzero += r != 0;
        EXPECT_EQ(h.filled(), nonzero);
    }
    EXPECT_EQ(Hll::min_filled(0), 0u);
    EXPECT_EQ(Hll::min_filled(1), 0u);
    EXPECT_EQ(Hll::min_filled(64), 49u);  // 128 (1 - e^-0.5) = 50.4, less the margin
    EXPECT_LE(Hll::min_filled(1e9), 128u);
}

// Sources that fall in one set of t, by search.
std::vector<wire::Ipv6Addr> same_set(const SourceTable& t, std::size_t set, std::size_t count) {
    std::vector<wire::Ipv6Addr> out;
    for (std::uint32_t i = 0; out.size() < count; ++i)
        if (t.set_of(addr_hash(nth4(i))) == set) out.push_back(nth4(i));
    return out;
}

TEST(InsightSourceTable, SizeIsPowerOfTwoSetsOfEight) {
    EXPECT_EQ(SourceTable(4096).capacity(), 4096u);
    EXPECT_EQ(SourceTable(4096).sets(), 512u);
    EXPECT_EQ(SourceTable(1).capacity(), 8u);
    EXPECT_EQ(SourceTable(0).capacity(), 8u);
    EXPECT_EQ(SourceTable(100).capacity(), 128u);  // 13 sets -> 16
}

TEST(InsightSourceTable, EvictsTheLeastActiveThenTheOldest) {
    const std::uint64_t w = 2'000'000'000;
    SourceTable t(64);  // 8 sets
    const auto addrs = same_set(t, 3, 10);
    // Eight sources in set 3: source i has 10 + i packets, except 5 with 2 and 6 with 2
    // (6 the older of the two).
    std::uint64_t now = 1000;
    for (std::size_t i = 0; i < 8; ++i) {
        SourceState& s = t.get(addrs[i], false, addr_hash(addrs[i]), now, w, 64);
        s.cur.packets = static_cast<std::uint32_t>(10 + i);
        s.last_ns = now + 100 * i;
    }
    t.find(addrs[5], addr_hash(addrs[5]))->cur.packets = 2;
    t.find(addrs[6], addr_hash(addrs[6]))->cur.packets = 2;
    t.find(addrs[6], addr_hash(addrs[6]))->last_ns = now + 1;  // older than 5's
    EXPECT_EQ(t.in_use(), 8u);
    EXPECT_EQ(t.evicted(), 0u);
    now += 10'000;
    t.get(addrs[8], false, addr_hash(addrs[8]), now, w, 64);
    EXPECT_EQ(t.evicted(), 1u);
    EXPECT_EQ(t.in_use(), 8u);
    EXPECT_EQ(t.find(addrs[6], addr_hash(addrs[6])), nullptr);  // fewest, and older
    EXPECT_NE(t.find(addrs[5], addr_hash(addrs[5])), nullptr);
    EXPECT_NE(t.find(addrs[8], addr_hash(addrs[8])), nullptr);
    // The newcomer has no packets yet: it goes next, not source 5.
    t.get(addrs[9], false, addr_hash(addrs[9]), now + 1, w, 64);
    EXPECT_EQ(t.find(addrs[8], addr_hash(addrs[8])), nullptr);
    EXPECT_NE(t.find(addrs[5], addr_hash(addrs[5])), nullptr);
    // Packets in windows that are over do not count: source 7 (17 packets) silent for two
    // windows is now the least active.
    for (std::size_t i : {0, 1, 2, 3, 4, 5, 9}) {
        SourceState* s = t.find(addrs[i], addr_hash(addrs[i]));
        ASSERT_NE(s, nullptr) << i;
        s->window_end = now + 3 * w;
        s->cur.packets = 5;
    }
    const auto more = same_set(t, 3, 11);
    t.get(more[10], false, addr_hash(more[10]), now + 2 * w + 2000, w, 64);
    EXPECT_EQ(t.find(addrs[7], addr_hash(addrs[7])), nullptr);
    EXPECT_EQ(t.tracked(), 11u);
    EXPECT_EQ(t.evicted(), 3u);
    // Other sets untouched.
    EXPECT_EQ(t.in_use(), 8u);
}

TEST(InsightSourceTable, BoundedUnderAMillionRandomSources) {
    InsightConfig cfg;
    cfg.sources = 4096;
    Tracker tr(cfg);
    std::mt19937_64 rng(12);
    Observation o;
    o.seen = Seen::echo_request;
    o.dst = nth4(1);
    o.ttl = 64;
    std::uint64_t now = 1;
    for (int i = 0; i < 1'000'000; ++i) {
        o.v6 = (i & 1) != 0;
        o.src = o.v6 ? nth6(rng()) : nth4(static_cast<std::uint32_t>(rng()));
        tr.observe(o, now += 1000);
        if ((i & 0xffff) == 0) {
            ASSERT_LE(tr.tracked_now(), 4096u);
        }
    }
    EXPECT_EQ(tr.tracked_now(), 4096u);
    const auto& c = tr.counters();
    EXPECT_EQ(c.observed, 1'000'000u);
    EXPECT_EQ(c.echo_requests, 1'000'000u);
    EXPECT_LE(c.tracked, 1'000'000u);  // 198.18/15 repeats, some v4 sources come back
    EXPECT_EQ(c.tracked - c.evicted, 4096u);
    // A new source into a full set gets an entry 1 time in 8; the rest are counted only.
    EXPECT_GT(c.evicted + c.unadmitted, 900'000u);
    EXPECT_GT(c.unadmitted, 7 * c.evicted * 9 / 10);
    EXPECT_LT(c.unadmitted, 7 * c.evicted * 11 / 10);
    // No source sent enough for anything; 1M requests in 1 s is a global flood (200000/s over
    // a full 2 s window: 400000 in the last 2 s), raised once within the hold.
    EXPECT_EQ(c.alerts[static_cast<std::size_t>(AlertKind::sweep)], 0u);
    EXPECT_EQ(c.alerts[static_cast<std::size_t>(AlertKind::flood)], 0u);
    EXPECT_EQ(c.alerts[static_cast<std::size_t>(AlertKind::global_flood)], 1u);
}

}  // namespace
