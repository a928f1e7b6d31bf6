// What became of each ICMP error the stack owed: sent, or not sent and why. One counter each.
#pragma once

#include <cstdint>
#include <string_view>

namespace pw::icmp {

// X(name, description)
#define PW_ERROR_OUTCOMES(X)                                                                       \
    X(sent, "ICMP errors sent")                                                                    \
    X(suppressed_icmp_error,                                                                       \
      "not sent: about an ICMP error or unknown ICMP type (RFC 1122 3.2.2, RFC 4443 2.4(e))")      \
    X(suppressed_redirect, "not sent: about an ICMPv6 Redirect (RFC 4443 2.4(e.2))")               \
    X(suppressed_fragment,                                                                         \
      "not sent: about a non-initial fragment (RFC 1122 3.2.2, RFC 1812 4.3.2.7)")                 \
    X(suppressed_ip_multicast, "not sent: about a packet to an IP broadcast or multicast address") \
    X(suppressed_l2_multicast,                                                                     \
      "not sent: about a frame to a link-layer broadcast or multicast address")                    \
    X(suppressed_source, "not sent: the invoking source is not a unique host")                     \
    X(rate_limited_global, "not sent: global rate limit (Linux OutRateLimitGlobal)")               \
    X(rate_limited_host, "not sent: per-destination rate limit (Linux OutRateLimitHost)")          \
    X(no_source_address, "not sent: no address of ours to send it from")                           \
    X(no_mbuf, "not sent: no mbuf to build it in")

enum class ErrorOutcome : std::uint8_t {
#define PW_X(name, desc) name,
    PW_ERROR_OUTCOMES(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t error_outcome_count = static_cast<std::size_t>(ErrorOutcome::count_);

constexpr std::string_view error_outcome_name(ErrorOutcome o) noexcept {
    switch (o) {
#define PW_X(name, desc)     \
    case ErrorOutcome::name: \
        return #name;
        PW_ERROR_OUTCOMES(PW_X)
#undef PW_X
        case ErrorOutcome::count_:
            break;
    }
    return "unknown";
}

constexpr std::string_view error_outcome_description(ErrorOutcome o) noexcept {
    switch (o) {
#define PW_X(name, desc)     \
    case ErrorOutcome::name: \
        return desc;
        PW_ERROR_OUTCOMES(PW_X)
#undef PW_X
        case ErrorOutcome::count_:
            break;
    }
    return "unknown";
}

}  // namespace pw::icmp
