// The `--port ID[,mac=MAC][,mtu=N][,addr=A/PLEN]...` option of every pingwire program.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/wire/addr.hh"

namespace pw::route {

struct PortSpec {
    std::uint16_t port = 0;
    std::optional<wire::MacAddr> mac;
    std::optional<std::uint16_t> mtu;
    std::vector<wire::Ipv4Prefix> v4;
    std::vector<wire::Ipv6Prefix> v6;
};

// Parses one --port value. On error, the string says what is wrong in one line.
std::variant<PortSpec, std::string> parse_port_spec(std::string_view text);

// Parses "198.18.0.2/24" or "2001:2::2/64"; a missing length means a host prefix.
std::variant<wire::Ipv4Prefix, wire::Ipv6Prefix, std::string> parse_prefix(std::string_view text);

}  // namespace pw::route
