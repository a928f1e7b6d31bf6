// What every pingwire program's options hold, and the option texts they share (each program
// parses its own command line with CLI11 and adds these to it).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <variant>
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
    // --metrics: the Prometheus exposer's "ADDR:PORT" ("[ADDR6]:PORT"); "" off (metrics.hh).
    std::string metrics;
    // In-app capture (capture_writer.hh): --capture FILE, its limits, what it takes.
    std::string capture_file;                  // "": no capture at start
    std::uint64_t capture_count = 0;           // packets; 0: no limit
    std::uint64_t capture_bytes = 1ULL << 30;  // bytes written; 0: no limit
    std::string capture_dirs;                  // "": rx,tx (drop only with --capture-drops)
    std::string capture_drops;                 // "": every reason
    // --config FILE (config_file.hh): the file, its `eal = [...]`, and the command line as given
    // (argv0 and the program's options, --config removed), for a reload.
    std::string config_path;
    std::vector<std::string> config_eal;
    std::vector<std::string> command_line;
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
    std::vector<std::string> vlans;  // --vlan PORT.VID,...: put on their ports by parse_ports
    // Adds --port, --stats-interval, --rx-desc, --tx-desc, --mbufs to app, bound to o.
    void add_to(CLI::App& app, CommonOptions& o);
    // The --port texts into o.ports; the one-line error otherwise.
    std::optional<std::string> parse_ports(CommonOptions& o) const;
};

// --capture-drops all|REASON[,REASON...]: a bit per wire::Drop, or the one-line error (listing
// the reasons); --capture-dir rx,tx,drop: a mask of pipeline::CaptureTap::Dir bits.
std::variant<std::array<std::uint64_t, 4>, std::string> parse_capture_drops(
    const std::string& text);
std::variant<std::uint32_t, std::string> parse_capture_dirs(const std::string& text);

// --metrics [ADDR:]PORT: "127.0.0.1:9100" for "9100", "[::1]:9100" for "[::1]:9100"; the
// one-line error otherwise (ADDR an IPv4 or bracketed IPv6 address, PORT 1..65535).
std::variant<std::string, std::string> parse_metrics_address(const std::string& text);

// --neigh ADDR,mac=MAC[,port=ID] texts, checked against the ports before the EAL starts.
std::optional<std::string> parse_neighbours(const std::vector<std::string>& texts,
                                            const std::vector<route::PortSpec>& ports,
                                            std::vector<route::NeighSpec>& out);

}  // namespace pw::app
