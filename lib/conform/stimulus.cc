#include "lib/conform/stimulus.hh"

#include "lib/conform/judge.hh"

namespace pw::conform {

namespace {

FrameSpec base(const Ctx& c, Family f) {
    const Setup& s = c.s();
    FrameSpec p;
    p.src_mac = s.in_mac;
    p.v6 = f == Family::v6;
    p.dst_mac = p.v6 ? s.rut_in_mac6 : s.rut_in_mac4;
    if (p.v6)
        p.src6 = c.src6();
    else
        p.src4 = c.src4();
    p.ip_id = c.token();
    p.sport = c.token();
    p.icmp_id = c.token();
    p.icmp_seq = 1;
    p.payload = 32;
    return p;
}

}  // namespace

FrameSpec transit(const Ctx& c, Family f) {
    FrameSpec p = base(c, f);
    if (p.v6)
        p.dst6 = c.s().out6->addr;
    else
        p.dst4 = c.s().out4->addr;
    p.dport = static_cast<std::uint16_t>(33434 + c.n);
    return p;
}

FrameSpec to_rut_udp(const Ctx& c, Family f) {
    FrameSpec p = base(c, f);
    if (p.v6)
        p.dst6 = *c.s().rut_in6;
    else
        p.dst4 = *c.s().rut_in4;
    p.dport = static_cast<std::uint16_t>(44000 + c.n);
    return p;
}

FrameSpec to_rut_echo(const Ctx& c, Family f) {
    FrameSpec p = to_rut_udp(c, f);
    p.l4 = L4::icmp_echo;
    return p;
}

void set_dst(FrameSpec& s, const wire::Ipv4Addr& a) {
    s.dst4 = a;
}
void set_dst(FrameSpec& s, const wire::Ipv6Addr& a) {
    s.dst6 = a;
}

Tx on_in(const FrameSpec& s) {
    return Tx{0, build(s)};
}

Family family_of(const Exchange& ex) {
    const Phase& p = ex.probe.sent.empty() ? ex.control : ex.probe;
    if (p.sent.empty()) return Family::v4;
    return facts_of(p.sent.front().bytes).v6 ? Family::v6 : Family::v4;
}

}  // namespace pw::conform
