// Ethernet II and 802.1Q views and values against scapy-built frames.
#include "lib/wire/ethernet.hh"

#include <gtest/gtest.h>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::mac;
using pw::test::same_bytes;
namespace golden = pw::golden;

TEST(Ethernet, UntaggedAccessors) {
    const auto v = eth::View<const std::byte>::checked(cbytes(golden::echo4_req));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->dst(), mac("02:00:00:00:00:01"));
    EXPECT_EQ(v->src(), mac("02:00:00:00:00:02"));
    EXPECT_FALSE(v->has_vlan());
    EXPECT_EQ(v->vlan_id(), 0);
    EXPECT_EQ(v->ethertype(), eth::type_ipv4);
    EXPECT_EQ(v->header_length(), 14U);
    EXPECT_EQ(v->bytes().size(), golden::echo4_req.size());
    EXPECT_EQ(v->payload().size(), golden::echo4_req.size() - 14);
    EXPECT_EQ(v->payload().data(), cbytes(golden::echo4_req).data() + 14);
}

TEST(Ethernet, OtherEtherTypes) {
    const auto arp = eth::View<const std::byte>::checked(cbytes(golden::arp_req));
    ASSERT_TRUE(arp);
    EXPECT_EQ(arp->dst(), MacAddr::broadcast());
    EXPECT_TRUE(arp->dst().is_broadcast());
    EXPECT_EQ(arp->ethertype(), eth::type_arp);
    const auto v6 = eth::View<const std::byte>::checked(cbytes(golden::echo6_req));
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->ethertype(), eth::type_ipv6);
    const auto ns = eth::View<const std::byte>::checked(cbytes(golden::ns_mcast_req));
    ASSERT_TRUE(ns);
    EXPECT_EQ(ns->dst(), mac("33:33:ff:00:00:01"));
    EXPECT_TRUE(ns->dst().is_group());
    const auto unk = eth::View<const std::byte>::checked(cbytes(golden::bad_unknown_ethertype));
    ASSERT_TRUE(unk);
    EXPECT_EQ(unk->ethertype(), 0x88b5);
}

TEST(Ethernet, TaggedAccessors) {
    // Dot1Q(prio=5, vlan=100): the TCI is a064; the VLAN id is its low 12 bits.
    const auto v = eth::View<const std::byte>::checked(cbytes(golden::vlan_echo4_req));
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->has_vlan());
    EXPECT_EQ(v->vlan_id(), 100);
    EXPECT_EQ(v->ethertype(), eth::type_ipv4);
    EXPECT_EQ(v->header_length(), 18U);
    EXPECT_EQ(v->payload().size(), golden::vlan_echo4_req.size() - 18);
    EXPECT_EQ(v->dst(), mac("02:00:00:00:00:01"));
    EXPECT_EQ(v->src(), mac("02:00:00:00:00:02"));
}

TEST(Ethernet, TruncatedAtEveryLength) {
    const auto frame = cbytes(golden::echo4_req);
    for (std::size_t n = 0; n < eth::header_len; ++n) {
        const auto v = eth::View<const std::byte>::checked(frame.first(n));
        ASSERT_FALSE(v) << n;
        EXPECT_EQ(v.reason(), Drop::eth_truncated) << n;
    }
    EXPECT_TRUE(eth::View<const std::byte>::checked(frame.first(14)));
    EXPECT_EQ(eth::View<const std::byte>::checked(frame.first(14))->payload().size(), 0U);

    const auto tagged = cbytes(golden::vlan_echo4_req);
    for (std::size_t n = 0; n < eth::header_len; ++n)
        EXPECT_EQ(eth::View<const std::byte>::checked(tagged.first(n)).reason(),
                  Drop::eth_truncated);
    for (std::size_t n = eth::header_len; n < eth::header_len + eth::vlan_tag_len; ++n) {
        const auto v = eth::View<const std::byte>::checked(tagged.first(n));
        ASSERT_FALSE(v) << n;
        EXPECT_EQ(v.reason(), Drop::vlan_truncated) << n;
    }
    EXPECT_TRUE(eth::View<const std::byte>::checked(tagged.first(18)));
}

TEST(Ethernet, Setters) {
    auto buf = pw::test::copy(golden::echo4_req);
    const auto v = eth::View<std::byte>::checked(buf);
    ASSERT_TRUE(v);
    v->set_dst(mac("02:00:00:00:00:02"));
    v->set_src(mac("02:00:00:00:00:01"));
    // Now the header is the reply's.
    EXPECT_TRUE(same_bytes(ConstBytes(buf).first(14), cbytes(golden::echo4_reply).first(14)));
    EXPECT_TRUE(same_bytes(ConstBytes(buf).subspan(14), cbytes(golden::echo4_req).subspan(14)));
}

TEST(Ethernet, ReprEmitUntagged) {
    const auto v = *eth::View<const std::byte>::checked(cbytes(golden::echo4_req));
    const eth::Repr r{v.dst(), v.src(), v.ethertype(), v.vlan_id(), v.has_vlan()};
    EXPECT_EQ(r.header_len(), 14U);
    auto out = pw::test::filled(64);
    r.emit(out);
    EXPECT_TRUE(same_bytes(ConstBytes(out).first(14), cbytes(golden::echo4_req).first(14)));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(14)));
}

TEST(Ethernet, ReprEmitTagged) {
    const auto v = *eth::View<const std::byte>::checked(cbytes(golden::vlan_echo4_req));
    const eth::Repr r{v.dst(), v.src(), v.ethertype(), v.vlan_id(), v.has_vlan()};
    EXPECT_EQ(r.header_len(), 18U);
    auto out = pw::test::filled(64);
    r.emit(out);
    // The priority bits (5) are not part of the value: only they differ from scapy's TCI.
    auto want = pw::test::copy(golden::vlan_echo4_req);
    want[14] = std::byte{static_cast<std::uint8_t>(std::to_integer<unsigned>(want[14]) & 0x0f)};
    EXPECT_TRUE(same_bytes(ConstBytes(out).first(18), ConstBytes(want).first(18)));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(18)));
    // And the emitted header parses back to the same value.
    const auto back = eth::View<const std::byte>::checked(ConstBytes(out));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->vlan_id(), 100);
    EXPECT_EQ(back->ethertype(), eth::type_ipv4);
}

TEST(Ethernet, ReprEmitMasksVlanId) {
    const eth::Repr r{MacAddr::broadcast(), mac("02:00:00:00:00:01"), eth::type_arp, 0xf123, true};
    auto out = pw::test::filled(18);
    r.emit(out);
    const auto v = eth::View<const std::byte>::checked(ConstBytes(out));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->vlan_id(), 0x123);
    EXPECT_EQ(v->ethertype(), eth::type_arp);
}

}  // namespace
