#include "lib/conform/frame.hh"

#include <algorithm>

namespace pw::conform {

namespace {

void put16(Frame& f, std::size_t at, std::uint16_t v) {
    f[at] = static_cast<std::uint8_t>(v >> 8);
    f[at + 1] = static_cast<std::uint8_t>(v);
}
void append16(Frame& f, std::uint16_t v) {
    f.push_back(static_cast<std::uint8_t>(v >> 8));
    f.push_back(static_cast<std::uint8_t>(v));
}
template <class A>
void append_addr(Frame& f, const A& a) {
    f.insert(f.end(), a.bytes.begin(), a.bytes.end());
}

// The upper layer (UDP / ICMP / raw) with its checksum over the pseudo-header `initial`.
Frame upper(const FrameSpec& s, std::size_t data, std::uint8_t& proto) {
    Frame u;
    switch (s.l4) {
        case L4::udp:
            proto = 17;
            append16(u, s.sport);
            append16(u, s.dport);
            append16(u, static_cast<std::uint16_t>(8 + data));
            append16(u, 0);
            break;
        case L4::icmp_echo:
            proto = s.v6 ? 58 : 1;
            u.push_back(s.v6 ? 128 : 8);
            u.push_back(0);
            append16(u, 0);
            append16(u, s.icmp_id);
            append16(u, s.icmp_seq);
            break;
        case L4::icmp_raw:
            proto = s.v6 ? 58 : 1;
            u.push_back(s.icmp_type);
            u.push_back(s.icmp_code);
            append16(u, 0);
            u.insert(u.end(), s.icmp_rest.begin(), s.icmp_rest.end());
            break;
        case L4::raw:
            proto = s.protocol;
            break;
    }
    for (std::size_t i = 0; i < data; ++i) u.push_back(static_cast<std::uint8_t>(0x20 + i % 64));
    return u;
}

std::size_t upper_header(const FrameSpec& s) {
    switch (s.l4) {
        case L4::udp:
        case L4::icmp_echo:
            return 8;
        case L4::icmp_raw:
            return 4 + s.icmp_rest.size();
        case L4::raw:
            return 0;
    }
    return 0;
}

void fill_checksum(const FrameSpec& s, Frame& u, std::uint8_t proto) {
    if (s.l4 == L4::raw) return;
    std::uint32_t initial = 0;
    const bool pseudo = proto == 17 || proto == 58;
    if (pseudo)
        initial = s.v6 ? pseudo6(s.src6, s.dst6, proto, u.size())
                       : pseudo4(s.src4, s.dst4, proto, u.size());
    const std::size_t at = proto == 17 ? 6 : 2;
    put16(u, at, 0);
    std::uint16_t c = inet_checksum(u, initial);
    if (proto == 17 && c == 0) c = 0xffff;
    put16(u, at, c);
}

}  // namespace

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) noexcept {
    if (at + 2 > b.size()) return 0;
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) noexcept {
    if (at + 4 > b.size()) return 0;
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
           std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

std::uint16_t inet_checksum(std::span<const std::uint8_t> b, std::uint32_t initial) noexcept {
    std::uint64_t sum = initial;
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += std::uint32_t{b[i]} << 8 | b[i + 1];
    if (b.size() % 2 != 0) sum += std::uint32_t{b.back()} << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::uint32_t pseudo4(const wire::Ipv4Addr& s, const wire::Ipv4Addr& d, std::uint8_t proto,
                      std::size_t len) noexcept {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 4; i += 2) {
        sum += std::uint32_t{s.bytes[i]} << 8 | s.bytes[i + 1];
        sum += std::uint32_t{d.bytes[i]} << 8 | d.bytes[i + 1];
    }
    return sum + proto + static_cast<std::uint32_t>(len);
}

std::uint32_t pseudo6(const wire::Ipv6Addr& s, const wire::Ipv6Addr& d, std::uint8_t proto,
                      std::size_t len) noexcept {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 16; i += 2) {
        sum += std::uint32_t{s.bytes[i]} << 8 | s.bytes[i + 1];
        sum += std::uint32_t{d.bytes[i]} << 8 | d.bytes[i + 1];
    }
    return sum + proto + static_cast<std::uint32_t>(len >> 16) +
           static_cast<std::uint32_t>(len & 0xffff);
}

