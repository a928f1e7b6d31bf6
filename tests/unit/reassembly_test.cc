// Reassembler: IPv4 (RFC 791 3.2) and IPv6 (RFC 8200 4.5) reassembly, overlaps (RFC 5722),
// atomic fragments (RFC 6946), the bounds (table, fragments per datagram, 65535), and expiry
// with the offset-0 fragment handed back for a Time Exceeded code 1.
//
// The fragments here are cut by the test's own small fragmenters (independent of
// lib/icmp/fragment.cc, which fragment_test.cc checks against scapy and round-trips).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "lib/icmp/icmp_error.hh"
#include "lib/icmp/reassembly.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "tests/unit/test_util.hh"

namespace pw::icmp {
namespace {

namespace ipv4 = wire::ipv4;
namespace ipv6 = wire::ipv6;
using Buf = std::vector<std::byte>;
using Kind = Reassembler::Result::Kind;
using test::same_bytes;

constexpr std::uint64_t sec = 1'000'000'000;

Buf eth(std::uint16_t type, std::uint8_t src_tag = 2) {
    Buf b(wire::eth::header_len);
    wire::MacAddr src = test::peer_mac;
    src.bytes[5] = src_tag;
    wire::store_bytes(b, 0, test::us_mac);
    wire::store_bytes(b, 6, src);
    wire::store16(b, 12, type);
    return b;
}
Buf eth4(std::uint8_t tag = 2) {
    return eth(wire::eth::type_ipv4, tag);
}
Buf eth6(std::uint8_t tag = 2) {
    return eth(wire::eth::type_ipv6, tag);
}

// An ICMP echo request with data_len data bytes (what `ping -s data_len` sends).
void fill_echo(wire::Bytes icmp, std::uint8_t type, std::uint16_t seq) {
    wire::store8(icmp, 0, type);
    wire::store8(icmp, 1, 0);
    wire::store16(icmp, 2, 0);
    wire::store16(icmp, 4, 0x4242);
    wire::store16(icmp, 6, seq);
    for (std::size_t i = 8; i < icmp.size(); ++i)
        icmp[i] = std::byte{static_cast<std::uint8_t>(i * 31 + seq)};
}

Buf echo_v4(std::size_t data_len, std::uint16_t ident, wire::Ipv4Addr src = test::peer4,
            wire::Ipv4Addr dst = test::us4, std::uint8_t protocol = ipv4::proto_icmp) {
    Buf b(ipv4::min_header_len + 8 + data_len);
    ipv4::Repr{src, dst, protocol, 64, 0, ident, 0, static_cast<std::uint16_t>(8 + data_len)}.emit(
        b);
    const wire::Bytes icmp = wire::Bytes(b).subspan(ipv4::min_header_len);
    fill_echo(icmp, 8, ident);
    wire::store16(icmp, 2, wire::checksum(icmp));
    return b;
}

Buf echo_v6(std::size_t data_len, std::uint16_t seq, wire::Ipv6Addr src = test::peer6,
            wire::Ipv6Addr dst = test::us6) {
    Buf b(ipv6::header_len + 8 + data_len);
    const auto len = static_cast<std::uint16_t>(8 + data_len);
    ipv6::Repr{src, dst, ipv6::nh_icmp6, 64, 0, 0, len}.emit(b);
    const wire::Bytes icmp = wire::Bytes(b).subspan(ipv6::header_len);
    fill_echo(icmp, 128, seq);
    wire::store16(icmp, 2,
                  wire::checksum(icmp, wire::pseudo_sum_v6(src, dst, len, ipv6::nh_icmp6)));
    return b;
}

// RFC 791 3.2 by hand: option-less header, `chunk` data bytes (a multiple of 8) per fragment.
std::vector<Buf> frag_v4(const Buf& dg, std::size_t chunk) {
    std::vector<Buf> out;
    const std::size_t data = dg.size() - ipv4::min_header_len;
    for (std::size_t off = 0; off < data; off += chunk) {
        const std::size_t n = std::min(chunk, data - off);
        Buf f(ipv4::min_header_len + n);
        std::memcpy(f.data(), dg.data(), ipv4::min_header_len);
        std::memcpy(f.data() + ipv4::min_header_len, dg.data() + ipv4::min_header_len + off, n);
        wire::store16(f, ipv4::field::total_length, static_cast<std::uint16_t>(f.size()));
        const bool mf = off + n < data;
        wire::store16(f, ipv4::field::flags_frag,
                      static_cast<std::uint16_t>((mf ? ipv4::flag_mf : 0) | (off / 8)));
        wire::store16(f, ipv4::field::checksum, 0);
        wire::store16(f, ipv4::field::checksum,
                      wire::checksum(wire::ConstBytes(f).first(ipv4::min_header_len)));
        out.push_back(std::move(f));
    }
    return out;
}

// One IPv6 fragment: pkt's first `unfrag` bytes (NH at nh_field replaced by 44), a Fragment
// header, then data bytes [off, off + n) of the fragmentable part.
Buf frag6_piece(const Buf& pkt, std::size_t unfrag, std::size_t nh_field, std::size_t off,
                std::size_t n, bool more, std::uint32_t ident) {
    Buf f(unfrag + 8 + n);
    std::memcpy(f.data(), pkt.data(), unfrag);
    f[nh_field] = std::byte{ipv6::nh_fragment};
    f[unfrag] = pkt[nh_field];
    f[unfrag + 1] = std::byte{0};
    wire::store16(f, unfrag + 2, static_cast<std::uint16_t>(off | (more ? 1U : 0U)));
    wire::store32(f, unfrag + 4, ident);
    std::memcpy(f.data() + unfrag + 8, pkt.data() + unfrag + off, n);
    wire::store16(f, ipv6::field::payload_length,
                  static_cast<std::uint16_t>(f.size() - ipv6::header_len));
    return f;
}

// RFC 8200 4.5 by hand: `chunk` fragmentable bytes (a multiple of 8) per fragment.
std::vector<Buf> frag_v6(const Buf& pkt, std::size_t chunk, std::uint32_t ident,
                         std::size_t unfrag = ipv6::header_len,
                         std::size_t nh_field = ipv6::field::next_header) {
    std::vector<Buf> out;
    const std::size_t data = pkt.size() - unfrag;
    for (std::size_t off = 0; off < data; off += chunk) {
        const std::size_t n = std::min(chunk, data - off);
        out.push_back(frag6_piece(pkt, unfrag, nh_field, off, n, off + n < data, ident));
    }
    return out;
}

bool is_v6(wire::ConstBytes l3) {
    return (std::to_integer<unsigned>(l3[0]) >> 4) == 6;
}

// What the caller's walk_extensions says of a fragment. insert_v6 reads the Fragment header
// itself and needs only up.fragment: walk_extensions cannot parse a non-first fragment whose
// Fragment header names an extension header (the fragment holds data there, not a header),
// so that case is given up.fragment alone, as a caller that stops at the Fragment header would.
ipv6::UpperLayer frag_up(wire::ConstBytes l3) {
    const auto w = ipv6::walk_extensions(l3);
    if (w.upper) return *w.upper;
    ipv6::UpperLayer up;
    up.fragment = true;
    return up;
}

Reassembler::Result ins(Reassembler& r, const Buf& l2, const Buf& l3, std::uint64_t now,
                        std::uint16_t port = 0) {
    if (is_v6(l3)) return r.insert_v6(l2, l3, frag_up(l3), port, now);
    return r.insert_v4(l2, l3, port, now);
}

enum class Order { in_order, reverse, shuffled };

std::vector<std::size_t> order_of(std::size_t n, Order o, std::uint32_t seed = 20240601) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    if (o == Order::reverse) std::reverse(idx.begin(), idx.end());
    if (o == Order::shuffled) {
        // Fisher-Yates with a fixed seed (not std::shuffle: its output differs per library).
        std::mt19937 rng(seed);
        for (std::size_t i = n - 1; i > 0; --i) std::swap(idx[i], idx[rng() % (i + 1)]);
    }
    return idx;
}

Reassembler make(ReassemblyConfig c = {}) {
    Reassembler r;
    r.configure(c);
    return r;
}

// Feeds every fragment in the given order; all but the last must be pending, the last must
// complete with [l2][original]. Returns the completed frame's bytes.
void expect_reassembles(Reassembler& r, const std::vector<Buf>& frags, const Buf& original, Order o,
                        std::uint64_t now = 1000) {
    const Buf l2 = is_v6(original) ? eth6() : eth4();
    const auto idx = order_of(frags.size(), o);
    for (std::size_t k = 0; k < idx.size(); ++k) {
        const auto res = ins(r, l2, frags[idx[k]], now + k);
        if (k + 1 < idx.size()) {
            ASSERT_EQ(res.kind, Kind::pending)
                << "fragment " << idx[k] << " (" << k << "th): " << wire::drop_name(res.reason);
            continue;
        }
        ASSERT_EQ(res.kind, Kind::complete) << wire::drop_name(res.reason);
        ASSERT_EQ(res.l2_len, l2.size());
        EXPECT_TRUE(same_bytes(res.frame.first(res.l2_len), l2));
        EXPECT_TRUE(same_bytes(res.frame.subspan(res.l2_len), original));
        // The frame is writable, with tail_room bytes of room after it (ASan checks the bound).
        std::memset(res.frame.data() + res.frame.size(), 0xEE, Reassembler::tail_room);
        if (!is_v6(original)) {
            const auto ip = ipv4::View<const std::byte>::checked(res.frame.subspan(res.l2_len));
            ASSERT_TRUE(ip.ok());
            EXPECT_TRUE(ip->header_checksum_ok());
            EXPECT_FALSE(ip->is_fragment());
        }
    }
}

// ---- whole datagrams

TEST(Reassembly, V4EchoInAnyOrder) {
    for (const std::size_t size : {std::size_t{8000}, std::size_t{65000}}) {
        for (const Order o : {Order::in_order, Order::reverse, Order::shuffled}) {
            SCOPED_TRACE(testing::Message()
                         << "ping -s " << size << " order " << static_cast<int>(o));
            auto r = make();
            const Buf dg = echo_v4(size, 0x1000);
            const auto frags = frag_v4(dg, 1480);  // MTU 1500
            expect_reassembles(r, frags, dg, o);
            EXPECT_EQ(r.in_use(), 0U);
            EXPECT_EQ(r.stats().reqds, frags.size());
            EXPECT_EQ(r.stats().oks, 1U);
            EXPECT_EQ(r.stats().fails, 0U);
        }
    }
}

TEST(Reassembly, V6EchoInAnyOrder) {
    for (const std::size_t size : {std::size_t{8000}, std::size_t{65000}}) {
        for (const Order o : {Order::in_order, Order::reverse, Order::shuffled}) {
            SCOPED_TRACE(testing::Message()
                         << "ping -6 -s " << size << " order " << static_cast<int>(o));
            auto r = make();
            const Buf pkt = echo_v6(size, 7);
            const auto frags = frag_v6(pkt, 1448, 0xabcd0001);  // MTU 1500
            expect_reassembles(r, frags, pkt, o);
            EXPECT_EQ(r.in_use(), 0U);
            EXPECT_EQ(r.stats().oks, 1U);
            EXPECT_EQ(r.stats().fails, 0U);
        }
    }
}

TEST(Reassembly, FortyFiveAndMoreFragments) {
    // `ping -s 65507` (the largest, 65535 bytes) at MTU 1500: 45 fragments (the default
    // limit is 128).
    const Buf dg = echo_v4(65507, 1);
    const auto frags = frag_v4(dg, 1480);
    ASSERT_GE(frags.size(), 45U);
    auto r = make();
    expect_reassembles(r, frags, dg, Order::shuffled);
    // At MTU 576 (552 data bytes each): 119 fragments, still within 128.
    const auto small = frag_v4(dg, 552);
    ASSERT_EQ(small.size(), 119U);
    expect_reassembles(r, small, dg, Order::reverse);
    // Exactly max_fragments fragments is allowed.
    auto exact = make({.max_fragments = 45});
    expect_reassembles(exact, frags, dg, Order::in_order);
}

TEST(Reassembly, V4HeaderFromTheFirstFragmentWithOptions) {
    // The offset-0 fragment carries options (Router Alert, copied); the others do not. The
    // reassembled header is the first fragment's, with total length, flags and checksum fixed.
    const Buf dg = echo_v4(3000, 0x2222);
    auto frags = frag_v4(dg, 1480);
    ASSERT_EQ(frags.size(), 3U);
    Buf first(24 + 1480);
    std::memcpy(first.data(), frags[0].data(), 20);
    const std::uint8_t ra[4] = {0x94, 0x04, 0x00, 0x00};
    std::memcpy(first.data() + 20, ra, 4);
    std::memcpy(first.data() + 24, frags[0].data() + 20, 1480);
    wire::store8(first, 0, 0x46);
    wire::store16(first, ipv4::field::total_length, static_cast<std::uint16_t>(first.size()));
    wire::store16(first, ipv4::field::flags_frag, ipv4::flag_df | ipv4::flag_mf);
    wire::store16(first, ipv4::field::checksum, 0);
    wire::store16(first, ipv4::field::checksum, wire::checksum(wire::ConstBytes(first).first(24)));
    frags[0] = first;

    auto r = make();
    const Buf l2 = eth4();
    EXPECT_EQ(ins(r, l2, frags[2], 1).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, frags[0], 2).kind, Kind::pending);
    const auto res = ins(r, l2, frags[1], 3);
    ASSERT_EQ(res.kind, Kind::complete);
    const auto ip = ipv4::View<const std::byte>::checked(res.frame.subspan(res.l2_len));
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip->header_length(), 24U);
    EXPECT_EQ(ip->total_length(), 24 + 3008);
    EXPECT_TRUE(ip->header_checksum_ok());
    EXPECT_TRUE(ip->dont_fragment());  // DF kept, MF and offset cleared
    EXPECT_FALSE(ip->is_fragment());
    EXPECT_TRUE(same_bytes(ip->options(), wire::ConstBytes(first).subspan(20, 4)));
    EXPECT_TRUE(same_bytes(ip->payload(), wire::ConstBytes(dg).subspan(20)));
}

