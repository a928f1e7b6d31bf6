// Router-side ICMP through the one error builder, byte for byte against scapy: Net / Host
// Unreachable, Administratively Prohibited, Time Exceeded, Fragmentation Needed with the
// next-hop MTU (RFC 1191 4); No Route, Administratively Prohibited, Beyond Scope, Address
// Unreachable, Hop Limit Exceeded, Packet Too Big with the MTU (RFC 4443 3), also about a
// multicast destination; Redirects (RFC 792 / RFC 1812 5.2.7.2; RFC 4861 4.5, 8.2) with
// their conditions, suppression, rate limits and quote lengths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "lib/icmp/icmp_error.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/ndp.hh"
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
using Vec = std::span<const std::uint8_t>;

constexpr std::uint16_t ident = 0x4884;  // make_vectors.py's RID
constexpr std::size_t slack = 64;

// The ingress (and, for Redirects, egress) interface: 198.18.0.1/24 and 198.18.1.1/24,
// 2001:2::1/64 and its link-local address.
Iface make_iface(bool link_local = true) {
    Iface i;
    i.mac = pw::test::us_mac;
    EXPECT_TRUE(i.add_v4({pw::test::us4, 24}));
    EXPECT_TRUE(i.add_v4({ip4("198.18.1.1"), 24}));
    EXPECT_TRUE(i.add_v6({pw::test::us6, 64}));
    if (link_local) i.add_link_local();
    return i;
}

struct Router {
    Iface iface = make_iface();
    ErrorConfig cfg{ErrorSource::ingress, {}, {}, 64, 0xc0};  // RouterPolicy's default
    RateLimiter* limiter = nullptr;
    std::uint64_t now_ns = 1'000'000'000;
    wire::MacAddr l2_dst = pw::test::us_mac;

    ErrorContext ctx() const {
        ErrorContext c;
        c.iface = &iface;
        c.config = &cfg;
        c.limiter = limiter;
        c.now_ns = now_ns;
        c.ident = ident;
        return c;
    }
    Invoking in(wire::ConstBytes l3) const { return {pw::test::peer_mac, l2_dst, l3, l3.size()}; }
    ErrorDecision v4(Vec pkt, const ErrorSpec& s) const {
        return plan_error_v4(in(cbytes(pkt)), s, ctx());
    }
    ErrorDecision v6(Vec pkt, const ErrorSpec& s) const {
        return plan_error_v6(in(cbytes(pkt)), s, ctx());
    }
    ErrorDecision redirect4(wire::ConstBytes pkt, const wire::Ipv4Addr& nh) const {
        return plan_redirect_v4(in(pkt), nh, ctx());
    }
    ErrorDecision redirect6(wire::ConstBytes pkt, const wire::Ipv6Addr& target,
                            const wire::MacAddr* tlla) const {
        return plan_redirect_v6(in(pkt), target, tlla, ctx());
    }
};

#define EXPECT_OUTCOME(decision, want) \
    EXPECT_EQ(error_outcome_name((decision).outcome), error_outcome_name(want))

// Emits a planned message into a 0xA5 buffer; checks it is `want`, that nothing past
// frame_len() was written, and the checksums.
void expect_emit(const ErrorDecision& d, std::span<const wire::ConstBytes> segments, Vec want) {
    ASSERT_EQ(d.outcome, ErrorOutcome::sent) << error_outcome_name(d.outcome);
    ASSERT_EQ(d.plan.frame_len(), want.size());
    auto buf = pw::test::filled(d.plan.frame_len() + slack);
    ASSERT_EQ(emit_error(buf, d.plan, segments), want.size());
    const wire::ConstBytes out(buf);
    EXPECT_TRUE(same_bytes(out.first(want.size()), want));
    EXPECT_TRUE(pw::test::all_fill(out.subspan(want.size())));
    const auto l3 = out.subspan(wire::eth::header_len, want.size() - wire::eth::header_len);
    if (d.plan.v6) {
        EXPECT_LE(l3.size(), max_error_len_v6);
        const auto ip = *wire::ipv6::View<const std::byte>::checked(l3);
        EXPECT_EQ(wire::ones_sum(ip.payload(), wire::pseudo_sum_v6(
                                                   ip.src(), ip.dst(),
                                                   static_cast<std::uint32_t>(ip.payload().size()),
                                                   wire::ipv6::nh_icmp6)),
                  0xffff);
    } else {
        EXPECT_LE(l3.size(), max_error_len_v4);
        const auto ip = *wire::ipv4::View<const std::byte>::checked(l3);
        EXPECT_TRUE(ip.header_checksum_ok());
        EXPECT_EQ(wire::ones_sum(ip.payload()), 0xffff);
    }
}

