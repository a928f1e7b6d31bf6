// The verdict logic of pingwire-conform's catalogue on recorded exchanges: for a check, its
// plan's frames are "sent", a RUT's answer (an ICMP / ICMPv6 error quoting a sent frame, an
// echo reply, the frame forwarded out of port 1) is synthesised byte by byte with correct
// checksums, parsed as the runner parses what it receives, and handed to the check's judge.
// The honesty rules are tested too: a silent RUT never passes, and a silence check whose
// control got nothing is inconclusive.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/conform/check.hh"
#include "lib/conform/frame.hh"
#include "lib/conform/judge.hh"
#include "lib/conform/seen.hh"
#include "lib/conform/stimulus.hh"
#include "lib/net/iface.hh"
#include "lib/wire/addr.hh"

namespace pw::conform {

// gtest prints a Verdict by name.
void PrintTo(Verdict v, std::ostream* os) {
    *os << to_string(v);
}

namespace {

using wire::Ipv4Addr;
using wire::Ipv4Prefix;
using wire::Ipv6Addr;
using wire::Ipv6Prefix;
using wire::MacAddr;

Ipv4Addr ip4(std::string_view s) {
    return Ipv4Addr::parse(s).value();
}
Ipv6Addr ip6(std::string_view s) {
    return Ipv6Addr::parse(s).value();
}

constexpr MacAddr rut_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};
constexpr MacAddr rut_out_mac{{0x02, 0x00, 0x00, 0x00, 0x01, 0xfe}};

// The real bench: port 0 198.18.0.1/24 + 2001:2::1/64, port 1 198.18.1.1/24 + 2001:2:0:1::1/64,
// the RUT at .254 / ::fe on both, its egress MTU 1400 below port 0's 1500.
Setup bench() {
    Setup s;
    s.in_mac = MacAddr{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
    s.out_mac = MacAddr{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
    s.in4 = Ipv4Prefix{ip4("198.18.0.1"), 24};
    s.out4 = Ipv4Prefix{ip4("198.18.1.1"), 24};
    s.in6 = Ipv6Prefix{ip6("2001:2::1"), 64};
    s.out6 = Ipv6Prefix{ip6("2001:2:0:1::1"), 64};
    s.rut_in4 = ip4("198.18.0.254");
    s.rut_out4 = ip4("198.18.1.254");
    s.rut_in6 = ip6("2001:2::fe");
    s.rut_out6 = ip6("2001:2:0:1::fe");
    s.rut_in_mac4 = rut_mac;
    s.rut_in_mac6 = rut_mac;
    s.mtu_in = 1500;
    s.mtu_out4 = 1400;
    s.mtu_out6 = 1400;
    s.unrouted4 = ip4("198.19.255.1");
    s.unrouted6 = ip6("2001:2:ffff::1");
    s.unresolved4 = ip4("198.18.1.253");
    s.unresolved6 = ip6("2001:2:0:1::dead");
    s.sources = 200;
    const std::uint32_t first4 = ip4("198.18.0.1").to_u32();
    s.source4 = [first4](unsigned k) { return Ipv4Addr::from_u32(first4 + k); };
    const Ipv6Addr base6 = ip6("2001:2::1");
    s.source6 = [base6](unsigned k) { return net::Iface::alias6(base6, k); };
    return s;
}

// --- frames a RUT would send ---

void put16(Frame& f, std::size_t at, std::uint16_t v) {
    f[at] = static_cast<std::uint8_t>(v >> 8);
    f[at + 1] = static_cast<std::uint8_t>(v);
}
void append16(Frame& f, std::uint16_t v) {
    f.push_back(static_cast<std::uint8_t>(v >> 8));
    f.push_back(static_cast<std::uint8_t>(v));
}
void append32(Frame& f, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) f.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
template <class A>
void append_addr(Frame& f, const A& a) {
    f.insert(f.end(), a.bytes.begin(), a.bytes.end());
}

bool is_v6(const Frame& f) {
    return be16(f, 12) == 0x86dd;
}
std::size_t ip_len(const Frame& f) {
    return is_v6(f) ? 40U + be16(f, l3_offset + 4) : be16(f, l3_offset + 2);
}
Ipv4Addr src4_of(const Frame& f) {
    Ipv4Addr a;
    std::copy_n(f.begin() + l3_offset + 12, 4, a.bytes.begin());
    return a;
}
Ipv6Addr src6_of(const Frame& f) {
    Ipv6Addr a;
    std::copy_n(f.begin() + l3_offset + 8, 16, a.bytes.begin());
    return a;
}

// An ICMP / ICMPv6 message: Ethernet (to port 0's MAC), the IP header, type, code, checksum,
// the word of bytes 4..7 and the body. The IP addresses and the family are the caller's.
struct Msg {
    bool v6 = false;
    Ipv4Addr src4, dst4;
    Ipv6Addr src6, dst6;
    std::uint8_t type = 0, code = 0;
    std::uint32_t word = 0;
    std::vector<std::uint8_t> body;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0;
    MacAddr dst_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
    MacAddr src_mac = rut_mac;
};

Frame message(const Msg& m) {
    Frame icmp;
    icmp.push_back(m.type);
    icmp.push_back(m.code);
    append16(icmp, 0);
    append32(icmp, m.word);
    icmp.insert(icmp.end(), m.body.begin(), m.body.end());
    const std::uint32_t initial = m.v6 ? pseudo6(m.src6, m.dst6, 58, icmp.size()) : 0;
    put16(icmp, 2, inet_checksum(icmp, initial));

    Frame f;
    append_addr(f, m.dst_mac);
    append_addr(f, m.src_mac);
    append16(f, m.v6 ? 0x86dd : 0x0800);
    if (m.v6) {
        f.push_back(static_cast<std::uint8_t>(0x60 | (m.tos >> 4)));
        f.push_back(static_cast<std::uint8_t>(m.tos << 4));
        append16(f, 0);
        append16(f, static_cast<std::uint16_t>(icmp.size()));
        f.push_back(58);
        f.push_back(m.ttl);
        append_addr(f, m.src6);
        append_addr(f, m.dst6);
    } else {
        f.push_back(0x45);
        f.push_back(m.tos);
        append16(f, static_cast<std::uint16_t>(20 + icmp.size()));
        append16(f, 0x1234);
        append16(f, 0);
        f.push_back(m.ttl);
        f.push_back(1);
        append16(f, 0);
        append_addr(f, m.src4);
        append_addr(f, m.dst4);
        put16(f, l3_offset + 10,
              inet_checksum(std::span<const std::uint8_t>(f).subspan(l3_offset, 20)));
    }
    f.insert(f.end(), icmp.begin(), icmp.end());
    return f;
}

// An error quoting `sent`: from the RUT's port-0 address (or src) to the sent frame's source;
// the quote as many bytes of the sent IP packet as fit in `limit` (576 / 1280 by default), or
// `quote` bytes; the quoted TTL as received (or decremented).
struct Err {
    std::uint8_t type = 0, code = 0;
    std::uint32_t word = 0;
    std::optional<std::size_t> quote = std::nullopt;
    std::optional<std::size_t> limit = std::nullopt;
    bool ttl_decremented = false;
    std::optional<std::uint8_t> tos = std::nullopt;  // default: precedence 6 (IPv4), 0 (IPv6)
    std::uint8_t ttl = 64;
    std::optional<Ipv4Addr> src4 = std::nullopt;
    std::optional<Ipv6Addr> src6 = std::nullopt;
    std::function<void(Frame&)> edit_quote =
        nullptr;  // changes the quoted bytes (a misbehaving RUT)
};

Frame error_frame(const Setup& s, const Frame& sent, const Err& e) {
    const bool v6 = is_v6(sent);
    const std::size_t limit = e.limit.value_or(v6 ? 1280 : 576);
    const std::size_t fixed = (v6 ? 40 : 20) + 8;
    const std::size_t have = std::min(ip_len(sent), sent.size() - l3_offset);
    const std::size_t n = e.quote.value_or(std::min(have, limit - fixed));
    Frame quote(sent.begin() + l3_offset, sent.begin() + l3_offset + std::min(n, have));
    if (e.ttl_decremented && quote.size() > 8) {
        --quote[v6 ? 7 : 8];
    }
    if (e.edit_quote) e.edit_quote(quote);
    Msg m;
    m.v6 = v6;
    if (v6) {
        m.src6 = e.src6.value_or(*s.rut_in6);
        m.dst6 = src6_of(sent);
    } else {
        m.src4 = e.src4.value_or(*s.rut_in4);
        m.dst4 = src4_of(sent);
    }
    m.type = e.type;
    m.code = e.code;
    m.word = e.word;
    m.body = std::move(quote);
    m.ttl = e.ttl;
    m.tos = e.tos.value_or(v6 ? 0 : 0xc0);
    m.dst_mac = s.in_mac;
    return message(m);
}

Seen error_seen(const Setup& s, const Frame& sent, const Err& e) {
    return Seen::parse(0, 1'000'000, error_frame(s, sent, e));
}

// The echo reply to an echo request we sent: addresses swapped (or from src6), type 0 / 129,
// same identifier, sequence and data.
Seen echo_reply_seen(const Frame& request, std::optional<Ipv6Addr> src6 = std::nullopt) {
    const bool v6 = is_v6(request);
    const std::size_t l4 = l3_offset + (v6 ? 40 : 20);
    Msg m;
    m.v6 = v6;
    if (v6) {
        std::copy_n(request.begin() + l3_offset + 24, 16, m.src6.bytes.begin());
        if (src6) m.src6 = *src6;
        m.dst6 = src6_of(request);
    } else {
        std::copy_n(request.begin() + l3_offset + 16, 4, m.src4.bytes.begin());
        m.dst4 = src4_of(request);
    }
    m.type = v6 ? 129 : 0;
    m.word = be32(request, l4 + 4);
    m.body.assign(request.begin() + static_cast<std::ptrdiff_t>(l4 + 8), request.end());
    return Seen::parse(0, 1'000'000, message(m));
}

// The sent frame as the RUT forwards it out of port 1 (or back out of port 0): new MACs, the
// TTL / hop limit one less, the IPv4 header checksum updated.
Seen forwarded_seen(const Setup& s, const Frame& sent, std::uint8_t port = 1) {
    Frame f = sent;
    std::copy_n((port == 1 ? s.out_mac : s.in_mac).bytes.begin(), 6, f.begin());
    std::copy_n((port == 1 ? rut_out_mac : rut_mac).bytes.begin(), 6, f.begin() + 6);
    if (is_v6(f)) {
        --f[l3_offset + 7];
    } else {
        const std::size_t ihl = (f[l3_offset] & 0x0f) * 4U;
        --f[l3_offset + 8];
        put16(f, l3_offset + 10, 0);
        put16(f, l3_offset + 10,
              inet_checksum(std::span<const std::uint8_t>(f).subspan(l3_offset, ihl)));
    }
    return Seen::parse(port, 2'000'000, std::move(f));
}

// --- running a check on a recorded exchange ---

// A check of the catalogue with the number the runner gives it (its index), its plan's
// frames sent, and what came back filled in by the test.
struct Trial {
    Setup setup;
    const Check* check = nullptr;
    Ctx ctx;
    Plan plan;
    Exchange ex;

    const Frame& control(std::size_t i = 0) const { return ex.control.sent.at(i).bytes; }
    const Frame& probe(std::size_t i = 0) const { return ex.probe.sent.at(i).bytes; }
    // The follow-up frames, as the runner computes them after the probe phase.
    void follow() {
        ASSERT_NE(check->follow, nullptr);
        ex.follow.sent = check->follow(ctx, ex);
    }
    Result judge() const { return check->judge(ctx, ex); }
};

std::size_t index_of(std::string_view id) {
    const auto all = catalogue();
    for (std::size_t i = 0; i < all.size(); ++i)
        if (id == all[i].id) return i;
    ADD_FAILURE() << "no check " << id;
    return all.size();
}

// Fills a Trial in place: its ctx points at its own setup, so a Trial is not copied after.
void start(Trial& r, std::string_view id, Setup s = bench()) {
    r.setup = std::move(s);
    const std::size_t i = index_of(id);
    ASSERT_LT(i, catalogue().size());
    r.check = &catalogue()[i];
    r.ctx = Ctx{&r.setup, static_cast<unsigned>(i)};
    r.plan = r.check->plan(r.ctx);
    r.ex.control.sent = r.plan.control;
    r.ex.probe.sent = r.plan.probe;
}

#define START(r, id, ...)                    \
    Trial r;                                 \
    start(r, id __VA_OPT__(, ) __VA_ARGS__); \
    ASSERT_FALSE(r.plan.na) << *r.plan.na;   \
    ASSERT_FALSE(r.ex.probe.sent.empty())

void expect(const Result& r, Verdict v, std::string_view word = {}) {
    EXPECT_EQ(r.verdict, v) << r.evidence;
    if (!word.empty()) {
        EXPECT_NE(r.evidence.find(word), std::string::npos)
            << "evidence lacks \"" << word << "\": " << r.evidence;
    }
}

// The Time Exceeded of a family.
Err te(bool v6) {
    return Err{.type = static_cast<std::uint8_t>(v6 ? 3 : 11)};
}

// What a check got, as the runner records it.
void got(Phase& ph, Seen s) {
    ph.got.push_back(std::move(s));
}

// ============================================================================================
// The synthesised frames parse as the judges expect.

TEST(ConformHelpers, ErrorQuotesTheSentFrameWithGoodChecksums) {
    START(r, "v4.err.quote");
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(false)));
    const Seen& e = r.ex.probe.got.front();
    ASSERT_TRUE(e.ip);
    EXPECT_TRUE(e.icmp_checksum_ok);
    EXPECT_TRUE(e.l3.header_checksum_ok);
    EXPECT_TRUE(e.is_error);
    ASSERT_TRUE(e.quoted);
    EXPECT_EQ(e.l3.total_len, 576U);
    EXPECT_EQ(e.quote_len, 548U);
    EXPECT_EQ(e.l3.src4, *r.setup.rut_in4);
    EXPECT_EQ(e.l3.dst4, r.ctx.src4());
    EXPECT_EQ(r.ctx.src4().to_u32(), ip4("198.18.0.1").to_u32() + 1 + r.ctx.n % 200);
    EXPECT_EQ(error_quoting(r.ex.probe, 11, 0), &e);
    EXPECT_EQ(error_quoting(r.ex.probe, 11, 1), nullptr);
}

TEST(ConformHelpers, Icmpv6ErrorEchoReplyAndForwardedFrameParse) {
    START(r, "v6.err.quote");
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(true)));
    const Seen& e = r.ex.probe.got.front();
    EXPECT_TRUE(e.icmp_checksum_ok);
    EXPECT_EQ(e.l3.total_len, 1280U);
    EXPECT_EQ(e.quote_len, 1232U);
    EXPECT_EQ(error_quoting(r.ex.probe, 3, 0), &e);
    EXPECT_EQ(forwarded(r.ex.probe), nullptr);

    r.ex.probe.got = {forwarded_seen(r.setup, r.probe())};
    ASSERT_NE(forwarded(r.ex.probe), nullptr);
    EXPECT_EQ(forwarded(r.ex.probe)->l3.ttl, 0);
    EXPECT_EQ(forwarded(r.ex.probe, 0), nullptr);

    START(echo, "v4.echo.ttl1");
    got(echo.ex.probe, echo_reply_seen(echo.probe()));
    const Seen& rep = echo.ex.probe.got.front();
    EXPECT_TRUE(rep.icmp_checksum_ok);
    EXPECT_EQ(rep.l3.src4, *echo.setup.rut_in4);
    EXPECT_EQ(echo_reply(echo.ex.probe), &rep);
}

