// Probe frames and the prepared writer of the data path.
#include "lib/gen/probe.hh"

#include <bit>
#include <cstring>

#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/tcp.hh"
#include "lib/wire/udp.hh"

namespace pw::gen {
namespace {

constexpr std::size_t l3_off = wire::eth::header_len;
// RFC 792 timestamp request: the 8-byte header, then originate, receive and transmit.
constexpr std::size_t timestamp_msg_len = wire::icmp::header_len + 12;
constexpr std::uint16_t syn_window = 1024;
constexpr std::uint8_t rst_ttl = 64;

// stamp.cc's absorb (the same constant and rotation).
constexpr std::uint64_t absorb(std::uint64_t h, std::uint64_t w) noexcept {
    return std::rotl((h ^ w) * 0xbf58476d1ce4e5b9ULL, 32);
}

// A copy of stamp_check (lib/gen/stamp.cc), inline so that the data path does not call out;
// gen_probe_test compares the two builders byte for byte.
constexpr std::uint32_t stamp_check_words(std::uint64_t ph, std::uint32_t magic,
                                          std::uint32_t target, std::uint32_t probe,
                                          std::uint64_t seq, std::uint64_t tsc) noexcept {
    std::uint64_t h = absorb(ph, (std::uint64_t{magic} << 32) | target);
    h = absorb(h, probe);
    h = absorb(h, seq);
    h = absorb(h, tsc);
    h *= 0x94d049bb133111ebULL;
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

// One's-complement addition of two 32-bit native-order sums (end-around carry).
constexpr std::uint32_t add32(std::uint32_t a, std::uint32_t b) noexcept {
    std::uint32_t r = 0;
    const bool carry = __builtin_add_overflow(a, b, &r);
    return r + static_cast<std::uint32_t>(carry);
}
// Folds a 32-bit one's-complement sum to 16 bits (as Linux csum_fold): the high half of
// s + rol(s, 16) is hi + lo with the carry out of lo + hi folded in.
constexpr std::uint16_t fold32(std::uint32_t s) noexcept {
    return static_cast<std::uint16_t>((s + std::rotl(s, 16)) >> 16);
}

// Big-endian stores with the compiler's byte swap (wire::bswap32's shifts and masks are not
// always recognised as one instruction), and 64-bit ones (bytes.hh stops at 32 bits).
inline void store32(wire::Bytes b, std::size_t off, std::uint32_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
    std::memcpy(b.data() + off, &v, 4);
}
inline void store16(wire::Bytes b, std::size_t off, std::uint16_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
    std::memcpy(b.data() + off, &v, 2);
}
inline void store64(wire::Bytes b, std::size_t off, std::uint64_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    std::memcpy(b.data() + off, &v, 8);
}
inline std::uint64_t load64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
}

inline std::size_t l3_len(bool v6) noexcept {
    return v6 ? wire::ipv6::header_len : wire::ipv4::min_header_len;
}

// The L4 length of a probe; 0 when this kind cannot carry data_len or this family.
std::size_t l4_len(const ProbeTemplate& t, std::size_t data_len) noexcept {
    switch (t.kind) {
        case ProbeKind::echo:
            return data_len < stamp_len ? 0 : wire::icmp::header_len + data_len;
        case ProbeKind::timestamp:
            return t.v6 ? 0 : timestamp_msg_len;  // ICMPv6 has no timestamp request
        case ProbeKind::tcp_syn:
            return wire::tcp::header_len;
        case ProbeKind::udp:
            return data_len < stamp_len ? 0 : wire::udp::header_len + data_len;
        case ProbeKind::count_:
            break;
    }
    return 0;
}

std::uint8_t l4_protocol(ProbeKind k, bool v6) noexcept {
    switch (k) {
        case ProbeKind::echo:
        case ProbeKind::timestamp:
            return v6 ? wire::ipv6::nh_icmp6 : wire::ipv4::proto_icmp;
        case ProbeKind::tcp_syn:
            return wire::ipv4::proto_tcp;
        case ProbeKind::udp:
        case ProbeKind::count_:
            break;
    }
    return wire::ipv4::proto_udp;
}

// The pseudo-header sum of an L4 message from src to dst (RFC 768, RFC 9293, RFC 8200 8.1).
std::uint16_t pseudo(const ProbeTemplate& t, const ProbeFields& f, std::uint8_t proto,
                     std::size_t l4) noexcept {
    return t.v6 ? wire::pseudo_sum_v6(t.src6, f.dst6, static_cast<std::uint32_t>(l4), proto)
                : wire::pseudo_sum_v4(t.src4, f.dst4, proto, static_cast<std::uint16_t>(l4));
}

void emit_l2_l3(wire::Bytes out, const ProbeTemplate& t, const wire::Ipv4Addr& dst4,
                const wire::Ipv6Addr& dst6, std::uint16_t ip_ident, std::uint8_t proto,
                std::size_t l4) noexcept {
    wire::eth::Repr eth{t.dst_mac, t.src_mac, t.v6 ? wire::eth::type_ipv6 : wire::eth::type_ipv4};
    eth.emit(out);
    if (t.v6) {
        wire::ipv6::Repr ip{t.src6, dst6, proto, t.ttl, t.tos, 0, static_cast<std::uint16_t>(l4)};
        ip.emit(out.subspan(l3_off));
    } else {
        wire::ipv4::Repr ip{t.src4,
                            dst4,
                            proto,
                            t.ttl,
                            t.tos,
                            ip_ident,
                            t.df ? wire::ipv4::flag_df : std::uint16_t{0},
                            static_cast<std::uint16_t>(l4)};
        ip.emit(out.subspan(l3_off));
    }
}

// ProbeWriter::write for the kinds it does not patch, out of line so that the data path's
// frame stays small.
[[gnu::noinline]] void build_slow(wire::Bytes out, const ProbeTemplate& t, const ProbeFields& f,
                                  std::size_t data_len) noexcept {
    ProbeFields g = f;
    g.data_len = data_len;
    build_probe(out, t, g);
}

}  // namespace

const char* to_string(ProbeKind k) noexcept {
    switch (k) {
#define PW_X(name, label) \
    case ProbeKind::name: \
        return label;
        PW_PROBE_KINDS(PW_X)
#undef PW_X
        case ProbeKind::count_:
            break;
    }
    return "unknown";
}

std::uint32_t syn_sequence(const Stamp& s) noexcept {
    std::uint64_t h = absorb(0x94d049bb133111ebULL, (std::uint64_t{s.magic} << 32) | s.target);
    h = absorb(h, s.magic);
    h ^= h >> 33;
    h *= 0x9e3779b97f4a7c15ULL;
    h ^= h >> 32;
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::size_t probe_frame_len(const ProbeTemplate& t, std::size_t data_len) noexcept {
    const std::size_t l4 = l4_len(t, data_len);
    if (l4 == 0) return 0;
    // IPv4 total length / IPv6 payload length are 16 bits.
    if ((t.v6 ? l4 : l4 + wire::ipv4::min_header_len) > 0xffff) return 0;
    return l3_off + l3_len(t.v6) + l4;
}

std::size_t build_probe(wire::Bytes out, const ProbeTemplate& t, const ProbeFields& f) noexcept {
    const std::size_t len = probe_frame_len(t, f.data_len);
    if (len == 0 || out.size() < len) return 0;
    const std::size_t l4 = l4_len(t, f.data_len);
    const std::uint8_t proto = l4_protocol(t.kind, t.v6);
    emit_l2_l3(out, t, f.dst4, f.dst6, f.seq, proto, l4);
    const wire::Bytes msg = out.subspan(l3_off + l3_len(t.v6), l4);
    switch (t.kind) {
        case ProbeKind::echo:
        case ProbeKind::timestamp: {
            const bool echo = t.kind == ProbeKind::echo;
            const std::uint8_t type =
                echo ? (t.v6 ? wire::icmpv6::echo_request : wire::icmpv4::echo_request)
                     : wire::icmpv4::timestamp_request;
            wire::icmp::Repr{type, 0, (std::uint32_t{f.ident} << 16) | f.seq}.emit(msg);
            if (echo) {
                write_payload(msg.subspan(wire::icmp::header_len), t.pattern, f.stamp);
            } else {
                // Originate, receive, transmit: 0. RFC 792 asks for milliseconds since
                // midnight UT, which a probe has no use for (the stamp is not carried).
                std::memset(msg.data() + wire::icmp::header_len, 0, 12);
            }
            const auto v = *wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp4_truncated);
            if (t.v6)
                v.fill_checksum_v6(pseudo(t, f, proto, l4));
            else
                v.fill_checksum_v4();
            break;
        }
        case ProbeKind::tcp_syn: {
            wire::tcp::Repr{f.ident,    t.dst_port, syn_sequence(f.stamp), 0, wire::tcp::flag_syn,
                            syn_window, 0}
                .emit(msg);
            wire::store16(msg, wire::tcp::field::checksum,
                          wire::checksum(msg, pseudo(t, f, proto, l4)));
            break;
        }
        case ProbeKind::udp: {
            wire::udp::Repr{f.ident, t.dst_port, static_cast<std::uint16_t>(f.data_len)}.emit(msg);
            write_payload(msg.subspan(wire::udp::header_len), t.pattern, f.stamp);
            std::uint16_t c = wire::checksum(msg, pseudo(t, f, proto, l4));
            if (c == 0) c = 0xffff;  // RFC 768: 0 means "no checksum"
            wire::store16(msg, wire::udp::field::checksum, c);
            break;
        }
        case ProbeKind::count_:
            return 0;
    }
    return len;
}

std::size_t build_tcp_rst(wire::Bytes out, wire::ConstBytes synack, const wire::MacAddr& src_mac,
                          const wire::MacAddr& dst_mac) noexcept {
    const auto eth = wire::eth::View<const std::byte>::checked(synack);
    if (!eth) return 0;
    bool v6 = false;
    wire::Ipv4Addr us4, peer4;
    wire::Ipv6Addr us6, peer6;
    wire::ConstBytes seg;
    if (eth->ethertype() == wire::eth::type_ipv4) {
        const auto ip = wire::ipv4::View<const std::byte>::checked(eth->payload());
        if (!ip || ip->protocol() != wire::ipv4::proto_tcp || ip->frag_offset() != 0) return 0;
        us4 = ip->dst();
        peer4 = ip->src();
        seg = ip->payload();
    } else if (eth->ethertype() == wire::eth::type_ipv6) {
        const auto ip = wire::ipv6::View<const std::byte>::checked(eth->payload());
        if (!ip || ip->next_header() != wire::ipv6::nh_tcp) return 0;
        v6 = true;
        us6 = ip->dst();
        peer6 = ip->src();
        seg = ip->payload();
    } else {
        return 0;
    }
    const auto tcp = wire::tcp::View<const std::byte>::checked(seg, wire::Drop::ip4_truncated);
    if (!tcp || tcp->rst()) return 0;  // RFC 9293 3.10.7.1: a RST is never answered
    const std::size_t len = l3_off + l3_len(v6) + wire::tcp::header_len;
    if (out.size() < len) return 0;

    // RFC 9293 3.10.7.1: if the segment has ACK, <SEQ=SEG.ACK><CTL=RST>; otherwise
    // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in SEG.LEN).
    wire::tcp::Repr rst{tcp->dst_port(), tcp->src_port(), 0, 0, wire::tcp::flag_rst, 0, 0};
    if (tcp->ack_flag()) {
        rst.seq = tcp->ack();
    } else {
        const auto seg_len = static_cast<std::uint32_t>(tcp->payload().size()) +
                             (tcp->syn() ? 1U : 0U) + (tcp->fin() ? 1U : 0U);
        rst.ack = tcp->seq() + seg_len;
        rst.flags = wire::tcp::flag_rst | wire::tcp::flag_ack;
    }
    ProbeTemplate t;
    t.v6 = v6;
    t.src_mac = src_mac;
    t.dst_mac = dst_mac;
    t.src4 = us4;
    t.src6 = us6;
    t.ttl = rst_ttl;
    t.df = true;  // as Linux sends its resets
    emit_l2_l3(out, t, peer4, peer6, 0, wire::ipv4::proto_tcp, wire::tcp::header_len);
    const wire::Bytes msg = out.subspan(l3_off + l3_len(v6), wire::tcp::header_len);
    rst.emit(msg);
    const std::uint16_t ps =
        v6 ? wire::pseudo_sum_v6(us6, peer6, wire::tcp::header_len, wire::ipv6::nh_tcp)
           : wire::pseudo_sum_v4(us4, peer4, wire::ipv4::proto_tcp, wire::tcp::header_len);
    wire::store16(msg, wire::tcp::field::checksum, wire::checksum(msg, ps));
    return len;
}

// prepare() builds the probe with every per-probe field zero (destination, ident, seq, the 32
// stamp bytes) and both checksums zero, and keeps the one's-complement sums (host order,
// RFC 1071) of what stays. write() adds the per-probe fields to them as host-order numbers:
// a 32- or 64-bit field at an even offset adds up, modulo 2^16 - 1, to the sum of its 16-bit
// words, so no byte swapping is needed before the final store.
void ProbeWriter::prepare(const ProbeTemplate& t, std::size_t data_len) {
    t_ = t;
    data_len_ = data_len;
    frame_.assign(probe_frame_len(t, data_len), std::byte{0});
    l3_ = l3_off;
    l4_ = l3_ + l3_len(t.v6);
    fast_ = false;
    pattern_hash_ = pattern_hash(t.pattern, data_len);
    base_sum_ = 0;
    ip_base_sum_ = 0;
    if (frame_.empty()) return;
    ProbeFields zero;
    zero.data_len = data_len;
    build_probe(frame_, t, zero);
    if (t.kind != ProbeKind::echo && t.kind != ProbeKind::udp) return;

    fast_ = true;
    const wire::Bytes f(frame_);
    const std::size_t l4 = frame_.size() - l4_;
    const bool udp = t.kind == ProbeKind::udp;
    const std::size_t data_off = l4_ + (udp ? wire::udp::header_len : wire::icmp::header_len);
    csum_off_ = l4_ + (udp ? wire::udp::field::checksum : wire::icmp::field::checksum);
    std::memset(f.data() + data_off, 0, stamp_len);
    wire::store16(f, csum_off_, 0);
    const std::uint8_t proto = l4_protocol(t.kind, t.v6);
    std::uint16_t ps = 0;  // the pseudo-header with a zero destination
    if (t.v6)
        ps = wire::pseudo_sum_v6(t.src6, wire::Ipv6Addr{}, static_cast<std::uint32_t>(l4), proto);
    else if (udp)
        ps = wire::pseudo_sum_v4(t.src4, wire::Ipv4Addr{}, proto, static_cast<std::uint16_t>(l4));
    base_sum_ = wire::ones_sum(f.subspan(l4_), ps);
    if (!t.v6) {
        wire::store16(f, l3_ + wire::ipv4::field::checksum, 0);
        ip_base_sum_ = wire::ones_sum(f.subspan(l3_, wire::ipv4::min_header_len));
    }
}

void ProbeWriter::write(wire::Bytes out, const ProbeFields& f) const noexcept {
    const std::size_t n = frame_.size();
    if (!fast_) {
        if (n != 0 && out.size() >= n) build_slow(out, t_, f, data_len_);
        return;
    }
    if (out.size() < n) return;
    const wire::Bytes o = out;
    std::memcpy(o.data(), frame_.data(), n);
    // Members in locals: the stores into out may alias *this as far as the compiler knows.
    const std::size_t l3 = l3_, l4 = l4_, csum = csum_off_;
    const bool udp = t_.kind == ProbeKind::udp, v6 = t_.v6;
    const std::uint64_t ph = pattern_hash_;
    const std::uint32_t ip_base = ip_base_sum_;
    std::uint64_t acc = base_sum_;

    // The fields are read from f where they are used: with out possibly aliasing f the
    // compiler reloads some after the stores, which costs less than keeping them all live.
    const Stamp& s = f.stamp;
    const std::uint32_t check = stamp_check_words(ph, s.magic, s.target, s.probe, s.seq, s.tsc);
    const std::size_t d = l4 + (udp ? wire::udp::header_len : wire::icmp::header_len);
    store32(o, d + 0, s.magic);
    store32(o, d + 4, s.target);
    store32(o, d + 8, s.probe);
    store64(o, d + 12, s.seq);
    store64(o, d + 20, s.tsc);
    store32(o, d + 28, check);
    acc += std::uint64_t{s.magic} + s.target + s.probe + check;  // < 2^35: no carry out
    acc = wire::ones_add64(acc, s.seq);
    acc = wire::ones_add64(acc, s.tsc);

    if (udp) {
        store16(o, l4 + wire::udp::field::src_port, f.ident);
        acc += f.ident;
    } else {
        const std::uint32_t idseq = (std::uint32_t{f.ident} << 16) | f.seq;
        store32(o, l4 + wire::icmp::field::ident, idseq);
        acc += idseq;
    }
    if (v6) {
        const std::uint64_t d0 = load64(f.dst6.bytes.data());
        const std::uint64_t d1 = load64(f.dst6.bytes.data() + 8);
        store64(o, l3 + wire::ipv6::field::dst, d0);
        store64(o, l3 + wire::ipv6::field::dst + 8, d1);
        acc = wire::ones_add64(acc, d0);
        acc = wire::ones_add64(acc, d1);
    } else {
        const std::uint32_t dst = f.dst4.to_u32();
        store32(o, l3 + wire::ipv4::field::dst, dst);
        store16(o, l3 + wire::ipv4::field::ident, f.seq);
        // base + id < 2^17: one end-around carry at most.
        store16(o, l3 + wire::ipv4::field::checksum,
                static_cast<std::uint16_t>(~fold32(add32(ip_base + f.seq, dst))));
        if (udp) acc += dst;  // the pseudo-header's destination
    }
    auto c = static_cast<std::uint16_t>(
        ~fold32(add32(static_cast<std::uint32_t>(acc), static_cast<std::uint32_t>(acc >> 32))));
    if (udp && c == 0) c = 0xffff;  // RFC 768
    store16(o, csum, c);
}

}  // namespace pw::gen
