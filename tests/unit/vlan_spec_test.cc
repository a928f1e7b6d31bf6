// --vlan and --respond: what they parse to, the one-line errors, how they attach to the
// ports, and the InterfaceTable they build (sub-interfaces linked to their port, copies
// re-linked, respond slots, multicast groups).
#include <gtest/gtest.h>

#include <string>

#include "lib/route/interfaces.hh"
#include "lib/route/port_spec.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::route;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;

template <class T, class F>
T ok(F parse, std::string_view s) {
    auto r = parse(s);
    if (auto* e = std::get_if<std::string>(&r)) {
        ADD_FAILURE() << s << ": " << *e;
        return {};
    }
    return std::get<T>(r);
}
template <class T, class F>
std::string err(F parse, std::string_view s) {
    auto r = parse(s);
    if (!std::holds_alternative<std::string>(r)) {
        ADD_FAILURE() << s << " parsed";
        return {};
    }
    return std::get<std::string>(r);
}

TEST(VlanSpec, Parses) {
    const auto v =
        ok<VlanSpec>(parse_vlan_spec, "1.100,addr=198.18.100.1/24,addr=2001:2:100::1/64,mtu=1400");
    EXPECT_EQ(v.port, 1);
    EXPECT_EQ(v.vid, 100);
    ASSERT_EQ(v.v4.size(), 1U);
    EXPECT_EQ(v.v4[0].addr, ip4("198.18.100.1"));
    ASSERT_EQ(v.v6.size(), 1U);
    EXPECT_EQ(v.v6[0].len, 64);
    EXPECT_EQ(v.mtu, 1400);
    EXPECT_EQ(ok<VlanSpec>(parse_vlan_spec, "0.4094").vid, 4094);
}

TEST(VlanSpec, Errors) {
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "0"), "'0' is not PORT.VID (e.g. 0.100)");
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "0.0"), "VLAN id '0' is not in 1..4094");
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "0.4095"), "VLAN id '4095' is not in 1..4094");
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "x.5"), "'x.5' is not PORT.VID (e.g. 0.100)");
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "0.5,mac=02:00:00:00:00:01"),
              "unknown key 'mac' (expected mtu= or addr=)");
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "0.5,addr=224.0.0.1/4"),
              "addr='224.0.0.1/4' is not a unicast IPv4 address");
    EXPECT_EQ(err<VlanSpec>(parse_vlan_spec, "0.5,mtu=60"), "mtu='60' is not in 68..9216");
}

TEST(RespondSpec, ParsesAndAttaches) {
    const auto r = ok<RespondSpec>(parse_respond_spec, "198.18.77.0/24");
    EXPECT_FALSE(r.port);
    const auto r6 = ok<RespondSpec>(parse_respond_spec, "2001:2:77::/64,port=1");
    EXPECT_EQ(r6.port, 1);
    const auto rv = ok<RespondSpec>(parse_respond_spec, "198.18.88.0/24,port=0.100");
    EXPECT_EQ(rv.vid, 100);
    EXPECT_EQ(err<RespondSpec>(parse_respond_spec, "224.0.0.0/4"),
              "'224.0.0.0/4' is not a unicast IPv4 prefix");
    EXPECT_EQ(err<RespondSpec>(parse_respond_spec, "198.18.0.0/24,dev=1"),
              "'dev=1' is not port=ID or port=ID.VID");

    std::vector<PortSpec> ports(2);
    ports[0].port = 0;
    ports[0].v4 = {{ip4("198.18.0.1"), 16}};
    ports[1].port = 1;
    ports[1].v6 = {{ip6("2001:2:77::1"), 48}};
    VlanSpec v;
    v.port = 0;
    v.vid = 100;
    ASSERT_FALSE(attach_vlans(ports, {v}));
    EXPECT_EQ(*attach_vlans(ports, {v}),
              "--vlan 0.100 is given twice (put all its addresses in one --vlan)");
    v.port = 5;
    EXPECT_EQ(*attach_vlans(ports, {v}), "--vlan 5.100: port 5 is not configured (--port)");
    // Without port=: the interface whose subnet holds it.
    ASSERT_FALSE(attach_respond(ports, {r, r6, rv}));
    EXPECT_EQ(ports[0].respond4.size(), 1U);  // 198.18.77.0/24 in 198.18.0.0/16
    EXPECT_EQ(ports[1].respond6.size(), 1U);
    EXPECT_EQ(ports[0].vlans[0].respond4.size(), 1U);
    const auto lost = ok<RespondSpec>(parse_respond_spec, "198.19.1.0/24");
    EXPECT_EQ(*attach_respond(ports, {lost}),
              "--respond 198.19.1.0/24: no interface has a subnet holding it (give port=ID)");
    const auto novlan = ok<RespondSpec>(parse_respond_spec, "198.19.1.0/24,port=1.7");
    EXPECT_EQ(*attach_respond(ports, {novlan}),
              "--respond 198.19.1.0/24: 1.7 is not configured (--vlan)");
}

