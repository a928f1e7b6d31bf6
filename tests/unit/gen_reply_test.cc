// lib/gen/reply: parse_reply over scapy-built answers (tests/golden/make_gen_vectors.py) and
// over every truncation of them.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "lib/gen/probe.hh"
#include "lib/gen/reply.hh"
#include "lib/wire/checksum.hh"
#include "tests/golden/gen_vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

namespace g = pw::golden::gen;
using pw::gen::parse_reply;
using pw::gen::ProbeKind;
using pw::gen::Reply;
using pw::gen::ReplyKind;
using pw::gen::Stamp;
using pw::gen::StampStatus;
using pw::test::cbytes;
using pw::wire::Ipv4Addr;
using pw::wire::Ipv6Addr;

Ipv6Addr m4(const char* s) {
    return pw::wire::v4_mapped(*Ipv4Addr::parse(s));
}
Ipv6Addr a6(const char* s) {
    return *Ipv6Addr::parse(s);
}

const Stamp stamp{g::magic, g::target, g::probe, g::seq64, g::tsc};

Reply parse(std::span<const std::uint8_t> v) {
    return parse_reply(cbytes(v), g::magic);
}

TEST(GenReply, EchoReply4) {
    const Reply r = parse(g::r_echo4);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_FALSE(r.v6);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ttl, 57);
    EXPECT_EQ(r.src, m4("198.19.1.2"));
    EXPECT_EQ(r.dst, m4("198.18.0.1"));
    EXPECT_EQ(r.ip_len, 84);
    EXPECT_EQ(r.ident, g::ident);
    EXPECT_EQ(r.seq, g::seq);
    EXPECT_EQ(r.stamp_status, StampStatus::valid);
    EXPECT_EQ(r.stamp, stamp);
}

TEST(GenReply, EchoReply6) {
    const Reply r = parse(g::r_echo6);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_TRUE(r.v6);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ttl, 57);
    EXPECT_EQ(r.src, a6("2001:2:0:1::2"));
    EXPECT_EQ(r.dst, a6("2001:2::1"));
    EXPECT_EQ(r.ip_len, 40 + 64);
    EXPECT_EQ(r.ident, g::ident);
    EXPECT_EQ(r.seq, g::seq);
    EXPECT_EQ(r.stamp_status, StampStatus::valid);
    EXPECT_EQ(r.stamp, stamp);
}

TEST(GenReply, EchoReplyVlanTagged) {
    const Reply r = parse(g::r_echo4_vlan);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ip_len, 20 + 8 + 100);
    EXPECT_EQ(r.stamp_status, StampStatus::valid);
    EXPECT_EQ(r.stamp, stamp);
}

TEST(GenReply, EchoReplyStampCorruptedOrAnotherRun) {
    Reply r = parse(g::r_echo4_corrupt);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_TRUE(r.checksum_ok);  // the ICMP checksum was computed over the corrupted data
    EXPECT_EQ(r.stamp_status, StampStatus::corrupted);
    r = parse(g::r_echo4_other_run);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_EQ(r.stamp_status, StampStatus::absent);
    // Another magic for the same frame.
    r = parse_reply(cbytes(g::r_echo4), g::magic ^ 1);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_EQ(r.stamp_status, StampStatus::absent);
}

TEST(GenReply, BadChecksums) {
    Reply r = parse(g::r_echo4_bad_icmp);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_FALSE(r.checksum_ok);
    r = parse(g::r_echo6_bad_icmp);
    EXPECT_EQ(r.kind, ReplyKind::echo_reply);
    EXPECT_FALSE(r.checksum_ok);
    r = parse(g::r_synack4_bad);
    EXPECT_EQ(r.kind, ReplyKind::tcp_synack);
    EXPECT_FALSE(r.checksum_ok);
    // A bad IPv4 header checksum: not an answer at all.
    EXPECT_EQ(parse(g::r_echo4_bad_ip).kind, ReplyKind::other);
}

TEST(GenReply, NonFirstFragmentIsOther) {
    EXPECT_EQ(parse(g::r_echo4_frag).kind, ReplyKind::other);
}

