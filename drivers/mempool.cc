#include "drivers/mempool.hh"

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

namespace pw::drivers {

std::variant<rte_mempool*, std::string> make_pktmbuf_pool(const std::string& name, unsigned n,
                                                          unsigned cache) {
    rte_mempool* p = rte_pktmbuf_pool_create(name.c_str(), n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                             static_cast<int>(rte_socket_id()));
    if (p == nullptr)
        return "cannot create mbuf pool '" + name + "' of " + std::to_string(n) +
               " buffers: " + rte_strerror(rte_errno) + " (give EAL more memory with -m)";
    return p;
}

unsigned pool_available(const rte_mempool* pool) {
    return rte_mempool_avail_count(pool);
}

unsigned pool_size(const rte_mempool* pool) {
    return pool->size;
}

}  // namespace pw::drivers
