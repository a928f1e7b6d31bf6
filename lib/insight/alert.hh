// An alert the tracker raises, the words an operator reads for it, and the single-producer
// single-consumer queue that carries alerts from a worker to the control lcore (no DPDK: one
// std::atomic head and tail, fixed capacity, a full queue counts what it loses).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/wire/addr.hh"

namespace pw::insight {

enum class AlertKind : std::uint8_t {
    sweep,         // one source probed many destinations
    tunnel,        // one source's echo payloads look like a covert channel
    flood,         // one source's echo requests per second
    error_flood,   // one source's ICMP errors per second
    global_flood,  // echo requests per second, all sources
    global_error_flood,
    count_,
};

// Stable names: log lines, telemetry and the Prometheus label kind="...".
std::string_view alert_kind_name(AlertKind k) noexcept;

struct Alert {
    AlertKind kind = AlertKind::sweep;
    bool v6 = false;
    bool global = false;          // no source (global_flood, global_error_flood)
    wire::Ipv6Addr source{};      // IPv4 as ::ffff:a.b.c.d (wire::v4_mapped)
    std::uint64_t at_ns = 0;      // the tracker's clock (monotonic)
    std::uint64_t window_ns = 0;  // what value covers
    std::uint64_t value = 0;      // targets, requests or errors per second, or the score
    std::uint64_t threshold = 0;
    // Tunnel: what the score is made of; sweep and flood: the source's TTL as last seen.
    std::uint32_t requests = 0;           // payloads inspected (tunnel) or packets (sweep/flood)
    std::uint16_t changed_pct = 0;        // tunnel: payloads unlike the one before, percent
    std::uint16_t sizes = 0;              // tunnel: distinct payload sizes
    std::uint16_t entropy_centibits = 0;  // tunnel: mean byte entropy, 1/100 bit per byte
    std::uint8_t ttl = 0;
    std::uint8_t initial_ttl = 0;
    // Flood, global flood: of requests, the TCP segments without ACK (the rest echo requests);
    // more than half: the text says "TCP SYN flood", "segments/s".
    std::uint32_t tcp = 0;
};

// The source as text: "198.18.0.1" or "2001:2::1".
std::string source_text(const Alert& a);
// One line, e.g. "ping sweep from 198.18.0.1: 254 targets in 2.0 s (threshold 64)".
std::string format_alert(const Alert& a);

// Single producer (the worker that owns the tracker), single consumer (the control lcore).
class AlertQueue {
public:
    static constexpr std::size_t capacity = 256;  // a power of two

    // Worker side; false (and lost() counts it) when full.
    bool push(const Alert& a) noexcept;
    // Control side; false when empty.
    bool pop(Alert& out) noexcept;
    std::uint64_t lost() const noexcept { return lost_.load(std::memory_order_relaxed); }

private:
    std::array<Alert, capacity> slots_{};
    alignas(64) std::atomic<std::uint64_t> head_{0};  // next to write (producer)
    alignas(64) std::atomic<std::uint64_t> tail_{0};  // next to read (consumer)
    std::atomic<std::uint64_t> lost_{0};
};

}  // namespace pw::insight
