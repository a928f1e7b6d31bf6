// Micro-benchmarks of the host receive path: nanoseconds per packet for pw::icmp::host_input on
// the four frames a host answers most (IPv4 echo, IPv6 echo, ARP request, Neighbor
// Solicitation), for the validated fast paths in front of it (echo4_fast, echo6_fast, and
// forward4/6_check + forward4/6_apply for a datagram routed on), and of the RFC 1071 sum they
// rest on.
//
// The handler rewrites the frame in place, so every iteration first copies the request from a
// template into the work buffer. The same copy is benchmarked alone (copy/<frame>): the
// handler's own cost is host_input/<frame> minus copy/<frame>. bench/handlers_net.py prints
// that difference. The machine is shared and noisy: compare figures of one run, never bare
// times across runs.
//
// Frames use the benchmarking ranges only (198.18.0.0/15, 2001:2::/48).

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "lib/icmp/fast_path.hh"
#include "lib/icmp/forward.hh"
#include "lib/icmp/host_input.hh"
#include "lib/net/iface.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/arp.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/ndp.hh"

namespace {

namespace wire = pw::wire;
using wire::Ipv4Addr;
using wire::Ipv6Addr;
using wire::MacAddr;

// The host under test and its peer.
constexpr MacAddr our_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
constexpr MacAddr peer_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
constexpr Ipv4Addr our_v4{{198, 18, 0, 2}};
constexpr Ipv4Addr peer_v4{{198, 18, 0, 1}};
constexpr Ipv6Addr our_v6{{0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}};
constexpr Ipv6Addr peer_v6{{0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}};

constexpr std::size_t echo_payload_len = 64;
constexpr std::size_t eth_min_frame = 60;  // without FCS: what a NIC hands up, padded

pw::net::Iface make_iface() {
    pw::net::Iface iface;
    iface.mac = our_mac;
    iface.add_v4({our_v4, 24});
    iface.add_v6({our_v6, 64});
    iface.add_link_local();
    return iface;
}

wire::Bytes as_bytes(std::vector<std::byte>& v) {
    return {v.data(), v.size()};
}

void fill_payload(wire::Bytes out) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte{static_cast<std::uint8_t>(i)};
}

// scapy: Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01") /
//        IP(src="198.18.0.1", dst="198.18.0.2") / ICMP(id=0x1234, seq=1) / bytes(range(64))
std::vector<std::byte> ipv4_echo_request() {
    constexpr std::size_t icmp_len = wire::icmp::header_len + echo_payload_len;
    std::vector<std::byte> f(wire::eth::header_len + wire::ipv4::min_header_len + icmp_len);
    const wire::Bytes b = as_bytes(f);
    wire::eth::Repr{.dst = our_mac, .src = peer_mac, .ethertype = wire::eth::type_ipv4}.emit(b);
    const wire::Bytes l3 = b.subspan(wire::eth::header_len);
    wire::ipv4::Repr{.src = peer_v4,
                     .dst = our_v4,
                     .protocol = wire::ipv4::proto_icmp,
                     .ttl = 64,
                     .tos = 0,
                     .ident = 1,
                     .flags_frag = 0,
                     .payload_len = static_cast<std::uint16_t>(icmp_len)}
        .emit(l3);
    const wire::Bytes msg = l3.subspan(wire::ipv4::min_header_len);
    wire::icmp::Repr{wire::icmpv4::echo_request, 0, 0x12340001U}.emit(msg);
    fill_payload(msg.subspan(wire::icmp::header_len));
    wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp4_truncated)->fill_checksum_v4();
    return f;
}

// scapy: Ether(dst="02:00:00:00:00:02", src="02:00:00:00:00:01") /
//        IPv6(src="2001:2::1", dst="2001:2::2") / ICMPv6EchoRequest(id=0x1234, seq=1,
//        data=bytes(range(64)))
std::vector<std::byte> ipv6_echo_request() {
    constexpr std::size_t icmp_len = wire::icmp::header_len + echo_payload_len;
    std::vector<std::byte> f(wire::eth::header_len + wire::ipv6::header_len + icmp_len);
    const wire::Bytes b = as_bytes(f);
    wire::eth::Repr{.dst = our_mac, .src = peer_mac, .ethertype = wire::eth::type_ipv6}.emit(b);
    const wire::Bytes l3 = b.subspan(wire::eth::header_len);
    wire::ipv6::Repr{.src = peer_v6,
                     .dst = our_v6,
                     .next_header = wire::ipv6::nh_icmp6,
                     .hop_limit = 64,
                     .traffic_class = 0,
                     .flow_label = 0,
                     .payload_len = static_cast<std::uint16_t>(icmp_len)}
        .emit(l3);
    const wire::Bytes msg = l3.subspan(wire::ipv6::header_len);
    wire::icmp::Repr{wire::icmpv6::echo_request, 0, 0x12340001U}.emit(msg);
    fill_payload(msg.subspan(wire::icmp::header_len));
    wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp6_truncated)
        ->fill_checksum_v6(wire::pseudo_sum_v6(
            peer_v6, our_v6, static_cast<std::uint32_t>(icmp_len), wire::ipv6::nh_icmp6));
    return f;
}

