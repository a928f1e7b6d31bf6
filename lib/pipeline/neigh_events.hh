// Messages from the workers to the control lcore about neighbours: "resolve this next hop"
// and "this address has this MAC". The control lcore is the neighbour table's only writer;
// workers only read it and post these through a multi-producer ring.
#pragma once

#include <cstdint>

#include "lib/wire/addr.hh"

namespace pw::pipeline {

struct NeighEvent {
    enum class Kind : std::uint8_t { want, learned };
    Kind kind = Kind::want;
    bool v6 = false;
    bool solicited = false;
    bool advert = false;  // learned from an advertisement (ARP reply/other, NA) vs a solicitation
    bool override_flag = true;
    bool has_mac = true;  // false: a confirmation without a link-layer address
    std::uint8_t reserved[2] = {};
    std::uint16_t port = 0;
    std::uint16_t reserved2 = 0;
    wire::Ipv6Addr addr;  // IPv4 as ::ffff:a.b.c.d
    wire::MacAddr mac;
    std::uint16_t reserved3 = 0;
};
static_assert(sizeof(NeighEvent) % 4 == 0, "rte_ring element sizes are multiples of 4");

inline wire::Ipv6Addr mapped(const wire::Ipv4Addr& a) noexcept {
    wire::Ipv6Addr m{};
    m.bytes[10] = 0xff;
    m.bytes[11] = 0xff;
    for (std::size_t i = 0; i < 4; ++i) m.bytes[12 + i] = a.bytes[i];
    return m;
}

inline wire::Ipv4Addr unmapped(const wire::Ipv6Addr& m) noexcept {
    return {{m.bytes[12], m.bytes[13], m.bytes[14], m.bytes[15]}};
}

}  // namespace pw::pipeline
