#include "lib/route/port_spec.hh"

#include <charconv>
#include <vector>

namespace pw::route {

namespace {

template <class T>
std::optional<T> parse_uint(std::string_view s, T max) {
    unsigned long v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty() || v > max) return std::nullopt;
    return static_cast<T>(v);
}

}  // namespace

std::variant<wire::Ipv4Prefix, wire::Ipv6Prefix, std::string> parse_prefix(std::string_view text) {
    const auto slash = text.find('/');
    const std::string_view addr = text.substr(0, slash);
    std::optional<std::uint8_t> len;
    if (slash != std::string_view::npos) {
        len = parse_uint<std::uint8_t>(text.substr(slash + 1), 128);
        if (!len) return "bad prefix length in '" + std::string(text) + "'";
    }
    if (const auto a4 = wire::Ipv4Addr::parse(addr)) {
        const std::uint8_t l = len.value_or(32);
        if (l > 32) return "IPv4 prefix length over 32 in '" + std::string(text) + "'";
        return wire::Ipv4Prefix{*a4, l};
    }
    if (const auto a6 = wire::Ipv6Addr::parse(addr))
        return wire::Ipv6Prefix{*a6, len.value_or(128)};
    return "'" + std::string(addr) + "' is not an IPv4 or IPv6 address";
}

namespace {

// The comma-separated items of a spec ("0,mtu=1400,addr=..."); an empty text is one empty item.
std::vector<std::string_view> items_of(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        out.push_back(text.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
        pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    }
    return out;
}

// RFC 791: every IPv4 host handles 68; RFC 8200 5: IPv6 links carry 1280 or more.
std::optional<std::string> parse_mtu(std::string_view val, std::optional<std::uint16_t>& out) {
    const auto mtu = parse_uint<std::uint16_t>(val, 9216);
    if (!mtu || *mtu < 68) return "mtu='" + std::string(val) + "' is not in 68..9216";
    out = *mtu;
    return std::nullopt;
}

}  // namespace

std::variant<PortSpec, std::string> parse_port_spec(std::string_view text) {
    PortSpec spec;
    bool first = true;
    for (const std::string_view item : items_of(text)) {
        if (first) {
            const auto id = parse_uint<std::uint16_t>(item, 1023);
            if (!id) return "port id '" + std::string(item) + "' is not a number (a DPDK port id)";
            spec.port = *id;
            first = false;
            continue;
        }
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return "'" + std::string(item) + "' is not key=value (mac=, mtu=, addr=)";
        const std::string_view key = item.substr(0, eq);
        const std::string_view val = item.substr(eq + 1);
        if (key == "mac") {
            const auto m = wire::MacAddr::parse(val);
            if (!m || m->is_group() || m->is_zero())
                return "mac='" + std::string(val) + "' is not a unicast MAC address";
            spec.mac = *m;
        } else if (key == "mtu") {
            if (auto e = parse_mtu(val, spec.mtu)) return *e;
        } else if (key == "addr") {
            auto p = parse_prefix(val);
            if (auto* e = std::get_if<std::string>(&p)) return "addr: " + *e;
            if (auto* p4 = std::get_if<wire::Ipv4Prefix>(&p)) {
                if (p4->addr.is_martian_source() || p4->addr.is_multicast())
                    return "addr='" + std::string(val) + "' is not a unicast IPv4 address";
                spec.v4.push_back(*p4);
            } else {
                const auto& p6 = std::get<wire::Ipv6Prefix>(p);
                if (p6.addr.is_multicast() || p6.addr.is_unspecified() || p6.addr.is_loopback())
                    return "addr='" + std::string(val) + "' is not a unicast IPv6 address";
                spec.v6.push_back(p6);
            }
        } else {
            return "unknown key '" + std::string(key) + "' (expected mac=, mtu= or addr=)";
        }
    }
    if (first) return "empty --port value";
    return spec;
}

namespace {

// "P.VID" (Linux names a sub-interface eth0.100).
std::optional<std::string> parse_port_vid(std::string_view item, std::uint16_t& port,
                                          std::uint16_t& vid) {
    const auto dot = item.find('.');
    const auto id = parse_uint<std::uint16_t>(item.substr(0, dot), 1023);
    if (!id) return "'" + std::string(item) + "' is not PORT.VID (e.g. 0.100)";
    port = *id;
    vid = 0;
    if (dot == std::string_view::npos) return std::nullopt;
    const auto v = parse_uint<std::uint16_t>(item.substr(dot + 1), 4095);
    // IEEE 802.1Q 9.6: VID 0 is a priority tag (no VLAN), 4095 is reserved.
    if (!v || *v < 1 || *v > 4094)
        return "VLAN id '" + std::string(item.substr(dot + 1)) + "' is not in 1..4094";
    vid = *v;
    return std::nullopt;
}

}  // namespace

std::variant<VlanSpec, std::string> parse_vlan_spec(std::string_view text) {
    VlanSpec spec;
    bool first = true;
    for (const std::string_view item : items_of(text)) {
        if (first) {
            if (item.find('.') == std::string_view::npos)
                return "'" + std::string(item) + "' is not PORT.VID (e.g. 0.100)";
            if (auto e = parse_port_vid(item, spec.port, spec.vid)) return *e;
            first = false;
            continue;
        }
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return "'" + std::string(item) + "' is not key=value (mtu=, addr=)";
        const std::string_view key = item.substr(0, eq);
        const std::string_view val = item.substr(eq + 1);
        if (key == "mtu") {
            if (auto e = parse_mtu(val, spec.mtu)) return *e;
        } else if (key == "addr") {
            // The same rules as --port's addr=.
            auto r = parse_port_spec("0,addr=" + std::string(val));
            if (auto* e = std::get_if<std::string>(&r)) return *e;
            const auto& one = std::get<PortSpec>(r);
            spec.v4.insert(spec.v4.end(), one.v4.begin(), one.v4.end());
            spec.v6.insert(spec.v6.end(), one.v6.begin(), one.v6.end());
        } else {
            return "unknown key '" + std::string(key) + "' (expected mtu= or addr=)";
        }
    }
    if (first) return "empty --vlan value";
    return spec;
}

