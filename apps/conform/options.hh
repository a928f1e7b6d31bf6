// pingwire-conform's command line, checked before the EAL starts (a mistake is one line and
// exit 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "apps/skeleton/common_options.hh"
#include "lib/conform/ratelimit.hh"
#include "lib/route/route_spec.hh"
#include "lib/wire/addr.hh"

namespace pw::conform_app {

struct Options {
    app::CommonOptions common;
    std::vector<route::NeighSpec> neighbours;
    std::optional<wire::Ipv4Addr> rut_in4, rut_out4;
    std::optional<wire::Ipv6Addr> rut_in6, rut_out6;
    unsigned mtu_out = 0;  // 0: discovered
    wire::Ipv4Addr unrouted4;
    wire::Ipv6Addr unrouted6;
    std::optional<wire::Ipv4Addr> unresolved4;
    std::optional<wire::Ipv6Addr> unresolved6;
    unsigned sources = 200;               // source aliases on port 0's subnet
    std::vector<std::string> only, skip;  // check IDs, or prefixes ending in '*'
    bool ratelimit = false;
    std::vector<conform::Trigger> triggers;
    std::vector<conform::Family> rl_families;
    std::vector<double> rates;
    double step_s = 1.0;
    double pause_s = 1.0;
    unsigned rl_sources = 0;  // many-source series: 0 = every alias; 1 = none
    double resolve_timeout_s = 3;
    std::string json_file, pcap_file, plot_file;
    // Whether a check ID is selected by --only / --skip.
    bool selected(const std::string& id) const;
};

using Exit = app::Exit;

std::variant<Options, Exit> parse_options(std::vector<char*>& args);

}  // namespace pw::conform_app
