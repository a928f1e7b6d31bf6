// RFC 4884 multipart ICMP errors carrying an RFC 5837 Interface Information Object, through
// the one error builder: the extension structure against hand-written bytes and scapy's
// contrib.icmp_extensions; Time Exceeded and Destination Unreachable with the original
// datagram field zero padded to 128 bytes and to a 32-bit (ICMPv4) or 64-bit (ICMPv6) word,
// or cut so that the whole message fits in 576 / 1280 bytes; the length attribute; the types
// that get no extension; nothing written past frame_len().
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "lib/icmp/icmp_error.hh"
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
using pw::test::same_bytes;
using Vec = std::span<const std::uint8_t>;

constexpr std::uint16_t ident = 0x4884;  // make_vectors.py's RID
constexpr std::size_t slack = 64;

// The router's ingress interface of make_vectors.py: 02:00:00:00:00:01 with 198.18.0.1/24,
// 2001:2::1/64 and fe80::ff:fe00:1.
Iface make_iface() {
    Iface i;
    i.mac = pw::test::us_mac;
    EXPECT_TRUE(i.add_v4({pw::test::us4, 24}));
    EXPECT_TRUE(i.add_v6({pw::test::us6, 64}));
    i.add_link_local();
    return i;
}

InterfaceInfo with_name(InterfaceInfo info, std::string_view name) {
    info.name = {};
    std::memcpy(info.name.data(), name.data(), std::min(name.size(), info.name.size()));
    return info;
}

// make_vectors.py's EXT_V4, EXT_V6, EXT_LONG4, EXT_LONG6, EXT_OUT, EXT_MTU.
InterfaceInfo ext_v4() {
    InterfaceInfo i;
    i.role = IfRole::incoming;
    i.has_ifindex = true;
    i.ifindex = 1;
    i.has_addr = true;
    i.a4 = pw::test::us4;
    i.has_mtu = true;
    i.mtu = 1500;
    return with_name(i, "port0");
}
InterfaceInfo ext_v6() {
    InterfaceInfo i = ext_v4();
    i.addr_v6 = true;
    i.a6 = pw::test::us6;
    return i;
}
constexpr std::string_view name63 =
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk";
InterfaceInfo ext_long4() {
    InterfaceInfo i = ext_v4();
    i.ifindex = 3;
    i.mtu = 9000;
    return with_name(i, name63);
}
InterfaceInfo ext_long6() {
    InterfaceInfo i = ext_long4();
    i.role = IfRole::sub_ip_incoming;
    i.addr_v6 = true;
    i.a6 = pw::test::us_ll;
    return i;
}
InterfaceInfo ext_out() {
    InterfaceInfo i;
    i.role = IfRole::outgoing;
    i.has_ifindex = true;
    i.ifindex = 7;
    i.has_mtu = true;
    i.mtu = 1400;
    return with_name(i, "eth");
}
InterfaceInfo ext_mtu() {
    InterfaceInfo i;
    i.role = IfRole::outgoing;
    i.has_mtu = true;
    i.mtu = 1400;
    return i;
}

std::vector<std::byte> emit_ext(const InterfaceInfo& info) {
    auto buf = pw::test::filled(info.extension_len() + slack);
    EXPECT_EQ(emit_extension(buf, info), info.extension_len());
    EXPECT_TRUE(pw::test::all_fill(wire::ConstBytes(buf).subspan(info.extension_len())));
    buf.resize(info.extension_len());
    return buf;
}

// --- The extension structure -----------------------------------------------------------------

