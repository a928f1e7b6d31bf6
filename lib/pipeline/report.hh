// Human-readable counter reports (exit summary and --stats-interval).
#pragma once

#include <cstdint>
#include <string>

#include "lib/pipeline/host_counters.hh"

namespace pw::pipeline {

// "port 0: rx N tx N dropped N" then one line per reply kind and per non-zero drop reason.
std::string format_port_report(std::uint16_t port, const std::string& label, const PortReport& c);

// A --stats-interval block of one port: the port line and the replies as at exit (totals),
// then device_lines (the device's rates and bytes, from the program skeleton), then the
// deltas since prev (the previous block, or zeros): rx, tx, answered, forwarded, generated,
// dropped with the reasons that grew (most first), errors sent and limited; the
// "reassembled datagrams ... fwd_failed" line when one is non-zero.
std::string format_port_interval(std::uint16_t port, const std::string& label,
                                 const PortReport& cur, const PortReport& prev,
                                 const std::string& device_lines);

}  // namespace pw::pipeline
