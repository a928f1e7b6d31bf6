// IPv6 fixed header (RFC 8200 3) and the extension-header walk (RFC 8200 4).
#pragma once

#include <cstdint>
#include <optional>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/drop.hh"

namespace pw::wire::ipv6 {

inline constexpr std::size_t header_len = 40;
inline constexpr std::uint8_t nh_hop_by_hop = 0;
inline constexpr std::uint8_t nh_tcp = 6;
inline constexpr std::uint8_t nh_udp = 17;
inline constexpr std::uint8_t nh_routing = 43;
inline constexpr std::uint8_t nh_fragment = 44;
inline constexpr std::uint8_t nh_esp = 50;
inline constexpr std::uint8_t nh_ah = 51;
inline constexpr std::uint8_t nh_icmp6 = 58;
inline constexpr std::uint8_t nh_none = 59;
inline constexpr std::uint8_t nh_dest_opts = 60;

namespace field {
inline constexpr std::size_t ver_tc_flow = 0;
inline constexpr std::size_t payload_length = 4;
inline constexpr std::size_t next_header = 6;
inline constexpr std::size_t hop_limit = 7;
inline constexpr std::size_t src = 8;
inline constexpr std::size_t dst = 24;
}  // namespace field

template <ByteType B>
class View {
public:
    View() = default;

    // The frame holds a fixed header, version 6, and the payload length fits. The view then
    // spans exactly 40 + payload_length bytes. Jumbograms (RFC 2675) are not accepted.
    static Checked<View> checked(std::span<B> b) noexcept {
        if (b.size() < header_len) return Drop::ip6_truncated;
        if ((load8(b, field::ver_tc_flow) >> 4) != 6) return Drop::ip6_bad_version;
        const std::size_t len = header_len + load16(b, field::payload_length);
        if (len > b.size()) return Drop::ip6_bad_payload_length;
        return View(b.first(len));
    }

    std::uint8_t traffic_class() const noexcept {
        return static_cast<std::uint8_t>((load32(buf_, field::ver_tc_flow) >> 20) & 0xff);
    }
    std::uint32_t flow_label() const noexcept { return load32(buf_, field::ver_tc_flow) & 0xfffff; }
    std::uint16_t payload_length() const noexcept { return load16(buf_, field::payload_length); }
    std::uint8_t next_header() const noexcept { return load8(buf_, field::next_header); }
    std::uint8_t hop_limit() const noexcept { return load8(buf_, field::hop_limit); }
    Ipv6Addr src() const noexcept { return load_bytes<Ipv6Addr>(buf_, field::src); }
    Ipv6Addr dst() const noexcept { return load_bytes<Ipv6Addr>(buf_, field::dst); }
    std::span<B> payload() const noexcept { return buf_.subspan(header_len); }
    std::span<B> bytes() const noexcept { return buf_; }

    void set_payload_length(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::payload_length, v);
    }
    void set_next_header(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::next_header, v);
    }
    void set_hop_limit(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::hop_limit, v);
    }
    void set_src(const Ipv6Addr& a) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::src, a);
    }
    void set_dst(const Ipv6Addr& a) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::dst, a);
    }

private:
    explicit View(std::span<B> b) noexcept : buf_(b) {}
    std::span<B> buf_{};
};

struct Repr {
    Ipv6Addr src;
    Ipv6Addr dst;
    std::uint8_t next_header = 0;
    std::uint8_t hop_limit = 64;
    std::uint8_t traffic_class = 0;
    std::uint32_t flow_label = 0;
    std::uint16_t payload_len = 0;

    static constexpr std::size_t header_len() noexcept { return ipv6::header_len; }
    void emit(Bytes out) const noexcept {
        store32(out, field::ver_tc_flow,
                (6U << 28) | (std::uint32_t{traffic_class} << 20) | (flow_label & 0xfffff));
        store16(out, field::payload_length, payload_len);
        store8(out, field::next_header, next_header);
        store8(out, field::hop_limit, hop_limit);
        store_bytes(out, field::src, src);
        store_bytes(out, field::dst, dst);
    }
};

// Where the upper-layer header is, after walking the extension headers of a packet.
struct UpperLayer {
    std::uint8_t protocol = nh_none;            // the upper-layer Next Header value (58 for ICMPv6)
    std::size_t offset = header_len;            // from the start of the IPv6 header
    std::size_t nh_field = field::next_header;  // offset of the Next Header field naming it
    bool fragment = false;                      // a Fragment header was seen
    std::uint32_t frag_offset = 0;              // in bytes
    bool more_fragments = false;
    std::uint32_t frag_ident = 0;
};

// The walk failed: why, and where the offending byte is (the Parameter Problem pointer of
// RFC 4443 3.4, counted from the start of the IPv6 header) and which code applies.
struct ExtError {
    Drop reason = Drop::ip6_bad_ext_header;
    std::uint32_t pointer = 0;
    // 0: erroneous header field, 1: unrecognised Next Header, 2: unrecognised option
    std::uint8_t code = 0;
    // RFC 8200 4.2: an unrecognised option whose type says "discard" without an error
    // (action 01), or "error unless the destination is multicast" (action 11).
    bool silent = false;
    bool not_if_multicast = false;
};

// Walks Hop-by-Hop, Routing, Fragment and Destination Options headers (RFC 8200 4.1) over
// packet (the whole IPv6 packet, already checked). Stops at the first other Next Header
// value, which it reports as the upper layer. Every header is at least 8 bytes, so the walk
// ends within packet.size() / 8 steps; a header running past the packet is an error. The
// options of Hop-by-Hop and Destination Options headers are checked as RFC 8200 4.2 asks:
// a TLV running past its header is an erroneous field (code 0, pointer at its length), an
// unrecognised option type acts on its two high-order bits.
struct ExtWalk {
    std::optional<UpperLayer> upper;
    ExtError error;
};
ExtWalk walk_extensions(ConstBytes packet) noexcept;

}  // namespace pw::wire::ipv6
