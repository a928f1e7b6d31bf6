// What security insight shows a running responder's operator:
//   /pingwire/alerts[,FROM]   the alerts raised so far by kind, and the recent ones, newest
//                             first (time, kind, source, value, threshold, the log line), paged
//   /pingwire/sources[,FROM]  the tracked sources, most active first: packets, echo requests
//                             and replies, errors, distinct targets in the window, echo and
//                             error rates, TTL, probable initial TTL and hops, tunnel score and
//                             what it is made of, alerts raised; paged
// and to --metrics: pingwire_insight_alerts_total{kind}, the table's use, and per source (the
// 16 most active) its targets, echo rate, tunnel score and TTL.
#pragma once

#include "apps/responder/insight_service.hh"
#include "apps/skeleton/metrics.hh"

namespace pw::responder {

class InsightTelemetry {
public:
    // service outlives the EAL's telemetry thread use (unregistered in the destructor).
    explicit InsightTelemetry(const InsightService& service);
    InsightTelemetry(const InsightTelemetry&) = delete;
    InsightTelemetry& operator=(const InsightTelemetry&) = delete;
    ~InsightTelemetry();
};

void collect_insight(app::Families& f, const InsightService& service);

// "sweep,flood" for a SourceView's alert bits ("" for none).
std::string alert_names(std::uint32_t bits);

}  // namespace pw::responder
