// Addresses and prefixes: parsing, formatting, classes, and the IPv6 derivations (EUI-64
// link-local, solicited-node groups, multicast MACs) against scapy's.
#include "lib/wire/addr.hh"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
namespace golden = pw::golden;

Ipv6Addr v6_of(std::span<const std::uint8_t> b) {
    Ipv6Addr a;
    EXPECT_EQ(b.size(), 16U);
    std::memcpy(a.bytes.data(), b.data(), 16);
    return a;
}
MacAddr mac_of(std::span<const std::uint8_t> b) {
    MacAddr m;
    EXPECT_EQ(b.size(), 6U);
    std::memcpy(m.bytes.data(), b.data(), 6);
    return m;
}

// --- MAC ---------------------------------------------------------------------------------

TEST(MacAddr, ParseAndFormat) {
    const auto m = MacAddr::parse("02:00:00:00:00:01");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->bytes, (std::array<std::uint8_t, 6>{2, 0, 0, 0, 0, 1}));
    EXPECT_EQ(m->to_string(), "02:00:00:00:00:01");
    EXPECT_EQ(MacAddr::parse("02-00-00-00-00-99")->to_string(), "02:00:00:00:00:99");
    EXPECT_EQ(MacAddr::parse("FE:dc:BA:98:76:54")->to_string(), "fe:dc:ba:98:76:54");
    EXPECT_EQ(MacAddr::parse("ff:ff:ff:ff:ff:ff"), MacAddr::broadcast());
    for (const char* bad :
         {"", "02:00:00:00:00", "02:00:00:00:00:01:", "02:00:00:00:00:1", "2:00:00:00:00:01",
          "02:00:00:00:00:0g", "02.00.00.00.00.01", "02:00:00:00:00:01 ", "0200:00:00:00:01",
          "02:00:00:00:00:001", "g2:00:00:00:00:01"}) {
        EXPECT_FALSE(MacAddr::parse(bad)) << bad;
    }
}

TEST(MacAddr, Classes) {
    EXPECT_TRUE(MacAddr::broadcast().is_broadcast());
    EXPECT_TRUE(MacAddr::broadcast().is_group());
    EXPECT_TRUE(mac("33:33:00:00:00:01").is_group());
    EXPECT_TRUE(mac("01:00:5e:00:00:01").is_group());
    EXPECT_FALSE(mac("33:33:00:00:00:01").is_broadcast());
    EXPECT_FALSE(mac("02:00:00:00:00:01").is_group());
    EXPECT_FALSE(mac("02:00:00:00:00:01").is_zero());
    EXPECT_TRUE(MacAddr{}.is_zero());
    EXPECT_EQ(MacAddr{}.to_string(), "00:00:00:00:00:00");
    static_assert(MacAddr::broadcast().is_group());
}

// --- IPv4 --------------------------------------------------------------------------------

