// The router's selective ICMP filter (lib/insight/icmp_filter.hh): the matcher (first match,
// ports, types, codes, the default), the --icmp-filter / --icmp-policy parsers (what they take
// and the line they give for what they refuse), the RFC 4890 policy table, and where a
// datagram's ICMP header is found.
#include "lib/insight/icmp_filter.hh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace pw::insight;

FilterRule rule(const std::string& spec) {
    auto r = parse_filter_rule(spec);
    if (auto* e = std::get_if<std::string>(&r)) ADD_FAILURE() << spec << ": " << *e;
    return std::get_if<FilterRule>(&r) ? std::get<FilterRule>(r) : FilterRule{};
}

std::string error(const std::string& spec) {
    auto r = parse_filter_rule(spec);
    if (std::holds_alternative<FilterRule>(r)) {
        ADD_FAILURE() << spec << " was accepted";
        return {};
    }
    return std::get<std::string>(r);
}

IcmpFilter filter(const std::vector<std::string>& specs) {
    IcmpFilter f;
    for (const auto& s : specs) EXPECT_FALSE(f.add(rule(s))) << s;
    return f;
}

IcmpFilter policy(const std::string& spec) {
    IcmpFilter f;
    auto p = parse_icmp_policy(spec);
    EXPECT_TRUE(std::holds_alternative<PolicySpec>(p)) << spec;
    EXPECT_FALSE(add_icmp_policy(f, std::get<PolicySpec>(p)));
    return f;
}

constexpr bool v4 = false, v6 = true;

bool denied(const IcmpFilter& f, bool six, std::uint16_t in, std::uint16_t out, int type,
            int code = 0) {
    return f.action_of(f.match(six, in, out, static_cast<std::uint8_t>(type),
                               static_cast<std::uint8_t>(code))) == FilterAction::deny;
}

std::string label_of(const IcmpFilter& f, bool six, std::uint16_t in, int type, int code = 0) {
    const std::size_t i =
        f.match(six, in, 1, static_cast<std::uint8_t>(type), static_cast<std::uint8_t>(code));
    return i == IcmpFilter::default_index ? "default" : std::string(f.rule(i).name());
}

TEST(IcmpFilterMatch, FirstMatchWins) {
    const auto f = filter({"allow,v4,type=8,in=0", "deny,v4,type=8", "deny,v6,type=128"});
    EXPECT_EQ(f.match(v4, 0, 1, 8, 0), 0U);
    EXPECT_EQ(f.match(v4, 1, 0, 8, 0), 1U);
    EXPECT_EQ(f.match(v6, 0, 1, 128, 0), 2U);
    // No rule: the default (allow), and its own index.
    EXPECT_EQ(f.match(v4, 0, 1, 0, 0), IcmpFilter::default_index);
    EXPECT_EQ(f.action_of(IcmpFilter::default_index), FilterAction::allow);
    // The families are apart: IPv4 type 128 is not ICMPv6 Echo Request.
    EXPECT_EQ(f.match(v4, 0, 1, 128, 0), IcmpFilter::default_index);
    EXPECT_EQ(f.match(v6, 0, 1, 8, 0), IcmpFilter::default_index);
}

TEST(IcmpFilterMatch, PortsAnyOrSpecific) {
    const auto f = filter({"deny,v4,type=8,in=1,out=2", "deny,v4,type=0,out=3", "deny,any,in=5"});
    EXPECT_TRUE(denied(f, v4, 1, 2, 8));
    EXPECT_FALSE(denied(f, v4, 1, 3, 8));
    EXPECT_FALSE(denied(f, v4, 2, 1, 8));
    EXPECT_TRUE(denied(f, v4, 0, 3, 0));
    EXPECT_TRUE(denied(f, v4, 7, 3, 0));
    EXPECT_FALSE(denied(f, v4, 3, 0, 0));
    // A family-less rule catches every ICMP and ICMPv6 message of its direction.
    for (int t : {0, 3, 8, 255}) EXPECT_TRUE(denied(f, v4, 5, 0, t)) << t;
    for (int t : {1, 2, 128, 135}) EXPECT_TRUE(denied(f, v6, 5, 0, t)) << t;
    // A port past the rules' range: only the rules of any port apply.
    EXPECT_FALSE(denied(f, v4, 40, 2, 8));
    EXPECT_TRUE(denied(f, v4, 40, 3, 0));
}

