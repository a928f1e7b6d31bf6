// The program skeleton every pingwire program stands on, so that each main stays thin: the EAL,
// pool sizing, port bring-up (with the IPv6 multicast groups of its addresses), the
// interfaces, the neighbour service, the launch of one lcore runtime per worker, signals, the
// control lcore's tick (neighbours every millisecond, statistics every interval) and the
// summary at exit.
//
//     app::Program prog("pingwire-x");
//     if (auto rc = prog.start(eal_args, common)) return *rc;
//     ... build one stage per worker, using prog.interfaces(), prog.lcore_config(w) ...
//     return prog.run(stages, hooks);
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "apps/skeleton/capture_writer.hh"
#include "apps/skeleton/common_options.hh"
#include "apps/skeleton/neighbour_service.hh"
#include "drivers/port.hh"
#include "lib/pipeline/host_counters.hh"
#include "lib/pipeline/runtime.hh"
#include "lib/route/interfaces.hh"
#include "lib/route/port_spec.hh"
#include "lib/route/route_spec.hh"

struct rte_mempool;
struct rte_rcu_qsbr;

namespace pw::app {

class IntervalStats;
class PortWatch;

// What a program adds to the control lcore's loop.
struct Hooks {
    // The counters: every interval, and at exit (with the devices' own counters).
    std::function<std::string(bool at_exit)> report;
    std::function<std::string()> final_report;       // after the counters at exit (may be empty)
    std::function<void(std::uint64_t now_ns)> tick;  // every control tick (may be empty)
    // SIGHUP or request_reload(): re-read the configuration (control lcore; may be empty).
    std::function<void()> reload;
    // The ICMP errors the rate limits held back so far (per destination, global): a log line
    // a second at most while they grow (may be empty).
    std::function<std::pair<std::uint64_t, std::uint64_t>()> rate_limited;
};

class Program {
public:
    explicit Program(std::string name);
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;
    ~Program();

    // EAL, worker lcores, pool, ports and interfaces. On failure prints one line and returns
    // the exit status (2: the user's mistake, 1: a run-time failure).
    std::optional<int> start(std::vector<char*>& eal_args, const CommonOptions& opt);
    // The neighbour service (router mode, or any program that resolves next hops).
    std::optional<int> enable_neighbours(unsigned capacity,
                                         std::span<const route::NeighSpec> permanent);
    // Live reload: every worker reports a quiescent state after each round of its loop
    // (LcoreConfig::qsbr), so the control lcore can replace what the workers read and free the
    // old after synchronize(). Call after start, before run.
    std::optional<int> enable_rcu();
    // Control lcore: returns once every running worker has passed a quiescent state after the
    // call began (at once when there is no RCU or no worker runs).
    void synchronize() const noexcept;
    // Prints "NAME: error: MSG" and returns 1. What start took is released by the destructor:
    // declare objects holding DPDK memory (a FIB) after the Program, so they go first.
    int fail(const std::string& msg);
    // The same for a mistake of the user's found only once the ports are up (a configuration
    // that contradicts itself): prints "NAME: error: MSG" and returns 2.
    int fail_usage(const std::string& msg);

    std::uint16_t workers() const noexcept { return static_cast<std::uint16_t>(lcores_.size()); }
    rte_mempool* pool() const noexcept { return pool_; }
    const std::vector<drivers::PortInfo>& ports() const noexcept { return ports_; }
    route::InterfaceTable& interfaces() noexcept { return interfaces_; }
    const pipeline::Clock& clock() const noexcept { return clock_; }
    std::vector<pipeline::LcoreBase>& base_counters() noexcept { return base_; }
    NeighbourService* neighbours() noexcept { return neigh_.get(); }
    const std::string& name() const noexcept { return name_; }
    // Worker w: RX queue w of every port that has it, TX queue w of every port, the control
    // ring on worker 0.
    pipeline::LcoreConfig lcore_config(unsigned w) const;
    // "port N: NAME (DRIVER) mac ... mtu ... queues ... link ... addrs ..." per port.
    std::string port_lines() const;
    // A --stats-interval block of one port (call from Hooks::report(false)): the totals as at
    // exit, the device's rates and bytes, the deltas since the previous block
    // (interval_stats.hh).
    std::string interval_report(std::uint16_t port, const std::string& label,
                                const pipeline::PortReport& c);
    // "lcore N: worker W, socket S, rx port P queue Q..., tx queue W on every port" per worker
    // and the control lcore's line.
    std::string lcore_lines() const;
    // The device's own counters (rte_eth_stats) of a port, one line.
    static std::string device_line(std::uint16_t port);
    // "mempool: F of N mbufs free (U in use)": run() prints it last, when the Program is
    // released, after the stages are gone and the ports closed, so U is 0 unless an mbuf
    // leaked. A closed net_af_xdp port keeps its fill ring (as many as it took at start):
    // counted apart, "(0 in use, 2048 kept by net_af_xdp0's fill ring at close)". With a
    // neighbour service the control lcore's own pool is in the count too ("; control pool F
    // of N free").
    std::string mempool_line() const;

