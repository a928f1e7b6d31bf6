#include "lib/wire/ipv6.hh"

namespace pw::wire::ipv6 {

namespace {

// RFC 8200 4.2: the options of a Hop-by-Hop or Destination Options header at `start` (its
// first byte), `len` bytes long. Returns false with err set when the packet must be dropped.
bool check_options(ConstBytes packet, std::size_t start, std::size_t len, ExtError& err) noexcept {
    constexpr std::uint8_t pad1 = 0;
    constexpr std::uint8_t padn = 1;
    constexpr std::uint8_t router_alert = 5;  // RFC 2711, Hop-by-Hop only; a host ignores it
    std::size_t i = start + 2;
    const std::size_t end = start + len;
    while (i < end) {
        const std::uint8_t type = load8(packet, i);
        if (type == pad1) {
            ++i;
            continue;
        }
        if (i + 2 > end || i + 2 + std::size_t{load8(packet, i + 1)} > end) {
            // Point at the Opt Data Len that overruns, or at the type when even that is cut off.
            const std::size_t at = i + 1 < end ? i + 1 : i;
            err = {Drop::ip6_bad_ext_header, static_cast<std::uint32_t>(at), 0, false, false};
            return false;
        }
        if (type != padn && type != router_alert) {
            switch (type >> 6) {
                case 0:  // skip over this option
                    break;
                case 1:  // discard the packet, no error
                    err = {Drop::ip6_unknown_option, static_cast<std::uint32_t>(i), 2, true, false};
                    return false;
                case 2:  // discard, Parameter Problem code 2, even to a multicast destination
                    err = {Drop::ip6_unknown_option, static_cast<std::uint32_t>(i), 2, false,
                           false};
                    return false;
                default:  // discard, Parameter Problem code 2 unless the destination is multicast
                    err = {Drop::ip6_unknown_option, static_cast<std::uint32_t>(i), 2, false, true};
                    return false;
            }
        }
        i += 2 + std::size_t{load8(packet, i + 1)};
    }
    return true;
}

}  // namespace

ExtWalk walk_extensions(ConstBytes packet) noexcept {
    ExtWalk w;
    UpperLayer u;
    u.protocol = load8(packet, field::next_header);
    u.offset = header_len;
    u.nh_field = field::next_header;
    bool first = true;
    for (;;) {
        const std::uint8_t nh = u.protocol;
        if (nh != nh_hop_by_hop && nh != nh_routing && nh != nh_fragment && nh != nh_dest_opts) {
            w.upper = u;
            return w;
        }
        // RFC 8200 4.3: Hop-by-Hop Options may only follow the IPv6 header directly.
        if (nh == nh_hop_by_hop && !first) {
            w.error = {Drop::ip6_bad_ext_header, static_cast<std::uint32_t>(u.nh_field), 1};
            return w;
        }
        if (packet.size() < u.offset + 8) {
            // The header does not fit: point at the Next Header field that announced it.
            w.error = {Drop::ip6_bad_ext_header, static_cast<std::uint32_t>(u.nh_field), 0};
            return w;
        }
        std::size_t len;
        if (nh == nh_fragment) {
            // RFC 8200 4.5: fixed 8 bytes; offset in 8-byte units, M flag, identification.
            const std::uint16_t off_flags = load16(packet, u.offset + 2);
            u.fragment = true;
            u.frag_offset = static_cast<std::uint32_t>(off_flags & 0xfff8U);
            u.more_fragments = (off_flags & 1U) != 0;
            u.frag_ident = load32(packet, u.offset + 4);
            len = 8;
        } else {
            len = (std::size_t{load8(packet, u.offset + 1)} + 1) * 8;
            if (packet.size() < u.offset + len) {
                // Hdr Ext Len runs past the packet: point at that length field.
                w.error = {Drop::ip6_bad_ext_header, static_cast<std::uint32_t>(u.offset + 1), 0};
                return w;
            }
            if ((nh == nh_hop_by_hop || nh == nh_dest_opts) &&
                !check_options(packet, u.offset, len, w.error))
                return w;
            // RFC 8200 4.4: we process no Routing Type (type 0 is deprecated by RFC 5095); with
            // Segments Left non-zero the packet is discarded with Parameter Problem code 0
            // pointing at the Routing Type; with zero it is ignored.
            if (nh == nh_routing && load8(packet, u.offset + 3) != 0) {
                w.error = {Drop::ip6_routing_header, static_cast<std::uint32_t>(u.offset + 2), 0};
                return w;
            }
        }
        u.nh_field = u.offset;
        u.protocol = load8(packet, u.offset);
        u.offset += len;
        first = false;
        // RFC 8200 4.5: what follows the Fragment header of a fragment other than the first
        // is data, not headers (as Linux's ipv6_skip_exthdr stops there).
        if (nh == nh_fragment && u.frag_offset != 0) {
            w.upper = u;
            return w;
        }
    }
}

}  // namespace pw::wire::ipv6
