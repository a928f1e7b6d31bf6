// The lcore runtime with stages plugged in at compile time: the stage contract, two different
// stages on one runtime type each, the TX buffers (drained on a full burst, on the deadline or
// when idle; refusals freed and counted by kind), the control ring, on_stop, and RSS-style
// multi-queue operation: two workers on queue 0 and queue 1 of the same ports, answering and
// forwarding, each on its own TX queue, with every counter balanced and every mbuf returned.
#include <gtest/gtest.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <memory>
#include <string>
#include <vector>

#include "drivers/mempool.hh"
#include "drivers/port.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/runtime.hh"
#include "lib/route/fib.hh"
#include "lib/route/neighbors.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "tests/component/host_rig.hh"
#include "tests/component/ring_env.hh"

namespace {

using namespace pw;
using pipeline::Lcore;
using pipeline::RxQueue;
using pipeline::TxKind;
using test::g_pool;
using test::RingPort;
using test::to_mbuf;
using wire::Ipv4Addr;
using wire::MacAddr;

const MacAddr peer_mac{{0x02, 0, 0, 0, 0, 0x01}};
const MacAddr far_mac{{0x02, 0, 0, 0, 0, 0x0f}};
const Ipv4Addr peer4 = *Ipv4Addr::parse("198.18.0.1");
const Ipv4Addr our4 = *Ipv4Addr::parse("198.18.0.2");
const Ipv4Addr our_b = *Ipv4Addr::parse("198.18.1.2");
const Ipv4Addr far4 = *Ipv4Addr::parse("198.18.1.9");

std::vector<std::byte> echo4(const MacAddr& to, const Ipv4Addr& dst, std::uint16_t seq,
                             std::uint8_t ttl = 64) {
    std::vector<std::byte> f(14 + 20 + 8 + 56);
    wire::Bytes b{f};
    wire::eth::Repr{to, peer_mac, wire::eth::type_ipv4}.emit(b);
    wire::ipv4::Repr{peer4, dst, wire::ipv4::proto_icmp, ttl, 0, seq, 0, 8 + 56}.emit(
        b.subspan(14));
    wire::icmp::Repr{wire::icmpv4::echo_request, 0, (0x4242U << 16) | seq}.emit(b.subspan(34));
    wire::icmp::View<std::byte>::checked(b.subspan(34), wire::Drop::icmp4_truncated)
        ->fill_checksum_v4();
    return f;
}

// A second, unrelated stage: sends every frame back out with the MACs swapped, drops runts
// (under a named reason), and counts its ticks and stops.
struct MirrorStage {
    unsigned ticks = 0, stops = 0, bursts = 0;
    void on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept {
        ++bursts;
        for (std::uint16_t i = 0; i < n; ++i) {
            rte_mbuf* m = pkts[i];
            if (m->data_len < wire::eth::header_len) {
                l.drop(q.port, m, wire::Drop::eth_truncated);
                continue;
            }
            auto* p = rte_pktmbuf_mtod(m, std::uint8_t*);
            for (int k = 0; k < 6; ++k) std::swap(p[k], p[6 + k]);
            l.send(q.port, m, TxKind::reply);
        }
    }
    void on_tick(Lcore&) noexcept { ++ticks; }
    void on_stop(Lcore&) noexcept { ++stops; }
};

struct NotAStage {
    void on_burst(rte_mbuf**, std::uint16_t, const RxQueue&, Lcore&) noexcept {}
};

static_assert(pipeline::Stage<pipeline::HostStage>);
static_assert(pipeline::Stage<MirrorStage>);
static_assert(!pipeline::Stage<NotAStage>, "a stage needs on_tick and on_stop");

pipeline::LcoreConfig config_for(std::vector<RxQueue> rx, std::uint64_t drain_us) {
    pipeline::LcoreConfig c;
    c.rx = std::move(rx);
    c.pool = g_pool;
    c.clock = pipeline::Clock::from_now();
    c.drain_us = drain_us;
    return c;
}

TEST(Runtime, TwoDifferentStages) {
    RingPort mirror_port("pw_rt_mirror"), host_port("pw_rt_host");
    const pw::test::PoolBalance balance;

    // The mirror stage on one port.
    MirrorStage mirror;
    std::vector<pipeline::LcoreBase> base(1);
    pipeline::Runtime<MirrorStage> rt(config_for({{mirror_port.port, 0}}, 0), mirror, base[0]);
    std::vector<rte_mbuf*> in;
    for (std::uint16_t i = 0; i < 5; ++i) in.push_back(to_mbuf(echo4(mirror_port.mac, our4, i)));
    in.push_back(to_mbuf(std::vector<std::byte>(10)));  // a runt
    mirror_port.inject(in);
    EXPECT_EQ(rt.poll_once(), 6U);
    auto out = mirror_port.drain();
    ASSERT_EQ(out.size(), 5U);
    EXPECT_EQ(test::bytes(out[0]).subspan(0, 6)[5], std::byte{0x01});  // peer's MAC now first
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    const auto b = pipeline::sum_base(base, mirror_port.port);
    EXPECT_EQ(b.rx, 6U);
    EXPECT_EQ(b.tx, 5U);
    EXPECT_EQ(b.sent_of(TxKind::reply), 5U);
    EXPECT_EQ(b.drops[static_cast<std::size_t>(wire::Drop::eth_truncated)], 1U);
    EXPECT_EQ(b.rx, b.tx + b.dropped());
    rt.finish();
    EXPECT_EQ(mirror.stops, 1U);
    EXPECT_GE(mirror.ticks, 1U);

    // The host stage on the other, with the same runtime template.
    route::InterfaceTable ifaces;
    route::PortSpec spec;
    spec.port = host_port.port;
    spec.v4.push_back({our4, 24});
    ASSERT_FALSE(ifaces.add(spec, host_port.mac, 1500));
    icmp::HostPolicy policy;
    pipeline::HostEnv env;
    env.interfaces = &ifaces;
    env.policy = &policy;
    {
        test::HostRig rig(env, {{host_port.port, 0}}, g_pool);
        host_port.inject(echo4(host_port.mac, our4, 1));
        host_port.inject(echo4(host_port.mac, far4, 2));  // not ours, host mode: dropped
        EXPECT_EQ(rig.poll_once(), 2U);
        out = host_port.drain();
        ASSERT_EQ(out.size(), 1U);
        rte_pktmbuf_free_bulk(out.data(), 1);
        const auto c = rig.c(host_port.port);
        EXPECT_EQ(c.answered, 1U);
        EXPECT_EQ(c.drops[static_cast<std::size_t>(wire::Drop::ip4_not_for_us)], 1U);
        EXPECT_EQ(c.rx, c.answered + c.forwarded + c.held + c.dropped());
    }
    EXPECT_TRUE(balance.ok());
}

TEST(Runtime, TxBuffersDrainOnBurstDeadlineAndIdle) {
    RingPort port("pw_rt_drain");
    const pw::test::PoolBalance balance;
    MirrorStage mirror;
    std::vector<pipeline::LcoreBase> base(1);
    // A deadline far away: only a full burst or an idle round sends.
    pipeline::Runtime<MirrorStage> rt(config_for({{port.port, 0}}, 10'000'000), mirror, base[0]);
    std::vector<rte_mbuf*> in;
    for (std::uint16_t i = 0; i < 5; ++i) in.push_back(to_mbuf(echo4(port.mac, our4, i)));
    port.inject(in);
    EXPECT_EQ(rt.poll_once(), 5U);
    EXPECT_TRUE(port.drain().empty()) << "a short burst waits while packets keep coming";
    EXPECT_EQ(rt.poll_once(), 0U);  // idle: drained
    auto out = port.drain();
    EXPECT_EQ(out.size(), 5U);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));

    in.clear();
    for (std::uint16_t i = 0; i < pipeline::burst_size; ++i)
        in.push_back(to_mbuf(echo4(port.mac, our4, i)));
    port.inject(in);
    EXPECT_EQ(rt.poll_once(), pipeline::burst_size);
    out = port.drain();
    EXPECT_EQ(out.size(), pipeline::burst_size) << "a full burst leaves at once";
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    rt.finish();
    EXPECT_TRUE(balance.ok());
}

