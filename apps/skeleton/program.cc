#include "apps/skeleton/program.hh"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "apps/skeleton/capture_telemetry.hh"
#include "apps/skeleton/cli_errors.hh"
#include "apps/skeleton/interval_stats.hh"
#include "apps/skeleton/port_watch.hh"
#include "drivers/eal.hh"
#include "drivers/instance_lock.hh"
#include "drivers/kernel_iface.hh"
#include "drivers/log.hh"
#include "drivers/mempool.hh"

namespace pw::app {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

extern "C" void on_signal(int) {
    g_stop.store(true, std::memory_order_relaxed);
}

extern "C" void on_hangup(int) {
    g_reload.store(true, std::memory_order_relaxed);
}

}  // namespace

const std::atomic<bool>& Program::stop_flag() noexcept {
    return g_stop;
}

void Program::request_stop() noexcept {
    g_stop.store(true, std::memory_order_relaxed);
}

void Program::request_reload() noexcept {
    g_reload.store(true, std::memory_order_relaxed);
}

std::optional<int> Program::enable_rcu() {
    const std::size_t size = rte_rcu_qsbr_get_memsize(workers());
    qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("pw_qsbr", size, RTE_CACHE_LINE_SIZE));
    if (qsbr_ == nullptr || rte_rcu_qsbr_init(qsbr_, workers()) != 0)
        return fail("no memory for the RCU state of a live reload");
    for (unsigned w = 0; w < workers(); ++w) rte_rcu_qsbr_thread_register(qsbr_, w);
    return std::nullopt;
}

void Program::synchronize() const noexcept {
    if (qsbr_ != nullptr) rte_rcu_qsbr_synchronize(qsbr_, RTE_QSBR_THRID_INVALID);
}

// dpdk-dumpcap and dpdk-pdump capture a running port as secondary processes: rte_pdump_init
// answers their requests. They cannot attach to a --no-huge primary (it shares no memory);
// said once, with what works instead.
void Program::start_pdump(const std::vector<char*>& eal_args) {
    bool no_huge = false;
    for (const char* a : eal_args) no_huge = no_huge || std::strcmp(a, "--no-huge") == 0;
    if (no_huge) {
        std::printf(
            "%s: note: --no-huge: dpdk-dumpcap cannot attach (it needs hugepages, see "
            "scripts/setup-hugepages); --capture FILE works anyway\n",
            name_.c_str());
        return;
    }
    pdump_ = rte_pdump_init() == 0;
    if (!pdump_)
        std::printf(
            "%s: note: rte_pdump_init failed: dpdk-dumpcap cannot attach; --capture "
            "FILE works anyway\n",
            name_.c_str());
}

// The capture writer (its pool is made at the first start), the telemetry commands, and the
// capture --capture FILE asks for.
std::optional<int> Program::start_capture(const CommonOptions& opt) {
    std::vector<std::uint16_t> ports;
    std::uint32_t frame_max = 2048;
    for (const auto& p : ports_) {
        ports.push_back(p.port);
        // The largest frame copied whole: the MTU, Ethernet and two VLAN tags.
        frame_max = std::max<std::uint32_t>(frame_max, p.mtu + 26U);
    }
    capture_ = std::make_unique<CaptureWriter>(std::move(ports), frame_max, name_);
    CaptureSettings& s = capture_settings_;
    s.file = opt.capture_file;
    s.max_packets = opt.capture_count;
    s.max_bytes = opt.capture_bytes;
    // Checked by the option parser already (common_options.cc).
    if (!opt.capture_dirs.empty())
        s.dirs = std::get<std::uint32_t>(parse_capture_dirs(opt.capture_dirs));
    else
        s.dirs = opt.capture_drops.empty() ? pipeline::CaptureTap::rx | pipeline::CaptureTap::tx
                                           : pipeline::CaptureTap::drop;
    s.drop_reasons = pipeline::DropMask::all();
    if (!opt.capture_drops.empty())
        s.drop_reasons.w =
            std::get<std::array<std::uint64_t, 4>>(parse_capture_drops(opt.capture_drops));
    register_capture_telemetry();
    if (s.file.empty()) return std::nullopt;
    if (auto e = capture_->start(s)) {
        std::fprintf(stderr, "%s: error: --capture %s\n", name_.c_str(), e->c_str());
        return 2;
    }
    return std::nullopt;
}

