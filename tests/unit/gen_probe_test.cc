// lib/gen/probe: probe frames against scapy's (tests/golden/make_gen_vectors.py), the
// prepared ProbeWriter against build_probe, and build_tcp_rst.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "lib/gen/probe.hh"
#include "lib/gen/stamp.hh"
#include "lib/wire/checksum.hh"
#include "tests/golden/gen_vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

namespace g = pw::golden::gen;
using pw::gen::build_probe;
using pw::gen::ProbeFields;
using pw::gen::ProbeKind;
using pw::gen::ProbeTemplate;
using pw::gen::ProbeWriter;
using pw::test::cbytes;
using pw::test::filled;
using pw::test::same_bytes;
using pw::wire::Ipv4Addr;
using pw::wire::Ipv6Addr;
using pw::wire::MacAddr;

MacAddr mac(const char* s) {
    return *MacAddr::parse(s);
}
Ipv4Addr ip4(const char* s) {
    return *Ipv4Addr::parse(s);
}
Ipv6Addr ip6(const char* s) {
    return *Ipv6Addr::parse(s);
}

// The template and fields the generator uses.
ProbeTemplate tmpl(ProbeKind k, bool v6) {
    ProbeTemplate t;
    t.kind = k;
    t.v6 = v6;
    t.src_mac = mac("02:00:00:00:00:01");
    t.dst_mac = mac("02:00:00:00:00:fe");
    t.src4 = ip4("198.18.0.1");
    t.src6 = ip6("2001:2::1");
    t.ttl = 61;
    t.tos = 0x10;
    t.df = true;
    t.dst_port = k == ProbeKind::tcp_syn ? g::tcp_port : g::udp_port;
    return t;
}

ProbeFields fields(std::size_t data_len) {
    ProbeFields f;
    f.dst4 = ip4("198.19.1.2");
    f.dst6 = ip6("2001:2:0:1::2");
    f.ident = g::ident;
    f.seq = g::seq;
    f.data_len = data_len;
    f.stamp = {g::magic, g::target, g::probe, g::seq64, g::tsc};
    return f;
}

// build_probe into a larger buffer pre-filled with 0xA5: exactly the golden bytes, the rest
// untouched; and the prepared writer gives the same.
void expect_golden(const ProbeTemplate& t, const ProbeFields& f,
                   std::span<const std::uint8_t> want) {
    EXPECT_EQ(pw::gen::probe_frame_len(t, f.data_len), want.size());
    auto buf = filled(want.size() + 16);
    ASSERT_EQ(build_probe(buf, t, f), want.size());
    EXPECT_TRUE(same_bytes(std::span<const std::byte>(buf).first(want.size()), cbytes(want)));
    for (std::size_t i = want.size(); i < buf.size(); ++i) EXPECT_EQ(buf[i], pw::test::fill_byte);

    ProbeWriter w;
    w.prepare(t, f.data_len);
    ASSERT_EQ(w.frame_len(), want.size());
    auto out = filled(want.size());
    w.write(out, f);
    EXPECT_TRUE(same_bytes(out, cbytes(want)));
}

TEST(GenProbe, Echo4Golden) {
    expect_golden(tmpl(ProbeKind::echo, false), fields(56), g::probe_echo4);
}

TEST(GenProbe, Echo4PatternOddSizeNoDfGolden) {
    auto t = tmpl(ProbeKind::echo, false);
    t.ttl = 64;
    t.tos = 0;
    t.df = false;
    t.pattern.bytes = {0xde, 0xad, 0xbe};
    t.pattern.len = 3;
    expect_golden(t, fields(61), g::probe_echo4_pat);
}

TEST(GenProbe, Echo6Golden) {
    expect_golden(tmpl(ProbeKind::echo, true), fields(56), g::probe_echo6);
}

TEST(GenProbe, Timestamp4Golden) {
    // data_len is ignored for timestamp requests.
    expect_golden(tmpl(ProbeKind::timestamp, false), fields(999), g::probe_ts4);
}

