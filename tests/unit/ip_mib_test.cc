// The Ip / Ip6 counters (RFC 4293 ipSystemStatsTable, Linux's names): host_input counts each
// datagram received and the one place its verdict lands (lib/icmp/ip_mib.cc), a reassembled
// datagram by its verdict only; the forwarding verdicts land as ip4_forward decides them;
// every IP-layer drop reason has a counter; the names are nstat's.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/icmp/host_input.hh"
#include "lib/icmp/ip_mib.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/golden_host.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace golden = pw::golden;
namespace wire = pw::wire;
using pw::test::cbytes;
using Frame = std::span<const std::uint8_t>;
using C = IpCounter;

struct Host : pw::test::GoldenHost {
    Verdict run(Frame f) {
        std::vector<std::byte> buf = pw::test::filled(2048);
        std::copy(cbytes(f).begin(), cbytes(f).end(), buf.begin());
        return host_input(buf, f.size(), ctx);
    }
    // Counter c of the family; all others of both families stay as `before` had them.
    IpMib v4() const { return stats.ip4; }
    IpMib v6() const { return stats.ip6; }
};

// What moved between two snapshots, as {counter name: delta}.
std::map<std::string, std::uint64_t> moved(const IpMib& before, const IpMib& after, bool v6) {
    std::map<std::string, std::uint64_t> m;
    for (std::size_t i = 0; i < ip_counter_count; ++i) {
        const auto c = static_cast<C>(i);
        if (after[c] != before[c]) m[ip_counter_name(c, v6)] = after[c] - before[c];
    }
    return m;
}

using Moves = std::map<std::string, std::uint64_t>;

void expect_moves(Host& h, Frame f, bool v6, const Moves& want, std::string_view what) {
    const IpMib other = v6 ? h.v4() : h.v6();
    const IpMib before = v6 ? h.v6() : h.v4();
    h.run(f);
    EXPECT_EQ(moved(before, v6 ? h.v6() : h.v4(), v6), want) << what;
    EXPECT_EQ(moved(other, v6 ? h.v4() : h.v6(), !v6), Moves{}) << what << ": the other family";
}

TEST(IpMib, EachIpv4DatagramLandsInOnePlace) {
    Host h;
    expect_moves(h, golden::echo4_req, false, {{"IpInReceives", 1}, {"IpInDelivers", 1}}, "echo");
    expect_moves(h, golden::bad_ip4_checksum, false,
                 {{"IpInReceives", 1}, {"IpInHdrErrors", 1}, {"IpExtInCsumErrors", 1}},
                 "bad checksum");
    expect_moves(h, golden::bad_ip4_version, false, {{"IpInReceives", 1}, {"IpInHdrErrors", 1}},
                 "version");
    expect_moves(h, golden::bad_ip4_len_long, false,
                 {{"IpInReceives", 1}, {"IpExtInTruncatedPkts", 1}}, "total length past");
    expect_moves(h, golden::bad_ip4_not_for_us, false, {{"IpInReceives", 1}, {"IpInAddrErrors", 1}},
                 "not for us");
    expect_moves(h, golden::he_proto4_253, false, {{"IpInReceives", 1}, {"IpInUnknownProtos", 1}},
                 "protocol 253");
    expect_moves(h, golden::bad_ip4_fragment_mf, false, {{"IpInReceives", 1}, {"IpReasmReqds", 1}},
                 "fragment");
    // Delivered to ICMP, which ignores an echo to a broadcast address.
    expect_moves(h, golden::bad_echo4_directed_broadcast, false,
                 {{"IpInReceives", 1}, {"IpInDelivers", 1}, {"IpExtInBcastPkts", 1}},
                 "broadcast echo");
    expect_moves(h, golden::he_udp4_closed, false, {{"IpInReceives", 1}, {"IpInDelivers", 1}},
                 "UDP to a closed port");
    expect_moves(h, golden::he_tcp4, false, {{"IpInReceives", 1}, {"IpInDelivers", 1}}, "TCP");
    // Not IP: nothing.
    expect_moves(h, golden::bad_arp_not_ours, false, {}, "ARP");
}

TEST(IpMib, EachIpv6DatagramLandsInOnePlace) {
    Host h;
    expect_moves(h, golden::echo6_req, true, {{"Ip6InReceives", 1}, {"Ip6InDelivers", 1}}, "echo");
    expect_moves(h, golden::echo6_allnodes_ll_req, true,
                 {{"Ip6InReceives", 1}, {"Ip6InDelivers", 1}, {"Ip6InMcastPkts", 1}},
                 "echo to all-nodes");
    expect_moves(h, golden::bad_ip6_not_for_us, true,
                 {{"Ip6InReceives", 1}, {"Ip6InAddrErrors", 1}}, "not for us");
    expect_moves(h, golden::bad_ip6_martian_multicast, true,
                 {{"Ip6InReceives", 1}, {"Ip6InHdrErrors", 1}}, "multicast source");
    expect_moves(h, golden::bad_ip6_plen_long, true,
                 {{"Ip6InReceives", 1}, {"Ip6InTruncatedPkts", 1}}, "payload length past");
    expect_moves(h, golden::he_nh6_253, true, {{"Ip6InReceives", 1}, {"Ip6InUnknownProtos", 1}},
                 "next header 253");
    expect_moves(h, golden::bad_ip6_fragment, true, {{"Ip6InReceives", 1}, {"Ip6ReasmReqds", 1}},
                 "fragment");
    expect_moves(h, golden::bad_ip6_no_next_header, true,
                 {{"Ip6InReceives", 1}, {"Ip6InDelivers", 1}}, "no next header");
    expect_moves(h, golden::he_tcp6, true, {{"Ip6InReceives", 1}, {"Ip6InDelivers", 1}}, "TCP");
}

