// IEEE 802.1Q sub-interfaces in host_input: a tagged frame whose VID is a sub-interface of its
// port is handled exactly as the same frame untagged on an interface holding the
// sub-interface's addresses; the answer in place keeps the tag (PCP and all), an error built
// fresh gets the VID's tag; unknown VIDs and priority tags are dropped by name; untagged
// frames stay on the port. Every golden request is tried both ways.
#include "lib/icmp/host_input.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "lib/icmp/deferred_error.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/wire/ethernet.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
using pw::test::same_bytes;
namespace golden = pw::golden;
namespace eth = pw::wire::eth;
using Buf = std::vector<std::byte>;

constexpr std::uint16_t vid = 100;
constexpr std::uint16_t tci = 0xa000 | vid;  // PCP 5, as the golden vlan_echo4_req

// The addresses make_vectors.py answers from (host_input_test's interface).
Iface with_golden_addresses() {
    Iface i;
    i.mac = mac("02:00:00:00:00:01");
    EXPECT_TRUE(i.add_v4({ip4("198.18.0.1"), 24}));
    EXPECT_TRUE(i.add_v4({ip4("198.19.255.1"), 32}));
    EXPECT_TRUE(i.add_v6({ip6("2001:2::1"), 64}));
    EXPECT_TRUE(i.add_v6({ip6("2001:2:0:1::10"), 64}));
    i.add_link_local();
    return i;
}

// A port with other addresses of its own and sub-interface `vid` holding the golden ones.
struct Rig {
    Iface port;
    Iface sub = with_golden_addresses();
    Iface flat = with_golden_addresses();  // the reference: the same addresses, no VLAN
    HostPolicy policy;
    IcmpStats stats;
    std::uint16_t ident = 7, flat_ident = 7;
    ErrorPlan plan, flat_plan;
    Sighting sighting;
    std::array<VlanCounters, pw::net::max_subifs> vc{};

    Rig() {
        port.mac = sub.mac;
        EXPECT_TRUE(port.add_v4({ip4("198.18.9.1"), 24}));
        EXPECT_TRUE(port.add_v6({ip6("2001:2:9::1"), 64}));
        port.add_link_local();
        sub.vlan_id = vid;
        sub.subif = 3;
        port.n_vlans = 1;
        port.vlan_vids[0] = vid;
        port.vlan_ifaces[0] = &sub;
    }
    HostContext ctx(const Iface& i, std::uint16_t* id, ErrorPlan* p) {
        HostContext c;
        c.iface = &i;
        c.policy = &policy;
        c.stats = &stats;
        c.ip_ident = id;
        c.plan = p;
        c.sighting = &sighting;
        c.vlan_counters = vc.data();
        return c;
    }
};

Buf tagged(std::span<const std::uint8_t> frame, std::uint16_t t = tci) {
    Buf b = pw::test::copy(frame);
    const std::byte tag[4] = {std::byte{0x81}, std::byte{0x00}, std::byte(t >> 8),
                              std::byte(t & 0xff)};
    b.insert(b.begin() + 12, tag, tag + 4);
    return b;
}
// The untagged frame f with the 4-byte tag t inserted after the MACs.
Buf insert_tag(pw::wire::ConstBytes f, std::uint16_t t) {
    Buf b(f.begin(), f.end());
    const std::byte tag[4] = {std::byte{0x81}, std::byte{0x00}, std::byte(t >> 8),
                              std::byte(t & 0xff)};
    b.insert(b.begin() + 12, tag, tag + 4);
    return b;
}

struct Named {
    const char* name;
    std::span<const std::uint8_t> bytes;
};

