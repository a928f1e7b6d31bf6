// --stats-interval: each interval one timestamped block, per port the counters' totals (as the
// exit summary shows them), the rates and bytes from the device's own counters (rte_eth_stats:
// rx/tx packets and bits per second as testpmd shows them, bytes as `ip -s link`) and the
// deltas since the previous block (as nstat), the drop reasons that grew among them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "drivers/port.hh"
#include "lib/pipeline/host_counters.hh"
#include "lib/route/interfaces.hh"

namespace pw::app {

class IntervalStats {
public:
    IntervalStats();
    // At each interval, before the block: the devices' counters now, and the time since the
    // previous block (or the start).
    void snapshot(const std::vector<drivers::PortInfo>& ports);
    // "stats: 2026-12-01T22:31:05.123Z, 1.000 s since the last block"
    std::string header() const;
    // One port's block (lib/pipeline/report.hh format_port_interval) with the device lines:
    //   rate: rx-pps 1000 rx-bps 1232000 tx-pps 999 tx-bps 1230768
    //   bytes: rx 154000 tx 153846 (+15400 +15384); device imissed +0 ierrors +0 ...
    std::string port_block(std::uint16_t port, const std::string& label,
                           const pipeline::PortReport& c);

private:
    struct Device {
        std::uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0, imissed = 0, ierrors = 0,
                      oerrors = 0, rx_nombuf = 0;
    };
    using Clock = std::chrono::steady_clock;
    Clock::time_point last_{}, now_{};
    std::string stamp_;
    std::array<Device, route::max_ports> dev_prev_{}, dev_now_{};
    // The counters of each port's previous block (zeros before the first).
    std::vector<std::unique_ptr<pipeline::PortReport>> prev_;
};

}  // namespace pw::app