void expect_emit(const ErrorDecision& d, Vec invoking, Vec want) {
    const wire::ConstBytes whole[] = {cbytes(invoking)};
    expect_emit(d, whole, want);
}

// --- The specs -------------------------------------------------------------------------------

TEST(RouterErrorSpecs, TypesCodesAndWords) {
    struct Case {
        ErrorSpec s;
        std::uint8_t type, code;
        std::uint32_t word;
    };
    for (const Case& c :
         {Case{spec_v4::net_unreachable, 3, 0, 0}, Case{spec_v4::host_unreachable, 3, 1, 0},
          Case{spec_v4::admin_prohibited, 3, 13, 0}, Case{spec_v4::ttl_exceeded, 11, 0, 0},
          Case{spec_v4::frag_needed(1400), 3, 4, 1400},
          Case{spec_v4::frag_needed(0xffff), 3, 4, 0xffff}, Case{spec_v6::no_route, 1, 0, 0},
          Case{spec_v6::admin_prohibited, 1, 1, 0}, Case{spec_v6::beyond_scope, 1, 2, 0},
          Case{spec_v6::address_unreachable, 1, 3, 0}, Case{spec_v6::hop_limit_exceeded, 3, 0, 0},
          Case{spec_v6::packet_too_big(1280), 2, 0, 1280},
          Case{spec_v6::packet_too_big(65575), 2, 0, 65575}}) {
        EXPECT_EQ(c.s.type, c.type);
        EXPECT_EQ(c.s.code, c.code);
        EXPECT_EQ(c.s.word, c.word);
    }
}

// --- IPv4 ------------------------------------------------------------------------------------

struct Named {
    const char* name;
    ErrorSpec spec;
    Vec want64, want1500;
};

TEST(RouterErrorsV4, AgainstScapy) {
    const Router r;
    for (const Named& c :
         {Named{"net unreachable", spec_v4::net_unreachable, golden::rt4_net_unreach_64,
                golden::rt4_net_unreach_1500},
          Named{"host unreachable", spec_v4::host_unreachable, golden::rt4_host_unreach_64,
                golden::rt4_host_unreach_1500},
          Named{"admin prohibited", spec_v4::admin_prohibited, golden::rt4_admin_prohibited_64,
                golden::rt4_admin_prohibited_1500},
          Named{"ttl exceeded", spec_v4::ttl_exceeded, golden::rt4_ttl_exceeded_64,
                golden::rt4_ttl_exceeded_1500},
          Named{"frag needed", spec_v4::frag_needed(1400), golden::rt4_frag_needed_64,
                golden::rt4_frag_needed_1500}}) {
        SCOPED_TRACE(c.name);
        // From the ingress interface's address (RFC 1812 4.3.2.4), not the destination's.
        const auto d64 = r.v4(golden::rt_inv4_64, c.spec);
        EXPECT_EQ(d64.plan.src4, pw::test::us4);
        EXPECT_EQ(d64.plan.quote_len, 64U);
        expect_emit(d64, golden::rt_inv4_64, c.want64);
        // RFC 1812 4.3.2.3: as much as fits in 576 bytes.
        const auto d1500 = r.v4(golden::rt_inv4_1500, c.spec);
        EXPECT_EQ(d1500.plan.quote_len, 548U);
        expect_emit(d1500, golden::rt_inv4_1500, c.want1500);
    }
}

