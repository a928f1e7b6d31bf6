// Destination Unreachable and Parameter Problem: no route, an unresolvable neighbour, a
// closed port, an unknown protocol / next header, a bad fragment length, an unknown option
// whose type asks for an error (also toward multicast).
#include <fmt/format.h>

#include "lib/conform/judge.hh"
#include "lib/conform/stimulus.hh"

namespace pw::conform {

namespace {

// A check whose probe must draw one error of (type, code) quoting it, and (optional) a
// pointer (Parameter Problem) equal to Ptr.
template <int Type, int Code, int Ptr = -1>
Result expect_error(const Ctx& c, const Exchange& ex) {
    const bool v6 = family_of(ex) == Family::v6;
    const Seen* e = error_quoting(ex.probe, Type, Code);
    if (e == nullptr) {
        const Seen* other = any_error(ex.probe);
        return fail(fmt::format("sent {}; no {}/{} quoting it; got {}", sent_line(ex.probe), Type,
                                Code, other ? other->describe() : got_line(ex.probe)));
    }
    if constexpr (Ptr >= 0) {
        const unsigned ptr = v6 ? e->icmp_word : (e->icmp_word >> 24);
        if (ptr != static_cast<unsigned>(Ptr))
            return fail(fmt::format("{}/{} with pointer {}, expected {}", Type, Code, ptr, Ptr));
    }
    if (!is_rut_address(c.s(), e->l3) || (v6 && e->l3.src6.is_multicast()))
        return fail(fmt::format("{} from {}: not a unicast address of the RUT", e->describe(),
                                e->l3.src_text()));
    return pass(fmt::format("sent {}; got {}", sent_line(ex.probe), e->describe()));
}

// A datagram through the RUT to the bench's unrouted (no route) or unresolved (on port 1's
// subnet, nobody there) address.
template <Family F, bool Unresolved>
Plan beyond(const Ctx& c) {
    const Setup& s = c.s();
    FrameSpec p = transit(c, F);
    if (F == Family::v6)
        p.dst6 = Unresolved ? s.unresolved6 : s.unrouted6;
    else
        p.dst4 = Unresolved ? s.unresolved4 : s.unrouted4;
    Plan plan;
    plan.probe.push_back(on_in(p));
    // The RUT's neighbour resolution gives up first (Linux: 3 probes a second apart).
    if (Unresolved) plan.probe_wait_ms = 5000;
    return plan;
}

template <Family F>
Plan closed_port(const Ctx& c) {
    Plan plan;
    plan.probe.push_back(on_in(to_rut_udp(c, F)));
    return plan;
}

template <Family F>
Plan unknown_protocol(const Ctx& c) {
    FrameSpec p = to_rut_udp(c, F);
    p.l4 = L4::raw;
    p.protocol = 253;  // RFC 3692: for experimentation
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

Plan fragment_length(const Ctx& c) {
    FrameSpec p = to_rut_udp(c, Family::v6);
    p.frag_header = true;
    p.mf = true;
    p.frag_ident = 0x70000000U + c.n;
    p.payload = 21;  // 8 (fragment header) + 8 (UDP) + 21 = 37: not a multiple of 8
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

// A Destination Options header holding one option of type 0x9e (10011110: the high bits 10,
// "discard and send Parameter Problem code 2, even to multicast", RFC 8200 4.2).
FrameSpec unknown_option(const Ctx& c) {
    FrameSpec p = to_rut_udp(c, Family::v6);
    p.ext.push_back({60, {0, 0x9e, 4, 0, 0, 0, 0}});
    return p;
}

Plan option_unicast(const Ctx& c) {
    Plan plan;
    plan.probe.push_back(on_in(unknown_option(c)));
    return plan;
}

Plan option_multicast(const Ctx& c) {
    FrameSpec p = unknown_option(c);
    p.dst6 = wire::Ipv6Addr::all_nodes();
    p.dst_mac = wire::Ipv6Addr::all_nodes().multicast_mac();
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

}  // namespace

std::vector<Check> unreachable_checks() {
    using F = Family;
    return {
        {"v4.unreach.net", "RFC 1812 5.2.7.1", F::v4, "no route: Destination Unreachable 3/0",
         &beyond<F::v4, false>, &expect_error<3, 0>},
        {"v6.unreach.noroute", "RFC 4443 3.1", F::v6, "no route: Destination Unreachable 1/0",
         &beyond<F::v6, false>, &expect_error<1, 0>},
        {"v4.unreach.host", "RFC 1812 5.2.7.1", F::v4,
         "unresolvable neighbour: Destination Unreachable 3/1", &beyond<F::v4, true>,
         &expect_error<3, 1>},
        {"v6.unreach.addr", "RFC 4443 3.1; RFC 4861 7.2.2", F::v6,
         "unresolvable neighbour: Destination Unreachable 1/3 (address)", &beyond<F::v6, true>,
         &expect_error<1, 3>},
        {"v4.unreach.port", "RFC 1122 3.2.2.1; RFC 792", F::v4,
         "UDP to a closed port of the RUT: 3/3", &closed_port<F::v4>, &expect_error<3, 3>},
        {"v6.unreach.port", "RFC 4443 3.1", F::v6, "UDP to a closed port of the RUT: 1/4",
         &closed_port<F::v6>, &expect_error<1, 4>},
        {"v4.unreach.proto", "RFC 1122 3.2.2.1; RFC 792", F::v4,
         "unknown protocol (253) to the RUT: 3/2", &unknown_protocol<F::v4>, &expect_error<3, 2>},
        {"v6.pp.nexthdr", "RFC 4443 3.4; RFC 8200 4", F::v6,
         "unknown next header (253): Parameter Problem code 1, pointer 6", &unknown_protocol<F::v6>,
         &expect_error<4, 1, 6>},
        {"v6.pp.fraglen", "RFC 8200 4.5", F::v6,
         "fragment, M=1, length not a multiple of 8: Parameter Problem code 0, pointer 4",
         &fragment_length, &expect_error<4, 0, 4>},
        {"v6.pp.option", "RFC 8200 4.2; RFC 4443 3.4", F::v6,
         "option type 0x9e (action bits 10): Parameter Problem code 2, pointer 42", &option_unicast,
         &expect_error<4, 2, 42>},
        {"v6.pp.option.mcast", "RFC 8200 4.2; RFC 4443 2.4(e.3)", F::v6,
         "option type 0x9e (action bits 10) to ff02::1: Parameter Problem code 2 from a unicast "
         "address",
         &option_multicast, &expect_error<4, 2, 42>},
    };
}

}  // namespace pw::conform
