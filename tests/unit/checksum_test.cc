// RFC 1071 sums, RFC 1624 incremental updates and the pseudo-header sums of RFC 768 and
// RFC 8200 8.1, against scapy's checksums and against full recomputation.
#include "lib/wire/checksum.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using pw::test::cbytes;
using namespace pw::wire;
namespace golden = pw::golden;

// The textbook RFC 1071 sum, a word at a time, as the reference for the fast one.
std::uint16_t reference_sum(ConstBytes d, std::uint32_t initial = 0) {
    std::uint64_t s = initial;
    for (std::size_t i = 0; i + 1 < d.size(); i += 2)
        s += (std::to_integer<std::uint32_t>(d[i]) << 8) | std::to_integer<std::uint32_t>(d[i + 1]);
    if (d.size() % 2 != 0) s += std::to_integer<std::uint32_t>(d.back()) << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

bool all_zero(ConstBytes d) {
    return std::all_of(d.begin(), d.end(), [](std::byte b) { return b == std::byte{0}; });
}

TEST(Checksum, MatchesScapyForEverySize) {
    ASSERT_GE(std::size(golden::checksum_cases), 70U);
    for (const auto& c : golden::checksum_cases) {
        SCOPED_TRACE(testing::Message() << "length " << c.data.size());
        EXPECT_EQ(checksum(cbytes(c.data)), c.checksum);
        EXPECT_EQ(static_cast<std::uint16_t>(~ones_sum(cbytes(c.data))), c.checksum);
        EXPECT_EQ(ones_sum(cbytes(c.data)), reference_sum(cbytes(c.data)));
    }
}

TEST(Checksum, SpecialPatterns) {
    EXPECT_EQ(checksum(cbytes(golden::csum_zeros)), 0xffff);
    EXPECT_EQ(ones_sum(cbytes(golden::csum_zeros)), 0x0000);
    EXPECT_EQ(checksum(cbytes(golden::csum_ones)), golden::csum_ones_checksum);
    EXPECT_EQ(checksum(cbytes(golden::csum_sums_to_ffff)), 0x0000);
    EXPECT_EQ(checksum(cbytes(golden::csum_sums_to_ffff)), golden::csum_sums_to_ffff_checksum);
    // RFC 1071 3: the example's sum is ddf2.
    EXPECT_EQ(ones_sum(cbytes(golden::csum_rfc1071_example)), 0xddf2);
    EXPECT_EQ(checksum(cbytes(golden::csum_rfc1071_example)),
              golden::csum_rfc1071_example_checksum);
    EXPECT_EQ(checksum(cbytes(golden::csum_carries)), golden::csum_carries_checksum);
    EXPECT_EQ(checksum(ConstBytes{}), 0xffff);
}

TEST(Checksum, UnalignedStartsAndSplitSums) {
    // The same bytes give the same sum wherever they sit in memory, and a sum can be carried
    // across an even split through the initial value.
    const auto& big = golden::csum_data_9001;
    const ConstBytes all = cbytes(big);
    for (std::size_t off = 0; off < 64; ++off) {
        for (std::size_t len : {0U, 1U, 2U, 3U, 15U, 16U, 17U, 31U, 64U, 65U, 1500U, 8000U}) {
            const auto part = all.subspan(off, len);
            ASSERT_EQ(ones_sum(part), reference_sum(part)) << off << " " << len;
        }
    }
    for (std::size_t split = 0; split <= 1500; split += 2) {
        const auto a = all.first(1501);
        ASSERT_EQ(ones_sum(a.subspan(split), ones_sum(a.first(split))), ones_sum(a)) << split;
    }
}

TEST(Checksum, InitialValueIsOnesComplementAdded) {
    const auto d = cbytes(golden::csum_data_64);
    const std::uint16_t s = ones_sum(d);
    for (std::uint32_t init = 0; init <= 0xffff; init += 7) {
        ASSERT_EQ(ones_sum(d, static_cast<std::uint16_t>(init)),
                  ones_add(s, static_cast<std::uint16_t>(init)));
        ASSERT_EQ(ones_sum(d, static_cast<std::uint16_t>(init)), reference_sum(d, init));
    }
}

TEST(Checksum, RandomBuffersAgainstReference) {
    std::mt19937 rng(1071);
    std::vector<std::byte> buf(4096 + 64);
    for (auto& b : buf) b = std::byte{static_cast<std::uint8_t>(rng())};
    for (int i = 0; i < 20000; ++i) {
        const std::size_t off = rng() % 64;
        const std::size_t len = rng() % 4097;
        const auto part = ConstBytes(buf).subspan(off, len);
        ASSERT_EQ(ones_sum(part), reference_sum(part)) << off << " " << len;
    }
}

// The textbook sum byte by byte: each byte added at its place in a big-endian 16-bit word.
std::uint16_t bytewise_sum(ConstBytes d, std::uint32_t initial = 0) {
    std::uint64_t s = initial;
    for (std::size_t i = 0; i < d.size(); ++i)
        s += std::to_integer<std::uint64_t>(d[i]) << ((i % 2 == 0) ? 8 : 0);
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

TEST(ChecksumWide, EveryLengthAndAlignmentAgainstBytewise) {
    // Every length 0..2100 at every start modulo 16: the 32-byte loop, the 8-byte loop and
    // every tail of 0..7 bytes, aligned or not.
    std::mt19937 rng(1071);
    std::vector<std::byte> buf(2100 + 16);
    for (auto& b : buf) b = std::byte{static_cast<std::uint8_t>(rng())};
    for (std::size_t off = 0; off < 16; ++off)
        for (std::size_t len = 0; len <= 2100; ++len) {
            const auto part = ConstBytes(buf).subspan(off, len);
            ASSERT_EQ(ones_sum(part), bytewise_sum(part)) << off << " " << len;
        }
}

TEST(ChecksumWide, CarriesOutOfEveryLane) {
    // All-ones and near-all-ones data make every 64-bit addition carry: the end-around carry
    // must come back in each time. Lengths up to 64 KiB (the largest IPv4 datagram).
    for (const unsigned f : {0xffU, 0xfeU, 0x80U, 0x7fU, 0x01U, 0x00U}) {
        const auto fill = static_cast<std::uint8_t>(f);
        std::vector<std::byte> buf(65536 + 8, std::byte{fill});
        for (std::size_t len = 0; len <= 300; ++len) {
            const auto part = ConstBytes(buf).first(len);
            ASSERT_EQ(ones_sum(part), bytewise_sum(part)) << int{fill} << " " << len;
        }
        for (const std::size_t len : {1499U, 1500U, 9000U, 65535U, 65536U}) {
            for (std::size_t off = 0; off < 8; ++off) {
                const auto part = ConstBytes(buf).subspan(off, len);
                ASSERT_EQ(ones_sum(part), bytewise_sum(part)) << int{fill} << " " << len;
            }
        }
    }
    // A single 0xff byte among zeros at every position, and a single 0x00 among 0xff: the sum
    // moves between the high and low byte of a lane exactly as the position says.
    for (const unsigned b : {0x00U, 0xffU}) {
        const auto base = static_cast<std::uint8_t>(b);
        std::vector<std::byte> buf(128, std::byte{base});
        for (std::size_t len = 1; len <= 128; ++len)
            for (std::size_t pos = 0; pos < len; ++pos) {
                buf[pos] = std::byte{static_cast<std::uint8_t>(~base)};
                const auto part = ConstBytes(buf).first(len);
                ASSERT_EQ(ones_sum(part), bytewise_sum(part)) << len << " " << pos;
                buf[pos] = std::byte{base};
            }
    }
}

TEST(ChecksumWide, SparseAndZeroData) {
    // Zero data sums to +0 (0x0000), never -0: the representation the checksum fields rely on.
    std::vector<std::byte> zeros(4096);
    for (std::size_t len = 0; len <= 4096; len += 1 + len / 3)
        ASSERT_EQ(ones_sum(ConstBytes(zeros).first(len)), 0x0000) << len;
    std::mt19937 rng(2);
    std::vector<std::byte> buf(3000);
    for (int i = 0; i < 20000; ++i) {
        std::fill(buf.begin(), buf.end(), std::byte{0});
        const std::size_t len = rng() % buf.size();
        for (unsigned k = rng() % 4; k > 0 && len > 0; --k)
            buf[rng() % len] = std::byte{static_cast<std::uint8_t>(rng())};
        const auto part = ConstBytes(buf).first(len);
        const auto init = static_cast<std::uint16_t>(i % 3 == 0 ? 0 : rng());
        ASSERT_EQ(ones_sum(part, init), bytewise_sum(part, init)) << i;
    }
}

TEST(ChecksumWide, Fold64AndAdd64) {
    // fold64 against a textbook fold of the 64-bit value as four 16-bit lanes.
    std::mt19937_64 rng(64);
    const auto reference_fold = [](std::uint64_t v) {
        std::uint64_t s = (v & 0xffff) + ((v >> 16) & 0xffff) + ((v >> 32) & 0xffff) + (v >> 48);
        while (s >> 16) s = (s & 0xffff) + (s >> 16);
        return static_cast<std::uint16_t>(s);
    };
    for (const std::uint64_t v :
         {0ULL, 1ULL, 0xffffULL, 0x10000ULL, 0xffffffffULL, 0xffffffffffffffffULL,
          0xfffffffffffffffeULL, 0x8000000000000000ULL, 0x0001000100010001ULL})
        EXPECT_EQ(fold64(v), reference_fold(v)) << v;
    for (int i = 0; i < 1'000'000; ++i) {
        const std::uint64_t a = rng(), b = rng();
        ASSERT_EQ(fold64(a), reference_fold(a));
        // One's-complement addition in 64 bits folds to the 16-bit one's-complement sum.
        ASSERT_EQ(fold64(ones_add64(a, b)), ones_add(reference_fold(a), reference_fold(b)));
    }
    EXPECT_EQ(ones_add64(0xffffffffffffffffULL, 1), 1U);
    EXPECT_EQ(ones_add64(0xffffffffffffffffULL, 0xffffffffffffffffULL), 0xffffffffffffffffULL);
    EXPECT_EQ(ones_add64(0x8000000000000000ULL, 0x8000000000000000ULL), 1U);
}

TEST(ChecksumWide, Ipv4HeaderSumMatchesOnesSum) {
    // The inline 20-byte sum against ones_sum and the byte-by-byte reference: random headers
    // at every alignment, and the all-zero and all-ones ones.
    std::mt19937 rng(791);
    std::vector<std::byte> buf(20 + 16);
    for (int i = 0; i < 1'000'000; ++i) {
        for (auto& b : buf) b = std::byte{static_cast<std::uint8_t>(rng())};
        const auto h = ConstBytes(buf).subspan(static_cast<std::size_t>(i) % 16, 20);
        ASSERT_EQ(ipv4_header_sum(h.data()), ones_sum(h)) << i;
        ASSERT_EQ(ipv4_header_sum(h.data()), bytewise_sum(h)) << i;
    }
    for (const unsigned f : {0x00U, 0xffU, 0x80U}) {
        std::fill(buf.begin(), buf.end(), std::byte{static_cast<std::uint8_t>(f)});
        EXPECT_EQ(ipv4_header_sum(buf.data()), bytewise_sum(ConstBytes(buf).first(20)));
    }
    // Every golden IPv4 header verifies through it.
    for (const auto f : {std::span<const std::uint8_t>(golden::echo4_req),
                         std::span<const std::uint8_t>(golden::echo4_reply),
                         std::span<const std::uint8_t>(golden::echo4_big_req)})
        EXPECT_EQ(ipv4_header_sum(cbytes(f).subspan(14).data()), 0xffff);
}

TEST(ChecksumWide, PseudoSumV6AgainstBytewise) {
    std::mt19937 rng(8200);
    for (int i = 0; i < 200000; ++i) {
        Ipv6Addr s, d;
        for (auto& b : s.bytes) b = static_cast<std::uint8_t>(i % 5 == 0 ? 0xff : rng());
        for (auto& b : d.bytes) b = static_cast<std::uint8_t>(i % 7 == 0 ? 0 : rng());
        const auto len = static_cast<std::uint32_t>(i % 3 == 0 ? rng() : rng() % 65536);
        const auto nh = static_cast<std::uint8_t>(rng());
        std::vector<std::byte> ph(40);
        std::memcpy(ph.data(), s.bytes.data(), 16);
        std::memcpy(ph.data() + 16, d.bytes.data(), 16);
        store32(ph, 32, len);
        store32(ph, 36, nh);
        ASSERT_EQ(pseudo_sum_v6(s, d, len, nh), bytewise_sum(ph)) << i;
    }
}

TEST(Checksum, OnesAdd) {
    EXPECT_EQ(ones_add(0, 0), 0);
    EXPECT_EQ(ones_add(0xffff, 0), 0xffff);
    EXPECT_EQ(ones_add(0xffff, 0xffff), 0xffff);
    EXPECT_EQ(ones_add(0xffff, 1), 1);
    EXPECT_EQ(ones_add(0x8000, 0x8000), 1);
    EXPECT_EQ(ones_add(0x1234, 0x4321), 0x5555);
}

// --- RFC 1624 --------------------------------------------------------------------------

// Replaces the big-endian word at off of data with w and returns the old one.
std::uint16_t put_word(std::vector<std::byte>& data, std::size_t off, std::uint16_t w) {
    const auto old = static_cast<std::uint16_t>((std::to_integer<unsigned>(data[off]) << 8) |
                                                std::to_integer<unsigned>(data[off + 1]));
    data[off] = std::byte{static_cast<std::uint8_t>(w >> 8)};
    data[off + 1] = std::byte{static_cast<std::uint8_t>(w)};
    return old;
}

// The incremental update equals a full recomputation, with one exception it cannot see: when
// the new data is all zero the full sum is +0 (checksum 0xffff) while eqn. 3 yields -0
// (checksum 0x0000). Callers that can produce all-zero data handle it (see icmp4_input).
void expect_update_matches(const std::vector<std::byte>& before, std::size_t off, std::uint16_t w) {
    std::vector<std::byte> after = before;
    const std::uint16_t old_cs = checksum(before);
    const std::uint16_t old_w = put_word(after, off, w);
    const std::uint16_t inc = checksum_update16(old_cs, old_w, w);
    if (all_zero(after)) {
        ASSERT_EQ(inc, 0x0000);
        ASSERT_EQ(checksum(after), 0xffff);
    } else {
        ASSERT_EQ(inc, checksum(after)) << "old word " << old_w << " new word " << w;
    }
}

TEST(ChecksumUpdate, Rfc1624Examples) {
    // RFC 1624 4: sum of the other octets 0xCD7A, m = 0x5555 -> m' = 0x3285: HC' = 0x0000.
    const std::uint16_t hc = static_cast<std::uint16_t>(~ones_add(0xcd7a, 0x5555));
    EXPECT_EQ(hc, 0xdd2f);
    EXPECT_EQ(checksum_update16(hc, 0x5555, 0x3285), 0x0000);
    // No change, no change.
    for (std::uint32_t c = 0; c < 0xffff; c += 13)
        EXPECT_EQ(checksum_update16(static_cast<std::uint16_t>(c), 0x1234, 0x1234), c);
}

TEST(ChecksumUpdate, EchoTypeChangeExhaustive) {
    // ICMPv4 echo request -> reply: the first word 0x0800 becomes 0x0000. Every identifier
    // (so every sum of the rest of the message), with sequence numbers around it.
    std::vector<std::byte> msg(8 + 6);
    std::mt19937 rng(792);
    for (int round = 0; round < 8; ++round) {
        const std::uint16_t seq = round == 0 ? 0 : static_cast<std::uint16_t>(rng());
        const std::uint16_t data = round < 2 ? 0 : static_cast<std::uint16_t>(rng());
        for (std::uint32_t id = 0; id <= 0xffff; ++id) {
            put_word(msg, 0, 0x0800);
            put_word(msg, 2, 0);
            put_word(msg, 4, static_cast<std::uint16_t>(id));
            put_word(msg, 6, seq);
            put_word(msg, 8, data);
            expect_update_matches(msg, 0, 0x0000);
            if (testing::Test::HasFatalFailure()) return;
        }
    }
}

TEST(ChecksumUpdate, Echo6TypeChangeExhaustive) {
    // ICMPv6 echo 128 -> 129 under a pseudo-header sum, for every identifier.
    const auto pseudo = pseudo_sum_v6(pw::test::peer6, pw::test::us6, 16, 58);
    std::vector<std::byte> msg(16);
    for (std::uint32_t id = 0; id <= 0xffff; ++id) {
        put_word(msg, 0, 0x8000);
        put_word(msg, 2, 0);
        put_word(msg, 4, static_cast<std::uint16_t>(id));
        put_word(msg, 6, static_cast<std::uint16_t>(id * 31));
        const std::uint16_t before = checksum(msg, pseudo);
        put_word(msg, 0, 0x8100);
        ASSERT_EQ(checksum_update16(before, 0x8000, 0x8100), checksum(msg, pseudo)) << id;
    }
}

TEST(ChecksumUpdate, TtlDecrementExhaustive) {
    // An IPv4 header forwarded: TTL t -> t-1 changes the word (TTL, protocol). Every TTL with
    // every identification (every sum of the rest), then every TTL with every protocol.
    std::vector<std::byte> h = pw::test::copy(std::span(golden::echo4_req).subspan(14, 20));
    put_word(h, 10, 0);
    for (std::uint32_t ttl = 1; ttl <= 255; ++ttl) {
        for (std::uint32_t id = 0; id <= 0xffff; ++id) {
            put_word(h, 4, static_cast<std::uint16_t>(id));
            put_word(h, 8, static_cast<std::uint16_t>(ttl << 8 | 1));
            const std::uint16_t cs = checksum(h);
            put_word(h, 8, static_cast<std::uint16_t>((ttl - 1) << 8 | 1));
            const std::uint16_t inc =
                checksum_update16(cs, static_cast<std::uint16_t>(ttl << 8 | 1),
                                  static_cast<std::uint16_t>((ttl - 1) << 8 | 1));
            if (inc != checksum(h)) {
                FAIL() << "ttl " << ttl << " id " << id << ": " << inc << " != " << checksum(h);
            }
        }
    }
    for (std::uint32_t ttl = 1; ttl <= 255; ++ttl) {
        for (std::uint32_t proto = 0; proto <= 255; ++proto) {
            put_word(h, 8, static_cast<std::uint16_t>(ttl << 8 | proto));
            expect_update_matches(h, 8, static_cast<std::uint16_t>((ttl - 1) << 8 | proto));
            if (HasFatalFailure()) return;
        }
    }
}

TEST(ChecksumUpdate, RandomWordsAgainstFullRecompute) {
    std::mt19937 rng(1624);
    std::vector<std::byte> data;
    for (int i = 0; i < 2'000'000; ++i) {
        const std::size_t words = 1 + rng() % 24;
        data.assign(words * 2, std::byte{0});
        const unsigned kind = rng() % 8;
        for (auto& b : data) {
            // Mostly random; sometimes sparse, so that all-zero and near-zero data occur.
            b = std::byte{
                static_cast<std::uint8_t>(kind == 0 ? (rng() % 16 == 0 ? rng() : 0) : rng())};
        }
        const std::size_t off = (rng() % words) * 2;
        std::uint16_t w = static_cast<std::uint16_t>(rng());
        if (kind == 1) w = 0;
        if (kind == 2) w = 0xffff;
        expect_update_matches(data, off, w);
        if (HasFatalFailure()) return;
    }
}

TEST(ChecksumUpdate, SeveralWordsAtOnceEqualChainedUpdatesAndRecompute) {
    // checksum_update_terms with the terms of k changed words equals k chained eqn. 3 updates
    // and a full recompute (but for the all-zero data of expect_update_matches).
    std::mt19937 rng(16242);
    std::vector<std::byte> data;
    for (int i = 0; i < 1'000'000; ++i) {
        const std::size_t words = 2 + rng() % 20;
        data.assign(words * 2, std::byte{0});
        for (auto& b : data)
            b = std::byte{
                static_cast<std::uint8_t>(i % 8 == 0 ? (rng() % 8 == 0 ? rng() : 0) : rng())};
        const std::uint16_t cs = checksum(data);
        std::vector<std::byte> after = data;
        std::uint32_t terms = 0;
        std::uint16_t chained = cs;
        for (std::size_t k = 1 + rng() % 4; k > 0; --k) {
            const std::size_t off = (rng() % words) * 2;
            const auto w = static_cast<std::uint16_t>(i % 5 == 0 ? 0 : rng());
            const std::uint16_t old_w = put_word(after, off, w);
            terms += checksum_term(old_w, w);
            chained = checksum_update16(chained, old_w, w);
        }
        const std::uint16_t inc = checksum_update_terms(cs, terms);
        if (all_zero(after)) {
            ASSERT_EQ(inc, 0x0000);
        } else {
            ASSERT_EQ(inc, checksum(after)) << i;
            ASSERT_EQ(inc, chained) << i;
        }
    }
}

TEST(ChecksumUpdate, ThirtyTwoBitFieldsAgainstFullRecompute) {
    // An address rewrite (NAT-like) in an IPv4 header: checksum_update32 equals a recompute.
    std::mt19937 rng(3022);
    std::vector<std::byte> h = pw::test::copy(std::span(golden::echo4_req).subspan(14, 20));
    for (int i = 0; i < 1'000'000; ++i) {
        for (std::size_t k = 0; k < 20; k += 2) put_word(h, k, static_cast<std::uint16_t>(rng()));
        put_word(h, 10, 0);
        const std::size_t off = (rng() % 2) != 0 ? 12 : 16;
        const std::uint16_t cs = checksum(h);
        const std::uint32_t old_v =
            static_cast<std::uint32_t>(put_word(h, off, 0)) << 16 | put_word(h, off + 2, 0);
        const std::uint32_t new_v = static_cast<std::uint32_t>(rng());
        put_word(h, off, static_cast<std::uint16_t>(new_v >> 16));
        put_word(h, off + 2, static_cast<std::uint16_t>(new_v));
        ASSERT_EQ(checksum_update32(cs, old_v, new_v), checksum(h)) << i;
    }
}

// --- Pseudo-headers ----------------------------------------------------------------------

TEST(PseudoHeader, V4MatchesScapyPseudoHeader) {
    using pw::test::ip4;
    EXPECT_EQ(pseudo_sum_v4(ip4("198.18.0.2"), ip4("198.18.0.1"), 17, 22),
              ones_sum(cbytes(golden::ph_udp4)));
    EXPECT_EQ(pseudo_sum_v4(ip4("198.18.0.2"), ip4("198.19.255.1"), 17, 19),
              ones_sum(cbytes(golden::ph_udp4_odd)));
    // Carries out of the 16-bit sum are folded.
    EXPECT_EQ(pseudo_sum_v4(ip4("255.255.255.255"), ip4("255.255.255.255"), 255, 0xffff),
              reference_sum(ConstBytes{}, 0xffffU * 5 + 255));
}

TEST(PseudoHeader, V6MatchesScapyPseudoHeader) {
    using pw::test::ip6;
    EXPECT_EQ(pseudo_sum_v6(ip6("2001:2::2"), ip6("2001:2::1"), 22, 17),
              ones_sum(cbytes(golden::ph_udp6)));
    EXPECT_EQ(pseudo_sum_v6(ip6("2001:2::2"), ip6("2001:2::1"), 64, 58),
              ones_sum(cbytes(golden::ph_echo6)));
    // The upper-layer length is 32 bits (RFC 8200 8.1).
    EXPECT_EQ(pseudo_sum_v6(ip6("fe80::ff:fe00:2"), ip6("fe80::ff:fe00:1"), 0x12345, 58),
              ones_sum(cbytes(golden::ph_jumbo6)));
}

// A UDP or ICMPv6 message as scapy checksummed it: verifies to 0xffff with our pseudo sum,
// and refilling its checksum field reproduces scapy's value.
void expect_l4_checksum(ConstBytes l4, std::size_t cs_off, std::uint16_t pseudo, bool udp) {
    EXPECT_EQ(ones_sum(l4, pseudo), 0xffff);
    std::vector<std::byte> copy(l4.begin(), l4.end());
    const std::uint16_t scapy_cs = put_word(copy, cs_off, 0);
    std::uint16_t cs = checksum(copy, pseudo);
    if (udp && cs == 0) cs = 0xffff;  // RFC 768: a computed zero is sent as all ones
    EXPECT_EQ(cs, scapy_cs);
}

TEST(PseudoHeader, UdpOverIpv4) {
    for (auto v : {std::span<const std::uint8_t>(golden::udp4),
                   std::span<const std::uint8_t>(golden::udp4_odd),
                   std::span<const std::uint8_t>(golden::udp4_zero_payload)}) {
        const auto b = cbytes(v);
        const auto src = load_bytes<Ipv4Addr>(b, 12);
        const auto dst = load_bytes<Ipv4Addr>(b, 16);
        const auto udp = b.subspan(20);
        SCOPED_TRACE(udp.size());
        expect_l4_checksum(
            udp, 6, pseudo_sum_v4(src, dst, 17, static_cast<std::uint16_t>(udp.size())), true);
    }
}

TEST(PseudoHeader, UdpOverIpv6) {
    for (auto v : {std::span<const std::uint8_t>(golden::udp6),
                   std::span<const std::uint8_t>(golden::udp6_odd)}) {
        const auto b = cbytes(v);
        const auto udp = b.subspan(40);
        SCOPED_TRACE(udp.size());
        expect_l4_checksum(udp, 6,
                           pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24),
                                         static_cast<std::uint32_t>(udp.size()), 17),
                           true);
    }
}

