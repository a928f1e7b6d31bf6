// The interface value the handlers consult: address tables and their data-path lookups.
#include "lib/net/iface.hh"

#include <gtest/gtest.h>

#include "tests/unit/test_util.hh"

namespace {

using namespace pw::net;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;

// The interface of host_input_test and of the golden vectors.
Iface make_iface() {
    Iface i;
    i.mac = mac("02:00:00:00:00:01");
    EXPECT_TRUE(i.add_v4({ip4("198.18.0.1"), 24}));
    EXPECT_TRUE(i.add_v4({ip4("198.19.255.1"), 32}));
    EXPECT_TRUE(i.add_v6({ip6("2001:2::1"), 64}));
    EXPECT_TRUE(i.add_v6({ip6("2001:2:0:1::10"), 64}));
    i.add_link_local();
    return i;
}

TEST(Iface, AddAddresses) {
    Iface i;
    EXPECT_TRUE(i.add_v4({ip4("198.18.0.1"), 24}));
    EXPECT_FALSE(i.add_v4({ip4("198.18.0.1"), 16}));  // already there
    EXPECT_EQ(i.n4, 1);
    for (unsigned k = 2; k <= max_addrs_per_family; ++k)
        EXPECT_TRUE(i.add_v4({Ipv4Addr::from_u32(0xc6120000U + k), 24})) << k;
    EXPECT_EQ(i.n4, max_addrs_per_family);
    EXPECT_FALSE(i.add_v4({ip4("198.19.0.1"), 24}));  // full
    EXPECT_FALSE(i.owns_v4(ip4("198.19.0.1")));

    EXPECT_TRUE(i.add_v6({ip6("2001:2::1"), 64}));
    EXPECT_FALSE(i.add_v6({ip6("2001:2::1"), 48}));
    EXPECT_EQ(i.n6, 1);
}

TEST(Iface, LinkLocalGoesFirst) {
    Iface i = make_iface();
    ASSERT_EQ(i.n6, 3);
    EXPECT_EQ(i.v6[0].addr, ip6("fe80::ff:fe00:1"));
    EXPECT_EQ(i.v6[0].len, 64);
    EXPECT_EQ(i.v6[1].addr, ip6("2001:2::1"));
    EXPECT_EQ(i.v6[2].addr, ip6("2001:2:0:1::10"));
    i.add_link_local();  // idempotent
    EXPECT_EQ(i.n6, 3);

    // On a full table the link-local address still goes first; the last address makes room.
    Iface f;
    f.mac = mac("02:00:00:00:00:01");
    for (unsigned k = 0; k < max_addrs_per_family; ++k) {
        Ipv6Addr a = ip6("2001:2::");
        a.bytes[15] = static_cast<std::uint8_t>(k + 1);
        EXPECT_TRUE(f.add_v6({a, 64}));
    }
    f.add_link_local();
    EXPECT_EQ(f.n6, max_addrs_per_family);
    EXPECT_EQ(f.v6[0].addr, ip6("fe80::ff:fe00:1"));
    EXPECT_EQ(f.v6[1].addr, ip6("2001:2::1"));
    EXPECT_EQ(f.v6[max_addrs_per_family - 1].addr, ip6("2001:2::f"));
    EXPECT_FALSE(f.owns_v6(ip6("2001:2::10")));
}

TEST(Iface, Ipv4Lookups) {
    const Iface i = make_iface();
    EXPECT_TRUE(i.owns_v4(ip4("198.18.0.1")));
    EXPECT_TRUE(i.owns_v4(ip4("198.19.255.1")));
    EXPECT_FALSE(i.owns_v4(ip4("198.18.0.2")));
    EXPECT_FALSE(i.owns_v4(ip4("198.18.0.255")));
    EXPECT_TRUE(i.is_v4_broadcast(ip4("255.255.255.255")));
    EXPECT_TRUE(i.is_v4_broadcast(ip4("198.18.0.255")));
    EXPECT_FALSE(i.is_v4_broadcast(ip4("198.18.0.1")));
    EXPECT_FALSE(i.is_v4_broadcast(ip4("198.18.0.0")));
    // A /32 has no broadcast address.
    EXPECT_FALSE(i.is_v4_broadcast(ip4("198.19.255.255")));
    EXPECT_FALSE(i.is_v4_broadcast(ip4("198.19.255.1")));
    const Iface none;
    EXPECT_TRUE(none.is_v4_broadcast(ip4("255.255.255.255")));
    EXPECT_FALSE(none.owns_v4(Ipv4Addr{}));
}

TEST(Iface, Ipv6Lookups) {
    const Iface i = make_iface();
    EXPECT_TRUE(i.owns_v6(ip6("2001:2::1")));
    EXPECT_TRUE(i.owns_v6(ip6("2001:2:0:1::10")));
    EXPECT_TRUE(i.owns_v6(ip6("fe80::ff:fe00:1")));
    EXPECT_FALSE(i.owns_v6(ip6("2001:2::2")));
    EXPECT_FALSE(i.owns_v6(ip6("ff02::1")));
    EXPECT_FALSE(i.owns_v6(Ipv6Addr{}));

    EXPECT_TRUE(i.joined_v6_group(ip6("ff02::1")));
    EXPECT_TRUE(i.joined_v6_group(ip6("ff02::1:ff00:1")));   // 2001:2::1 and fe80::ff:fe00:1
    EXPECT_TRUE(i.joined_v6_group(ip6("ff02::1:ff00:10")));  // 2001:2:0:1::10
    EXPECT_FALSE(i.joined_v6_group(ip6("ff02::2")));
    EXPECT_FALSE(i.joined_v6_group(ip6("ff02::1:ff00:2")));
    EXPECT_FALSE(i.joined_v6_group(ip6("ff05::1:ff00:1")));
    EXPECT_FALSE(i.joined_v6_group(ip6("2001:2::1")));
    // All-nodes needs no address.
    EXPECT_TRUE(Iface{}.joined_v6_group(ip6("ff02::1")));
}

TEST(Iface, AcceptsMac) {
    const Iface i = make_iface();
    EXPECT_TRUE(i.accepts_mac(mac("02:00:00:00:00:01")));
    EXPECT_TRUE(i.accepts_mac(mac("ff:ff:ff:ff:ff:ff")));
    EXPECT_TRUE(i.accepts_mac(mac("33:33:00:00:00:01")));
    EXPECT_TRUE(i.accepts_mac(mac("33:33:ff:00:00:01")));
    EXPECT_TRUE(i.accepts_mac(mac("33:33:ff:00:00:10")));
    EXPECT_FALSE(i.accepts_mac(mac("02:00:00:00:00:02")));
    EXPECT_FALSE(i.accepts_mac(mac("33:33:00:00:00:02")));
    EXPECT_FALSE(i.accepts_mac(mac("33:33:ff:00:00:02")));
    EXPECT_FALSE(i.accepts_mac(mac("01:00:5e:00:00:01")));
    EXPECT_FALSE(i.accepts_mac(MacAddr{}));
}

TEST(Iface, SourceForV6) {
    const Iface i = make_iface();
    EXPECT_EQ(i.source_for_v6(ip6("fe80::ff:fe00:2")), ip6("fe80::ff:fe00:1"));
    EXPECT_EQ(i.source_for_v6(ip6("2001:2::2")), ip6("2001:2::1"));
    EXPECT_EQ(i.source_for_v6(ip6("2001:2:0:1::2")), ip6("2001:2:0:1::10"));
    // No prefix holds it: the first global address.
    EXPECT_EQ(i.source_for_v6(ip6("2001:2:0:9::1")), ip6("2001:2::1"));

    Iface ll_only;
    ll_only.mac = mac("02:00:00:00:00:01");
    ll_only.add_link_local();
    EXPECT_EQ(ll_only.source_for_v6(ip6("2001:2::2")), ip6("fe80::ff:fe00:1"));
    EXPECT_EQ(ll_only.source_for_v6(ip6("fe80::2")), ip6("fe80::ff:fe00:1"));

    Iface global_only;
    EXPECT_TRUE(global_only.add_v6({ip6("2001:2::1"), 64}));
    EXPECT_EQ(global_only.source_for_v6(ip6("fe80::2")), ip6("2001:2::1"));

    EXPECT_FALSE(Iface{}.source_for_v6(ip6("2001:2::2")));
}

}  // namespace
