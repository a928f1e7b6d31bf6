// The command line of pingwire-responder (after the EAL's "--").
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "lib/route/port_spec.hh"

namespace pw::responder {

struct Options {
    std::vector<route::PortSpec> ports;
    double stats_interval = 0;  // seconds; 0: only the summary at exit
    unsigned rx_desc = 1024;
    unsigned tx_desc = 1024;
    unsigned mbufs = 0;  // 0: sized from ports and queues
};

// What parsing gave: options to run with, or a text to print and an exit code (help: 0, a
// bad option: 2).
struct Exit {
    std::string text;
    int code = 0;
};

std::variant<Options, Exit> parse_options(std::vector<char*>& args);

}  // namespace pw::responder
