#include "apps/responder/respond_telemetry.hh"

#include <rte_telemetry.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "lib/pipeline/iface_report.hh"

namespace pw::responder {

namespace {

// What the callback reads, under the lock (the telemetry thread against a reload).
std::mutex g_lock;
const std::vector<pipeline::LcoreHost>* g_host = nullptr;
std::vector<route::RespondEntry> g_prefixes;

int respond_cb(const char*, const char* params, rte_tel_data* d) {
    if (params != nullptr && *params != '\0') return -1;  // no parameter
    const std::lock_guard<std::mutex> hold(g_lock);
    rte_tel_data_start_dict(d);
    if (g_host == nullptr) return 0;
    for (const auto& r : g_prefixes) {
        rte_tel_data* c = rte_tel_data_alloc();
        if (c == nullptr) return -1;
        const icmp::RespondCounters n = pipeline::sum_respond(*g_host, r.slot);
        rte_tel_data_start_dict(c);
        rte_tel_data_add_dict_string(c, "prefix", r.text().c_str());
        rte_tel_data_add_dict_u64(c, "port", r.port);
        rte_tel_data_add_dict_u64(c, "vid", r.vid);
        rte_tel_data_add_dict_u64(c, "echo", n.echo);
        rte_tel_data_add_dict_u64(c, "neigh", n.neigh);
        rte_tel_data_add_dict_u64(c, "other", n.other);
        // Keyed by slot: DPDK's dictionary names take no '.' or ':' (a prefix's text).
        rte_tel_data_add_dict_container(d, std::to_string(r.slot).c_str(), c, 0);
    }
    return 0;
}

}  // namespace

RespondTelemetry::RespondTelemetry(const std::vector<pipeline::LcoreHost>& host) {
    {
        const std::lock_guard<std::mutex> hold(g_lock);
        g_host = &host;
    }
    if (rte_telemetry_register_cmd("/pingwire/respond", respond_cb,
                                   "Counters per --respond prefix: port, vid, echo (echo "
                                   "answered), neigh (ARP/NS answered), other. No parameters") != 0)
        std::fprintf(stderr,
                     "pingwire-responder: warning: telemetry command /pingwire/respond not "
                     "registered\n");
}

RespondTelemetry::~RespondTelemetry() {
    // DPDK cannot unregister a command: it answers an empty dictionary from now on.
    const std::lock_guard<std::mutex> hold(g_lock);
    g_host = nullptr;
    g_prefixes.clear();
}

void RespondTelemetry::set_prefixes(const route::InterfaceTable& ifaces) {
    const std::lock_guard<std::mutex> hold(g_lock);
    g_prefixes = ifaces.respond();
}

}  // namespace pw::responder
