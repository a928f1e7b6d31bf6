// The host's receive path for one Ethernet frame: ARP, IPv4 and IPv6 to our addresses, ICMP
// (echo, timestamp, PROBE), Neighbor Discovery, UDP (Port Unreachable), unknown protocols
// (Protocol Unreachable / Parameter Problem). Pure function over bytes: no DPDK, no
// allocation. Errors are planned here (suppression, rate limit) and built by the caller.
// Each call returns a small Verdict: the next step (Next) and its payload.
#pragma once

#include <cstddef>

#include "lib/icmp/host_context.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// frame: the first frame_len bytes of buffer. buffer.size() is the room the reply may use
// (a Neighbor Advertisement can be longer than the solicitation it answers). On a reply the
// frame has been rewritten in place and Verdict::len is its new length. An ICMP error to send
// is planned into *ctx.plan, a neighbour sighting into *ctx.sighting (see HostContext).
Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const HostContext& ctx) noexcept;

// A reassembled datagram (its L2 header in front, l2_len bytes): the same path after the
// IP layer's fragment check.
Verdict host_input_reassembled(wire::Bytes buffer, std::size_t frame_len, std::size_t l2_len,
                               const HostContext& ctx) noexcept;

// With the default policy, no rate limits, throw-away counters and thread_local plan and
// sighting slots: for tests and benchmarks.
Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const Iface& iface) noexcept;

}  // namespace pw::icmp