// scapy: Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:01") /
//        ARP(op=1, hwsrc="02:00:00:00:00:01", psrc="198.18.0.1", pdst="198.18.0.2")
//        padded with zeros to 60 bytes (the minimum Ethernet frame without FCS)
std::vector<std::byte> arp_request() {
    std::vector<std::byte> f(eth_min_frame);
    const wire::Bytes b = as_bytes(f);
    wire::eth::Repr{.dst = MacAddr::broadcast(), .src = peer_mac, .ethertype = wire::eth::type_arp}
        .emit(b);
    wire::arp::Repr{.oper = wire::arp::op_request,
                    .sha = peer_mac,
                    .spa = peer_v4,
                    .tha = MacAddr{},
                    .tpa = our_v4}
        .emit(b.subspan(wire::eth::header_len));
    return f;
}

// scapy: Ether(dst="33:33:ff:00:00:02", src="02:00:00:00:00:01") /
//        IPv6(src="2001:2::1", dst="ff02::1:ff00:2", hlim=255) /
//        ICMPv6ND_NS(tgt="2001:2::2") / ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")
std::vector<std::byte> neighbor_solicitation() {
    namespace ndp = wire::ndp;
    constexpr std::size_t icmp_len = ndp::ns_na_len + ndp::lladdr_opt_len;
    const Ipv6Addr group = our_v6.solicited_node();
    std::vector<std::byte> f(wire::eth::header_len + wire::ipv6::header_len + icmp_len);
    const wire::Bytes b = as_bytes(f);
    wire::eth::Repr{
        .dst = group.multicast_mac(), .src = peer_mac, .ethertype = wire::eth::type_ipv6}
        .emit(b);
    const wire::Bytes l3 = b.subspan(wire::eth::header_len);
    wire::ipv6::Repr{.src = peer_v6,
                     .dst = group,
                     .next_header = wire::ipv6::nh_icmp6,
                     .hop_limit = 255,
                     .traffic_class = 0,
                     .flow_label = 0,
                     .payload_len = static_cast<std::uint16_t>(icmp_len)}
        .emit(l3);
    const wire::Bytes msg = l3.subspan(wire::ipv6::header_len);
    wire::icmp::Repr{wire::icmpv6::neighbor_solicitation, 0, 0}.emit(msg);
    wire::store_bytes(msg, ndp::target_offset, our_v6);
    ndp::emit_lladdr_option(msg.subspan(ndp::options_offset), ndp::opt_source_lladdr, peer_mac);
    wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp6_truncated)
        ->fill_checksum_v6(wire::pseudo_sum_v6(peer_v6, group, static_cast<std::uint32_t>(icmp_len),
                                               wire::ipv6::nh_icmp6));
    return f;
}

// The echo requests, re-addressed to a host behind the router (198.19.0.9, 2001:2:0:9::9)
// with their checksums refilled: datagrams to forward.
constexpr Ipv4Addr remote_v4{{198, 19, 0, 9}};
constexpr Ipv6Addr remote_v6{{0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x09}};

std::vector<std::byte> ipv4_datagram() {
    auto f = ipv4_echo_request();
    const wire::Bytes l3 = as_bytes(f).subspan(wire::eth::header_len);
    const auto ip = *wire::ipv4::View<std::byte>::checked(l3);
    ip.set_dst(remote_v4);
    ip.fill_checksum();
    return f;
}

std::vector<std::byte> ipv6_datagram() {
    auto f = ipv6_echo_request();
    const wire::Bytes l3 = as_bytes(f).subspan(wire::eth::header_len);
    const auto ip = *wire::ipv6::View<std::byte>::checked(l3);
    ip.set_dst(remote_v6);
    wire::icmp::View<std::byte>::checked(ip.payload(), wire::Drop::icmp6_truncated)
        ->fill_checksum_v6(wire::pseudo_sum_v6(peer_v6, remote_v6,
                                               static_cast<std::uint32_t>(ip.payload().size()),
                                               wire::ipv6::nh_icmp6));
    return f;
}

