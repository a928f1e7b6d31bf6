// Our interfaces: one per DPDK port, with the MAC, MTU and addresses the handlers answer
// for. Built on the control path before the workers start; read-only on the data path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "lib/net/iface.hh"
#include "lib/route/port_spec.hh"

namespace pw::route {

inline constexpr std::size_t max_ports = 32;

class InterfaceTable {
public:
    // Adds the interface of spec.port with its MAC (as the port has it). Returns an error
    // line, or nothing on success.
    std::optional<std::string> add(const PortSpec& spec, const wire::MacAddr& mac,
                                   std::uint16_t mtu);

    // Router mode: Neighbor Advertisements carry the R flag (RFC 4861 4.4).
    void set_router(bool on) noexcept {
        for (auto& i : ifaces_) i.is_router = on;
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

private:
    std::array<net::Iface, max_ports> ifaces_{};
    std::array<bool, max_ports> present_{};
};

}  // namespace pw::route
