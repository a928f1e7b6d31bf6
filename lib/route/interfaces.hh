// Our interfaces: one per DPDK port, with the MAC, MTU and addresses the handlers answer
// for, and the ports' 802.1Q sub-interfaces (--vlan). Built on the control path before the
// workers start; read-only on the data path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "lib/net/iface.hh"
#include "lib/route/port_spec.hh"

namespace pw::route {

inline constexpr std::size_t max_ports = 32;

// A --respond prefix as the reports name it: its counter slot and where it is.
struct RespondEntry {
    std::uint16_t slot = 0;
    std::uint16_t port = 0;
    std::uint16_t vid = 0;  // 0: on the port itself
    std::variant<wire::Ipv4Prefix, wire::Ipv6Prefix> prefix;
    std::string text() const;  // "198.18.77.0/24"
};

class InterfaceTable {
public:
    InterfaceTable() = default;
    // Copies re-link each port to its own copy of its sub-interfaces.
    InterfaceTable(const InterfaceTable& o) { *this = o; }
    InterfaceTable& operator=(const InterfaceTable& o);

    // Adds the interface of spec.port with its MAC (as the port has it), its --vlan
    // sub-interfaces and its --respond prefixes. Returns an error line, or nothing on success.
    std::optional<std::string> add(const PortSpec& spec, const wire::MacAddr& mac,
                                   std::uint16_t mtu);

    // Router mode: Neighbor Advertisements carry the R flag (RFC 4861 4.4).
    void set_router(bool on) noexcept {
        for (auto& i : ifaces_) i.is_router = on;
        for (auto& i : subifs_) i.is_router = on;
    }

    // pingwire-conform: the host addresses port answers for beside its own (net::Iface's
    // alias ranges). Control path, before the workers start.
    void set_aliases(std::uint16_t port, std::uint32_t first4, std::uint32_t count4,
                     const wire::Ipv6Addr& base6, std::uint32_t count6) noexcept {
        if (port >= max_ports || !present_[port]) return;
        net::Iface& i = ifaces_[port];
        i.alias4_first = first4;
        i.alias4_count = count4;
        i.alias6_base = base6;
        i.alias6_count = count6;
    }

    const net::Iface* find(std::uint16_t port) const noexcept {
        return port < max_ports && present_[port] ? &ifaces_[port] : nullptr;
    }
    // The sub-interface PORT.VID, or null.
    const net::Iface* find_vlan(std::uint16_t port, std::uint16_t vid) const noexcept {
        const net::Iface* p = find(port);
        return p != nullptr ? p->vlan(vid) : nullptr;
    }
    // Every sub-interface, in the order given; the k-th has counter slot (Iface::subif) k + 1.
    std::span<const net::Iface> subifs() const noexcept { return {subifs_.data(), n_subifs_}; }
    bool has_vlans() const noexcept { return n_subifs_ != 0; }
    // Every --respond prefix, by slot.
    const std::vector<RespondEntry>& respond() const noexcept { return respond_; }

    // The Ethernet groups port must receive (RFC 2464 7, RFC 4861 7.2.1): all-nodes and the
    // solicited-node group of each IPv6 address of the port and of its sub-interfaces.
    std::vector<wire::MacAddr> multicast_groups(std::uint16_t port) const;
    // A --respond IPv6 prefix there is in more solicited-node groups than a list holds: the
    // port should receive every group (all-multicast).
    bool wants_all_multicast(std::uint16_t port) const noexcept;

private:
    void relink() noexcept;

    std::array<net::Iface, max_ports> ifaces_{};
    std::array<bool, max_ports> present_{};
    std::array<net::Iface, net::max_subifs> subifs_{};
    std::size_t n_subifs_ = 0;
    std::vector<RespondEntry> respond_;
};

}  // namespace pw::route
