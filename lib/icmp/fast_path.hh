// Validated fast paths for the common case of each family, in front of host_input and of
// ip4_forward / ip6_forward. Pure functions over byte spans: no DPDK, no allocation, no
// state; they never write to the frame unless they succeed.
//
// The contract, checked by tests/unit/fast_path_test.cc and tests/fuzz/fast_path_fuzz.cc
// over every golden vector and millions of mutations of them: when a fast path succeeds, the
// full path (host_input, or host_input's Next::route then ip4_forward / ip6_forward with the
// same Route) would have produced the very same bytes, the same length and the same next hop;
// when it declines (0 / false), the frame is untouched and the caller hands it to the full
// path, which decides as always. A fast path may decline more than it must (anything rare,
// or anything whose answer depends on state it does not see); it never answers otherwise.
//
// Counters are the caller's job (but FastPolicy::respond's). For an answer the caller
// counts what host_input's path counts for it (echo4_fast: IcmpMib v4 count_in(8), that is
// Icmp InMsgs and IcmpMsg InType8, and the Reply::echo4_reply event; echo6_fast: v6
// count_in(128) and Reply::echo6_reply); a forwarded packet as a Next::forward verdict with
// fragment_needed false on egress Route::port.
//
// The frame is an Ethernet frame starting at its first byte; frame.size() is its length
// (padding after the IP datagram allowed). Only untagged frames take a fast path: a tagged
// frame (VLAN sub-interfaces) has 0x8100 where the EtherType is looked for and is declined.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/icmp/forward.hh"
#include "lib/icmp/host_context.hh"
#include "lib/icmp/rate_limit.hh"
#include "lib/net/iface.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// What the fast paths need, fixed at start-up: built once from the policy (control path).
struct FastPolicy {
    // Echo requests may be answered here: echo not ignored (icmp_echo_ignore_all,
    // echo6 ignore_all) and echo replies (0, 129) not in the rate-limit mask, so that no
    // limiter state is involved.
    bool echo4 = false;
    bool echo6 = false;
    // Router mode (--forward): the forward checks decline everything when false.
    bool router = false;
    // The one counter a fast path keeps: an echo answered for an address of a --respond
    // prefix, into this lcore's RespondCounters (by slot; net::max_respond entries), as
    // host_input counts it. Null: not counted.
    RespondCounters* respond = nullptr;
};

FastPolicy make_fast_policy(const HostPolicy& policy, const RateLimitConfig& rate,
                            bool router) noexcept;

// An IPv4 echo request to one of iface's unicast addresses, in the common case: Ethernet
// destination iface.mac (not a group address), no VLAN tag, EtherType IPv4, version 4 and
// IHL 5, total length within the frame and holding an ICMP header, header checksum good,
// not a fragment, protocol ICMP, source not martian nor a broadcast address of iface,
// destination owned by iface and not one of its broadcast addresses, ICMP type 8 (any code),
// ICMP checksum good, and a reply checksum that the incremental update gets right (not the
// all-zero message). Answered in place exactly as host_input answers it; returns the reply
// frame's length (14 + total length). 0: not the common case, the frame is untouched.
std::size_t echo4_fast(wire::Bytes frame, const net::Iface& iface, const FastPolicy& fp) noexcept;

// The same for an ICMPv6 echo request to one of iface's unicast addresses: Ethernet
// destination iface.mac, no VLAN tag, EtherType IPv6, version 6, payload length within the
// frame and holding an ICMPv6 header, Next Header 58 (no extension headers), source neither
// multicast, loopback nor unspecified, destination owned by iface and not multicast, type 128
// (any code), hop limit any, ICMPv6 checksum good (with the pseudo-header), reply checksum
// not the -0 of the incremental update. Returns the reply frame's length (54 + payload
// length); 0: the frame is untouched.
std::size_t echo6_fast(wire::Bytes frame, const net::Iface& iface, const FastPolicy& fp) noexcept;

// Forwarding, split around the FIB lookup the pipeline does in bulk for a whole burst.
//
// forward4_check: the common case of a datagram not for us that ip4_input hands to routing
// and that ip4_forward may forward without an error: fp.router and ctx.router set, Ethernet
// destination ctx.iface->mac (not a group address), no VLAN tag, version 4 and IHL 5, total
// length within the frame, header checksum good, TTL > 1, source not martian nor a broadcast
// address of the ingress interface, destination unicast (not 0/8, 127/8, 224/4, 240/4), not a
// broadcast address of the ingress interface, not owned by it nor (router mode) by any other
// interface in ctx.probe_ifaces. Returns the destination (host order) through dst and true;
// false: the full path. Reads only.
//
// It takes the HostContext host_input would get (ctx.iface is the ingress interface,
// ctx.probe_ifaces every interface, ctx.router the router policy) instead of the ingress
// Iface alone: "ours on another interface" and the router policy are needed.
bool forward4_check(wire::ConstBytes frame, const HostContext& ctx, const FastPolicy& fp,
                    std::uint32_t& dst) noexcept;

// forward4_apply: for a frame forward4_check accepted, after the lookup gave Route r: when
// ip4_forward would forward it with no error, Redirect or fragmentation (route connected or
// via, not denied, egress set; not a directed broadcast of a connected subnet, RFC 2644; fits
// the egress MTU; no Redirect possible: redirects off, or egress neither ctx.iface nor
// in_port), decrements the TTL with the incremental checksum update exactly as ip4_forward
// does and returns true with next_hop set (the gateway, or the destination when connected);
// the frame then leaves by r.port. false: the full path (frame untouched).
bool forward4_apply(wire::Bytes frame, const Route& r, std::uint16_t in_port,
                    const HostContext& ctx, wire::Ipv4Addr& next_hop) noexcept;

// The same pair for IPv6. forward6_check: fp.router and ctx.router set, Ethernet destination
// ctx.iface->mac, no VLAN tag, version 6, payload length within the frame, hop limit > 1,
// source neither multicast, loopback nor unspecified, destination neither multicast,
// link-local nor unspecified, not owned by the ingress interface nor by another one. The
// extension headers are not looked at (ip6_forward does not either, RFC 8200 4).
// forward6_apply: route connected or via, not denied, egress set, a link-local source stays
// on its link (egress is ctx.iface), fits the egress MTU, no Redirect possible; decrements the
// hop limit and returns true with next_hop (gateway or destination).
bool forward6_check(wire::ConstBytes frame, const HostContext& ctx, const FastPolicy& fp,
                    wire::Ipv6Addr& dst) noexcept;
bool forward6_apply(wire::Bytes frame, const Route& r, std::uint16_t in_port,
                    const HostContext& ctx, wire::Ipv6Addr& next_hop) noexcept;

}  // namespace pw::icmp
