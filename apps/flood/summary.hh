// What a run found, merged from every lcore, and how it is told: the live line, the summary in
// ping's shape (plus what ping cannot say), the sweep's host lines, the JSON file, the exit
// status.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "apps/flood/options.hh"
#include "lib/gen/accounting.hh"
#include "lib/gen/histogram.hh"
#include "lib/gen/pmtu.hh"

namespace pw::flood {

struct RunResult {
    const Options* opt = nullptr;
    std::span<const gen::TargetStats> stats;
    gen::Totals totals;
    gen::Histogram rtt;
    gen::ErrorTable errors;
    std::uint64_t transmitted = 0;
    std::uint64_t tx_refused = 0;
    std::uint64_t unresolved = 0;  // probes skipped: next hop unresolved
    std::uint64_t resolved_hops = 0;
    std::uint64_t schedule_start_ns = 0;  // when the first probe was due
    std::uint64_t first_tx_ns = 0;
    std::uint64_t last_tx_ns = 0;
    std::uint64_t tsc_hz = 0;
    std::uint64_t captured = 0;
    std::uint64_t capture_lost = 0;
    const gen::PmtuSearch* pmtu = nullptr;
    bool interrupted = false;

    std::uint64_t received() const noexcept { return totals.received; }
    std::uint64_t lost() const noexcept {
        return transmitted > totals.received ? transmitted - totals.received : 0;
    }
    double loss_percent() const noexcept;
    double send_span_s() const noexcept;
    double achieved_pps() const noexcept;
    bool short_of_rate() const noexcept;
};

// "[  1.0 s] sent ... received ... tx ... pps rx ... pps loss ...% p50 ... ms p99 ... ms"
std::string live_line(double t_s, std::uint64_t sent, std::uint64_t received, double tx_pps,
                      double rx_pps, const gen::Histogram& rtt);
// The PING line printed before the first probe.
std::string start_line(const Options& o);
// Host lines (a sweep), the ping-shaped summary and the rest.
std::string format_summary(const RunResult& r);
// 0: answers came (sweep: a host alive; --pmtu: a verdict), 1: none.
int exit_code(const RunResult& r);
// Writes --json FILE; the error line on failure.
std::optional<std::string> write_json(const RunResult& r, const std::string& path);

}  // namespace pw::flood
