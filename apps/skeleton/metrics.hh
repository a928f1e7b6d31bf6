// Prometheus metrics (--metrics ADDR:PORT): Debian's prometheus-cpp serves GET /metrics in the
// text exposition format from its own threads (civetweb), pull mode.
//
// Nothing is registered or updated on the data path: the metric families are built at scrape
// time by the program's collectors, from the same per-lcore counters the exit summary sums
// (relaxed loads) or from copies the control lcore keeps. A scrape never stalls a worker.
//
//     app::Metrics metrics;                       // declared after what the collectors read
//     metrics.add([&](app::Families& f) { app::collect_ports(f, base, host, ports); });
//     if (auto e = metrics.start(opt.common.metrics)) return prog.fail(*e);  // "" is off
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "drivers/port.hh"
#include "lib/pipeline/host_counters.hh"

namespace prometheus {
class Exposer;
}

namespace pw::app {

using Families = std::vector<prometheus::MetricFamily>;
using Labels = std::vector<std::pair<std::string, std::string>>;

// Family builders: a family is created once per scrape, samples appended to it.
prometheus::MetricFamily& counter_family(Families& f, std::string name, std::string help);
prometheus::MetricFamily& gauge_family(Families& f, std::string name, std::string help);
prometheus::MetricFamily& histogram_family(Families& f, std::string name, std::string help);
void sample(prometheus::MetricFamily& fam, const Labels& labels, double value);
// A histogram sample: upper bounds in the family's unit, ascending, without +Inf (added);
// counts[i] the observations in (bound[i-1], bound[i]], counts.back() those above the last.
void histogram_sample(prometheus::MetricFamily& fam, const Labels& labels,
                      std::span<const double> bounds, std::span<const std::uint64_t> counts,
                      double sum);

// The counters every program has per port, summed over the lcores: rx, tx by kind, drops by
// reason, replies by kind, the ICMP tables, what became of the ICMP errors owed, and the
// device's own counters (rte_eth_stats: packets, bytes, missed, errors).
void collect_ports(Families& f, const std::vector<pipeline::LcoreBase>& base,
                   const std::vector<pipeline::LcoreHost>& host,
                   const std::vector<drivers::PortInfo>& ports);

class Metrics {
public:
    using Collector = std::function<void(Families&)>;
    Metrics();
    ~Metrics();  // stops the exposer: no scrape runs after it
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // Before start: collectors run in the order added, on the exposer's threads.
    void add(Collector c);
    // Binds ADDR:PORT (as common_options' parse_metrics_address gives it) and serves /metrics;
    // "" does nothing. The one-line error when the address cannot be bound.
    std::optional<std::string> start(const std::string& bind, const std::string& program);
    bool running() const noexcept { return exposer_ != nullptr; }

private:
    class Collectable;
    std::vector<Collector> collectors_;
    std::shared_ptr<Collectable> collectable_;
    std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace pw::app
