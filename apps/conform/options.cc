#include "apps/conform/options.hh"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "apps/skeleton/cli_errors.hh"

#include <algorithm>
#include <charconv>

#include "lib/conform/check.hh"

namespace pw::conform_app {

namespace {

bool matches(const std::string& pattern, const std::string& id) {
    if (!pattern.empty() && pattern.back() == '*')
        return id.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
    return pattern == id;
}

std::optional<std::string> check_ids(const std::vector<std::string>& ids, const char* opt) {
    for (const auto& p : ids) {
        bool any = false;
        for (const auto& c : conform::catalogue()) any = any || matches(p, c.id);
        if (!any)
            return std::string(opt) + " " + p +
                   ": no such check (the IDs are listed by --list; a prefix ends in '*')";
    }
    return std::nullopt;
}

std::optional<double> to_double(const std::string& s) {
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

bool Options::selected(const std::string& id) const {
    if (!only.empty() &&
        std::none_of(only.begin(), only.end(), [&](const auto& p) { return matches(p, id); }))
        return false;
    return std::none_of(skip.begin(), skip.end(), [&](const auto& p) { return matches(p, id); });
}

std::variant<Options, Exit> parse_options(std::vector<char*>& args) {
    Options o;
    CLI::App app{
        "pingwire-conform: drives a router under test (RUT) through two ports and reports its "
        "ICMP conformance, RFC by RFC, and its measured ICMP rate limits.\n"
        "Port 0 faces the RUT's ingress, port 1 its egress; the tool plays the hosts on both "
        "sides.\n\n"
        "usage: pingwire-conform [EAL options] -- --port 0,addr=A/PLEN... --port 1,addr=A/PLEN... "
        "--rut-in ADDR --rut-out ADDR [options]\n"
        "example: pingwire-conform -l 0,1 --no-huge -m 512 --vdev net_af_packet0,iface=veth0 "
        "--vdev net_af_packet1,iface=veth1 -- \\\n"
        "           --port 0,addr=198.18.1.2/24 --port 1,addr=198.18.2.2/24 --rut-in 198.18.1.1 "
        "--rut-out 198.18.2.1",
        "pingwire-conform"};
    app.set_help_flag("-h,--help", "this help");
    app::CommonOptionTexts common;
    common.add_to(app, o.common);
    std::vector<std::string> rut_in, rut_out, neigh_texts, unrouted, unresolved, trig, fams,
        rates_text;
    bool list = false;
    app.add_option("--rut-in", rut_in,
                   "the RUT's address facing port 0 (one per family; a family without one "
                   "makes its checks not-applicable)");
    app.add_option("--rut-out", rut_out, "the RUT's address facing port 1 (one per family)");
    app.add_option("--mtu-out", o.mtu_out,
                   "the RUT's MTU toward port 1 (default: discovered with a DF probe)");
    app.add_option("--only", o.only, "run only these checks (IDs, or prefixes ending in '*')");
    app.add_option("--skip", o.skip, "skip these checks (IDs, or prefixes ending in '*')");
    app.add_flag("--list", list, "list the checks (ID, RFC, family, expected outcome) and exit");
    app.add_option("--unrouted", unrouted,
                   "a destination the RUT has no route for, per family (default 198.19.255.1, "
                   "2001:2:ffff::1)");
    app.add_option("--unresolved", unresolved,
                   "an address on port 1's subnet that nobody answers (default: the subnet's "
                   "last usable address that is neither ours nor the RUT's)");
    app.add_option("--sources", o.sources,
                   "source addresses the tool plays on port 0's subnet (default 200; each "
                   "check and each rate-limit step takes its own)");
    app.add_flag("--ratelimit", o.ratelimit,
                 "characterise the RUT's ICMP rate limits with trigger streams");
    app.add_option("--ratelimit-trigger", trig,
                   "time-exceeded, port-unreachable, net-unreachable, frag-needed (default: "
                   "all)");
    app.add_option("--ratelimit-family", fams, "4 or 6 (default: both the RUT has)");
    app.add_option("--ratelimit-rates", rates_text,
                   "offered rates in pps (default: 1 to 100000, two a decade)")
        ->delimiter(',');
    app.add_option("--ratelimit-step", o.step_s, "seconds a step lasts (default 1)");
    app.add_option("--ratelimit-pause", o.pause_s,
                   "seconds between steps, for the RUT's buckets to refill (default 1)");
    app.add_option("--ratelimit-sources", o.rl_sources,
                   "sources of the many-source series (default: all --sources; 1: no "
                   "many-source series)");
    app.add_option("--resolve-timeout", o.resolve_timeout_s,
                   "seconds to wait for the RUT's ARP / NDP answers (default 3)");
    app.add_option("--neigh", neigh_texts,
                   "ADDR,mac=MAC[,port=ID]: a permanent neighbour (a RUT that never answers ARP)");
    app.add_option("--json", o.json_file, "write the report as JSON to FILE");
    app.add_option("--pcap", o.pcap_file, "write every exchange to FILE (pcapng)");
    app.add_option("--plot", o.plot_file, "draw the rate-limit curves to FILE (PNG)");

    app::plain_help(app, {{"--rut-in", "ADDR"},
                          {"--rut-out", "ADDR"},
                          {"--only", "ID..."},
                          {"--skip", "ID..."},
                          {"--unrouted", "ADDR"},
                          {"--unresolved", "ADDR"},
                          {"--ratelimit-trigger", "KIND"},
                          {"--ratelimit-family", "4|6"},
                          {"--ratelimit-rates", "PPS,PPS,..."},
                          {"--ratelimit-step", "SECONDS"},
                          {"--ratelimit-pause", "SECONDS"},
                          {"--resolve-timeout", "SECONDS"},
                          {"--json", "FILE"},
                          {"--pcap", "FILE"},
                          {"--plot", "FILE"}});

    try {
        app.parse(static_cast<int>(args.size()), args.data());
    } catch (const CLI::CallForHelp&) {
        return Exit{app.help(), 0};
    } catch (const CLI::ParseError& e) {
        return app::parse_error("pingwire-conform", app, e);
    }
    auto bad = [](const std::string& what) {
        return Exit{"pingwire-conform: error: " + what + "\n", 2};
    };
    if (list) {
        std::string out;
        for (const auto& c : conform::catalogue())
            out += fmt::format("{:<28} v{}  {}\n    {}\n", c.id,
                               c.family == conform::Family::v6 ? 6 : 4, c.rfc, c.expect);
        return Exit{out, 0};
    }

    if (auto e = common.parse_ports(o.common)) return bad(*e);
    if (o.common.ports.size() != 2)
        return bad("two ports are needed: --port 0 faces the RUT's ingress, --port 1 its egress");
    if (auto e = app::parse_neighbours(neigh_texts, o.common.ports, o.neighbours)) return bad(*e);
    const auto& in = o.common.ports[0];
    const auto& out = o.common.ports[1];
    auto addr_pair = [&](const std::vector<std::string>& texts, const char* opt,
                         const route::PortSpec& port, std::optional<wire::Ipv4Addr>& a4,
                         std::optional<wire::Ipv6Addr>& a6) -> std::optional<std::string> {
        for (const auto& t : texts) {
            if (const auto v4 = wire::Ipv4Addr::parse(t)) {
                if (a4) return std::string(opt) + " " + t + ": a second IPv4 address";
                if (std::none_of(port.v4.begin(), port.v4.end(),
                                 [&](const auto& p) { return p.contains(*v4); }))
                    return std::string(opt) + " " + t + ": not on port " +
                           std::to_string(port.port) + "'s IPv4 subnet";
                a4 = v4;
            } else if (const auto v6 = wire::Ipv6Addr::parse(t)) {
                if (a6) return std::string(opt) + " " + t + ": a second IPv6 address";
                if (std::none_of(port.v6.begin(), port.v6.end(),
                                 [&](const auto& p) { return p.contains(*v6); }))
                    return std::string(opt) + " " + t + ": not on port " +
                           std::to_string(port.port) + "'s IPv6 subnet";
                a6 = v6;
            } else {
                return std::string(opt) + " " + t + ": not an IPv4 or IPv6 address";
            }
        }
        return std::nullopt;
    };
    if (rut_in.empty()) return bad("--rut-in is required: the RUT's address facing port 0");
    if (auto e = addr_pair(rut_in, "--rut-in", in, o.rut_in4, o.rut_in6)) return bad(*e);
    if (auto e = addr_pair(rut_out, "--rut-out", out, o.rut_out4, o.rut_out6)) return bad(*e);
    if (o.rut_in4.has_value() != o.rut_out4.has_value() && o.rut_in4)
        return bad("--rut-out: give the RUT's IPv4 address facing port 1 too");
    if (o.rut_in6.has_value() != o.rut_out6.has_value() && o.rut_in6)
        return bad("--rut-out: give the RUT's IPv6 address facing port 1 too");
    if (o.rut_in4 && (in.v4.empty() || out.v4.empty()))
        return bad("--rut-in IPv4: both ports need an IPv4 addr=");
    if (o.rut_in6 && (in.v6.empty() || out.v6.empty()))
        return bad("--rut-in IPv6: both ports need an IPv6 addr=");

    o.unrouted4 = wire::Ipv4Addr::parse("198.19.255.1").value();
    o.unrouted6 = wire::Ipv6Addr::parse("2001:2:ffff::1").value();
    for (const auto& t : unrouted) {
        if (const auto a = wire::Ipv4Addr::parse(t))
            o.unrouted4 = *a;
        else if (const auto b = wire::Ipv6Addr::parse(t))
            o.unrouted6 = *b;
        else
            return bad("--unrouted " + t + ": not an IPv4 or IPv6 address");
    }
    for (const auto& t : unresolved) {
        std::optional<wire::Ipv4Addr> a4;
        std::optional<wire::Ipv6Addr> a6;
        const std::vector<std::string> one{t};
        if (auto e = addr_pair(one, "--unresolved", out, a4, a6)) return bad(*e);
        if (a4) o.unresolved4 = a4;
        if (a6) o.unresolved6 = a6;
    }
    if (auto e = check_ids(o.only, "--only")) return bad(*e);
    if (auto e = check_ids(o.skip, "--skip")) return bad(*e);
    if (o.sources < 1 || o.sources > 65535) return bad("--sources: 1 to 65535");

    for (const auto& t : trig) {
        const auto tr = conform::trigger_of(t);
        if (!tr)
            return bad("--ratelimit-trigger " + t +
                       ": time-exceeded, port-unreachable, net-unreachable or frag-needed");
        o.triggers.push_back(*tr);
    }
    if (o.triggers.empty())
        o.triggers.assign(std::begin(conform::all_triggers), std::end(conform::all_triggers));
    for (const auto& t : fams) {
        if (t != "4" && t != "6") return bad("--ratelimit-family " + t + ": 4 or 6");
        o.rl_families.push_back(t == "4" ? conform::Family::v4 : conform::Family::v6);
    }
    for (const auto& t : rates_text) {
        const auto r = to_double(t);
        if (!r || *r <= 0 || *r > 10'000'000)
            return bad("--ratelimit-rates " + t + ": a rate in pps, above 0 and up to 10000000");
        o.rates.push_back(*r);
    }
    if (o.rates.empty()) o.rates = conform::log_rates(1, 100000, 2);
    std::sort(o.rates.begin(), o.rates.end());
    if (o.step_s < 0.1 || o.step_s > 600) return bad("--ratelimit-step: 0.1 to 600 seconds");
    if (o.pause_s < 0 || o.pause_s > 600) return bad("--ratelimit-pause: 0 to 600 seconds");
    if (!o.ratelimit && !o.plot_file.empty())
        return bad("--plot draws the rate-limit curves: add --ratelimit");
    return o;
}

}  // namespace pw::conform_app
