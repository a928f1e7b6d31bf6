// What a router learns from ARP (RFC 826 merge) and ND (RFC 4861 7.2.3, 7.2.5): the sender of a
// request or reply, the solicitation's source, the advertisement's target; never an address no
// neighbour can hold: for ARP 0/8, 127/8, 224/4, 240/4, 255.255.255.255, a broadcast of our
// subnet; for both, one of our own addresses. Found by the malformed-input catalogue
// (tests/integration/malformed.py, arp.spa.*, nd.ns.src-ours): the router's neighbour table took
// entries for 127.0.0.1, 224.0.0.1, 255.255.255.255 and its own addresses from forged packets.
// The request itself is answered either way (RFC 826 checks nothing of the sender).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "lib/icmp/host_input.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/wire/checksum.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace wire = pw::wire;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
using Bytes = std::vector<std::byte>;

const wire::MacAddr us_mac = mac("02:00:00:00:00:01");
const wire::MacAddr peer_mac = mac("02:00:00:00:00:02");

void put(Bytes& b, std::initializer_list<std::uint8_t> v) {
    for (auto x : v) b.push_back(std::byte{x});
}
template <class T>
void put_bytes(Bytes& b, const T& v) {
    for (auto x : v.bytes) b.push_back(std::byte{x});
}

// An Ethernet/IPv4 ARP packet (oper 1 request, 2 reply) from spa to tpa, broadcast.
Bytes arp_frame(std::uint16_t oper, const char* spa, const char* tpa) {
    Bytes f;
    put(f, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    put_bytes(f, peer_mac);
    put(f, {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, static_cast<std::uint8_t>(oper)});
    put_bytes(f, peer_mac);
    put_bytes(f, ip4(spa));
    put(f, {0, 0, 0, 0, 0, 0});
    put_bytes(f, ip4(tpa));
    return f;
}

// An NS (type 135) from src with a source link-layer option, or an NA (136, S and O) for
// target with a target link-layer option, to us (2001:2::1), hop limit 255.
Bytes nd_frame(std::uint8_t type, const char* src, const char* target) {
    const auto s6 = ip6(src), d6 = ip6("2001:2::1");
    Bytes icmp;
    put(icmp, {type, 0, 0, 0, static_cast<std::uint8_t>(type == 136 ? 0x60 : 0), 0, 0, 0});
    put_bytes(icmp, ip6(target));
    put(icmp, {static_cast<std::uint8_t>(type == 136 ? 2 : 1), 1});
    put_bytes(icmp, peer_mac);
    wire::store16(icmp, 2,
                  wire::checksum(icmp, wire::pseudo_sum_v6(
                                           s6, d6, static_cast<std::uint32_t>(icmp.size()), 58)));
    Bytes f;
    put_bytes(f, us_mac);
    put_bytes(f, peer_mac);
    put(f, {0x86, 0xdd, 0x60, 0, 0, 0, 0, static_cast<std::uint8_t>(icmp.size()), 58, 255});
    put_bytes(f, s6);
    put_bytes(f, d6);
    f.insert(f.end(), icmp.begin(), icmp.end());
    return f;
}

struct Router {
    Iface iface;
    HostPolicy policy{};
    IcmpStats stats{};
    std::uint16_t ident = 0;
    ErrorPlan plan{};
    Sighting sighting{};
    HostContext ctx;

    Router() {
        iface.mac = us_mac;
        EXPECT_TRUE(iface.add_v4({ip4("198.18.1.1"), 24}));
        EXPECT_TRUE(iface.add_v6({ip6("2001:2::1"), 64}));
        iface.add_link_local();
        iface.is_router = true;
        ctx.iface = &iface;
        ctx.policy = &policy;
        ctx.stats = &stats;
        ctx.ip_ident = &ident;
        ctx.plan = &plan;
        ctx.sighting = &sighting;
        ctx.learns_neighbours = true;
    }
    Verdict input(const Bytes& frame) {
        Bytes buf = frame;
        buf.resize(2048, pw::test::fill_byte);
        return host_input(buf, frame.size(), ctx);
    }
};

TEST(ArpLearn, RequestForUsFromAHostIsLearnt) {
    Router r;
    const Verdict v = r.input(arp_frame(1, "198.18.1.2", "198.18.1.1"));
    EXPECT_EQ(v.next, Next::reply);
    ASSERT_TRUE(v.sighted);
    EXPECT_EQ(r.sighting.addr, wire::v4_mapped(ip4("198.18.1.2")));
    EXPECT_EQ(r.sighting.mac, peer_mac);
}

TEST(ArpLearn, MartianOrOwnSenderIsAnsweredButNotLearnt) {
    for (const char* spa : {"127.0.0.1", "224.0.0.1", "239.1.2.3", "240.0.0.1", "255.255.255.255",
                            "0.1.2.3", "198.18.1.255", "198.18.1.1"}) {
        SCOPED_TRACE(spa);
        Router r;
        const Verdict v = r.input(arp_frame(1, spa, "198.18.1.1"));
        EXPECT_EQ(v.next, Next::reply);
        EXPECT_EQ(v.kind, Reply::arp_reply);
        EXPECT_FALSE(v.sighted);
        // Nor from a request for someone else, nor from a reply.
        EXPECT_FALSE(r.input(arp_frame(1, spa, "198.18.1.7")).sighted);
        const Verdict reply = r.input(arp_frame(2, spa, "198.18.1.1"));
        EXPECT_EQ(reply.drop, wire::Drop::arp_not_request);
        EXPECT_FALSE(reply.sighted);
    }
    // The control: a reply from a host teaches the router its MAC.
    Router r;
    EXPECT_TRUE(r.input(arp_frame(2, "198.18.1.2", "198.18.1.1")).sighted);
}

TEST(NdLearn, SolicitationFromANeighbourIsLearntFromOurOwnAddressNot) {
    Router r;
    const Verdict v = r.input(nd_frame(135, "2001:2::2", "2001:2::1"));
    EXPECT_EQ(v.kind, Reply::nd_advert);
    ASSERT_TRUE(v.sighted);
    EXPECT_EQ(r.sighting.addr, ip6("2001:2::2"));
    for (const char* own : {"2001:2::1", "fe80::ff:fe00:1"}) {
        SCOPED_TRACE(own);
        Router o;
        const Verdict w = o.input(nd_frame(135, own, "2001:2::1"));
        EXPECT_EQ(w.kind, Reply::nd_advert);  // answered, as Linux answers it
        EXPECT_FALSE(w.sighted);
    }
}

TEST(NdLearn, AdvertisementForOurOwnAddressIsNotLearnt) {
    Router r;
    EXPECT_TRUE(r.input(nd_frame(136, "2001:2::2", "2001:2::2")).sighted);
    const Verdict v = r.input(nd_frame(136, "2001:2::2", "2001:2::1"));
    EXPECT_EQ(v.drop, wire::Drop::ndp_unhandled) << wire::drop_name(v.drop);
    EXPECT_FALSE(v.sighted);
}

}  // namespace