Program::Program(std::string name) : name_(std::move(name)) {}

Program::~Program() {
    release();
}

void Program::release() {
    neigh_.reset();  // DPDK memory: before the EAL goes
    rte_free(qsbr_);
    qsbr_ = nullptr;
    if (capture_) capture_->stop("exit");  // the workers are gone: the file is complete
    for (const auto& p : ports_) drivers::stop_port(p.port);
    // The mbuf balance, once the stages (destroyed before the Program), the neighbour service
    // and the closed ports have given back what they held: nothing is in use then, or an
    // mbuf leaked. Printed after a run's final counters only (not after a failed start).
    if (pool_ != nullptr && summary_printed_) {
        std::fputs(mempool_line().c_str(), stdout);
        std::fflush(stdout);
    }
    ports_.clear();
    capture_.reset();  // its pool and ring: DPDK memory
    if (pdump_) rte_pdump_uninit();
    pdump_ = false;
    if (eal_up_) drivers::eal_cleanup();
    eal_up_ = false;
}

std::string Program::mempool_line() const {
    const unsigned size = drivers::pool_size(pool_);
    const unsigned avail = drivers::pool_available(pool_);
    // What closed ports keep by design (net_af_xdp's fill rings): as many as they took at
    // start, exactly (see drivers::keeps_rx_buffers_at_close).
    unsigned kept = 0;
    std::string kept_by;
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        if (!drivers::keeps_rx_buffers_at_close(ports_[i].driver)) continue;
        kept += held_at_start_[i];
        kept_by +=
            fmt::format(", {} kept by {}'s fill ring at close", held_at_start_[i], ports_[i].name);
    }
    long in_use = static_cast<long>(size) - avail - kept;
    std::string control;
    if (ctl_pool_ != nullptr) {  // the control lcore's probes (enable_neighbours)
        const unsigned csize = drivers::pool_size(ctl_pool_);
        const unsigned cavail = drivers::pool_available(ctl_pool_);
        in_use += static_cast<long>(csize) - cavail;
        control = fmt::format("; control pool {} of {} free", cavail, csize);
    }
    if (capture_ && capture_->tap()->pool() != nullptr) {  // in-app capture's copies
        const unsigned csize = drivers::pool_size(capture_->tap()->pool());
        const unsigned cavail = drivers::pool_available(capture_->tap()->pool());
        in_use += static_cast<long>(csize) - cavail;
        control += fmt::format("; capture pool {} of {} free", cavail, csize);
    }
    return fmt::format("mempool: {} of {} mbufs free ({} in use{}{})\n", avail, size, in_use,
                       kept_by, control);
}

int Program::fail(const std::string& msg) {
    std::fprintf(stderr, "%s: error: %s\n", name_.c_str(), msg.c_str());
    return 1;
}

int Program::fail_usage(const std::string& msg) {
    fail(msg);
    return 2;
}

