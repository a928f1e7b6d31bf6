#include "apps/responder/telemetry.hh"

#include <rte_telemetry.h>

#include <array>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "apps/responder/filter_telemetry.hh"
#include "apps/skeleton/telemetry_dict.hh"
#include "lib/icmp/error_outcome.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/drop.hh"

namespace pw::responder {

using app::tel::Array;
using app::tel::Dict;

// ------------------------------------------------------------------------------------------
// ControlView (control lcore writes)

void ControlView::set_routes(const route::Fib& fib) {
    std::vector<RouteRow> rows;
    for (const auto& r : fib.routes()) {
        RouteRow row;
        row.prefix = route::to_string(r.prefix);
        row.kind = route::to_string(r.next_hop.kind);
        const bool v6 = route::is_v6(r.prefix);
        const auto& nh = r.next_hop;
        if (nh.kind == route::RouteKind::connected || nh.kind == route::RouteKind::via)
            row.port = nh.port;
        if (nh.kind == route::RouteKind::via)
            row.gateway = v6 ? nh.gw6.to_string() : nh.gw4.to_string();
        if (r.own && !(*r.own == nh)) row.own_kind = route::to_string(r.own->kind);
        rows.push_back(std::move(row));
    }
    std::lock_guard lock(mu_);
    snap_.routes = std::move(rows);
    snap_.routes_v4 = fib.size_v4();
    snap_.routes_v6 = fib.size_v6();
}

void ControlView::set_config(const Options& opt) {
    std::lock_guard lock(mu_);
    snap_.options = opt;
}

void ControlView::set_ports(const std::vector<drivers::PortInfo>& ports) {
    std::lock_guard lock(mu_);
    snap_.ports = ports;
}

void ControlView::tick(std::uint64_t now_ns, const route::NeighborTable* neigh,
                       const std::vector<std::unique_ptr<pipeline::HostStage>>& stages) {
    if (now_ns < next_refresh_ns_) return;
    next_refresh_ns_ = now_ns + 250'000'000;
    std::vector<NeighRow> rows;
    if (neigh != nullptr) {
        rows.reserve(neigh->size());
        neigh->for_each(now_ns, [&](const route::NeighInfo& n) {
            NeighRow row;
            row.address =
                n.key.family == route::Family::v4 ? n.key.v4.to_string() : n.key.v6.to_string();
            row.port = n.key.port;
            row.state = route::to_string(n.state);
            if (n.state == route::NeighState::reachable || n.state == route::NeighState::stale)
                row.mac = n.mac.to_string();
            row.permanent = n.permanent;
            row.probing = n.probing;
            row.age_ns = n.age_ns;
            rows.push_back(std::move(row));
        });
    }
    Limits lim;
    lim.lcores = static_cast<unsigned>(stages.size());
    for (const auto& st : stages) {
        lim.capacity_v4 = st->limiter().hosts().capacity();
        lim.capacity_v6 = st->limiter().hosts_v6().capacity();
        lim.evictions_v4 += st->limiter().hosts().evictions();
        lim.evictions_v6 += st->limiter().hosts_v6().evictions();
    }
    std::lock_guard lock(mu_);
    snap_.has_neighbours = neigh != nullptr;
    snap_.neighbours = std::move(rows);
    if (neigh != nullptr) {
        snap_.neigh_capacity = neigh->capacity();
        snap_.neigh_reclaimed = neigh->reclaimed();
    }
    snap_.limits = lim;
    neigh_at_ns_ = now_ns;
}

// ------------------------------------------------------------------------------------------
// The commands (telemetry threads)

namespace {

// What the callbacks read; null after unregister_telemetry. The mutex keeps main from
// destroying what a callback is reading.
struct Sources {
    const std::vector<pipeline::LcoreBase>* base = nullptr;
    const std::vector<pipeline::LcoreHost>* host = nullptr;
    const std::vector<drivers::PortInfo>* ports = nullptr;
    const ControlView* view = nullptr;
};
std::mutex g_mu;
Sources g_src;

std::string port_list() {
    std::string s;
    for (const auto& p : *g_src.ports) s += (s.empty() ? "" : ", ") + std::to_string(p.port);
    return s;
}

// The named ICMP error types, by family (Linux's Out* counters): the errors sent by type.
struct NamedType {
    std::uint8_t type;
    const char* name;
};
constexpr std::array<NamedType, 5> error_types_v4{{{3, "icmp_dest_unreach"},
                                                   {4, "icmp_source_quench"},
                                                   {5, "icmp_redirect"},
                                                   {11, "icmp_time_exceeded"},
                                                   {12, "icmp_param_problem"}}};
constexpr std::array<NamedType, 5> error_types_v6{{{1, "icmp6_dest_unreach"},
                                                   {2, "icmp6_packet_too_big"},
                                                   {3, "icmp6_time_exceeded"},
                                                   {4, "icmp6_param_problem"},
                                                   {137, "icmp6_redirect"}}};

// One port's block: every counter, zeros included.
void fill_port(Dict& d, const pipeline::PortReport& c) {
    d.u64("rx", c.base.rx);
    d.u64("tx", c.base.tx);
    d.u64("answered", c.answered());
    d.u64("forwarded", c.host.forwarded);
    d.u64("held", c.host.held);
    d.u64("generated", c.generated());
    d.u64("generated_failed", c.generated_failed());
    d.u64("fwd_sent", c.fwd_sent());
    d.u64("fwd_failed", c.fwd_failed());
    d.u64("datagrams", c.host.datagrams);
    d.u64("dropped", c.dropped());
    Dict replies;
    for (std::size_t i = 0; i < icmp::reply_count; ++i)
        replies.u64(icmp::reply_name(static_cast<icmp::Reply>(i)), c.host.replies[i]);
    d.add("replies", std::move(replies));
    Dict errors;  // what became of every error owed: sent, or why not
    for (std::size_t i = 0; i < icmp::error_outcome_count; ++i)
        errors.u64(icmp::error_outcome_name(static_cast<icmp::ErrorOutcome>(i)),
                   c.host.icmp.errors[i]);
    d.add("errors", std::move(errors));
    Dict sent;  // the errors sent, by type
    for (const auto& t : error_types_v4) sent.u64(t.name, c.host.icmp.v4.out_type[t.type]);
    for (const auto& t : error_types_v6) sent.u64(t.name, c.host.icmp.v6.out_type[t.type]);
    d.add("errors_sent", std::move(sent));
    Dict drops;
    for (std::size_t i = 0; i < wire::drop_count; ++i) {
        const auto r = static_cast<wire::Drop>(i);
        drops.u64(wire::drop_name(r), c.drops(r));
    }
    d.add("drops", std::move(drops));
}

pipeline::PortReport report(std::uint16_t port) {
    return pipeline::sum_port(*g_src.base, *g_src.host, port);
}

// Every port's counters summed (the SNMP tables are per host).
icmp::IcmpStats icmp_total() {
    icmp::IcmpStats s;
    for (const auto& p : *g_src.ports) s += report(p.port).host.icmp;
    return s;
}

int ports_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.ports == nullptr) return app::tel::error_reply(d, "stopping");
    rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
    for (const auto& p : *g_src.ports) rte_tel_data_add_array_int(d, p.port);
    return 0;
}

