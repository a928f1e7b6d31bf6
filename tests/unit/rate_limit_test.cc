// ICMP output rate limits against an injected clock (nanoseconds passed in): the
// per-destination budget (Linux: a burst of 6, then one per second), its bounded table, the
// global budget (1000/s, burst 50) shared by lcores, Linux's randomised global cost, the type
// masks, and the order Linux checks them in.
#include "lib/icmp/rate_limit.hh"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "lib/icmp/icmp_error.hh"
#include "lib/wire/ipv4.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace wire = pw::wire;
using pw::test::ip4;
using pw::test::ip6;

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t sec = 1'000'000'000;
constexpr std::uint64_t t0 = 1'000 * sec;  // any epoch: the clock is whatever is passed in

constexpr std::uint8_t port_unreach4 = 3;
constexpr std::uint8_t port_unreach6 = 1;

// A distinct unicast address per i, in 198.18.0.0/15.
wire::Ipv4Addr dest4(std::uint32_t i) {
    return wire::Ipv4Addr::from_u32((198U << 24) | (18U << 16) | (i & 0x1ffffU));
}

RateLimitConfig deterministic() {
    RateLimitConfig c;
    c.deterministic = true;
    return c;
}

// The per-destination limit alone.
RateLimitConfig hosts_only() {
    return deterministic();
}

// The global limit alone (no per-destination budget).
RateLimitConfig global_only(bool det = true) {
    RateLimitConfig c;
    c.host_interval_ns = 0;
    c.host_interval_v6_ns = 0;
    c.deterministic = det;
    return c;
}

// The bucket the responder builds from a config (apps/responder/main.cc).
void configure_global(SharedBucket& g, const RateLimitConfig& c) {
    g.configure(sec / c.global_per_sec, c.global_burst);
}

int passes_v4(RateLimiter& rl, const wire::Ipv4Addr& dst, std::uint64_t now, int tries) {
    int n = 0;
    for (int i = 0; i < tries; ++i)
        n += rl.check_v4(port_unreach4, dst, now) == RateVerdict::pass ? 1 : 0;
    return n;
}

TEST(RateLimitConfig, LinuxDefaults) {
    const RateLimitConfig c;
    EXPECT_EQ(c.host_interval_ns, sec);  // icmp_ratelimit = 1000 ms
    EXPECT_EQ(c.host_burst, 6U);         // XRLIM_BURST_FACTOR
    EXPECT_EQ(c.global_per_sec, 1000U);  // icmp_msgs_per_sec
    EXPECT_EQ(c.global_burst, 50U);      // icmp_msgs_burst
    EXPECT_FALSE(c.deterministic);
    for (unsigned t = 0; t < 256; ++t) {
        // icmp_ratemask 0x1818; icmpv6 ratemask 0-1,3-127.
        EXPECT_EQ(c.mask_v4.test(t), t == 3 || t == 4 || t == 11 || t == 12) << t;
        EXPECT_EQ(c.mask_v6.test(t), t < 128 && t != 2) << t;
    }
}

// --- Per destination ------------------------------------------------------------------------

TEST(HostLimit, BurstOfSixThenOnePerInterval) {
    RateLimiter rl;
    rl.configure(hosts_only(), nullptr, 1);
    const auto peer = pw::test::peer4;
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0), RateVerdict::pass) << i;
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0), RateVerdict::limited_host);
    EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0 + sec - 1), RateVerdict::limited_host);
    // Exactly one per interval from then on.
    for (std::uint64_t k = 1; k <= 5; ++k) {
        SCOPED_TRACE(testing::Message() << "interval " << k);
        EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0 + k * sec), RateVerdict::pass);
        EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0 + k * sec), RateVerdict::limited_host);
        EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0 + k * sec + sec / 2),
                  RateVerdict::limited_host);
        EXPECT_EQ(rl.check_v4(port_unreach4, peer, t0 + (k + 1) * sec - 1),
                  RateVerdict::limited_host);
    }
}

