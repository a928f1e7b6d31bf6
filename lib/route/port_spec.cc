#include "lib/route/port_spec.hh"

#include <charconv>

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

std::variant<PortSpec, std::string> parse_port_spec(std::string_view text) {
    PortSpec spec;
    std::size_t pos = 0;
    bool first = true;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        const std::string_view item = text.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
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
            // RFC 791: every IPv4 host handles 68; RFC 8200 5: IPv6 links carry 1280 or more.
            const auto mtu = parse_uint<std::uint16_t>(val, 9216);
            if (!mtu || *mtu < 68) return "mtu='" + std::string(val) + "' is not in 68..9216";
            spec.mtu = *mtu;
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

}  // namespace pw::route
