#include "lib/pipeline/iface_report.hh"

#include <fmt/format.h>

namespace pw::pipeline {

icmp::VlanCounters sum_vlan(const std::vector<LcoreHost>& host, std::size_t subif) noexcept {
    icmp::VlanCounters c;
    if (subif >= net::max_subifs) return c;
    for (const auto& h : host) c += h.vlan[subif];
    return c;
}

icmp::RespondCounters sum_respond(const std::vector<LcoreHost>& host, std::size_t slot) noexcept {
    icmp::RespondCounters c;
    if (slot >= net::max_respond) return c;
    for (const auto& h : host) c += h.respond[slot];
    return c;
}

std::string format_vlan_reports(const route::InterfaceTable& ifaces,
                                const std::vector<LcoreHost>& host) {
    std::string s;
    for (const auto& sub : ifaces.subifs()) {
        const icmp::VlanCounters c = sum_vlan(host, sub.subif);
        std::string addrs;
        for (std::size_t i = 0; i < sub.n4; ++i)
            addrs += fmt::format(" {}/{}", sub.v4[i].addr.to_string(), sub.v4[i].len);
        for (std::size_t i = 0; i < sub.n6; ++i)
            addrs += fmt::format(" {}/{}", sub.v6[i].addr.to_string(), sub.v6[i].len);
        s += fmt::format(
            "port {}.{}: rx {} answered {} errors {} held {} dropped {}  (vlan {} of port {}, mtu "
            "{},{})\n",
            sub.port_id, sub.vlan_id, c.rx, c.answered(), c.errors, c.held, c.dropped, sub.vlan_id,
            sub.port_id, sub.mtu, addrs);
        std::string replies;
        for (std::size_t i = 0; i < c.replies.size(); ++i)
            if (c.replies[i] != 0)
                replies += fmt::format(" {} {}", icmp::reply_name(static_cast<icmp::Reply>(i)),
                                       c.replies[i]);
        if (!replies.empty()) s += "  replies:" + replies + "\n";
    }
    return s;
}

std::string format_respond_reports(const route::InterfaceTable& ifaces,
                                   const std::vector<LcoreHost>& host) {
    std::string s;
    for (const auto& r : ifaces.respond()) {
        const icmp::RespondCounters c = sum_respond(host, r.slot);
        const std::string where =
            r.vid != 0 ? fmt::format("{}.{}", r.port, r.vid) : fmt::format("{}", r.port);
        s += fmt::format("respond {} on port {}: echo {} neigh {} other {}\n", r.text(), where,
                         c.echo, c.neigh, c.other);
    }
    return s;
}

}  // namespace pw::pipeline
