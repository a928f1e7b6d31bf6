// The generic lcore runtime: one per worker lcore, shared nothing. It owns the lcore's RX
// queue list, one TX buffer per port (drained when it holds a burst, on a TSC deadline as
// l3fwd does, and when the lcore goes idle), the clock, the base counters, the drain of the
// control lcore's ring and the run loop. A program plugs in one stage, resolved at compile
// time (no virtual call per packet):
//
//     struct MyStage {
//         // Owns the n mbufs: each one is sent (lcore.send), dropped (lcore.drop) or kept.
//         void on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& lcore) noexcept;
//         // Every round of the loop, packets or not: timers, pacing, generation.
//         void on_tick(Lcore& lcore) noexcept;
//         // Once, after the last round: send or free whatever the stage still holds.
//         void on_stop(Lcore& lcore) noexcept;
//     };
//     Runtime<MyStage> rt(config, stage, counters);   rt.run(stop);
#pragma once

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <array>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <vector>

#include "lib/pipeline/base_counters.hh"
#include "lib/pipeline/capture_tap.hh"

namespace pw::pipeline {

inline constexpr std::uint16_t burst_size = 32;

struct RxQueue {
    std::uint16_t port = 0;
    std::uint16_t queue = 0;
};

__extension__ typedef unsigned __int128 u128;

// The TSC as a monotonic nanosecond clock from a start point.
struct Clock {
    std::uint64_t tsc_at_start = 0;
    std::uint64_t tsc_hz = 0;
    // ns = (tsc - start) * mult >> 32, in 128 bits: no division per read.
    std::uint64_t mult = 0;

