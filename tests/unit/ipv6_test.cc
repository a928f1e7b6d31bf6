// IPv6 fixed header view and value (RFC 8200 3) and the extension-header walk (RFC 8200 4),
// against scapy-built packets.
#include "lib/wire/ipv6.hh"

#include <gtest/gtest.h>

#include <vector>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::ip6;
using pw::test::same_bytes;
namespace golden = pw::golden;

using CView = ipv6::View<const std::byte>;

ConstBytes l3(std::span<const std::uint8_t> frame) {
    return cbytes(frame).subspan(14);
}

Drop reason_of(ConstBytes b) {
    const auto v = CView::checked(b);
    EXPECT_FALSE(v);
    return v.reason();
}

TEST(Ipv6, Accessors) {
    const auto v = CView::checked(l3(golden::echo6_req));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->traffic_class(), 0x20);
    EXPECT_EQ(v->flow_label(), 0x12345U);
    EXPECT_EQ(v->payload_length(), 64);
    EXPECT_EQ(v->next_header(), ipv6::nh_icmp6);
    EXPECT_EQ(v->hop_limit(), 61);
    EXPECT_EQ(v->src(), ip6("2001:2::2"));
    EXPECT_EQ(v->dst(), ip6("2001:2::1"));
    EXPECT_EQ(v->payload().size(), 64U);
    EXPECT_EQ(v->payload().data(), l3(golden::echo6_req).data() + 40);
    EXPECT_EQ(v->bytes().size(), 104U);

    const auto ns = CView::checked(l3(golden::ns_dad_req));
    ASSERT_TRUE(ns);
    EXPECT_TRUE(ns->src().is_unspecified());
    EXPECT_EQ(ns->dst(), ip6("ff02::1:ff00:1"));
    EXPECT_EQ(ns->hop_limit(), 255);
    EXPECT_EQ(ns->traffic_class(), 0);
    EXPECT_EQ(ns->flow_label(), 0U);
}

TEST(Ipv6, ViewCutsLinkPadding) {
    const auto b = l3(golden::echo6_padded_req);
    ASSERT_EQ(b.size(), 58U);
    const auto v = CView::checked(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->bytes().size(), 48U);
    EXPECT_EQ(v->payload().size(), 8U);
}

TEST(Ipv6, Truncated) {
    const auto b = l3(golden::echo6_req);
    for (std::size_t n = 0; n < ipv6::header_len; ++n)
        EXPECT_EQ(reason_of(b.first(n)), Drop::ip6_truncated) << n;
    for (std::size_t n = ipv6::header_len; n < b.size(); ++n)
        EXPECT_EQ(reason_of(b.first(n)), Drop::ip6_bad_payload_length) << n;
    EXPECT_TRUE(CView::checked(b));
}

TEST(Ipv6, BadVersion) {
    EXPECT_EQ(reason_of(l3(golden::bad_ip6_version)), Drop::ip6_bad_version);
    EXPECT_EQ(reason_of(l3(golden::echo4_big_req)), Drop::ip6_bad_version);
    auto b = pw::test::copy(std::span(golden::echo6_req).subspan(14));
    for (unsigned ver = 0; ver < 16; ++ver) {
        if (ver == 6) continue;
        b[0] = std::byte{static_cast<std::uint8_t>(ver << 4 | 2)};
        EXPECT_EQ(reason_of(b), Drop::ip6_bad_version) << ver;
    }
}

TEST(Ipv6, PayloadLengthPastTheFrame) {
    EXPECT_EQ(reason_of(l3(golden::bad_ip6_plen_long)), Drop::ip6_bad_payload_length);
    auto b = pw::test::copy(std::span(golden::echo6_req).subspan(14));
    for (unsigned len = 65; len < 0x10000; len += 113) {
        store16(b, ipv6::field::payload_length, static_cast<std::uint16_t>(len));
        EXPECT_EQ(reason_of(b), Drop::ip6_bad_payload_length) << len;
    }
    for (unsigned len = 0; len <= 64; ++len) {
        store16(b, ipv6::field::payload_length, static_cast<std::uint16_t>(len));
        const auto v = CView::checked(ConstBytes(b));
        ASSERT_TRUE(v) << len;
        EXPECT_EQ(v->bytes().size(), 40U + len);
    }
}

