// Router mode: what the forwarding steps need besides the frame, and the steps themselves.
// The FIB lookup is done by the caller (lib/route, in bulk) and handed in as plain values.
#pragma once

#include <cstdint>

#include "lib/icmp/host_context.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// The route the FIB found for a packet's destination.
struct Route {
    enum class Kind : std::uint8_t {
        none,       // no route: Net Unreachable / No Route (RFC 1812 5.2.7.1, RFC 4443 3.1)
        connected,  // the destination is on the egress link: it is the next hop
        via,        // through a gateway
        reject,     // administratively prohibited (a "prohibit" route)
        blackhole,  // dropped silently
    };
    Kind kind = Kind::none;
    std::uint16_t port = 0;         // egress port
    const Iface* egress = nullptr;  // egress interface (MTU, addresses)
    wire::Ipv4Addr gw4;
    wire::Ipv6Addr gw6;
    bool denied = false;  // the destination matched a --deny ACL entry
};

struct RouterPolicy {
    // Send Redirects (RFC 1812 5.2.7.2, RFC 4861 8.2) when a packet leaves by the port it came
    // in on toward a next hop on the sender's link (Linux send_redirects; off by default here).
    bool send_redirects = false;
    // Errors from the ingress interface's address (RFC 1812 4.3.2.4); Linux uses the route's
    // source (icmp_errors_use_inbound_ifaddr=0).
    ErrorConfig errors{ErrorSource::ingress, {}, {}, 64, 0xc0};
};

// Forwarding of one IPv4 datagram not addressed to us (RFC 1812 5.2, 5.3): the checks, the
// router-side ICMP errors through the one error builder, the TTL decrement with an
// incremental checksum update. Returns Next::forward (egress port, next hop as ::ffff:a.b.c.d,
// fragment_needed when it must be fragmented; error: a Redirect's outcome, its plan in
// *ctx.plan when sent), or Next::drop / Next::error (the error it owes, planned likewise).
Verdict ip4_forward(wire::Bytes frame, std::size_t l2_len, const Route& route,
                    const HostContext& ctx) noexcept;

// The same for IPv6 (RFC 8200, RFC 4443): routers never fragment, they send Packet Too Big.
Verdict ip6_forward(wire::Bytes frame, std::size_t l2_len, const Route& route,
                    const HostContext& ctx) noexcept;

}  // namespace pw::icmp
