// IPv4 options (RFC 791 3.1) as a receiver must check them: the type-length-value walk and the
// pointer fields of the options a host or router interprets, the checks Linux's
// __ip_options_compile makes of a datagram it receives. RFC 1122 3.2.1.8 and 3.2.2.5: a
// datagram whose options are malformed is discarded with Parameter Problem (code 0) whose
// pointer names the octet at fault.
#pragma once

#include <cstdint>

#include "lib/wire/bytes.hh"

namespace pw::wire::ipv4 {

// RFC 791 3.1 option types (copied flag, class and number together).
inline constexpr std::uint8_t opt_end = 0;             // End of Option List
inline constexpr std::uint8_t opt_nop = 1;             // No Operation
inline constexpr std::uint8_t opt_record_route = 7;    // Record Route
inline constexpr std::uint8_t opt_timestamp = 68;      // Internet Timestamp
inline constexpr std::uint8_t opt_lsrr = 131;          // Loose Source and Record Route
inline constexpr std::uint8_t opt_ssrr = 137;          // Strict Source and Record Route
inline constexpr std::uint8_t opt_router_alert = 148;  // RFC 2113

struct OptionCheck {
    bool ok = true;
    // Not ok: the offset of the offending octet from the first octet of the IP header, the
    // Parameter Problem pointer (RFC 792).
    std::uint8_t pointer = 0;
    // A Loose or Strict Source Route option is present (well formed).
    bool source_route = false;
};

// Checks the options of `header`, the whole IPv4 header (its IHL already checked: 20 to 60
// bytes). Options that are well formed but unknown are accepted (RFC 1122 3.2.1.8: a host
// MUST ignore an option it does not implement).
OptionCheck check_options(ConstBytes header) noexcept;

}  // namespace pw::wire::ipv4
