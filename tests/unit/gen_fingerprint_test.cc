#include "lib/gen/fingerprint.hh"

#include <gtest/gtest.h>

namespace pw::gen {
namespace {

struct Case {
    int observed;
    int initial;
    int hops;
};

TEST(GenFingerprint, Table) {
    const Case cases[] = {
        {64, 64, 0},   {63, 64, 1},     {128, 128, 0}, {255, 255, 0}, {33, 64, 31},
        {32, 32, 0},   {200, 255, 55},  {1, 32, 31},   {31, 32, 1},   {65, 128, 63},
        {127, 128, 1}, {129, 255, 126}, {254, 255, 1},
    };
    for (const Case& c : cases) {
        TtlGuess g = guess_initial_ttl(static_cast<std::uint8_t>(c.observed));
        EXPECT_EQ(g.initial, c.initial) << "observed " << c.observed;
        EXPECT_EQ(g.hops, c.hops) << "observed " << c.observed;
    }
}

TEST(GenFingerprint, ZeroReadsAsAllHopsOf32) {
    TtlGuess g = guess_initial_ttl(0);
    EXPECT_EQ(g.initial, 32);
    EXPECT_EQ(g.hops, 32);
}

// Every observed value: the guess is the smallest default at or above it.
TEST(GenFingerprint, SmallestDefaultAtOrAbove) {
    const int defaults[] = {32, 64, 128, 255};
    for (int ttl = 0; ttl <= 255; ++ttl) {
        int want = 0;
        for (int d : defaults) {
            if (d >= ttl) {
                want = d;
                break;
            }
        }
        TtlGuess g = guess_initial_ttl(static_cast<std::uint8_t>(ttl));
        EXPECT_EQ(g.initial, want) << ttl;
        EXPECT_EQ(g.hops, want - ttl) << ttl;
    }
}

}  // namespace
}  // namespace pw::gen