// Its fragments were received; the datagram the reassembler made is counted by its verdict.
TEST(IpMib, AReassembledDatagramIsNotReceivedAgain) {
    Host h;
    std::vector<std::byte> buf = pw::test::filled(2048);
    std::copy(cbytes(golden::echo4_req).begin(), cbytes(golden::echo4_req).end(), buf.begin());
    const Verdict v = host_input_reassembled(buf, golden::echo4_req.size(), 14, h.ctx);
    EXPECT_EQ(v.next, Next::reply);
    EXPECT_EQ(h.stats.ip4[C::in_receives], 0U);
    EXPECT_EQ(h.stats.ip4[C::in_delivers], 1U);
}

// The forwarding step's verdicts (ip4_forward / ip6_forward).
TEST(IpMib, ForwardingVerdicts) {
    IpMib m4, m6;
    count_ip_verdict(m4, Verdict::forwarded(1, false, 14, {}, false, ErrorOutcome::count_), false);
    count_ip_verdict(m4, Verdict::owing(Drop::ttl_expired, ErrorOutcome::sent, 14), false);
    count_ip_verdict(m4, Verdict::owing(Drop::no_route, ErrorOutcome::sent, 14), false);
    count_ip_verdict(m4, Verdict::owing(Drop::mtu_exceeded, ErrorOutcome::sent, 14), false);
    count_ip_verdict(m4, Verdict::dropped(Drop::route_blackhole), false);
    count_ip_verdict(m4, Verdict::to(Next::route, false, 14), false);  // not decided yet
    EXPECT_EQ(moved(IpMib{}, m4, false), (Moves{{"IpForwDatagrams", 1},
                                                {"IpInHdrErrors", 1},
                                                {"IpExtInNoRoutes", 1},
                                                {"IpFragFails", 1},
                                                {"IpInDiscards", 1}}));
    count_ip_verdict(m6, Verdict::owing(Drop::mtu_exceeded, ErrorOutcome::sent, 14), true);
    count_ip_verdict(m6, Verdict::owing(Drop::no_route, ErrorOutcome::sent, 14), true);
    count_ip_verdict(m6, Verdict::owing(Drop::beyond_scope, ErrorOutcome::sent, 14), true);
    EXPECT_EQ(moved(IpMib{}, m6, true), (Moves{{"Ip6FragFails", 1},
                                               {"Ip6InTooBigErrors", 1},
                                               {"Ip6InNoRoutes", 1},
                                               {"Ip6InAddrErrors", 1}}));
}

// Every drop reason of the IP layer and its transports lands somewhere; those below IP
// (Ethernet, VLAN, ARP) and the pipeline's own nowhere.
TEST(IpMib, EveryIpDropReasonHasACounter) {
    for (std::size_t i = 0; i < wire::drop_count; ++i) {
        const auto d = static_cast<Drop>(i);
        const std::string_view n = wire::drop_name(d);
        const bool below_ip = n.starts_with("eth_") || n.starts_with("vlan_") ||
                              n.starts_with("arp_") || n == "not_our_mac" ||
                              n == "frame_too_long" || n == "unknown_ethertype";
        const bool ip = n.starts_with("ip4_") || n.starts_with("ip6_") || n.starts_with("icmp") ||
                        n.starts_with("udp_") || n.starts_with("tcp_") || n.starts_with("ndp_") ||
                        n.starts_with("reasm_");
        if (below_ip) {
            EXPECT_EQ(ip_fate(d), C::count_) << n;
        }
        if (ip) {
            EXPECT_NE(ip_fate(d), C::count_) << n;
        }
    }
}

TEST(IpMib, NamesAreNstats) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ip_counter_count; ++i) {
        const auto c = static_cast<C>(i);
        const std::string v4 = ip_counter_name(c, false);
        const std::string v6 = ip_counter_name(c, true);
        EXPECT_FALSE(v4.empty() && v6.empty()) << i;
        if (!v4.empty()) {
            EXPECT_TRUE(v4.starts_with("Ip") && !v4.starts_with("Ip6")) << v4;
            EXPECT_TRUE(seen.insert(v4).second) << v4;
        }
        if (!v6.empty()) {
            EXPECT_TRUE(v6.starts_with("Ip6")) << v6;
            EXPECT_TRUE(seen.insert(v6).second) << v6;
        }
    }
    EXPECT_STREQ(ip_counter_name(C::forw_datagrams, false), "IpForwDatagrams");
    EXPECT_STREQ(ip_counter_name(C::forw_datagrams, true), "Ip6OutForwDatagrams");
    EXPECT_STREQ(ip_counter_name(C::in_no_routes, true), "Ip6InNoRoutes");
    EXPECT_STREQ(tcp_counter_name(TcpCounter::out_rsts), "TcpOutRsts");
}

}  // namespace
