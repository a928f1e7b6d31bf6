#include "apps/responder/options.hh"

#include <CLI/CLI.hpp>

namespace pw::responder {

std::variant<Options, Exit> parse_options(std::vector<char*>& args) {
    Options o;
    std::vector<std::string> port_texts;
    CLI::App app{
        "pingwire-responder: answers ICMP echo (IPv4 and IPv6), ARP and Neighbor Solicitation for its\n"
        "addresses on DPDK ports, at line rate.\n\n"
        "usage: pingwire-responder [EAL options] -- --port ID[,mac=MAC][,mtu=N][,addr=A/PLEN]... [options]\n"
        "example: pingwire-responder -l 0,1 --no-huge -m 512 --vdev net_af_packet0,iface=veth0 -- \\\n"
        "           --port 0,addr=198.18.0.2/24,addr=2001:2::2/64",
        "pingwire-responder"};
    app.add_option("--port", port_texts,
                   "configure DPDK port ID: mac= sets its MAC, mtu= its MTU, addr= adds an IPv4 or IPv6\n"
                   "address with its prefix length (repeat addr=; repeat --port for more ports). A\n"
                   "link-local IPv6 address (EUI-64 of the MAC) is always added.")
        ->take_all();
    app.add_option("--stats-interval", o.stats_interval, "print the counters every SECONDS (default 0: only at exit)")
        ->check(CLI::Range(0.0, 86400.0));
    app.add_option("--rx-desc", o.rx_desc, "RX descriptors per queue (default 1024)")->check(CLI::Range(32, 16384));
    app.add_option("--tx-desc", o.tx_desc, "TX descriptors per queue (default 1024)")->check(CLI::Range(32, 16384));
    app.add_option("--mbufs", o.mbufs, "mbufs in the pool (default: sized from ports and queues)")
        ->check(CLI::Range(1023U, 1U << 24));
    app.set_version_flag("--version", "pingwire-responder 0.1.0");

    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::CallForHelp&) {
        return Exit{app.help(), 0};
    } catch (const CLI::CallForVersion& e) {
        return Exit{e.what() + std::string("\n"), 0};
    } catch (const CLI::ParseError& e) {
        return Exit{std::string("pingwire-responder: error: ") + e.what() + " (see --help)\n", 2};
    }
    // Checked after the parse so that an unknown option is reported as such first.
    if (port_texts.empty()) return Exit{"pingwire-responder: error: --port is required (see --help)\n", 2};
    for (const auto& t : port_texts) {
        auto r = route::parse_port_spec(t);
        if (auto* e = std::get_if<std::string>(&r))
            return Exit{"pingwire-responder: error: --port " + t + ": " + *e + "\n", 2};
        const auto& spec = std::get<route::PortSpec>(r);
        for (const auto& prev : o.ports)
            if (prev.port == spec.port)
                return Exit{"pingwire-responder: error: --port " + std::to_string(spec.port) +
                                " is given twice (put all its addresses in one --port)\n",
                            2};
        o.ports.push_back(spec);
    }
    return o;
}

}  // namespace pw::responder
