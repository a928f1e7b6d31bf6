// IPv4 headers with options (RFC 791), validated as RFC 1122 3.2.1 and RFC 1812 5.2.2 ask.
#pragma once

#include <cstdint>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/drop.hh"

namespace pw::wire::ipv4 {

inline constexpr std::size_t min_header_len = 20;
inline constexpr std::size_t max_header_len = 60;
inline constexpr std::uint8_t proto_icmp = 1;
inline constexpr std::uint8_t proto_tcp = 6;
inline constexpr std::uint8_t proto_udp = 17;

inline constexpr std::uint16_t flag_df = 0x4000;
inline constexpr std::uint16_t flag_mf = 0x2000;
inline constexpr std::uint16_t frag_offset_mask = 0x1fff;

namespace field {
inline constexpr std::size_t ver_ihl = 0;
inline constexpr std::size_t tos = 1;
inline constexpr std::size_t total_length = 2;
inline constexpr std::size_t ident = 4;
inline constexpr std::size_t flags_frag = 6;
inline constexpr std::size_t ttl = 8;
inline constexpr std::size_t protocol = 9;
inline constexpr std::size_t checksum = 10;
inline constexpr std::size_t src = 12;
inline constexpr std::size_t dst = 16;
inline constexpr std::size_t options = 20;
}  // namespace field

template <ByteType B>
class View {
public:
    View() = default;

    // RFC 1812 5.2.2: the frame holds a header, the version is 4, the header length is at
    // least 5 words, and the total length covers the header and fits in the frame. The view
    // then spans exactly total_length bytes (link-layer padding is cut off). The header
    // checksum is checked separately (header_checksum_ok) so that callers count it apart.
    static Checked<View> checked(std::span<B> b) noexcept {
        if (b.size() < min_header_len) return Drop::ip4_truncated;
        const std::uint8_t vi = load8(b, field::ver_ihl);
        if ((vi >> 4) != 4) return Drop::ip4_bad_version;
        const std::size_t hlen = std::size_t{vi & 0x0fU} * 4;
        if (hlen < min_header_len || hlen > b.size()) return Drop::ip4_bad_ihl;
        const std::size_t tlen = load16(b, field::total_length);
        if (tlen < hlen || tlen > b.size()) return Drop::ip4_bad_total_length;
        return View(b.first(tlen));
    }

    std::size_t header_length() const noexcept {
        return std::size_t{load8(buf_, field::ver_ihl) & 0x0fU} * 4;
    }
    std::uint8_t tos() const noexcept { return load8(buf_, field::tos); }
    std::uint16_t total_length() const noexcept { return load16(buf_, field::total_length); }
    std::uint16_t ident() const noexcept { return load16(buf_, field::ident); }
    bool dont_fragment() const noexcept { return (load16(buf_, field::flags_frag) & flag_df) != 0; }
    bool more_fragments() const noexcept {
        return (load16(buf_, field::flags_frag) & flag_mf) != 0;
    }
    // The fragment offset in bytes.
    std::uint32_t frag_offset() const noexcept {
        return static_cast<std::uint32_t>(load16(buf_, field::flags_frag) & frag_offset_mask) * 8;
    }
    bool is_fragment() const noexcept { return more_fragments() || frag_offset() != 0; }
    std::uint8_t ttl() const noexcept { return load8(buf_, field::ttl); }
    std::uint8_t protocol() const noexcept { return load8(buf_, field::protocol); }
    std::uint16_t checksum() const noexcept { return load16(buf_, field::checksum); }
    Ipv4Addr src() const noexcept { return load_bytes<Ipv4Addr>(buf_, field::src); }
    Ipv4Addr dst() const noexcept { return load_bytes<Ipv4Addr>(buf_, field::dst); }
    std::span<B> header() const noexcept { return buf_.first(header_length()); }
    std::span<B> options() const noexcept {
        return buf_.subspan(field::options, header_length() - min_header_len);
    }
    std::span<B> payload() const noexcept { return buf_.subspan(header_length()); }
    std::span<B> bytes() const noexcept { return buf_; }

    bool header_checksum_ok() const noexcept { return header_sum() == 0xffff; }

    // Sets IHL (in 32-bit words) with version 4.
    void set_ihl(std::uint8_t words) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::ver_ihl, static_cast<std::uint8_t>(0x40 | (words & 0x0f)));
    }
    void set_total_length(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::total_length, v);
    }
    void set_tos(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::tos, v);
    }
    void set_ident(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::ident, v);
    }
    void set_flags_frag(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::flags_frag, v);
    }
    void set_ttl(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::ttl, v);
    }
    void set_protocol(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::protocol, v);
    }
    void set_src(const Ipv4Addr& a) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::src, a);
    }
    void set_dst(const Ipv4Addr& a) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::dst, a);
    }
    void set_checksum(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::checksum, v);
    }
    // Recomputes the header checksum over the whole header (options included).
    void fill_checksum() const noexcept requires is_mutable_v<B> {
        set_checksum(0);
        set_checksum(static_cast<std::uint16_t>(~header_sum()));
    }

private:
    explicit View(std::span<B> b) noexcept : buf_(b) {}
    // The one's-complement sum of the header: the inline 20-byte sum without options.
    std::uint16_t header_sum() const noexcept {
        if (header_length() == min_header_len)
            return ipv4_header_sum(reinterpret_cast<const std::byte*>(buf_.data()));
        return ones_sum(header());
    }
    std::span<B> buf_{};
};

// The value form of an option-less IPv4 header.
struct Repr {
    Ipv4Addr src;
    Ipv4Addr dst;
    std::uint8_t protocol = 0;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0;
    std::uint16_t ident = 0;
    std::uint16_t flags_frag = 0;
    std::uint16_t payload_len = 0;

    static constexpr std::size_t header_len() noexcept { return min_header_len; }
    // Writes a 20-byte header with its checksum at the start of out.
    void emit(Bytes out) const noexcept {
        store8(out, field::ver_ihl, 0x45);
        store8(out, field::tos, tos);
        store16(out, field::total_length, static_cast<std::uint16_t>(min_header_len + payload_len));
        store16(out, field::ident, ident);
        store16(out, field::flags_frag, flags_frag);
        store8(out, field::ttl, ttl);
        store8(out, field::protocol, protocol);
        store16(out, field::checksum, 0);
        store_bytes(out, field::src, src);
        store_bytes(out, field::dst, dst);
        store16(out, field::checksum, wire::checksum(out.first(min_header_len)));
    }
};

}  // namespace pw::wire::ipv4
