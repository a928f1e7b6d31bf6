// RFC 6980 5: Neighbor Discovery in a fragmented packet is silently ignored, an atomic
// fragment (RFC 6946) and a reassembled datagram included. Found by the malformed-input
// catalogue (tests/integration/malformed.py, nd.ns.atomic-fragment): a Neighbor Solicitation
// behind a Fragment header was answered. The same solicitation without it is the control.
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
using pw::test::ip6;
using pw::test::mac;
using Bytes = std::vector<std::byte>;

const wire::MacAddr us_mac = mac("02:00:00:00:00:01");
const wire::MacAddr peer_mac = mac("02:00:00:00:00:02");
const wire::Ipv6Addr us6 = ip6("2001:2::1");
const wire::Ipv6Addr peer6 = ip6("2001:2::2");

Iface make_iface(bool router) {
    Iface i;
    i.mac = us_mac;
    EXPECT_TRUE(i.add_v6({us6, 64}));
    i.add_link_local();
    i.is_router = router;
    return i;
}

void put(Bytes& b, std::initializer_list<std::uint8_t> v) {
    for (auto x : v) b.push_back(std::byte{x});
}
template <class T>
void put_bytes(Bytes& b, const T& v) {
    for (auto x : v.bytes) b.push_back(std::byte{x});
}

// An Ethernet frame holding an NS (type 135) or NA (136) for `target` with a link-layer
// address option, to us, hop limit 255; behind an atomic Fragment header when atomic.
Bytes nd_frame(std::uint8_t type, const wire::Ipv6Addr& target, bool atomic) {
    Bytes icmp;
    put(icmp, {type, 0, 0, 0});
    put(icmp, {static_cast<std::uint8_t>(type == 136 ? 0x60 : 0), 0, 0, 0});  // NA: S, O
    put_bytes(icmp, target);
    put(icmp, {static_cast<std::uint8_t>(type == 136 ? 2 : 1), 1});
    put_bytes(icmp, peer_mac);
    const std::uint16_t sum = wire::checksum(
        icmp, wire::pseudo_sum_v6(peer6, us6, static_cast<std::uint32_t>(icmp.size()), 58));
    wire::store16(icmp, 2, sum);

    Bytes f;
    put_bytes(f, us_mac);
    put_bytes(f, peer_mac);
    put(f, {0x86, 0xdd});
    const std::size_t plen = icmp.size() + (atomic ? 8 : 0);
    put(f, {0x60, 0, 0, 0, static_cast<std::uint8_t>(plen >> 8), static_cast<std::uint8_t>(plen),
            static_cast<std::uint8_t>(atomic ? 44 : 58), 255});
    put_bytes(f, peer6);
    put_bytes(f, us6);
    if (atomic) put(f, {58, 0, 0, 0, 0, 0, 0, 7});  // offset 0, M clear, identification 7
    f.insert(f.end(), icmp.begin(), icmp.end());
    return f;
}

// A host (or router) context over one interface, as host_input's own overload makes it.
struct Run {
    Iface iface;
    HostPolicy policy{};
    IcmpStats stats{};
    std::uint16_t ident = 0;
    ErrorPlan plan{};
    Sighting sighting{};
    HostContext ctx;

    explicit Run(bool router) : iface(make_iface(router)) {
        ctx.iface = &iface;
        ctx.policy = &policy;
        ctx.stats = &stats;
        ctx.ip_ident = &ident;
        ctx.plan = &plan;
        ctx.sighting = &sighting;
        ctx.learns_neighbours = router;
    }
};

Verdict run(bool router, const Bytes& frame) {
    Run r(router);
    Bytes buf = frame;
    const std::size_t len = buf.size();
    buf.resize(2048, pw::test::fill_byte);
    return host_input(buf, len, r.ctx);
}

Verdict run_reassembled(bool router, const Bytes& frame) {
    Run r(router);
    Bytes buf = frame;
    const std::size_t len = buf.size();
    buf.resize(2048, pw::test::fill_byte);
    return host_input_reassembled(buf, len, 14, r.ctx);
}

TEST(NdFragmented, SolicitationInAnAtomicFragmentIsIgnored) {
    for (const bool router : {false, true}) {
        SCOPED_TRACE(router ? "router" : "host");
        const Verdict control = run(router, nd_frame(135, us6, false));
        EXPECT_EQ(control.next, Next::reply);
        EXPECT_EQ(control.kind, Reply::nd_advert);
        const Verdict v = run(router, nd_frame(135, us6, true));
        EXPECT_EQ(v.next, Next::drop);
        EXPECT_EQ(v.drop, wire::Drop::ndp_invalid) << wire::drop_name(v.drop);
        EXPECT_FALSE(v.sighted);
    }
}

TEST(NdFragmented, ReassembledSolicitationIsIgnored) {
    // A reassembled datagram comes without its Fragment header; host_input_reassembled marks
    // it, and the solicitation it holds is ignored all the same.
    const Verdict control = run(false, nd_frame(135, us6, false));
    EXPECT_EQ(control.next, Next::reply);
    const Verdict v = run_reassembled(false, nd_frame(135, us6, false));
    EXPECT_EQ(v.next, Next::drop);
    EXPECT_EQ(v.drop, wire::Drop::ndp_invalid) << wire::drop_name(v.drop);
}

TEST(NdFragmented, AdvertisementInAnAtomicFragmentTeachesTheRouterNothing) {
    const wire::Ipv6Addr target = peer6;
    const Verdict control = run(true, nd_frame(136, target, false));
    EXPECT_EQ(control.drop, wire::Drop::ndp_unhandled) << wire::drop_name(control.drop);
    EXPECT_TRUE(control.sighted);  // a router learns from a valid advertisement
    const Verdict v = run(true, nd_frame(136, target, true));
    EXPECT_EQ(v.drop, wire::Drop::ndp_invalid) << wire::drop_name(v.drop);
    EXPECT_FALSE(v.sighted);
}

}  // namespace
