#include "lib/conform/seen.hh"

#include <fmt/format.h>

#include <algorithm>

namespace pw::conform {

namespace {

using Span = std::span<const std::uint8_t>;

template <class A>
A addr_at(Span b, std::size_t at) {
    A a{};
    if (at + a.bytes.size() <= b.size())
        std::copy_n(b.begin() + at, a.bytes.size(), a.bytes.begin());
    return a;
}

bool is_v6_ext(std::uint8_t nh) {
    return nh == 0 || nh == 43 || nh == 60 || nh == 44;
}

// Parses an IP packet at b (which may be cut short, as in a quote); false if not IP.
bool parse_ip(Span b, IpFacts& f) {
    if (b.empty()) return false;
    const unsigned version = b[0] >> 4;
    std::size_t l4 = 0;
    if (version == 4) {
        if (b.size() < 20) return false;
        f.v6 = false;
        const std::size_t ihl = (b[0] & 0x0f) * 4U;
        f.tos = b[1];
        f.total_len = be16(b, 2);
        f.ip_id = be16(b, 4);
        f.ttl = b[8];
        f.proto = b[9];
        f.src4 = addr_at<wire::Ipv4Addr>(b, 12);
        f.dst4 = addr_at<wire::Ipv4Addr>(b, 16);
        f.header_checksum_ok =
            ihl >= 20 && b.size() >= ihl && inet_checksum(b.subspan(0, ihl)) == 0;
        f.header_len = ihl;
        l4 = ihl;
        if ((be16(b, 6) & 0x1fff) != 0) return true;  // a non-initial fragment: no ports
    } else if (version == 6) {
        if (b.size() < 40) return false;
        f.v6 = true;
        f.tos = static_cast<std::uint8_t>((b[0] << 4) | (b[1] >> 4));
        f.total_len = 40U + be16(b, 4);
        f.ttl = b[7];
        f.src6 = addr_at<wire::Ipv6Addr>(b, 8);
        f.dst6 = addr_at<wire::Ipv6Addr>(b, 24);
        std::uint8_t nh = b[6];
        l4 = 40;
        while (is_v6_ext(nh) && l4 + 8 <= b.size()) {
            const std::uint8_t next = b[l4];
            if (nh == 44) {
                if ((be16(b, l4 + 2) & 0xfff8) != 0) {  // non-initial fragment
                    f.proto = next;
                    f.header_len = l4 + 8;
                    return true;
                }
                l4 += 8;
            } else {
                l4 += (b[l4 + 1] + 1U) * 8U;
            }
            nh = next;
        }
        f.proto = nh;
        f.header_len = l4;
    } else {
        return false;
    }
    if (f.proto == 17 || f.proto == 6) {
        f.sport = be16(b, l4);
        f.dport = be16(b, l4 + 2);
    } else if (f.proto == 1 || f.proto == 58) {
        if (l4 + 2 <= b.size()) {
            f.icmp_type = b[l4];
            f.icmp_code = b[l4 + 1];
        }
        f.icmp_id = be16(b, l4 + 4);
        f.icmp_seq = be16(b, l4 + 6);
    }
    return true;
}

}  // namespace

std::string IpFacts::src_text() const {
    return v6 ? src6.to_string() : src4.to_string();
}
std::string IpFacts::dst_text() const {
    return v6 ? dst6.to_string() : dst4.to_string();
}

std::span<const std::uint8_t> Seen::icmp_body() const noexcept {
    const std::size_t at = l3_offset + l3.header_len + 8;
    if (!icmp || at > bytes.size()) return {};
    return Span(bytes).subspan(
        at, std::min(icmp_len - std::min<std::size_t>(icmp_len, 8), bytes.size() - at));
}

Seen Seen::parse(std::uint8_t port, std::uint64_t at_ns, Frame bytes) {
    Seen s;
    s.port = port;
    s.at_ns = at_ns;
    s.bytes = std::move(bytes);
    const Span b(s.bytes);
    if (b.size() < 14) return s;
    s.dst_mac = addr_at<wire::MacAddr>(b, 0);
    s.src_mac = addr_at<wire::MacAddr>(b, 6);
    const std::uint16_t type = be16(b, 12);
    if (type != 0x0800 && type != 0x86dd) return s;
    const Span ipb = b.subspan(l3_offset);
    if (!parse_ip(ipb, s.l3)) return s;
    if ((type == 0x86dd) != s.l3.v6) return s;
    s.ip = true;
    const bool icmp = s.l3.proto == (s.l3.v6 ? 58 : 1);
    const std::size_t at = s.l3.header_len;
    if (!icmp || at + 8 > ipb.size()) return s;
    s.icmp = true;
    const std::size_t end = std::min(ipb.size(), s.l3.total_len);
    s.icmp_len = end > at ? end - at : 0;
    s.icmp_word = be32(ipb, at + 4);
    const Span msg = ipb.subspan(at, s.icmp_len);
    const std::uint32_t initial = s.l3.v6 ? pseudo6(s.l3.src6, s.l3.dst6, 58, msg.size()) : 0;
    s.icmp_checksum_ok = inet_checksum(msg, initial) == 0;
    const std::uint8_t t = s.l3.icmp_type;
    s.is_error = s.l3.v6 ? (t >= 1 && t <= 4) : (t == 3 || t == 4 || t == 5 || t == 11 || t == 12);
    if (s.is_error && msg.size() > 8) {
        IpFacts q;
        if (parse_ip(msg.subspan(8), q)) {
            s.quoted = q;
            s.quote_offset = l3_offset + at + 8;
            s.quote_len = msg.size() - 8;
        }
    }
    return s;
}

std::string Seen::describe() const {
    if (!ip) return fmt::format("non-IP frame ({} B) on port {}", bytes.size(), port);
    const char* fam = l3.v6 ? "ICMPv6" : "ICMP";
    if (icmp)
        return fmt::format("{} {}/{} {} -> {} ttl {} ({} B)", fam, l3.icmp_type, l3.icmp_code,
                           l3.src_text(), l3.dst_text(), l3.ttl, l3.total_len);
    const char* p = l3.proto == 17 ? "UDP" : l3.proto == 6 ? "TCP" : "IP";
    return fmt::format("{} {} -> {} proto {} ttl {} ({} B) on port {}", p, l3.src_text(),
                       l3.dst_text(), l3.proto, l3.ttl, l3.total_len, port);
}

}  // namespace pw::conform