std::optional<int> Program::start(std::vector<char*>& eal_args_given, const CommonOptions& opt) {
    // `eal = [...]` in the --config file: used when the command line gives no EAL option.
    std::vector<char*> from_file;
    if (eal_args_given.size() <= 1 && !opt.config_eal.empty()) {
        config_eal_ = opt.config_eal;
        from_file.push_back(eal_args_given.empty() ? name_.data() : eal_args_given[0]);
        for (auto& a : config_eal_) from_file.push_back(a.data());
    }
    std::vector<char*>& eal_args = from_file.empty() ? eal_args_given : from_file;
    // A program option before "--" (EAL would refuse it with its whole usage text).
    if (auto e = misplaced_option(name_, eal_args)) {
        std::fprintf(stderr, "%s: error: %s\n", name_.c_str(), e->c_str());
        return 2;
    }
    // One primary per --file-prefix: said in one line before EAL says it in three.
    if (auto e = drivers::other_primary(eal_args)) {
        std::fprintf(stderr, "%s: error: %s\n", name_.c_str(), e->c_str());
        return 1;
    }
    // The kernel interfaces net_af_packet / net_af_xdp attach to (rte_eal_init reorders args).
    const auto attached = drivers::kernel_attachments(eal_args);
    // A --vdev naming an interface this namespace does not have: the PMD would fail its probe
    // and the EAL go on with no port, so that the error would read "port 0 does not exist".
    for (const auto& a : attached)
        if (!drivers::kernel_iface_state(a.iface).exists) {
            std::fprintf(stderr,
                         "%s: error: --vdev %s,iface=%s: no interface %s in this network namespace "
                         "(`ip link` lists them; run where it is, e.g. ip netns exec NS ...)\n",
                         name_.c_str(), a.device.c_str(), a.iface.c_str(), a.iface.c_str());
            return 2;
        }
    if (auto e = drivers::eal_init(eal_args)) {
        std::fprintf(stderr, "%s: error: %s\n", name_.c_str(), e->c_str());
        return 1;
    }
    eal_up_ = true;
    drivers::log_init(name_.c_str());  // pingwire.* log types, at --log-level's levels
    start_pdump(eal_args);
    stats_interval_ = opt.stats_interval;
    lcores_ = drivers::worker_lcores();
    if (lcores_.empty()) {
        std::fprintf(stderr,
                     "%s: error: no worker lcore: give at least two lcores (e.g. -l 0,1); the "
                     "main lcore does control work only\n",
                     name_.c_str());
        return 2;
    }
    const auto n_workers = workers();

    // Pool: every RX descriptor filled, every TX descriptor in flight, the TX buffers of every
    // worker, per-lcore caches, and headroom for PMDs that keep their own fill ring (af_xdp:
    // 2048 per queue).
    unsigned n_mbufs = opt.mbufs;
    if (n_mbufs == 0) {
        n_mbufs = 4096;
        for (std::size_t i = 0; i < opt.ports.size(); ++i)
            n_mbufs += n_workers * (opt.rx_desc + opt.tx_desc + 2048U +
                                    pipeline::Lcore::tx_capacity + 2U * pipeline::burst_size);
        n_mbufs += (n_workers + 1U) * 256U;
    }
    // NUMA-local: the pool in the memory of the node the NICs are attached to (the RX queues
    // fill from it, the workers build from it); virtual devices have none: the main lcore's.
    // Ports on two nodes share the first one's pool (run one instance per node instead).
    int pool_socket = -1;
    for (const auto& spec : opt.ports)
        if (const int s = drivers::port_socket(spec.port); s >= 0 && pool_socket < 0)
            pool_socket = s;
    auto pool = drivers::make_pktmbuf_pool("pw_mbufs", n_mbufs, 256, pool_socket);
    if (auto* e = std::get_if<std::string>(&pool)) return fail(*e);
    pool_ = std::get<rte_mempool*>(pool);

    for (const auto& spec : opt.ports) {
        drivers::PortSetup s;
        s.port = spec.port;
        s.mac = spec.mac;
        s.mtu = spec.mtu;
        s.rx_queues = n_workers;
        s.tx_queues = n_workers;
        s.rx_desc = static_cast<std::uint16_t>(opt.rx_desc);
        s.tx_desc = static_cast<std::uint16_t>(opt.tx_desc);
        s.pool = pool_;
        const unsigned avail_before = drivers::pool_available(pool_);
        auto r = drivers::setup_port(s);
        if (auto* e = std::get_if<std::string>(&r)) return fail(*e);
        auto info = std::get<drivers::PortInfo>(r);
        ports_.push_back(info);
        // The mbufs the started port holds (RX descriptors, a fill ring): mempool_line.
        held_at_start_.push_back(avail_before - drivers::pool_available(pool_));
        // Each worker transmits on its own queue of every port (shared nothing).
        if (info.tx_queues < n_workers)
            return fail(fmt::format(
                "port {}: {} has {} TX queues, fewer than the {} workers (each needs its own)",
                info.port, info.driver, info.tx_queues, n_workers));
        if (auto e = interfaces_.add(spec, info.mac, info.mtu)) return fail_usage(*e);
        // Join the Ethernet groups of ff02::1 and of the solicited-node group of each address
        // (RFC 4861 7.2.1), now that the link-local address is known.
        // (The VLAN sub-interfaces' too: their frames come in through the port's filter.)
        const auto groups = interfaces_.multicast_groups(spec.port);
        ports_.back().multicast_mode = drivers::join_multicast(spec.port, groups);
        // A --respond IPv6 prefix is in more solicited-node groups than a filter list holds.
        if (ports_.back().multicast_mode == "list" && interfaces_.wants_all_multicast(spec.port) &&
            rte_eth_allmulticast_enable(spec.port) == 0)
            ports_.back().multicast_mode = "allmulti";
    }
    // A worker polling a NIC of another NUMA node reads every frame across the interconnect.
    for (const auto& p : ports_)
        for (unsigned w = 0; w < n_workers; ++w)
            if (p.socket >= 0 && w < p.rx_queues &&
                rte_lcore_to_socket_id(lcores_[w]) != static_cast<unsigned>(p.socket))
                std::printf(
                    "%s: note: lcore %u (socket %u) polls port %u on socket %d: give it "
                    "lcores of node %d (-l; lscpu shows them)\n",
                    name_.c_str(), lcores_[w], rte_lcore_to_socket_id(lcores_[w]), p.port, p.socket,
                    p.socket);
    if (auto rc = start_capture(opt)) return rc;
    base_.resize(n_workers);
    clock_ = pipeline::Clock::from_now();
    packet_sockets_.collect();  // net_af_packet's, cleared on every control tick
    // Links, the kernel's side of shared interfaces (warned now), --stats-interval's deltas.
    watch_ = std::make_unique<PortWatch>(ports_, attached);
    interval_ = std::make_unique<IntervalStats>();
    return std::nullopt;
}