TEST(GenReply, TimestampReply) {
    const Reply r = parse(g::r_ts4);
    EXPECT_EQ(r.kind, ReplyKind::timestamp_reply);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ident, g::ident);
    EXPECT_EQ(r.seq, g::seq);
}

TEST(GenReply, TimeExceeded4QuotingEcho) {
    const Reply r = parse(g::r_te4);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.type, 11);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.mtu, 0U);
    EXPECT_EQ(r.src, m4("198.18.0.254"));
    EXPECT_EQ(r.quoted_kind, ProbeKind::echo);
    EXPECT_EQ(r.quoted_dst, m4("198.19.1.2"));
    EXPECT_EQ(r.quoted_ip_len, 84);
    EXPECT_EQ(r.quoted_ident, g::ident);
    EXPECT_EQ(r.quoted_seq, g::seq);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::valid);
    EXPECT_EQ(r.quoted_stamp, stamp);
}

TEST(GenReply, FragNeededQuotingPartOfABigEcho) {
    // Linux quotes 548 of the probe's 1500 bytes: the stamp's fields are there, its check
    // (over all 1472 data bytes) cannot be verified.
    const Reply r = parse(g::r_fn4);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.type, 3);
    EXPECT_EQ(r.code, 4);
    EXPECT_EQ(r.mtu, 1400U);
    EXPECT_EQ(r.quoted_kind, ProbeKind::echo);
    EXPECT_EQ(r.quoted_ip_len, 1500);
    EXPECT_EQ(r.quoted_dst, m4("198.19.1.2"));
    EXPECT_EQ(r.quoted_ident, g::ident);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::absent);
    EXPECT_EQ(r.quoted_stamp, stamp);
}

TEST(GenReply, TimeExceeded4QuotingSyn) {
    const Reply r = parse(g::r_te4_syn);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_EQ(r.quoted_kind, ProbeKind::tcp_syn);
    EXPECT_EQ(r.quoted_ident, g::ident);
    EXPECT_EQ(r.quoted_seq, g::tcp_port);
    EXPECT_EQ(r.quoted_ip_len, 40);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::absent);
}

TEST(GenReply, PortUnreachableQuotingUdp) {
    Reply r = parse(g::r_pu4);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.type, 3);
    EXPECT_EQ(r.code, 3);
    EXPECT_EQ(r.mtu, 0U);
    EXPECT_EQ(r.quoted_kind, ProbeKind::udp);
    EXPECT_EQ(r.quoted_ident, g::ident);
    EXPECT_EQ(r.quoted_seq, g::udp_port);
    EXPECT_EQ(r.quoted_ip_len, 20 + 8 + 56);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::valid);
    EXPECT_EQ(r.quoted_stamp, stamp);
    r = parse(g::r_pu6);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_TRUE(r.v6);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.type, 1);
    EXPECT_EQ(r.code, 4);
    EXPECT_EQ(r.quoted_kind, ProbeKind::udp);
    EXPECT_EQ(r.quoted_dst, a6("2001:2:0:1::2"));
    EXPECT_EQ(r.quoted_ip_len, 40 + 8 + 57);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::valid);
    EXPECT_EQ(r.quoted_stamp, stamp);
}

TEST(GenReply, TimeExceeded6AndPacketTooBig) {
    Reply r = parse(g::r_te6);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.type, 3);
    EXPECT_EQ(r.src, a6("2001:2::fe"));
    EXPECT_EQ(r.quoted_kind, ProbeKind::echo);
    EXPECT_EQ(r.quoted_ip_len, 40 + 64);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::valid);
    EXPECT_EQ(r.quoted_stamp, stamp);
    r = parse(g::r_ptb6);
    EXPECT_EQ(r.kind, ReplyKind::icmp_error);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.type, 2);
    EXPECT_EQ(r.mtu, 1280U);
    EXPECT_EQ(r.quoted_kind, ProbeKind::echo);
    EXPECT_EQ(r.quoted_ip_len, 1500);
    EXPECT_EQ(r.quoted_ident, g::ident);
    EXPECT_EQ(r.quoted_seq, g::seq);
    EXPECT_EQ(r.quoted_stamp_status, StampStatus::absent);  // 1232 of 1500 bytes quoted
    EXPECT_EQ(r.quoted_stamp, stamp);
}

