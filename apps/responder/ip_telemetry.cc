#include "apps/responder/ip_telemetry.hh"

#include <rte_telemetry.h>

#include <cstdio>
#include <mutex>

#include "lib/icmp/icmp_stats.hh"

namespace pw::responder {

namespace {

// What the callbacks read, under the lock (the telemetry threads against the exit).
std::mutex g_lock;
const std::vector<pipeline::LcoreHost>* g_host = nullptr;

// Every worker's counters of every port summed (the tables are per host, as Linux's).
icmp::IcmpStats total() {
    icmp::IcmpStats s;
    for (const auto& l : *g_host)
        for (const auto& p : l.port) s += p.icmp;
    return s;
}

int stopping(rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_string(d, "error", "stopping");
    return 0;
}

int ip_reply(const char* params, rte_tel_data* d, bool v6) {
    if (params != nullptr && *params != '\0') return -1;  // no parameter
    const std::lock_guard<std::mutex> hold(g_lock);
    if (g_host == nullptr) return stopping(d);
    const icmp::IcmpStats s = total();
    const icmp::IpMib& m = s.ip(v6);
    rte_tel_data_start_dict(d);
    for (std::size_t i = 0; i < icmp::ip_counter_count; ++i) {
        const auto c = static_cast<icmp::IpCounter>(i);
        const char* name = icmp::ip_counter_name(c, v6);
        if (*name != '\0') rte_tel_data_add_dict_u64(d, name, m[c]);
    }
    return 0;
}

int ip_cb(const char*, const char* params, rte_tel_data* d) {
    return ip_reply(params, d, false);
}
int ip6_cb(const char*, const char* params, rte_tel_data* d) {
    return ip_reply(params, d, true);
}

int tcp_cb(const char*, const char* params, rte_tel_data* d) {
    if (params != nullptr && *params != '\0') return -1;
    const std::lock_guard<std::mutex> hold(g_lock);
    if (g_host == nullptr) return stopping(d);
    const icmp::IcmpStats s = total();
    rte_tel_data_start_dict(d);
    for (std::size_t i = 0; i < icmp::tcp_counter_count; ++i) {
        const auto c = static_cast<icmp::TcpCounter>(i);
        rte_tel_data_add_dict_u64(d, icmp::tcp_counter_name(c), s.tcp[c]);
    }
    return 0;
}

}  // namespace

IpTelemetry::IpTelemetry(const std::vector<pipeline::LcoreHost>& host) {
    {
        const std::lock_guard<std::mutex> hold(g_lock);
        g_host = &host;
    }
    struct Cmd {
        const char* name;
        telemetry_cb cb;
        const char* help;
    };
    static constexpr Cmd cmds[] = {
        {"/pingwire/ip", ip_cb, "IPv4 counters (Ip, IpExt), as nstat names them. No parameters"},
        {"/pingwire/ip6", ip6_cb, "IPv6 counters (Ip6), as nstat names them. No parameters"},
        {"/pingwire/tcp", tcp_cb, "TCP counters (Tcp: resets to closed ports). No parameters"},
    };
    for (const auto& c : cmds)
        if (rte_telemetry_register_cmd(c.name, c.cb, c.help) != 0)
            std::fprintf(stderr,
                         "pingwire-responder: warning: telemetry command %s not registered\n",
                         c.name);
}

IpTelemetry::~IpTelemetry() {
    const std::lock_guard<std::mutex> hold(g_lock);
    g_host = nullptr;
}

}  // namespace pw::responder
