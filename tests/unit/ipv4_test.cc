// IPv4 view and value (RFC 791, RFC 1812 5.2.2 checks) against scapy-built packets.
#include "lib/wire/ipv4.hh"

#include <gtest/gtest.h>

#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::wire;
using pw::test::cbytes;
using pw::test::ip4;
using pw::test::same_bytes;
namespace golden = pw::golden;

using CView = ipv4::View<const std::byte>;

ConstBytes l3(std::span<const std::uint8_t> frame) {
    return cbytes(frame).subspan(14);
}

Drop reason_of(ConstBytes b) {
    const auto v = CView::checked(b);
    EXPECT_FALSE(v);
    return v.reason();
}

TEST(Ipv4, Accessors) {
    const auto v = CView::checked(l3(golden::echo4_req));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->header_length(), 20U);
    EXPECT_EQ(v->tos(), 0x10);
    EXPECT_EQ(v->total_length(), 84);
    EXPECT_EQ(v->ident(), 0x1234);
    EXPECT_TRUE(v->dont_fragment());
    EXPECT_FALSE(v->more_fragments());
    EXPECT_EQ(v->frag_offset(), 0U);
    EXPECT_FALSE(v->is_fragment());
    EXPECT_EQ(v->ttl(), 61);
    EXPECT_EQ(v->protocol(), ipv4::proto_icmp);
    EXPECT_EQ(v->checksum(), 0x9f3d);  // scapy's
    EXPECT_TRUE(v->header_checksum_ok());
    EXPECT_EQ(v->src(), ip4("198.18.0.2"));
    EXPECT_EQ(v->dst(), ip4("198.18.0.1"));
    EXPECT_EQ(v->header().size(), 20U);
    EXPECT_TRUE(v->options().empty());
    EXPECT_EQ(v->payload().size(), 64U);
    EXPECT_EQ(v->payload().data(), l3(golden::echo4_req).data() + 20);
    EXPECT_EQ(v->bytes().size(), 84U);
}

TEST(Ipv4, OptionsAccessors) {
    // NOP + Record Route with two slots: 12 option bytes, IHL 8.
    const auto v = CView::checked(l3(golden::echo4_opts_req));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->header_length(), 32U);
    EXPECT_EQ(v->header().size(), 32U);
    ASSERT_EQ(v->options().size(), 12U);
    EXPECT_TRUE(same_bytes(v->options(), l3(golden::echo4_opts_req).subspan(20, 12)));
    EXPECT_EQ(std::to_integer<int>(v->options()[0]), 1);  // NOP
    EXPECT_EQ(std::to_integer<int>(v->options()[1]), 7);  // RR
    EXPECT_EQ(v->payload().size(), 8U + 16U);
    EXPECT_TRUE(v->header_checksum_ok());
    EXPECT_EQ(v->ttl(), 200);

    // 40 option bytes: IHL 15, the largest header.
    const auto m = CView::checked(l3(golden::echo4_max_opts_req));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header_length(), ipv4::max_header_len);
    EXPECT_EQ(m->options().size(), 40U);
    EXPECT_EQ(m->payload().size(), 8U + 33U);
    EXPECT_TRUE(m->header_checksum_ok());
}

TEST(Ipv4, FragmentFields) {
    const auto first = CView::checked(cbytes(golden::ip4_frag_first));
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->more_fragments());
    EXPECT_FALSE(first->dont_fragment());
    EXPECT_EQ(first->frag_offset(), 0U);
    EXPECT_TRUE(first->is_fragment());
    EXPECT_EQ(first->ident(), 0x4321);
    const auto later = CView::checked(cbytes(golden::ip4_frag_later));
    ASSERT_TRUE(later);
    EXPECT_FALSE(later->more_fragments());
    EXPECT_EQ(later->frag_offset(), 185U * 8);
    EXPECT_TRUE(later->is_fragment());
    const auto mf = CView::checked(l3(golden::bad_ip4_fragment_mf));
    ASSERT_TRUE(mf);
    EXPECT_TRUE(mf->is_fragment());
    const auto off = CView::checked(l3(golden::bad_ip4_fragment_offset));
    ASSERT_TRUE(off);
    EXPECT_EQ(off->frag_offset(), 8U);
    EXPECT_TRUE(off->is_fragment());
    // DF alone (and the reserved bit) do not make a fragment.
    const auto evil = CView::checked(l3(golden::echo4_padded_req));
    ASSERT_TRUE(evil);
    EXPECT_TRUE(evil->dont_fragment());
    EXPECT_FALSE(evil->is_fragment());
}

TEST(Ipv4, ViewCutsLinkPadding) {
    const auto b = l3(golden::echo4_padded_req);
    ASSERT_EQ(b.size(), 46U);
    const auto v = CView::checked(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->total_length(), 28);
    EXPECT_EQ(v->bytes().size(), 28U);
    EXPECT_EQ(v->payload().size(), 8U);
}

