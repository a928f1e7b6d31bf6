// The host stage's own counters (the responder's: host and router mode), per lcore and per
// port, beside the runtime's BaseCounters (rx, tx and refusals by kind, drops by reason).
//
// Every received frame ends in exactly one place:
//     rx == answered + forwarded + held + dropped
// answered: sent back in place (BaseCounters::sent[reply]); forwarded: accepted for forwarding,
// on the ingress port; held: fragments taken by the reassembler; dropped: the named drop
// reasons, an answer the TX queue refused among them (tx_full). Every frame handed to a port
// is an answer, a generated frame (an ICMP error, a reply to a reassembled datagram or a
// fragment of one, a neighbour probe) or a forwarded one:
//     tx == answered + generated + fwd_sent
// A generated frame that cannot be built or is refused is generated_failed; a forwarded one
// that cannot leave (refused, next hop failed, fragmenting failed) is fwd_failed.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "lib/icmp/icmp_stats.hh"
#include "lib/icmp/iface_counters.hh"
#include "lib/icmp/verdict.hh"
#include "lib/insight/icmp_filter.hh"
#include "lib/pipeline/base_counters.hh"
#include "lib/wire/drop.hh"

namespace pw::pipeline {

struct HostCounters {
    std::uint64_t forwarded = 0;         // ingress: accepted for forwarding
    std::uint64_t fwd_failed = 0;        // egress: next hop failed, fragmenting failed, no mbuf
    std::uint64_t held = 0;              // fragments taken by the reassembler
    std::uint64_t generated_failed = 0;  // frames that could not be built (no mbuf)
    std::uint64_t datagrams = 0;         // reassembled datagrams handled
    std::array<std::uint64_t, icmp::reply_count> replies{};
    // Reassembled datagrams that were not answered, by reason (not part of the rx balance:
    // their fragments were counted as held).
    std::array<std::uint64_t, wire::drop_count> datagram_drops{};
    icmp::IcmpStats icmp;

    HostCounters& operator+=(const HostCounters& o) noexcept;
};

struct alignas(64) LcoreHost {
    std::array<HostCounters, route::max_ports> port{};
    // The VLAN sub-interfaces (by net::Iface::subif) and --respond prefixes (by slot).
    std::array<icmp::VlanCounters, net::max_subifs> vlan{};
    std::array<icmp::RespondCounters, net::max_respond> respond{};
    // The ICMP filter's rules (router mode): packets each decided, under the rule list whose
    // digest it holds (host_forward.cc restarts them when a reload changed the list).
    insight::FilterCounters filter{};
};

// One port's counters summed over the lcores, with the figures of the balance above.
struct PortReport {
    BaseCounters base;
    HostCounters host;

    std::uint64_t answered() const noexcept { return base.sent_of(TxKind::reply); }
    std::uint64_t generated() const noexcept { return base.sent_of(TxKind::generated); }
    std::uint64_t fwd_sent() const noexcept { return base.sent_of(TxKind::forward); }
    std::uint64_t fwd_failed() const noexcept {
        return host.fwd_failed + base.refused_of(TxKind::forward);
    }
    std::uint64_t generated_failed() const noexcept {
        return host.generated_failed + base.refused_of(TxKind::generated);
    }
    // A drop reason's count; tx_full is an answer the TX queue refused.
    std::uint64_t drops(wire::Drop d) const noexcept {
        return base.drops[static_cast<std::size_t>(d)] +
               (d == wire::Drop::tx_full ? base.refused_of(TxKind::reply) : 0);
    }
    std::uint64_t dropped() const noexcept {
        return base.dropped() + base.refused_of(TxKind::reply);
    }
};

PortReport sum_port(const std::vector<LcoreBase>& base, const std::vector<LcoreHost>& host,
                    std::uint16_t port) noexcept;

}  // namespace pw::pipeline
