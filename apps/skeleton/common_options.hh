// What every pingwire program's options hold (each program parses its own command line).
#pragma once

#include <vector>

#include "lib/route/port_spec.hh"

namespace pw::app {

struct CommonOptions {
    std::vector<route::PortSpec> ports;
    unsigned rx_desc = 1024;
    unsigned tx_desc = 1024;
    unsigned mbufs = 0;         // 0: sized from ports and queues
    double stats_interval = 0;  // seconds; 0: only the summary at exit
};

}  // namespace pw::app