TEST(Ipv4, TruncatedHeader) {
    const auto b = l3(golden::echo4_req);
    for (std::size_t n = 0; n < ipv4::min_header_len; ++n)
        EXPECT_EQ(reason_of(b.first(n)), Drop::ip4_truncated) << n;
    // A whole header but not the whole datagram: the total length runs past the buffer.
    for (std::size_t n = ipv4::min_header_len; n < b.size(); ++n)
        EXPECT_EQ(reason_of(b.first(n)), Drop::ip4_bad_total_length) << n;
    EXPECT_TRUE(CView::checked(b));
}

TEST(Ipv4, BadVersion) {
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_version)), Drop::ip4_bad_version);
    // An IPv6 header where IPv4 was expected.
    EXPECT_EQ(reason_of(l3(golden::echo6_req)), Drop::ip4_bad_version);
    auto b = pw::test::copy(std::span(golden::echo4_req).subspan(14));
    for (unsigned ver = 0; ver < 16; ++ver) {
        if (ver == 4) continue;
        b[0] = std::byte{static_cast<std::uint8_t>(ver << 4 | 5)};
        EXPECT_EQ(reason_of(b), Drop::ip4_bad_version) << ver;
    }
}

TEST(Ipv4, IhlBelowFive) {
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_ihl4)), Drop::ip4_bad_ihl);
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_ihl0)), Drop::ip4_bad_ihl);
    auto b = pw::test::copy(std::span(golden::echo4_req).subspan(14));
    for (unsigned ihl = 0; ihl < 5; ++ihl) {
        b[0] = std::byte{static_cast<std::uint8_t>(0x40 | ihl)};
        EXPECT_EQ(reason_of(b), Drop::ip4_bad_ihl) << ihl;
    }
}

TEST(Ipv4, IhlPastTheBuffer) {
    // IHL 15 (60 bytes) over a 31-byte datagram.
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_ihl15)), Drop::ip4_bad_ihl);
    // A header with options cut inside the options.
    const auto b = l3(golden::echo4_opts_req);
    for (std::size_t n = 20; n < 32; ++n) EXPECT_EQ(reason_of(b.first(n)), Drop::ip4_bad_ihl) << n;
    for (std::size_t n = 32; n < b.size(); ++n)
        EXPECT_EQ(reason_of(b.first(n)), Drop::ip4_bad_total_length) << n;
    const auto m = l3(golden::echo4_max_opts_req);
    for (std::size_t n = 20; n < 60; ++n) EXPECT_EQ(reason_of(m.first(n)), Drop::ip4_bad_ihl) << n;
}

TEST(Ipv4, TotalLength) {
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_len_long)), Drop::ip4_bad_total_length);
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_len_short)), Drop::ip4_bad_total_length);
    // 22 bytes against a 24-byte header (IHL 6).
    EXPECT_EQ(reason_of(l3(golden::bad_ip4_len_in_options)), Drop::ip4_bad_total_length);
    // Total length equal to the header: valid, empty payload.
    const auto empty = CView::checked(l3(golden::bad_icmp4_empty));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->payload().empty());
    // Every total length below 20 or past the buffer.
    auto b = pw::test::copy(std::span(golden::echo4_req).subspan(14));
    for (unsigned len = 0; len < 20; ++len) {
        store16(b, ipv4::field::total_length, static_cast<std::uint16_t>(len));
        EXPECT_EQ(reason_of(b), Drop::ip4_bad_total_length) << len;
    }
    for (unsigned len = 85; len < 0x10000; len += 97) {
        store16(b, ipv4::field::total_length, static_cast<std::uint16_t>(len));
        EXPECT_EQ(reason_of(b), Drop::ip4_bad_total_length) << len;
    }
    for (unsigned len = 20; len <= 84; ++len) {
        store16(b, ipv4::field::total_length, static_cast<std::uint16_t>(len));
        const auto v = CView::checked(ConstBytes(b));
        ASSERT_TRUE(v) << len;
        EXPECT_EQ(v->bytes().size(), len);
    }
}