// ============================================================================================
// TTL / hop limit 1 in transit: Time Exceeded, nothing forwarded.

class Expiry : public ::testing::TestWithParam<const char*> {};

TEST_P(Expiry, PassesWithTimeExceededCode0) {
    START(r, GetParam());
    const bool v6 = r.check->family == Family::v6;
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(v6)));
    expect(r.judge(), Verdict::pass, v6 ? "ICMPv6 3/0" : "ICMP 11/0");
}

TEST_P(Expiry, PassesWithTheQuotedTtlDecremented) {
    START(r, GetParam());
    Err e = te(r.check->family == Family::v6);
    e.ttl_decremented = true;
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::pass);
}

TEST_P(Expiry, FailsWhenSilent) {
    START(r, GetParam());
    expect(r.judge(), Verdict::fail, "got nothing");
}

TEST_P(Expiry, FailsWhenForwardedOutOfPort1) {
    START(r, GetParam());
    got(r.ex.probe, forwarded_seen(r.setup, r.probe()));
    expect(r.judge(), Verdict::fail, "forwarded");
}

TEST_P(Expiry, FailsWhenForwardedEvenWithATimeExceeded) {
    START(r, GetParam());
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(r.check->family == Family::v6)));
    got(r.ex.probe, forwarded_seen(r.setup, r.probe()));
    expect(r.judge(), Verdict::fail, "forwarded");
}

