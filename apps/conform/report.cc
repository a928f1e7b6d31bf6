#include "apps/conform/report.hh"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace pw::conform_app {

namespace {

using conform::Family;
using conform::Verdict;

int fam(Family f) {
    return f == Family::v6 ? 6 : 4;
}

std::string estimate(const conform::Estimate& e, const char* unit) {
    return fmt::format("{:.1f}{} [{:.1f}, {:.1f}]", e.value, unit, e.lo, e.hi);
}

template <class A>
nlohmann::json opt_addr(const std::optional<A>& a) {
    return a ? nlohmann::json(a->to_string()) : nlohmann::json(nullptr);
}

nlohmann::json steps_json(const conform::Series& s) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& st : s.steps) {
        nlohmann::json j = {{"offered_pps", st.offered_pps},
                            {"sent", st.sent},
                            {"returned", st.returned},
                            {"returned_pps", st.returned_pps()}};
        // How long the RUT took to send each error after its trigger left (the errors that
        // name their trigger), median and 99th percentile, in microseconds.
        if (!st.latency_ns.empty()) {
            std::vector<std::uint64_t> l = st.latency_ns;
            std::sort(l.begin(), l.end());
            j["latency_p50_us"] = static_cast<double>(l[l.size() / 2]) / 1e3;
            j["latency_p99_us"] = static_cast<double>(l[(l.size() - 1) * 99 / 100]) / 1e3;
        }
        steps.push_back(j);
    }
    return steps;
}

}  // namespace

std::string format_checks(const Report& r) {
    std::string out = fmt::format("{:<28} {:<32} {:<15} {}\n", "ID", "RFC", "VERDICT", "EVIDENCE");
    for (const auto& o : r.runner->outcomes())
        out += fmt::format("{:<28} {:<32} {:<15} {}\n", o.check->id, o.check->rfc,
                           conform::to_string(o.result.verdict), o.result.evidence);
    return out;
}

std::string summary_line(const Report& r) {
    unsigned n[4] = {};
    for (const auto& o : r.runner->outcomes()) ++n[static_cast<unsigned>(o.result.verdict)];
    return fmt::format("conform: {} pass, {} fail, {} not-applicable, {} inconclusive{}\n", n[0],
                       n[1], n[2], n[3], r.interrupted ? " (interrupted)" : "");
}

std::string format_ratelimit(const Report& r) {
    if (r.runner->models().empty()) return "";
    std::string out = fmt::format("{:<17} {:<3} {:<10} {:<24} {:<30} {:<8} {}\n", "TRIGGER", "FAM",
                                  "SCOPE", "BURST (95% CI)", "RATE (95% CI)", "REFILL", "COST");
    for (const auto& m : r.runner->models()) {
        const bool lim = m.scope != conform::Scope::none;
        out +=
            fmt::format("{:<17} v{:<2} {:<10} {:<24} {:<30} {:<8} {}\n",
                        conform::to_string(m.trigger), fam(m.family), conform::to_string(m.scope),
                        lim ? estimate(m.burst, "") : "-", lim ? estimate(m.rate_pps, "/s") : "-",
                        m.refill_ms ? fmt::format("{:.0f} ms", *m.refill_ms) : "-",
                        lim ? conform::to_string(m.cost) : "-");
        out += fmt::format("    {}\n", m.evidence);
        if (!m.shares_bucket_with.empty())
            out += fmt::format("    shares its bucket with: {}\n",
                               fmt::join(m.shares_bucket_with, ", "));
    }
    for (const auto& e : r.runner->experiments())
        out += fmt::format("{}: {} ({})\n", e.what, e.verdict, e.evidence);
    return out;
}

std::optional<std::string> write_json(const Report& r, const std::string& path) {
    const conform::Setup& s = *r.setup;
    nlohmann::json j;
    j["rut"] = {{"in4", opt_addr(s.rut_in4)},
                {"in6", opt_addr(s.rut_in6)},
                {"out4", opt_addr(s.rut_out4)},
                {"out6", opt_addr(s.rut_out6)},
                {"mac_in4", s.rut_in4 ? nlohmann::json(s.rut_in_mac4.to_string()) : nullptr},
                {"mac_in6", s.rut_in6 ? nlohmann::json(s.rut_in_mac6.to_string()) : nullptr},
                {"mtu_in", s.mtu_in},
                {"mtu_out4", s.mtu_out4},
                {"mtu_out6", s.mtu_out6}};
    nlohmann::json checks = nlohmann::json::array();
    unsigned n[4] = {};
    for (const auto& o : r.runner->outcomes()) {
        ++n[static_cast<unsigned>(o.result.verdict)];
        checks.push_back({{"id", o.check->id},
                          {"rfc", o.check->rfc},
                          {"family", fam(o.check->family)},
                          {"expect", o.check->expect},
                          {"verdict", conform::to_string(o.result.verdict)},
                          {"evidence", o.result.evidence}});
    }
    j["checks"] = checks;
    j["summary"] = {{"pass", n[0]},
                    {"fail", n[1]},
                    {"not-applicable", n[2]},
                    {"inconclusive", n[3]},
                    {"interrupted", r.interrupted}};
    nlohmann::json rl = nlohmann::json::array();
    for (const auto& m : r.runner->models()) {
        const bool lim = m.scope != conform::Scope::none;
        nlohmann::json e = {
            {"trigger", conform::to_string(m.trigger)},
            {"family", fam(m.family)},
            {"scope", conform::to_string(m.scope)},
            {"burst", lim ? nlohmann::json(m.burst.value) : nullptr},
            {"burst_ci", lim ? nlohmann::json({m.burst.lo, m.burst.hi}) : nullptr},
            {"rate_pps", lim ? nlohmann::json(m.rate_pps.value) : nullptr},
            {"rate_pps_ci", lim ? nlohmann::json({m.rate_pps.lo, m.rate_pps.hi}) : nullptr},
            {"refill_ms", m.refill_ms ? nlohmann::json(*m.refill_ms) : nullptr},
            {"cost", conform::to_string(m.cost)},
            {"shares_bucket_with", m.shares_bucket_with},
            {"sources", m.steps_from ? m.steps_from->sources : 0},
            {"evidence", m.evidence}};
        e["steps"] = m.steps_from ? steps_json(*m.steps_from) : nlohmann::json::array();
        rl.push_back(e);
    }
    j["ratelimit"] = rl;
    nlohmann::json ex = nlohmann::json::array();
    for (const auto& e : r.runner->experiments())
        ex.push_back({{"what", e.what}, {"verdict", e.verdict}, {"evidence", e.evidence}});
    j["experiments"] = ex;
    nlohmann::json series = nlohmann::json::array();
    for (const auto& se : r.runner->series())
        series.push_back({{"trigger", conform::to_string(se.trigger)},
                          {"family", fam(se.family)},
                          {"sources", se.sources},
                          {"limited", se.fit.limited},
                          {"knee_pps", se.fit.knee_pps},
                          {"steps", steps_json(se)}});
    j["series"] = series;
    j["notes"] = r.runner->notes();
    std::ofstream f(path);
    if (!f) return "--json " + path + ": cannot write";
    f << j.dump(2) << "\n";
    if (!f) return "--json " + path + ": write failed";
    return std::nullopt;
}

}  // namespace pw::conform_app
