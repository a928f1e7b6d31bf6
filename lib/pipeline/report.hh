// Human-readable counter reports (exit summary and --stats-interval).
#pragma once

#include <cstdint>
#include <string>

#include "lib/pipeline/host_counters.hh"

namespace pw::pipeline {

// "port 0: rx N tx N dropped N" then one line per reply kind and per non-zero drop reason.
std::string format_port_report(std::uint16_t port, const std::string& label, const PortReport& c);

}  // namespace pw::pipeline