std::optional<int> Program::enable_neighbours(unsigned capacity,
                                              std::span<const route::NeighSpec> permanent) {
    // The control lcore's ARP requests and Neighbor Solicitations come from a pool of their own
    // (no lcore cache): however short the packet pool runs -- mbufs held for unresolved next
    // hops, the rest in the workers' lcore caches, where the control lcore cannot reach them --
    // it can still ask for the next hops whose answers end the shortage.
    auto ctl = drivers::make_pktmbuf_pool("pw_ctl_mbufs", control_mbufs, 0);
    if (auto* e = std::get_if<std::string>(&ctl)) return fail(*e);
    ctl_pool_ = std::get<rte_mempool*>(ctl);
    neigh_ = std::make_unique<NeighbourService>();
    if (auto e = neigh_->build(capacity, permanent, interfaces_, ctl_pool_)) {
        fail(e->what);
        return e->code;
    }
    return std::nullopt;
}

pipeline::LcoreConfig Program::lcore_config(unsigned w) const {
    pipeline::LcoreConfig c;
    for (const auto& p : ports_) {
        if (w < p.rx_queues) c.rx.push_back({p.port, static_cast<std::uint16_t>(w)});
        c.tx_queue[p.port] = static_cast<std::uint16_t>(w);
    }
    if (w == 0 && neigh_) c.from_control = neigh_->to_worker();
    c.pool = pool_;
    c.index = w;
    c.clock = clock_;
    c.qsbr = qsbr_;
    c.capture = capture_ ? capture_->tap() : nullptr;
    return c;
}

std::string Program::port_lines() const {
    std::string s;
    for (const auto& p : ports_) {
        const auto* ifc = interfaces_.find(p.port);
        std::string addrs;
        for (std::size_t i = 0; i < ifc->n4; ++i)
            addrs += fmt::format(" {}/{}", ifc->v4[i].addr.to_string(), ifc->v4[i].len);
        for (std::size_t i = 0; i < ifc->n6; ++i)
            addrs += fmt::format(" {}/{}", ifc->v6[i].addr.to_string(), ifc->v6[i].len);
        s += fmt::format(
            "port {}: {} ({}) mac {}{} mtu {} queues {}{} link {} multicast {} socket {} "
            "offloads {} addrs{}\n",
            p.port, p.name, p.driver, p.mac.to_string(), p.software_mac ? " (software)" : "", p.mtu,
            p.rx_queues, p.rss.empty() ? "" : " rss " + p.rss, p.link_up ? "up" : "down",
            p.multicast_mode, p.socket < 0 ? std::string("any") : std::to_string(p.socket),
            p.offloads, addrs);
    }
    return s;
}

