// ARP (RFC 826) view and value against scapy-built packets.
#include "lib/wire/arp.hh"

#include <gtest/gtest.h>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::ip4;
using pw::test::mac;
using pw::test::same_bytes;
namespace golden = pw::golden;

ConstBytes arp_of(std::span<const std::uint8_t> frame) {
    return cbytes(frame).subspan(14);
}

TEST(Arp, RequestAccessors) {
    const auto v = arp::View<const std::byte>::checked(arp_of(golden::arp_req));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->oper(), arp::op_request);
    EXPECT_EQ(v->sha(), mac("02:00:00:00:00:02"));
    EXPECT_EQ(v->spa(), ip4("198.18.0.2"));
    EXPECT_EQ(v->tha(), MacAddr{});
    EXPECT_EQ(v->tpa(), ip4("198.18.0.1"));
    // The view spans the 28 ARP bytes, not the Ethernet padding after them.
    EXPECT_EQ(v->bytes().size(), arp::packet_len);
    EXPECT_EQ(arp_of(golden::arp_req).size(), 46U);
}

TEST(Arp, ReplyAndProbeAccessors) {
    const auto r = arp::View<const std::byte>::checked(arp_of(golden::arp_reply));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->oper(), arp::op_reply);
    EXPECT_EQ(r->sha(), mac("02:00:00:00:00:01"));
    EXPECT_EQ(r->spa(), ip4("198.18.0.1"));
    EXPECT_EQ(r->tha(), mac("02:00:00:00:00:02"));
    EXPECT_EQ(r->tpa(), ip4("198.18.0.2"));
    const auto p = arp::View<const std::byte>::checked(arp_of(golden::arp_probe_req));
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->spa().is_unspecified());
}

TEST(Arp, TruncatedAtEveryLength) {
    const auto b = arp_of(golden::arp_req);
    for (std::size_t n = 0; n < arp::packet_len; ++n) {
        const auto v = arp::View<const std::byte>::checked(b.first(n));
        ASSERT_FALSE(v) << n;
        EXPECT_EQ(v.reason(), Drop::arp_truncated) << n;
    }
    EXPECT_TRUE(arp::View<const std::byte>::checked(b.first(arp::packet_len)));
}

TEST(Arp, UnsupportedHardwareOrProtocol) {
    for (auto v : {std::span<const std::uint8_t>(golden::arp_hw_ieee802),
                   std::span<const std::uint8_t>(golden::arp_proto_ipv6),
                   std::span<const std::uint8_t>(golden::arp_hwlen8),
                   std::span<const std::uint8_t>(golden::arp_plen16)}) {
        const auto c = arp::View<const std::byte>::checked(cbytes(v));
        ASSERT_FALSE(c);
        EXPECT_EQ(c.reason(), Drop::arp_unsupported);
        EXPECT_EQ(arp::Repr::parse(cbytes(v)).reason(), Drop::arp_unsupported);
    }
}

TEST(Arp, ParseEmitRoundTrip) {
    for (auto frame : {std::span<const std::uint8_t>(golden::arp_req),
                       std::span<const std::uint8_t>(golden::arp_reply),
                       std::span<const std::uint8_t>(golden::arp_probe_req),
                       std::span<const std::uint8_t>(golden::arp_probe_reply)}) {
        const auto r = arp::Repr::parse(arp_of(frame));
        ASSERT_TRUE(r);
        auto out = pw::test::filled(arp::Repr::buffer_len() + 8);
        r->emit(out);
        EXPECT_TRUE(same_bytes(ConstBytes(out).first(arp::packet_len),
                               arp_of(frame).first(arp::packet_len)));
        EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(arp::packet_len)));
    }
    EXPECT_EQ(arp::Repr::parse(arp_of(golden::arp_req).first(27)).reason(), Drop::arp_truncated);
}

TEST(Arp, ReprBuildsScapysReply) {
    const arp::Repr r{arp::op_reply, mac("02:00:00:00:00:01"), ip4("198.18.0.1"),
                      mac("02:00:00:00:00:02"), ip4("198.18.0.2")};
    auto out = pw::test::filled(arp::packet_len);
    r.emit(out);
    EXPECT_TRUE(same_bytes(out, arp_of(golden::arp_reply)));
}

TEST(Arp, SettersTurnRequestIntoReply) {
    auto frame = pw::test::copy(golden::arp_req);
    const auto v = arp::View<std::byte>::checked(Bytes(frame).subspan(14));
    ASSERT_TRUE(v);
    v->set_oper(arp::op_reply);
    v->set_tha(v->sha());
    v->set_tpa(v->spa());
    v->set_sha(mac("02:00:00:00:00:01"));
    v->set_spa(ip4("198.18.0.1"));
    EXPECT_TRUE(same_bytes(ConstBytes(frame).subspan(14, 28), arp_of(golden::arp_reply)));
}

}  // namespace
