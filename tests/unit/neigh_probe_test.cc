// Neighbour probes of the control lcore against scapy: ARP requests (RFC 826), broadcast and
// unicast; Neighbor Solicitations (RFC 4861 4.3, 7.2.2) to the solicited-node group and
// unicast, from a global, link-local and the unspecified address (no SLLA option then).
#include "lib/icmp/neigh_probe.hh"

#include <gtest/gtest.h>

#include <vector>

#include "lib/wire/arp.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/ndp.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace golden = pw::golden;
namespace wire = pw::wire;
using pw::test::ip6;
using pw::test::mac;
using pw::test::same_bytes;
using Vec = std::span<const std::uint8_t>;

constexpr std::size_t slack = 32;

void expect_frame(const std::vector<std::byte>& buf, std::size_t len, Vec want) {
    ASSERT_EQ(len, want.size());
    const wire::ConstBytes out(buf);
    EXPECT_TRUE(same_bytes(out.first(len), want));
    EXPECT_TRUE(pw::test::all_fill(out.subspan(len))) << "bytes written past the frame";
}

TEST(ArpRequest, Broadcast) {
    auto buf = pw::test::filled(arp_request_len + slack);
    const std::size_t n =
        emit_arp_request(buf, pw::test::us_mac, pw::test::us4, pw::test::peer4, nullptr);
    expect_frame(buf, n, golden::probe_arp_bcast);
    const auto a = wire::arp::Repr::parse(wire::ConstBytes(buf).subspan(14));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->oper, wire::arp::op_request);
    EXPECT_TRUE(a->tha.is_zero());
}

TEST(ArpRequest, Unicast) {
    auto buf = pw::test::filled(arp_request_len + slack);
    const wire::MacAddr dst = pw::test::peer_mac;
    const std::size_t n =
        emit_arp_request(buf, pw::test::us_mac, pw::test::us4, pw::test::peer4, &dst);
    expect_frame(buf, n, golden::probe_arp_unicast);
}

TEST(ArpRequest, BufferTooSmall) {
    auto buf = pw::test::filled(arp_request_len - 1);
    EXPECT_EQ(emit_arp_request(buf, pw::test::us_mac, pw::test::us4, pw::test::peer4, nullptr), 0U);
    EXPECT_TRUE(pw::test::all_fill(buf));
}

// The solicitation parses back as RFC 4861 7.1.1 asks: hop limit 255, code 0, checksum right,
// the target not multicast, SLLA present unless the source is unspecified.
void expect_valid_ns(const std::vector<std::byte>& buf, std::size_t len,
                     const wire::Ipv6Addr& target, bool slla) {
    const auto ip =
        wire::ipv6::View<const std::byte>::checked(wire::ConstBytes(buf).subspan(14, len - 14));
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->hop_limit(), 255);
    EXPECT_EQ(ip->next_header(), wire::ipv6::nh_icmp6);
    const auto icmp =
        wire::icmp::View<const std::byte>::checked(ip->payload(), wire::Drop::icmp6_truncated);
    ASSERT_TRUE(icmp);
    EXPECT_EQ(icmp->type(), wire::icmpv6::neighbor_solicitation);
    EXPECT_EQ(icmp->code(), 0);
    EXPECT_TRUE(icmp->checksum_ok_v6(
        wire::pseudo_sum_v6(ip->src(), ip->dst(), static_cast<std::uint32_t>(ip->payload().size()),
                            wire::ipv6::nh_icmp6)));
    EXPECT_EQ(wire::load_bytes<wire::Ipv6Addr>(ip->payload(), wire::ndp::target_offset), target);
    const auto opts = wire::ndp::parse_options(ip->payload().subspan(wire::ndp::options_offset));
    ASSERT_TRUE(opts);
    EXPECT_EQ(opts->source_lladdr.has_value(), slla);
    if (slla) {
        EXPECT_EQ(*opts->source_lladdr, pw::test::us_mac);
    }
}

// Address resolution: to the solicited-node group of the target and its 33:33:ff:xx:xx:xx.
TEST(NeighborSolicitation, Multicast) {
    auto buf = pw::test::filled(neighbor_solicitation_len + slack);
    std::size_t n =
        emit_neighbor_solicitation(buf, pw::test::us_mac, pw::test::us6, pw::test::peer6, nullptr);
    EXPECT_EQ(n, neighbor_solicitation_len);
    expect_frame(buf, n, golden::probe_ns_mcast);
    expect_valid_ns(buf, n, pw::test::peer6, true);

    buf = pw::test::filled(neighbor_solicitation_len + slack);
    const auto wide = ip6("2001:2::ab:cdef:1234");
    n = emit_neighbor_solicitation(buf, pw::test::us_mac, pw::test::us6, wide, nullptr);
    expect_frame(buf, n, golden::probe_ns_mcast_wide);
    EXPECT_EQ(wire::load_bytes<wire::MacAddr>(wire::ConstBytes(buf), 0), mac("33:33:ff:ef:12:34"));
}

TEST(NeighborSolicitation, LinkLocal) {
    auto buf = pw::test::filled(neighbor_solicitation_len + slack);
    const std::size_t n = emit_neighbor_solicitation(buf, pw::test::us_mac, pw::test::us_ll,
                                                     pw::test::peer_ll, nullptr);
    expect_frame(buf, n, golden::probe_ns_ll);
    expect_valid_ns(buf, n, pw::test::peer_ll, true);
}

// Unreachability detection (RFC 4861 7.3.1): unicast to the cached link-layer address.
TEST(NeighborSolicitation, Unicast) {
    auto buf = pw::test::filled(neighbor_solicitation_len + slack);
    const wire::MacAddr dst = pw::test::peer_mac;
    const std::size_t n =
        emit_neighbor_solicitation(buf, pw::test::us_mac, pw::test::us6, pw::test::peer6, &dst);
    expect_frame(buf, n, golden::probe_ns_unicast);
    expect_valid_ns(buf, n, pw::test::peer6, true);
}

// Duplicate address detection (RFC 4862 5.4.2): from ::, no SLLA option (RFC 4861 4.3).
TEST(NeighborSolicitation, FromUnspecifiedHasNoSlla) {
    auto buf = pw::test::filled(neighbor_solicitation_len + slack);
    const std::size_t n =
        emit_neighbor_solicitation(buf, pw::test::us_mac, wire::Ipv6Addr{}, pw::test::us6, nullptr);
    EXPECT_EQ(n, neighbor_solicitation_len - wire::ndp::lladdr_opt_len);
    expect_frame(buf, n, golden::probe_ns_dad);
    expect_valid_ns(buf, n, pw::test::us6, false);
}

TEST(NeighborSolicitation, BufferTooSmall) {
    auto buf = pw::test::filled(neighbor_solicitation_len - 1);
    EXPECT_EQ(
        emit_neighbor_solicitation(buf, pw::test::us_mac, pw::test::us6, pw::test::peer6, nullptr),
        0U);
    EXPECT_TRUE(pw::test::all_fill(buf));
    // Without the option it fits.
    EXPECT_EQ(
        emit_neighbor_solicitation(buf, pw::test::us_mac, wire::Ipv6Addr{}, pw::test::us6, nullptr),
        neighbor_solicitation_len - 8);
}

}  // namespace
