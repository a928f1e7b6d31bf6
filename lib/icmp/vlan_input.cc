#include "lib/icmp/vlan_input.hh"

#include "lib/wire/ethernet.hh"

namespace pw::icmp {

namespace eth = wire::eth;

std::uint16_t vlan_of_l2(wire::ConstBytes l2) noexcept {
    if (l2.size() < eth::header_len + eth::vlan_tag_len) return 0;
    if (wire::load16(l2, eth::field::type) != eth::type_vlan) return 0;
    return wire::load16(l2, eth::field::tci) & eth::vid_mask;
}

const Iface* ingress_iface(const Iface& port, wire::ConstBytes l2, Drop& why) noexcept {
    if (l2.size() < eth::header_len || wire::load16(l2, eth::field::type) != eth::type_vlan)
        return &port;
    if (l2.size() < eth::header_len + eth::vlan_tag_len) {
        why = Drop::vlan_truncated;
        return nullptr;
    }
    const std::uint16_t vid = wire::load16(l2, eth::field::tci) & eth::vid_mask;
    // IEEE 802.1Q 9.6: VID 0 tags the priority only. Linux takes such a frame as untagged;
    // here it is dropped and counted, as the operator asked for VLANs by name.
    if (vid == 0) {
        why = Drop::vlan_priority_tagged;
        return nullptr;
    }
    const Iface* sub = port.vlan(vid);
    if (sub == nullptr) why = Drop::vlan_unknown;
    return sub;
}

HostContext vlan_context(const HostContext& port_ctx, const Iface& sub) noexcept {
    HostContext c = port_ctx;
    c.iface = &sub;
    c.router = nullptr;
    c.learns_neighbours = false;
    c.ext_v4 = nullptr;
    c.ext_v6 = nullptr;
    return c;
}

void vlan_done(const HostContext& sub_ctx, const Verdict& v, bool count_rx) noexcept {
    if (v.error_to_send() && sub_ctx.plan != nullptr)
        sub_ctx.plan->vlan_id = sub_ctx.iface->vlan_id;
    if (sub_ctx.vlan_counters == nullptr) return;
    VlanCounters& c = sub_ctx.vlan_counters[sub_ctx.iface->subif];
    if (count_rx) ++c.rx;
    switch (v.next) {
        case Next::reply:
            ++c.replies[static_cast<std::size_t>(v.kind)];
            return;
        case Next::reassemble:
            ++c.held;
            return;
        case Next::error:
            if (v.error_to_send()) {
                ++c.errors;
                ++c.dropped;  // the invoking frame is dropped all the same
                return;
            }
            break;
        case Next::drop:
        case Next::route:
        case Next::forward:
        case Next::count_:
            break;
    }
    ++c.dropped;
}

}  // namespace pw::icmp