TEST(Reassembly, V6ExtensionHeaders) {
    // RFC 8200 4.5: Hop-by-Hop (unfragmentable) before the Fragment header, Destination
    // Options (fragmentable) after it. The reassembled packet keeps the Hop-by-Hop header
    // from the offset-0 fragment, loses the Fragment header, and the Hop-by-Hop's Next
    // Header becomes the Fragment header's (60, Destination Options).
    const Buf inner = echo_v6(3000, 3);
    Buf pkt(inner.size() + 16);
    std::memcpy(pkt.data(), inner.data(), 40);
    const std::uint8_t hbh[8] = {ipv6::nh_dest_opts, 0, 1, 4, 0, 0, 0, 0};  // PadN
    const std::uint8_t dst[8] = {ipv6::nh_icmp6, 0, 1, 4, 0, 0, 0, 0};
    std::memcpy(pkt.data() + 40, hbh, 8);
    std::memcpy(pkt.data() + 48, dst, 8);
    std::copy(inner.begin() + 40, inner.end(), pkt.begin() + 56);
    wire::store8(pkt, ipv6::field::next_header, ipv6::nh_hop_by_hop);
    wire::store16(pkt, ipv6::field::payload_length, static_cast<std::uint16_t>(pkt.size() - 40));
    // Unfragmentable part: 48 bytes; the Hop-by-Hop header's Next Header is at 40.
    const auto frags = frag_v6(pkt, 1232, 77, 48, 40);
    ASSERT_EQ(frags.size(), 3U);
    auto r = make();
    expect_reassembles(r, frags, pkt, Order::shuffled);
}