TEST(Ipv4Addr, ParseAndFormat) {
    const auto a = Ipv4Addr::parse("198.18.0.1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->bytes, (std::array<std::uint8_t, 4>{198, 18, 0, 1}));
    EXPECT_EQ(a->to_string(), "198.18.0.1");
    EXPECT_EQ(a->to_u32(), 0xc6120001U);
    EXPECT_EQ(Ipv4Addr::from_u32(0xc613ff01U).to_string(), "198.19.255.1");
    EXPECT_EQ(Ipv4Addr::from_u32(0xc6120001U), *a);
    EXPECT_EQ(Ipv4Addr{}.to_string(), "0.0.0.0");
    EXPECT_EQ(ip4("255.255.255.255").to_u32(), 0xffffffffU);
    for (const char* bad : {"", "198.18.0", "198.18.0.256", "198.18.0.1/24", " 198.18.0.1",
                            "198.18.0.1.", "198.18..1", "2001:2::1", "198.18.0.a"}) {
        EXPECT_FALSE(Ipv4Addr::parse(bad)) << bad;
    }
    static_assert(Ipv4Addr::from_u32(0x01020304).to_u32() == 0x01020304);
}

TEST(Ipv4Addr, Classes) {
    EXPECT_TRUE(Ipv4Addr{}.is_unspecified());
    EXPECT_FALSE(ip4("198.18.0.1").is_unspecified());
    EXPECT_TRUE(ip4("255.255.255.255").is_limited_broadcast());
    EXPECT_FALSE(ip4("198.18.0.255").is_limited_broadcast());
    EXPECT_TRUE(ip4("224.0.0.1").is_multicast());
    EXPECT_TRUE(ip4("239.255.255.255").is_multicast());
    EXPECT_FALSE(ip4("240.0.0.1").is_multicast());
    EXPECT_FALSE(ip4("223.255.255.255").is_multicast());
    EXPECT_TRUE(ip4("127.0.0.1").is_loopback());
    EXPECT_TRUE(ip4("127.255.255.254").is_loopback());
    EXPECT_FALSE(ip4("198.18.0.1").is_loopback());
}

TEST(Ipv4Addr, MartianSources) {
    // RFC 1122 3.2.1.3, RFC 1812 5.3.7: 0/8, 127/8, 224/4, 240/4 never name a unique host.
    for (const char* m :
         {"0.0.0.0", "0.1.2.3", "0.255.255.255", "127.0.0.1", "127.1.2.3", "224.0.0.1", "239.1.2.3",
          "240.0.0.1", "254.255.255.255", "255.255.255.255"}) {
        EXPECT_TRUE(ip4(m).is_martian_source()) << m;
    }
    for (const char* ok : {"198.18.0.1", "198.19.255.254", "198.18.0.255", "1.0.0.0",
                           "126.255.255.255", "128.0.0.0", "223.255.255.255"}) {
        EXPECT_FALSE(ip4(ok).is_martian_source()) << ok;
    }
}

TEST(Ipv4Prefix, MaskContainsBroadcast) {
    const Ipv4Prefix p24{ip4("198.18.0.1"), 24};
    EXPECT_EQ(p24.mask(), 0xffffff00U);
    EXPECT_TRUE(p24.contains(ip4("198.18.0.0")));
    EXPECT_TRUE(p24.contains(ip4("198.18.0.255")));
    EXPECT_FALSE(p24.contains(ip4("198.18.1.1")));
    EXPECT_EQ(p24.directed_broadcast(), ip4("198.18.0.255"));

    const Ipv4Prefix p15{ip4("198.18.7.9"), 15};
    EXPECT_EQ(p15.mask(), 0xfffe0000U);
    EXPECT_TRUE(p15.contains(ip4("198.19.255.255")));
    EXPECT_FALSE(p15.contains(ip4("198.20.0.0")));
    EXPECT_EQ(p15.directed_broadcast(), ip4("198.19.255.255"));

    const Ipv4Prefix p30{ip4("198.18.0.5"), 30};
    EXPECT_EQ(p30.directed_broadcast(), ip4("198.18.0.7"));
    // RFC 3021: /31 and /32 have no broadcast address.
    EXPECT_FALSE((Ipv4Prefix{ip4("198.18.0.0"), 31}.directed_broadcast()));
    EXPECT_FALSE((Ipv4Prefix{ip4("198.19.255.1"), 32}.directed_broadcast()));
    EXPECT_TRUE((Ipv4Prefix{ip4("198.18.0.0"), 31}.contains(ip4("198.18.0.1"))));
    EXPECT_FALSE((Ipv4Prefix{ip4("198.18.0.0"), 31}.contains(ip4("198.18.0.2"))));

    const Ipv4Prefix p32{ip4("198.19.255.1"), 32};
    EXPECT_EQ(p32.mask(), 0xffffffffU);
    EXPECT_TRUE(p32.contains(ip4("198.19.255.1")));
    EXPECT_FALSE(p32.contains(ip4("198.19.255.0")));

    const Ipv4Prefix p0{ip4("198.18.0.1"), 0};
    EXPECT_EQ(p0.mask(), 0U);
    EXPECT_TRUE(p0.contains(ip4("198.19.1.1")));
    EXPECT_EQ(p0.directed_broadcast(), ip4("255.255.255.255"));

    for (unsigned len = 0; len <= 32; ++len) {
        const Ipv4Prefix p{ip4("198.18.0.1"), static_cast<std::uint8_t>(len)};
        EXPECT_EQ(std::popcount(p.mask()), static_cast<int>(len)) << len;
        EXPECT_TRUE(p.contains(ip4("198.18.0.1"))) << len;
    }
}

// --- IPv6 --------------------------------------------------------------------------------

TEST(Ipv6Addr, ParseAndFormat) {
    const auto a = Ipv6Addr::parse("2001:2::1");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->bytes[0], 0x20);
    EXPECT_EQ(a->bytes[1], 0x01);
    EXPECT_EQ(a->bytes[3], 0x02);
    EXPECT_EQ(a->bytes[15], 0x01);
    EXPECT_EQ(a->to_string(), "2001:2::1");
    EXPECT_EQ(ip6("2001:0002:0000:0001:0000:0000:0000:0010").to_string(), "2001:2:0:1::10");
    EXPECT_EQ(ip6("FE80::FF:FE00:1").to_string(), "fe80::ff:fe00:1");
    EXPECT_EQ(Ipv6Addr{}.to_string(), "::");
    EXPECT_EQ(Ipv6Addr::all_nodes().to_string(), "ff02::1");
    for (const char* bad : {"", "2001:2::1::2", "2001:2:::1", "2001:2::g", "2001:2::1/64",
                            "198.18.0.1", "1:2:3:4:5:6:7:8:9", "12345::1", " ::1"}) {
        EXPECT_FALSE(Ipv6Addr::parse(bad)) << bad;
    }
}

