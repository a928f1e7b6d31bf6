// The one ICMP error builder. Every error, host or router, IPv4 or IPv6, goes through
// plan_error_v4/v6 (suppression, then rate limits, then the source address) and, only if
// that says send, through emit_error into a buffer the caller allocates afterwards.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lib/icmp/error_outcome.hh"
#include "lib/icmp/iface.hh"
#include "lib/icmp/rate_limit.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

// RFC 1812 4.3.2.3: an ICMPv4 error holds as much of the invoking packet as fits in 576
// bytes. RFC 4443 2.4(c): an ICMPv6 error as much as fits in the minimum MTU, 1280.
inline constexpr std::size_t max_error_len_v4 = 576;
inline constexpr std::size_t max_error_len_v6 = 1280;

// Which address an error comes from.
enum class ErrorSource : std::uint8_t {
    // The address the invoking packet was sent to, when it is ours; else the ingress
    // interface's first address (what a host does; Linux's icmp_errors_use_inbound_ifaddr=0
    // picks the route's source, which is the same on a host).
    invoking_dst,
    // The ingress interface's first address (RFC 1812 4.3.2.4).
    ingress,
    // A fixed address given by option.
    fixed,
};

struct ErrorConfig {
    ErrorSource source = ErrorSource::invoking_dst;
    std::optional<wire::Ipv4Addr> fixed_v4;
    std::optional<wire::Ipv6Addr> fixed_v6;
    std::uint8_t ttl = 64;     // RFC 1122 3.2.1.7 / RFC 1700: a fresh TTL, not the invoking one
    std::uint8_t tos = 0xc0;   // RFC 1812 4.3.2.5: precedence 6 (Internetwork Control), as Linux
};

struct ErrorSpec {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t word = 0;  // the second 32-bit word: unused, pointer, next-hop MTU
};

// Everything emit_error needs, decided by plan_error_*.
struct ErrorPlan {
    bool v6 = false;
    wire::MacAddr eth_dst;
    wire::MacAddr eth_src;
    wire::Ipv4Addr src4, dst4;
    wire::Ipv6Addr src6, dst6;
    ErrorSpec spec;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0xc0;
    std::uint16_t ident = 0;
    std::uint32_t quote_len = 0;  // bytes of the invoking packet quoted, from its IP header

    std::size_t frame_len() const noexcept;
};

struct ErrorDecision {
    ErrorOutcome outcome = ErrorOutcome::sent;  // `sent` means: go on, emit it
    ErrorPlan plan;
};

// The invoking packet as the error builder sees it.
struct Invoking {
    wire::MacAddr eth_src;
    wire::MacAddr eth_dst;
    wire::ConstBytes l3;  // the invoking packet from its IP header (first segment or whole)
    std::size_t l3_len = 0;  // its full length (may exceed l3.size() when chained)
};

struct ErrorContext {
    const Iface* iface = nullptr;
    const ErrorConfig* config = nullptr;
    RateLimiter* limiter = nullptr;  // null: no rate limits
    std::uint64_t now_ns = 0;
    std::uint16_t ident = 0;  // the IPv4 identification to use
};

// Suppression (RFC 1122 3.2.2, RFC 1812 4.3.2.7), rate limits, source address. The invoking
// IPv4/IPv6 header must be valid (checked by the caller's view).
ErrorDecision plan_error_v4(const Invoking& in, const ErrorSpec& spec, const ErrorContext& ctx) noexcept;
ErrorDecision plan_error_v6(const Invoking& in, const ErrorSpec& spec, const ErrorContext& ctx) noexcept;

// Writes the error frame (Ethernet, IP, ICMP, quote) into out, which holds at least
// plan.frame_len() bytes. The quote is read from segments, the invoking packet's bytes from
// its IP header on, in order (an mbuf chain, or one span). Returns the frame length.
std::size_t emit_error(wire::Bytes out, const ErrorPlan& plan, std::span<const wire::ConstBytes> segments) noexcept;

// Copies out.size() bytes of a segmented packet starting at offset; returns bytes copied.
std::size_t copy_from_segments(std::span<const wire::ConstBytes> segments, std::size_t offset, wire::Bytes out) noexcept;

}  // namespace pw::icmp
