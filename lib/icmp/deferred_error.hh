// ICMP errors owed for packets that have left the handlers: a fragment the reassembler refused,
// a datagram whose reassembly timed out, a packet whose next hop never resolved. Each one plans
// the error through the one builder (suppression, rate limits, source) from plain values; the
// pipeline only allocates and sends what a plan says. Pure: no DPDK, unit-tested without EAL.
#pragma once

#include <span>

#include "lib/icmp/host_context.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/icmp/reassembly.hh"

namespace pw::icmp {

// RFC 8200 4.5: an IPv6 fragment whose length is not a multiple of 8 (not the last), or that
// would reach past 65535 bytes, owes Parameter Problem code 0 pointing at the offending field
// (the reassembler's pointer). frame: the fragment from its Ethernet header; l2_len where its IP
// header starts; l3: the datagram (IP header on).
ErrorDecision plan_fragment_problem(wire::ConstBytes frame, wire::ConstBytes l3,
                                    std::uint32_t pointer, const HostContext& ctx) noexcept;

// RFC 792 (code 1) and RFC 8200 4.5: the first fragment arrived but the datagram did not
// complete in time: Time Exceeded, fragment reassembly time exceeded, quoting the first
// fragment, to its source. head: scratch room for the first fragment's first bytes (at least
// 256); ctx: the context of e.port. Outcome count_ when none is owed (the offset-0 fragment
// never came).
ErrorDecision plan_reassembly_timeout(const Reassembler::Expired& e, wire::Bytes head,
                                      const HostContext& ctx) noexcept;

// RFC 1812 5.2.7.1 (code 1, Host Unreachable) / RFC 4443 3.1 (code 3, Address Unreachable): a
// packet we were forwarding whose next hop did not resolve, from the ingress interface
// (ctx: the ingress port's context, in router mode), back to its source. frame: the packet
// from its Ethernet header (l2_len bytes of it).
ErrorDecision plan_unresolved_next_hop(wire::ConstBytes frame, std::size_t l2_len, bool v6,
                                       const HostContext& ctx) noexcept;

}  // namespace pw::icmp
