#include "lib/icmp/fragment.hh"

#include <array>
#include <cstring>

#include "lib/wire/checksum.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

namespace ipv4 = wire::ipv4;
namespace ipv6 = wire::ipv6;

namespace {

constexpr std::size_t ipv6_min_mtu = 1280;  // RFC 8200 5
constexpr std::size_t frag_hdr_len = 8;     // RFC 8200 4.5

std::size_t floor8(std::size_t v) noexcept {
    return v & ~std::size_t{7};
}
std::size_t ceil_div(std::size_t a, std::size_t b) noexcept {
    return (a + b - 1) / b;
}

// How a datagram is cut: fragment 0 carries first bytes of data, each next one `inner`,
// the last at most `last_max`; count is 1 when the datagram fits as it is.
struct Cut {
    std::size_t count = 0;
    std::size_t data = 0;      // fragmentable bytes
    std::size_t first = 0;     // data bytes of fragment 0
    std::size_t inner = 0;     // data bytes of fragments 1 .. count-2
    std::size_t last_max = 0;  // at most this many in fragment count-1 (when count > 1)

    std::size_t offset(std::size_t index) const noexcept {
        return index == 0 ? 0 : first + (index - 1) * inner;
    }
    std::size_t length(std::size_t index) const noexcept {
        if (count == 1) return data;
        if (index == 0) return first;
        if (index + 1 < count) return inner;
        return data - offset(index);
    }
};

Cut make_cut(std::size_t data, std::size_t first, std::size_t inner,
             std::size_t last_max) noexcept {
    Cut c;
    c.data = data;
    c.first = first;
    c.inner = inner;
    c.last_max = last_max;
    const std::size_t rest = data - first;  // > 0: the datagram did not fit
    // Fragments 1.. take `inner` bytes each until what is left fits the last one.
    c.count = 2 + (rest <= last_max ? 0 : ceil_div(rest - last_max, inner));
    return c;
}

// ---- IPv4

struct PlanV4 {
    ipv4::View<const std::byte> ip;
    Cut cut;
    // The header of fragments 1..: the fixed 20 bytes and the options with the copy flag.
    std::array<std::byte, ipv4::max_header_len> later{};
    std::size_t later_len = 0;
};

bool plan_v4(wire::ConstBytes l3, std::uint16_t mtu, PlanV4& p) noexcept {
    const auto ip = ipv4::View<const std::byte>::checked(l3);
    if (!ip) return false;
    p.ip = *ip;
    const wire::ConstBytes hdr = ip->header();
    const std::size_t h0 = hdr.size();
    const std::size_t total = ip->total_length();
    const std::size_t data = total - h0;
    if (total <= mtu) {
        p.cut.count = 1;
        p.cut.data = data;
        return true;
    }
    // RFC 791 3.1 (Options, copy flag): only options with the copy flag set go into every
    // fragment; End of Option List ends the list; No Operation (copy flag clear) is dropped.
    std::memcpy(p.later.data(), hdr.data(), ipv4::min_header_len);
    std::size_t n = ipv4::min_header_len;
    for (std::size_t i = ipv4::min_header_len; i < h0;) {
        const std::uint8_t type = wire::load8(hdr, i);
        if (type == 0) break;  // End of Option List
        if (type == 1) {       // No Operation
            ++i;
            continue;
        }
        if (i + 1 >= h0) break;
        const std::size_t len = wire::load8(hdr, i + 1);
        if (len < 2 || i + len > h0) break;  // malformed: copy nothing more
        if ((type & 0x80) != 0) {
            std::memcpy(p.later.data() + n, hdr.data() + i, len);
            n += len;
        }
        i += len;
    }
    while (n % 4 != 0) p.later[n++] = std::byte{0};  // End of Option List padding
    p.later_len = n;
    if (mtu < h0 + 8) return false;  // RFC 791 3.2: at least 8 data bytes per fragment
    p.cut = make_cut(data, floor8(mtu - h0), floor8(mtu - n), mtu - n);
    return true;
}

// ---- IPv6

struct PlanV6 {
    ipv6::View<const std::byte> ip;
    Cut cut;
    std::size_t unfrag = ipv6::header_len;            // Unfragmentable Part length
    std::size_t nh_field = ipv6::field::next_header;  // Next Header field of its last header
};

bool plan_v6(wire::ConstBytes l3, std::uint16_t mtu, PlanV6& p) noexcept {
    const auto ip = ipv6::View<const std::byte>::checked(l3);
    if (!ip) return false;
    p.ip = *ip;
    const wire::ConstBytes b = ip->bytes();
    // RFC 8200 4.5: the Unfragmentable Part runs through the Routing header if there is one,
    // else through the Hop-by-Hop Options header if there is one (Destination Options before
    // a Routing header belong to it; the rest is Fragmentable).
    std::uint8_t nh = ip->next_header();
    std::size_t off = ipv6::header_len;
    while (nh == ipv6::nh_hop_by_hop || nh == ipv6::nh_routing || nh == ipv6::nh_dest_opts) {
        if (b.size() < off + 8) return false;
        const std::size_t len = (std::size_t{wire::load8(b, off + 1)} + 1) * 8;
        if (b.size() < off + len) return false;
        if (nh != ipv6::nh_dest_opts) {
            p.unfrag = off + len;
            p.nh_field = off;
        }
        nh = wire::load8(b, off);
        off += len;
    }
    if (nh == ipv6::nh_fragment) return false;  // fragmented already
    if (mtu < ipv6_min_mtu) return false;
    const std::size_t total = b.size();
    const std::size_t data = total - p.unfrag;
    if (total <= mtu) {
        p.cut.count = 1;
        p.cut.data = data;
        return true;
    }
    const std::size_t room = mtu - p.unfrag;  // may be small with long extension headers
    if (mtu < p.unfrag + frag_hdr_len + 8) return false;
    const std::size_t last_max = room - frag_hdr_len;
    p.cut = make_cut(data, floor8(last_max), floor8(last_max), last_max);
    return true;
}

}  // namespace

