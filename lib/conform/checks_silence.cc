// Where no error may be sent (RFC 1122 3.2.2, RFC 1812 4.3.2.7, RFC 4443 2.4(e)), and what
// must be dropped silently. Each check has a control sent right before its probe, from the
// same source, that must get its message: a RUT that is silent, or has rate-limited itself,
// cannot pass (the verdict is then "inconclusive").
#include <fmt/format.h>

#include "lib/conform/judge.hh"
#include "lib/conform/stimulus.hh"

namespace pw::conform {

namespace {

using Mutate = void (*)(FrameSpec&, const Ctx&);

// The probe differs from its control in what it tests, and in its IP ID, source port and
// echo identifier and sequence, so an error or a reply names which of the two it is about.
FrameSpec distinct(FrameSpec p) {
    p.ip_id = static_cast<std::uint16_t>(p.ip_id + 0x100);
    p.sport = static_cast<std::uint16_t>(p.sport + 0x100);
    p.icmp_id = static_cast<std::uint16_t>(p.icmp_id + 0x100);
    p.icmp_seq = 2;
    return p;
}

// Control: base; probe: base changed by M.
Plan pair_of(const FrameSpec& base, const Ctx& c, Mutate m) {
    Plan plan;
    plan.control.push_back(on_in(base));
    FrameSpec p = distinct(base);
    m(p, c);
    plan.probe.push_back(on_in(p));
    return plan;
}

// Control: UDP to a closed port of the RUT (port unreachable expected).
template <Family F, Mutate M>
Plan port_pair(const Ctx& c) {
    return pair_of(to_rut_udp(c, F), c, M);
}

// Control: a UDP datagram through the RUT with TTL 1 (Time Exceeded expected).
template <Family F, Mutate M>
Plan transit_pair(const Ctx& c) {
    FrameSpec base = transit(c, F);
    base.ttl = 1;
    return pair_of(base, c, M);
}

// Control: an echo request to the RUT (reply expected).
template <Family F, Mutate M>
Plan echo_pair(const Ctx& c) {
    return pair_of(to_rut_echo(c, F), c, M);
}

// Control: an expiring first fragment (offset 0, MF), which is owed its Time Exceeded, so
// that a bench that never delivers fragments to the RUT (a capture that reassembles them)
// shows as inconclusive; probe: an expiring non-initial fragment.
Plan fragment_pair(const Ctx& c) {
    Plan plan;
    FrameSpec first = transit(c, Family::v4);
    first.ttl = 1;
    first.mf = true;
    plan.control.push_back(on_in(first));
    FrameSpec later = distinct(first);
    later.mf = false;
    later.frag_offset = 8;  // 64 bytes in
    later.l4 = L4::raw;
    later.protocol = 17;
    plan.probe.push_back(on_in(later));
    return plan;
}

Result judge_port_pair(const Ctx&, const Exchange& ex) {
    const bool v6 = family_of(ex) == Family::v6;
    const bool ok = error_quoting(ex.control, v6 ? 1 : 3, v6 ? 4 : 3) != nullptr;
    return silence(ok, "port unreachable", any_error(ex.probe), ex.probe);
}

Result judge_transit_pair(const Ctx&, const Exchange& ex) {
    const bool v6 = family_of(ex) == Family::v6;
    const bool ok = error_quoting(ex.control, v6 ? 3 : 11, 0) != nullptr;
    return silence(ok, "Time Exceeded", any_error(ex.probe), ex.probe);
}

// RFC 1812 4.3.2.7: errors are sent for fragment 0 (the positive side of the rule above).
Result judge_transit_first_fragment(const Ctx&, const Exchange& ex) {
    if (const Seen* e = error_quoting(ex.probe, 11, 0))
        return pass(
            fmt::format("sent {} (offset 0, MF); got {}", sent_line(ex.probe), e->describe()));
    return fail(fmt::format("sent {} (offset 0, MF); no Time Exceeded; got {}", sent_line(ex.probe),
                            got_line(ex.probe)));
}

// Anything from the RUT in answer to the probe: an error quoting it, or an ICMP message to
// its source (a reply) but the Echo Reply to the control (sent from the same source) heard
// late, which its identifier and sequence tell apart.
const Seen* any_answer(const Ctx& c, const Phase& ph, const Phase& control) {
    if (const Seen* e = any_error(ph)) return e;
    const IpFacts s = facts_of(ph.sent.front().bytes);
    const IpFacts ctl = facts_of(control.sent.front().bytes);
    for (const auto& g : ph.got) {
        if (!g.icmp || g.l3.v6 != s.v6 || !is_rut_address(c.s(), g.l3)) continue;
        if (g.l3.icmp_type == (s.v6 ? 129 : 0) && g.l3.icmp_id == ctl.icmp_id &&
            g.l3.icmp_seq == ctl.icmp_seq)
            continue;
        if (s.v6 ? g.l3.dst6 == s.src6 : g.l3.dst4 == s.src4) return &g;
    }
    return nullptr;
}

Result judge_echo_pair(const Ctx& c, const Exchange& ex) {
    return silence(echo_reply(ex.control) != nullptr, "Echo Reply",
                   any_answer(c, ex.probe, ex.control), ex.probe);
}

// --- the changes ---

// An ICMP error in transit (Destination Unreachable / port, quoting a made-up datagram).
void icmp_error_in_transit(FrameSpec& p, const Ctx&) {
    p.l4 = L4::icmp_raw;
    p.icmp_type = p.v6 ? 1 : 3;
    p.icmp_code = p.v6 ? 4 : 3;
    p.icmp_rest.assign(4 + (p.v6 ? 48 : 28), 0);
    p.icmp_rest[4] = p.v6 ? 0x60 : 0x45;
    p.payload = 0;
}
void initial_fragment(FrameSpec& p, const Ctx&) {
    p.mf = true;
}
void directed_broadcast(FrameSpec& p, const Ctx& c) {
    p.dst4 = c.s().out4->directed_broadcast().value_or(wire::Ipv4Addr::from_u32(0xffffffffU));
}
void limited_broadcast(FrameSpec& p, const Ctx&) {
    p.dst4 = wire::Ipv4Addr::from_u32(0xffffffffU);
    p.dst_mac = wire::MacAddr::broadcast();
}
void all_hosts(FrameSpec& p, const Ctx&) {
    p.dst4 = wire::Ipv4Addr::from_u32(0xe0000001U);  // 224.0.0.1
    p.dst_mac = wire::MacAddr{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
}
void all_nodes(FrameSpec& p, const Ctx&) {
    p.dst6 = wire::Ipv6Addr::all_nodes();
    p.dst_mac = wire::Ipv6Addr::all_nodes().multicast_mac();
}
void ll_broadcast(FrameSpec& p, const Ctx&) {
    p.dst_mac = wire::MacAddr::broadcast();
}
void ll_multicast(FrameSpec& p, const Ctx&) {
    p.dst_mac = p.v6 ? wire::Ipv6Addr::all_nodes().multicast_mac()
                     : wire::MacAddr{{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
}
template <std::uint32_t A>
void source4(FrameSpec& p, const Ctx&) {
    p.src4 = wire::Ipv4Addr::from_u32(A);
}
void source6_unspecified(FrameSpec& p, const Ctx&) {
    p.src6 = wire::Ipv6Addr{};
}
void source6_multicast(FrameSpec& p, const Ctx&) {
    p.src6 = wire::Ipv6Addr::all_nodes();
}
void bad_checksum(FrameSpec& p, const Ctx&) {
    p.bad_ip_checksum = true;
}
template <std::uint8_t T>
void unknown_type(FrameSpec& p, const Ctx&) {
    p.l4 = L4::icmp_raw;
    p.icmp_type = T;
    p.icmp_code = 0;
    p.icmp_rest = {0, 0, 0, 0};
}
void to_unspecified(FrameSpec& p, const Ctx&) {
    p.dst6 = wire::Ipv6Addr{};
}
void to_loopback(FrameSpec& p, const Ctx&) {
    p.dst6 = wire::Ipv6Addr{};
    p.dst6.bytes[15] = 1;
}

}  // namespace

std::vector<Check> silence_checks() {
    using F = Family;
    return {
        {"v4.noerr.icmp-error", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "an expiring ICMP error in transit: no Time Exceeded",
         &transit_pair<F::v4, icmp_error_in_transit>, &judge_transit_pair},
        {"v6.noerr.icmp-error", "RFC 4443 2.4(e.1)", F::v6,
         "an expiring ICMPv6 error in transit: no Time Exceeded",
         &transit_pair<F::v6, icmp_error_in_transit>, &judge_transit_pair},
        {"v4.noerr.fragment", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "an expiring non-initial fragment: no Time Exceeded", &fragment_pair, &judge_transit_pair},
        {"v4.te.fragment0", "RFC 1812 4.3.2.7", F::v4,
         "an expiring initial fragment: Time Exceeded (errors are for fragment 0)",
         &transit_pair<F::v4, initial_fragment>, &judge_transit_first_fragment},
        {"v4.noerr.bcast-directed", "RFC 1812 4.3.2.7; RFC 1122 3.2.2", F::v4,
         "to port 1's directed broadcast with TTL 1: no error",
         &transit_pair<F::v4, directed_broadcast>, &judge_transit_pair},
        {"v4.noerr.bcast-limited", "RFC 1122 3.2.2", F::v4,
         "UDP to 255.255.255.255, closed port: no error", &port_pair<F::v4, limited_broadcast>,
         &judge_port_pair},
        {"v4.noerr.mcast", "RFC 1122 3.2.2", F::v4, "UDP to 224.0.0.1, closed port: no error",
         &port_pair<F::v4, all_hosts>, &judge_port_pair},
        {"v4.noerr.ll-bcast", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "unicast to the RUT in a link-layer broadcast: no error", &port_pair<F::v4, ll_broadcast>,
         &judge_port_pair},
        {"v4.noerr.ll-mcast", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "unicast to the RUT in a link-layer multicast: no error", &port_pair<F::v4, ll_multicast>,
         &judge_port_pair},
        {"v4.noerr.src-zero", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4, "source in 0/8: no error",
         &port_pair<F::v4, source4<0x00120001U>>, &judge_port_pair},
        {"v4.noerr.src-loopback", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "source in 127/8: no error", &port_pair<F::v4, source4<0x7f000001U>>, &judge_port_pair},
        {"v4.noerr.src-multicast", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "source in 224/4: no error", &port_pair<F::v4, source4<0xe0000001U>>, &judge_port_pair},
        {"v4.noerr.src-reserved", "RFC 1122 3.2.2; RFC 1812 4.3.2.7", F::v4,
         "source in 240/4: no error", &port_pair<F::v4, source4<0xf0000001U>>, &judge_port_pair},
        {"v4.drop.bad-checksum", "RFC 1812 5.2.2; RFC 1122 3.2.1.2", F::v4,
         "bad IPv4 header checksum: silently dropped", &port_pair<F::v4, bad_checksum>,
         &judge_port_pair},
        {"v4.noreply.unknown-type", "RFC 1122 3.2.2", F::v4,
         "unknown ICMP type (99) to the RUT: no reply", &echo_pair<F::v4, unknown_type<99>>,
         &judge_echo_pair},
        {"v6.noerr.mcast", "RFC 4443 2.4(e.3)", F::v6, "UDP to ff02::1, closed port: no error",
         &port_pair<F::v6, all_nodes>, &judge_port_pair},
        {"v6.noerr.ll-mcast", "RFC 4443 2.4(e.3)", F::v6,
         "unicast to the RUT in a link-layer multicast: no error", &port_pair<F::v6, ll_multicast>,
         &judge_port_pair},
        {"v6.noerr.ll-bcast", "RFC 4443 2.4(e.3)", F::v6,
         "unicast to the RUT in a link-layer broadcast: no error", &port_pair<F::v6, ll_broadcast>,
         &judge_port_pair},
        {"v6.noerr.src-unspecified", "RFC 4443 2.4(e.4)", F::v6, "source ::: no error",
         &port_pair<F::v6, source6_unspecified>, &judge_port_pair},
        {"v6.noerr.src-multicast", "RFC 4443 2.4(e.4)", F::v6, "source ff02::1: no error",
         &port_pair<F::v6, source6_multicast>, &judge_port_pair},
        {"v6.noreply.unknown-info", "RFC 4443 2.4(b)", F::v6,
         "unknown informational type (200) to the RUT: no reply",
         &echo_pair<F::v6, unknown_type<200>>, &judge_echo_pair},
        {"v6.noreply.echo-unspecified", "RFC 4291 2.5.2", F::v6, "echo to ::: nothing",
         &echo_pair<F::v6, to_unspecified>, &judge_echo_pair},
        {"v6.noreply.echo-loopback", "RFC 4291 2.5.3", F::v6, "echo to ::1: nothing",
         &echo_pair<F::v6, to_loopback>, &judge_echo_pair},
    };
}

}  // namespace pw::conform
