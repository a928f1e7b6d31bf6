#include "drivers/log.hh"

#include <rte_log.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <string>

namespace pw::drivers {

namespace {

constexpr const char* type_names[log_type_count] = {
    "pingwire.port",   "pingwire.icmp",    "pingwire.route",   "pingwire.neigh",   "pingwire.gen",
    "pingwire.config", "pingwire.capture", "pingwire.metrics", "pingwire.insight",
};

int g_types[log_type_count] = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
std::string g_program = "pingwire";

}  // namespace

std::string utc_timestamp() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    gmtime_r(&ts.tv_sec, &t);
    char base[32];
    std::strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &t);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", base,
                  static_cast<int>((ts.tv_nsec / 1'000'000) % 1000));
    return out;
}

namespace {

void vlog(LogType t, LogLevel level, const char* format, std::va_list ap) {
    if (!log_enabled(t, level)) return;
    char msg[1024];
    std::vsnprintf(msg, sizeof msg, format, ap);
    const std::string when = utc_timestamp();
    // "pingwire.neigh" -> "neigh"
    const char* module = type_names[static_cast<unsigned>(t)] + sizeof("pingwire.") - 1;
    rte_log(static_cast<std::uint32_t>(level), static_cast<std::uint32_t>(log_type_id(t)),
            "%s %s %s: %s\n", when.c_str(), g_program.c_str(), module, msg);
}

}  // namespace

void log_init(const char* program) {
    g_program = program;
    for (unsigned i = 0; i < log_type_count; ++i) {
        if (g_types[i] >= 0) continue;
        // Picks the level --log-level gave for the name (a glob or a regex), else info.
        const int id = rte_log_register_type_and_pick_level(type_names[i], RTE_LOG_INFO);
        g_types[i] = id;
    }
}

int log_type_id(LogType t) noexcept {
    return g_types[static_cast<unsigned>(t)];
}

const char* log_type_name(LogType t) noexcept {
    return type_names[static_cast<unsigned>(t)];
}

bool log_enabled(LogType t, LogLevel level) noexcept {
    const int id = log_type_id(t);
    if (id < 0) return level <= LogLevel::info;  // before log_init: the default
    return rte_log_can_log(static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(level));
}

void logf(LogType t, LogLevel level, const char* format, ...) {
    std::va_list ap;
    va_start(ap, format);
    vlog(t, level, format, ap);
    va_end(ap);
}

void RateLimitedLog::roll(Clock::time_point now) {
    if (now - window_ < std::chrono::seconds(1)) return;
    if (suppressed_ != 0)
        drivers::logf(type_, level_, "... %llu more suppressed in the last second",
                      static_cast<unsigned long long>(suppressed_));
    window_ = now;
    in_window_ = 0;
    suppressed_ = 0;
}

void RateLimitedLog::logf(const char* format, ...) {
    roll(Clock::now());
    if (in_window_ >= per_second_) {
        ++suppressed_;
        ++suppressed_total_;
        return;
    }
    ++in_window_;
    std::va_list ap;
    va_start(ap, format);
    vlog(type_, level_, format, ap);
    va_end(ap);
}

void RateLimitedLog::flush() {
    roll(Clock::now());
}

}  // namespace pw::drivers
