#include "lib/route/route_spec.hh"

#include <charconv>

#include "lib/route/port_spec.hh"

namespace pw::route {

namespace {

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

// A destination prefix: "default4", "default6", A/LEN or A. "default" (family unknown) is left
// to the caller, which knows whether a via= can settle it.
std::variant<Prefix, std::string> parse_destination(std::string_view text) {
    if (text.empty())
        return std::string("missing prefix (A/LEN, a host address, default4 or default6)");
    if (text == "default4") return Prefix{wire::Ipv4Prefix{{}, 0}};
    if (text == "default6") return Prefix{wire::Ipv6Prefix{{}, 0}};
    auto p = parse_prefix(text);
    if (auto* e = std::get_if<std::string>(&p)) return *e;
    Prefix out;
    if (auto* p4 = std::get_if<wire::Ipv4Prefix>(&p)) {
        const auto n = network(*p4);
        if (n.addr != p4->addr)
            return quoted(text) + " has host bits set (the network is " + to_string(Prefix{n}) +
                   ")";
        // 224/4 multicast (RFC 1112), 127/8 loopback (RFC 1122 3.2.1.3), 169.254/16 link-local
        // (RFC 3927 2.7: never forwarded): no unicast route leads there.
        const std::uint32_t a = n.addr.to_u32();
        if (n.len >= 4 && (a >> 28) == 0xe)
            return quoted(text) + " is multicast: routes are for unicast destinations";
        if (n.len >= 8 && (a >> 24) == 127)
            return quoted(text) + " is loopback: it is never routed (RFC 1122 3.2.1.3)";
        if (n.len >= 16 && (a >> 16) == 0xa9fe)
            return quoted(text) + " is link-local: it is never routed (RFC 3927 2.7)";
        out = n;
    } else {
        const auto& p6 = std::get<wire::Ipv6Prefix>(p);
        const auto n = network(p6);
        if (n.addr != p6.addr)
            return quoted(text) + " has host bits set (the network is " + to_string(Prefix{n}) +
                   ")";
        if (n.len >= 8 && n.addr.bytes[0] == 0xff)
            return quoted(text) + " is multicast: routes are for unicast destinations";
        if (n.len >= 10 && n.addr.is_link_local())
            return quoted(text) + " is link-local: it is never routed (RFC 4291 2.5.6)";
        if (n.len == 128 && (n.addr.is_loopback() || n.addr.is_unspecified()))
            return quoted(text) + " is not a unicast destination (RFC 4291 2.5.2, 2.5.3)";
        out = n;
    }
    return out;
}

std::optional<std::uint16_t> parse_port_id(std::string_view s) {
    unsigned long v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    // The same range as --port (parse_port_spec).
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v > 1023) return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

// A gateway: a unicast address (RFC 1812 5.2.4 / RFC 4291 2.5: not unspecified, loopback,
// multicast or limited broadcast).
std::variant<IpAddr, std::string> parse_gateway(std::string_view text) {
    if (const auto a4 = wire::Ipv4Addr::parse(text)) {
        if (a4->is_martian_source() || a4->is_multicast())
            return "via=" + std::string(text) + " is not a unicast IPv4 address";
        return IpAddr{*a4};
    }
    if (const auto a6 = wire::Ipv6Addr::parse(text)) {
        if (a6->is_multicast() || a6->is_unspecified() || a6->is_loopback())
            return "via=" + std::string(text) + " is not a unicast IPv6 address";
        return IpAddr{*a6};
    }
    return "via=" + std::string(text) + " is not an IPv4 or IPv6 address";
}

}  // namespace

std::variant<RouteSpec, std::string> parse_route_spec(std::string_view text) {
    if (text.empty())
        return std::string(
            "empty value (expected PREFIX,via=ADDR[,port=ID], PREFIX,reject or PREFIX,blackhole)");
    const auto comma = text.find(',');
    const std::string_view dest = text.substr(0, comma);
    std::string_view rest =
        comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty())
        return std::string("trailing ',' after " + quoted(dest));

    RouteSpec spec;
    bool have_action = false;
    std::size_t pos = 0;
    while (comma != std::string_view::npos && pos <= rest.size()) {
        const auto c = rest.find(',', pos);
        const std::string_view item =
            rest.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos);
        pos = c == std::string_view::npos ? rest.size() + 1 : c + 1;
        if (item.empty()) return std::string("empty item between commas");
        const auto eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        const std::string_view val =
            eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        if (key == "via" && eq != std::string_view::npos) {
            if (spec.via) return std::string("via= is given twice");
            if (have_action)
                return std::string(
                    "via= and " +
                    std::string(spec.action == RouteAction::reject ? "reject" : "blackhole") +
                    " exclude each other");
            auto g = parse_gateway(val);
            if (auto* e = std::get_if<std::string>(&g)) return *e;
            spec.via = std::get<IpAddr>(g);
            spec.action = RouteAction::via;
            have_action = true;
        } else if (key == "port" && eq != std::string_view::npos) {
            if (spec.port) return std::string("port= is given twice");
            const auto id = parse_port_id(val);
            if (!id) return "port=" + std::string(val) + " is not a DPDK port id (0..1023)";
            spec.port = id;
        } else if ((item == "reject" || item == "blackhole")) {
            const RouteAction a = item == "reject" ? RouteAction::reject : RouteAction::blackhole;
            if (have_action) {
                if (spec.via) return std::string(item) + " and via= exclude each other";
                if (spec.action == a) return std::string(item) + " is given twice";
                return std::string("reject and blackhole exclude each other");
            }
            spec.action = a;
            have_action = true;
        } else {
            return "unknown item " + quoted(item) +
                   " (expected via=ADDR, port=ID, reject or blackhole)";
        }
    }
    if (!have_action) return quoted(dest) + " needs via=ADDR, reject or blackhole";
    if (spec.port && !spec.via) return std::string("port= goes only with via=");

    if (dest == "default") {
        if (!spec.via)
            return std::string(
                "'default' needs via= to tell IPv4 from IPv6: use default4 or default6");
        spec.prefix = std::holds_alternative<wire::Ipv4Addr>(*spec.via)
                          ? Prefix{wire::Ipv4Prefix{{}, 0}}
                          : Prefix{wire::Ipv6Prefix{{}, 0}};
        return spec;
    }
    auto d = parse_destination(dest);
    if (auto* e = std::get_if<std::string>(&d)) return *e;
    spec.prefix = std::get<Prefix>(d);
    if (spec.via && spec.via->index() != spec.prefix.index())
        return "via " + to_string(*spec.via) + " is " + (is_v6(spec.prefix) ? "IPv4" : "IPv6") +
               " but " + to_string(spec.prefix) + " is " + (is_v6(spec.prefix) ? "IPv6" : "IPv4");
    return spec;
}

