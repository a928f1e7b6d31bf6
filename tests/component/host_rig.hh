// A host stage on the lcore runtime, polled by hand from the test's thread, with the counters
// of a port read back under their old flat names (rx, answered, held, drops[...]).
#pragma once

#include <rte_cycles.h>

#include <memory>
#include <vector>

#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/runtime.hh"

namespace pw::test {

// One port's counters as the balance names them (PortReport, flattened).
struct Counts {
    std::uint64_t rx = 0, tx = 0, answered = 0, forwarded = 0, held = 0, generated = 0;
    std::uint64_t fwd_sent = 0, fwd_failed = 0, generated_failed = 0, datagrams = 0;
    std::array<std::uint64_t, icmp::reply_count> replies{};
    std::array<std::uint64_t, wire::drop_count> drops{};
    icmp::IcmpStats icmp;
    std::uint64_t dropped() const noexcept {
        std::uint64_t s = 0;
        for (auto d : drops) s += d;
        return s;
    }
};

inline Counts flatten(const pipeline::PortReport& r) {
    Counts c;
    c.rx = r.base.rx;
    c.tx = r.base.tx;
    c.answered = r.answered();
    c.forwarded = r.host.forwarded;
    c.held = r.host.held;
    c.generated = r.generated();
    c.fwd_sent = r.fwd_sent();
    c.fwd_failed = r.fwd_failed();
    c.generated_failed = r.generated_failed();
    c.datagrams = r.host.datagrams;
    c.replies = r.host.replies;
    for (std::size_t i = 0; i < c.drops.size(); ++i)
        c.drops[i] = r.drops(static_cast<wire::Drop>(i));
    c.icmp = r.host.icmp;
    return c;
}

struct HostRig {
    std::vector<pipeline::LcoreBase> base{1};
    std::vector<pipeline::LcoreHost> host{1};
    std::unique_ptr<pipeline::HostStage> stage;
    std::unique_ptr<pipeline::Runtime<pipeline::HostStage>> rt;

    // rx: the queues polled; the rig transmits on queue `index` of every port. drain_us 0: the
    // TX buffers are drained at the end of every round, so one poll_once shows its output.
    HostRig(const pipeline::HostEnv& env, std::vector<pipeline::RxQueue> rx, rte_mempool* pool,
            rte_ring* from_control = nullptr, unsigned index = 0) {
        pipeline::LcoreConfig cfg;
        cfg.rx = std::move(rx);
        cfg.from_control = from_control;
        cfg.pool = pool;
        cfg.index = index;
        cfg.clock = pipeline::Clock::from_now();
        cfg.drain_us = 0;
        cfg.tx_queue.fill(static_cast<std::uint16_t>(index));
        stage = std::make_unique<pipeline::HostStage>(env, host[0], index);
        rt = std::make_unique<pipeline::Runtime<pipeline::HostStage>>(cfg, *stage, base[0]);
    }
    ~HostRig() {
        if (rt) rt->finish();
    }
    unsigned poll_once() { return rt->poll_once(); }
    Counts c(std::uint16_t port) const { return flatten(pipeline::sum_port(base, host, port)); }
};

}  // namespace pw::test
