#include "apps/conform/capture.hh"

#include <fcntl.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pw::conform_app {

Capture::~Capture() {
    if (file_ != nullptr) rte_pcapng_close(file_);
    rte_mempool_free(pool_);
}

std::optional<std::string> Capture::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return "--pcap " + path + ": " + std::strerror(errno);
    file_ = rte_pcapng_fdopen(fd, nullptr, nullptr, "pingwire-conform", "conformance exchanges");
    if (file_ == nullptr) {
        ::close(fd);
        return "--pcap " + path + ": rte_pcapng_fdopen failed";
    }
    pool_ = rte_pktmbuf_pool_create("pw_conform_cap", 255, 0, 0,
                                    static_cast<std::uint16_t>(rte_pcapng_mbuf_size(9018)),
                                    SOCKET_ID_ANY);
    if (pool_ == nullptr) return "--pcap: no memory for the capture pool";
    return std::nullopt;
}

void Capture::write(const rte_mbuf* m, bool out) noexcept {
    if (file_ == nullptr) return;
    rte_mbuf* c = rte_pcapng_copy(m->port, 0, m, pool_, m->pkt_len, rte_get_tsc_cycles(),
                                  out ? RTE_PCAPNG_DIRECTION_OUT : RTE_PCAPNG_DIRECTION_IN);
    if (c == nullptr) {
        ++failed_;
        return;
    }
    if (rte_pcapng_write_packets(file_, &c, 1) < 0)
        ++failed_;
    else
        ++written_;
    rte_pktmbuf_free(c);
}

}  // namespace pw::conform_app
