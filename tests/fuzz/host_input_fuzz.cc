// libFuzzer target: the host and router handlers over arbitrary frames: host_input in host
// mode and with a router context, its Next::route verdicts through ip4_forward / ip6_forward,
// a forwarded IPv4 datagram larger than the egress MTU through the fragmenter, and a forwarded
// packet whose next hop does not resolve through the Host / Address Unreachable planner
// (plan_unresolved_next_hop), as lib/pipeline runs them.
//
// Input: byte 0: bit 0 repairs the IPv4 header and ICMP/ICMPv6 checksums first (so that the
// fuzzer gets past the checksum checks into the handlers), bit 1 router mode, bits 2-7 the
// tailroom after the frame (64..127 bytes; 127 runs without the plan and sighting slots).
// Byte 1: the policy (HostWorld::context). Then the frame; in router mode its last byte picks
// the route (kind, denied, egress port). Asserts the verdict checks of host_world.hh after each
// step, and that every fragment fits the egress MTU and carries a valid header.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lib/icmp/deferred_error.hh"
#include "lib/icmp/fragment.hh"
#include "tests/fuzz/host_world.hh"
#include "tests/fuzz/repair_checksums.hh"

using pw_fuzz::check;

namespace {

// RFC 791 3.2: every fragment of a forwarded datagram fits the egress MTU, has a valid
// header, and together they carry the datagram's data.
void check_fragments(pw::wire::ConstBytes l3, std::uint16_t mtu) {
    const std::size_t n = pw::icmp::fragment_count_v4(l3, mtu);
    const auto ip = pw::wire::ipv4::View<const std::byte>::checked(l3);
    check(ip.ok());
    if (n == 0) return;  // an MTU that cannot carry 8 data bytes per fragment
    std::size_t data = 0;
    std::vector<std::byte> out(mtu);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t len = pw::icmp::fragment_length_v4(l3, mtu, i);
        check(len <= mtu && pw::icmp::emit_fragment_v4(out, l3, mtu, i) == len);
        const auto f =
            pw::wire::ipv4::View<const std::byte>::checked(pw::wire::ConstBytes{out}.first(len));
        check(f.ok() && f->header_checksum_ok() && f->bytes().size() == len);
        check(f->frag_offset() == ip->frag_offset() + data);
        data += f->payload().size();
    }
    check(data == ip->payload().size());
    check(pw::icmp::fragment_length_v4(l3, mtu, n) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static pw_fuzz::HostWorld host;
    pw_fuzz::Selectors sel(data, size);
    const std::uint8_t mode = sel.byte();
    const std::uint8_t policy = sel.byte();
    const bool repair = (mode & 1) != 0;
    const bool router_mode = (mode & 2) != 0;
    const std::size_t room = 64 + (mode >> 2);  // tailroom after the frame: 64..127 bytes
    size = sel.size();
    std::vector<std::byte> buf(size + room);
    if (size != 0) std::memcpy(buf.data(), sel.data(), size);
    pw::wire::Bytes all{buf.data(), buf.size()};
    if (repair) pw_fuzz::repair_checksums(all.first(size));
    const std::vector<std::byte> before(buf.begin(),
                                        buf.begin() + static_cast<std::ptrdiff_t>(size));
    auto ctx = host.context(policy, router_mode);
    // Now and then no slots: an error that would go out is then counted as not sent.
    const bool no_slots = room == 127;
    if (no_slots) {
        ctx.plan = nullptr;
        ctx.sighting = nullptr;
    }
    auto v = pw::icmp::host_input(all, size, ctx);
    check(!v.sighted || (!no_slots && router_mode));
    pw_fuzz::check_verdict(v, size, buf.size(), before, host.plan, !no_slots);
    if (v.next != pw::icmp::Next::route) return 0;

    // Router mode: a route chosen by the frame's last byte, through the forwarding step. A
    // tagged frame never gets here (lib/pipeline forwards from an untagged header).
    check(router_mode && v.l3_from == pw::wire::eth::header_len);
    pw::icmp::Route r;
    const std::uint8_t rsel = size > 0 ? sel.data()[size - 1] : 0;
    r.kind = static_cast<pw::icmp::Route::Kind>(rsel % 5);
    r.denied = (rsel & 0x80) != 0;
    r.port = 1;
    r.egress = (rsel & 0x40) != 0 ? &host.iface : &host.egress;
    r.gw4 = *pw::wire::Ipv4Addr::parse("198.18.1.254");
    r.gw6 = *pw::wire::Ipv6Addr::parse("fe80::1");
    const pw::wire::Bytes frame = all.first(size);
    const std::size_t l3_from = v.l3_from;
    const bool v6 = v.v6;
    v = v6 ? pw::icmp::ip6_forward(frame, l3_from, r, ctx)
           : pw::icmp::ip4_forward(frame, l3_from, r, ctx);
    pw_fuzz::check_verdict(v, size, buf.size(), before, host.plan, !no_slots);
    if (v.next != pw::icmp::Next::forward) return 0;
    check(v.egress_port == r.port);
    const pw::wire::ConstBytes l3 = pw::wire::ConstBytes{frame}.subspan(l3_from);
    if (v.fragment_needed) {
        check(!v6);
        const auto ip = pw::wire::ipv4::View<const std::byte>::checked(l3);
        check(ip.ok() && ip->bytes().size() > r.egress->mtu && !ip->dont_fragment());
        check_fragments(ip->bytes(), r.egress->mtu);
    }
    // The next hop never answers: Host Unreachable (RFC 1812 5.2.7.1) / Address Unreachable
    // (RFC 4443 3.1) to the source, quoting the packet as it was forwarded.
    const pw::wire::ConstBytes fwd = frame;
    const auto d = pw::icmp::plan_unresolved_next_hop(fwd, l3_from, v6, ctx);
    if (d.outcome == pw::icmp::ErrorOutcome::sent) {
        check(l3_from + d.plan.quote_len <= size);
        const pw::wire::ConstBytes seg[1] = {fwd.subspan(l3_from)};
        pw_fuzz::check_emit(d.plan, seg);
    }
    return 0;
}