std::variant<DenySpec, std::string> parse_deny_spec(std::string_view text) {
    if (text.empty())
        return std::string(
            "empty value (expected a prefix: A/LEN, a host address, default4 or default6)");
    if (text.find(',') != std::string_view::npos)
        return quoted(text) + ": --deny takes one prefix (repeat the option for more)";
    if (text == "default")
        return std::string("'default' is ambiguous here: use default4 or default6");
    auto d = parse_destination(text);
    if (auto* e = std::get_if<std::string>(&d)) return *e;
    return DenySpec{std::get<Prefix>(d)};
}

wire::Ipv4Prefix network(const wire::Ipv4Prefix& p) noexcept {
    return {wire::Ipv4Addr::from_u32(p.addr.to_u32() & p.mask()), p.len};
}

wire::Ipv6Prefix network(const wire::Ipv6Prefix& p) noexcept {
    wire::Ipv6Prefix n{{}, p.len};
    unsigned bits = p.len;
    for (unsigned i = 0; i < 16 && bits > 0; ++i) {
        const unsigned take = bits >= 8 ? 8 : bits;
        n.addr.bytes[i] = static_cast<std::uint8_t>(p.addr.bytes[i] & (0xff << (8 - take)));
        bits -= take;
    }
    return n;
}

std::string to_string(const Prefix& p) {
    if (const auto* p4 = std::get_if<wire::Ipv4Prefix>(&p))
        return p4->addr.to_string() + "/" + std::to_string(p4->len);
    const auto& p6 = std::get<wire::Ipv6Prefix>(p);
    return p6.addr.to_string() + "/" + std::to_string(p6.len);
}

std::string to_string(const IpAddr& a) {
    return std::visit([](const auto& x) { return x.to_string(); }, a);
}

std::string to_string(const RouteSpec& s) {
    std::string out = to_string(s.prefix);
    switch (s.action) {
        case RouteAction::via:
            if (s.via) out += ",via=" + to_string(*s.via);
            if (s.port) out += ",port=" + std::to_string(*s.port);
            break;
        case RouteAction::reject:
            out += ",reject";
            break;
        case RouteAction::blackhole:
            out += ",blackhole";
            break;
    }
    return out;
}

std::variant<NeighSpec, std::string> parse_neigh_spec(std::string_view text) {
    const auto comma = text.find(',');
    const std::string_view addr = text.substr(0, comma);
    if (addr.empty()) return std::string("empty value (expected ADDR,mac=MAC[,port=ID])");
    auto a = parse_gateway(addr);
    if (auto* e = std::get_if<std::string>(&a)) return e->substr(4);  // without "via="
    NeighSpec spec;
    spec.addr = std::get<IpAddr>(a);
    bool have_mac = false;
    if (comma == std::string_view::npos) return quoted(addr) + " needs mac=MAC";
    std::string_view rest = text.substr(comma + 1);
    for (;;) {
        const auto c = rest.find(',');
        const std::string_view item = rest.substr(0, c);
        rest = c == std::string_view::npos ? std::string_view{} : rest.substr(c + 1);
        if (item.empty()) return std::string("empty item between commas or at the end");
        const auto eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        const std::string_view val =
            eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        if (key == "mac" && eq != std::string_view::npos) {
            if (have_mac) return std::string("mac= is given twice");
            const auto m = wire::MacAddr::parse(val);
            if (!m) return "mac=" + std::string(val) + " is not a MAC address";
            if (m->is_group() || m->is_zero())
                return "mac=" + std::string(val) + " is not a unicast MAC address";
            spec.mac = *m;
            have_mac = true;
        } else if (key == "port" && eq != std::string_view::npos) {
            if (spec.port) return std::string("port= is given twice");
            const auto id = parse_port_id(val);
            if (!id) return "port=" + std::string(val) + " is not a DPDK port id (0..1023)";
            spec.port = id;
        } else {
            return "unknown item " + quoted(item) + " (expected mac=MAC or port=ID)";
        }
        if (c == std::string_view::npos) break;
    }
    if (!have_mac) return quoted(addr) + " needs mac=MAC";
    return spec;
}

}  // namespace pw::route
