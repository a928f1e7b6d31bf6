// One worker's security insight: every received frame goes through observe(); the tracker
// keeps a bounded table of the sources it sees (set-associative, the least active of a set
// evicted), and per source a HyperLogLog of the destinations it probes, its echo and error
// rates, its TTL and what its echo payloads look like. A source (or all of them) that crosses
// a threshold of InsightConfig raises an Alert into alerts(). No DPDK, no allocation after
// construction, no lock: one tracker per worker lcore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "lib/insight/alert.hh"
#include "lib/insight/config.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::insight {

// What a frame is to the tracker (observe.cc parses it; no checksum is verified: the tracker
// sees what arrives, valid or not).
enum class Seen : std::uint8_t {
    other,         // not looked at further (counted in TrackerCounters::ignored)
    echo_request,  // ICMP Echo Request / ICMPv6 Echo Request
    echo_reply,
    icmp_error,        // an ICMP or ICMPv6 error message (RFC 792 types 3,4,5,11,12; RFC 4443 1-4)
    icmp_other,        // any other ICMP / ICMPv6 message (NDP other than NS included)
    arp_request,       // target: the address asked for
    neighbor_solicit,  // ICMPv6 type 135, target: its target address
    ttl_expiring,      // an IP packet (not ICMP) with TTL / hop limit <= 1 (a traceroute probe)
    // A TCP segment without ACK (RFC 9293 3.1: SYN, FIN, RST alone, no flags, Xmas): what
    // hping3 --flood and SYN floods send; it counts toward the flood kind with echo requests.
    // A segment with ACK (every established flow) is Seen::other.
    tcp_no_ack,
};

struct Observation {
    Seen seen = Seen::other;
    bool v6 = false;
    wire::Ipv6Addr src{};        // IPv4 as ::ffff:a.b.c.d
    wire::Ipv6Addr dst{};        // or the ARP / NS target
    std::uint8_t ttl = 0;        // TTL / hop limit (ARP, NDP, MLD: 0, theirs is fixed)
    wire::ConstBytes payload{};  // echo: the data after the 8-byte ICMP header
};

// Parses an Ethernet frame (untagged, or one 802.1Q / 802.1ad tag). Pure and cheap.
Observation classify(wire::ConstBytes frame) noexcept;

// A tracked source as telemetry shows it.
struct SourceView {
    wire::Ipv6Addr source{};
    bool v6 = false;
    std::uint64_t first_ns = 0, last_ns = 0;  // first and last packet seen
    std::uint64_t packets = 0;                // all frames counted for it, since tracked
    std::uint64_t window_packets = 0;         // in the window (snapshot()'s order)
    std::uint64_t echo_requests = 0, echo_replies = 0, errors = 0;
    std::uint64_t tcp_no_ack = 0;  // TCP segments without ACK, since tracked
    std::uint64_t tcp_pps = 0;     // of them per second over the last full window
    std::uint64_t targets = 0;     // distinct destinations probed, in the window (estimate)
    std::uint64_t echo_pps = 0;    // echo requests per second over the last full window
    std::uint64_t error_pps = 0;
    std::uint8_t ttl = 0;           // as last seen
    std::uint8_t initial_ttl = 0;   // 32, 64, 128 or 255: the smallest not below ttl
    std::uint8_t hops = 0;          // initial_ttl - ttl: routers between it and us
    std::uint8_t tunnel_score = 0;  // 0..100
    std::uint32_t inspected = 0;    // payloads inspected in the window
    std::uint16_t changed_pct = 0, sizes = 0, entropy_centibits = 0;
    // Echo payload bytes, in the window: of the requests it sent, of the replies sent to it.
    std::uint64_t request_bytes = 0, reply_bytes = 0;
    std::uint32_t alerts = 0;  // bit (1 << AlertKind) for each kind raised for it
};

struct TrackerCounters {
    std::uint64_t observed = 0;   // frames looked at (Seen != other)
    std::uint64_t ignored = 0;    // frames that are nothing to the tracker
    std::uint64_t tracked = 0;    // sources that got an entry
    std::uint64_t evicted = 0;    // entries given to a new source
    std::uint64_t inspected = 0;  // payloads inspected in depth
    std::uint64_t alerts[static_cast<std::size_t>(AlertKind::count_)] = {};
    std::uint64_t echo_requests = 0, errors = 0;  // all sources
    std::uint64_t tcp_no_ack = 0;                 // all sources
    // Frames from a new source whose set was full and that was not admitted (1 time in 8 it
    // is): counted in the global window and here, not in a source's entry.
    std::uint64_t unadmitted = 0;
};

class Tracker {
public:
    // Allocates the table (control path; throws std::bad_alloc).
    explicit Tracker(const InsightConfig& cfg);
    ~Tracker();
    Tracker(const Tracker&) = delete;
    Tracker& operator=(const Tracker&) = delete;

    // New thresholds and windows (a reload); the table and what it learnt stay.
    void retune(const InsightConfig& cfg) noexcept;
    const InsightConfig& config() const noexcept;

    // One received frame at now_ns (monotonic). Raises alerts into alerts().
    // (classify() then the observation, but for a fast path: an IPv4 echo request that repeats
    // the previous frame's addresses is counted without a full parse.)
    void observe(wire::ConstBytes frame, std::uint64_t now_ns) noexcept;
    void observe(const Observation& o, std::uint64_t now_ns) noexcept;

    // Repeated IPv4 echo requests are counted in runs (up to run_frames frames) before they
    // reach the source's entry and the counters; flush() applies the pending run (with the
    // times of its own frames). snapshot() and counters() flush first: call them, like
    // flush(), on the tracker's own lcore.
    void flush(std::uint64_t now_ns) noexcept;
    static constexpr std::uint32_t run_frames = 64;

    // The admission draw's seed (xorshift64; 0 takes the default): a new source whose set of
    // the table is full gets an entry 1 time in 8. Give each worker's tracker its own.
    void seed(std::uint64_t s) noexcept;

    // The most active sources (most packets in the window first), at most out.size(); the
    // number written. Reads the table (after a flush): call it on the tracker's own lcore.
    std::size_t snapshot(std::span<SourceView> out, std::uint64_t now_ns) const noexcept;
    std::size_t tracked_now() const noexcept;  // entries in use
    std::size_t capacity() const noexcept;     // entries: cfg.sources rounded up to 8-way sets

    const TrackerCounters& counters() const noexcept;
    AlertQueue& alerts() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pw::insight