// Requests answered, errors owed and frames dropped: each must fare the same tagged.
const Named requests[] = {
    {"echo4_req", golden::echo4_req},
    {"echo4_big_req", golden::echo4_big_req},
    {"echo4_opts_req", golden::echo4_opts_req},
    {"echo4_secondary_req", golden::echo4_secondary_req},
    {"arp_req", golden::arp_req},
    {"arp_probe_req", golden::arp_probe_req},
    {"echo6_req", golden::echo6_req},
    {"echo6_hbh_req", golden::echo6_hbh_req},
    {"echo6_ll_req", golden::echo6_ll_req},
    {"echo6_allnodes_ll_req", golden::echo6_allnodes_ll_req},
    {"ns_mcast_req", golden::ns_mcast_req},
    {"ns_unicast_req", golden::ns_unicast_req},
    {"ns_dad_req", golden::ns_dad_req},
    {"ns_ll_req", golden::ns_ll_req},
    {"bad_ip4_udp", golden::bad_ip4_udp},
    {"bad_ip6_udp", golden::bad_ip6_udp},
    {"bad_ip6_no_next_header", golden::bad_ip6_no_next_header},
    {"bad_ip4_not_for_us", golden::bad_ip4_not_for_us},
    {"bad_ip6_not_for_us", golden::bad_ip6_not_for_us},
    {"bad_arp_not_ours", golden::bad_arp_not_ours},
    {"bad_echo4_directed_broadcast", golden::bad_echo4_directed_broadcast},
    {"bad_ns_target_not_ours_same_group", golden::bad_ns_target_not_ours_same_group},
    {"bad_ip6_unjoined_group", golden::bad_ip6_unjoined_group},
    {"bad_unjoined_group_mac", golden::bad_unjoined_group_mac},
    {"bad_icmp4_checksum", golden::bad_icmp4_checksum},
    {"bad_frame_too_long", golden::bad_frame_too_long},
};

TEST(Vlan, EveryRequestFaresAsUntaggedOnTheSubInterface) {
    unsigned replies = 0, errors = 0, drops = 0;
    for (const auto& r : requests) {
        SCOPED_TRACE(r.name);
        Rig rig;
        Buf flat = pw::test::copy(r.bytes);
        flat.resize(flat.size() + 256, pw::test::fill_byte);
        Buf tag = tagged(r.bytes);
        tag.resize(tag.size() + 256, pw::test::fill_byte);
        const Verdict want =
            host_input(flat, r.bytes.size(), rig.ctx(rig.flat, &rig.flat_ident, &rig.flat_plan));
        const Verdict got =
            host_input(tag, r.bytes.size() + 4, rig.ctx(rig.port, &rig.ident, &rig.plan));
        ASSERT_EQ(got.next, want.next) << next_name(got.next) << " vs " << next_name(want.next);
        EXPECT_EQ(got.drop, want.drop) << pw::wire::drop_name(got.drop);
        EXPECT_EQ(got.error, want.error);
        const VlanCounters& c = rig.vc[3];
        EXPECT_EQ(c.rx, 1U);
        if (want.next == Next::reply) {
            EXPECT_EQ(got.kind, want.kind);
            ASSERT_EQ(got.len, want.len + 4);
            // The answer in place keeps the tag, PCP included.
            EXPECT_TRUE(same_bytes(pw::wire::ConstBytes(tag).first(got.len),
                                   insert_tag(pw::wire::ConstBytes(flat).first(want.len), tci)));
            EXPECT_EQ(c.replies[static_cast<std::size_t>(want.kind)], 1U);
            ++replies;
        } else {
            ++drops;
            EXPECT_EQ(c.answered(), 0U);
            EXPECT_EQ(c.dropped, 1U);
        }
        if (want.error_to_send()) {
            EXPECT_EQ(got.l3_from, want.l3_from + 4);
            EXPECT_EQ(rig.plan.vlan_id, vid);
            EXPECT_EQ(rig.flat_plan.vlan_id, 0);
            EXPECT_EQ(c.errors, 1U);
            // The error built fresh: the untagged one with the VID's tag (PCP 0) inserted.
            Buf e1 = pw::test::filled(rig.plan.frame_len());
            Buf e0 = pw::test::filled(rig.flat_plan.frame_len());
            ASSERT_EQ(e1.size(), e0.size() + 4);
            const pw::wire::ConstBytes q1[1] = {pw::wire::ConstBytes(tag).subspan(got.l3_from)};
            const pw::wire::ConstBytes q0[1] = {pw::wire::ConstBytes(flat).subspan(want.l3_from)};
            emit_error(e1, rig.plan, q1);
            emit_error(e0, rig.flat_plan, q0);
            EXPECT_TRUE(same_bytes(e1, insert_tag(e0, vid)));
            ++errors;
        }
    }
    // The list covers each outcome.
    EXPECT_EQ(replies, 14U);
    EXPECT_EQ(errors, 2U);
    EXPECT_EQ(replies + drops, std::size(requests));
}

