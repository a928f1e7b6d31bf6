// Where the selective ICMP filter (router mode: --icmp-filter, --icmp-policy) shows its rules
// and what each decided, summed over the workers:
//
//   /pingwire/filter[,FROM]   {"default_action", "count", "from", "shown", "next", "rules":
//                             {"0": {"action", "family", "type", "code", "in", "out", "name",
//                             "text", "packets"}, ..., "default": {... "packets"}}}, a page of
//                             rules from rule FROM (as /pingwire/routes pages)
//   exit summary              "icmp filter: rule 3 deny v4 type 8 in port 1: 12 packets"
//                             (every rule, and the default)
//   Prometheus                pingwire_icmp_filter_packets_total{rule="3",action="deny",
//                             family="v4",name="..."}
//
// The counts are those of the rule list in force: a reload that changes the list starts them
// again from zero (each worker when it adopts the new list; a worker that has not yet counted
// under it is left out of the sum).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/responder/telemetry.hh"
#include "apps/skeleton/metrics.hh"
#include "lib/insight/icmp_filter.hh"
#include "lib/pipeline/host_counters.hh"

namespace pw::responder {

using FilterSums = std::array<std::uint64_t, insight::max_filter_rules + 1>;

// Per rule (index IcmpFilter::default_index: the default), over the workers whose counters
// were taken under f.
FilterSums sum_filter(const std::vector<pipeline::LcoreHost>& host, const insight::IcmpFilter& f);

// The exit summary's lines (none when f has no rule and allows by default).
std::string format_filter_report(const insight::IcmpFilter& f,
                                 const std::vector<pipeline::LcoreHost>& host);

// Called by register_telemetry / unregister_telemetry (telemetry.cc): the command reads the
// counters and the filter of the view's configuration until then.
void register_filter_telemetry(const std::vector<pipeline::LcoreHost>& host,
                               const ControlView& view);
void unregister_filter_telemetry();

// From collect_metrics (telemetry.cc): pingwire_icmp_filter_packets_total, with the counters
// register_filter_telemetry was given (nothing before it or without a filter).
void collect_filter_metrics(app::Families& f, const ControlView& view);

}  // namespace pw::responder
