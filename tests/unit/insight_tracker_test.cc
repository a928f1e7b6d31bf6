// lib/insight's tracker end to end, on Ethernet frames built byte by byte: classify() on every
// kind of frame and on truncated ones; sweeps (echo, ARP, NS) raise one alert naming their
// source, ordinary pings none; floods need a full window's worth; the hold; tunnels; the TTL
// fingerprint; snapshot order; the alert queue and the alert text.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "lib/insight/hll.hh"
#include "lib/insight/source_table.hh"
#include "lib/insight/tracker.hh"
#include "lib/insight/ttl_fingerprint.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::insight;
namespace wire = pw::wire;
using pw::test::ip4;
using pw::test::ip6;
using Frame = std::vector<std::byte>;

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t sec = 1'000'000'000;

wire::ConstBytes view(const Frame& f) {
    return {f.data(), f.size()};
}

void put8(Frame& f, unsigned v) {
    f.push_back(std::byte{static_cast<std::uint8_t>(v)});
}
void put16(Frame& f, unsigned v) {
    put8(f, (v >> 8) & 0xff);
    put8(f, v & 0xff);
}
template <class A>
void put_addr(Frame& f, const A& a) {
    for (auto b : a.bytes) put8(f, b);
}
void put_bytes(Frame& f, const Frame& b) {
    f.insert(f.end(), b.begin(), b.end());
}

// Ethernet: destination, source, (a tag), EtherType.
Frame eth(unsigned type, int vlan_tpid = 0) {
    Frame f;
    put_addr(f, pw::test::us_mac);
    put_addr(f, pw::test::peer_mac);
    if (vlan_tpid != 0) {
        put16(f, static_cast<unsigned>(vlan_tpid));
        put16(f, 100);
    }
    put16(f, type);
    return f;
}

// An ICMP message: type, code, checksum (not computed: the tracker does not check it), id,
// sequence, data.
Frame icmp(unsigned type, unsigned code, const Frame& data, unsigned seq = 1) {
    Frame m;
    put8(m, type);
    put8(m, code);
    put16(m, 0);
    put16(m, 0x1234);
    put16(m, seq);
    put_bytes(m, data);
    return m;
}

Frame ipv4(wire::Ipv4Addr src, wire::Ipv4Addr dst, unsigned proto, unsigned ttl, const Frame& l4,
           unsigned frag = 0, int vlan = 0, const Frame& options = {}) {
    Frame f = eth(0x0800, vlan);
    put8(f, 0x40U | static_cast<unsigned>((20 + options.size()) / 4));
    put8(f, 0);
    put16(f, static_cast<unsigned>(20 + options.size() + l4.size()));
    put16(f, 1);
    put16(f, frag);
    put8(f, ttl);
    put8(f, proto);
    put16(f, 0);
    put_addr(f, src);
    put_addr(f, dst);
    put_bytes(f, options);
    put_bytes(f, l4);
    return f;
}

Frame echo4(wire::Ipv4Addr src, wire::Ipv4Addr dst, const Frame& data = {}, unsigned ttl = 64,
            unsigned type = 8) {
    return ipv4(src, dst, 1, ttl, icmp(type, 0, data));
}

// A TCP header (20 bytes, no options) with the control bits flags (RFC 9293 3.1).
Frame tcp(unsigned flags, unsigned dport = 0) {
    Frame t;
    put16(t, 2345);
    put16(t, dport);
    for (int i = 0; i < 8; ++i) put8(t, 0);  // sequence, acknowledgment
    put8(t, 0x50);                           // data offset 5
    put8(t, flags);
    put16(t, 512);
    put16(t, 0);
    put16(t, 0);
    return t;
}
constexpr unsigned fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20;

Frame tcp4(wire::Ipv4Addr src, wire::Ipv4Addr dst, unsigned flags, unsigned ttl = 64) {
    return ipv4(src, dst, 6, ttl, tcp(flags));
}

Frame arp_request(wire::Ipv4Addr sender, wire::Ipv4Addr target) {
    Frame f = eth(0x0806);
    put16(f, 1);
    put16(f, 0x0800);
    put8(f, 6);
    put8(f, 4);
    put16(f, 1);
    put_addr(f, pw::test::peer_mac);
    put_addr(f, sender);
    put_addr(f, wire::MacAddr{});
    put_addr(f, target);
    return f;
}

// IPv6 with the extension headers ext (each: next header, then its bytes after the first).
Frame ipv6(const wire::Ipv6Addr& src, const wire::Ipv6Addr& dst, unsigned nh, unsigned hlim,
           const Frame& l4, const Frame& ext = {}, unsigned first_nh = 0xffff) {
    Frame f = eth(0x86dd);
    put8(f, 0x60);
    put8(f, 0);
    put16(f, 0);
    put16(f, static_cast<unsigned>(ext.size() + l4.size()));
    put8(f, first_nh != 0xffff ? first_nh : nh);
    put8(f, hlim);
    put_addr(f, src);
    put_addr(f, dst);
    put_bytes(f, ext);
    put_bytes(f, l4);
    return f;
}

Frame echo6(const wire::Ipv6Addr& src, const wire::Ipv6Addr& dst, const Frame& data = {},
            unsigned hlim = 64, unsigned type = 128) {
    return ipv6(src, dst, 58, hlim, icmp(type, 0, data));
}

Frame ns6(const wire::Ipv6Addr& src, const wire::Ipv6Addr& target) {
    Frame body;
    put_addr(body, target);
    Frame m = icmp(135, 0, body);
    std::memset(m.data() + 4, 0, 4);  // reserved
    return ipv6(src, target.solicited_node(), 58, 255, m);
}

// Linux ping's data (timestamp, then byte i = i).
Frame linux_ping(std::size_t size, std::uint64_t t_ns) {
    Frame p(size);
    for (std::size_t i = 0; i < size; ++i) p[i] = std::byte{static_cast<std::uint8_t>(i)};
    if (size >= 16) {
        const std::uint64_t s = 1'764'633'600 + t_ns / sec, us = (t_ns / 1000) % 1'000'000;
        std::memcpy(p.data(), &s, 8);
        std::memcpy(p.data() + 8, &us, 8);
    }
    return p;
}

wire::Ipv4Addr nth(const char* base, unsigned i) {
    return wire::Ipv4Addr::from_u32(ip4(base).to_u32() + i);
}

std::uint64_t count(const Tracker& t, AlertKind k) {
    return t.counters().alerts[static_cast<std::size_t>(k)];
}
std::uint64_t total_alerts(const Tracker& t) {
    std::uint64_t n = 0;
    for (auto a : t.counters().alerts) n += a;
    return n;
}
std::vector<Alert> drain(Tracker& t) {
    std::vector<Alert> out;
    Alert a;
    while (t.alerts().pop(a)) out.push_back(a);
    return out;
}

// ---- classify ----------------------------------------------------------------------------