int stats_cb(const char*, const char* params, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.base == nullptr) return app::tel::error_reply(d, "stopping");
    if (params == nullptr || *params == '\0') {
        // Every port, keyed by id: built first, to know that it fits one reply.
        std::vector<std::pair<std::string, Dict>> blocks;
        std::size_t size = 2;
        for (const auto& p : *g_src.ports) {
            Dict b;
            fill_port(b, report(p.port));
            blocks.emplace_back(std::to_string(p.port), std::move(b));
            size += blocks.back().first.size() + 4 + blocks.back().second.json_size();
        }
        if (size > app::tel::reply_budget)
            return app::tel::error_reply(
                d, fmt::format("{} ports do not fit one telemetry reply: ask for one, "
                               "/pingwire/stats,PORT (ports are {})",
                               blocks.size(), port_list()));
        Dict r(d);
        for (auto& [name, block] : blocks) r.add(name, std::move(block));
        return 0;
    }
    const auto port = app::tel::number(params);
    if (!port)
        return app::tel::error_reply(
            d, fmt::format("'{}' is not a port id; ports are {}", params, port_list()));
    bool known = false;
    for (const auto& p : *g_src.ports) known = known || p.port == *port;
    if (!known)
        return app::tel::error_reply(d,
                                     fmt::format("no port {}; ports are {}", *port, port_list()));
    Dict r(d);
    fill_port(r, report(static_cast<std::uint16_t>(*port)));
    return 0;
}

