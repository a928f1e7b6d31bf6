// What a host handler needs besides the frame: the ingress interface, the policy options,
// the lcore's rate limiter and counters, and the time.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>

#include "lib/icmp/icmp_error.hh"
#include "lib/icmp/icmp_stats.hh"
#include "lib/icmp/iface_counters.hh"
#include "lib/net/iface.hh"
#include "lib/icmp/rate_limit.hh"

namespace pw::icmp {

// The host's ICMP policy. Names follow the Linux sysctls they mirror.
struct HostPolicy {
    bool echo_ignore_all = false;         // net.ipv4.icmp_echo_ignore_all
    bool echo_ignore_broadcasts = true;   // net.ipv4.icmp_echo_ignore_broadcasts
    bool echo6_ignore_all = false;        // net.ipv6.icmp.echo_ignore_all
    bool echo6_ignore_multicast = false;  // net.ipv6.icmp.echo_ignore_multicast
    bool timestamp_reply = true;          // Linux always answers (no sysctl); --no-timestamp
    bool probe = false;                   // net.ipv4.icmp_echo_enable_probe (RFC 8335)
    std::bitset<65536> udp_open{};        // UDP ports accepted silently (no Port Unreachable)
    ErrorConfig errors;
};

// An interface as RFC 8335 PROBE sees it.
struct ProbeIface {
    const Iface* iface = nullptr;
    std::uint32_t index = 0;      // ifIndex: the DPDK port id + 1
    std::array<char, 32> name{};  // e.g. "port0"
    bool up = true;
};

struct RouterPolicy;
struct Sighting;

struct HostContext {
    const Iface* iface = nullptr;
    const HostPolicy* policy = nullptr;
    RateLimiter* limiter = nullptr;  // null: no rate limit
    IcmpStats* stats = nullptr;
    std::uint64_t now_ns = 0;                    // monotonic
    std::uint32_t utc_ms_of_day = 0;             // for Timestamp Reply (RFC 792)
    std::uint16_t* ip_ident = nullptr;           // next IPv4 identification for errors we build
    std::span<const ProbeIface> probe_ifaces{};  // RFC 8335: interfaces a PROBE may ask about
    const RouterPolicy* router = nullptr;        // router mode (--forward); null: a host
    // A neighbour table is kept (router mode, or a host that resolves its next hops, as
    // pingwire-flood): ARP and NDP input report what they see (RFC 826, RFC 4861 7.2.3-7.2.5).
    bool learns_neighbours = false;
    // RFC 4884 / RFC 5837: the ingress interface described in Time Exceeded and Destination
    // Unreachable (one object per family, its address of that family); null: plain errors.
    const InterfaceInfo* ext_v4 = nullptr;
    const InterfaceInfo* ext_v6 = nullptr;
    // Slots the caller provides, written only on their paths. plan: the ICMP error to send
    // when a Verdict says error == ErrorOutcome::sent (the error path alone copies a plan);
    // null: nowhere to build one, so an error that would go out is counted as not sent
    // (ErrorOutcome::no_mbuf, Icmp OutErrors), as when no mbuf is left. sighting: a
    // neighbour seen, when Verdict::sighted; null: sightings are not reported.
    ErrorPlan* plan = nullptr;
    Sighting* sighting = nullptr;
    // This lcore's counters of the VLAN sub-interfaces (by Iface::subif) and of the --respond
    // prefixes (by slot), net::max_subifs and net::max_respond entries; null: not counted.
    VlanCounters* vlan_counters = nullptr;
    RespondCounters* respond_counters = nullptr;
};

}  // namespace pw::icmp