TEST(Ipv6, Setters) {
    auto b = pw::test::copy(std::span(golden::echo6_req).subspan(14));
    const auto v = ipv6::View<std::byte>::checked(b);
    ASSERT_TRUE(v);
    const auto src = v->src();
    v->set_src(v->dst());
    v->set_dst(src);
    v->set_hop_limit(64);
    // The header is now the reply's (scapy's reply keeps tc and fl).
    EXPECT_TRUE(same_bytes(ConstBytes(b).first(40), l3(golden::echo6_reply).first(40)));
    v->set_payload_length(8);
    v->set_next_header(ipv6::nh_none);
    EXPECT_EQ(v->payload_length(), 8);
    EXPECT_EQ(v->next_header(), ipv6::nh_none);
    EXPECT_EQ(v->traffic_class(), 0x20);
    EXPECT_EQ(v->flow_label(), 0x12345U);
}

ipv6::Repr repr_of(const CView& v) {
    return ipv6::Repr{v.src(),           v.dst(),        v.next_header(),   v.hop_limit(),
                      v.traffic_class(), v.flow_label(), v.payload_length()};
}

TEST(Ipv6, ParseEmitRoundTrip) {
    for (auto frame : {std::span<const std::uint8_t>(golden::echo6_req),
                       std::span<const std::uint8_t>(golden::echo6_reply),
                       std::span<const std::uint8_t>(golden::echo6_hbh_req),
                       std::span<const std::uint8_t>(golden::ns_dad_req),
                       std::span<const std::uint8_t>(golden::ns_dad_reply),
                       std::span<const std::uint8_t>(golden::echo6_allnodes_ll_req)}) {
        const auto v = CView::checked(l3(frame));
        ASSERT_TRUE(v);
        auto out = pw::test::filled(ipv6::Repr::header_len() + 8);
        repr_of(*v).emit(out);
        EXPECT_TRUE(same_bytes(ConstBytes(out).first(40), l3(frame).first(40)));
        EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(40)));
    }
}

TEST(Ipv6, ReprMasksFlowLabel) {
    ipv6::Repr r{ip6("2001:2::1"), ip6("2001:2::2"), ipv6::nh_icmp6, 64, 0xff, 0xfff12345, 0};
    auto out = pw::test::filled(40);
    r.emit(out);
    const auto v = CView::checked(ConstBytes(out));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->traffic_class(), 0xff);
    EXPECT_EQ(v->flow_label(), 0x12345U);
}

// --- Extension headers -------------------------------------------------------------------

ipv6::UpperLayer upper_of(ConstBytes packet) {
    const auto w = ipv6::walk_extensions(packet);
    EXPECT_TRUE(w.upper.has_value());
    return w.upper.value_or(ipv6::UpperLayer{});
}

TEST(Ipv6Ext, NoExtensionHeaders) {
    const auto u = upper_of(l3(golden::echo6_req));
    EXPECT_EQ(u.protocol, ipv6::nh_icmp6);
    EXPECT_EQ(u.offset, 40U);
    EXPECT_EQ(u.nh_field, 6U);
    EXPECT_FALSE(u.fragment);
    const auto none = upper_of(cbytes(golden::ip6_no_next_header));
    EXPECT_EQ(none.protocol, ipv6::nh_none);
    EXPECT_EQ(none.offset, 40U);
}

TEST(Ipv6Ext, HopByHop) {
    const auto u = upper_of(l3(golden::echo6_hbh_req));
    EXPECT_EQ(u.protocol, ipv6::nh_icmp6);
    EXPECT_EQ(u.offset, 56U);  // 16-byte Hop-by-Hop header
    EXPECT_EQ(u.nh_field, 40U);
    EXPECT_FALSE(u.fragment);
}

TEST(Ipv6Ext, DestinationOptions) {
    const auto u = upper_of(cbytes(golden::ip6_dest_opts_udp));
    EXPECT_EQ(u.protocol, ipv6::nh_udp);
    EXPECT_EQ(u.offset, 48U);
    EXPECT_EQ(u.nh_field, 40U);
}

TEST(Ipv6Ext, Routing) {
    // Type 0 with two addresses: 8 + 32 bytes.
    const auto u = upper_of(cbytes(golden::ip6_routing));
    EXPECT_EQ(u.protocol, ipv6::nh_icmp6);
    EXPECT_EQ(u.offset, 80U);
    EXPECT_EQ(u.nh_field, 40U);
}

TEST(Ipv6Ext, Fragment) {
    const auto first = upper_of(cbytes(golden::ip6_frag_first));
    EXPECT_EQ(first.protocol, ipv6::nh_icmp6);
    EXPECT_EQ(first.offset, 48U);
    EXPECT_EQ(first.nh_field, 40U);
    EXPECT_TRUE(first.fragment);
    EXPECT_EQ(first.frag_offset, 0U);
    EXPECT_TRUE(first.more_fragments);
    EXPECT_EQ(first.frag_ident, 0x01020304U);
    const auto later = upper_of(cbytes(golden::ip6_frag_later));
    EXPECT_TRUE(later.fragment);
    EXPECT_EQ(later.frag_offset, 185U * 8);
    EXPECT_FALSE(later.more_fragments);
    EXPECT_EQ(later.frag_ident, 0x01020304U);
}