// ---- /pingwire/icmp, /pingwire/icmp6: as nstat names Linux's /proc/net/snmp and snmp6

struct MibName {
    const char* name;  // after "Icmp" / "Icmp6" and "In" / "Out"
    std::uint8_t type;
};
// /proc/net/snmp's Icmp line (net/ipv4/proc.c icmp_put).
constexpr std::array<MibName, 11> icmp4_named{{{"DestUnreachs", 3},
                                               {"TimeExcds", 11},
                                               {"ParmProbs", 12},
                                               {"SrcQuenchs", 4},
                                               {"Redirects", 5},
                                               {"Echos", 8},
                                               {"EchoReps", 0},
                                               {"Timestamps", 13},
                                               {"TimestampReps", 14},
                                               {"AddrMasks", 17},
                                               {"AddrMaskReps", 18}}};
// /proc/net/snmp6's Icmp6 lines (net/ipv6/proc.c icmp6_list).
constexpr std::array<MibName, 15> icmp6_named{{{"DestUnreachs", 1},
                                               {"PktTooBigs", 2},
                                               {"TimeExcds", 3},
                                               {"ParmProblems", 4},
                                               {"Echos", 128},
                                               {"EchoReplies", 129},
                                               {"GroupMembQueries", 130},
                                               {"GroupMembResponses", 131},
                                               {"GroupMembReductions", 132},
                                               {"RouterSolicits", 133},
                                               {"RouterAdvertisements", 134},
                                               {"NeighborSolicits", 135},
                                               {"NeighborAdvertisements", 136},
                                               {"Redirects", 137},
                                               {"MLDv2Reports", 143}}};
// The IcmpMsg / Icmp6 InTypeN, OutTypeN keys always present (the types with a meaning; the
// counts of every type are in the IcmpMsgInType / Icmp6InType arrays, indexed by type).
constexpr std::array<std::uint8_t, 13> icmp4_types{0, 3, 4, 5, 8, 11, 12, 13, 14, 17, 18, 42, 43};
constexpr std::array<std::uint8_t, 19> icmp6_types{1,   2,   3,   4,   128, 129, 130, 131, 132,
                                                   133, 134, 135, 136, 137, 143, 160, 161};

template <std::size_t N, std::size_t T>
void fill_mib(Dict& d, const icmp::IcmpMib& m, bool v6, const std::array<MibName, N>& named,
              const std::array<std::uint8_t, T>& types) {
    const std::string t = v6 ? "Icmp6" : "Icmp";
    d.u64(t + "InMsgs", m.in_msgs);
    d.u64(t + "InErrors", m.in_errors);
    d.u64(t + "InCsumErrors", m.in_csum_errors);
    for (const auto& n : named) d.u64(t + "In" + n.name, m.in_type[n.type]);
    d.u64(t + "OutMsgs", m.out_msgs);
    d.u64(t + "OutErrors", m.out_errors);
    d.u64(t + "OutRateLimitGlobal", m.out_rate_limit_global);
    d.u64(t + "OutRateLimitHost", m.out_rate_limit_host);
    for (const auto& n : named) d.u64(t + "Out" + n.name, m.out_type[n.type]);
    // nstat: IcmpMsgInType8 (snmp's IcmpMsg line), Icmp6InType128 (snmp6).
    const std::string msg = v6 ? "Icmp6" : "IcmpMsg";
    for (auto ty : types) d.u64(msg + "InType" + std::to_string(ty), m.in_type[ty]);
    for (auto ty : types) d.u64(msg + "OutType" + std::to_string(ty), m.out_type[ty]);
    Array in(Array::Of::u64), out(Array::Of::u64);
    for (std::size_t i = 0; i < 256; ++i) {
        in.u64(m.in_type[i]);
        out.u64(m.out_type[i]);
    }
    d.add(msg + "InType", std::move(in));
    d.add(msg + "OutType", std::move(out));
}

