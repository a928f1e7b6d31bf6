// UDP (RFC 768) view and value against scapy-built datagrams.
#include "lib/wire/udp.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "lib/wire/checksum.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::same_bytes;
namespace golden = pw::golden;

using CView = udp::View<const std::byte>;

// Any reason will do for the view; the callers pick it.
constexpr Drop trunc = Drop::ip4_truncated;

bool payload_is(ConstBytes p, std::string_view s) {
    return p.size() == s.size() &&
           std::equal(p.begin(), p.end(), s.begin(),
                      [](std::byte b, char c) { return b == std::byte(c); });
}

TEST(Udp, Accessors) {
    const auto v = CView::checked(cbytes(golden::udp4).subspan(20), trunc);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->src_port(), 40000);
    EXPECT_EQ(v->dst_port(), 7);
    EXPECT_EQ(v->length(), 22);
    EXPECT_EQ(v->bytes().size(), 22U);
    EXPECT_TRUE(payload_is(v->payload(), "hello pingwire"));
    const auto u6 = CView::checked(cbytes(golden::udp6_odd).subspan(40), trunc);
    ASSERT_TRUE(u6);
    EXPECT_EQ(u6->src_port(), 546);
    EXPECT_EQ(u6->dst_port(), 547);
    EXPECT_EQ(u6->length(), 19);
    EXPECT_TRUE(payload_is(u6->payload(), "odd length!"));
    const auto empty = CView::checked(cbytes(golden::udp4_zero_payload).subspan(20), trunc);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->payload().empty());
}

TEST(Udp, ChecksumsVerify) {
    const auto b = cbytes(golden::udp4);
    const auto v = CView::checked(b.subspan(20), trunc);
    ASSERT_TRUE(v);
    const auto ps =
        pseudo_sum_v4(load_bytes<Ipv4Addr>(b, 12), load_bytes<Ipv4Addr>(b, 16), 17, v->length());
    EXPECT_EQ(ones_sum(v->bytes(), ps), 0xffff);
    EXPECT_NE(v->checksum(), 0);
}

TEST(Udp, CheckedFailures) {
    const auto d = cbytes(golden::udp4).subspan(20);
    for (std::size_t n = 0; n < udp::header_len; ++n) {
        EXPECT_EQ(CView::checked(d.first(n), Drop::icmp4_truncated).reason(), Drop::icmp4_truncated)
            << n;
    }
    // Length field past the buffer: every cut of the datagram.
    for (std::size_t n = udp::header_len; n < d.size(); ++n)
        EXPECT_EQ(CView::checked(d.first(n), trunc).reason(), trunc) << n;
    // Length field below the header.
    auto b = pw::test::copy(std::span(golden::udp4).subspan(20));
    for (unsigned len = 0; len < 8; ++len) {
        store16(b, udp::field::length, static_cast<std::uint16_t>(len));
        EXPECT_EQ(CView::checked(ConstBytes(b), trunc).reason(), trunc) << len;
    }
    // A shorter length: the view spans exactly that much.
    store16(b, udp::field::length, 10);
    const auto v = CView::checked(ConstBytes(b), trunc);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->bytes().size(), 10U);
    EXPECT_EQ(v->payload().size(), 2U);
}

TEST(Udp, ParseEmitRoundTrip) {
    struct Case {
        std::span<const std::uint8_t> packet;
        bool v6;
    };
    for (const Case c : {Case{golden::udp4, false}, Case{golden::udp4_odd, false},
                         Case{golden::udp4_zero_payload, false}, Case{golden::udp6, true},
                         Case{golden::udp6_odd, true}}) {
        const auto b = cbytes(c.packet);
        const std::size_t l3 = c.v6 ? 40 : 20;
        const auto v = CView::checked(b.subspan(l3), trunc);
        ASSERT_TRUE(v);
        const udp::Repr r{v->src_port(), v->dst_port(),
                          static_cast<std::uint16_t>(v->payload().size())};
        auto out = pw::test::filled(v->bytes().size() + 8);
        r.emit(out);
        EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(udp::Repr::header_len())));
        std::copy(v->payload().begin(), v->payload().end(), out.begin() + 8);
        const auto len = static_cast<std::uint16_t>(v->bytes().size());
        const std::uint16_t ps =
            c.v6 ? pseudo_sum_v6(load_bytes<Ipv6Addr>(b, 8), load_bytes<Ipv6Addr>(b, 24), len, 17)
                 : pseudo_sum_v4(load_bytes<Ipv4Addr>(b, 12), load_bytes<Ipv4Addr>(b, 16), 17, len);
        std::uint16_t cs = checksum(ConstBytes(out).first(len), ps);
        if (cs == 0) cs = 0xffff;  // RFC 768
        store16(out, udp::field::checksum, cs);
        EXPECT_TRUE(same_bytes(ConstBytes(out).first(len), v->bytes()));
        EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(len)));
    }
}

}  // namespace
