// Why a packet was not answered or forwarded: one name per reason, each with its own counter.
//
// The list is shared by every layer (the views report the parse reasons, the handlers the
// policy reasons, the pipeline its own), so that `rx == tx + dropped[...]` can be checked
// per port: every received packet ends in exactly one place.
#pragma once

#include <cstdint>
#include <string_view>

namespace pw::wire {

// X(name, description)
#define PW_DROP_REASONS(X)                                                                         \
    X(eth_truncated, "frame shorter than an Ethernet header")                                      \
    X(vlan_truncated, "802.1Q tag cut short")                                                      \
    X(vlan_unknown, "802.1Q-tagged frame whose VID is no sub-interface of the port (--vlan)")      \
    X(vlan_priority_tagged, "802.1Q priority tag (VID 0): not taken as untagged, unlike Linux")    \
    X(not_our_mac, "destination MAC is not ours, broadcast, or a group we joined")                 \
    X(eth_group_source, "Ethernet source is a group address (IEEE 802.3 3.2.3: never a sender)")   \
    X(frame_too_long,                                                                              \
      "frame longer than the port receives: MTU, at least 1500 (a NIC drops it as oversize)")      \
    X(unknown_ethertype, "EtherType we do not handle")                                             \
    X(arp_truncated, "ARP packet cut short")                                                       \
    X(arp_unsupported, "ARP for a hardware/protocol other than Ethernet/IPv4")                     \
    X(arp_not_request, "ARP reply or unknown operation (not answered)")                            \
    X(arp_not_for_us, "ARP request for an address that is not ours")                               \
    X(arp_bad_source, "ARP from a broadcast or multicast hardware address")                        \
    X(ip4_truncated, "IPv4 header cut short")                                                      \
    X(ip4_bad_version, "IPv4 version field is not 4")                                              \
    X(ip4_bad_ihl, "IPv4 IHL below 5 or past the packet")                                          \
    X(ip4_bad_total_length, "IPv4 total length below the header or past the frame")                \
    X(ip4_bad_checksum, "IPv4 header checksum wrong")                                              \
    X(ip4_bad_option, "IPv4 option malformed (Parameter Problem owed, RFC 1122 3.2.1.8, 3.2.2.5)") \
    X(ip4_source_route,                                                                            \
      "IPv4 source-routed (LSRR/SSRR), dropped as Linux does by default (RFC 7126 4.3, 4.4)")      \
    X(ip4_unicast_in_l2_broadcast, "IPv4 unicast in a link-layer broadcast (RFC 1122 3.3.6)")      \
    X(ip4_martian_source, "IPv4 source is not a unique host (RFC 1122 3.2.1.3)")                   \
    X(ip4_not_for_us, "IPv4 destination is not one of our addresses")                              \
    X(ip4_fragment, "IPv4 fragment not for one of our unicast addresses")                          \
    X(ip4_unhandled_protocol, "IPv4 protocol we do not serve (Protocol Unreachable owed)")         \
    X(icmp4_truncated, "ICMP message cut short")                                                   \
    X(icmp4_bad_checksum, "ICMP checksum wrong")                                                   \
    X(icmp4_unhandled_type, "ICMP type we do not answer")                                          \
    X(icmp4_echo_to_broadcast,                                                                     \
      "echo or timestamp to a broadcast address ignored (RFC 1122 3.2.2.6)")                       \
    X(echo_rate_limited, "echo (or timestamp, PROBE) reply held back by the rate limit mask")      \
    X(icmp4_echo_ignored, "echo ignored by policy (icmp_echo_ignore_all)")                         \
    X(icmp4_timestamp_disabled, "timestamp request, answering disabled (--no-timestamp)")          \
    X(icmp4_probe_disabled, "extended echo (RFC 8335) while PROBE is disabled")                    \
    X(icmp4_redirect_ignored, "ICMP Redirect received and ignored (a host policy)")                \
    X(icmp4_source_quench_ignored, "Source Quench received and ignored (RFC 6633)")                \
    X(icmp4_obsolete_request, "Information or Address Mask request, not answered (RFC 6918)")      \
    X(icmp4_error_received, "ICMP error received (no socket to deliver it to)")                    \
    X(ip6_truncated, "IPv6 header cut short")                                                      \
    X(ip6_bad_version, "IPv6 version field is not 6")                                              \
    X(ip6_bad_payload_length, "IPv6 payload length past the frame")                                \
    X(ip6_martian_source, "IPv6 source is multicast or loopback")                                  \
    X(ip6_not_for_us, "IPv6 destination is not ours nor a group we joined")                        \
    X(ip6_bad_ext_header, "IPv6 extension header malformed (Parameter Problem owed)")              \
    X(ip6_routing_header,                                                                          \
      "IPv6 Routing header with Segments Left, type not processed (RFC 8200 4.4)")                 \
    X(ip6_unknown_option, "IPv6 option of unrecognised type whose action discards (RFC 8200 4.2)") \
    X(ip6_fragment, "IPv6 fragment not for one of our unicast addresses")                          \
    X(ip6_unhandled_next_header,                                                                   \
      "IPv6 upper-layer protocol we do not serve (Parameter Problem owed)")                        \
    X(icmp6_truncated, "ICMPv6 message cut short")                                                 \
    X(icmp6_bad_checksum, "ICMPv6 checksum wrong")                                                 \
    X(icmp6_unhandled_type, "ICMPv6 type we do not answer")                                        \
    X(icmp6_echo_ignored, "echo ignored by policy (echo_ignore_all / echo_ignore_multicast)")      \
    X(icmp6_probe_disabled, "extended echo (RFC 8335) while PROBE is disabled")                    \
    X(icmp6_redirect_ignored, "ICMPv6 Redirect received and ignored")                              \
    X(icmp6_error_received, "ICMPv6 error received (no socket to deliver it to)")                  \
    X(probe_malformed, "extended echo request that is not well formed (RFC 8335 4)")               \
    X(ip6_no_next_header, "IPv6 packet with No Next Header (RFC 8200 4.7)")                        \
    X(udp_truncated, "UDP header cut short or length past the IP payload")                         \
    X(udp_bad_checksum, "UDP checksum wrong (or zero over IPv6)")                                  \
    X(udp_port_closed, "UDP to a port nobody listens on (Port Unreachable owed)")                  \
    X(udp_to_open_port, "UDP to a port listed as open: accepted silently")                         \
    X(tcp_truncated, "TCP header cut short or data offset past the segment")                       \
    X(tcp_bad_checksum, "TCP checksum wrong (RFC 1122 4.2.2.7: discarded, no RST)")                \
    X(tcp_reset_received, "TCP RST for a closed port: never answered (RFC 9293 3.10.7.1)")         \
    X(tcp_to_group, "TCP to a broadcast or multicast address: no RST (RFC 1122 4.2.3.10)")         \
    X(ndp_bad_hop_limit, "ND message with hop limit not 255 (RFC 4861 7.1)")                       \
    X(ndp_invalid, "ND message failing RFC 4861 7.1.1 validation")                                 \
    X(ndp_not_for_us, "Neighbor Solicitation for a target that is not ours")                       \
    X(ndp_unhandled, "ND message a host does not answer (NA, RS, RA, Redirect)")                   \
    X(reasm_overlap, "fragment overlaps another of its datagram (RFC 5722; datagram dropped)")     \
    X(reasm_too_big, "reassembled datagram would exceed 65535 bytes")                              \
    X(reasm_bad_length, "non-last fragment whose length is not a multiple of 8")                   \
    X(reasm_too_many_fragments, "datagram has more fragments than the table allows")               \
    X(reasm_table_full, "no free reassembly slot (table bounded)")                                 \
    X(ip4_bad_destination,                                                                         \
      "IPv4 destination that is never forwarded: 0/8, 127/8, 240/4 (RFC 1812 5.3.7)")              \
    X(ip4_directed_broadcast,                                                                      \
      "directed broadcast to a connected subnet, not forwarded (RFC 2644)")                        \
    X(ip4_multicast_not_forwarded,                                                                 \
      "IPv4 multicast or broadcast, not forwarded (no multicast routing)")                         \
    X(ip6_not_forwardable,                                                                         \
      "IPv6 to a multicast, link-local or unspecified address, not forwarded")                     \
    X(no_route, "no route to the destination (Net Unreachable / No Route owed)")                   \
    X(route_reject, "route of type reject (Administratively Prohibited owed)")                     \
    X(route_blackhole, "route of type blackhole: dropped silently")                                \
    X(acl_denied, "destination denied by --deny (Administratively Prohibited owed)")               \
    X(icmp_filtered, "forwarded ICMP/ICMPv6 denied by an --icmp-filter / --icmp-policy rule")      \
    X(ttl_expired, "TTL or hop limit would reach 0 (Time Exceeded owed, RFC 1812 5.3.1)")          \
    X(mtu_exceeded, "larger than the egress MTU with DF set, or IPv6 (Frag Needed / PTB owed)")    \
    X(beyond_scope, "link-local source would leave its link (Beyond Scope owed, RFC 4443 3.1)")    \
    X(fragment_failed, "could not fragment for the egress MTU (options too long, no mbuf)")        \
    X(neigh_queue_full, "next hop unresolved and its waiting queue is full")                       \
    X(neigh_table_full, "next hop unresolved and the neighbour table is full")                     \
    X(probe_answer, "an answer to one of our probes, counted by the flood engine")                 \
    X(observed, "handed to pingwire-conform's runner, which judges it")                            \
    X(observer_full, "pingwire-conform's ring of received frames was full")                        \
    X(no_room, "buffer too small to build the reply in place")                                     \
    X(multi_segment, "chained mbuf too long to linearise")                                         \
    X(tx_full, "reply refused by the TX queue")

enum class Drop : std::uint8_t {
#define PW_X(name, desc) name,
    PW_DROP_REASONS(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t drop_count = static_cast<std::size_t>(Drop::count_);

constexpr std::string_view drop_name(Drop d) noexcept {
    switch (d) {
#define PW_X(name, desc) \
    case Drop::name:     \
        return #name;
        PW_DROP_REASONS(PW_X)
#undef PW_X
        case Drop::count_:
            break;
    }
    return "unknown";
}

constexpr std::string_view drop_description(Drop d) noexcept {
    switch (d) {
#define PW_X(name, desc) \
    case Drop::name:     \
        return desc;
        PW_DROP_REASONS(PW_X)
#undef PW_X
        case Drop::count_:
            break;
    }
    return "unknown";
}

// The result of a checked view constructor: a valid view, or the reason it is not.
template <class T>
class Checked {
public:
    constexpr Checked(T value) noexcept
        : value_(value), ok_(true) {}                             // NOLINT: implicit on purpose
    constexpr Checked(Drop reason) noexcept : reason_(reason) {}  // NOLINT
    constexpr bool ok() const noexcept { return ok_; }
    constexpr explicit operator bool() const noexcept { return ok_; }
    constexpr const T& operator*() const noexcept { return value_; }
    constexpr const T* operator->() const noexcept { return &value_; }
    constexpr Drop reason() const noexcept { return reason_; }

private:
    T value_{};
    Drop reason_ = Drop::count_;
    bool ok_ = false;
};

}  // namespace pw::wire