TEST(Ipv6Addr, Classes) {
    EXPECT_TRUE(Ipv6Addr{}.is_unspecified());
    EXPECT_FALSE(ip6("::1").is_unspecified());
    EXPECT_TRUE(ip6("::1").is_loopback());
    EXPECT_FALSE(ip6("::2").is_loopback());
    EXPECT_FALSE(ip6("1::1").is_loopback());
    EXPECT_TRUE(ip6("ff02::1").is_multicast());
    EXPECT_TRUE(ip6("ff02::1:ff00:1").is_multicast());
    EXPECT_FALSE(ip6("fe80::1").is_multicast());
    EXPECT_TRUE(ip6("fe80::ff:fe00:1").is_link_local());
    EXPECT_TRUE(ip6("febf:ffff::1").is_link_local());  // fe80::/10
    EXPECT_FALSE(ip6("fec0::1").is_link_local());
    EXPECT_FALSE(ip6("2001:2::1").is_link_local());
    EXPECT_EQ(Ipv6Addr::all_nodes(), ip6("ff02::1"));
}

TEST(Ipv6Addr, LinkLocalFromMacIsScapysEui64) {
    EXPECT_EQ(Ipv6Addr::link_local_from_mac(mac("02:00:00:00:00:01")), v6_of(golden::ll_of_us_mac));
    EXPECT_EQ(Ipv6Addr::link_local_from_mac(mac("02:00:00:00:00:01")), ip6("fe80::ff:fe00:1"));
    // The universal/local bit flips both ways (RFC 4291 2.5.1).
    EXPECT_EQ(Ipv6Addr::link_local_from_mac(mac("00:00:5e:00:53:01")), v6_of(golden::ll_of_mac_a));
    EXPECT_EQ(Ipv6Addr::link_local_from_mac(mac("00:00:5e:00:53:01")),
              ip6("fe80::200:5eff:fe00:5301"));
    EXPECT_EQ(Ipv6Addr::link_local_from_mac(mac("fe:ff:ff:ff:ff:fe")), v6_of(golden::ll_of_mac_b));
    static_assert(Ipv6Addr::link_local_from_mac(MacAddr{{2, 0, 0, 0, 0, 1}}).is_link_local());
}