int icmp_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.base == nullptr) return app::tel::error_reply(d, "stopping");
    Dict r(d);
    fill_mib(r, icmp_total().v4, false, icmp4_named, icmp4_types);
    return 0;
}

int icmp6_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.base == nullptr) return app::tel::error_reply(d, "stopping");
    Dict r(d);
    fill_mib(r, icmp_total().v6, true, icmp6_named, icmp6_types);
    return 0;
}

// ---- /pingwire/ratelimit

// A type mask as ranges: "3-4,11-12".
std::string mask_ranges(const std::bitset<256>& m) {
    std::string s;
    for (unsigned t = 0; t < 256;) {
        if (!m.test(t)) {
            ++t;
            continue;
        }
        unsigned e = t;
        while (e + 1 < 256 && m.test(e + 1)) ++e;
        s += (s.empty() ? "" : ",") + (e == t ? std::to_string(t) : fmt::format("{}-{}", t, e));
        t = e + 1;
    }
    return s;
}

int ratelimit_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.base == nullptr) return app::tel::error_reply(d, "stopping");
    const auto stats = icmp_total();
    return g_src.view->read([&](const ControlView::Snapshot& s) {
        if (!s.options) return app::tel::error_reply(d, "starting");
        Dict r(d);
        const auto& rl = s.options->rate;
        Dict global;
        global.u64("msgs_per_sec", rl.global_per_sec);  // 0: disabled
        global.u64("msgs_burst", rl.global_burst);
        global.u64("deterministic", rl.deterministic ? 1 : 0);
        global.u64("suppressed_v4", stats.v4.out_rate_limit_global);
        global.u64("suppressed_v6", stats.v6.out_rate_limit_global);
        r.add("global", std::move(global));
        for (const bool v6 : {false, true}) {
            Dict f;
            f.u64("interval_ms", (v6 ? rl.host_interval_v6_ns : rl.host_interval_ns) / 1'000'000);
            f.u64("burst", rl.host_burst);
            f.str("ratemask", mask_ranges(v6 ? rl.mask_v6 : rl.mask_v4));
            f.u64("table_entries_per_lcore", v6 ? s.limits.capacity_v6 : s.limits.capacity_v4);
            f.u64("evictions", v6 ? s.limits.evictions_v6 : s.limits.evictions_v4);
            f.u64("suppressed", (v6 ? stats.v6 : stats.v4).out_rate_limit_host);
            r.add(v6 ? "per_destination_v6" : "per_destination_v4", std::move(f));
        }
        r.u64("lcores", s.limits.lcores);
        Dict outcomes;  // every error owed, both families: sent or why not
        for (std::size_t i = 0; i < icmp::error_outcome_count; ++i)
            outcomes.u64(icmp::error_outcome_name(static_cast<icmp::ErrorOutcome>(i)),
                         stats.errors[i]);
        r.add("errors", std::move(outcomes));
        return 0;
    });
}

// ---- /pingwire/neigh, /pingwire/routes: one page of rows, from the parameter's index (tel::page)

int neigh_cb(const char*, const char* params, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.view == nullptr) return app::tel::error_reply(d, "stopping");
    return g_src.view->read([&](const ControlView::Snapshot& s) {
        if (!s.has_neighbours)
            return app::tel::error_reply(d, "no neighbour table: host mode (--forward has one)");
        return app::tel::page(d, params, s.neighbours, "neighbours",
                              [&](Dict& row, const NeighRow& n, std::size_t i) {
                                  row.str("address", n.address);
                                  row.u64("port", n.port);
                                  row.str("mac", n.mac);
                                  row.str("state", n.state);
                                  row.u64("permanent", n.permanent ? 1 : 0);
                                  row.u64("probing", n.probing ? 1 : 0);
                                  row.u64("age_ms", (n.age_ns + s.neigh_age_ns) / 1'000'000);
                                  return std::to_string(i);
                              });
    });
}

