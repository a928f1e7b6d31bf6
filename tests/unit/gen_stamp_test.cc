// lib/gen/stamp: the payload stamp, its keyed check and corruption detection.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "lib/gen/stamp.hh"
#include "lib/wire/bytes.hh"

namespace {

using pw::gen::Pattern;
using pw::gen::read_stamp;
using pw::gen::Stamp;
using pw::gen::stamp_len;
using pw::gen::StampStatus;

Stamp some_stamp(std::uint32_t magic = 0x5057a11d) {
    return Stamp{magic, 5, 3, 0x0102030405060708ULL, 0x1122334455667788ULL};
}

Pattern pattern_of(std::initializer_list<std::uint8_t> b) {
    Pattern p;
    for (auto x : b) p.bytes[p.len++] = x;
    return p;
}

std::vector<std::byte> payload(std::size_t n, const Pattern& p, const Stamp& s) {
    std::vector<std::byte> v(n, std::byte{0xa5});
    pw::gen::write_payload(v, p, s);
    return v;
}

TEST(GenStamp, LayoutIsBigEndianAsDocumented) {
    const auto v = payload(56, Pattern{}, some_stamp());
    const std::uint8_t want[28] = {0x50, 0x57, 0xa1, 0x1d, 0,    0,    0,    5,   0, 0,
                                   0,    3,    1,    2,    3,    4,    5,    6,   7, 8,
                                   0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    for (std::size_t i = 0; i < 28; ++i)
        EXPECT_EQ(std::to_integer<std::uint8_t>(v[i]), want[i]) << i;
    const std::uint32_t check = pw::wire::load32(std::span<const std::byte>(v), 28);
    EXPECT_EQ(check, pw::gen::stamp_check(some_stamp(), pw::gen::pattern_hash(Pattern{}, 56)));
}

TEST(GenStamp, DefaultPatternIsPings) {
    const auto v = payload(300, Pattern{}, some_stamp());
    for (std::size_t i = stamp_len; i < v.size(); ++i)
        EXPECT_EQ(std::to_integer<unsigned>(v[i]), i & 0xff) << i;
}

TEST(GenStamp, PatternRepeatsFromTheFirstDataByte) {
    const Pattern p = pattern_of({0xde, 0xad, 0xbe});
    const auto v = payload(61, p, some_stamp());
    for (std::size_t i = stamp_len; i < v.size(); ++i)
        EXPECT_EQ(std::to_integer<std::uint8_t>(v[i]), p.bytes[i % 3]) << i;
}

TEST(GenStamp, RoundTripAllFieldsSizesAndPatterns) {
    std::mt19937_64 rng(1);
    const Pattern patterns[] = {Pattern{}, pattern_of({0xff}), pattern_of({1, 2, 3}),
                                pattern_of({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})};
    for (std::size_t n : {32, 33, 39, 40, 41, 56, 57, 64, 100, 1400, 1472, 9000}) {
        for (const auto& p : patterns) {
            for (int k = 0; k < 20; ++k) {
                const Stamp s{static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()),
                              static_cast<std::uint32_t>(rng()), rng(), rng()};
                const auto v = payload(n, p, s);
                Stamp got;
                ASSERT_EQ(read_stamp(v, s.magic, got), StampStatus::valid) << n;
                EXPECT_EQ(got, s);
                // write_stamp over the pattern gives the same bytes.
                auto w = v;
                for (std::size_t i = 0; i < stamp_len; ++i) w[i] = std::byte{0};
                pw::gen::write_stamp(w, s, pw::gen::pattern_hash(p, n));
                EXPECT_EQ(w, v);
            }
        }
    }
}

TEST(GenStamp, AbsentWhenShortOrAnotherRun) {
    const auto v = payload(56, Pattern{}, some_stamp());
    Stamp got;
    EXPECT_EQ(read_stamp(v, 0x5057a11e, got), StampStatus::absent);
    for (std::size_t n = 0; n < stamp_len; ++n)
        EXPECT_EQ(read_stamp(std::span<const std::byte>(v).first(n), 0x5057a11d, got),
                  StampStatus::absent)
            << n;
    EXPECT_NE(read_stamp(std::span<const std::byte>(v).first(stamp_len), 0x5057a11d, got),
              StampStatus::absent);
}

TEST(GenStamp, CheckCoversTheLength) {
    // A payload cut short (or grown) by link padding is not the one that was sent.
    auto v = payload(64, Pattern{}, some_stamp());
    Stamp got;
    EXPECT_EQ(read_stamp(std::span<const std::byte>(v).first(56), 0x5057a11d, got),
              StampStatus::corrupted);
    v.push_back(std::byte{0});
    EXPECT_EQ(read_stamp(v, 0x5057a11d, got), StampStatus::corrupted);
}

// Every byte in turn, flipped entirely and bit by bit, for several runs: our magic with a bad
// check is corrupted; a flip in the magic makes it another run's (absent).
void expect_every_flip_detected(std::size_t n) {
    std::mt19937_64 rng(n);
    for (int run = 0; run < 4; ++run) {
        const Stamp s{static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()),
                      static_cast<std::uint32_t>(rng()), rng(), rng()};
        const Pattern p = run % 2 == 0 ? Pattern{} : pattern_of({0x00, 0xff, 0x5a});
        const auto good = payload(n, p, s);
        Stamp got;
        ASSERT_EQ(read_stamp(good, s.magic, got), StampStatus::valid);
        auto v = good;
        for (std::size_t i = 0; i < n; ++i) {
            const auto want = i < 4 ? StampStatus::absent : StampStatus::corrupted;
            for (unsigned mask : {0xffU, 0x01U, 0x02U, 0x04U, 0x08U, 0x10U, 0x20U, 0x40U, 0x80U}) {
                v[i] ^= std::byte(mask);
                ASSERT_EQ(read_stamp(v, s.magic, got), want)
                    << "size " << n << " byte " << i << " mask " << mask;
                v[i] ^= std::byte(mask);
            }
        }
        ASSERT_EQ(v, good);
    }
}

