// pingwire-conform's run, on the control lcore: resolve the RUT, find its egress MTU, run the
// selected checks (control, probe, follow-up; listen after each; judge), then the rate-limit
// series; every frame in and out to the capture. Written as one coroutine (task.hh), resumed
// by the control tick when what it waits for is over.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/conform/capture.hh"
#include "apps/conform/options.hh"
#include "apps/conform/task.hh"
#include "apps/skeleton/program.hh"
#include "lib/conform/check.hh"
#include "lib/conform/ratelimit.hh"
#include "lib/pipeline/conform_stage.hh"

namespace pw::conform_app {

struct CheckOutcome {
    const conform::Check* check = nullptr;
    conform::Result result;
};

class Runner {
public:
    // seen: the stage's ring of received frames; rx_ns_offset: their arrival-time field;
    // stream: the slot the stage sends trigger streams from.
    Runner(const Options& opt, app::Program& prog, conform::Setup& setup, Capture& capture,
           rte_ring* seen, int rx_ns_offset, std::atomic<pipeline::ConformStream*>& stream);

    // One control tick: takes what arrived, resumes the run when its wait is over. True once
    // the run has ended.
    bool tick(std::uint64_t now_ns);

    // Set when the run could not start (the RUT unreachable): the one-line reason.
    const std::optional<std::string>& failure() const noexcept { return failure_; }
    const std::vector<CheckOutcome>& outcomes() const noexcept { return outcomes_; }
    const std::vector<conform::Series>& series() const noexcept { return series_; }
    const std::vector<conform::RateModel>& models() const noexcept { return models_; }
    const std::vector<std::string>& notes() const noexcept { return notes_; }
    const std::vector<conform::Experiment>& experiments() const noexcept { return experiments_; }
    std::uint64_t sent_frames() const noexcept { return sent_; }
    std::uint64_t seen_frames() const noexcept { return seen_count_; }

private:
    // What the run waits for.
    struct Wait {
        Runner* r;
        std::uint64_t ns;
        bool early;  // end 50 ms after the first frame the phase collects
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h) noexcept;
        void await_resume() const noexcept {}
    };
    Wait sleep_ms(double ms) { return Wait{this, static_cast<std::uint64_t>(ms * 1e6), false}; }
    // Collects what arrives into ph for ms (ends early when `early` and something came).
    Wait listen(conform::Phase& ph, double ms, bool early = false);

    Task run();
    Task resolve();
    Task discover_mtu();
    Task run_check(const conform::Check& c, unsigned n);
    Task run_series(conform::Series& s, unsigned index);
    // Sends frames (round-robin, at rate, count of them) after a warm-up of their sources and
    // the pause, and counts the errors answering each of keys (by quoted source port).
    Task run_pattern(std::vector<conform::Frame> frames, double rate, std::uint64_t count,
                     std::vector<conform::TallyKey> keys, std::vector<std::uint64_t>& counts);
    // Do two triggers share one per-source bucket; do IPv4 and IPv6 share the global one; in
    // which order do the per-source and global limits apply.
    Task run_experiments();

    void send(const conform::Tx& tx);
    void send_phase(conform::Phase& ph, const std::vector<conform::Tx>& frames);
    void take(rte_mbuf* m);
    unsigned next_alias();

    const Options& opt_;
    app::Program& prog_;
    conform::Setup& setup_;
    Capture& capture_;
    rte_ring* seen_;
    int rx_ns_offset_;
    std::atomic<pipeline::ConformStream*>& stream_slot_;

    Task main_;
    bool started_ = false;
    std::uint64_t now_ = 0;
    std::coroutine_handle<> waiting_;
    std::uint64_t wake_ns_ = 0;
    bool wake_early_ = false;
    conform::Phase* collecting_ = nullptr;
    std::uint64_t first_got_ns_ = 0;

    // The rate-limit step being collected: errors quoting this source port and answering
    // this trigger are its returns.
    struct StepWatch {
        bool on = false;
        std::uint16_t sport = 0;
        conform::Trigger trigger{};
        conform::Family family{};
        std::uint64_t start_ns = 0;
        double rate = 1;
        conform::RateStep* step = nullptr;
    } watch_;
    std::vector<std::unique_ptr<pipeline::ConformStream>> streams_;
    struct Tally {
        bool on = false;
        std::vector<conform::TallyKey> keys;
        std::vector<std::uint64_t>* counts = nullptr;
    } tally_;
    std::vector<conform::Experiment> experiments_;
    std::uint16_t next_sport_ = 0xa000;

    std::optional<std::string> failure_;
    std::vector<CheckOutcome> outcomes_;
    std::vector<conform::Series> series_;
    std::vector<conform::RateModel> models_;
    std::vector<std::string> notes_;
    unsigned alias_cursor_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t seen_count_ = 0;
};

}  // namespace pw::conform_app
