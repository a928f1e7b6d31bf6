// TargetSet: host counts per prefix length (RFC 3021 /31, RFC 6164 /127, network / broadcast /
// Subnet-Router anycast skipped), at() at the edges, index_of round trips, overlapping --dst,
// and the one-line refusals.
#include "lib/gen/targets.hh"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

using pw::gen::Target;
using pw::gen::TargetSet;
using pw::wire::Ipv4Addr;
using pw::wire::Ipv6Addr;

constexpr std::uint64_t default_max = 1048576;

Ipv6Addr key4(const char* s) {
    return pw::wire::v4_mapped(*Ipv4Addr::parse(s));
}
Ipv6Addr key6(const char* s) {
    return *Ipv6Addr::parse(s);
}

std::uint64_t count_of(const char* text, std::uint64_t max = default_max) {
    TargetSet t;
    const auto err = t.add(text, max);
    EXPECT_FALSE(err) << text << ": " << *err;
    return t.size();
}

std::string error_of(const char* text, std::uint64_t max = default_max) {
    TargetSet t;
    const auto err = t.add(text, max);
    EXPECT_TRUE(err) << text << " was accepted";
    EXPECT_EQ(t.size(), 0U);
    EXPECT_TRUE(t.ranges().empty());
    return err.value_or("");
}

TEST(Targets, Ipv4Counts) {
    EXPECT_EQ(count_of("198.18.0.1"), 1U);
    EXPECT_EQ(count_of("198.18.0.1/32"), 1U);
    EXPECT_EQ(count_of("198.18.0.0/31"), 2U);
    EXPECT_EQ(count_of("198.18.0.0/30"), 2U);
    EXPECT_EQ(count_of("198.18.0.0/29"), 6U);
    EXPECT_EQ(count_of("198.18.0.0/28"), 14U);
    EXPECT_EQ(count_of("198.18.0.0/24"), 254U);
    EXPECT_EQ(count_of("198.18.0.0/16"), 65534U);
    EXPECT_EQ(count_of("0.0.0.0/0", ~0ULL), 4294967294U);
}

TEST(Targets, Ipv6Counts) {
    EXPECT_EQ(count_of("2001:2::5"), 1U);
    EXPECT_EQ(count_of("2001:2::5/128"), 1U);
    EXPECT_EQ(count_of("2001:2::/127"), 2U);
    EXPECT_EQ(count_of("2001:2::/126"), 3U);
    EXPECT_EQ(count_of("2001:2::/124"), 15U);
    EXPECT_EQ(count_of("2001:2::/120"), 255U);
    EXPECT_EQ(count_of("2001:2::/64", ~0ULL), 18446744073709551615ULL);
}

TEST(Targets, Ipv4EdgesSkipNetworkAndBroadcast) {
    TargetSet t;
    ASSERT_FALSE(t.add("198.18.0.16/28", default_max));
    ASSERT_EQ(t.size(), 14U);
    EXPECT_EQ(t.at(0).to_string(), "198.18.0.17");
    EXPECT_EQ(t.at(13).to_string(), "198.18.0.30");
    EXPECT_FALSE(t.at(0).v6);
    EXPECT_EQ(t.at(0).key(), key4("198.18.0.17"));
    EXPECT_FALSE(t.index_of(key4("198.18.0.16")));  // network
    EXPECT_FALSE(t.index_of(key4("198.18.0.31")));  // broadcast
    EXPECT_FALSE(t.index_of(key4("198.18.0.32")));
    EXPECT_FALSE(t.index_of(key4("198.18.0.15")));
    // The same numbers as IPv6 addresses are not IPv4 targets.
    Ipv6Addr raw{};
    raw.bytes = key4("198.18.0.17").bytes;
    raw.bytes[10] = 0;
    raw.bytes[11] = 0;
    EXPECT_FALSE(t.index_of(raw));
}

