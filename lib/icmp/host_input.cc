#include "lib/icmp/host_input.hh"

#include "lib/icmp/steps.hh"
#include "lib/wire/ethernet.hh"

namespace pw::icmp {

Verdict host_input(wire::Bytes buffer, std::size_t frame_len, const Iface& iface) noexcept {
    namespace eth = wire::eth;
    if (frame_len > buffer.size()) frame_len = buffer.size();
    const auto view = eth::View<std::byte>::checked(buffer.first(frame_len));
    if (!view) return Verdict::dropped(view.reason());
    const auto dst = view->dst();
    if (!iface.accepts_mac(dst)) return Verdict::dropped(Drop::not_our_mac);
    if (view->has_vlan()) return Verdict::dropped(Drop::vlan_not_configured);

    Frame f{buffer, frame_len, view->header_length(), view->src(), dst};
    switch (view->ethertype()) {
        case eth::type_arp:
            return arp_input(f, iface);
        case eth::type_ipv4:
            return ip4_input(f, iface);
        case eth::type_ipv6:
            return ip6_input(f, iface);
        default:
            return Verdict::dropped(Drop::unknown_ethertype);
    }
}

}  // namespace pw::icmp