TEST(Reassembly, InterleavedDatagramsWithDistinctKeys) {
    // Same identification but another source, another protocol (IPv4), another port, and
    // another identification: five datagrams in flight, fragments interleaved.
    const Buf a = echo_v4(8000, 0x3333);
    const Buf b = echo_v4(8000, 0x3333, test::ip4("198.18.0.3"));
    const Buf c = echo_v4(8000, 0x3333, test::peer4, test::us4, ipv4::proto_udp);
    const Buf d = echo_v4(8000, 0x3334);
    const Buf e = echo_v6(8000, 0x3333);
    struct Stream {
        std::vector<Buf> frags;
        const Buf* original;
        std::uint16_t port;
    };
    std::vector<Stream> streams = {{frag_v4(a, 1480), &a, 0},        {frag_v4(b, 1480), &b, 0},
                                   {frag_v4(c, 1480), &c, 0},        {frag_v4(d, 1480), &d, 0},
                                   {frag_v4(a, 1480), &a, 1},  // the same datagram on port 1
                                   {frag_v6(e, 1448, 0x3333), &e, 0}};
    auto r = make();
    std::size_t completed = 0;
    std::size_t rounds = 0;
    std::vector<std::vector<std::size_t>> orders;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        orders.push_back(
            order_of(streams[i].frags.size(), Order::shuffled, static_cast<std::uint32_t>(i)));
        rounds = std::max(rounds, streams[i].frags.size());
    }
    for (std::size_t k = 0; k < rounds; ++k) {
        for (std::size_t i = 0; i < streams.size(); ++i) {
            const Stream& s = streams[i];
            if (k >= s.frags.size()) continue;
            const auto res =
                ins(r, is_v6(*s.original) ? eth6() : eth4(), s.frags[orders[i][k]], k, s.port);
            if (k + 1 < s.frags.size()) {
                EXPECT_EQ(res.kind, Kind::pending) << wire::drop_name(res.reason);
            } else {
                ASSERT_EQ(res.kind, Kind::complete) << wire::drop_name(res.reason);
                EXPECT_TRUE(same_bytes(res.frame.subspan(res.l2_len), *s.original));
                ++completed;
            }
        }
        if (k == 0) {
            EXPECT_EQ(r.in_use(), streams.size());
        }
    }
    EXPECT_EQ(completed, streams.size());
    EXPECT_EQ(r.in_use(), 0U);
}

