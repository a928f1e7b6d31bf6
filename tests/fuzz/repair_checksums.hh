// What the fuzz targets share: a frame's IPv4 header and ICMP/ICMPv6 checksums repaired, so
// that mutated inputs get past the checksum checks and reach the handlers behind them.
#pragma once

#include "lib/wire/bytes.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw_fuzz {

inline void repair_checksums(pw::wire::Bytes frame) {
    using namespace pw::wire;
    const auto e = eth::View<std::byte>::checked(frame);
    if (!e) return;
    if (e->ethertype() == eth::type_ipv4) {
        const auto ip = ipv4::View<std::byte>::checked(e->payload());
        if (!ip) return;
        ip->fill_checksum();
        if (ip->protocol() == ipv4::proto_icmp && ip->payload().size() >= icmp::header_len)
            icmp::View<std::byte>::checked(ip->payload(), Drop::icmp4_truncated)
                ->fill_checksum_v4();
    } else if (e->ethertype() == eth::type_ipv6) {
        const auto ip = ipv6::View<std::byte>::checked(e->payload());
        if (!ip) return;
        const auto w = ipv6::walk_extensions(ip->bytes());
        if (!w.upper || w.upper->protocol != ipv6::nh_icmp6) return;
        const auto msg = ip->bytes().subspan(w.upper->offset);
        if (msg.size() < icmp::header_len) return;
        icmp::View<std::byte>::checked(msg, Drop::icmp6_truncated)
            ->fill_checksum_v6(pseudo_sum_v6(
                ip->src(), ip->dst(), static_cast<std::uint32_t>(msg.size()), ipv6::nh_icmp6));
    }
}

}  // namespace pw_fuzz