// RFC 1191 4: the next-hop MTU in the low-order 16 bits, the high-order 16 bits zero.
TEST(RouterErrorsV4, FragNeededWord) {
    const Router r;
    for (const std::uint16_t mtu :
         {std::uint16_t{68}, std::uint16_t{576}, std::uint16_t{1400}, std::uint16_t{9000}}) {
        const auto d = r.v4(golden::rt_inv4_1500, spec_v4::frag_needed(mtu));
        ASSERT_EQ(d.outcome, ErrorOutcome::sent);
        auto buf = pw::test::filled(d.plan.frame_len());
        const wire::ConstBytes whole[] = {cbytes(golden::rt_inv4_1500)};
        emit_error(buf, d.plan, whole);
        const auto msg = wire::ConstBytes(buf).subspan(34);
        EXPECT_EQ(wire::load8(msg, 0), 3);
        EXPECT_EQ(wire::load8(msg, 1), 4);
        EXPECT_EQ(wire::load16(msg, 4), 0);
        EXPECT_EQ(wire::load16(msg, 6), mtu);
    }
}

// Fragmentation Needed is never rate-limited (PMTUD must work), Time Exceeded is.
TEST(RouterErrorsV4, FragNeededNotRateLimited) {
    RateLimitConfig rc;
    rc.host_burst = 1;
    rc.deterministic = true;
    RateLimiter limiter;
    limiter.configure(rc, nullptr, 1);
    Router r;
    r.limiter = &limiter;
    EXPECT_OUTCOME(r.v4(golden::rt_inv4_64, spec_v4::ttl_exceeded), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.v4(golden::rt_inv4_64, spec_v4::ttl_exceeded),
                   ErrorOutcome::rate_limited_host);
    for (int i = 0; i < 10; ++i)
        EXPECT_OUTCOME(r.v4(golden::rt_inv4_1500, spec_v4::frag_needed(1400)), ErrorOutcome::sent);
}

// --- IPv6 ------------------------------------------------------------------------------------

TEST(RouterErrorsV6, AgainstScapy) {
    const Router r;
    for (const Named& c :
         {Named{"no route", spec_v6::no_route, golden::rt6_no_route_64, golden::rt6_no_route_1500},
          Named{"admin prohibited", spec_v6::admin_prohibited, golden::rt6_admin_prohibited_64,
                golden::rt6_admin_prohibited_1500},
          Named{"beyond scope", spec_v6::beyond_scope, golden::rt6_beyond_scope_64,
                golden::rt6_beyond_scope_1500},
          Named{"address unreachable", spec_v6::address_unreachable, golden::rt6_addr_unreach_64,
                golden::rt6_addr_unreach_1500},
          Named{"hop limit exceeded", spec_v6::hop_limit_exceeded,
                golden::rt6_hop_limit_exceeded_64, golden::rt6_hop_limit_exceeded_1500},
          Named{"packet too big", spec_v6::packet_too_big(1400), golden::rt6_packet_too_big_64,
                golden::rt6_packet_too_big_1500}}) {
        SCOPED_TRACE(c.name);
        const auto d64 = r.v6(golden::rt_inv6_64, c.spec);
        EXPECT_EQ(d64.plan.src6, pw::test::us6);
        EXPECT_EQ(d64.plan.quote_len, 64U);
        expect_emit(d64, golden::rt_inv6_64, c.want64);
        // RFC 4443 2.4(c): as much as fits in 1280 bytes.
        const auto d1500 = r.v6(golden::rt_inv6_1500, c.spec);
        EXPECT_EQ(d1500.plan.quote_len, 1232U);
        expect_emit(d1500, golden::rt_inv6_1500, c.want1500);
    }
}