TEST(Ipv6Ext, EveryHeaderInOrder) {
    // HBH (8) at 40, DestOpt (16) at 48, Routing (24) at 64, Fragment (8) at 88, DestOpt (8)
    // at 96, ICMPv6 at 104.
    const auto u = upper_of(l3(golden::echo6_all_ext_req));
    EXPECT_EQ(u.protocol, ipv6::nh_icmp6);
    EXPECT_EQ(u.offset, 104U);
    EXPECT_EQ(u.nh_field, 96U);
    EXPECT_TRUE(u.fragment);
    EXPECT_EQ(u.frag_offset, 0U);
    EXPECT_FALSE(u.more_fragments);
    EXPECT_EQ(u.frag_ident, 0xabcdef01U);
}

void expect_error(ConstBytes packet, std::uint32_t pointer, std::uint8_t code) {
    const auto w = ipv6::walk_extensions(packet);
    ASSERT_FALSE(w.upper.has_value());
    EXPECT_EQ(w.error.reason, Drop::ip6_bad_ext_header);
    EXPECT_EQ(w.error.pointer, pointer);
    EXPECT_EQ(w.error.code, code);
}

TEST(Ipv6Ext, TruncatedHeaderPointsAtTheNextHeaderFieldThatNamedIt) {
    // 4 bytes of Hop-by-Hop: named by the fixed header's Next Header (offset 6).
    expect_error(cbytes(golden::ip6_hbh_truncated), 6, 0);
    // A Fragment header cut to 4 bytes after a whole Hop-by-Hop: named at offset 40.
    expect_error(cbytes(golden::ip6_second_ext_truncated), 40, 0);
}

TEST(Ipv6Ext, HdrExtLenPastThePacketPointsAtTheLength) {
    // Destination Options claiming 40 bytes in a 16-byte payload: the length field, at 41.
    expect_error(cbytes(golden::ip6_dest_opts_len_past), 41, 0);
}

TEST(Ipv6Ext, HopByHopNotFirst) {
    // RFC 8200 4.3: unrecognised Next Header (code 1), pointing at the field naming it.
    expect_error(cbytes(golden::ip6_hbh_not_first), 40, 1);
}

TEST(Ipv6Ext, CutAtEveryLength) {
    const auto p = l3(golden::echo6_all_ext_req);
    for (std::size_t n = 40; n < p.size(); ++n) {
        SCOPED_TRACE(n);
        const auto b = p.first(n);
        if (n < 48)
            expect_error(b, 6, 0);  // HBH does not fit
        else if (n < 56)
            expect_error(b, 40, 0);  // DestOpt's first 8 bytes do not fit
        else if (n < 64)
            expect_error(b, 49, 0);  // DestOpt's Hdr Ext Len runs past
        else if (n < 72)
            expect_error(b, 48, 0);  // Routing does not fit
        else if (n < 88)
            expect_error(b, 65, 0);  // Routing's Hdr Ext Len runs past
        else if (n < 96)
            expect_error(b, 64, 0);  // Fragment does not fit
        else if (n < 104)
            expect_error(b, 88, 0);  // the last DestOpt does not fit
        else
            EXPECT_EQ(upper_of(b).offset, 104U);  // the walk does not look past it
    }
}

// Found by wire_fuzz: an option whose type is the header's last byte has no length byte;
// the Parameter Problem pointer must stay inside the packet (at the type).
TEST(Ipv6Ext, OptionCutAfterItsTypePointsAtTheType) {
    std::vector<std::byte> p(48, std::byte{0});
    p[0] = std::byte{0x60};
    p[5] = std::byte{8};    // payload length
    p[6] = std::byte{60};   // Destination Options
    p[40] = std::byte{59};  // then No Next Header
    p[41] = std::byte{0};   // 8 bytes
    p[42] = std::byte{1};   // PadN, 3 bytes of data: 43..46
    p[43] = std::byte{3};
    p[47] = std::byte{0x05};  // a type with no room for its length
    const auto w = pw::wire::ipv6::walk_extensions(pw::wire::ConstBytes{p});
    ASSERT_FALSE(w.upper.has_value());
    EXPECT_EQ(w.error.reason, pw::wire::Drop::ip6_bad_ext_header);
    EXPECT_EQ(w.error.code, 0);
    EXPECT_EQ(w.error.pointer, 47U);
}

}  // namespace
