// Component tests: the burst loop on a real DPDK port (net_ring, EAL --no-huge). Frames go in
// through the port's RX ring; replies come out of its TX ring. Checks replies, counters
// (rx == tx + dropped) and that the mempool gets every mbuf back.
#include <gtest/gtest.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <rte_cycles.h>

#include <atomic>
#include <memory>
#include <cstring>
#include <string>
#include <vector>

#include "drivers/mempool.hh"
#include "tests/component/ring_env.hh"
#include "drivers/port.hh"
#include "lib/icmp/fragment.hh"
#include "lib/icmp/reassembly.hh"
#include "tests/component/host_rig.hh"
#include "lib/route/interfaces.hh"
#include "lib/wire/arp.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/udp.hh"

#include <chrono>
#include <thread>

namespace {

using namespace pw;
using wire::Ipv4Addr;
using wire::Ipv6Addr;
using wire::MacAddr;

const MacAddr peer_mac{{0x02, 0, 0, 0, 0, 0x01}};
const Ipv4Addr peer4 = *Ipv4Addr::parse("198.18.0.1");
const Ipv4Addr our4 = *Ipv4Addr::parse("198.18.0.2");
const Ipv6Addr peer6 = *Ipv6Addr::parse("2001:2::1");
const Ipv6Addr our6 = *Ipv6Addr::parse("2001:2::2");

using test::g_pool;
using test::RingPort;
using test::to_mbuf;

std::vector<std::byte> echo4_frame(const MacAddr& dst_mac, std::size_t payload, std::uint16_t seq) {
    std::vector<std::byte> f(wire::eth::header_len + 20 + 8 + payload);
    wire::Bytes b{f};
    wire::eth::Repr{dst_mac, peer_mac, wire::eth::type_ipv4}.emit(b);
    wire::ipv4::Repr ip{
        peer4, our4, wire::ipv4::proto_icmp, 64,
        0,     seq,  wire::ipv4::flag_df,    static_cast<std::uint16_t>(8 + payload)};
    ip.emit(b.subspan(14));
    const auto icmp = b.subspan(34);
    wire::icmp::Repr{wire::icmpv4::echo_request, 0, (0x1234U << 16) | seq}.emit(icmp);
    for (std::size_t i = 0; i < payload; ++i) icmp[8 + i] = std::byte(i);
    wire::icmp::View<std::byte>::checked(icmp, wire::Drop::icmp4_truncated)->fill_checksum_v4();
    return f;
}

std::vector<std::byte> echo6_frame(const MacAddr& dst_mac) {
    std::vector<std::byte> f(wire::eth::header_len + 40 + 8 + 32);
    wire::Bytes b{f};
    wire::eth::Repr{dst_mac, peer_mac, wire::eth::type_ipv6}.emit(b);
    wire::ipv6::Repr{peer6, our6, wire::ipv6::nh_icmp6, 64, 0, 0, 40}.emit(b.subspan(14));
    const auto icmp = b.subspan(54);
    wire::icmp::Repr{wire::icmpv6::echo_request, 0, 0x00070001}.emit(icmp);
    wire::icmp::View<std::byte>::checked(icmp, wire::Drop::icmp6_truncated)
        ->fill_checksum_v6(wire::pseudo_sum_v6(peer6, our6, 40, wire::ipv6::nh_icmp6));
    return f;
}

std::vector<std::byte> arp_request_frame() {
    std::vector<std::byte> f(wire::eth::header_len + wire::arp::packet_len);
    wire::Bytes b{f};
    wire::eth::Repr{MacAddr::broadcast(), peer_mac, wire::eth::type_arp}.emit(b);
    wire::arp::Repr{wire::arp::op_request, peer_mac, peer4, MacAddr{}, our4}.emit(b.subspan(14));
    return f;
}

// The environment every worker in these tests shares: default host policy, Linux's rate
// limits in deterministic mode, the test pool.
struct Env {
    icmp::HostPolicy policy;
    icmp::SharedBucket global;
    pipeline::HostEnv env;

