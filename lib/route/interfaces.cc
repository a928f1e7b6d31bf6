#include "lib/route/interfaces.hh"

namespace pw::route {

namespace {

template <class Prefix>
std::string prefix_text(const Prefix& p) {
    return p.addr.to_string() + "/" + std::to_string(p.len);
}

std::string too_many(const std::string& where, const std::string& addr) {
    return where + ": address " + addr + " repeated or too many (max " +
           std::to_string(net::max_addrs_per_family) + ")";
}

// The addresses of one interface: v4, the link-local address (RFC 4862 5.3: every IPv6
// interface has one; ours is derived from the MAC), v6.
std::optional<std::string> add_addresses(net::Iface& ifc, const std::string& where,
                                         const std::vector<wire::Ipv4Prefix>& v4,
                                         const std::vector<wire::Ipv6Prefix>& v6) {
    for (const auto& p : v4)
        if (!ifc.add_v4(p)) return too_many(where, p.addr.to_string());
    ifc.add_link_local();
    for (const auto& p : v6)
        if (!ifc.add_v6(p)) return too_many(where, p.addr.to_string());
    return std::nullopt;
}

}  // namespace

std::string RespondEntry::text() const {
    if (const auto* p4 = std::get_if<wire::Ipv4Prefix>(&prefix)) return prefix_text(*p4);
    return prefix_text(std::get<wire::Ipv6Prefix>(prefix));
}

InterfaceTable& InterfaceTable::operator=(const InterfaceTable& o) {
    if (this == &o) return *this;
    ifaces_ = o.ifaces_;
    present_ = o.present_;
    subifs_ = o.subifs_;
    n_subifs_ = o.n_subifs_;
    respond_ = o.respond_;
    relink();
    return *this;
}

void InterfaceTable::relink() noexcept {
    for (auto& p : ifaces_) p.n_vlans = 0;
    for (std::size_t i = 0; i < n_subifs_; ++i) {
        net::Iface& parent = ifaces_[subifs_[i].port_id];
        parent.vlan_vids[parent.n_vlans] = subifs_[i].vlan_id;
        parent.vlan_ifaces[parent.n_vlans] = &subifs_[i];
        ++parent.n_vlans;
    }
}

std::optional<std::string> InterfaceTable::add(const PortSpec& spec, const wire::MacAddr& mac,
                                               std::uint16_t mtu) {
    const std::string where = "port " + std::to_string(spec.port);
    if (spec.port >= max_ports)
        return where + " is past the limit of " + std::to_string(max_ports) + " ports";
    if (present_[spec.port]) return where + " is given twice";
    net::Iface ifc;
    ifc.mac = mac;
    ifc.mtu = mtu;
    ifc.port_id = spec.port;
    if (auto e = add_addresses(ifc, where, spec.v4, spec.v6)) return e;

    const auto add_respond =
        [this](net::Iface& i, const std::string& at, const std::vector<wire::Ipv4Prefix>& r4,
               const std::vector<wire::Ipv6Prefix>& r6) -> std::optional<std::string> {
        for (const auto& p : r4) {
            const auto slot = static_cast<std::uint16_t>(respond_.size());
            if (slot >= net::max_respond || !i.add_respond_v4(p, slot))
                return at + ": --respond " + prefix_text(p) + ": too many prefixes (max " +
                       std::to_string(net::max_respond_per_family) + " per interface and family, " +
                       std::to_string(net::max_respond) + " in all)";
            respond_.push_back({slot, i.port_id, i.vlan_id, i.respond4[i.n_respond4 - 1].prefix});
        }
        for (const auto& p : r6) {
            const auto slot = static_cast<std::uint16_t>(respond_.size());
            if (slot >= net::max_respond || !i.add_respond_v6(p, slot))
                return at + ": --respond " + prefix_text(p) + ": too many prefixes (max " +
                       std::to_string(net::max_respond_per_family) + " per interface and family, " +
                       std::to_string(net::max_respond) + " in all)";
            respond_.push_back({slot, i.port_id, i.vlan_id, i.respond6[i.n_respond6 - 1].prefix});
        }
        return std::nullopt;
    };
    const std::size_t respond_before = respond_.size();
    const std::size_t subifs_before = n_subifs_;
    const auto undo = [&] {
        respond_.resize(respond_before);
        n_subifs_ = subifs_before;
    };
    if (auto e = add_respond(ifc, where, spec.respond4, spec.respond6)) {
        undo();
        return e;
    }

    if (spec.vlans.size() > net::max_vlans_per_port) {
        undo();
        return where + ": more than " + std::to_string(net::max_vlans_per_port) +
               " VLAN sub-interfaces";
    }
    for (const auto& v : spec.vlans) {
        const std::string name =
            "--vlan " + std::to_string(spec.port) + "." + std::to_string(v.vid);
        // The slot is the index + 1: 0 means "not a sub-interface".
        if (n_subifs_ + 1 >= net::max_subifs) {
            undo();
            return name + ": more than " + std::to_string(net::max_subifs - 1) +
                   " VLAN sub-interfaces in all";
        }
        net::Iface sub;
        sub.mac = mac;
        sub.mtu = v.mtu.value_or(mtu);
        // Linux: a VLAN device's MTU is at most its lower device's.
        if (sub.mtu > mtu) {
            undo();
            return name + ": mtu " + std::to_string(sub.mtu) + " is above the port's " +
                   std::to_string(mtu);
        }
        sub.port_id = spec.port;
        sub.vlan_id = v.vid;
        sub.subif = static_cast<std::uint8_t>(n_subifs_ + 1);
        if (auto e = add_addresses(sub, name, v.v4, v.v6)) {
            undo();
            return e;
        }
        if (auto e = add_respond(sub, name, v.respond4, v.respond6)) {
            undo();
            return e;
        }
        subifs_[n_subifs_++] = sub;
    }
    ifaces_[spec.port] = ifc;
    present_[spec.port] = true;
    relink();
    return std::nullopt;
}

std::vector<wire::MacAddr> InterfaceTable::multicast_groups(std::uint16_t port) const {
    std::vector<wire::MacAddr> groups{wire::Ipv6Addr::all_nodes().multicast_mac()};
    const net::Iface* p = find(port);
    if (p == nullptr) return groups;
    const auto add = [&groups](const net::Iface& i) {
        for (std::size_t k = 0; k < i.n6; ++k) {
            const auto g = i.v6[k].addr.solicited_node().multicast_mac();
            bool seen = false;
            for (const auto& h : groups) seen = seen || h == g;
            if (!seen) groups.push_back(g);
        }
    };
    add(*p);
    for (std::size_t k = 0; k < p->n_vlans; ++k) add(*p->vlan_ifaces[k]);
    return groups;
}

bool InterfaceTable::wants_all_multicast(std::uint16_t port) const noexcept {
    const net::Iface* p = find(port);
    if (p == nullptr) return false;
    if (p->n_respond6 != 0) return true;
    for (std::size_t k = 0; k < p->n_vlans; ++k)
        if (p->vlan_ifaces[k]->n_respond6 != 0) return true;
    return false;
}

}  // namespace pw::route