    // Launches one Runtime<S> per worker over stages[w], serves the control tick until SIGINT
    // or SIGTERM (or request_stop), stops the workers and prints the final report. Returns the
    // exit status (set_exit_code, default 0);
    // the ports and the EAL stop with the Program, which then prints the mempool line
    // (mempool_line): destroy the stages first (declare them after the Program).
    template <pipeline::Stage S>
    int run(std::vector<std::unique_ptr<S>>& stages, const Hooks& hooks) {
        std::vector<std::unique_ptr<pipeline::Runtime<S>>> rts;
        for (unsigned w = 0; w < workers(); ++w)
            rts.push_back(
                std::make_unique<pipeline::Runtime<S>>(lcore_config(w), *stages[w], base_[w]));
        install_signals();
        for (unsigned w = 0; w < workers(); ++w) launch(&run_runtime<S>, rts[w].get(), w);
        return serve(hooks);
    }

    static const std::atomic<bool>& stop_flag() noexcept;
    // Ends the run as SIGINT does (from the control tick: a program that finishes by itself).
    static void request_stop() noexcept;
    // As SIGHUP: the control loop calls hooks.reload at its next tick.
    static void request_reload() noexcept;
    // What run() returns (default 0); set it any time before run() returns, e.g. in the
    // final report.
    void set_exit_code(int code) noexcept { exit_code_ = code; }

private:
    template <class S>
    static int run_runtime(void* arg) {
        static_cast<pipeline::Runtime<S>*>(arg)->run(stop_flag());
        return 0;
    }
    void install_signals();
    void start_pdump(const std::vector<char*>& eal_args);
    std::optional<int> start_capture(const CommonOptions& opt);
    void launch(int (*fn)(void*), void* arg, unsigned worker);
    int serve(const Hooks& hooks);
    void release();

    std::string name_;
    std::vector<std::string> config_eal_;  // the EAL keeps pointers into its arguments
    std::vector<unsigned> lcores_;
    rte_mempool* pool_ = nullptr;
    rte_mempool* ctl_pool_ = nullptr;         // the control lcore's probes (enable_neighbours)
    rte_rcu_qsbr* qsbr_ = nullptr;            // enable_rcu
    std::unique_ptr<CaptureWriter> capture_;  // in-app capture (--capture, telemetry)
    CaptureSettings capture_settings_;        // what --capture-* say, for every start
    bool pdump_ = false;                      // rte_pdump_init succeeded
    static constexpr unsigned control_mbufs = 1023;
    std::vector<drivers::PortInfo> ports_;
    std::vector<unsigned> held_at_start_;  // per port: mbufs it held once started
    drivers::PacketSocketErrors packet_sockets_;
    route::InterfaceTable interfaces_;
    pipeline::Clock clock_;
    std::vector<pipeline::LcoreBase> base_;
    std::unique_ptr<NeighbourService> neigh_;
    std::unique_ptr<PortWatch> watch_;         // link changes, kernel-side hints (port_watch.hh)
    std::unique_ptr<IntervalStats> interval_;  // --stats-interval's deltas
    double stats_interval_ = 0;
    bool eal_up_ = false;
    bool summary_printed_ = false;
    int exit_code_ = 0;
};

}  // namespace pw::app
