#include "apps/flood/options.hh"

#include <CLI/CLI.hpp>

#include "apps/skeleton/cli_errors.hh"

#include <charconv>

namespace pw::flood {

namespace {

constexpr std::uint64_t max_rate = 200'000'000;  // 100GbE line rate of 64-byte frames is 148.8 Mpps

std::optional<std::uint64_t> to_u64(std::string_view s) {
    std::uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

// "56" or "64-1400": ICMP data bytes.
std::optional<std::string> parse_size(const std::string& t, Options& o) {
    const auto dash = t.find('-');
    const auto lo = to_u64(t.substr(0, dash));
    const auto hi = dash == std::string::npos ? lo : to_u64(t.substr(dash + 1));
    if (!lo || !hi) return "--size " + t + ": not a number of bytes or a range LO-HI";
    if (*lo > *hi) return "--size " + t + ": the range is empty";
    if (*lo < gen::stamp_len)
        return "--size " + t + ": at least " + std::to_string(gen::stamp_len) +
               " data bytes (the stamp that matches and times each answer)";
    if (*hi > 9000 - 48) return "--size " + t + ": more than a 9000-byte jumbo frame holds";
    o.size_lo = static_cast<std::uint16_t>(*lo);
    o.size_hi = static_cast<std::uint16_t>(*hi);
    return std::nullopt;
}

std::optional<std::string> parse_pattern(const std::string& t, gen::Pattern& p) {
    if (t.empty() || t.size() % 2 != 0 || t.size() > 32)
        return "--pattern " + t + ": 1 to 16 bytes as an even number of hex digits";
    for (std::size_t i = 0; i < t.size(); i += 2) {
        unsigned v = 0;
        const auto r = std::from_chars(t.data() + i, t.data() + i + 2, v, 16);
        if (r.ec != std::errc{} || r.ptr != t.data() + i + 2) return "--pattern " + t + ": not hex";
        p.bytes[i / 2] = static_cast<std::uint8_t>(v);
    }
    p.len = static_cast<std::uint8_t>(t.size() / 2);
    return std::nullopt;
}

std::optional<std::string> parse_probe(const std::string& t, Options& o) {
    const auto colon = t.find(':');
    const std::string kind = t.substr(0, colon);
    std::optional<std::uint64_t> port;
    if (colon != std::string::npos) {
        port = to_u64(t.substr(colon + 1));
        if (!port || *port == 0 || *port > 65535) return "--probe " + t + ": bad port";
    }
    if (kind == "echo" || kind == "timestamp") {
        if (port) return "--probe " + t + ": " + kind + " takes no port";
        o.kinds.push_back(kind == "echo" ? gen::ProbeKind::echo : gen::ProbeKind::timestamp);
    } else if (kind == "tcp-syn" || kind == "udp") {
        if (!port) return "--probe " + t + ": give the port, " + kind + ":PORT";
        if (kind == "tcp-syn") {
            o.tcp_port = static_cast<std::uint16_t>(*port);
            o.kinds.push_back(gen::ProbeKind::tcp_syn);
        } else {
            o.udp_port = static_cast<std::uint16_t>(*port);
            o.kinds.push_back(gen::ProbeKind::udp);
        }
    } else {
        return "--probe " + t + ": not echo, timestamp, tcp-syn:PORT or udp:PORT";
    }
    return std::nullopt;
}

// The port whose subnets hold a (IPv4-mapped for IPv4), if any.
bool on_link(const std::vector<route::PortSpec>& ports, bool v6, const wire::Ipv6Addr& a) {
    for (const auto& p : ports) {
        if (v6) {
            for (const auto& pfx : p.v6)
                if (pfx.contains(a)) return true;
        } else {
            for (const auto& pfx : p.v4)
                if (pfx.contains(wire::v4_unmapped(a))) return true;
        }
    }
    return false;
}

}  // namespace

std::variant<Options, Exit> parse_options(std::vector<char*>& args) {
    Options o;
    app::CommonOptionTexts common;
    std::vector<std::string> dst_texts, gw_texts, probe_texts, neigh_texts;
    std::string rate_text = "1000", size_text = "56", pattern_text, order = "sequential";
    std::optional<std::uint32_t> count;
    unsigned ttl = 64, tos = 0;
    CLI::App app{
        "pingwire-flood: ping floods, sweeps and path MTU probes at DPDK speed. A host on the\n"
        "wire (it resolves its next hop by ARP/NDP and answers for its own addresses) that\n"
        "paces probes from the TSC and matches every answer from a stamp in its payload:\n"
        "loss, duplicates, reordering, corruption, late answers, ICMP errors by sender, RTT\n"
        "percentiles.\n\n"
        "usage: pingwire-flood [EAL options] -- --port ID,addr=A/PLEN[,...] --dst ADDR|PREFIX... "
        "[options]\n"
        "example: pingwire-flood -l 0,1 --no-huge -m 512 --vdev net_af_packet0,iface=veth0 -- \\\n"
        "           --port 0,addr=198.18.0.1/24 --dst 198.18.0.2 --rate 20000 --count 200000",
        "pingwire-flood"};
    app.get_formatter()->column_width(44);
    common.add_to(app, o.common);
    app.add_option("--dst", dst_texts,
                   "a target ADDR, or a PREFIX to sweep (repeatable, IPv4 and IPv6)")
        ->take_all();
    app.add_option("--gw", gw_texts,
                   "the next hop for targets beyond the connected subnets (one per family)")
        ->take_all();
    app.add_option("--neigh", neigh_texts,
                   "a permanent neighbour ADDR,mac=MAC[,port=ID]: not resolved by ARP/NDP "
                   "(repeatable)");
    app.add_option("--rate", rate_text, "probes per second in total, or max (default 1000)");
    app.add_option("--count", count,
                   "probes per target (default: 1 for a sweep, unbounded for one target)")
        ->check(CLI::Range(1U, 1U << 31));
    app.add_option("--duration", o.duration_s, "stop sending after SECONDS")
        ->check(CLI::Range(0.001, 31.0 * 86400));
    app.add_option("--size", size_text,
                   "ICMP data bytes as ping -s (default 56, at least 32), or a range LO-HI");
    app.add_option("--ttl", ttl, "TTL / hop limit (default 64)")->check(CLI::Range(1U, 255U));
    app.add_option("--tos", tos, "TOS / traffic class (default 0)")->check(CLI::Range(0U, 255U));
    app.add_flag("--df", o.df, "set DF on IPv4 probes");
    app.add_option("--pattern", pattern_text,
                   "HEX bytes (up to 16) filling the payload after the stamp, as ping -p");
    app.add_option("--order", order, "sequential|random (a full-cycle permutation)")
        ->check(CLI::IsMember({"sequential", "random"}));
    app.add_option("--seed", o.seed, "seed of the random order and the run's stamp magic");
    app.add_option("--max-targets", o.max_targets, "size of the per-target table (default 1048576)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 26));
    app.add_option("--probe", probe_texts,
                   "echo|timestamp|tcp-syn:PORT|udp:PORT, repeatable: a host is alive when any "
                   "answers (default echo)");
    app.add_option("--timeout", o.timeout_ms,
                   "MS: answers slower than this are counted late (default 1000)")
        ->check(CLI::Range(0.001, 600000.0));
    app.add_option("--wait", o.wait_s, "SECONDS to keep listening after the last probe (default 1)")
        ->check(CLI::Range(0.0, 3600.0));
    app.add_option("--resolve-timeout", o.resolve_timeout_s,
                   "SECONDS to wait for the next hop's ARP/NDP answer (default 3)")
        ->check(CLI::Range(0.1, 600.0));
    app.add_flag("--pmtu", o.pmtu, "path MTU search toward one target");
    app.add_flag("--show-dead", o.show_dead, "in a sweep, list the hosts that did not answer");
    app.add_option("--json", o.json_file, "write every figure as JSON to FILE");
    app.add_option("--capture-anomalies", o.capture_file,
                   "write duplicate, corrupted, late and unmatched answers to FILE (pcapng)");
    app.add_flag("--quiet", o.quiet, "no live line on stderr");

    app::plain_help(app, {{"--dst", "ADDR|PREFIX"},
                          {"--gw", "ADDR"},
                          {"--rate", "PPS|max"},
                          {"--duration", "SECONDS"},
                          {"--size", "BYTES|LO-HI"},
                          {"--pattern", "HEX"},
                          {"--order", "sequential|random"},
                          {"--probe", "echo|timestamp|tcp-syn:PORT|udp:PORT"},
                          {"--timeout", "MS"},
                          {"--wait", "SECONDS"},
                          {"--resolve-timeout", "SECONDS"},
                          {"--json", "FILE"},
                          {"--capture-anomalies", "FILE"}});

    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::CallForHelp&) {
        return Exit{app.help(), 0};
    } catch (const CLI::ParseError& e) {
        return app::parse_error("pingwire-flood", app, e);
    }
    auto bad = [](const std::string& what) {
        return Exit{"pingwire-flood: error: " + what + "\n", 2};
    };

    if (auto e = common.parse_ports(o.common)) return bad(*e);
    if (dst_texts.empty()) return bad("--dst is required (see --help)");
    for (const auto& t : dst_texts)
        if (auto e = o.targets.add(t, o.max_targets)) return bad("--dst " + t + ": " + *e);
    for (const auto& t : gw_texts) {
        if (const auto a4 = wire::Ipv4Addr::parse(t)) {
            if (o.gw4) return bad("--gw " + t + ": a second IPv4 gateway (one per family)");
            if (!on_link(o.common.ports, false, wire::v4_mapped(*a4)))
                return bad("--gw " + t + ": not on a subnet of any --port");
            o.gw4 = a4;
        } else if (const auto a6 = wire::Ipv6Addr::parse(t)) {
            if (o.gw6) return bad("--gw " + t + ": a second IPv6 gateway (one per family)");
            if (!on_link(o.common.ports, true, *a6))
                return bad("--gw " + t + ": not on a subnet of any --port");
            o.gw6 = a6;
        } else {
            return bad("--gw " + t + ": not an IPv4 or IPv6 address");
        }
    }
    if (auto e = app::parse_neighbours(neigh_texts, o.common.ports, o.neighbours)) return bad(*e);
    // Each target needs a port of its family, and a connected subnet or a gateway.
    bool any_v4 = false, any_v6 = false;
    for (const auto& p : o.common.ports) {
        any_v4 = any_v4 || !p.v4.empty();
        any_v6 = any_v6 || !p.v6.empty();
    }
    for (const auto& r : o.targets.ranges()) {
        if (r.v6 ? !any_v6 : !any_v4)
            return bad("--dst " + r.text + ": no --port has an " + (r.v6 ? "IPv6" : "IPv4") +
                       " address to send from");
        const bool gw = r.v6 ? o.gw6.has_value() : o.gw4.has_value();
        if (!gw && !on_link(o.common.ports, r.v6, r.first))
            return bad("--dst " + r.text + ": not on a connected subnet; give --gw for " +
                       (r.v6 ? "IPv6" : "IPv4"));
    }

    if (rate_text == "max") {
        o.rate = 0;
    } else {
        const auto r = to_u64(rate_text);
        if (!r || *r == 0)
            return bad("--rate " + rate_text + ": a number of probes per second, or max");
        if (*r > max_rate)
            return bad("--rate " + rate_text + ": above " + std::to_string(max_rate) +
                       " pps, more than any port carries (use max)");
        o.rate = *r;
    }
    if (auto e = parse_size(size_text, o)) return bad(*e);
    if (!pattern_text.empty())
        if (auto e = parse_pattern(pattern_text, o.pattern)) return bad(*e);
    for (const auto& t : probe_texts)
        if (auto e = parse_probe(t, o)) return bad(*e);
    if (o.kinds.empty()) o.kinds.push_back(gen::ProbeKind::echo);
    for (std::size_t i = 0; i < o.kinds.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (o.kinds[i] == o.kinds[j])
                return bad(std::string("--probe ") + gen::to_string(o.kinds[i]) +
                           " is given twice");
    for (const auto k : o.kinds)
        if (k == gen::ProbeKind::timestamp && o.targets.has_v6())
            return bad(
                "--probe timestamp: ICMP timestamps are IPv4 only (RFC 792), and a --dst "
                "is IPv6");
    o.ttl = static_cast<std::uint8_t>(ttl);
    o.tos = static_cast<std::uint8_t>(tos);
    o.random_order = order == "random";
    if (count)
        o.count = *count;
    else if (o.targets.is_sweep())
        o.count = 1;
    if (o.pmtu) {
        if (o.targets.size() != 1) return bad("--pmtu probes one target (give one --dst ADDR)");
        if (o.kinds.size() != 1 || o.kinds[0] != gen::ProbeKind::echo)
            return bad("--pmtu probes with echo requests (no --probe)");
    }
    return o;
}

}  // namespace pw::flood
