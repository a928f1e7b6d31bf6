// The recommended transit policy of --icmp-policy rfc4890: RFC 4890 4.3 for ICMPv6 and its
// IPv4 counterpart (RFC 792, RFC 1191, RFC 1812, RFC 6633, RFC 6918). Each group is one rule
// with a label naming its section, so its counter says what it caught.
#include <algorithm>
#include <iterator>
#include <string_view>

#include "lib/insight/icmp_filter.hh"

namespace pw::insight {

namespace {

struct Row {
    FilterAction action;
    std::uint8_t type_lo, type_hi;
    std::uint8_t code_lo, code_hi;
    std::string_view label;
};

constexpr auto A = FilterAction::allow;
constexpr auto D = FilterAction::deny;

// ICMPv6 in transit, in RFC 4890's order. What a site needs for the Internet to work comes
// first, so that nothing below can catch it.
constexpr Row v6_rows[] = {
    // RFC 4890 4.3.1, traffic that must not be dropped: error messages essential to the
    // establishment and maintenance of communications. Destination Unreachable, all codes;
    // Packet Too Big (RFC 8201 path MTU discovery: dropping it black-holes the path); Time
    // Exceeded code 0 (hop limit, traceroute); Parameter Problem codes 1 and 2 (unrecognised
    // Next Header, unrecognised option).
    {A, 1, 1, 0, 255, "rfc4890-4.3.1-dest-unreach"},
    {A, 2, 2, 0, 255, "rfc4890-4.3.1-packet-too-big"},
    {A, 3, 3, 0, 0, "rfc4890-4.3.1-time-exceeded"},
    {A, 4, 4, 1, 2, "rfc4890-4.3.1-param-problem"},
    // RFC 4890 4.3.1: Echo Request and Echo Reply (connectivity checks, Teredo; RFC 4890 3.2:
    // scanning a /64 by echo is impractical). A site that still refuses echo requests from
    // outside says deny-inbound-echo: its rule goes before this one.
    {A, 128, 129, 0, 255, "rfc4890-4.3.1-echo"},
    // RFC 8335: extended echo (PROBE), echo's interface-aware successor (after RFC 4890).
    {A, 160, 161, 0, 255, "rfc8335-extended-echo"},
    // RFC 4890 4.3.2, normally not dropped: Time Exceeded code 1 (fragment reassembly time
    // exceeded), Parameter Problem code 0 (erroneous header field), the Mobile IPv6 messages
    // a home agent exchanges across sites (RFC 6275 6.5-6.8: types 144-147).
    {A, 3, 3, 1, 1, "rfc4890-4.3.2-time-exceeded"},
    {A, 4, 4, 0, 0, "rfc4890-4.3.2-param-problem"},
    {A, 144, 147, 0, 255, "rfc4890-4.3.2-mobile-ipv6"},
    // RFC 4890 4.3.3, link-scope messages that a router never forwards (hop limit 255 or
    // link-local addresses make them useless off-link; here they are denied outright):
    // MLD 130-132 and Router/Neighbor Solicitation and Advertisement and Redirect 133-137
    // (RFC 4861), Inverse ND 141-142 (RFC 3122) with MLDv2 Report 143 (RFC 3810), SEND
    // Certification Path 148-149 (RFC 3971), Multicast Router Discovery 151-153 (RFC 4286).
    {D, 130, 137, 0, 255, "rfc4890-4.3.3-mld-nd"},
    {D, 141, 143, 0, 255, "rfc4890-4.3.3-ind-mldv2"},
    {D, 148, 149, 0, 255, "rfc4890-4.3.3-send"},
    {D, 151, 153, 0, 255, "rfc4890-4.3.3-mrd"},
    // RFC 4890 4.3.5, dropped unless a good case can be made: Router Renumbering 138 (RFC
    // 2894, a site-internal message), Node Information Query / Reply 139-140 (RFC 4620,
    // reconnaissance), the experimental types 100, 101, 200, 201 (RFC 4443 2.1) and the
    // extension types 127 and 255.
    {D, 138, 140, 0, 255, "rfc4890-4.3.5-renum-node-info"},
    {D, 100, 101, 0, 255, "rfc4890-4.3.5-experimental"},
    {D, 200, 201, 0, 255, "rfc4890-4.3.5-experimental"},
    {D, 127, 127, 0, 255, "rfc4890-4.3.5-extension"},
    {D, 255, 255, 0, 255, "rfc4890-4.3.5-extension"},
    // RFC 4890 4.3.4 leaves to local policy the Seamoby experimental type 150 and the types
    // unallocated when it was written: error 5-99 and 102-126, informational 154-199 and
    // 202-254. This policy drops them: a type no standard defined then has no known use in
    // transit (types allocated since, such as RFC 8335's 160-161, pass by an earlier rule).
    {D, 150, 150, 0, 255, "rfc4890-4.3.4-seamoby"},
    {D, 0, 0, 0, 255, "rfc4443-reserved"},  // RFC 4443 2.1: type 0 is reserved
    {D, 5, 99, 0, 255, "rfc4890-4.3.4-unallocated-error"},
    {D, 102, 126, 0, 255, "rfc4890-4.3.4-unallocated-error"},
    {D, 154, 199, 0, 255, "rfc4890-4.3.4-unallocated-info"},
    {D, 202, 254, 0, 255, "rfc4890-4.3.4-unallocated-info"},
};

// The IPv4 counterpart.
constexpr Row v4_rows[] = {
    // RFC 1191 3 / RFC 1812 5.2.7.1: Fragmentation Needed (Destination Unreachable code 4)
    // is path MTU discovery; it passes always (its own rule, counted apart), then every other
    // Destination Unreachable code (RFC 792, RFC 1812 5.2.7.1).
    {A, 3, 3, 4, 4, "ipv4-frag-needed"},
    {A, 3, 3, 0, 255, "ipv4-dest-unreach"},
    // RFC 792: Time Exceeded (TTL in transit, reassembly; traceroute) and Parameter Problem.
    {A, 11, 11, 0, 255, "ipv4-time-exceeded"},
    {A, 12, 12, 0, 255, "ipv4-param-problem"},
    // RFC 792: Echo Reply and Echo Request (deny-inbound-echo puts its rule before these).
    {A, 0, 0, 0, 255, "ipv4-echo-reply"},
    {A, 8, 8, 0, 255, "ipv4-echo-request"},
    // RFC 8335: extended echo (PROBE), the interface-aware echo.
    {A, 42, 43, 0, 255, "ipv4-extended-echo"},
    // Redirect: RFC 1812 5.2.7.2 lets a router send one only to a host on the link the packet
    // came in on, and RFC 1122 3.2.2.2 has a host discard one that is not from its first-hop
    // gateway: a Redirect in transit has no legitimate receiver (as ND Redirect, RFC 4890
    // 4.3.3).
    {D, 5, 5, 0, 255, "ipv4-redirect"},
    // RFC 6633 1-2: Source Quench is deprecated; routers must not send it, hosts ignore it.
    {D, 4, 4, 0, 255, "rfc6633-source-quench"},
    // RFC 1256: Router Advertisement / Solicitation are link-local (TTL 1 / all-routers).
    {D, 9, 10, 0, 255, "ipv4-router-discovery"},
    // Timestamp (RFC 792; the host's clock, a reconnaissance aid), and Information and
    // Address Mask Request / Reply 15-18, deprecated by RFC 6918 2.
    {D, 13, 18, 0, 255, "ipv4-timestamp-info-mask"},
    // RFC 6918 2: the other deprecated types: Alternate Host Address 6, Traceroute 30,
    // Datagram Conversion Error 31, Mobile Host Redirect 32, IPv6 Where-Are-You / I-Am-Here
    // 33-34, Mobile Registration 35-36, Domain Name 37-38, SKIP 39.
    {D, 6, 6, 0, 255, "rfc6918-deprecated"},
    {D, 30, 39, 0, 255, "rfc6918-deprecated"},
    // Unassigned and reserved types (IANA ICMP Type Numbers): 1-2, 7, 19 (reserved for
    // security), 20-29 (robustness experiment), 44-252, and the RFC 4727 experiments 253-254,
    // 255 reserved. Photuris 40 (RFC 2521) and Seamoby 41 (RFC 4065) are left to the default.
    {D, 1, 2, 0, 255, "ipv4-unassigned"},
    {D, 7, 7, 0, 255, "ipv4-unassigned"},
    {D, 19, 29, 0, 255, "ipv4-reserved"},
    {D, 44, 255, 0, 255, "ipv4-unassigned"},
};

std::optional<std::string> add_rows(IcmpFilter& f, FilterFamily fam, const Row* rows, std::size_t n,
                                    const PolicySpec& p) {
    for (std::size_t i = 0; i < n; ++i) {
        const Row& row = rows[i];
        const bool echo_allow = (fam == FilterFamily::v6 && row.type_lo == 128) ||
                                (fam == FilterFamily::v4 && row.type_lo == 8 && row.type_hi == 8);
        if (echo_allow && p.deny_inbound_echo) {
            // Echo passes (RFC 4890 4.3.1) but for the requests that come in by the
            // outside port: no scanning of the inside from outside.
            FilterRule d;
            d.action = FilterAction::deny;
            d.family = fam;
            d.in = p.outside;
            d.type_lo = d.type_hi = fam == FilterFamily::v6 ? 128 : 8;
            const std::string_view label =
                fam == FilterFamily::v6 ? "deny-inbound-echo6" : "deny-inbound-echo";
            label.copy(d.label.data(), label.size());
            if (auto e = f.add(d)) return e;
        }
        FilterRule r;
        r.action = row.action;
        r.family = fam;
        r.type_lo = row.type_lo;
        r.type_hi = row.type_hi;
        r.code_lo = row.code_lo;
        r.code_hi = row.code_hi;
        row.label.copy(r.label.data(), std::min(row.label.size(), r.label.size() - 1));
        if (auto e = f.add(r)) return e;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> add_icmp_policy(IcmpFilter& f, const PolicySpec& p) {
    if (!p.rfc4890) return std::nullopt;
    if (auto e = add_rows(f, FilterFamily::v6, v6_rows, std::size(v6_rows), p)) return e;
    return add_rows(f, FilterFamily::v4, v4_rows, std::size(v4_rows), p);
}

}  // namespace pw::insight