int routes_cb(const char*, const char* params, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.view == nullptr) return app::tel::error_reply(d, "stopping");
    return g_src.view->read([&](const ControlView::Snapshot& s) {
        if (!s.options || !s.options->forward)
            return app::tel::error_reply(d, "no FIB: host mode (--forward has one)");
        return app::tel::page(d, params, s.routes, "routes",
                              [&](Dict& row, const RouteRow& rt, std::size_t i) {
                                  row.str("prefix", rt.prefix);
                                  row.str("kind", rt.kind);
                                  row.i64("port", rt.port);
                                  row.str("gateway", rt.gateway);
                                  row.str("own_kind", rt.own_kind);
                                  return std::to_string(i);
                              });
    });
}

// ---- /pingwire/config

std::string prefix_text(const wire::Ipv4Prefix& p) {
    return fmt::format("{}/{}", p.addr.to_string(), p.len);
}
std::string prefix_text(const wire::Ipv6Prefix& p) {
    return fmt::format("{}/{}", p.addr.to_string(), p.len);
}

int config_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_src.view == nullptr) return app::tel::error_reply(d, "stopping");
    return g_src.view->read([&](const ControlView::Snapshot& s) {
        if (!s.options) return app::tel::error_reply(d, "starting");
        const Options& o = *s.options;
        Dict r(d);
        r.str("program", "pingwire-responder");
        r.u64("forward", o.forward ? 1 : 0);
        Dict ports;
        for (const auto& spec : o.common.ports) {
            Dict p;
            const drivers::PortInfo* info = nullptr;
            for (const auto& pi : s.ports)
                if (pi.port == spec.port) info = &pi;
            p.str("device", info != nullptr ? info->name : "");
            p.str("driver", info != nullptr ? info->driver : "");
            p.str("mac", info != nullptr ? info->mac.to_string()
                                         : (spec.mac ? spec.mac->to_string() : ""));
            p.u64("mtu", spec.mtu ? *spec.mtu : (info != nullptr ? info->mtu : 1500));
            Array addrs(Array::Of::string);
            for (const auto& a : spec.v4) addrs.str(prefix_text(a));
            for (const auto& a : spec.v6) addrs.str(prefix_text(a));
            p.add("addrs", std::move(addrs));
            ports.add(std::to_string(spec.port), std::move(p));
        }
        r.add("ports", std::move(ports));
        Array routes(Array::Of::string), denies(Array::Of::string), neigh(Array::Of::string);
        for (const auto& rt : o.routes) routes.str(route::to_string(rt));
        for (const auto& dn : o.denies) denies.str(route::to_string(dn.prefix));
        for (const auto& n : o.neighbours)
            neigh.str(route::to_string(n.addr) + ",mac=" + n.mac.to_string() +
                      (n.port ? ",port=" + std::to_string(*n.port) : ""));
        // The lists as given; too long for one 16 KiB reply (with the rest, about 4 KiB), only
        // their lengths: the FIB pages through /pingwire/routes, the table /pingwire/neigh.
        const bool fits =
            routes.json_size() + denies.json_size() + neigh.json_size() <
                app::tel::reply_budget - 6 * 1024 &&
            o.routes.size() + o.denies.size() + o.neighbours.size() < RTE_TEL_MAX_ARRAY_ENTRIES;
        r.u64("routes_given", o.routes.size());
        r.u64("denies_given", o.denies.size());
        r.u64("neighbours_given", o.neighbours.size());
        if (fits) {
            r.add("routes", std::move(routes));
            r.add("denies", std::move(denies));
            r.add("neighbours", std::move(neigh));
        } else {
            r.str("lists", "too long for one reply: see /pingwire/routes and /pingwire/neigh");
        }
        r.u64("max_routes", o.max_routes);
        r.u64("neigh_table", o.neigh_capacity);

        const auto& rl = o.rate;
        Dict rate;
        rate.u64("icmp_ratelimit_ms", rl.host_interval_ns / 1'000'000);
        rate.u64("icmp6_ratelimit_ms", rl.host_interval_v6_ns / 1'000'000);
        rate.u64("icmp_ratelimit_burst", rl.host_burst);
        rate.u64("icmp_msgs_per_sec", rl.global_per_sec);
        rate.u64("icmp_msgs_burst", rl.global_burst);
        rate.str("icmp_ratemask", mask_ranges(rl.mask_v4));
        rate.str("icmp6_ratemask", mask_ranges(rl.mask_v6));
        rate.u64("deterministic", rl.deterministic ? 1 : 0);
        rate.u64("table_sets", rl.host_table_sets);
        r.add("ratelimit", std::move(rate));

        const auto& pol = o.policy;
        Dict policy;
        policy.u64("icmp_echo_ignore_all", pol.echo_ignore_all ? 1 : 0);
        policy.u64("icmp_echo_ignore_broadcasts", pol.echo_ignore_broadcasts ? 1 : 0);
        policy.u64("icmp6_echo_ignore_all", pol.echo6_ignore_all ? 1 : 0);
        policy.u64("icmp6_echo_ignore_multicast", pol.echo6_ignore_multicast ? 1 : 0);
        policy.u64("icmp_echo_enable_probe", pol.probe ? 1 : 0);
        policy.u64("timestamp_reply", pol.timestamp_reply ? 1 : 0);
        std::string udp;
        for (unsigned p = 0; p < 65536;) {
            if (!pol.udp_open.test(p)) {
                ++p;
                continue;
            }
            unsigned e = p;
            while (e + 1 < 65536 && pol.udp_open.test(e + 1)) ++e;
            udp += (udp.empty() ? "" : ",") +
                   (e == p ? std::to_string(p) : fmt::format("{}-{}", p, e));
            p = e + 1;
        }
        policy.str("udp_open", udp);
        const auto src = pol.errors.source;
        policy.str("icmp_error_source", src == icmp::ErrorSource::ingress ? "ingress"
                                        : src == icmp::ErrorSource::fixed ? "fixed"
                                                                          : "invoking");
        policy.str("icmp_error_source_addr4",
                   pol.errors.fixed_v4 ? pol.errors.fixed_v4->to_string() : "");
        policy.str("icmp_error_source_addr6",
                   pol.errors.fixed_v6 ? pol.errors.fixed_v6->to_string() : "");
        policy.u64("send_redirects", o.router.send_redirects ? 1 : 0);
        policy.u64("icmp_errors_extension", o.errors_extension ? 1 : 0);
        r.add("policy", std::move(policy));

        Dict reasm;
        reasm.u64("ipfrag_time_ms", o.reassembly.timeout_v4_ns / 1'000'000);
        reasm.u64("ip6frag_time_ms", o.reassembly.timeout_v6_ns / 1'000'000);
        reasm.u64("ipfrag_max_datagrams", o.reassembly.max_datagrams);
        r.add("reassembly", std::move(reasm));

        // Security insight's thresholds (lib/insight/config.hh), and the ICMP filter's rules.
        const auto& ic = o.insight.tracker;
        Dict ins;
        ins.u64("enabled", ic.enabled ? 1 : 0);
        ins.u64("sources", ic.sources);
        ins.u64("window_ms", ic.window_ns / 1'000'000);
        ins.u64("sweep_targets", ic.sweep_targets);
        ins.u64("flood_pps", ic.flood_pps);
        ins.u64("error_flood_pps", ic.error_pps);
        ins.u64("global_flood_pps", ic.global_flood_pps);
        ins.u64("global_error_flood_pps", ic.global_error_pps);
        ins.u64("tunnel_score", ic.tunnel_score);
        ins.u64("tunnel_min_requests", ic.tunnel_min_requests);
        ins.u64("inspect_per_window", ic.inspect_per_window);
        ins.u64("alert_hold_ms", ic.alert_hold_ns / 1'000'000);
        ins.u64("alert_log_rate", o.insight.alert_log_per_sec);
        r.add("insight", std::move(ins));
        if (o.forward) {
            Array rules(Array::Of::string);
            for (std::size_t i = 0; i < o.icmp_filter.size(); ++i)
                rules.str(o.icmp_filter.rule(i).spec());
            r.add("icmp_filter", std::move(rules));
            r.str("icmp_filter_default", insight::to_string(o.icmp_filter.default_action()));
        }

        r.u64("rx_desc", o.common.rx_desc);
        r.u64("tx_desc", o.common.tx_desc);
        r.u64("mbufs", o.common.mbufs);
        r.u64("stats_interval_ms", static_cast<std::uint64_t>(o.common.stats_interval * 1000));
        r.str("metrics", o.common.metrics);
        return 0;
    });
}

}  // namespace

