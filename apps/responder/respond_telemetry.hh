// The DPDK telemetry command of the --respond prefixes:
//   /pingwire/respond   per prefix, keyed by its slot ("0", "1", ...: the order given): its
//                       text (prefix), where it is (port, vid), echo requests answered, ARP
//                       requests and Neighbor Solicitations answered, and every other frame to
//                       one of its addresses (errors sent, other answers, drops), summed over
//                       the workers: the numbers of the exit summary's "respond" lines.
// The prefixes come from the InterfaceTable of the configuration in force: set at start and
// again after each reload (set_prefixes, control path).
#pragma once

#include <vector>

#include "lib/pipeline/host_counters.hh"
#include "lib/route/interfaces.hh"

namespace pw::responder {

class RespondTelemetry {
public:
    // host outlives the EAL (DPDK's telemetry thread reads it). Registers the command.
    explicit RespondTelemetry(const std::vector<pipeline::LcoreHost>& host);
    RespondTelemetry(const RespondTelemetry&) = delete;
    RespondTelemetry& operator=(const RespondTelemetry&) = delete;
    ~RespondTelemetry();

    void set_prefixes(const route::InterfaceTable& ifaces);
};

}  // namespace pw::responder