TEST(Reassembly, NotAFragmentPassesThrough) {
    auto r = make();
    const Buf dg = echo_v4(100, 5);
    const Buf l2 = eth4();
    const auto res = r.insert_v4(l2, dg, 0, 1);
    ASSERT_EQ(res.kind, Kind::complete);
    EXPECT_TRUE(same_bytes(res.frame.subspan(res.l2_len), dg));
    EXPECT_EQ(r.in_use(), 0U);
}

TEST(Reassembly, FrameMayBeFedBackIn) {
    // The completed frame stays valid through the next call (its slot is released when that
    // call returns), so passing it back in (a second, nested Fragment header) is safe.
    const Buf pkt = echo_v6(3000, 11);
    const auto inner = frag_v6(pkt, 1448, 1);  // three fragments
    // Fragment each fragment again: nested Fragment headers (fragment of fragment).
    std::vector<Buf> outer;
    for (const auto& f : inner) {
        auto pieces = frag_v6(f, 1024, 2 + static_cast<std::uint32_t>(outer.size()));
        for (auto& p : pieces) outer.push_back(std::move(p));
    }
    auto r = make({.max_datagrams = 4});
    const Buf l2 = eth6();
    std::size_t done = 0;
    for (const auto& f : outer) {
        auto res = ins(r, l2, f, 1);
        ASSERT_NE(res.kind, Kind::dropped) << wire::drop_name(res.reason);
        if (res.kind != Kind::complete) continue;
        // The completed outer datagram is an inner fragment: feed it back straight away.
        const auto l3 = res.frame.subspan(res.l2_len);
        const auto res2 = r.insert_v6(res.frame.first(res.l2_len), l3, frag_up(l3), 0, 2);
        ASSERT_NE(res2.kind, Kind::dropped) << wire::drop_name(res2.reason);
        if (res2.kind == Kind::complete) {
            ++done;
            EXPECT_TRUE(same_bytes(res2.frame.subspan(res2.l2_len), pkt));
            EXPECT_TRUE(same_bytes(res2.frame.first(res2.l2_len), l2));
        }
    }
    EXPECT_EQ(done, 1U);
}

// ---- atomic fragments

TEST(Reassembly, V6AtomicFragmentInIsolation) {
    // RFC 6946 4: offset 0 and M clear: complete at once, Fragment header removed, without
    // touching the pending datagram with the same identification.
    const Buf big = echo_v6(8000, 1);
    const auto frags = frag_v6(big, 1448, 0x5555);
    auto r = make();
    const Buf l2 = eth6();
    EXPECT_EQ(ins(r, l2, frags[0], 1).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, frags[1], 2).kind, Kind::pending);
    EXPECT_EQ(r.in_use(), 1U);

    const Buf small = echo_v6(56, 2);
    const auto atomic =
        frag6_piece(small, 40, ipv6::field::next_header, 0, small.size() - 40, false, 0x5555);
    const auto res = ins(r, l2, atomic, 3);
    ASSERT_EQ(res.kind, Kind::complete);
    EXPECT_TRUE(same_bytes(res.frame.subspan(res.l2_len), small));
    EXPECT_TRUE(same_bytes(res.frame.first(res.l2_len), l2));
    EXPECT_EQ(r.in_use(), 1U);

    // The pending datagram is unaffected and completes (in an order where the atomic
    // result's buffer is needed no more).
    for (std::size_t i = 2; i < frags.size(); ++i) {
        const auto x = ins(r, l2, frags[i], 4);
        if (i + 1 < frags.size()) {
            EXPECT_EQ(x.kind, Kind::pending);
        } else {
            ASSERT_EQ(x.kind, Kind::complete);
            EXPECT_TRUE(same_bytes(x.frame.subspan(x.l2_len), big));
        }
    }
    EXPECT_EQ(r.stats().oks, 2U);
}