TEST(Vlan, UnknownVidAndPriorityTagsAreDroppedByName) {
    Rig rig;
    for (const std::uint16_t t :
         {std::uint16_t{200}, std::uint16_t{0x0fff}, std::uint16_t{0xa000 | 99}}) {
        Buf f = tagged(golden::echo4_req, t);
        const Buf before = f;
        const Verdict v = host_input(f, f.size(), rig.ctx(rig.port, &rig.ident, &rig.plan));
        EXPECT_EQ(v.next, Next::drop);
        EXPECT_EQ(v.drop, Drop::vlan_unknown) << pw::wire::drop_name(v.drop);
        EXPECT_EQ(f, before);
    }
    for (const std::uint16_t t : {std::uint16_t{0}, std::uint16_t{0xa000}}) {
        Buf f = tagged(golden::echo4_req, t);
        const Verdict v = host_input(f, f.size(), rig.ctx(rig.port, &rig.ident, &rig.plan));
        EXPECT_EQ(v.drop, Drop::vlan_priority_tagged) << pw::wire::drop_name(v.drop);
    }
    EXPECT_EQ(rig.vc[3].rx, 0U);
    // A port without sub-interfaces: every tagged frame is unknown.
    Iface plain = with_golden_addresses();
    Buf f = pw::test::copy(golden::vlan_echo4_req);
    EXPECT_EQ(host_input(f, f.size(), plain).drop, Drop::vlan_unknown);
}

TEST(Vlan, UntaggedFramesStayOnThePort) {
    Rig rig;
    // The sub-interface's address is not the port's: an untagged echo to it is not answered,
    // an ARP for it neither.
    Buf f = pw::test::copy(golden::echo4_req);
    EXPECT_EQ(host_input(f, f.size(), rig.ctx(rig.port, &rig.ident, &rig.plan)).drop,
              Drop::ip4_not_for_us);
    Buf a = pw::test::copy(golden::arp_req);
    EXPECT_EQ(host_input(a, a.size(), rig.ctx(rig.port, &rig.ident, &rig.plan)).drop,
              Drop::arp_not_for_us);
    // And a tagged ARP for the port's own address is not answered on the VLAN.
    EXPECT_EQ(rig.vc[3].rx, 0U);
}

TEST(Vlan, SubInterfaceMtu) {
    Rig rig;
    rig.sub.mtu = 1400;
    Buf f = tagged(golden::echo4_big_req);  // a 1500-byte datagram
    f.resize(f.size() + 64);
    // The receive unit is never below 1500 (frame_too_long's rule): still answered.
    EXPECT_EQ(
        host_input(f, golden::echo4_big_req.size() + 4, rig.ctx(rig.port, &rig.ident, &rig.plan))
            .next,
        Next::reply);
}

TEST(Vlan, ReassembledDatagramOnTheSubInterface) {
    Rig rig;
    // A reassembled echo request behind the first fragment's tagged L2 header.
    Buf f = tagged(golden::echo4_req);
    f.resize(f.size() + 64);
    const Verdict v = host_input_reassembled(f, golden::echo4_req.size() + 4, 18,
                                             rig.ctx(rig.port, &rig.ident, &rig.plan));
    ASSERT_EQ(v.next, Next::reply);
    EXPECT_EQ(rig.vc[3].rx, 0U);  // its fragments were counted
    EXPECT_EQ(rig.vc[3].replies[static_cast<std::size_t>(Reply::echo4_reply)], 1U);
}

}  // namespace
