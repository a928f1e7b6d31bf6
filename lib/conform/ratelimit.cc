#include "lib/conform/ratelimit.hh"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "lib/conform/stimulus.hh"

namespace pw::conform {

const char* to_string(Trigger t) noexcept {
    switch (t) {
        case Trigger::time_exceeded:
            return "time-exceeded";
        case Trigger::port_unreachable:
            return "port-unreachable";
        case Trigger::net_unreachable:
            return "net-unreachable";
        case Trigger::frag_needed:
            return "frag-needed";
    }
    return "?";
}

std::optional<Trigger> trigger_of(const std::string& name) {
    for (const Trigger t : all_triggers)
        if (name == to_string(t)) return t;
    return std::nullopt;
}

const char* to_string(Scope s) noexcept {
    switch (s) {
        case Scope::none:
            return "none";
        case Scope::per_source:
            return "per-source";
        case Scope::global:
            return "global";
    }
    return "?";
}

std::optional<FrameSpec> trigger_frame(const Setup& s, Trigger t, Family f, unsigned k,
                                       std::uint16_t sport) {
    if (!s.has(f)) return std::nullopt;
    const Ctx c{&s, 0};
    FrameSpec p;
    switch (t) {
        case Trigger::time_exceeded:
            p = transit(c, f);
            p.ttl = 1;
            break;
        case Trigger::port_unreachable:
            p = to_rut_udp(c, f);
            break;
        case Trigger::net_unreachable:
            p = transit(c, f);
            if (f == Family::v6)
                p.dst6 = s.unrouted6;
            else
                p.dst4 = s.unrouted4;
            break;
        case Trigger::frag_needed: {
            const unsigned m = f == Family::v6 ? s.mtu_out6 : s.mtu_out4;
            if (m == 0 || m >= s.mtu_in) return std::nullopt;
            p = transit(c, f);
            p.df = true;
            p.total_bytes = m + 8;  // just above: as little load as the trigger needs
            break;
        }
    }
    if (f == Family::v6)
        p.src6 = s.source6(k);
    else
        p.src4 = s.source4(k);
    p.sport = sport;
    p.ip_id = sport;
    p.dport = 33434;
    return p;
}

std::size_t trigger_seq_offset(Family f) noexcept {
    return l3_offset + (f == Family::v6 ? 40U : 20U) + 8U;
}
std::size_t trigger_csum_offset(Family f) noexcept {
    return l3_offset + (f == Family::v6 ? 40U : 20U) + 6U;
}

std::optional<std::uint32_t> quoted_sequence(const Seen& seen) {
    if (!seen.quoted || seen.quoted->proto != 17) return std::nullopt;
    const std::size_t at = seen.quoted->header_len + 8;
    if (seen.quote_len < at + 4) return std::nullopt;
    return be32(seen.bytes, seen.quote_offset + at);
}

bool answers(const Seen& seen, Trigger t, Family f) {
    if (!seen.is_error || seen.l3.v6 != (f == Family::v6)) return false;
    const unsigned type = seen.l3.icmp_type, code = seen.l3.icmp_code;
    const bool v6 = f == Family::v6;
    switch (t) {
        case Trigger::time_exceeded:
            return type == (v6 ? 3U : 11U) && code == 0;
        case Trigger::port_unreachable:
            return type == (v6 ? 1U : 3U) && code == (v6 ? 4U : 3U);
        case Trigger::net_unreachable:
            return type == (v6 ? 1U : 3U) && code <= 1;
        case Trigger::frag_needed:
            return v6 ? type == 2 : type == 3 && code == 4;
    }
    return false;
}

std::string Series::label() const {
    return fmt::format(
        "{} v{}, {}", to_string(trigger), family == Family::v6 ? 6 : 4,
        sources == 1 ? std::string("one source") : fmt::format("{} sources", sources));
}

namespace {

RateModel model_of(const Series& s, Scope scope) {
    RateModel m;
    m.trigger = s.trigger;
    m.family = s.family;
    m.scope = scope;
    m.steps_from = &s;
    if (scope != Scope::none) {
        m.burst = s.fit.burst;
        m.rate_pps = s.fit.rate_pps;
        m.refill_ms = s.fit.refill_ms;
        m.cost = s.fit.cost;
    }
    m.evidence = s.fit.limited ? s.fit.evidence
                               : fmt::format("{}: no limit up to {:.0f} pps offered", s.label(),
                                             s.steps.empty() ? 0.0 : s.steps.back().offered_pps);
    return m;
}

}  // namespace

std::vector<RateModel> characterise(const std::vector<Series>& series) {
    std::vector<RateModel> out;
    for (const Series& one : series) {
        if (one.sources != 1) continue;
        const Series* many = nullptr;
        for (const Series& s : series)
            if (s.sources > 1 && s.trigger == one.trigger && s.family == one.family) many = &s;
        const BucketFit& f1 = one.fit;
        if (many == nullptr) {
            // One source only: a limit is seen, its scope is not known; call it per-source
            // only when it is (say so in the evidence).
            RateModel m = model_of(one, f1.limited ? Scope::per_source : Scope::none);
            if (f1.limited) m.evidence += " (scope assumed: no many-source series ran)";
            out.push_back(m);
            continue;
        }
        const BucketFit& fm = many->fit;
        if (!f1.limited && !fm.limited) {
            out.push_back(model_of(one, Scope::none));
            continue;
        }
        if (f1.limited && (!fm.limited || fm.rate_pps.value > 1.5 * f1.rate_pps.value)) {
            out.push_back(model_of(one, Scope::per_source));
            // The many-source plateau is a second, global limit when it is well below what
            // the sources' own buckets would let through.
            const double ceiling = many->sources * f1.rate_pps.value;
            if (!(fm.limited && fm.rate_pps.value < 0.8 * ceiling))
                out.back().evidence += fmt::format(
                    "; {} sources got {:.0f}/s: no global limit below that", many->sources,
                    fm.limited ? fm.rate_pps.value
                               : (many->steps.empty() ? 0.0 : many->steps.back().returned_pps()));
            if (fm.limited && fm.rate_pps.value < 0.8 * ceiling) {
                RateModel g = model_of(*many, Scope::global);
                g.evidence +=
                    fmt::format(" (below {} sources x {:.1f}/s)", many->sources, f1.rate_pps.value);
                out.push_back(g);
            }
            continue;
        }
        // One source and many are held to the same rate: one bucket for all.
        out.push_back(model_of(*many, Scope::global));
    }
    // Many-source series without a one-source partner.
    for (const Series& s : series) {
        if (s.sources == 1) continue;
        bool paired = false;
        for (const Series& o : series)
            paired = paired || (o.sources == 1 && o.trigger == s.trigger && o.family == s.family);
        if (!paired) out.push_back(model_of(s, s.fit.limited ? Scope::global : Scope::none));
    }
    return out;
}

Experiment read_share(const std::string& what, std::uint64_t after_a, std::uint64_t alone,
                      std::uint64_t sent_b) {
    Experiment e;
    e.what = what;
    e.evidence = fmt::format(
        "{} of {} second-trigger errors while the first kept the bucket "
        "drained, {} of {} alone",
        after_a, sent_b, alone, sent_b);
    // The control must show the second trigger answered, else nothing can be read.
    if (alone < 3)
        e.verdict = "inconclusive";
    else if (static_cast<double>(after_a) <= 0.3 * static_cast<double>(alone))
        e.verdict = "shared";
    else if (static_cast<double>(after_a) >= 0.7 * static_cast<double>(alone))
        e.verdict = "separate";
    else
        e.verdict = "inconclusive";
    return e;
}

// Linux before CVE-2024-47678's fix spent a global token on every trigger before the
// per-source check, so a source far over its own limit starved the others; since, the global
// token is spent only on messages the per-source limit lets through.
Experiment read_order(std::uint64_t with_heavy, std::uint64_t alone, std::uint64_t sent) {
    Experiment e;
    e.what = "order of the per-source and global limits";
    e.evidence = fmt::format(
        "light sources got {} of {} errors beside a source flooding at twice "
        "the global rate, {} of {} alone",
        with_heavy, sent, alone, sent);
    const double r = alone == 0 ? 0 : static_cast<double>(with_heavy) / static_cast<double>(alone);
    if (alone < 10)
        e.verdict = "inconclusive";
    else if (r >= 0.8)
        e.verdict = "per-source first (global spent only on sent errors)";
    else if (r <= 0.6)
        e.verdict = "global first (spent on every trigger)";
    else
        e.verdict = "inconclusive";
    return e;
}

void apply_shares(std::vector<RateModel>& models, const std::vector<Experiment>& ex) {
    for (const Experiment& e : ex) {
        if (e.verdict != "shared") continue;
        // "shares: A / B (scope)"
        const auto colon = e.what.find(": ");
        const auto slash = e.what.find(" / ");
        const auto paren = e.what.rfind(" (");
        if (colon == std::string::npos || slash == std::string::npos || paren == std::string::npos)
            continue;
        const std::string a = e.what.substr(colon + 2, slash - colon - 2);
        const std::string b = e.what.substr(slash + 3, paren - slash - 3);
        const std::string scope = e.what.substr(paren + 2, e.what.size() - paren - 3);
        for (RateModel& m : models) {
            const std::string me =
                fmt::format("{} v{}", to_string(m.trigger), m.family == Family::v6 ? 6 : 4);
            if (to_string(m.scope) != scope) continue;
            if (me == a) m.shares_bucket_with.push_back(b);
            if (me == b) m.shares_bucket_with.push_back(a);
        }
    }
}

std::vector<double> log_rates(double lo, double hi, unsigned per_decade) {
    std::vector<double> r;
    if (lo <= 0 || hi < lo || per_decade == 0) return r;
    const double step = 1.0 / per_decade;
    for (double e = std::log10(lo); e <= std::log10(hi) + 1e-9; e += step) {
        double v = std::pow(10.0, e);
        // 1, 3, 10, 30 rather than 1, 3.16, 10, 31.6: the rates people type.
        const double mag = std::pow(10.0, std::floor(std::log10(v) + 1e-9));
        v = std::round(v / mag * 10.0) / 10.0 * mag;
        if (per_decade == 2 && std::fabs(v / mag - 3.2) < 0.05) v = 3 * mag;
        r.push_back(v);
    }
    return r;
}

}  // namespace pw::conform