// RFC 4884 7 and 8, RFC 5837 4.1-4.4, written out by hand. The checksum is the complement of
// the one's-complement sum of the 16-bit words with the checksum field zero: 0x2000 + 0x001c
// + 0x020f + 0x0001 + 0x0001 + 0xc612 + 0x0001 + 0x0870 + 0x6f72 + 0x7430 + 0x05dc = 0x1da2e,
// folded 0xda2f, complemented 0x25d0 (tcpdump 4.99 prints this structure "checksum 0x25d0
// (correct)", "Interface Identification Object (2), Class-Type: 15, length 28").
constexpr std::uint8_t hand_v4[] = {
    0x20, 0x00,               // RFC 4884 7: version 2 (high 4 bits), 12 reserved bits zero
    0x25, 0xd0,               //             checksum over the whole extension structure
    0x00, 0x1c,               // RFC 4884 8: object length 28 (header and payload)
    0x02,                     //             Class-Num 2, Interface Information (RFC 5837 4)
    0x0f,                     //             C-Type (RFC 5837 4.1): role 00 incoming (bits 0-1),
                              //             Rsvd1 Rsvd2 00, ifIndex 1, IPAddr 1, name 1, MTU 1
    0x00, 0x00, 0x00, 0x01,   // ifIndex 1 (RFC 5837 4.1: ifIndex first)
    0x00, 0x01,               // IP Address Sub-Object (RFC 5837 4.2): AFI 1, IPv4
    0x00, 0x00,               //   reserved
    0xc6, 0x12, 0x00, 0x01,   //   198.18.0.1
    0x08,                     // Interface Name Sub-Object (RFC 5837 4.3): length 8, itself
                              //   included, a multiple of 4
    'p', 'o', 'r', 't', '0',  //   "port0"
    0x00, 0x00,               //   NUL padding to the length
    0x00, 0x00, 0x05, 0xdc,   // MTU 1500, 32 bits, the last field (RFC 5837 4.1)
};

TEST(IcmpExtension, HandCheckedStructureV4) {
    const InterfaceInfo info = ext_v4();
    EXPECT_EQ(info.name_len(), 5U);
    EXPECT_EQ(info.object_len(), 28U);
    EXPECT_EQ(info.extension_len(), sizeof hand_v4);
    const auto got = emit_ext(info);
    EXPECT_TRUE(same_bytes(got, hand_v4));
    EXPECT_TRUE(same_bytes(got, golden::ext_structure_v4));
    EXPECT_EQ(wire::ones_sum(got), 0xffff);  // RFC 4884 7: the checksum covers it all
}

// The same interface with its IPv6 address: AFI 2 and 16 address bytes.
constexpr std::uint8_t hand_v6[] = {
    0x20, 0x00, 0xcb, 0xd2,  // version 2, checksum
    0x00, 0x28, 0x02, 0x0f,  // object length 40, class 2, C-Type 0x0f
    0x00, 0x00, 0x00, 0x01,  // ifIndex 1
    0x00, 0x02, 0x00, 0x00,  // AFI 2 (IPv6), reserved
    0x20, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // 2001:2::1
    0x08, 'p',  'o',  'r',  't',  '0',  0x00, 0x00,  // name sub-object, 8 bytes
    0x00, 0x00, 0x05, 0xdc,                          // MTU 1500
};

TEST(IcmpExtension, HandCheckedStructureV6) {
    const InterfaceInfo info = ext_v6();
    EXPECT_EQ(info.object_len(), 40U);
    const auto got = emit_ext(info);
    EXPECT_TRUE(same_bytes(got, hand_v6));
    EXPECT_TRUE(same_bytes(got, golden::ext_structure_v6));
}

// RFC 5837 4.3: a 63-byte name makes the largest sub-object, 64 bytes (length octet 0x40, no
// padding); a longer name is cut to 63 bytes.
TEST(IcmpExtension, LongNameCutTo63Bytes) {
    const InterfaceInfo info = ext_long6();
    EXPECT_EQ(info.name_len(), 63U);
    EXPECT_EQ(info.extension_len(), golden::ext_structure_long6.size());
    const auto got = emit_ext(info);
    EXPECT_TRUE(same_bytes(got, golden::ext_structure_long6));
    EXPECT_EQ(std::to_integer<unsigned>(got[7]), 0x4fU);   // role 01 (sub-IP), all four bits
    EXPECT_EQ(std::to_integer<unsigned>(got[32]), 0x40U);  // name sub-object length 64

    InterfaceInfo longer = info;
    std::fill(longer.name.begin(), longer.name.end(), 'z');  // 64 bytes, no NUL
    std::memcpy(longer.name.data(), name63.data(), name63.size());
    EXPECT_EQ(longer.name_len(), 63U);
    EXPECT_TRUE(same_bytes(emit_ext(longer), golden::ext_structure_long6));
}