TEST(IcmpFilterMatch, CodesAndRanges) {
    const auto f = filter({"allow,v4,type=3,code=4", "deny,v4,type=3", "deny,v6,type=4,code=1-2",
                           "deny,v6,type=130-137"});
    EXPECT_FALSE(denied(f, v4, 0, 1, 3, 4));
    for (int c : {0, 1, 3, 5, 13, 255}) EXPECT_TRUE(denied(f, v4, 0, 1, 3, c)) << c;
    EXPECT_FALSE(denied(f, v6, 0, 1, 4, 0));
    EXPECT_TRUE(denied(f, v6, 0, 1, 4, 1));
    EXPECT_TRUE(denied(f, v6, 0, 1, 4, 2));
    EXPECT_FALSE(denied(f, v6, 0, 1, 4, 3));
    for (int t = 129; t <= 138; ++t) EXPECT_EQ(denied(f, v6, 0, 1, t), t >= 130 && t <= 137) << t;
    // A later rule is reached when an earlier one of the same type fails on its code.
    EXPECT_EQ(f.match(v4, 0, 1, 3, 3), 1U);
}

TEST(IcmpFilterMatch, DefaultDenyAndDigest) {
    auto f = filter({"allow,v6,type=2"});
    const auto d1 = f.digest();
    EXPECT_NE(d1, 0U);
    f.set_default(FilterAction::deny);
    EXPECT_NE(f.digest(), d1);
    EXPECT_TRUE(denied(f, v6, 0, 1, 1));
    EXPECT_FALSE(denied(f, v6, 0, 1, 2));
    // The same rules give the same digest (a reload that changes nothing keeps the counts).
    auto g = filter({"allow,v6,type=2"});
    g.set_default(FilterAction::deny);
    EXPECT_EQ(f.digest(), g.digest());
    EXPECT_NE(filter({"allow,v6,type=2,name=a"}).digest(), filter({"allow,v6,type=2"}).digest());
}

TEST(IcmpFilterMatch, FullList) {
    IcmpFilter f;
    for (std::size_t i = 0; i < max_filter_rules; ++i)
        ASSERT_FALSE(f.add(rule("deny,v4,type=" + std::to_string(i))));
    const auto e = f.add(rule("deny,v4,type=200"));
    ASSERT_TRUE(e);
    EXPECT_NE(e->find("at most 64"), std::string::npos) << *e;
    EXPECT_EQ(f.match(v4, 0, 1, 63, 0), 63U);
    EXPECT_EQ(f.match(v4, 0, 1, 64, 0), IcmpFilter::default_index);
}

