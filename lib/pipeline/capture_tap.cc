// rte_pcapng is experimental in DPDK 22.11.
#define ALLOW_EXPERIMENTAL_API 1

#include "lib/pipeline/capture_tap.hh"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pcapng.h>
#include <rte_ring.h>

#include <chrono>
#include <cstring>

namespace pw::pipeline {

CaptureTap::~CaptureTap() {
    if (ring_ != nullptr) {
        rte_mbuf* ms[64];
        unsigned n;
        while ((n = dequeue(ms, 64)) > 0) rte_pktmbuf_free_bulk(ms, n);
        rte_ring_free(ring_);
    }
    if (pool_ != nullptr) rte_mempool_free(pool_);
}

std::string CaptureTap::create(unsigned copies, std::uint32_t frame_max) {
    frame_max_ = frame_max;
    tsc0_ = rte_get_tsc_cycles();
    epoch_ns0_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
    __extension__ typedef unsigned __int128 u128;
    ns_mult_ =
        static_cast<std::uint64_t>((static_cast<u128>(1'000'000'000U) << 32) / rte_get_tsc_hz());
    // The ring holds every copy the pool has: a full pool, not the ring, is what loses frames.
    unsigned ring_size = 1;
    while (ring_size <= copies) ring_size <<= 1;
    // Many workers enqueue, the control lcore alone dequeues.
    ring_ = rte_ring_create("pw_capture_ring", ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
    // No lcore cache: the control lcore frees what the workers took, and the mempool line at
    // exit counts every copy given back.
    pool_ = rte_pktmbuf_pool_create("pw_capture_pool", copies, 0, 0,
                                    static_cast<std::uint16_t>(rte_pcapng_mbuf_size(frame_max)),
                                    static_cast<int>(rte_socket_id()));
    if (ring_ == nullptr || pool_ == nullptr) {
        const int err = rte_errno;
        rte_ring_free(ring_);
        rte_mempool_free(pool_);
        ring_ = nullptr;
        pool_ = nullptr;
        return std::string("capture: cannot create the capture pool of ") + std::to_string(copies) +
               " copies: " + rte_strerror(err) + " (give EAL more memory with -m)";
    }
    return {};
}

void CaptureTap::enable(std::uint32_t dirs, const DropMask& drop_reasons) noexcept {
    for (std::size_t i = 0; i < DropMask::words; ++i)
        drop_reasons_[i].store(drop_reasons.w[i], std::memory_order_relaxed);
    mask_.store(ring_ != nullptr ? dirs : 0U, std::memory_order_release);
}

void CaptureTap::take(std::uint16_t port, std::uint16_t queue, rte_mbuf* const* pkts,
                      std::uint16_t n, std::uint64_t tsc, Dir d, wire::Drop reason) noexcept {
    // The pool and ring the control lcore made before it turned the tap on.
    std::atomic_thread_fence(std::memory_order_acquire);
    rte_mbuf* copies[64];
    unsigned k = 0;
    const auto dir = d == tx ? RTE_PCAPNG_DIRECTION_OUT : RTE_PCAPNG_DIRECTION_IN;
    for (std::uint16_t i = 0; i < n; ++i) {
        rte_mbuf* c = rte_pcapng_copy(port, queue, pkts[i], pool_, frame_max_, tsc, dir);
        if (c == nullptr) {
            lost_.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        c->hash.usr = tag(d, reason);
        // The EPB's timestamp (pcapng 4.3: high and low 32 bits at offsets 12 and 16).
        __extension__ typedef unsigned __int128 u128;
        const std::uint64_t ns =
            epoch_ns0_ + static_cast<std::uint64_t>(
                             (static_cast<u128>(tsc > tsc0_ ? tsc - tsc0_ : 0) * ns_mult_) >> 32);
        const std::uint32_t hi = static_cast<std::uint32_t>(ns >> 32);
        const std::uint32_t lo = static_cast<std::uint32_t>(ns);
        auto* epb = rte_pktmbuf_mtod(c, std::uint8_t*);
        std::memcpy(epb + 12, &hi, 4);
        std::memcpy(epb + 16, &lo, 4);
        copies[k++] = c;
        if (k == 64) {
            enqueue(copies, k);
            k = 0;
        }
    }
    if (k > 0) enqueue(copies, k);  // whether or not the last copy failed
}

void CaptureTap::enqueue(rte_mbuf** copies, unsigned k) noexcept {
    const unsigned q = rte_ring_enqueue_burst(ring_, reinterpret_cast<void**>(copies), k, nullptr);
    if (q < k) {
        lost_.fetch_add(k - q, std::memory_order_relaxed);
        rte_pktmbuf_free_bulk(copies + q, k - q);
    }
}

void CaptureTap::take_rx(std::uint16_t port, std::uint16_t queue, rte_mbuf* const* pkts,
                         std::uint16_t n, std::uint64_t tsc) noexcept {
    take(port, queue, pkts, n, tsc, rx, wire::Drop{});
}

void CaptureTap::take_tx(std::uint16_t port, std::uint16_t queue, rte_mbuf* const* pkts,
                         std::uint16_t n, std::uint64_t tsc) noexcept {
    take(port, queue, pkts, n, tsc, tx, wire::Drop{});
}

void CaptureTap::take_drop(std::uint16_t port, const rte_mbuf* m, wire::Drop reason,
                           std::uint64_t tsc) noexcept {
    const auto bit = static_cast<unsigned>(reason);
    if ((drop_reasons_[bit / 64].load(std::memory_order_relaxed) >> (bit % 64) & 1U) == 0) return;
    rte_mbuf* p = const_cast<rte_mbuf*>(m);  // rte_pcapng_copy only reads it
    take(port, 0, &p, 1, tsc, drop, reason);
}

unsigned CaptureTap::dequeue(rte_mbuf** out, unsigned n) noexcept {
    if (ring_ == nullptr) return 0;
    return rte_ring_dequeue_burst(ring_, reinterpret_cast<void**>(out), n, nullptr);
}

}  // namespace pw::pipeline
