// --respond prefixes: every address of a prefix is ours (ARP, NDP, echo, errors), answered
// byte for byte as an exact address would be, on the full path and the fast path, with the
// per-prefix counters; the network and broadcast addresses of an IPv4 subnet and the
// Subnet-Router anycast address of an IPv6 prefix are not.
#include <gtest/gtest.h>

#include <vector>

#include "lib/icmp/fast_path.hh"
#include "lib/icmp/host_input.hh"
#include "lib/net/iface.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
using pw::test::same_bytes;
namespace golden = pw::golden;
using Buf = std::vector<std::byte>;

constexpr std::uint16_t slot4 = 2, slot6 = 5;

// No exact address on 198.18.0.0/24 or 2001:2::/64: both are --respond prefixes.
Iface responder() {
    Iface i;
    i.mac = mac("02:00:00:00:00:01");
    i.add_link_local();
    EXPECT_TRUE(i.add_respond_v4({ip4("198.18.0.0"), 24}, slot4));
    EXPECT_TRUE(i.add_respond_v6({ip6("2001:2::"), 64}, slot6));
    return i;
}

struct Rig {
    Iface iface = responder();
    HostPolicy policy;
    IcmpStats stats;
    std::uint16_t ident = 0;
    ErrorPlan plan;
    Sighting sighting;
    std::array<RespondCounters, pw::net::max_respond> rc{};
    HostContext ctx() {
        HostContext c;
        c.iface = &iface;
        c.policy = &policy;
        c.stats = &stats;
        c.ip_ident = &ident;
        c.plan = &plan;
        c.sighting = &sighting;
        c.respond_counters = rc.data();
        return c;
    }
};

TEST(RespondIface, V4EveryHostAddressButNetworkAndBroadcast) {
    Iface i = responder();
    EXPECT_TRUE(i.owns_v4(ip4("198.18.0.1")));
    EXPECT_TRUE(i.owns_v4(ip4("198.18.0.77")));
    EXPECT_TRUE(i.owns_v4(ip4("198.18.0.254")));
    EXPECT_FALSE(i.owns_v4(ip4("198.18.0.0")));
    EXPECT_FALSE(i.owns_v4(ip4("198.18.0.255")));
    EXPECT_FALSE(i.owns_v4(ip4("198.18.1.1")));
    EXPECT_FALSE(i.owns_v4(ip4("198.17.255.255")));
    EXPECT_EQ(i.respond_slot_v4(ip4("198.18.0.9").to_u32()), slot4);
    EXPECT_FALSE(i.owns_address_v4_u32(ip4("198.18.0.9").to_u32()));
    // RFC 3021: a /31 has two hosts; a /32 one.
    Iface j;
    EXPECT_TRUE(j.add_respond_v4({ip4("198.18.5.4"), 31}, 0));
    EXPECT_TRUE(j.add_respond_v4({ip4("198.18.6.9"), 32}, 1));
    EXPECT_TRUE(j.owns_v4(ip4("198.18.5.4")));
    EXPECT_TRUE(j.owns_v4(ip4("198.18.5.5")));
    EXPECT_FALSE(j.owns_v4(ip4("198.18.5.6")));
    EXPECT_TRUE(j.owns_v4(ip4("198.18.6.9")));
    EXPECT_FALSE(j.owns_v4(ip4("198.18.6.8")));
    EXPECT_EQ(j.respond_slot_v4(ip4("198.18.6.9").to_u32()), 1);
    // Host bits given are ignored (the prefix is its network).
    Iface k;
    EXPECT_TRUE(k.add_respond_v4({ip4("198.18.7.77"), 30}, 0));
    EXPECT_TRUE(k.owns_v4(ip4("198.18.7.77")));
    EXPECT_TRUE(k.owns_v4(ip4("198.18.7.78")));
    EXPECT_FALSE(k.owns_v4(ip4("198.18.7.76")));
    EXPECT_FALSE(k.owns_v4(ip4("198.18.7.79")));
    // The table is bounded.
    for (unsigned n = 0; n < pw::net::max_respond_per_family; ++n)
        EXPECT_EQ(k.add_respond_v4({ip4("198.19.0.0"), 24}, 0),
                  n + 1 < pw::net::max_respond_per_family);
}