TEST(Ipv6Addr, SolicitedNodeIsScapys) {
    EXPECT_EQ(ip6("2001:2::1").solicited_node(), v6_of(golden::snm_of_us6));
    EXPECT_EQ(ip6("2001:2:0:1::10").solicited_node(), v6_of(golden::snm_of_us6b));
    EXPECT_EQ(ip6("2001:2::ab:cdef:1234").solicited_node(), v6_of(golden::snm_of_2001_2_abcd));
    EXPECT_EQ(ip6("2001:2::ab:cdef:1234").solicited_node(), ip6("ff02::1:ffef:1234"));
    // The link-local and the global address of one host share the group when their low 24
    // bits agree.
    EXPECT_EQ(ip6("fe80::ff:fe00:1").solicited_node(), ip6("2001:2::1").solicited_node());
    // A solicited-node address is its own group.
    EXPECT_EQ(ip6("ff02::1:ff00:1").solicited_node(), ip6("ff02::1:ff00:1"));
}

TEST(Ipv6Addr, MulticastMacIsScapys) {
    EXPECT_EQ(ip6("2001:2::1").solicited_node().multicast_mac(), mac_of(golden::snm_mac_of_us6));
    EXPECT_EQ(ip6("2001:2::ab:cdef:1234").solicited_node().multicast_mac(),
              mac_of(golden::snm_mac_of_2001_2_abcd));
    EXPECT_EQ(Ipv6Addr::all_nodes().multicast_mac(), mac_of(golden::mac_of_allnodes));
    EXPECT_EQ(Ipv6Addr::all_nodes().multicast_mac(), mac("33:33:00:00:00:01"));
}

TEST(Ipv6Prefix, Contains) {
    const Ipv6Prefix p64{ip6("2001:2::1"), 64};
    EXPECT_TRUE(p64.contains(ip6("2001:2::2")));
    EXPECT_TRUE(p64.contains(ip6("2001:2::ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(p64.contains(ip6("2001:2:0:1::1")));
    const Ipv6Prefix p48{ip6("2001:2::1"), 48};
    EXPECT_TRUE(p48.contains(ip6("2001:2:0:ffff::1")));
    EXPECT_FALSE(p48.contains(ip6("2001:3::1")));
    // Lengths that end inside a byte.
    const Ipv6Prefix p65{ip6("2001:2::1"), 65};
    EXPECT_TRUE(p65.contains(ip6("2001:2::7fff:ffff:ffff:ffff")));
    EXPECT_FALSE(p65.contains(ip6("2001:2::8000:0:0:0")));
    const Ipv6Prefix p10{ip6("fe80::1"), 10};
    EXPECT_TRUE(p10.contains(ip6("febf::1")));
    EXPECT_FALSE(p10.contains(ip6("fec0::1")));
    const Ipv6Prefix p127{ip6("2001:2::2"), 127};
    EXPECT_TRUE(p127.contains(ip6("2001:2::3")));
    EXPECT_FALSE(p127.contains(ip6("2001:2::1")));
    const Ipv6Prefix p128{ip6("2001:2::1"), 128};
    EXPECT_TRUE(p128.contains(ip6("2001:2::1")));
    EXPECT_FALSE(p128.contains(ip6("2001:2::1:1")));
    const Ipv6Prefix p0{ip6("2001:2::1"), 0};
    EXPECT_TRUE(p0.contains(ip6("ff02::1")));
    EXPECT_TRUE(p0.contains(Ipv6Addr{}));
}

}  // namespace
