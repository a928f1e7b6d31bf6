#include "lib/pipeline/base_counters.hh"

namespace pw::pipeline {

BaseCounters& BaseCounters::operator+=(const BaseCounters& o) noexcept {
    rx += relaxed(o.rx);
    tx += relaxed(o.tx);
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] += relaxed(o.sent[i]);
    for (std::size_t i = 0; i < refused.size(); ++i) refused[i] += relaxed(o.refused[i]);
    for (std::size_t i = 0; i < drops.size(); ++i) drops[i] += relaxed(o.drops[i]);
    return *this;
}

BaseCounters sum_base(const std::vector<LcoreBase>& blocks, std::uint16_t port) noexcept {
    BaseCounters s;
    for (const auto& b : blocks) s += b.port[port];
    return s;
}

}  // namespace pw::pipeline