TEST(Targets, Slash31And127HaveBothAddresses) {
    TargetSet t;
    ASSERT_FALSE(t.add("198.18.0.4/31", default_max));
    ASSERT_FALSE(t.add("2001:2::4/127", default_max));
    ASSERT_EQ(t.size(), 4U);
    EXPECT_EQ(t.at(0).to_string(), "198.18.0.4");
    EXPECT_EQ(t.at(1).to_string(), "198.18.0.5");
    EXPECT_EQ(t.at(2).to_string(), "2001:2::4");
    EXPECT_EQ(t.at(3).to_string(), "2001:2::5");
    EXPECT_TRUE(t.at(2).v6);
}

TEST(Targets, Ipv6EdgesSkipSubnetRouterAnycast) {
    TargetSet t;
    ASSERT_FALSE(t.add("2001:2::/120", default_max));
    EXPECT_EQ(t.at(0).to_string(), "2001:2::1");
    EXPECT_EQ(t.at(254).to_string(), "2001:2::ff");
    EXPECT_FALSE(t.index_of(key6("2001:2::")));
    EXPECT_FALSE(t.index_of(key6("2001:2::100")));
    EXPECT_EQ(t.index_of(key6("2001:2::ff")), 254U);

    // A /64 indexes into the low 64 bits; the last address is all ones.
    TargetSet big;
    ASSERT_FALSE(big.add("2001:db8:1:2::/64", ~0ULL));
    EXPECT_EQ(big.at(0).to_string(), "2001:db8:1:2::1");
    EXPECT_EQ(big.at(big.size() - 1).to_string(), "2001:db8:1:2:ffff:ffff:ffff:ffff");
    EXPECT_EQ(big.index_of(key6("2001:db8:1:2:ffff:ffff:ffff:ffff")), big.size() - 1);
    EXPECT_FALSE(big.index_of(key6("2001:db8:1:3::")));
}

TEST(Targets, HostBitsAreMasked) {
    TargetSet t;
    ASSERT_FALSE(t.add("198.18.0.5/28", default_max));
    ASSERT_FALSE(t.add("2001:2::1234/124", default_max));
    EXPECT_EQ(t.size(), 14U + 15U);
    EXPECT_EQ(t.at(0).to_string(), "198.18.0.1");
    EXPECT_EQ(t.at(14).to_string(), "2001:2::1231");
    EXPECT_EQ(t.at(28).to_string(), "2001:2::123f");
    EXPECT_EQ(t.ranges()[0].text, "198.18.0.5/28");  // as given
}

TEST(Targets, IndexOfRoundTripsEveryIndex) {
    TargetSet t;
    ASSERT_FALSE(t.add("198.18.0.32/28", default_max));
    ASSERT_FALSE(t.add("2001:2::a0/124", default_max));
    ASSERT_EQ(t.size(), 29U);
    for (std::uint64_t i = 0; i < t.size(); ++i) {
        const Target x = t.at(i);
        EXPECT_EQ(x.v6, i >= 14) << i;
        EXPECT_EQ(t.index_of(x.key()), i) << i << " " << x.to_string();
    }
}

TEST(Targets, MixedListInOrderGiven) {
    TargetSet t;
    ASSERT_FALSE(t.add("2001:2::5", default_max));
    ASSERT_FALSE(t.add("198.18.0.0/30", default_max));
    ASSERT_FALSE(t.add("198.18.1.7", default_max));
    ASSERT_FALSE(t.add("2001:2::/126", default_max));
    ASSERT_EQ(t.size(), 1U + 2U + 1U + 3U);
    EXPECT_EQ(t.at(0).to_string(), "2001:2::5");
    EXPECT_EQ(t.at(1).to_string(), "198.18.0.1");
    EXPECT_EQ(t.at(2).to_string(), "198.18.0.2");
    EXPECT_EQ(t.at(3).to_string(), "198.18.1.7");
    EXPECT_EQ(t.at(4).to_string(), "2001:2::1");
    EXPECT_EQ(t.at(6).to_string(), "2001:2::3");
    ASSERT_EQ(t.ranges().size(), 4U);
    EXPECT_EQ(t.ranges()[2].start, 3U);
    EXPECT_EQ(t.ranges()[3].start, 4U);
    EXPECT_EQ(t.describe(), "2001:2::5 198.18.0.0/30 198.18.1.7 2001:2::/126");
    EXPECT_TRUE(t.has_v4());
    EXPECT_TRUE(t.has_v6());
    EXPECT_TRUE(t.is_sweep());
    EXPECT_EQ(t.index_of(key4("198.18.1.7")), 3U);
    EXPECT_EQ(t.index_of(key6("2001:2::2")), 5U);
}

