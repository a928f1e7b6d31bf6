#include "apps/skeleton/metrics.hh"

#include <rte_ethdev.h>

#include <array>
#include <exception>
#include <limits>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include "lib/icmp/error_outcome.hh"
#include "lib/icmp/verdict.hh"
#include "lib/wire/drop.hh"

namespace pw::app {

namespace {

prometheus::MetricFamily& family(Families& f, std::string name, std::string help,
                                 prometheus::MetricType type) {
    prometheus::MetricFamily fam;
    fam.name = std::move(name);
    fam.help = std::move(help);
    fam.type = type;
    f.push_back(std::move(fam));
    return f.back();
}

prometheus::ClientMetric& metric(prometheus::MetricFamily& fam, const Labels& labels) {
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    fam.metric.push_back(std::move(m));
    return fam.metric.back();
}

// The ICMP types whose counters are always exported (the types with a meaning; any other
// type appears once it was counted). Those named in /proc/net/snmp and snmp6, and RFC 8335.
constexpr std::array<std::uint8_t, 13> icmp4_types{0, 3, 4, 5, 8, 11, 12, 13, 14, 17, 18, 42, 43};
constexpr std::array<std::uint8_t, 17> icmp6_types{1,   2,   3,   4,   128, 129, 130, 131, 132,
                                                   133, 134, 135, 136, 137, 143, 160, 161};

struct PortSums {
    std::string port;
    pipeline::PortReport c;
};

}  // namespace

prometheus::MetricFamily& counter_family(Families& f, std::string name, std::string help) {
    return family(f, std::move(name), std::move(help), prometheus::MetricType::Counter);
}

prometheus::MetricFamily& gauge_family(Families& f, std::string name, std::string help) {
    return family(f, std::move(name), std::move(help), prometheus::MetricType::Gauge);
}

prometheus::MetricFamily& histogram_family(Families& f, std::string name, std::string help) {
    return family(f, std::move(name), std::move(help), prometheus::MetricType::Histogram);
}

void sample(prometheus::MetricFamily& fam, const Labels& labels, double value) {
    auto& m = metric(fam, labels);
    if (fam.type == prometheus::MetricType::Counter)
        m.counter.value = value;
    else
        m.gauge.value = value;
}

void histogram_sample(prometheus::MetricFamily& fam, const Labels& labels,
                      std::span<const double> bounds, std::span<const std::uint64_t> counts,
                      double sum) {
    auto& m = metric(fam, labels);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += i < counts.size() ? counts[i] : 0;
        m.histogram.bucket.push_back({cumulative, bounds[i]});
    }
    if (counts.size() > bounds.size()) cumulative += counts[bounds.size()];
    m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = sum;
}

