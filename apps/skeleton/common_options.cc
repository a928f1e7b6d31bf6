#include "apps/skeleton/common_options.hh"

#include <CLI/CLI.hpp>

namespace pw::app {

void CommonOptionTexts::add_to(CLI::App& app, CommonOptions& o) {
    app.add_option(
           "--port", ports,
           "configure DPDK port ID: mac= sets its MAC, mtu= its MTU, addr= adds an IPv4 or IPv6\n"
           "address with its prefix length (repeat addr=; repeat --port for more ports). A\n"
           "link-local IPv6 address (EUI-64 of the MAC) is always added.")
        ->take_all();
    app.add_option("--stats-interval", o.stats_interval,
                   "print the counters every SECONDS (default 0: only at exit)")
        ->check(CLI::Range(0.0, 86400.0));
    app.add_option("--rx-desc", o.rx_desc, "RX descriptors per queue (default 1024)")
        ->check(CLI::Range(32, 16384));
    app.add_option("--tx-desc", o.tx_desc, "TX descriptors per queue (default 1024)")
        ->check(CLI::Range(32, 16384));
    app.add_option("--mbufs", o.mbufs, "mbufs in the pool (default: sized from ports and queues)")
        ->check(CLI::Range(1023U, 1U << 24));
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
    return std::nullopt;
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