// RFC 4443 3.2 and 2.4(e.3): Packet Too Big is sent about a packet to a multicast group
// (and one that came as a link-layer multicast), the other errors are not.
TEST(RouterErrorsV6, PacketTooBigAboutMulticast) {
    Router r;
    r.l2_dst = mac("33:33:00:01:00:02");
    const auto ptb = r.v6(golden::rt_inv6_mcast, spec_v6::packet_too_big(1280));
    EXPECT_EQ(ptb.plan.quote_len, 1232U);
    expect_emit(ptb, golden::rt_inv6_mcast, golden::rt6_packet_too_big_mcast);
    for (const ErrorSpec& s :
         {spec_v6::hop_limit_exceeded, spec_v6::no_route, spec_v6::address_unreachable})
        EXPECT_OUTCOME(r.v6(golden::rt_inv6_mcast, s), ErrorOutcome::suppressed_ip_multicast);
}

// Packet Too Big is not in the default ICMPv6 rate mask (Linux: PMTUD is never limited).
TEST(RouterErrorsV6, PacketTooBigNotRateLimited) {
    RateLimitConfig rc;
    rc.host_burst = 1;
    rc.deterministic = true;
    RateLimiter limiter;
    limiter.configure(rc, nullptr, 1);
    Router r;
    r.limiter = &limiter;
    EXPECT_OUTCOME(r.v6(golden::rt_inv6_64, spec_v6::no_route), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.v6(golden::rt_inv6_64, spec_v6::no_route), ErrorOutcome::rate_limited_host);
    for (int i = 0; i < 10; ++i)
        EXPECT_OUTCOME(r.v6(golden::rt_inv6_1500, spec_v6::packet_too_big(1400)),
                       ErrorOutcome::sent);
}

// --- IPv4 Redirect ---------------------------------------------------------------------------

// A UDP datagram (or other protocol) from src to dst, with optional header options and
// fragment field, as the redirect conditions need.
std::vector<std::byte> v4_pkt(const wire::Ipv4Addr& src, const wire::Ipv4Addr& dst,
                              std::uint8_t proto = 17, std::uint16_t flags_frag = 0,
                              std::uint8_t first_payload_byte = 0) {
    std::vector<std::byte> b(40, std::byte{0});
    wire::ipv4::Repr{src, dst, proto, 9, 0, 0x1111, flags_frag, 20}.emit(b);
    b[20] = std::byte{first_payload_byte};
    return b;
}

TEST(RedirectV4, AgainstScapy) {
    const Router r;
    const auto gw = ip4("198.18.0.3");
    const auto d = r.redirect4(cbytes(golden::rt_inv4_64), gw);
    EXPECT_EQ(d.plan.spec.type, 5);
    EXPECT_EQ(d.plan.spec.code, 1);  // RFC 1812 5.2.7.2: for the host
    EXPECT_EQ(d.plan.spec.word, gw.to_u32());
    EXPECT_EQ(d.plan.src4, pw::test::us4);
    EXPECT_EQ(d.plan.dst4, pw::test::peer4);
    EXPECT_EQ(d.plan.ttl, 64);
    EXPECT_EQ(d.plan.tos, 0xc0);
    expect_emit(d, golden::redir_inv4_64, golden::redir4_64);
    const auto big = r.redirect4(cbytes(golden::rt_inv4_1500), gw);
    EXPECT_EQ(big.plan.quote_len, 548U);
    expect_emit(big, golden::rt_inv4_1500, golden::redir4_1500);
}

// RFC 1122 3.2.2.2: from our address on the sender's subnet (its first-hop gateway), which
// need not be the interface's first address.
TEST(RedirectV4, FromOurAddressOnTheSendersSubnet) {
    Router r;
    r.cfg.source = ErrorSource::fixed;  // whatever the error source policy says
    r.cfg.fixed_v4 = ip4("198.19.9.9");
    const auto d = r.redirect4(cbytes(golden::redir_inv4_net2), ip4("198.18.1.3"));
    EXPECT_EQ(d.plan.src4, ip4("198.18.1.1"));
    EXPECT_EQ(d.plan.dst4, ip4("198.18.1.2"));
    expect_emit(d, golden::redir_inv4_net2, golden::redir4_net2);
}

