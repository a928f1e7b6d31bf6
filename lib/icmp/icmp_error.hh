// The one ICMP error builder. Every error, host or router, IPv4 or IPv6, goes through
// plan_error_v4/v6 (suppression, then rate limits, then the source address) and, only if
// that says send, through emit_error into a buffer the caller allocates afterwards.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "lib/icmp/error_outcome.hh"
#include "lib/icmp/rate_limit.hh"
#include "lib/net/iface.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

// The interface model lives one layer down (lib/net); the handlers name it unqualified.
using net::Iface;
using net::max_addrs_per_family;
using wire::Ipv4Addr;
using wire::Ipv4Prefix;
using wire::Ipv6Addr;
using wire::Ipv6Prefix;
using wire::MacAddr;

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
    std::uint8_t ttl = 64;    // RFC 1122 3.2.1.7 / RFC 1700: a fresh TTL, not the invoking one
    std::uint8_t tos = 0xc0;  // RFC 1812 4.3.2.5: precedence 6 (Internetwork Control), as Linux
    // With an RFC 4884 extension: false, the original datagram field quotes as much as fits
    // (at least 128 bytes, RFC 4884 5); true, exactly 128 bytes (cut or zero padded), as
    // Linux's icmp_errors_extension_mask sends it. Parsers that ignore the length attribute
    // and look at offset 128 (traceroute -e 2.1, tcpdump 4.99) find the extension then at
    // any probe size; with false, traceroute -e misses it when the whole probe was quoted
    // and is longer than 128 bytes.
    bool rfc4884_original_128 = false;
};

struct ErrorSpec {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint32_t word = 0;  // the second 32-bit word: unused, pointer, next-hop MTU
};

// The errors a router sends about packets it cannot forward, as specs for plan_error_v4/v6.
// The host-side ones (port and protocol unreachable, parameter problem) are built by their
// handlers.
namespace spec_v4 {
// RFC 1812 5.2.7.1: no route (Network Unreachable; routers send code 0 rather than the
// host code when the whole network is unreachable), the next hop not answering ARP
// (Host Unreachable), a prohibiting filter (RFC 1812 5.2.7.1 code 13).
inline constexpr ErrorSpec net_unreachable{3, 0, 0};
inline constexpr ErrorSpec host_unreachable{3, 1, 0};
inline constexpr ErrorSpec admin_prohibited{3, 13, 0};
// RFC 1812 5.3.1: the TTL reached 0 in transit.
inline constexpr ErrorSpec ttl_exceeded{11, 0, 0};
// RFC 1191 4: Fragmentation Needed and DF set, the next-hop MTU in the low-order 16 bits of
// the second word, the high-order 16 bits zero.
constexpr ErrorSpec frag_needed(std::uint16_t next_hop_mtu) noexcept {
    return {3, 4, next_hop_mtu};
}
}  // namespace spec_v4

namespace spec_v6 {
// RFC 4443 3.1: no route (code 0), administratively prohibited (1), beyond the scope of the
// source address (2), address unreachable (3: neighbour discovery failed).
inline constexpr ErrorSpec no_route{1, 0, 0};
inline constexpr ErrorSpec admin_prohibited{1, 1, 0};
inline constexpr ErrorSpec beyond_scope{1, 2, 0};
inline constexpr ErrorSpec address_unreachable{1, 3, 0};
// RFC 4443 3.3: the hop limit reached 0 in transit.
inline constexpr ErrorSpec hop_limit_exceeded{3, 0, 0};
// RFC 4443 3.2: Packet Too Big, the next-hop link's MTU in the whole second word. Sent also
// about packets to multicast destinations (plan_error_v6 lets it through).
constexpr ErrorSpec packet_too_big(std::uint32_t mtu) noexcept {
    return {2, 0, mtu};
}
}  // namespace spec_v6

// RFC 5837 4.1: which interface an Interface Information Object describes.
enum class IfRole : std::uint8_t {
    incoming = 0,         // the IP interface the datagram arrived on
    sub_ip_incoming = 1,  // the sub-IP component of that interface
    outgoing = 2,         // the IP interface it would have been forwarded through
    next_hop = 3,         // the IP next hop it would have been forwarded to
};

