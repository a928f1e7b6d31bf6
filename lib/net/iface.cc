#include "lib/net/iface.hh"

#include <algorithm>

namespace pw::net {

namespace {

// An IPv6 address as two native 64-bit words: equal addresses, equal words.
struct Words6 {
    std::uint64_t hi = 0, lo = 0;
    explicit Words6(const Ipv6Addr& a) noexcept {
        std::memcpy(&hi, a.bytes.data(), 8);
        std::memcpy(&lo, a.bytes.data() + 8, 8);
    }
    bool operator==(const Words6&) const = default;
};

}  // namespace

bool Iface::add_v4(const Ipv4Prefix& p) noexcept {
    if (n4 >= v4.size() || owns_address_v4_u32(p.addr.to_u32())) return false;
    v4[n4++] = p;
    refresh();
    return true;
}

bool Iface::add_v6(const Ipv6Prefix& p) noexcept {
    if (n6 >= v6.size() || owns_address_v6(p.addr)) return false;
    v6[n6++] = p;
    refresh();
    return true;
}

void Iface::add_link_local() noexcept {
    const Ipv6Prefix ll{Ipv6Addr::link_local_from_mac(mac), 64};
    if (owns_address_v6(ll.addr)) return;
    if (n6 >= v6.size()) n6 = static_cast<std::uint8_t>(v6.size() - 1);
    for (std::size_t i = n6; i > 0; --i) v6[i] = v6[i - 1];
    v6[0] = ll;
    ++n6;
    refresh();
}

void Iface::refresh() noexcept {
    // RFC 919 / RFC 1122 3.2.1.3: the limited broadcast; RFC 922: the directed broadcast of
    // each subnet, its prefix with every host bit set (none for /31 and /32, RFC 3021).
    n_bcast4 = 0;
    const auto add_bcast = [this](std::uint32_t b) {
        for (std::size_t i = 0; i < n_bcast4; ++i)
            if (bcast4[i] == b) return;
        bcast4[n_bcast4++] = b;
    };
    add_bcast(0xffffffffU);
    for (std::size_t i = 0; i < n4; ++i) {
        v4_u32[i] = v4[i].addr.to_u32();
        if (const auto b = v4[i].directed_broadcast()) add_bcast(b->to_u32());
    }
    for (std::size_t i = n4; i < v4_u32.size(); ++i) v4_u32[i] = 0;

    // RFC 2464 7: the Ethernet groups of ff02::1 and of each solicited-node group
    // (RFC 4291 2.7.1) we are in.
    n_groups = 0;
    const auto add_group = [this](const MacAddr& m) {
        const std::uint64_t k = mac_key(m);
        for (std::size_t i = 0; i < n_groups; ++i)
            if (group_keys[i] == k) return;
        group_keys[n_groups++] = k;
    };
    add_group(Ipv6Addr::all_nodes().multicast_mac());
    for (std::size_t i = 0; i < n6; ++i) add_group(v6[i].addr.solicited_node().multicast_mac());
}

namespace {

std::uint32_t be32_at(const Ipv6Addr& a, std::size_t at) noexcept {
    return std::uint32_t{a.bytes[at]} << 24 | std::uint32_t{a.bytes[at + 1]} << 16 |
           std::uint32_t{a.bytes[at + 2]} << 8 | a.bytes[at + 3];
}

}  // namespace

Ipv6Addr Iface::alias6(const Ipv6Addr& base, std::uint32_t k) noexcept {
    Ipv6Addr a = base;
    const std::uint32_t v = be32_at(base, 8) + k;
    for (std::size_t i = 0; i < 4; ++i)
        a.bytes[8 + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
    return a;
}

bool Iface::owns_address_v6(const Ipv6Addr& a) const noexcept {
    const Words6 w(a);
    for (std::size_t i = 0; i < n6; ++i)
        if (Words6(v6[i].addr) == w) return true;
    if (alias6_count == 0) return false;
    const Words6 b(alias6_base);
    if (w.hi != b.hi || std::memcmp(a.bytes.data() + 12, alias6_base.bytes.data() + 12, 4) != 0)
        return false;
    const std::uint32_t k = be32_at(a, 8) - be32_at(alias6_base, 8);
    return k >= 1 && k <= alias6_count;
}

bool Iface::joined_v6_group(const Ipv6Addr& a) const noexcept {
    if (a == Ipv6Addr::all_nodes()) return true;
    for (std::size_t i = 0; i < n6; ++i)
        if (v6[i].addr.solicited_node() == a) return true;
    // RFC 4291 2.7.1: a solicited-node group is ff02::1:ff00:0/104 plus the low 24 bits of the
    // addresses it serves; a --respond prefix is in every one its addresses can be in.
    if (n_respond6 == 0) return false;
    const Ipv6Addr base = Ipv6Addr{}.solicited_node();  // ff02::1:ff00:0
    if (std::memcmp(a.bytes.data(), base.bytes.data(), 13) != 0) return false;
    return respond_low24(std::uint32_t{a.bytes[13]} << 16 | std::uint32_t{a.bytes[14]} << 8 |
                         a.bytes[15]);
}

namespace {

// Two native 64-bit words of the 16 bytes of a prefix mask of len bits.
void mask_words(std::uint8_t len, std::uint64_t& hi, std::uint64_t& lo) noexcept {
    std::array<std::uint8_t, 16> m{};
    for (std::size_t i = 0; i < 16; ++i) {
        const int bits = std::min(8, std::max(0, int{len} - int(8 * i)));
        m[i] = static_cast<std::uint8_t>(0xff00U >> bits);
    }
    std::memcpy(&hi, m.data(), 8);
    std::memcpy(&lo, m.data() + 8, 8);
}

}  // namespace

bool Iface::add_respond_v4(const Ipv4Prefix& p, std::uint16_t slot) noexcept {
    if (n_respond4 >= respond4.size()) return false;
    Respond4 r;
    r.prefix = p;
    r.slot = slot;
    const std::uint32_t mask = p.mask();
    const std::uint32_t net = p.addr.to_u32() & mask;
    r.prefix.addr = Ipv4Addr::from_u32(net);
    r.first = net;
    r.span = ~mask;
    // RFC 922 / RFC 1122 3.2.1.3: the all-zeros and all-ones hosts of a subnet are not host
    // addresses; RFC 3021: a /31 has neither.
    if (p.len < 31) {
        r.first = net + 1;
        r.span = ~mask - 2;
    }
    respond4[n_respond4++] = r;
    return true;
}

bool Iface::add_respond_v6(const Ipv6Prefix& p, std::uint16_t slot) noexcept {
    if (n_respond6 >= respond6.size()) return false;
    Respond6 r;
    r.slot = slot;
    mask_words(p.len, r.mhi, r.mlo);
    const Words6 w(p.addr);
    r.hi = w.hi & r.mhi;
    r.lo = w.lo & r.mlo;
    r.prefix.len = p.len;
    std::memcpy(r.prefix.addr.bytes.data(), &r.hi, 8);
    std::memcpy(r.prefix.addr.bytes.data() + 8, &r.lo, 8);
    // The low 24 bits the prefix fixes: its bits past 104.
    if (p.len > 104) {
        r.sn_mask = (0xffffffU << (128 - p.len)) & 0xffffffU;
        const auto& b = r.prefix.addr.bytes;
        r.sn_val = (std::uint32_t{b[13]} << 16 | std::uint32_t{b[14]} << 8 | b[15]) & r.sn_mask;
    }
    r.anycast_excluded = p.len < 127;
    respond6[n_respond6++] = r;
    return true;
}

int Iface::respond_slot_v6(const Ipv6Addr& a) const noexcept {
    const Words6 w(a);
    for (std::size_t i = 0; i < n_respond6; ++i) {
        const Respond6& r = respond6[i];
        if ((w.hi & r.mhi) != r.hi || (w.lo & r.mlo) != r.lo) continue;
        // RFC 4291 2.6.1: the Subnet-Router anycast address is a router's, not a host's.
        if (r.anycast_excluded && w.hi == r.hi && w.lo == r.lo) continue;
        return r.slot;
    }
    return -1;
}

bool Iface::respond_group_mac(std::uint64_t key) const noexcept {
    // The inverse of mac_key: the six bytes back in memory order.
    std::array<std::uint8_t, 6> b{};
    const auto lo = static_cast<std::uint32_t>(key);
    const auto hi = static_cast<std::uint16_t>(key >> 32);
    std::memcpy(b.data(), &lo, 4);
    std::memcpy(b.data() + 4, &hi, 2);
    if (b[0] != 0x33 || b[1] != 0x33 || b[2] != 0xff) return false;
    return respond_low24(std::uint32_t{b[3]} << 16 | std::uint32_t{b[4]} << 8 | b[5]);
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

}  // namespace pw::net
