// The interface value the handlers consult: address tables and their data-path lookups.
#include "lib/net/iface.hh"

#include <gtest/gtest.h>

#include <random>
#include <vector>

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

// The lookups as they were before their facts were precomputed: the reference.
bool ref_owns_v4(const Iface& i, const Ipv4Addr& a) {
    for (std::size_t k = 0; k < i.n4; ++k)
        if (i.v4[k].addr == a) return true;
    return false;
}
bool ref_is_v4_broadcast(const Iface& i, const Ipv4Addr& a) {
    const std::uint32_t x = a.to_u32();
    if (x == 0xffffffffU) return true;
    for (std::size_t k = 0; k < i.n4; ++k) {
        const std::uint32_t m = i.v4[k].mask();
        if (i.v4[k].len < 31 && (x | m) == 0xffffffffU && ((x ^ i.v4[k].addr.to_u32()) & m) == 0)
            return true;
    }
    return false;
}
bool ref_accepts_mac(const Iface& i, const MacAddr& m) {
    if (m == i.mac || m.is_broadcast()) return true;
    if (m == Ipv6Addr::all_nodes().multicast_mac()) return true;
    for (std::size_t k = 0; k < i.n6; ++k)
        if (i.v6[k].addr.solicited_node().multicast_mac() == m) return true;
    return false;
}

TEST(Iface, PrecomputedFactsFollowEveryAdd) {
    // Addresses added one by one (random prefixes, /0 to /32, some in one subnet so that
    // broadcasts repeat): after each add, every lookup agrees with the reference for the
    // addresses, their broadcasts, their neighbours and random ones.
    std::mt19937 rng(922);
    for (int round = 0; round < 300; ++round) {
        Iface i;
        i.mac = MacAddr{{0x02, 0, 0, 0, static_cast<std::uint8_t>(round), 1}};
        std::vector<Ipv4Addr> probes{ip4("255.255.255.255"), ip4("0.0.0.0")};
        std::vector<MacAddr> macs{i.mac, MacAddr::broadcast(), mac("33:33:00:00:00:01"),
                                  mac("33:33:00:00:00:02"), MacAddr{}};
        const auto base = static_cast<std::uint32_t>(0xc6120000U | (rng() % 4) << 8);
        for (int k = 0; k < 20; ++k) {
            const auto len = static_cast<std::uint8_t>(k % 7 == 0 ? rng() % 33 : 20 + rng() % 13);
            const Ipv4Addr a = Ipv4Addr::from_u32(k % 3 == 0 ? static_cast<std::uint32_t>(rng())
                                                             : base | (rng() % 1024));
            const bool fresh = i.n4 < max_addrs_per_family && !ref_owns_v4(i, a);
            EXPECT_EQ(i.add_v4({a, len}), fresh);
            probes.push_back(a);
            probes.push_back(Ipv4Addr::from_u32(a.to_u32() + 1));
            probes.push_back(Ipv4Addr::from_u32(a.to_u32() | ~Ipv4Prefix{a, len}.mask()));
            probes.push_back(Ipv4Addr::from_u32(a.to_u32() & Ipv4Prefix{a, len}.mask()));
            probes.push_back(Ipv4Addr::from_u32(static_cast<std::uint32_t>(rng())));

            Ipv6Addr a6 = ip6("2001:2::");
            for (std::size_t b = 8; b < 16; ++b)
                a6.bytes[b] = static_cast<std::uint8_t>(k % 2 == 0 ? rng() % 4 : rng());
            i.add_v6({a6, 64});
            if (k == 5) i.add_link_local();
            macs.push_back(a6.solicited_node().multicast_mac());
            MacAddr near = a6.solicited_node().multicast_mac();
            near.bytes[5] ^= 1;
            macs.push_back(near);
            MacAddr r;
            for (auto& b : r.bytes) b = static_cast<std::uint8_t>(rng());
            macs.push_back(r);

            for (const auto& p : probes) {
                ASSERT_EQ(i.owns_v4(p), ref_owns_v4(i, p)) << p.to_string();
                ASSERT_EQ(i.is_v4_broadcast(p), ref_is_v4_broadcast(i, p)) << p.to_string();
            }
            for (const auto& m : macs)
                ASSERT_EQ(i.accepts_mac(m), ref_accepts_mac(i, m)) << m.to_string();
        }
        // Each broadcast and each group is listed once, and the lists have room for all.
        EXPECT_LE(i.n_bcast4, max_addrs_per_family + 1);
        EXPECT_LE(i.n_groups, max_addrs_per_family + 1);
        for (std::size_t a = 0; a < i.n_bcast4; ++a)
            for (std::size_t b = a + 1; b < i.n_bcast4; ++b) EXPECT_NE(i.bcast4[a], i.bcast4[b]);
        for (std::size_t a = 0; a < i.n_groups; ++a)
            for (std::size_t b = a + 1; b < i.n_groups; ++b)
                EXPECT_NE(i.group_keys[a], i.group_keys[b]);
    }
}

