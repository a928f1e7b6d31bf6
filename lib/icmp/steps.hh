// The processing steps behind host_input, one per file. Internal to lib/icmp.
#pragma once

#include "lib/icmp/iface.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/bytes.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

// One received frame being handled in place.
struct Frame {
    wire::Bytes buf;          // writable room, from the first byte of the frame
    std::size_t len = 0;      // current frame length
    std::size_t l2_len = 0;   // Ethernet header length
    wire::MacAddr eth_src;
    wire::MacAddr eth_dst;

    wire::Bytes l3() const noexcept { return buf.subspan(l2_len, len - l2_len); }
    // Addresses the frame back to dst from our MAC, keeping the tag if any.
    void reply_l2(const wire::MacAddr& dst, const Iface& iface) const noexcept {
        wire::store_bytes(buf, 0, dst);
        wire::store_bytes(buf, 6, iface.mac);
    }
};

Verdict arp_input(Frame& f, const Iface& iface) noexcept;
Verdict ip4_input(Frame& f, const Iface& iface) noexcept;
Verdict icmp4_input(Frame& f, const wire::ipv4::View<std::byte>& ip, bool to_broadcast,
                    const Iface& iface) noexcept;
Verdict ip6_input(Frame& f, const Iface& iface) noexcept;
Verdict icmp6_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                   const Iface& iface) noexcept;
Verdict ndp_input(Frame& f, const wire::ipv6::View<std::byte>& ip, std::size_t icmp_offset,
                  const Iface& iface) noexcept;

}  // namespace pw::icmp
