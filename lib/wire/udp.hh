// UDP headers (RFC 768).
#pragma once

#include <cstdint>

#include "lib/wire/bytes.hh"
#include "lib/wire/drop.hh"

namespace pw::wire::udp {

inline constexpr std::size_t header_len = 8;

namespace field {
inline constexpr std::size_t src_port = 0;
inline constexpr std::size_t dst_port = 2;
inline constexpr std::size_t length = 4;
inline constexpr std::size_t checksum = 6;
}  // namespace field

template <ByteType B>
class View {
public:
    View() = default;

    // The header fits, and the length field covers it and lies within b. The view then spans
    // exactly `length` bytes.
    static Checked<View> checked(std::span<B> b, Drop truncated) noexcept {
        if (b.size() < header_len) return truncated;
        const std::size_t len = load16(b, field::length);
        if (len < header_len || len > b.size()) return truncated;
        return View(b.first(len));
    }

    std::uint16_t src_port() const noexcept { return load16(buf_, field::src_port); }
    std::uint16_t dst_port() const noexcept { return load16(buf_, field::dst_port); }
    std::uint16_t length() const noexcept { return load16(buf_, field::length); }
    std::uint16_t checksum() const noexcept { return load16(buf_, field::checksum); }
    std::span<B> payload() const noexcept { return buf_.subspan(header_len); }
    std::span<B> bytes() const noexcept { return buf_; }

private:
    explicit View(std::span<B> b) noexcept : buf_(b) {}
    std::span<B> buf_{};
};

struct Repr {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint16_t payload_len = 0;

    static constexpr std::size_t header_len() noexcept { return udp::header_len; }
    // Writes the header with a zero checksum; the caller fills it over the pseudo-header.
    void emit(Bytes out) const noexcept {
        store16(out, field::src_port, src_port);
        store16(out, field::dst_port, dst_port);
        store16(out, field::length, static_cast<std::uint16_t>(udp::header_len + payload_len));
        store16(out, field::checksum, 0);
    }
};

}  // namespace pw::wire::udp