std::size_t fragment_count_v4(wire::ConstBytes l3, std::uint16_t mtu) noexcept {
    PlanV4 p;
    return plan_v4(l3, mtu, p) ? p.cut.count : 0;
}

std::size_t fragment_length_v4(wire::ConstBytes l3, std::uint16_t mtu, std::size_t index) noexcept {
    PlanV4 p;
    if (!plan_v4(l3, mtu, p) || index >= p.cut.count) return 0;
    if (p.cut.count == 1) return p.ip.total_length();
    return (index == 0 ? p.ip.header_length() : p.later_len) + p.cut.length(index);
}

std::size_t emit_fragment_v4(wire::Bytes out, wire::ConstBytes l3, std::uint16_t mtu,
                             std::size_t index) noexcept {
    PlanV4 p;
    if (!plan_v4(l3, mtu, p) || index >= p.cut.count) return 0;
    const wire::ConstBytes whole = p.ip.bytes();
    if (p.cut.count == 1) {
        if (out.size() < whole.size()) return 0;
        std::memcpy(out.data(), whole.data(), whole.size());
        return whole.size();
    }
    const wire::ConstBytes hdr =
        index == 0 ? p.ip.header() : wire::ConstBytes(p.later.data(), p.later_len);
    const std::size_t off = p.cut.offset(index);
    const std::size_t len = p.cut.length(index);
    const std::size_t total = hdr.size() + len;
    if (out.size() < total) return 0;
    std::memcpy(out.data(), hdr.data(), hdr.size());
    std::memcpy(out.data() + hdr.size(), p.ip.payload().data() + off, len);
    const wire::Bytes h = out.first(hdr.size());
    // RFC 791 3.2: IHL, Total Length, MF, Fragment Offset and the checksum per fragment; a
    // fragment of a fragment adds its offset to the original's and keeps its MF at the end.
    const bool last = index + 1 == p.cut.count;
    const bool mf = !last || p.ip.more_fragments();
    const std::size_t frag_units = (p.ip.frag_offset() + off) / 8;
    wire::store8(h, ipv4::field::ver_ihl, static_cast<std::uint8_t>(0x40 | (hdr.size() / 4)));
    wire::store16(h, ipv4::field::total_length, static_cast<std::uint16_t>(total));
    wire::store16(h, ipv4::field::flags_frag,
                  static_cast<std::uint16_t>((p.ip.dont_fragment() ? ipv4::flag_df : 0) |
                                             (mf ? ipv4::flag_mf : 0) |
                                             (frag_units & ipv4::frag_offset_mask)));
    wire::store16(h, ipv4::field::checksum, 0);
    wire::store16(h, ipv4::field::checksum, wire::checksum(h));
    return total;
}

std::size_t fragment_count_v6(wire::ConstBytes l3, std::uint16_t mtu) noexcept {
    PlanV6 p;
    return plan_v6(l3, mtu, p) ? p.cut.count : 0;
}

std::size_t fragment_length_v6(wire::ConstBytes l3, std::uint16_t mtu, std::size_t index) noexcept {
    PlanV6 p;
    if (!plan_v6(l3, mtu, p) || index >= p.cut.count) return 0;
    if (p.cut.count == 1) return p.ip.bytes().size();
    return p.unfrag + frag_hdr_len + p.cut.length(index);
}

std::size_t emit_fragment_v6(wire::Bytes out, wire::ConstBytes l3, std::uint16_t mtu,
                             std::uint32_t ident, std::size_t index) noexcept {
    PlanV6 p;
    if (!plan_v6(l3, mtu, p) || index >= p.cut.count) return 0;
    const wire::ConstBytes whole = p.ip.bytes();
    if (p.cut.count == 1) {
        if (out.size() < whole.size()) return 0;
        std::memcpy(out.data(), whole.data(), whole.size());
        return whole.size();
    }
    const std::size_t off = p.cut.offset(index);
    const std::size_t len = p.cut.length(index);
    const std::size_t total = p.unfrag + frag_hdr_len + len;
    if (out.size() < total) return 0;
    std::memcpy(out.data(), whole.data(), p.unfrag);
    const wire::Bytes fh = out.subspan(p.unfrag, frag_hdr_len);
    // RFC 8200 4.5: Next Header (the original value of the last unfragmentable header's),
    // Reserved, Fragment Offset in 8-octet units with Res and the M flag, Identification.
    const bool last = index + 1 == p.cut.count;
    wire::store8(fh, 0, wire::load8(whole, p.nh_field));
    wire::store8(fh, 1, 0);
    wire::store16(fh, 2, static_cast<std::uint16_t>(off | (last ? 0U : 1U)));
    wire::store32(fh, 4, ident);
    std::memcpy(out.data() + p.unfrag + frag_hdr_len, whole.data() + p.unfrag + off, len);
    wire::store8(out, p.nh_field, ipv6::nh_fragment);
    wire::store16(out, ipv6::field::payload_length,
                  static_cast<std::uint16_t>(total - ipv6::header_len));
    return total;
}

}  // namespace pw::icmp