TEST(Targets, OverlappingDstMapToTheFirstRange) {
    TargetSet t;
    ASSERT_FALSE(t.add("198.18.0.8/29", default_max));  // .9 .. .14 -> 0..5
    ASSERT_FALSE(t.add("198.18.0.0/28", default_max));  // .1 .. .14 -> 6..19
    ASSERT_FALSE(t.add("198.18.0.12", default_max));    // 20, already in the first
    ASSERT_FALSE(t.add("198.18.0.8", default_max));     // 21, the first's network address
    ASSERT_FALSE(t.add("198.18.0.0/28", default_max));  // 22..35, all held already
    ASSERT_EQ(t.size(), 36U);
    EXPECT_EQ(t.index_of(key4("198.18.0.9")), 0U);
    EXPECT_EQ(t.index_of(key4("198.18.0.14")), 5U);
    EXPECT_EQ(t.index_of(key4("198.18.0.12")), 3U);
    EXPECT_EQ(t.index_of(key4("198.18.0.1")), 6U);
    EXPECT_EQ(t.index_of(key4("198.18.0.7")), 12U);
    EXPECT_EQ(t.index_of(key4("198.18.0.8")), 13U);  // in the /28 (index 6 + 7)
    EXPECT_EQ(t.at(21).to_string(), "198.18.0.8");
    EXPECT_FALSE(t.index_of(key4("198.18.0.15")));
    // Every address maps to an index whose target is that address, at or before its others.
    for (std::uint64_t i = 0; i < t.size(); ++i) {
        const auto j = t.index_of(t.at(i).key());
        ASSERT_TRUE(j) << i;
        EXPECT_LE(*j, i);
        EXPECT_EQ(t.at(*j).key(), t.at(i).key());
    }
}

TEST(Targets, OverlapInsideALaterRange) {
    // A later, wider range around earlier ones: its gaps, on both sides and between, index
    // into it.
    TargetSet t;
    ASSERT_FALSE(t.add("2001:2::5", default_max));
    ASSERT_FALSE(t.add("2001:2::9", default_max));
    ASSERT_FALSE(t.add("2001:2::/124", default_max));  // ::1 .. ::f -> 2..16
    EXPECT_EQ(t.index_of(key6("2001:2::5")), 0U);
    EXPECT_EQ(t.index_of(key6("2001:2::9")), 1U);
    EXPECT_EQ(t.index_of(key6("2001:2::1")), 2U);
    EXPECT_EQ(t.index_of(key6("2001:2::4")), 5U);
    EXPECT_EQ(t.index_of(key6("2001:2::6")), 7U);
    EXPECT_EQ(t.index_of(key6("2001:2::a")), 11U);
    EXPECT_EQ(t.index_of(key6("2001:2::f")), 16U);
}

TEST(Targets, SingleAddressIsNotASweep) {
    TargetSet t;
    EXPECT_TRUE(t.empty());
    EXPECT_FALSE(t.is_sweep());
    ASSERT_FALSE(t.add("198.18.0.2", default_max));
    EXPECT_FALSE(t.is_sweep());
    EXPECT_TRUE(t.has_v4());
    EXPECT_FALSE(t.has_v6());
    EXPECT_EQ(t.describe(), "198.18.0.2");
    TargetSet p;
    ASSERT_FALSE(p.add("2001:2::2/128", default_max));
    EXPECT_TRUE(p.is_sweep());  // given as a prefix
    EXPECT_FALSE(p.has_v4());
}