std::variant<RespondSpec, std::string> parse_respond_spec(std::string_view text) {
    const auto comma = text.find(',');
    auto p = parse_prefix(text.substr(0, comma));
    if (auto* e = std::get_if<std::string>(&p)) return *e;
    RespondSpec spec;
    if (auto* p4 = std::get_if<wire::Ipv4Prefix>(&p)) {
        if (p4->addr.is_martian_source() || p4->addr.is_multicast())
            return "'" + std::string(text.substr(0, comma)) + "' is not a unicast IPv4 prefix";
        spec.prefix = *p4;
    } else {
        const auto& p6 = std::get<wire::Ipv6Prefix>(p);
        if (p6.addr.is_multicast() || p6.addr.is_loopback() || p6.len == 0)
            return "'" + std::string(text.substr(0, comma)) + "' is not a unicast IPv6 prefix";
        spec.prefix = p6;
    }
    if (comma == std::string_view::npos) return spec;
    const std::string_view rest = text.substr(comma + 1);
    if (rest.substr(0, 5) != "port=" || rest.find(',') != std::string_view::npos)
        return "'" + std::string(rest) + "' is not port=ID or port=ID.VID";
    std::uint16_t port = 0, vid = 0;
    if (auto e = parse_port_vid(rest.substr(5), port, vid)) return "port=: " + *e;
    spec.port = port;
    spec.vid = vid;
    return spec;
}

std::optional<std::string> attach_vlans(std::vector<PortSpec>& ports,
                                        const std::vector<VlanSpec>& vlans) {
    for (const auto& v : vlans) {
        const std::string name = std::to_string(v.port) + "." + std::to_string(v.vid);
        PortSpec* parent = nullptr;
        for (auto& p : ports)
            if (p.port == v.port) parent = &p;
        if (parent == nullptr)
            return "--vlan " + name + ": port " + std::to_string(v.port) +
                   " is not configured (--port)";
        for (const auto& prev : parent->vlans)
            if (prev.vid == v.vid)
                return "--vlan " + name + " is given twice (put all its addresses in one --vlan)";
        // Linux: a VLAN device's MTU is at most its lower device's.
        if (v.mtu && parent->mtu && *v.mtu > *parent->mtu)
            return "--vlan " + name + ": mtu " + std::to_string(*v.mtu) + " is above port " +
                   std::to_string(v.port) + "'s " + std::to_string(*parent->mtu);
        parent->vlans.push_back(v);
    }
    return std::nullopt;
}

namespace {

template <class Prefix>
bool holds(const std::vector<Prefix>& subnets, const Prefix& p) {
    for (const auto& s : subnets)
        if (s.len <= p.len && s.contains(p.addr)) return true;
    return false;
}

}  // namespace

std::optional<std::string> attach_respond(std::vector<PortSpec>& ports,
                                          const std::vector<RespondSpec>& specs) {
    for (const auto& r : specs) {
        const bool v6 = std::holds_alternative<wire::Ipv6Prefix>(r.prefix);
        const std::string text = v6 ? std::get<wire::Ipv6Prefix>(r.prefix).addr.to_string() + "/" +
                                          std::to_string(std::get<wire::Ipv6Prefix>(r.prefix).len)
                                    : std::get<wire::Ipv4Prefix>(r.prefix).addr.to_string() + "/" +
                                          std::to_string(std::get<wire::Ipv4Prefix>(r.prefix).len);
        PortSpec* port = nullptr;
        VlanSpec* vlan = nullptr;
        if (r.port) {
            for (auto& p : ports)
                if (p.port == *r.port) port = &p;
            if (port == nullptr)
                return "--respond " + text + ": port " + std::to_string(*r.port) +
                       " is not configured (--port)";
            if (r.vid != 0) {
                for (auto& v : port->vlans)
                    if (v.vid == r.vid) vlan = &v;
                if (vlan == nullptr)
                    return "--respond " + text + ": " + std::to_string(*r.port) + "." +
                           std::to_string(r.vid) + " is not configured (--vlan)";
            }
        } else {
            // The interface whose subnet holds the prefix, else the only port.
            for (auto& p : ports) {
                const bool in = v6 ? holds(p.v6, std::get<wire::Ipv6Prefix>(r.prefix))
                                   : holds(p.v4, std::get<wire::Ipv4Prefix>(r.prefix));
                if (in && port == nullptr) port = &p;
                for (auto& v : p.vlans) {
                    const bool vin = v6 ? holds(v.v6, std::get<wire::Ipv6Prefix>(r.prefix))
                                        : holds(v.v4, std::get<wire::Ipv4Prefix>(r.prefix));
                    if (vin && port == nullptr) {
                        port = &p;
                        vlan = &v;
                    }
                }
            }
            if (port == nullptr && ports.size() == 1) port = &ports[0];
            if (port == nullptr)
                return "--respond " + text +
                       ": no interface has a subnet holding it (give port=ID)";
        }
        if (v6) {
            auto& list = vlan != nullptr ? vlan->respond6 : port->respond6;
            list.push_back(std::get<wire::Ipv6Prefix>(r.prefix));
        } else {
            auto& list = vlan != nullptr ? vlan->respond4 : port->respond4;
            list.push_back(std::get<wire::Ipv4Prefix>(r.prefix));
        }
    }
    return std::nullopt;
}

}  // namespace pw::route