TEST(Runtime, RefusalsAreFreedAndCountedByKind) {
    RingPort port("pw_rt_refuse", 8);  // a TX ring of 8 (7 usable)
    const pw::test::PoolBalance balance;
    MirrorStage mirror;
    std::vector<pipeline::LcoreBase> base(1);
    pipeline::Runtime<MirrorStage> rt(config_for({{port.port, 0}}, 0), mirror, base[0]);
    std::vector<rte_mbuf*> in;
    for (std::uint16_t i = 0; i < 20; ++i) in.push_back(to_mbuf(echo4(port.mac, our4, i)));
    port.inject(in);
    EXPECT_EQ(rt.poll_once(), 20U);
    auto out = port.drain();
    const auto b = pipeline::sum_base(base, port.port);
    EXPECT_EQ(out.size(), 7U);
    EXPECT_EQ(b.tx, 7U);
    EXPECT_EQ(b.sent_of(TxKind::reply), 7U);
    EXPECT_EQ(b.refused_of(TxKind::reply), 13U);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    rt.finish();
    EXPECT_TRUE(balance.ok());
}

TEST(Runtime, ControlRingFramesLeaveAsGenerated) {
    RingPort port("pw_rt_ctl");
    const pw::test::PoolBalance balance;
    rte_ring* ring = rte_ring_create("pw_rt_ctl_ring", 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
    ASSERT_NE(ring, nullptr);
    MirrorStage mirror;
    std::vector<pipeline::LcoreBase> base(1);
    auto cfg = config_for({{port.port, 0}}, 0);
    cfg.from_control = ring;
    pipeline::Runtime<MirrorStage> rt(cfg, mirror, base[0]);
    for (int i = 0; i < 3; ++i) {
        rte_mbuf* m = to_mbuf(echo4(peer_mac, peer4, 1));
        m->port = port.port;
        ASSERT_EQ(rte_ring_enqueue(ring, m), 0);
    }
    EXPECT_EQ(rt.poll_once(), 0U);
    auto out = port.drain();
    EXPECT_EQ(out.size(), 3U);
    EXPECT_EQ(pipeline::sum_base(base, port.port).sent_of(TxKind::generated), 3U);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    rt.finish();
    rte_ring_free(ring);
    EXPECT_TRUE(balance.ok());
}

// A port of two RX and two TX queues on rings, as a NIC with RSS gives one worker per queue.
struct TwoQueuePort {
    rte_ring* rx[2] = {};
    rte_ring* tx[2] = {};
    std::uint16_t port = 0;
    MacAddr mac;
    explicit TwoQueuePort(const std::string& name) {
        for (int q = 0; q < 2; ++q) {
            rx[q] = rte_ring_create((name + "_rx" + std::to_string(q)).c_str(), 256, 0,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
            tx[q] = rte_ring_create((name + "_tx" + std::to_string(q)).c_str(), 256, 0,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
        }
        const int id = rte_eth_from_rings(name.c_str(), rx, 2, tx, 2, 0);
        EXPECT_GE(id, 0);
        port = static_cast<std::uint16_t>(id);
        drivers::PortSetup s;
        s.port = port;
        s.pool = g_pool;
        s.rx_queues = 2;
        s.tx_queues = 2;
        s.rx_desc = 128;
        s.tx_desc = 128;
        s.link_wait_ms = 0;
        auto r = drivers::setup_port(s);
        EXPECT_TRUE(std::holds_alternative<drivers::PortInfo>(r)) << std::get<std::string>(r);
        EXPECT_EQ(std::get<drivers::PortInfo>(r).rx_queues, 2U);
        mac = std::get<drivers::PortInfo>(r).mac;
    }
    void inject(unsigned q, const std::vector<std::byte>& f) {
        rte_mbuf* m = to_mbuf(f);
        ASSERT_EQ(rte_ring_enqueue(rx[q], m), 0);
    }
    std::vector<rte_mbuf*> drain(unsigned q) {
        std::vector<rte_mbuf*> out(256);
        out.resize(
            rte_ring_dequeue_burst(tx[q], reinterpret_cast<void**>(out.data()), 256, nullptr));
        return out;
    }
};

TEST(Runtime, TwoQueuesTwoWorkersAnswerAndForwardBalanced) {
    TwoQueuePort a("pw_rss_a"), b("pw_rss_b");
    const pw::test::PoolBalance balance;
    route::InterfaceTable ifaces;
    route::PortSpec sa, sb;
    sa.port = a.port;
    sa.v4.push_back({our4, 24});
    sb.port = b.port;
    sb.v4.push_back({our_b, 24});
    ASSERT_FALSE(ifaces.add(sa, a.mac, 1500));
    ASSERT_FALSE(ifaces.add(sb, b.mac, 1500));
    ifaces.set_router(true);
    route::Fib fib;
    ASSERT_FALSE(fib.init("pw_rss_fib", 64, 64));
    ASSERT_FALSE(fib.add_interfaces(ifaces));
    route::NeighborTable neighbors;
    ASSERT_FALSE(neighbors.init("pw_rss_nb", 64));
    ASSERT_TRUE(neighbors.add_permanent(route::NeighKey::of(b.port, far4), far_mac, 0));
    icmp::HostPolicy policy;
    icmp::RouterPolicy router;
    std::vector<icmp::ProbeIface> probe(2);
    probe[0].iface = ifaces.find(a.port);
    probe[1].iface = ifaces.find(b.port);
    pipeline::HostEnv env;
    env.interfaces = &ifaces;
    env.policy = &policy;
    env.probe_ifaces = probe;
    env.router = &router;
    env.fib = &fib;
    env.neighbors = &neighbors;
    {
        std::vector<std::unique_ptr<test::HostRig>> workers;
        for (unsigned w = 0; w < 2; ++w)
            workers.push_back(std::make_unique<test::HostRig>(
                env,
                std::vector<RxQueue>{{a.port, static_cast<std::uint16_t>(w)},
                                     {b.port, static_cast<std::uint16_t>(w)}},
                g_pool, nullptr, w));
        // Each queue gets echo requests to the router and packets to forward to far4.
        for (unsigned q = 0; q < 2; ++q)
            for (std::uint16_t i = 0; i < 10; ++i) {
                a.inject(q, echo4(a.mac, our4, i));
                a.inject(q, echo4(a.mac, far4, i));
            }
        for (auto& w : workers) EXPECT_EQ(w->poll_once(), 20U);
        for (unsigned q = 0; q < 2; ++q) {
            auto back = a.drain(q);
            auto fwd = b.drain(q);
            EXPECT_EQ(back.size(), 10U) << "echo replies on worker " << q << "'s own TX queue";
            ASSERT_EQ(fwd.size(), 10U) << "forwarded on worker " << q << "'s own TX queue";
            const auto f = test::bytes(fwd[0]);
            EXPECT_EQ(wire::load_bytes<MacAddr>(f, 0), far_mac);
            EXPECT_EQ(wire::load8(f, 14 + 8), 63U);  // TTL decremented
            rte_pktmbuf_free_bulk(back.data(), static_cast<unsigned>(back.size()));
            rte_pktmbuf_free_bulk(fwd.data(), static_cast<unsigned>(fwd.size()));
        }
        // Summed over both workers, as the program reports.
        std::vector<pipeline::LcoreBase> base{workers[0]->base[0], workers[1]->base[0]};
        std::vector<pipeline::LcoreHost> host{workers[0]->host[0], workers[1]->host[0]};
        const auto ca = test::flatten(pipeline::sum_port(base, host, a.port));
        const auto cb = test::flatten(pipeline::sum_port(base, host, b.port));
        EXPECT_EQ(ca.rx, 40U);
        EXPECT_EQ(ca.answered, 20U);
        EXPECT_EQ(ca.forwarded, 20U);
        EXPECT_EQ(cb.fwd_sent, 20U);
        EXPECT_EQ(ca.rx, ca.answered + ca.forwarded + ca.held + ca.dropped());
        EXPECT_EQ(ca.tx, ca.answered + ca.generated + ca.fwd_sent);
        EXPECT_EQ(cb.tx, cb.answered + cb.generated + cb.fwd_sent);
        EXPECT_EQ(workers[0]->c(a.port).answered, 10U);
        EXPECT_EQ(workers[1]->c(a.port).answered, 10U);
    }
    EXPECT_TRUE(balance.ok());
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new pw::test::EalEnv("pw_runtime_test"));
    return RUN_ALL_TESTS();
}
