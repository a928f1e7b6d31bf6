// TCP headers (RFC 9293 3.1): the fixed 20 bytes, options skipped by the data offset.
#pragma once

#include <cstdint>

#include "lib/wire/bytes.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/drop.hh"

namespace pw::wire::tcp {

inline constexpr std::size_t header_len = 20;      // data offset 5, no options
inline constexpr std::size_t max_header_len = 60;  // data offset 15

// RFC 9293 3.1 control bits (the byte at offset 13).
inline constexpr std::uint8_t flag_fin = 0x01;
inline constexpr std::uint8_t flag_syn = 0x02;
inline constexpr std::uint8_t flag_rst = 0x04;
inline constexpr std::uint8_t flag_psh = 0x08;
inline constexpr std::uint8_t flag_ack = 0x10;
inline constexpr std::uint8_t flag_urg = 0x20;
inline constexpr std::uint8_t flag_ece = 0x40;  // RFC 3168
inline constexpr std::uint8_t flag_cwr = 0x80;  // RFC 3168

namespace field {
inline constexpr std::size_t src_port = 0;
inline constexpr std::size_t dst_port = 2;
inline constexpr std::size_t seq = 4;
inline constexpr std::size_t ack = 8;
inline constexpr std::size_t data_offset = 12;  // high nibble, in 32-bit words
inline constexpr std::size_t flags = 13;
inline constexpr std::size_t window = 14;
inline constexpr std::size_t checksum = 16;
inline constexpr std::size_t urgent = 18;
inline constexpr std::size_t options = 20;
}  // namespace field

template <ByteType B>
class View {
public:
    View() = default;

    // b is the whole segment (the IP payload). The fixed header fits, the data offset is at
    // least 5 words and the header it gives lies within b. The view spans all of b.
    static Checked<View> checked(std::span<B> b, Drop truncated) noexcept {
        if (b.size() < header_len) return truncated;
        const std::size_t hlen = (std::size_t{load8(b, field::data_offset)} >> 4) * 4;
        if (hlen < header_len || hlen > b.size()) return truncated;
        return View(b);
    }

    std::uint16_t src_port() const noexcept { return load16(buf_, field::src_port); }
    std::uint16_t dst_port() const noexcept { return load16(buf_, field::dst_port); }
    std::uint32_t seq() const noexcept { return load32(buf_, field::seq); }
    std::uint32_t ack() const noexcept { return load32(buf_, field::ack); }
    std::size_t header_length() const noexcept {
        return (std::size_t{load8(buf_, field::data_offset)} >> 4) * 4;
    }
    std::uint8_t flags() const noexcept { return load8(buf_, field::flags); }
    bool syn() const noexcept { return (flags() & flag_syn) != 0; }
    bool ack_flag() const noexcept { return (flags() & flag_ack) != 0; }
    bool rst() const noexcept { return (flags() & flag_rst) != 0; }
    bool fin() const noexcept { return (flags() & flag_fin) != 0; }
    std::uint16_t window() const noexcept { return load16(buf_, field::window); }
    std::uint16_t checksum() const noexcept { return load16(buf_, field::checksum); }
    std::uint16_t urgent() const noexcept { return load16(buf_, field::urgent); }
    std::span<B> options() const noexcept {
        return buf_.subspan(field::options, header_length() - header_len);
    }
    std::span<B> payload() const noexcept { return buf_.subspan(header_length()); }
    std::span<B> bytes() const noexcept { return buf_; }

    // RFC 9293 3.1: the checksum covers the pseudo-header (pass its sum: pseudo_sum_v4 /
    // pseudo_sum_v6 with the segment length) and the whole segment.
    bool checksum_ok(std::uint16_t pseudo_sum) const noexcept {
        return ones_sum(buf_, pseudo_sum) == 0xffff;
    }
    void set_checksum(std::uint16_t v) const noexcept requires is_mutable_v<B> {
        store16(buf_, field::checksum, v);
    }
    void fill_checksum(std::uint16_t pseudo_sum) const noexcept requires is_mutable_v<B> {
        set_checksum(0);
        set_checksum(wire::checksum(buf_, pseudo_sum));
    }

private:
    explicit View(std::span<B> b) noexcept : buf_(b) {}
    std::span<B> buf_{};
};

// The value form of an option-less TCP header.
struct Repr {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;
    std::uint16_t window = 0;
    std::uint16_t urgent = 0;

    static constexpr std::size_t header_len() noexcept { return tcp::header_len; }
    // Writes the 20-byte header with a zero checksum; the caller fills it over the
    // pseudo-header once the payload is in place.
    void emit(Bytes out) const noexcept {
        store16(out, field::src_port, src_port);
        store16(out, field::dst_port, dst_port);
        store32(out, field::seq, seq);
        store32(out, field::ack, ack);
        store8(out, field::data_offset, static_cast<std::uint8_t>((tcp::header_len / 4) << 4));
        store8(out, field::flags, flags);
        store16(out, field::window, window);
        store16(out, field::checksum, 0);
        store16(out, field::urgent, urgent);
    }
};

}  // namespace pw::wire::tcp