TEST(HostLimit, SameForIpv6) {
    RateLimiter rl;
    rl.configure(hosts_only(), nullptr, 1);
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(rl.check_v6(port_unreach6, pw::test::peer6, t0), RateVerdict::pass);
    EXPECT_EQ(rl.check_v6(port_unreach6, pw::test::peer6, t0), RateVerdict::limited_host);
    EXPECT_EQ(rl.check_v6(port_unreach6, pw::test::peer6, t0 + sec - 1), RateVerdict::limited_host);
    EXPECT_EQ(rl.check_v6(port_unreach6, pw::test::peer6, t0 + sec), RateVerdict::pass);
    EXPECT_EQ(rl.check_v6(port_unreach6, pw::test::peer6, t0 + sec), RateVerdict::limited_host);
}

TEST(HostLimit, RefillAfterIdleNeverBeyondTheBurst) {
    RateLimiter rl;
    rl.configure(hosts_only(), nullptr, 1);
    const auto peer = pw::test::peer4;
    EXPECT_EQ(passes_v4(rl, peer, t0, 100), 6);
    // Three seconds idle: three messages' worth.
    EXPECT_EQ(passes_v4(rl, peer, t0 + 3 * sec, 100), 3);
    // Long idle: a full burst, and no more.
    EXPECT_EQ(passes_v4(rl, peer, t0 + 100 * sec, 100), 6);
    EXPECT_EQ(passes_v4(rl, peer, t0 + 10'000 * sec, 100), 6);
    // From clock zero too.
    RateLimiter z;
    z.configure(hosts_only(), nullptr, 1);
    EXPECT_EQ(passes_v4(z, peer, 0, 100), 6);
    EXPECT_EQ(passes_v4(z, peer, sec, 100), 1);
}

TEST(HostLimit, SustainedRateOverALongWindow) {
    // A message every `step` from t0 to t0 + window, faster than the limit: burst + elapsed /
    // interval pass, exactly; and no stretch of the passes beats burst + its length / interval.
    const std::uint64_t window = 120 * sec;
    for (const std::uint64_t step : {10 * ms, 7 * ms, 1 * ms, 333 * ms}) {
        SCOPED_TRACE(testing::Message() << "a message every " << step / ms << " ms");
        RateLimiter rl;
        rl.configure(hosts_only(), nullptr, 1);
        std::vector<std::uint64_t> passed;
        std::uint64_t last = t0;
        for (std::uint64_t t = t0; t <= t0 + window; t += step) {
            last = t;
            if (rl.check_v4(port_unreach4, pw::test::peer4, t) == RateVerdict::pass)
                passed.push_back(t);
        }
        EXPECT_EQ(passed.size(), 6 + (last - t0) / sec);
        for (std::size_t i = 0; i < passed.size(); ++i)
            for (std::size_t j = i; j < passed.size(); ++j)
                ASSERT_LE(j - i + 1, 6 + (passed[j] - passed[i]) / sec) << i << ".." << j;
    }
    // At about the rate, the burst absorbs the difference: every message passes (999 ms: a
    // debt of 1 ms a message, 120 ms in all, well within the 5 s tolerance).
    for (const std::uint64_t step : {999 * ms, 1000 * ms, 1001 * ms, 5 * sec}) {
        RateLimiter rl;
        rl.configure(hosts_only(), nullptr, 1);
        std::uint64_t sent = 0, passed = 0;
        for (std::uint64_t t = t0; t <= t0 + window; t += step, ++sent)
            passed += rl.check_v4(port_unreach4, pw::test::peer4, t) == RateVerdict::pass;
        EXPECT_EQ(passed, sent) << step / ms << " ms";
    }
    // The window of the brief: a message every 10 ms for 60 s: 6 + 60.
    RateLimiter rl;
    rl.configure(hosts_only(), nullptr, 1);
    int n = 0;
    for (std::uint64_t t = t0; t <= t0 + 60 * sec; t += 10 * ms)
        n += rl.check_v4(port_unreach4, pw::test::peer4, t) == RateVerdict::pass ? 1 : 0;
    EXPECT_EQ(n, 6 + 60);
}

TEST(HostLimit, DestinationsAreIndependent) {
    RateLimiter rl;
    rl.configure(hosts_only(), nullptr, 1);
    EXPECT_EQ(passes_v4(rl, pw::test::peer4, t0, 50), 6);
    // Every other destination still has its whole burst.
    for (std::uint32_t i = 100; i < 300; ++i) EXPECT_EQ(passes_v4(rl, dest4(i), t0, 10), 6) << i;
    for (std::uint32_t i = 0; i < 50; ++i) {
        wire::Ipv6Addr a = pw::test::peer6;
        a.bytes[15] = static_cast<std::uint8_t>(0x10 + i);
        int n = 0;
        for (int k = 0; k < 10; ++k)
            n += rl.check_v6(port_unreach6, a, t0) == RateVerdict::pass ? 1 : 0;
        EXPECT_EQ(n, 6) << i;
    }
    // And the first is still spent.
    EXPECT_EQ(rl.check_v4(port_unreach4, pw::test::peer4, t0), RateVerdict::limited_host);
}

TEST(HostLimit, TableEvictsTheLeastRecentlyUsed) {
    // One set of four ways: the fifth destination takes the place of the one used longest ago,
    // and an evicted destination comes back with a full burst.
    HostBuckets hb;
    hb.configure(sec, 6, 1);
    ASSERT_EQ(hb.capacity(), 4U);
    const auto A = ip4("198.18.1.1"), B = ip4("198.18.1.2"), C = ip4("198.18.1.3"),
               D = ip4("198.18.1.4"), E = ip4("198.18.1.5");
    auto burst = [&](const wire::Ipv4Addr& a, std::uint64_t now) {
        int n = 0;
        for (int i = 0; i < 10; ++i) n += hb.take(a, now) ? 1 : 0;
        return n;
    };
    EXPECT_EQ(burst(A, t0 + 1 * ms), 6);
    EXPECT_EQ(burst(B, t0 + 2 * ms), 6);
    EXPECT_EQ(burst(C, t0 + 3 * ms), 6);
    EXPECT_EQ(burst(D, t0 + 4 * ms), 6);
    EXPECT_EQ(hb.evictions(), 0U);          // four fit
    EXPECT_FALSE(hb.take(A, t0 + 5 * ms));  // A is kept, spent, and now the most recent
    EXPECT_EQ(burst(E, t0 + 6 * ms), 6);    // evicts B
    EXPECT_EQ(hb.evictions(), 1U);
    EXPECT_EQ(burst(B, t0 + 7 * ms), 6);  // B starts again with a full burst; evicts C
    EXPECT_EQ(hb.evictions(), 2U);
    EXPECT_FALSE(hb.take(A, t0 + 8 * ms));  // A and D were kept: still spent
    EXPECT_FALSE(hb.take(D, t0 + 9 * ms));
    EXPECT_EQ(hb.evictions(), 2U);
    EXPECT_EQ(burst(C, t0 + 10 * ms), 6);  // evicts E (least recent of A 8, E 6, B 7, D 9)
    EXPECT_EQ(hb.evictions(), 3U);
    EXPECT_EQ(burst(E, t0 + 11 * ms), 6);  // evicts B
    EXPECT_EQ(hb.evictions(), 4U);
    EXPECT_FALSE(hb.take(A, t0 + 12 * ms));
    EXPECT_EQ(hb.evictions(), 4U);
    // IPv6 destinations share the table.
    EXPECT_TRUE(hb.take(pw::test::peer6, t0 + 13 * ms));
    EXPECT_EQ(hb.evictions(), 5U);
}

TEST(HostLimit, TableSizeAndDisabling) {
    HostBuckets hb;
    hb.configure(sec, 6, 16);
    EXPECT_EQ(hb.capacity(), 16U * HostBuckets::ways);
    hb.configure(sec, 6, 3);  // not a power of two: the default
    EXPECT_EQ(hb.capacity(), HostBuckets::default_sets * HostBuckets::ways);
    // Interval 0 or burst 0: no per-destination limit.
    for (const auto& [interval, burst] : {std::pair{std::uint64_t{0}, 6U}, std::pair{sec, 0U}}) {
        hb.configure(interval, burst, 1);
        for (int i = 0; i < 100; ++i) EXPECT_TRUE(hb.take(pw::test::peer4, t0));
    }
}

// --- Global ------------------------------------------------------------------------------------

TEST(GlobalLimit, ExactInDeterministicMode) {
    const RateLimitConfig cfg = global_only();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    // 50 at one instant, then nothing.
    int n = 0;
    for (std::uint32_t i = 0; i < 200; ++i) {
        const RateVerdict v = rl.check_v4(port_unreach4, dest4(i), t0);
        if (v == RateVerdict::pass)
            ++n;
        else
            EXPECT_EQ(v, RateVerdict::limited_global);
    }
    EXPECT_EQ(n, 50);
    // One per millisecond after that.
    EXPECT_EQ(rl.check_v4(port_unreach4, dest4(1), t0 + ms - 1), RateVerdict::limited_global);
    EXPECT_EQ(rl.check_v4(port_unreach4, dest4(1), t0 + ms), RateVerdict::pass);
    EXPECT_EQ(rl.check_v4(port_unreach4, dest4(1), t0 + ms), RateVerdict::limited_global);
    // 50 ms idle: 50 again, never more.
    int m = 0;
    for (std::uint32_t i = 0; i < 200; ++i)
        m += rl.check_v6(port_unreach6, pw::test::peer6, t0 + sec) == RateVerdict::pass;
    EXPECT_EQ(m, 50);
}

TEST(GlobalLimit, SustainedRateIsExact) {
    const RateLimitConfig cfg = global_only();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    // Ten messages every millisecond for ten seconds: 50 + 10000.
    std::uint64_t n = 0;
    for (std::uint64_t t = t0; t <= t0 + 10 * sec; t += 100'000)
        n += rl.check_v4(port_unreach4, dest4(static_cast<std::uint32_t>(t / 100'000)), t) ==
             RateVerdict::pass;
    EXPECT_EQ(n, 50U + 10'000U);
}

TEST(GlobalLimit, PeekChangesNothing) {
    SharedBucket g;
    g.configure(ms, 2);
    EXPECT_TRUE(g.enabled());
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(g.peek(t0));
    EXPECT_TRUE(g.take(t0, 1));
    EXPECT_TRUE(g.take(t0, 1));
    EXPECT_FALSE(g.peek(t0));
    EXPECT_FALSE(g.take(t0, 1));
    EXPECT_TRUE(g.peek(t0 + ms));
    // Burst 0: no global limit.
    SharedBucket off;
    off.configure(ms, 0);
    EXPECT_FALSE(off.enabled());
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.take(t0, 2));
}

// Two lcores: two RateLimiters, each on its own thread, both spending the one SharedBucket.
struct TwoThreads {
    std::uint64_t passed[2] = {0, 0};
    std::uint64_t last_now = 0;
};

template <class Clock>
TwoThreads hammer(SharedBucket& global, const RateLimitConfig& cfg, int per_thread, Clock clock) {
    RateLimiter rl[2];
    rl[0].configure(cfg, &global, 11);
    rl[1].configure(cfg, &global, 22);
    std::atomic<int> ready{0};
    TwoThreads r;
    auto run = [&](int k) {
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
        std::uint64_t n = 0;
        for (int i = 0; i < per_thread; ++i) {
            const auto dst = dest4(static_cast<std::uint32_t>(k * per_thread + i));
            n += rl[k].check_v4(port_unreach4, dst, clock(i)) == RateVerdict::pass ? 1 : 0;
        }
        r.passed[k] = n;
    };
    std::thread a(run, 0), b(run, 1);
    a.join();
    b.join();
    r.last_now = clock(per_thread - 1);
    return r;
}

TEST(GlobalLimit, SharedByTwoThreadsAtOneInstant) {
    // At a fixed time exactly the burst passes, however the two interleave.
    const RateLimitConfig cfg = global_only();
    for (int round = 0; round < 50; ++round) {
        SharedBucket global;
        configure_global(global, cfg);
        const TwoThreads r = hammer(global, cfg, 20'000, [](int) { return t0; });
        ASSERT_EQ(r.passed[0] + r.passed[1], 50U)
            << "round " << round << ": " << r.passed[0] << " + " << r.passed[1];
    }
}

TEST(GlobalLimit, SharedByTwoThreadsNeverBeyondTheBudget) {
    // Time moving (each thread on its own reading of the clock, 1 us a message): together
    // they never pass more than burst + elapsed * rate.
    const RateLimitConfig cfg = global_only();
    for (int round = 0; round < 10; ++round) {
        SharedBucket global;
        configure_global(global, cfg);
        const TwoThreads r =
            hammer(global, cfg, 200'000, [](int i) { return t0 + std::uint64_t(i) * 1'000; });
        const std::uint64_t total = r.passed[0] + r.passed[1];
        EXPECT_LE(total, 50 + (r.last_now - t0) / ms) << "round " << round;
        EXPECT_GE(total, 50U + (r.last_now - t0) / ms / 2) << "round " << round;
    }
}

TEST(GlobalLimit, RandomisedCostMeansOne) {
    // Linux spends 0, 1 or 2 credits at random: over many messages as many pass as with a
    // cost of exactly 1, within a tolerance.
    auto run = [](bool det, std::uint64_t seed) {
        const RateLimitConfig cfg = global_only(det);
        SharedBucket global;
        configure_global(global, cfg);
        RateLimiter rl;
        rl.configure(cfg, &global, seed);
        std::uint64_t n = 0;
        for (std::uint64_t t = t0; t <= t0 + 10 * sec; t += 100'000)
            n += rl.check_v4(port_unreach4, dest4(static_cast<std::uint32_t>(t / 100'000)), t) ==
                 RateVerdict::pass;
        return static_cast<double>(n);
    };
    const double exact = run(true, 1);
    EXPECT_EQ(exact, 10'050.0);
    double sum = 0;
    bool differs = false;
    constexpr int seeds = 8;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        const double n = run(false, seed * 0x9e3779b97f4a7c15ULL);
        EXPECT_NEAR(n, exact, exact * 0.03) << "seed " << seed;
        differs |= n != exact;
        sum += n;
    }
    EXPECT_NEAR(sum / seeds, exact, exact * 0.01);
    EXPECT_TRUE(differs) << "randomised mode spends exactly one credit every time";
}

// --- Type masks ----------------------------------------------------------------------------------

TEST(TypeMask, DefaultsLimitErrorsOnly) {
    RateLimitConfig cfg = deterministic();
    cfg.host_burst = 1;
    RateLimiter rl;
    rl.configure(cfg, nullptr, 1);
    const auto peer4 = pw::test::peer4;
    const auto peer6 = pw::test::peer6;
    // Spend the one message each family's destination has.
    ASSERT_EQ(rl.check_v4(3, peer4, t0), RateVerdict::pass);
    ASSERT_EQ(rl.check_v6(1, peer6, t0), RateVerdict::pass);
    for (unsigned t = 0; t < 256; ++t) {
        const auto type = static_cast<std::uint8_t>(t);
        const bool limited4 = t == 3 || t == 4 || t == 11 || t == 12;
        EXPECT_EQ(rl.check_v4(type, peer4, t0),
                  limited4 ? RateVerdict::limited_host : RateVerdict::exempt)
            << t;
        // IPv6: every error but Packet Too Big.
        const bool limited6 = t < 128 && t != 2;
        EXPECT_EQ(rl.check_v6(type, peer6, t0),
                  limited6 ? RateVerdict::limited_host : RateVerdict::exempt)
            << t;
    }
}

TEST(TypeMask, ExemptSpendsNothing) {
    const RateLimitConfig cfg = deterministic();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    // Echo replies, PTB, redirects by the thousand: neither budget moves.
    for (int i = 0; i < 5000; ++i) {
        ASSERT_EQ(rl.check_v4(0, pw::test::peer4, t0), RateVerdict::exempt);
        ASSERT_EQ(rl.check_v6(2, pw::test::peer6, t0), RateVerdict::exempt);
        ASSERT_EQ(rl.check_v6(129, pw::test::peer6, t0), RateVerdict::exempt);
    }
    EXPECT_EQ(passes_v4(rl, pw::test::peer4, t0, 100), 6);
}

TEST(TypeMask, Configurable) {
    RateLimitConfig cfg = deterministic();
    cfg.mask_v4.reset();
    cfg.mask_v4.set(0);  // icmp_ratemask bit 0: echo replies limited
    cfg.mask_v6.reset();
    cfg.mask_v6.set(129);
    RateLimiter rl;
    rl.configure(cfg, nullptr, 1);
    int n4 = 0, n6 = 0;
    for (int i = 0; i < 20; ++i) {
        n4 += rl.check_v4(0, pw::test::peer4, t0) == RateVerdict::pass;
        n6 += rl.check_v6(129, pw::test::peer6, t0) == RateVerdict::pass;
        EXPECT_EQ(rl.check_v4(3, pw::test::peer4, t0), RateVerdict::exempt);
        EXPECT_EQ(rl.check_v6(1, pw::test::peer6, t0), RateVerdict::exempt);
    }
    EXPECT_EQ(n4, 6);
    EXPECT_EQ(n6, 6);
}

// --- Linux's order ---------------------------------------------------------------------------

TEST(LinuxOrder, HostLimitedMessagesSpendNoGlobalCredit) {
    // Global looked at, then the destination's budget spent, then the global one.
    const RateLimitConfig cfg = deterministic();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    EXPECT_EQ(passes_v4(rl, pw::test::peer4, t0, 6), 6);  // 44 global credits left
    for (int i = 0; i < 1000; ++i)
        ASSERT_EQ(rl.check_v4(3, pw::test::peer4, t0), RateVerdict::limited_host);
    int n = 0;
    for (std::uint32_t i = 1000; i < 1100; ++i) {
        const RateVerdict v = rl.check_v4(3, dest4(i), t0);
        if (v == RateVerdict::pass)
            ++n;
        else
            EXPECT_EQ(v, RateVerdict::limited_global);
    }
    EXPECT_EQ(n, 44);
}

TEST(LinuxOrder, GloballyLimitedMessagesSpendNoHostCredit) {
    const RateLimitConfig cfg = deterministic();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    for (std::uint32_t i = 0; i < 50; ++i)
        ASSERT_EQ(rl.check_v4(3, dest4(i), t0), RateVerdict::pass);
    const auto late = ip4("198.18.200.1");
    for (int i = 0; i < 100; ++i) ASSERT_EQ(rl.check_v4(3, late, t0), RateVerdict::limited_global);
    // 50 ms later the global budget is whole again, and `late` still has its burst of 6.
    EXPECT_EQ(passes_v4(rl, late, t0 + 50 * ms, 100), 6);
}

// --- Through the error builder ----------------------------------------------------------------

// An IPv4 UDP datagram from the peer to us, and the interface it came in on.
struct Through {
    Iface iface;
    ErrorConfig ecfg{};
    std::vector<std::byte> pkt4 = std::vector<std::byte>(28);
    std::vector<std::byte> pkt6 = std::vector<std::byte>(48);
    Through() {
        iface.mac = pw::test::us_mac;
        EXPECT_TRUE(iface.add_v4({pw::test::us4, 24}));
        EXPECT_TRUE(iface.add_v6({pw::test::us6, 64}));
        wire::ipv4::Repr{
            pw::test::peer4, pw::test::us4, wire::ipv4::proto_udp, 64, 0, 1, wire::ipv4::flag_df, 8}
            .emit(pkt4);
        wire::ipv6::Repr{pw::test::peer6, pw::test::us6, wire::ipv6::nh_udp, 64, 0, 0, 8}.emit(
            pkt6);
    }
    ErrorOutcome v4(RateLimiter& rl, const ErrorSpec& s, std::uint64_t now) const {
        const Invoking in{pw::test::peer_mac, pw::test::us_mac, pkt4, pkt4.size()};
        return plan_error_v4(in, s, {&iface, &ecfg, &rl, now, 0}).outcome;
    }
    ErrorOutcome v6(RateLimiter& rl, const ErrorSpec& s, std::uint64_t now) const {
        const Invoking in{pw::test::peer_mac, pw::test::us_mac, pkt6, pkt6.size()};
        return plan_error_v6(in, s, {&iface, &ecfg, &rl, now, 0}).outcome;
    }
};

TEST(ThroughThePlan, OutcomesNameTheLimit) {
    const Through th;
    const RateLimitConfig cfg = deterministic();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    // The global budget spent on other destinations: the peer's errors are limited globally.
    for (std::uint32_t i = 0; i < 50; ++i)
        ASSERT_EQ(rl.check_v4(3, dest4(1000 + i), t0), RateVerdict::pass);
    EXPECT_EQ(th.v4(rl, {3, 3, 0}, t0), ErrorOutcome::rate_limited_global);
    EXPECT_EQ(th.v6(rl, {1, 4, 0}, t0), ErrorOutcome::rate_limited_global);
    // 20 ms later there are 20 global credits: the peer's own budget of 6 per family decides.
    const std::uint64_t t = t0 + 20 * ms;
    for (int i = 0; i < 6; ++i) EXPECT_EQ(th.v4(rl, {3, 3, 0}, t), ErrorOutcome::sent);
    EXPECT_EQ(th.v4(rl, {11, 0, 0}, t), ErrorOutcome::rate_limited_host);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(th.v6(rl, {1, 4, 0}, t), ErrorOutcome::sent);
    EXPECT_EQ(th.v6(rl, {3, 0, 0}, t), ErrorOutcome::rate_limited_host);
}

TEST(ThroughThePlan, PathMtuDiscoveryIsNeverLimited) {
    // Fragmentation Needed (3/4) and Packet Too Big are exempt by default, as in Linux
    // (icmpv4_mask_allow: "Don't limit PMTU discovery"; PTB is not in the IPv6 mask).
    const Through th;
    const RateLimitConfig cfg = deterministic();
    SharedBucket global;
    configure_global(global, cfg);
    RateLimiter rl;
    rl.configure(cfg, &global, 1);
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(th.v4(rl, {3, 4, 1400}, t0), ErrorOutcome::sent) << i;
        ASSERT_EQ(th.v6(rl, {2, 0, 1400}, t0), ErrorOutcome::sent) << i;
    }
    // And they spent nothing: the destination's burst and the global budget are whole.
    for (int i = 0; i < 6; ++i) EXPECT_EQ(th.v4(rl, {3, 3, 0}, t0), ErrorOutcome::sent);
    EXPECT_EQ(th.v4(rl, {3, 3, 0}, t0), ErrorOutcome::rate_limited_host);
    int n = 0;
    for (std::uint32_t i = 0; i < 100; ++i)
        n += rl.check_v4(3, dest4(2000 + i), t0) == RateVerdict::pass;
    EXPECT_EQ(n, 50 - 6);
}

}  // namespace