void collect_ports(Families& f, const std::vector<pipeline::LcoreBase>& base,
                   const std::vector<pipeline::LcoreHost>& host,
                   const std::vector<drivers::PortInfo>& ports) {
    std::vector<PortSums> sums;
    for (const auto& p : ports)
        sums.push_back({std::to_string(p.port), pipeline::sum_port(base, host, p.port)});
    auto per_port = [&](const char* name, const char* help, auto value) {
        auto& fam = counter_family(f, name, help);
        for (const auto& s : sums) sample(fam, {{"port", s.port}}, static_cast<double>(value(s.c)));
    };
    per_port("pingwire_rx_packets_total", "Frames the workers received.",
             [](const auto& c) { return c.base.rx; });
    {
        auto& fam = counter_family(f, "pingwire_tx_packets_total",
                                   "Frames the TX queues accepted, by kind: reply (answered in "
                                   "place), forward, generated (errors, probes, solicitations).");
        auto& refused = counter_family(f, "pingwire_tx_refused_packets_total",
                                       "Frames the TX queues refused (freed), by kind.");
        for (const auto& s : sums)
            for (std::size_t k = 0; k < pipeline::tx_kind_count; ++k) {
                const Labels l{
                    {"port", s.port},
                    {"kind",
                     std::string(pipeline::tx_kind_name(static_cast<pipeline::TxKind>(k)))}};
                sample(fam, l, static_cast<double>(s.c.base.sent[k]));
                sample(refused, l, static_cast<double>(s.c.base.refused[k]));
            }
    }
    per_port("pingwire_forwarded_packets_total", "Frames accepted for forwarding (ingress port).",
             [](const auto& c) { return c.host.forwarded; });
    per_port("pingwire_held_fragments_total", "Fragments taken by the reassembler.",
             [](const auto& c) { return c.host.held; });
    per_port("pingwire_reassembled_datagrams_total", "Reassembled datagrams handled.",
             [](const auto& c) { return c.host.datagrams; });
    per_port("pingwire_dropped_packets_total", "Frames dropped, all reasons.",
             [](const auto& c) { return c.dropped(); });
    {
        auto& fam = counter_family(f, "pingwire_drops_total",
                                   "Frames dropped, by reason (every reason, zeros included).");
        for (const auto& s : sums)
            for (std::size_t i = 0; i < wire::drop_count; ++i) {
                const auto d = static_cast<wire::Drop>(i);
                sample(fam, {{"port", s.port}, {"reason", std::string(wire::drop_name(d))}},
                       static_cast<double>(s.c.drops(d)));
            }
    }
    {
        auto& fam = counter_family(f, "pingwire_replies_total", "Messages answered, by kind.");
        for (const auto& s : sums)
            for (std::size_t i = 0; i < icmp::reply_count; ++i)
                sample(fam,
                       {{"port", s.port},
                        {"kind", std::string(icmp::reply_name(static_cast<icmp::Reply>(i)))}},
                       static_cast<double>(s.c.host.replies[i]));
    }
    {
        auto& fam = counter_family(
            f, "pingwire_icmp_errors_total",
            "ICMP and ICMPv6 errors owed, by outcome: sent, or which suppression or rate limit "
            "stopped it.");
        for (const auto& s : sums)
            for (std::size_t i = 0; i < icmp::error_outcome_count; ++i)
                sample(
                    fam,
                    {{"port", s.port},
                     {"outcome",
                      std::string(icmp::error_outcome_name(static_cast<icmp::ErrorOutcome>(i)))}},
                    static_cast<double>(s.c.host.icmp.errors[i]));
    }
    // The SNMP tables (Linux's Icmp / IcmpMsg and Icmp6), per family.
    for (const bool v6 : {false, true}) {
        const std::string t = v6 ? "pingwire_icmp6_" : "pingwire_icmp_";
        const char* fam_name = v6 ? "ICMPv6" : "ICMP";
        auto mib = [v6](const PortSums& s) -> const icmp::IcmpMib& {
            return v6 ? s.c.host.icmp.v6 : s.c.host.icmp.v4;
        };
        auto& in = counter_family(f, t + "in_messages_total",
                                  std::string(fam_name) + " messages received, by type.");
        auto& out = counter_family(f, t + "out_messages_total",
                                   std::string(fam_name) + " messages sent, by type.");
        for (const auto& s : sums) {
            const auto& m = mib(s);
            for (unsigned ty = 0; ty < 256; ++ty) {
                bool known = false;
                if (v6)
                    for (auto k : icmp6_types) known = known || k == ty;
                else
                    for (auto k : icmp4_types) known = known || k == ty;
                const Labels l{{"port", s.port}, {"type", std::to_string(ty)}};
                if (known || m.in_type[ty] != 0) sample(in, l, static_cast<double>(m.in_type[ty]));
                if (known || m.out_type[ty] != 0)
                    sample(out, l, static_cast<double>(m.out_type[ty]));
            }
        }
        auto scalar = [&](const std::string& name, const std::string& help, auto value) {
            auto& fam = counter_family(f, t + name, std::string(fam_name) + " " + help);
            for (const auto& s : sums)
                sample(fam, {{"port", s.port}}, static_cast<double>(value(mib(s))));
        };
        scalar("in_errors_total", "messages received with an error (InErrors).",
               [](const icmp::IcmpMib& m) { return m.in_errors; });
        scalar("in_csum_errors_total", "messages received with a bad checksum (InCsumErrors).",
               [](const icmp::IcmpMib& m) { return m.in_csum_errors; });
        scalar("out_errors_total", "messages that could not be built (OutErrors).",
               [](const icmp::IcmpMib& m) { return m.out_errors; });
        auto& rl = counter_family(
            f, t + "out_rate_limited_total",
            std::string(fam_name) +
                " errors not sent by a rate limit: global (OutRateLimitGlobal) or per "
                "destination (OutRateLimitHost).");
        for (const auto& s : sums) {
            sample(rl, {{"port", s.port}, {"limit", "global"}},
                   static_cast<double>(mib(s).out_rate_limit_global));
            sample(rl, {{"port", s.port}, {"limit", "host"}},
                   static_cast<double>(mib(s).out_rate_limit_host));
        }
    }
    // The IP and TCP tables beside (Linux's names as nstat shows them).
    {
        auto& fam = counter_family(
            f, "pingwire_snmp_total",
            "IP, IPv6 and TCP counters (RFC 4293, RFC 4022) under Linux's names, as nstat "
            "shows them (IpInReceives, Ip6InNoRoutes, TcpOutRsts...).");
        for (const auto& s : sums) {
            for (std::size_t i = 0; i < icmp::ip_counter_count; ++i)
                for (const bool v6 : {false, true}) {
                    const char* n = icmp::ip_counter_name(static_cast<icmp::IpCounter>(i), v6);
                    if (*n == '\0') continue;
                    const auto& mib = v6 ? s.c.host.icmp.ip6 : s.c.host.icmp.ip4;
                    sample(fam, {{"port", s.port}, {"name", n}}, static_cast<double>(mib.n[i]));
                }
            for (std::size_t i = 0; i < icmp::tcp_counter_count; ++i)
                sample(fam,
                       {{"port", s.port},
                        {"name", icmp::tcp_counter_name(static_cast<icmp::TcpCounter>(i))}},
                       static_cast<double>(s.c.host.icmp.tcp.n[i]));
        }
    }

    // The devices' own counters and state (ethdev).
    struct Dev {
        const char* name;
        const char* help;
        std::uint64_t rte_eth_stats::*field;
    };
    static constexpr std::array<Dev, 8> devs{{
        {"pingwire_device_rx_packets_total", "Packets the device received (ipackets).",
         &rte_eth_stats::ipackets},
        {"pingwire_device_tx_packets_total", "Packets the device sent (opackets).",
         &rte_eth_stats::opackets},
        {"pingwire_device_rx_bytes_total", "Bytes the device received (ibytes).",
         &rte_eth_stats::ibytes},
        {"pingwire_device_tx_bytes_total", "Bytes the device sent (obytes).",
         &rte_eth_stats::obytes},
        {"pingwire_device_rx_missed_total",
         "Packets the device dropped for want of room "
         "(imissed).",
         &rte_eth_stats::imissed},
        {"pingwire_device_rx_errors_total", "Erroneous packets received (ierrors).",
         &rte_eth_stats::ierrors},
        {"pingwire_device_tx_errors_total", "Packets the device failed to send (oerrors).",
         &rte_eth_stats::oerrors},
        {"pingwire_device_rx_nombuf_total", "RX mbuf allocation failures (rx_nombuf).",
         &rte_eth_stats::rx_nombuf},
    }};
    std::vector<rte_eth_stats> st(ports.size());
    for (std::size_t i = 0; i < ports.size(); ++i)
        if (rte_eth_stats_get(ports[i].port, &st[i]) != 0) st[i] = {};
    for (const auto& d : devs) {
        auto& fam = counter_family(f, d.name, d.help);
        for (std::size_t i = 0; i < ports.size(); ++i)
            sample(fam, {{"port", std::to_string(ports[i].port)}},
                   static_cast<double>(st[i].*d.field));
    }
    auto& info =
        gauge_family(f, "pingwire_port_info", "The ports: device name, driver and MAC (value 1).");
    auto& up = gauge_family(f, "pingwire_port_link_up", "1 when the port's link is up.");
    auto& mtu = gauge_family(f, "pingwire_port_mtu_bytes", "The port's MTU.");
    for (const auto& p : ports) {
        const std::string id = std::to_string(p.port);
        sample(info,
               {{"port", id}, {"device", p.name}, {"driver", p.driver}, {"mac", p.mac.to_string()}},
               1);
        rte_eth_link link{};
        const bool ok = rte_eth_link_get_nowait(p.port, &link) == 0;
        sample(up, {{"port", id}}, ok && link.link_status == RTE_ETH_LINK_UP ? 1 : 0);
        sample(mtu, {{"port", id}}, p.mtu);
    }
}

