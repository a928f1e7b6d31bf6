#include "lib/wire/ipv6.hh"

namespace pw::wire::ipv6 {

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
        }
        u.nh_field = u.offset;
        u.protocol = load8(packet, u.offset);
        u.offset += len;
        first = false;
    }
}

}  // namespace pw::wire::ipv6
