// libFuzzer target: fragments through the host path as lib/pipeline runs them
// (host_fragments.cc): host_input, a Next::reassemble verdict into the Reassembler
// (lib/icmp/reassembly.hh: 4 slots of 16 fragments, timeouts of 30 and 60 ms), a refused
// fragment's Parameter Problem (plan_fragment_problem), a complete datagram through
// host_input_reassembled, an answer larger than the port MTU fragmented (lib/icmp/fragment.hh),
// and timed-out datagrams' Time Exceeded (plan_reassembly_timeout).
//
// Input: byte 0: bit 0 repairs each frame's IPv4 header and ICMP/ICMPv6 checksums, bit 1 router
// mode, bit 2 a port MTU of 1280 (else 1500), bit 3 split mode. Byte 1: the policy
// (HostWorld::context). Split mode: byte 2 the MTU the harness cuts the frame at (IPv4 68 +
// 4 * byte, IPv6 1280 + 2 * byte), byte 3 the order the fragments go in (bits 0-1: as cut,
// reversed, the last first, odd then even; bit 2: one sent twice; bit 3: one left out); the
// rest one frame (repaired before it is cut, so that the reassembled datagram checks). Else
// the rest is frames, each [ms to wait before it][length, 2 bytes][bytes].
//
// Asserts: the verdict checks of host_world.hh for every frame and reassembled datagram; the
// reassembler's counters add up; every fragment of an answer fits the MTU, and the fragments
// reassembled by a second reassembler give the answer back (IPv4: but the header checksum,
// which is recomputed).
#include <algorithm>
#include <cstring>
#include <vector>

#include "lib/icmp/deferred_error.hh"
#include "lib/icmp/fragment.hh"
#include "lib/icmp/reassembly.hh"
#include "tests/fuzz/host_world.hh"
#include "tests/fuzz/repair_checksums.hh"

using pw::icmp::Reassembler;
using pw::wire::Bytes;
using pw::wire::ConstBytes;
using pw_fuzz::check;

namespace {

constexpr std::uint64_t ms = 1'000'000;

struct World {
    pw_fuzz::HostWorld host;
    Reassembler reasm;
    Reassembler peer;  // reassembles the fragments of our answers
    std::uint64_t now = 0;
    std::uint64_t inserted = 0;
    std::uint32_t ident6 = 0;

    World() {
        pw::icmp::ReassemblyConfig c;
        c.max_datagrams = 4;
        c.max_fragments = 16;
        c.timeout_v4_ns = 30 * ms;
        c.timeout_v6_ns = 60 * ms;
        reasm.configure(c);
        c.max_datagrams = 1;
        c.max_fragments = 8192;
        peer.configure(c);
    }
};

// Cuts l3 at mtu; each fragment behind a copy of the l2 header.
std::vector<std::vector<std::byte>> cut(ConstBytes l2, ConstBytes l3, bool v6, std::uint16_t mtu,
                                        std::uint32_t ident) {
    std::vector<std::vector<std::byte>> out;
    const std::size_t n =
        v6 ? pw::icmp::fragment_count_v6(l3, mtu) : pw::icmp::fragment_count_v4(l3, mtu);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t len = v6 ? pw::icmp::fragment_length_v6(l3, mtu, i)
                                   : pw::icmp::fragment_length_v4(l3, mtu, i);
        check(len <= mtu);
        std::vector<std::byte> f(l2.size() + len);
        std::memcpy(f.data(), l2.data(), l2.size());
        const Bytes room = Bytes{f}.subspan(l2.size());
        const std::size_t w = v6 ? pw::icmp::emit_fragment_v6(room, l3, mtu, ident, i)
                                 : pw::icmp::emit_fragment_v4(room, l3, mtu, i);
        check(w == len);
        out.push_back(std::move(f));
    }
    return out;
}

