#include "lib/icmp/respond_count.hh"

#include "lib/wire/arp.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/ndp.hh"

namespace pw::icmp {

namespace {

// RFC 826: the target protocol address of an Ethernet/IPv4 ARP packet.
constexpr std::size_t arp_tpa_at = 24;

}  // namespace

int respond_slot_of(wire::ConstBytes frame, std::size_t l2_len, std::uint16_t ethertype,
                    const Iface& iface) noexcept {
    namespace ipv4 = wire::ipv4;
    namespace ipv6 = wire::ipv6;
    const wire::ConstBytes l3 = frame.subspan(l2_len);
    switch (ethertype) {
        case wire::eth::type_arp:
            if (iface.n_respond4 == 0 || l3.size() < arp_tpa_at + 4) return -1;
            return iface.respond_slot_v4(wire::load32(l3, arp_tpa_at));
        case wire::eth::type_ipv4:
            if (iface.n_respond4 == 0 || l3.size() < ipv4::min_header_len) return -1;
            return iface.respond_slot_v4(wire::load32(l3, ipv4::field::dst));
        case wire::eth::type_ipv6: {
            if (iface.n_respond6 == 0 || l3.size() < ipv6::header_len) return -1;
            const auto dst = wire::load_bytes<Ipv6Addr>(l3, ipv6::field::dst);
            if (!dst.is_multicast()) return iface.respond_slot_v6(dst);
            // RFC 4861 7.2.2: a solicitation goes to the target's solicited-node group; the
            // target is what it asks about (no extension headers before it, as NDP sends it).
            constexpr std::size_t target_at = ipv6::header_len + wire::ndp::target_offset;
            if (wire::load8(l3, ipv6::field::next_header) != ipv6::nh_icmp6 ||
                l3.size() < target_at + 16 ||
                wire::load8(l3, ipv6::header_len) != wire::icmpv6::neighbor_solicitation)
                return -1;
            return iface.respond_slot_v6(wire::load_bytes<Ipv6Addr>(l3, target_at));
        }
        default:
            return -1;
    }
}

void count_respond(const HostContext& ctx, int slot, const Verdict& v) noexcept {
    if (slot < 0 || ctx.respond_counters == nullptr) return;
    // A fragment is counted once, as the datagram it completes.
    if (v.next == Next::reassemble) return;
    RespondCounters& c = ctx.respond_counters[slot];
    if (v.next == Next::reply) {
        switch (v.kind) {
            case Reply::echo4_reply:
            case Reply::echo6_reply:
                ++c.echo;
                return;
            case Reply::arp_reply:
            case Reply::nd_advert:
                ++c.neigh;
                return;
            default:
                break;
        }
    }
    ++c.other;
}

}  // namespace pw::icmp
