// The one ICMP error builder (plan_error_v4/v6, then emit_error) byte for byte against the
// errors scapy builds: Port and Protocol Unreachable, Time Exceeded, Parameter Problem, for
// invoking packets of 64 to 1500 bytes, so that the quote is cut exactly where the error
// reaches 576 bytes (IPv4, RFC 1812 4.3.2.3) or 1280 (IPv6, RFC 4443 2.4(c)); the same bytes
// from an invoking packet split over several segments; nothing written past frame_len().
#include "lib/icmp/icmp_error.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace golden = pw::golden;
namespace wire = pw::wire;
using pw::test::cbytes;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
using pw::test::same_bytes;
using pw::wire::Drop;
using Vec = std::span<const std::uint8_t>;

// The interface make_vectors.py answers from: 02:00:00:00:00:01 with 198.18.0.1/24 and
// 2001:2::1/64 (and its link-local address).
Iface make_iface() {
    Iface i;
    i.mac = pw::test::us_mac;
    EXPECT_TRUE(i.add_v4({pw::test::us4, 24}));
    EXPECT_TRUE(i.add_v6({pw::test::us6, 64}));
    i.add_link_local();
    return i;
}

struct Built {
    ErrorPlan plan;
    std::vector<std::byte> buf;  // frame_len() + slack bytes, pre-filled with 0xA5
    std::size_t len = 0;         // what emit_error returned
};

constexpr std::size_t slack = 64;

// Plans the error about `invoking` (an IP packet that came from the peer's MAC to ours) from
// its first segment, then emits it with the quote read from all segments.
Built build(bool v6, Vec invoking, std::span<const wire::ConstBytes> segments,
            const ErrorSpec& spec, std::uint16_t ident) {
    const Iface iface = make_iface();
    const ErrorConfig cfg{};
    const Invoking in{pw::test::peer_mac, pw::test::us_mac, segments.front(), invoking.size()};
    const ErrorContext ctx{&iface, &cfg, nullptr, 0, ident};
    const ErrorDecision d = v6 ? plan_error_v6(in, spec, ctx) : plan_error_v4(in, spec, ctx);
    EXPECT_EQ(d.outcome, ErrorOutcome::sent) << error_outcome_name(d.outcome);
    Built b;
    b.plan = d.plan;
    b.buf = pw::test::filled(d.plan.frame_len() + slack);
    b.len = emit_error(b.buf, d.plan, segments);
    return b;
}

Built build(bool v6, Vec invoking, const ErrorSpec& spec, std::uint16_t ident) {
    const wire::ConstBytes whole[] = {cbytes(invoking)};
    return build(v6, invoking, whole, spec, ident);
}

// The frame is `want`, nothing past it was touched, and the headers hold what the RFCs ask
// for (checked apart from the golden bytes, so that a wrong vector cannot hide a wrong frame).
void expect_frame(const Built& b, Vec want) {
    ASSERT_EQ(b.plan.frame_len(), want.size());
    ASSERT_EQ(b.len, want.size());
    const wire::ConstBytes out(b.buf);
    EXPECT_TRUE(same_bytes(out.first(b.len), want));
    EXPECT_TRUE(pw::test::all_fill(out.subspan(b.len))) << "bytes written past frame_len()";

    const wire::ConstBytes l3 = out.subspan(wire::eth::header_len, b.len - wire::eth::header_len);
    if (b.plan.v6) {
        EXPECT_LE(l3.size(), max_error_len_v6);
        EXPECT_EQ(wire::load16(out, 12), wire::eth::type_ipv6);
        const auto ip = wire::ipv6::View<const std::byte>::checked(l3);
        ASSERT_TRUE(ip);
        EXPECT_EQ(ip->hop_limit(), 64);
        EXPECT_EQ(ip->traffic_class(), 0);
        EXPECT_EQ(ip->next_header(), wire::ipv6::nh_icmp6);
        const auto ic =
            wire::icmp::View<const std::byte>::checked(ip->payload(), Drop::icmp6_truncated);
        ASSERT_TRUE(ic);
        EXPECT_TRUE(ic->checksum_ok_v6(wire::pseudo_sum_v6(
            ip->src(), ip->dst(), static_cast<std::uint32_t>(ip->payload().size()),
            wire::ipv6::nh_icmp6)));
    } else {
        EXPECT_LE(l3.size(), max_error_len_v4);
        EXPECT_EQ(wire::load16(out, 12), wire::eth::type_ipv4);
        const auto ip = wire::ipv4::View<const std::byte>::checked(l3);
        ASSERT_TRUE(ip);
        EXPECT_TRUE(ip->header_checksum_ok());
        EXPECT_EQ(ip->ttl(), 64);
        EXPECT_EQ(ip->tos(), 0xc0);
        EXPECT_FALSE(ip->dont_fragment());
        EXPECT_FALSE(ip->is_fragment());
        EXPECT_EQ(ip->ident(), b.plan.ident);
        const auto ic =
            wire::icmp::View<const std::byte>::checked(ip->payload(), Drop::icmp4_truncated);
        ASSERT_TRUE(ic);
        EXPECT_TRUE(ic->checksum_ok_v4());
    }
}