TEST_P(Expiry, FailsOnAWrongCode) {
    START(r, GetParam());
    Err e = te(r.check->family == Family::v6);
    e.code = 1;  // fragment reassembly time exceeded
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "no Time Exceeded code 0");
}

TEST_P(Expiry, FailsOnATimeExceededQuotingAnotherDatagram) {
    START(r, GetParam());
    Frame other = r.probe();
    other[l3_offset + (r.check->family == Family::v6 ? 40 : 20)] ^= 0x01;  // another source port
    got(r.ex.probe, error_seen(r.setup, other, te(r.check->family == Family::v6)));
    expect(r.judge(), Verdict::fail);
}

INSTANTIATE_TEST_SUITE_P(ConformChecks, Expiry, ::testing::Values("v4.te.ttl1", "v6.te.hlim1"),
                         [](const auto& p) {
                             return std::string(p.param[1] == '4' ? "v4" : "v6");
                         });

TEST(ConformEcho, EchoWithTtl1IsAnswered) {
    for (const char* id : {"v4.echo.ttl1", "v6.echo.hlim1"}) {
        SCOPED_TRACE(id);
        START(r, id);
        expect(r.judge(), Verdict::fail, "no Echo Reply");
        got(r.ex.probe, echo_reply_seen(r.probe()));
        expect(r.judge(), Verdict::pass,
               r.check->family == Family::v6 ? "ICMPv6 129/0" : "ICMP 0/0");
    }
}

