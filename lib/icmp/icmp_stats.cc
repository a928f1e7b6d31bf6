#include "lib/icmp/icmp_stats.hh"

namespace pw::icmp {

namespace {
// Counters are written by one worker and read by the main lcore: relaxed loads.
std::uint64_t relaxed(const std::uint64_t& v) noexcept {
    return __atomic_load_n(&v, __ATOMIC_RELAXED);
}
}  // namespace

IcmpMib& IcmpMib::operator+=(const IcmpMib& o) noexcept {
    in_msgs += relaxed(o.in_msgs);
    in_errors += relaxed(o.in_errors);
    in_csum_errors += relaxed(o.in_csum_errors);
    out_msgs += relaxed(o.out_msgs);
    out_errors += relaxed(o.out_errors);
    out_rate_limit_global += relaxed(o.out_rate_limit_global);
    out_rate_limit_host += relaxed(o.out_rate_limit_host);
    for (std::size_t i = 0; i < 256; ++i) {
        in_type[i] += relaxed(o.in_type[i]);
        out_type[i] += relaxed(o.out_type[i]);
    }
    return *this;
}

IpMib& IpMib::operator+=(const IpMib& o) noexcept {
    for (std::size_t i = 0; i < n.size(); ++i) n[i] += relaxed(o.n[i]);
    return *this;
}

TcpMib& TcpMib::operator+=(const TcpMib& o) noexcept {
    for (std::size_t i = 0; i < n.size(); ++i) n[i] += relaxed(o.n[i]);
    return *this;
}

IcmpStats& IcmpStats::operator+=(const IcmpStats& o) noexcept {
    v4 += o.v4;
    v6 += o.v6;
    ip4 += o.ip4;
    ip6 += o.ip6;
    tcp += o.tcp;
    for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += relaxed(o.errors[i]);
    return *this;
}

}  // namespace pw::icmp
