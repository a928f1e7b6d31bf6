#include "apps/responder/telemetry.hh"

#include <rte_telemetry.h>

#include <array>
#include <cstdlib>
#include <string>

#include "lib/icmp/error_outcome.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/drop.hh"

namespace pw::responder {

namespace {

const std::vector<pipeline::LcoreBase>* g_base = nullptr;
const std::vector<pipeline::LcoreHost>* g_host = nullptr;
const std::vector<drivers::PortInfo>* g_ports = nullptr;

int ports_cb(const char*, const char*, rte_tel_data* d) {
    rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
    for (const auto& p : *g_ports) rte_tel_data_add_array_int(d, p.port);
    return 0;
}

// A nested dictionary of the non-zero entries of a counter array, named by `name_of`.
template <class Array, class Name>
rte_tel_data* nonzero(const Array& a, Name name_of) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (c == nullptr) return nullptr;
    rte_tel_data_start_dict(c);
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != 0) rte_tel_data_add_dict_u64(c, std::string(name_of(i)).c_str(), a[i]);
    return c;
}

rte_tel_data* mib(const icmp::IcmpMib& m) {
    rte_tel_data* c = rte_tel_data_alloc();
    if (c == nullptr) return nullptr;
    rte_tel_data_start_dict(c);
    rte_tel_data_add_dict_u64(c, "InMsgs", m.in_msgs);
    rte_tel_data_add_dict_u64(c, "InErrors", m.in_errors);
    rte_tel_data_add_dict_u64(c, "InCsumErrors", m.in_csum_errors);
    rte_tel_data_add_dict_u64(c, "OutMsgs", m.out_msgs);
    rte_tel_data_add_dict_u64(c, "OutErrors", m.out_errors);
    rte_tel_data_add_dict_u64(c, "OutRateLimitGlobal", m.out_rate_limit_global);
    rte_tel_data_add_dict_u64(c, "OutRateLimitHost", m.out_rate_limit_host);
    for (std::size_t t = 0; t < 256; ++t) {
        if (m.in_type[t] != 0)
            rte_tel_data_add_dict_u64(c, ("InType" + std::to_string(t)).c_str(), m.in_type[t]);
        if (m.out_type[t] != 0)
            rte_tel_data_add_dict_u64(c, ("OutType" + std::to_string(t)).c_str(), m.out_type[t]);
    }
    return c;
}

void add(rte_tel_data* d, const char* name, rte_tel_data* child) {
    if (child != nullptr) rte_tel_data_add_dict_container(d, name, child, 0);
}

int stats_cb(const char*, const char* params, rte_tel_data* d) {
    if (params == nullptr || *params == '\0') return -1;
    char* end = nullptr;
    const long port = std::strtol(params, &end, 10);
    if (*end != '\0' || port < 0 || port >= static_cast<long>(route::max_ports)) return -1;
    bool known = false;
    for (const auto& p : *g_ports) known = known || p.port == port;
    if (!known) return -1;
    const pipeline::PortReport c =
        pipeline::sum_port(*g_base, *g_host, static_cast<std::uint16_t>(port));
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_u64(d, "rx", c.base.rx);
    rte_tel_data_add_dict_u64(d, "tx", c.base.tx);
    rte_tel_data_add_dict_u64(d, "answered", c.answered());
    rte_tel_data_add_dict_u64(d, "forwarded", c.host.forwarded);
    rte_tel_data_add_dict_u64(d, "held", c.host.held);
    rte_tel_data_add_dict_u64(d, "generated", c.generated());
    rte_tel_data_add_dict_u64(d, "generated_failed", c.generated_failed());
    rte_tel_data_add_dict_u64(d, "fwd_sent", c.fwd_sent());
    rte_tel_data_add_dict_u64(d, "fwd_failed", c.fwd_failed());
    rte_tel_data_add_dict_u64(d, "datagrams", c.host.datagrams);
    rte_tel_data_add_dict_u64(d, "dropped", c.dropped());
    add(d, "replies", nonzero(c.host.replies, [](std::size_t i) {
            return icmp::reply_name(static_cast<icmp::Reply>(i));
        }));
    std::array<std::uint64_t, wire::drop_count> drops{};
    for (std::size_t i = 0; i < drops.size(); ++i) drops[i] = c.drops(static_cast<wire::Drop>(i));
    add(d, "drops",
        nonzero(drops, [](std::size_t i) { return wire::drop_name(static_cast<wire::Drop>(i)); }));
    add(d, "errors", nonzero(c.host.icmp.errors, [](std::size_t i) {
            return icmp::error_outcome_name(static_cast<icmp::ErrorOutcome>(i));
        }));
    add(d, "Icmp", mib(c.host.icmp.v4));
    add(d, "Icmp6", mib(c.host.icmp.v6));
    return 0;
}

}  // namespace

void register_telemetry(const std::vector<pipeline::LcoreBase>& base,
                        const std::vector<pipeline::LcoreHost>& host,
                        const std::vector<drivers::PortInfo>& ports) {
    g_base = &base;
    g_host = &host;
    g_ports = &ports;
    rte_telemetry_register_cmd("/pingwire/ports", ports_cb,
                               "Returns the pingwire port ids. Takes no parameters");
    rte_telemetry_register_cmd(
        "/pingwire/stats", stats_cb,
        "Returns a port's pingwire counters (summed over workers). Parameters: int port_id");
}

}  // namespace pw::responder