// ============================================================================================
// What every error must look like.

TEST(ConformQuote, V4PassesWith548Bytes) {
    START(r, "v4.err.quote");
    ASSERT_EQ(ip_len(r.probe()), 1000U);
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(false)));
    expect(r.judge(), Verdict::pass, "quote 548 B");
}

TEST(ConformQuote, V4FailsWithTheRfc792MinimumOnly) {
    START(r, "v4.err.quote");
    Err e = te(false);
    e.quote = 28;  // the IP header and 64 bits of data
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "quote 28 B");
}

TEST(ConformQuote, V4FailsWithAnEightByteQuote) {
    START(r, "v4.err.quote");
    Err e = te(false);
    e.quote = 8;  // not even the IP header: the error quotes nothing we sent
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail);
}

TEST(ConformQuote, V4FailsWhenTheErrorExceeds576Bytes) {
    START(r, "v4.err.quote");
    Err e = te(false);
    e.limit = 1028;  // the whole 1000 B datagram quoted
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "exceeds 576");
}

TEST(ConformQuote, V4WithAnRfc4884LengthPassesOn128Bytes) {
    START(r, "v4.err.quote");
    Err e = te(false);
    e.quote = 128;
    e.word = 32U << 16;  // 32 words of original datagram
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::pass, "RFC 4884");
    r.ex.probe.got.clear();
    e.quote = 64;
    e.word = 16U << 16;
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "< 128");
}

TEST(ConformQuote, V6PassesWhenTheErrorFills1280Bytes) {
    START(r, "v6.err.quote");
    ASSERT_EQ(ip_len(r.probe()), 1400U);
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(true)));
    expect(r.judge(), Verdict::pass, "quote 1232 B");
}

TEST(ConformQuote, V6FailsWithAShortQuote) {
    START(r, "v6.err.quote");
    Err e = te(true);
    e.quote = 48;  // the IPv6 header and the UDP header only
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "1232 B would fit");
    r.ex.probe.got.clear();
    e.quote = 1231;
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "quote 1231 B");
}

TEST(ConformQuote, V6FailsWhenTheErrorExceeds1280Bytes) {
    START(r, "v6.err.quote");
    Err e = te(true);
    e.limit = 1448;
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "exceeds 1280");
}

TEST(ConformHeader, V4FailsWhenTheQuotedTosChanged) {
    START(r, "v4.err.header");
    Err e = te(false);
    e.edit_quote = [](Frame& q) { q[1] = 0x10; };
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "byte 1");
}

TEST(ConformHeader, V4FailsWhenTheQuotedFlagsChanged) {
    // The quote still names the probe (addresses, ID, ports), with DF set: byte 6 differs.
    START(r, "v4.err.header");
    Err e = te(false);
    e.edit_quote = [](Frame& q) { q[6] |= 0x40; };
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "byte 6");
}

TEST(ConformHeader, V4PassesWhenOnlyTtlAndChecksumDiffer) {
    START(r, "v4.err.header");
    Err e = te(false);
    e.ttl_decremented = true;  // TTL 0, checksum left stale
    e.edit_quote = [](Frame& q) {
        q[10] ^= 0xff;
        q[11] ^= 0x0f;
    };  // and scrambled
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::pass, "TTL 0 as received");
}

TEST(ConformHeader, V6FailsOnAChangedFlowLabelPassesOnHopLimit) {
    START(r, "v6.err.header");
    Err e = te(true);
    e.edit_quote = [](Frame& q) { q[3] = 0x42; };
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "byte 3");
    r.ex.probe.got.clear();
    e.edit_quote = nullptr;
    e.ttl_decremented = true;
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::pass, "intact");
}

TEST(ConformSource, FailsWhenNotFromTheRut) {
    START(r, "v4.err.source");
    Err e = te(false);
    e.src4 = ip4("198.18.0.99");
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "198.18.0.99");
    r.ex.probe.got.clear();
    e.src4 = *r.setup.rut_out4;  // its other interface is one of its addresses
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::pass, "198.18.1.254");

    START(r6, "v6.err.source");
    Err e6 = te(true);
    e6.src6 = ip6("2001:2::99");
    got(r6.ex.probe, error_seen(r6.setup, r6.probe(), e6));
    expect(r6.judge(), Verdict::fail, "2001:2::99");
    r6.ex.probe.got = {error_seen(r6.setup, r6.probe(), te(true))};
    expect(r6.judge(), Verdict::pass, "2001:2::fe");
}

TEST(ConformFreshTtl, FailsOnALowTtl) {
    for (const char* id : {"v4.err.ttl", "v6.err.hlim"}) {
        SCOPED_TRACE(id);
        START(r, id);
        Err e = te(r.check->family == Family::v6);
        e.ttl = 1;
        got(r.ex.probe, error_seen(r.setup, r.probe(), e));
        expect(r.judge(), Verdict::fail, "TTL 1");
        r.ex.probe.got.clear();
        e.ttl = 255;
        got(r.ex.probe, error_seen(r.setup, r.probe(), e));
        expect(r.judge(), Verdict::pass, "TTL 255");
    }
}

TEST(ConformPrecedence, FailsWithTos0PassesWith6Or7) {
    START(r, "v4.err.precedence");
    Err e = te(false);
    e.tos = 0;
    got(r.ex.probe, error_seen(r.setup, r.probe(), e));
    expect(r.judge(), Verdict::fail, "precedence 0");
    for (const std::uint8_t tos : {std::uint8_t{0xc0}, std::uint8_t{0xe0}}) {
        r.ex.probe.got.clear();
        e.tos = tos;
        got(r.ex.probe, error_seen(r.setup, r.probe(), e));
        expect(r.judge(), Verdict::pass, tos == 0xc0 ? "precedence 6" : "precedence 7");
    }
    r.ex.probe.got.clear();
    expect(r.judge(), Verdict::fail);  // silence
}

