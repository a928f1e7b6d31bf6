// The stimuli the checks start from (no DPDK): a UDP datagram through the RUT (from the
// check's source alias on port 0's subnet to the tool's address on port 1), a datagram or an
// echo request to the RUT itself; each check then changes what it tests.
#pragma once

#include "lib/conform/check.hh"

namespace pw::conform {

// UDP from the check's source to the tool's port-1 address, through the RUT.
FrameSpec transit(const Ctx& c, Family f);
// UDP to a closed port of the RUT's address facing port 0.
FrameSpec to_rut_udp(const Ctx& c, Family f);
// An echo request to the RUT's address facing port 0.
FrameSpec to_rut_echo(const Ctx& c, Family f);
// Sets the destination address (keeps the family).
void set_dst(FrameSpec& s, const wire::Ipv4Addr& a);
void set_dst(FrameSpec& s, const wire::Ipv6Addr& a);
// One frame from port 0.
Tx on_in(const FrameSpec& s);
// The family of a check's exchange (from its first sent frame).
Family family_of(const Exchange& ex);

}  // namespace pw::conform