// An answer larger than the MTU goes out in fragments (host_fragments.cc send_datagram); a
// receiver puts them back together into the answer.
void check_fragmented_answer(World& w, ConstBytes frame, std::size_t l2_len, std::uint16_t mtu) {
    const ConstBytes l2 = frame.first(l2_len);
    const ConstBytes l3 = frame.subspan(l2_len);
    const bool v6 = pw::wire::load16(frame, l2_len - 2) == pw::wire::eth::type_ipv6;
    if (l3.size() <= mtu) return;
    const auto pieces = cut(l2, l3, v6, mtu, ++w.ident6);
    check(!pieces.empty());
    Reassembler::Result r;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const ConstBytes f3 = ConstBytes{pieces[i]}.subspan(l2_len);
        r = v6 ? w.peer.insert_v6(l2, f3, {.fragment = true}, 0, w.now)
               : w.peer.insert_v4(l2, f3, 0, w.now);
        check(i + 1 == pieces.size() ? r.complete() : r.pending());
    }
    const ConstBytes back = ConstBytes{r.frame}.subspan(r.l2_len);
    check(back.size() == l3.size());
    if (v6) {
        check(std::memcmp(back.data(), l3.data(), l3.size()) == 0);
    } else {
        constexpr std::size_t c = pw::wire::ipv4::field::checksum;
        check(std::memcmp(back.data(), l3.data(), c) == 0);
        check(std::memcmp(back.data() + c + 2, l3.data() + c + 2, l3.size() - c - 2) == 0);
        check(pw::wire::ipv4::View<const std::byte>::checked(back)->header_checksum_ok());
    }
}

// One frame through the host path and, when it is a fragment, the reassembler.
void receive(World& w, ConstBytes in, std::uint8_t policy, bool router_mode) {
    std::vector<std::byte> buf(in.size() + 64);
    if (!in.empty()) std::memcpy(buf.data(), in.data(), in.size());
    const Bytes frame{buf.data(), in.size()};
    pw::icmp::HostContext ctx = w.host.context(policy, router_mode);
    ctx.now_ns = w.now;
    const pw::icmp::Verdict v = pw::icmp::host_input(buf, in.size(), ctx);
    pw_fuzz::check_verdict(v, in.size(), buf.size(), in, w.host.plan, true);
    if (v.next != pw::icmp::Next::reassemble) return;

    // The handler validated the header; the datagram ends where its length field says.
    const ConstBytes l2 = ConstBytes{frame}.first(v.l3_from);
    ConstBytes l3 = ConstBytes{frame}.subspan(v.l3_from);
    l3 = l3.first(v.v6 ? pw::wire::ipv6::header_len +
                             pw::wire::load16(l3, pw::wire::ipv6::field::payload_length)
                       : pw::wire::load16(l3, pw::wire::ipv4::field::total_length));
    ++w.inserted;
    const auto r = v.v6 ? w.reasm.insert_v6(l2, l3, v.up.upper(), 0, w.now)
                        : w.reasm.insert_v4(l2, l3, 0, w.now);
    check(w.reasm.stats().reqds == w.inserted);
    check(w.reasm.in_use() <= w.reasm.capacity());
    if (r.dropped()) {
        check(r.reason != pw::wire::Drop::count_);
        check(!r.param_problem || v.v6);
        if (r.param_problem) {
            check(r.pointer < l3.size());
            const auto d = pw::icmp::plan_fragment_problem(frame, l3, r.pointer, ctx);
            if (d.outcome == pw::icmp::ErrorOutcome::sent) {
                const ConstBytes seg[1] = {l3};
                pw_fuzz::check_emit(d.plan, seg);
            }
        }
        return;
    }
    if (!r.complete()) return;
    check(r.l2_len <= Reassembler::max_l2_len && r.l2_len < r.frame.size());
    const std::vector<std::byte> datagram(r.frame.begin(), r.frame.end());
    const Bytes room{r.frame.data(), r.frame.size() + Reassembler::tail_room};
    const pw::icmp::Verdict dv =
        pw::icmp::host_input_reassembled(room, r.frame.size(), r.l2_len, ctx);
    check(dv.next != pw::icmp::Next::reassemble && dv.next != pw::icmp::Next::route);
    pw_fuzz::check_verdict(dv, r.frame.size(), room.size(), datagram, w.host.plan, true);
    if (dv.next == pw::icmp::Next::reply)
        check_fragmented_answer(w, ConstBytes{room}.first(dv.len), r.l2_len, w.host.iface.mtu);
}