TEST(RespondIface, V6EveryAddressButSubnetRouterAnycast) {
    Iface i = responder();
    EXPECT_TRUE(i.owns_v6(ip6("2001:2::1")));
    EXPECT_TRUE(i.owns_v6(ip6("2001:2::ffff:ffff:ffff:ffff")));
    EXPECT_TRUE(i.owns_v6(ip6("2001:2::77")));
    EXPECT_FALSE(i.owns_v6(ip6("2001:2::")));
    EXPECT_FALSE(i.owns_v6(ip6("2001:2:0:1::1")));
    EXPECT_EQ(i.respond_slot_v6(ip6("2001:2::abcd")), slot6);
    // A /64 is in every solicited-node group; its Ethernet groups are accepted.
    EXPECT_TRUE(i.joined_v6_group(ip6("2001:2::1234:5678").solicited_node()));
    EXPECT_TRUE(i.accepts_mac(ip6("2001:2::1234:5678").solicited_node().multicast_mac()));
    EXPECT_FALSE(i.joined_v6_group(ip6("ff02::2")));
    EXPECT_FALSE(i.accepts_mac(mac("33:33:00:00:00:02")));
    // A /120: only the groups of its own 256 addresses.
    Iface j;
    j.mac = mac("02:00:00:00:00:01");
    EXPECT_TRUE(j.add_respond_v6({ip6("2001:2:0:77::"), 120}, 0));
    EXPECT_TRUE(j.owns_v6(ip6("2001:2:0:77::ff")));
    EXPECT_FALSE(j.owns_v6(ip6("2001:2:0:77::1ff")));
    EXPECT_TRUE(j.joined_v6_group(ip6("2001:2:0:77::42").solicited_node()));
    EXPECT_FALSE(j.joined_v6_group(ip6("2001:2:0:77::142").solicited_node()));
    EXPECT_TRUE(j.accepts_mac(ip6("2001:2:0:77::42").solicited_node().multicast_mac()));
    EXPECT_FALSE(j.accepts_mac(ip6("2001:2:0:77::142").solicited_node().multicast_mac()));
    // /127 and /128: every address (no anycast address to keep).
    Iface k;
    EXPECT_TRUE(k.add_respond_v6({ip6("2001:2::8"), 127}, 0));
    EXPECT_TRUE(k.owns_v6(ip6("2001:2::8")));
    EXPECT_TRUE(k.owns_v6(ip6("2001:2::9")));
    EXPECT_FALSE(k.owns_v6(ip6("2001:2::a")));
}

struct Case {
    const char* name;
    std::span<const std::uint8_t> req, reply;
    Reply kind;
};

