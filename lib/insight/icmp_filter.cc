// The rule list and its compiled matcher, and where a forwarded datagram's ICMP header is.
#include "lib/insight/icmp_filter.hh"

#include <algorithm>

#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"

namespace pw::insight {

std::string_view to_string(FilterAction a) noexcept {
    return a == FilterAction::deny ? "deny" : "allow";
}

std::string_view to_string(FilterFamily f) noexcept {
    switch (f) {
        case FilterFamily::v4:
            return "v4";
        case FilterFamily::v6:
            return "v6";
        case FilterFamily::any:
            break;
    }
    return "any";
}

namespace {

std::string range_text(const char* what, unsigned lo, unsigned hi) {
    std::string s = std::string(" ") + what + " " + std::to_string(lo);
    if (hi != lo) s += "-" + std::to_string(hi);
    return s;
}

}  // namespace

std::string FilterRule::text() const {
    std::string s = std::string(to_string(action)) + " " + std::string(to_string(family));
    if (!any_type()) s += range_text("type", type_lo, type_hi);
    if (!any_code()) s += range_text("code", code_lo, code_hi);
    if (in != any_port) s += " in port " + std::to_string(in);
    if (out != any_port) s += " out port " + std::to_string(out);
    return s;
}

std::string FilterRule::spec() const {
    std::string s = std::string(to_string(action)) + "," + std::string(to_string(family));
    auto range = [](unsigned lo, unsigned hi) {
        return std::to_string(lo) + (hi != lo ? "-" + std::to_string(hi) : "");
    };
    if (!any_type()) s += ",type=" + range(type_lo, type_hi);
    if (!any_code()) s += ",code=" + range(code_lo, code_hi);
    if (in != any_port) s += ",in=" + std::to_string(in);
    if (out != any_port) s += ",out=" + std::to_string(out);
    if (!name().empty()) s += ",name=" + std::string(name());
    return s;
}

std::optional<std::string> IcmpFilter::add(const FilterRule& r) {
    if (n_ == max_filter_rules)
        return "too many ICMP filter rules (at most " + std::to_string(max_filter_rules) +
               ", --icmp-filter and --icmp-policy together)";
    if ((r.in != any_port && r.in >= filter_ports) || (r.out != any_port && r.out >= filter_ports))
        return "a filter rule's port must be below " + std::to_string(filter_ports);
    const std::size_t i = n_++;
    rules_[i] = r;
    const std::uint64_t bit = std::uint64_t{1} << i;
    for (unsigned fam = 0; fam < 2; ++fam) {
        const bool v6 = fam == 1;
        if (r.family == (v6 ? FilterFamily::v4 : FilterFamily::v6)) continue;
        for (unsigned t = r.type_lo; t <= r.type_hi; ++t) by_type_[fam][t] |= bit;
    }
    for (std::size_t p = 0; p <= filter_ports; ++p) {
        if (r.in == any_port || r.in == p) by_in_[p] |= bit;
        if (r.out == any_port || r.out == p) by_out_[p] |= bit;
    }
    rehash();
    return std::nullopt;
}

void IcmpFilter::set_default(FilterAction a) noexcept {
    default_ = a;
    rehash();
}

void IcmpFilter::rehash() noexcept {
    // FNV-1a over what decides: the rules (labels included: a renamed rule is another row)
    // and the default.
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](std::uint64_t v) {
        h ^= v;
        h *= 0x100000001b3ULL;
    };
    mix(n_);
    mix(static_cast<std::uint64_t>(default_));
    for (std::size_t i = 0; i < n_; ++i) {
        const FilterRule& r = rules_[i];
        mix(static_cast<std::uint64_t>(r.action) | static_cast<std::uint64_t>(r.family) << 8 |
            std::uint64_t{r.in} << 16 | std::uint64_t{r.out} << 32);
        mix(std::uint64_t{r.type_lo} | std::uint64_t{r.type_hi} << 8 |
            std::uint64_t{r.code_lo} << 16 | std::uint64_t{r.code_hi} << 24);
        for (const char c : r.label) mix(static_cast<unsigned char>(c));
    }
    digest_ = h == 0 ? 1 : h;
}

std::optional<IcmpTypeCode> icmp_of_datagram(wire::ConstBytes l3, bool v6) noexcept {
    using wire::load16;
    using wire::load8;
    if (!v6) {
        if (l3.size() < wire::ipv4::min_header_len) return std::nullopt;
        if (load8(l3, wire::ipv4::field::protocol) != wire::ipv4::proto_icmp) return std::nullopt;
        // RFC 791 3.1: only the first fragment (offset 0) carries the ICMP header.
        if ((load16(l3, wire::ipv4::field::flags_frag) & wire::ipv4::frag_offset_mask) != 0)
            return std::nullopt;
        const std::size_t ihl = std::size_t{load8(l3, wire::ipv4::field::ver_ihl) & 0x0fU} * 4;
        const std::size_t end = std::min<std::size_t>(l3.size(), load16(l3, 2));
        if (ihl < wire::ipv4::min_header_len || ihl + 2 > end) return std::nullopt;
        return IcmpTypeCode{load8(l3, ihl), load8(l3, ihl + 1)};
    }
    if (l3.size() < wire::ipv6::header_len) return std::nullopt;
    const std::size_t end = std::min<std::size_t>(
        l3.size(), wire::ipv6::header_len + load16(l3, wire::ipv6::field::payload_length));
    constexpr std::uint8_t nh_icmpv6 = 58;
    std::size_t at = wire::ipv6::header_len;
    const std::uint8_t nh = load8(l3, wire::ipv6::field::next_header);
    if (nh != nh_icmpv6) {
        // RFC 8200 4: the ICMPv6 header may follow extension headers (a Fragment header
        // among them: only the first fragment, offset 0, carries it).
        const wire::ipv6::ExtWalk w = wire::ipv6::walk_extensions(l3.first(end));
        if (!w.upper || w.upper->protocol != nh_icmpv6) return std::nullopt;
        if (w.upper->fragment && w.upper->frag_offset != 0) return std::nullopt;
        at = w.upper->offset;
    }
    if (at + 2 > end) return std::nullopt;
    return IcmpTypeCode{load8(l3, at), load8(l3, at + 1)};
}

}  // namespace pw::insight