void register_telemetry(const std::vector<pipeline::LcoreBase>& base,
                        const std::vector<pipeline::LcoreHost>& host,
                        const std::vector<drivers::PortInfo>& ports, const ControlView& view) {
    {
        std::lock_guard lock(g_mu);
        g_src = {&base, &host, &ports, &view};
    }
    register_filter_telemetry(host, view);  // /pingwire/filter (filter_telemetry.hh)
    static bool registered = false;         // DPDK keeps commands for the life of the process
    if (registered) return;
    registered = true;
    struct Cmd {
        const char* path;
        telemetry_cb fn;
        const char* help;  // DPDK keeps 63 bytes of it
    };
    const Cmd cmds[] = {
        {"/pingwire/ports", ports_cb, "Returns the port ids. No parameters"},
        {"/pingwire/stats", stats_cb, "Counters of every port, or of one. Params: [int port]"},
        {"/pingwire/icmp", icmp_cb, "ICMP counters, as nstat names them. No parameters"},
        {"/pingwire/icmp6", icmp6_cb, "ICMPv6 counters, as nstat names them. No parameters"},
        {"/pingwire/ratelimit", ratelimit_cb, "ICMP rate limits and what they held back"},
        {"/pingwire/neigh", neigh_cb, "The neighbour table. Params: [int first entry]"},
        {"/pingwire/routes", routes_cb, "The FIB. Params: [int first route]"},
        {"/pingwire/config", config_cb, "The configuration in force. No parameters"},
    };
    for (const auto& c : cmds)
        if (rte_telemetry_register_cmd(c.path, c.fn, c.help) != 0)
            std::fprintf(stderr,
                         "pingwire-responder: warning: telemetry command %s not registered\n",
                         c.path);
}

