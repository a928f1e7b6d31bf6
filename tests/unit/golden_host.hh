// The host of tests/golden/make_vectors.py as a HostContext: 198.18.0.1/24, 198.19.255.1/32,
// 2001:2::1/64, 2001:2:0:1::10/64 and the link-local address of 02:00:00:00:00:01, with its
// own policy, counters and slots. Tests that run golden frames through host_input derive from
// it (or hold one).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "lib/icmp/host_context.hh"
#include "lib/net/iface.hh"
#include "tests/unit/test_util.hh"

namespace pw::test {

struct GoldenHost {
    net::Iface iface;
    icmp::HostPolicy policy{};
    icmp::IcmpStats stats{};
    std::uint16_t ident = 0x2000;
    icmp::ErrorPlan plan;
    icmp::Sighting sighting;
    icmp::HostContext ctx;

    GoldenHost() {
        iface.mac = us_mac;
        EXPECT_TRUE(iface.add_v4({us4, 24}));
        EXPECT_TRUE(iface.add_v4({us4b, 32}));
        EXPECT_TRUE(iface.add_v6({us6, 64}));
        EXPECT_TRUE(iface.add_v6({us6b, 64}));
        iface.add_link_local();
        ctx.iface = &iface;
        ctx.policy = &policy;
        ctx.stats = &stats;
        ctx.ip_ident = &ident;
        ctx.plan = &plan;
        ctx.sighting = &sighting;
    }
    GoldenHost(const GoldenHost&) = delete;
    GoldenHost& operator=(const GoldenHost&) = delete;
};

}  // namespace pw::test