TEST(IcmpFilterSpec, Accepted) {
    auto r = rule("deny,v4,type=8,in=1");
    EXPECT_EQ(r.action, FilterAction::deny);
    EXPECT_EQ(r.family, FilterFamily::v4);
    EXPECT_EQ(r.type_lo, 8);
    EXPECT_EQ(r.type_hi, 8);
    EXPECT_TRUE(r.any_code());
    EXPECT_EQ(r.in, 1);
    EXPECT_EQ(r.out, any_port);
    EXPECT_EQ(r.text(), "deny v4 type 8 in port 1");
    r = rule("allow,icmp6,type=packet-too-big,out=0,name=pmtud");
    EXPECT_EQ(r.family, FilterFamily::v6);
    EXPECT_EQ(r.type_lo, 2);
    EXPECT_EQ(r.out, 0);
    EXPECT_EQ(r.name(), "pmtud");
    EXPECT_EQ(r.text(), "allow v6 type 2 out port 0");
    r = rule("drop,v6,type=130-137,in=any");
    EXPECT_EQ(r.action, FilterAction::deny);
    EXPECT_EQ(r.type_lo, 130);
    EXPECT_EQ(r.type_hi, 137);
    EXPECT_EQ(r.in, any_port);
    EXPECT_EQ(r.text(), "deny v6 type 130-137");
    r = rule("allow,v4,type=destination-unreachable,code=4");
    EXPECT_EQ(r.type_lo, 3);
    EXPECT_EQ(r.code_lo, 4);
    EXPECT_EQ(r.code_hi, 4);
    EXPECT_EQ(r.text(), "allow v4 type 3 code 4");
    r = rule("deny,any,in=2,out=3");
    EXPECT_EQ(r.family, FilterFamily::any);
    EXPECT_EQ(r.text(), "deny any in port 2 out port 3");
    EXPECT_EQ(rule("allow,v6,type=nd-neighbor-solicit").type_lo, 135);
    EXPECT_EQ(rule("allow,v4,type=echo-request").type_lo, 8);
    EXPECT_EQ(rule("allow,v6,type=echo-request").type_lo, 128);
    EXPECT_TRUE(rule("allow,v4,type=any,code=any").any_type());
    // spec() gives the value back, canonical.
    for (const char* s : {"deny,v4,type=8,in=1", "allow,v6,type=2,out=0,name=pmtud",
                          "deny,v6,type=130-137", "allow,v4,type=3,code=4", "deny,any,in=2,out=3",
                          "allow,v4,type=4,code=0-3,in=0,out=31,name=a.b_c-d"})
        EXPECT_EQ(rule(s).spec(), s);
    EXPECT_EQ(rule("drop,icmp6,type=packet-too-big,in=any").spec(), "deny,v6,type=2");
}

TEST(IcmpFilterSpec, RejectedNamingThePart) {
    EXPECT_NE(error("deny").find("expected ACTION,FAMILY"), std::string::npos);
    EXPECT_EQ(error("block,v4"), "action 'block': expected allow or deny");
    EXPECT_EQ(error("deny,v5"), "family 'v5': expected v4, v6 or any");
    EXPECT_NE(error("deny,any,type=8").find("needs the family v4 or v6"), std::string::npos);
    EXPECT_NE(error("deny,v4,type=256").find("type=256: not a type number"), std::string::npos);
    EXPECT_NE(error("deny,v4,type=packet-too-big").find("ICMP type name"), std::string::npos);
    EXPECT_NE(error("deny,v4,type=9-3").find("type=9-3"), std::string::npos);
    EXPECT_NE(error("deny,v4,type=3,code=x").find("code=x"), std::string::npos);
    EXPECT_EQ(error("deny,v4,type=3-5,code=1"),
              "code= needs a single type= (codes are numbered per type)");
    EXPECT_EQ(error("deny,v4,in=32"), "in=32: not a port id (0-31) or any");
    EXPECT_EQ(error("deny,v4,out=-1"), "out=-1: not a port id (0-31) or any");
    EXPECT_EQ(error("deny,v4,in=1,in=2"), "in= given twice");
    EXPECT_EQ(error("deny,v4,type=8,type=0"), "type= given twice");
    EXPECT_EQ(error("deny,v4,port=1"), "key 'port': expected type, code, in, out or name");
    EXPECT_EQ(error("deny,v4,8"), "'8': expected type=, code=, in=, out= or name=");
    EXPECT_NE(error("deny,v4,name=a b").find("letters, digits"), std::string::npos);
    EXPECT_NE(error("deny,v4,name=").find("1 to 47 characters"), std::string::npos);
}