// ============================================================================================
// The egress MTU.

TEST(ConformMtu, V4NextHopMtu) {
    START(r, "v4.fn.nexthop");
    ASSERT_EQ(ip_len(r.probe()), 1500U);
    got(r.ex.probe, error_seen(r.setup, r.probe(), Err{.type = 3, .code = 4, .word = 1400}));
    expect(r.judge(), Verdict::pass, "MTU 1400");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), Err{.type = 3, .code = 4, .word = 0})};
    expect(r.judge(), Verdict::fail, "MTU 0");
    r.ex.probe.got = {forwarded_seen(r.setup, r.probe())};
    expect(r.judge(), Verdict::fail, "forwarded");
    r.ex.probe.got.clear();
    expect(r.judge(), Verdict::fail, "no Destination Unreachable 3/4");
}

TEST(ConformMtu, NotApplicableWithoutASmallerEgressMtu) {
    for (unsigned mtu : {0U, 1500U}) {
        conform::Setup s = bench();
        s.mtu_out4 = mtu;
        Trial r;
        start(r, "v4.fn.nexthop", s);
        ASSERT_TRUE(r.plan.na);
        EXPECT_NE(r.plan.na->find("not below"), std::string::npos) << *r.plan.na;
        EXPECT_TRUE(r.plan.probe.empty());
    }
    conform::Setup s = bench();
    s.mtu_out6 = 0;
    Trial r;
    start(r, "v6.ptb.mtu", s);
    EXPECT_TRUE(r.plan.na);
}

TEST(ConformMtu, V6PacketTooBigMtu) {
    START(r, "v6.ptb.mtu");
    got(r.ex.probe, error_seen(r.setup, r.probe(), Err{.type = 2, .word = 1400}));
    expect(r.judge(), Verdict::pass, "MTU 1400");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), Err{.type = 2, .word = 1500})};
    expect(r.judge(), Verdict::fail, "MTU 1500");
    r.ex.probe.got.clear();
    expect(r.judge(), Verdict::fail, "no Packet Too Big");
}

TEST(ConformMtu, V6PacketTooBigLength) {
    START(r, "v6.ptb.len");
    got(r.ex.probe, error_seen(r.setup, r.probe(), Err{.type = 2, .word = 1400}));
    expect(r.judge(), Verdict::pass, "PTB of 1280 B");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), Err{.type = 2, .word = 1400, .limit = 1400})};
    expect(r.judge(), Verdict::fail, "1400 B exceeds 1280");
}

TEST(ConformMtu, V6PacketTooBigForMulticast) {
    START(r, "v6.ptb.mcast");
    ASSERT_FALSE(r.ex.control.sent.empty());
    expect(r.judge(), Verdict::not_applicable, "routes no multicast");
    got(r.ex.control, forwarded_seen(r.setup, r.control()));
    expect(r.judge(), Verdict::fail, "no PTB");
    got(r.ex.probe, error_seen(r.setup, r.probe(), Err{.type = 2, .word = 1400}));
    expect(r.judge(), Verdict::pass, "MTU 1400");
}

// The PMTU stream: 1500 B with DF, the error names 1400, the follow-up of 1400 B gets through.
class Pmtu : public ::testing::TestWithParam<const char*> {
protected:
    Err frag_needed(std::uint32_t mtu) const {
        const bool v6 = std::string_view(GetParam()).starts_with("v6");
        return v6 ? Err{.type = 2, .word = mtu} : Err{.type = 3, .code = 4, .word = mtu};
    }
};

TEST_P(Pmtu, PassesWhenTheFollowUpIsForwarded) {
    START(r, GetParam());
    ASSERT_EQ(ip_len(r.probe()), 1500U);
    got(r.ex.probe, error_seen(r.setup, r.probe(), frag_needed(1400)));
    r.follow();
    ASSERT_EQ(r.ex.follow.sent.size(), 1U);
    EXPECT_EQ(ip_len(r.ex.follow.sent.front().bytes), 1400U);
    got(r.ex.follow, forwarded_seen(r.setup, r.ex.follow.sent.front().bytes));
    expect(r.judge(), Verdict::pass, "learnt MTU 1400");
}

TEST_P(Pmtu, FailsWhenTheFollowUpIsBlackHoled) {
    START(r, GetParam());
    got(r.ex.probe, error_seen(r.setup, r.probe(), frag_needed(1400)));
    r.follow();
    ASSERT_EQ(r.ex.follow.sent.size(), 1U);
    expect(r.judge(), Verdict::fail, "black hole");
    // The probe (not the follow-up) arriving in the follow phase does not count.
    got(r.ex.follow, forwarded_seen(r.setup, r.probe()));
    expect(r.judge(), Verdict::fail, "black hole");
}

TEST_P(Pmtu, FailsWhenNothingComesBack) {
    START(r, GetParam());
    r.follow();
    EXPECT_TRUE(r.ex.follow.sent.empty());
    expect(r.judge(), Verdict::fail, "black hole");
}

TEST_P(Pmtu, FailsWhenTheErrorNamesNoUsableMtu) {
    START(r, GetParam());
    got(r.ex.probe, error_seen(r.setup, r.probe(), frag_needed(1500)));
    r.follow();
    EXPECT_TRUE(r.ex.follow.sent.empty());
    expect(r.judge(), Verdict::fail, "not usable");
}

TEST_P(Pmtu, FailsWhenTheErrorNamesMtu0) {
    // An RFC 792-only router: the error comes but names no MTU to learn.
    START(r, GetParam());
    got(r.ex.probe, error_seen(r.setup, r.probe(), frag_needed(0)));
    r.follow();
    EXPECT_TRUE(r.ex.follow.sent.empty());
    expect(r.judge(), Verdict::fail);
}

TEST_P(Pmtu, NotApplicableWhenThePathTakes1500) {
    START(r, GetParam());
    got(r.ex.probe, forwarded_seen(r.setup, r.probe()));
    r.follow();
    EXPECT_TRUE(r.ex.follow.sent.empty());
    expect(r.judge(), Verdict::not_applicable, "went through");
}