TEST(Reassembly, AtomicResultsStayValidThroughTheNextCall) {
    auto r = make();
    const Buf l2 = eth6();
    const Buf p1 = echo_v6(100, 1);
    const Buf p2 = echo_v6(200, 2);
    const auto a1 = frag6_piece(p1, 40, 6, 0, p1.size() - 40, false, 1);
    const auto a2 = frag6_piece(p2, 40, 6, 0, p2.size() - 40, false, 2);
    const auto r1 = ins(r, l2, a1, 1);
    const auto r2 = ins(r, l2, a2, 2);
    ASSERT_EQ(r1.kind, Kind::complete);
    ASSERT_EQ(r2.kind, Kind::complete);
    EXPECT_TRUE(same_bytes(r1.frame.subspan(r1.l2_len), p1));
    EXPECT_TRUE(same_bytes(r2.frame.subspan(r2.l2_len), p2));
}

// ---- overlaps (RFC 5722)

TEST(Reassembly, PartialOverlapDropsTheDatagram) {
    for (const bool v6 : {false, true}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        const Buf dg = v6 ? echo_v6(4000, 1) : echo_v4(4000, 1);
        const auto frags = v6 ? frag_v6(dg, 1448, 9) : frag_v4(dg, 1480);
        // A fragment starting 16 bytes before the end of the first one.
        Buf overlap;
        if (v6) {
            overlap = frag6_piece(dg, 40, 6, 1432, 1448, true, 9);
        } else {
            overlap = frag_v4(dg, 1464)[1];  // [1464, 2928): overlaps [0, 1480) at its end
        }
        auto r = make();
        const Buf l2 = v6 ? eth6() : eth4();
        EXPECT_EQ(ins(r, l2, frags[0], 1).kind, Kind::pending);
        const auto res = ins(r, l2, overlap, 2);
        EXPECT_EQ(res.kind, Kind::dropped);
        EXPECT_EQ(res.reason, wire::Drop::reasm_overlap);
        EXPECT_FALSE(res.param_problem);
        EXPECT_EQ(r.stats().overlaps, 1U);
        EXPECT_EQ(r.in_use(), 0U);
        // RFC 5722 3: the fragments still on their way are discarded too, silently.
        for (std::size_t i = 1; i < frags.size(); ++i) {
            const auto x = ins(r, l2, frags[i], 3);
            EXPECT_EQ(x.kind, Kind::dropped);
            EXPECT_EQ(x.reason, wire::Drop::reasm_overlap);
        }
        EXPECT_EQ(r.stats().overlaps, 1U);
        // Nothing owed on expiry (the datagram was dropped, not timed out).
        int calls = 0;
        r.expire(100 * sec, [&](const Reassembler::Expired&) { ++calls; });
        EXPECT_EQ(calls, 0);
        EXPECT_EQ(r.stats().timeouts, 0U);
        // The key is free again afterwards.
        expect_reassembles(r, frags, dg, Order::in_order, 200 * sec);
    }
}

TEST(Reassembly, OverlapBeforeAndAfterAndInside) {
    const Buf dg = echo_v4(8000, 1);
    const auto frags = frag_v4(dg, 1480);  // [0,1480) [1480,2960) [2960,4440) ...
    const auto piece = [&](std::size_t off, std::size_t n, bool mf) {
        Buf f(20 + n);
        std::memcpy(f.data(), dg.data(), 20);
        std::copy_n(dg.begin() + static_cast<std::ptrdiff_t>(20 + off), n, f.begin() + 20);
        wire::store16(f, ipv4::field::total_length, static_cast<std::uint16_t>(f.size()));
        wire::store16(f, ipv4::field::flags_frag,
                      static_cast<std::uint16_t>((mf ? ipv4::flag_mf : 0) | (off / 8)));
        wire::store16(f, ipv4::field::checksum, 0);
        wire::store16(f, ipv4::field::checksum, wire::checksum(wire::ConstBytes(f).first(20)));
        return f;
    };
    const Buf l2 = eth4();
    struct Case {
        std::size_t off, n;
    };
    // With [1480,2960) held: a piece inside it, one covering it, one straddling its start,
    // one straddling its end.
    for (const Case c : {Case{1488, 8}, Case{1472, 1496}, Case{1472, 16}, Case{2952, 16}}) {
        SCOPED_TRACE(testing::Message() << "[" << c.off << "," << c.off + c.n << ")");
        auto r = make();
        ASSERT_EQ(ins(r, l2, frags[1], 1).kind, Kind::pending);
        const auto res = ins(r, l2, piece(c.off, c.n, true), 2);
        EXPECT_EQ(res.reason, wire::Drop::reasm_overlap);
    }
    // Adjacent pieces do not overlap.
    auto r = make();
    ASSERT_EQ(ins(r, l2, frags[1], 1).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, piece(1472, 8, true), 2).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, piece(2960, 8, true), 2).kind, Kind::pending);
}

TEST(Reassembly, ExactDuplicateIsAnOverlap) {
    for (const bool v6 : {false, true}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        const Buf dg = v6 ? echo_v6(4000, 1) : echo_v4(4000, 1);
        const auto frags = v6 ? frag_v6(dg, 1448, 9) : frag_v4(dg, 1480);
        auto r = make();
        const Buf l2 = v6 ? eth6() : eth4();
        EXPECT_EQ(ins(r, l2, frags[1], 1).kind, Kind::pending);
        const auto res = ins(r, l2, frags[1], 2);
        EXPECT_EQ(res.kind, Kind::dropped);
        EXPECT_EQ(res.reason, wire::Drop::reasm_overlap);
        EXPECT_EQ(r.stats().overlaps, 1U);
        EXPECT_EQ(r.stats().fails, 1U);
        EXPECT_EQ(r.in_use(), 0U);
    }
}

// ---- lengths

