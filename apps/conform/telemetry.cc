#include "apps/conform/telemetry.hh"

#include <rte_telemetry.h>

#include <cstdio>

#include "apps/skeleton/telemetry_dict.hh"

namespace pw::conform_app {

namespace {

constexpr std::array<conform::Verdict, 4> verdicts{conform::Verdict::pass, conform::Verdict::fail,
                                                   conform::Verdict::not_applicable,
                                                   conform::Verdict::inconclusive};

std::mutex g_mu;
const ConformTelemetry* g_tel = nullptr;

int conform_cb(const char*, const char*, rte_tel_data* d) {
    std::lock_guard lock(g_mu);
    if (g_tel == nullptr) return app::tel::error_reply(d, "stopping");
    const ConformSnapshot s = g_tel->snapshot();
    app::tel::Dict r(d);
    r.str("state", s.finished ? "finished" : "running");
    r.u64("checks_done", s.checks_done);
    app::tel::Dict v;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        std::string name = conform::to_string(verdicts[i]);  // "not-applicable": a telemetry
        for (auto& ch : name)                                // name takes no '-'
            if (ch == '-') ch = '_';
        v.u64(name, s.by_verdict[i]);
    }
    r.add("verdicts", std::move(v));
    r.str("last_check", s.last_check);
    r.str("last_verdict", s.last_verdict);
    r.u64("ratelimit_series_done", s.series_done);
    r.u64("sent_frames", s.sent_frames);
    r.u64("seen_frames", s.seen_frames);
    return 0;
}

}  // namespace

ConformTelemetry::~ConformTelemetry() {
    std::lock_guard lock(g_mu);
    if (g_tel == this) g_tel = nullptr;
}

void ConformTelemetry::register_command() {
    {
        std::lock_guard lock(g_mu);
        g_tel = this;
    }
    static bool registered = false;  // DPDK keeps commands for the life of the process
    if (registered) return;
    registered = true;
    if (rte_telemetry_register_cmd("/pingwire/conform", conform_cb,
                                   "The conformance run: checks done by verdict, the last") != 0)
        std::fputs(
            "pingwire-conform: warning: telemetry command /pingwire/conform not registered\n",
            stderr);
}

void ConformTelemetry::tick(const Runner& runner, bool finished) {
    {
        std::lock_guard lock(mu_);  // the tick runs every millisecond: copy on a change only
        if (snap_.finished == finished && snap_.checks_done == runner.outcomes().size() &&
            snap_.sent_frames == runner.sent_frames() &&
            snap_.seen_frames == runner.seen_frames() &&
            snap_.series_done == runner.models().size())
            return;
    }
    ConformSnapshot s;
    s.finished = finished;
    const auto& outcomes = runner.outcomes();
    s.checks_done = outcomes.size();
    for (const auto& o : outcomes) ++s.by_verdict[static_cast<std::size_t>(o.result.verdict)];
    if (!outcomes.empty()) {
        s.last_check = outcomes.back().check != nullptr ? outcomes.back().check->id : "";
        s.last_verdict = conform::to_string(outcomes.back().result.verdict);
    }
    s.series_done = runner.models().size();
    s.sent_frames = runner.sent_frames();
    s.seen_frames = runner.seen_frames();
    std::lock_guard lock(mu_);
    snap_ = std::move(s);
}

void ConformTelemetry::collect(app::Families& f) const {
    const ConformSnapshot s = snapshot();
    auto& checks =
        app::gauge_family(f, "pingwire_conform_checks", "Checks judged so far, by verdict.");
    for (std::size_t i = 0; i < verdicts.size(); ++i)
        app::sample(checks, {{"verdict", conform::to_string(verdicts[i])}},
                    static_cast<double>(s.by_verdict[i]));
    app::sample(app::gauge_family(f, "pingwire_conform_finished", "1 once the run has ended."), {},
                s.finished ? 1 : 0);
    app::sample(app::counter_family(f, "pingwire_conform_sent_frames_total",
                                    "Frames sent toward the router under test."),
                {}, static_cast<double>(s.sent_frames));
    app::sample(app::counter_family(f, "pingwire_conform_seen_frames_total",
                                    "Frames the runner received and judged."),
                {}, static_cast<double>(s.seen_frames));
}

}  // namespace pw::conform_app