TEST(PseudoHeader, Icmpv6WithAndWithoutExtensionHeaders) {
    // Plain echo: the upper-layer length is the payload length.
    {
        const auto b = cbytes(golden::echo6_req).subspan(14);
        const auto icmp = b.subspan(40);
        expect_l4_checksum(icmp, 2,
                           pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24),
                                         static_cast<std::uint32_t>(icmp.size()), 58),
                           false);
    }
    // Behind a 16-byte Hop-by-Hop header: the length is the ICMPv6 message's, not the payload
    // length (RFC 8200 8.1).
    {
        const auto b = cbytes(golden::echo6_hbh_req).subspan(14);
        const auto icmp = b.subspan(40 + 16);
        ASSERT_EQ(icmp.size(), 18U);
        expect_l4_checksum(icmp, 2,
                           pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24),
                                         static_cast<std::uint32_t>(icmp.size()), 58),
                           false);
        const auto wrong = pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24),
                                         static_cast<std::uint32_t>(b.size() - 40), 58);
        EXPECT_NE(ones_sum(icmp, wrong), 0xffff);
    }
    // Neighbor Solicitation and Advertisement.
    for (auto v : {std::span<const std::uint8_t>(golden::ns_mcast_req),
                   std::span<const std::uint8_t>(golden::ns_dad_reply)}) {
        const auto b = cbytes(v).subspan(14);
        const auto icmp = b.subspan(40);
        expect_l4_checksum(icmp, 2,
                           pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24),
                                         static_cast<std::uint32_t>(icmp.size()), 58),
                           false);
    }
}

}  // namespace