// --- The quote, cut at 576 / 1280 bytes ------------------------------------------------------

struct SizeCase {
    Vec invoking;
    Vec want;
};

const SizeCase port_unreach_v4[] = {
    {golden::err_inv4_64, golden::err4_port_unreach_64},
    {golden::err_inv4_548, golden::err4_port_unreach_548},
    {golden::err_inv4_576, golden::err4_port_unreach_576},
    {golden::err_inv4_1232, golden::err4_port_unreach_1232},
    {golden::err_inv4_1280, golden::err4_port_unreach_1280},
    {golden::err_inv4_1500, golden::err4_port_unreach_1500},
};

const SizeCase port_unreach_v6[] = {
    {golden::err_inv6_64, golden::err6_port_unreach_64},
    {golden::err_inv6_548, golden::err6_port_unreach_548},
    {golden::err_inv6_576, golden::err6_port_unreach_576},
    {golden::err_inv6_1232, golden::err6_port_unreach_1232},
    {golden::err_inv6_1280, golden::err6_port_unreach_1280},
    {golden::err_inv6_1500, golden::err6_port_unreach_1500},
};

TEST(IcmpErrorV4, PortUnreachableForEverySize) {
    for (const auto& c : port_unreach_v4) {
        SCOPED_TRACE(testing::Message() << "invoking packet of " << c.invoking.size() << " bytes");
        const Built b = build(false, c.invoking, {wire::icmpv4::dest_unreachable, 3, 0}, 0x0303);
        // 548 = 576 - 20 (IPv4) - 8 (ICMP): a 548-byte packet is quoted whole, a longer one cut.
        EXPECT_EQ(b.plan.quote_len, std::min<std::size_t>(c.invoking.size(), 548));
        expect_frame(b, c.want);
    }
}

TEST(IcmpErrorV4, TheErrorIsAtMost576BytesAndReachesItExactly) {
    // From 548 bytes of invoking packet on, the error is exactly 576 bytes of IP.
    for (const auto& c : port_unreach_v4) {
        const std::size_t l3 = c.want.size() - wire::eth::header_len;
        if (c.invoking.size() >= 548)
            EXPECT_EQ(l3, 576U);
        else
            EXPECT_EQ(l3, 28 + c.invoking.size());
    }
}

TEST(IcmpErrorV4, ProtocolUnreachable) {
    expect_frame(build(false, golden::err_inv4_proto_64, {3, 2, 0}, 0x0302),
                 golden::err4_proto_unreach_64);
    expect_frame(build(false, golden::err_inv4_proto_1500, {3, 2, 0}, 0x0302),
                 golden::err4_proto_unreach_1500);
}

TEST(IcmpErrorV4, TimeExceededInTransitAndInReassembly) {
    expect_frame(build(false, golden::err_inv4_64, {11, 0, 0}, 0x0b00),
                 golden::err4_time_exceeded_64);
    expect_frame(build(false, golden::err_inv4_576, {11, 0, 0}, 0x0b00),
                 golden::err4_time_exceeded_576);
    expect_frame(build(false, golden::err_inv4_1500, {11, 0, 0}, 0x0b00),
                 golden::err4_time_exceeded_1500);
    expect_frame(build(false, golden::err_inv4_64, {11, 1, 0}, 0x0b01),
                 golden::err4_reasm_time_exceeded_64);
    expect_frame(build(false, golden::err_inv4_576, {11, 1, 0}, 0x0b01),
                 golden::err4_reasm_time_exceeded_576);
    expect_frame(build(false, golden::err_inv4_1500, {11, 1, 0}, 0x0b01),
                 golden::err4_reasm_time_exceeded_1500);
}