// RFC 5837 4.1: the C-Type is role << 6 | ifIndex 0x08 | IPAddr 0x04 | name 0x02 | MTU 0x01,
// the two reserved bits zero; the object holds exactly the sub-objects its bits announce.
TEST(IcmpExtension, CTypeBitsAndLengths) {
    for (unsigned role = 0; role < 4; ++role) {
        for (unsigned bits = 0; bits < 16; ++bits) {
            for (const bool v6 : {false, true}) {
                InterfaceInfo i;
                i.role = static_cast<IfRole>(role);
                i.has_ifindex = (bits & 8) != 0;
                i.ifindex = 0x01020304;
                i.has_addr = (bits & 4) != 0;
                i.addr_v6 = v6;
                i.a4 = pw::test::us4;
                i.a6 = pw::test::us6;
                if ((bits & 2) != 0) i = with_name(i, "ab");
                i.has_mtu = (bits & 1) != 0;
                i.mtu = 0x0a0b0c0d;
                const auto got = emit_ext(i);
                const std::size_t want_obj = 4 + ((bits & 8) ? 4 : 0) +
                                             ((bits & 4) ? (v6 ? 20 : 8) : 0) +
                                             ((bits & 2) ? 4 : 0) + ((bits & 1) ? 4 : 0);
                ASSERT_EQ(got.size(), 4 + want_obj);
                const wire::ConstBytes b(got);
                EXPECT_EQ(wire::load8(b, 0), 0x20);
                EXPECT_EQ(wire::load8(b, 1), 0x00);
                EXPECT_EQ(wire::load16(b, 4), want_obj);
                EXPECT_EQ(wire::load8(b, 6), 2);
                EXPECT_EQ(wire::load8(b, 7), (role << 6) | bits) << role << " " << bits;
                EXPECT_EQ(wire::ones_sum(b), 0xffff);
                if (bits & 1) {
                    EXPECT_EQ(wire::load32(b, got.size() - 4), 0x0a0b0c0dU);
                }
                if (bits & 8) {
                    EXPECT_EQ(wire::load32(b, 8), 0x01020304U);
                }
            }
        }
    }
}

// --- Errors with the extension ---------------------------------------------------------------

struct Built {
    ErrorPlan plan;
    std::vector<std::byte> buf;
    std::size_t len = 0;
};

Built build(bool v6, Vec invoking, std::span<const wire::ConstBytes> segments,
            const ErrorSpec& spec, const InterfaceInfo* ext, bool original_128 = false) {
    const Iface iface = make_iface();
    ErrorConfig cfg{ErrorSource::ingress, {}, {}, 64, 0xc0};  // a router's
    cfg.rfc4884_original_128 = original_128;
    const Invoking in{pw::test::peer_mac, pw::test::us_mac, segments.front(), invoking.size()};
    ErrorContext ctx;
    ctx.iface = &iface;
    ctx.config = &cfg;
    ctx.ident = ident;
    ctx.ext = ext;
    const ErrorDecision d = v6 ? plan_error_v6(in, spec, ctx) : plan_error_v4(in, spec, ctx);
    EXPECT_EQ(d.outcome, ErrorOutcome::sent) << error_outcome_name(d.outcome);
    Built b;
    b.plan = d.plan;
    b.buf = pw::test::filled(d.plan.frame_len() + slack);
    b.len = emit_error(b.buf, d.plan, segments);
    return b;
}

Built build(bool v6, Vec invoking, const ErrorSpec& spec, const InterfaceInfo* ext,
            bool original_128 = false) {
    const wire::ConstBytes whole[] = {cbytes(invoking)};
    return build(v6, invoking, whole, spec, ext, original_128);
}

// The ICMP message of a built frame.
wire::ConstBytes message(const Built& b) {
    const std::size_t ip = b.plan.v6 ? wire::ipv6::header_len : wire::ipv4::min_header_len;
    return wire::ConstBytes(b.buf).subspan(wire::eth::header_len + ip,
                                           b.len - wire::eth::header_len - ip);
}

