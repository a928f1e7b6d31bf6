#include "apps/skeleton/interval_stats.hh"

#include <rte_ethdev.h>

#include <fmt/format.h>

#include "drivers/log.hh"
#include "lib/pipeline/report.hh"

namespace pw::app {

IntervalStats::IntervalStats() : last_(Clock::now()), now_(last_), prev_(route::max_ports) {}

void IntervalStats::snapshot(const std::vector<drivers::PortInfo>& ports) {
    last_ = now_;
    now_ = Clock::now();
    stamp_ = drivers::utc_timestamp();
    for (const auto& p : ports) {
        if (p.port >= route::max_ports) continue;
        dev_prev_[p.port] = dev_now_[p.port];
        rte_eth_stats st{};
        if (rte_eth_stats_get(p.port, &st) != 0) continue;
        dev_now_[p.port] = {st.ipackets, st.opackets, st.ibytes,  st.obytes,
                            st.imissed,  st.ierrors,  st.oerrors, st.rx_nombuf};
    }
}

std::string IntervalStats::header() const {
    return fmt::format("stats: {}, {:.3f} s since the last block\n", stamp_,
                       std::chrono::duration<double>(now_ - last_).count());
}

std::string IntervalStats::port_block(std::uint16_t port, const std::string& label,
                                      const pipeline::PortReport& c) {
    if (port >= route::max_ports) return "";
    const double s = std::max(std::chrono::duration<double>(now_ - last_).count(), 1e-9);
    const Device& a = dev_prev_[port];
    const Device& b = dev_now_[port];
    const auto d = [](std::uint64_t now, std::uint64_t before) {
        return now >= before ? now - before : now;  // a device reset starts again from zero
    };
    const auto rate = [&](std::uint64_t n) {
        return static_cast<std::uint64_t>(static_cast<double>(n) / s + 0.5);
    };
    const std::string dev = fmt::format(
        "  rate: rx-pps {} rx-bps {} tx-pps {} tx-bps {}\n"
        "  bytes: rx {} tx {} (+{} +{}); device imissed +{} ierrors +{} oerrors +{} rx_nombuf "
        "+{}\n",
        rate(d(b.ipackets, a.ipackets)), rate(8 * d(b.ibytes, a.ibytes)),
        rate(d(b.opackets, a.opackets)), rate(8 * d(b.obytes, a.obytes)), b.ibytes, b.obytes,
        d(b.ibytes, a.ibytes), d(b.obytes, a.obytes), d(b.imissed, a.imissed),
        d(b.ierrors, a.ierrors), d(b.oerrors, a.oerrors), d(b.rx_nombuf, a.rx_nombuf));
    if (!prev_[port]) prev_[port] = std::make_unique<pipeline::PortReport>();
    std::string out = pipeline::format_port_interval(port, label, c, *prev_[port], dev);
    *prev_[port] = c;
    return out;
}

}  // namespace pw::app
