// The DPDK telemetry commands of the IP and TCP counters (RFC 4293, RFC 4022), named as nstat
// names Linux's (/proc/net/snmp Ip, IpExt, Tcp; /proc/net/snmp6 Ip6), summed over the workers
// and the ports, every key always present:
//   /pingwire/ip    IpInReceives, IpInHdrErrors, ... IpExtInNoRoutes, IpExtInCsumErrors
//   /pingwire/ip6   Ip6InReceives, ... Ip6OutForwDatagrams, Ip6InNoRoutes, Ip6InMcastPkts
//   /pingwire/tcp   TcpInSegs, TcpOutSegs, TcpOutRsts, TcpInErrs, TcpInCsumErrors
// The callbacks run on DPDK's telemetry threads and read the per-lcore counters with relaxed
// loads, as the exit summary does.
#pragma once

#include <vector>

#include "lib/pipeline/host_counters.hh"

namespace pw::responder {

class IpTelemetry {
public:
    // Registers the commands; host is read until this object is destroyed (then the commands
    // answer {"error": "stopping"}: DPDK cannot unregister them).
    explicit IpTelemetry(const std::vector<pipeline::LcoreHost>& host);
    IpTelemetry(const IpTelemetry&) = delete;
    IpTelemetry& operator=(const IpTelemetry&) = delete;
    ~IpTelemetry();
};

}  // namespace pw::responder