TEST(Respond, AnsweredByteForByteAsAnExactAddressAndCounted) {
    const Case cases[] = {
        {"echo4", golden::echo4_req, golden::echo4_reply, Reply::echo4_reply},
        {"echo4_big", golden::echo4_big_req, golden::echo4_big_reply, Reply::echo4_reply},
        {"arp", golden::arp_req, golden::arp_reply, Reply::arp_reply},
        {"arp_probe", golden::arp_probe_req, golden::arp_probe_reply, Reply::arp_reply},
        {"echo6", golden::echo6_req, golden::echo6_reply, Reply::echo6_reply},
        {"echo6_hbh", golden::echo6_hbh_req, golden::echo6_hbh_reply, Reply::echo6_reply},
        {"ns_mcast", golden::ns_mcast_req, golden::ns_mcast_reply, Reply::nd_advert},
        {"ns_unicast", golden::ns_unicast_req, golden::ns_unicast_reply, Reply::nd_advert},
        {"ns_dad", golden::ns_dad_req, golden::ns_dad_reply, Reply::nd_advert},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Rig rig;
        Buf b = pw::test::copy(c.req);
        b.resize(b.size() + 128, pw::test::fill_byte);
        const Verdict v = host_input(b, c.req.size(), rig.ctx());
        ASSERT_EQ(v.next, Next::reply) << pw::wire::drop_name(v.drop);
        EXPECT_EQ(v.kind, c.kind);
        EXPECT_TRUE(same_bytes(pw::wire::ConstBytes(b).first(v.len), c.reply));
        const bool v6 = c.kind == Reply::echo6_reply || c.kind == Reply::nd_advert;
        const RespondCounters& rc = rig.rc[v6 ? slot6 : slot4];
        const bool neigh = c.kind == Reply::arp_reply || c.kind == Reply::nd_advert;
        EXPECT_EQ(rc.echo, neigh ? 0U : 1U);
        EXPECT_EQ(rc.neigh, neigh ? 1U : 0U);
        EXPECT_EQ(rc.other, 0U);
    }
}

TEST(Respond, ErrorsComeFromTheAddressAskedAndCountAsOther) {
    Rig rig;
    Buf b = pw::test::copy(golden::bad_ip4_udp);  // UDP to 198.18.0.1, a closed port
    const Verdict v = host_input(b, b.size(), rig.ctx());
    ASSERT_EQ(v.next, Next::error);
    ASSERT_TRUE(v.error_to_send());
    EXPECT_EQ(rig.plan.src4, ip4("198.18.0.1"));
    EXPECT_EQ(rig.rc[slot4].other, 1U);
    Buf b6 = pw::test::copy(golden::bad_ip6_udp);
    const Verdict v6 = host_input(b6, b6.size(), rig.ctx());
    ASSERT_TRUE(v6.error_to_send());
    EXPECT_EQ(rig.plan.src6, ip6("2001:2::1"));
    EXPECT_EQ(rig.rc[slot6].other, 1U);
}

TEST(Respond, BroadcastOfThePrefixIsNotAnswered) {
    Rig rig;
    Buf b = pw::test::copy(golden::bad_echo4_directed_broadcast);  // to 198.18.0.255
    const Verdict v = host_input(b, b.size(), rig.ctx());
    EXPECT_NE(v.next, Next::reply);
    EXPECT_EQ(rig.rc[slot4].total(), 0U);
}

TEST(Respond, FastPathAnswersAndCountsAsTheFullPath) {
    Rig rig;
    FastPolicy fp = make_fast_policy(rig.policy, RateLimitConfig{}, false);
    fp.respond = rig.rc.data();
    fp.echo4 = fp.echo6 = true;
    Buf b4 = pw::test::copy(golden::echo4_req);
    const std::size_t n4 = echo4_fast(b4, rig.iface, fp);
    ASSERT_EQ(n4, golden::echo4_reply.size());
    EXPECT_TRUE(same_bytes(pw::wire::ConstBytes(b4).first(n4), golden::echo4_reply));
    Buf b6 = pw::test::copy(golden::echo6_req);
    const std::size_t n6 = echo6_fast(b6, rig.iface, fp);
    ASSERT_EQ(n6, golden::echo6_reply.size());
    EXPECT_TRUE(same_bytes(pw::wire::ConstBytes(b6).first(n6), golden::echo6_reply));
    EXPECT_EQ(rig.rc[slot4].echo, 1U);
    EXPECT_EQ(rig.rc[slot6].echo, 1U);
    // An exact address is not counted as a prefix's.
    Iface both = responder();
    ASSERT_TRUE(both.add_v4({ip4("198.18.0.1"), 24}));
    Buf e = pw::test::copy(golden::echo4_req);
    EXPECT_NE(echo4_fast(e, both, fp), 0U);
    EXPECT_EQ(rig.rc[slot4].echo, 1U);
}

}  // namespace
