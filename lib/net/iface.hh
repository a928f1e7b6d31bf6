// lib/net: the interface model, below lib/icmp and lib/route (both read it).
// What the protocol handlers need to know about the interface a packet came in on: its MAC,
// MTU and addresses. A plain value with fixed capacity (no heap), built on the control path
// by lib/route and read by the data path.
//
// The address tables change only through add_v4, add_v6 and add_link_local, which also keep
// the facts the data path derives from them precomputed (addresses and directed broadcasts
// as integers, the Ethernet groups of the joined IPv6 groups as 48-bit keys), so that the
// lookups are short integer compare loops. Do not write v4/v6/n4/n6 directly.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "lib/wire/addr.hh"

namespace pw::net {

using wire::Ipv4Addr;
using wire::Ipv4Prefix;
using wire::Ipv6Addr;
using wire::Ipv6Prefix;
using wire::MacAddr;

inline constexpr std::size_t max_addrs_per_family = 16;
// 802.1Q sub-interfaces (--vlan): per port, and in all (their counter slots).
inline constexpr std::size_t max_vlans_per_port = 16;
inline constexpr std::size_t max_subifs = 64;
// --respond prefixes: per interface and family, and in all (their counter slots).
inline constexpr std::size_t max_respond_per_family = 8;
inline constexpr std::size_t max_respond = 32;

// A --respond prefix of IPv4: every host address of it is ours (ARP, echo, closed ports), the
// first (network) and last (directed broadcast) excluded when it is shorter than /31 (RFC 922,
// RFC 3021), as a Linux host on that subnet would not own them. Host order.
struct Respond4 {
    Ipv4Prefix prefix;
    std::uint32_t first = 0;  // the first address answered
    std::uint32_t span = 0;   // addresses answered after it: [first, first + span]
    std::uint16_t slot = 0;   // its counters (RespondCounters), unique in the InterfaceTable
    bool contains(std::uint32_t a) const noexcept { return a - first <= span; }
};

// A --respond prefix of IPv6: every address of it but the Subnet-Router anycast address (the
// prefix with a zero interface identifier, RFC 4291 2.6.1) when it is shorter than /127.
// hi/lo: the prefix, mhi/mlo: its mask, as two native 64-bit words of the address bytes.
// sn_mask/sn_val: which low 24 bits (those a solicited-node group carries, RFC 4291 2.7.1)
// its addresses can have: any when the prefix is /104 or shorter.
struct Respond6 {
    Ipv6Prefix prefix;
    std::uint64_t hi = 0, lo = 0, mhi = 0, mlo = 0;
    std::uint32_t sn_mask = 0, sn_val = 0;
    std::uint16_t slot = 0;
    bool anycast_excluded = false;
};

// A MAC address as a 48-bit integer (its six bytes in memory order in the low 48 bits of a
// native-order load): equal MACs, equal keys.
inline std::uint64_t mac_key(const void* six_bytes) noexcept {
    std::uint32_t lo = 0;
    std::uint16_t hi = 0;
    std::memcpy(&lo, six_bytes, 4);
    std::memcpy(&hi, static_cast<const unsigned char*>(six_bytes) + 4, 2);
    return std::uint64_t{lo} | (std::uint64_t{hi} << 32);
}
inline std::uint64_t mac_key(const MacAddr& m) noexcept {
    return mac_key(m.bytes.data());
}
// The same key, for constants.
constexpr std::uint64_t mac_key_constant(const MacAddr& m) noexcept {
    const auto b = [&m](std::size_t i) { return std::uint64_t{m.bytes[i]}; };
    if constexpr (std::endian::native == std::endian::little)
        return b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24 | b(4) << 32 | b(5) << 40;
    return (b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3)) | (b(4) << 8 | b(5)) << 32;
}
inline constexpr std::uint64_t broadcast_mac_key = mac_key_constant(MacAddr::broadcast());
inline constexpr std::uint64_t all_nodes_mac_key =
    mac_key_constant(Ipv6Addr::all_nodes().multicast_mac());

