#include "apps/responder/insight_service.hh"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "lib/pipeline/source_board.hh"

namespace pw::responder {

namespace {

constexpr std::uint64_t refresh_ns = 250'000'000;

// Two workers' views of one source (RSS may split its flows): counts add up, the destination
// estimate and rates are the larger (a sketch per worker), the rest from the later sighting.
void merge(insight::SourceView& into, const insight::SourceView& v) {
    const bool later = v.last_ns > into.last_ns;
    into.first_ns = std::min(into.first_ns, v.first_ns);
    into.packets += v.packets;
    into.echo_requests += v.echo_requests;
    into.echo_replies += v.echo_replies;
    into.errors += v.errors;
    into.tcp_no_ack += v.tcp_no_ack;
    into.tcp_pps += v.tcp_pps;
    into.targets = std::max(into.targets, v.targets);
    into.echo_pps += v.echo_pps;
    into.error_pps += v.error_pps;
    into.request_bytes += v.request_bytes;
    into.reply_bytes += v.reply_bytes;
    into.alerts |= v.alerts;
    into.inspected += v.inspected;
    into.tunnel_score = std::max(into.tunnel_score, v.tunnel_score);
    if (later) {
        into.last_ns = v.last_ns;
        into.ttl = v.ttl;
        into.initial_ttl = v.initial_ttl;
        into.hops = v.hops;
    }
}

void add_counters(insight::TrackerCounters& into, const insight::TrackerCounters& c) {
    into.observed += c.observed;
    into.ignored += c.ignored;
    into.tracked += c.tracked;
    into.evicted += c.evicted;
    into.inspected += c.inspected;
    for (std::size_t k = 0; k < InsightState::kinds; ++k) into.alerts[k] += c.alerts[k];
    into.echo_requests += c.echo_requests;
    into.errors += c.errors;
    into.tcp_no_ack += c.tcp_no_ack;
    into.unadmitted += c.unadmitted;
}

}  // namespace

InsightService::InsightService(bool enabled, unsigned log_per_sec) {
    state_.enabled = enabled;
    set_log_rate(log_per_sec);
}

void InsightService::set_log_rate(unsigned per_sec) {
    log_ = std::make_unique<drivers::RateLimitedLog>(drivers::LogType::insight,
                                                     drivers::LogLevel::warning, per_sec);
}

void InsightService::take(const insight::Alert& a, unsigned worker) {
    AlertRecord r;
    r.alert = a;
    r.time = drivers::utc_timestamp();
    r.text = insight::format_alert(a);
    r.worker = worker;
    log_->logf("%s", r.text.c_str());
    const std::lock_guard<std::mutex> hold(mu_);
    ++state_.alerts;
    ++state_.by_kind[static_cast<std::size_t>(a.kind)];
    state_.recent.push_back(std::move(r));
    if (state_.recent.size() > InsightState::max_recent) state_.recent.pop_front();
}

void InsightService::refresh(const std::vector<std::unique_ptr<pipeline::HostStage>>& stages,
                             std::uint64_t now_ns) {
    std::map<std::pair<bool, std::array<std::uint8_t, 16>>, insight::SourceView> by_source;
    std::uint64_t tracked = 0, capacity = 0, lost = 0;
    insight::TrackerCounters counters{};
    auto page = std::make_unique<pipeline::SourcePage>();
    for (const auto& st : stages) {
        if (!st->board().read(*page) || page->at_ns == 0) continue;
        tracked += page->tracked;
        capacity += page->capacity;
        lost += page->alerts_lost;
        add_counters(counters, page->counters);
        for (std::size_t i = 0; i < page->n; ++i) {
            const auto& v = page->sources[i];
            auto [it, fresh] = by_source.try_emplace({v.v6, v.source.bytes}, v);
            if (!fresh) merge(it->second, v);
        }
    }
    std::vector<insight::SourceView> sources;
    sources.reserve(by_source.size());
    for (auto& [key, v] : by_source) sources.push_back(v);
    std::sort(sources.begin(), sources.end(),
              [](const auto& a, const auto& b) { return a.packets > b.packets; });
    const std::lock_guard<std::mutex> hold(mu_);
    state_.sources = std::move(sources);
    state_.tracked = tracked;
    state_.capacity = capacity;
    state_.counters = counters;
    state_.at_ns = now_ns;
    // A lost alert never reached the log: counted among the raised.
    state_.alerts += lost - std::min(lost, state_.lost);
    state_.lost = std::max(state_.lost, lost);
    state_.log_suppressed = log_->suppressed_total();
}

void InsightService::tick(const std::vector<std::unique_ptr<pipeline::HostStage>>& stages,
                          std::uint64_t now_ns, bool force) {
    if (!state_.enabled) return;
    for (unsigned w = 0; w < stages.size(); ++w) {
        insight::Tracker* t = stages[w]->tracker();
        if (t == nullptr) continue;
        insight::Alert a;
        while (t->alerts().pop(a)) take(a, w);
    }
    log_->flush();
    if (now_ns < next_refresh_ns_ && !force) return;
    next_refresh_ns_ = now_ns + refresh_ns;
    refresh(stages, now_ns);
}

InsightState InsightService::state() const {
    const std::lock_guard<std::mutex> hold(mu_);
    return state_;
}

std::string InsightService::summary() const {
    const std::lock_guard<std::mutex> hold(mu_);
    if (!state_.enabled) return {};
    const auto& c = state_.counters;
    std::string kinds;
    for (std::size_t k = 0; k < InsightState::kinds; ++k)
        kinds += fmt::format(" {} {}", insight::alert_kind_name(static_cast<insight::AlertKind>(k)),
                             state_.by_kind[k]);
    return fmt::format(
        "insight: observed {} frames, sources tracked {} of {} (evicted {}, not admitted {}), "
        "payloads inspected {}; alerts {}:{}\n",
        c.observed, state_.tracked, state_.capacity, c.evicted, c.unadmitted, c.inspected,
        state_.alerts, kinds);
}

}  // namespace pw::responder