// ------------------------------------------------------------------------------------------

class Metrics::Collectable : public prometheus::Collectable {
public:
    Collectable(const std::vector<Collector>& c, std::string program)
        : collectors_(c), program_(std::move(program)) {}
    std::vector<prometheus::MetricFamily> Collect() const override {
        Families f;
        try {
            sample(gauge_family(f, "pingwire_info", "The program (value 1)."),
                   {{"program", program_}}, 1);
            for (const auto& c : collectors_) c(f);
        } catch (const std::exception&) {
            // Out of memory mid-scrape: what was built is served (never an exception into
            // civetweb's thread).
        }
        return f;
    }

private:
    const std::vector<Collector>& collectors_;
    std::string program_;
};

Metrics::Metrics() = default;

Metrics::~Metrics() {
    exposer_.reset();  // joins civetweb's threads: no Collect() runs after this
    collectable_.reset();
}

void Metrics::add(Collector c) {
    collectors_.push_back(std::move(c));
}

std::optional<std::string> Metrics::start(const std::string& bind, const std::string& program) {
    if (bind.empty()) return std::nullopt;
    collectable_ = std::make_shared<Collectable>(collectors_, program);
    try {
        // One worker thread: scrapes are rare, and each runs the collectors whole.
        exposer_ = std::make_unique<prometheus::Exposer>(bind, 1);
        exposer_->RegisterCollectable(collectable_, "/metrics");
    } catch (const std::exception& e) {
        exposer_.reset();
        return "--metrics " + bind +
               ": cannot listen there (the port in use, or not an address of this host)";
    }
    return std::nullopt;
}

}  // namespace pw::app