TEST(GenProbe, TcpSynGolden) {
    EXPECT_EQ(pw::gen::syn_sequence(fields(0).stamp), g::syn_seq);
    expect_golden(tmpl(ProbeKind::tcp_syn, false), fields(56), g::probe_syn4);
    expect_golden(tmpl(ProbeKind::tcp_syn, true), fields(56), g::probe_syn6);
}

TEST(GenProbe, UdpGolden) {
    expect_golden(tmpl(ProbeKind::udp, false), fields(56), g::probe_udp4);
    expect_golden(tmpl(ProbeKind::udp, true), fields(57), g::probe_udp6);
}

TEST(GenProbe, SynSequenceKeyedOnMagicAndTargetOnly) {
    auto s = fields(0).stamp;
    const auto base = pw::gen::syn_sequence(s);
    auto t = s;
    t.probe += 1;
    t.seq += 1;
    t.tsc += 12345;
    EXPECT_EQ(pw::gen::syn_sequence(t), base);
    t = s;
    t.target += 1;
    EXPECT_NE(pw::gen::syn_sequence(t), base);
    t = s;
    t.magic += 1;
    EXPECT_NE(pw::gen::syn_sequence(t), base);
}

TEST(GenProbe, RefusesWhatCannotBeBuilt) {
    auto buf = filled(2000);
    // No room for the stamp.
    EXPECT_EQ(pw::gen::probe_frame_len(tmpl(ProbeKind::echo, false), 31), 0U);
    EXPECT_EQ(build_probe(buf, tmpl(ProbeKind::echo, false), fields(31)), 0U);
    EXPECT_EQ(build_probe(buf, tmpl(ProbeKind::udp, true), fields(0)), 0U);
    // ICMPv6 has no timestamp request.
    EXPECT_EQ(build_probe(buf, tmpl(ProbeKind::timestamp, true), fields(56)), 0U);
    // IPv4 total length is 16 bits.
    EXPECT_EQ(pw::gen::probe_frame_len(tmpl(ProbeKind::echo, false), 65535 - 28), 65535U + 14);
    EXPECT_EQ(pw::gen::probe_frame_len(tmpl(ProbeKind::echo, false), 65535 - 27), 0U);
    EXPECT_EQ(pw::gen::probe_frame_len(tmpl(ProbeKind::echo, true), 65535 - 8), 65535U + 54);
    EXPECT_EQ(pw::gen::probe_frame_len(tmpl(ProbeKind::echo, true), 65535 - 7), 0U);
    // Out too small: nothing written.
    auto small = filled(97);
    EXPECT_EQ(build_probe(small, tmpl(ProbeKind::echo, false), fields(56)), 0U);
    for (auto b : small) EXPECT_EQ(b, pw::test::fill_byte);
    ProbeWriter w;
    w.prepare(tmpl(ProbeKind::echo, false), 56);
    w.write(small, fields(56));
    for (auto b : small) EXPECT_EQ(b, pw::test::fill_byte);
    EXPECT_STREQ(pw::gen::to_string(ProbeKind::tcp_syn), "tcp-syn");
    EXPECT_STREQ(pw::gen::to_string(ProbeKind::echo), "echo");
}

// Independent checks of the sums of a built frame.
void expect_sums_ok(std::span<const std::byte> fr, const ProbeTemplate& t) {
    const std::size_t l3 = 14;
    if (!t.v6) {
        ASSERT_EQ(pw::wire::ones_sum(fr.subspan(l3, 20)), 0xffff);
        const auto l4 = fr.subspan(l3 + 20);
        if (t.kind == ProbeKind::echo) {
            EXPECT_EQ(pw::wire::ones_sum(l4), 0xffff);
        } else {
            const auto ps = pw::wire::pseudo_sum_v4(pw::wire::load_bytes<Ipv4Addr>(fr, l3 + 12),
                                                    pw::wire::load_bytes<Ipv4Addr>(fr, l3 + 16), 17,
                                                    static_cast<std::uint16_t>(l4.size()));
            EXPECT_EQ(pw::wire::ones_sum(l4, ps), 0xffff);
        }
    } else {
        const auto l4 = fr.subspan(l3 + 40);
        const auto ps = pw::wire::pseudo_sum_v6(
            pw::wire::load_bytes<Ipv6Addr>(fr, l3 + 8), pw::wire::load_bytes<Ipv6Addr>(fr, l3 + 24),
            static_cast<std::uint32_t>(l4.size()), t.kind == ProbeKind::echo ? 58 : 17);
        EXPECT_EQ(pw::wire::ones_sum(l4, ps), 0xffff);
    }
}