TEST(IcmpErrorV4, IdentificationIsThePlannedOne) {
    // The same error with another identification differs in the ID and the header checksum.
    const Built a = build(false, golden::err_inv4_64, {3, 3, 0}, 0x0303);
    const Built b = build(false, golden::err_inv4_64, {3, 3, 0}, 0xfffe);
    EXPECT_EQ(b.plan.ident, 0xfffe);
    EXPECT_EQ(wire::load16(wire::ConstBytes(b.buf), 14 + 4), 0xfffe);
    expect_frame(a, golden::err4_port_unreach_64);
    const auto ip =
        wire::ipv4::View<const std::byte>::checked(wire::ConstBytes(b.buf).subspan(14, b.len - 14));
    ASSERT_TRUE(ip);
    EXPECT_TRUE(ip->header_checksum_ok());
}

TEST(IcmpErrorV6, PortUnreachableForEverySize) {
    for (const auto& c : port_unreach_v6) {
        SCOPED_TRACE(testing::Message() << "invoking packet of " << c.invoking.size() << " bytes");
        const Built b = build(true, c.invoking, {wire::icmpv6::dest_unreachable, 4, 0}, 0);
        // 1232 = 1280 - 40 (IPv6) - 8 (ICMPv6).
        EXPECT_EQ(b.plan.quote_len, std::min<std::size_t>(c.invoking.size(), 1232));
        expect_frame(b, c.want);
    }
}

TEST(IcmpErrorV6, TheErrorIsAtMost1280BytesAndReachesItExactly) {
    for (const auto& c : port_unreach_v6) {
        const std::size_t l3 = c.want.size() - wire::eth::header_len;
        if (c.invoking.size() >= 1232)
            EXPECT_EQ(l3, 1280U);
        else
            EXPECT_EQ(l3, 48 + c.invoking.size());
    }
}

TEST(IcmpErrorV6, ParameterProblemWithPointer) {
    const std::pair<Vec, Vec> code0[] = {{golden::err_inv6_64, golden::err6_param_problem0_64},
                                         {golden::err_inv6_1280, golden::err6_param_problem0_1280},
                                         {golden::err_inv6_1500, golden::err6_param_problem0_1500}};
    for (const auto& [inv, want] : code0) expect_frame(build(true, inv, {4, 0, 41}, 0), want);
    const std::pair<Vec, Vec> code1[] = {{golden::err_inv6_64, golden::err6_param_problem1_64},
                                         {golden::err_inv6_1280, golden::err6_param_problem1_1280},
                                         {golden::err_inv6_1500, golden::err6_param_problem1_1500}};
    for (const auto& [inv, want] : code1) expect_frame(build(true, inv, {4, 1, 6}, 0), want);
}

TEST(IcmpErrorV6, FragmentReassemblyTimeExceeded) {
    expect_frame(build(true, golden::err_inv6_64, {3, 1, 0}, 0),
                 golden::err6_reasm_time_exceeded_64);
    expect_frame(build(true, golden::err_inv6_1280, {3, 1, 0}, 0),
                 golden::err6_reasm_time_exceeded_1280);
    expect_frame(build(true, golden::err_inv6_1500, {3, 1, 0}, 0),
                 golden::err6_reasm_time_exceeded_1500);
}

// --- Chained invoking packets ------------------------------------------------------------

// The packet cut at the given offsets: cuts.size() + 1 segments (empty ones allowed).
std::vector<wire::ConstBytes> split(Vec packet, std::initializer_list<std::size_t> cuts) {
    std::vector<wire::ConstBytes> segs;
    std::size_t at = 0;
    for (const std::size_t c : cuts) {
        segs.push_back(cbytes(packet).subspan(at, c - at));
        at = c;
    }
    segs.push_back(cbytes(packet).subspan(at));
    return segs;
}

