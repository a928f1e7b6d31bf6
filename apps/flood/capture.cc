#include "apps/flood/capture.hh"

#include <fcntl.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_ring.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pw::flood {

AnomalyCapture::~AnomalyCapture() {
    drain();
    if (file_ != nullptr) rte_pcapng_close(file_);  // closes fd_
    rte_ring_free(ring_);
    rte_mempool_free(pool_);
}

std::optional<std::string> AnomalyCapture::open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd_ < 0) return "--capture-anomalies " + path + ": " + std::strerror(errno);
    file_ = rte_pcapng_fdopen(fd_, nullptr, nullptr, "pingwire-flood", "anomalous answers");
    if (file_ == nullptr) {
        ::close(fd_);
        return "--capture-anomalies " + path + ": rte_pcapng_fdopen failed";
    }
    ring_ = rte_ring_create("pw_anomalies", 4096, SOCKET_ID_ANY, RING_F_SC_DEQ);
    pool_ = rte_pktmbuf_pool_create("pw_capture", 1023, 0, 0,
                                    static_cast<std::uint16_t>(rte_pcapng_mbuf_size(9018)),
                                    SOCKET_ID_ANY);
    if (ring_ == nullptr || pool_ == nullptr)
        return "--capture-anomalies: no memory for the capture ring";
    return std::nullopt;
}

void AnomalyCapture::drain() noexcept {
    if (ring_ == nullptr) return;
    rte_mbuf* ms[32];
    unsigned n;
    while ((n = rte_ring_dequeue_burst(ring_, reinterpret_cast<void**>(ms), 32, nullptr)) > 0) {
        rte_mbuf* copies[32];
        unsigned k = 0;
        for (unsigned i = 0; i < n; ++i) {
            rte_mbuf* c = file_ == nullptr
                              ? nullptr
                              : rte_pcapng_copy(ms[i]->port, 0, ms[i], pool_, ms[i]->pkt_len,
                                                rte_get_tsc_cycles(), RTE_PCAPNG_DIRECTION_IN);
            rte_pktmbuf_free(ms[i]);
            if (c == nullptr) {
                ++failed_;
                continue;
            }
            copies[k++] = c;
        }
        if (k > 0 && rte_pcapng_write_packets(file_, copies, static_cast<std::uint16_t>(k)) < 0)
            failed_ += k;
        else
            written_ += k;
        rte_pktmbuf_free_bulk(copies, k);
    }
}

}  // namespace pw::flood
