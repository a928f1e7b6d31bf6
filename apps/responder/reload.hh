// Live reload of pingwire-responder (SIGHUP, or the telemetry command /pingwire/reload):
// re-reads the --config file with the original command line over it, and when the result
// can be applied without a restart (generation.hh: needs_restart), builds a new generation
// beside the running one, publishes it to the workers (HostEnv::live), waits out an RCU grace
// period (every worker has passed a quiescent state, so none still reads the old one), then
// frees the old one. No packet is dropped for it: the workers never stop, and packets waiting
// for a next hop keep waiting (they hold a port and an address, not the old tables). A
// configuration that cannot be applied is refused with one line, and the old one stays.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "apps/responder/generation.hh"

namespace pw::app {
class Program;
}

namespace pw::responder {

class Reloader {
public:
    // first: generation 0, already running (its env is live's value).
    Reloader(app::Program& prog, std::unique_ptr<Generation> first,
             std::atomic<const pipeline::HostEnv*>& live, std::uint64_t utc_ms_at_start);
    ~Reloader();

    // Control lcore: one reload, now. Returns the line it logged ("reload applied: ..." or
    // "reload refused: ...").
    std::string reload();
    const Generation& current() const noexcept { return *current_; }
    // Called after each applied reload with the new generation (telemetry views).
    std::function<void(const Generation&)> on_applied;

    // Telemetry thread: asks the control lcore for a reload and waits for its line (at most
    // timeout_ms); registers /pingwire/reload.
    std::string request_and_wait(unsigned timeout_ms);
    void register_telemetry();

    // Any thread.
    std::uint64_t applied() const noexcept { return applied_.load(std::memory_order_relaxed); }
    std::uint64_t refused() const noexcept { return refused_.load(std::memory_order_relaxed); }
    unsigned generation() const noexcept { return generation_.load(std::memory_order_relaxed); }

private:
    std::string refuse(const std::string& why);

    app::Program& prog_;
    std::unique_ptr<Generation> current_;
    std::atomic<const pipeline::HostEnv*>& live_;
    std::uint64_t utc_ms_at_start_;
    std::atomic<std::uint64_t> applied_{0}, refused_{0};
    std::atomic<unsigned> generation_{0};
    std::mutex mu_;  // the telemetry thread's wait for a result (never the data path)
    std::condition_variable done_;
    std::uint64_t results_ = 0;
    std::string last_;
};

}  // namespace pw::responder