TEST(IcmpErrorChained, V4SameBytesOverTwoAndThreeSegments) {
    // The first segment holds the IP header (what plan_error reads); the quote runs across
    // every boundary, also right before, at and after the 548-byte cut.
    const std::initializer_list<std::size_t> cut_sets[] = {
        {21},      {41},      {333},      {547},    {549},      {1001},
        {21, 299}, {77, 547}, {547, 548}, {41, 41}, {99, 1499},
    };
    for (const auto& cuts : cut_sets) {
        const auto segs = split(golden::err_inv4_1500, cuts);
        SCOPED_TRACE(testing::Message()
                     << segs.size() << " segments, first " << segs.front().size());
        expect_frame(build(false, golden::err_inv4_1500, segs, {3, 3, 0}, 0x0303),
                     golden::err4_port_unreach_1500);
        expect_frame(build(false, golden::err_inv4_1500, segs, {11, 1, 0}, 0x0b01),
                     golden::err4_reasm_time_exceeded_1500);
    }
    for (const auto& cuts : {std::initializer_list<std::size_t>{21}, {33, 63}, {21, 27}}) {
        const auto segs = split(golden::err_inv4_64, cuts);
        expect_frame(build(false, golden::err_inv4_64, segs, {3, 3, 0}, 0x0303),
                     golden::err4_port_unreach_64);
    }
    const auto segs = split(golden::err_inv4_576, {23, 547});
    expect_frame(build(false, golden::err_inv4_576, segs, {3, 3, 0}, 0x0303),
                 golden::err4_port_unreach_576);
}

TEST(IcmpErrorChained, V6SameBytesOverTwoAndThreeSegments) {
    const std::initializer_list<std::size_t> cut_sets[] = {
        {41},       {49},       {777},        {1231},   {1233},
        {41, 1231}, {333, 777}, {1231, 1232}, {45, 45}, {101, 1499},
    };
    for (const auto& cuts : cut_sets) {
        const auto segs = split(golden::err_inv6_1500, cuts);
        SCOPED_TRACE(testing::Message()
                     << segs.size() << " segments, first " << segs.front().size());
        expect_frame(build(true, golden::err_inv6_1500, segs, {1, 4, 0}, 0),
                     golden::err6_port_unreach_1500);
        expect_frame(build(true, golden::err_inv6_1500, segs, {4, 0, 41}, 0),
                     golden::err6_param_problem0_1500);
    }
    const auto segs = split(golden::err_inv6_1280, {41, 639});
    expect_frame(build(true, golden::err_inv6_1280, segs, {3, 1, 0}, 0),
                 golden::err6_reasm_time_exceeded_1280);
    const auto small = split(golden::err_inv6_64, {43, 47});
    expect_frame(build(true, golden::err_inv6_64, small, {1, 4, 0}, 0),
                 golden::err6_port_unreach_64);
}

TEST(IcmpErrorChained, CopyFromSegments) {
    const Vec p = golden::err_inv4_1500;
    const auto segs = split(p, {7, 7, 300, 301, 1001});
    for (const std::size_t offset : {0UL, 6UL, 7UL, 299UL, 300UL, 301UL, 1000UL, 1001UL, 1499UL}) {
        for (const std::size_t n : {0UL, 1UL, 2UL, 299UL, 700UL}) {
            SCOPED_TRACE(testing::Message() << "offset " << offset << ", " << n << " bytes");
            auto out = pw::test::filled(n + 8);
            const std::size_t want = std::min(n, p.size() - offset);
            EXPECT_EQ(copy_from_segments(segs, offset, wire::Bytes(out).first(n)), want);
            EXPECT_TRUE(
                same_bytes(wire::ConstBytes(out).first(want), cbytes(p).subspan(offset, want)));
            EXPECT_TRUE(pw::test::all_fill(wire::ConstBytes(out).subspan(want)));
        }
    }
    // Past the end: nothing.
    auto out = pw::test::filled(4);
    EXPECT_EQ(copy_from_segments(segs, p.size(), out), 0U);
    EXPECT_EQ(copy_from_segments(segs, p.size() + 9, out), 0U);
    EXPECT_TRUE(pw::test::all_fill(out));
    EXPECT_EQ(copy_from_segments({}, 0, out), 0U);
}

