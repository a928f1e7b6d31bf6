#include "lib/pipeline/control.hh"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstring>
#include <optional>

#include "lib/icmp/neigh_probe.hh"
#include "lib/pipeline/mbuf_bytes.hh"
#include "lib/pipeline/neigh_events.hh"
#include "lib/route/interfaces.hh"
#include "lib/route/neighbors.hh"

namespace pw::pipeline {

namespace {

// The address of ours to send an ARP request from: one on the target's subnet, else the first.
std::optional<wire::Ipv4Addr> arp_source(const net::Iface& ifc,
                                         const wire::Ipv4Addr& target) noexcept {
    for (std::size_t i = 0; i < ifc.n4; ++i)
        if (ifc.v4[i].contains(target)) return ifc.v4[i].addr;
    if (ifc.n4 > 0) return ifc.v4[0].addr;
    return std::nullopt;
}

}  // namespace

void Control::probe(std::uint16_t port, bool v6, const unsigned char* addr16,
                    const void* unicast_mac) noexcept {
    const net::Iface* ifc = env_.interfaces->find(port);
    if (ifc == nullptr) return;
    rte_mbuf* m = rte_pktmbuf_alloc(env_.pool);
    if (m == nullptr) {
        ++c_.probes_failed;
        return;
    }
    const auto* mac = static_cast<const wire::MacAddr*>(unicast_mac);
    const wire::Bytes room = frame_room(m);
    std::size_t len = 0;
    if (v6) {
        wire::Ipv6Addr target;
        std::memcpy(target.bytes.data(), addr16, 16);
        // RFC 4861 7.2.2: from an address of the interface (link-local toward a link-local
        // target), to the solicited-node group unless re-checking a known neighbour.
        const auto src = ifc->source_for_v6(target);
        if (src) len = icmp::emit_neighbor_solicitation(room, ifc->mac, *src, target, mac);
    } else {
        const wire::Ipv4Addr target = unmapped(*reinterpret_cast<const wire::Ipv6Addr*>(addr16));
        const auto src = arp_source(*ifc, target);
        if (src) len = icmp::emit_arp_request(room, ifc->mac, *src, target, mac);
    }
    if (len == 0) {
        rte_pktmbuf_free(m);
        ++c_.probes_failed;
        return;
    }
    set_frame_len(m, static_cast<std::uint32_t>(len));
    m->port = port;
    if (rte_ring_enqueue(env_.to_worker, m) != 0) {
        rte_pktmbuf_free(m);
        ++c_.probes_failed;
        return;
    }
    ++c_.probes_sent;
}

void Control::poll(std::uint64_t now_ns) noexcept {
    route::NeighborTable& table = *env_.neighbors;
    NeighEvent ev[32];
    for (;;) {
        const unsigned n =
            rte_ring_dequeue_burst_elem(env_.events, ev, sizeof(NeighEvent), 32, nullptr);
        for (unsigned i = 0; i < n; ++i) {
            const NeighEvent& e = ev[i];
            const route::NeighKey key = e.v6 ? route::NeighKey::of(e.port, e.addr)
                                             : route::NeighKey::of(e.port, unmapped(e.addr));
            ++c_.events;
            if (e.kind == NeighEvent::Kind::want) {
                if (!table.want(key, now_ns)) ++c_.table_full;
            } else if (!e.has_mac) {
                table.learn_confirmation(key, now_ns);
            } else if (e.advert) {
                if (table.learn_advertisement(key, e.mac, e.solicited, e.override_flag, now_ns) ==
                    route::Learned::full)
                    ++c_.table_full;
            } else {
                if (table.learn_solicitation(key, e.mac, now_ns) == route::Learned::full)
                    ++c_.table_full;
            }
        }
        if (n < 32) break;
    }
    table.tick(
        now_ns,
        [this](const route::NeighKey& k, const wire::MacAddr* unicast) {
            if (k.family == route::Family::v6) {
                probe(k.port, true, k.v6.bytes.data(), unicast);
            } else {
                const wire::Ipv6Addr m = mapped(k.v4);
                probe(k.port, false, m.bytes.data(), unicast);
            }
        },
        [this](const route::NeighKey&) { ++c_.resolutions_failed; });
}

}  // namespace pw::pipeline
