#include "lib/wire/arp.hh"
#include "lib/icmp/steps.hh"

namespace pw::icmp {

// RFC 826 "Packet Reception": answer a request whose target protocol address is ours, in
// place. Probes with sender 0.0.0.0 (RFC 5227 2.1.1) are answered the same way.
Verdict arp_input(Frame& f, const HostContext& ctx) noexcept {
    const Iface& iface = *ctx.iface;
    namespace arp = wire::arp;
    const auto v = arp::View<std::byte>::checked(f.l3());
    if (!v) return Verdict::dropped(v.reason());
    const auto sha = v->sha();
    if (sha.is_group()) return Verdict::dropped(Drop::arp_bad_source);
    if (v->oper() != arp::op_request) return Verdict::dropped(Drop::arp_not_request);
    const auto target = v->tpa();
    if (!iface.owns_v4(target)) return Verdict::dropped(Drop::arp_not_for_us);

    const auto spa = v->spa();
    v->set_oper(arp::op_reply);
    v->set_tha(sha);
    v->set_tpa(spa);
    v->set_sha(iface.mac);
    v->set_spa(target);
    f.reply_l2(sha, iface);
    return Verdict::answer(Reply::arp_reply, f.l2_len + arp::packet_len);
}

}  // namespace pw::icmp
