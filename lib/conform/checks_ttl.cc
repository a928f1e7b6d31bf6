// TTL / hop limit expiry in transit, echo to the RUT with TTL 1, and what every error must
// look like: the quote, the source address, a fresh TTL, IPv4 precedence.
#include <fmt/format.h>

#include "lib/conform/judge.hh"
#include "lib/conform/stimulus.hh"

namespace pw::conform {

namespace {

constexpr std::uint8_t te_type(bool v6) {
    return v6 ? 3 : 11;
}

// A UDP datagram through the RUT with TTL 1, of `bytes` IP bytes.
template <Family F, std::size_t Bytes>
Plan expiring(const Ctx& c) {
    FrameSpec p = transit(c, F);
    p.ttl = 1;
    if (Bytes != 0) p.total_bytes = Bytes;
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

// The Time Exceeded of a check's probe, or the failed result.
std::optional<Result> need_te(const Exchange& ex, const Seen*& te) {
    const bool v6 = family_of(ex) == Family::v6;
    te = error_quoting(ex.probe, te_type(v6), 0);
    if (te == nullptr)
        return fail(fmt::format("sent {}; no Time Exceeded code 0 quoting it; got {}",
                                sent_line(ex.probe), got_line(ex.probe)));
    return std::nullopt;
}

// RFC 792 (Time Exceeded), RFC 1812 5.3.1 / RFC 8200 3, RFC 4443 3.3.
Result judge_expiry(const Ctx&, const Exchange& ex) {
    if (const Seen* f = forwarded(ex.probe))
        return fail(fmt::format("forwarded with TTL {} out of port 1", f->l3.ttl));
    const Seen* te = nullptr;
    if (auto r = need_te(ex, te)) return *r;
    return pass(fmt::format("sent {}; got {}", sent_line(ex.probe), te->describe()));
}

template <Family F>
Plan echo_ttl1(const Ctx& c) {
    FrameSpec p = to_rut_echo(c, F);
    p.ttl = 1;
    Plan plan;
    plan.probe.push_back(on_in(p));
    return plan;
}

// RFC 1812 5.3.1: the TTL is checked only when forwarding; RFC 792 / RFC 4443 4.2.
Result judge_echo_ttl1(const Ctx&, const Exchange& ex) {
    if (const Seen* r = echo_reply(ex.probe))
        return pass(fmt::format("sent {}; got {}", sent_line(ex.probe), r->describe()));
    return fail(
        fmt::format("sent {}; no Echo Reply; got {}", sent_line(ex.probe), got_line(ex.probe)));
}

// RFC 1812 4.3.2.3 (576) / RFC 4443 2.4(c) (1280): as much of the invoking packet as fits.
// With an RFC 4884 length the original datagram is the length field's, padded to 128.
Result judge_quote(const Ctx&, const Exchange& ex) {
    const Seen* te = nullptr;
    if (auto r = need_te(ex, te)) return *r;
    const bool v6 = te->l3.v6;
    const std::size_t limit = v6 ? 1280 : 576;
    const std::size_t orig = facts_of(ex.probe.sent.front().bytes).total_len;
    const std::size_t fixed = te->l3.header_len + 8;
    const std::size_t want = std::min(orig, limit - fixed);
    const std::size_t rfc4884_words = v6 ? (te->icmp_word >> 24) : ((te->icmp_word >> 16) & 0xff);
    if (te->l3.total_len > limit)
        return fail(fmt::format("error of {} B exceeds {} B", te->l3.total_len, limit));
    if (rfc4884_words != 0) {
        const std::size_t quoted = rfc4884_words * (v6 ? 8U : 4U);
        return quoted >= std::min<std::size_t>(orig, 128)
                   ? pass(fmt::format("RFC 4884 original datagram of {} B (sent {} B), error {} B",
                                      quoted, orig, te->l3.total_len))
                   : fail(fmt::format("RFC 4884 original datagram of {} B < 128 B", quoted));
    }
    if (te->quote_len >= want)
        return pass(fmt::format("quote {} B of the {} B sent, error {} B (limit {})", te->quote_len,
                                orig, te->l3.total_len, limit));
    return fail(fmt::format("quote {} B of the {} B sent, {} B would fit in {} B", te->quote_len,
                            orig, want, limit));
}

// RFC 792 / RFC 1812 4.3.2.3, RFC 4443 2.4(c): the quoted IP header as received (the TTL as
// the RUT saw it and the checksum may differ).
Result judge_header(const Ctx&, const Exchange& ex) {
    const Seen* te = nullptr;
    if (auto r = need_te(ex, te)) return *r;
    const Frame& sent = ex.probe.sent.front().bytes;
    const bool v6 = te->l3.v6;
    const std::size_t hl = v6 ? 40 : 20;
    if (te->quote_len < hl)
        return fail(fmt::format("quote of {} B holds no IP header", te->quote_len));
    std::vector<std::string> diffs;
    for (std::size_t i = 0; i < hl; ++i) {
        const bool ttl = v6 ? i == 7 : i == 8;
        const bool sum = !v6 && (i == 10 || i == 11);
        if (ttl || sum) continue;
        if (te->bytes[te->quote_offset + i] != sent[l3_offset + i])
            diffs.push_back(fmt::format("byte {}: {:#04x} != {:#04x}", i,
                                        te->bytes[te->quote_offset + i], sent[l3_offset + i]));
    }
    if (!diffs.empty())
        return fail(
            fmt::format("quoted header differs from the sent one: {}{}", diffs.front(),
                        diffs.size() > 1 ? fmt::format(" (+{} more)", diffs.size() - 1) : ""));
    return pass(fmt::format("quoted {} B header intact (TTL {} as received)", hl,
                            te->bytes[te->quote_offset + (v6 ? 7 : 8)]));
}

// RFC 1812 4.3.2.4, RFC 4443 2.2: the source is an address of the RUT (unicast).
Result judge_source(const Ctx& c, const Exchange& ex) {
    const Seen* te = nullptr;
    if (auto r = need_te(ex, te)) return *r;
    if (is_rut_address(c.s(), te->l3))
        return pass(fmt::format("from {} (an address of the RUT)", te->l3.src_text()));
    return fail(
        fmt::format("from {}, not a RUT address given by --rut-in / --rut-out", te->l3.src_text()));
}

// RFC 1812 4.3.2.2 / RFC 4443 2.2: a new datagram with the router's own initial TTL.
Result judge_fresh_ttl(const Ctx&, const Exchange& ex) {
    const Seen* te = nullptr;
    if (auto r = need_te(ex, te)) return *r;
    if (te->l3.ttl >= 32) return pass(fmt::format("error TTL {} (stimulus had 1)", te->l3.ttl));
    return fail(fmt::format("error TTL {}: not a fresh initial TTL", te->l3.ttl));
}

// RFC 1812 4.3.2.5 (and 5.3.3.2): errors carry precedence 6 or 7 (internetwork control).
Result judge_precedence(const Ctx&, const Exchange& ex) {
    const Seen* te = nullptr;
    if (auto r = need_te(ex, te)) return *r;
    const unsigned prec = te->l3.tos >> 5;
    if (prec >= 6) return pass(fmt::format("TOS {:#04x}: precedence {}", te->l3.tos, prec));
    return fail(fmt::format("TOS {:#04x}: precedence {}, not 6 or 7", te->l3.tos, prec));
}

}  // namespace

std::vector<Check> ttl_checks() {
    using F = Family;
    return {
        {"v4.te.ttl1", "RFC 792; RFC 1812 5.3.1", F::v4,
         "TTL 1 in transit: Time Exceeded code 0, nothing forwarded", &expiring<F::v4, 0>,
         &judge_expiry},
        {"v4.echo.ttl1", "RFC 1812 5.3.1; RFC 792", F::v4, "echo to the RUT with TTL 1: Echo Reply",
         &echo_ttl1<F::v4>, &judge_echo_ttl1},
        {"v4.err.quote", "RFC 1812 4.3.2.3", F::v4, "the error quotes as much as fits in 576 bytes",
         &expiring<F::v4, 1000>, &judge_quote},
        {"v4.err.header", "RFC 792; RFC 1812 4.3.2.3", F::v4,
         "the quoted IP header is the one received", &expiring<F::v4, 0>, &judge_header},
        {"v4.err.source", "RFC 1812 4.3.2.4", F::v4, "the error's source is an address of the RUT",
         &expiring<F::v4, 0>, &judge_source},
        {"v4.err.ttl", "RFC 1812 4.3.2.2", F::v4, "the error has a fresh TTL", &expiring<F::v4, 0>,
         &judge_fresh_ttl},
        {"v4.err.precedence", "RFC 1812 4.3.2.5", F::v4, "the error has IP precedence 6 or 7",
         &expiring<F::v4, 0>, &judge_precedence},
        {"v6.te.hlim1", "RFC 4443 3.3; RFC 8200 3", F::v6,
         "hop limit 1 in transit: Time Exceeded code 0, nothing forwarded", &expiring<F::v6, 0>,
         &judge_expiry},
        {"v6.echo.hlim1", "RFC 4443 4.2", F::v6, "echo to the RUT with hop limit 1: Echo Reply",
         &echo_ttl1<F::v6>, &judge_echo_ttl1},
        {"v6.err.quote", "RFC 4443 2.4(c)", F::v6, "the error quotes as much as fits in 1280 bytes",
         &expiring<F::v6, 1400>, &judge_quote},
        {"v6.err.header", "RFC 4443 2.4(c)", F::v6, "the quoted IPv6 header is the one received",
         &expiring<F::v6, 0>, &judge_header},
        {"v6.err.source", "RFC 4443 2.2", F::v6,
         "the error's source is a unicast address of the RUT", &expiring<F::v6, 0>, &judge_source},
        {"v6.err.hlim", "RFC 4443 2.2; RFC 8200 3", F::v6, "the error has a fresh hop limit",
         &expiring<F::v6, 0>, &judge_fresh_ttl},
    };
}

}  // namespace pw::conform
