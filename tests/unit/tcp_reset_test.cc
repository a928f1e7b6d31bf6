// TCP to one of our addresses through host_input (lib/icmp/tcp_input.cc): every segment but a
// reset gets a reset, built in place byte for byte as scapy builds Linux's (TTL / hop limit
// 64, the TOS / traffic class of the segment, DF and identification 0 over IPv4, window 0);
// a reset, a bad checksum, a truncated header and a segment to a broadcast or multicast
// address get nothing; the Tcp counters and the Ip / Ip6 ones count each.
#include <gtest/gtest.h>

#include <vector>

#include "lib/icmp/host_input.hh"
#include "lib/wire/tcp.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/golden_host.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace golden = pw::golden;
namespace wire = pw::wire;
using pw::test::cbytes;
using pw::test::same_bytes;
using Frame = std::span<const std::uint8_t>;

constexpr std::size_t room = 2048;

// make_vectors.py's interface (golden_host.hh), with the Tcp counters at hand.
struct Host : pw::test::GoldenHost {
    std::uint64_t tcp(TcpCounter c) const { return stats.tcp[c]; }
};

struct Outcome {
    Verdict v;
    std::vector<std::byte> buf;
    std::vector<std::byte> before;
};

Outcome run(Host& h, Frame frame) {
    Outcome r;
    r.buf = pw::test::filled(room);
    std::copy(cbytes(frame).begin(), cbytes(frame).end(), r.buf.begin());
    r.before = r.buf;
    r.v = host_input(r.buf, frame.size(), h.ctx);
    return r;
}

void expect_reset(Host& h, Frame frame, Reply kind, Frame want) {
    const Outcome r = run(h, frame);
    ASSERT_EQ(r.v.next, Next::reply) << "dropped: " << wire::drop_name(r.v.drop);
    EXPECT_EQ(r.v.kind, kind) << reply_name(r.v.kind);
    ASSERT_EQ(r.v.len, want.size());
    EXPECT_TRUE(same_bytes(wire::ConstBytes(r.buf).first(r.v.len), cbytes(want)));
    // Built in place, never past the frame it answers.
    EXPECT_LE(r.v.len, frame.size());
    EXPECT_TRUE(pw::test::all_fill(wire::ConstBytes(r.buf).subspan(frame.size())));
    EXPECT_FALSE(r.v.owes_error());
}

void expect_silence(Host& h, Frame frame, Drop reason) {
    const Outcome r = run(h, frame);
    EXPECT_EQ(r.v.next, Next::drop) << next_name(r.v.next);
    EXPECT_EQ(r.v.drop, reason) << "got " << wire::drop_name(r.v.drop) << ", want "
                                << wire::drop_name(reason);
    EXPECT_FALSE(r.v.owes_error()) << error_outcome_name(r.v.error);
    EXPECT_TRUE(same_bytes(r.buf, r.before)) << "the frame changed";
}

// RFC 9293 3.5.2 item 1, without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
TEST(TcpReset, SynWithoutAckGetsRstAckAcknowledgingTheSyn) {
    Host h;
    expect_reset(h, golden::he_tcp4, Reply::tcp4_reset, golden::he_tcp4_rst);
    expect_reset(h, golden::he_tcp6, Reply::tcp6_reset, golden::he_tcp6_rst);
    EXPECT_EQ(h.tcp(TcpCounter::in_segs), 2U);
    EXPECT_EQ(h.tcp(TcpCounter::in_errs), 0U);
}

// With ACK: <SEQ=SEG.ACK><CTL=RST>; IP options and TCP options are not reflected, the TOS and
// the traffic class are.
TEST(TcpReset, SegmentWithAckGetsRstAtItsAckNumber) {
    Host h;
    expect_reset(h, golden::tcp4_ack_data, Reply::tcp4_reset, golden::tcp4_ack_data_rst);
    // Behind a Destination Options header, to the second address: the reset comes from it,
    // with the Next Header TCP and no extension header.
    expect_reset(h, golden::tcp6_ack_dstopt, Reply::tcp6_reset, golden::tcp6_ack_dstopt_rst);
}

