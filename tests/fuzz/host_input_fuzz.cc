// libFuzzer target: host_input over arbitrary frames. The first input byte chooses whether
// the harness repairs the IPv4 header and ICMP/ICMPv6 checksums before the call, so that the
// fuzzer gets past the checksum checks into the handlers. Asserts: no crash, no read or write
// outside the buffer (ASan), a reply never longer than the room given, a drop reason exactly
// on the drops, an error to send only when there is a plan slot (a tailroom of 127 bytes runs
// without the plan and sighting slots) and an emitted error that writes its frame alone.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lib/icmp/forward.hh"
#include "lib/icmp/host_input.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "tests/fuzz/repair_checksums.hh"

namespace {

pw::net::Iface make_iface() {
    pw::net::Iface f;
    f.mac = {{0x02, 0, 0, 0, 0, 0x02}};
    f.add_v4({*pw::wire::Ipv4Addr::parse("198.18.0.2"), 24});
    f.add_link_local();
    f.add_v6({*pw::wire::Ipv6Addr::parse("2001:2::2"), 64});
    return f;
}

using pw_fuzz::repair_checksums;

struct Host {
    pw::net::Iface iface = make_iface();
    pw::icmp::HostPolicy policy;
    pw::icmp::RateLimiter limiter;
    pw::icmp::SharedBucket global;
    pw::icmp::IcmpStats stats;
    pw::net::Iface egress = make_iface();
    pw::icmp::RouterPolicy router;
    pw::icmp::ProbeIface probe{};
    std::uint16_t ident = 0;
    std::uint64_t now = 0;

    Host() {
        policy.probe = true;  // reach every handler
        policy.udp_open.set(53);
        pw::icmp::RateLimitConfig rate;
        rate.host_table_sets = 4;
        global.configure(1'000'000, 50);
        limiter.configure(rate, &global, 1);
        router.send_redirects = true;
        egress.mtu = 1280;
        probe.iface = &iface;
        probe.index = 1;
        std::memcpy(probe.name.data(), "port0", 6);
    }
    pw::icmp::HostContext context() {
        pw::icmp::HostContext c;
        c.iface = &iface;
        c.policy = &policy;
        c.limiter = &limiter;
        c.stats = &stats;
        c.now_ns = now += 1'000'000;
        c.ip_ident = &ident;
        c.probe_ifaces = {&probe, 1};
        c.plan = &plan;
        c.sighting = &sighting;
        return c;
    }
    pw::icmp::ErrorPlan plan;
    pw::icmp::Sighting sighting;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Host host;
    if (size < 1) return 0;
    const bool repair = (data[0] & 1) != 0;
    const bool router_mode = (data[0] & 2) != 0;
    const std::size_t room = 64 + (data[0] >> 2);  // tailroom after the frame: 64..127 bytes
    ++data;
    --size;
    std::vector<std::byte> buf(size + room);
    std::memcpy(buf.data(), data, size);
    pw::wire::Bytes all{buf.data(), buf.size()};
    if (repair) repair_checksums(all.first(size));
    const std::vector<std::byte> before(buf.begin(),
                                        buf.begin() + static_cast<std::ptrdiff_t>(size));
    auto ctx = host.context();
    if (router_mode) {
        ctx.router = &host.router;
        ctx.learns_neighbours = true;
    }
    // Now and then no slots: an error that would go out is then counted as not sent.
    const bool no_slots = room == 127;
    if (no_slots) {
        ctx.plan = nullptr;
        ctx.sighting = nullptr;
    }
    auto v = pw::icmp::host_input(all, size, ctx);
    if (v.sighted && (no_slots || !router_mode)) std::abort();
    if (v.next == pw::icmp::Next::route) {
        // Router mode: a route chosen by the frame's last byte, through the forwarding step.
        pw::icmp::Route r;
        const std::uint8_t sel = size > 0 ? data[size - 1] : 0;
        r.kind = static_cast<pw::icmp::Route::Kind>(sel % 5);
        r.denied = (sel & 0x80) != 0;
        r.port = 1;
        r.egress = (sel & 0x40) != 0 ? &host.iface : &host.egress;
        r.gw4 = *pw::wire::Ipv4Addr::parse("198.18.0.1");
        r.gw6 = *pw::wire::Ipv6Addr::parse("fe80::1");
        const pw::wire::Bytes frame = all.first(size);
        v = v.v6 ? pw::icmp::ip6_forward(frame, v.l3_from, r, ctx)
                 : pw::icmp::ip4_forward(frame, v.l3_from, r, ctx);
    }
    using pw::icmp::Next;
    if (v.next >= Next::count_) std::abort();
    if (v.next == Next::reply && (v.len > buf.size() || v.len < pw::wire::eth::header_len))
        std::abort();
    // Exactly the drops (with or without an error owed) carry a reason.
    const bool dropped = v.next == Next::drop || v.next == Next::error;
    if (dropped != (v.drop != pw::wire::Drop::count_)) std::abort();
    if ((v.next == Next::error) != (dropped && v.owes_error())) std::abort();
    if (v.error_to_send()) {
        // The planned error quotes bytes that exist, and the builder writes only its frame.
        if (no_slots) std::abort();
        const pw::icmp::ErrorPlan& plan = host.plan;
        if (v.l3_from + plan.quote_len > size) std::abort();
        std::vector<std::byte> out(plan.frame_len() + 16, std::byte{0xa5});
        const pw::wire::ConstBytes seg[1] = {pw::wire::ConstBytes{before}.subspan(v.l3_from)};
        const std::size_t n = pw::icmp::emit_error({out.data(), plan.frame_len()}, plan, seg);
        if (n != plan.frame_len()) std::abort();
        for (std::size_t i = n; i < out.size(); ++i)
            if (out[i] != std::byte{0xa5}) std::abort();
    }
    return 0;
}
