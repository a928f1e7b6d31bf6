// pingwire's rte_log types, one per module, and a small printf-style API for the control path
// (never the data path: formatting takes time and the log stream locks).
//
//     pingwire.port pingwire.icmp pingwire.route pingwire.neigh pingwire.gen pingwire.config
//     pingwire.capture pingwire.metrics pingwire.insight
//
// Registered once (log_init, called by the program skeleton after rte_eal_init) with
// rte_log_register_type_and_pick_level, so the EAL's own --log-level applies to them:
// `--log-level pingwire.neigh:debug`, `--log-level 'pingwire.*:warning'` (default: info).
// A line reads "2026-12-01T22:31:05.123Z pingwire-responder neigh: what happened"; it goes
// where every rte_log line goes (stderr and syslog by default, or rte_openlog_stream's).
//
// Events that can come in storms (a neighbour failing, rate limits engaged) go through
// RateLimitedLog: at most N lines per second per kind, then one "... M more suppressed".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pw::drivers {

enum class LogType : std::uint8_t {
    port,
    icmp,
    route,
    neigh,
    gen,
    config,
    capture,
    metrics,
    insight
};
inline constexpr unsigned log_type_count = 9;

// rte_log's levels (RTE_LOG_ERR .. RTE_LOG_DEBUG).
enum class LogLevel : std::uint32_t { err = 4, warning = 5, notice = 6, info = 7, debug = 8 };

// Registers the types (once; later calls only change the program name in the lines).
void log_init(const char* program);

// The rte_log type id of t (-1 before log_init).
int log_type_id(LogType t) noexcept;
// "pingwire.neigh".
const char* log_type_name(LogType t) noexcept;

// Whether a line of t at level would be written (its type's level and the global one).
bool log_enabled(LogType t, LogLevel level) noexcept;

// The wall clock as "2026-12-01T22:31:05.123Z" (UTC, milliseconds), as the lines show it.
std::string utc_timestamp();

// One line (the newline is added).
void logf(LogType t, LogLevel level, const char* format, ...) __attribute__((format(printf, 3, 4)));

// At most per_second lines per second of one kind of event; what is held back in a second is
// said in one line when the next line of that kind is written or flush() is called after the
// second ended ("neigh: ... 37 more suppressed in the last second").
class RateLimitedLog {
public:
    RateLimitedLog(LogType t, LogLevel level, unsigned per_second) noexcept
        : type_(t), level_(level), per_second_(per_second) {}

    void logf(const char* format, ...) __attribute__((format(printf, 2, 3)));
    // Says how many were suppressed once their second is over (call from the control tick).
    void flush();
    std::uint64_t suppressed_total() const noexcept { return suppressed_total_; }

private:
    using Clock = std::chrono::steady_clock;
    void roll(Clock::time_point now);

    LogType type_;
    LogLevel level_;
    unsigned per_second_;
    Clock::time_point window_{};
    unsigned in_window_ = 0;
    std::uint64_t suppressed_ = 0;  // in the current window
    std::uint64_t suppressed_total_ = 0;
};

}  // namespace pw::drivers