TEST(Iface, DefaultAndChangedMac) {
    // An interface with no address accepts broadcast and all-nodes, and its own MAC, set at
    // any time (nothing derived from the MAC is cached).
    Iface i;
    EXPECT_TRUE(i.accepts_mac(MacAddr::broadcast()));
    EXPECT_TRUE(i.accepts_mac(mac("33:33:00:00:00:01")));
    EXPECT_TRUE(i.accepts_mac(MacAddr{}));  // the unset MAC is all zeros
    EXPECT_TRUE(i.add_v4({ip4("198.18.0.1"), 24}));
    i.mac = mac("02:00:00:00:00:07");
    EXPECT_TRUE(i.accepts_mac(mac("02:00:00:00:00:07")));
    EXPECT_FALSE(i.accepts_mac(MacAddr{}));
    EXPECT_FALSE(i.accepts_mac(mac("02:00:00:00:00:01")));
    // A copy carries its facts.
    const Iface c = i;
    EXPECT_TRUE(c.is_v4_broadcast(ip4("198.18.0.255")));
    EXPECT_TRUE(c.owns_v4_u32(0xc6120001U));
    EXPECT_TRUE(c.accepts_mac_key(mac_key(mac("02:00:00:00:00:07"))));
}

TEST(Iface, MacKeys) {
    // Equal MACs, equal keys; any differing byte, a different key; the constant form agrees.
    std::mt19937 rng(2464);
    for (int n = 0; n < 100000; ++n) {
        MacAddr a;
        for (auto& b : a.bytes) b = static_cast<std::uint8_t>(rng());
        ASSERT_EQ(mac_key(a), mac_key_constant(a));
        ASSERT_LT(mac_key(a), 1ULL << 48);
        MacAddr b = a;
        b.bytes[rng() % 6] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        ASSERT_NE(mac_key(a), mac_key(b));
    }
    EXPECT_EQ(broadcast_mac_key, mac_key(MacAddr::broadcast()));
    EXPECT_EQ(all_nodes_mac_key, mac_key(mac("33:33:00:00:00:01")));
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

TEST(Iface, Aliases) {
    Iface ifc;
    ifc.add_v4({ip4("198.18.0.1"), 24});
    ifc.add_v6({ip6("2001:2::1"), 64});
    EXPECT_FALSE(ifc.owns_v4(ip4("198.18.0.100")));
    ifc.alias4_first = ip4("198.18.0.100").to_u32();
    ifc.alias4_count = 10;
    EXPECT_TRUE(ifc.owns_v4(ip4("198.18.0.100")));
    EXPECT_TRUE(ifc.owns_v4(ip4("198.18.0.109")));
    EXPECT_FALSE(ifc.owns_v4(ip4("198.18.0.110")));
    EXPECT_FALSE(ifc.owns_v4(ip4("198.18.0.99")));
    EXPECT_TRUE(ifc.owns_v4(ip4("198.18.0.1")));

    const auto base = ip6("2001:2::1");
    EXPECT_EQ(Iface::alias6(base, 1), ip6("2001:2::1:0:1"));
    EXPECT_EQ(Iface::alias6(base, 0x10000), ip6("2001:2::1:0:0:1"));
    EXPECT_FALSE(ifc.owns_v6(Iface::alias6(base, 1)));
    ifc.alias6_base = base;
    ifc.alias6_count = 300;
    EXPECT_TRUE(ifc.owns_v6(Iface::alias6(base, 1)));
    EXPECT_TRUE(ifc.owns_v6(Iface::alias6(base, 300)));
    EXPECT_FALSE(ifc.owns_v6(Iface::alias6(base, 301)));
    EXPECT_TRUE(ifc.owns_v6(base));
    EXPECT_FALSE(ifc.owns_v6(ip6("2001:2::1:0:2")));  // other low bytes
    EXPECT_FALSE(ifc.owns_v6(ip6("2001:3::1:0:1")));  // other prefix
    // The aliases' solicited-node group is the base's: NDP for them reaches us.
    EXPECT_EQ(Iface::alias6(base, 7).solicited_node(), base.solicited_node());
    EXPECT_TRUE(ifc.joined_v6_group(Iface::alias6(base, 7).solicited_node()));
}