enum class Kind { ipv4_echo, ipv6_echo, arp_request, neighbor_solicitation };

std::vector<std::byte> make_frame(Kind k) {
    switch (k) {
        case Kind::ipv4_echo:
            return ipv4_echo_request();
        case Kind::ipv6_echo:
            return ipv6_echo_request();
        case Kind::arp_request:
            return arp_request();
        case Kind::neighbor_solicitation:
            return neighbor_solicitation();
    }
    return {};
}

// The work buffer: an mbuf-sized data room, cache-line aligned like an mbuf's.
struct alignas(64) WorkBuffer {
    std::array<std::byte, 2048> bytes{};
    wire::Bytes span() noexcept { return {bytes.data(), bytes.size()}; }
};

// One iteration: reset the frame from its template, run the handler on it.
void BM_host_input(benchmark::State& state, Kind kind) {
    const auto iface = make_iface();
    const auto tmpl = make_frame(kind);
    WorkBuffer work;
    const std::size_t len = tmpl.size();

    // The frame must actually be answered, or the figure measures a drop path.
    std::memcpy(work.bytes.data(), tmpl.data(), len);
    const auto first = pw::icmp::host_input(work.span(), len, iface);
    if (first.next != pw::icmp::Next::reply) {
        state.SkipWithError(("not answered: " + std::string(wire::drop_name(first.drop))).c_str());
        return;
    }
    state.counters["reply_len"] = static_cast<double>(first.len);

    for (auto _ : state) {
        std::memcpy(work.bytes.data(), tmpl.data(), len);
        benchmark::ClobberMemory();
        const auto v = pw::icmp::host_input(work.span(), len, iface);
        benchmark::DoNotOptimize(v);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

// The reset alone, to subtract from BM_host_input.
void BM_copy(benchmark::State& state, Kind kind) {
    const auto tmpl = make_frame(kind);
    WorkBuffer work;
    const std::size_t len = tmpl.size();
    for (auto _ : state) {
        std::memcpy(work.bytes.data(), tmpl.data(), len);
        benchmark::ClobberMemory();
        benchmark::DoNotOptimize(work.bytes.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

// The fast paths, out of line under names callgrind can find (bench/handlers_net.py
// --instructions counts each call's instructions). The forwarding pair runs as the pipeline
// runs it, check then apply, with the FIB lookup in between left out.
namespace pw_bench {

struct Router {
    pw::net::Iface in = make_iface();
    pw::net::Iface out;
    pw::icmp::HostPolicy policy;
    pw::icmp::RouterPolicy router;
    pw::icmp::IcmpStats stats;
    std::array<pw::icmp::ProbeIface, 2> probes{};
    pw::icmp::FastPolicy fp = pw::icmp::make_fast_policy(policy, pw::icmp::RateLimitConfig{}, true);
    pw::icmp::Route route;
    pw::icmp::HostContext ctx;

    Router() {
        out.mac = MacAddr{{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};
        out.add_v4({Ipv4Addr{{198, 18, 1, 2}}, 24});
        out.add_v6(
            {Ipv6Addr{{0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x02}}, 64});
        out.add_link_local();
        probes[0].iface = &in;
        probes[1].iface = &out;
        route.kind = pw::icmp::Route::Kind::via;
        route.port = 1;
        route.egress = &out;
        route.gw4 = Ipv4Addr{{198, 18, 1, 1}};
        route.gw6 = Ipv6Addr{{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}};
        ctx.iface = &in;
        ctx.policy = &policy;
        ctx.stats = &stats;
        ctx.router = &router;
        ctx.probe_ifaces = {probes.data(), probes.size()};
    }
};

[[gnu::noinline]] std::size_t echo4_path(wire::Bytes f, const pw::net::Iface& i,
                                         const pw::icmp::FastPolicy& fp) noexcept {
    return pw::icmp::echo4_fast(f, i, fp);
}
[[gnu::noinline]] std::size_t echo6_path(wire::Bytes f, const pw::net::Iface& i,
                                         const pw::icmp::FastPolicy& fp) noexcept {
    return pw::icmp::echo6_fast(f, i, fp);
}
[[gnu::noinline]] bool forward4_path(wire::Bytes f, const Router& r) noexcept {
    std::uint32_t dst = 0;
    Ipv4Addr nh;
    return pw::icmp::forward4_check(f, r.ctx, r.fp, dst) &&
           pw::icmp::forward4_apply(f, r.route, 0, r.ctx, nh);
}
[[gnu::noinline]] bool forward6_path(wire::Bytes f, const Router& r) noexcept {
    Ipv6Addr dst, nh;
    return pw::icmp::forward6_check(f, r.ctx, r.fp, dst) &&
           pw::icmp::forward6_apply(f, r.route, 0, r.ctx, nh);
}

}  // namespace pw_bench

namespace {

// One iteration: reset the frame from its template, run the fast path on it. Compare with
// BM_host_input and BM_copy of the same frame.
void BM_fast(benchmark::State& state, Kind kind) {
    const auto iface = make_iface();
    const auto fp =
        pw::icmp::make_fast_policy(pw::icmp::HostPolicy{}, pw::icmp::RateLimitConfig{}, false);
    const auto tmpl = make_frame(kind);
    WorkBuffer work;
    const std::size_t len = tmpl.size();
    const bool v6 = kind == Kind::ipv6_echo;
    const auto run = [&] {
        const wire::Bytes f = work.span().first(len);
        return v6 ? pw_bench::echo6_path(f, iface, fp) : pw_bench::echo4_path(f, iface, fp);
    };
    std::memcpy(work.bytes.data(), tmpl.data(), len);
    if (run() == 0) {
        state.SkipWithError("not taken by the fast path");
        return;
    }
    for (auto _ : state) {
        std::memcpy(work.bytes.data(), tmpl.data(), len);
        benchmark::ClobberMemory();
        const auto n = run();
        benchmark::DoNotOptimize(n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

// Router mode: a datagram forwarded by the fast path (check, apply; the lookup's result given).
void BM_forward_fast(benchmark::State& state, bool v6) {
    const pw_bench::Router r;
    const auto tmpl = v6 ? ipv6_datagram() : ipv4_datagram();
    WorkBuffer work;
    const std::size_t len = tmpl.size();
    const auto run = [&] {
        const wire::Bytes f = work.span().first(len);
        return v6 ? pw_bench::forward6_path(f, r) : pw_bench::forward4_path(f, r);
    };
    std::memcpy(work.bytes.data(), tmpl.data(), len);
    if (!run()) {
        state.SkipWithError("not forwarded by the fast path");
        return;
    }
    for (auto _ : state) {
        std::memcpy(work.bytes.data(), tmpl.data(), len);
        benchmark::ClobberMemory();
        const bool ok = run();
        benchmark::DoNotOptimize(ok);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

// RFC 1071 sum over a buffer of state.range(0) bytes.
void BM_ones_sum(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::vector<std::byte> data(n);
    fill_payload(as_bytes(data));
    const wire::ConstBytes b{data.data(), data.size()};
    for (auto _ : state) {
        benchmark::DoNotOptimize(b.data());
        const std::uint16_t s = wire::ones_sum(b);
        benchmark::DoNotOptimize(s);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK_CAPTURE(BM_host_input, ipv4_echo, Kind::ipv4_echo);
BENCHMARK_CAPTURE(BM_copy, ipv4_echo, Kind::ipv4_echo);
BENCHMARK_CAPTURE(BM_host_input, ipv6_echo, Kind::ipv6_echo);
BENCHMARK_CAPTURE(BM_copy, ipv6_echo, Kind::ipv6_echo);
BENCHMARK_CAPTURE(BM_host_input, arp_request, Kind::arp_request);
BENCHMARK_CAPTURE(BM_copy, arp_request, Kind::arp_request);
BENCHMARK_CAPTURE(BM_host_input, neighbor_solicitation, Kind::neighbor_solicitation);
BENCHMARK_CAPTURE(BM_copy, neighbor_solicitation, Kind::neighbor_solicitation);
BENCHMARK_CAPTURE(BM_fast, ipv4_echo, Kind::ipv4_echo);
BENCHMARK_CAPTURE(BM_fast, ipv6_echo, Kind::ipv6_echo);
BENCHMARK_CAPTURE(BM_forward_fast, ipv4, false);
BENCHMARK_CAPTURE(BM_forward_fast, ipv6, true);
BENCHMARK(BM_ones_sum)->Arg(64)->Arg(1500);

BENCHMARK_MAIN();
