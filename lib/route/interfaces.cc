#include "lib/route/interfaces.hh"

namespace pw::route {

std::optional<std::string> InterfaceTable::add(const PortSpec& spec, const wire::MacAddr& mac,
                                               std::uint16_t mtu) {
    if (spec.port >= max_ports)
        return "port " + std::to_string(spec.port) + " is past the limit of " +
               std::to_string(max_ports) + " ports";
    if (present_[spec.port]) return "port " + std::to_string(spec.port) + " is given twice";
    net::Iface ifc;
    ifc.mac = mac;
    ifc.mtu = mtu;
    for (const auto& p : spec.v4)
        if (!ifc.add_v4(p))
            return "port " + std::to_string(spec.port) + ": address " + p.addr.to_string() +
                   " repeated or too many (max " + std::to_string(net::max_addrs_per_family) + ")";
    // RFC 4862 5.3: every IPv6 interface has a link-local address; ours is derived from the MAC.
    ifc.add_link_local();
    for (const auto& p : spec.v6)
        if (!ifc.add_v6(p))
            return "port " + std::to_string(spec.port) + ": address " + p.addr.to_string() +
                   " repeated or too many (max " + std::to_string(net::max_addrs_per_family) + ")";
    ifaces_[spec.port] = ifc;
    present_[spec.port] = true;
    return std::nullopt;
}

}  // namespace pw::route
