// ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) view and value against scapy-built messages.
#include "lib/wire/icmp.hh"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::same_bytes;
namespace golden = pw::golden;

using CView = icmp::View<const std::byte>;

// The ICMP message of an option-less IPv4 frame, or of an IPv6 frame without extensions.
ConstBytes icmp4_of(std::span<const std::uint8_t> f) {
    return cbytes(f).subspan(14 + 20);
}
ConstBytes icmp6_of(std::span<const std::uint8_t> f) {
    return cbytes(f).subspan(14 + 40);
}

std::uint16_t pseudo6_of(std::span<const std::uint8_t> f) {
    const auto b = cbytes(f).subspan(14);
    return pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24),
                         static_cast<std::uint32_t>(b.size() - 40), 58);
}

bool data_is_0_to_55(ConstBytes d) {
    if (d.size() != 56) return false;
    for (std::size_t i = 0; i < d.size(); ++i)
        if (std::to_integer<std::size_t>(d[i]) != i) return false;
    return true;
}

TEST(Icmp4, EchoRequestAccessors) {
    const auto v = CView::checked(icmp4_of(golden::echo4_req), Drop::icmp4_truncated);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->type(), icmpv4::echo_request);
    EXPECT_EQ(v->code(), 0);
    EXPECT_EQ(v->checksum(), 0xbea3);  // scapy's
    EXPECT_EQ(v->ident(), 0x4242);
    EXPECT_EQ(v->seq(), 7);
    EXPECT_EQ(v->word(), 0x42420007U);
    EXPECT_EQ(v->type_code_word(), 0x0800);
    EXPECT_TRUE(data_is_0_to_55(v->data()));
    EXPECT_EQ(v->bytes().size(), 64U);
    EXPECT_TRUE(v->checksum_ok_v4());
}

TEST(Icmp4, EchoReplyAndOthers) {
    const auto r = CView::checked(icmp4_of(golden::echo4_reply), Drop::icmp4_truncated);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type(), icmpv4::echo_reply);
    EXPECT_EQ(r->type_code_word(), 0x0000);
    EXPECT_TRUE(r->checksum_ok_v4());
    const auto big = CView::checked(icmp4_of(golden::echo4_big_req), Drop::icmp4_truncated);
    ASSERT_TRUE(big);
    EXPECT_EQ(big->data().size(), 1472U);
    EXPECT_EQ(big->seq(), 0xfffe);
    EXPECT_TRUE(big->checksum_ok_v4());
    const auto unr = CView::checked(icmp4_of(golden::bad_icmp4_unreachable), Drop::icmp4_truncated);
    ASSERT_TRUE(unr);
    EXPECT_EQ(unr->type(), icmpv4::dest_unreachable);
    EXPECT_EQ(unr->code(), 3);
    EXPECT_EQ(unr->word(), 0U);
    EXPECT_TRUE(unr->checksum_ok_v4());
    const auto ts = CView::checked(icmp4_of(golden::bad_icmp4_timestamp), Drop::icmp4_truncated);
    ASSERT_TRUE(ts);
    EXPECT_EQ(ts->type(), icmpv4::timestamp_request);
    EXPECT_TRUE(ts->checksum_ok_v4());
}

TEST(Icmp4, BadChecksum) {
    const auto v = CView::checked(icmp4_of(golden::bad_icmp4_checksum), Drop::icmp4_truncated);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->checksum(), 0xdead);
    EXPECT_FALSE(v->checksum_ok_v4());
    // Every single-bit error in a message is caught.
    auto m = pw::test::copy(std::span(golden::echo4_req).subspan(34));
    for (std::size_t bit = 0; bit < m.size() * 8; ++bit) {
        m[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1U << (bit % 8))};
        EXPECT_FALSE(CView::checked(ConstBytes(m), Drop::icmp4_truncated)->checksum_ok_v4()) << bit;
        m[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1U << (bit % 8))};
    }
}

TEST(Icmp, TruncatedReportsTheCallersReason) {
    const auto m = icmp4_of(golden::echo4_req);
    for (std::size_t n = 0; n < icmp::header_len; ++n) {
        EXPECT_EQ(CView::checked(m.first(n), Drop::icmp4_truncated).reason(),
                  Drop::icmp4_truncated);
        EXPECT_EQ(CView::checked(m.first(n), Drop::icmp6_truncated).reason(),
                  Drop::icmp6_truncated);
    }
    const auto v = CView::checked(m.first(8), Drop::icmp4_truncated);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->data().empty());
    // scapy's 7-byte "ICMP" message.
    const auto seven = cbytes(golden::bad_icmp4_7_bytes).subspan(34);
    ASSERT_EQ(seven.size(), 7U);
    EXPECT_EQ(CView::checked(seven, Drop::icmp4_truncated).reason(), Drop::icmp4_truncated);
}