struct Iface {
    // The MAC may be set or changed at any time (lib/route sets it before the addresses;
    // nothing derived from it is cached).
    MacAddr mac;
    std::uint16_t mtu = 1500;
    // The longest IP packet the port receives (its MRU): the MTU, but never below Ethernet's
    // 1500 (a NIC takes standard frames whatever the MTU; jumbo ones only with a jumbo MTU).
    std::size_t max_rx_packet() const noexcept { return mtu > 1500 ? mtu : 1500; }
    bool is_router = false;  // sets the R flag in Neighbor Advertisements (RFC 4861 4.4)
    std::uint8_t n4 = 0;
    std::uint8_t n6 = 0;  // v6[0] is the link-local address once add_link_local() ran
    std::array<Ipv4Prefix, max_addrs_per_family> v4{};
    std::array<Ipv6Prefix, max_addrs_per_family> v6{};

    // Derived from v4/v6 by the add_* calls (refresh()), read by the lookups below.
    // v4_u32[i] is v4[i].addr in host order. bcast4[0..n_bcast4) holds 255.255.255.255 and
    // the directed broadcast of every subnet shorter than /31 (RFC 922, RFC 3021), each once.
    // group_keys[0..n_groups) the Ethernet groups (RFC 2464 7) of all-nodes and of the
    // solicited-node group of every IPv6 address, each once.
    std::array<std::uint32_t, max_addrs_per_family> v4_u32{};
    std::uint8_t n_bcast4 = 1;
    std::uint8_t n_groups = 1;
    std::array<std::uint32_t, max_addrs_per_family + 1> bcast4{0xffffffffU};
    std::array<std::uint64_t, max_addrs_per_family + 1> group_keys{all_nodes_mac_key};

    // Host addresses answered for beside v4/v6, as if they were ours (ARP, NDP, echo, closed
    // ports): pingwire-conform's many sources on one port. IPv4: alias4_count addresses from
    // alias4_first (host order). IPv6: alias6_count addresses alias6(alias6_base, k), k = 1..
    // count, which differ from the base in bytes 8..11 only, so they share its solicited-node
    // group (RFC 4291 2.7.1: the low 24 bits): the base must be one of v6 for NDP to reach
    // them. Set on the control path, before the data path runs.
    std::uint32_t alias4_first = 0;
    std::uint32_t alias4_count = 0;
    Ipv6Addr alias6_base;
    std::uint32_t alias6_count = 0;
    // The k-th IPv6 alias of base: bytes 8..11 of base, big-endian, plus k.
    static Ipv6Addr alias6(const Ipv6Addr& base, std::uint32_t k) noexcept;

    // --respond: prefixes whose addresses are all ours beside v4/v6 (a ping sink, a darknet
    // responder). Checked after the exact addresses: a short loop of masks.
    std::uint8_t n_respond4 = 0;
    std::uint8_t n_respond6 = 0;
    std::array<Respond4, max_respond_per_family> respond4{};
    std::array<Respond6, max_respond_per_family> respond6{};
    // Control path: false when the table is full. slot: its counters.
    bool add_respond_v4(const Ipv4Prefix& p, std::uint16_t slot) noexcept;
    bool add_respond_v6(const Ipv6Prefix& p, std::uint16_t slot) noexcept;
    // The counter slot of the respond prefix holding a, or -1.
    int respond_slot_v4(std::uint32_t host_order) const noexcept {
        for (std::size_t i = 0; i < n_respond4; ++i)
            if (respond4[i].contains(host_order)) return respond4[i].slot;
        return -1;
    }
    int respond_slot_v6(const Ipv6Addr& a) const noexcept;