TEST(Targets, BadText) {
    EXPECT_EQ(error_of("198.18.0.300"), "'198.18.0.300' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of(""), "'' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of("example.com"), "'example.com' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of("198.18.0.0/"), "'198.18.0.0/' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of("198.18.0.0/x4"),
              "'198.18.0.0/x4' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of("198.18.0.0/-1"),
              "'198.18.0.0/-1' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of("198.18.0.0/24/2"),
              "'198.18.0.0/24/2' is not an IPv4 or IPv6 address or prefix");
    EXPECT_EQ(error_of("2001:2::g"), "'2001:2::g' is not an IPv4 or IPv6 address or prefix");
}

TEST(Targets, PrefixLengthOutOfRange) {
    EXPECT_EQ(error_of("198.18.0.0/33"),
              "'198.18.0.0/33': prefix length 33 is out of range for IPv4 (0..32)");
    EXPECT_EQ(error_of("2001:2::/129"),
              "'2001:2::/129': prefix length 129 is out of range for IPv6 (0..128)");
    EXPECT_EQ(error_of("2001:2::/1000"),
              "'2001:2::/1000' is not an IPv4 or IPv6 address or prefix");
}

TEST(Targets, MoreThanMax) {
    EXPECT_EQ(error_of("198.18.0.0/8"),
              "198.18.0.0/8 holds 16777214 addresses, more than --max-targets 1048576");
    EXPECT_EQ(error_of("2001:2::/64"),
              "2001:2::/64 holds 18446744073709551615 addresses, more than --max-targets 1048576");
    EXPECT_EQ(error_of("::/0", ~0ULL),
              "::/0 holds 340282366920938463463374607431768211455 addresses, more than "
              "--max-targets 18446744073709551615");
    EXPECT_EQ(error_of("2001:2::/63", ~0ULL),
              "2001:2::/63 holds 36893488147419103231 addresses, more than --max-targets "
              "18446744073709551615");
    EXPECT_EQ(error_of("0.0.0.0/0"),
              "0.0.0.0/0 holds 4294967294 addresses, more than --max-targets 1048576");
    EXPECT_EQ(count_of("198.18.0.0/28", 14), 14U);  // exactly max
    EXPECT_EQ(error_of("198.18.0.0/28", 13),
              "198.18.0.0/28 holds 14 addresses, more than --max-targets 13");
}

TEST(Targets, TotalMoreThanMax) {
    TargetSet t;
    ASSERT_FALSE(t.add("198.18.0.0/28", 20));
    const auto err = t.add("2001:2::/124", 20);
    ASSERT_TRUE(err);
    EXPECT_EQ(*err,
              "2001:2::/124 holds 15 addresses, 29 targets in all, more than --max-targets 20");
    // The refused one left nothing behind.
    EXPECT_EQ(t.size(), 14U);
    EXPECT_EQ(t.ranges().size(), 1U);
    EXPECT_FALSE(t.has_v6());
    EXPECT_FALSE(t.index_of(key6("2001:2::1")));
    ASSERT_FALSE(t.add("198.18.1.0/29", 20));
    EXPECT_EQ(t.size(), 20U);
    EXPECT_TRUE(t.add("198.18.2.1", 20));
    // The sum is computed in 128 bits: a huge max and a huge set do not wrap around.
    TargetSet h;
    ASSERT_FALSE(h.add("2001:2::/64", ~0ULL));
    EXPECT_TRUE(h.add("2001:3::/64", ~0ULL));
    EXPECT_TRUE(h.add("198.18.0.1", ~0ULL));
    EXPECT_EQ(h.size(), ~0ULL);
}

}  // namespace
