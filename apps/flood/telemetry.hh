// pingwire-flood's live run for operators: the DPDK telemetry command /pingwire/flood (read
// with dpdk-telemetry.py -f FILE_PREFIX) and its Prometheus families (--metrics), among them
// pingwire_flood_rtt_seconds, a histogram in seconds.
//
// The control lcore takes a snapshot every 250 ms (FloodTelemetry::tick): sums of the lcores'
// counters and a merge of their RTT histograms, as the live line does. The telemetry and
// exposer threads read only the snapshot (under a mutex, never on the data path).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apps/skeleton/metrics.hh"
#include "lib/gen/histogram.hh"
#include "lib/pipeline/flood_stage.hh"

namespace pw::flood {

// The histogram's bucket bounds in seconds (Prometheus `le`), from 10 us to 10 s.
inline constexpr std::array<double, 19> rtt_bounds_s{
    10e-6, 25e-6, 50e-6,  100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3,
    25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1.0,    2.5,  5.0,    10.0};

struct FloodSnapshot {
    std::string phase = "resolving";  // resolving, sending, finishing
    std::uint64_t elapsed_ns = 0;     // since the first probe was due
    std::uint64_t targets = 0;
    std::uint64_t sent = 0, received = 0, duplicates = 0, reordered = 0, corrupted = 0, late = 0,
                  too_old = 0, unmatched = 0, errors = 0, alive = 0;
    std::uint64_t tx_refused = 0, unresolved = 0;
    std::uint64_t tx_pps = 0, rx_pps = 0;  // over the last second or so
    // RTT (ns): exact count, min, max, mean; percentiles within 0.1%.
    std::uint64_t rtt_count = 0, rtt_min = 0, rtt_p50 = 0, rtt_p90 = 0, rtt_p99 = 0, rtt_max = 0;
    double rtt_mean_ns = 0;
    // Observations per bucket of rtt_bounds_s, the last one above them all.
    std::array<std::uint64_t, rtt_bounds_s.size() + 1> rtt_buckets{};
};

class FloodTelemetry {
public:
    FloodTelemetry();   // allocates the merge histogram (control path)
    ~FloodTelemetry();  // after it the command answers {"error": "stopping"}
    FloodTelemetry(const FloodTelemetry&) = delete;
    FloodTelemetry& operator=(const FloodTelemetry&) = delete;

    // Registers /pingwire/flood (once per process).
    void register_command();
    // Control lcore, every tick: a new snapshot every 250 ms. send_start_ns: when sending
    // began (0: not yet).
    void tick(std::uint64_t now_ns, pipeline::FloodPhase phase, std::uint64_t send_start_ns,
              std::uint64_t targets,
              const std::vector<std::unique_ptr<pipeline::FloodStage>>& stages,
              const std::vector<pipeline::FloodCounters>& counters);
    FloodSnapshot snapshot() const {
        std::lock_guard lock(mu_);
        return snap_;
    }
    // The flood's Prometheus families.
    void collect(app::Families& f) const;

private:
    mutable std::mutex mu_;
    FloodSnapshot snap_;
    gen::Histogram merged_;
    std::uint64_t next_ns_ = 0;
    std::uint64_t rate_at_ns_ = 0, rate_sent_ = 0, rate_received_ = 0;
};

}  // namespace pw::flood
