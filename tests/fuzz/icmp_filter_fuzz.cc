// libFuzzer target: the router's ICMP filter (lib/insight/icmp_filter.hh). The first input
// byte picks what is fuzzed:
//   0: parse_filter_rule on the text: no exception escapes, an error is one line, a rule
//      prints back (spec()) to a value that parses to the same rule;
//   1: parse_icmp_policy on the text, and the policy built: it fits, and PTB / frag-needed
//      pass whatever else it says;
//   2: icmp_of_datagram on the bytes (the next byte: v4 or v6): what it finds lies within the
//      datagram and is the bytes there;
//   3: match() against a plain first-match scan, over rules and packets made of the bytes.
#include <string>
#include <string_view>
#include <variant>

#include "lib/insight/icmp_filter.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::insight;
using pw_fuzz::check;

namespace {

bool one_line(const std::string& e) {
    return !e.empty() && e.find('\n') == std::string::npos;
}

void rule_text(std::string_view text) {
    if (text.find('\n') != std::string_view::npos) return;
    const auto r = parse_filter_rule(text);
    if (const auto* e = std::get_if<std::string>(&r)) {
        check(one_line(*e));
        return;
    }
    const FilterRule& a = std::get<FilterRule>(r);
    check(a.type_lo <= a.type_hi && a.code_lo <= a.code_hi);
    check(a.any_code() || a.type_lo == a.type_hi);
    const auto b = parse_filter_rule(a.spec());
    check(std::holds_alternative<FilterRule>(b) && std::get<FilterRule>(b) == a);
}

void policy_text(std::string_view text) {
    if (text.find('\n') != std::string_view::npos) return;
    const auto p = parse_icmp_policy(text);
    if (const auto* e = std::get_if<std::string>(&p)) {
        check(one_line(*e));
        return;
    }
    IcmpFilter f;
    check(!add_icmp_policy(f, std::get<PolicySpec>(p)));
    for (std::uint16_t in = 0; in < 3; ++in) {
        check(f.action_of(f.match(true, in, 1, 2, 0)) == FilterAction::allow);
        check(f.action_of(f.match(false, in, 1, 3, 4)) == FilterAction::allow);
    }
}

void datagram(pw::wire::ConstBytes b) {
    if (b.empty()) return;
    const bool v6 = (std::to_integer<unsigned>(b[0]) & 1U) != 0;
    const auto l3 = b.subspan(1);
    const auto tc = icmp_of_datagram(l3, v6);
    if (!tc) return;
    // The type and code are two bytes of the datagram, one after the other.
    bool found = false;
    for (std::size_t i = 0; i + 1 < l3.size() && !found; ++i)
        found = std::to_integer<std::uint8_t>(l3[i]) == tc->type &&
                std::to_integer<std::uint8_t>(l3[i + 1]) == tc->code;
    check(found);
}

// The first match a plain scan finds.
std::size_t reference(const IcmpFilter& f, bool v6, std::uint16_t in, std::uint16_t out,
                      std::uint8_t type, std::uint8_t code) {
    for (std::size_t i = 0; i < f.size(); ++i) {
        const FilterRule& r = f.rule(i);
        if (r.family == (v6 ? FilterFamily::v4 : FilterFamily::v6)) continue;
        if (r.in != any_port && r.in != in) continue;
        if (r.out != any_port && r.out != out) continue;
        if (type < r.type_lo || type > r.type_hi || code < r.code_lo || code > r.code_hi) continue;
        return i;
    }
    return IcmpFilter::default_index;
}

void matcher(const std::uint8_t* d, std::size_t n) {
    // Rules of 6 bytes each (as many as fit, at most max_filter_rules), then packets of 5.
    IcmpFilter f;
    std::size_t at = 0;
    const std::size_t rules = n == 0 ? 0 : d[at++] % (max_filter_rules + 1);
    for (std::size_t i = 0; i < rules && at + 6 <= n; ++i, at += 6) {
        FilterRule r;
        r.action = (d[at] & 1) ? FilterAction::deny : FilterAction::allow;
        r.family = static_cast<FilterFamily>((d[at] >> 1) % 3);
        r.in = (d[at] & 0x08) ? any_port : static_cast<std::uint16_t>(d[at + 1] % 4);
        r.out = (d[at] & 0x10) ? any_port : static_cast<std::uint16_t>(d[at + 1] / 64);
        r.type_lo = std::min(d[at + 2], d[at + 3]);
        r.type_hi = std::max(d[at + 2], d[at + 3]);
        if (d[at] & 0x20) {
            r.code_lo = std::min(d[at + 4], d[at + 5]);
            r.code_hi = std::max(d[at + 4], d[at + 5]);
        }
        check(!f.add(r));
    }
    if (d != nullptr && n > 0 && (d[0] & 0x80)) f.set_default(FilterAction::deny);
    for (; at + 5 <= n; at += 5) {
        const bool v6 = d[at] & 1;
        const auto in = static_cast<std::uint16_t>((d[at] >> 1) % 40);  // past filter_ports too
        const auto out = static_cast<std::uint16_t>(d[at + 1] % 40);
        const std::size_t got = f.match(v6, in, out, d[at + 2], d[at + 3]);
        check(got == reference(f, v6, in, out, d[at + 2], d[at + 3]));
        check(got == IcmpFilter::default_index || got < f.size());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 4) {
        case 0:
            rule_text(text);
            break;
        case 1:
            policy_text(text);
            break;
        case 2:
            datagram(pw_fuzz::input(data + 1, size - 1));
            break;
        default:
            matcher(data + 1, size - 1);
            break;
    }
    return 0;
}
