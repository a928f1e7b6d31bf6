// pingwire-flood's command line, checked before the EAL starts (a mistake is one line and
// exit 2, without start-up cost).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "apps/skeleton/common_options.hh"
#include "lib/gen/probe.hh"
#include "lib/gen/stamp.hh"
#include "lib/gen/targets.hh"
#include "lib/route/route_spec.hh"
#include "lib/wire/addr.hh"

namespace pw::flood {

struct Options {
    app::CommonOptions common;
    gen::TargetSet targets;
    std::optional<wire::Ipv4Addr> gw4;
    std::optional<wire::Ipv6Addr> gw6;
    std::vector<route::NeighSpec> neighbours;  // --neigh: permanent (a peer that never answers ARP)
    std::uint64_t rate = 1000;                 // pps in total; 0: max
    std::uint32_t count = 0;                   // per target and kind; 0: unbounded
    double duration_s = 0;
    std::uint16_t size_lo = 56;
    std::uint16_t size_hi = 56;
    std::uint8_t ttl = 64;
    std::uint8_t tos = 0;
    bool df = false;
    gen::Pattern pattern;
    bool random_order = false;
    std::optional<std::uint64_t> seed;
    std::uint64_t max_targets = 1U << 20;
    std::vector<gen::ProbeKind> kinds;
    std::uint16_t tcp_port = 80;
    std::uint16_t udp_port = 33434;
    double timeout_ms = 1000;
    double wait_s = 1;
    double resolve_timeout_s = 3;
    bool pmtu = false;
    bool show_dead = false;
    bool quiet = false;
    std::string json_file;
    std::string capture_file;
};

using Exit = app::Exit;

std::variant<Options, Exit> parse_options(std::vector<char*>& args);

}  // namespace pw::flood
