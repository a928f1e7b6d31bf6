#include "apps/skeleton/common_options.hh"

#include <CLI/CLI.hpp>

#include "lib/wire/addr.hh"
#include "lib/wire/drop.hh"

namespace pw::app {

namespace {

// The capture options (capture_writer.hh), checked as they are parsed: a mistake is a
// CLI::ValidationError, exit 2.
void add_capture_options(CLI::App& app, CommonOptions& o) {
    app.add_option("--capture", o.capture_file,
                   "capture into FILE (pcapng) from the start: what the ports receive and send\n"
                   "(--capture-dir), or what was dropped (--capture-drops); also started and\n"
                   "stopped by telemetry (/pingwire/capture/start,FILE[,COUNT], .../stop)")
        ->type_name("FILE");
    app.add_option("--capture-count", o.capture_count,
                   "stop capturing after N packets (default 0: no limit)")
        ->type_name("N");
    app.add_option("--capture-bytes", o.capture_bytes,
                   "stop capturing before the file's packets exceed N bytes (default 1073741824;\n"
                   "0: no limit)")
        ->type_name("N");
    app.add_option("--capture-dir", o.capture_dirs,
                   "what to capture: rx, tx, drop, comma-separated (default rx,tx; drop alone\n"
                   "with --capture-drops)")
        ->type_name("DIR[,DIR...]")
        ->check([](const std::string& t) {
            auto r = parse_capture_dirs(t);
            return std::holds_alternative<std::string>(r) ? std::get<std::string>(r)
                                                          : std::string();
        });
    app.add_option("--capture-drops", o.capture_drops,
                   "capture the frames dropped for these reasons (all, or REASON[,REASON...] as\n"
                   "the exit summary names them), each with its reason (default: all when\n"
                   "--capture-dir has drop)")
        ->type_name("all|REASON[,REASON...]")
        ->check([](const std::string& t) {
            auto r = parse_capture_drops(t);
            return std::holds_alternative<std::string>(r) ? std::get<std::string>(r)
                                                          : std::string();
        });
}

}  // namespace

std::variant<std::array<std::uint64_t, 4>, std::string> parse_capture_drops(
    const std::string& text) {
    static_assert(wire::drop_count <= 4 * 64);
    std::array<std::uint64_t, 4> mask{};
    if (text == "all") {
        mask.fill(~std::uint64_t{0});
        return mask;
    }
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto comma = text.find(',', at);
        const std::string name =
            text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        bool found = false;
        for (std::size_t i = 0; i < wire::drop_count; ++i)
            if (wire::drop_name(static_cast<wire::Drop>(i)) == name) {
                mask[i / 64] |= std::uint64_t{1} << (i % 64);
                found = true;
            }
        if (!found) {
            std::string list;
            for (std::size_t i = 0; i < wire::drop_count; ++i)
                list +=
                    (i == 0 ? "" : " ") + std::string(wire::drop_name(static_cast<wire::Drop>(i)));
            return "unknown drop reason '" + name + "' (all, or one of: " + list + ")";
        }
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return mask;
}

std::variant<std::uint32_t, std::string> parse_capture_dirs(const std::string& text) {
    std::uint32_t mask = 0;
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto comma = text.find(',', at);
        const std::string d =
            text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (d == "rx")
            mask |= 1U;
        else if (d == "tx")
            mask |= 2U;
        else if (d == "drop")
            mask |= 4U;
        else
            return "unknown capture direction '" + d + "' (rx, tx, drop, comma-separated)";
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return mask;
}

void CommonOptionTexts::add_to(CLI::App& app, CommonOptions& o) {
    // Read by parse_with_config before the parse (config_file.hh); listed here for --help.
    app.add_option("--config", o.config_path,
                   "read options from a TOML FILE first (keys are the long options; the command "
                   "line overrides\n"
                   "them; pingwire-responder re-reads it on SIGHUP)");
    app.add_option(
           "--port", ports,
           "configure DPDK port ID: mac= sets its MAC, mtu= its MTU, addr= adds an IPv4 or IPv6\n"
           "address with its prefix length (repeat addr=; repeat --port for more ports). A\n"
           "link-local IPv6 address (EUI-64 of the MAC) is always added. At least one is required.")
        ->take_all();
    app.add_option(
           "--vlan", vlans,
           "add an IEEE 802.1Q sub-interface PORT.VID (VID 1..4094; Linux's eth0.100) with\n"
           "its own addresses (addr=, repeat) and mtu= (default and at most the port's);\n"
           "tagged frames of its VID are handled there, replies keep the tag (repeatable;\n"
           "default: none).")
        ->type_name("PORT.VID[,mtu=N][,addr=A/PLEN]...")
        ->take_all();
    app.add_option("--stats-interval", o.stats_interval,
                   "print a timestamped block every SECONDS: per port the totals, rx/tx pps and "
                   "bit/s, bytes, and what grew since the last block (default 0: only the summary "
                   "at exit)")
        ->check(CLI::Range(0.0, 86400.0));
    app.add_option("--rx-desc", o.rx_desc, "RX descriptors per queue (default 1024)")
        ->check(CLI::Range(32, 16384));
    app.add_option("--tx-desc", o.tx_desc, "TX descriptors per queue (default 1024)")
        ->check(CLI::Range(32, 16384));
    app.add_option("--mbufs", o.mbufs, "mbufs in the pool (default: sized from ports and queues)")
        ->check(CLI::Range(1023U, 1U << 24));
    add_capture_options(app, o);
    app.add_option("--metrics", o.metrics,
                   "serve Prometheus metrics on [ADDR:]PORT at /metrics (a bare PORT binds "
                   "127.0.0.1;\n"
                   "IPv6: [ADDR]:PORT; default off)")
        ->type_name("[ADDR:]PORT")
        ->transform(CLI::Validator(
            [](std::string& text) {
                auto r = parse_metrics_address(text);
                if (auto* e = std::get_if<1>(&r)) return *e;
                text = std::get<0>(r);
                return std::string();
            },
            "[ADDR:]PORT"));
}

std::variant<std::string, std::string> parse_metrics_address(const std::string& text) {
    using R = std::variant<std::string, std::string>;
    auto bad = [&](const std::string& why) {
        return R(std::in_place_index<1>, "'" + text + "' " + why);
    };
    std::string addr = "127.0.0.1", port = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        addr = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (!addr.empty() && addr.front() == '[') {
            if (addr.back() != ']' || !wire::Ipv6Addr::parse(addr.substr(1, addr.size() - 2)))
                return bad("is not [IPv6]:PORT");
        } else if (!wire::Ipv4Addr::parse(addr)) {
            return bad("is not ADDR:PORT (ADDR an IPv4 address, or [an IPv6 one])");
        }
    }
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return bad("has no port number (give PORT or ADDR:PORT)");
    const unsigned long n = std::stoul(port);
    if (n == 0 || n > 65535) return bad("has a port outside 1..65535");
    return R(std::in_place_index<0>, addr + ":" + std::to_string(n));
}