// RFC 1812 5.2.7.2: none owed (ErrorOutcome::count_) unless source and next hop share one of
// the interface's subnets and the packet holds no source route option.
TEST(RedirectV4, Conditions) {
    const Router r;
    const auto owed = [&](const std::vector<std::byte>& p, const char* nh) {
        return r.redirect4(p, ip4(nh));
    };
    const auto peer = pw::test::peer4;
    const auto far = ip4("198.19.5.5");
    EXPECT_OUTCOME(owed(v4_pkt(peer, far), "198.18.0.3"), ErrorOutcome::sent);
    // The next hop on another subnet of the interface than the source, or on none.
    EXPECT_OUTCOME(owed(v4_pkt(peer, far), "198.18.1.3"), ErrorOutcome::count_);
    EXPECT_OUTCOME(owed(v4_pkt(peer, far), "198.19.0.3"), ErrorOutcome::count_);
    // A source that is not on the link (forwarded to us by another router).
    EXPECT_OUTCOME(owed(v4_pkt(ip4("198.18.7.7"), far), "198.18.0.3"), ErrorOutcome::count_);
    // The next hop is the sender itself.
    EXPECT_OUTCOME(owed(v4_pkt(peer, far), "198.18.0.2"), ErrorOutcome::count_);
    // The destination on the link: the next hop is the destination (Redirect to it).
    const auto onlink = owed(v4_pkt(peer, ip4("198.18.0.9")), "198.18.0.9");
    EXPECT_OUTCOME(onlink, ErrorOutcome::sent);
    EXPECT_EQ(onlink.plan.spec.word, ip4("198.18.0.9").to_u32());
    // A loose source route option: none. A Record Route option is no source route.
    EXPECT_OUTCOME(r.redirect4(cbytes(golden::redir_inv4_lsrr), ip4("198.18.0.3")),
                   ErrorOutcome::count_);
    EXPECT_OUTCOME(r.redirect4(cbytes(golden::redir_inv4_rr), ip4("198.18.0.3")),
                   ErrorOutcome::sent);
    // A strict source route (137) after a NOP, in hand-made options.
    auto ssrr = v4_pkt(peer, far);
    ssrr.insert(ssrr.begin() + 20, {std::byte{1}, std::byte{137}, std::byte{7}, std::byte{4},
                                    std::byte{198}, std::byte{19}, std::byte{6}, std::byte{6}});
    wire::store8(ssrr, 0, 0x47);  // IHL 7 words
    wire::store16(ssrr, 2, static_cast<std::uint16_t>(ssrr.size()));
    EXPECT_OUTCOME(r.redirect4(ssrr, ip4("198.18.0.3")), ErrorOutcome::count_);
}

// RFC 1812 4.3.2.7: a Redirect is an ICMP error; the same suppressions apply.
TEST(RedirectV4, SuppressedLikeErrors) {
    Router r;
    const auto peer = pw::test::peer4;
    const auto far = ip4("198.19.5.5");
    const auto gw = ip4("198.18.0.3");
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, far, 1, 0, 3), gw),
                   ErrorOutcome::suppressed_icmp_error);
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, far, 1, 0, 8), gw),
                   ErrorOutcome::sent);  // an echo request
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, far, 17, 185), gw), ErrorOutcome::suppressed_fragment);
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, far, 17, wire::ipv4::flag_mf), gw), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, ip4("224.0.0.9")), gw),
                   ErrorOutcome::suppressed_ip_multicast);
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, ip4("198.18.0.255")), gw),
                   ErrorOutcome::suppressed_ip_multicast);
    r.l2_dst = wire::MacAddr::broadcast();
    EXPECT_OUTCOME(r.redirect4(v4_pkt(peer, far), gw), ErrorOutcome::suppressed_l2_multicast);
}

