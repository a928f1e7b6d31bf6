// The per-lcore burst loop: rx burst -> host_input per packet -> tx burst of the replies on
// the same port. Run to completion, shared nothing: a worker owns its RX queues and one TX
// queue on each port it serves.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "lib/pipeline/counters.hh"
#include "lib/route/interfaces.hh"

namespace pw::pipeline {

inline constexpr std::uint16_t burst_size = 32;

struct RxQueue {
    std::uint16_t port = 0;
    std::uint16_t queue = 0;
    std::uint16_t tx_queue = 0;  // this worker's TX queue on the same port
};

struct WorkerConfig {
    std::vector<RxQueue> rx;  // control path only: copied into a fixed array by Worker
};

class Worker {
public:
    static constexpr std::size_t max_rx_queues = 64;

    // interfaces and counters outlive the worker; counters is this worker's own block.
    Worker(const WorkerConfig& cfg, const route::InterfaceTable& interfaces, LcoreCounters& counters);

    // One pass over every RX queue. Returns the number of packets received.
    unsigned poll_once() noexcept;
    // Polls until stop becomes true.
    void run(const std::atomic<bool>& stop) noexcept;

private:
    unsigned poll_queue(const RxQueue& q) noexcept;

    std::array<RxQueue, max_rx_queues> rx_{};
    std::size_t n_rx_ = 0;
    const route::InterfaceTable* interfaces_;
    LcoreCounters* counters_;
};

}  // namespace pw::pipeline
