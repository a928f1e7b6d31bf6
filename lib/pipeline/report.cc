#include "lib/pipeline/report.hh"

#include <fmt/format.h>

namespace pw::pipeline {

std::string format_port_report(std::uint16_t port, const std::string& label, const PortCounters& c) {
    std::string s = fmt::format("port {}: rx {} tx {} dropped {}  ({})\n", port, c.rx, c.tx, c.dropped(), label);
    s += "  replies:";
    for (std::size_t i = 0; i < c.replies.size(); ++i)
        s += fmt::format(" {} {}", icmp::reply_name(static_cast<icmp::Reply>(i)), c.replies[i]);
    s += '\n';
    for (std::size_t i = 0; i < c.drops.size(); ++i) {
        if (c.drops[i] == 0) continue;
        const auto d = static_cast<wire::Drop>(i);
        s += fmt::format("  drop {:<28} {:>12}  {}\n", wire::drop_name(d), c.drops[i], wire::drop_description(d));
    }
    return s;
}

}  // namespace pw::pipeline
