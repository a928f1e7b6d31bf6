// Packet buffer pools.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

struct rte_mempool;

namespace pw::drivers {

// A pktmbuf pool of n buffers with the default data room (2048 + headroom) and a per-lcore
// cache of `cache` buffers, in the memory of NUMA node `socket` (-1: the calling lcore's).
// Returns the pool or an error line.
std::variant<rte_mempool*, std::string> make_pktmbuf_pool(const std::string& name, unsigned n,
                                                          unsigned cache = 256, int socket = -1);

// The NUMA node a NIC's port is attached to, or -1 when it has none (a virtual device) or the
// port does not exist.
int port_socket(std::uint16_t port);

// The number of buffers in the pool that nobody holds (cache included).
unsigned pool_available(const rte_mempool* pool);
// The number of buffers the pool was made with.
unsigned pool_size(const rte_mempool* pool);

}  // namespace pw::drivers
