#include "drivers/mempool.hh"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

namespace pw::drivers {

std::variant<rte_mempool*, std::string> make_pktmbuf_pool(const std::string& name, unsigned n,
                                                          unsigned cache, int socket) {
    if (socket < 0) socket = static_cast<int>(rte_socket_id());
    rte_mempool* p =
        rte_pktmbuf_pool_create(name.c_str(), n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    if (p == nullptr)
        return "cannot create mbuf pool '" + name + "' of " + std::to_string(n) +
               " buffers on socket " + std::to_string(socket) + ": " + rte_strerror(rte_errno) +
               " (give EAL more memory with -m, or hugepages on that NUMA node)";
    return p;
}

int port_socket(std::uint16_t port) {
    if (!rte_eth_dev_is_valid_port(port)) return -1;
    return rte_eth_dev_socket_id(port);
}

unsigned pool_available(const rte_mempool* pool) {
    return rte_mempool_avail_count(pool);
}

unsigned pool_size(const rte_mempool* pool) {
    return pool->size;
}

}  // namespace pw::drivers
