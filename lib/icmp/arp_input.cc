#include "lib/wire/arp.hh"
#include "lib/icmp/steps.hh"

namespace pw::icmp {

namespace {

void learn(Verdict& v, const Ipv4Addr& a, const MacAddr& mac, bool advert,
           bool solicited) noexcept {
    v.learn = true;
    v.learn_advert = advert;
    v.learn_solicited = solicited;
    v.learn_override = true;
    v.learn_addr = Ipv6Addr{};
    v.learn_addr.bytes[10] = 0xff;
    v.learn_addr.bytes[11] = 0xff;
    for (std::size_t i = 0; i < 4; ++i) v.learn_addr.bytes[12 + i] = a.bytes[i];
    v.learn_mac = mac;
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
        if (ctx.router != nullptr && v->oper() == arp::op_reply && !spa.is_unspecified())
            learn(d, spa, sha, true, true);
        return d;
    }
    const auto target = v->tpa();
    if (!iface.owns_v4(target)) {
        Verdict d = Verdict::dropped(Drop::arp_not_for_us);
        // RFC 826 merge: a request for someone else refreshes the sender's entry if we have one.
        if (ctx.router != nullptr && !spa.is_unspecified()) learn(d, spa, sha, true, false);
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
    if (ctx.router != nullptr && !spa.is_unspecified()) learn(a, spa, sha, false, false);
    return a;
}

}  // namespace pw::icmp
