// Where an IP datagram lands in the Ip / Ip6 counters (RFC 4293 ipSystemStatsTable, named as
// Linux names them: icmp_stats.hh), from the verdict the IP layer gave it. One table for the
// whole stack, so that the host path, the forwarding step and the pipeline agree.
#pragma once

#include <cstdint>

#include "lib/icmp/host_context.hh"
#include "lib/icmp/icmp_stats.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// The counter a datagram dropped for d is counted in (in_delivers for the drops of a
// transport: the datagram reached ICMP, UDP or TCP, which decided). IpCounter::count_ for the
// reasons that are not the IP layer's (Ethernet, ARP, the pipeline's).
IpCounter ip_fate(Drop d) noexcept;

// Counts one verdict of the IP layer (ip4_input / ip6_input, ip4_forward / ip6_forward):
// reply -> InDelivers, reassemble -> ReasmReqds, forward -> ForwDatagrams, route -> nothing
// yet (the forwarding step decides), drop / error -> ip_fate of its reason (a bad header
// checksum is InCsumErrors too; an IPv6 packet too big to forward InTooBigErrors).
void count_ip_verdict(IpMib& m, const Verdict& v, bool v6) noexcept;

// What a datagram's destination is, read before a handler rewrites it in place.
enum class IpDst : std::uint8_t { unicast, multicast, broadcast };
IpDst ip_dst_of(wire::ConstBytes l3, bool v6, const Iface& iface) noexcept;

// host_input's IP layer: a datagram received (InReceives, unless it is one the reassembler put
// together: its fragments were counted), its multicast or broadcast destination (when its
// header passed the checks), then its verdict. Returns v.
Verdict count_ip_input(const Verdict& v, IpDst dst, bool v6, bool reassembled,
                       const HostContext& ctx) noexcept;

}  // namespace pw::icmp
