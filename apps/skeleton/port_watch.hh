// What the control lcore watches on the ports besides the counters, and logs (drivers/log.hh)
// when it changes: the link going up or down (rte_eth_link_get_nowait every ~100 ms: time,
// port, speed, duplex), the kernel's side of a port that shares a Linux interface
// (net_af_packet, net_af_xdp: addresses or IPv6 left on it, warned at start; frames with bad
// L4 checksums, a one-time hint naming the peer's offload), and ICMP rate limits engaged (at
// most one line a second while the suppressed counters grow).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/kernel_iface.hh"
#include "drivers/log.hh"
#include "drivers/port.hh"
#include "lib/pipeline/base_counters.hh"

namespace pw::app {

class PortWatch {
public:
    // The ports as set up and the kernel interfaces the EAL arguments attach (--vdev
    // ...,iface=; read before rte_eal_init, which reorders them). Logs the start-up warnings.
    PortWatch(const std::vector<drivers::PortInfo>& ports,
              const std::vector<drivers::KernelAttachment>& attached);

    // Every control tick; does its work every ~100 ms. suppressed: the ICMP errors the rate
    // limits held back so far (per destination, global), or empty.
    void poll(const std::vector<pipeline::LcoreBase>& base,
              const std::function<std::pair<std::uint64_t, std::uint64_t>()>& suppressed);

    // "port 0 (net_af_packet0)"
    static std::string label(const drivers::PortInfo& p);

private:
    struct Watched {
        drivers::PortInfo info;
        bool link_up = false;
        std::uint32_t speed = 0;
        bool full_duplex = true;
        std::string iface;  // the kernel interface it shares ("" when none)
        drivers::KernelIfaceState kernel;
        bool checksum_hinted = false;
    };
    void poll_link(Watched& w);
    void poll_checksums(Watched& w, const std::vector<pipeline::LcoreBase>& base);

    std::vector<Watched> ports_;
    std::uint64_t next_ns_ = 0;
    std::uint64_t seen_host_ = 0, seen_global_ = 0;
    std::uint64_t next_ratelimit_ns_ = 0;
};

}  // namespace pw::app
