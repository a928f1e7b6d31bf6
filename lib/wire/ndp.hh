// Neighbor Discovery messages and options (RFC 4861 4.3, 4.4, 4.6).
#pragma once

#include <cstdint>
#include <optional>

#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/icmp.hh"

namespace pw::wire::ndp {

// Neighbor Solicitation / Advertisement: ICMPv6 header, 4 bytes (reserved or flags), target.
inline constexpr std::size_t ns_na_len = 24;
inline constexpr std::size_t target_offset = 8;
inline constexpr std::size_t options_offset = 24;

inline constexpr std::uint32_t na_flag_router = 0x80000000U;
inline constexpr std::uint32_t na_flag_solicited = 0x40000000U;
inline constexpr std::uint32_t na_flag_override = 0x20000000U;

inline constexpr std::uint8_t opt_source_lladdr = 1;
inline constexpr std::uint8_t opt_target_lladdr = 2;
inline constexpr std::uint8_t opt_prefix_info = 3;
inline constexpr std::uint8_t opt_redirected = 4;
inline constexpr std::uint8_t opt_mtu = 5;
inline constexpr std::uint8_t opt_nonce = 14;
inline constexpr std::size_t lladdr_opt_len = 8;  // type, length (1 unit), 6-byte MAC

// What the options of an ND message say, as far as a host needs it.
struct Options {
    std::optional<MacAddr> source_lladdr;
    std::optional<MacAddr> target_lladdr;
};

// Parses the options area. RFC 4861 4.6: every option has a non-zero length in units of 8
// bytes and lies within the message; otherwise the message is invalid (nullopt). Unknown
// options are skipped (RFC 4861 4.6 "receivers MUST silently ignore").
template <ByteType B>
std::optional<Options> parse_options(std::span<B> opts) noexcept {
    Options o;
    std::size_t off = 0;
    while (off < opts.size()) {
        if (opts.size() - off < 2) return std::nullopt;
        const std::uint8_t type = load8(opts, off);
        const std::size_t len = std::size_t{load8(opts, off + 1)} * 8;
        if (len == 0 || len > opts.size() - off) return std::nullopt;
        if ((type == opt_source_lladdr || type == opt_target_lladdr) && len >= 8) {
            const auto mac = load_bytes<MacAddr>(opts, off + 2);
            if (type == opt_source_lladdr)
                o.source_lladdr = mac;
            else
                o.target_lladdr = mac;
        }
        off += len;
    }
    return o;
}

// Writes a link-layer address option (8 bytes) at the start of out.
inline void emit_lladdr_option(Bytes out, std::uint8_t type, const MacAddr& mac) noexcept {
    store8(out, 0, type);
    store8(out, 1, 1);
    store_bytes(out, 2, mac);
}

}  // namespace pw::wire::ndp