void expire(World& w) {
    w.reasm.expire(w.now, [&w](const Reassembler::Expired& e) {
        check(e.port == 0 && e.l2.size() <= Reassembler::max_l2_len);
        if (e.have_first) {
            std::size_t len = 0;
            for (const ConstBytes s : e.first_fragment) len += s.size();
            check(len == e.first_len);
        }
        std::byte head[256];
        pw::icmp::HostContext ctx = w.host.context(0, false);
        ctx.now_ns = w.now;
        const auto d = pw::icmp::plan_reassembly_timeout(e, Bytes{head, sizeof head}, ctx);
        check(d.outcome != pw::icmp::ErrorOutcome::sent || e.have_first);
        if (d.outcome == pw::icmp::ErrorOutcome::sent) {
            check(d.plan.quote_len <= e.first_len);
            pw_fuzz::check_emit(d.plan, e.first_fragment);
        }
    });
    const auto& s = w.reasm.stats();
    check(s.timeouts <= s.fails && s.oks + s.fails <= s.reqds + s.timeouts);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World w;
    pw_fuzz::Selectors sel(data, size);
    const std::uint8_t mode = sel.byte();
    const std::uint8_t policy = sel.byte();
    const bool repair = (mode & 1) != 0;
    const bool router_mode = (mode & 2) != 0;
    w.host.iface.mtu = (mode & 4) != 0 ? 1280 : 1500;
    // Each input starts after every datagram of the one before has timed out.
    w.now += 100 * ms;
    expire(w);

    if ((mode & 8) != 0) {
        const std::uint8_t mtu_sel = sel.byte();
        const std::uint8_t order = sel.byte();
        std::vector<std::byte> frame(sel.rest().begin(), sel.rest().end());
        if (repair) pw_fuzz::repair_checksums(frame);
        const auto e = pw::wire::eth::View<const std::byte>::checked(frame);
        if (!e) return 0;
        const bool v6 = e->ethertype() == pw::wire::eth::type_ipv6;
        const auto mtu = static_cast<std::uint16_t>(v6 ? 1280 + 2 * mtu_sel : 68 + 4 * mtu_sel);
        auto pieces =
            cut(ConstBytes{frame}.first(e->header_length()), e->payload(), v6, mtu, ++w.ident6);
        if (pieces.empty()) return 0;
        switch (order & 3) {
            case 1:
                std::reverse(pieces.begin(), pieces.end());
                break;
            case 2:
                std::rotate(pieces.begin(), pieces.end() - 1, pieces.end());
                break;
            case 3: {
                std::vector<std::vector<std::byte>> odd_even;
                for (std::size_t start : {1, 0})
                    for (std::size_t i = start; i < pieces.size(); i += 2)
                        odd_even.push_back(pieces[i]);
                pieces = std::move(odd_even);
                break;
            }
        }
        if ((order & 4) != 0) pieces.push_back(pieces[order % pieces.size()]);
        if ((order & 8) != 0 && pieces.size() > 1) pieces.erase(pieces.begin());
        for (const auto& p : pieces) {
            w.now += ms;
            receive(w, p, policy, router_mode);
            expire(w);
        }
        return 0;
    }
    while (sel.size() >= 3) {
        w.now += sel.byte() * ms;
        const ConstBytes bytes = sel.take(sel.u16());
        std::vector<std::byte> frame(bytes.begin(), bytes.end());
        if (repair) pw_fuzz::repair_checksums(frame);
        receive(w, frame, policy, router_mode);
        expire(w);
    }
    return 0;
}