// Rate-limited through the same limiter: by the per-type mask (Linux's default 0x1818 leaves
// type 5 out; a router that limits Redirects sets bit 5).
TEST(RedirectV4, RateLimited) {
    RateLimitConfig rc;
    rc.host_burst = 2;
    rc.deterministic = true;
    rc.mask_v4.set(wire::icmpv4::redirect);
    RateLimiter limiter;
    limiter.configure(rc, nullptr, 1);
    Router r;
    r.limiter = &limiter;
    const auto pkt = v4_pkt(pw::test::peer4, ip4("198.19.5.5"));
    EXPECT_OUTCOME(r.redirect4(pkt, ip4("198.18.0.3")), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect4(pkt, ip4("198.18.0.3")), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect4(pkt, ip4("198.18.0.3")), ErrorOutcome::rate_limited_host);
    // Conditions not met spend nothing: after a second the bucket holds one credit again.
    r.now_ns += 1'000'000'000;
    for (int i = 0; i < 5; ++i)
        EXPECT_OUTCOME(r.redirect4(pkt, ip4("198.19.0.3")), ErrorOutcome::count_);
    EXPECT_OUTCOME(r.redirect4(pkt, ip4("198.18.0.3")), ErrorOutcome::sent);
}

// A Redirect never carries the RFC 4884 extension.
TEST(RedirectV4, NoExtension) {
    const Router r;
    InterfaceInfo info;
    info.has_mtu = true;
    info.mtu = 1500;
    ErrorContext c = r.ctx();
    c.ext = &info;
    const auto d = plan_redirect_v4(r.in(cbytes(golden::rt_inv4_64)), ip4("198.18.0.3"), c);
    EXPECT_FALSE(d.plan.rfc4884);
    expect_emit(d, golden::rt_inv4_64, golden::redir4_64);
}

// --- IPv6 Redirect ---------------------------------------------------------------------------

const wire::Ipv6Addr gw_ll = ip6("fe80::ff:fe00:3");
const wire::MacAddr gw_mac = mac("02:00:00:00:00:03");

// RFC 4861 4.5: from our link-local address, hop limit 255; Target and Destination; the
// Target Link-Layer Address option when known; the Redirected Header (4.6.3) quoting the
// packet, zero padded to 8 bytes (201 -> 208) or cut at the 1280-byte limit in 8-byte units
// (1280 - 40 - 8 - 32 - 8 - 8 = 1184 with the TLLA option, 1192 without).
TEST(RedirectV6, AgainstScapy) {
    const Router r;
    const auto d = r.redirect6(cbytes(golden::rt_inv6_201), gw_ll, &gw_mac);
    ASSERT_EQ(d.outcome, ErrorOutcome::sent);
    EXPECT_EQ(d.plan.src6, pw::test::us_ll);
    EXPECT_EQ(d.plan.dst6, pw::test::peer6);
    EXPECT_EQ(d.plan.eth_dst, pw::test::peer_mac);
    EXPECT_EQ(d.plan.ttl, 255);
    EXPECT_EQ(d.plan.quote_len, 201U);
    EXPECT_EQ(d.plan.pad_len, 7);
    expect_emit(d, golden::rt_inv6_201, golden::redir6_201);

    const auto big = r.redirect6(cbytes(golden::rt_inv6_1500), gw_ll, &gw_mac);
    EXPECT_EQ(big.plan.quote_len, 1184U);
    EXPECT_EQ(big.plan.pad_len, 0);
    EXPECT_EQ(big.plan.frame_len(), 14U + 1280);
    expect_emit(big, golden::rt_inv6_1500, golden::redir6_1500);

    const auto no_tlla = r.redirect6(cbytes(golden::rt_inv6_1500), gw_ll, nullptr);
    EXPECT_EQ(no_tlla.plan.quote_len, 1192U);
    expect_emit(no_tlla, golden::rt_inv6_1500, golden::redir6_no_tlla_1500);

    // The destination is on the link: it is its own target.
    const auto onlink = r.redirect6(cbytes(golden::rt_inv6_64), ip6("2001:2:0:5::5"), nullptr);
    expect_emit(onlink, golden::rt_inv6_64, golden::redir6_onlink_64);
}