TEST(IcmpPolicySpec, ParsedAndRejected) {
    auto p = parse_icmp_policy("rfc4890,outside=1,deny-inbound-echo");
    ASSERT_TRUE(std::holds_alternative<PolicySpec>(p));
    EXPECT_TRUE(std::get<PolicySpec>(p).rfc4890);
    EXPECT_EQ(std::get<PolicySpec>(p).outside, 1);
    EXPECT_TRUE(std::get<PolicySpec>(p).deny_inbound_echo);
    EXPECT_FALSE(std::get<PolicySpec>(parse_icmp_policy("none")).rfc4890);
    auto err = [](const char* s) {
        auto r = parse_icmp_policy(s);
        return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "accepted";
    };
    EXPECT_EQ(err("rfc4891"), "policy 'rfc4891': expected rfc4890 (or none)");
    EXPECT_EQ(err("rfc4890,deny-inbound-echo"),
              "deny-inbound-echo needs outside=PORT (the port facing outside)");
    EXPECT_NE(err("rfc4890,outside=1").find("add deny-inbound-echo"), std::string::npos);
    EXPECT_EQ(err("rfc4890,outside=99,deny-inbound-echo"), "outside=99: not a port id (0-31)");
    EXPECT_EQ(err("rfc4890,strict"), "'strict': expected outside=PORT or deny-inbound-echo");
}

// RFC 4890 4.3 and its IPv4 counterpart, type by type.
TEST(IcmpPolicy, Rfc4890Table) {
    const auto f = policy("rfc4890");
    EXPECT_LE(f.size(), 48U);  // room for the user's own rules
    // 4.3.1: must not be dropped.
    for (int c : {0, 1, 2, 3, 4, 5, 6, 7}) EXPECT_FALSE(denied(f, v6, 0, 1, 1, c)) << c;
    EXPECT_FALSE(denied(f, v6, 0, 1, 2));
    EXPECT_FALSE(denied(f, v6, 1, 0, 2));
    EXPECT_EQ(label_of(f, v6, 0, 2), "rfc4890-4.3.1-packet-too-big");
    EXPECT_FALSE(denied(f, v6, 0, 1, 3, 0));
    EXPECT_FALSE(denied(f, v6, 0, 1, 4, 1));
    EXPECT_FALSE(denied(f, v6, 0, 1, 4, 2));
    EXPECT_FALSE(denied(f, v6, 0, 1, 128));
    EXPECT_FALSE(denied(f, v6, 0, 1, 129));
    // 4.3.2: normally not dropped.
    EXPECT_FALSE(denied(f, v6, 0, 1, 3, 1));
    EXPECT_FALSE(denied(f, v6, 0, 1, 4, 0));
    for (int t = 144; t <= 147; ++t) EXPECT_FALSE(denied(f, v6, 0, 1, t)) << t;
    // 4.3.3: link-scope, never forwarded.
    for (int t : {130, 131, 132, 133, 134, 135, 136, 137, 141, 142, 143, 148, 149, 151, 152, 153})
        EXPECT_TRUE(denied(f, v6, 0, 1, t)) << t;
    EXPECT_EQ(label_of(f, v6, 0, 135), "rfc4890-4.3.3-mld-nd");
    // 4.3.5: router renumbering, node information, experimental, extension.
    for (int t : {138, 139, 140, 100, 101, 200, 201, 127, 255})
        EXPECT_TRUE(denied(f, v6, 0, 1, t)) << t;
    EXPECT_EQ(label_of(f, v6, 0, 138), "rfc4890-4.3.5-renum-node-info");
    // 4.3.4 unallocated, dropped here.
    for (int t : {5, 50, 99, 102, 126, 150, 154, 199, 202, 254})
        EXPECT_TRUE(denied(f, v6, 0, 1, t)) << t;
    // Every ICMPv6 type is decided by a rule, none by the default.
    for (int t = 0; t < 256; ++t) EXPECT_NE(label_of(f, v6, 0, t), "default") << t;
    // Echo passes both ways without deny-inbound-echo.
    EXPECT_FALSE(denied(f, v6, 1, 0, 128));
    EXPECT_FALSE(denied(f, v4, 1, 0, 8));
}

