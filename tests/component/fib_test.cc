// Component tests of route::Fib on DPDK's rte_fib / rte_fib6 (EAL --no-huge): longest-prefix
// match, connected and via next hops, reject / blackhole / deny, the start-up errors, and bulk
// lookups against a reference LPM on random routes and addresses (fixed seed).
#include <gtest/gtest.h>

#include "tests/component/ring_env.hh"
#include <rte_eal.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lib/route/fib.hh"
#include "lib/route/interfaces.hh"
#include "lib/route/port_spec.hh"
#include "lib/route/route_spec.hh"

namespace {

using namespace pw;
using route::Fib;
using route::NextHop;
using route::RouteKind;
using wire::Ipv4Addr;
using wire::Ipv4Prefix;
using wire::Ipv6Addr;
using wire::Ipv6Prefix;

Ipv4Addr ip4(const char* s) {
    return *Ipv4Addr::parse(s);
}
Ipv6Addr ip6(const char* s) {
    return *Ipv6Addr::parse(s);
}

// A Fib with a name no other test used (DPDK names must be unique in the process).
std::unique_ptr<Fib> make_fib(unsigned max4 = 1024, unsigned max6 = 256) {
    static int n = 0;
    auto f = std::make_unique<Fib>();
    const auto e = f->init("fibt" + std::to_string(n++), max4, max6);
    EXPECT_FALSE(e) << *e;
    return f;
}

route::RouteSpec route_spec(const char* text) {
    auto r = route::parse_route_spec(text);
    EXPECT_TRUE(std::holds_alternative<route::RouteSpec>(r))
        << text << ": " << std::get<std::string>(r);
    return std::get<route::RouteSpec>(r);
}

route::DenySpec deny_spec(const char* text) {
    auto r = route::parse_deny_spec(text);
    EXPECT_TRUE(std::holds_alternative<route::DenySpec>(r)) << text;
    return std::get<route::DenySpec>(r);
}

void add_ok(Fib& f, const char* text) {
    const auto e = f.add(route_spec(text));
    EXPECT_FALSE(e) << text << ": " << *e;
}

std::string add_err(Fib& f, const char* text) {
    const auto e = f.add(route_spec(text));
    EXPECT_TRUE(e) << text << " was accepted";
    return e.value_or("");
}

const NextHop& hop4(const Fib& f, const char* a) {
    return f.next_hop(f.lookup(ip4(a)));
}
const NextHop& hop6(const Fib& f, const char* a) {
    return f.next_hop(f.lookup(ip6(a)));
}

NextHop connected(std::uint16_t port) {
    return {RouteKind::connected, port, {}, {}};
}
NextHop via4(std::uint16_t port, const char* gw) {
    return {RouteKind::via, port, ip4(gw), {}};
}
NextHop via6(std::uint16_t port, const char* gw) {
    return {RouteKind::via, port, {}, ip6(gw)};
}
NextHop kind(RouteKind k) {
    return {k, 0, {}, {}};
}

// Two ports: 198.18.0.0/24 + 2001:2::/64 on port 0, 198.18.1.0/24 + 2001:2:0:1::/64 on port 1.
void two_ports(Fib& f) {
    ASSERT_FALSE(f.add_connected(0, Ipv4Prefix{ip4("198.18.0.2"), 24}));
    ASSERT_FALSE(f.add_connected(1, Ipv4Prefix{ip4("198.18.1.1"), 24}));
    ASSERT_FALSE(f.add_connected(0, Ipv6Prefix{ip6("2001:2::2"), 64}));
    ASSERT_FALSE(f.add_connected(1, Ipv6Prefix{ip6("2001:2:0:1::1"), 64}));
}

TEST(Fib, BeforeInitNothingRoutes) {
    Fib f;
    EXPECT_EQ(f.lookup(ip4("198.18.0.1")), Fib::no_route);
    EXPECT_EQ(f.lookup(ip6("2001:2::1")), Fib::no_route);
    EXPECT_EQ(f.next_hop(Fib::no_route).kind, RouteKind::none);
    EXPECT_TRUE(f.add(route_spec("198.18.0.0/16,reject")));
}

TEST(Fib, ConnectedAndVia) {
    auto f = make_fib();
    two_ports(*f);
    add_ok(*f, "198.18.16.0/20,via=198.18.1.254");
    add_ok(*f, "2001:2:0:100::/56,via=2001:2:0:1::fe");

    EXPECT_EQ(hop4(*f, "198.18.0.77"), connected(0));
    EXPECT_EQ(hop4(*f, "198.18.0.2"), connected(0));  // our own address: the caller checks first
    EXPECT_EQ(hop4(*f, "198.18.1.200"), connected(1));
    EXPECT_EQ(hop4(*f, "198.18.16.5"), via4(1, "198.18.1.254"));
    EXPECT_EQ(hop4(*f, "198.18.31.255"), via4(1, "198.18.1.254"));
    EXPECT_EQ(f->lookup(ip4("198.18.32.0")), Fib::no_route);
    EXPECT_EQ(f->lookup(ip4("198.19.0.1")), Fib::no_route);
    EXPECT_EQ(hop4(*f, "198.19.0.1").kind, RouteKind::none);

    EXPECT_EQ(hop6(*f, "2001:2::abcd"), connected(0));
    EXPECT_EQ(hop6(*f, "2001:2:0:1:ffff:ffff:ffff:ffff"), connected(1));
    EXPECT_EQ(hop6(*f, "2001:2:0:1ab::1"), via6(1, "2001:2:0:1::fe"));
    EXPECT_EQ(f->lookup(ip6("2001:2:0:200::1")), Fib::no_route);

    // The next hops are shared: one per (kind, port, gateway), plus reject, blackhole, deny.
    EXPECT_EQ(f->next_hops().size(), 3U + 2U + 2U);
    EXPECT_EQ(f->size_v4(), 3U);
    EXPECT_EQ(f->size_v6(), 3U);
}

TEST(Fib, MoreSpecificWins) {
    auto f = make_fib();
    two_ports(*f);
    add_ok(*f, "default4,via=198.18.0.1");
    add_ok(*f, "198.18.16.0/20,via=198.18.1.254");
    add_ok(*f, "198.18.17.0/24,reject");
    add_ok(*f, "198.18.17.128/25,blackhole");
    add_ok(*f, "198.18.17.200,via=198.18.0.3");  // a /32 (a tbl8 group in DIR24_8)
    add_ok(*f, "198.18.17.192/30,via=198.18.1.9");

    EXPECT_EQ(hop4(*f, "198.19.200.1"), via4(0, "198.18.0.1"));
    EXPECT_EQ(hop4(*f, "198.18.16.1"), via4(1, "198.18.1.254"));
    EXPECT_EQ(hop4(*f, "198.18.17.1"), kind(RouteKind::reject));
    EXPECT_EQ(hop4(*f, "198.18.17.127"), kind(RouteKind::reject));
    EXPECT_EQ(hop4(*f, "198.18.17.128"), kind(RouteKind::blackhole));
    EXPECT_EQ(hop4(*f, "198.18.17.191"), kind(RouteKind::blackhole));
    EXPECT_EQ(hop4(*f, "198.18.17.192"), via4(1, "198.18.1.9"));
    EXPECT_EQ(hop4(*f, "198.18.17.195"), via4(1, "198.18.1.9"));
    EXPECT_EQ(hop4(*f, "198.18.17.196"), kind(RouteKind::blackhole));
    EXPECT_EQ(hop4(*f, "198.18.17.200"), via4(0, "198.18.0.3"));
    EXPECT_EQ(hop4(*f, "198.18.17.201"), kind(RouteKind::blackhole));
    EXPECT_EQ(hop4(*f, "198.18.18.0"), via4(1, "198.18.1.254"));
    EXPECT_EQ(hop4(*f, "198.18.0.9"), connected(0));  // connected /24 beats the default

    add_ok(*f, "default6,via=2001:2::1");
    add_ok(*f, "2001:2:0:100::/56,via=2001:2:0:1::fe");
    add_ok(*f, "2001:2:0:180::/57,reject");
    add_ok(*f, "2001:2:0:1ff::5,blackhole");  // a /128: many trie levels
    add_ok(*f, "2001:2:0:1ff::/120,via=fe80::9,port=0");
    EXPECT_EQ(hop6(*f, "2001:2:0:ff00::1"), via6(0, "2001:2::1"));
    EXPECT_EQ(hop6(*f, "2001:2:0:100::1"), via6(1, "2001:2:0:1::fe"));
    EXPECT_EQ(hop6(*f, "2001:2:0:17f:ffff::1"), via6(1, "2001:2:0:1::fe"));
    EXPECT_EQ(hop6(*f, "2001:2:0:180::1"), kind(RouteKind::reject));
    EXPECT_EQ(hop6(*f, "2001:2:0:1ff::4"), via6(0, "fe80::9"));
    EXPECT_EQ(hop6(*f, "2001:2:0:1ff::5"), kind(RouteKind::blackhole));
    EXPECT_EQ(hop6(*f, "2001:2:0:1ff::1:5"), kind(RouteKind::reject));
    EXPECT_EQ(hop6(*f, "2001:2::5"), connected(0));
}

TEST(Fib, DenyBeatsEveryRouteInside) {
    auto f = make_fib();
    two_ports(*f);
    add_ok(*f, "198.18.16.0/20,via=198.18.1.254");
    add_ok(*f, "198.18.17.128/25,blackhole");
    add_ok(*f, "198.18.17.200,via=198.18.0.3");
    // After the routes...
    ASSERT_FALSE(f->add(deny_spec("198.18.17.0/24")));
    // ...and before them.
    ASSERT_FALSE(f->add(deny_spec("198.18.20.0/23")));
    add_ok(*f, "198.18.21.0/24,via=198.18.1.8");
    add_ok(*f, "198.18.21.64/26,reject");

    for (const char* a : {"198.18.17.0", "198.18.17.5", "198.18.17.130", "198.18.17.200",
                          "198.18.17.255", "198.18.20.1", "198.18.21.1", "198.18.21.70"}) {
        EXPECT_EQ(hop4(*f, a).kind, RouteKind::deny) << a;
        EXPECT_TRUE(f->is_denied(ip4(a))) << a;
    }
    for (const char* a : {"198.18.16.255", "198.18.18.0", "198.18.22.0", "198.18.0.1"}) {
        EXPECT_NE(hop4(*f, a).kind, RouteKind::deny) << a;
        EXPECT_FALSE(f->is_denied(ip4(a))) << a;
    }
    EXPECT_EQ(hop4(*f, "198.18.16.1"), via4(1, "198.18.1.254"));
    // A deny on the exact prefix of a route, and on a connected subnet.
    ASSERT_FALSE(f->add(deny_spec("198.18.16.0/20")));
    EXPECT_EQ(hop4(*f, "198.18.16.1").kind, RouteKind::deny);
    ASSERT_FALSE(f->add(deny_spec("198.18.1.128/25")));
    EXPECT_EQ(hop4(*f, "198.18.1.129").kind, RouteKind::deny);
    EXPECT_EQ(hop4(*f, "198.18.1.127"), connected(1));
    // A deny where no route goes.
    ASSERT_FALSE(f->add(deny_spec("198.19.0.0/16")));
    EXPECT_TRUE(f->is_denied(ip4("198.19.1.1")));

    // The dump keeps the route's own next hop beside what lookups return.
    bool seen = false;
    for (const auto& r : f->routes())
        if (route::to_string(r.prefix) == "198.18.17.200/32") {
            seen = true;
            EXPECT_EQ(r.next_hop.kind, RouteKind::deny);
            ASSERT_TRUE(r.own);
            EXPECT_EQ(*r.own, via4(0, "198.18.0.3"));
        }
    EXPECT_TRUE(seen);

    add_ok(*f, "2001:2:0:100::/56,via=2001:2:0:1::fe");
    add_ok(*f, "2001:2:0:1ff::5,blackhole");
    ASSERT_FALSE(f->add(deny_spec("2001:2:0:1f0::/60")));
    EXPECT_TRUE(f->is_denied(ip6("2001:2:0:1ff::5")));
    EXPECT_TRUE(f->is_denied(ip6("2001:2:0:1f0::1")));
    EXPECT_FALSE(f->is_denied(ip6("2001:2:0:1ef::1")));
    EXPECT_EQ(hop6(*f, "2001:2:0:1ef::1"), via6(1, "2001:2:0:1::fe"));
    ASSERT_FALSE(f->add(deny_spec("2001:2::77")));
    EXPECT_TRUE(f->is_denied(ip6("2001:2::77")));
    EXPECT_EQ(hop6(*f, "2001:2::78"), connected(0));

    EXPECT_EQ(*f->add(deny_spec("198.18.17.0/24")), "--deny 198.18.17.0/24: given twice");
}

TEST(Fib, StartUpErrors) {
    auto f = make_fib();
    two_ports(*f);
    // The same subnet again: fine on the same port (a second address), not on another one.
    EXPECT_FALSE(f->add_connected(0, Ipv4Prefix{ip4("198.18.0.3"), 24}));
    EXPECT_EQ(*f->add_connected(2, Ipv4Prefix{ip4("198.18.0.4"), 24}),
              "subnet 198.18.0.0/24 is connected on port 0 and on port 2");
    EXPECT_EQ(*f->add_connected(2, Ipv6Prefix{ip6("2001:2::9"), 64}),
              "subnet 2001:2::/64 is connected on port 0 and on port 2");
    EXPECT_TRUE(f->add_connected(40, Ipv4Prefix{ip4("198.18.40.1"), 24}));

    EXPECT_EQ(add_err(*f, "198.18.16.0/20,via=198.18.2.1"),
              "route 198.18.16.0/20: gateway 198.18.2.1 is not on any connected subnet (no --port "
              "ID,addr= on its link)");
    EXPECT_EQ(add_err(*f, "198.18.16.0/20,via=198.18.0.1,port=1"),
              "route 198.18.16.0/20: gateway 198.18.0.1 is not on a connected subnet of port 1");
    EXPECT_EQ(add_err(*f, "198.18.16.0/20,via=198.18.0.1,port=7"),
              "route 198.18.16.0/20: port 7 is not configured (no --port 7)");
    EXPECT_EQ(add_err(*f, "198.18.16.0/20,via=198.18.0.3"),
              "route 198.18.16.0/20: gateway 198.18.0.3 is one of our own addresses");
    EXPECT_EQ(add_err(*f, "198.18.16.0/20,via=198.18.0.0"),
              "route 198.18.16.0/20: gateway 198.18.0.0 is the network address of 198.18.0.0/24");
    EXPECT_EQ(
        add_err(*f, "198.18.16.0/20,via=198.18.1.255"),
        "route 198.18.16.0/20: gateway 198.18.1.255 is the broadcast address of 198.18.1.0/24");
    EXPECT_EQ(add_err(*f, "2001:2:0:100::/56,via=2001:2:0:2::1"),
              "route 2001:2:0:100::/56: gateway 2001:2:0:2::1 is not on any connected subnet (no "
              "--port ID,addr= on its link)");
    EXPECT_EQ(
        add_err(*f, "2001:2:0:100::/56,via=fe80::1"),
        "route 2001:2:0:100::/56: gateway fe80::1 is link-local: say which port with port=ID");
    EXPECT_EQ(add_err(*f, "2001:2:0:100::/56,via=2001:2::2"),
              "route 2001:2:0:100::/56: gateway 2001:2::2 is one of our own addresses");

    add_ok(*f, "198.18.16.0/20,via=198.18.0.1");
    EXPECT_EQ(add_err(*f, "198.18.16.0/20,reject"),
              "route 198.18.16.0/20: the prefix is already routed via 198.18.0.1 on port 0");
    EXPECT_EQ(add_err(*f, "198.18.1.0/24,blackhole"),
              "route 198.18.1.0/24: the prefix is already connected on port 1");

    f.reset();  // one Fib at a time fits in -m 256: each family's table is 64 MiB
    Fib g;
    EXPECT_TRUE(g.init("", 10, 10));
    EXPECT_TRUE(g.init("a-name-that-is-far-too-long", 10, 10));
    EXPECT_TRUE(g.init("fibz", 0, 10));
    EXPECT_FALSE(g.init("fibz", 10, 10));
    EXPECT_TRUE(g.init("fibz", 10, 10));  // twice
}

TEST(Fib, FromTheInterfaceTable) {
    route::InterfaceTable ifaces;
    auto p0 = route::parse_port_spec("0,addr=198.18.0.2/24,addr=2001:2::2/64");
    auto p1 = route::parse_port_spec("1");  // no global address: link-local only
    ASSERT_TRUE(std::holds_alternative<route::PortSpec>(p0));
    ASSERT_TRUE(std::holds_alternative<route::PortSpec>(p1));
    ASSERT_FALSE(
        ifaces.add(std::get<route::PortSpec>(p0), wire::MacAddr{{2, 0, 0, 0, 0, 1}}, 1500));
    ASSERT_FALSE(
        ifaces.add(std::get<route::PortSpec>(p1), wire::MacAddr{{2, 0, 0, 0, 0, 2}}, 1500));

    auto f = make_fib();
    ASSERT_FALSE(f->add_interfaces(ifaces));
    EXPECT_EQ(f->size_v4(), 1U);
    EXPECT_EQ(f->size_v6(), 1U);  // link-local fe80::/64 is not routed
    EXPECT_EQ(f->lookup(ip6("fe80::1")), Fib::no_route);
    EXPECT_EQ(hop6(*f, "2001:2::1"), connected(0));
    // Port 1 is known, so a link-local gateway there works; our own link-local address does not.
    add_ok(*f, "2001:2:0:100::/56,via=fe80::1,port=1");
    EXPECT_EQ(hop6(*f, "2001:2:0:100::1"), via6(1, "fe80::1"));
    const std::string ours =
        wire::Ipv6Addr::link_local_from_mac(wire::MacAddr{{2, 0, 0, 0, 0, 2}}).to_string();
    const std::string spec = "2001:2:0:200::/56,via=" + ours + ",port=1";
    EXPECT_EQ(add_err(*f, spec.c_str()),
              "route 2001:2:0:200::/56: gateway " + ours + " is one of our own addresses");
    // The same link-local address on another port is someone else.
    const std::string other = "2001:2:0:200::/56,via=" + ours + ",port=0";
    add_ok(*f, other.c_str());
}

TEST(Fib, MaxRoutes) {
    auto f = make_fib(8, 40);
    ASSERT_FALSE(f->add_connected(0, Ipv4Prefix{ip4("198.18.0.2"), 24}));
    ASSERT_FALSE(f->add_connected(0, Ipv6Prefix{ip6("2001:2::2"), 64}));
    for (int i = 1; i < 7; ++i) {
        const std::string s = "198.18." + std::to_string(i) + ".0/24,via=198.18.0.1";
        add_ok(*f, s.c_str());
    }
    ASSERT_FALSE(f->add(deny_spec("198.18.200.0/24")));  // the 8th
    EXPECT_EQ(add_err(*f, "198.18.100.0/24,reject"),
              "route 198.18.100.0/24: too many IPv4 routes (at most 8, connected subnets and "
              "--deny prefixes included)");
    EXPECT_EQ(hop4(*f, "198.18.6.1"), via4(0, "198.18.0.1"));

    // /128 routes spread over the address space take the most tbl8 groups the trie can need.
    std::mt19937 rng(7);
    std::vector<Ipv6Addr> hosts;
    for (int i = 1; i < 40; ++i) {
        Ipv6Addr a = ip6("2001:2::");
        for (int b = 6; b < 16; ++b) a.bytes[b] = static_cast<std::uint8_t>(rng());
        hosts.push_back(a);
        route::RouteSpec s{Ipv6Prefix{a, 128}, route::RouteAction::via,
                           route::IpAddr{ip6("2001:2::1")}, std::nullopt};
        const auto e = f->add(s);
        ASSERT_FALSE(e) << i << ": " << *e;
    }
    EXPECT_TRUE(f->add(route_spec("2001:2:0:100::/56,reject")));
    for (const auto& a : hosts) EXPECT_EQ(f->next_hop(f->lookup(a)), via6(0, "2001:2::1"));
}

// Reference longest-prefix match: a linear scan.
template <class P, class A>
NextHop reference(const std::vector<std::pair<P, NextHop>>& routes, const A& a) {
    int best = -1;
    NextHop out;
    for (const auto& [p, h] : routes)
        if (p.contains(a) && static_cast<int>(p.len) > best) {
            best = p.len;
            out = h;
        }
    return out;
}

TEST(Fib, BulkLookupsMatchAReferenceLpm) {
    auto f = make_fib(2048, 2048);
    std::mt19937 rng(20240601);
    std::vector<std::pair<Ipv4Prefix, NextHop>> ref4;
    std::vector<std::pair<Ipv6Prefix, NextHop>> ref6;
    // Connected: 198.18.0.0/24 on port 0 and 198.18.1.0/24 on port 1; 2001:2::/64, 2001:2:0:1::/64.
    two_ports(*f);
    ref4.push_back({Ipv4Prefix{ip4("198.18.0.0"), 24}, connected(0)});
    ref4.push_back({Ipv4Prefix{ip4("198.18.1.0"), 24}, connected(1)});
    ref6.push_back({Ipv6Prefix{ip6("2001:2::"), 64}, connected(0)});
    ref6.push_back({Ipv6Prefix{ip6("2001:2:0:1::"), 64}, connected(1)});
    const NextHop hops4[] = {via4(0, "198.18.0.1"), via4(0, "198.18.0.77"), via4(1, "198.18.1.9"),
                             kind(RouteKind::reject), kind(RouteKind::blackhole)};
    const NextHop hops6[] = {via6(0, "2001:2::1"), via6(1, "2001:2:0:1::fe"),
                             kind(RouteKind::reject), kind(RouteKind::blackhole)};

    auto spec_for = [](const route::Prefix& p, const NextHop& h) {
        route::RouteSpec s{p, route::RouteAction::via, std::nullopt, std::nullopt};
        if (h.kind == RouteKind::reject)
            s.action = route::RouteAction::reject;
        else if (h.kind == RouteKind::blackhole)
            s.action = route::RouteAction::blackhole;
        else if (std::holds_alternative<Ipv4Prefix>(p))
            s.via = route::IpAddr{h.gw4};
        else
            s.via = route::IpAddr{h.gw6};
        return s;
    };

    // Random prefixes inside 198.18.0.0/16, lengths 17..32 (198.19.0.0/16 stays unrouted).
    std::set<std::pair<std::uint32_t, unsigned>> seen4{{0xc6120000U, 24}, {0xc6120100U, 24}};
    while (ref4.size() < 1500) {
        const auto len = static_cast<unsigned>(17 + rng() % 16);
        const Ipv4Prefix p = route::network(Ipv4Prefix{
            Ipv4Addr::from_u32(0xc6120000U | (rng() & 0xffffU)), static_cast<std::uint8_t>(len)});
        if (!seen4.insert({p.addr.to_u32(), len}).second) continue;
        const NextHop& h = hops4[rng() % std::size(hops4)];
        const auto e = f->add(spec_for(p, h));
        ASSERT_FALSE(e) << *e;
        ref4.push_back({p, h});
    }
    std::set<std::pair<std::array<std::uint8_t, 16>, unsigned>> seen6{
        {ip6("2001:2::").bytes, 64}, {ip6("2001:2:0:1::").bytes, 64}};
    while (ref6.size() < 1500) {
        // Inside 2001:2::/49, lengths 49..128; few distinct values per byte so that prefixes nest.
        const auto len = static_cast<unsigned>(49 + rng() % 80);
        Ipv6Addr a = ip6("2001:2::");
        for (int b = 6; b < 16; ++b)
            a.bytes[b] = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : rng() % 3);
        a.bytes[6] &= 0x7f;
        const Ipv6Prefix p = route::network(Ipv6Prefix{a, static_cast<std::uint8_t>(len)});
        if (!seen6.insert({p.addr.bytes, len}).second) continue;
        const NextHop& h = hops6[rng() % std::size(hops6)];
        const auto e = f->add(spec_for(p, h));
        ASSERT_FALSE(e) << *e;
        ref6.push_back({p, h});
    }

