#include "lib/gen/permutation.hh"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

namespace pw::gen {
namespace {

const std::uint64_t sizes[] = {1, 2, 3, 7, 254, 255, 256, 65534, 65536, 1000003};
const std::uint64_t seeds[] = {0, 1, 42, 0xdeadbeefcafef00dULL};

std::vector<std::uint64_t> order(const Permutation& p) {
    std::vector<std::uint64_t> out(p.size());
    for (std::uint64_t i = 0; i < p.size(); ++i) out[i] = p.at(i);
    return out;
}

TEST(GenPermutation, VisitsEveryIndexOnce) {
    for (std::uint64_t n : sizes) {
        for (std::uint64_t seed : seeds) {
            Permutation p(n, seed);
            ASSERT_EQ(p.size(), n);
            std::vector<bool> seen(n, false);
            for (std::uint64_t i = 0; i < n; ++i) {
                std::uint64_t x = p.at(i);
                ASSERT_LT(x, n) << "n " << n << " seed " << seed << " i " << i;
                ASSERT_FALSE(seen[x]) << "n " << n << " seed " << seed << " repeats " << x;
                seen[x] = true;
            }
        }
    }
}

TEST(GenPermutation, SeedsGiveDifferentOrders) {
    for (std::uint64_t n : {std::uint64_t{254}, std::uint64_t{65536}, std::uint64_t{1000003}}) {
        std::set<std::vector<std::uint64_t>> orders;
        for (std::uint64_t seed : seeds) orders.insert(order(Permutation(n, seed)));
        EXPECT_EQ(orders.size(), std::size(seeds)) << "n " << n;
    }
}

TEST(GenPermutation, SameSeedSameOrder) {
    EXPECT_EQ(order(Permutation(65534, 7)), order(Permutation(65534, 7)));
}

TEST(GenPermutation, SequentialIsIdentity) {
    for (std::uint64_t n : sizes) {
        Permutation p(n, 12345, true);
        for (std::uint64_t i = 0; i < n; ++i) ASSERT_EQ(p.at(i), i) << "n " << n;
    }
    Permutation def;
    EXPECT_EQ(def.size(), 1U);
    EXPECT_EQ(def.at(0), 0U);
}

TEST(GenPermutation, RandomIsNotNearIdentity) {
    for (std::uint64_t seed : seeds) {
        Permutation p(65536, seed);
        int fixed = 0;
        for (std::uint64_t i = 0; i < 65536; ++i) fixed += p.at(i) == i;
        EXPECT_LT(fixed, 16) << "seed " << seed;  // about 1 expected
    }
}

// A /16 scanned in order: its first 256 probes land all over it, not in one /24.
TEST(GenPermutation, SlashSixteenSpreads) {
    for (std::uint64_t seed : seeds) {
        Permutation p(65536, seed);
        std::set<std::uint64_t> slash24s;
        for (std::uint64_t i = 0; i < 256; ++i) slash24s.insert(p.at(i) >> 8);
        // 256 draws into 256 /24s hit about 162 distinct ones.
        EXPECT_GE(slash24s.size(), 100U) << "seed " << seed;
    }
}

// lcore i of k takes positions i, i+k, ...: the slices partition the set.
TEST(GenPermutation, StridedSlicesPartition) {
    const std::uint64_t n = 1000;
    const unsigned k = 3;
    Permutation p(n, 99);
    std::vector<int> hits(n, 0);
    for (unsigned lcore = 0; lcore < k; ++lcore) {
        for (std::uint64_t i = lcore; i < n; i += k) ++hits[p.at(i)];
    }
    for (std::uint64_t x = 0; x < n; ++x) EXPECT_EQ(hits[x], 1) << x;
}

}  // namespace
}  // namespace pw::gen
