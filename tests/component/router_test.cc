// Component tests of router mode: two net_ring ports, the FIB and neighbour table, the
// worker's forwarding path and the control lcore's neighbour resolution, under EAL
// --no-huge. Checks forwarded frames byte by byte where it matters (TTL, checksum, MACs),
// the router's ICMP errors, the waiting queue, the counters' balance and the mempool.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "drivers/mempool.hh"
#include "tests/component/ring_env.hh"
#include "drivers/port.hh"
#include "lib/pipeline/control.hh"
#include "lib/pipeline/neigh_events.hh"
#include "tests/component/host_rig.hh"
#include "lib/route/fib.hh"
#include "lib/route/interfaces.hh"
#include "lib/route/neighbors.hh"
#include "lib/wire/arp.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"

namespace {

using namespace pw;
using wire::Ipv4Addr;
using wire::MacAddr;

const MacAddr mac_a{{0x02, 0, 0, 0, 0xa, 0x01}};
const MacAddr mac_b{{0x02, 0, 0, 0, 0xb, 0x02}};
const Ipv4Addr ip_a = *Ipv4Addr::parse("198.18.1.2");
const Ipv4Addr ip_r0 = *Ipv4Addr::parse("198.18.1.1");
const Ipv4Addr ip_b = *Ipv4Addr::parse("198.18.2.2");
const Ipv4Addr ip_r1 = *Ipv4Addr::parse("198.18.2.1");

using test::bytes;
using test::g_pool;
using test::RingPort;

std::vector<std::byte> echo(const MacAddr& to, const Ipv4Addr& dst, std::uint8_t ttl,
                            std::size_t payload, bool df) {
    std::vector<std::byte> f(14 + 20 + 8 + payload);
    wire::Bytes b{f};
    wire::eth::Repr{to, mac_a, wire::eth::type_ipv4}.emit(b);
    wire::ipv4::Repr{ip_a,
                     dst,
                     wire::ipv4::proto_icmp,
                     ttl,
                     0,
                     7,
                     static_cast<std::uint16_t>(df ? wire::ipv4::flag_df : 0),
                     static_cast<std::uint16_t>(8 + payload)}
        .emit(b.subspan(14));
    wire::icmp::Repr{wire::icmpv4::echo_request, 0, 0x00010001}.emit(b.subspan(34));
    wire::icmp::View<std::byte>::checked(b.subspan(34), wire::Drop::icmp4_truncated)
        ->fill_checksum_v4();
    return f;
}

// The router of the tests: port 0 (198.18.1.1/24), port 1 (198.18.2.1/24, MTU 1400).
struct Router {
    RingPort p0{"pw_rt0_" + std::to_string(n)}, p1{"pw_rt1_" + std::to_string(n)};
    route::InterfaceTable ifaces;
    route::Fib fib;
    route::NeighborTable neighbors;
    icmp::HostPolicy policy;
    icmp::RouterPolicy router;
    icmp::SharedBucket global;
    std::vector<icmp::ProbeIface> probe;
    rte_ring* events = nullptr;
    rte_ring* to_worker = nullptr;
    std::unique_ptr<pipeline::Control> control;
    std::unique_ptr<pw::test::HostRig> worker;
    pipeline::HostEnv env;
    static inline int n = 0;

