// libFuzzer target: the fast paths (lib/icmp/fast_path.hh) against the full path on arbitrary
// frames. The first input byte chooses whether the harness repairs the IPv4 header and
// ICMP/ICMPv6 checksums first (so the fuzzer gets past them), host or router mode, Redirects
// on or off, and whether the Ethernet destination is set to our MAC (so that it need not be
// guessed), and whether the rest of the input is the frame itself or a difference (XOR) from
// one of four templates (an echo request of each family to us, a datagram of each family to
// forward), so that the fuzzer starts from the common cases; the second byte picks the
// template and the route the forwarding step is given. Aborts when a
// fast path answers or forwards and the full path (host_input; its Next::route then
// ip4_forward / ip6_forward with the same Route) does not do exactly the same (bytes, length,
// next hop), or when a fast path declines and has changed the frame.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "lib/icmp/fast_path.hh"
#include "lib/icmp/forward.hh"
#include "lib/icmp/host_input.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "tests/fuzz/harness.hh"
#include "tests/fuzz/repair_checksums.hh"
#include "tests/golden/vectors.hh"

namespace {

using Buf = std::vector<std::byte>;

pw::wire::Ipv4Addr v4(const char* s) {
    return *pw::wire::Ipv4Addr::parse(s);
}
pw::wire::Ipv6Addr v6(const char* s) {
    return *pw::wire::Ipv6Addr::parse(s);
}

using pw_fuzz::check;
using pw_fuzz::repair_checksums;

// Port 0 (ingress) as in the golden vectors, with an address that is also a broadcast and a
// multicast one; port 1 and port 2 behind it.
struct World {
    pw::net::Iface a, b, c, b_small;
    std::array<pw::icmp::ProbeIface, 3> probes{};
    pw::icmp::HostPolicy policy;
    pw::icmp::RateLimitConfig rate;
    pw::icmp::SharedBucket global;
    pw::icmp::RateLimiter limiter;
    pw::icmp::IcmpStats stats;
    pw::icmp::RouterPolicy router;
    pw::icmp::FastPolicy fp;
    std::vector<pw::icmp::Route> routes;
    std::uint16_t ident = 0;
    std::uint64_t now = 0;
    std::array<std::uint64_t, 4> taken{};
    std::array<Buf, 4> templates;
    ~World() {
        if (std::getenv("PW_FUZZ_COUNT") != nullptr)
            std::fprintf(stderr,
                         "fast paths taken: echo4 %llu echo6 %llu forward4 %llu forward6 %llu\n",
                         static_cast<unsigned long long>(taken[0]),
                         static_cast<unsigned long long>(taken[1]),
                         static_cast<unsigned long long>(taken[2]),
                         static_cast<unsigned long long>(taken[3]));
    }

    World() {
        a.mac = {{0x02, 0, 0, 0, 0, 0x01}};
        a.add_v4({v4("198.18.0.1"), 24});
        a.add_v4({v4("198.19.255.1"), 32});
        a.add_v4({v4("198.18.2.1"), 24});
        a.add_v4({v4("198.18.2.255"), 32});
        a.add_v6({v6("2001:2::1"), 64});
        a.add_v6({v6("2001:2:0:1::10"), 64});
        a.add_v6({v6("ff05::1:3"), 128});
        a.add_link_local();
        b.mac = {{0x02, 0, 0, 0, 0, 0x0b}};
        b.add_v4({v4("198.18.1.1"), 24});
        b.add_v6({v6("2001:2:0:2::1"), 64});
        b.add_link_local();
        c.mac = {{0x02, 0, 0, 0, 0, 0x0c}};
        c.mtu = 9000;
        c.add_v4({v4("198.19.7.1"), 24});
        c.add_v6({v6("2001:2:0:7::1"), 64});
        b_small = b;
        b_small.mtu = 576;
        const pw::net::Iface* ifs[3] = {&a, &b, &c};
        for (std::uint32_t i = 0; i < 3; ++i) {
            probes[i].iface = ifs[i];
            probes[i].index = i + 1;
        }
        rate.host_table_sets = 4;
        global.configure(1'000'000, 50);
        limiter.configure(rate, &global, 1);
        fp = pw::icmp::make_fast_policy(policy, rate, true);
        const auto tmpl = [](std::span<const std::uint8_t> g) {
            Buf f(g.size());
            std::memcpy(f.data(), g.data(), g.size());
            return f;
        };
        templates[0] = tmpl(pw::golden::echo4_req);
        templates[1] = tmpl(pw::golden::echo6_req);
        templates[2] = tmpl(pw::golden::echo4_req);
        std::memcpy(templates[2].data() + 14 + 16, v4("198.19.200.9").bytes.data(), 4);
        repair_checksums(templates[2]);
        templates[3] = tmpl(pw::golden::echo6_req);
        std::memcpy(templates[3].data() + 14 + 24, v6("2001:2:0:99::7").bytes.data(), 16);
        repair_checksums(templates[3]);
        using K = pw::icmp::Route::Kind;
        const auto route = [](K k, std::uint16_t port, const pw::net::Iface* e, const char* gw4,
                              const char* gw6, bool denied) {
            pw::icmp::Route r;
            r.kind = k;
            r.port = port;
            r.egress = e;
            r.gw4 = v4(gw4);
            r.gw6 = v6(gw6);
            r.denied = denied;
            return r;
        };
        routes = {route(K::connected, 1, &b, "198.18.1.254", "fe80::1", false),
                  route(K::via, 1, &b, "198.18.1.254", "fe80::1", false),
                  route(K::via, 1, &b, "198.18.1.254", "2001:2:0:2::fe", false),
                  route(K::connected, 0, &a, "198.18.0.254", "fe80::fe", false),
                  route(K::via, 0, &a, "198.18.0.254", "fe80::fe", false),
                  route(K::via, 1, &a, "198.18.0.254", "fe80::fe", false),
                  route(K::connected, 0, &b, "198.18.1.254", "fe80::1", false),
                  route(K::connected, 1, &b_small, "198.18.1.254", "fe80::1", false),
                  route(K::connected, 2, &c, "198.19.7.254", "fe80::1", false),
                  route(K::via, 2, &c, "198.19.7.254", "fe80::1", false),
                  route(K::via, 1, &b, "198.18.1.254", "fe80::1", true),
                  route(K::none, 1, &b, "198.18.1.254", "fe80::1", false),
                  route(K::reject, 1, &b, "198.18.1.254", "fe80::1", false),
                  route(K::blackhole, 1, &b, "198.18.1.254", "fe80::1", false)};
    }
    pw::icmp::HostContext context(bool router_mode) {
        pw::icmp::HostContext ctx;
        ctx.iface = &a;
        ctx.policy = &policy;
        ctx.limiter = &limiter;
        ctx.stats = &stats;
        ctx.now_ns = now += 1'000'000;
        ctx.ip_ident = &ident;
        ctx.probe_ifaces = {probes.data(), probes.size()};
        ctx.router = router_mode ? &router : nullptr;
        ctx.learns_neighbours = router_mode;
        ctx.plan = &plan;
        ctx.sighting = &sighting;
        return ctx;
    }
    pw::icmp::ErrorPlan plan;
    pw::icmp::Sighting sighting;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World w;
    if (size < 2) return 0;
    const bool repair = (data[0] & 1) != 0;
    const bool router_mode = (data[0] & 2) != 0;
    w.router.send_redirects = (data[0] & 4) != 0;
    const std::uint8_t route_sel = data[1];
    data += 2;
    size -= 2;
    Buf frame(size);
    if (size != 0) std::memcpy(frame.data(), data, size);
    if ((data[-2] & 0x10) != 0) {
        // A difference from a template: as long as the template, or as the input (0x20).
        const Buf& t = w.templates[route_sel % 4];
        frame.assign((data[-2] & 0x20) != 0 ? size : t.size(), std::byte{0});
        for (std::size_t i = 0; i < frame.size(); ++i)
            frame[i] = (i < t.size() ? t[i] : std::byte{0}) ^
                       (i < size ? std::byte{data[i]} : std::byte{0});
    }
    if ((data[-2] & 8) != 0 && size >= 6) std::memcpy(frame.data(), w.a.mac.bytes.data(), 6);
    if (repair) repair_checksums(frame);

