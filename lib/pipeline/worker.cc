#include "lib/pipeline/worker.hh"

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "lib/icmp/host_input.hh"
#include "lib/pipeline/mbuf_bytes.hh"

namespace pw::pipeline {

namespace {
constexpr unsigned prefetch_ahead = 3;
}

Worker::Worker(const WorkerConfig& cfg, const route::InterfaceTable& interfaces, LcoreCounters& counters)
    : interfaces_(&interfaces), counters_(&counters) {
    for (const auto& q : cfg.rx) {
        if (n_rx_ == rx_.size()) break;
        rx_[n_rx_++] = q;
    }
}

unsigned Worker::poll_queue(const RxQueue& q) noexcept {
    rte_mbuf* pkts[burst_size];
    const std::uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, burst_size);
    if (n == 0) return 0;
    PortCounters& pc = counters_->port[q.port];
    pc.rx += n;
    const icmp::Iface* iface = interfaces_->find(q.port);

    rte_mbuf* out[burst_size];
    std::uint16_t n_out = 0;
    for (unsigned i = 0; i < prefetch_ahead && i < n; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
    for (std::uint16_t i = 0; i < n; ++i) {
        if (i + prefetch_ahead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + prefetch_ahead], void*));
        rte_mbuf* m = pkts[i];
        // Handlers read contiguous bytes: a chained frame is copied into its first segment
        // when it fits there, else dropped and counted.
        if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
            ++pc.drops[static_cast<std::size_t>(wire::Drop::multi_segment)];
            rte_pktmbuf_free(m);
            continue;
        }
        const icmp::Verdict v = icmp::host_input(frame_room(m), m->data_len, *iface);
        if (v.reply) {
            set_frame_len(m, v.len);
            m->ol_flags = 0;
            ++pc.replies[static_cast<std::size_t>(v.kind)];
            out[n_out++] = m;
        } else {
            ++pc.drops[static_cast<std::size_t>(v.drop)];
            rte_pktmbuf_free(m);
        }
    }
    if (n_out != 0) {
        const std::uint16_t sent = rte_eth_tx_burst(q.port, q.tx_queue, out, n_out);
        pc.tx += sent;
        if (sent < n_out) {
            // What the TX queue refuses is freed and counted, never leaked.
            pc.drops[static_cast<std::size_t>(wire::Drop::tx_full)] += n_out - sent;
            rte_pktmbuf_free_bulk(out + sent, n_out - sent);
        }
    }
    return n;
}

unsigned Worker::poll_once() noexcept {
    unsigned total = 0;
    for (std::size_t i = 0; i < n_rx_; ++i) total += poll_queue(rx_[i]);
    return total;
}

void Worker::run(const std::atomic<bool>& stop) noexcept {
    while (!stop.load(std::memory_order_relaxed)) poll_once();
}

}  // namespace pw::pipeline