TEST(GenReply, ErrorQuotingSomethingElseIsOther) {
    EXPECT_EQ(parse(g::r_err4_quoting_reply).kind, ReplyKind::other);
    // Our own probes are requests, not answers.
    EXPECT_EQ(parse(g::probe_echo4).kind, ReplyKind::other);
    EXPECT_EQ(parse(g::probe_echo6).kind, ReplyKind::other);
    EXPECT_EQ(parse(g::probe_ts4).kind, ReplyKind::other);
    EXPECT_EQ(parse(g::probe_syn4).kind, ReplyKind::other);  // a bare SYN
}

TEST(GenReply, TcpSynAckAndRst) {
    Reply r = parse(g::r_synack4);
    EXPECT_EQ(r.kind, ReplyKind::tcp_synack);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ident, g::ident);
    EXPECT_EQ(r.seq, g::tcp_port);
    EXPECT_EQ(r.tcp_seq, 0xabcdef01U);
    EXPECT_EQ(r.tcp_ack, g::syn_seq + 1);
    EXPECT_EQ(r.ip_len, 44);
    r = parse(g::r_rstack4);
    EXPECT_EQ(r.kind, ReplyKind::tcp_rst);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.tcp_ack, g::syn_seq + 1);
    r = parse(g::r_synack6);
    EXPECT_EQ(r.kind, ReplyKind::tcp_synack);
    EXPECT_TRUE(r.v6);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ident, g::ident);
    EXPECT_EQ(r.seq, g::tcp_port);
    EXPECT_EQ(r.tcp_ack, g::syn_seq + 1);
    r = parse(g::r_rst6);
    EXPECT_EQ(r.kind, ReplyKind::tcp_rst);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.tcp_seq, 0x11U);
}

TEST(GenReply, Udp) {
    Reply r = parse(g::r_udp4);
    EXPECT_EQ(r.kind, ReplyKind::udp);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.ident, g::ident);
    EXPECT_EQ(r.seq, g::udp_port);
    EXPECT_EQ(r.stamp_status, StampStatus::valid);
    EXPECT_EQ(r.stamp, stamp);
    r = parse(g::r_udp4_nock);  // RFC 768: no checksum
    EXPECT_EQ(r.kind, ReplyKind::udp);
    EXPECT_TRUE(r.checksum_ok);
    r = parse(g::r_udp6);
    EXPECT_EQ(r.kind, ReplyKind::udp);
    EXPECT_TRUE(r.v6);
    EXPECT_TRUE(r.checksum_ok);
    EXPECT_EQ(r.stamp_status, StampStatus::valid);
    EXPECT_EQ(r.stamp, stamp);
    // Our own UDP probes read back as UDP (the caller tells them apart by address).
    EXPECT_EQ(parse(g::probe_udp6).stamp_status, StampStatus::valid);
}

TEST(GenReply, FlippedBitsNeverPassUnnoticed) {
    // Any single bit flipped anywhere past the Ethernet header: the frame is other, or the
    // checksum or the stamp says so (or a flip in a field no sum covers that changes nothing
    // the caller uses: the TTL, which the IPv4 header checksum covers anyway).
    for (auto v :
         {std::span<const std::uint8_t>(g::r_echo4), std::span<const std::uint8_t>(g::r_echo6),
          std::span<const std::uint8_t>(g::r_udp4)}) {
        auto f = pw::test::copy(v);
        for (std::size_t i = 14; i < f.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                f[i] ^= std::byte(1U << bit);
                const Reply r = parse_reply(f, g::magic);
                const bool flagged = r.kind == ReplyKind::other || !r.checksum_ok ||
                                     r.stamp_status != StampStatus::valid;
                // The IPv6 hop limit, traffic class and flow label are covered by no sum.
                const bool uncovered6 = v.size() == g::r_echo6.size() && (i < 18 || i == 21);
                if (!uncovered6) {
                    EXPECT_TRUE(flagged) << "byte " << i << " bit " << bit;
                }
                f[i] ^= std::byte(1U << bit);
            }
        }
    }
}