TEST(GenStamp, EverySingleByteFlipDetected56) {
    expect_every_flip_detected(56);
}
TEST(GenStamp, EverySingleByteFlipDetected1400) {
    expect_every_flip_detected(1400);
}
TEST(GenStamp, EverySingleByteFlipDetectedOddSize) {
    expect_every_flip_detected(61);
}

TEST(GenStamp, SwappedWordsDetected) {
    // The hash is order sensitive (not a sum of words).
    auto v = payload(120, Pattern{}, some_stamp());
    for (std::size_t i = 0; i < 8; ++i) std::swap(v[40 + i], v[48 + i]);
    Stamp got;
    EXPECT_EQ(read_stamp(v, 0x5057a11d, got), StampStatus::corrupted);
}

TEST(GenStamp, CheckIsKeyedByTheMagicAndSpreadsOverAllBits) {
    const auto ph = pw::gen::pattern_hash(Pattern{}, 56);
    Stamp a = some_stamp(1), b = some_stamp(2);
    EXPECT_NE(pw::gen::stamp_check(a, ph), pw::gen::stamp_check(b, ph));
    // Changing one field bit changes about half of the 32 check bits (avalanche).
    std::uint64_t total = 0;
    int count = 0;
    for (int bit = 0; bit < 64; ++bit) {
        Stamp c = a;
        c.tsc ^= 1ULL << bit;
        total += static_cast<unsigned>(
            __builtin_popcount(pw::gen::stamp_check(a, ph) ^ pw::gen::stamp_check(c, ph)));
        ++count;
    }
    const double mean = static_cast<double>(total) / count;
    EXPECT_GT(mean, 12.0);
    EXPECT_LT(mean, 20.0);
    EXPECT_NE(pw::gen::pattern_hash(Pattern{}, 56), pw::gen::pattern_hash(Pattern{}, 57));
    EXPECT_NE(pw::gen::pattern_hash(Pattern{}, 56), pw::gen::pattern_hash(pattern_of({7}), 56));
}

}  // namespace
