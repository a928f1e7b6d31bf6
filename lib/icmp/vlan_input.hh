// IEEE 802.1Q sub-interfaces on the receive path: a tagged frame whose VID is a sub-interface
// of its port is handled as if it had arrived on that interface (its addresses, its MTU, its
// link-local address); its answers keep the tag in place, the errors built for it get one.
// Internal to lib/icmp (host_input and the deferred errors).
#pragma once

#include <cstdint>

#include "lib/icmp/host_context.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"

namespace pw::icmp {

// The VID of a frame's tag (l2: its Ethernet header on), 0 when untagged or priority-tagged.
std::uint16_t vlan_of_l2(wire::ConstBytes l2) noexcept;

// The interface a frame came in on, given its port's interface: the port's own (untagged), the
// sub-interface of its VID, or null (why: vlan_priority_tagged for VID 0, vlan_unknown for a
// VID that is no sub-interface of the port, 4095 among them).
const Iface* ingress_iface(const Iface& port, wire::ConstBytes l2, Drop& why) noexcept;

// The host context of a sub-interface, from its port's: host only (no router policy, no
// neighbour learning: the port's neighbour table is not the VLAN's), no RFC 5837 object
// (those describe ports).
HostContext vlan_context(const HostContext& port_ctx, const Iface& sub) noexcept;

// After a handler ran on sub's context: counts the verdict into sub's VlanCounters (rx too
// when count_rx) and tags the error planned, if one is to be sent (IEEE 802.1Q: it leaves by
// the VLAN it answers).
void vlan_done(const HostContext& sub_ctx, const Verdict& v, bool count_rx) noexcept;

}  // namespace pw::icmp
