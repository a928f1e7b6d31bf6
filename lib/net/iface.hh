// lib/net: the interface model, below lib/icmp and lib/route (both read it).
// What the protocol handlers need to know about the interface a packet came in on: its MAC,
// MTU and addresses. A plain value with fixed capacity (no heap), built on the control path
// by lib/route and read by the data path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "lib/wire/addr.hh"

namespace pw::net {

using wire::Ipv4Addr;
using wire::Ipv4Prefix;
using wire::Ipv6Addr;
using wire::Ipv6Prefix;
using wire::MacAddr;

inline constexpr std::size_t max_addrs_per_family = 16;

struct Iface {
    MacAddr mac;
    std::uint16_t mtu = 1500;
    bool is_router = false;  // sets the R flag in Neighbor Advertisements (RFC 4861 4.4)
    std::uint8_t n4 = 0;
    std::uint8_t n6 = 0;  // v6[0] is the link-local address once add_link_local() ran
    std::array<Ipv4Prefix, max_addrs_per_family> v4{};
    std::array<Ipv6Prefix, max_addrs_per_family> v6{};

    // Control path: false when the table is full or the address is already there.
    bool add_v4(const Ipv4Prefix& p) noexcept;
    bool add_v6(const Ipv6Prefix& p) noexcept;
    // Adds fe80::/64 with the EUI-64 identifier of mac (RFC 4862 5.3), first in the list.
    void add_link_local() noexcept;

    // Data path lookups.
    bool owns_v4(const Ipv4Addr& a) const noexcept;
    // 255.255.255.255 or the directed broadcast of one of our subnets (RFC 1122 3.2.1.3).
    bool is_v4_broadcast(const Ipv4Addr& a) const noexcept;
    bool owns_v6(const Ipv6Addr& a) const noexcept;
    // ff02::1, or the solicited-node group of one of our addresses (RFC 4861 7.2.1).
    bool joined_v6_group(const Ipv6Addr& a) const noexcept;
    // Our MAC, broadcast, or the Ethernet group of a joined IPv6 group (RFC 2464 7).
    bool accepts_mac(const MacAddr& m) const noexcept;
    // A unicast source for a reply to dst: link-local for a link-local peer, else the global
    // address whose prefix holds dst, else the first global, else link-local (RFC 6724
    // rules 2 and 8, simplified to what a host with few addresses needs).
    std::optional<Ipv6Addr> source_for_v6(const Ipv6Addr& dst) const noexcept;
};

}  // namespace pw::icmp
