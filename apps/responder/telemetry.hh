// DPDK telemetry commands of pingwire-responder, next to DPDK's own (/ethdev/stats...):
//   /pingwire/ports          the port ids
//   /pingwire/stats,PORT     that port's counters, summed over the workers: the numbers of the
//                            exit summary (rx, tx, answered, forwarded, held, generated,
//                            fwd_sent, dropped, replies, drop reasons, ICMP tables, error
//                            outcomes)
// Read them with dpdk-telemetry.py or any client of /var/run/dpdk/<prefix>/dpdk_telemetry.v2.
#pragma once

#include <vector>

#include "drivers/port.hh"
#include "lib/pipeline/host_counters.hh"

namespace pw::responder {

// The vectors outlive the EAL (the callbacks read them from DPDK's telemetry thread).
void register_telemetry(const std::vector<pipeline::LcoreBase>& base,
                        const std::vector<pipeline::LcoreHost>& host,
                        const std::vector<drivers::PortInfo>& ports);

}  // namespace pw::responder
