#include "lib/conform/judge.hh"

#include <fmt/format.h>

namespace pw::conform {

namespace {

bool same_packet(const IpFacts& q, const IpFacts& s) {
    if (q.v6 != s.v6 || q.proto != s.proto) return false;
    if (s.v6) {
        if (q.src6 != s.src6 || q.dst6 != s.dst6) return false;
    } else {
        if (q.src4 != s.src4 || q.dst4 != s.dst4 || q.ip_id != s.ip_id) return false;
    }
    if (s.proto == 17 || s.proto == 6) return q.sport == s.sport && q.dport == s.dport;
    if (s.proto == 1 || s.proto == 58) return q.icmp_type == s.icmp_type && q.icmp_id == s.icmp_id;
    return true;
}

}  // namespace

IpFacts facts_of(const Frame& f) {
    return Seen::parse(0, 0, f).l3;
}

const Seen* error_quoting(const Phase& ph, int type, int code, std::size_t i) {
    if (i >= ph.sent.size()) return nullptr;
    const IpFacts s = facts_of(ph.sent[i].bytes);
    for (const auto& g : ph.got) {
        if (!g.is_error || !g.quoted || !same_packet(*g.quoted, s)) continue;
        if (type >= 0 && g.l3.icmp_type != type) continue;
        if (code >= 0 && g.l3.icmp_code != code) continue;
        return &g;
    }
    return nullptr;
}

const Seen* any_error(const Phase& ph) {
    for (std::size_t i = 0; i < ph.sent.size(); ++i)
        if (const Seen* e = error_quoting(ph, -1, -1, i)) return e;
    return nullptr;
}

const Seen* forwarded(const Phase& ph, std::uint8_t port, std::size_t i) {
    if (i >= ph.sent.size()) return nullptr;
    const IpFacts s = facts_of(ph.sent[i].bytes);
    for (const auto& g : ph.got)
        if (g.port == port && g.ip && same_packet(g.l3, s) && !g.is_error) return &g;
    return nullptr;
}

const Seen* echo_reply(const Phase& ph, std::size_t i) {
    if (i >= ph.sent.size()) return nullptr;
    const IpFacts s = facts_of(ph.sent[i].bytes);
    const std::uint8_t reply = s.v6 ? 129 : 0;
    for (const auto& g : ph.got)
        if (g.icmp && g.l3.v6 == s.v6 && g.l3.icmp_type == reply && g.l3.icmp_id == s.icmp_id &&
            g.l3.icmp_seq == s.icmp_seq)
            return &g;
    return nullptr;
}

std::string got_line(const Phase& ph) {
    if (ph.got.empty()) return "nothing";
    std::string out = ph.got.front().describe();
    if (ph.got.size() > 1) out += fmt::format(" (+{} more)", ph.got.size() - 1);
    return out;
}

std::string sent_line(const Phase& ph, std::size_t i) {
    if (i >= ph.sent.size()) return "nothing";
    const IpFacts f = facts_of(ph.sent[i].bytes);
    const char* p = f.proto == 17 ? "UDP" : f.proto == 1 || f.proto == 58 ? "ICMP" : "IP";
    return fmt::format("{} {} -> {} ttl {} ({} B)", p, f.src_text(), f.dst_text(), f.ttl,
                       f.total_len);
}

bool is_rut_address(const Setup& s, const IpFacts& f) {
    if (f.v6) return (s.rut_in6 && f.src6 == *s.rut_in6) || (s.rut_out6 && f.src6 == *s.rut_out6);
    return (s.rut_in4 && f.src4 == *s.rut_in4) || (s.rut_out4 && f.src4 == *s.rut_out4);
}

Result pass(std::string e) {
    return {Verdict::pass, std::move(e)};
}
Result fail(std::string e) {
    return {Verdict::fail, std::move(e)};
}
Result inconclusive(std::string e) {
    return {Verdict::inconclusive, std::move(e)};
}
Result not_applicable(std::string e) {
    return {Verdict::not_applicable, std::move(e)};
}

Result silence(bool control_ok, const std::string& control_what, const Seen* probe_msg,
               const Phase& probe) {
    if (!control_ok)
        return inconclusive(
            fmt::format("control got no {}: the RUT is silent or rate-limited", control_what));
    if (probe_msg != nullptr)
        return fail(fmt::format("sent {}; got {}", sent_line(probe), probe_msg->describe()));
    return pass(
        fmt::format("control got its {}; sent {}; got no error", control_what, sent_line(probe)));
}

const char* to_string(Verdict v) noexcept {
    switch (v) {
        case Verdict::pass:
            return "pass";
        case Verdict::fail:
            return "fail";
        case Verdict::not_applicable:
            return "not-applicable";
        case Verdict::inconclusive:
            return "inconclusive";
    }
    return "?";
}

}  // namespace pw::conform
