// What every pingwire program's options hold, and the option texts they share (each program
// parses its own command line with CLI11 and adds these to it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/route/port_spec.hh"
#include "lib/route/route_spec.hh"

namespace CLI {
class App;
}

namespace pw::app {

struct CommonOptions {
    std::vector<route::PortSpec> ports;
    unsigned rx_desc = 1024;
    unsigned tx_desc = 1024;
    unsigned mbufs = 0;         // 0: sized from ports and queues
    double stats_interval = 0;  // seconds; 0: only the summary at exit
};

// What parsing ends with when the program is not to run: the text for stdout (--help, code
// 0) or stderr (a mistake, code 2).
struct Exit {
    std::string text;
    int code = 0;
};

// The shared options as the command line gives them, checked after the parse.
struct CommonOptionTexts {
    std::vector<std::string> ports;
    // Adds --port, --stats-interval, --rx-desc, --tx-desc, --mbufs to app, bound to o.
    void add_to(CLI::App& app, CommonOptions& o);
    // The --port texts into o.ports; the one-line error otherwise.
    std::optional<std::string> parse_ports(CommonOptions& o) const;
};

// --neigh ADDR,mac=MAC[,port=ID] texts, checked against the ports before the EAL starts.
std::optional<std::string> parse_neighbours(const std::vector<std::string>& texts,
                                            const std::vector<route::PortSpec>& ports,
                                            std::vector<route::NeighSpec>& out);

}  // namespace pw::app