// An RFC 5837 Interface Information Object, appended to Time Exceeded and Destination
// Unreachable in an RFC 4884 extension structure. Built on the control path, once per port;
// plans point at it, so it outlives them.
struct InterfaceInfo {
    IfRole role = IfRole::incoming;
    bool has_ifindex = false;
    std::uint32_t ifindex = 0;
    bool has_addr = false;
    bool addr_v6 = false;  // which of a4, a6 is sent
    wire::Ipv4Addr a4;
    wire::Ipv6Addr a6;
    // UTF-8, NUL-terminated (or all 64 bytes used); empty: no name sub-object. At most 63
    // bytes are sent (RFC 5837 4.3: the sub-object, length octet included, is at most 64).
    std::array<char, 64> name{};
    bool has_mtu = false;
    std::uint32_t mtu = 0;

    // Bytes of the name that are sent (0..63).
    std::size_t name_len() const noexcept;
    // The object: its 4-byte header (RFC 4884 8) and the sub-objects (RFC 5837 4.1).
    std::size_t object_len() const noexcept;
    // The extension structure: the 4-byte extension header (RFC 4884 7) and the object.
    std::size_t extension_len() const noexcept { return ext_header_len + object_len(); }

    static constexpr std::size_t ext_header_len = 4;
};

namespace rfc4884 {
// RFC 4884 4.1, 4.2 and 5: the "original datagram" field of a message that carries an
// extension holds at least 128 bytes (zero padded) and ends on a 32-bit (ICMPv4) or 64-bit
// (ICMPv6) boundary; the length attribute counts it in those words.
inline constexpr std::size_t min_original_len = 128;
inline constexpr std::size_t word_v4 = 4;
inline constexpr std::size_t word_v6 = 8;
// Where the length attribute is: the sixth byte of the ICMPv4 header, the fifth of ICMPv6.
inline constexpr std::size_t length_offset_v4 = 5;
inline constexpr std::size_t length_offset_v6 = 4;
inline constexpr std::uint8_t version = 2;               // RFC 4884 7
inline constexpr std::uint8_t class_interface_info = 2;  // RFC 5837 4 (IANA Class-Num 2)
// RFC 5837 4.1, the C-Type bits: Interface Role in bits 0-1 (the two high-order bits),
// Rsvd1 and Rsvd2 in bits 2-3, then ifIndex, IPAddr, name, MTU in bits 4-7.
inline constexpr std::uint8_t ctype_role_shift = 6;
inline constexpr std::uint8_t ctype_ifindex = 0x08;
inline constexpr std::uint8_t ctype_ipaddr = 0x04;
inline constexpr std::uint8_t ctype_name = 0x02;
inline constexpr std::uint8_t ctype_mtu = 0x01;
// RFC 5837 4.2: the IP Address Sub-Object's AFI (IANA Address Family Numbers).
inline constexpr std::uint16_t afi_ipv4 = 1;
inline constexpr std::uint16_t afi_ipv6 = 2;

// The types an extension is appended to here: Destination Unreachable and Time Exceeded
// (RFC 4884 4 lists these and ICMPv4 Parameter Problem; RFC 5837 4 identifies interfaces
// for the first two).
constexpr bool allowed_v4(std::uint8_t type) noexcept {
    return type == 3 || type == 11;
}
constexpr bool allowed_v6(std::uint8_t type) noexcept {
    return type == 1 || type == 3;
}
}  // namespace rfc4884

// Writes the extension structure for info (info.extension_len() bytes) at the start of out:
// the RFC 4884 7 header (version 2, reserved, checksum over the whole structure), then the
// Interface Information Object. Returns the bytes written.
std::size_t emit_extension(wire::Bytes out, const InterfaceInfo& info) noexcept;

// Everything emit_error needs, decided by plan_error_*.
struct ErrorPlan {
    bool v6 = false;
    wire::MacAddr eth_dst;
    wire::MacAddr eth_src;
    // IEEE 802.1Q: the error leaves by a VLAN sub-interface, tagged with vlan_id (1..4094).
    std::uint16_t vlan_id = 0;
    wire::Ipv4Addr src4, dst4;
    wire::Ipv6Addr src6, dst6;
    ErrorSpec spec;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0xc0;
    std::uint16_t ident = 0;
    std::uint32_t quote_len = 0;  // bytes of the invoking packet quoted, from its IP header

    // RFC 4884 multipart message: the quote is followed by pad_len zero bytes (quote_len +
    // pad_len is the "original datagram" field, which the length attribute counts), then the
    // extension structure built from *ext (ext_len bytes). ext is null when rfc4884 is false.
    bool rfc4884 = false;
    const InterfaceInfo* ext = nullptr;
    std::uint16_t pad_len = 0;
    std::uint16_t ext_len = 0;