    static Clock from_now() noexcept { return of(rte_get_tsc_cycles(), rte_get_tsc_hz()); }
    static Clock of(std::uint64_t start, std::uint64_t hz) noexcept {
        Clock c;
        c.tsc_at_start = start;
        c.tsc_hz = hz;
        c.mult = static_cast<std::uint64_t>((static_cast<u128>(1'000'000'000U) << 32) / hz);
        return c;
    }
    std::uint64_t ns_of(std::uint64_t tsc) const noexcept {
        return static_cast<std::uint64_t>((static_cast<u128>(tsc - tsc_at_start) * mult) >> 32);
    }
    std::uint64_t now_ns() const noexcept { return ns_of(rte_get_tsc_cycles()); }
};

struct LcoreConfig {
    std::vector<RxQueue> rx;  // the RX queues this lcore polls
    // This lcore's TX queue on each port (ports it does not poll included: errors and
    // forwarded packets may leave by any port).
    std::array<std::uint16_t, route::max_ports> tx_queue{};
    rte_ring* from_control = nullptr;  // frames the control lcore asks this lcore to send
    rte_mempool* pool = nullptr;       // for frames the stage builds
    unsigned index = 0;                // worker number, 0..workers-1
    Clock clock;
    std::uint64_t drain_us = 100;  // TX buffers drained at least this often (l3fwd: 100 us)
    // Live reload: the lcore reports a quiescent state (thread id = index) after every round,
    // when it holds no reference into what the control lcore may replace; null: never.
    rte_rcu_qsbr* qsbr = nullptr;
    CaptureTap* capture = nullptr;  // --capture (nullptr: never on)
};

// What a stage sees of the runtime: the clock, the pool, transmission and drops.
class Lcore {
public:
    static constexpr std::uint16_t tx_capacity = 2 * burst_size;

    Lcore(const LcoreConfig& cfg, LcoreBase& counters) noexcept
        : counters_(&counters),
          tx_queue_(cfg.tx_queue),
          pool_(cfg.pool),
          clock_(cfg.clock),
          index_(cfg.index),
          capture_(cfg.capture != nullptr ? cfg.capture : &no_capture_tap) {
        update_clock();
    }

    std::uint64_t now_ns() const noexcept { return now_ns_; }
    std::uint64_t tsc() const noexcept { return tsc_; }
    void update_clock() noexcept {
        tsc_ = rte_get_tsc_cycles();
        now_ns_ = clock_.ns_of(tsc_);
    }
    const Clock& clock() const noexcept { return clock_; }
    rte_mempool* pool() const noexcept { return pool_; }
    unsigned index() const noexcept { return index_; }
    BaseCounters& counters(std::uint16_t port) noexcept { return counters_->port[port]; }
    CaptureTap& capture() noexcept { return *capture_; }

    // Queues m for port's TX queue; sent when the buffer holds a burst, at the drain deadline
    // or when the lcore is idle. What the queue refuses is freed and counted by kind.
    void send(std::uint16_t port, rte_mbuf* m, TxKind kind) noexcept {
        TxBuffer& b = tx_[port];
        b.pkts[b.n] = m;
        b.kind[b.n] = kind;
        ++counters_->port[port].sent[static_cast<std::size_t>(kind)];
        if (++b.n == 1) dirty_ |= 1U << port;
        if (b.n >= burst_size) flush(port);
    }
    // Frees m, counted under reason on port.
    void drop(std::uint16_t port, rte_mbuf* m, wire::Drop reason) noexcept {
        ++counters_->port[port].drops[static_cast<std::size_t>(reason)];
        if (capture_->wants(CaptureTap::drop)) capture_->take_drop(port, m, reason, tsc_);
        rte_pktmbuf_free(m);
    }
    void count_drop(std::uint16_t port, wire::Drop reason, std::uint64_t n = 1) noexcept {
        counters_->port[port].drops[static_cast<std::size_t>(reason)] += n;
    }

    void flush(std::uint16_t port) noexcept {
        TxBuffer& b = tx_[port];
        dirty_ &= ~(1U << port);
        if (b.n == 0) return;
        if (capture_->wants(CaptureTap::tx))
            capture_->take_tx(port, tx_queue_[port], b.pkts, b.n, tsc_);
        const std::uint16_t sent = rte_eth_tx_burst(port, tx_queue_[port], b.pkts, b.n);
        BaseCounters& c = counters_->port[port];
        c.tx += sent;
        // Counted as sent when queued; the refused ones (rare) move to refused, one by one.
        for (std::uint16_t i = sent; i < b.n; ++i) {
            const auto k = static_cast<std::size_t>(b.kind[i]);
            --c.sent[k];
            ++c.refused[k];
        }
        if (sent < b.n) rte_pktmbuf_free_bulk(b.pkts + sent, b.n - sent);
        b.n = 0;
    }
    // Sends n frames now, after what the port's buffer already holds (order kept), and returns
    // how many the TX queue took, counted as sent; the caller keeps the rest (a generator that
    // counts only what left, and retries the others).
    std::uint16_t send_now(std::uint16_t port, rte_mbuf** pkts, std::uint16_t n,
                           TxKind kind) noexcept {
        flush(port);
        if (capture_->wants(CaptureTap::tx))
            capture_->take_tx(port, tx_queue_[port], pkts, n, tsc_);
        const std::uint16_t sent = rte_eth_tx_burst(port, tx_queue_[port], pkts, n);
        BaseCounters& c = counters_->port[port];
        c.tx += sent;
        c.sent[static_cast<std::size_t>(kind)] += sent;
        return sent;
    }
    void flush_all() noexcept {
        while (dirty_ != 0) flush(static_cast<std::uint16_t>(__builtin_ctz(dirty_)));
    }

private:
    struct TxBuffer {
        std::uint16_t n = 0;
        std::array<TxKind, tx_capacity> kind{};
        rte_mbuf* pkts[tx_capacity];
    };
    static_assert(route::max_ports <= 32, "dirty_ is a 32-bit port mask");

    LcoreBase* counters_;
    std::array<std::uint16_t, route::max_ports> tx_queue_;
    rte_mempool* pool_;
    Clock clock_;
    unsigned index_;
    CaptureTap* capture_;  // never null: no_capture_tap when the program has none
    std::uint64_t tsc_ = 0;
    std::uint64_t now_ns_ = 0;
    std::uint32_t dirty_ = 0;  // ports whose buffer holds frames
    std::array<TxBuffer, route::max_ports> tx_{};
};

template <class S>
concept Stage = requires(S& s, rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) {
    { s.on_burst(pkts, n, q, l) }
    noexcept;
    { s.on_tick(l) }
    noexcept;
    { s.on_stop(l) }
    noexcept;
};

template <Stage S>
class Runtime {
public:
    static constexpr std::size_t max_rx_queues = 64;

    // stage and counters outlive the runtime; counters is this lcore's own block.
    Runtime(const LcoreConfig& cfg, S& stage, LcoreBase& counters) noexcept
        : lcore_(cfg, counters), stage_(&stage), from_control_(cfg.from_control), qsbr_(cfg.qsbr) {
        for (const auto& q : cfg.rx)
            if (n_rx_ < rx_.size()) rx_[n_rx_++] = q;
        drain_tsc_ = cfg.clock.tsc_hz / 1'000'000U * cfg.drain_us;
        last_drain_ = lcore_.tsc();
    }

    // One round: every RX queue, the stage's tick, the TX drain. Returns packets received.
    unsigned poll_once() noexcept {
        unsigned total = 0;
        for (std::size_t i = 0; i < n_rx_; ++i) {
            const RxQueue& q = rx_[i];
            rte_mbuf* pkts[burst_size];
            const std::uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, burst_size);
            if (n == 0) continue;
            lcore_.update_clock();
            lcore_.counters(q.port).rx += n;
            if (lcore_.capture().wants(CaptureTap::rx))
                lcore_.capture().take_rx(q.port, q.queue, pkts, n, lcore_.tsc());
            stage_->on_burst(pkts, n, q, lcore_);
            total += n;
        }
        if (total == 0) lcore_.update_clock();
        stage_->on_tick(lcore_);
        // Drained when idle (low latency at low rates) or on the deadline (full bursts at high
        // rates, however many ports the frames leave by).
        if (total == 0 || lcore_.tsc() - last_drain_ >= drain_tsc_) {
            drain_control();
            lcore_.flush_all();
            last_drain_ = lcore_.tsc();
        }
        return total;
    }

    void run(const std::atomic<bool>& stop) noexcept {
        if (qsbr_ != nullptr) rte_rcu_qsbr_thread_online(qsbr_, lcore_.index());
        while (!stop.load(std::memory_order_relaxed)) {
            poll_once();
            if (qsbr_ != nullptr) quiescent();
        }
        finish();
        if (qsbr_ != nullptr) rte_rcu_qsbr_thread_offline(qsbr_, lcore_.index());
    }

    // After the last poll_once: the stage lets go of what it holds, everything is sent.
    void finish() noexcept {
        lcore_.update_clock();
        stage_->on_stop(lcore_);
        drain_control();
        lcore_.flush_all();
    }

    Lcore& lcore() noexcept { return lcore_; }

private:
    // Between rounds: nothing of the old configuration is held; a stage that follows a live
    // configuration (on_quiescent) picks up the current one now, after the report, so the
    // control lcore's grace period covers what it read before.
    void quiescent() noexcept {
        rte_rcu_qsbr_quiescent(qsbr_, lcore_.index());
        if constexpr (requires(S & s, Lcore & l) { s.on_quiescent(l); })
            stage_->on_quiescent(lcore_);
    }

    // Frames from the control lcore (ARP requests, solicitations): mbuf->port says where.
    void drain_control() noexcept {
        if (from_control_ == nullptr) return;
        rte_mbuf* ms[burst_size];
        const unsigned n = rte_ring_dequeue_burst(from_control_, reinterpret_cast<void**>(ms),
                                                  burst_size, nullptr);
        for (unsigned i = 0; i < n; ++i) lcore_.send(ms[i]->port, ms[i], TxKind::generated);
    }

    Lcore lcore_;
    S* stage_;
    rte_ring* from_control_;
    rte_rcu_qsbr* qsbr_;
    std::array<RxQueue, max_rx_queues> rx_{};
    std::size_t n_rx_ = 0;
    std::uint64_t drain_tsc_ = 0;
    std::uint64_t last_drain_ = 0;
};

}  // namespace pw::pipeline