// The options read back: TLLA, then a Redirected Header whose length covers the quote and its
// padding; the quote from chained segments all the same.
TEST(RedirectV6, OptionsAndSegments) {
    const Router r;
    const auto inv = cbytes(golden::rt_inv6_201);
    const wire::ConstBytes segs[] = {inv.first(40), inv.subspan(40, 1), inv.subspan(41)};
    const auto d = r.redirect6(inv, gw_ll, &gw_mac);
    expect_emit(d, segs, golden::redir6_201);
    auto buf = pw::test::filled(d.plan.frame_len());
    emit_error(buf, d.plan, segs);
    const auto msg = wire::ConstBytes(buf).subspan(54);
    EXPECT_EQ(wire::load8(msg, 0), 137);
    EXPECT_EQ(wire::load32(msg, 4), 0U);
    EXPECT_EQ(wire::load_bytes<wire::Ipv6Addr>(msg, 8), gw_ll);
    EXPECT_EQ(wire::load_bytes<wire::Ipv6Addr>(msg, 24), ip6("2001:2:0:5::5"));
    const auto opts = wire::ndp::parse_options(msg.subspan(40));
    ASSERT_TRUE(opts);
    EXPECT_EQ(opts->target_lladdr, gw_mac);
    EXPECT_EQ(wire::load8(msg, 48), wire::ndp::opt_redirected);
    EXPECT_EQ(wire::load8(msg, 49), (8 + 208) / 8);
    EXPECT_TRUE(same_bytes(msg.subspan(56, 201), inv));
}

std::vector<std::byte> v6_pkt(const wire::Ipv6Addr& src, const wire::Ipv6Addr& dst) {
    std::vector<std::byte> b(48, std::byte{0});
    wire::ipv6::Repr{src, dst, wire::ipv6::nh_udp, 9, 0, 0, 8}.emit(b);
    return b;
}

// RFC 4861 8.2 and 4.5: none owed to a source that is no neighbour, about a multicast
// destination, or with a target that is neither the destination nor link-local.
TEST(RedirectV6, Conditions) {
    const Router r;
    const auto dst = ip6("2001:2:0:5::5");
    EXPECT_OUTCOME(r.redirect6(v6_pkt(pw::test::peer6, dst), gw_ll, nullptr), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(pw::test::peer_ll, dst), gw_ll, nullptr), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(ip6("2001:2:0:9::9"), dst), gw_ll, nullptr),
                   ErrorOutcome::count_);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(pw::test::peer6, ip6("ff0e::1:2")), gw_ll, nullptr),
                   ErrorOutcome::count_);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(pw::test::peer6, dst), ip6("2001:2::3"), nullptr),
                   ErrorOutcome::count_);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(pw::test::peer6, dst), dst, nullptr), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(ip6("::"), dst), gw_ll, nullptr),
                   ErrorOutcome::suppressed_source);
    EXPECT_OUTCOME(r.redirect6(v6_pkt(ip6("::1"), dst), gw_ll, nullptr),
                   ErrorOutcome::suppressed_source);
    Router l2 = r;
    l2.l2_dst = mac("33:33:00:00:00:01");
    EXPECT_OUTCOME(l2.redirect6(v6_pkt(pw::test::peer6, dst), gw_ll, nullptr),
                   ErrorOutcome::suppressed_l2_multicast);
    Router no_ll;
    no_ll.iface = make_iface(false);
    EXPECT_OUTCOME(no_ll.redirect6(v6_pkt(pw::test::peer6, dst), gw_ll, nullptr),
                   ErrorOutcome::no_source_address);
}

TEST(RedirectV6, RateLimited) {
    RateLimitConfig rc;
    rc.host_burst = 1;
    rc.deterministic = true;
    rc.mask_v6.set(wire::icmpv6::redirect);
    RateLimiter limiter;
    limiter.configure(rc, nullptr, 1);
    Router r;
    r.limiter = &limiter;
    const auto pkt = v6_pkt(pw::test::peer6, ip6("2001:2:0:5::5"));
    EXPECT_OUTCOME(r.redirect6(pkt, gw_ll, nullptr), ErrorOutcome::sent);
    EXPECT_OUTCOME(r.redirect6(pkt, gw_ll, nullptr), ErrorOutcome::rate_limited_host);
    r.now_ns += 1'000'000'000;
    EXPECT_OUTCOME(r.redirect6(pkt, gw_ll, nullptr), ErrorOutcome::sent);
}

}  // namespace