    explicit Env(const route::InterfaceTable& ifaces) {
        icmp::RateLimitConfig rate;
        rate.deterministic = true;
        global.configure(1'000'000'000ULL / rate.global_per_sec, rate.global_burst);
        env.interfaces = &ifaces;
        env.policy = &policy;
        env.rate = rate;
        env.global_bucket = &global;
        env.reassembly.max_datagrams = 4;
    }
};

route::PortSpec spec_for(std::uint16_t port) {
    route::PortSpec s;
    s.port = port;
    s.v4.push_back({our4, 24});
    s.v6.push_back({our6, 64});
    return s;
}

TEST(Pipeline, AnswersAMixedBurstAndReturnsEveryMbuf) {
    RingPort rp("pw_ring_a", 1024);
    route::InterfaceTable ifaces;
    ASSERT_FALSE(ifaces.add(spec_for(rp.port), rp.mac, 1500));
    Env env(ifaces);
    pw::test::HostRig w(env.env, {{rp.port, 0}}, g_pool);

    const pw::test::PoolBalance balance;
    std::vector<rte_mbuf*> in;
    in.push_back(to_mbuf(arp_request_frame()));
    for (std::uint16_t i = 0; i < 10; ++i) in.push_back(to_mbuf(echo4_frame(rp.mac, 56, i)));
    in.push_back(to_mbuf(echo6_frame(rp.mac)));
    auto bad_sum = echo4_frame(rp.mac, 56, 99);
    bad_sum[40] ^= std::byte{0xff};  // inside the ICMP payload: ICMP checksum now wrong
    in.push_back(to_mbuf(bad_sum));
    in.push_back(to_mbuf(echo4_frame(MacAddr{{0x02, 9, 9, 9, 9, 9}}, 56, 100)));  // another MAC
    auto trunc = echo4_frame(rp.mac, 56, 101);
    trunc.resize(20);  // cut inside the IPv4 header
    in.push_back(to_mbuf(trunc));
    rp.inject(in);

    EXPECT_EQ(w.poll_once(), in.size());
    auto out = rp.drain();
    ASSERT_EQ(out.size(), 12U);  // 1 ARP + 10 echo4 + 1 echo6

    const auto c = w.c(rp.port);
    EXPECT_EQ(c.rx, in.size());
    EXPECT_EQ(c.tx, 12U);
    EXPECT_EQ(c.rx, c.answered + c.held + c.dropped());
    EXPECT_EQ(c.tx, c.answered + c.generated);
    EXPECT_EQ(c.replies[static_cast<std::size_t>(icmp::Reply::arp_reply)], 1U);
    EXPECT_EQ(c.replies[static_cast<std::size_t>(icmp::Reply::echo4_reply)], 10U);
    EXPECT_EQ(c.replies[static_cast<std::size_t>(icmp::Reply::echo6_reply)], 1U);
    EXPECT_EQ(c.drops[static_cast<std::size_t>(wire::Drop::icmp4_bad_checksum)], 1U);
    EXPECT_EQ(c.drops[static_cast<std::size_t>(wire::Drop::not_our_mac)], 1U);
    EXPECT_EQ(c.drops[static_cast<std::size_t>(wire::Drop::ip4_truncated)], 1U);

    // The replies are well formed: valid IPv4 header checksums, echo replies to the peer.
    unsigned echo4 = 0;
    for (rte_mbuf* m : out) {
        wire::ConstBytes f{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
        EXPECT_EQ(m->pkt_len, m->data_len);
        const auto e = wire::eth::View<const std::byte>::checked(f);
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->src(), rp.mac);
        EXPECT_EQ(e->dst(), peer_mac);
        if (e->ethertype() != wire::eth::type_ipv4) continue;
        const auto ip = wire::ipv4::View<const std::byte>::checked(e->payload());
        ASSERT_TRUE(ip.ok());
        EXPECT_TRUE(ip->header_checksum_ok());
        EXPECT_EQ(ip->dst(), peer4);
        const auto ic =
            wire::icmp::View<const std::byte>::checked(ip->payload(), wire::Drop::icmp4_truncated);
        EXPECT_EQ(ic->type(), wire::icmpv4::echo_reply);
        EXPECT_TRUE(ic->checksum_ok_v4());
        ++echo4;
    }
    EXPECT_EQ(echo4, 10U);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_EQ(w.poll_once(), 0U);
    EXPECT_TRUE(balance.ok());
}

TEST(Pipeline, RepliesTheTxQueueRefusesAreFreedAndCounted) {
    RingPort rp("pw_ring_b", 8);  // the TX ring holds 7
    route::InterfaceTable ifaces;
    ASSERT_FALSE(ifaces.add(spec_for(rp.port), rp.mac, 1500));
    Env env(ifaces);
    pw::test::HostRig w(env.env, {{rp.port, 0}}, g_pool);

    const pw::test::PoolBalance balance;
    std::vector<rte_mbuf*> in;
    for (std::uint16_t i = 0; i < 32; ++i) in.push_back(to_mbuf(echo4_frame(rp.mac, 56, i)));
    rp.inject(in);
    EXPECT_EQ(w.poll_once(), 32U);
    auto out = rp.drain();
    EXPECT_EQ(out.size(), 7U);
    const auto c = w.c(rp.port);
    EXPECT_EQ(c.tx, 7U);
    EXPECT_EQ(c.drops[static_cast<std::size_t>(wire::Drop::tx_full)], 25U);
    EXPECT_EQ(c.rx, c.answered + c.held + c.dropped());
    EXPECT_EQ(c.tx, c.answered + c.generated);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_TRUE(balance.ok());
}

TEST(Pipeline, ChainedFrameIsLinearisedAndAnswered) {
    RingPort rp("pw_ring_c", 1024);
    route::InterfaceTable ifaces;
    ASSERT_FALSE(ifaces.add(spec_for(rp.port), rp.mac, 1500));
    Env env(ifaces);
    pw::test::HostRig w(env.env, {{rp.port, 0}}, g_pool);

    const pw::test::PoolBalance balance;
    const auto frame = echo4_frame(rp.mac, 200, 7);
    // Two segments: headers and part of the payload, then the rest.
    rte_mbuf* head = rte_pktmbuf_alloc(g_pool);
    rte_mbuf* tail = rte_pktmbuf_alloc(g_pool);
    const std::size_t cut = 60;
    std::memcpy(rte_pktmbuf_append(head, cut), frame.data(), cut);
    std::memcpy(rte_pktmbuf_append(tail, static_cast<std::uint16_t>(frame.size() - cut)),
                frame.data() + cut, frame.size() - cut);
    ASSERT_EQ(rte_pktmbuf_chain(head, tail), 0);
    rp.inject({head});
    EXPECT_EQ(w.poll_once(), 1U);
    auto out = rp.drain();
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0]->nb_segs, 1);
    EXPECT_EQ(out[0]->pkt_len, frame.size());
    rte_pktmbuf_free_bulk(out.data(), 1);
    EXPECT_TRUE(balance.ok());
}