Frame build(const FrameSpec& s) {
    Frame f;
    f.insert(f.end(), s.dst_mac.bytes.begin(), s.dst_mac.bytes.end());
    f.insert(f.end(), s.src_mac.bytes.begin(), s.src_mac.bytes.end());
    append16(f, s.v6 ? 0x86dd : 0x0800);

    // Extension headers (IPv6) and the fragment header, laid out before the upper layer.
    std::size_t ext_len = 0;
    for (const auto& [nh, body] : s.ext) ext_len += 1 + body.size();
    if (s.v6 && s.frag_header) ext_len += 8;
    const std::size_t ip_header = s.v6 ? 40 : 20 + s.ip_options.size();
    std::size_t data = s.payload;
    if (s.total_bytes) {
        const std::size_t fixed = ip_header + ext_len + upper_header(s);
        data = *s.total_bytes > fixed ? *s.total_bytes - fixed : 0;
    }
    std::uint8_t proto = 0;
    Frame u = upper(s, data, proto);
    fill_checksum(s, u, proto);

    if (!s.v6) {
        const std::size_t start = f.size();
        const std::size_t ihl = (20 + s.ip_options.size()) / 4;
        f.push_back(static_cast<std::uint8_t>(0x40 | ihl));
        f.push_back(s.tos);
        append16(f, static_cast<std::uint16_t>(ihl * 4 + u.size()));
        append16(f, s.ip_id);
        append16(f, static_cast<std::uint16_t>((s.df ? 0x4000 : 0) | (s.mf ? 0x2000 : 0) |
                                               (s.frag_offset & 0x1fff)));
        f.push_back(s.ttl);
        f.push_back(proto);
        append16(f, 0);
        append_addr(f, s.src4);
        append_addr(f, s.dst4);
        f.insert(f.end(), s.ip_options.begin(), s.ip_options.end());
        std::uint16_t c = inet_checksum(std::span<const std::uint8_t>(f).subspan(start, ihl * 4));
        if (s.bad_ip_checksum) c = static_cast<std::uint16_t>(c ^ 0x5a5a);
        put16(f, start + 10, c);
        f.insert(f.end(), u.begin(), u.end());
        return f;
    }

    // IPv6: the chain of next headers, first header's number in the fixed header.
    std::vector<std::uint8_t> chain;
    for (const auto& e : s.ext) chain.push_back(e.first);
    if (s.frag_header) chain.push_back(44);
    chain.push_back(proto);
    f.push_back(static_cast<std::uint8_t>(0x60 | (s.tos >> 4)));
    f.push_back(static_cast<std::uint8_t>(s.tos << 4));
    append16(f, 0);
    append16(f,
             static_cast<std::uint16_t>(s.ipv6_payload_len_override.value_or(ext_len + u.size())));
    f.push_back(chain.front());
    f.push_back(s.ttl);
    append_addr(f, s.src6);
    append_addr(f, s.dst6);
    std::size_t hop = 1;
    for (const auto& e : s.ext) {
        f.push_back(chain[hop++]);
        f.insert(f.end(), e.second.begin(), e.second.end());
    }
    if (s.frag_header) {
        f.push_back(chain[hop++]);
        f.push_back(0);
        append16(f, static_cast<std::uint16_t>((s.frag_offset << 3) | (s.mf ? 1 : 0)));
        for (int i = 3; i >= 0; --i)
            f.push_back(static_cast<std::uint8_t>(s.frag_ident >> (8 * i)));
    }
    f.insert(f.end(), u.begin(), u.end());
    return f;
}

}  // namespace pw::conform