// Byte for byte, nothing past the frame, checksums right, and the RFC 4884 layout read back
// field by field: the length attribute counts `orig` bytes, the quote is followed by zeros up
// to it, then the extension structure (whose own checksum holds) ends the message.
void expect_multipart(const Built& b, Vec want, Vec invoking, std::size_t orig,
                      const InterfaceInfo& info) {
    ASSERT_EQ(b.len, want.size());
    ASSERT_EQ(b.plan.frame_len(), want.size());
    const wire::ConstBytes out(b.buf);
    EXPECT_TRUE(same_bytes(out.first(b.len), want));
    EXPECT_TRUE(pw::test::all_fill(out.subspan(b.len))) << "bytes written past frame_len()";

    const wire::ConstBytes msg = message(b);
    EXPECT_TRUE(b.plan.rfc4884);
    EXPECT_EQ(b.plan.quote_len + b.plan.pad_len, orig);
    EXPECT_EQ(b.plan.ext_len, info.extension_len());
    EXPECT_EQ(msg.size(), wire::icmp::header_len + orig + info.extension_len());
    if (b.plan.v6) {
        EXPECT_LE(msg.size() + wire::ipv6::header_len, max_error_len_v6);
        EXPECT_EQ(orig % 8, 0U);
        EXPECT_EQ(wire::load8(msg, 4), orig / 8);  // RFC 4884 4.2: fifth byte, 64-bit words
        EXPECT_EQ(wire::load8(msg, 5), 0);
        EXPECT_EQ(wire::load16(msg, 6), 0);
        const auto ip = *wire::ipv6::View<const std::byte>::checked(
            out.subspan(wire::eth::header_len, b.len - 14));
        EXPECT_EQ(wire::ones_sum(msg, wire::pseudo_sum_v6(ip.src(), ip.dst(),
                                                          static_cast<std::uint32_t>(msg.size()),
                                                          wire::ipv6::nh_icmp6)),
                  0xffff);
    } else {
        EXPECT_LE(msg.size() + wire::ipv4::min_header_len, max_error_len_v4);
        EXPECT_EQ(orig % 4, 0U);
        EXPECT_EQ(wire::load8(msg, 5), orig / 4);  // RFC 4884 4.1: sixth byte, 32-bit words
        EXPECT_EQ(wire::ones_sum(msg), 0xffff);
        const auto ip = *wire::ipv4::View<const std::byte>::checked(
            out.subspan(wire::eth::header_len, b.len - 14));
        EXPECT_TRUE(ip.header_checksum_ok());
        EXPECT_EQ(ip.total_length(), b.len - wire::eth::header_len);
    }
    EXPECT_GE(orig, 128U);  // RFC 4884 5: at least 128 bytes
    const std::size_t quote = std::min(invoking.size(), orig);
    EXPECT_EQ(b.plan.quote_len, quote);
    EXPECT_TRUE(same_bytes(msg.subspan(8, quote), cbytes(invoking.first(quote))));
    const auto pad = msg.subspan(8 + quote, orig - quote);
    EXPECT_TRUE(std::all_of(pad.begin(), pad.end(), [](std::byte x) { return x == std::byte{0}; }));
    const auto ext = msg.subspan(8 + orig);
    EXPECT_TRUE(same_bytes(ext, emit_ext(info)));
    EXPECT_EQ(wire::ones_sum(ext), 0xffff);
}

// IPv4 Time Exceeded: a 64-byte datagram padded to 128 (length 32), 201 bytes padded to the
// next 32-bit word, 204 (length 51), 1500 bytes cut at 576 - 20 - 8 - 32 = 516 (length 129).
TEST(IcmpExtension, TimeExceededV4PaddingAndLength) {
    const InterfaceInfo info = ext_v4();
    struct Case {
        Vec invoking, want;
        std::size_t orig;
    };
    for (const Case& c : {Case{golden::rt_inv4_64, golden::ext4_ttl_exceeded_64, 128},
                          Case{golden::rt_inv4_201, golden::ext4_ttl_exceeded_201, 204},
                          Case{golden::rt_inv4_1500, golden::ext4_ttl_exceeded_1500, 516}}) {
        SCOPED_TRACE(c.invoking.size());
        expect_multipart(build(false, c.invoking, spec_v4::ttl_exceeded, &info), c.want, c.invoking,
                         c.orig, info);
    }
}

// IPv6 Time Exceeded: 64 bytes padded to 128 (length 16), 201 to 208 (length 26), 1500 cut at
// 1280 - 40 - 8 - 44 = 1188, rounded down to 64 bits: 1184 (length 148).
TEST(IcmpExtension, TimeExceededV6PaddingAndLength) {
    const InterfaceInfo info = ext_v6();
    struct Case {
        Vec invoking, want;
        std::size_t orig;
    };
    for (const Case& c : {Case{golden::rt_inv6_64, golden::ext6_hop_limit_exceeded_64, 128},
                          Case{golden::rt_inv6_201, golden::ext6_hop_limit_exceeded_201, 208},
                          Case{golden::rt_inv6_1500, golden::ext6_hop_limit_exceeded_1500, 1184}}) {
        SCOPED_TRACE(c.invoking.size());
        expect_multipart(build(true, c.invoking, spec_v6::hop_limit_exceeded, &info), c.want,
                         c.invoking, c.orig, info);
    }
}