// SEG.LEN counts the data, SYN and FIN (RFC 9293 3.4), modulo 2^32; padding is not data.
TEST(TcpReset, SegmentLengthCountsDataSynAndFin) {
    Host h;
    expect_reset(h, golden::tcp4_syn_fin_data, Reply::tcp4_reset, golden::tcp4_syn_fin_data_rst);
    expect_reset(h, golden::tcp4_syn_padded, Reply::tcp4_reset, golden::tcp4_syn_padded_rst);
}

// RFC 9293 3.10.7.1: an incoming RST is discarded; RFC 1122 4.2.2.7: so is a segment with a bad
// checksum; a header cut short is no segment; RFC 1122 4.2.3.10: none to a group is answered.
TEST(TcpReset, NoResetForAResetABadSegmentOrAGroup) {
    Host h;
    expect_silence(h, golden::tcp4_rst, Drop::tcp_reset_received);
    expect_silence(h, golden::tcp4_rst_ack, Drop::tcp_reset_received);
    expect_silence(h, golden::tcp6_rst, Drop::tcp_reset_received);
    EXPECT_EQ(h.tcp(TcpCounter::in_segs), 3U);
    EXPECT_EQ(h.tcp(TcpCounter::in_errs), 0U);
    expect_silence(h, golden::tcp4_bad_checksum, Drop::tcp_bad_checksum);
    expect_silence(h, golden::tcp6_bad_checksum, Drop::tcp_bad_checksum);
    EXPECT_EQ(h.tcp(TcpCounter::in_csum_errors), 2U);
    expect_silence(h, golden::tcp4_truncated, Drop::tcp_truncated);
    expect_silence(h, golden::tcp4_data_offset_past, Drop::tcp_truncated);
    EXPECT_EQ(h.tcp(TcpCounter::in_errs), 4U);
    EXPECT_EQ(h.tcp(TcpCounter::in_segs), 7U);
    expect_silence(h, golden::tcp4_broadcast, Drop::tcp_to_group);
    expect_silence(h, golden::tcp6_allnodes, Drop::tcp_to_group);
    EXPECT_EQ(h.tcp(TcpCounter::in_segs), 7U);  // not a segment for us
    // Out counters are the pipeline's, when it sends (as for ICMP).
    EXPECT_EQ(h.tcp(TcpCounter::out_rsts), 0U);
    // Every one was delivered to TCP: no Protocol Unreachable, no Parameter Problem.
    EXPECT_EQ(h.stats.ip4[IpCounter::in_delivers], 6U);
    EXPECT_EQ(h.stats.ip6[IpCounter::in_delivers], 3U);
    EXPECT_EQ(h.stats.ip4[IpCounter::in_unknown_protos], 0U);
    EXPECT_EQ(h.stats.ip6[IpCounter::in_unknown_protos], 0U);
    EXPECT_EQ(h.stats.v4.out_msgs + h.stats.v6.out_msgs, 0U);
}

// The reset's checksums verify as a receiver checks them.
TEST(TcpReset, ChecksumsOfTheResetVerify) {
    Host h;
    const Outcome r = run(h, golden::tcp4_ack_data);
    ASSERT_EQ(r.v.next, Next::reply);
    const auto l3 = wire::ConstBytes(r.buf).subspan(14, r.v.len - 14);
    EXPECT_EQ(wire::ipv4_header_sum(l3.data()), 0xffff);
    const auto seg = l3.subspan(20);
    EXPECT_EQ(wire::ones_sum(seg, wire::pseudo_sum_v4(pw::test::us4, pw::test::peer4, 6,
                                                      static_cast<std::uint16_t>(seg.size()))),
              0xffff);
}

}  // namespace
