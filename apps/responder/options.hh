// The command line of pingwire-responder (after the EAL's "--").
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "apps/responder/insight_options.hh"
#include "apps/skeleton/common_options.hh"
#include "lib/icmp/host_context.hh"
#include "lib/icmp/rate_limit.hh"
#include "lib/icmp/reassembly.hh"
#include "lib/icmp/forward.hh"
#include "lib/insight/icmp_filter.hh"
#include "lib/route/port_spec.hh"
#include "lib/route/route_spec.hh"

namespace pw::responder {

struct Options {
    app::CommonOptions common;  // ports, descriptors, mbufs, --stats-interval
    icmp::HostPolicy policy;
    icmp::RateLimitConfig rate;
    icmp::ReassemblyConfig reassembly;
    // Router mode.
    bool forward = false;
    std::vector<route::RouteSpec> routes;
    std::vector<route::DenySpec> denies;
    std::vector<route::NeighSpec> neighbours;  // --neigh: permanent entries
    icmp::RouterPolicy router;
    unsigned max_routes = 1024;
    unsigned neigh_capacity = 4096;
    // RFC 4890 selective ICMP filtering of forwarded ICMP / ICMPv6 (--icmp-filter rules in
    // order, then --icmp-policy's, then --icmp-filter-default).
    insight::IcmpFilter icmp_filter;
    bool errors_extension =
        false;               // RFC 4884 / RFC 5837 on Time Exceeded and Destination Unreachable
    InsightOptions insight;  // sweep, tunnel and flood detection, the TTL table
};

// What parsing gave: options to run with, or a text to print and an exit code (help: 0, a
// bad option: 2).
using Exit = app::Exit;

std::variant<Options, Exit> parse_options(std::vector<char*>& args);

// "0-1,3-127" -> the set of numbers (each 0..max); nullopt-like empty string on error.
std::variant<std::vector<unsigned>, std::string> parse_ranges(const std::string& text,
                                                              unsigned max);

}  // namespace pw::responder
