// The processing steps behind host_input, one per file. Internal to lib/icmp.
#pragma once

#include "lib/icmp/host_context.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

// One received frame being handled in place.
struct Frame {
    wire::Bytes buf;         // writable room, from the first byte of the frame
    std::size_t len = 0;     // current frame length
    std::size_t l2_len = 0;  // Ethernet header length
    wire::MacAddr eth_src;
    wire::MacAddr eth_dst;
    bool reassembled = false;  // a datagram the reassembler put together

    wire::Bytes l3() const noexcept { return buf.subspan(l2_len, len - l2_len); }
    // Addresses the frame back to dst from our MAC, keeping the tag if any.
    void reply_l2(const wire::MacAddr& dst, const Iface& iface) const noexcept {
        wire::store_bytes(buf, 0, dst);
        wire::store_bytes(buf, 6, iface.mac);
    }
};

Verdict arp_input(Frame& f, const HostContext& ctx) noexcept;
Verdict ip4_input(Frame& f, const HostContext& ctx) noexcept;
Verdict icmp4_input(Frame& f, const wire::ipv4::View<std::byte>& ip, bool to_broadcast,
                    const HostContext& ctx) noexcept;
Verdict udp_input_v4(Frame& f, const wire::ipv4::View<std::byte>& ip,
                     const HostContext& ctx) noexcept;
// TCP: a reset for every segment but a reset (RFC 9293 3.10.7.1: every port is CLOSED).
Verdict tcp_input_v4(Frame& f, const wire::ipv4::View<std::byte>& ip, bool to_broadcast,
                     const HostContext& ctx) noexcept;
Verdict ip6_input(Frame& f, const HostContext& ctx) noexcept;
// fragmented: the message came in a Fragment header (an atomic fragment too) or was
// reassembled, which Neighbor Discovery refuses (RFC 6980 5).
Verdict icmp6_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                    const HostContext& ctx, bool fragmented) noexcept;
Verdict udp_input_v6(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t udp_offset,
                     const HostContext& ctx) noexcept;
Verdict tcp_input_v6(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t tcp_offset,
                     const HostContext& ctx) noexcept;
Verdict ndp_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                  const HostContext& ctx) noexcept;
Verdict na_input(const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                 const HostContext& ctx) noexcept;
// RFC 8335 extended echo: the request at msg (ICMP header on), answered in place.
Verdict probe_input(Frame& f, wire::Bytes msg, bool v6, const HostContext& ctx) noexcept;

// The invoking packet is dropped for `reason` and owes the error `spec`: plan it through the
// one error builder (suppression, rate limits, source) and count the outcome.
Verdict host_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason,
                      const ErrorSpec& spec, const HostContext& ctx) noexcept;
Verdict host_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason,
                      const ErrorSpec& spec, const HostContext& ctx) noexcept;

// The same for errors a router owes: from the router policy's source (RFC 1812 4.3.2.4).
Verdict router_error_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip, Drop reason,
                        const ErrorSpec& spec, const HostContext& ctx) noexcept;
Verdict router_error_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip, Drop reason,
                        const ErrorSpec& spec, const HostContext& ctx) noexcept;

// Redirects (RFC 1812 5.2.7.2, RFC 4861 8.2) about a packet we forward all the same; the
// conditions on source, next hop and options are plan_redirect_v4/v6's. Return the outcome
// (count_: none owed) for the forwarding Verdict; a Redirect to send is in *ctx.plan.
ErrorOutcome redirect_v4(const Frame& f, const wire::ipv4::View<std::byte>& ip,
                         const Ipv4Addr& next_hop, const HostContext& ctx) noexcept;
ErrorOutcome redirect_v6(const Frame& f, const wire::ipv6::View<std::byte>& ip,
                         const Ipv6Addr& target, const HostContext& ctx) noexcept;

// Router mode: a neighbour seen, into the caller's slot (not reported without one).
inline void sight(Verdict& v, const HostContext& ctx, const Sighting& s) noexcept {
    if (ctx.sighting == nullptr) return;
    *ctx.sighting = s;
    v.sighted = true;
}

// Turns the IPv4 datagram of f into a reply to its source from dst, in place: strips options,
// fresh TTL, addresses swapped, header checksum. Returns the reply frame's length.
std::size_t ip4_reply_in_place(Frame& f, const wire::ipv4::View<std::byte>& ip,
                               std::size_t payload_len, const Iface& iface) noexcept;
// The same for IPv6: strips extension headers (the payload at payload_offset moves up to
// follow the fixed header), next header and hop limit set, from `src`.
std::size_t ip6_reply_in_place(Frame& f, const wire::ipv6::View<std::byte>& ip,
                               std::size_t payload_offset, std::size_t payload_len,
                               const wire::Ipv6Addr& src, const Iface& iface) noexcept;

}  // namespace pw::icmp
