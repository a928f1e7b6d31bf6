// Next-hop resolution before the first probe, on the control lcore: each target's port and
// next hop (the target itself on a connected subnet, else --gw), a want() per distinct next
// hop (throttled), then the neighbour table watched until each is resolved or failed (Linux
// gives up after 3 probes a second apart: RFC 4861 7.3.3, mcast_solicit 3) or the time is up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apps/skeleton/neighbour_service.hh"
#include "lib/gen/targets.hh"
#include "lib/pipeline/flood_stage.hh"
#include "lib/route/interfaces.hh"

namespace pw::flood {

class Resolver {
public:
    // hops: one per target, filled when done.
    Resolver(const gen::TargetSet& targets, const route::InterfaceTable& ifaces,
             std::optional<wire::Ipv4Addr> gw4, std::optional<wire::Ipv6Addr> gw6,
             std::vector<pipeline::TargetHop>& hops, std::uint64_t timeout_ns);

    // Distinct next hops to resolve (sizes the neighbour table).
    std::size_t next_hops() const noexcept { return wanted_.size(); }
    // One control tick; true once every next hop is resolved or given up.
    bool tick(app::NeighbourService& neigh, std::uint64_t now_ns);
    std::size_t resolved() const noexcept { return resolved_; }
    // The first next hop that did not resolve, as the one-line error of a run that cannot
    // start ("no ARP reply from 198.18.0.1 on port 0 after 3 s"); nullopt when all resolved.
    std::optional<std::string> failure() const;
    // True when a gateway (the next hop of many targets) did not resolve: nothing can be sent.
    bool gateway_failed() const noexcept;

private:
    struct Want {
        route::NeighKey key;
        bool gateway = false;
        bool resolved = false;
        wire::MacAddr mac;
    };
    void fill_hops();

    const gen::TargetSet& targets_;
    const route::InterfaceTable& ifaces_;
    std::vector<pipeline::TargetHop>& hops_;
    std::vector<Want> wanted_;
    std::vector<std::uint32_t> want_of_;  // per target: its next hop in wanted_
    std::size_t asked_ = 0;               // wants issued so far
    std::size_t resolved_ = 0;
    std::uint64_t timeout_ns_;
    std::uint64_t started_ns_ = 0;
    std::uint64_t next_check_ns_ = 0;
};

}  // namespace pw::flood