std::string Program::interval_report(std::uint16_t port, const std::string& label,
                                     const pipeline::PortReport& c) {
    return interval_ ? interval_->port_block(port, label, c) : std::string();
}

std::string Program::lcore_lines() const {
    std::string s = fmt::format(
        "lcore {}: control (main lcore), socket {}: neighbours, telemetry, statistics, logs\n",
        rte_get_main_lcore(), rte_lcore_to_socket_id(rte_get_main_lcore()));
    for (unsigned w = 0; w < workers(); ++w) {
        const auto c = lcore_config(w);
        std::string rx;
        for (const auto& q : c.rx)
            rx += fmt::format("{}port {} queue {}", rx.empty() ? "" : ", ", q.port, q.queue);
        s += fmt::format("lcore {}: worker {}, socket {}, rx {}; tx queue {} of every port{}\n",
                         lcores_[w], w, rte_lcore_to_socket_id(lcores_[w]),
                         rx.empty() ? "none" : rx, w, w == 0 && neigh_ ? "; the control ring" : "");
    }
    return s;
}

std::string Program::device_line(std::uint16_t port) {
    const auto d = drivers::device_stats(port);
    return fmt::format(
        "  device: ipackets {} opackets {} imissed {} ierrors {} oerrors {} rx_nombuf {}\n",
        d.ipackets, d.opackets, d.imissed, d.ierrors, d.oerrors, d.rx_nombuf);
}

void Program::install_signals() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGHUP, on_hangup);  // a program without a reload hook stops on it (serve)
}

void Program::launch(int (*fn)(void*), void* arg, unsigned worker) {
    rte_eal_remote_launch(fn, arg, lcores_[worker]);
}

int Program::serve(const Hooks& hooks) {
    std::fputs(port_lines().c_str(), stdout);
    std::fputs(lcore_lines().c_str(), stdout);
    std::printf("%s: ready (%zu ports, %u workers)\n", name_.c_str(), ports_.size(), workers());
    std::fflush(stdout);

    using clock = std::chrono::steady_clock;
    const auto interval =
        std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(stats_interval_));
    auto next_stats = clock::now() + interval;
    // The control lcore's work: neighbour resolution (every millisecond when there is a
    // neighbour service), the program's tick, statistics.
    const auto tick = std::chrono::milliseconds(neigh_ ? 1 : 50);
    while (!g_stop.load(std::memory_order_relaxed)) {
        std::this_thread::sleep_for(tick);
        const std::uint64_t now = clock_.now_ns();
        // A link that went down leaves ENETDOWN pending on net_af_packet's sockets; cleared
        // here, the workers' first send after the link is back does not fail on it.
        if (packet_sockets_.size() != 0) packet_sockets_.clear();
        if (neigh_) neigh_->poll(now);
        if (hooks.tick) hooks.tick(now);
        if (watch_) watch_->poll(base_, hooks.rate_limited);  // every ~100 ms
        if (capture_) {
            capture_requests().serve(*capture_, capture_settings_);  // telemetry's start, stop
            capture_->poll();
        }
        if (g_reload.exchange(false, std::memory_order_relaxed)) {
            if (!hooks.reload) {  // SIGHUP's default: the end of the run
                g_stop.store(true, std::memory_order_relaxed);
                break;
            }
            hooks.reload();
        }
        if (stats_interval_ > 0 && clock::now() >= next_stats) {
            if (interval_) {
                interval_->snapshot(ports_);
                std::fputs(interval_->header().c_str(), stdout);
            }
            if (hooks.report) std::fputs(hooks.report(false).c_str(), stdout);
            std::fflush(stdout);
            next_stats += interval;
        }
    }
    rte_eal_mp_wait_lcore();
    std::printf("%s: stopping; final counters:\n", name_.c_str());
    if (hooks.report) std::fputs(hooks.report(true).c_str(), stdout);
    if (hooks.final_report) std::fputs(hooks.final_report().c_str(), stdout);
    if (capture_) {
        capture_->stop("exit");
        std::fputs(capture_->summary_line().c_str(), stdout);
    }
    std::fflush(stdout);
    summary_printed_ = true;  // the mempool line follows when the Program is released
    return exit_code_;
}

}  // namespace pw::app
