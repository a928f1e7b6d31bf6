// Ethernet II frames with at most one 802.1Q tag (IEEE 802.1Q 9.6).
#pragma once

#include <cstdint>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/drop.hh"

namespace pw::wire::eth {

inline constexpr std::uint16_t type_ipv4 = 0x0800;
inline constexpr std::uint16_t type_arp = 0x0806;
inline constexpr std::uint16_t type_vlan = 0x8100;
inline constexpr std::uint16_t type_ipv6 = 0x86dd;

inline constexpr std::size_t header_len = 14;
inline constexpr std::size_t vlan_tag_len = 4;
// IEEE 802.1Q 9.6: the VID is the low 12 bits of the TCI; 0 means "priority tag only" (no
// VLAN) and 4095 is reserved, so a VLAN is 1..4094.
inline constexpr std::uint16_t vid_mask = 0x0fff;
inline constexpr std::uint16_t max_vid = 4094;

namespace field {
inline constexpr std::size_t dst = 0;
inline constexpr std::size_t src = 6;
inline constexpr std::size_t type = 12;  // EtherType, or TPID when tagged
inline constexpr std::size_t tci = 14;   // when tagged
inline constexpr std::size_t inner_type = 16;
}  // namespace field

template <ByteType B>
class View {
public:
    View() = default;

    // Validates once; afterwards no accessor reads out of bounds.
    static Checked<View> checked(std::span<B> frame) noexcept {
        if (frame.size() < header_len) return Drop::eth_truncated;
        std::size_t hlen = header_len;
        if (load16(frame, field::type) == type_vlan) {
            if (frame.size() < header_len + vlan_tag_len) return Drop::vlan_truncated;
            hlen += vlan_tag_len;
        }
        return View(frame, hlen);
    }

    MacAddr dst() const noexcept { return load_bytes<MacAddr>(buf_, field::dst); }
    MacAddr src() const noexcept { return load_bytes<MacAddr>(buf_, field::src); }
    bool has_vlan() const noexcept { return hlen_ != header_len; }
    std::uint16_t vlan_id() const noexcept {
        return has_vlan() ? load16(buf_, field::tci) & vid_mask : 0;
    }
    // IEEE 802.1Q 9.6: the whole Tag Control Information (PCP, DEI, VID); 0 when untagged.
    std::uint16_t tci() const noexcept { return has_vlan() ? load16(buf_, field::tci) : 0; }
    // The EtherType of the payload (after the tag, when tagged).
    std::uint16_t ethertype() const noexcept { return load16(buf_, hlen_ - 2); }
    std::size_t header_length() const noexcept { return hlen_; }
    std::span<B> payload() const noexcept { return buf_.subspan(hlen_); }
    std::span<B> bytes() const noexcept { return buf_; }

    void set_dst(const MacAddr& m) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::dst, m);
    }
    void set_src(const MacAddr& m) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::src, m);
    }

private:
    View(std::span<B> b, std::size_t hlen) noexcept : buf_(b), hlen_(hlen) {}
    std::span<B> buf_{};
    std::size_t hlen_ = header_len;
};

// The value form of an Ethernet header.
struct Repr {
    MacAddr dst;
    MacAddr src;
    std::uint16_t ethertype = 0;
    std::uint16_t vlan_id = 0;
    bool vlan = false;
    std::uint8_t pcp = 0;  // IEEE 802.1Q 6.9.3 priority code point, when tagged

    std::size_t header_len() const noexcept {
        return vlan ? eth::header_len + vlan_tag_len : eth::header_len;
    }
    // Writes the header at the start of out, which holds at least header_len() bytes.
    void emit(Bytes out) const noexcept {
        store_bytes(out, field::dst, dst);
        store_bytes(out, field::src, src);
        if (vlan) {
            store16(out, field::type, type_vlan);
            store16(out, field::tci,
                    static_cast<std::uint16_t>((pcp & 0x7U) << 13 | (vlan_id & vid_mask)));
            store16(out, field::inner_type, ethertype);
        } else {
            store16(out, field::type, ethertype);
        }
    }
};

}  // namespace pw::wire::eth