TEST(IcmpPolicy, Ipv4Counterpart) {
    const auto f = policy("rfc4890");
    // Frag needed always, and counted on its own rule.
    EXPECT_FALSE(denied(f, v4, 0, 1, 3, 4));
    EXPECT_EQ(label_of(f, v4, 0, 3, 4), "ipv4-frag-needed");
    for (int c : {0, 1, 3, 13}) EXPECT_FALSE(denied(f, v4, 0, 1, 3, c)) << c;
    EXPECT_EQ(label_of(f, v4, 0, 3, 1), "ipv4-dest-unreach");
    for (int t : {0, 8, 11, 12}) EXPECT_FALSE(denied(f, v4, 0, 1, t)) << t;
    EXPECT_FALSE(denied(f, v4, 0, 1, 11, 1));
    // Redirect, Source Quench, router discovery, timestamp / info / mask, RFC 6918, unassigned.
    EXPECT_TRUE(denied(f, v4, 0, 1, 5, 1));
    EXPECT_EQ(label_of(f, v4, 0, 5), "ipv4-redirect");
    EXPECT_TRUE(denied(f, v4, 0, 1, 4));
    EXPECT_TRUE(denied(f, v4, 0, 1, 9));
    EXPECT_TRUE(denied(f, v4, 0, 1, 10));
    for (int t = 13; t <= 18; ++t) EXPECT_TRUE(denied(f, v4, 0, 1, t)) << t;
    for (int t : {6, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39})
        EXPECT_TRUE(denied(f, v4, 0, 1, t)) << t;
    for (int t : {1, 2, 7, 19, 29, 44, 100, 252, 253, 254, 255})
        EXPECT_TRUE(denied(f, v4, 0, 1, t)) << t;
    // Left to the default: Photuris 40, Seamoby 41; PROBE passes.
    EXPECT_EQ(label_of(f, v4, 0, 40), "default");
    EXPECT_FALSE(denied(f, v4, 0, 1, 42));
}

TEST(IcmpPolicy, InboundEchoOnlyWhenAsked) {
    const auto f = policy("rfc4890,outside=1,deny-inbound-echo");
    // From outside (ingress 1): echo requests denied, replies and errors pass.
    EXPECT_TRUE(denied(f, v4, 1, 0, 8));
    EXPECT_TRUE(denied(f, v6, 1, 0, 128));
    EXPECT_EQ(label_of(f, v4, 1, 8), "deny-inbound-echo");
    EXPECT_EQ(label_of(f, v6, 1, 128), "deny-inbound-echo6");
    EXPECT_FALSE(denied(f, v4, 1, 0, 0));
    EXPECT_FALSE(denied(f, v6, 1, 0, 129));
    EXPECT_FALSE(denied(f, v6, 1, 0, 2));
    EXPECT_FALSE(denied(f, v4, 1, 0, 3, 4));
    EXPECT_FALSE(denied(f, v4, 1, 0, 11));
    // From inside (ingress 0, or another port): echo requests pass.
    EXPECT_FALSE(denied(f, v4, 0, 1, 8));
    EXPECT_FALSE(denied(f, v6, 0, 1, 128));
    EXPECT_FALSE(denied(f, v6, 2, 1, 128));
}

TEST(IcmpPolicy, UserRulesComeFirst) {
    IcmpFilter f;
    ASSERT_FALSE(f.add(rule("deny,v6,type=2,in=3,name=mine")));
    ASSERT_FALSE(add_icmp_policy(f, std::get<PolicySpec>(parse_icmp_policy("rfc4890"))));
    EXPECT_TRUE(denied(f, v6, 3, 0, 2));  // the user's choice
    EXPECT_FALSE(denied(f, v6, 0, 3, 2));
    EXPECT_EQ(f.match(v6, 3, 0, 2, 0), 0U);
}