    const pw::icmp::HostContext ctx = w.context(router_mode);
    pw::icmp::FastPolicy fp = w.fp;
    fp.router = router_mode;

    Buf full = frame;
    const pw::icmp::Verdict v = pw::icmp::host_input(full, full.size(), ctx);

    // Echo.
    Buf fast = frame;
    std::size_t len = pw::icmp::echo4_fast(fast, w.a, fp);
    pw::icmp::Reply kind = pw::icmp::Reply::echo4_reply;
    if (len == 0) {
        check(fast == frame);
        len = pw::icmp::echo6_fast(fast, w.a, fp);
        kind = pw::icmp::Reply::echo6_reply;
        if (len == 0) check(fast == frame);
    }
    if (len != 0)
        check(v.next == pw::icmp::Next::reply && v.kind == kind && v.len == len && fast == full);
    if (len != 0 && std::getenv("PW_FUZZ_COUNT") != nullptr)
        ++w.taken[kind == pw::icmp::Reply::echo4_reply ? 0 : 1];

    // Forwarding.
    std::uint32_t dst4 = 0;
    pw::wire::Ipv6Addr dst6;
    const bool c4 = pw::icmp::forward4_check(frame, ctx, fp, dst4);
    const bool c6 = pw::icmp::forward6_check(frame, ctx, fp, dst6);
    if (!c4 && !c6) return 0;
    check(!(c4 && c6) && len == 0);
    check(v.next == pw::icmp::Next::route && v.v6 == c6 && v.l3_from == pw::wire::eth::header_len);
    check(full == frame);
    const pw::icmp::Route& r = w.routes[(route_sel >> 2) % w.routes.size()];
    Buf f = frame, g = frame;
    pw::wire::Ipv4Addr nh4;
    pw::wire::Ipv6Addr nh6;
    const std::uint16_t in_port = (route_sel & 0x80) != 0 ? 3 : 0;
    const bool ok = c4 ? pw::icmp::forward4_apply(f, r, in_port, ctx, nh4)
                       : pw::icmp::forward6_apply(f, r, in_port, ctx, nh6);
    if (!ok) {
        check(f == frame);
        return 0;
    }
    const pw::icmp::Verdict fv = c4 ? pw::icmp::ip4_forward(g, pw::wire::eth::header_len, r, ctx)
                                    : pw::icmp::ip6_forward(g, pw::wire::eth::header_len, r, ctx);
    if (std::getenv("PW_FUZZ_COUNT") != nullptr) ++w.taken[c4 ? 2 : 3];
    check(fv.next == pw::icmp::Next::forward && !fv.fragment_needed && !fv.owes_error() &&
          fv.egress_port == r.port && f == g &&
          fv.next_hop == (c4 ? pw::wire::v4_mapped(nh4) : nh6));
    return 0;
}