TEST(InsightClassify, Kinds) {
    const auto a = ip4("198.18.0.2"), b = ip4("198.18.0.1");
    Observation o = classify(view(echo4(a, b, linux_ping(56, 0), 63)));
    EXPECT_EQ(o.seen, Seen::echo_request);
    EXPECT_FALSE(o.v6);
    EXPECT_EQ(o.src, wire::v4_mapped(a));
    EXPECT_EQ(o.dst, wire::v4_mapped(b));
    EXPECT_EQ(o.ttl, 63);
    EXPECT_EQ(o.payload.size(), 56u);
    EXPECT_EQ(classify(view(echo4(a, b, {}, 64, 0))).seen, Seen::echo_reply);
    for (unsigned t : {3u, 4u, 5u, 11u, 12u})
        EXPECT_EQ(classify(view(ipv4(a, b, 1, 64, icmp(t, 0, Frame(28))))).seen, Seen::icmp_error)
            << t;
    EXPECT_EQ(classify(view(ipv4(a, b, 1, 64, icmp(13, 0, Frame(12))))).seen, Seen::icmp_other);
    // Tagged, 802.1Q and 802.1ad.
    for (int tpid : {0x8100, 0x88a8}) {
        o = classify(view(ipv4(a, b, 1, 64, icmp(8, 0, Frame(10)), 0, tpid)));
        EXPECT_EQ(o.seen, Seen::echo_request) << tpid;
        EXPECT_EQ(o.payload.size(), 10u);
    }
    // IP options: the ICMP header after them.
    o = classify(view(ipv4(a, b, 1, 64, icmp(8, 0, Frame(10)), 0, 0, Frame(8, std::byte{1}))));
    EXPECT_EQ(o.seen, Seen::echo_request);
    EXPECT_EQ(o.payload.size(), 10u);
    // A later fragment is nothing; the first one is what it starts.
    EXPECT_EQ(classify(view(ipv4(a, b, 1, 64, icmp(8, 0, Frame(10)), 0x0001))).seen, Seen::other);
    EXPECT_EQ(classify(view(ipv4(a, b, 1, 64, icmp(8, 0, Frame(10)), 0x2000))).seen,
              Seen::echo_request);
    // A probe that expires: UDP with TTL 1 (not to a group).
    o = classify(view(ipv4(a, b, 17, 1, Frame(16))));
    EXPECT_EQ(o.seen, Seen::ttl_expiring);
    EXPECT_EQ(o.dst, wire::v4_mapped(b));
    EXPECT_EQ(classify(view(ipv4(a, b, 17, 2, Frame(16)))).seen, Seen::other);
    EXPECT_EQ(classify(view(ipv4(a, ip4("224.0.0.5"), 89, 1, Frame(16)))).seen, Seen::other);
    EXPECT_EQ(classify(view(ipv4(a, ip4("255.255.255.255"), 17, 1, Frame(16)))).seen, Seen::other);
    // ARP request: sender and target.
    o = classify(view(arp_request(a, b)));
    EXPECT_EQ(o.seen, Seen::arp_request);
    EXPECT_EQ(o.src, wire::v4_mapped(a));
    EXPECT_EQ(o.dst, wire::v4_mapped(b));
    EXPECT_EQ(o.ttl, 0);
    Frame reply = arp_request(a, b);
    reply[14 + 7] = std::byte{2};
    EXPECT_EQ(classify(view(reply)).seen, Seen::other);
    // Not IP nor ARP.
    EXPECT_EQ(classify(view(eth(0x88cc))).seen, Seen::other);
}

TEST(InsightClassify, Ipv6) {
    const auto a = ip6("2001:2::2"), b = ip6("2001:2::1");
    Observation o = classify(view(echo6(a, b, Frame(20), 61)));
    EXPECT_EQ(o.seen, Seen::echo_request);
    EXPECT_TRUE(o.v6);
    EXPECT_EQ(o.src, a);
    EXPECT_EQ(o.dst, b);
    EXPECT_EQ(o.ttl, 61);
    EXPECT_EQ(o.payload.size(), 20u);
    EXPECT_EQ(classify(view(echo6(a, b, {}, 64, 129))).seen, Seen::echo_reply);
    for (unsigned t : {1u, 2u, 3u, 4u})
        EXPECT_EQ(classify(view(ipv6(a, b, 58, 64, icmp(t, 0, Frame(48))))).seen, Seen::icmp_error);
    // Neighbor Solicitation: its target; the fixed hop limit 255 is no fingerprint.
    o = classify(view(ns6(a, ip6("2001:2::77"))));
    EXPECT_EQ(o.seen, Seen::neighbor_solicit);
    EXPECT_EQ(o.dst, ip6("2001:2::77"));
    EXPECT_EQ(o.ttl, 0);
    o = classify(view(ipv6(a, b, 58, 255, icmp(136, 0, Frame(16)))));
    EXPECT_EQ(o.seen, Seen::icmp_other);
    EXPECT_EQ(o.ttl, 0);
    // Echo after Hop-by-Hop (8 bytes) and Destination Options (16 bytes).
    Frame ext;
    put8(ext, 60);  // HBH: next is Destination Options
    put8(ext, 0);
    for (int i = 0; i < 6; ++i) put8(ext, i == 0 ? 1 : 0);  // PadN
    put8(ext, 58);                                          // Destination Options: next is ICMPv6
    put8(ext, 1);
    for (int i = 0; i < 14; ++i) put8(ext, 0);
    o = classify(view(ipv6(a, b, 58, 64, icmp(128, 0, Frame(12)), ext, 0)));
    EXPECT_EQ(o.seen, Seen::echo_request);
    EXPECT_EQ(o.payload.size(), 12u);
    // A first fragment is what it starts; a later one is nothing.
    Frame frag;
    put8(frag, 58);
    put8(frag, 0);
    put16(frag, 0x0001);  // offset 0, M
    put16(frag, 0);
    put16(frag, 7);
    EXPECT_EQ(classify(view(ipv6(a, b, 58, 64, icmp(128, 0, Frame(12)), frag, 44))).seen,
              Seen::echo_request);
    frag[3] = std::byte{0x08};  // offset 1
    EXPECT_EQ(classify(view(ipv6(a, b, 58, 64, icmp(128, 0, Frame(12)), frag, 44))).seen,
              Seen::other);
    // Hop limit 1, UDP: a probe; to a group: not.
    EXPECT_EQ(classify(view(ipv6(a, b, 17, 1, Frame(16)))).seen, Seen::ttl_expiring);
    EXPECT_EQ(classify(view(ipv6(a, ip6("ff02::fb"), 17, 1, Frame(16)))).seen, Seen::other);
}

TEST(InsightClassify, TcpWithoutAck) {
    const auto a = ip4("198.18.0.2"), b = ip4("198.18.0.1");
    // hping3 --flood (no flags), SYN, FIN, a bare RST, Xmas (FIN PSH URG).
    for (unsigned f : {0u, syn, fin, rst, fin | psh | urg}) {
        const Observation o = classify(view(tcp4(a, b, f, 63)));
        EXPECT_EQ(o.seen, Seen::tcp_no_ack) << f;
        EXPECT_EQ(o.src, wire::v4_mapped(a));
        EXPECT_EQ(o.dst, wire::v4_mapped(b));
        EXPECT_EQ(o.ttl, 63);
        EXPECT_TRUE(o.payload.empty());
    }
    // An established flow's segments, SYN-ACK, RST-ACK: nothing.
    for (unsigned f : {ack, syn | ack, psh | ack, rst | ack, fin | ack})
        EXPECT_EQ(classify(view(tcp4(a, b, f))).seen, Seen::other) << f;
    // TTL 1: a traceroute probe that expires here, as before.
    EXPECT_EQ(classify(view(tcp4(a, b, syn, 1))).seen, Seen::ttl_expiring);
    EXPECT_EQ(classify(view(tcp4(a, b, ack, 1))).seen, Seen::ttl_expiring);
    // Shorter than a TCP header: nothing (and no flags byte read).
    for (std::size_t n = 0; n < 20; ++n) {
        Frame t = tcp(syn);
        t.resize(n);
        EXPECT_EQ(classify(view(ipv4(a, b, 6, 64, t))).seen, Seen::other) << n;
    }
    Frame cut = tcp4(a, b, syn);
    cut.pop_back();
    EXPECT_EQ(classify(view(cut)).seen, Seen::other);
    // A later fragment: nothing.
    EXPECT_EQ(classify(view(ipv4(a, b, 6, 64, tcp(syn), 0x0010))).seen, Seen::other);
    // IPv6, directly and after a Hop-by-Hop header.
    const auto a6 = ip6("2001:2::2"), b6 = ip6("2001:2::1");
    Observation o = classify(view(ipv6(a6, b6, 6, 64, tcp(syn))));
    EXPECT_EQ(o.seen, Seen::tcp_no_ack);
    EXPECT_TRUE(o.v6);
    EXPECT_EQ(o.src, a6);
    EXPECT_EQ(classify(view(ipv6(a6, b6, 6, 64, tcp(psh | ack)))).seen, Seen::other);
    Frame hbh;
    put8(hbh, 6);
    put8(hbh, 0);
    for (int i = 0; i < 6; ++i) put8(hbh, i == 0 ? 1 : 0);
    EXPECT_EQ(classify(view(ipv6(a6, b6, 6, 64, tcp(0), hbh, 0))).seen, Seen::tcp_no_ack);
    EXPECT_EQ(classify(view(ipv6(a6, b6, 6, 1, tcp(syn)))).seen, Seen::ttl_expiring);
    Frame t6 = tcp(syn);
    t6.resize(19);
    EXPECT_EQ(classify(view(ipv6(a6, b6, 6, 64, t6))).seen, Seen::other);
}