std::optional<std::string> CommonOptionTexts::parse_ports(CommonOptions& o) const {
    if (ports.empty()) return "--port is required (see --help)";
    for (const auto& t : ports) {
        auto r = route::parse_port_spec(t);
        if (auto* e = std::get_if<std::string>(&r)) return "--port " + t + ": " + *e;
        const auto& spec = std::get<route::PortSpec>(r);
        for (const auto& prev : o.ports)
            if (prev.port == spec.port)
                return "--port " + std::to_string(spec.port) +
                       " is given twice (put all its addresses in one --port)";
        o.ports.push_back(spec);
    }
    std::vector<route::VlanSpec> vs;
    for (const auto& t : vlans) {
        auto r = route::parse_vlan_spec(t);
        if (auto* e = std::get_if<std::string>(&r)) return "--vlan " + t + ": " + *e;
        vs.push_back(std::get<route::VlanSpec>(r));
    }
    return route::attach_vlans(o.ports, vs);
}

std::optional<std::string> parse_neighbours(const std::vector<std::string>& texts,
                                            const std::vector<route::PortSpec>& ports,
                                            std::vector<route::NeighSpec>& out) {
    for (const auto& t : texts) {
        auto r = route::parse_neigh_spec(t);
        if (auto* e = std::get_if<std::string>(&r)) return "--neigh " + t + ": " + *e;
        const auto& n = std::get<route::NeighSpec>(r);
        // Checked against the --port specs before the EAL starts: the port must be one of
        // ours, and without port= the address on one of our subnets (a link-local neighbour
        // needs port=).
        bool found = false;
        for (const auto& spec : ports) {
            if (n.port) {
                found = found || spec.port == *n.port;
            } else if (const auto* a4 = std::get_if<wire::Ipv4Addr>(&n.addr)) {
                for (const auto& pfx : spec.v4) found = found || pfx.contains(*a4);
            } else {
                for (const auto& pfx : spec.v6)
                    found = found || pfx.contains(std::get<wire::Ipv6Addr>(n.addr));
            }
        }
        if (!found)
            return "--neigh " + t +
                   (n.port ? ": port " + std::to_string(*n.port) + " is not configured (--port)"
                           : std::string(": no --port has a subnet holding it (give port=ID)"));
        out.push_back(n);
    }
    return std::nullopt;
}

}  // namespace pw::app
