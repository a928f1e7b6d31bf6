// Selective ICMP filtering for router mode (RFC 4890 for ICMPv6, its IPv4 counterpart): an
// ordered list of rules over forwarded ICMP and ICMPv6 messages, each {family, ingress port,
// egress port, type range, code range, allow | deny, label}; the first rule that matches
// decides, the default action (allow unless set) when none does.
//
// Built on the control path (options, reload): parse_filter_rule reads one --icmp-filter value,
// add_icmp_policy appends the recommended policy (--icmp-policy). On the data path match() is
// a few loads and a bit scan: the rules are compiled into bit sets by type and by port, so its
// cost does not grow with the number of rules. No DPDK, no allocation, no exception after
// construction; the filter is a plain value (copied with the options).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lib/wire/bytes.hh"

namespace pw::insight {

inline constexpr std::size_t max_filter_rules = 64;
// Ports a rule may name (route::max_ports, which this layer does not see; host_forward.cc
// checks that they agree).
inline constexpr std::size_t filter_ports = 32;
inline constexpr std::uint16_t any_port = 0xffff;

enum class FilterAction : std::uint8_t { allow, deny };
enum class FilterFamily : std::uint8_t { any, v4, v6 };

std::string_view to_string(FilterAction a) noexcept;
std::string_view to_string(FilterFamily f) noexcept;  // "any", "v4", "v6"

struct FilterRule {
    FilterAction action = FilterAction::allow;
    FilterFamily family = FilterFamily::any;
    std::uint16_t in = any_port;   // ingress port, or any_port
    std::uint16_t out = any_port;  // egress port, or any_port
    std::uint8_t type_lo = 0, type_hi = 255;
    std::uint8_t code_lo = 0, code_hi = 255;
    std::array<char, 48> label{};  // NUL-terminated; empty: none

    bool any_type() const noexcept { return type_lo == 0 && type_hi == 255; }
    bool any_code() const noexcept { return code_lo == 0 && code_hi == 255; }
    std::string_view name() const noexcept { return {label.data()}; }
    // Control path: "deny v4 type 8 in port 1" (type and code as numbers or ranges; the label
    // is not part of it).
    std::string text() const;
    // Control path: the rule as an --icmp-filter value that parses back to it
    // ("deny,v4,type=8,in=1,name=x").
    std::string spec() const;
    bool operator==(const FilterRule&) const = default;
};

// The per-lcore count of packets each rule decided (index max_filter_rules: the default), and
// the digest of the rule list they were counted under (see IcmpFilter::digest).
struct alignas(64) FilterCounters {
    std::array<std::uint64_t, max_filter_rules + 1> packets{};
    std::uint64_t digest = 0;
};

class IcmpFilter {
public:
    static constexpr std::size_t default_index = max_filter_rules;

    // Control path. An error line when the list is full; the rule is appended otherwise.
    std::optional<std::string> add(const FilterRule& r);
    void set_default(FilterAction a) noexcept;

    std::size_t size() const noexcept { return n_; }
    bool empty() const noexcept { return n_ == 0; }
    const FilterRule& rule(std::size_t i) const noexcept { return rules_[i]; }
    FilterAction default_action() const noexcept { return default_; }
    // A hash of the rules and the default, never 0: counters taken under another list (before
    // a reload changed it) are told apart by it.
    std::uint64_t digest() const noexcept { return digest_; }

    // Data path: the index of the first rule matching a forwarded ICMP (v6 false) or ICMPv6
    // message of type / code from port in to port out, or default_index.
    std::size_t match(bool v6, std::uint16_t in, std::uint16_t out, std::uint8_t type,
                      std::uint8_t code) const noexcept {
        std::uint64_t m = by_type_[v6 ? 1 : 0][type] &
                          by_in_[in < filter_ports ? in : filter_ports] &
                          by_out_[out < filter_ports ? out : filter_ports];
        while (m != 0) {
            const auto i = static_cast<std::size_t>(__builtin_ctzll(m));
            if (code >= rules_[i].code_lo && code <= rules_[i].code_hi) return i;
            m &= m - 1;
        }
        return default_index;
    }
    FilterAction action_of(std::size_t index) const noexcept {
        return index < n_ ? rules_[index].action : default_;
    }

    bool operator==(const IcmpFilter& o) const noexcept { return digest_ == o.digest_; }

private:
    void rehash() noexcept;

    std::array<FilterRule, max_filter_rules> rules_{};
    std::size_t n_ = 0;
    FilterAction default_ = FilterAction::allow;
    // Bit i: rule i may match. By family and type; by ingress and egress port (the last entry
    // for a port beyond filter_ports: the rules of any port only).
    std::array<std::array<std::uint64_t, 256>, 2> by_type_{};
    std::array<std::uint64_t, filter_ports + 1> by_in_{};
    std::array<std::uint64_t, filter_ports + 1> by_out_{};
    std::uint64_t digest_ = 1;
};

// One --icmp-filter value:
//     ACTION,FAMILY[,type=T|T-T|NAME][,code=C|C-C][,in=PORT][,out=PORT][,name=LABEL]
// ACTION allow | deny; FAMILY v4 (icmp) | v6 (icmp6) | any (no type or code then); a type by
// number, range or nftables name (echo-request, packet-too-big, nd-neighbor-solicit...); a
// code only with one type; ports 0..31 or any. The error names the part that is wrong.
std::variant<FilterRule, std::string> parse_filter_rule(std::string_view spec);

// The type number of an nftables-style name in a family (v4 or v6), or nothing.
std::optional<std::uint8_t> icmp_type_by_name(FilterFamily f, std::string_view name) noexcept;

// The recommended policy (--icmp-policy):
//     rfc4890[,outside=PORT,deny-inbound-echo]
// RFC 4890 4.3 for ICMPv6 transit traffic and its IPv4 counterpart; deny-inbound-echo denies
// Echo Request (8, 128) arriving on the outside port before the rule that lets echo pass.
struct PolicySpec {
    bool rfc4890 = false;
    std::uint16_t outside = any_port;
    bool deny_inbound_echo = false;
};
std::variant<PolicySpec, std::string> parse_icmp_policy(std::string_view spec);
// Appends the policy's rules to f (after the rules already there: the user's come first). An
// error line when they do not fit.
std::optional<std::string> add_icmp_policy(IcmpFilter& f, const PolicySpec& p);

// The ICMP type and code of a forwarded IP datagram, for the filter (l3: from the IPv4 or IPv6
// header on; IPv6 extension headers are walked to the upper layer). Nothing for a datagram
// that is not ICMP / ICMPv6, a non-initial fragment (no ICMP header in it), one too short to
// carry the type and code, or one whose extension headers do not parse.
struct IcmpTypeCode {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
};
std::optional<IcmpTypeCode> icmp_of_datagram(wire::ConstBytes l3, bool v6) noexcept;

}  // namespace pw::insight
