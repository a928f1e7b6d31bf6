// pingwire-conform: drives a router under test through two ports and reports its ICMP
// conformance, RFC by RFC, and its measured ICMP rate limits. Thin: options, the program
// skeleton, one conform stage per worker (the host side: ARP and NDP for the tool's addresses
// and its source aliases; everything else to the runner), and the runner on the control
// lcore.
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "apps/conform/capture.hh"
#include "apps/conform/options.hh"
#include "apps/conform/plot.hh"
#include "apps/conform/report.hh"
#include "apps/conform/runner.hh"
#include "apps/conform/telemetry.hh"
#include "apps/skeleton/config_file.hh"
#include "apps/skeleton/cli_errors.hh"
#include "apps/skeleton/program.hh"
#include "drivers/eal.hh"
#include "lib/net/iface.hh"
#include "lib/pipeline/conform_stage.hh"
#include "lib/pipeline/report.hh"

namespace {

using pw::wire::Ipv4Addr;
using pw::wire::Ipv6Addr;

// The first global IPv6 prefix of a port spec.
std::optional<pw::wire::Ipv6Prefix> global6(const pw::route::PortSpec& p) {
    for (const auto& a : p.v6)
        if (!a.addr.is_link_local()) return a;
    return std::nullopt;
}

// The source aliases on port 0's IPv4 subnet: the longest run of host addresses holding
// neither ours nor the RUT's. Returns (first, count).
std::pair<std::uint32_t, std::uint32_t> alias_run4(const pw::wire::Ipv4Prefix& net,
                                                   std::vector<std::uint32_t> taken,
                                                   std::uint32_t want) {
    const std::uint32_t lo = (net.addr.to_u32() & net.mask()) + 1;
    const std::uint32_t hi = (net.addr.to_u32() | ~net.mask()) - 1;  // below the broadcast
    if (net.len >= 31) return {0, 0};
    taken.push_back(lo - 1);
    taken.push_back(hi + 1);
    std::sort(taken.begin(), taken.end());
    std::uint32_t best_first = 0, best_len = 0;
    for (std::size_t i = 0; i + 1 < taken.size(); ++i) {
        if (taken[i + 1] <= taken[i] + 1) continue;
        const std::uint32_t len = taken[i + 1] - taken[i] - 1;
        if (len > best_len) {
            best_len = len;
            best_first = taken[i] + 1;
        }
    }
    return {best_first, std::min(best_len, want)};
}

// The last usable address of a subnet that is none of taken (nobody answers for it).
Ipv4Addr unused4(const pw::wire::Ipv4Prefix& net, const std::vector<Ipv4Addr>& taken) {
    std::uint32_t a = (net.addr.to_u32() | ~net.mask()) - 1;
    while (std::find(taken.begin(), taken.end(), Ipv4Addr::from_u32(a)) != taken.end()) --a;
    return Ipv4Addr::from_u32(a);
}
Ipv6Addr unused6(const pw::wire::Ipv6Prefix& net, const std::vector<Ipv6Addr>& taken) {
    Ipv6Addr a = net.addr;
    for (std::size_t i = 8; i < 16; ++i) a.bytes[i] = 0;
    a.bytes[14] = 0xde;
    a.bytes[15] = 0xad;
    while (std::find(taken.begin(), taken.end(), a) != taken.end()) ++a.bytes[15];
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    auto args = pw::drivers::split_args(argc, argv);
    auto parsed = pw::app::parse_with_config<pw::conform_app::Options>(
        args.app, "pingwire-conform", &pw::conform_app::parse_options);
    if (auto* e = std::get_if<pw::conform_app::Exit>(&parsed)) {
        // An option of ours before "--" makes the parse fail: said as such.
        const auto shown = pw::app::with_eal_hint("pingwire-conform", args.eal, *e);
        std::fputs(shown.text.c_str(), shown.code == 0 ? stdout : stderr);
        return shown.code;
    }
    const auto opt_holder = std::make_unique<pw::conform_app::Options>(
        std::get<pw::conform_app::Options>(std::move(parsed)));
    const auto& opt = *opt_holder;

    pw::app::Program prog("pingwire-conform");
    if (auto rc = prog.start(args.eal, opt.common)) return *rc;
    if (auto rc = prog.enable_neighbours(1024, opt.neighbours)) return *rc;

    // The bench as the checks see it.
    pw::conform::Setup setup;
    const auto& in = opt.common.ports[0];
    const auto& out = opt.common.ports[1];
    setup.in_mac = prog.ports()[0].mac;
    setup.out_mac = prog.ports()[1].mac;
    setup.mtu_in = prog.ports()[0].mtu;
    if (opt.rut_in4) {
        setup.in4 = in.v4.front();
        setup.out4 = out.v4.front();
        setup.rut_in4 = opt.rut_in4;
        setup.rut_out4 = opt.rut_out4;
    }
    if (opt.rut_in6) {
        setup.in6 = global6(in);
        setup.out6 = global6(out);
        if (!setup.in6 || !setup.out6)
            return prog.fail("--rut-in IPv6: both ports need a global IPv6 addr=");
        setup.rut_in6 = opt.rut_in6;
        setup.rut_out6 = opt.rut_out6;
    }
    setup.unrouted4 = opt.unrouted4;
    setup.unrouted6 = opt.unrouted6;
    if (setup.out4) {
        std::vector<Ipv4Addr> taken{setup.out4->addr};
        if (setup.rut_out4) taken.push_back(*setup.rut_out4);
        setup.unresolved4 = opt.unresolved4.value_or(unused4(*setup.out4, taken));
    }
    if (setup.out6) {
        std::vector<Ipv6Addr> taken{setup.out6->addr};
        if (setup.rut_out6) taken.push_back(*setup.rut_out6);
        setup.unresolved6 = opt.unresolved6.value_or(unused6(*setup.out6, taken));
    }
    // The source aliases on port 0's subnet, answered by the host stage as our own.
    std::uint32_t first4 = 0, count4 = opt.sources;
    if (setup.in4) {
        std::vector<std::uint32_t> taken;
        for (const auto& p : in.v4) taken.push_back(p.addr.to_u32());
        if (setup.rut_in4) taken.push_back(setup.rut_in4->to_u32());
        std::tie(first4, count4) = alias_run4(*setup.in4, taken, opt.sources);
        if (count4 == 0) return prog.fail("port 0's IPv4 subnet has no room for source addresses");
    }
    setup.sources = setup.in4 ? count4 : opt.sources;
    const Ipv6Addr base6 = setup.in6 ? setup.in6->addr : Ipv6Addr{};
    setup.source4 = [first4](unsigned k) { return Ipv4Addr::from_u32(first4 + k - 1); };
    setup.source6 = [base6](unsigned k) { return pw::net::Iface::alias6(base6, k); };
    prog.interfaces().set_aliases(0, first4, setup.in4 ? count4 : 0, base6,
                                  setup.in6 ? setup.sources : 0);

    int rx_ns_offset = -1;
    std::uint64_t rx_flag = 0;
    if (rte_mbuf_dyn_rx_timestamp_register(&rx_ns_offset, &rx_flag) != 0)
        return prog.fail("cannot register the mbuf timestamp field");
    rte_ring* seen = rte_ring_create("pw_conform_seen", 16384, SOCKET_ID_ANY, RING_F_SC_DEQ);
    if (seen == nullptr) return prog.fail("cannot create the ring of received frames");
    pw::conform_app::Capture capture;
    if (!opt.pcap_file.empty())
        if (auto e = capture.open(opt.pcap_file)) {
            prog.fail(*e);
            return 2;
        }

    std::atomic<pw::pipeline::ConformStream*> stream{nullptr};
    std::atomic<pw::pipeline::ConformStream*> no_stream{nullptr};
    const pw::icmp::HostPolicy policy;
    pw::pipeline::HostEnv host;
    host.interfaces = &prog.interfaces();
    host.policy = &policy;
    host.neigh_events = prog.neighbours()->events();
    const unsigned workers = prog.workers();
    std::vector<pw::pipeline::LcoreHost> host_counters(workers);
    std::vector<pw::pipeline::ConformCounters> counters(workers);
    std::vector<std::unique_ptr<pw::pipeline::ConformStage>> stages;
    for (unsigned w = 0; w < workers; ++w) {
        pw::pipeline::ConformEnv env;
        env.seen = seen;
        env.rx_ns_offset = rx_ns_offset;
        env.stream = w == 0 ? &stream : &no_stream;  // worker 0 sends the trigger streams
        stages.push_back(
            std::make_unique<pw::pipeline::ConformStage>(env, host, host_counters[w], counters[w]));
    }

    pw::conform_app::Runner runner(opt, prog, setup, capture, seen, rx_ns_offset, stream);
    bool finished = false;
    // Telemetry (/pingwire/conform) and --metrics read a copy the tick takes.
    pw::conform_app::ConformTelemetry telemetry;
    telemetry.register_command();
    pw::app::Metrics metrics;
    metrics.add([&](pw::app::Families& f) {
        pw::app::collect_ports(f, prog.base_counters(), host_counters, prog.ports());
        telemetry.collect(f);
    });
    if (auto e = metrics.start(opt.common.metrics, prog.name())) return prog.fail(*e);
    pw::app::Hooks hooks;
    hooks.tick = [&](std::uint64_t now) {
        telemetry.tick(runner, finished);
        if (finished) return;
        if (runner.tick(now)) {
            finished = true;
            if (runner.failure()) {
                std::fprintf(stderr, "pingwire-conform: error: %s\n", runner.failure()->c_str());
                prog.set_exit_code(2);
            }
            pw::app::Program::request_stop();
        }
    };
    hooks.report = [&](bool at_exit) {
        std::string s;
        for (const auto& p : prog.ports()) {
            const auto c = pw::pipeline::sum_port(prog.base_counters(), host_counters, p.port);
            const auto label = fmt::format("{} {}", p.name, p.mac.to_string());
            // At exit the totals; every --stats-interval the rates and deltas too.
            s += at_exit ? pw::pipeline::format_port_report(p.port, label, c) +
                               pw::app::Program::device_line(p.port)
                         : prog.interval_report(p.port, label, c);
        }
        return s;
    };
    hooks.final_report = [&]() -> std::string {
        if (runner.failure()) return "";
        pw::conform_app::Report r{&opt, &setup, &runner, !finished};
        std::string s =
            fmt::format("pingwire-conform: RUT {}{}{} (port 0), egress MTU v4 {} v6 {}\n",
                        setup.rut_in4 ? setup.rut_in4->to_string() : "",
                        setup.rut_in4 && setup.rut_in6 ? " " : "",
                        setup.rut_in6 ? setup.rut_in6->to_string() : "",
                        setup.mtu_out4 ? std::to_string(setup.mtu_out4)
                                       : "not below " + std::to_string(setup.mtu_in),
                        setup.mtu_out6 ? std::to_string(setup.mtu_out6)
                                       : "not below " + std::to_string(setup.mtu_in));
        s += pw::conform_app::format_checks(r);
        for (const auto& n : runner.notes()) s += "note: " + n + "\n";
        s += pw::conform_app::format_ratelimit(r);
        s += pw::conform_app::summary_line(r);
        if (!opt.json_file.empty())
            if (auto e = pw::conform_app::write_json(r, opt.json_file))
                std::fprintf(stderr, "pingwire-conform: error: %s\n", e->c_str());
        if (!opt.plot_file.empty()) {
            std::vector<pw::conform_app::PlotSeries> ps;
            for (const auto& se : runner.series()) ps.push_back({se.label(), se.steps, se.fit});
            if (auto e =
                    pw::conform_app::write_plot(opt.plot_file, "ICMP rate limits of the RUT", ps))
                std::fprintf(stderr, "pingwire-conform: error: %s\n", e->c_str());
        }
        return s;
    };
    const int rc = prog.run(stages, hooks);
    rte_mbuf* m = nullptr;
    while (rte_ring_dequeue(seen, reinterpret_cast<void**>(&m)) == 0) rte_pktmbuf_free(m);
    rte_ring_free(seen);
    return rc;
}
