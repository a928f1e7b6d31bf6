// pingwire-conform's progress for operators: the DPDK telemetry command /pingwire/conform
// (dpdk-telemetry.py -f FILE_PREFIX) and its Prometheus families (--metrics): how many checks
// ran and with what verdict, the last one, the frames sent and seen. The control lcore copies
// the runner's figures every tick (ConformTelemetry::tick); the telemetry and exposer threads
// read only that copy, under a mutex.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>

#include "apps/conform/runner.hh"
#include "apps/skeleton/metrics.hh"

namespace pw::conform_app {

struct ConformSnapshot {
    bool finished = false;
    std::uint64_t checks_done = 0;
    std::array<std::uint64_t, 4> by_verdict{};  // conform::Verdict order
    std::string last_check;                     // the id of the last check judged
    std::string last_verdict;
    std::uint64_t series_done = 0;  // rate-limit series measured
    std::uint64_t sent_frames = 0, seen_frames = 0;
};

class ConformTelemetry {
public:
    ConformTelemetry() = default;
    ~ConformTelemetry();  // after it the command answers {"error": "stopping"}
    ConformTelemetry(const ConformTelemetry&) = delete;
    ConformTelemetry& operator=(const ConformTelemetry&) = delete;

    void register_command();
    // Control lcore, every tick.
    void tick(const Runner& runner, bool finished);
    ConformSnapshot snapshot() const {
        std::lock_guard lock(mu_);
        return snap_;
    }
    void collect(app::Families& f) const;

private:
    mutable std::mutex mu_;
    ConformSnapshot snap_;
};

}  // namespace pw::conform_app
