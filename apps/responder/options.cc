#include "apps/responder/options.hh"

#include <CLI/CLI.hpp>

#include "apps/skeleton/cli_errors.hh"
#include "apps/skeleton/config_check.hh"

#include "lib/wire/addr.hh"

namespace pw::responder {

std::variant<std::vector<unsigned>, std::string> parse_ranges(const std::string& text,
                                                              unsigned max) {
    std::vector<unsigned> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        const std::string item = text.substr(pos, comma - pos);
        pos = comma + 1;
        const auto dash = item.find('-');
        try {
            std::size_t used = 0;
            const unsigned long lo = std::stoul(item.substr(0, dash), &used);
            if (used != item.substr(0, dash).size())
                return "'" + item + "' is not a number or range";
            unsigned long hi = lo;
            if (dash != std::string::npos) {
                const std::string h = item.substr(dash + 1);
                hi = std::stoul(h, &used);
                if (used != h.size()) return "'" + item + "' is not a number or range";
            }
            if (lo > hi || hi > max) return "'" + item + "' is outside 0.." + std::to_string(max);
            for (unsigned long v = lo; v <= hi; ++v) out.push_back(static_cast<unsigned>(v));
        } catch (const std::exception&) {
            return "'" + item + "' is not a number or range";
        }
    }
    return out;
}

namespace {

// A port a filter rule names must be one of ours.
std::optional<std::string> check_filter_port(const Options& o, std::uint16_t port,
                                             const std::string& what) {
    if (port == insight::any_port) return std::nullopt;
    for (const auto& p : o.common.ports)
        if (p.port == port) return std::nullopt;
    return what + ": there is no --port " + std::to_string(port);
}

// --icmp-filter RULE..., --icmp-policy, --icmp-filter-default into o.icmp_filter: the user's
// rules first, in their order, then the policy's (RFC 4890 4.3).
std::optional<std::string> parse_icmp_filter(const std::vector<std::string>& rules,
                                             const std::string& policy,
                                             const std::string& default_action, Options& o) {
    if (!o.forward && (!rules.empty() || policy != "none" || default_action != "allow"))
        return std::string(
            "--icmp-filter, --icmp-policy and --icmp-filter-default need --forward (they filter "
            "forwarded ICMP)");
    for (const auto& t : rules) {
        auto r = insight::parse_filter_rule(t);
        if (auto* e = std::get_if<std::string>(&r)) return "--icmp-filter " + t + ": " + *e;
        const auto& rule = std::get<insight::FilterRule>(r);
        if (auto e = check_filter_port(o, rule.in, "--icmp-filter " + t + ": in=")) return e;
        if (auto e = check_filter_port(o, rule.out, "--icmp-filter " + t + ": out=")) return e;
        if (auto e = o.icmp_filter.add(rule)) return "--icmp-filter " + t + ": " + *e;
    }
    auto p = insight::parse_icmp_policy(policy);
    if (auto* e = std::get_if<std::string>(&p)) return "--icmp-policy " + policy + ": " + *e;
    const auto& spec = std::get<insight::PolicySpec>(p);
    if (auto e = check_filter_port(o, spec.outside, "--icmp-policy " + policy + ": outside="))
        return e;
    if (auto e = insight::add_icmp_policy(o.icmp_filter, spec)) return "--icmp-policy: " + *e;
    o.icmp_filter.set_default(default_action == "deny" ? insight::FilterAction::deny
                                                       : insight::FilterAction::allow);
    return std::nullopt;
}

}  // namespace