TEST(Reassembly, V4TooBig) {
    // Offset 65528 (8191 units) + 16 data bytes + 20 header bytes > 65535 (RFC 791 3.1).
    const Buf dg = echo_v4(8, 1);
    Buf f(20 + 16);
    std::memcpy(f.data(), dg.data(), 20);
    wire::store16(f, ipv4::field::total_length, 36);
    wire::store16(f, ipv4::field::flags_frag, 8191);
    wire::store16(f, ipv4::field::checksum, 0);
    wire::store16(f, ipv4::field::checksum, wire::checksum(wire::ConstBytes(f).first(20)));
    auto r = make();
    const auto res = ins(r, eth4(), f, 1);
    EXPECT_EQ(res.kind, Kind::dropped);
    EXPECT_EQ(res.reason, wire::Drop::reasm_too_big);
    EXPECT_FALSE(res.param_problem);
    EXPECT_EQ(r.in_use(), 0U);
}

TEST(Reassembly, V4TooBigWithTheFirstFragmentsHeader) {
    // Every fragment fits with a 20-byte header, but the offset-0 fragment has 40 bytes of
    // header: the whole would be 65536 bytes. Found on completion: the datagram is dropped.
    Buf body(65496);  // 20 + 65496 = 65516 fits; 40 + 65496 = 65536 does not
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = std::byte{static_cast<std::uint8_t>(i)};
    auto r = make();
    const Buf l2 = eth4();
    const auto hdr = [&](std::size_t ihl, std::size_t off, std::size_t n, bool mf) {
        Buf f(ihl + n, std::byte{1});  // options: NOPs
        ipv4::Repr{test::peer4, test::us4, 1, 64, 0, 0x7777, 0, 0}.emit(f);
        wire::store8(f, 0, static_cast<std::uint8_t>(0x40 | (ihl / 4)));
        wire::store16(f, ipv4::field::total_length, static_cast<std::uint16_t>(ihl + n));
        wire::store16(f, ipv4::field::flags_frag,
                      static_cast<std::uint16_t>((mf ? ipv4::flag_mf : 0) | (off / 8)));
        std::memcpy(f.data() + ihl, body.data() + off, n);
        wire::store16(f, ipv4::field::checksum, 0);
        wire::store16(f, ipv4::field::checksum, wire::checksum(wire::ConstBytes(f).first(ihl)));
        return f;
    };
    std::size_t off = 0;
    Kind last = Kind::pending;
    wire::Drop reason = wire::Drop::count_;
    while (off < body.size()) {
        const std::size_t n = std::min<std::size_t>(8000, body.size() - off);
        const auto res = ins(r, l2, hdr(off == 0 ? 40 : 20, off, n, off + n < body.size()), 1);
        last = res.kind;
        reason = res.reason;
        off += n;
    }
    EXPECT_EQ(last, Kind::dropped);
    EXPECT_EQ(reason, wire::Drop::reasm_too_big);
    EXPECT_EQ(r.in_use(), 0U);
}

TEST(Reassembly, V6TooBigPointsAtTheFragmentOffset) {
    // RFC 8200 4.5: offset 65528 + 16 bytes: Payload Length would exceed 65535. Parameter
    // Problem code 0 pointing at the Fragment Offset field (40 + 2).
    const Buf pkt = echo_v6(65520, 1);
    Buf big(40 + 8 + 16);
    const auto piece = frag6_piece(pkt, 40, 6, 65512, 16, false, 3);  // fits: 65528 bytes
    auto r = make();
    EXPECT_EQ(ins(r, eth6(), piece, 1).kind, Kind::pending);
    std::memcpy(big.data(), piece.data(), big.size());
    wire::store16(big, 42, static_cast<std::uint16_t>(65528));  // offset 65528, M clear
    const auto res = ins(r, eth6(), big, 2);
    EXPECT_EQ(res.kind, Kind::dropped);
    EXPECT_EQ(res.reason, wire::Drop::reasm_too_big);
    EXPECT_TRUE(res.param_problem);
    EXPECT_EQ(res.pointer, 42U);
    // Only that fragment is discarded: the pending datagram stays.
    EXPECT_EQ(r.in_use(), 1U);
    // With an 8-byte Hop-by-Hop header in front, the pointer moves by 8.
    Buf h(40 + 8 + 8 + 16);
    std::memcpy(h.data(), big.data(), 40);
    const std::uint8_t hbh[8] = {ipv6::nh_fragment, 0, 1, 4, 0, 0, 0, 0};
    std::memcpy(h.data() + 40, hbh, 8);
    std::memcpy(h.data() + 48, big.data() + 40, 24);
    wire::store8(h, 6, ipv6::nh_hop_by_hop);
    wire::store16(h, 4, static_cast<std::uint16_t>(h.size() - 40));
    wire::store16(h, 50, static_cast<std::uint16_t>(65512));  // 8 + 65512 + 16 > 65535
    const auto res2 = ins(r, eth6(), h, 3);
    EXPECT_EQ(res2.reason, wire::Drop::reasm_too_big);
    EXPECT_TRUE(res2.param_problem);
    EXPECT_EQ(res2.pointer, 50U);
}

