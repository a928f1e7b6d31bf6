#include "lib/pipeline/counters.hh"

namespace pw::pipeline {

namespace {
std::uint64_t relaxed(const std::uint64_t& v) noexcept {
    return __atomic_load_n(&v, __ATOMIC_RELAXED);
}
}  // namespace

PortCounters& PortCounters::operator+=(const PortCounters& o) noexcept {
    rx += relaxed(o.rx);
    tx += relaxed(o.tx);
    answered += relaxed(o.answered);
    held += relaxed(o.held);
    forwarded += relaxed(o.forwarded);
    fwd_sent += relaxed(o.fwd_sent);
    fwd_failed += relaxed(o.fwd_failed);
    generated += relaxed(o.generated);
    generated_failed += relaxed(o.generated_failed);
    datagrams += relaxed(o.datagrams);
    for (std::size_t i = 0; i < replies.size(); ++i) replies[i] += relaxed(o.replies[i]);
    for (std::size_t i = 0; i < drops.size(); ++i) drops[i] += relaxed(o.drops[i]);
    for (std::size_t i = 0; i < datagram_drops.size(); ++i)
        datagram_drops[i] += relaxed(o.datagram_drops[i]);
    icmp += o.icmp;
    return *this;
}

PortCounters sum_port(const std::vector<LcoreCounters>& blocks, std::uint16_t port) noexcept {
    PortCounters s;
    for (const auto& b : blocks) s += b.port[port];
    return s;
}

}  // namespace pw::pipeline
