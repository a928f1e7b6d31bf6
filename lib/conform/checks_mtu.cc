// The egress MTU: frag-needed with the next-hop MTU (RFC 1191 4), Packet Too Big with the MTU
// and within 1280 bytes, also toward multicast (RFC 4443 3.2, 2.4(e.2)), and a DF stream
// that learns the path MTU (the RUT does not black-hole).
#include <fmt/format.h>

#include "lib/conform/judge.hh"
#include "lib/conform/stimulus.hh"

namespace pw::conform {

namespace {

unsigned mtu_out(const Setup& s, Family f) {
    return f == Family::v6 ? s.mtu_out6 : s.mtu_out4;
}

std::string no_smaller_mtu(const Setup& s) {
    return fmt::format(
        "the RUT's MTU toward port 1 is not below port 0's {} (discovered; or give --mtu-out)",
        s.mtu_in);
}

// A DF datagram through the RUT, larger than its egress MTU (as large as port 0 sends).
template <Family F>
Plan too_big(const Ctx& c) {
    Plan plan;
    const unsigned m = mtu_out(c.s(), F);
    if (m == 0 || m >= c.s().mtu_in) {
        plan.na = no_smaller_mtu(c.s());
        return plan;
    }
    FrameSpec p = transit(c, F);
    p.df = true;
    p.total_bytes = c.s().mtu_in;
    plan.probe.push_back(on_in(p));
    return plan;
}

// The frag-needed / PTB of the probe, or the failed result.
std::optional<Result> need_ptb(const Exchange& ex, const Seen*& e) {
    const bool v6 = family_of(ex) == Family::v6;
    if (const Seen* f = forwarded(ex.probe))
        return fail(fmt::format("forwarded {} B past the smaller MTU", f->l3.total_len));
    e = v6 ? error_quoting(ex.probe, 2, 0) : error_quoting(ex.probe, 3, 4);
    if (e == nullptr)
        return fail(fmt::format("sent {} with DF; no {} quoting it; got {}", sent_line(ex.probe),
                                v6 ? "Packet Too Big" : "Destination Unreachable 3/4",
                                got_line(ex.probe)));
    return std::nullopt;
}

// RFC 1191 4 (RFC 1812 5.2.7.1 / 4.3.2): Next-Hop MTU in the low 16 bits of bytes 4..7.
// RFC 4443 3.2: the MTU of the next-hop link in bytes 4..7.
Result judge_mtu(const Ctx& c, const Exchange& ex) {
    const Seen* e = nullptr;
    if (auto r = need_ptb(ex, e)) return *r;
    const bool v6 = e->l3.v6;
    const unsigned want = mtu_out(c.s(), v6 ? Family::v6 : Family::v4);
    const unsigned got = v6 ? e->icmp_word : (e->icmp_word & 0xffff);
    if (got == want)
        return pass(
            fmt::format("{} with MTU {} from {}", v6 ? "PTB" : "3/4", got, e->l3.src_text()));
    return fail(fmt::format("{} with MTU {}, the egress MTU is {}", v6 ? "PTB" : "3/4", got, want));
}

// RFC 4443 2.4(c): no error message exceeds the minimum IPv6 MTU.
Result judge_ptb_len(const Ctx&, const Exchange& ex) {
    const Seen* e = nullptr;
    if (auto r = need_ptb(ex, e)) return *r;
    if (e->l3.total_len <= 1280)
        return pass(fmt::format("PTB of {} B quoting {} B", e->l3.total_len, e->quote_len));
    return fail(fmt::format("PTB of {} B exceeds 1280 B", e->l3.total_len));
}

// RFC 3306: a unicast-prefix-based group of the benchmarking prefix (ff3e:30:2001:2::1),
// global scope, so a multicast router would forward it.
wire::Ipv6Addr routed_group() {
    return wire::Ipv6Addr::parse("ff3e:30:2001:2::1").value_or(wire::Ipv6Addr{});
}

Plan too_big_mcast(const Ctx& c) {
    Plan plan = too_big<Family::v6>(c);
    if (plan.na) return plan;
    const auto g = routed_group();
    FrameSpec small = transit(c, Family::v6);
    small.dst6 = g;
    small.dst_mac = c.s().rut_in_mac6;
    plan.control.push_back(on_in(small));
    FrameSpec big = small;
    big.total_bytes = c.s().mtu_in;
    big.ip_id = static_cast<std::uint16_t>(small.ip_id + 1);
    big.sport = static_cast<std::uint16_t>(small.sport + 0x100);
    plan.probe = {on_in(big)};
    return plan;
}

// RFC 4443 2.4(e.2): Packet Too Big is sent even for a multicast destination.
Result judge_ptb_mcast(const Ctx&, const Exchange& ex) {
    if (forwarded(ex.control) == nullptr)
        return not_applicable(
            "the RUT did not forward a small datagram to ff3e:30:2001:2::1 "
            "(it routes no multicast)");
    if (const Seen* e = error_quoting(ex.probe, 2, 0))
        return pass(fmt::format("PTB with MTU {} for the multicast destination", e->icmp_word));
    return fail(fmt::format("the RUT forwards the group but sent no PTB for {}; got {}",
                            sent_line(ex.probe), got_line(ex.probe)));
}

// The path MTU stream: one DF datagram at port 0's MTU, then (follow) one at the MTU the
// error named, which must come out of port 1.
template <Family F>
Plan pmtu_first(const Ctx& c) {
    Plan plan;
    FrameSpec p = transit(c, F);
    p.df = true;
    p.total_bytes = c.s().mtu_in;
    plan.probe.push_back(on_in(p));
    return plan;
}

unsigned named_mtu(const Exchange& ex) {
    const bool v6 = family_of(ex) == Family::v6;
    const Seen* e = v6 ? error_quoting(ex.probe, 2, 0) : error_quoting(ex.probe, 3, 4);
    if (e == nullptr) return 0;
    return v6 ? e->icmp_word : (e->icmp_word & 0xffff);
}

template <Family F>
std::vector<Tx> pmtu_follow(const Ctx& c, const Exchange& ex) {
    const unsigned m = named_mtu(ex);
    if (m < (F == Family::v6 ? 1280U : 68U) || m >= c.s().mtu_in) return {};
    FrameSpec p = transit(c, F);
    p.df = true;
    p.total_bytes = m;
    p.ip_id = static_cast<std::uint16_t>(p.ip_id + 1);
    p.sport = static_cast<std::uint16_t>(p.sport + 0x100);
    return {on_in(p)};
}

// RFC 1191 / RFC 8201: the sender learns the MTU from the error and gets through with it.
Result judge_pmtu(const Ctx&, const Exchange& ex) {
    if (const Seen* f = forwarded(ex.probe))
        return not_applicable(
            fmt::format("{} B went through: the path MTU is not below port 0's", f->l3.total_len));
    const unsigned m = named_mtu(ex);
    const bool v6 = family_of(ex) == Family::v6;
    if (m == 0 && (v6 ? error_quoting(ex.probe, 2, 0) : error_quoting(ex.probe, 3, 4)))
        return fail("the error names MTU 0: no MTU to learn (RFC 1191 4 wants the next-hop MTU)");
    if (m == 0)
        return fail(fmt::format("black hole: {} B with DF neither forwarded nor answered; got {}",
                                facts_of(ex.probe.sent.front().bytes).total_len,
                                got_line(ex.probe)));
    if (ex.follow.sent.empty())
        return fail(fmt::format("the error names MTU {}, which is not usable", m));
    if (const Seen* f = forwarded(ex.follow))
        return pass(fmt::format("learnt MTU {} from the error; {} B with DF came through", m,
                                f->l3.total_len));
    return fail(
        fmt::format("learnt MTU {}, but {} B with DF did not come through (black hole)", m, m));
}

}  // namespace

std::vector<Check> mtu_checks() {
    using F = Family;
    return {
        {"v4.fn.nexthop", "RFC 1191 4; RFC 1812 5.2.7.1", F::v4,
         "DF, larger than the egress MTU: 3/4 with Next-Hop MTU = the egress MTU", &too_big<F::v4>,
         &judge_mtu},
        {"v6.ptb.mtu", "RFC 4443 3.2", F::v6,
         "larger than the egress MTU: Packet Too Big with MTU = the egress MTU", &too_big<F::v6>,
         &judge_mtu},
        {"v6.ptb.len", "RFC 4443 2.4(c)", F::v6, "the Packet Too Big is no longer than 1280 B",
         &too_big<F::v6>, &judge_ptb_len},
        {"v6.ptb.mcast", "RFC 4443 2.4(e.2)", F::v6,
         "Packet Too Big also for a multicast destination", &too_big_mcast, &judge_ptb_mcast},
        {"v4.pmtu.stream", "RFC 1191 3; RFC 1812 5.2.7.1", F::v4,
         "a DF stream learns the egress MTU and gets through (no black hole)", &pmtu_first<F::v4>,
         &judge_pmtu, &pmtu_follow<F::v4>},
        {"v6.pmtu.stream", "RFC 8201 4; RFC 4443 3.2", F::v6,
         "a stream learns the egress MTU and gets through (no black hole)", &pmtu_first<F::v6>,
         &judge_pmtu, &pmtu_follow<F::v6>},
    };
}

}  // namespace pw::conform