std::vector<std::byte> udp4_frame(const MacAddr& dst_mac, std::uint16_t dport,
                                  std::size_t payload) {
    std::vector<std::byte> f(14 + 20 + 8 + payload);
    wire::Bytes b{f};
    wire::eth::Repr{dst_mac, peer_mac, wire::eth::type_ipv4}.emit(b);
    wire::ipv4::Repr{
        peer4, our4, wire::ipv4::proto_udp, 64, 0, 1, 0, static_cast<std::uint16_t>(8 + payload)}
        .emit(b.subspan(14));
    const auto udp = b.subspan(34);
    wire::udp::Repr{40000, dport, static_cast<std::uint16_t>(payload)}.emit(udp);
    for (std::size_t i = 0; i < payload; ++i) udp[8 + i] = std::byte(i * 3);
    const auto sum =
        wire::checksum(udp, wire::pseudo_sum_v4(peer4, our4, wire::ipv4::proto_udp,
                                                static_cast<std::uint16_t>(8 + payload)));
    wire::store16(udp, 6, sum == 0 ? 0xffff : sum);
    return f;
}

TEST(Pipeline, PortUnreachableBuiltInFreshMbufsUnderTheRateLimit) {
    RingPort rp("pw_ring_d", 1024);
    route::InterfaceTable ifaces;
    ASSERT_FALSE(ifaces.add(spec_for(rp.port), rp.mac, 1500));
    Env env(ifaces);
    pw::test::HostRig w(env.env, {{rp.port, 0}}, g_pool);

    const pw::test::PoolBalance balance;
    std::vector<rte_mbuf*> in;
    for (int i = 0; i < 10; ++i) in.push_back(to_mbuf(udp4_frame(rp.mac, 33434, 1000)));
    rp.inject(in);
    EXPECT_EQ(w.poll_once(), 10U);
    auto out = rp.drain();
    // Linux's per-destination burst of 6; the rest held back by the limit.
    ASSERT_EQ(out.size(), 6U);
    const auto c = w.c(rp.port);
    EXPECT_EQ(c.drops[static_cast<std::size_t>(wire::Drop::udp_port_closed)], 10U);
    EXPECT_EQ(c.generated, 6U);
    EXPECT_EQ(c.icmp.errors[static_cast<std::size_t>(icmp::ErrorOutcome::sent)], 6U);
    EXPECT_EQ(c.icmp.errors[static_cast<std::size_t>(icmp::ErrorOutcome::rate_limited_host)], 4U);
    EXPECT_EQ(c.icmp.v4.out_rate_limit_host, 4U);
    EXPECT_EQ(c.icmp.v4.out_type[3], 6U);
    EXPECT_EQ(c.rx, c.answered + c.held + c.dropped());
    EXPECT_EQ(c.tx, c.answered + c.generated);
    for (rte_mbuf* m : out) {
        wire::ConstBytes f{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
        const auto ip = wire::ipv4::View<const std::byte>::checked(f.subspan(14));
        ASSERT_TRUE(ip.ok());
        // RFC 1812 4.3.2.3: 576 bytes in all, quoting as much of the datagram as fits.
        EXPECT_EQ(ip->total_length(), 576U);
        EXPECT_EQ(ip->tos(), 0xc0);
        EXPECT_EQ(ip->ttl(), 64);
        EXPECT_EQ(ip->src(), our4);
        EXPECT_EQ(ip->dst(), peer4);
        const auto ic =
            wire::icmp::View<const std::byte>::checked(ip->payload(), wire::Drop::icmp4_truncated);
        EXPECT_EQ(ic->type(), 3);
        EXPECT_EQ(ic->code(), 3);
        EXPECT_TRUE(ic->checksum_ok_v4());
    }
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_TRUE(balance.ok());
}

TEST(Pipeline, FragmentedEchoIsReassembledAndTheReplyFragmented) {
    RingPort rp("pw_ring_e", 1024);
    route::InterfaceTable ifaces;
    ASSERT_FALSE(ifaces.add(spec_for(rp.port), rp.mac, 1500));
    Env env(ifaces);
    pw::test::HostRig w(env.env, {{rp.port, 0}}, g_pool);

    const pw::test::PoolBalance balance;
    // An 8000-byte echo (ping -s 8000), fragmented for a 1500-byte MTU as Linux would.
    auto big = echo4_frame(rp.mac, 8000, 42);
    wire::store16(wire::Bytes{big}.subspan(14), wire::ipv4::field::flags_frag, 0);  // no DF
    wire::ipv4::View<std::byte>::checked(wire::Bytes{big}.subspan(14))->fill_checksum();
    const wire::ConstBytes l3 = wire::ConstBytes{big}.subspan(14);
    const std::size_t n = icmp::fragment_count_v4(l3, 1500);
    ASSERT_EQ(n, 6U);
    std::vector<rte_mbuf*> in;
    for (std::size_t i = n; i-- > 0;) {  // in reverse order
        std::vector<std::byte> frag(14 + 1500);
        std::memcpy(frag.data(), big.data(), 14);
        const std::size_t len = icmp::emit_fragment_v4(wire::Bytes{frag}.subspan(14), l3, 1500, i);
        frag.resize(14 + len);
        in.push_back(to_mbuf(frag));
    }
    rp.inject(in);
    EXPECT_EQ(w.poll_once(), n);
    auto out = rp.drain();
    ASSERT_EQ(out.size(), n);
    const auto c = w.c(rp.port);
    EXPECT_EQ(c.held, n);
    EXPECT_EQ(c.datagrams, 1U);
    EXPECT_EQ(c.replies[static_cast<std::size_t>(icmp::Reply::echo4_reply)], 1U);
    EXPECT_EQ(c.generated, n);
    EXPECT_EQ(c.icmp.v4.out_type[0], 1U);
    EXPECT_EQ(c.rx, c.answered + c.held + c.dropped());
    EXPECT_EQ(c.tx, c.answered + c.generated);

    // Reassemble what came out: the echo reply to the 8000-byte request, data unchanged.
    icmp::Reassembler check;
    check.configure({});
    icmp::Reassembler::Result r;
    for (rte_mbuf* m : out) {
        wire::ConstBytes f{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
        EXPECT_LE(f.size() - 14, 1500U);
        r = check.insert_v4(f.first(14), f.subspan(14), 0, 0);
        ASSERT_FALSE(r.dropped());
    }
    ASSERT_TRUE(r.complete());
    const auto ip =
        wire::ipv4::View<const std::byte>::checked(wire::ConstBytes{r.frame}.subspan(r.l2_len));
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip->total_length(), l3.size());
    EXPECT_EQ(ip->src(), our4);
    EXPECT_EQ(ip->dst(), peer4);
    const auto ic =
        wire::icmp::View<const std::byte>::checked(ip->payload(), wire::Drop::icmp4_truncated);
    EXPECT_EQ(ic->type(), wire::icmpv4::echo_reply);
    EXPECT_TRUE(ic->checksum_ok_v4());
    EXPECT_EQ(std::memcmp(ic->data().data(), l3.data() + 28, 8000), 0);
    rte_pktmbuf_free_bulk(out.data(), static_cast<unsigned>(out.size()));
    EXPECT_TRUE(balance.ok());
}

TEST(Pipeline, ReassemblyTimeoutWithTheFirstFragmentSendsTimeExceeded) {
    RingPort rp("pw_ring_f", 1024);
    route::InterfaceTable ifaces;
    ASSERT_FALSE(ifaces.add(spec_for(rp.port), rp.mac, 1500));
    Env env(ifaces);
    env.env.reassembly.timeout_v4_ns = 2'000'000;  // 2 ms
    pw::test::HostRig w(env.env, {{rp.port, 0}}, g_pool);

    const pw::test::PoolBalance balance;
    auto big = echo4_frame(rp.mac, 3000, 43);
    wire::store16(wire::Bytes{big}.subspan(14), wire::ipv4::field::flags_frag, 0);
    wire::ipv4::View<std::byte>::checked(wire::Bytes{big}.subspan(14))->fill_checksum();
    const wire::ConstBytes l3 = wire::ConstBytes{big}.subspan(14);
    std::vector<std::byte> first(14 + 1500);
    std::memcpy(first.data(), big.data(), 14);
    first.resize(14 + icmp::emit_fragment_v4(wire::Bytes{first}.subspan(14), l3, 1500, 0));
    rp.inject({to_mbuf(first)});
    EXPECT_EQ(w.poll_once(), 1U);
    EXPECT_TRUE(rp.drain().empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    w.poll_once();
    auto out = rp.drain();
    ASSERT_EQ(out.size(), 1U);
    wire::ConstBytes f{rte_pktmbuf_mtod(out[0], const std::byte*), out[0]->data_len};
    const auto ip = wire::ipv4::View<const std::byte>::checked(f.subspan(14));
    ASSERT_TRUE(ip.ok());
    const auto ic =
        wire::icmp::View<const std::byte>::checked(ip->payload(), wire::Drop::icmp4_truncated);
    EXPECT_EQ(ic->type(), wire::icmpv4::time_exceeded);
    EXPECT_EQ(ic->code(), 1);
    // The quote is the first fragment as it arrived: its header (MF set) and data.
    EXPECT_EQ(std::memcmp(ic->data().data(), first.data() + 14, 548), 0);
    EXPECT_EQ(w.c(rp.port).held, 1U);
    rte_pktmbuf_free_bulk(out.data(), 1);
    EXPECT_TRUE(balance.ok());
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new pw::test::EalEnv("pw_component"));
    return RUN_ALL_TESTS();
}