TEST(Ipv4, HeaderChecksum) {
    const auto bad = CView::checked(l3(golden::bad_ip4_checksum));
    ASSERT_TRUE(bad);  // checked() leaves the checksum to the caller
    EXPECT_FALSE(bad->header_checksum_ok());
    EXPECT_EQ(bad->checksum(), 0x1234);

    for (auto frame : {std::span<const std::uint8_t>(golden::echo4_req),
                       std::span<const std::uint8_t>(golden::echo4_opts_req),
                       std::span<const std::uint8_t>(golden::echo4_max_opts_req),
                       std::span<const std::uint8_t>(golden::echo4_big_req)}) {
        auto b = pw::test::copy(frame.subspan(14));
        const auto v = ipv4::View<std::byte>::checked(b);
        ASSERT_TRUE(v);
        const std::uint16_t scapy = v->checksum();
        v->set_checksum(0);
        EXPECT_FALSE(v->header_checksum_ok());
        v->fill_checksum();
        EXPECT_EQ(v->checksum(), scapy);
        EXPECT_TRUE(v->header_checksum_ok());
    }
    // Every single-bit error in the header is caught.
    auto b = pw::test::copy(std::span(golden::echo4_opts_req).subspan(14));
    for (std::size_t bit = 0; bit < 32 * 8; ++bit) {
        b[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1U << (bit % 8))};
        const auto v = CView::checked(ConstBytes(b));
        if (v) {
            EXPECT_FALSE(v->header_checksum_ok()) << bit;
        }
        b[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1U << (bit % 8))};
    }
}

TEST(Ipv4, SettersMakeTheReplyHeader) {
    auto b = pw::test::copy(std::span(golden::echo4_req).subspan(14));
    const auto v = ipv4::View<std::byte>::checked(b);
    ASSERT_TRUE(v);
    const auto src = v->src();
    v->set_src(v->dst());
    v->set_dst(src);
    v->set_ttl(64);
    v->fill_checksum();
    EXPECT_TRUE(same_bytes(ConstBytes(b).first(20), cbytes(golden::echo4_reply).subspan(14, 20)));

    v->set_tos(0xb8);
    v->set_ident(0xfeed);
    v->set_flags_frag(ipv4::flag_mf | 3);
    v->set_protocol(ipv4::proto_udp);
    v->set_total_length(60);
    v->set_ihl(6);
    EXPECT_EQ(v->tos(), 0xb8);
    EXPECT_EQ(v->ident(), 0xfeed);
    EXPECT_TRUE(v->more_fragments());
    EXPECT_FALSE(v->dont_fragment());
    EXPECT_EQ(v->frag_offset(), 24U);
    EXPECT_EQ(v->protocol(), ipv4::proto_udp);
    EXPECT_EQ(v->total_length(), 60);
    EXPECT_EQ(v->header_length(), 24U);
    EXPECT_EQ(std::to_integer<int>(b[0]), 0x46);
}

ipv4::Repr repr_of(const CView& v) {
    std::uint16_t ff = static_cast<std::uint16_t>(v.frag_offset() / 8);
    if (v.dont_fragment()) ff |= ipv4::flag_df;
    if (v.more_fragments()) ff |= ipv4::flag_mf;
    return ipv4::Repr{
        v.src(), v.dst(),   v.protocol(), v.ttl(),
        v.tos(), v.ident(), ff,           static_cast<std::uint16_t>(v.payload().size())};
}

TEST(Ipv4, ParseEmitRoundTrip) {
    for (auto frame : {std::span<const std::uint8_t>(golden::echo4_req),
                       std::span<const std::uint8_t>(golden::echo4_reply),
                       std::span<const std::uint8_t>(golden::echo4_big_req),
                       std::span<const std::uint8_t>(golden::bad_ip4_fragment_offset)}) {
        const auto v = CView::checked(cbytes(frame).subspan(14));
        ASSERT_TRUE(v);
        auto out = pw::test::filled(ipv4::Repr::header_len() + 8);
        repr_of(*v).emit(out);
        EXPECT_TRUE(same_bytes(ConstBytes(out).first(20), v->header()));
        EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(20)));
    }
    for (auto frag : {std::span<const std::uint8_t>(golden::ip4_frag_first),
                      std::span<const std::uint8_t>(golden::ip4_frag_later)}) {
        const auto v = CView::checked(cbytes(frag));
        ASSERT_TRUE(v);
        auto out = pw::test::filled(28);
        repr_of(*v).emit(out);
        EXPECT_TRUE(same_bytes(ConstBytes(out).first(20), v->header()));
        EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(20)));
    }
}

TEST(Ipv4, ReprEmitsOptionlessReplyHeader) {
    // The Repr has no options: from the options request it writes the reply header scapy
    // builds without them.
    const auto v = CView::checked(l3(golden::echo4_opts_req));
    ASSERT_TRUE(v);
    auto r = repr_of(*v);
    std::swap(r.src, r.dst);
    r.ttl = 64;
    auto out = pw::test::filled(24);
    r.emit(out);
    EXPECT_TRUE(same_bytes(ConstBytes(out).first(20), l3(golden::echo4_opts_reply).first(20)));
    EXPECT_TRUE(pw::test::all_fill(ConstBytes(out).subspan(20)));
}

}  // namespace