TEST(Reassembly, BadLength) {
    // A non-last fragment whose length is not a multiple of 8.
    const Buf dg4 = echo_v4(4000, 1);
    Buf f4(20 + 1001);
    std::memcpy(f4.data(), dg4.data(), f4.size());
    wire::store16(f4, ipv4::field::total_length, static_cast<std::uint16_t>(f4.size()));
    wire::store16(f4, ipv4::field::flags_frag, ipv4::flag_mf);
    wire::store16(f4, ipv4::field::checksum, 0);
    wire::store16(f4, ipv4::field::checksum, wire::checksum(wire::ConstBytes(f4).first(20)));
    auto r = make();
    const auto res4 = ins(r, eth4(), f4, 1);
    EXPECT_EQ(res4.kind, Kind::dropped);
    EXPECT_EQ(res4.reason, wire::Drop::reasm_bad_length);
    EXPECT_FALSE(res4.param_problem);

    // RFC 8200 4.5: Parameter Problem code 0 pointing at the Payload Length field.
    const Buf pkt = echo_v6(4000, 1);
    const auto f6 = frag6_piece(pkt, 40, 6, 0, 1001, true, 4);
    const auto res6 = ins(r, eth6(), f6, 1);
    EXPECT_EQ(res6.kind, Kind::dropped);
    EXPECT_EQ(res6.reason, wire::Drop::reasm_bad_length);
    EXPECT_TRUE(res6.param_problem);
    EXPECT_EQ(res6.pointer, 4U);
    EXPECT_EQ(r.in_use(), 0U);
    EXPECT_EQ(r.stats().fails, 2U);

    // An empty fragment: dropped, nothing owed.
    const auto empty = frag6_piece(pkt, 40, 6, 8, 0, true, 4);
    const auto res0 = ins(r, eth6(), empty, 1);
    EXPECT_EQ(res0.reason, wire::Drop::reasm_bad_length);
    EXPECT_FALSE(res0.param_problem);
}

TEST(Reassembly, LastFragmentsThatDisagree) {
    const Buf dg = echo_v4(4000, 1);
    const auto frags = frag_v4(dg, 1480);  // 3 fragments, the last at 2960
    const Buf l2 = eth4();
    {
        // Data past the end the last fragment fixed.
        auto r = make();
        ASSERT_EQ(ins(r, l2, frags[2], 1).kind, Kind::pending);
        auto beyond = frag_v4(echo_v4(8000, 1), 1480)[3];  // [4440, 5920) with MF
        const auto res = ins(r, l2, beyond, 2);
        EXPECT_EQ(res.reason, wire::Drop::reasm_bad_length);
        EXPECT_EQ(r.in_use(), 0U);
    }
    {
        // A last fragment ending before data already held.
        auto r = make();
        auto longer = frag_v4(echo_v4(8000, 1), 1480);
        ASSERT_EQ(ins(r, l2, longer[3], 1).kind, Kind::pending);  // [4440, 5920)
        const auto res = ins(r, l2, frags[2], 2);                 // last, ends at 4008
        EXPECT_EQ(res.reason, wire::Drop::reasm_bad_length);
    }
}

// ---- bounds

TEST(Reassembly, TableFull) {
    auto r = make({.max_datagrams = 2, .timeout_v4_ns = 30 * sec});
    const Buf l2 = eth4();
    const auto a = frag_v4(echo_v4(4000, 1), 1480);
    const auto b = frag_v4(echo_v4(4000, 2), 1480);
    const auto c = frag_v4(echo_v4(4000, 3), 1480);
    EXPECT_EQ(ins(r, l2, a[0], 1 * sec).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, b[0], 2 * sec).kind, Kind::pending);
    EXPECT_EQ(r.in_use(), 2U);
    const auto res = ins(r, l2, c[0], 3 * sec);
    EXPECT_EQ(res.kind, Kind::dropped);
    EXPECT_EQ(res.reason, wire::Drop::reasm_table_full);
    EXPECT_EQ(r.in_use(), 2U);
    // Fragments of datagrams already in the table still go in.
    EXPECT_EQ(ins(r, l2, a[1], 4 * sec).kind, Kind::pending);
    // Once `a` is past its timeout (expire() not called yet), its slot is reused: counted as
    // a timeout, and `b`, not yet expired, stays.
    EXPECT_EQ(ins(r, l2, c[0], 31 * sec).kind, Kind::pending);
    EXPECT_EQ(r.stats().timeouts, 1U);
    EXPECT_EQ(r.in_use(), 2U);
    EXPECT_EQ(ins(r, l2, b[1], 31 * sec).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, b[2], 31 * sec).kind, Kind::complete);
    // A completed datagram frees its slot (when the next call begins).
    EXPECT_EQ(ins(r, l2, c[1], 31 * sec).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, a[0], 31 * sec).kind, Kind::pending);
    EXPECT_EQ(r.in_use(), 2U);
}

TEST(Reassembly, OneSlotIsEnough) {
    // The slot of a completed datagram is free again at the next call.
    auto r = make({.max_datagrams = 1});
    for (std::uint16_t id = 1; id <= 3; ++id) {
        const Buf dg = echo_v4(4000, id);
        expect_reassembles(r, frag_v4(dg, 1480), dg, Order::shuffled, id);
    }
    EXPECT_EQ(r.stats().oks, 3U);
    EXPECT_EQ(r.stats().fails, 0U);
}

TEST(Reassembly, TombstonesAreReusedFirst) {
    auto r = make({.max_datagrams = 1});
    const Buf l2 = eth4();
    const auto a = frag_v4(echo_v4(4000, 1), 1480);
    const auto b = frag_v4(echo_v4(4000, 2), 1480);
    EXPECT_EQ(ins(r, l2, a[0], 1).kind, Kind::pending);
    EXPECT_EQ(ins(r, l2, a[0], 2).reason, wire::Drop::reasm_overlap);  // a dies
    // b takes the tombstone's slot at once.
    expect_reassembles(r, b, echo_v4(4000, 2), Order::shuffled, 3);
}