TEST(InsightClassify, TruncatedFramesAreOther) {
    const auto a = ip4("198.18.0.2"), b = ip4("198.18.0.1");
    const std::vector<Frame> frames = {
        echo4(a, b, Frame(0)),
        ipv4(a, b, 1, 64, icmp(8, 0, Frame(0)), 0, 0x8100),
        arp_request(a, b),
        echo6(ip6("2001:2::2"), ip6("2001:2::1")),
        ns6(ip6("2001:2::2"), ip6("2001:2::3")),
        ipv4(a, b, 17, 1, Frame(0)),
    };
    for (const Frame& f : frames) {
        ASSERT_NE(classify(view(f)).seen, Seen::other);
        for (std::size_t n = 0; n < f.size(); ++n) {
            const Observation o = classify(view(f).first(n));
            // UDP with TTL 1 needs no more than its IP header; nothing else may pass short.
            EXPECT_EQ(o.seen, Seen::other) << "cut to " << n << " of " << f.size();
        }
    }
    // The IP total length counts, not the frame's padding: a 60-byte Ethernet minimum adds
    // zeros that are not payload.
    Frame padded = echo4(a, b, Frame(4));
    padded.resize(60, std::byte{0});
    EXPECT_EQ(classify(view(padded)).payload.size(), 4u);
    // A total length beyond the frame is clipped to it.
    Frame cut = echo4(a, b, Frame(100));
    cut.erase(cut.end() - 50, cut.end());
    EXPECT_EQ(classify(view(cut)).payload.size(), 50u);
    // IHL below 5 or beyond the frame.
    Frame bad = echo4(a, b);
    bad[14] = std::byte{0x44};
    EXPECT_EQ(classify(view(bad)).seen, Seen::other);
    bad[14] = std::byte{0x4f};
    EXPECT_EQ(classify(view(bad)).seen, Seen::other);
}

// ---- sweeps -------------------------------------------------------------------------------

TEST(InsightTracker, EchoSweepRaisesOneAlertNamingItsSource) {
    Tracker t{InsightConfig{}};
    const auto sweeper = ip4("198.18.1.1");
    std::uint64_t now = 5 * sec;
    for (unsigned i = 1; i <= 254; ++i, now += 7 * ms)
        t.observe(view(echo4(sweeper, nth("198.18.2.0", i), {}, 64)), now);
    EXPECT_EQ(count(t, AlertKind::sweep), 1u);
    EXPECT_EQ(total_alerts(t), 1u);
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 1u);
    const Alert& a = alerts[0];
    EXPECT_EQ(a.kind, AlertKind::sweep);
    EXPECT_EQ(a.source, wire::v4_mapped(sweeper));
    EXPECT_EQ(source_text(a), "198.18.1.1");
    EXPECT_GE(a.value, 64u);
    EXPECT_LE(a.value, 70u);  // raised as it crosses the threshold
    EXPECT_EQ(a.threshold, 64u);
    EXPECT_EQ(a.ttl, 64);
    EXPECT_EQ(a.initial_ttl, 64);
    EXPECT_EQ(format_alert(a).rfind("ping sweep from 198.18.1.1: ", 0), 0u) << format_alert(a);
    // The snapshot sees all the targets.
    SourceView v[4];
    ASSERT_EQ(t.snapshot(v, now), 1u);
    EXPECT_NEAR(static_cast<double>(v[0].targets), 254.0, 254 * 3 * 0.092);  // 3 sigma
    EXPECT_EQ(v[0].alerts, 1u << static_cast<unsigned>(AlertKind::sweep));
    EXPECT_EQ(v[0].echo_requests, 254u);
}

TEST(InsightTracker, ArpAndNeighborSolicitSweeps) {
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    for (unsigned i = 1; i <= 254; ++i, now += 3 * ms)
        t.observe(view(arp_request(ip4("198.18.1.9"), nth("198.18.3.0", i))), now);
    for (unsigned i = 1; i <= 200; ++i, now += 3 * ms) {
        auto target = ip6("2001:2::");
        target.bytes[14] = static_cast<std::uint8_t>(i >> 8);
        target.bytes[15] = static_cast<std::uint8_t>(i);
        t.observe(view(ns6(ip6("2001:2::9"), target)), now);
    }
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(source_text(alerts[0]), "198.18.1.9");
    EXPECT_EQ(alerts[0].ttl, 0);  // ARP: no TTL
    EXPECT_EQ(format_alert(alerts[0]).find("TTL"), std::string::npos);
    EXPECT_EQ(source_text(alerts[1]), "2001:2::9");
    EXPECT_TRUE(alerts[1].v6);
    EXPECT_EQ(count(t, AlertKind::sweep), 2u);
}

// RFC 5227 ARP Probes (sender 0.0.0.0) and RFC 4862 DAD solicitations (from ::) are hosts
// checking their own new address: a link full of them is no sweep.
TEST(InsightTracker, AddressProbesAreNoSweep) {
    EXPECT_EQ(classify(view(arp_request(ip4("0.0.0.0"), ip4("198.18.3.7")))).seen, Seen::other);
    EXPECT_EQ(classify(view(ns6(ip6("::"), ip6("2001:2::77")))).seen, Seen::icmp_other);
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    for (unsigned i = 1; i <= 254; ++i, now += 3 * ms) {
        t.observe(view(arp_request(ip4("0.0.0.0"), nth("198.18.3.0", i))), now);
        auto target = ip6("2001:2::");
        target.bytes[15] = static_cast<std::uint8_t>(i);
        t.observe(view(ns6(ip6("::"), target)), now);
    }
    EXPECT_TRUE(drain(t).empty());
    EXPECT_EQ(count(t, AlertKind::sweep), 0u);
}

TEST(InsightTracker, Ipv6EchoSweepAndTracerouteProbes) {
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    for (unsigned i = 1; i <= 100; ++i, now += 5 * ms) {
        auto dst = ip6("2001:2:0:1::");
        dst.bytes[15] = static_cast<std::uint8_t>(i);
        t.observe(view(echo6(ip6("2001:2::5"), dst, {}, 57)), now);
    }
    // UDP probes with TTL 1 to 100 destinations (a traceroute fan-out).
    for (unsigned i = 1; i <= 100; ++i, now += 5 * ms)
        t.observe(view(ipv4(ip4("198.18.7.7"), nth("198.19.0.0", i), 17, 1, Frame(12))), now);
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(source_text(alerts[0]), "2001:2::5");
    EXPECT_EQ(alerts[0].ttl, 57);
    EXPECT_EQ(alerts[0].initial_ttl, 64);
    EXPECT_EQ(source_text(alerts[1]), "198.18.7.7");
}

TEST(InsightTracker, SlowSweepAcrossManyWindowsIsNoSweep) {
    // 254 targets, one every 100 ms: 20 to 40 in any two windows, below 64.
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    for (unsigned i = 1; i <= 254; ++i, now += 100 * ms)
        t.observe(view(echo4(ip4("198.18.1.2"), nth("198.18.4.0", i))), now);
    EXPECT_EQ(total_alerts(t), 0u);
}

// ---- ordinary pings ----------------------------------------------------------------------

