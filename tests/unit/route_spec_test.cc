// The --route and --deny option values: what they parse to, and the one-line errors.
#include "lib/route/route_spec.hh"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/test_util.hh"

namespace {

using namespace pw::route;
using pw::test::ip4;
using pw::test::ip6;
using pw::wire::Ipv4Prefix;
using pw::wire::Ipv6Prefix;

RouteSpec ok(std::string_view s) {
    auto r = parse_route_spec(s);
    if (auto* e = std::get_if<std::string>(&r)) {
        ADD_FAILURE() << s << ": " << *e;
        return {};
    }
    return std::get<RouteSpec>(r);
}

std::string err(std::string_view s) {
    auto r = parse_route_spec(s);
    if (!std::holds_alternative<std::string>(r)) {
        ADD_FAILURE() << s << " parsed to " << to_string(std::get<RouteSpec>(r));
        return {};
    }
    return std::get<std::string>(r);
}

std::string deny_err(std::string_view s) {
    auto r = parse_deny_spec(s);
    if (!std::holds_alternative<std::string>(r)) {
        ADD_FAILURE() << s << " parsed";
        return {};
    }
    return std::get<std::string>(r);
}

TEST(RouteSpec, ViaV4) {
    const auto s = ok("198.18.4.0/22,via=198.18.0.1");
    ASSERT_TRUE(std::holds_alternative<Ipv4Prefix>(s.prefix));
    EXPECT_EQ(std::get<Ipv4Prefix>(s.prefix).addr, ip4("198.18.4.0"));
    EXPECT_EQ(std::get<Ipv4Prefix>(s.prefix).len, 22);
    EXPECT_EQ(s.action, RouteAction::via);
    ASSERT_TRUE(s.via);
    EXPECT_EQ(std::get<pw::wire::Ipv4Addr>(*s.via), ip4("198.18.0.1"));
    EXPECT_FALSE(s.port);
}

TEST(RouteSpec, ViaV6WithPort) {
    const auto s = ok("2001:2:0:100::/56,via=fe80::1,port=3");
    ASSERT_TRUE(std::holds_alternative<Ipv6Prefix>(s.prefix));
    EXPECT_EQ(std::get<Ipv6Prefix>(s.prefix).addr, ip6("2001:2:0:100::"));
    EXPECT_EQ(std::get<Ipv6Prefix>(s.prefix).len, 56);
    EXPECT_EQ(std::get<pw::wire::Ipv6Addr>(*s.via), ip6("fe80::1"));
    ASSERT_TRUE(s.port);
    EXPECT_EQ(*s.port, 3);
    // Order of the items does not matter.
    const auto t = ok("2001:2:0:100::/56,port=3,via=fe80::1");
    EXPECT_EQ(to_string(t), to_string(s));
}

TEST(RouteSpec, RejectAndBlackhole) {
    auto s = ok("198.19.0.0/16,reject");
    EXPECT_EQ(s.action, RouteAction::reject);
    EXPECT_FALSE(s.via);
    s = ok("2001:2:0:ff00::/56,blackhole");
    EXPECT_EQ(s.action, RouteAction::blackhole);
    EXPECT_TRUE(is_v6(s.prefix));
}

TEST(RouteSpec, BareAddressIsAHostRoute) {
    auto s = ok("198.18.9.9,blackhole");
    EXPECT_EQ(std::get<Ipv4Prefix>(s.prefix).len, 32);
    s = ok("2001:2::99,reject");
    EXPECT_EQ(std::get<Ipv6Prefix>(s.prefix).len, 128);
}

TEST(RouteSpec, Defaults) {
    auto s = ok("default4,via=198.18.0.1");
    EXPECT_EQ(std::get<Ipv4Prefix>(s.prefix).len, 0);
    s = ok("default6,reject");
    EXPECT_EQ(std::get<Ipv6Prefix>(s.prefix).len, 0);
    EXPECT_EQ(std::get<Ipv6Prefix>(s.prefix).addr, pw::wire::Ipv6Addr{});
    s = ok("0.0.0.0/0,blackhole");
    EXPECT_EQ(std::get<Ipv4Prefix>(s.prefix).len, 0);
    s = ok("::/0,via=2001:2::1");
    EXPECT_EQ(std::get<Ipv6Prefix>(s.prefix).len, 0);
    // Plain "default" takes the family of the gateway...
    s = ok("default,via=198.18.0.1");
    ASSERT_TRUE(std::holds_alternative<Ipv4Prefix>(s.prefix));
    EXPECT_EQ(std::get<Ipv4Prefix>(s.prefix).len, 0);
    s = ok("default,via=2001:2::1");
    ASSERT_TRUE(std::holds_alternative<Ipv6Prefix>(s.prefix));
    // ...and without one it is ambiguous.
    EXPECT_NE(err("default,reject").find("default4 or default6"), std::string::npos);
}

TEST(RouteSpec, RoundTrip) {
    for (const char* t : {"198.18.4.0/22,via=198.18.0.1", "198.18.4.0/22,via=198.18.0.1,port=2",
                          "2001:2:0:100::/56,via=fe80::1,port=3", "198.19.0.0/16,reject",
                          "2001:2::/48,blackhole", "0.0.0.0/0,via=198.18.0.1", "::/0,reject"}) {
        EXPECT_EQ(to_string(ok(t)), t);
        EXPECT_EQ(to_string(ok(to_string(ok(t)))), t);
    }
}

TEST(RouteSpec, HostBitsAreRefused) {
    EXPECT_EQ(err("198.18.4.1/22,via=198.18.0.1"),
              "'198.18.4.1/22' has host bits set (the network is 198.18.4.0/22)");
    EXPECT_EQ(err("2001:2:0:101::/56,reject"),
              "'2001:2:0:101::/56' has host bits set (the network is 2001:2:0:100::/56)");
    EXPECT_EQ(deny_err("198.18.0.1/24"),
              "'198.18.0.1/24' has host bits set (the network is 198.18.0.0/24)");
}

TEST(RouteSpec, Errors) {
    // Each error is one line that names what is wrong.
    const std::pair<const char*, const char*> cases[] = {
        {"", "empty value"},
        {"198.18.0.0/16", "needs via=ADDR, reject or blackhole"},
        {"198.18.0.0/16,", "trailing ','"},
        {"198.18.0.0/16,,reject", "empty item"},
        {"198.18.0.0/33,reject", "prefix length over 32"},
        {"2001:2::/129,reject", "bad prefix length"},
        {"198.18.0.0/x,reject", "bad prefix length"},
        {"198.18.0/16,reject", "not an IPv4 or IPv6 address"},
        {"198.18.0.0/16,via=198.18.0.1,reject", "exclude each other"},
        {"198.18.0.0/16,reject,via=198.18.0.1", "exclude each other"},
        {"198.18.0.0/16,reject,blackhole", "reject and blackhole exclude each other"},
        {"198.18.0.0/16,reject,reject", "reject is given twice"},
        {"198.18.0.0/16,via=198.18.0.1,via=198.18.0.2", "via= is given twice"},
        {"198.18.0.0/16,via=198.18.0.1,port=1,port=2", "port= is given twice"},
        {"198.18.0.0/16,reject,port=1", "port= goes only with via="},
        {"198.18.0.0/16,via=198.18.0.1,port=x", "port=x is not a DPDK port id"},
        {"198.18.0.0/16,via=198.18.0.1,port=1024", "port=1024 is not a DPDK port id"},
        {"198.18.0.0/16,via=2001:2::1", "via 2001:2::1 is IPv6 but 198.18.0.0/16 is IPv4"},
        {"2001:2::/48,via=198.18.0.1", "via 198.18.0.1 is IPv4 but 2001:2::/48 is IPv6"},
        {"198.18.0.0/16,via=224.0.0.1", "via=224.0.0.1 is not a unicast IPv4 address"},
        {"198.18.0.0/16,via=255.255.255.255", "not a unicast IPv4 address"},
        {"198.18.0.0/16,via=0.0.0.0", "not a unicast IPv4 address"},
        {"2001:2::/48,via=ff02::1", "via=ff02::1 is not a unicast IPv6 address"},
        {"2001:2::/48,via=::", "not a unicast IPv6 address"},
        {"2001:2::/48,via=nowhere", "via=nowhere is not an IPv4 or IPv6 address"},
        {"198.18.0.0/16,via", "unknown item 'via'"},
        {"198.18.0.0/16,drop",
         "unknown item 'drop' (expected via=ADDR, port=ID, reject or blackhole)"},
        {"224.0.0.0/4,reject", "is multicast"},
        {"ff00::/8,blackhole", "is multicast"},
        {"fe80::/64,via=2001:2::1", "is link-local"},
        {"169.254.0.0/16,reject", "is link-local"},
        {"127.0.0.0/8,reject", "is loopback"},
        {"::1,reject", "not a unicast destination"},
    };
    for (const auto& [in, want] : cases) {
        const std::string e = err(in);
        EXPECT_NE(e.find(want), std::string::npos) << in << " -> " << e;
        EXPECT_EQ(e.find('\n'), std::string::npos) << in;
    }
}

TEST(DenySpec, Parses) {
    auto d = parse_deny_spec("198.18.128.0/17");
    ASSERT_TRUE(std::holds_alternative<DenySpec>(d));
    EXPECT_EQ(to_string(std::get<DenySpec>(d).prefix), "198.18.128.0/17");
    d = parse_deny_spec("2001:2:0:8000::/49");
    ASSERT_TRUE(std::holds_alternative<DenySpec>(d));
    EXPECT_EQ(to_string(std::get<DenySpec>(d).prefix), "2001:2:0:8000::/49");
    d = parse_deny_spec("198.18.7.7");
    ASSERT_TRUE(std::holds_alternative<DenySpec>(d));
    EXPECT_EQ(to_string(std::get<DenySpec>(d).prefix), "198.18.7.7/32");
    d = parse_deny_spec("default6");
    ASSERT_TRUE(std::holds_alternative<DenySpec>(d));
    EXPECT_EQ(to_string(std::get<DenySpec>(d).prefix), "::/0");
}

TEST(DenySpec, Errors) {
    EXPECT_NE(deny_err("").find("empty value"), std::string::npos);
    EXPECT_NE(deny_err("default").find("use default4 or default6"), std::string::npos);
    EXPECT_NE(deny_err("198.18.0.0/16,reject").find("one prefix"), std::string::npos);
    EXPECT_NE(deny_err("198.18.0.0/40").find("over 32"), std::string::npos);
    EXPECT_NE(deny_err("ff02::/16").find("multicast"), std::string::npos);
}

TEST(NeighSpec, Parses) {
    auto n = parse_neigh_spec("198.18.0.1,mac=02:00:00:00:00:01");
    ASSERT_TRUE(std::holds_alternative<NeighSpec>(n)) << std::get<std::string>(n);
    EXPECT_EQ(std::get<pw::wire::Ipv4Addr>(std::get<NeighSpec>(n).addr), ip4("198.18.0.1"));
    EXPECT_EQ(std::get<NeighSpec>(n).mac.to_string(), "02:00:00:00:00:01");
    EXPECT_FALSE(std::get<NeighSpec>(n).port);
    n = parse_neigh_spec("2001:2::1,port=3,mac=02:00:00:00:00:0a");
    ASSERT_TRUE(std::holds_alternative<NeighSpec>(n)) << std::get<std::string>(n);
    EXPECT_EQ(std::get<pw::wire::Ipv6Addr>(std::get<NeighSpec>(n).addr), ip6("2001:2::1"));
    EXPECT_EQ(std::get<NeighSpec>(n).port, std::optional<std::uint16_t>(3));
}

TEST(NeighSpec, Errors) {
    auto err = [](std::string_view t) {
        const auto r = parse_neigh_spec(t);
        return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string();
    };
    EXPECT_NE(err("").find("empty value"), std::string::npos);
    EXPECT_NE(err("198.18.0.1").find("needs mac="), std::string::npos);
    EXPECT_NE(err("198.18.0.1,").find("empty item"), std::string::npos);
    EXPECT_NE(err("198.18.0.1,mac=zz").find("not a MAC"), std::string::npos);
    EXPECT_NE(err("198.18.0.1,mac=01:00:5e:00:00:01").find("not a unicast MAC"), std::string::npos);
    EXPECT_NE(err("224.0.0.1,mac=02:00:00:00:00:01").find("not a unicast IPv4"), std::string::npos);
    EXPECT_NE(err("nope,mac=02:00:00:00:00:01").find("not an IPv4 or IPv6"), std::string::npos);
    EXPECT_NE(err("198.18.0.1,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02").find("twice"),
              std::string::npos);
    EXPECT_NE(err("198.18.0.1,mac=02:00:00:00:00:01,port=x").find("port id"), std::string::npos);
    EXPECT_NE(err("198.18.0.1,via=198.18.0.2").find("unknown item"), std::string::npos);
}

TEST(RouteSpec, Network) {
    EXPECT_EQ(network(Ipv4Prefix{ip4("198.18.5.77"), 20}).addr, ip4("198.18.0.0"));
    EXPECT_EQ(network(Ipv4Prefix{ip4("198.18.5.77"), 0}).addr, ip4("0.0.0.0"));
    EXPECT_EQ(network(Ipv4Prefix{ip4("198.18.5.77"), 32}).addr, ip4("198.18.5.77"));
    EXPECT_EQ(network(Ipv6Prefix{ip6("2001:2:0:1234:5678::1"), 52}).addr, ip6("2001:2:0:1000::"));
    EXPECT_EQ(network(Ipv6Prefix{ip6("2001:2::1"), 128}).addr, ip6("2001:2::1"));
    EXPECT_EQ(network(Ipv6Prefix{ip6("2001:2::1"), 0}).addr, ip6("::"));
}

}  // namespace
