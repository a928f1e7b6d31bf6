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

// `--vlan PORT.VID[,mtu=N][,addr=A/PLEN]...`: an IEEE 802.1Q sub-interface of a port (Linux's
// eth0.100), with its own addresses and MTU (default: the port's).
struct VlanSpec {
    std::uint16_t port = 0;
    std::uint16_t vid = 0;  // 1..4094
    std::optional<std::uint16_t> mtu;
    std::vector<wire::Ipv4Prefix> v4;
    std::vector<wire::Ipv6Prefix> v6;
    std::vector<wire::Ipv4Prefix> respond4;  // --respond PREFIX,port=PORT.VID
    std::vector<wire::Ipv6Prefix> respond6;
};

struct PortSpec {
    std::uint16_t port = 0;
    std::optional<wire::MacAddr> mac;
    std::optional<std::uint16_t> mtu;
    std::vector<wire::Ipv4Prefix> v4;
    std::vector<wire::Ipv6Prefix> v6;
    // --respond prefixes on this port, and its --vlan sub-interfaces.
    std::vector<wire::Ipv4Prefix> respond4;
    std::vector<wire::Ipv6Prefix> respond6;
    std::vector<VlanSpec> vlans;
};

// Parses one --port value. On error, the string says what is wrong in one line.
std::variant<PortSpec, std::string> parse_port_spec(std::string_view text);

// Parses one --vlan value.
std::variant<VlanSpec, std::string> parse_vlan_spec(std::string_view text);

// `--respond PREFIX[,port=ID|ID.VID]`: every address of PREFIX answered as ours.
struct RespondSpec {
    std::variant<wire::Ipv4Prefix, wire::Ipv6Prefix> prefix;
    std::optional<std::uint16_t> port;
    std::uint16_t vid = 0;  // with port: a sub-interface of it (0: the port itself)
};
std::variant<RespondSpec, std::string> parse_respond_spec(std::string_view text);

// Puts --vlan and --respond specs on the ports (checked against them: the port configured, a
// VID once per port; a respond prefix without port= goes to the interface whose subnet holds
// it, or to the only port). Returns the one-line error, or nothing.
std::optional<std::string> attach_vlans(std::vector<PortSpec>& ports,
                                        const std::vector<VlanSpec>& vlans);
std::optional<std::string> attach_respond(std::vector<PortSpec>& ports,
                                          const std::vector<RespondSpec>& specs);

// Parses "198.18.0.2/24" or "2001:2::2/64"; a missing length means a host prefix.
std::variant<wire::Ipv4Prefix, wire::Ipv6Prefix, std::string> parse_prefix(std::string_view text);

}  // namespace pw::route
