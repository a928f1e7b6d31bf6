// The host's receive path for one Ethernet frame: ARP, IPv4 and IPv6 to our addresses, ICMP
// echo and Neighbor Discovery. Pure function over bytes: no DPDK, no allocation.
#pragma once

#include <cstddef>

#include "lib/icmp/iface.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// frame: the first frame_len bytes of buffer. buffer.size() is the room the reply may use
// (a Neighbor Advertisement can be longer than the solicitation it answers). On a reply the
// frame has been rewritten in place and Verdict::len is its new length.
Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const Iface& iface) noexcept;

}  // namespace pw::icmp