void collect_metrics(app::Families& f, const ControlView& view) {
    view.read([&](const ControlView::Snapshot& s) {
        auto& cap = app::gauge_family(f, "pingwire_ratelimit_table_entries",
                                      "Per-destination rate-limit entries, per lcore and family.");
        app::sample(cap, {{"family", "ipv4"}}, static_cast<double>(s.limits.capacity_v4));
        app::sample(cap, {{"family", "ipv6"}}, static_cast<double>(s.limits.capacity_v6));
        auto& ev = app::counter_family(
            f, "pingwire_ratelimit_evictions_total",
            "Destinations that took the place of another in a full rate-limit table.");
        app::sample(ev, {{"family", "ipv4"}}, static_cast<double>(s.limits.evictions_v4));
        app::sample(ev, {{"family", "ipv6"}}, static_cast<double>(s.limits.evictions_v6));
        if (s.options && s.options->forward) {
            auto& routes = app::gauge_family(f, "pingwire_routes", "Routes in the FIB.");
            app::sample(routes, {{"family", "ipv4"}}, static_cast<double>(s.routes_v4));
            app::sample(routes, {{"family", "ipv6"}}, static_cast<double>(s.routes_v6));
        }
        if (s.has_neighbours) {
            auto& n =
                app::gauge_family(f, "pingwire_neighbours", "Neighbour table entries, by state.");
            for (const auto st : {route::NeighState::incomplete, route::NeighState::reachable,
                                  route::NeighState::stale, route::NeighState::failed}) {
                std::size_t c = 0;
                for (const auto& row : s.neighbours) c += row.state == route::to_string(st);
                app::sample(n, {{"state", route::to_string(st)}}, static_cast<double>(c));
            }
            app::sample(app::gauge_family(f, "pingwire_neighbour_table_capacity",
                                          "Neighbour table size (entries)."),
                        {}, static_cast<double>(s.neigh_capacity));
        }
        return 0;
    });
    collect_filter_metrics(f, view);  // pingwire_icmp_filter_packets_total
}

void unregister_telemetry() {
    unregister_filter_telemetry();
    std::lock_guard lock(g_mu);
    g_src = {};
}

}  // namespace pw::responder
