#include "lib/route/fib.hh"

#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_memory.h>

#include <algorithm>
#include <cstring>

namespace pw::route {

namespace {

// Worst case of tbl8 groups one IPv6 route takes in the TRIE: one per byte past the first 24
// bits ((128 - 24) / 8).
constexpr unsigned tbl8_per_v6_route = 13;

std::string prefix_str(const wire::Ipv4Prefix& p) {
    return to_string(Prefix{p});
}
std::string prefix_str(const wire::Ipv6Prefix& p) {
    return to_string(Prefix{p});
}

std::string describe(const NextHop& h) {
    switch (h.kind) {
        case RouteKind::connected:
            return "connected on port " + std::to_string(h.port);
        case RouteKind::via:
            return "routed via " +
                   (h.gw6.is_unspecified() ? h.gw4.to_string() : h.gw6.to_string()) + " on port " +
                   std::to_string(h.port);
        case RouteKind::reject:
            return "a reject route";
        case RouteKind::blackhole:
            return "a blackhole route";
        case RouteKind::deny:
            return "denied";
        case RouteKind::none:
            break;
    }
    return "no route";
}

bool covers(const wire::Ipv4Prefix& outer, const wire::Ipv4Prefix& inner) noexcept {
    return outer.len <= inner.len && outer.contains(inner.addr);
}
bool covers(const wire::Ipv6Prefix& outer, const wire::Ipv6Prefix& inner) noexcept {
    return outer.len <= inner.len && outer.contains(inner.addr);
}

}  // namespace

const char* to_string(RouteKind k) noexcept {
    switch (k) {
        case RouteKind::none:
            return "none";
        case RouteKind::connected:
            return "connected";
        case RouteKind::via:
            return "via";
        case RouteKind::reject:
            return "reject";
        case RouteKind::blackhole:
            return "blackhole";
        case RouteKind::deny:
            return "deny";
    }
    return "?";
}

Fib::~Fib() {
    rte_fib_free(fib4_);
    rte_fib6_free(fib6_);
}

std::optional<std::string> Fib::init(const std::string& name, unsigned max_routes_v4,
                                     unsigned max_routes_v6) {
    if (fib4_ != nullptr || fib6_ != nullptr) return "FIB " + name + ": init called twice";
    // DPDK derives memzone and mempool names from it ("MP_RIB6_..."), which are 32 bytes at most.
    if (name.empty() || name.size() > 16)
        return "FIB name '" + name + "' must have 1..16 characters";
    if (max_routes_v4 == 0 || max_routes_v6 == 0)
        return std::string("FIB: at least one route per family");
    // Bounded so the tbl8 counts below fit rte_fib's 31-bit limit and the memory stays sane.
    if (max_routes_v4 > (1U << 20) || max_routes_v6 > (1U << 16))
        return "FIB: at most " + std::to_string(1U << 20) + " IPv4 and " +
               std::to_string(1U << 16) + " IPv6 routes";

    rte_fib_conf c4{};
    c4.type = RTE_FIB_DIR24_8;
    c4.default_nh = no_route;
    c4.max_routes = static_cast<int>(max_routes_v4);  // rte_fib sizes its RIB at twice this
    c4.rib_ext_sz = 0;
    c4.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
    c4.dir24_8.num_tbl8 = max_routes_v4;  // one per route longer than /24 at most
    const std::string n4 = name + "_4";
    fib4_ = rte_fib_create(n4.c_str(), SOCKET_ID_ANY, &c4);
    if (fib4_ == nullptr) return "FIB " + name + ": rte_fib_create: " + rte_strerror(rte_errno);

    rte_fib6_conf c6{};
    c6.type = RTE_FIB6_TRIE;
    c6.default_nh = no_route;
    c6.max_routes = static_cast<int>(max_routes_v6);
    c6.rib_ext_sz = 0;
    c6.trie.nh_sz = RTE_FIB6_TRIE_4B;
    c6.trie.num_tbl8 = max_routes_v6 * tbl8_per_v6_route;
    const std::string n6 = name + "_6";
    fib6_ = rte_fib6_create(n6.c_str(), SOCKET_ID_ANY, &c6);
    if (fib6_ == nullptr) {
        const std::string err = rte_strerror(rte_errno);
        rte_fib_free(fib4_);
        fib4_ = nullptr;
        return "FIB " + name + ": rte_fib6_create: " + err;
    }

    max4_ = max_routes_v4;
    max6_ = max_routes_v6;
    // Every route has at most one next hop of its own, plus the three shared ones.
    hops_.assign(static_cast<std::size_t>(max_routes_v4) + max_routes_v6 + 3, NextHop{});
    hops_[reject_idx].kind = RouteKind::reject;
    hops_[blackhole_idx].kind = RouteKind::blackhole;
    hops_[deny_idx].kind = RouteKind::deny;
    n_hops_ = 3;
    return std::nullopt;
}

std::optional<std::uint32_t> Fib::hop_index(const NextHop& h) {
    for (std::size_t i = 0; i < n_hops_; ++i)
        if (hops_[i] == h) return static_cast<std::uint32_t>(i);
    if (n_hops_ == hops_.size()) return std::nullopt;
    hops_[n_hops_] = h;
    return static_cast<std::uint32_t>(n_hops_++);
}

std::optional<std::string> Fib::check_port(std::uint16_t port) const {
    if (port >= max_ports)
        return "port " + std::to_string(port) + " is past the limit of " +
               std::to_string(max_ports) + " ports";
    if (!known_port_[port])
        return "port " + std::to_string(port) + " is not configured (no --port " +
               std::to_string(port) + ")";
    return std::nullopt;
}

std::uint32_t Fib::effective4(const Route<wire::Ipv4Prefix>& r) const noexcept {
    if (r.denied) return deny_idx;
    for (const auto& d : deny4_)
        if (covers(d, r.prefix)) return deny_idx;
    return r.own.value_or(no_route);
}

std::uint32_t Fib::effective6(const Route<wire::Ipv6Prefix>& r) const noexcept {
    if (r.denied) return deny_idx;
    for (const auto& d : deny6_)
        if (covers(d, r.prefix)) return deny_idx;
    return r.own.value_or(no_route);
}

std::optional<std::string> Fib::install(const Route<wire::Ipv4Prefix>& r) {
    const int rc = rte_fib_add(fib4_, r.prefix.addr.to_u32(), r.prefix.len, effective4(r));
    if (rc < 0) return "FIB: adding " + prefix_str(r.prefix) + " failed: " + rte_strerror(-rc);
    return std::nullopt;
}

std::optional<std::string> Fib::install(const Route<wire::Ipv6Prefix>& r) {
    const int rc = rte_fib6_add(fib6_, r.prefix.addr.bytes.data(), r.prefix.len, effective6(r));
    if (rc < 0) return "FIB: adding " + prefix_str(r.prefix) + " failed: " + rte_strerror(-rc);
    return std::nullopt;
}

template <class P, class Key>
std::optional<std::string> Fib::add_route(const P& p, const Key& key,
                                          std::map<Key, std::size_t>& index,
                                          std::vector<Route<P>>& routes, std::vector<P>& denies,
                                          unsigned max, const char* family,
                                          std::optional<std::uint32_t> own, bool deny) {
    const auto it = index.find(key);
    Route<P>* r = nullptr;
    const bool fresh = it == index.end();
    if (!fresh) {
        r = &routes[it->second];
        if (own && r->own) return "the prefix is already " + describe(hops_[*r->own]);
        if (deny && r->denied) return std::string("given twice");
    } else {
        if (routes.size() >= max)
            return std::string("too many ") + family + " routes (at most " + std::to_string(max) +
                   ", connected subnets and --deny prefixes included)";
        index.emplace(key, routes.size());
        routes.push_back({p, std::nullopt, false});
        r = &routes.back();
    }
    const Route<P> before = *r;
    if (own) r->own = own;
    if (deny) {
        r->denied = true;
        denies.push_back(p);
    }
    if (auto e = install(*r)) {  // out of DPDK memory or tbl8 groups: undo
        if (deny) denies.pop_back();
        if (fresh) {
            routes.pop_back();
            index.erase(key);
        } else {
            *r = before;
        }
        return e;
    }
    if (deny)  // the ACL beats more specific routes: they take the deny next hop too
        for (const auto& o : routes)
            if (o.prefix.len > p.len && covers(p, o.prefix))
                if (auto e = install(o)) return e;
    return std::nullopt;
}

std::optional<std::string> Fib::add_route4(const wire::Ipv4Prefix& p,
                                           std::optional<std::uint32_t> own, bool deny) {
    if (fib4_ == nullptr) return std::string("FIB: init was not called");
    const std::uint64_t key = (std::uint64_t{p.addr.to_u32()} << 8) | p.len;
    return add_route(p, key, index4_, routes4_, deny4_, max4_, "IPv4", own, deny);
}

std::optional<std::string> Fib::add_route6(const wire::Ipv6Prefix& p,
                                           std::optional<std::uint32_t> own, bool deny) {
    if (fib6_ == nullptr) return std::string("FIB: init was not called");
    return add_route(p, Key6{p.addr.bytes, p.len}, index6_, routes6_, deny6_, max6_, "IPv6", own,
                     deny);
}

std::optional<std::string> Fib::add_connected(std::uint16_t port, const wire::Ipv4Prefix& p) {
    if (port >= max_ports) return check_port(port);
    known_port_[port] = true;
    const auto net = network(p);
    for (const auto& c : conn4_) {
        if (c.net.len != net.len || c.net.addr != net.addr) continue;
        if (c.port != port)
            return "subnet " + prefix_str(net) + " is connected on port " + std::to_string(c.port) +
                   " and on port " + std::to_string(port);
        ours4_.push_back({port, p.addr});  // a second address in the same subnet
        return std::nullopt;
    }
    const auto idx = hop_index({RouteKind::connected, port, {}, {}});
    if (!idx) return std::string("FIB: out of next hops");
    if (auto e = add_route4(net, idx, false)) return "subnet " + prefix_str(net) + ": " + *e;
    conn4_.push_back({port, net});
    ours4_.push_back({port, p.addr});
    return std::nullopt;
}

std::optional<std::string> Fib::add_connected(std::uint16_t port, const wire::Ipv6Prefix& p) {
    if (port >= max_ports) return check_port(port);
    known_port_[port] = true;
    if (p.addr.is_link_local()) {
        // RFC 4291 2.5.6: routers never forward link-local destinations; only remember the address.
        ours6_.push_back({port, p.addr});
        return std::nullopt;
    }
    const auto net = network(p);
    for (const auto& c : conn6_) {
        if (c.net.len != net.len || c.net.addr != net.addr) continue;
        if (c.port != port)
            return "subnet " + prefix_str(net) + " is connected on port " + std::to_string(c.port) +
                   " and on port " + std::to_string(port);
        ours6_.push_back({port, p.addr});
        return std::nullopt;
    }
    const auto idx = hop_index({RouteKind::connected, port, {}, {}});
    if (!idx) return std::string("FIB: out of next hops");
    if (auto e = add_route6(net, idx, false)) return "subnet " + prefix_str(net) + ": " + *e;
    conn6_.push_back({port, net});
    ours6_.push_back({port, p.addr});
    return std::nullopt;
}

std::optional<std::string> Fib::add_interfaces(const InterfaceTable& ifaces) {
    for (std::uint16_t port = 0; port < max_ports; ++port) {
        const net::Iface* ifc = ifaces.find(port);
        if (ifc == nullptr) continue;
        known_port_[port] = true;
        for (std::size_t i = 0; i < ifc->n4; ++i)
            if (auto e = add_connected(port, ifc->v4[i])) return e;
        for (std::size_t i = 0; i < ifc->n6; ++i)
            if (auto e = add_connected(port, ifc->v6[i])) return e;
    }
    return std::nullopt;
}

std::optional<std::string> Fib::add(const RouteSpec& spec) {
    if (fib4_ == nullptr) return std::string("FIB: init was not called");
    const std::string what = "route " + to_string(spec.prefix);
    NextHop hop;
    switch (spec.action) {
        case RouteAction::reject:
            hop.kind = RouteKind::reject;
            break;
        case RouteAction::blackhole:
            hop.kind = RouteKind::blackhole;
            break;
        case RouteAction::via: {
            if (!spec.via || spec.via->index() != spec.prefix.index())
                return what + ": needs a gateway of its own family";
            if (spec.port)
                if (auto e = check_port(*spec.port)) return what + ": " + *e;
            hop.kind = RouteKind::via;
            if (const auto* gw4 = std::get_if<wire::Ipv4Addr>(&*spec.via)) {
                const wire::Ipv4Addr gw = *gw4;
                const std::string g = "gateway " + gw.to_string();
                for (const auto& o : ours4_)
                    if (o.addr == gw) return what + ": " + g + " is one of our own addresses";
                const Connected<wire::Ipv4Prefix>* best = nullptr;
                for (const auto& c : conn4_)
                    if ((!spec.port || c.port == *spec.port) && c.net.contains(gw) &&
                        (best == nullptr || c.net.len > best->net.len))
                        best = &c;
                if (best == nullptr)
                    return what + ": " + g + " is not on " +
                           (spec.port
                                ? "a connected subnet of port " + std::to_string(*spec.port)
                                : std::string(
                                      "any connected subnet (no --port ID,addr= on its link)"));
                // RFC 1122 3.2.1.3, RFC 1812 4.2.3.1: an all-zeros or all-ones host part is a
                // broadcast address (old style or new), never one host.
                if (best->net.len < 31 && gw == best->net.addr)
                    return what + ": " + g + " is the network address of " + prefix_str(best->net);
                if (best->net.directed_broadcast() == gw)
                    return what + ": " + g + " is the broadcast address of " +
                           prefix_str(best->net);
                hop.port = best->port;
                hop.gw4 = gw;
            } else {
                const auto gw = std::get<wire::Ipv6Addr>(*spec.via);
                const std::string g = "gateway " + gw.to_string();
                for (const auto& o : ours6_)
                    if (o.addr == gw && (!gw.is_link_local() || !spec.port || o.port == *spec.port))
                        return what + ": " + g + " is one of our own addresses";
                if (gw.is_link_local()) {
                    // RFC 4291 2.5.6: a link-local address means nothing without its link.
                    if (!spec.port)
                        return what + ": " + g + " is link-local: say which port with port=ID";
                    hop.port = *spec.port;
                } else {
                    const Connected<wire::Ipv6Prefix>* best = nullptr;
                    for (const auto& c : conn6_)
                        if ((!spec.port || c.port == *spec.port) && c.net.contains(gw) &&
                            (best == nullptr || c.net.len > best->net.len))
                            best = &c;
                    if (best == nullptr)
                        return what + ": " + g + " is not on " +
                               (spec.port
                                    ? "a connected subnet of port " + std::to_string(*spec.port)
                                    : std::string(
                                          "any connected subnet (no --port ID,addr= on its link)"));
                    hop.port = best->port;
                }
                hop.gw6 = gw;
            }
            break;
        }
    }
    std::optional<std::uint32_t> idx;
    if (hop.kind == RouteKind::reject)
        idx = reject_idx;
    else if (hop.kind == RouteKind::blackhole)
        idx = blackhole_idx;
    else
        idx = hop_index(hop);
    if (!idx) return what + ": out of next hops";
    auto e = std::holds_alternative<wire::Ipv4Prefix>(spec.prefix)
                 ? add_route4(std::get<wire::Ipv4Prefix>(spec.prefix), idx, false)
                 : add_route6(std::get<wire::Ipv6Prefix>(spec.prefix), idx, false);
    if (e) return what + ": " + *e;
    return std::nullopt;
}

std::optional<std::string> Fib::add(const DenySpec& spec) {
    const auto* p4 = std::get_if<wire::Ipv4Prefix>(&spec.prefix);
    auto e = p4 != nullptr
                 ? add_route4(network(*p4), std::nullopt, true)
                 : add_route6(network(std::get<wire::Ipv6Prefix>(spec.prefix)), std::nullopt, true);
    if (e) return "--deny " + to_string(spec.prefix) + ": " + *e;
    return std::nullopt;
}

void Fib::lookup_v4(const std::uint32_t* ips, std::uint32_t* nh, unsigned n) const noexcept {
    if (fib4_ == nullptr) {
        std::fill_n(nh, n, no_route);
        return;
    }
    std::uint64_t hops[lookup_chunk];
    while (n > 0) {
        const unsigned k = n < lookup_chunk ? n : lookup_chunk;
        // rte_fib_lookup_bulk only reads ips; its prototype lacks the const.
        (void)rte_fib_lookup_bulk(fib4_, const_cast<std::uint32_t*>(ips), hops,
                                  static_cast<int>(k));
        for (unsigned i = 0; i < k; ++i) nh[i] = static_cast<std::uint32_t>(hops[i]);
        ips += k;
        nh += k;
        n -= k;
    }
}

void Fib::lookup_v6(const std::uint8_t (*ips)[16], std::uint32_t* nh, unsigned n) const noexcept {
    if (fib6_ == nullptr) {
        std::fill_n(nh, n, no_route);
        return;
    }
    std::uint64_t hops[lookup_chunk];
    while (n > 0) {
        const unsigned k = n < lookup_chunk ? n : lookup_chunk;
        (void)rte_fib6_lookup_bulk(fib6_, const_cast<std::uint8_t(*)[16]>(ips), hops,
                                   static_cast<int>(k));
        for (unsigned i = 0; i < k; ++i) nh[i] = static_cast<std::uint32_t>(hops[i]);
        ips += k;
        nh += k;
        n -= k;
    }
}

std::uint32_t Fib::lookup(const wire::Ipv4Addr& a) const noexcept {
    const std::uint32_t ip = a.to_u32();
    std::uint32_t nh = no_route;
    lookup_v4(&ip, &nh, 1);
    return nh;
}

std::uint32_t Fib::lookup(const wire::Ipv6Addr& a) const noexcept {
    std::uint8_t ip[1][16];
    std::memcpy(ip[0], a.bytes.data(), 16);
    std::uint32_t nh = no_route;
    lookup_v6(ip, &nh, 1);
    return nh;
}

std::vector<RouteInfo> Fib::routes() const {
    std::vector<RouteInfo> out;
    out.reserve(routes4_.size() + routes6_.size());
    for (const auto& r : routes4_)
        out.push_back({r.prefix, next_hop(effective4(r)),
                       r.own ? std::optional<NextHop>(hops_[*r.own]) : std::nullopt});
    for (const auto& r : routes6_)
        out.push_back({r.prefix, next_hop(effective6(r)),
                       r.own ? std::optional<NextHop>(hops_[*r.own]) : std::nullopt});
    return out;
}

}  // namespace pw::route