TEST(Icmp6, EchoAccessorsAndChecksum) {
    const auto v = CView::checked(icmp6_of(golden::echo6_req), Drop::icmp6_truncated);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->type(), icmpv6::echo_request);
    EXPECT_EQ(v->code(), 0);
    EXPECT_EQ(v->ident(), 0x4242);
    EXPECT_EQ(v->seq(), 9);
    EXPECT_TRUE(data_is_0_to_55(v->data()));
    EXPECT_TRUE(v->checksum_ok_v6(pseudo6_of(golden::echo6_req)));
    // The ICMPv4 rule (no pseudo-header) does not hold for it.
    EXPECT_FALSE(v->checksum_ok_v4());
    // Nor does a pseudo-header with other addresses.
    EXPECT_FALSE(v->checksum_ok_v6(pseudo_sum_v6(pw::test::peer6, pw::test::us6b, 64, 58)));

    const auto bad = CView::checked(icmp6_of(golden::bad_icmp6_checksum), Drop::icmp6_truncated);
    ASSERT_TRUE(bad);
    EXPECT_FALSE(bad->checksum_ok_v6(pseudo6_of(golden::bad_icmp6_checksum)));
    const auto reply = CView::checked(icmp6_of(golden::echo6_reply), Drop::icmp6_truncated);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->type(), icmpv6::echo_reply);
    EXPECT_TRUE(reply->checksum_ok_v6(pseudo6_of(golden::echo6_reply)));
}

TEST(Icmp6, IsError) {
    for (unsigned t = 0; t < 256; ++t)
        EXPECT_EQ(icmpv6::is_error(static_cast<std::uint8_t>(t)), t < 128) << t;
    EXPECT_TRUE(icmpv6::is_error(icmpv6::packet_too_big));
    EXPECT_FALSE(icmpv6::is_error(icmpv6::neighbor_solicitation));
}

TEST(Icmp, SettersAndFillChecksum) {
    auto m = pw::test::copy(std::span(golden::echo4_req).subspan(34));
    const auto v = icmp::View<std::byte>::checked(m, Drop::icmp4_truncated);
    ASSERT_TRUE(v);
    v->set_type(icmpv4::echo_reply);
    v->fill_checksum_v4();
    EXPECT_TRUE(same_bytes(m, icmp4_of(golden::echo4_reply)));
    v->set_code(3);
    v->set_word(0xdeadbeef);
    v->set_checksum(0x1234);
    EXPECT_EQ(v->code(), 3);
    EXPECT_EQ(v->word(), 0xdeadbeefU);
    EXPECT_EQ(v->ident(), 0xdead);
    EXPECT_EQ(v->seq(), 0xbeef);
    EXPECT_EQ(v->checksum(), 0x1234);

    auto m6 = pw::test::copy(std::span(golden::echo6_req).subspan(54));
    const auto v6 = icmp::View<std::byte>::checked(m6, Drop::icmp6_truncated);
    ASSERT_TRUE(v6);
    v6->set_type(icmpv6::echo_reply);
    v6->fill_checksum_v6(pseudo6_of(golden::echo6_reply));
    EXPECT_TRUE(same_bytes(m6, icmp6_of(golden::echo6_reply)));
}

// Parse a message into a Repr, emit it into a 0xA5 buffer, put the data back, fill the
// checksum: scapy's bytes again.
void round_trip(ConstBytes msg, bool v6, std::uint16_t pseudo) {
    const auto v = CView::checked(msg, Drop::icmp4_truncated);
    ASSERT_TRUE(v);
    const icmp::Repr r{v->type(), v->code(), v->word()};
    auto out = pw::test::filled(msg.size() + 8);
    r.emit(out);
    EXPECT_EQ(std::to_integer<int>(out[2]), 0);
    EXPECT_EQ(std::to_integer<int>(out[3]), 0);
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(icmp::Repr::header_len())));
    std::copy(v->data().begin(), v->data().end(), out.begin() + 8);
    const auto o =
        icmp::View<std::byte>::checked(Bytes(out).first(msg.size()), Drop::icmp4_truncated);
    ASSERT_TRUE(o);
    if (v6)
        o->fill_checksum_v6(pseudo);
    else
        o->fill_checksum_v4();
    EXPECT_TRUE(same_bytes(ConstBytes(out).first(msg.size()), msg));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(msg.size())));
}

TEST(Icmp, ParseEmitRoundTrip) {
    for (auto f : {std::span<const std::uint8_t>(golden::echo4_req),
                   std::span<const std::uint8_t>(golden::echo4_reply),
                   std::span<const std::uint8_t>(golden::echo4_big_reply),
                   std::span<const std::uint8_t>(golden::echo4_padded_reply),
                   std::span<const std::uint8_t>(golden::bad_icmp4_unreachable),
                   std::span<const std::uint8_t>(golden::bad_icmp4_timestamp)}) {
        SCOPED_TRACE(f.size());
        round_trip(icmp4_of(f), false, 0);
    }
    for (auto f : {std::span<const std::uint8_t>(golden::echo6_req),
                   std::span<const std::uint8_t>(golden::echo6_reply),
                   std::span<const std::uint8_t>(golden::echo6_big_reply),
                   std::span<const std::uint8_t>(golden::ns_mcast_req),
                   std::span<const std::uint8_t>(golden::ns_mcast_reply),
                   std::span<const std::uint8_t>(golden::ns_dad_reply),
                   std::span<const std::uint8_t>(golden::bad_icmp6_unreachable)}) {
        SCOPED_TRACE(f.size());
        round_trip(icmp6_of(f), true, pseudo6_of(f));
    }
}

}  // namespace