    // IEEE 802.1Q sub-interfaces (Linux's eth0.100). On a sub-interface: vlan_id is its VID
    // (1..4094) and subif its counter slot (VlanCounters), unique in the InterfaceTable; both
    // 0 on a port. On a port: its sub-interfaces by VID, linked by the InterfaceTable (which
    // holds them). A sub-interface has the port's MAC and its own MTU and addresses (and so
    // its own link-local address, the same EUI-64 one as the port's, as Linux gives it).
    std::uint16_t vlan_id = 0;
    std::uint16_t port_id = 0;  // the DPDK port (the parent's, on a sub-interface)
    std::uint8_t subif = 0;
    std::uint8_t n_vlans = 0;
    std::array<std::uint16_t, max_vlans_per_port> vlan_vids{};
    std::array<const Iface*, max_vlans_per_port> vlan_ifaces{};
    // The sub-interface of VID vid, or null.
    const Iface* vlan(std::uint16_t vid) const noexcept {
        for (std::size_t i = 0; i < n_vlans; ++i)
            if (vlan_vids[i] == vid) return vlan_ifaces[i];
        return nullptr;
    }

    // Control path: false when the table is full or the address is already there.
    bool add_v4(const Ipv4Prefix& p) noexcept;
    bool add_v6(const Ipv6Prefix& p) noexcept;
    // Adds fe80::/64 with the EUI-64 identifier of mac (RFC 4862 5.3), first in the list.
    void add_link_local() noexcept;
    // Recomputes the derived facts from v4/v6 (the add_* calls do it).
    void refresh() noexcept;

    // Data path lookups.
    bool owns_v4(const Ipv4Addr& a) const noexcept { return owns_v4_u32(a.to_u32()); }
    bool owns_v4_u32(std::uint32_t host_order) const noexcept {
        return owns_address_v4_u32(host_order) ||
               (n_respond4 != 0 && respond_slot_v4(host_order) >= 0);
    }
    // One of v4 or an alias (not a --respond prefix).
    bool owns_address_v4_u32(std::uint32_t host_order) const noexcept {
        for (std::size_t i = 0; i < n4; ++i)
            if (v4_u32[i] == host_order) return true;
        return host_order - alias4_first < alias4_count;
    }
    // 255.255.255.255 or the directed broadcast of one of our subnets (RFC 1122 3.2.1.3).
    bool is_v4_broadcast(const Ipv4Addr& a) const noexcept {
        return is_v4_broadcast_u32(a.to_u32());
    }
    bool is_v4_broadcast_u32(std::uint32_t host_order) const noexcept {
        for (std::size_t i = 0; i < n_bcast4; ++i)
            if (bcast4[i] == host_order) return true;
        return false;
    }
    bool owns_v6(const Ipv6Addr& a) const noexcept {
        return owns_address_v6(a) || (n_respond6 != 0 && respond_slot_v6(a) >= 0);
    }
    // One of v6 or an alias (not a --respond prefix).
    bool owns_address_v6(const Ipv6Addr& a) const noexcept;
    // ff02::1, or the solicited-node group of one of our addresses (RFC 4861 7.2.1).
    bool joined_v6_group(const Ipv6Addr& a) const noexcept;
    // Our MAC, broadcast, or the Ethernet group of a joined IPv6 group (RFC 2464 7).
    bool accepts_mac(const MacAddr& m) const noexcept { return accepts_mac_key(mac_key(m)); }
    bool accepts_mac_key(std::uint64_t key) const noexcept {
        if (key == mac_key(mac) || key == broadcast_mac_key) return true;
        for (std::size_t i = 0; i < n_groups; ++i)
            if (group_keys[i] == key) return true;
        return n_respond6 != 0 && respond_group_mac(key);
    }
    // A unicast source for a reply to dst: link-local for a link-local peer, else the global
    // address whose prefix holds dst, else the first global, else link-local (RFC 6724
    // rules 2 and 8, simplified to what a host with few addresses needs).
    std::optional<Ipv6Addr> source_for_v6(const Ipv6Addr& dst) const noexcept;

private:
    // RFC 2464 7 / RFC 4291 2.7.1: the Ethernet group 33:33:ff:XX:XX:XX of a solicited-node
    // group some address of a --respond prefix is in.
    bool respond_group_mac(std::uint64_t key) const noexcept;
    bool respond_low24(std::uint32_t low24) const noexcept {
        for (std::size_t i = 0; i < n_respond6; ++i)
            if ((low24 & respond6[i].sn_mask) == respond6[i].sn_val) return true;
        return false;
    }
};

}  // namespace pw::net
