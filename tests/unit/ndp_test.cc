// Neighbor Discovery messages and options (RFC 4861 4.3, 4.4, 4.6) against scapy.
#include "lib/wire/ndp.hh"

#include <gtest/gtest.h>

#include "lib/wire/ipv6.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::ip6;
using pw::test::mac;
using pw::test::same_bytes;
namespace golden = pw::golden;

// The ND message (ICMPv6) of an Ethernet frame without extension headers.
ConstBytes nd_of(std::span<const std::uint8_t> f) {
    return cbytes(f).subspan(14 + 40);
}
ConstBytes options_of(ConstBytes nd) {
    return nd.subspan(ndp::options_offset);
}

TEST(Ndp, SolicitationFields) {
    const auto nd = nd_of(golden::ns_mcast_req);
    ASSERT_EQ(nd.size(), ndp::ns_na_len + ndp::lladdr_opt_len);
    const auto v = icmp::View<const std::byte>::checked(nd, Drop::icmp6_truncated);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->type(), icmpv6::neighbor_solicitation);
    EXPECT_EQ(v->word(), 0U);  // reserved
    EXPECT_EQ(load_bytes<Ipv6Addr>(nd, ndp::target_offset), ip6("2001:2::1"));
}

TEST(Ndp, AdvertisementFlags) {
    const auto flags = [](std::span<const std::uint8_t> f) {
        return icmp::View<const std::byte>::checked(nd_of(f), Drop::icmp6_truncated)->word();
    };
    EXPECT_EQ(flags(golden::ns_mcast_reply), ndp::na_flag_solicited | ndp::na_flag_override);
    EXPECT_EQ(flags(golden::ns_mcast_router_reply),
              ndp::na_flag_router | ndp::na_flag_solicited | ndp::na_flag_override);
    EXPECT_EQ(flags(golden::ns_dad_reply), ndp::na_flag_override);
    EXPECT_EQ(load_bytes<Ipv6Addr>(nd_of(golden::ns_ll_reply), ndp::target_offset),
              ip6("fe80::ff:fe00:1"));
}

TEST(Ndp, ParseSourceLinkLayerOption) {
    const auto o = ndp::parse_options(options_of(nd_of(golden::ns_mcast_req)));
    ASSERT_TRUE(o);
    ASSERT_TRUE(o->source_lladdr);
    EXPECT_EQ(*o->source_lladdr, mac("02:00:00:00:00:02"));
    EXPECT_FALSE(o->target_lladdr);
}

TEST(Ndp, ParseTargetLinkLayerOption) {
    const auto o = ndp::parse_options(options_of(cbytes(golden::na_tlla).subspan(40)));
    ASSERT_TRUE(o);
    ASSERT_TRUE(o->target_lladdr);
    EXPECT_EQ(*o->target_lladdr, mac("02:00:00:00:00:02"));
    EXPECT_FALSE(o->source_lladdr);
    const auto r = ndp::parse_options(options_of(nd_of(golden::ns_mcast_reply)));
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->target_lladdr);
    EXPECT_EQ(*r->target_lladdr, mac("02:00:00:00:00:01"));
}

TEST(Ndp, UnknownOptionsAreSkipped) {
    // A nonce (type 14) before the SLLA.
    const auto opts = options_of(nd_of(golden::ns_nonce_req));
    ASSERT_EQ(opts.size(), 16U);
    const auto o = ndp::parse_options(opts);
    ASSERT_TRUE(o);
    ASSERT_TRUE(o->source_lladdr);
    EXPECT_EQ(*o->source_lladdr, mac("02:00:00:00:00:02"));
    // The nonce alone: valid, nothing we use.
    const auto n = ndp::parse_options(opts.first(8));
    ASSERT_TRUE(n);
    EXPECT_FALSE(n->source_lladdr);
    EXPECT_FALSE(n->target_lladdr);
}

TEST(Ndp, NoOptions) {
    const auto o = ndp::parse_options(options_of(nd_of(golden::ns_unicast_req)));
    ASSERT_TRUE(o);
    EXPECT_FALSE(o->source_lladdr);
    EXPECT_FALSE(o->target_lladdr);
}

TEST(Ndp, InvalidOptions) {
    // RFC 4861 4.6: a zero length, or a length past the message, invalidates the message.
    EXPECT_FALSE(ndp::parse_options(options_of(nd_of(golden::bad_ns_option_len0))));
    EXPECT_FALSE(ndp::parse_options(options_of(nd_of(golden::bad_ns_option_past_end))));
    // A valid option followed by a lone byte, or by a type with no length byte.
    const auto slla = options_of(nd_of(golden::ns_mcast_req));
    auto b = pw::test::copy(std::span(golden::ns_mcast_req).subspan(14 + 40 + 24));
    b.push_back(std::byte{1});
    EXPECT_FALSE(ndp::parse_options(ConstBytes(b)));
    // Every cut inside the option.
    for (std::size_t n = 1; n < slla.size(); ++n)
        EXPECT_FALSE(ndp::parse_options(slla.first(n))) << n;
}

TEST(Ndp, LongerLinkLayerOptionIsRead) {
    // A two-unit SLLA (as on links with longer addresses): the first six bytes are the MAC.
    auto b = pw::test::filled(16);
    ndp::emit_lladdr_option(b, ndp::opt_source_lladdr, mac("02:00:00:00:00:07"));
    b[1] = std::byte{2};
    const auto o = ndp::parse_options(ConstBytes(b));
    ASSERT_TRUE(o);
    ASSERT_TRUE(o->source_lladdr);
    EXPECT_EQ(*o->source_lladdr, mac("02:00:00:00:00:07"));
}

TEST(Ndp, EmitLinkLayerOptions) {
    auto s = pw::test::filled(12);
    ndp::emit_lladdr_option(s, ndp::opt_source_lladdr, mac("02:00:00:00:00:02"));
    EXPECT_TRUE(same_bytes(ConstBytes(s).first(8), golden::opt_slla));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(s).subspan(8)));
    auto t = pw::test::filled(12);
    ndp::emit_lladdr_option(t, ndp::opt_target_lladdr, mac("02:00:00:00:00:01"));
    EXPECT_TRUE(same_bytes(ConstBytes(t).first(8), golden::opt_tlla));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(t).subspan(8)));
}

TEST(Ndp, BuildAdvertisementFromValues) {
    // The NA ndp_input builds, from the wire values alone: scapy's NA byte for byte.
    const auto us = ip6("2001:2::1");
    const auto peer = ip6("2001:2::2");
    constexpr std::size_t len = ndp::ns_na_len + ndp::lladdr_opt_len;
    auto out = pw::test::filled(ipv6::header_len + len + 4);
    ipv6::Repr{us, peer, ipv6::nh_icmp6, 255, 0, 0, len}.emit(out);
    const Bytes na = Bytes(out).subspan(ipv6::header_len, len);
    icmp::Repr{icmpv6::neighbor_advertisement, 0, ndp::na_flag_solicited | ndp::na_flag_override}
        .emit(na);
    store_bytes(na, ndp::target_offset, us);
    ndp::emit_lladdr_option(na.subspan(ndp::options_offset), ndp::opt_target_lladdr,
                            mac("02:00:00:00:00:01"));
    icmp::View<std::byte>::checked(na, Drop::icmp6_truncated)
        ->fill_checksum_v6(pseudo_sum_v6(us, peer, len, 58));
    EXPECT_TRUE(same_bytes(ConstBytes(out).first(ipv6::header_len + len),
                           cbytes(golden::ns_mcast_reply).subspan(14)));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(ipv6::header_len + len)));
}

}  // namespace
