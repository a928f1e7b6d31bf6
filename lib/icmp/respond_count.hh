// The per-prefix counters of --respond on the full path: which prefix a frame is addressed
// to (looked at before it is handled, as an answer rewrites it in place) and what became of
// it. The fast paths count their echo answers themselves (FastPolicy::respond). Internal to
// lib/icmp (host_input).
#pragma once

#include <cstdint>

#include "lib/icmp/host_context.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// The respond slot of the address frame is for (IPv4 destination, ARP target, IPv6
// destination or, for a Neighbor Solicitation to a group, its target), or -1. l2_len: the
// Ethernet header's length; ethertype: the payload's.
int respond_slot_of(wire::ConstBytes frame, std::size_t l2_len, std::uint16_t ethertype,
                    const Iface& iface) noexcept;

// Counts v into slot's RespondCounters (echo, ARP/NS answered, other).
void count_respond(const HostContext& ctx, int slot, const Verdict& v) noexcept;

}  // namespace pw::icmp
