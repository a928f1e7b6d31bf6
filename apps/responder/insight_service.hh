// The control lcore's half of security insight: every tick it drains the workers' alert queues
// (each alert logged as one pingwire.insight line, at most --alert-log-rate a second, and kept
// among the recent ones) and, a few times a second, reads their source boards into one table
// (a source seen by two workers is one row). Telemetry (/pingwire/alerts, /pingwire/sources),
// --metrics and the exit summary read a copy of that state under a lock: control path only.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/log.hh"
#include "lib/insight/alert.hh"
#include "lib/insight/tracker.hh"
#include "lib/pipeline/host_stage.hh"

namespace pw::responder {

struct AlertRecord {
    insight::Alert alert;
    std::string time;  // UTC, as log lines show it
    std::string text;  // insight::format_alert
    unsigned worker = 0;
};

struct InsightState {
    static constexpr std::size_t kinds = static_cast<std::size_t>(insight::AlertKind::count_);
    static constexpr std::size_t max_recent = 256;
    bool enabled = false;
    std::deque<AlertRecord> recent;  // newest last
    std::array<std::uint64_t, kinds> by_kind{};
    std::uint64_t alerts = 0;          // all raised (the queues' losses included)
    std::uint64_t lost = 0;            // alerts a full queue lost (counted, never shown)
    std::uint64_t log_suppressed = 0;  // alert lines --alert-log-rate held back
    // The workers' boards merged: the most active sources first.
    std::vector<insight::SourceView> sources;
    std::uint64_t tracked = 0, capacity = 0;  // summed over the workers
    insight::TrackerCounters counters{};      // summed
    std::uint64_t at_ns = 0;                  // when the boards were read (program clock)
};

class InsightService {
public:
    InsightService(bool enabled, unsigned log_per_sec);

    // Control lcore, every tick (force: read the boards now, as at exit).
    void tick(const std::vector<std::unique_ptr<pipeline::HostStage>>& stages, std::uint64_t now_ns,
              bool force = false);
    // A reload's new --alert-log-rate.
    void set_log_rate(unsigned per_sec);

    // A consistent copy of the state (any control-path thread).
    InsightState state() const;
    template <class F>
    auto read(F&& f) const {
        const std::lock_guard<std::mutex> hold(mu_);
        return f(state_);
    }
    // The exit summary's lines ("insight: ..."), empty when insight is off.
    std::string summary() const;

private:
    void take(const insight::Alert& a, unsigned worker);
    void refresh(const std::vector<std::unique_ptr<pipeline::HostStage>>& stages,
                 std::uint64_t now_ns);

    mutable std::mutex mu_;
    InsightState state_;
    std::unique_ptr<drivers::RateLimitedLog> log_;
    std::uint64_t next_refresh_ns_ = 0;
};

}  // namespace pw::responder
