#include "apps/flood/resolve.hh"

#include <map>

#include <fmt/format.h>

namespace pw::flood {

namespace {

// The port whose subnets hold a, if any.
std::optional<std::uint16_t> port_on_link(const route::InterfaceTable& ifaces,
                                          const gen::Target& t) {
    for (std::uint16_t p = 0; p < route::max_ports; ++p) {
        const auto* ifc = ifaces.find(p);
        if (ifc == nullptr) continue;
        if (t.v6) {
            for (std::size_t i = 0; i < ifc->n6; ++i)
                if (!ifc->v6[i].addr.is_link_local() && ifc->v6[i].contains(t.v6addr)) return p;
        } else {
            for (std::size_t i = 0; i < ifc->n4; ++i)
                if (ifc->v4[i].contains(t.v4)) return p;
        }
    }
    return std::nullopt;
}

}  // namespace

Resolver::Resolver(const gen::TargetSet& targets, const route::InterfaceTable& ifaces,
                   std::optional<wire::Ipv4Addr> gw4, std::optional<wire::Ipv6Addr> gw6,
                   std::vector<pipeline::TargetHop>& hops, std::uint64_t timeout_ns)
    : targets_(targets), ifaces_(ifaces), hops_(hops), timeout_ns_(timeout_ns) {
    hops_.assign(targets.size(), {});
    want_of_.assign(targets.size(), 0);
    std::map<std::pair<std::uint16_t, std::array<std::uint8_t, 16>>, std::uint32_t> index;
    auto want = [&](std::uint16_t port, bool v6, const wire::Ipv6Addr& key, bool gateway) {
        const auto k = std::make_pair(port, key.bytes);
        auto it = index.find(k);
        if (it != index.end()) return it->second;
        Want w;
        w.key =
            v6 ? route::NeighKey::of(port, key) : route::NeighKey::of(port, wire::v4_unmapped(key));
        w.gateway = gateway;
        wanted_.push_back(w);
        const auto i = static_cast<std::uint32_t>(wanted_.size() - 1);
        index.emplace(k, i);
        return i;
    };
    for (std::uint64_t i = 0; i < targets.size(); ++i) {
        const gen::Target t = targets.at(i);
        if (const auto p = port_on_link(ifaces, t)) {
            hops_[i].port = static_cast<std::uint8_t>(*p);
            want_of_[i] = want(*p, t.v6, t.key(), false);
            continue;
        }
        // Off every subnet: the gateway (options checked it is on a subnet).
        gen::Target g;
        g.v6 = t.v6;
        if (t.v6 && gw6) g.v6addr = *gw6;
        if (!t.v6 && gw4) g.v4 = *gw4;
        const auto p = port_on_link(ifaces, g);
        hops_[i].port = static_cast<std::uint8_t>(p.value_or(0));
        want_of_[i] = want(p.value_or(0), t.v6, g.key(), true);
    }
}

bool Resolver::tick(app::NeighbourService& neigh, std::uint64_t now_ns) {
    if (started_ns_ == 0) started_ns_ = now_ns == 0 ? 1 : now_ns;
    // At most 256 new resolutions a millisecond: the control ring and the wire stay sane.
    for (unsigned n = 0; asked_ < wanted_.size() && n < 256; ++n, ++asked_)
        neigh.want(wanted_[asked_].key, now_ns);
    if (now_ns < next_check_ns_) return false;
    next_check_ns_ = now_ns + 5'000'000;
    std::size_t settled = 0;
    resolved_ = 0;
    for (auto& w : wanted_) {
        if (!w.resolved) {
            const route::NeighView v = neigh.table().lookup(w.key);
            if (v.found &&
                (v.state == route::NeighState::reachable || v.state == route::NeighState::stale)) {
                w.resolved = true;
                w.mac = v.mac;
            } else if (v.found && v.state == route::NeighState::failed) {
                ++settled;
                continue;
            }
        }
        if (w.resolved) {
            ++settled;
            ++resolved_;
        }
    }
    const bool done = (asked_ == wanted_.size() && settled == wanted_.size()) ||
                      now_ns - started_ns_ >= timeout_ns_;
    if (done) fill_hops();
    return done;
}

void Resolver::fill_hops() {
    for (std::size_t i = 0; i < hops_.size(); ++i) {
        const Want& w = wanted_[want_of_[i]];
        hops_[i].ok = w.resolved;
        hops_[i].mac = w.mac;
    }
}

std::optional<std::string> Resolver::failure() const {
    for (const auto& w : wanted_)
        if (!w.resolved)
            return fmt::format(
                "no {} reply from {} on port {} after {:g} s",
                w.key.family == route::Family::v6 ? "NDP" : "ARP",
                w.key.family == route::Family::v6 ? w.key.v6.to_string() : w.key.v4.to_string(),
                w.key.port, static_cast<double>(timeout_ns_) / 1e9);
    return std::nullopt;
}

bool Resolver::gateway_failed() const noexcept {
    for (const auto& w : wanted_)
        if (w.gateway && !w.resolved) return true;
    return false;
}

}  // namespace pw::flood