// Fragmentation Needed keeps the next-hop MTU in the low 16 bits of the second word beside
// the length attribute in its sixth byte (RFC 1191 4, RFC 4884 4.1).
TEST(IcmpExtension, FragNeededKeepsTheMtu) {
    const InterfaceInfo info = ext_v4();
    const Built b = build(false, golden::rt_inv4_1500, spec_v4::frag_needed(1400), &info);
    expect_multipart(b, golden::ext4_frag_needed_1500, golden::rt_inv4_1500, 516, info);
    const auto msg = message(b);
    EXPECT_EQ(wire::load8(msg, 4), 0);
    EXPECT_EQ(wire::load8(msg, 5), 129);
    EXPECT_EQ(wire::load16(msg, 6), 1400);
}

// The largest objects leave less room for the quote: 576 - 28 - 88 = 460 (length 115), and
// 1280 - 48 - 100 = 1132, rounded down to 1128 (length 141).
TEST(IcmpExtension, LongNameShortensTheQuote) {
    const InterfaceInfo i4 = ext_long4();
    const InterfaceInfo i6 = ext_long6();
    EXPECT_EQ(i4.extension_len(), 88U);
    EXPECT_EQ(i6.extension_len(), 100U);
    expect_multipart(build(false, golden::rt_inv4_1500, spec_v4::net_unreachable, &i4),
                     golden::ext4_net_unreach_long_name_1500, golden::rt_inv4_1500, 460, i4);
    expect_multipart(build(true, golden::rt_inv6_1500, spec_v6::no_route, &i6),
                     golden::ext6_no_route_long_name_1500, golden::rt_inv6_1500, 1128, i6);
}

// ErrorConfig::rfc4884_original_128: the original datagram field is exactly 128 bytes, cut or
// zero padded (Linux's layout; traceroute -e and tcpdump look for the extension there).
TEST(IcmpExtension, OriginalFixedAt128) {
    const InterfaceInfo i4 = ext_v4();
    const InterfaceInfo i6 = ext_v6();
    expect_multipart(build(false, golden::rt_inv4_201, spec_v4::ttl_exceeded, &i4, true),
                     golden::ext4_ttl_exceeded_201_orig128, golden::rt_inv4_201, 128, i4);
    expect_multipart(build(true, golden::rt_inv6_1500, spec_v6::hop_limit_exceeded, &i6, true),
                     golden::ext6_hop_limit_exceeded_1500_orig128, golden::rt_inv6_1500, 128, i6);
    // A short one is padded as in the default mode.
    expect_multipart(build(false, golden::rt_inv4_64, spec_v4::ttl_exceeded, &i4, true),
                     golden::ext4_ttl_exceeded_64, golden::rt_inv4_64, 128, i4);
}

// Other roles and fewer sub-objects: the outgoing interface by ifIndex, name and MTU; its MTU
// alone.
TEST(IcmpExtension, OutgoingInterfaceObjects) {
    const InterfaceInfo out = ext_out();
    const InterfaceInfo mtu = ext_mtu();
    EXPECT_EQ(out.extension_len(), 20U);
    EXPECT_EQ(mtu.extension_len(), 12U);
    expect_multipart(build(false, golden::rt_inv4_201, spec_v4::host_unreachable, &out),
                     golden::ext4_host_unreach_outgoing_201, golden::rt_inv4_201, 204, out);
    expect_multipart(build(true, golden::rt_inv6_201, spec_v6::address_unreachable, &mtu),
                     golden::ext6_addr_unreach_mtu_only_201, golden::rt_inv6_201, 208, mtu);
}

// The quote comes from a chained packet all the same, the padding after it.
TEST(IcmpExtension, QuoteFromSegments) {
    const InterfaceInfo info = ext_v6();
    const auto inv = cbytes(golden::rt_inv6_1500);
    const wire::ConstBytes segs[] = {inv.first(60), inv.subspan(60, 3), inv.subspan(63, 1000),
                                     inv.subspan(1063)};
    expect_multipart(build(true, golden::rt_inv6_1500, segs, spec_v6::hop_limit_exceeded, &info),
                     golden::ext6_hop_limit_exceeded_1500, golden::rt_inv6_1500, 1184, info);
    const auto small = cbytes(golden::rt_inv4_201);
    const wire::ConstBytes segs4[] = {small.first(20), small.subspan(20)};
    const InterfaceInfo i4 = ext_v4();
    expect_multipart(build(false, golden::rt_inv4_201, segs4, spec_v4::ttl_exceeded, &i4),
                     golden::ext4_ttl_exceeded_201, golden::rt_inv4_201, 204, i4);
}