INSTANTIATE_TEST_SUITE_P(ConformChecks, Pmtu, ::testing::Values("v4.pmtu.stream", "v6.pmtu.stream"),
                         [](const auto& p) {
                             return std::string(p.param[1] == '4' ? "v4" : "v6");
                         });

// ============================================================================================
// Destination Unreachable and Parameter Problem.

TEST(ConformParamProblem, NextHeaderPointer) {
    START(r, "v6.pp.nexthdr");
    got(r.ex.probe, error_seen(r.setup, r.probe(), Err{.type = 4, .code = 1, .word = 6}));
    expect(r.judge(), Verdict::pass, "ICMPv6 4/1");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), Err{.type = 4, .code = 1, .word = 40})};
    expect(r.judge(), Verdict::fail, "pointer 40");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), Err{.type = 4, .code = 0, .word = 6})};
    expect(r.judge(), Verdict::fail, "no 4/1");
}

struct Expected {
    const char* id;
    std::uint8_t type, code;
    std::uint32_t word;
};

void PrintTo(const Expected& x, std::ostream* os) {
    *os << x.id;
}

class Unreachable : public ::testing::TestWithParam<Expected> {};

TEST_P(Unreachable, PassesOnItsErrorOnly) {
    const Expected& x = GetParam();
    START(r, x.id);
    expect(r.judge(), Verdict::fail, "got nothing");
    const Err right{.type = x.type, .code = x.code, .word = x.word};
    got(r.ex.probe, error_seen(r.setup, r.probe(), right));
    expect(r.judge(), Verdict::pass);

    Err wrong_code = right;
    wrong_code.code = static_cast<std::uint8_t>(x.code + 1);
    r.ex.probe.got = {error_seen(r.setup, r.probe(), wrong_code)};
    expect(r.judge(), Verdict::fail, "no ");

    Err stranger = right;
    stranger.src4 = ip4("198.18.0.77");
    stranger.src6 = ip6("2001:2::77");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), stranger)};
    expect(r.judge(), Verdict::fail, "not a unicast address of the RUT");
}

INSTANTIATE_TEST_SUITE_P(
    ConformChecks, Unreachable,
    ::testing::Values(Expected{"v4.unreach.net", 3, 0, 0}, Expected{"v6.unreach.noroute", 1, 0, 0},
                      Expected{"v4.unreach.host", 3, 1, 0}, Expected{"v6.unreach.addr", 1, 3, 0},
                      Expected{"v4.unreach.port", 3, 3, 0}, Expected{"v6.unreach.port", 1, 4, 0},
                      Expected{"v4.unreach.proto", 3, 2, 0}, Expected{"v6.pp.nexthdr", 4, 1, 6},
                      Expected{"v6.pp.fraglen", 4, 0, 4}, Expected{"v6.pp.option", 4, 2, 42},
                      Expected{"v6.pp.option.mcast", 4, 2, 42}),
    [](const auto& p) {
        std::string n = p.param.id;
        std::replace_if(
            n.begin(), n.end(), [](char c) { return c == '.' || c == '-'; }, '_');
        return n;
    });

TEST(ConformUnreachable, OptionToMulticastAnsweredFromTheGroupFails) {
    START(r, "v6.pp.option.mcast");
    got(r.ex.probe,
        error_seen(r.setup, r.probe(),
                   Err{.type = 4, .code = 2, .word = 42, .src6 = Ipv6Addr::all_nodes()}));
    expect(r.judge(), Verdict::fail, "ff02::1");
}

// ============================================================================================
// Silence checks: the control must get its message, the probe nothing.

enum class Control : std::uint8_t { time_exceeded, port_unreachable, echo_reply };

struct Silent {
    const char* id;
    Control control;
};

void PrintTo(const Silent& s, std::ostream* os) {
    *os << s.id;
}

class Silence : public ::testing::TestWithParam<Silent> {
protected:
    // What a conforming RUT answers the control with.
    static Seen control_answer(const Trial& r) {
        const bool v6 = r.check->family == Family::v6;
        switch (GetParam().control) {
            case Control::time_exceeded:
                return error_seen(r.setup, r.control(), te(v6));
            case Control::port_unreachable:
                return error_seen(r.setup, r.control(),
                                  v6 ? Err{.type = 1, .code = 4} : Err{.type = 3, .code = 3});
            case Control::echo_reply:
                return echo_reply_seen(r.control());
        }
        return Seen{};
    }
    // The error a non-conforming RUT sends for the probe (the same kind as the control's, or
    // for an echo pair a Parameter Problem).
    static Seen probe_error(const Trial& r) {
        const bool v6 = r.check->family == Family::v6;
        switch (GetParam().control) {
            case Control::time_exceeded:
                return error_seen(r.setup, r.probe(), te(v6));
            case Control::port_unreachable:
                return error_seen(r.setup, r.probe(),
                                  v6 ? Err{.type = 1, .code = 4} : Err{.type = 3, .code = 3});
            case Control::echo_reply:
                return error_seen(r.setup, r.probe(),
                                  v6 ? Err{.type = 4, .code = 1} : Err{.type = 12, .code = 0});
        }
        return Seen{};
    }
};

TEST_P(Silence, TheControlsAnswerIsNotTakenForTheProbes) {
    START(r, GetParam().id);
    ASSERT_EQ(r.ex.control.sent.size(), 1U);
    // The probe is told apart from its control: the control's error does not quote the probe.
    const Phase ph{r.ex.probe.sent, {control_answer(r)}};
    EXPECT_EQ(any_error(ph), nullptr);
    EXPECT_EQ(echo_reply(ph), nullptr);
}

TEST_P(Silence, PassesWhenTheControlGotItsMessageAndTheProbeNothing) {
    START(r, GetParam().id);
    got(r.ex.control, control_answer(r));
    expect(r.judge(), Verdict::pass, "control got its");
}

TEST_P(Silence, FailsWhenTheProbeGotAnError) {
    START(r, GetParam().id);
    got(r.ex.control, control_answer(r));
    got(r.ex.probe, probe_error(r));
    expect(r.judge(), Verdict::fail, r.check->family == Family::v6 ? "ICMPv6" : "ICMP");
}