std::variant<Options, Exit> parse_options(std::vector<char*>& args) {
    Options o;
    app::CommonOptionTexts common;
    CLI::App app{
        "pingwire-responder: a DPDK host that answers ICMP (echo, timestamp, PROBE) and ICMPv6 "
        "echo,\n"
        "ARP and Neighbor Solicitation for its addresses, sends the ICMP errors a host owes (port "
        "and\n"
        "protocol unreachable, parameter problem, reassembly time exceeded) under Linux-like rate\n"
        "limits, and explains every packet it did not answer.\n\n"
        "usage: pingwire-responder [EAL options] -- --port ID[,mac=MAC][,mtu=N][,addr=A/PLEN]... "
        "[options]\n"
        "example: pingwire-responder -l 0,1 --no-huge -m 512 --vdev net_af_packet0,iface=veth0 -- "
        "\\\n"
        "           --port 0,addr=198.18.0.2/24,addr=2001:2::2/64",
        "pingwire-responder"};
    app.get_formatter()->column_width(44);
    common.add_to(app, o.common);

    // Echo and query policy (Linux sysctl names).
    bool echo_ignore_all = false, echo_ignore_bcast = true, echo6_ignore_all = false,
         echo6_ignore_mcast = false;
    bool probe = false, no_timestamp = false;
    app.add_option("--icmp-echo-ignore-all", echo_ignore_all,
                   "0|1: ignore every IPv4 echo (net.ipv4.icmp_echo_ignore_all, default 0)");
    app.add_option("--icmp-echo-ignore-broadcasts", echo_ignore_bcast,
                   "0|1: ignore echo and timestamp to broadcast addresses "
                   "(net.ipv4.icmp_echo_ignore_broadcasts, default 1)");
    app.add_option("--icmp6-echo-ignore-all", echo6_ignore_all,
                   "0|1: ignore every IPv6 echo (net.ipv6.icmp.echo_ignore_all, default 0)");
    app.add_option("--icmp6-echo-ignore-multicast", echo6_ignore_mcast,
                   "0|1: ignore IPv6 echo to multicast groups "
                   "(net.ipv6.icmp.echo_ignore_multicast, default 0)");
    app.add_option("--icmp-echo-enable-probe", probe,
                   "0|1: answer RFC 8335 extended echo (PROBE), IPv4 and IPv6 "
                   "(net.ipv4.icmp_echo_enable_probe, default 0)");
    app.add_flag("--no-timestamp", no_timestamp,
                 "do not answer ICMP timestamp requests (answered by default, as Linux)");
    std::string udp_open;
    app.add_option("--udp-open", udp_open,
                   "UDP ports to accept silently instead of Port Unreachable, e.g. 53,5000-5010");

    // Errors.
    std::string error_source = "invoking";
    std::vector<std::string> error_source_addrs;
    app.add_option(
           "--icmp-error-source", error_source,
           "where errors come from: invoking (the address the packet was sent to, when ours; "
           "default),\n"
           "ingress (the ingress interface's first address), fixed (--icmp-error-source-addr)")
        ->check(CLI::IsMember({"invoking", "ingress", "fixed"}));
    app.add_option("--icmp-error-source-addr", error_source_addrs,
                   "the fixed source address of errors (one IPv4, one IPv6)");

    // Rate limits.
    unsigned ratelimit_ms = 1000, ratelimit6_ms = 1000, msgs_per_sec = 1000, msgs_burst = 50,
             host_burst = 6;
    std::string ratemask = "0x1818", ratemask6 = "0-1,3-127";
    bool deterministic = false;
    unsigned table_sets = static_cast<unsigned>(icmp::HostBuckets::default_sets);
    app.add_option("--icmp-ratelimit", ratelimit_ms,
                   "ms between ICMPv4 errors to one destination after the burst; 0 disables "
                   "(net.ipv4.icmp_ratelimit, default 1000)")
        ->check(CLI::Range(0U, 3600000U));
    app.add_option("--icmp6-ratelimit", ratelimit6_ms,
                   "the same for ICMPv6 (net.ipv6.icmp.ratelimit, default 1000)")
        ->check(CLI::Range(0U, 3600000U));
    app.add_option("--icmp-ratelimit-burst", host_burst,
                   "errors to one destination before the rate applies (Linux XRLIM_BURST_FACTOR, "
                   "default 6)")
        ->check(CLI::Range(1U, 1000000U));
    app.add_option("--icmp-msgs-per-sec", msgs_per_sec,
                   "global ICMP error budget per second, all lcores together; 0 disables "
                   "(net.ipv4.icmp_msgs_per_sec, default 1000)")
        ->check(CLI::Range(0U, 100000000U));
    app.add_option("--icmp-msgs-burst", msgs_burst,
                   "global burst (net.ipv4.icmp_msgs_burst, default 50)")
        ->check(CLI::Range(1U, 100000000U));
    app.add_option("--icmp-ratemask", ratemask,
                   "ICMPv4 types limited, as a bit mask (net.ipv4.icmp_ratemask, default 0x1818: "
                   "types 3, 4, 11, 12; add bit 0 to limit echo replies)");
    app.add_option("--icmp6-ratemask", ratemask6,
                   "ICMPv6 types limited, as ranges (net.ipv6.icmp.ratemask, default 0-1,3-127: "
                   "errors but Packet Too Big; add 129 for echo replies)");
    app.add_flag("--icmp-ratelimit-deterministic", deterministic,
                 "spend exactly one global credit per error (Linux spends a random 0-2), so "
                 "benchmarks get exact figures");
    app.add_option(
           "--icmp-ratelimit-table", table_sets,
           "per-destination table size per lcore, in sets of 4 (power of two, default 1024)")
        ->check(CLI::Range(1U, 1U << 20));

    // Reassembly.
    double ipfrag_time = 30, ip6frag_time = 60;
    unsigned frag_slots = 64;
    app.add_option(
           "--ipfrag-time", ipfrag_time,
           "seconds an IPv4 datagram may take to reassemble (net.ipv4.ipfrag_time, default 30)")
        ->check(CLI::Range(0.01, 3600.0));
    app.add_option("--ip6frag-time", ip6frag_time,
                   "the same for IPv6 (net.ipv6.ip6frag_time, default 60)")
        ->check(CLI::Range(0.01, 3600.0));
    app.add_option("--ipfrag-max-datagrams", frag_slots,
                   "datagrams in reassembly at once, per lcore (default 64; 64 KiB each)")
        ->check(CLI::Range(1U, 4096U));
    std::vector<std::string> respond_texts;
    app.add_option("--respond", respond_texts,
                   "answer for every address of PREFIX as a host owning them: ARP, NDP, echo, "
                   "errors (a ping sink;\n"
                   "IPv4 without the network and broadcast addresses, IPv6 without the "
                   "Subnet-Router anycast);\n"
                   "port: the interface whose subnet holds PREFIX, or the only port, by default "
                   "(repeatable; default: none)")
        ->type_name("PREFIX[,port=ID|ID.VID]");
    // Router mode.
    bool forward = false, send_redirects = false;
    std::vector<std::string> route_texts, deny_texts, neigh_texts;
    app.add_flag("--forward", forward,
                 "router mode: forward between the ports (RFC 1812, RFC 8200) and send the "
                 "router's ICMP errors");
    app.add_option("--route", route_texts,
                   "a static route: PREFIX,via=ADDR[,port=ID], PREFIX,reject (Administratively "
                   "Prohibited) or\n"
                   "PREFIX,blackhole; PREFIX may be default4/default6 (repeatable; connected "
                   "prefixes come from addr=)");
    app.add_option("--deny", deny_texts,
                   "an ACL entry: packets to PREFIX get Communication Administratively Prohibited "
                   "(repeatable)");
    app.add_option("--neigh", neigh_texts,
                   "a permanent neighbour: ADDR,mac=MAC[,port=ID] (like ip neigh ... nud "
                   "permanent: never\n"
                   "probed or aged; port: the one whose subnet holds ADDR by default; repeatable)");
    app.add_option("--send-redirects", send_redirects,
                   "0|1: send Redirects when a packet leaves by the port it came in on "
                   "(net.ipv4.conf.all.send_redirects; default 0)");
    app.add_option(
        "--icmp-errors-extension", o.errors_extension,
        "0|1: append an RFC 5837 Interface Information Object (ingress ifIndex, address, name, "
        "MTU) to\n"
        "Time Exceeded and Destination Unreachable, as RFC 4884 multipart messages with the "
        "original\n"
        "datagram padded or cut to 128 bytes (net.ipv4.icmp_errors_extension_mask 0x1; default 0)");
    app.add_option("--max-routes", o.max_routes,
                   "routes per family in the FIB (default 1024; IPv6 tables grow with it: give EAL "
                   "more -m for more)")
        ->check(CLI::Range(16U, 1U << 16));
    app.add_option("--neigh-table", o.neigh_capacity,
                   "neighbour entries, ARP and NDP together (default 4096)")
        ->check(CLI::Range(16U, 1U << 22));
    // RFC 4890 selective ICMP filtering (router mode).
    std::vector<std::string> icmp_filter_texts;
    std::string icmp_policy = "none", icmp_filter_default = "allow";
    app.add_option(
        "--icmp-filter", icmp_filter_texts,
        "allow or deny forwarded ICMP / ICMPv6 by type, code and direction, e.g.\n"
        "deny,v4,type=echo-request,in=1 or allow,v6,type=2,out=0,name=pmtud; the first "
        "rule that\n"
        "matches decides, in the order given, before --icmp-policy's (repeatable, at most "
        "64 rules\n"
        "with the policy's; default: none)");
    app.add_option(
        "--icmp-policy", icmp_policy,
        "the recommended transit policy: rfc4890 (RFC 4890 4.3 for ICMPv6 and its IPv4 "
        "counterpart:\n"
        "errors, PTB / frag-needed and echo pass, link-scope, deprecated and unallocated "
        "types are\n"
        "denied); outside=PORT,deny-inbound-echo also denies Echo Request coming in "
        "by PORT (default none)");
    app.add_option("--icmp-filter-default", icmp_filter_default,
                   "what a forwarded ICMP message no rule matches gets (default allow)")
        ->check(CLI::IsMember({"allow", "deny"}));
    InsightOptionTexts insight_texts;
    insight_texts.add_to(app, o.insight);
    app.set_version_flag("--version", "pingwire-responder 0.1.0");
    app::plain_help(app, {{"--udp-open", "PORTS"},
                          {"--icmp-error-source", "invoking|ingress|fixed"},
                          {"--icmp-error-source-addr", "ADDR"},
                          {"--icmp-ratelimit", "MS"},
                          {"--icmp6-ratelimit", "MS"},
                          {"--icmp-ratemask", "MASK"},
                          {"--icmp6-ratemask", "RANGES"},
                          {"--icmp-ratelimit-table", "SETS"},
                          {"--ipfrag-time", "SECONDS"},
                          {"--ip6frag-time", "SECONDS"},
                          {"--route", "PREFIX,via=ADDR[,port=ID]|PREFIX,reject|PREFIX,blackhole"},
                          {"--deny", "PREFIX"},
                          {"--vlan", "PORT.VID[,mtu=N][,addr=A/PLEN]..."},
                          {"--respond", "PREFIX[,port=ID|ID.VID]"},
                          {"--icmp-filter",
                           "ACTION,FAMILY[,type=T][,code=C][,in=PORT][,out=PORT][,name=LABEL]"},
                          {"--icmp-policy", "none|rfc4890[,outside=PORT,deny-inbound-echo]"},
                          {"--icmp-filter-default", "allow|deny"},
                          {"--insight-window", "SECONDS"},
                          {"--alert-hold", "SECONDS"}});

    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::CallForHelp&) {
        return Exit{app.help(), 0};
    } catch (const CLI::CallForVersion& e) {
        return Exit{e.what() + std::string("\n"), 0};
    } catch (const CLI::ParseError& e) {
        return app::parse_error("pingwire-responder", app, e);
    }
    auto bad = [](const std::string& what) {
        return Exit{"pingwire-responder: error: " + what + "\n", 2};
    };

    // Checked after the parse so that an unknown option is reported as such first.
    if (auto e = common.parse_ports(o.common)) return bad(*e);
    // VLAN sub-interfaces are host interfaces: no routes, neighbours or forwarding on them.
    for (const auto& p : o.common.ports)
        if (forward && !p.vlans.empty())
            return bad("--vlan is host mode only: it cannot be combined with --forward");
    {
        std::vector<route::RespondSpec> rs;
        for (const auto& t : respond_texts) {
            auto r = route::parse_respond_spec(t);
            if (auto* e = std::get_if<std::string>(&r)) return bad("--respond " + t + ": " + *e);
            rs.push_back(std::get<route::RespondSpec>(r));
        }
        if (auto e = route::attach_respond(o.common.ports, rs)) return bad(*e);
    }
    // What the interface table and the FIB would refuse once the ports are up.
    if (auto e = app::check_addresses(o.common.ports, forward)) return bad(*e);

    icmp::HostPolicy& pol = o.policy;
    pol.echo_ignore_all = echo_ignore_all;
    pol.echo_ignore_broadcasts = echo_ignore_bcast;
    pol.echo6_ignore_all = echo6_ignore_all;
    pol.echo6_ignore_multicast = echo6_ignore_mcast;
    pol.probe = probe;
    pol.timestamp_reply = !no_timestamp;
    if (!udp_open.empty()) {
        auto r = parse_ranges(udp_open, 65535);
        if (auto* e = std::get_if<std::string>(&r)) return bad("--udp-open: " + *e);
        for (unsigned p : std::get<std::vector<unsigned>>(r)) pol.udp_open.set(p);
    }
    pol.errors.source = error_source == "ingress" ? icmp::ErrorSource::ingress
                        : error_source == "fixed" ? icmp::ErrorSource::fixed
                                                  : icmp::ErrorSource::invoking_dst;
    for (const auto& a : error_source_addrs) {
        if (const auto a4 = wire::Ipv4Addr::parse(a))
            pol.errors.fixed_v4 = *a4;
        else if (const auto a6 = wire::Ipv6Addr::parse(a))
            pol.errors.fixed_v6 = *a6;
        else
            return bad("--icmp-error-source-addr: '" + a + "' is not an IPv4 or IPv6 address");
    }
    if (pol.errors.source == icmp::ErrorSource::fixed && !pol.errors.fixed_v4 &&
        !pol.errors.fixed_v6)
        return bad("--icmp-error-source fixed needs --icmp-error-source-addr");

    icmp::RateLimitConfig& rl = o.rate;
    // 0 disables a family's per-destination limit: an interval of 0 lets everything pass.
    rl.host_interval_ns = std::uint64_t{ratelimit_ms} * 1'000'000;
    rl.host_interval_v6_ns = std::uint64_t{ratelimit6_ms} * 1'000'000;
    rl.host_burst = host_burst;
    rl.global_per_sec = msgs_per_sec;
    rl.global_burst = msgs_burst;
    rl.deterministic = deterministic;
    try {
        std::size_t used = 0;
        const unsigned long m = std::stoul(ratemask, &used, 0);
        if (used != ratemask.size() || m > 0xffffffffUL) throw std::invalid_argument("mask");
        rl.mask_v4.reset();
        for (unsigned t = 0; t < 32; ++t)
            if ((m >> t) & 1U) rl.mask_v4.set(t);
    } catch (const std::exception&) {
        return bad("--icmp-ratemask: '" + ratemask + "' is not a number (e.g. 0x1818)");
    }
    {
        auto r = parse_ranges(ratemask6, 255);
        if (auto* e = std::get_if<std::string>(&r)) return bad("--icmp6-ratemask: " + *e);
        rl.mask_v6.reset();
        for (unsigned t : std::get<std::vector<unsigned>>(r)) rl.mask_v6.set(t);
    }
    if ((table_sets & (table_sets - 1)) != 0)
        return bad("--icmp-ratelimit-table must be a power of two");
    rl.host_table_sets = table_sets;

    o.forward = forward;
    if (!forward && (!route_texts.empty() || !deny_texts.empty() || !neigh_texts.empty()))
        return bad("--route, --deny and --neigh need --forward");
    if (auto e = app::parse_neighbours(neigh_texts, o.common.ports, o.neighbours)) return bad(*e);
    for (const auto& t : route_texts) {
        auto r = route::parse_route_spec(t);
        if (auto* e = std::get_if<std::string>(&r)) return bad("--route " + t + ": " + *e);
        o.routes.push_back(std::get<route::RouteSpec>(r));
    }
    if (auto e = app::check_routes(o.common.ports, o.routes)) return bad(*e);
    for (const auto& t : deny_texts) {
        auto r = route::parse_deny_spec(t);
        if (auto* e = std::get_if<std::string>(&r)) return bad("--deny " + t + ": " + *e);
        o.denies.push_back(std::get<route::DenySpec>(r));
    }
    if (auto e = parse_icmp_filter(icmp_filter_texts, icmp_policy, icmp_filter_default, o))
        return bad(*e);
    o.router.send_redirects = send_redirects;
    // Router errors follow --icmp-error-source: for a packet not addressed to us "invoking"
    // means the ingress interface's address (RFC 1812 4.3.2.4).
    // RFC 4884 5.1 lets the original datagram be longer than 128 bytes, but traceroute and
    // tcpdump read the extension at 128, as Linux lays it out: so do we.
    if (o.errors_extension) pol.errors.rfc4884_original_128 = true;
    o.router.errors = pol.errors;

    if (auto e = insight_texts.finish(o.insight)) return bad(*e);

    o.reassembly.timeout_v4_ns = static_cast<std::uint64_t>(ipfrag_time * 1e9);
    o.reassembly.timeout_v6_ns = static_cast<std::uint64_t>(ip6frag_time * 1e9);
    o.reassembly.max_datagrams = frag_slots;
    return o;
}

}  // namespace pw::responder