TEST(GenProbe, WriterMatchesBuildProbeOverRandomFields) {
    std::mt19937_64 rng(42);
    const std::size_t sizes[] = {32, 33, 34, 35, 39,  40,  41,   55,   56,
                                 57, 63, 64, 65, 100, 511, 1001, 1400, 1472};
    int frames = 0;
    for (auto kind : {ProbeKind::echo, ProbeKind::udp, ProbeKind::timestamp, ProbeKind::tcp_syn}) {
        for (bool v6 : {false, true}) {
            if (kind == ProbeKind::timestamp && v6) continue;
            for (std::size_t n : sizes) {
                ProbeTemplate t = tmpl(kind, v6);
                t.ttl = static_cast<std::uint8_t>(rng());
                t.tos = static_cast<std::uint8_t>(rng());
                t.df = (rng() & 1) != 0;
                t.dst_port = static_cast<std::uint16_t>(rng());
                for (auto& b : t.src6.bytes) b = static_cast<std::uint8_t>(rng());
                t.src4 = Ipv4Addr::from_u32(static_cast<std::uint32_t>(rng()));
                t.pattern.len = static_cast<std::uint8_t>(rng() % 17);
                for (auto& b : t.pattern.bytes) b = static_cast<std::uint8_t>(rng());
                ProbeWriter w;
                w.prepare(t, n);
                ASSERT_EQ(w.frame_len(), pw::gen::probe_frame_len(t, n));
                std::vector<std::byte> a(w.frame_len()), b(w.frame_len());
                for (int k = 0; k < 300; ++k) {
                    ProbeFields f;
                    f.dst4 = Ipv4Addr::from_u32(static_cast<std::uint32_t>(rng()));
                    for (auto& x : f.dst6.bytes) x = static_cast<std::uint8_t>(rng());
                    // Extremes too: all-zero and all-ones fields (sums that wrap, 0 vs 0xffff).
                    const int mode = k % 10;
                    f.ident = static_cast<std::uint16_t>(mode == 0   ? 0
                                                         : mode == 1 ? 0xffff
                                                                     : rng());
                    f.seq = static_cast<std::uint16_t>(mode == 0 ? 0 : mode == 1 ? 0xffff : rng());
                    f.data_len = n;
                    f.stamp = {static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()),
                               static_cast<std::uint32_t>(rng()), rng(), rng()};
                    if (mode == 0) {
                        f.stamp = {};
                        f.dst4 = {};
                        f.dst6 = {};
                    }
                    if (mode == 1) {
                        f.stamp = {~0U, ~0U, ~0U, ~0ULL, ~0ULL};
                        f.dst4 = Ipv4Addr::from_u32(~0U);
                        f.dst6.bytes.fill(0xff);
                    }
                    std::fill(a.begin(), a.end(), std::byte{0x5a});
                    ASSERT_EQ(build_probe(a, t, f), a.size());
                    w.write(b, f);
                    ASSERT_TRUE(same_bytes(b, a))
                        << pw::gen::to_string(kind) << (v6 ? " v6" : " v4") << " size " << n;
                    if (kind == ProbeKind::echo || kind == ProbeKind::udp) expect_sums_ok(a, t);
                    ++frames;
                }
            }
        }
    }
    EXPECT_GT(frames, 10000);
}

