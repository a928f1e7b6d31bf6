// The exit summary's (and --stats-interval's) lines for the interfaces beside the ports: one
// per VLAN sub-interface and one per --respond prefix, summed over the lcores. Nothing when
// there are none.
#pragma once

#include <string>
#include <vector>

#include "lib/pipeline/host_counters.hh"
#include "lib/route/interfaces.hh"

namespace pw::pipeline {

icmp::VlanCounters sum_vlan(const std::vector<LcoreHost>& host, std::size_t subif) noexcept;
icmp::RespondCounters sum_respond(const std::vector<LcoreHost>& host, std::size_t slot) noexcept;

// "port 0.100: rx N answered N errors N held N dropped N (vlan 100 of port 0, mtu N, addrs)"
// and its non-zero replies, per sub-interface.
std::string format_vlan_reports(const route::InterfaceTable& ifaces,
                                const std::vector<LcoreHost>& host);

// "respond 198.18.77.0/24 on port 0: echo N neigh N other N", per prefix.
std::string format_respond_reports(const route::InterfaceTable& ifaces,
                                   const std::vector<LcoreHost>& host);

}  // namespace pw::pipeline
