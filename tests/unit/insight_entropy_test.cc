// lib/insight's payload analysis: byte entropy on known payloads, the "changed" rule (a ping's
// timestamp is not a change, new data is), and the tunnel score of payload streams: the pings
// of Linux (56 bytes and -s 1400), Windows (32 bytes) and fping score low; random payloads
// high, more so when their sizes vary.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

#include "lib/insight/entropy.hh"
#include "lib/insight/payload_shape.hh"
#include "lib/insight/tunnel_score.hh"

namespace {

using namespace pw::insight;
using Payload = std::vector<std::byte>;

pw::wire::ConstBytes view(const Payload& p) {
    return {p.data(), p.size()};
}

// Linux ping's payload of `size` bytes sent at t_ns: a struct timeval (16 bytes, little
// endian) when it fits, then byte i = i (iputils ping fills the pattern so, then stamps it).
Payload linux_ping(std::size_t size, std::uint64_t t_ns) {
    Payload p(size);
    for (std::size_t i = 0; i < size; ++i) p[i] = std::byte{static_cast<std::uint8_t>(i)};
    if (size >= 16) {
        const std::uint64_t sec = 1'764'633'600 + t_ns / 1'000'000'000;
        const std::uint64_t usec = (t_ns / 1000) % 1'000'000;
        std::memcpy(p.data(), &sec, 8);
        std::memcpy(p.data() + 8, &usec, 8);
    }
    return p;
}

// Windows ping: 32 bytes of the alphabet, a to w then a to i.
Payload windows_ping() {
    const std::string_view s = "abcdefghijklmnopqrstuvwabcdefghi";
    Payload p(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = std::byte{static_cast<std::uint8_t>(s[i])};
    return p;
}

// fping: 56 bytes of zeros (its default, without -R).
Payload fping() {
    return Payload(56, std::byte{0});
}

Payload random_payload(std::mt19937_64& rng, std::size_t size) {
    Payload p(size);
    for (auto& b : p) b = std::byte{static_cast<std::uint8_t>(rng())};
    return p;
}

// What the tracker does with a stream of inspected payloads in one window.
PayloadSummary inspect_all(const std::vector<Payload>& stream) {
    PayloadShape last;
    PayloadStats stats;
    for (const Payload& p : stream) {
        const PayloadShape s = PayloadShape::of(view(p));
        stats.add(p.size(), payload_changed(last, s), byte_entropy(view(p)));
        stats.request_bytes += p.size();
        last = s;
    }
    return summarize(stats, PayloadStats{}, false);
}

TEST(InsightEntropy, KnownPayloads) {
    EXPECT_EQ(byte_entropy(view(Payload(512, std::byte{0}))), 0.0);
    EXPECT_EQ(byte_entropy(view(Payload{})), 0.0);
    Payload all(256);
    for (std::size_t i = 0; i < 256; ++i) all[i] = std::byte{static_cast<std::uint8_t>(i)};
    EXPECT_NEAR(byte_entropy(view(all)), 8.0, 1e-5);
    Payload two(100);
    for (std::size_t i = 0; i < 100; ++i)
        two[i] = std::byte{static_cast<std::uint8_t>(i % 2 ? 0x41 : 0x42)};
    EXPECT_NEAR(byte_entropy(view(two)), 1.0, 1e-5);
    // Windows: 9 letters twice and 14 once in 32 bytes: 9/16 * 4 + 14/32 * 5 = 4.4375.
    EXPECT_NEAR(byte_entropy(view(windows_ping())), 4.4375, 1e-4);
    // Linux ping: 40 distinct pattern bytes and the timestamp: close to log2(56) = 5.81.
    const double linux56 = byte_entropy(view(linux_ping(56, 123'456'789)));
    EXPECT_GT(linux56, 5.0);
    EXPECT_LT(linux56, 5.81);
    // Random: 512 bytes counted at most (7.6 or so for 512 random bytes), never above 8.
    std::mt19937_64 rng(7);
    const double r = byte_entropy(view(random_payload(rng, 1400)));
    EXPECT_GT(r, 7.4);
    EXPECT_LE(r, 8.0);
    // Only the first 512 bytes count: zeros after them change nothing.
    Payload head = random_payload(rng, 512);
    Payload longer = head;
    longer.resize(1400, std::byte{0});
    EXPECT_EQ(byte_entropy(view(longer)), byte_entropy(view(head)));
    EXPECT_EQ(max_entropy(1000), 8.0);
    EXPECT_NEAR(max_entropy(32), 5.0, 1e-6);
}

TEST(InsightEntropy, RandomPayloadsOfAnySizeAreHighEntropy) {
    // The "looks random" rule (>= 0.93 of random data's expected entropy) holds for random
    // data of every size inspected, 8 bytes to 1400: 97% of the time from 16 bytes on.
    std::mt19937_64 rng(3);
    for (std::size_t n :
         {8u, 12u, 16u, 24u, 32u, 48u, 64u, 100u, 128u, 200u, 256u, 300u, 512u, 1400u}) {
        int high = 0;
        double sum = 0;
        for (int k = 0; k < 1000; ++k) {
            const Payload p = random_payload(rng, n);
            const double h = byte_entropy(view(p));
            sum += h;
            high += looks_random(h, n);
        }
        EXPECT_GE(high, n < 16 ? 850 : 970) << n << " bytes";
        // The expected value is right: the mean of 1000 within 1%.
        EXPECT_NEAR(sum / 1000, random_entropy(n), 0.01 * random_entropy(n)) << n;
    }
    EXPECT_NEAR(random_entropy(256), 7.18, 0.01);
    EXPECT_NEAR(random_entropy(32), 4.88, 0.01);
    EXPECT_EQ(random_entropy(1400), random_entropy(512));
    // Windows' alphabet and fping's zeros do not look random; Linux ping -s 1400 does (its
    // pattern covers every byte value evenly).
    EXPECT_FALSE(looks_random(byte_entropy(view(windows_ping())), 32));
    EXPECT_FALSE(looks_random(byte_entropy(view(fping())), 56));
    EXPECT_TRUE(looks_random(byte_entropy(view(linux_ping(1400, 0))), 1400));
}

TEST(InsightPayloadShape, PingTimestampsAreNotChanges) {
    // Linux ping at 1/s and flooding (-f, 10 us apart), 56 bytes and every size from 16 to
    // 1400 (the timestamp touches at most 3 of 8 chunks).
    for (std::size_t size = 8; size <= 1400; size += size < 64 ? 1 : 37) {
        PayloadShape last = PayloadShape::of(view(linux_ping(size, 0)));
        for (std::uint64_t t = 1; t < 300; ++t) {
            for (const std::uint64_t step : {1'000'000'000ULL, 10'000ULL}) {
                const PayloadShape s = PayloadShape::of(view(linux_ping(size, t * step)));
                ASSERT_FALSE(payload_changed(last, s)) << size << " bytes at " << t * step;
                last = s;
            }
        }
    }
    const PayloadShape w = PayloadShape::of(view(windows_ping()));
    EXPECT_FALSE(payload_changed(w, PayloadShape::of(view(windows_ping()))));
    EXPECT_FALSE(payload_changed(PayloadShape{}, w));  // nothing before: not a change
}

TEST(InsightPayloadShape, NewDataOrAnotherSizeIsAChange) {
    Payload p(64, std::byte{0x33});
    const PayloadShape base = PayloadShape::of(view(p));
    // Another size.
    Payload q(65, std::byte{0x33});
    EXPECT_TRUE(payload_changed(base, PayloadShape::of(view(q))));
    // Bytes changed in 4 of the 8 chunks (8 bytes each): not more than half.
    Payload r = p;
    for (std::size_t c : {0u, 2u, 4u, 6u}) r[c * 8 + 3] = std::byte{0x34};
    EXPECT_FALSE(payload_changed(base, PayloadShape::of(view(r))));
    // In 5: a change.
    r[7 * 8 + 1] = std::byte{0x35};
    EXPECT_TRUE(payload_changed(base, PayloadShape::of(view(r))));
    // Random payloads of one size change every time.
    std::mt19937_64 rng(5);
    PayloadShape last = PayloadShape::of(view(random_payload(rng, 100)));
    for (int i = 0; i < 1000; ++i) {
        const PayloadShape s = PayloadShape::of(view(random_payload(rng, 100)));
        ASSERT_TRUE(payload_changed(last, s)) << i;
        last = s;
    }
}

TEST(InsightPayloadStats, SizesAreBoundedAndSummed) {
    PayloadStats a, b;
    for (std::uint32_t n = 10; n < 40; ++n) a.add(n, false, 1.0);  // 30 sizes: 16 kept
    EXPECT_EQ(a.nsizes, max_sizes);
    EXPECT_EQ(a.inspected, 30u);
    b.add(10, true, 3.0);
    b.add(99, true, 3.0);
    PayloadSummary s = summarize(b, PayloadStats{}, false);
    EXPECT_EQ(s.sizes, 2u);
    EXPECT_EQ(s.changed, 2u);
    EXPECT_EQ(s.entropy_centibits, 300u);
    PayloadStats c;
    c.add(99, false, 1.0);
    c.add(7, false, 1.0);
    s = summarize(b, c, true);  // 10, 99 and 7
    EXPECT_EQ(s.sizes, 3u);
    EXPECT_EQ(s.inspected, 4u);
    EXPECT_EQ(s.entropy_centibits, 200u);
    EXPECT_EQ(summarize(b, c, false).inspected, 2u);
}

// The score of streams of 64 payloads, as the tracker inspects them.
TEST(InsightTunnelScore, OrdinaryPingsScoreLow) {
    std::vector<Payload> linux56, linux1400, flood, windows, fp;
    for (std::uint64_t i = 0; i < 64; ++i) {
        linux56.push_back(linux_ping(56, i * 1'000'000'000));
        linux1400.push_back(linux_ping(1400, i * 1'000'000'000));
        flood.push_back(linux_ping(56, i * 37'000));
        windows.push_back(windows_ping());
        fp.push_back(fping());
    }
    // Linux's 0x10, 0x11, ... pattern is high entropy (20 points); nothing else scores.
    EXPECT_LE(tunnel_score(inspect_all(linux56)), 20);
    EXPECT_LE(tunnel_score(inspect_all(linux1400)), 20);
    EXPECT_LE(tunnel_score(inspect_all(flood)), 20);
    EXPECT_EQ(tunnel_score(inspect_all(windows)), 0);
    EXPECT_EQ(tunnel_score(inspect_all(fp)), 0);
    EXPECT_EQ(inspect_all(linux56).changed, 0u);
    EXPECT_EQ(inspect_all(linux56).sizes, 1u);
    // A ping in router mode: the replies mirror the requests, no asymmetry.
    PayloadSummary s = inspect_all(linux56);
    s.reply_bytes = s.request_bytes;
    EXPECT_LE(tunnel_score(s), 20);
}

TEST(InsightTunnelScore, RandomPayloadsScoreHigh) {
    std::mt19937_64 rng(11);
    std::vector<Payload> varying, constant;
    for (int i = 0; i < 64; ++i) {
        varying.push_back(random_payload(rng, 64 + rng() % 1200));
        constant.push_back(random_payload(rng, 512));
    }
    const PayloadSummary v = inspect_all(varying);
    EXPECT_EQ(v.changed, 63u);
    EXPECT_EQ(v.sizes, max_sizes);
    EXPECT_GE(v.entropy_centibits, 700u);
    EXPECT_GE(tunnel_score(v), 70);
    EXPECT_GE(tunnel_score(inspect_all(constant)), 50);
    // Only 16 of them (tunnel_min_requests): still above 50.
    EXPECT_GE(tunnel_score(inspect_all({constant.begin(), constant.begin() + 16})), 50);
    // With replies a tenth the size (router mode, a tunnel server answering): more.
    PayloadSummary a = inspect_all(varying);
    a.reply_bytes = a.request_bytes / 10;
    EXPECT_GE(tunnel_score(a), 95);
}

TEST(InsightTunnelScore, Formula) {
    PayloadSummary s;
    EXPECT_EQ(tunnel_score(s), 0);  // nothing inspected
    s.inspected = 10;
    s.sizes = 1;
    EXPECT_EQ(tunnel_score(s), 0);
    s.changed = 5;  // 40 * 0.5
    EXPECT_EQ(tunnel_score(s), 20);
    s.sizes = 3;  // + 20 * 2/4
    EXPECT_EQ(tunnel_score(s), 30);
    s.sizes = 16;  // + 20
    EXPECT_EQ(tunnel_score(s), 40);
    s.high_entropy = 10;  // + 20
    EXPECT_EQ(tunnel_score(s), 60);
    s.request_bytes = 1000;  // replies unseen: no asymmetry term
    EXPECT_EQ(tunnel_score(s), 60);
    s.reply_bytes = 500;  // + 20 * 0.5
    EXPECT_EQ(tunnel_score(s), 70);
    s.changed = 10;
    s.reply_bytes = 1;
    EXPECT_EQ(tunnel_score(s), 100);
}

}  // namespace