    // Addresses: half near a random route's network (so the deep matches get hit), half uniform.
    constexpr unsigned n = 20000;
    std::vector<std::uint32_t> ips4(n);
    std::vector<std::array<std::uint8_t, 16>> ips6(n);
    for (unsigned i = 0; i < n; ++i) {
        if (i % 2 == 0) {
            const auto& p = ref4[rng() % ref4.size()].first;
            ips4[i] = p.addr.to_u32() | (rng() & ~p.mask() & 0xffU);
        } else {
            ips4[i] = 0xc6120000U | (rng() & 0x1ffffU);
        }
        Ipv6Addr a = i % 2 == 0 ? ref6[rng() % ref6.size()].first.addr : ip6("2001:2::");
        for (int b = 6; b < 16; ++b)
            if (i % 2 != 0 || rng() % 8 == 0)
                a.bytes[b] = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() : rng() % 3);
        ips6[i] = a.bytes;
    }
    std::vector<std::uint32_t> nh4(n, 0xdeadbeef), nh6(n, 0xdeadbeef);
    // Uneven bursts: 1, 32, past lookup_chunk, and the rest.
    for (unsigned off = 0, step = 1; off < n; off += step, step = step == 1     ? 32
                                                                  : step == 32  ? 100
                                                                  : step == 100 ? 1000
                                                                                : 1) {
        const unsigned k = std::min(step, n - off);
        f->lookup_v4(ips4.data() + off, nh4.data() + off, k);
        f->lookup_v6(reinterpret_cast<const std::uint8_t(*)[16]>(ips6.data() + off),
                     nh6.data() + off, k);
    }
    unsigned routed4 = 0, routed6 = 0;
    for (unsigned i = 0; i < n; ++i) {
        const NextHop want4 = reference(ref4, Ipv4Addr::from_u32(ips4[i]));
        ASSERT_EQ(f->next_hop(nh4[i]), want4) << Ipv4Addr::from_u32(ips4[i]).to_string();
        Ipv6Addr a;
        a.bytes = ips6[i];
        const NextHop want6 = reference(ref6, a);
        ASSERT_EQ(f->next_hop(nh6[i]), want6) << a.to_string();
        routed4 += want4.kind != RouteKind::none;
        routed6 += want6.kind != RouteKind::none;
    }
    // The addresses hit routes and miss them.
    EXPECT_GT(routed4, n / 3);
    EXPECT_LT(routed4, n);
    EXPECT_GT(routed6, n / 3);
    EXPECT_LT(routed6, n);
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new pw::test::EalEnv("pw_fib"));
    return RUN_ALL_TESTS();
}