// Every frame cut at every length: no read past the cut (ASan), and nothing claimed.
TEST(GenReply, EveryTruncationIsOther) {
    const std::span<const std::uint8_t> all[] = {g::r_echo4,
                                                 g::r_echo6,
                                                 g::r_echo4_vlan,
                                                 g::r_echo4_corrupt,
                                                 g::r_ts4,
                                                 g::r_te4,
                                                 g::r_fn4,
                                                 g::r_te4_syn,
                                                 g::r_pu4,
                                                 g::r_te6,
                                                 g::r_ptb6,
                                                 g::r_pu6,
                                                 g::r_synack4,
                                                 g::r_rstack4,
                                                 g::r_synack6,
                                                 g::r_rst6,
                                                 g::r_udp4,
                                                 g::r_udp6,
                                                 g::r_echo6_bad_icmp,
                                                 g::probe_udp4};
    int n = 0;
    for (auto v : all) {
        ASSERT_NE(parse(v).kind, ReplyKind::other);
        for (std::size_t len = 0; len < v.size(); ++len) {
            // A heap copy of exactly len bytes, so that ASan sees any read past it.
            std::vector<std::byte> cut(len);
            for (std::size_t i = 0; i < len; ++i) cut[i] = std::byte{v[i]};
            const Reply r = parse_reply(cut, g::magic);
            EXPECT_EQ(r.kind, ReplyKind::other) << "vector of " << v.size() << " cut at " << len;
            ++n;
        }
    }
    EXPECT_GT(n, 3000);
}

TEST(GenReply, QuoteTruncatedInsideAnIcmpErrorStaysInBounds) {
    // The outer packet is consistent, only the quote is short: an error whose quote ends
    // before the quoted IP header or before 8 upper-layer bytes is other; a longer one is
    // an error whose stamp is verified only when fully quoted.
    const auto full = pw::test::copy(g::r_te4);
    const std::size_t quote = 14 + 20 + 8;
    for (std::size_t q = 0; q <= full.size() - quote; ++q) {
        std::vector<std::byte> f(full.begin(), full.begin() + static_cast<long>(quote + q));
        // Fix the outer total length and both checksums.
        const auto tl = static_cast<std::uint16_t>(20 + 8 + q);
        pw::wire::store16(f, 14 + 2, tl);
        pw::wire::store16(f, 14 + 10, 0);
        pw::wire::store16(f, 14 + 10,
                          pw::wire::checksum(std::span<const std::byte>(f).subspan(14, 20)));
        pw::wire::store16(f, 34 + 2, 0);
        pw::wire::store16(f, 34 + 2, pw::wire::checksum(std::span<const std::byte>(f).subspan(34)));
        const Reply r = parse_reply(f, g::magic);
        if (q < 20 + 8) {
            EXPECT_EQ(r.kind, ReplyKind::other) << q;
        } else {
            ASSERT_EQ(r.kind, ReplyKind::icmp_error) << q;
            EXPECT_TRUE(r.checksum_ok);
            EXPECT_EQ(r.quoted_ident, g::ident);
            EXPECT_EQ(r.quoted_stamp_status, q == 84 ? StampStatus::valid : StampStatus::absent)
                << q;
            if (q >= 20 + 8 + 32) {
                EXPECT_EQ(r.quoted_stamp, stamp) << q;
            }
        }
    }
}

TEST(GenReply, RandomBytesStayInBounds) {
    std::mt19937_64 rng(7);
    for (int k = 0; k < 20000; ++k) {
        std::vector<std::byte> f(rng() % 200);
        for (auto& b : f) b = std::byte(static_cast<std::uint8_t>(rng()));
        if (f.size() >= 14 && (k & 1)) {  // make it IPv4 / IPv6 often
            f[12] = std::byte{(k & 2) ? std::uint8_t{0x86} : std::uint8_t{0x08}};
            f[13] = std::byte{(k & 2) ? std::uint8_t{0xdd} : std::uint8_t{0x00}};
        }
        (void)parse_reply(f, g::magic);
    }
}

}  // namespace
