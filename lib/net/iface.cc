#include "lib/net/iface.hh"

namespace pw::net {

bool Iface::add_v4(const Ipv4Prefix& p) noexcept {
    if (n4 >= v4.size() || owns_v4(p.addr)) return false;
    v4[n4++] = p;
    return true;
}

bool Iface::add_v6(const Ipv6Prefix& p) noexcept {
    if (n6 >= v6.size() || owns_v6(p.addr)) return false;
    v6[n6++] = p;
    return true;
}

void Iface::add_link_local() noexcept {
    const Ipv6Prefix ll{Ipv6Addr::link_local_from_mac(mac), 64};
    if (owns_v6(ll.addr)) return;
    if (n6 >= v6.size()) n6 = static_cast<std::uint8_t>(v6.size() - 1);
    for (std::size_t i = n6; i > 0; --i) v6[i] = v6[i - 1];
    v6[0] = ll;
    ++n6;
}

bool Iface::owns_v4(const Ipv4Addr& a) const noexcept {
    for (std::size_t i = 0; i < n4; ++i)
        if (v4[i].addr == a) return true;
    return false;
}

bool Iface::is_v4_broadcast(const Ipv4Addr& a) const noexcept {
    const std::uint32_t x = a.to_u32();
    if (x == 0xffffffffU) return true;
    // The directed broadcast of a subnet: its prefix with every host bit set (none for /31
    // and /32, RFC 3021). Checked on the fly: it runs twice per received datagram.
    for (std::size_t i = 0; i < n4; ++i) {
        const std::uint32_t m = v4[i].mask();
        if (v4[i].len < 31 && (x | m) == 0xffffffffU && ((x ^ v4[i].addr.to_u32()) & m) == 0)
            return true;
    }
    return false;
}

bool Iface::owns_v6(const Ipv6Addr& a) const noexcept {
    for (std::size_t i = 0; i < n6; ++i)
        if (v6[i].addr == a) return true;
    return false;
}

bool Iface::joined_v6_group(const Ipv6Addr& a) const noexcept {
    if (a == Ipv6Addr::all_nodes()) return true;
    for (std::size_t i = 0; i < n6; ++i)
        if (v6[i].addr.solicited_node() == a) return true;
    return false;
}

bool Iface::accepts_mac(const MacAddr& m) const noexcept {
    if (m == mac || m.is_broadcast()) return true;
    if (m == Ipv6Addr::all_nodes().multicast_mac()) return true;
    for (std::size_t i = 0; i < n6; ++i)
        if (v6[i].addr.solicited_node().multicast_mac() == m) return true;
    return false;
}

std::optional<Ipv6Addr> Iface::source_for_v6(const Ipv6Addr& dst) const noexcept {
    std::optional<Ipv6Addr> link_local, first_global;
    for (std::size_t i = 0; i < n6; ++i) {
        const auto& p = v6[i];
        if (p.addr.is_link_local()) {
            if (!link_local) link_local = p.addr;
            continue;
        }
        if (!dst.is_link_local() && p.contains(dst)) return p.addr;
        if (!first_global) first_global = p.addr;
    }
    if (dst.is_link_local()) return link_local ? link_local : first_global;
    return first_global ? first_global : link_local;
}

}  // namespace pw::icmp
