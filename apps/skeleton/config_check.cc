#include "apps/skeleton/config_check.hh"

#include <algorithm>

namespace pw::app {

namespace {

using route::IpAddr;
using route::Prefix;

std::string port_str(std::uint16_t p) {
    return "port " + std::to_string(p);
}

// The connected subnets, as the FIB makes them from the ports' addresses (IPv6 link-local
// addresses are not routed: RFC 4291 2.5.6).
struct Connected {
    std::uint16_t port;
    Prefix net;
};

std::vector<Connected> connected(const std::vector<route::PortSpec>& ports) {
    std::vector<Connected> out;
    for (const auto& p : ports) {
        for (const auto& a : p.v4) out.push_back({p.port, route::network(a)});
        for (const auto& a : p.v6)
            if (!a.addr.is_link_local()) out.push_back({p.port, route::network(a)});
    }
    return out;
}

bool holds(const Prefix& net, const IpAddr& a) {
    if (net.index() != a.index()) return false;
    if (const auto* n4 = std::get_if<wire::Ipv4Prefix>(&net))
        return n4->contains(std::get<wire::Ipv4Addr>(a));
    return std::get<wire::Ipv6Prefix>(net).contains(std::get<wire::Ipv6Addr>(a));
}

unsigned len_of(const Prefix& p) {
    return std::visit([](const auto& x) -> unsigned { return x.len; }, p);
}

bool same(const Prefix& a, const Prefix& b) {
    return route::to_string(a) == route::to_string(b);
}

std::string describe(const route::RouteSpec& r) {
    switch (r.action) {
        case route::RouteAction::reject:
            return "a reject route";
        case route::RouteAction::blackhole:
            return "a blackhole route";
        case route::RouteAction::via:
            break;
    }
    return "routed via " + (r.via ? route::to_string(*r.via) : std::string("?"));
}

}  // namespace

std::optional<std::string> check_addresses(const std::vector<route::PortSpec>& ports, bool router) {
    struct Own {
        std::uint16_t port;
        IpAddr addr;
    };
    std::vector<Own> seen;
    for (const auto& p : ports) {
        std::vector<IpAddr> mine;
        for (const auto& a : p.v4) mine.emplace_back(a.addr);
        for (const auto& a : p.v6) mine.emplace_back(a.addr);
        for (const auto& a : mine) {
            for (const auto& o : seen) {
                if (o.addr != a) continue;
                if (o.port == p.port)
                    return port_str(p.port) + ": address " + route::to_string(a) +
                           " is given twice";
                // A link-local address is one per link: the same on two ports is allowed.
                if (const auto* a6 = std::get_if<wire::Ipv6Addr>(&a); a6 && a6->is_link_local())
                    continue;
                return "address " + route::to_string(a) + " is on " + port_str(o.port) +
                       " and on " + port_str(p.port) + " (an address belongs to one port)";
            }
            seen.push_back({p.port, a});
        }
    }
    if (router) {
        const auto conn = connected(ports);
        for (std::size_t i = 0; i < conn.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (conn[j].port != conn[i].port && same(conn[i].net, conn[j].net))
                    return "subnet " + route::to_string(conn[i].net) + " is connected on " +
                           port_str(conn[j].port) + " and on " + port_str(conn[i].port) +
                           " (a router has one link per subnet)";
    }
    return std::nullopt;
}

std::optional<std::string> check_routes(const std::vector<route::PortSpec>& ports,
                                        const std::vector<route::RouteSpec>& routes) {
    const auto conn = connected(ports);
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const auto& r = routes[i];
        const std::string what =
            "--route " + route::to_string(r) + ": route " + route::to_string(r.prefix) + ": ";
        for (const auto& c : conn)
            if (same(c.net, r.prefix))
                return what + "the prefix is already connected on " + port_str(c.port);
        for (std::size_t j = 0; j < i; ++j)
            if (same(routes[j].prefix, r.prefix))
                return what + "the prefix is already " + describe(routes[j]) +
                       " (a route is given once)";
        if (r.action != route::RouteAction::via || !r.via) continue;
        const IpAddr& gw = *r.via;
        const std::string g = "gateway " + route::to_string(gw);
        if (r.port && std::none_of(ports.begin(), ports.end(),
                                   [&](const auto& p) { return p.port == *r.port; }))
            return what + port_str(*r.port) + " is not configured (no --port " +
                   std::to_string(*r.port) + ")";
        for (const auto& p : ports) {
            for (const auto& a : p.v4)
                if (IpAddr(a.addr) == gw) return what + g + " is one of our own addresses";
            for (const auto& a : p.v6)
                if (IpAddr(a.addr) == gw &&
                    (!a.addr.is_link_local() || !r.port || p.port == *r.port))
                    return what + g + " is one of our own addresses";
        }
        if (const auto* g6 = std::get_if<wire::Ipv6Addr>(&gw); g6 && g6->is_link_local()) {
            // RFC 4291 2.5.6: a link-local address means nothing without its link.
            if (!r.port) return what + g + " is link-local: say which port with port=ID";
            continue;
        }
        const Connected* best = nullptr;
        for (const auto& c : conn)
            if ((!r.port || c.port == *r.port) && holds(c.net, gw) &&
                (best == nullptr || len_of(c.net) > len_of(best->net)))
                best = &c;
        if (best == nullptr)
            return what + g + " is not on " +
                   (r.port ? "a connected subnet of " + port_str(*r.port)
                           : std::string("any connected subnet (no --port ID,addr= on its link)"));
        // RFC 1122 3.2.1.3, RFC 1812 4.2.3.1: an all-zeros or all-ones host part is a
        // broadcast address (old style or new), never one host.
        if (const auto* n4 = std::get_if<wire::Ipv4Prefix>(&best->net)) {
            const auto gw4 = std::get<wire::Ipv4Addr>(gw);
            if (n4->len < 31 && gw4 == n4->addr)
                return what + g + " is the network address of " + route::to_string(best->net);
            if (n4->directed_broadcast() == gw4)
                return what + g + " is the broadcast address of " + route::to_string(best->net);
        }
    }
    return std::nullopt;
}

}  // namespace pw::app
