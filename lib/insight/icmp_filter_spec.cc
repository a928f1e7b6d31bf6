// The text of one --icmp-filter rule and of --icmp-policy (control path).
#include <charconv>
#include <string>
#include <vector>

#include "lib/insight/icmp_filter.hh"

namespace pw::insight {

namespace {

struct TypeName {
    std::string_view name;
    std::uint8_t type;
};

// nftables' names (nft describe icmp type / icmpv6 type), plus node information (RFC 4620).
constexpr TypeName v4_names[] = {
    {"echo-reply", 0},           {"destination-unreachable", 3},
    {"source-quench", 4},        {"redirect", 5},
    {"echo-request", 8},         {"router-advertisement", 9},
    {"router-solicitation", 10}, {"time-exceeded", 11},
    {"parameter-problem", 12},   {"timestamp-request", 13},
    {"timestamp-reply", 14},     {"info-request", 15},
    {"info-reply", 16},          {"address-mask-request", 17},
    {"address-mask-reply", 18},
};
constexpr TypeName v6_names[] = {
    {"destination-unreachable", 1},  {"packet-too-big", 2},        {"time-exceeded", 3},
    {"parameter-problem", 4},        {"echo-request", 128},        {"echo-reply", 129},
    {"mld-listener-query", 130},     {"mld-listener-report", 131}, {"mld-listener-done", 132},
    {"mld-listener-reduction", 132}, {"nd-router-solicit", 133},   {"nd-router-advert", 134},
    {"nd-neighbor-solicit", 135},    {"nd-neighbor-advert", 136},  {"nd-redirect", 137},
    {"router-renumbering", 138},     {"node-info-query", 139},     {"node-info-response", 140},
    {"ind-neighbor-solicit", 141},   {"ind-neighbor-advert", 142}, {"mld2-listener-report", 143},
};

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t at = s.find(sep, pos);
        out.push_back(
            s.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
        if (at == std::string_view::npos) return out;
        pos = at + 1;
    }
}

std::optional<unsigned> number(std::string_view s, unsigned max) {
    unsigned v = 0;
    const auto* end = s.data() + s.size();
    const auto r = std::from_chars(s.data(), end, v);
    if (s.empty() || r.ec != std::errc{} || r.ptr != end || v > max) return std::nullopt;
    return v;
}

// "N" or "N-M" within 0..255.
std::optional<std::pair<std::uint8_t, std::uint8_t>> byte_range(std::string_view s) {
    const std::size_t dash = s.find('-');
    const auto lo = number(s.substr(0, dash), 255);
    const auto hi = dash == std::string_view::npos ? lo : number(s.substr(dash + 1), 255);
    if (!lo || !hi || *lo > *hi) return std::nullopt;
    return std::pair{static_cast<std::uint8_t>(*lo), static_cast<std::uint8_t>(*hi)};
}

std::optional<std::uint16_t> port_of(std::string_view s) {
    if (s == "any") return any_port;
    const auto p = number(s, filter_ports - 1);
    if (!p) return std::nullopt;
    return static_cast<std::uint16_t>(*p);
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

}  // namespace

std::optional<std::uint8_t> icmp_type_by_name(FilterFamily f, std::string_view name) noexcept {
    if (f == FilterFamily::v4) {
        for (const auto& t : v4_names)
            if (t.name == name) return t.type;
    } else if (f == FilterFamily::v6) {
        for (const auto& t : v6_names)
            if (t.name == name) return t.type;
    }
    return std::nullopt;
}

std::variant<FilterRule, std::string> parse_filter_rule(std::string_view spec) {
    const auto parts = split(spec, ',');
    if (parts.size() < 2)
        return std::string(
            "expected ACTION,FAMILY[,type=T][,code=C][,in=PORT][,out=PORT][,name=LABEL], e.g. "
            "deny,v4,type=echo-request,in=1");
    FilterRule r;
    if (parts[0] == "allow" || parts[0] == "accept" || parts[0] == "permit")
        r.action = FilterAction::allow;
    else if (parts[0] == "deny" || parts[0] == "drop")
        r.action = FilterAction::deny;
    else
        return "action " + quoted(parts[0]) + ": expected allow or deny";
    if (parts[1] == "v4" || parts[1] == "icmp" || parts[1] == "ipv4")
        r.family = FilterFamily::v4;
    else if (parts[1] == "v6" || parts[1] == "icmp6" || parts[1] == "icmpv6" || parts[1] == "ipv6")
        r.family = FilterFamily::v6;
    else if (parts[1] == "any")
        r.family = FilterFamily::any;
    else
        return "family " + quoted(parts[1]) + ": expected v4, v6 or any";
    bool have_type = false, have_code = false, have_in = false, have_out = false, have_name = false;
    for (std::size_t i = 2; i < parts.size(); ++i) {
        const std::string_view item = parts[i];
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return quoted(item) + ": expected type=, code=, in=, out= or name=";
        const std::string_view key = item.substr(0, eq);
        const std::string_view val = item.substr(eq + 1);
        auto twice = [&](bool& seen) {
            const bool was = seen;
            seen = true;
            return was;
        };
        if (key == "type") {
            if (twice(have_type)) return std::string("type= given twice");
            if (r.family == FilterFamily::any)
                return "type=" + std::string(val) +
                       ": needs the family v4 or v6 (ICMP and ICMPv6 number their types "
                       "differently)";
            if (val == "any") continue;
            if (const auto t = icmp_type_by_name(r.family, val)) {
                r.type_lo = r.type_hi = *t;
            } else if (const auto rg = byte_range(val)) {
                r.type_lo = rg->first;
                r.type_hi = rg->second;
            } else {
                return "type=" + std::string(val) + ": not a type number (0-255), range (N-M) or " +
                       (r.family == FilterFamily::v4 ? "ICMP" : "ICMPv6") +
                       " type name (e.g. echo-request)";
            }
        } else if (key == "code") {
            if (twice(have_code)) return std::string("code= given twice");
            if (r.family == FilterFamily::any)
                return "code=" + std::string(val) + ": needs the family v4 or v6";
            if (val == "any") continue;
            const auto rg = byte_range(val);
            if (!rg) return "code=" + std::string(val) + ": not a code number (0-255) or range";
            r.code_lo = rg->first;
            r.code_hi = rg->second;
        } else if (key == "in" || key == "out") {
            if (twice(key == "in" ? have_in : have_out)) return std::string(key) + "= given twice";
            const auto p = port_of(val);
            if (!p)
                return std::string(key) + "=" + std::string(val) + ": not a port id (0-" +
                       std::to_string(filter_ports - 1) + ") or any";
            (key == "in" ? r.in : r.out) = *p;
        } else if (key == "name") {
            if (twice(have_name)) return std::string("name= given twice");
            if (val.empty() || val.size() >= r.label.size())
                return "name=" + std::string(val) + ": 1 to " + std::to_string(r.label.size() - 1) +
                       " characters";
            for (const char c : val) {
                const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                if (!ok)
                    return "name=" + std::string(val) + ": letters, digits, '-', '_' and '.' only";
            }
            val.copy(r.label.data(), val.size());
        } else {
            return "key " + quoted(key) + ": expected type, code, in, out or name";
        }
    }
    // A code range means something for one type only (codes are per type).
    if (!r.any_code() && r.type_lo != r.type_hi)
        return std::string("code= needs a single type= (codes are numbered per type)");
    return r;
}

std::variant<PolicySpec, std::string> parse_icmp_policy(std::string_view spec) {
    PolicySpec p;
    if (spec == "none") return p;
    const auto parts = split(spec, ',');
    if (parts[0] != "rfc4890") return "policy " + quoted(parts[0]) + ": expected rfc4890 (or none)";
    p.rfc4890 = true;
    bool have_outside = false;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view item = parts[i];
        if (item == "deny-inbound-echo") {
            p.deny_inbound_echo = true;
        } else if (item.starts_with("outside=")) {
            if (have_outside) return std::string("outside= given twice");
            have_outside = true;
            const auto port = number(item.substr(8), filter_ports - 1);
            if (!port)
                return "outside=" + std::string(item.substr(8)) + ": not a port id (0-" +
                       std::to_string(filter_ports - 1) + ")";
            p.outside = static_cast<std::uint16_t>(*port);
        } else {
            return quoted(item) + ": expected outside=PORT or deny-inbound-echo";
        }
    }
    if (p.deny_inbound_echo && p.outside == any_port)
        return std::string("deny-inbound-echo needs outside=PORT (the port facing outside)");
    if (!p.deny_inbound_echo && p.outside != any_port)
        return std::string(
            "outside=PORT only says where deny-inbound-echo applies: add deny-inbound-echo");
    return p;
}

}  // namespace pw::insight
