#include "apps/flood/summary.hh"

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lib/gen/fingerprint.hh"

namespace pw::flood {

namespace {

std::string ms(double ns) {
    return fmt::format("{:.3f}", ns / 1e6);
}

const char* error_name(bool v6, std::uint8_t type, std::uint8_t code) {
    if (!v6) {
        switch (type) {
            case 3:
                switch (code) {
                    case 0:
                        return "net unreachable";
                    case 1:
                        return "host unreachable";
                    case 2:
                        return "protocol unreachable";
                    case 3:
                        return "port unreachable";
                    case 4:
                        return "frag needed";
                    case 9:
                    case 10:
                    case 13:
                        return "administratively prohibited";
                    default:
                        return "destination unreachable";
                }
            case 4:
                return "source quench";
            case 5:
                return "redirect";
            case 11:
                return code == 0 ? "time exceeded" : "reassembly time exceeded";
            case 12:
                return "parameter problem";
            default:
                return "icmp error";
        }
    }
    switch (type) {
        case 1:
            switch (code) {
                case 0:
                    return "no route";
                case 1:
                    return "administratively prohibited";
                case 2:
                    return "beyond scope";
                case 3:
                    return "address unreachable";
                case 4:
                    return "port unreachable";
                default:
                    return "destination unreachable";
            }
        case 2:
            return "packet too big";
        case 3:
            return code == 0 ? "time exceeded" : "reassembly time exceeded";
        case 4:
            return "parameter problem";
        default:
            return "icmpv6 error";
    }
}

std::string addr_of(const wire::Ipv6Addr& a, bool v6) {
    return v6 ? a.to_string() : wire::v4_unmapped(a).to_string();
}

std::string kind_label(const Options& o, gen::ProbeKind k) {
    if (k == gen::ProbeKind::tcp_syn) return fmt::format("tcp-syn:{}", o.tcp_port);
    if (k == gen::ProbeKind::udp) return fmt::format("udp:{}", o.udp_port);
    return gen::to_string(k);
}

double avg_rtt(const gen::TargetStats& s) {
    return s.rx == 0 ? 0.0 : static_cast<double>(s.rtt_sum_ns) / s.rx;
}

constexpr double percentiles[] = {50, 90, 99, 99.9, 99.99};

// A percentage as ping prints it, never rounded to 0 when something was lost and never in
// exponent form: "0", "0.00035", "12.5", "100".
std::string percent(double p) {
    std::string s = fmt::format("{:.6f}", p);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    if (s == "0" && p > 0) s = fmt::format("{:.10f}", p);
    return s;
}

}  // namespace

double RunResult::loss_percent() const noexcept {
    return transmitted == 0
               ? 0.0
               : 100.0 * static_cast<double>(lost()) / static_cast<double>(transmitted);
}

// From when the first probe was due (a late start is part of the run, not hidden by it) to
// when the last one left.
double RunResult::send_span_s() const noexcept {
    const std::uint64_t from = schedule_start_ns != 0 && schedule_start_ns <= first_tx_ns
                                   ? schedule_start_ns
                                   : first_tx_ns;
    return last_tx_ns > from ? static_cast<double>(last_tx_ns - from) / 1e9 : 0.0;
}

// N probes paced at R leave over (N - 1) / R seconds: the achieved rate is (N - 1) / span.
double RunResult::achieved_pps() const noexcept {
    const double span = send_span_s();
    return span > 0 && transmitted > 1 ? static_cast<double>(transmitted - 1) / span : 0.0;
}

bool RunResult::short_of_rate() const noexcept {
    if (opt->rate == 0 || opt->pmtu || transmitted < 2) return false;
    return achieved_pps() < 0.999 * static_cast<double>(opt->rate);
}

std::string live_line(double t_s, std::uint64_t sent, std::uint64_t received, double tx_pps,
                      double rx_pps, const gen::Histogram& rtt) {
    const double loss = sent == 0
                            ? 0.0
                            : 100.0 * static_cast<double>(sent > received ? sent - received : 0) /
                                  static_cast<double>(sent);
    return fmt::format(
        "[{:5.1f} s] sent {} received {} tx {:.0f} pps rx {:.0f} pps loss {:.2f}% p50 {} ms p99 "
        "{} ms\n",
        t_s, sent, received, tx_pps, rx_pps, loss, ms(static_cast<double>(rtt.percentile(50))),
        ms(static_cast<double>(rtt.percentile(99))));
}

std::string start_line(const Options& o) {
    const std::string size = o.size_lo == o.size_hi ? fmt::format("{}", o.size_lo)
                                                    : fmt::format("{}-{}", o.size_lo, o.size_hi);
    const std::string rate = o.rate == 0 ? "max" : fmt::format("{} pps", o.rate);
    const std::uint64_t n = o.targets.size();
    std::string probes =
        o.count == 0 ? "until stopped" : fmt::format("{} probes", n * o.kinds.size() * o.count);
    if (o.pmtu) probes = "path MTU search";
    return fmt::format("PING {}: {} data bytes, {} target{}, rate {}, {}\n", o.targets.describe(),
                       size, n, n == 1 ? "" : "s", rate, probes);
}

std::string format_summary(const RunResult& r) {
    const Options& o = *r.opt;
    std::string out;
    if (o.targets.is_sweep()) {
        std::uint64_t alive = 0;
        for (std::uint64_t i = 0; i < r.stats.size(); ++i) {
            const gen::TargetStats& s = r.stats[i];
            const std::string a = o.targets.at(i).to_string();
            if (s.alive_by == 0) {
                if (o.show_dead) out += fmt::format("{} dead\n", a);
                continue;
            }
            ++alive;
            const gen::TtlGuess g = gen::guess_initial_ttl(s.ttl);
            out += fmt::format("{} alive: {}, ttl {} (initial {}, {} hops), rtt {} ms\n", a,
                               kind_label(o, static_cast<gen::ProbeKind>(s.alive_by - 1)), s.ttl,
                               g.initial, g.hops, ms(avg_rtt(s)));
        }
        out += fmt::format("{} of {} addresses alive\n", alive, r.stats.size());
    }
    if (r.pmtu != nullptr) out += r.pmtu->describe() + "\n";

    out += fmt::format("--- {} pingwire-flood statistics ---\n", o.targets.describe());
    out += fmt::format(
        "{} packets transmitted, {} received, +{} duplicates, {}% packet loss, "
        "time {:.0f}ms\n",
        r.transmitted, r.received(), r.totals.duplicates, percent(r.loss_percent()),
        r.send_span_s() * 1000);
    const gen::Histogram& h = r.rtt;
    if (h.count() > 0) {
        out +=
            fmt::format("rtt min/avg/max/mdev = {}/{}/{}/{} ms\n", ms(static_cast<double>(h.min())),
                        ms(h.mean()), ms(static_cast<double>(h.max())), ms(h.stddev()));
        std::string p;
        for (double q : percentiles)
            p += (p.empty() ? "" : "/") + ms(static_cast<double>(h.percentile(q)));
        out += "rtt p50/p90/p99/p99.9/p99.99 = " + p + " ms\n";
    }
    out += fmt::format(
        "reordered {}, corrupted {}, late {} (over {:g} ms), unmatched {}{}\n", r.totals.reordered,
        r.totals.corrupted, r.totals.late, o.timeout_ms, r.totals.unmatched,
        r.totals.too_old ? fmt::format(", beyond the duplicate window {}", r.totals.too_old) : "");
    if (!o.pmtu) {
        const std::string asked = o.rate == 0 ? "max" : fmt::format("{} pps", o.rate);
        std::string rate = fmt::format("rate: asked {}, achieved {:.1f} pps over {:.6f} s", asked,
                                       r.achieved_pps(), r.send_span_s());
        if (r.short_of_rate())
            rate += fmt::format(
                ": short of the asked rate by {:.1f}% (the TX queue refused {} times)",
                100.0 * (1.0 - r.achieved_pps() / static_cast<double>(o.rate)), r.tx_refused);
        else if (r.tx_refused > 0)
            rate += fmt::format(" (the TX queue refused {} times; retried)", r.tx_refused);
        out += rate + "\n";
    }
    if (r.unresolved > 0)
        out += fmt::format("not sent: {} probes to targets whose next hop did not resolve\n",
                           r.unresolved);
    if (r.interrupted) out += "interrupted: the run was stopped before its end\n";
    const double tick_ns = r.tsc_hz ? 1e9 / static_cast<double>(r.tsc_hz) : 0;
    out += fmt::format(
        "timing: TSC {:.3f} GHz ({:.2g} ns), histogram 3 significant digits from 1 ns to 60 s\n",
        static_cast<double>(r.tsc_hz) / 1e9, tick_ns);
    for (const auto& e : r.errors.entries())
        out += fmt::format("icmp errors: {} ({}/{}) from {}{}: {}\n",
                           error_name(e.v6, e.type, e.code), e.type, e.code, addr_of(e.from, e.v6),
                           e.mtu ? fmt::format(" mtu={}", e.mtu) : "", e.count);
    if (r.errors.overflow() > 0)
        out += fmt::format("icmp errors: {} more from other senders (table full)\n",
                           r.errors.overflow());
    if (!o.capture_file.empty())
        out +=
            fmt::format("capture: {} anomalies written to {}{}\n", r.captured, o.capture_file,
                        r.capture_lost ? fmt::format(" ({} not: ring full)", r.capture_lost) : "");
    return out;
}

int exit_code(const RunResult& r) {
    if (r.pmtu != nullptr)
        return r.pmtu->verdict() == gen::PmtuSearch::Verdict::pmtu ||
                       r.pmtu->verdict() == gen::PmtuSearch::Verdict::black_hole
                   ? 0
                   : 1;
    if (r.opt->targets.is_sweep()) {
        for (const auto& s : r.stats)
            if (s.alive_by != 0) return 0;
        return 1;
    }
    return r.received() > 0 ? 0 : 1;
}

std::optional<std::string> write_json(const RunResult& r, const std::string& path) {
    using nlohmann::json;
    const Options& o = *r.opt;
    const gen::Histogram& h = r.rtt;
    json j;
    j["program"] = "pingwire-flood";
    j["targets"] = r.stats.size();
    j["transmitted"] = r.transmitted;
    j["received"] = r.received();
    j["duplicates"] = r.totals.duplicates;
    j["reordered"] = r.totals.reordered;
    j["corrupted"] = r.totals.corrupted;
    j["late"] = r.totals.late;
    j["lost"] = r.lost();
    j["unmatched"] = r.totals.unmatched;
    j["too_old"] = r.totals.too_old;
    j["loss_percent"] = r.loss_percent();
    j["time_ms"] = r.send_span_s() * 1000;
    j["first_probe_late_ms"] = r.first_tx_ns > r.schedule_start_ns
                                   ? static_cast<double>(r.first_tx_ns - r.schedule_start_ns) / 1e6
                                   : 0.0;
    j["not_sent_unresolved"] = r.unresolved;
    j["interrupted"] = r.interrupted;
    j["rate"] = {{"asked_pps", o.rate == 0 ? json(nullptr) : json(o.rate)},
                 {"achieved_pps", r.achieved_pps()},
                 {"short", r.short_of_rate()},
                 {"tx_refused", r.tx_refused}};
    j["rtt_ns"] = {{"min", h.min()},
                   {"avg", h.mean()},
                   {"max", h.max()},
                   {"mdev", h.stddev()},
                   {"p50", h.percentile(50)},
                   {"p90", h.percentile(90)},
                   {"p99", h.percentile(99)},
                   {"p99_9", h.percentile(99.9)},
                   {"p99_99", h.percentile(99.99)},
                   {"count", h.count()}};
    json buckets = json::array();
    for (const auto& b : h.nonzero_buckets())
        buckets.push_back({{"lo_ns", b.lo_ns}, {"hi_ns", b.hi_ns}, {"count", b.count}});
    j["histogram"] = buckets;
    json errors = json::array();
    for (const auto& e : r.errors.entries())
        errors.push_back({{"from", addr_of(e.from, e.v6)},
                          {"type", e.type},
                          {"code", e.code},
                          {"name", error_name(e.v6, e.type, e.code)},
                          {"mtu", e.mtu},
                          {"count", e.count}});
    j["errors"] = errors;
    std::uint64_t alive = 0;
    for (const auto& s : r.stats) alive += s.alive_by != 0 ? 1 : 0;
    j["alive"] = alive;
    const bool all = r.stats.size() <= 65536;
    json hosts = json::array();
    for (std::uint64_t i = 0; i < r.stats.size(); ++i) {
        const gen::TargetStats& s = r.stats[i];
        if (!all && s.alive_by == 0) continue;
        const gen::TtlGuess g = gen::guess_initial_ttl(s.ttl);
        json hj = {{"address", o.targets.at(i).to_string()},
                   {"transmitted", s.tx},
                   {"received", s.rx},
                   {"duplicates", s.dup},
                   {"reordered", s.reordered},
                   {"corrupted", s.corrupted},
                   {"late", s.late},
                   {"errors", s.errors},
                   {"alive", s.alive_by != 0}};
        if (s.alive_by != 0) {
            hj["alive_by"] = kind_label(o, static_cast<gen::ProbeKind>(s.alive_by - 1));
            hj["ttl"] = s.ttl;
            hj["initial_ttl"] = g.initial;
            hj["hops"] = g.hops;
            hj["rtt_ns"] = {
                {"min", s.rx ? s.rtt_min_ns : 0}, {"avg", avg_rtt(s)}, {"max", s.rtt_max_ns}};
        } else {
            hj["alive_by"] = nullptr;
        }
        hosts.push_back(hj);
    }
    j["hosts"] = hosts;
    j["hosts_truncated"] = !all;
    if (r.pmtu != nullptr) {
        const auto v = r.pmtu->verdict();
        j["pmtu"] = {{"verdict", v == gen::PmtuSearch::Verdict::pmtu         ? "pmtu"
                                 : v == gen::PmtuSearch::Verdict::black_hole ? "black_hole"
                                 : v == gen::PmtuSearch::Verdict::no_answer  ? "no_answer"
                                                                             : "searching"},
                     {"pmtu", r.pmtu->pmtu()},
                     {"told_mtu", r.pmtu->told() ? json(r.pmtu->told_mtu()) : json(nullptr)},
                     {"told_by",
                      r.pmtu->told()
                          ? json(addr_of(r.pmtu->told_by(), !wire::is_v4_mapped(r.pmtu->told_by())))
                          : json(nullptr)},
                     {"steps", r.pmtu->steps()},
                     {"text", r.pmtu->describe()}};
    }
    std::ofstream f(path);
    if (!f) return "--json " + path + ": cannot write";
    f << j.dump(1) << "\n";
    if (!f) return "--json " + path + ": write failed";
    return std::nullopt;
}

}  // namespace pw::flood