    Router() {
        ++n;
        route::PortSpec s0, s1;
        s0.port = p0.port;
        s0.v4.push_back({ip_r0, 24});
        s1.port = p1.port;
        s1.v4.push_back({ip_r1, 24});
        EXPECT_FALSE(ifaces.add(s0, p0.mac, 1500));
        EXPECT_FALSE(ifaces.add(s1, p1.mac, 1400));
        ifaces.set_router(true);
        const std::string id = std::to_string(n);
        EXPECT_FALSE(fib.init("pw_rtfib" + id, 64, 64));
        EXPECT_FALSE(fib.add_interfaces(ifaces));
        EXPECT_FALSE(neighbors.init("pw_rtnb" + id, 64));
        for (std::uint16_t p : {p0.port, p1.port}) {
            icmp::ProbeIface pi;
            pi.iface = ifaces.find(p);
            pi.index = p + 1U;
            probe.push_back(pi);
        }
        events = rte_ring_create_elem(("pw_rtev" + id).c_str(), sizeof(pipeline::NeighEvent), 256,
                                      0, RING_F_SC_DEQ);
        to_worker =
            rte_ring_create(("pw_rtctl" + id).c_str(), 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        control = std::make_unique<pipeline::Control>(
            pipeline::Control::Env{&neighbors, &ifaces, events, to_worker, g_pool});
        icmp::RateLimitConfig rate;
        rate.deterministic = true;
        global.configure(1'000'000, 50);
        env.interfaces = &ifaces;
        env.policy = &policy;
        env.rate = rate;
        env.global_bucket = &global;
        env.reassembly.max_datagrams = 2;
        env.probe_ifaces = probe;
        env.router = &router;
        env.fib = &fib;
        env.neighbors = &neighbors;
        env.neigh_events = events;
        worker = std::make_unique<pw::test::HostRig>(
            env, std::vector<pipeline::RxQueue>{{p0.port, 0}, {p1.port, 0}}, g_pool, to_worker);
    }
    ~Router() {
        worker.reset();
        rte_ring_free(events);
        rte_ring_free(to_worker);
    }
    // B resolved: asked for (RFC 4861 7.2.5 ignores advertisements nobody asked for), then
    // answered.
    void learn_b() {
        const auto k = route::NeighKey::of(p1.port, ip_b);
        neighbors.want(k, 0);
        neighbors.learn_advertisement(k, mac_b, true, true, 0);
    }
    pw::test::Counts c(std::uint16_t port) const { return worker->c(port); }
    void expect_balanced() const {
        for (std::uint16_t p : {p0.port, p1.port}) {
            const auto k = c(p);
            EXPECT_EQ(k.rx, k.answered + k.forwarded + k.held + k.dropped()) << "port " << p;
            EXPECT_EQ(k.tx, k.answered + k.generated + k.fwd_sent) << "port " << p;
        }
    }
};

TEST(Router, ForwardsWithTtlDecrementedAndMacsRewritten) {
    Router r;
    r.learn_b();
    const pw::test::PoolBalance balance;
    const auto in = echo(r.p0.mac, ip_b, 64, 56, true);
    r.p0.inject(in);
    r.worker->poll_once();
    auto out = r.p1.drain();
    ASSERT_EQ(out.size(), 1U);
    const auto f = bytes(out[0]);
    ASSERT_EQ(f.size(), in.size());
    const auto e = *wire::eth::View<const std::byte>::checked(f);
    EXPECT_EQ(e.dst(), mac_b);
    EXPECT_EQ(e.src(), r.p1.mac);
    const auto ip = *wire::ipv4::View<const std::byte>::checked(e.payload());
    EXPECT_EQ(ip.ttl(), 63);
    EXPECT_TRUE(ip.header_checksum_ok());  // RFC 1624 update, checked by a full sum
    // Everything but the MACs, the TTL and the header checksum is unchanged.
    EXPECT_EQ(std::memcmp(f.data() + 34, in.data() + 34, in.size() - 34), 0);
    EXPECT_EQ(r.c(r.p0.port).forwarded, 1U);
    EXPECT_EQ(r.c(r.p1.port).fwd_sent, 1U);
    r.expect_balanced();
    rte_pktmbuf_free(out[0]);
    EXPECT_TRUE(balance.ok());
}

TEST(Router, RouterErrorsGoBackOutTheIngressPort) {
    Router r;
    r.learn_b();
    const pw::test::PoolBalance balance;
    r.p0.inject(echo(r.p0.mac, ip_b, 1, 56, true));     // TTL expires
    r.p0.inject(echo(r.p0.mac, ip_b, 64, 1400, true));  // 1428 > MTU 1400 with DF
    r.p0.inject(echo(r.p0.mac, *Ipv4Addr::parse("198.18.9.9"), 64, 56, true));  // no route
    r.worker->poll_once();
    EXPECT_TRUE(r.p1.drain().empty());
    auto out = r.p0.drain();
    ASSERT_EQ(out.size(), 3U);
    struct Want {
        std::uint8_t type, code;
        std::uint32_t word;
    };
    const Want want[3] = {{11, 0, 0}, {3, 4, 1400}, {3, 0, 0}};
    for (std::size_t i = 0; i < 3; ++i) {
        const auto f = bytes(out[i]);
        const auto e = *wire::eth::View<const std::byte>::checked(f);
        EXPECT_EQ(e.dst(), mac_a);
        const auto ip = *wire::ipv4::View<const std::byte>::checked(e.payload());
        EXPECT_EQ(ip.src(), ip_r0);  // the ingress interface (RFC 1812 4.3.2.4)
        EXPECT_EQ(ip.dst(), ip_a);
        EXPECT_EQ(ip.tos(), 0xc0);
        const auto ic =
            *wire::icmp::View<const std::byte>::checked(ip.payload(), wire::Drop::icmp4_truncated);
        EXPECT_EQ(ic.type(), want[i].type) << i;
        EXPECT_EQ(ic.code(), want[i].code) << i;
        EXPECT_EQ(ic.word(), want[i].word) << i;  // RFC 1191: the next-hop MTU for 3/4
        EXPECT_TRUE(ic.checksum_ok_v4());
    }
    const auto& c0 = r.c(r.p0.port);
    EXPECT_EQ(c0.drops[static_cast<std::size_t>(wire::Drop::ttl_expired)], 1U);
    EXPECT_EQ(c0.drops[static_cast<std::size_t>(wire::Drop::mtu_exceeded)], 1U);
    EXPECT_EQ(c0.drops[static_cast<std::size_t>(wire::Drop::no_route)], 1U);
    EXPECT_EQ(c0.icmp.v4.out_type[11], 1U);
    EXPECT_EQ(c0.icmp.v4.out_type[3], 2U);
    r.expect_balanced();
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_TRUE(balance.ok());
}

TEST(Router, WithoutDfALargePacketIsFragmentedToTheEgressMtu) {
    Router r;
    r.learn_b();
    const pw::test::PoolBalance balance;
    r.p0.inject(echo(r.p0.mac, ip_b, 64, 1472, false));
    r.worker->poll_once();
    auto out = r.p1.drain();
    ASSERT_EQ(out.size(), 2U);
    std::size_t data = 0;
    for (rte_mbuf* m : out) {
        const auto ip = *wire::ipv4::View<const std::byte>::checked(bytes(m).subspan(14));
        EXPECT_LE(ip.total_length(), 1400U);
        EXPECT_EQ(ip.ttl(), 63);
        EXPECT_TRUE(ip.header_checksum_ok());
        data += ip.payload().size();
    }
    EXPECT_EQ(data, 1480U);
    EXPECT_EQ(r.c(r.p1.port).fwd_sent, 2U);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_TRUE(balance.ok());
}

TEST(Router, UnresolvedNextHopWaitsThenGoesOutOnceTheControlLcoreLearnsIt) {
    Router r;
    const pw::test::PoolBalance balance;
    for (int i = 0; i < 3; ++i) r.p0.inject(echo(r.p0.mac, ip_b, 64, 56, true));
    r.worker->poll_once();
    EXPECT_TRUE(r.p1.drain().empty());  // waiting
    EXPECT_EQ(r.c(r.p0.port).forwarded, 3U);
    // The control lcore takes the request and sends an ARP request, through worker 0.
    r.control->poll(1'000'000);
    r.worker->poll_once();
    auto probes = r.p1.drain();
    ASSERT_EQ(probes.size(), 1U);
    const auto arp = *wire::arp::View<const std::byte>::checked(bytes(probes[0]).subspan(14));
    EXPECT_EQ(arp.oper(), wire::arp::op_request);
    EXPECT_EQ(arp.tpa(), ip_b);
    EXPECT_EQ(arp.spa(), ip_r1);
    EXPECT_EQ(arp.sha(), r.p1.mac);
    rte_pktmbuf_free(probes[0]);
    // B answers; the worker reports it, the control lcore learns it, the packets go.
    std::vector<std::byte> reply(42);
    wire::eth::Repr{r.p1.mac, mac_b, wire::eth::type_arp}.emit(reply);
    wire::arp::Repr{wire::arp::op_reply, mac_b, ip_b, r.p1.mac, ip_r1}.emit(
        wire::Bytes{reply}.subspan(14));
    r.p1.inject(reply);
    r.worker->poll_once();
    r.control->poll(2'000'000);
    rte_delay_us_block(2000);  // the worker looks at its waiting queue every millisecond
    r.worker->poll_once();
    auto out = r.p1.drain();
    ASSERT_EQ(out.size(), 3U);
    for (rte_mbuf* m : out) EXPECT_EQ(wire::load_bytes<MacAddr>(bytes(m), 0), mac_b);
    EXPECT_EQ(r.c(r.p1.port).fwd_sent, 3U);
    r.expect_balanced();
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_TRUE(balance.ok());
}

TEST(Router, ANextHopThatNeverAnswersTurnsTheWaitingPacketsIntoHostUnreachable) {
    Router r;
    const pw::test::PoolBalance balance;
    r.p0.inject(echo(r.p0.mac, *Ipv4Addr::parse("198.18.2.77"), 64, 56, true));
    r.worker->poll_once();
    // Three ARP requests one second apart, then the entry fails (RFC 1122 2.3.2.1 / Linux
    // mcast_solicit 3).
    for (std::uint64_t t = 1; t <= 4; ++t) {
        r.control->poll(t * 1'000'000'000ULL);
        r.worker->poll_once();
    }
    auto probes = r.p1.drain();
    EXPECT_EQ(probes.size(), 3U);
    rte_pktmbuf_free_bulk(probes.data(), static_cast<unsigned>(probes.size()));
    // The worker sees the failed entry on its next sweep.
    std::vector<rte_mbuf*> errs;
    for (int i = 0; i < 50 && errs.empty(); ++i) {
        rte_delay_us_block(2000);
        r.worker->poll_once();
        errs = r.p0.drain();
    }
    ASSERT_EQ(errs.size(), 1U);
    const auto ip = *wire::ipv4::View<const std::byte>::checked(bytes(errs[0]).subspan(14));
    const auto ic =
        *wire::icmp::View<const std::byte>::checked(ip.payload(), wire::Drop::icmp4_truncated);
    EXPECT_EQ(ic.type(), 3);
    EXPECT_EQ(ic.code(), 1);  // Host Unreachable
    EXPECT_EQ(r.c(r.p1.port).fwd_failed, 1U);
    rte_pktmbuf_free(errs[0]);
    EXPECT_TRUE(balance.ok());
}

// Packets waiting for next hops ask the control lcore about each next hop once, then again only
// every ask_again_ns (500 ms), however many next hops wait (more than the 64 recent asks the
// worker remembers): not on every sweep of the queue (every millisecond).
TEST(Router, ManyWaitingNextHopsAreAskedForOncePerInterval) {
    Router r;
    const pw::test::PoolBalance balance;
    constexpr unsigned hops = 100;
    for (unsigned i = 0; i < hops; ++i) {
        Ipv4Addr dst = *Ipv4Addr::parse("198.18.2.100");
        dst.bytes[3] = static_cast<std::uint8_t>(100 + i);
        r.p0.inject(echo(r.p0.mac, dst, 64, 56, true));
        if (i % 32 == 31) r.worker->poll_once();
    }
    unsigned events = 0;
    auto drain = [&] {
        pipeline::NeighEvent e[64];
        unsigned got;
        while ((got = rte_ring_dequeue_burst_elem(r.events, e, sizeof e[0], 64, nullptr)) > 0)
            events += got;
    };
    // About 100 sweeps of the queue (one a millisecond), well within ask_again_ns.
    const std::uint64_t until = rte_get_tsc_cycles() + rte_get_tsc_hz() / 10;
    while (rte_get_tsc_cycles() < until) {
        r.worker->poll_once();
        drain();
    }
    EXPECT_EQ(r.c(r.p0.port).forwarded, hops);
    EXPECT_EQ(events, hops);  // one ask per next hop
    r.worker.reset();         // what still waits is freed and counted at exit
    EXPECT_TRUE(balance.ok());
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new pw::test::EalEnv("pw_router"));
    return RUN_ALL_TESTS();
}