TEST_P(Silence, InconclusiveWhenTheControlGotNothing) {
    START(r, GetParam().id);
    expect(r.judge(), Verdict::inconclusive, "control got no");
}

TEST_P(Silence, NeverPassesWhenTheControlGotNothing) {
    START(r, GetParam().id);
    got(r.ex.probe, probe_error(r));
    EXPECT_NE(r.judge().verdict, Verdict::pass);
}

TEST_P(Silence, InconclusiveWhenTheControlsAnswerIsForAnotherDatagram) {
    // A rate-limited RUT answering only an earlier datagram (another source port / ID /
    // identifier): not the control's message.
    START(r, GetParam().id);
    Frame other = r.control();
    const bool v6 = r.check->family == Family::v6;
    if (GetParam().control == Control::echo_reply) {
        other[l3_offset + (v6 ? 40 : 20) + 7] ^= 0x40;  // the echo sequence
        r.ex.control.got = {echo_reply_seen(other)};
    } else {
        other[l3_offset + (v6 ? 40 : 20)] ^= 0x40;  // the UDP source port
        const Seen answer = control_answer(r);
        r.ex.control.got = {error_seen(
            r.setup, other, Err{.type = answer.l3.icmp_type, .code = answer.l3.icmp_code})};
    }
    expect(r.judge(), Verdict::inconclusive, "control got no");
}

TEST_P(Silence, ALateControlAnswerInTheProbePhaseIsNotTheProbes) {
    START(r, GetParam().id);
    // The control's message (a duplicate, or one that came after the control's listening
    // ended) heard while listening for the probe: the probe still got nothing.
    got(r.ex.control, control_answer(r));
    got(r.ex.probe, control_answer(r));
    expect(r.judge(), Verdict::pass, "control got its");
}

INSTANTIATE_TEST_SUITE_P(
    ConformChecks, Silence,
    ::testing::Values(Silent{"v4.noerr.icmp-error", Control::time_exceeded},
                      Silent{"v6.noerr.icmp-error", Control::time_exceeded},
                      Silent{"v4.noerr.fragment", Control::time_exceeded},
                      Silent{"v4.noerr.bcast-directed", Control::time_exceeded},
                      Silent{"v4.noerr.bcast-limited", Control::port_unreachable},
                      Silent{"v4.noerr.mcast", Control::port_unreachable},
                      Silent{"v4.noerr.ll-bcast", Control::port_unreachable},
                      Silent{"v4.noerr.ll-mcast", Control::port_unreachable},
                      Silent{"v4.noerr.src-zero", Control::port_unreachable},
                      Silent{"v4.noerr.src-loopback", Control::port_unreachable},
                      Silent{"v4.noerr.src-multicast", Control::port_unreachable},
                      Silent{"v4.noerr.src-reserved", Control::port_unreachable},
                      Silent{"v4.drop.bad-checksum", Control::port_unreachable},
                      Silent{"v6.noerr.mcast", Control::port_unreachable},
                      Silent{"v6.noerr.ll-mcast", Control::port_unreachable},
                      Silent{"v6.noerr.ll-bcast", Control::port_unreachable},
                      Silent{"v6.noerr.src-unspecified", Control::port_unreachable},
                      Silent{"v6.noerr.src-multicast", Control::port_unreachable},
                      Silent{"v4.noreply.unknown-type", Control::echo_reply},
                      Silent{"v6.noreply.unknown-info", Control::echo_reply},
                      Silent{"v6.noreply.echo-unspecified", Control::echo_reply},
                      Silent{"v6.noreply.echo-loopback", Control::echo_reply}),
    [](const auto& p) {
        std::string n = p.param.id;
        std::replace_if(
            n.begin(), n.end(), [](char c) { return c == '.' || c == '-'; }, '_');
        return n;
    });

TEST(ConformSilence, UnknownTypeFailsOnAnyIcmpFromTheRutToTheSource) {
    START(r, "v4.noreply.unknown-type");
    expect(r.judge(), Verdict::inconclusive, "Echo Reply");
    got(r.ex.control, echo_reply_seen(r.control()));
    expect(r.judge(), Verdict::pass);
    // Something that is neither an error nor an echo reply: an answer of made-up type 100.
    Msg m;
    m.src4 = *r.setup.rut_in4;
    m.dst4 = r.ctx.src4();
    m.type = 100;
    m.body = {1, 2, 3, 4};
    got(r.ex.probe, Seen::parse(0, 1'000'000, message(m)));
    expect(r.judge(), Verdict::fail, "ICMP 100/0");
    // The same from a stranger is not the RUT's answer.
    r.ex.probe.got.clear();
    m.src4 = ip4("198.18.0.77");
    got(r.ex.probe, Seen::parse(0, 1'000'000, message(m)));
    expect(r.judge(), Verdict::pass);
}

TEST(ConformSilence, FirstFragmentIsOwedItsTimeExceeded) {
    START(r, "v4.te.fragment0");
    expect(r.judge(), Verdict::fail, "no Time Exceeded");
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(false)));
    expect(r.judge(), Verdict::pass, "ICMP 11/0");
}

// ============================================================================================
// Redirects, RFC 4884 extensions.

TEST(ConformRedirect, V4) {
    START(r, "v4.redirect");
    EXPECT_EQ(facts_of(r.probe()).dst4, ip4("198.18.0.1"));
    expect(r.judge(), Verdict::not_applicable, "not forwarded back out");
    got(r.ex.probe, forwarded_seen(r.setup, r.probe(), 0));
    expect(r.judge(), Verdict::not_applicable, "the datagram was forwarded back out");

    const std::uint32_t gw = ip4("198.18.0.1").to_u32();
    got(r.ex.probe, error_seen(r.setup, r.probe(), Err{.type = 5, .code = 1, .word = gw}));
    expect(r.judge(), Verdict::pass, "gateway 198.18.0.1");

    r.ex.probe.got = {error_seen(r.setup, r.probe(),
                                 Err{.type = 5, .code = 1, .word = ip4("198.18.0.254").to_u32()})};
    expect(r.judge(), Verdict::fail, "gateway 198.18.0.254");
    r.ex.probe.got = {error_seen(r.setup, r.probe(), Err{.type = 5, .code = 4, .word = gw})};
    expect(r.judge(), Verdict::fail, "code 4");
}

