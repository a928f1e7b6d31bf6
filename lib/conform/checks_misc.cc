// What a router may do and, when it does, must do right: echo to all-nodes, Redirects,
// RFC 4884 / RFC 5837 extensions, RFC 8335 PROBE.
#include <fmt/format.h>

#include <algorithm>

#include "lib/conform/judge.hh"
#include "lib/conform/stimulus.hh"

namespace pw::conform {

namespace {

Plan echo_all_nodes(const Ctx& c) {
    FrameSpec p = to_rut_echo(c, Family::v6);
    p.dst6 = wire::Ipv6Addr::all_nodes();
    p.dst_mac = wire::Ipv6Addr::all_nodes().multicast_mac();
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

// RFC 4443 4.2 (reply to a multicast echo) and 2.2 (its source is a unicast address).
Result judge_echo_all_nodes(const Ctx&, const Exchange& ex) {
    const Seen* r = echo_reply(ex.probe);
    if (r == nullptr)
        return fail(fmt::format("echo to ff02::1; no Echo Reply; got {}", got_line(ex.probe)));
    if (r->l3.src6.is_multicast())
        return fail(fmt::format("Echo Reply from the multicast address {}", r->l3.src_text()));
    return pass(fmt::format("Echo Reply from {}", r->l3.src_text()));
}

// UDP from a source on port 0's subnet to the tool's own port-0 address, through the RUT:
// it forwards back out the ingress port, where a Redirect is due (RFC 1812 5.2.7.2, RFC 4861
// 8.2).
template <Family F>
Plan hairpin(const Ctx& c) {
    FrameSpec p = transit(c, F);
    if (F == Family::v6)
        p.dst6 = c.s().in6->addr;
    else
        p.dst4 = c.s().in4->addr;
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

Result judge_redirect4(const Ctx&, const Exchange& ex) {
    const IpFacts s = facts_of(ex.probe.sent.front().bytes);
    const bool fwd = forwarded(ex.probe, 0) != nullptr;
    const Seen* r = error_quoting(ex.probe, 5, -1);
    if (r == nullptr)
        return not_applicable(fmt::format(
            "no Redirect (RFC 1812 5.2.7.2 lets a router be configured not to send them); "
            "the datagram was {}forwarded back out",
            fwd ? "" : "not "));
    const auto gw = wire::Ipv4Addr::from_u32(r->icmp_word);
    if (gw != s.dst4 || r->l3.icmp_code > 3)
        return fail(fmt::format("Redirect code {} to gateway {}, the better hop is {}",
                                r->l3.icmp_code, gw.to_string(), s.dst4.to_string()));
    return pass(fmt::format("Redirect code {} to gateway {} from {}", r->l3.icmp_code,
                            gw.to_string(), r->l3.src_text()));
}

Result judge_redirect6(const Ctx&, const Exchange& ex) {
    const IpFacts s = facts_of(ex.probe.sent.front().bytes);
    for (const auto& g : ex.probe.got) {
        if (!g.icmp || !g.l3.v6 || g.l3.icmp_type != 137) continue;
        const auto body = g.icmp_body();
        if (body.size() < 32) return fail("Redirect shorter than its target and destination");
        wire::Ipv6Addr target, dst;
        std::copy_n(body.begin(), 16, target.bytes.begin());
        std::copy_n(body.begin() + 16, 16, dst.bytes.begin());
        if (dst != s.dst6 || target != s.dst6)
            return fail(fmt::format("Redirect target {} destination {}, expected {} for both",
                                    target.to_string(), dst.to_string(), s.dst6.to_string()));
        if (!g.l3.src6.is_link_local() || g.l3.ttl != 255 || !g.icmp_checksum_ok)
            return fail(
                fmt::format("Redirect from {} hop limit {}: RFC 4861 8.1 wants a "
                            "link-local source and hop limit 255",
                            g.l3.src_text(), g.l3.ttl));
        return pass(fmt::format("Redirect from {}: target = destination = {}", g.l3.src_text(),
                                dst.to_string()));
    }
    return not_applicable(
        fmt::format("no Redirect (RFC 4861 8.2: SHOULD, may be disabled); the datagram was "
                    "{}forwarded back out",
                    forwarded(ex.probe, 0) != nullptr ? "" : "not "));
}

// RFC 4884: an extension structure after the original datagram: version 2, a valid
// checksum, objects whose lengths add up. `ext` is the structure.
std::optional<std::string> extension_problem(std::span<const std::uint8_t> ext,
                                             std::string& classes) {
    if (ext.size() < 4) return "extension structure shorter than its header";
    if ((ext[0] >> 4) != 2) return fmt::format("extension version {}, not 2", ext[0] >> 4);
    if (be16(ext, 2) != 0 && inet_checksum(ext) != 0) return "extension checksum wrong";
    std::size_t at = 4;
    while (at < ext.size()) {
        const std::size_t len = be16(ext, at);
        if (len < 4 || len % 4 != 0 || at + len > ext.size())
            return fmt::format("object at {} has length {}", at, len);
        classes += fmt::format("{}{}/{}", classes.empty() ? "" : ",", ext[at + 2], ext[at + 3]);
        at += len;
    }
    return std::nullopt;
}

template <Family F>
Plan expiring_300(const Ctx& c) {
    FrameSpec p = transit(c, F);
    p.ttl = 1;
    p.total_bytes = 300;
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

// RFC 4884 5 (length attribute, padding to 128), 7 (structure); RFC 5837 (interface
// information objects, class 2).
Result judge_extensions(const Ctx&, const Exchange& ex) {
    const bool v6 = family_of(ex) == Family::v6;
    const Seen* te = error_quoting(ex.probe, v6 ? 3 : 11, 0);
    if (te == nullptr)
        return inconclusive(fmt::format("no Time Exceeded to look at; got {}", got_line(ex.probe)));
    const std::size_t words = v6 ? (te->icmp_word >> 24) : ((te->icmp_word >> 16) & 0xff);
    if (words == 0) return not_applicable("no RFC 4884 length: the error carries no extensions");
    const std::size_t orig = words * (v6 ? 8U : 4U);
    if (orig < 128) return fail(fmt::format("RFC 4884 original datagram of {} B < 128", orig));
    if (orig >= te->quote_len)
        return fail(fmt::format("RFC 4884 length {} B leaves no room for the extension in {} B",
                                orig, te->quote_len));
    std::string classes;
    const auto ext = std::span<const std::uint8_t>(te->bytes).subspan(te->quote_offset + orig,
                                                                      te->quote_len - orig);
    if (auto problem = extension_problem(ext, classes)) return fail(*problem);
    if (!te->icmp_checksum_ok) return fail("ICMP checksum wrong over the extended message");
    return pass(fmt::format("original {} B, extension {} B, objects (class/c-type) {}", orig,
                            ext.size(), classes));
}

// RFC 8335 2.1: an Extended Echo Request for the RUT's own interface (L set), identified by
// address (Interface Identification Object, class 3, c-type 3).
template <Family F>
Plan probe_request(const Ctx& c) {
    FrameSpec p = to_rut_echo(c, F);
    const bool v6 = F == Family::v6;
    p.l4 = L4::icmp_raw;
    p.icmp_type = v6 ? 160 : 42;
    const std::uint16_t id = c.token();
    std::vector<std::uint8_t> obj = {0,
                                     0,
                                     3,
                                     3,
                                     0,
                                     static_cast<std::uint8_t>(v6 ? 2 : 1),
                                     static_cast<std::uint8_t>(v6 ? 16 : 4),
                                     0};
    if (v6)
        obj.insert(obj.end(), c.s().rut_in6->bytes.begin(), c.s().rut_in6->bytes.end());
    else
        obj.insert(obj.end(), c.s().rut_in4->bytes.begin(), c.s().rut_in4->bytes.end());
    obj[1] = static_cast<std::uint8_t>(obj.size());
    std::vector<std::uint8_t> ext = {0x20, 0, 0, 0};
    ext.insert(ext.end(), obj.begin(), obj.end());
    const std::uint16_t sum = inet_checksum(ext);
    ext[2] = static_cast<std::uint8_t>(sum >> 8);
    ext[3] = static_cast<std::uint8_t>(sum);
    p.icmp_rest = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 1, 1};
    p.icmp_rest.insert(p.icmp_rest.end(), ext.begin(), ext.end());
    p.payload = 0;
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

// RFC 8335 2.2 / 3: an Extended Echo Reply, code 0, the interface active (A bit).
Result judge_probe(const Ctx& c, const Exchange& ex) {
    const bool v6 = family_of(ex) == Family::v6;
    for (const auto& g : ex.probe.got) {
        if (!g.icmp || g.l3.v6 != v6 || g.l3.icmp_type != (v6 ? 161 : 43)) continue;
        if ((g.icmp_word >> 16) != c.token()) continue;
        if (!g.icmp_checksum_ok) return fail("Extended Echo Reply with a wrong checksum");
        if (g.l3.icmp_code != 0)
            return fail(fmt::format("Extended Echo Reply code {} for the RUT's own address",
                                    g.l3.icmp_code));
        const unsigned bits = g.icmp_word & 0xff;
        if ((bits & 0x04) == 0) return fail("Extended Echo Reply: interface not active (A = 0)");
        return pass(fmt::format("Extended Echo Reply: active, IPv4 {}, IPv6 {}",
                                (bits & 0x02) ? "yes" : "no", (bits & 0x01) ? "yes" : "no"));
    }
    if (const Seen* e = any_error(ex.probe)) return fail(fmt::format("got {}", e->describe()));
    return not_applicable(
        "no Extended Echo Reply: PROBE not enabled (Linux: "
        "net.ipv4.icmp_echo_enable_probe=0, the default)");
}

}  // namespace

std::vector<Check> misc_checks() {
    using F = Family;
    return {
        {"v6.echo.allnodes", "RFC 4443 4.2; RFC 4443 2.2", F::v6,
         "echo to ff02::1: Echo Reply from a unicast address", &echo_all_nodes,
         &judge_echo_all_nodes},
        {"v4.redirect", "RFC 1812 5.2.7.2; RFC 792", F::v4,
         "forwarded back out the ingress port: Redirect to the destination (reported, not "
         "required)",
         &hairpin<F::v4>, &judge_redirect4},
        {"v6.redirect", "RFC 4861 8.2", F::v6,
         "forwarded back out the ingress port: Redirect, target = destination (reported, not "
         "required)",
         &hairpin<F::v6>, &judge_redirect6},
        {"v4.ext.rfc4884", "RFC 4884 5, 7; RFC 5837", F::v4,
         "extensions, when present: length, padding, structure and checksum valid",
         &expiring_300<F::v4>, &judge_extensions},
        {"v6.ext.rfc4884", "RFC 4884 5, 7; RFC 5837", F::v6,
         "extensions, when present: length, padding, structure and checksum valid",
         &expiring_300<F::v6>, &judge_extensions},
        {"v4.probe.rfc8335", "RFC 8335 2, 3", F::v4,
         "PROBE for the RUT's own address, when answered: code 0, active", &probe_request<F::v4>,
         &judge_probe},
        {"v6.probe.rfc8335", "RFC 8335 2, 3", F::v6,
         "PROBE for the RUT's own address, when answered: code 0, active", &probe_request<F::v6>,
         &judge_probe},
    };
}

}  // namespace pw::conform
