#include "lib/pipeline/host_counters.hh"

namespace pw::pipeline {

HostCounters& HostCounters::operator+=(const HostCounters& o) noexcept {
    forwarded += relaxed(o.forwarded);
    fwd_failed += relaxed(o.fwd_failed);
    held += relaxed(o.held);
    generated_failed += relaxed(o.generated_failed);
    datagrams += relaxed(o.datagrams);
    for (std::size_t i = 0; i < replies.size(); ++i) replies[i] += relaxed(o.replies[i]);
    for (std::size_t i = 0; i < datagram_drops.size(); ++i)
        datagram_drops[i] += relaxed(o.datagram_drops[i]);
    icmp += o.icmp;
    return *this;
}

PortReport sum_port(const std::vector<LcoreBase>& base, const std::vector<LcoreHost>& host,
                    std::uint16_t port) noexcept {
    PortReport r;
    for (const auto& b : base) r.base += b.port[port];
    for (const auto& h : host) r.host += h.port[port];
    return r;
}

}  // namespace pw::pipeline
