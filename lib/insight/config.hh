// What pingwire's security insight looks for, and when it speaks: the windows and thresholds
// of sweep, tunnel and flood detection and the size of the source table. Options and config
// file keys of pingwire-responder (--insight-*).
#pragma once

#include <cstdint>

namespace pw::insight {

struct InsightConfig {
    bool enabled = true;           // --no-insight: no tracking at all
    std::uint32_t sources = 4096;  // tracked sources per worker (rounded up to 8-way sets)
    std::uint64_t window_ns = 2'000'000'000;  // the sliding window rates and targets cover
    // Sweep: distinct destinations one source probed (echo requests, ARP requests, Neighbor
    // Solicitations, TTL-limited probes that expire here) within the window.
    std::uint32_t sweep_targets = 64;
    // Flood: echo requests per second from one source, ICMP errors per second from one source,
    // and the same summed over all sources; averaged over a full window.
    std::uint32_t flood_pps = 10'000;
    std::uint32_t error_pps = 1'000;
    std::uint32_t global_flood_pps = 200'000;
    std::uint32_t global_error_pps = 20'000;
    // Tunnel: a score 0..100 from the echo payloads of a source (see tunnel_score.hh), raised
    // when at least tunnel_min_requests payloads were inspected in the window.
    std::uint32_t tunnel_score = 50;
    std::uint32_t tunnel_min_requests = 16;
    // Deep payload inspections (entropy, change, size) per source per window: bounds the cost
    // of a flood to a few dozen inspections a second.
    std::uint32_t inspect_per_window = 64;
    // One source's alert of one kind is raised again at most this often while it lasts.
    std::uint64_t alert_hold_ns = 10'000'000'000;
};

}  // namespace pw::insight