TEST(IcmpErrorChained, SegmentsShorterThanPlannedAreNeverSentAsGarbage) {
    // The plan says 548 bytes of quote but the segments end after 100: the rest is zeros, and
    // the checksum covers what is sent.
    const Vec inv = golden::err_inv4_1500;
    const wire::ConstBytes segs[] = {cbytes(inv).first(60), cbytes(inv).subspan(60, 40)};
    const Built b = build(false, inv, segs, {3, 3, 0}, 0x0303);
    ASSERT_EQ(b.len, golden::err4_port_unreach_1500.size());
    const wire::ConstBytes out(b.buf);
    EXPECT_TRUE(same_bytes(out.subspan(42, 100), cbytes(inv).first(100)));
    EXPECT_TRUE(std::all_of(out.begin() + 142, out.begin() + static_cast<std::ptrdiff_t>(b.len),
                            [](std::byte x) { return x == std::byte{0}; }));
    EXPECT_TRUE(pw::test::all_fill(out.subspan(b.len)));
    const auto ic = wire::icmp::View<const std::byte>::checked(out.subspan(34, b.len - 34),
                                                               Drop::icmp4_truncated);
    ASSERT_TRUE(ic);
    EXPECT_TRUE(ic->checksum_ok_v4());
}

// --- The plan itself ---------------------------------------------------------------------------

TEST(IcmpErrorPlan, AddressesAndFreshHeaderFields) {
    const Iface iface = make_iface();
    const ErrorConfig cfg{};
    const Invoking in4{pw::test::peer_mac, pw::test::us_mac, cbytes(golden::err_inv4_1500), 1500};
    const auto d4 = plan_error_v4(in4, {3, 3, 0}, {&iface, &cfg, nullptr, 0, 0x1234});
    ASSERT_EQ(d4.outcome, ErrorOutcome::sent);
    EXPECT_FALSE(d4.plan.v6);
    EXPECT_EQ(d4.plan.eth_dst, pw::test::peer_mac);
    EXPECT_EQ(d4.plan.eth_src, pw::test::us_mac);
    EXPECT_EQ(d4.plan.src4, pw::test::us4);
    EXPECT_EQ(d4.plan.dst4, pw::test::peer4);
    EXPECT_EQ(d4.plan.ttl, 64);
    EXPECT_EQ(d4.plan.tos, 0xc0);
    EXPECT_EQ(d4.plan.ident, 0x1234);
    EXPECT_EQ(d4.plan.quote_len, 548U);
    EXPECT_EQ(d4.plan.frame_len(), 14U + 576U);

    const Invoking in6{pw::test::peer_mac, pw::test::us_mac, cbytes(golden::err_inv6_1500), 1500};
    const auto d6 = plan_error_v6(in6, {1, 4, 0}, {&iface, &cfg, nullptr, 0, 0});
    ASSERT_EQ(d6.outcome, ErrorOutcome::sent);
    EXPECT_TRUE(d6.plan.v6);
    EXPECT_EQ(d6.plan.src6, pw::test::us6);
    EXPECT_EQ(d6.plan.dst6, pw::test::peer6);
    EXPECT_EQ(d6.plan.ttl, 64);
    EXPECT_EQ(d6.plan.quote_len, 1232U);
    EXPECT_EQ(d6.plan.frame_len(), 14U + 1280U);
}

TEST(IcmpErrorPlan, ConfiguredTtlAndTos) {
    const Iface iface = make_iface();
    ErrorConfig cfg{};
    cfg.ttl = 255;
    cfg.tos = 0;
    const Invoking in{pw::test::peer_mac, pw::test::us_mac, cbytes(golden::err_inv4_64), 64};
    const auto d = plan_error_v4(in, {3, 3, 0}, {&iface, &cfg, nullptr, 0, 7});
    ASSERT_EQ(d.outcome, ErrorOutcome::sent);
    auto buf = pw::test::filled(d.plan.frame_len());
    const wire::ConstBytes whole[] = {cbytes(golden::err_inv4_64)};
    ASSERT_EQ(emit_error(buf, d.plan, whole), golden::err4_port_unreach_64.size());
    const auto ip = wire::ipv4::View<const std::byte>::checked(wire::ConstBytes(buf).subspan(14));
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->ttl(), 255);
    EXPECT_EQ(ip->tos(), 0);
    EXPECT_TRUE(ip->header_checksum_ok());
    // Everything from the ICMP header on is as scapy's (the ident differs: 7 vs 0x0303, only
    // in the IP header).
    EXPECT_TRUE(same_bytes(wire::ConstBytes(buf).subspan(34),
                           cbytes(golden::err4_port_unreach_64).subspan(34)));
}

}  // namespace
