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

    const net::Iface* find(std::uint16_t port) const noexcept {
        return port < max_ports && present_[port] ? &ifaces_[port] : nullptr;
    }

private:
    std::array<net::Iface, max_ports> ifaces_{};
    std::array<bool, max_ports> present_{};
};

}  // namespace pw::route