TEST(Reassembly, TooManyFragments) {
    auto r = make({.max_fragments = 4});
    const Buf dg = echo_v4(8000, 1);
    const auto frags = frag_v4(dg, 1480);  // 6 fragments
    const Buf l2 = eth4();
    for (std::size_t i = 0; i < 4; ++i) ASSERT_EQ(ins(r, l2, frags[i], 1).kind, Kind::pending);
    const auto res = ins(r, l2, frags[4], 2);
    EXPECT_EQ(res.kind, Kind::dropped);
    EXPECT_EQ(res.reason, wire::Drop::reasm_too_many_fragments);
    EXPECT_EQ(r.in_use(), 0U);
    EXPECT_EQ(ins(r, l2, frags[5], 3).reason, wire::Drop::reasm_too_many_fragments);
    // Smaller datagrams still reassemble.
    const Buf small = echo_v4(4000, 2);
    expect_reassembles(r, frag_v4(small, 1480), small, Order::reverse, 4);
}

// ---- expiry

TEST(Reassembly, ExpiryWithTheFirstFragment) {
    auto r = make();
    const Buf dg = echo_v4(8000, 0x4444);
    const auto frags = frag_v4(dg, 1480);
    const Buf l2a = eth4(0x0a);  // the first received: fragment 2
    const Buf l2b = eth4(0x0b);
    const std::uint64_t t0 = 5 * sec;
    ASSERT_EQ(ins(r, l2a, frags[2], t0).kind, Kind::pending);
    ASSERT_EQ(ins(r, l2b, frags[0], t0 + sec).kind, Kind::pending);
    ASSERT_EQ(ins(r, l2b, frags[1], t0 + 2 * sec).kind, Kind::pending);

    int calls = 0;
    r.expire(t0 + 30 * sec - 1, [&](const Reassembler::Expired&) { ++calls; });
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(r.in_use(), 1U);
    r.expire(t0 + 30 * sec, [&](const Reassembler::Expired& e) {
        ++calls;
        EXPECT_FALSE(e.v6);
        EXPECT_EQ(e.port, 0U);
        EXPECT_TRUE(same_bytes(e.l2, l2a));
        ASSERT_TRUE(e.have_first);
        EXPECT_EQ(e.first_len, frags[0].size());
        // The offset-0 fragment as it arrived: header, then data.
        EXPECT_TRUE(same_bytes(e.first_fragment[0], wire::ConstBytes(frags[0]).first(20)));
        EXPECT_TRUE(same_bytes(e.first_fragment[1], wire::ConstBytes(frags[0]).subspan(20)));
        Buf quote(e.first_len);
        EXPECT_EQ(copy_from_segments(e.first_fragment, 0, quote), e.first_len);
        EXPECT_TRUE(same_bytes(quote, frags[0]));
    });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(r.in_use(), 0U);
    EXPECT_EQ(r.stats().timeouts, 1U);
    EXPECT_EQ(r.stats().fails, 1U);
    // Once only.
    r.expire(t0 + 100 * sec, [&](const Reassembler::Expired&) { ++calls; });
    EXPECT_EQ(calls, 1);
}

TEST(Reassembly, ExpiryWithoutTheFirstFragment) {
    auto r = make();
    const auto frags = frag_v4(echo_v4(8000, 0x4445), 1480);
    const Buf l2 = eth4();
    ASSERT_EQ(ins(r, l2, frags[1], 0).kind, Kind::pending);
    ASSERT_EQ(ins(r, l2, frags[3], 0).kind, Kind::pending);
    int calls = 0;
    r.expire(30 * sec, [&](const Reassembler::Expired& e) {
        ++calls;
        EXPECT_FALSE(e.have_first);  // no Time Exceeded owed
        EXPECT_EQ(e.first_len, 0U);
        EXPECT_TRUE(same_bytes(e.l2, l2));
    });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(r.in_use(), 0U);
}

TEST(Reassembly, V6ExpiryAfterSixtySeconds) {
    auto r = make();
    const Buf pkt = echo_v6(8000, 1);
    const auto frags = frag_v6(pkt, 1448, 0x0badcafe);
    const Buf l2 = eth6();
    ASSERT_EQ(ins(r, l2, frags[0], 0, 3).kind, Kind::pending);
    ASSERT_EQ(ins(r, l2, frags[4], 0, 3).kind, Kind::pending);
    int calls = 0;
    r.expire(59 * sec, [&](const Reassembler::Expired&) { ++calls; });
    EXPECT_EQ(calls, 0);
    r.expire(60 * sec, [&](const Reassembler::Expired& e) {
        ++calls;
        EXPECT_TRUE(e.v6);
        EXPECT_EQ(e.port, 3U);
        ASSERT_TRUE(e.have_first);
        // The Fragment header is part of the quoted header (as the fragment arrived).
        EXPECT_EQ(e.first_fragment[0].size(), 48U);
        Buf quote(e.first_len);
        copy_from_segments(e.first_fragment, 0, quote);
        EXPECT_TRUE(same_bytes(quote, frags[0]));
    });
    EXPECT_EQ(calls, 1);
}

TEST(Reassembly, ExpiryAfterCompletionOwesNothing) {
    auto r = make();
    const Buf dg = echo_v4(3000, 1);
    expect_reassembles(r, frag_v4(dg, 1480), dg, Order::shuffled, 0);
    int calls = 0;
    r.expire(1000 * sec, [&](const Reassembler::Expired&) { ++calls; });
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(r.stats().timeouts, 0U);
}

TEST(Reassembly, ConfigureResetsTheTable) {
    auto r = make();
    const auto frags = frag_v4(echo_v4(3000, 1), 1480);
    ASSERT_EQ(ins(r, eth4(), frags[0], 0).kind, Kind::pending);
    r.configure({.max_datagrams = 3});
    EXPECT_EQ(r.in_use(), 0U);
    EXPECT_EQ(r.capacity(), 3U);
}

}  // namespace
}  // namespace pw::icmp
