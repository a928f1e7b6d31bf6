// ARP for IPv4 over Ethernet (RFC 826).
#pragma once

#include <cstdint>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/drop.hh"

namespace pw::wire::arp {

inline constexpr std::size_t packet_len = 28;
inline constexpr std::uint16_t htype_ethernet = 1;
inline constexpr std::uint16_t ptype_ipv4 = 0x0800;
inline constexpr std::uint16_t op_request = 1;
inline constexpr std::uint16_t op_reply = 2;

namespace field {
inline constexpr std::size_t htype = 0;
inline constexpr std::size_t ptype = 2;
inline constexpr std::size_t hlen = 4;
inline constexpr std::size_t plen = 5;
inline constexpr std::size_t oper = 6;
inline constexpr std::size_t sha = 8;
inline constexpr std::size_t spa = 14;
inline constexpr std::size_t tha = 18;
inline constexpr std::size_t tpa = 24;
}  // namespace field

template <ByteType B>
class View {
public:
    View() = default;

    // Checks the length and that this is Ethernet/IPv4 ARP (the only kind we speak).
    static Checked<View> checked(std::span<B> b) noexcept {
        if (b.size() < packet_len) return Drop::arp_truncated;
        if (load16(b, field::htype) != htype_ethernet || load16(b, field::ptype) != ptype_ipv4 ||
            load8(b, field::hlen) != 6 || load8(b, field::plen) != 4)
            return Drop::arp_unsupported;
        return View(b.first(packet_len));
    }

    std::uint16_t oper() const noexcept { return load16(buf_, field::oper); }
    MacAddr sha() const noexcept { return load_bytes<MacAddr>(buf_, field::sha); }
    Ipv4Addr spa() const noexcept { return load_bytes<Ipv4Addr>(buf_, field::spa); }
    MacAddr tha() const noexcept { return load_bytes<MacAddr>(buf_, field::tha); }
    Ipv4Addr tpa() const noexcept { return load_bytes<Ipv4Addr>(buf_, field::tpa); }
    std::span<B> bytes() const noexcept { return buf_; }

    void set_oper(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::oper, v);
    }
    void set_sha(const MacAddr& v) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::sha, v);
    }
    void set_spa(const Ipv4Addr& v) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::spa, v);
    }
    void set_tha(const MacAddr& v) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::tha, v);
    }
    void set_tpa(const Ipv4Addr& v) const noexcept requires is_mutable_v<B> {
        store_bytes(buf_, field::tpa, v);
    }

private:
    explicit View(std::span<B> b) noexcept : buf_(b) {}
    std::span<B> buf_{};
};

struct Repr {
    std::uint16_t oper = op_request;
    MacAddr sha;
    Ipv4Addr spa;
    MacAddr tha;
    Ipv4Addr tpa;

    static constexpr std::size_t buffer_len() noexcept { return packet_len; }
    static Checked<Repr> parse(ConstBytes b) noexcept {
        auto v = View<const std::byte>::checked(b);
        if (!v) return v.reason();
        return Repr{v->oper(), v->sha(), v->spa(), v->tha(), v->tpa()};
    }
    void emit(Bytes out) const noexcept {
        store16(out, field::htype, htype_ethernet);
        store16(out, field::ptype, ptype_ipv4);
        store8(out, field::hlen, 6);
        store8(out, field::plen, 4);
        store16(out, field::oper, oper);
        store_bytes(out, field::sha, sha);
        store_bytes(out, field::spa, spa);
        store_bytes(out, field::tha, tha);
        store_bytes(out, field::tpa, tpa);
    }
};

}  // namespace pw::wire::arp
