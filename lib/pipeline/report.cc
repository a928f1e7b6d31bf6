#include "lib/pipeline/report.hh"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace pw::pipeline {

namespace {

// Linux's names for the ICMP types that have one in /proc/net/snmp (Icmp: InDestUnreachs...).
void append_mib(std::string& s, const char* table, const icmp::IcmpMib& m) {
    s += fmt::format(
        "  {}: InMsgs {} InErrors {} InCsumErrors {} OutMsgs {} OutErrors {} OutRateLimitGlobal {} "
        "OutRateLimitHost {}\n",
        table, m.in_msgs, m.in_errors, m.in_csum_errors, m.out_msgs, m.out_errors,
        m.out_rate_limit_global, m.out_rate_limit_host);
    std::string types;
    for (std::size_t t = 0; t < 256; ++t)
        if (m.in_type[t] != 0) types += fmt::format(" InType{} {}", t, m.in_type[t]);
    for (std::size_t t = 0; t < 256; ++t)
        if (m.out_type[t] != 0) types += fmt::format(" OutType{} {}", t, m.out_type[t]);
    if (!types.empty()) s += fmt::format("  {}Msg:{}\n", table, types);
}

// The nonzero Ip / Ip6 counters under Linux's names (IpInReceives, IpExtInNoRoutes...); no
// line when all are zero.
void append_ip(std::string& s, const char* table, const icmp::IpMib& m, bool v6) {
    std::string kv;
    for (std::size_t i = 0; i < icmp::ip_counter_count; ++i) {
        const auto c = static_cast<icmp::IpCounter>(i);
        if (m[c] != 0) kv += fmt::format(" {} {}", icmp::ip_counter_name(c, v6), m[c]);
    }
    if (!kv.empty()) s += fmt::format("  {}:{}\n", table, kv);
}

void append_tcp(std::string& s, const icmp::TcpMib& m) {
    std::string kv;
    for (std::size_t i = 0; i < icmp::tcp_counter_count; ++i) {
        const auto c = static_cast<icmp::TcpCounter>(i);
        if (m[c] != 0) kv += fmt::format(" {} {}", icmp::tcp_counter_name(c), m[c]);
    }
    if (!kv.empty()) s += fmt::format("  Tcp:{}\n", kv);
}

}  // namespace

std::string format_port_report(std::uint16_t port, const std::string& label, const PortReport& c) {
    const HostCounters& h = c.host;
    std::string s = fmt::format(
        "port {}: rx {} tx {} answered {} forwarded {} held {} generated {} fwd_sent {} dropped {} "
        " ({})\n",
        port, c.base.rx, c.base.tx, c.answered(), h.forwarded, h.held, c.generated(), c.fwd_sent(),
        c.dropped(), label);
    s += "  replies:";
    for (std::size_t i = 0; i < h.replies.size(); ++i)
        s += fmt::format(" {} {}", icmp::reply_name(static_cast<icmp::Reply>(i)), h.replies[i]);
    s += '\n';
    for (std::size_t i = 0; i < wire::drop_count; ++i) {
        const auto d = static_cast<wire::Drop>(i);
        if (c.drops(d) == 0) continue;
        s += fmt::format("  drop {:<28} {:>12}  {}\n", wire::drop_name(d), c.drops(d),
                         wire::drop_description(d));
    }
    append_mib(s, "Icmp", h.icmp.v4);
    append_mib(s, "Icmp6", h.icmp.v6);
    append_ip(s, "Ip", h.icmp.ip4, false);
    append_ip(s, "Ip6", h.icmp.ip6, true);
    append_tcp(s, h.icmp.tcp);
    for (std::size_t i = 0; i < h.icmp.errors.size(); ++i) {
        if (h.icmp.errors[i] == 0) continue;
        const auto o = static_cast<icmp::ErrorOutcome>(i);
        s += fmt::format("  error {:<27} {:>12}  {}\n", icmp::error_outcome_name(o),
                         h.icmp.errors[i], icmp::error_outcome_description(o));
    }
    if (h.datagrams != 0 || c.generated_failed() != 0 || c.fwd_failed() != 0)
        s += fmt::format("  reassembled datagrams {} generated_failed {} fwd_failed {}\n",
                         h.datagrams, c.generated_failed(), c.fwd_failed());
    for (std::size_t i = 0; i < h.datagram_drops.size(); ++i) {
        if (h.datagram_drops[i] == 0) continue;
        const auto d = static_cast<wire::Drop>(i);
        s += fmt::format("  datagram drop {:<19} {:>12}  {}\n", wire::drop_name(d),
                         h.datagram_drops[i], wire::drop_description(d));
    }
    return s;
}

std::string format_port_interval(std::uint16_t port, const std::string& label,
                                 const PortReport& cur, const PortReport& prev,
                                 const std::string& device_lines) {
    const HostCounters& h = cur.host;
    std::string s = fmt::format(
        "port {}: rx {} tx {} answered {} forwarded {} held {} generated {} fwd_sent {} dropped {} "
        " ({})\n",
        port, cur.base.rx, cur.base.tx, cur.answered(), h.forwarded, h.held, cur.generated(),
        cur.fwd_sent(), cur.dropped(), label);
    s += "  replies:";
    for (std::size_t i = 0; i < h.replies.size(); ++i)
        s += fmt::format(" {} {}", icmp::reply_name(static_cast<icmp::Reply>(i)), h.replies[i]);
    s += '\n';
    s += device_lines;
    // Counters only grow; a wrap is shown as the new value.
    const auto d = [](std::uint64_t now, std::uint64_t before) {
        return now >= before ? now - before : now;
    };
    std::vector<std::pair<std::uint64_t, wire::Drop>> grew;
    for (std::size_t i = 0; i < wire::drop_count; ++i) {
        const auto r = static_cast<wire::Drop>(i);
        if (const auto n = d(cur.drops(r), prev.drops(r)); n != 0) grew.emplace_back(n, r);
    }
    std::stable_sort(grew.begin(), grew.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string reasons;
    for (std::size_t i = 0; i < grew.size() && i < 6; ++i)
        reasons += fmt::format("{}{} +{}", i == 0 ? "" : ", ", wire::drop_name(grew[i].second),
                               grew[i].first);
    if (grew.size() > 6) reasons += fmt::format(", {} more reasons", grew.size() - 6);
    const auto err = [&](icmp::ErrorOutcome o) {
        const auto i = static_cast<std::size_t>(o);
        return d(h.icmp.errors[i], prev.host.icmp.errors[i]);
    };
    s += fmt::format(
        "  delta: rx +{} tx +{} answered +{} forwarded +{} generated +{} dropped +{}{} errors "
        "sent +{} rate_limited +{}\n",
        d(cur.base.rx, prev.base.rx), d(cur.base.tx, prev.base.tx),
        d(cur.answered(), prev.answered()), d(h.forwarded, prev.host.forwarded),
        d(cur.generated(), prev.generated()), d(cur.dropped(), prev.dropped()),
        reasons.empty() ? "" : " (" + reasons + ")", err(icmp::ErrorOutcome::sent),
        err(icmp::ErrorOutcome::rate_limited_host) + err(icmp::ErrorOutcome::rate_limited_global));
    if (h.datagrams != 0 || cur.generated_failed() != 0 || cur.fwd_failed() != 0)
        s += fmt::format("  reassembled datagrams {} generated_failed {} fwd_failed {}\n",
                         h.datagrams, cur.generated_failed(), cur.fwd_failed());
    return s;
}

}  // namespace pw::pipeline