TEST(InsightTracker, OrdinaryPingsRaiseNothing) {
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    // ping -c 100 (1/s), router mode: the replies seen too.
    for (unsigned i = 0; i < 100; ++i, now += sec) {
        const Frame data = linux_ping(56, now);
        t.observe(view(echo4(ip4("198.18.3.3"), ip4("198.18.0.1"), data, 64)), now);
        t.observe(view(echo4(ip4("198.18.0.1"), ip4("198.18.3.3"), data, 64, 0)), now + 100'000);
    }
    // Windows ping -n 100 (32 bytes), IPv6 ping, fping.
    for (unsigned i = 0; i < 100; ++i, now += sec) {
        Frame w(32);
        const char* abc = "abcdefghijklmnopqrstuvwabcdefghi";
        for (int k = 0; k < 32; ++k)
            w[static_cast<std::size_t>(k)] = std::byte{static_cast<std::uint8_t>(abc[k])};
        t.observe(view(echo4(ip4("198.18.3.4"), ip4("198.18.0.1"), w, 128)), now);
        t.observe(view(echo6(ip6("2001:2::33"), ip6("2001:2::1"), linux_ping(56, now), 64)), now);
        t.observe(view(echo4(ip4("198.18.3.5"), ip4("198.18.0.1"), Frame(56), 64)), now);
    }
    // ping -f -c 10000: 10000 in 0.5 s (about 20000/s), one destination.
    for (unsigned i = 0; i < 10000; ++i, now += 50'000)
        t.observe(view(echo4(ip4("198.18.3.6"), ip4("198.18.0.1"), linux_ping(56, now), 64)), now);
    now += 10 * sec;
    t.observe(view(echo4(ip4("198.18.3.6"), ip4("198.18.0.1"), linux_ping(56, now), 64)), now);
    EXPECT_EQ(total_alerts(t), 0u);
    EXPECT_TRUE(drain(t).empty());
    // And they were looked at: the flood's source has a low score over 64 inspected.
    SourceView v[8];
    const std::size_t n = t.snapshot(v, now);
    EXPECT_EQ(n, 6u);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_LE(v[i].tunnel_score, 20) << i;
        // Windows' and fping's payloads: nothing at all.
        if (v[i].source == wire::v4_mapped(ip4("198.18.3.4")) ||
            v[i].source == wire::v4_mapped(ip4("198.18.3.5"))) {
            EXPECT_EQ(v[i].tunnel_score, 0) << i;
        }
    }
    EXPECT_GT(t.counters().inspected, 400u);
}

// ---- floods ------------------------------------------------------------------------------

TEST(InsightTracker, FloodNeedsAFullWindow) {
    Tracker t{InsightConfig{}};
    const auto src = ip4("198.18.4.4"), dst = ip4("198.18.0.1");
    const Frame f = echo4(src, dst, Frame(0), 64);
    std::uint64_t now = sec;
    // 10000 in 0.5 s: 20000/s for half a second is 5000/s over the 2 s window.
    for (unsigned i = 0; i < 10000; ++i, now += 50'000) t.observe(view(f), now);
    for (unsigned i = 0; i < 40; ++i, now += 100 * ms) t.observe(view(f), now);  // 4 s more
    EXPECT_EQ(count(t, AlertKind::flood), 0u);
    // 60000 in 2 s (30000/s): one alert once 20000 are in the window.
    Tracker u{InsightConfig{}};
    now = sec;
    std::uint64_t raised_at = 0;
    for (unsigned i = 0; i < 60000; ++i, now += 33'333) {
        u.observe(view(f), now);
        if (raised_at == 0 && count(u, AlertKind::flood) == 1) raised_at = i;
    }
    EXPECT_EQ(count(u, AlertKind::flood), 1u);
    EXPECT_EQ(raised_at, 19999u);
    // Still flooding, within the 10 s hold: no second alert; after it, one more.
    for (unsigned i = 0; i < 6 * 30000; ++i, now += 33'333) u.observe(view(f), now);
    EXPECT_EQ(count(u, AlertKind::flood), 1u);
    for (unsigned i = 0; i < 6 * 30000; ++i, now += 33'333) u.observe(view(f), now);
    EXPECT_EQ(count(u, AlertKind::flood), 2u);
    const auto alerts = drain(u);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].kind, AlertKind::flood);
    EXPECT_EQ(alerts[0].threshold, 10000u);
    EXPECT_EQ(alerts[0].window_ns, 2 * sec);
    EXPECT_GE(alerts[0].value, 10000u);
    EXPECT_LT(alerts[0].value, 10100u);
    EXPECT_EQ(format_alert(alerts[0]).rfind(
                  "echo flood from 198.18.4.4: 10000 requests/s over 2.0 s (threshold 10000)", 0),
              0u)
        << format_alert(alerts[0]);
    // 1.2M requests from one source also make a global flood (200000/s: 400000 a window)? No:
    // 30000/s is below it.
    EXPECT_EQ(count(u, AlertKind::global_flood), 0u);
    SourceView v[1];
    ASSERT_EQ(u.snapshot(v, now), 1u);
    EXPECT_NEAR(static_cast<double>(v[0].echo_pps), 30000.0, 300.0);
    EXPECT_EQ(v[0].targets, 1u);
}

TEST(InsightTracker, TcpFloodWithoutAckRaisesAFloodAlert) {
    // hping3 --flood: null-flag segments, 60000 in 2 s (30000/s).
    Tracker t{InsightConfig{}};
    const auto src = ip4("198.18.4.5"), dst = ip4("198.18.0.1");
    const Frame f = tcp4(src, dst, 0, 64);
    std::uint64_t now = sec;
    std::uint64_t raised_at = 0;
    for (unsigned i = 0; i < 60000; ++i, now += 33'333) {
        t.observe(view(f), now);
        if (raised_at == 0 && count(t, AlertKind::flood) == 1) raised_at = i;
    }
    EXPECT_EQ(count(t, AlertKind::flood), 1u);
    EXPECT_EQ(total_alerts(t), 1u);
    EXPECT_EQ(raised_at, 19999u);
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].kind, AlertKind::flood);
    EXPECT_EQ(alerts[0].tcp, alerts[0].requests);
    EXPECT_EQ(format_alert(alerts[0]),
              "TCP SYN flood from 198.18.4.5: 10000 segments/s over 2.0 s (threshold 10000), TTL "
              "64 (initial 64, 0 hops)");
    EXPECT_EQ(t.counters().tcp_no_ack, 60000u);
    EXPECT_EQ(t.counters().echo_requests, 0u);
    SourceView v[1];
    ASSERT_EQ(t.snapshot(v, now), 1u);
    EXPECT_EQ(v[0].tcp_no_ack, 60000u);
    EXPECT_NEAR(static_cast<double>(v[0].tcp_pps), 30000.0, 300.0);
    EXPECT_EQ(v[0].echo_pps, 0u);
    EXPECT_EQ(v[0].targets, 0u);  // no sweep target
    // 10000 SYNs in 0.5 s: 5000/s over the window, no alert.
    Tracker u{InsightConfig{}};
    now = sec;
    const Frame s = tcp4(src, dst, syn);
    for (unsigned i = 0; i < 10000; ++i, now += 50'000) u.observe(view(s), now);
    for (unsigned i = 0; i < 40; ++i, now += 100 * ms) u.observe(view(s), now);
    EXPECT_EQ(total_alerts(u), 0u);
    EXPECT_EQ(u.counters().tcp_no_ack, 10040u);
}

TEST(InsightTracker, TcpWithAckIsNothingAtAnyRate) {
    // An established flow at 1M segments/s for 3 s, to many ports and from many sources: no
    // alert, no entry, no sweep.
    InsightConfig cfg;
    cfg.global_flood_pps = 1000;
    Tracker t{cfg};
    std::uint64_t now = sec;
    for (unsigned i = 0; i < 3000; ++i, now += 1000)
        t.observe(view(ipv4(nth("198.18.30.0", i % 200), ip4("198.19.0.1"), 6, 64,
                            tcp(psh | ack, i % 1024))),
                  now);
    const Frame same = tcp4(ip4("198.18.30.1"), ip4("198.19.0.1"), ack);
    for (unsigned i = 0; i < 3'000'000; ++i, now += 1000) t.observe(view(same), now);
    EXPECT_EQ(total_alerts(t), 0u);
    EXPECT_EQ(t.tracked_now(), 0u);
    EXPECT_EQ(t.counters().observed, 0u);
    EXPECT_EQ(t.counters().ignored, 3'003'000u);
}

TEST(InsightTracker, MixedFloodWordsAndGlobalTcpFlood) {
    // 60 % echo, 40 % SYN at 30000/s together: a flood, in echo's words (echo dominates).
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    const auto src = ip4("198.18.4.6"), dst = ip4("198.18.0.1");
    const Frame e = echo4(src, dst), s = tcp4(src, dst, syn);
    for (unsigned i = 0; i < 60000; ++i, now += 33'333) t.observe(view(i % 5 < 3 ? e : s), now);
    auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(format_alert(alerts[0]).rfind("echo flood from 198.18.4.6: 10000 requests/s", 0), 0u)
        << format_alert(alerts[0]);
    EXPECT_NEAR(static_cast<double>(alerts[0].tcp), 0.4 * alerts[0].requests, 2.0);
    // 100 sources at 100 SYN/s each: a global flood, in TCP's words.
    InsightConfig cfg;
    cfg.global_flood_pps = 5000;
    Tracker g{cfg};
    now = sec;
    for (unsigned i = 0; i < 30000; ++i, now += 100'000)
        g.observe(view(tcp4(nth("198.18.6.0", i % 100), ip4("198.18.0.1"), syn)), now);
    EXPECT_EQ(count(g, AlertKind::flood), 0u);
    alerts = drain(g);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(format_alert(alerts[0]),
              "global TCP SYN flood: 5000 segments/s over 2.0 s (threshold 5000)");
}

// ---- admission into a full table ----------------------------------------------------------

// Sources of 198.18.0.0/15 whose entries fall in set `set` of a table of `sources` entries.
std::vector<wire::Ipv4Addr> in_set(std::uint32_t sources, std::size_t set, std::size_t n,
                                   unsigned from = 0) {
    const SourceTable table(sources);
    std::vector<wire::Ipv4Addr> out;
    for (unsigned i = from; out.size() < n; ++i) {
        const auto a = nth("198.18.0.0", i);
        if (table.set_of(addr_hash(wire::v4_mapped(a))) == set) out.push_back(a);
    }
    return out;
}

TEST(InsightTracker, ASourceThatKeepsSendingGetsIntoAFullSet) {
    InsightConfig cfg;
    cfg.sources = 64;  // 8 sets of 8
    const auto residents = in_set(64, 3, 8);
    const auto newcomer = in_set(64, 3, 1, 100000)[0];
    unsigned in_20 = 0, in_200 = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        Tracker t{cfg};
        t.seed(seed);
        std::uint64_t now = sec;
        for (const auto& r : residents)
            for (int i = 0; i < 40; ++i, now += 10'000)
                t.observe(view(echo4(r, ip4("198.19.0.1"))), now);
        ASSERT_EQ(t.counters().unadmitted, 0u);
        int sent = 0;
        for (; sent < 200 && t.counters().unadmitted == static_cast<std::uint64_t>(sent);
             ++sent, now += 10'000)
            t.observe(view(echo4(newcomer, ip4("198.19.0.1"))), now);
        // sent: the frame it got in with, counted; the ones before it were not admitted.
        if (t.counters().unadmitted < static_cast<std::uint64_t>(sent)) {
            ++in_200;
            if (sent <= 20) ++in_20;
        }
        EXPECT_EQ(t.tracked_now(), 8u);
    }
    // 1 in 8: in within 20 frames but (7/8)^20 = 7 % of the time.
    EXPECT_GE(in_20, 170u);
    EXPECT_EQ(in_200, 200u);
}

TEST(InsightTracker, OnePacketSourcesLeaveTheHeavyHittersInPlace) {
    InsightConfig cfg;
    cfg.sources = 64;
    Tracker t{cfg};
    std::uint64_t now = sec;
    // Seven heavy hitters in each of the 8 sets (one way free in each), 40 requests each.
    std::vector<wire::Ipv4Addr> heavy;
    for (std::size_t set = 0; set < 8; ++set)
        for (const auto& a : in_set(64, set, 7)) heavy.push_back(a);
    for (int i = 0; i < 40; ++i)
        for (const auto& a : heavy) t.observe(view(echo4(a, ip4("198.19.0.1"))), now += 1000);
    EXPECT_EQ(t.tracked_now(), 56u);
    // 100000 spoofed one-packet sources (198.19.0.0/16) in 1 s.
    for (unsigned i = 0; i < 100000; ++i, now += 10'000)
        t.observe(view(echo4(nth("198.19.0.0", i), ip4("198.19.0.1"))), now);
    EXPECT_EQ(t.tracked_now(), 64u);
    const auto& c = t.counters();
    EXPECT_EQ(c.observed, 56u * 40u + 100000u);
    EXPECT_EQ(c.echo_requests, c.observed);
    // 8 got the free ways; of the other misses one in eight evicted (a spoofed entry).
    EXPECT_GT(c.unadmitted, 85000u);
    EXPECT_LT(c.unadmitted, 90000u);
    EXPECT_EQ(c.tracked, 56u + 8u + c.evicted);
    EXPECT_EQ(c.tracked + c.unadmitted, 56u + 100000u);
    SourceView v[64];
    ASSERT_EQ(t.snapshot(v, now), 64u);
    for (std::size_t i = 0; i < 56; ++i) {
        EXPECT_EQ(v[i].packets, 40u) << i;
        EXPECT_EQ(wire::v4_unmapped(v[i].source).to_u32() >> 16, 0xc612u) << i;  // 198.18/16
    }
    for (std::size_t i = 56; i < 64; ++i) EXPECT_EQ(v[i].packets, 1u) << i;
    EXPECT_EQ(total_alerts(t), 0u);  // 100000/s over half a window: below the global 200000/s
}

TEST(InsightTracker, ErrorFloodAndGlobalFloods) {
    InsightConfig cfg;
    cfg.global_flood_pps = 5000;
    Tracker t{cfg};
    std::uint64_t now = sec;
    // 3000 Destination Unreachables a second from one source.
    const Frame err = ipv4(ip4("198.18.5.1"), ip4("198.18.0.1"), 1, 64, icmp(3, 1, Frame(28)));
    for (unsigned i = 0; i < 6000; ++i, now += 333'333) t.observe(view(err), now);
    EXPECT_EQ(count(t, AlertKind::error_flood), 1u);
    EXPECT_EQ(count(t, AlertKind::global_error_flood), 0u);  // 3000/s < 20000/s
    // 100 sources at 100/s each (10000/s together; each far below 10000/s).
    for (unsigned i = 0; i < 30000; ++i, now += 100'000)
        t.observe(view(echo4(nth("198.18.6.0", i % 100), ip4("198.18.0.1"))), now);
    EXPECT_EQ(count(t, AlertKind::flood), 0u);
    EXPECT_EQ(count(t, AlertKind::global_flood), 1u);
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(format_alert(alerts[0]).rfind("ICMP error flood from 198.18.5.1: ", 0), 0u);
    EXPECT_TRUE(alerts[1].global);
    EXPECT_EQ(format_alert(alerts[1]),
              "global echo flood: 5000 requests/s over 2.0 s (threshold 5000)");
}

// ---- tunnels -----------------------------------------------------------------------------

TEST(InsightTracker, TunnelStreamRaisesOneAlert) {
    Tracker t{InsightConfig{}};
    std::mt19937_64 rng(99);
    std::uint64_t now = sec;
    for (unsigned i = 0; i < 64; ++i, now += 50 * ms) {
        Frame data(64 + rng() % 900);
        for (auto& b : data) b = std::byte{static_cast<std::uint8_t>(rng())};
        t.observe(view(echo4(ip4("198.18.5.5"), ip4("198.18.0.1"), data)), now);
    }
    EXPECT_EQ(count(t, AlertKind::tunnel), 1u);
    EXPECT_EQ(total_alerts(t), 1u);
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 1u);
    const Alert& a = alerts[0];
    EXPECT_EQ(source_text(a), "198.18.5.5");
    EXPECT_GE(a.value, 50u);
    EXPECT_EQ(a.requests, 16u);  // raised as soon as enough were inspected
    EXPECT_GE(a.changed_pct, 90u);
    EXPECT_GE(a.entropy_centibits, 500u);
    EXPECT_EQ(format_alert(a).rfind("ICMP tunnel suspected from 198.18.5.5: score ", 0), 0u);
    SourceView v[1];
    ASSERT_EQ(t.snapshot(v, now), 1u);
    EXPECT_GE(v[0].tunnel_score, 70);
    EXPECT_EQ(v[0].inspected, 63u);  // all but the first request
    EXPECT_EQ(v[0].sizes, 16u);
}

TEST(InsightTracker, SpoofedSourcesCostNoInspectionAndNoEstimate) {
    // One request from each of 20000 sources (a --rand-source flood): none inspected (a
    // source's first request is not), no sweep; the global budget bounds the rest.
    Tracker t{InsightConfig{}};
    std::uint64_t now = sec;
    const Frame data = linux_ping(56, 0);
    for (unsigned i = 0; i < 20000; ++i, now += 10'000)
        t.observe(view(echo4(nth("198.18.0.0", i), ip4("198.19.0.1"), data)), now);
    EXPECT_EQ(t.counters().inspected, 0u);
    EXPECT_EQ(total_alerts(t), 0u);
    // Two each from 20000 sources within one window: 64 * 64 inspections at most.
    Tracker u{InsightConfig{}};
    now = sec;
    for (unsigned i = 0; i < 20000; ++i, now += 10'000) {
        u.observe(view(echo4(nth("198.18.0.0", i), ip4("198.19.0.1"), data)), now);
        u.observe(view(echo4(nth("198.18.0.0", i), ip4("198.19.0.1"), data)), now + 1);
    }
    EXPECT_EQ(u.counters().inspected, 64u * 64u);
}

TEST(InsightTracker, InspectionIsBoundedPerWindow) {
    InsightConfig cfg;
    cfg.tunnel_min_requests = 1000;  // never: only the counting is looked at
    Tracker t{cfg};
    std::uint64_t now = sec;
    const Frame f = echo4(ip4("198.18.5.6"), ip4("198.18.0.1"), linux_ping(56, 0));
    for (unsigned i = 0; i < 5000; ++i, now += ms) t.observe(view(f), now);  // 5 s
    // 64 per 2 s window: windows started at 1 s, 3 s, 5 s.
    EXPECT_EQ(t.counters().inspected, 3u * 64u);
}

TEST(InsightTracker, RequestReplyAsymmetryInRouterMode) {
    Tracker t{InsightConfig{}};
    std::mt19937_64 rng(4);
    std::uint64_t now = sec;
    const auto client = ip4("198.18.8.1"), server = ip4("198.19.8.1");
    for (unsigned i = 0; i < 10; ++i, now += 10 * ms) {
        Frame req(1000), rep(100);
        for (auto& b : req) b = std::byte{static_cast<std::uint8_t>(rng())};
        for (auto& b : rep) b = std::byte{static_cast<std::uint8_t>(rng())};
        t.observe(view(echo4(client, server, req)), now);
        t.observe(view(echo4(server, client, rep, 64, 0)), now + ms);
    }
    SourceView v[2];
    ASSERT_EQ(t.snapshot(v, now), 2u);
    const SourceView& c = v[0].source == wire::v4_mapped(client) ? v[0] : v[1];
    EXPECT_EQ(c.request_bytes, 10000u);
    EXPECT_EQ(c.reply_bytes, 1000u);
    // 40 * 9/10 + 0 (one size) + 20 + 20 * 0.9 = 74.
    EXPECT_EQ(c.tunnel_score, 74);
}

// ---- the fast path ------------------------------------------------------------------------

void expect_same(const SourceView& a, const SourceView& b, const std::string& at) {
    EXPECT_EQ(a.source, b.source) << at;
    EXPECT_EQ(a.packets, b.packets) << at;
    EXPECT_EQ(a.window_packets, b.window_packets) << at;
    EXPECT_EQ(a.first_ns, b.first_ns) << at;
    EXPECT_EQ(a.last_ns, b.last_ns) << at;
    EXPECT_EQ(a.echo_requests, b.echo_requests) << at;
    EXPECT_EQ(a.echo_replies, b.echo_replies) << at;
    EXPECT_EQ(a.errors, b.errors) << at;
    EXPECT_EQ(a.targets, b.targets) << at;
    EXPECT_EQ(a.echo_pps, b.echo_pps) << at;
    EXPECT_EQ(a.ttl, b.ttl) << at;
    EXPECT_EQ(a.tunnel_score, b.tunnel_score) << at;
    EXPECT_EQ(a.inspected, b.inspected) << at;
    EXPECT_EQ(a.changed_pct, b.changed_pct) << at;
    EXPECT_EQ(a.sizes, b.sizes) << at;
    EXPECT_EQ(a.entropy_centibits, b.entropy_centibits) << at;
    EXPECT_EQ(a.request_bytes, b.request_bytes) << at;
    EXPECT_EQ(a.reply_bytes, b.reply_bytes) << at;
    EXPECT_EQ(a.alerts, b.alerts) << at;
}

// A mixed stream (IPv4 sources to three destinations, random payloads, TTLs and time steps
// that roll windows, options, later fragments, tags, ARP, IPv6, replies, TCP with and without
// ACK) through observe(frame), which takes the fast path (and its runs) where it can, and
// through observe(classify(frame)), which never does: after a flush, the same counters, table
// and alerts. extra: sources beyond the three (a small table fills and admits by draw; both
// trackers draw alike, from the same seed).
void fast_equals_full(const InsightConfig& cfg, unsigned extra, std::uint64_t seed) {
    Tracker fast{cfg}, full{cfg};
    std::mt19937_64 rng(seed);
    std::uint64_t now = sec;
    const wire::Ipv4Addr srcs[] = {ip4("198.18.20.1"), ip4("198.18.20.2"), ip4("198.18.20.3")};
    const wire::Ipv4Addr dsts[] = {ip4("198.18.0.1"), ip4("198.18.0.2"), ip4("198.18.0.3")};
    for (int i = 0; i < 60000; ++i) {
        const unsigned r = static_cast<unsigned>(rng() % 100);
        const wire::Ipv4Addr src = extra != 0 && rng() % 8 == 0
                                       ? nth("198.18.40.0", static_cast<unsigned>(rng() % extra))
                                       : srcs[r < 80 ? 0 : rng() % 3];
        const auto& dst = dsts[r < 85 ? 0 : rng() % 3];
        Frame data(rng() % 4 == 0 ? rng() % 200 : 56);
        if (rng() % 2 == 0)
            for (auto& b : data) b = std::byte{static_cast<std::uint8_t>(rng())};
        const unsigned ttl = rng() % 50 == 0 ? 0 : 60 + static_cast<unsigned>(rng() % 5);
        Frame f;
        const unsigned kind = static_cast<unsigned>(rng() % 1000);
        if (kind < 880)
            f = echo4(src, dst, data, ttl);
        else if (kind < 900)
            f = tcp4(src, dst, rng() % 2 == 0 ? syn : static_cast<unsigned>(rng() % 64), ttl);
        else if (kind < 920)
            f = ipv4(src, dst, 1, ttl, icmp(8, 0, data), 0, 0, Frame(4));
        else if (kind < 940)
            f = ipv4(src, dst, 1, ttl, icmp(8, 0, data), 0x0010);
        else if (kind < 950)
            f = ipv4(src, dst, 1, ttl, icmp(8, 0, data), 0, 0x8100);
        else if (kind < 970)
            f = echo4(dst, src, data, ttl, 0);
        else if (kind < 980)
            f = arp_request(src, nth("198.18.21.0", static_cast<unsigned>(rng() % 200)));
        else if (kind < 990)
            f = echo6(ip6("2001:2::20"), ip6("2001:2::1"), data);
        else
            f = ipv4(src, dst, 1, ttl, icmp(3, 1, Frame(28)));
        if (rng() % 200 == 0) f.resize(rng() % f.size());  // truncated
        if (rng() % 100 == 0) f[16] = std::byte{0};        // IPv4 total length too short
        now += rng() % 1000 == 0 ? 3 * sec : rng() % 400'000;
        fast.observe(view(f), now);
        full.observe(classify(view(f)), now);
        if (rng() % 5000 == 0) fast.flush(now);  // a snapshot's flush, mid-run
    }
    fast.flush(now);
    const auto& a = fast.counters();
    const auto& b = full.counters();
    EXPECT_EQ(a.observed, b.observed);
    EXPECT_EQ(a.ignored, b.ignored);
    EXPECT_EQ(a.tracked, b.tracked);
    EXPECT_EQ(a.evicted, b.evicted);
    EXPECT_EQ(a.unadmitted, b.unadmitted);
    EXPECT_EQ(a.inspected, b.inspected);
    EXPECT_EQ(a.echo_requests, b.echo_requests);
    EXPECT_EQ(a.tcp_no_ack, b.tcp_no_ack);
    EXPECT_EQ(a.errors, b.errors);
    for (std::size_t k = 0; k < static_cast<std::size_t>(AlertKind::count_); ++k)
        EXPECT_EQ(a.alerts[k], b.alerts[k]) << k;
    EXPECT_GT(a.alerts[static_cast<std::size_t>(AlertKind::flood)], 0u);
    if (extra != 0) {
        EXPECT_GT(a.unadmitted, 0u);
    }
    SourceView va[16], vb[16];
    const std::size_t n = fast.snapshot(va, now);
    ASSERT_EQ(n, full.snapshot(vb, now));
    for (std::size_t i = 0; i < n; ++i) expect_same(va[i], vb[i], std::to_string(i));
    const auto alerts_a = drain(fast), alerts_b = drain(full);
    ASSERT_EQ(alerts_a.size(), alerts_b.size());
    for (std::size_t i = 0; i < alerts_a.size(); ++i) {
        EXPECT_EQ(format_alert(alerts_a[i]), format_alert(alerts_b[i]));
        EXPECT_EQ(alerts_a[i].at_ns, alerts_b[i].at_ns);
    }
}

TEST(InsightTracker, FastPathCountsWhatTheFullPathCounts) {
    InsightConfig cfg;
    cfg.flood_pps = 300;  // so that floods and holds happen too
    cfg.global_flood_pps = 800;
    cfg.tunnel_min_requests = 8;
    fast_equals_full(cfg, 0, 2024);
    cfg.alert_hold_ns = 500'000'000;  // holds that end within a run's reach
    fast_equals_full(cfg, 0, 7);
    cfg.sources = 16;  // two sets: full, admission by draw
    fast_equals_full(cfg, 64, 11);
}

TEST(InsightTracker, RunsOfAPingFloodAreExact) {
    // One source's echo requests only: almost all take the fast path and its runs; the alert
    // comes on the same frame as the full path's, and a snapshot mid-run sees every frame.
    Tracker t{InsightConfig{}};
    const Frame f = echo4(ip4("198.18.4.7"), ip4("198.18.0.1"), Frame(0), 64);
    std::uint64_t now = sec;
    for (unsigned i = 0; i < 60000; ++i, now += 33'333) {
        t.observe(view(f), now);  // (counters() would flush: not looked at in the loop)
        if (i == 1000) {
            SourceView v[1];
            ASSERT_EQ(t.snapshot(v, now), 1u);
            EXPECT_EQ(v[0].packets, 1001u);
            EXPECT_EQ(v[0].last_ns, now);
        }
    }
    const auto alerts = drain(t);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].at_ns, sec + 19999u * 33'333u);  // the 20000th request's time
    t.flush(now);
    EXPECT_EQ(t.counters().observed, 60000u);
    EXPECT_EQ(t.counters().echo_requests, 60000u);
}

// ---- TTL fingerprint -----------------------------------------------------------------------

TEST(InsightTtl, InitialAndHops) {
    EXPECT_EQ(initial_ttl(64), 64);
    EXPECT_EQ(ttl_hops(64), 0);
    EXPECT_EQ(initial_ttl(120), 128);
    EXPECT_EQ(ttl_hops(120), 8);
    EXPECT_EQ(initial_ttl(250), 255);
    EXPECT_EQ(ttl_hops(250), 5);
    EXPECT_EQ(initial_ttl(255), 255);
    EXPECT_EQ(initial_ttl(30), 32);
    EXPECT_EQ(initial_ttl(33), 64);
    EXPECT_EQ(initial_ttl(65), 128);
    EXPECT_EQ(initial_ttl(129), 255);
    EXPECT_EQ(initial_ttl(1), 32);
    for (unsigned ttl = 0; ttl < 256; ++ttl) {
        const auto t8 = static_cast<std::uint8_t>(ttl);
        EXPECT_GE(initial_ttl(t8), t8);
        EXPECT_EQ(initial_ttl(t8) - ttl_hops(t8), ttl);
    }
}

TEST(InsightTtl, SnapshotShowsTheFingerprint) {
    Tracker t{InsightConfig{}};
    t.observe(view(echo4(ip4("198.18.9.1"), ip4("198.18.0.1"), {}, 64)), sec);
    t.observe(view(echo4(ip4("198.18.9.2"), ip4("198.18.0.1"), {}, 120)), sec);
    t.observe(view(echo4(ip4("198.18.9.2"), ip4("198.18.0.1"), {}, 120)), sec);
    t.observe(view(echo4(ip4("198.18.9.3"), ip4("198.18.0.1"), {}, 250)), sec);
    t.observe(view(echo4(ip4("198.18.9.3"), ip4("198.18.0.1"), {}, 250)), sec);
    t.observe(view(echo4(ip4("198.18.9.3"), ip4("198.18.0.1"), {}, 250)), sec);
    t.observe(view(echo6(ip6("2001:2::9"), ip6("2001:2::1"), {}, 63)), sec);
    t.observe(view(echo6(ip6("2001:2::9"), ip6("2001:2::1"), {}, 63)), sec);
    t.observe(view(echo6(ip6("2001:2::9"), ip6("2001:2::1"), {}, 63)), sec);
    t.observe(view(echo6(ip6("2001:2::9"), ip6("2001:2::1"), {}, 63)), sec);
    // An NS from the same IPv6 source must not turn its fingerprint into 255.
    t.observe(view(ns6(ip6("2001:2::9"), ip6("2001:2::1"))), sec);
    SourceView v[8];
    ASSERT_EQ(t.snapshot(v, sec), 4u);
    // Most packets first.
    EXPECT_EQ(v[0].source, ip6("2001:2::9"));
    EXPECT_TRUE(v[0].v6);
    EXPECT_EQ(v[0].ttl, 63);
    EXPECT_EQ(v[0].initial_ttl, 64);
    EXPECT_EQ(v[0].hops, 1);
    EXPECT_EQ(v[0].packets, 5u);
    EXPECT_EQ(v[1].source, wire::v4_mapped(ip4("198.18.9.3")));
    EXPECT_EQ(v[1].initial_ttl, 255);
    EXPECT_EQ(v[1].hops, 5);
    EXPECT_EQ(v[2].source, wire::v4_mapped(ip4("198.18.9.2")));
    EXPECT_EQ(v[2].initial_ttl, 128);
    EXPECT_EQ(v[2].hops, 8);
    EXPECT_EQ(v[3].initial_ttl, 64);
    EXPECT_EQ(v[3].hops, 0);
}

// ---- snapshot ------------------------------------------------------------------------------

TEST(InsightTracker, SnapshotOrdersByWindowPacketsAndKeepsTheTop) {
    Tracker t{InsightConfig{}};
    const unsigned packets[] = {3, 17, 1, 9, 12, 5, 30, 2};
    std::uint64_t now = sec;
    for (unsigned s = 0; s < 8; ++s)
        for (unsigned i = 0; i < packets[s]; ++i, now += ms)
            t.observe(view(echo4(nth("198.18.10.0", s), ip4("198.18.0.1"))), now);
    SourceView v[3];
    ASSERT_EQ(t.snapshot(v, now), 3u);
    EXPECT_EQ(v[0].source, wire::v4_mapped(nth("198.18.10.0", 6)));
    EXPECT_EQ(v[0].window_packets, 30u);
    EXPECT_EQ(v[1].source, wire::v4_mapped(nth("198.18.10.0", 1)));
    EXPECT_EQ(v[2].source, wire::v4_mapped(nth("198.18.10.0", 4)));
    SourceView all[16];
    ASSERT_EQ(t.snapshot(all, now), 8u);
    for (std::size_t i = 1; i < 8; ++i) EXPECT_GE(all[i - 1].window_packets, all[i].window_packets);
    EXPECT_EQ(t.snapshot(std::span<SourceView>{}, now), 0u);
    EXPECT_EQ(t.tracked_now(), 8u);
    // Long after: nothing is in the window any more, the totals stay.
    ASSERT_EQ(t.snapshot(all, now + 10 * sec), 8u);
    for (std::size_t i = 0; i < 8; ++i) {
        EXPECT_EQ(all[i].window_packets, 0u);
        EXPECT_EQ(all[i].echo_pps, 0u);
        EXPECT_EQ(all[i].targets, 0u);
    }
    // Among equals the most recent first: the last source that sent.
    EXPECT_EQ(all[0].source, wire::v4_mapped(nth("198.18.10.0", 7)));
    EXPECT_EQ(all[0].packets, 2u);
}

TEST(InsightTracker, CountersBalanceAndDisabledDoesNothing) {
    Tracker t{InsightConfig{}};
    t.observe(view(echo4(ip4("198.18.0.2"), ip4("198.18.0.1"))), sec);
    t.observe(view(eth(0x88cc)), sec);
    t.observe(view(Frame(3)), sec);
    const auto& c = t.counters();
    EXPECT_EQ(c.observed, 1u);
    EXPECT_EQ(c.ignored, 2u);
    EXPECT_EQ(c.tracked, 1u);
    EXPECT_EQ(c.evicted, 0u);
    InsightConfig off;
    off.enabled = false;
    Tracker u{off};
    u.observe(view(echo4(ip4("198.18.0.2"), ip4("198.18.0.1"))), sec);
    EXPECT_EQ(u.counters().observed, 0u);
    EXPECT_EQ(u.tracked_now(), 0u);
    // retune: new thresholds, the table stays.
    InsightConfig low;
    low.sweep_targets = 4;
    low.sources = 99999;
    t.retune(low);
    EXPECT_EQ(t.config().sweep_targets, 4u);
    EXPECT_EQ(t.config().sources, InsightConfig{}.sources);
    EXPECT_EQ(t.capacity(), 4096u);
    InsightConfig odd;
    odd.sources = 100;
    EXPECT_EQ(Tracker{odd}.capacity(), 128u);  // 13 sets of 8, rounded up to 16
    for (unsigned i = 0; i < 5; ++i)
        t.observe(view(echo4(ip4("198.18.0.2"), nth("198.18.11.0", i))), sec + i);
    EXPECT_EQ(count(t, AlertKind::sweep), 1u);
    EXPECT_EQ(t.tracked_now(), 1u);
}

// ---- the alert queue and the words -------------------------------------------------------------

TEST(InsightAlertQueue, PushPopFullCountsLost) {
    auto q = std::make_unique<AlertQueue>();
    Alert a, out;
    EXPECT_FALSE(q->pop(out));
    for (std::uint64_t i = 0; i < AlertQueue::capacity; ++i) {
        a.value = i;
        EXPECT_TRUE(q->push(a));
    }
    a.value = 999;
    EXPECT_FALSE(q->push(a));
    EXPECT_FALSE(q->push(a));
    EXPECT_EQ(q->lost(), 2u);
    for (std::uint64_t i = 0; i < AlertQueue::capacity; ++i) {
        ASSERT_TRUE(q->pop(out));
        EXPECT_EQ(out.value, i);
    }
    EXPECT_FALSE(q->pop(out));
    // Wraps around.
    for (std::uint64_t i = 0; i < 3 * AlertQueue::capacity; ++i) {
        a.value = i;
        ASSERT_TRUE(q->push(a));
        ASSERT_TRUE(q->pop(out));
        EXPECT_EQ(out.value, i);
    }
    EXPECT_EQ(q->lost(), 2u);
}

TEST(InsightAlert, Words) {
    EXPECT_EQ(alert_kind_name(AlertKind::sweep), "sweep");
    EXPECT_EQ(alert_kind_name(AlertKind::tunnel), "tunnel");
    EXPECT_EQ(alert_kind_name(AlertKind::flood), "flood");
    EXPECT_EQ(alert_kind_name(AlertKind::error_flood), "error_flood");
    EXPECT_EQ(alert_kind_name(AlertKind::global_flood), "global_flood");
    EXPECT_EQ(alert_kind_name(AlertKind::global_error_flood), "global_error_flood");
    Alert a;
    a.kind = AlertKind::sweep;
    a.source = wire::v4_mapped(ip4("198.18.0.1"));
    a.value = 254;
    a.window_ns = 2 * sec;
    a.threshold = 64;
    EXPECT_EQ(format_alert(a), "ping sweep from 198.18.0.1: 254 targets in 2.0 s (threshold 64)");
    a.ttl = 63;
    a.initial_ttl = 64;
    EXPECT_EQ(format_alert(a),
              "ping sweep from 198.18.0.1: 254 targets in 2.0 s (threshold 64), TTL 63 (initial "
              "64, 1 hop)");
    a.kind = AlertKind::flood;
    a.value = 45210;
    a.threshold = 10000;
    a.ttl = 0;
    EXPECT_EQ(format_alert(a),
              "echo flood from 198.18.0.1: 45210 requests/s over 2.0 s (threshold 10000)");
    a.kind = AlertKind::error_flood;
    a.value = 1500;
    a.threshold = 1000;
    a.ttl = 120;
    a.initial_ttl = 128;
    EXPECT_EQ(format_alert(a),
              "ICMP error flood from 198.18.0.1: 1500 errors/s over 2.0 s (threshold "
              "1000), TTL 120 (initial 128, 8 hops)");
    Alert u;
    u.kind = AlertKind::tunnel;
    u.v6 = true;
    u.source = ip6("2001:2::7");
    u.value = 87;
    u.threshold = 50;
    u.requests = 120;
    u.changed_pct = 100;
    u.sizes = 16;
    u.entropy_centibits = 762;
    EXPECT_EQ(format_alert(u),
              "ICMP tunnel suspected from 2001:2::7: score 87/100 over 120 echo "
              "payloads (100% changing, 16+ sizes, 7.62 bits/byte entropy)");
    u.sizes = 1;
    EXPECT_NE(format_alert(u).find("(100% changing, 1 size, 7.62"), std::string::npos);
    Alert g;
    g.kind = AlertKind::global_flood;
    g.global = true;
    g.value = 250000;
    g.threshold = 200000;
    g.window_ns = 2 * sec;
    EXPECT_EQ(format_alert(g),
              "global echo flood: 250000 requests/s over 2.0 s (threshold 200000)");
    EXPECT_EQ(source_text(g), "all sources");
    g.kind = AlertKind::global_error_flood;
    g.value = 30000;
    g.threshold = 20000;
    EXPECT_EQ(format_alert(g),
              "global ICMP error flood: 30000 errors/s over 2.0 s (threshold 20000)");
}

}  // namespace
