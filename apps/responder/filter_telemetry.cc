#include "apps/responder/filter_telemetry.hh"

#include <rte_telemetry.h>

#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "apps/skeleton/telemetry_dict.hh"

namespace pw::responder {

namespace {

bool active(const insight::IcmpFilter& f) noexcept {
    return !f.empty() || f.default_action() != insight::FilterAction::allow;
}

std::string range(std::uint8_t lo, std::uint8_t hi) {
    if (lo == 0 && hi == 255) return "any";
    return lo == hi ? std::to_string(lo) : fmt::format("{}-{}", lo, hi);
}

std::string port_text(std::uint16_t p) {
    return p == insight::any_port ? std::string("any") : std::to_string(p);
}

// What the command and the collector read; null after unregister.
std::mutex g_mu;
const std::vector<pipeline::LcoreHost>* g_host = nullptr;
const ControlView* g_view = nullptr;

// One row of /pingwire/filter: a rule (i < f.size()) or the default.
struct Row {
    std::size_t index;
};

int filter_cb(const char*, const char* params, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_host == nullptr || g_view == nullptr) return app::tel::error_reply(d, "stopping");
    return g_view->read([&](const ControlView::Snapshot& s) {
        if (!s.options || !s.options->forward)
            return app::tel::error_reply(d, "no ICMP filter: host mode (--forward has one)");
        const insight::IcmpFilter& f = s.options->icmp_filter;
        const FilterSums sums = sum_filter(*g_host, f);
        std::vector<Row> rows;
        for (std::size_t i = 0; i < f.size(); ++i) rows.push_back({i});
        rows.push_back({insight::IcmpFilter::default_index});
        const int rc = app::tel::page(
            d, params, rows, "rules", [&](app::tel::Dict& row, const Row& r, std::size_t) {
                if (r.index == insight::IcmpFilter::default_index) {
                    row.str("action", insight::to_string(f.default_action()));
                    row.str("text", "default");
                    row.u64("packets", sums[r.index]);
                    return std::string("default");
                }
                const insight::FilterRule& rule = f.rule(r.index);
                row.str("action", insight::to_string(rule.action));
                row.str("family", insight::to_string(rule.family));
                row.str("type", range(rule.type_lo, rule.type_hi));
                row.str("code", range(rule.code_lo, rule.code_hi));
                row.str("in", port_text(rule.in));
                row.str("out", port_text(rule.out));
                row.str("name", rule.name());
                row.str("text", rule.text());
                row.u64("packets", sums[r.index]);
                return std::to_string(r.index);
            });
        // The reply is the page's dictionary: the default action beside it (not beside the
        // error about a bad FROM).
        if (params != nullptr && *params != '\0' && !app::tel::number(params)) return rc;
        rte_tel_data_add_dict_string(d, "default_action",
                                     std::string(insight::to_string(f.default_action())).c_str());
        rte_tel_data_add_dict_u64(d, "active", active(f) ? 1 : 0);
        return rc;
    });
}

}  // namespace

FilterSums sum_filter(const std::vector<pipeline::LcoreHost>& host, const insight::IcmpFilter& f) {
    FilterSums s{};
    for (const auto& lc : host) {
        // A worker still counting under another rule list (or none yet) is not this list's.
        if (pipeline::relaxed(lc.filter.digest) != f.digest()) continue;
        for (std::size_t i = 0; i < s.size(); ++i) s[i] += pipeline::relaxed(lc.filter.packets[i]);
    }
    return s;
}

std::string format_filter_report(const insight::IcmpFilter& f,
                                 const std::vector<pipeline::LcoreHost>& host) {
    if (!active(f)) return {};
    const FilterSums sums = sum_filter(host, f);
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) {
        const insight::FilterRule& r = f.rule(i);
        out += fmt::format("icmp filter: rule {} {}{}: {} packets\n", i, r.text(),
                           r.name().empty() ? "" : fmt::format(" ({})", r.name()), sums[i]);
    }
    out +=
        fmt::format("icmp filter: default {}: {} packets\n", insight::to_string(f.default_action()),
                    sums[insight::IcmpFilter::default_index]);
    return out;
}

void register_filter_telemetry(const std::vector<pipeline::LcoreHost>& host,
                               const ControlView& view) {
    {
        std::lock_guard lock(g_mu);
        g_host = &host;
        g_view = &view;
    }
    static bool registered = false;  // DPDK keeps commands for the life of the process
    if (registered) return;
    registered = true;
    if (rte_telemetry_register_cmd(
            "/pingwire/filter", filter_cb,
            "ICMP filter rules, packets per rule. Params: [int first rule]") != 0)
        std::fprintf(stderr,
                     "pingwire-responder: warning: telemetry command /pingwire/filter not "
                     "registered\n");
}

void unregister_filter_telemetry() {
    std::lock_guard lock(g_mu);
    g_host = nullptr;
    g_view = nullptr;
}

void collect_filter_metrics(app::Families& fams, const ControlView& view) {
    std::lock_guard lock(g_mu);
    if (g_host == nullptr) return;
    view.read([&](const ControlView::Snapshot& s) {
        if (!s.options || !s.options->forward || !active(s.options->icmp_filter)) return 0;
        const insight::IcmpFilter& f = s.options->icmp_filter;
        const FilterSums sums = sum_filter(*g_host, f);
        auto& fam = app::counter_family(
            fams, "pingwire_icmp_filter_packets_total",
            "Forwarded ICMP/ICMPv6 packets each --icmp-filter / --icmp-policy rule decided "
            "(rule=\"default\": none matched), since the rule list took effect.");
        for (std::size_t i = 0; i < f.size(); ++i) {
            const insight::FilterRule& r = f.rule(i);
            app::sample(fam,
                        {{"rule", std::to_string(i)},
                         {"action", std::string(insight::to_string(r.action))},
                         {"family", std::string(insight::to_string(r.family))},
                         {"type", range(r.type_lo, r.type_hi)},
                         {"code", range(r.code_lo, r.code_hi)},
                         {"in", port_text(r.in)},
                         {"out", port_text(r.out)},
                         {"name", std::string(r.name())}},
                        static_cast<double>(sums[i]));
        }
        app::sample(fam,
                    {{"rule", "default"},
                     {"action", std::string(insight::to_string(f.default_action()))},
                     {"family", "any"},
                     {"type", "any"},
                     {"code", "any"},
                     {"in", "any"},
                     {"out", "any"},
                     {"name", ""}},
                    static_cast<double>(sums[insight::IcmpFilter::default_index]));
        return 0;
    });
}

}  // namespace pw::responder