TEST(InterfaceTable, SubInterfacesLinkedAndCopiesRelinked) {
    PortSpec p;
    p.port = 2;
    p.v4 = {{ip4("198.18.2.1"), 24}};
    VlanSpec v;
    v.port = 2;
    v.vid = 100;
    v.v4 = {{ip4("198.18.100.1"), 24}};
    v.v6 = {{ip6("2001:2:100::1"), 64}};
    v.respond4 = {{ip4("198.18.101.0"), 24}};
    p.vlans.push_back(v);
    v.vid = 200;
    v.mtu = 1400;
    v.v4 = {{ip4("198.18.200.1"), 24}};
    v.v6 = {};
    v.respond4 = {};
    p.vlans.push_back(v);
    p.respond6 = {{ip6("2001:2:7::"), 64}};

    auto t = std::make_unique<InterfaceTable>();
    ASSERT_FALSE(t->add(p, mac("02:00:00:00:00:02"), 1500));
    const auto* port = t->find(2);
    ASSERT_NE(port, nullptr);
    EXPECT_EQ(port->n_vlans, 2);
    const auto* s100 = t->find_vlan(2, 100);
    ASSERT_NE(s100, nullptr);
    EXPECT_EQ(s100->vlan_id, 100);
    EXPECT_EQ(s100->subif, 1);
    EXPECT_EQ(s100->mtu, 1500);
    EXPECT_EQ(s100->mac, mac("02:00:00:00:00:02"));
    EXPECT_TRUE(s100->owns_v4(ip4("198.18.100.1")));
    EXPECT_TRUE(s100->owns_v4(ip4("198.18.101.9")));
    EXPECT_FALSE(port->owns_v4(ip4("198.18.100.1")));
    EXPECT_EQ(s100->v6[0].addr, port->v6[0].addr);  // the same EUI-64 link-local address
    EXPECT_EQ(t->find_vlan(2, 200)->mtu, 1400);
    EXPECT_EQ(t->find_vlan(2, 300), nullptr);
    ASSERT_EQ(t->respond().size(), 2U);
    EXPECT_EQ(t->respond()[0].text(), "2001:2:7::/64");
    EXPECT_EQ(t->respond()[1].text(), "198.18.101.0/24");
    EXPECT_EQ(t->respond()[1].vid, 100);
    EXPECT_TRUE(t->wants_all_multicast(2));
    // all-nodes, the port's link-local group; the sub-interfaces' (one link-local, shared,
    // and 2001:2:100::1's).
    EXPECT_EQ(t->multicast_groups(2).size(), 3U);

    const InterfaceTable copy = *t;
    t.reset();  // the copy must not point into the original
    EXPECT_EQ(copy.find(2)->vlan(100), copy.find_vlan(2, 100));
    EXPECT_EQ(copy.find(2)->vlan(100), &copy.subifs()[0]);
    EXPECT_TRUE(copy.find_vlan(2, 100)->owns_v4(ip4("198.18.100.1")));

    InterfaceTable u;
    p.vlans[1].mtu = 1600;
    EXPECT_EQ(*u.add(p, mac("02:00:00:00:00:02"), 1500),
              "--vlan 2.200: mtu 1600 is above the port's 1500");
    EXPECT_EQ(u.find(2), nullptr);
    EXPECT_TRUE(u.subifs().empty());
    EXPECT_TRUE(u.respond().empty());
}

}  // namespace
