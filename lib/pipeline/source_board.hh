// Where a worker publishes what its security-insight tracker knows, for the control lcore to
// read (telemetry /pingwire/sources, Prometheus, the exit summary): its most active sources
// and its counters, written once a second under a sequence lock. The worker never waits; a
// reader that raced a write copies again.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lib/insight/tracker.hh"

namespace pw::pipeline {

struct SourcePage {
    static constexpr std::size_t max_sources = 64;
    std::array<insight::SourceView, max_sources> sources{};
    std::size_t n = 0;
    std::size_t tracked = 0;  // entries in use in the table
    std::size_t capacity = 0;
    insight::TrackerCounters counters{};
    std::uint64_t alerts_lost = 0;  // the alert queue was full
    std::uint64_t at_ns = 0;        // when it was written (the lcore's clock); 0: never
};

class SourceBoard {
public:
    // The worker: fill the page in place, between begin_write() and end_write().
    SourcePage& begin_write() noexcept {
        seq_.fetch_add(1, std::memory_order_relaxed);  // odd: a write is on
        std::atomic_thread_fence(std::memory_order_release);
        return page_;
    }
    void end_write() noexcept { seq_.fetch_add(1, std::memory_order_release); }

    // Any thread: a consistent copy (false when the worker kept writing through 64 tries).
    bool read(SourcePage& out) const noexcept {
        for (int attempt = 0; attempt < 64; ++attempt) {
            const std::uint64_t before = seq_.load(std::memory_order_acquire);
            if ((before & 1U) != 0) continue;
            out = page_;
            std::atomic_thread_fence(std::memory_order_acquire);
            if (seq_.load(std::memory_order_relaxed) == before) return true;
        }
        return false;
    }

private:
    std::atomic<std::uint64_t> seq_{0};
    SourcePage page_{};
};

}  // namespace pw::pipeline