// RFC 4884 and RFC 5837 apply to Destination Unreachable and Time Exceeded only: Packet Too
// Big, Parameter Problem and Redirect are built as without an extension, byte for byte.
TEST(IcmpExtension, OtherTypesGetNone) {
    const InterfaceInfo i4 = ext_v4();
    const InterfaceInfo i6 = ext_v6();
    const Built ptb = build(true, golden::rt_inv6_1500, spec_v6::packet_too_big(1400), &i6);
    EXPECT_FALSE(ptb.plan.rfc4884);
    EXPECT_EQ(ptb.plan.ext, nullptr);
    EXPECT_TRUE(
        same_bytes(wire::ConstBytes(ptb.buf).first(ptb.len), golden::rt6_packet_too_big_1500));
    for (const ErrorSpec& s : {ErrorSpec{4, 0, 41}, ErrorSpec{4, 1, 6}, ErrorSpec{4, 2, 40}}) {
        const Built b = build(true, golden::rt_inv6_64, s, &i6);
        EXPECT_FALSE(b.plan.rfc4884);
        EXPECT_EQ(b.plan.frame_len(), 14U + 40 + 8 + 64);
    }
    for (const ErrorSpec& s :
         {ErrorSpec{12, 0, 20U << 24}, ErrorSpec{5, 1, 0}, ErrorSpec{4, 0, 0}}) {
        const Built b = build(false, golden::rt_inv4_64, s, &i4);
        EXPECT_FALSE(b.plan.rfc4884);
        EXPECT_EQ(b.plan.frame_len(), 14U + 20 + 8 + 64);
        EXPECT_EQ(wire::load8(message(b), 5), 0);
    }
}

// Without an extension nothing changes: the same spec with and without ctx.ext.
TEST(IcmpExtension, AbsentMeansPlain) {
    const Built b = build(false, golden::rt_inv4_64, spec_v4::ttl_exceeded, nullptr);
    EXPECT_FALSE(b.plan.rfc4884);
    EXPECT_EQ(b.plan.pad_len, 0);
    EXPECT_EQ(b.plan.ext_len, 0);
    EXPECT_TRUE(same_bytes(wire::ConstBytes(b.buf).first(b.len), golden::rt4_ttl_exceeded_64));
    const Built b6 = build(true, golden::rt_inv6_1500, spec_v6::hop_limit_exceeded, nullptr);
    EXPECT_TRUE(
        same_bytes(wire::ConstBytes(b6.buf).first(b6.len), golden::rt6_hop_limit_exceeded_1500));
}

// The smallest invoking packet an IPv4 error can quote (a bare header) is padded to 128
// too; the padding never reads past the packet.
TEST(IcmpExtension, BareHeaderPadded) {
    const InterfaceInfo info = ext_mtu();
    const auto inv = cbytes(golden::rt_inv4_64).first(20);
    const wire::ConstBytes one[] = {inv};
    const Iface iface = make_iface();
    const ErrorConfig cfg{ErrorSource::ingress, {}, {}, 64, 0xc0};
    ErrorContext ctx;
    ctx.iface = &iface;
    ctx.config = &cfg;
    ctx.ext = &info;
    const Invoking in{pw::test::peer_mac, pw::test::us_mac, inv, inv.size()};
    const ErrorDecision d = plan_error_v4(in, spec_v4::ttl_exceeded, ctx);
    ASSERT_EQ(d.outcome, ErrorOutcome::sent);
    EXPECT_EQ(d.plan.quote_len, 20U);
    EXPECT_EQ(d.plan.pad_len, 108U);
    auto buf = pw::test::filled(d.plan.frame_len() + slack);
    ASSERT_EQ(emit_error(buf, d.plan, one), 14U + 20 + 8 + 128 + 12);
    const auto msg = wire::ConstBytes(buf).subspan(34, 8 + 128 + 12);
    EXPECT_EQ(wire::load8(msg, 5), 32);
    EXPECT_TRUE(same_bytes(msg.subspan(8, 20), inv));
    EXPECT_TRUE(std::all_of(msg.begin() + 28, msg.begin() + 136,
                            [](std::byte x) { return x == std::byte{0}; }));
    EXPECT_TRUE(same_bytes(msg.subspan(136), emit_ext(info)));
    EXPECT_EQ(wire::ones_sum(msg), 0xffff);
    EXPECT_TRUE(pw::test::all_fill(wire::ConstBytes(buf).subspan(14 + 20 + 8 + 128 + 12)));
}

}  // namespace