TEST(GenProbe, UdpChecksumZeroIsSentAsAllOnes) {
    // Over every source port exactly one datagram's checksum computes to 0: it is sent as
    // 0xffff (RFC 768), by both builders.
    for (bool v6 : {false, true}) {
        const auto t = tmpl(ProbeKind::udp, v6);
        ProbeWriter w;
        w.prepare(t, 56);
        std::vector<std::byte> a(w.frame_len()), b(w.frame_len());
        const std::size_t ck = 14 + (v6 ? 40 : 20) + 6;
        int ones = 0;
        for (unsigned port = 0; port <= 0xffff; ++port) {
            auto f = fields(56);
            f.ident = static_cast<std::uint16_t>(port);
            build_probe(a, t, f);
            w.write(b, f);
            ASSERT_EQ(a, b) << port;
            const auto c = pw::wire::load16(std::span<const std::byte>(a), ck);
            ASSERT_NE(c, 0) << port;
            if (c == 0xffff) ++ones;
        }
        EXPECT_GE(ones, 1);
    }
}

TEST(GenProbe, TcpRstForSynAck) {
    const auto us = mac("02:00:00:00:00:01"), gw = mac("02:00:00:00:00:fe");
    auto out = filled(100);
    ASSERT_EQ(pw::gen::build_tcp_rst(out, cbytes(g::r_synack4), us, gw), g::rst4.size());
    EXPECT_TRUE(same_bytes(std::span<const std::byte>(out).first(g::rst4.size()), cbytes(g::rst4)));
    ASSERT_EQ(pw::gen::build_tcp_rst(out, cbytes(g::r_synack6), us, gw), g::rst6.size());
    EXPECT_TRUE(same_bytes(std::span<const std::byte>(out).first(g::rst6.size()), cbytes(g::rst6)));
    // Not TCP, a RST, truncated, or no room.
    EXPECT_EQ(pw::gen::build_tcp_rst(out, cbytes(g::r_echo4), us, gw), 0U);
    EXPECT_EQ(pw::gen::build_tcp_rst(out, cbytes(g::r_rstack4), us, gw), 0U);
    EXPECT_EQ(pw::gen::build_tcp_rst(out, cbytes(g::r_udp6), us, gw), 0U);
    for (std::size_t n = 0; n < g::r_synack4.size(); ++n)
        EXPECT_EQ(pw::gen::build_tcp_rst(out, cbytes(g::r_synack4).first(n), us, gw), 0U) << n;
    auto small = filled(g::rst4.size() - 1);
    EXPECT_EQ(pw::gen::build_tcp_rst(small, cbytes(g::r_synack4), us, gw), 0U);
}

TEST(GenProbe, TcpRstWithoutAckAcknowledgesTheSegment) {
    // A bare SYN (no ACK) is answered <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> (RFC 9293 3.10.7.1).
    auto syn = std::vector<std::byte>(g::probe_syn4.size());
    for (std::size_t i = 0; i < syn.size(); ++i) syn[i] = std::byte{g::probe_syn4[i]};
    auto out = filled(100);
    const auto us = mac("02:00:00:00:00:fe"), gw = mac("02:00:00:00:00:01");
    ASSERT_EQ(pw::gen::build_tcp_rst(out, syn, us, gw), 54U);
    const std::span<const std::byte> o(out);
    EXPECT_EQ(pw::wire::load32(o, 34 + 4), 0U);
    EXPECT_EQ(pw::wire::load32(o, 34 + 8), g::syn_seq + 1);
    EXPECT_EQ(pw::wire::load8(o, 34 + 13), 0x14);
    EXPECT_EQ(pw::wire::load16(o, 34 + 0), g::tcp_port);
    EXPECT_EQ(pw::wire::load16(o, 34 + 2), g::ident);
    EXPECT_EQ(pw::wire::ones_sum(o.subspan(14, 20)), 0xffff);
    EXPECT_EQ(
        pw::wire::ones_sum(o.subspan(34, 20),
                           pw::wire::pseudo_sum_v4(ip4("198.19.1.2"), ip4("198.18.0.1"), 6, 20)),
        0xffff);
}

}  // namespace