// Bytes of an IPv4 or IPv6 header with an ICMP header behind (scapy: IP()/ICMP(type=T, code=C),
// IPv6()/ICMPv6...).
std::vector<std::byte> v4_datagram(std::uint8_t proto, std::uint16_t frag, std::uint8_t type,
                                   std::uint8_t code, std::size_t ihl_words = 5) {
    std::vector<std::byte> b(ihl_words * 4 + 8, std::byte{0});
    b[0] = std::byte(0x40 | ihl_words);
    const std::size_t total = b.size();
    b[2] = std::byte(total >> 8);
    b[3] = std::byte(total & 0xff);
    b[6] = std::byte(frag >> 8);
    b[7] = std::byte(frag & 0xff);
    b[8] = std::byte{64};
    b[9] = std::byte{proto};
    b[ihl_words * 4] = std::byte{type};
    b[ihl_words * 4 + 1] = std::byte{code};
    return b;
}

std::vector<std::byte> v6_datagram(std::vector<std::uint8_t> ext_chain, std::uint8_t type,
                                   std::uint8_t code) {
    // ext_chain: the Next Header values of 8-byte extension headers, then the last one (58).
    std::vector<std::byte> b(40, std::byte{0});
    b[0] = std::byte{0x60};
    b[6] = std::byte{ext_chain.front()};
    b[7] = std::byte{64};
    for (std::size_t i = 1; i < ext_chain.size(); ++i) {
        std::vector<std::byte> h(8, std::byte{0});
        h[0] = std::byte{ext_chain[i]};
        // Destination Options / Hop-by-Hop: a PadN option fills the 6 bytes.
        h[2] = std::byte{1};
        h[3] = std::byte{4};
        b.insert(b.end(), h.begin(), h.end());
    }
    b.push_back(std::byte{type});
    b.push_back(std::byte{code});
    b.resize(b.size() + 6, std::byte{0});
    const std::size_t pl = b.size() - 40;
    b[4] = std::byte(pl >> 8);
    b[5] = std::byte(pl & 0xff);
    return b;
}

TEST(IcmpOfDatagram, TypeAndCode) {
    auto a = v4_datagram(1, 0, 3, 4);
    auto r = icmp_of_datagram(a, false);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, 3);
    EXPECT_EQ(r->code, 4);
    a = v4_datagram(1, 0, 8, 0, 6);  // with a 4-byte option
    r = icmp_of_datagram(a, false);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, 8);
    EXPECT_FALSE(icmp_of_datagram(v4_datagram(17, 0, 8, 0), false));      // UDP
    EXPECT_FALSE(icmp_of_datagram(v4_datagram(1, 0x0010, 8, 0), false));  // not the first fragment
    EXPECT_TRUE(icmp_of_datagram(v4_datagram(1, 0x2000, 8, 0), false));   // first fragment (MF)
    a = v4_datagram(1, 0, 8, 0);
    a[3] = std::byte{21};  // total length: one byte of ICMP
    EXPECT_FALSE(icmp_of_datagram(a, false));

    auto b = v6_datagram({58}, 135, 0);
    r = icmp_of_datagram(b, true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, 135);
    b = v6_datagram({60, 58}, 2, 0);  // behind Destination Options
    r = icmp_of_datagram(b, true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, 2);
    b = v6_datagram({0, 60, 58}, 128, 0);  // Hop-by-Hop, Destination Options
    r = icmp_of_datagram(b, true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, 128);
    EXPECT_FALSE(icmp_of_datagram(v6_datagram({17}, 0, 0), true));
    EXPECT_FALSE(icmp_of_datagram(v6_datagram({60, 6}, 0, 0), true));
}

}  // namespace