    // ICMPv6 Redirect (type 137, RFC 4861 4.5): Target and Destination Address, a Target
    // Link-Layer Address option when has_tlla, and the quote inside a Redirected Header
    // option (RFC 4861 4.6.3; pad_len zeros round it to 8 bytes).
    wire::Ipv6Addr target6;
    wire::Ipv6Addr redirect_dst6;
    bool has_tlla = false;
    wire::MacAddr tlla;

    // Bytes between the ICMP header and the quote: 0 for errors; Target, Destination and the
    // options' headers for an ICMPv6 Redirect.
    std::size_t head_len() const noexcept;
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
    wire::ConstBytes l3;     // the invoking packet from its IP header (first segment or whole)
    std::size_t l3_len = 0;  // its full length (may exceed l3.size() when chained)
};

struct ErrorContext {
    const Iface* iface = nullptr;
    const ErrorConfig* config = nullptr;
    RateLimiter* limiter = nullptr;  // null: no rate limits
    std::uint64_t now_ns = 0;
    std::uint16_t ident = 0;  // the IPv4 identification to use
    // RFC 4884 / RFC 5837: the Interface Information Object appended to Time Exceeded and
    // Destination Unreachable (rfc4884::allowed_v4/v6); null: plain RFC 792 / 4443 errors.
    const InterfaceInfo* ext = nullptr;
};

// Suppression (RFC 1122 3.2.2, RFC 1812 4.3.2.7), rate limits, source address. The invoking
// IPv4/IPv6 header must be valid (checked by the caller's view).
ErrorDecision plan_error_v4(const Invoking& in, const ErrorSpec& spec,
                            const ErrorContext& ctx) noexcept;
ErrorDecision plan_error_v6(const Invoking& in, const ErrorSpec& spec,
                            const ErrorContext& ctx) noexcept;

// Redirects (router mode), built by the same builder and rate-limited like errors. The caller
// calls these only when the packet is about to leave by the interface it arrived on
// (ctx.iface); the rest of the conditions are checked here. ErrorDecision::outcome is
// ErrorOutcome::count_ when no Redirect is owed (as Verdict::error says "none owed").
//
// IPv4 (RFC 1812 5.2.7.2, RFC 792): Redirect for Host (type 5, code 1; routers never send
// the network codes), gateway in the second word, sent only when the invoking source and
// the gateway are on one subnet of the interface and the packet holds no source route
// option; the suppressions of errors apply (RFC 1812 4.3.2.7: Redirect is an ICMP error).
// It comes from our address on that subnet (RFC 1122 3.2.2.2: a host accepts a Redirect
// only from its first-hop gateway). next_hop is the gateway of the route, or the
// destination itself when it is on the link.
ErrorDecision plan_redirect_v4(const Invoking& in, const wire::Ipv4Addr& next_hop,
                               const ErrorContext& ctx) noexcept;

// IPv6 (RFC 4861 8.2): sent only when the invoking source is a neighbour (link-local or in
// an on-link prefix of the interface), the destination is not multicast, and the target is
// the destination itself (it is on the link) or a router's link-local address (RFC 4861
// 4.5). From the interface's link-local address with hop limit 255; a Target Link-Layer
// Address option when target_mac is known; a Redirected Header option quoting as much of the
// packet as fits in 1280 bytes.
ErrorDecision plan_redirect_v6(const Invoking& in, const wire::Ipv6Addr& target,
                               const wire::MacAddr* target_mac, const ErrorContext& ctx) noexcept;

// Writes the error frame (Ethernet, IP, ICMP, [Redirect fields,] quote, [zero padding, RFC
// 4884 extension]) into out, which holds at least plan.frame_len() bytes. The quote is read
// from segments, the invoking packet's bytes from its IP header on, in order (an mbuf chain,
// or one span). Returns the frame length.
std::size_t emit_error(wire::Bytes out, const ErrorPlan& plan,
                       std::span<const wire::ConstBytes> segments) noexcept;

// Copies out.size() bytes of a segmented packet starting at offset; returns bytes copied.
std::size_t copy_from_segments(std::span<const wire::ConstBytes> segments, std::size_t offset,
                               wire::Bytes out) noexcept;

}  // namespace pw::icmp
