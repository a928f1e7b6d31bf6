// The worker side of in-app capture (--capture): what an lcore receives, transmits and drops,
// copied when the tap is on. The Lcore hands every burst to the tap; when capture is off that
// costs one relaxed load and a branch. When it is on, each frame is formatted with
// rte_pcapng_copy (the same copy dpdk-pdump makes on the worker) into a dedicated capture pool
// and put on a ring that the control lcore drains into the file (apps/skeleton/
// capture_writer). A full pool or ring never blocks a worker: the frame is counted lost.
//
// The copies carry what the writer needs in mbuf fields the writer reads back: the port
// (rte_pcapng_copy sets mbuf->port) and, in hash.usr, the direction and the drop reason.
#pragma once

#include <rte_mbuf.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "lib/wire/drop.hh"

struct rte_ring;

namespace pw::pipeline {

// A bit per wire::Drop: the reasons a drop capture takes.
struct DropMask {
    static constexpr std::size_t words = 4;
    static_assert(wire::drop_count <= 64 * words, "DropMask holds every reason");
    std::array<std::uint64_t, words> w{};
    static DropMask all() noexcept {
        DropMask m;
        m.w.fill(~std::uint64_t{0});
        return m;
    }
    void set(wire::Drop d) noexcept {
        w[static_cast<std::size_t>(d) / 64] |= std::uint64_t{1} << (static_cast<unsigned>(d) % 64);
    }
    bool has(wire::Drop d) const noexcept {
        return (w[static_cast<std::size_t>(d) / 64] >> (static_cast<unsigned>(d) % 64) & 1U) != 0;
    }
};

class CaptureTap {
public:
    // What the tap takes, as bits of one mask (so the test when off is one load).
    enum Dir : std::uint32_t { rx = 1U, tx = 2U, drop = 4U };
    // hash.usr of a copy: (dir << 8) | drop reason.
    static constexpr std::uint32_t tag(Dir d, wire::Drop reason) noexcept {
        return (static_cast<std::uint32_t>(d) << 8) | static_cast<std::uint32_t>(reason);
    }
    static constexpr Dir tag_dir(std::uint32_t t) noexcept { return static_cast<Dir>(t >> 8); }
    static constexpr wire::Drop tag_reason(std::uint32_t t) noexcept {
        return static_cast<wire::Drop>(t & 0xffU);
    }

    CaptureTap() = default;
    CaptureTap(const CaptureTap&) = delete;
    CaptureTap& operator=(const CaptureTap&) = delete;
    ~CaptureTap();

    // Control lcore, once the EAL is up: the copy pool and the ring to the control lcore.
    // frame_max is the largest frame copied whole (longer ones are cut to it). Returns an
    // error line on failure.
    std::string create(unsigned copies, std::uint32_t frame_max);
    bool created() const noexcept { return ring_ != nullptr; }

    // Control lcore: starts taking dirs (a mask of Dir), drops only for the reasons in
    // drop_reasons (a bit per wire::Drop). The settings are published by the store of the mask.
    void enable(std::uint32_t dirs, const DropMask& drop_reasons) noexcept;
    void disable() noexcept { mask_.store(0, std::memory_order_release); }
    std::uint32_t mask() const noexcept { return mask_.load(std::memory_order_relaxed); }

    // Worker side: the one test made per burst when capture is off.
    bool wants(Dir d) const noexcept { return (mask_.load(std::memory_order_relaxed) & d) != 0; }
    void take_rx(std::uint16_t port, std::uint16_t queue, rte_mbuf* const* pkts, std::uint16_t n,
                 std::uint64_t tsc) noexcept;
    void take_tx(std::uint16_t port, std::uint16_t queue, rte_mbuf* const* pkts, std::uint16_t n,
                 std::uint64_t tsc) noexcept;
    void take_drop(std::uint16_t port, const rte_mbuf* m, wire::Drop reason,
                   std::uint64_t tsc) noexcept;

    // Control lcore: up to n copies from the ring; the caller writes and frees them.
    unsigned dequeue(rte_mbuf** out, unsigned n) noexcept;
    // Frames not captured for want of a copy or room on the ring.
    std::uint64_t lost() const noexcept { return lost_.load(std::memory_order_relaxed); }
    rte_mempool* pool() const noexcept { return pool_; }

private:
    void take(std::uint16_t port, std::uint16_t queue, rte_mbuf* const* pkts, std::uint16_t n,
              std::uint64_t tsc, Dir d, wire::Drop reason) noexcept;
    // Onto the ring; what does not fit is freed and counted lost.
    void enqueue(rte_mbuf** copies, unsigned k) noexcept;

    alignas(64) std::atomic<std::uint32_t> mask_{0};
    std::array<std::atomic<std::uint64_t>, DropMask::words> drop_reasons_{};
    std::uint32_t frame_max_ = 0;
    // The packet's time, as the TSC when it was seen in ns since the epoch: DPDK 22.11's
    // rte_pcapng calibrates its own conversion in a constructor, before the EAL knows the TSC
    // frequency, and stamps hours off; the tap writes the EPB timestamp itself.
    std::uint64_t tsc0_ = 0;
    std::uint64_t epoch_ns0_ = 0;
    std::uint64_t ns_mult_ = 0;  // ns = (tsc - tsc0) * ns_mult >> 32
    rte_ring* ring_ = nullptr;
    rte_mempool* pool_ = nullptr;
    alignas(64) std::atomic<std::uint64_t> lost_{0};
};

// The tap every Lcore points at when the program has none (component tests, benchmarks):
// always off.
inline CaptureTap no_capture_tap;

}  // namespace pw::pipeline