TEST(ConformRedirect, V6) {
    START(r, "v6.redirect");
    const Ipv6Addr dst = facts_of(r.probe()).dst6;
    EXPECT_EQ(dst, ip6("2001:2::1"));
    expect(r.judge(), Verdict::not_applicable, "no Redirect");
    Msg m;
    m.v6 = true;
    m.src6 = ip6("fe80::ff:fe00:fe");
    m.dst6 = r.ctx.src6();
    m.type = 137;
    m.ttl = 255;
    m.body.assign(dst.bytes.begin(), dst.bytes.end());
    m.body.insert(m.body.end(), dst.bytes.begin(), dst.bytes.end());
    got(r.ex.probe, Seen::parse(0, 1'000'000, message(m)));
    expect(r.judge(), Verdict::pass, "target = destination");
    m.ttl = 64;
    r.ex.probe.got = {Seen::parse(0, 1'000'000, message(m))};
    expect(r.judge(), Verdict::fail, "hop limit 64");
    m.ttl = 255;
    m.body[15] = 0x02;  // another target
    r.ex.probe.got = {Seen::parse(0, 1'000'000, message(m))};
    expect(r.judge(), Verdict::fail, "target");
}

TEST(ConformExtensions, V4Rfc4884) {
    START(r, "v4.ext.rfc4884");
    expect(r.judge(), Verdict::inconclusive, "no Time Exceeded");
    got(r.ex.probe, error_seen(r.setup, r.probe(), te(false)));
    expect(r.judge(), Verdict::not_applicable, "no RFC 4884 length");

    // 128 B of original datagram, then an extension structure: version 2, one RFC 5837
    // object (class 2, c-type 0x0b, 8 B), its checksum right.
    auto with_extension = [&](std::uint8_t version) {
        Err e = te(false);
        e.quote = 128;
        e.word = 32U << 16;
        e.edit_quote = [version](Frame& q) {
            Frame ext = {
                static_cast<std::uint8_t>(version << 4), 0, 0, 0, 0, 8, 2, 0x0b, 0, 0, 0, 1};
            put16(ext, 2, inet_checksum(ext));
            q.insert(q.end(), ext.begin(), ext.end());
        };
        return error_seen(r.setup, r.probe(), e);
    };
    r.ex.probe.got = {with_extension(2)};
    expect(r.judge(), Verdict::pass, "2/11");
    r.ex.probe.got = {with_extension(1)};
    expect(r.judge(), Verdict::fail, "version 1");
}

TEST(ConformEcho, AllNodesEchoAnsweredFromAUnicastAddress) {
    START(r, "v6.echo.allnodes");
    expect(r.judge(), Verdict::fail, "no Echo Reply");
    got(r.ex.probe, echo_reply_seen(r.probe()));  // from ff02::1, the group itself
    expect(r.judge(), Verdict::fail, "multicast");
    r.ex.probe.got = {echo_reply_seen(r.probe(), *r.setup.rut_in6)};
    expect(r.judge(), Verdict::pass, "2001:2::fe");
}

// ============================================================================================
// The catalogue as a whole.

TEST(ConformCatalogue, RowsAreCompleteAndIdsUnique) {
    const auto all = catalogue();
    EXPECT_GE(all.size(), 50U);
    std::set<std::string> ids;
    for (const Check& c : all) {
        ASSERT_NE(c.id, nullptr);
        SCOPED_TRACE(c.id);
        EXPECT_TRUE(ids.insert(c.id).second) << "duplicate ID";
        ASSERT_NE(c.rfc, nullptr);
        EXPECT_NE(std::string_view(c.rfc), "");
        EXPECT_TRUE(std::string_view(c.rfc).starts_with("RFC ")) << c.rfc;
        ASSERT_NE(c.expect, nullptr);
        EXPECT_NE(std::string_view(c.expect), "");
        EXPECT_NE(c.plan, nullptr);
        EXPECT_NE(c.judge, nullptr);
        EXPECT_TRUE(std::string_view(c.id).starts_with(c.family == Family::v6 ? "v6." : "v4."));
    }
}

TEST(ConformCatalogue, PlansRunOnTheBenchInTheirFamily) {
    const conform::Setup s = bench();
    const auto all = catalogue();
    std::set<std::uint32_t> sources;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Check& c = all[i];
        SCOPED_TRACE(c.id);
        const Ctx ctx{&s, static_cast<unsigned>(i)};
        EXPECT_TRUE(sources.insert(ctx.src4().to_u32()).second) << "two checks share a source";
        const Plan plan = c.plan(ctx);
        EXPECT_FALSE(plan.na) << *plan.na;
        EXPECT_FALSE(plan.probe.empty());
        for (const auto* phase : {&plan.control, &plan.probe})
            for (const Tx& tx : *phase) {
                EXPECT_EQ(tx.port, 0);
                const Seen seen = Seen::parse(0, 0, tx.bytes);
                EXPECT_TRUE(seen.ip);
                EXPECT_EQ(seen.l3.v6, c.family == Family::v6);
                EXPECT_EQ(seen.src_mac, s.in_mac);
            }
    }
}

// The honesty rule: a RUT that answers nothing (and forwards nothing) never passes a check.
TEST(ConformCatalogue, ASilentRutPassesNothing) {
    const conform::Setup s = bench();
    const auto all = catalogue();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Check& c = all[i];
        SCOPED_TRACE(c.id);
        const Ctx ctx{&s, static_cast<unsigned>(i)};
        const Plan plan = c.plan(ctx);
        Exchange ex;
        ex.control.sent = plan.control;
        ex.probe.sent = plan.probe;
        if (c.follow != nullptr) ex.follow.sent = c.follow(ctx, ex);
        const Result r = c.judge(ctx, ex);
        EXPECT_NE(r.verdict, Verdict::pass) << r.evidence;
        EXPECT_FALSE(r.evidence.empty());
    }
}

}  // namespace
}  // namespace pw::conform
