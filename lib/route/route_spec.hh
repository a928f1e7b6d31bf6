// The `--route` and `--deny` options of pingwire-responder (router mode). DPDK-free: parsed on
// the control path, then handed to route::Fib.
//
//   --route PREFIX,via=ADDR[,port=ID]   forward to the gateway ADDR (on the link of port ID, or of
//                                       the connected subnet that holds ADDR)
//   --route PREFIX,reject               drop and answer Communication Administratively Prohibited
//                                       (ICMPv4 type 3 code 13, RFC 1812 5.2.7.1; ICMPv6 type 1
//                                       code 1, RFC 4443 3.1)
//   --route PREFIX,blackhole            drop silently
//   --deny PREFIX                       ACL on the destination: Administratively Prohibited, and it
//                                       beats every route, also more specific ones
//   --neigh ADDR,mac=MAC[,port=ID]      a permanent neighbour (ip neigh ... nud permanent): never
//                                       probed, never aged, not changed by what is heard on the
//                                       wire
//
// PREFIX is A/LEN or a bare address (a host route). `default4` is 0.0.0.0/0 and `default6` is
// ::/0; plain `default` takes its family from via= (`default,via=198.18.0.1`), so it needs via=.
// Host bits set under the length (198.18.0.1/24) are refused, as `ip route` does: the message
// names the network that was probably meant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lib/wire/addr.hh"

namespace pw::route {

using Prefix = std::variant<wire::Ipv4Prefix, wire::Ipv6Prefix>;
using IpAddr = std::variant<wire::Ipv4Addr, wire::Ipv6Addr>;

enum class RouteAction : std::uint8_t { via, reject, blackhole };

struct RouteSpec {
    Prefix prefix;  // host bits are zero
    RouteAction action = RouteAction::via;
    std::optional<IpAddr> via;          // set iff action == via; same family as prefix
    std::optional<std::uint16_t> port;  // only with via
};

struct DenySpec {
    Prefix prefix;  // host bits are zero
};

struct NeighSpec {
    IpAddr addr;                        // a unicast address
    wire::MacAddr mac;                  // a unicast MAC
    std::optional<std::uint16_t> port;  // absent: the port whose connected subnet holds addr
};

// Parse one --route / --deny value. On error the string says what is wrong in one line (without
// the option name: the caller prefixes "--route VALUE: ").
std::variant<RouteSpec, std::string> parse_route_spec(std::string_view text);
std::variant<DenySpec, std::string> parse_deny_spec(std::string_view text);
std::variant<NeighSpec, std::string> parse_neigh_spec(std::string_view text);

// "198.18.0.0/15", "2001:2::/48": the prefix as the FIB holds it.
std::string to_string(const Prefix& p);
std::string to_string(const IpAddr& a);
// The canonical option value: parse_route_spec(to_string(s)) gives s back.
std::string to_string(const RouteSpec& s);

constexpr bool is_v6(const Prefix& p) noexcept {
    return p.index() == 1;
}

// The network of p: its address with the host bits cleared.
wire::Ipv4Prefix network(const wire::Ipv4Prefix& p) noexcept;
wire::Ipv6Prefix network(const wire::Ipv6Prefix& p) noexcept;

}  // namespace pw::route
