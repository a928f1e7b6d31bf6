// The configuration a command line describes, checked before the EAL starts: the mistakes
// route::InterfaceTable and route::Fib would refuse once the ports are up (exit 2 either way,
// but found here it costs no start-up and prints nothing but its one line). The messages are
// the ones the FIB gives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/route/port_spec.hh"
#include "lib/route/route_spec.hh"

namespace pw::app {

// An address given twice (on one port or on two); with router, a subnet connected on two
// ports (the FIB has one connected route per subnet).
std::optional<std::string> check_addresses(const std::vector<route::PortSpec>& ports, bool router);

// Each --route against the ports and the routes before it: a gateway off every connected
// subnet (of port= when given), one of our own addresses, a subnet's network or broadcast
// address, a link-local gateway without port=, a port not configured, a prefix already
// connected or already routed (given twice).
std::optional<std::string> check_routes(const std::vector<route::PortSpec>& ports,
                                        const std::vector<route::RouteSpec>& routes);

}  // namespace pw::app
