#include "lib/wire/arp.hh"
#include "lib/icmp/steps.hh"

namespace pw::icmp {

namespace {

void learn(Verdict& v, const HostContext& ctx, const Ipv4Addr& a, const MacAddr& mac, bool advert,
           bool solicited) noexcept {
    sight(v, ctx, {advert, solicited, true, true, wire::v4_mapped(a), mac});
}

// A sender protocol address that no neighbour can hold is never learnt: the unspecified
// address (a probe, RFC 5227 2.1.1), 0/8, 127/8, 224/4, 240/4 and 255.255.255.255 (RFC 1122
// 3.2.1.3), a broadcast address of our subnets, and our own addresses (an ARP claiming one is
// a conflict or a spoof, not a next hop). Linux's arp_process routes the sender first and
// ignores these. The request is still answered (RFC 826 asks nothing of the sender).
bool learnable(const Iface& iface, const Ipv4Addr& spa) noexcept {
    return !spa.is_martian_source() && !iface.is_v4_broadcast(spa) && !iface.owns_v4(spa);
}

}  // namespace

// RFC 826 "Packet Reception": answer a request whose target protocol address is ours, in
// place. Probes with sender 0.0.0.0 (RFC 5227 2.1.1) are answered the same way.
Verdict arp_input(Frame& f, const HostContext& ctx) noexcept {
    const Iface& iface = *ctx.iface;
    namespace arp = wire::arp;
    const auto v = arp::View<std::byte>::checked(f.l3());
    if (!v) return Verdict::dropped(v.reason());
    const auto sha = v->sha();
    if (sha.is_group()) return Verdict::dropped(Drop::arp_bad_source);
    const auto spa = v->spa();
    if (v->oper() != arp::op_request) {
        Verdict d = Verdict::dropped(Drop::arp_not_request);
        // Router mode: a reply tells us a next hop's MAC (RFC 826 "Packet Reception").
        if (ctx.learns_neighbours && v->oper() == arp::op_reply && learnable(iface, spa))
            learn(d, ctx, spa, sha, true, true);
        return d;
    }
    const auto target = v->tpa();
    if (!iface.owns_v4(target)) {
        Verdict d = Verdict::dropped(Drop::arp_not_for_us);
        // RFC 826 merge: a request for someone else refreshes the sender's entry if we have one.
        if (ctx.learns_neighbours && learnable(iface, spa)) learn(d, ctx, spa, sha, true, false);
        return d;
    }

    v->set_oper(arp::op_reply);
    v->set_tha(sha);
    v->set_tpa(spa);
    v->set_sha(iface.mac);
    v->set_spa(target);
    f.reply_l2(sha, iface);
    Verdict a = Verdict::answer(Reply::arp_reply, f.l2_len + arp::packet_len);
    // RFC 826: the requester, whose request names us, is merged into the table.
    if (ctx.learns_neighbours && learnable(iface, spa)) learn(a, ctx, spa, sha, false, false);
    return a;
}

}  // namespace pw::icmp
