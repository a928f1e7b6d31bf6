// ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) messages: both share the 8-byte header layout
// type, code, checksum, then a 32-bit word whose meaning depends on the type.
#pragma once

#include <cstdint>

#include "lib/wire/bytes.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/drop.hh"

namespace pw::wire {

namespace icmpv4 {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t dest_unreachable = 3;
inline constexpr std::uint8_t source_quench = 4;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t router_advertisement = 9;
inline constexpr std::uint8_t router_solicitation = 10;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
inline constexpr std::uint8_t timestamp_request = 13;
inline constexpr std::uint8_t timestamp_reply = 14;
}  // namespace icmpv4

namespace icmpv6 {
inline constexpr std::uint8_t dest_unreachable = 1;
inline constexpr std::uint8_t packet_too_big = 2;
inline constexpr std::uint8_t time_exceeded = 3;
inline constexpr std::uint8_t parameter_problem = 4;
inline constexpr std::uint8_t echo_request = 128;
inline constexpr std::uint8_t echo_reply = 129;
inline constexpr std::uint8_t router_solicitation = 133;
inline constexpr std::uint8_t router_advertisement = 134;
inline constexpr std::uint8_t neighbor_solicitation = 135;
inline constexpr std::uint8_t neighbor_advertisement = 136;
inline constexpr std::uint8_t redirect = 137;
// RFC 4443 2.1: types 0..127 are errors, 128..255 informational.
constexpr bool is_error(std::uint8_t type) noexcept {
    return type < 128;
}
}  // namespace icmpv6

namespace icmp {

inline constexpr std::size_t header_len = 8;

namespace field {
inline constexpr std::size_t type = 0;
inline constexpr std::size_t code = 1;
inline constexpr std::size_t checksum = 2;
inline constexpr std::size_t ident = 4;  // echo
inline constexpr std::size_t seq = 6;    // echo
inline constexpr std::size_t word = 4;   // the type-specific 32-bit word
inline constexpr std::size_t data = 8;
}  // namespace field

// One view for both versions; the truncation reason differs so callers pass it.
template <ByteType B>
class View {
public:
    View() = default;

    static Checked<View> checked(std::span<B> b, Drop truncated) noexcept {
        if (b.size() < header_len) return truncated;
        return View(b);
    }

    std::uint8_t type() const noexcept { return load8(buf_, field::type); }
    std::uint8_t code() const noexcept { return load8(buf_, field::code); }
    std::uint16_t checksum() const noexcept { return load16(buf_, field::checksum); }
    std::uint16_t ident() const noexcept { return load16(buf_, field::ident); }
    std::uint16_t seq() const noexcept { return load16(buf_, field::seq); }
    std::uint32_t word() const noexcept { return load32(buf_, field::word); }
    std::span<B> data() const noexcept { return buf_.subspan(field::data); }
    std::span<B> bytes() const noexcept { return buf_; }
    // The first 16-bit word (type and code), as the checksum sees it.
    std::uint16_t type_code_word() const noexcept { return load16(buf_, field::type); }

    // ICMPv4 (RFC 792): the checksum covers the message alone.
    bool checksum_ok_v4() const noexcept { return ones_sum(buf_) == 0xffff; }
    // ICMPv6 (RFC 4443 2.3): the checksum covers a pseudo-header too; pass its sum.
    bool checksum_ok_v6(std::uint16_t pseudo_sum) const noexcept {
        return ones_sum(buf_, pseudo_sum) == 0xffff;
    }

    void set_type(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::type, v);
    }
    void set_code(std::uint8_t v) const noexcept requires is_mutable_v<B> {
        store8(buf_, field::code, v);
    }
    void set_checksum(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::checksum, v);
    }
    void set_word(std::uint32_t v) const noexcept requires is_mutable_v<B> {
        store32(buf_, field::word, v);
    }
    void fill_checksum_v4() const noexcept requires is_mutable_v<B> {
        set_checksum(0);
        set_checksum(wire::checksum(buf_));
    }
    void fill_checksum_v6(std::uint16_t pseudo_sum) const noexcept requires is_mutable_v<B> {
        set_checksum(0);
        set_checksum(wire::checksum(buf_, pseudo_sum));
    }

private:
    explicit View(std::span<B> b) noexcept : buf_(b) {}
    std::span<B> buf_{};
};

// The value form of an ICMP header: type, code and the type-specific word. The checksum is
// filled by the caller once the data is in place (it covers the data, and for ICMPv6 the
// pseudo-header).
struct Repr {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t word = 0;

    static constexpr std::size_t header_len() noexcept { return icmp::header_len; }
    void emit(Bytes out) const noexcept {
        store8(out, field::type, type);
        store8(out, field::code, code);
        store16(out, field::checksum, 0);
        store32(out, field::word, word);
    }
};

}  // namespace icmp
}  // namespace pw::wire
