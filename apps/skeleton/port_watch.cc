#include "apps/skeleton/port_watch.hh"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <fmt/format.h>

#include <chrono>

namespace pw::app {

namespace {

std::uint64_t mono_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

// The drop reasons of an L4 checksum that a sender's offload left unfilled (the IPv4 header
// checksum is always filled in by the kernel: not one of them).
bool l4_checksum_reason(wire::Drop d) {
    const std::string_view n = wire::drop_name(d);
    return n.ends_with("_bad_checksum") && !n.starts_with("ip4_");
}

}  // namespace

std::string PortWatch::label(const drivers::PortInfo& p) {
    return fmt::format("port {} ({})", p.port, p.name);
}

PortWatch::PortWatch(const std::vector<drivers::PortInfo>& ports,
                     const std::vector<drivers::KernelAttachment>& attached) {
    for (const auto& p : ports) {
        Watched w;
        w.info = p;
        w.link_up = p.link_up;
        rte_eth_link link{};
        if (rte_eth_link_get_nowait(p.port, &link) == 0) {
            w.link_up = link.link_status == RTE_ETH_LINK_UP;
            w.speed = link.link_speed;
            w.full_duplex = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
        }
        for (const auto& a : attached)
            if (a.device == p.name) w.iface = a.iface;
        if (!w.iface.empty())
            if (const auto k = drivers::kernel_link(w.iface)) {
                w.link_up = w.link_up && k->up;
                if (k->speed_mbps != 0) w.speed = k->speed_mbps;
                w.full_duplex = k->full_duplex;
            }
        if (!w.iface.empty()) {
            w.kernel = drivers::kernel_iface_state(w.iface);
            for (const auto& line : drivers::kernel_iface_warnings(label(p), w.iface, w.kernel))
                drivers::logf(drivers::LogType::port, drivers::LogLevel::warning, "warning: %s",
                              line.c_str());
        }
        ports_.push_back(std::move(w));
    }
}

void PortWatch::poll_link(Watched& w) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(w.info.port, &link) != 0) return;
    bool up = link.link_status == RTE_ETH_LINK_UP;
    bool full = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
    // A port on a kernel interface: the kernel knows the carrier (net_af_packet does not ask).
    if (!w.iface.empty())
        if (const auto k = drivers::kernel_link(w.iface)) {
            up = up && k->up;
            full = k->full_duplex;
            if (k->speed_mbps != 0) link.link_speed = k->speed_mbps;
        }
    if (up == w.link_up && (!up || (link.link_speed == w.speed && full == w.full_duplex))) return;
    w.link_up = up;
    w.speed = link.link_speed;
    w.full_duplex = full;
    // RTE_ETH_SPEED_NUM_NONE (0) or RTE_ETH_SPEED_NUM_UNKNOWN: the device does not say.
    const std::string speed = link.link_speed == 0 || link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN
                                  ? std::string("unknown")
                                  : fmt::format("{} Mbps", link.link_speed);
    if (up)
        drivers::logf(drivers::LogType::port, drivers::LogLevel::notice,
                      "%s: link up, speed %s, %s-duplex", label(w.info).c_str(), speed.c_str(),
                      full ? "full" : "half");
    else
        drivers::logf(drivers::LogType::port, drivers::LogLevel::notice, "%s: link down",
                      label(w.info).c_str());
}

void PortWatch::poll_checksums(Watched& w, const std::vector<pipeline::LcoreBase>& base) {
    if (w.iface.empty() || w.checksum_hinted) return;
    const auto b = pipeline::sum_base(base, w.info.port);
    std::string counts;
    for (std::size_t i = 0; i < wire::drop_count; ++i) {
        const auto d = static_cast<wire::Drop>(i);
        if (!l4_checksum_reason(d) || b.drops[i] == 0) continue;
        counts +=
            fmt::format("{}{} {}", counts.empty() ? "" : ", ", wire::drop_name(d), b.drops[i]);
    }
    if (counts.empty()) return;
    w.checksum_hinted = true;
    drivers::logf(drivers::LogType::port, drivers::LogLevel::warning, "hint: %s",
                  drivers::checksum_hint(label(w.info), w.iface, w.kernel, counts).c_str());
}

void PortWatch::poll(const std::vector<pipeline::LcoreBase>& base,
                     const std::function<std::pair<std::uint64_t, std::uint64_t>()>& suppressed) {
    const std::uint64_t now = mono_ns();
    if (now < next_ns_) return;
    next_ns_ = now + 100'000'000;
    for (auto& w : ports_) {
        poll_link(w);
        poll_checksums(w, base);
    }
    if (!suppressed || now < next_ratelimit_ns_) return;
    const auto [host, global] = suppressed();
    if (host == seen_host_ && global == seen_global_) return;
    // One line a second at most, with what grew since the last.
    drivers::logf(drivers::LogType::icmp, drivers::LogLevel::notice,
                  "rate limits engaged: %llu ICMP errors not sent since the last report "
                  "(rate_limited_host +%llu, rate_limited_global +%llu; totals %llu, %llu)",
                  static_cast<unsigned long long>(host - seen_host_ + global - seen_global_),
                  static_cast<unsigned long long>(host - seen_host_),
                  static_cast<unsigned long long>(global - seen_global_),
                  static_cast<unsigned long long>(host), static_cast<unsigned long long>(global));
    seen_host_ = host;
    seen_global_ = global;
    next_ratelimit_ns_ = now + 1'000'000'000;
}

}  // namespace pw::app
