// The forwarding table of router mode: longest-prefix match over DPDK's rte_fib (IPv4, DIR24_8)
// and rte_fib6 (IPv6, TRIE), both with 4-byte next hops that index a table of NextHop values.
//
// Built on the control path (init, add_connected / add_interfaces, add) before the workers start;
// after that nobody writes, and the workers read it without locks (rte_fib's lookups only read).
// Adding routes while workers run is not supported: rte_fib's updates are not atomic for readers.
// Destroy it before rte_eal_cleanup (it frees DPDK memory). A rejected add leaves the table as it
// was.
//
// Memory: each family's table is 2^24 next-hop slots of 4 bytes (64 MiB) plus 1 KiB per tbl8
// group (IPv4: one per route longer than /24; IPv6: up to 13 per route), from DPDK memory.
//
// The --deny ACL lives in the same table: a denied prefix is a route of kind `deny`, and every
// route inside a denied prefix (also a more specific one) is installed with the deny next hop,
// so one lookup answers both "is it denied" and "where does it go", and the ACL beats routing.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lib/route/interfaces.hh"
#include "lib/route/route_spec.hh"
#include "lib/wire/addr.hh"

struct rte_fib;
struct rte_fib6;

namespace pw::route {

enum class RouteKind : std::uint8_t {
    none,       // no route: Destination Unreachable, v4 code 0 (as Linux), v6 code 0
    connected,  // on the link of `port`: the destination itself is the next hop
    via,        // to the gateway gw4 / gw6 on the link of `port`
    reject,     // --route ...,reject: Administratively Prohibited, v4 code 13, v6 code 1
    blackhole,  // --route ...,blackhole: drop silently
    deny,       // --deny: Communication Administratively Prohibited (count apart from reject)
};

const char* to_string(RouteKind k) noexcept;

struct NextHop {
    RouteKind kind = RouteKind::none;
    std::uint16_t port = 0;  // egress port (connected and via)
    wire::Ipv4Addr gw4;      // via, IPv4 routes
    wire::Ipv6Addr gw6;      // via, IPv6 routes (may be link-local)
    friend bool operator==(const NextHop&, const NextHop&) = default;
};

// One route as installed, for dumps and tests (control path).
struct RouteInfo {
    Prefix prefix;
    NextHop next_hop;            // what lookups return (deny when the prefix lies in a denied one)
    std::optional<NextHop> own;  // the route's own next hop (none for a bare --deny prefix)
};

class Fib {
public:
    // rte_fib keeps one bit of each 4-byte next hop for itself: 2^31 - 1 is its largest value.
    static constexpr std::uint32_t no_route = 0x7fffffffU;
    // How many addresses lookup_v4 / lookup_v6 take per call into rte_fib (they loop for more).
    static constexpr unsigned lookup_chunk = 64;

    Fib() = default;
    ~Fib();
    Fib(const Fib&) = delete;
    Fib& operator=(const Fib&) = delete;

    // Control path. Creates both tables; name (1..16 characters) must be unique in the process
    // (DPDK names its memory after it). max_routes counts connected prefixes, routes and deny
    // prefixes of that family (at least 1 each). Needs the EAL. Returns an error line.
    std::optional<std::string> init(const std::string& name, unsigned max_routes_v4,
                                    unsigned max_routes_v6);

    // Control path. The connected subnet of an address of `port` (from --port ID,addr=A/LEN; host
    // bits are cleared). The same subnet again on the same port is fine (a second address);
    // on another port it is an error. IPv6 link-local prefixes are skipped: they are never
    // forwarded (RFC 4291 2.5.6). Also records the address as ours: no gateway may be one.
    std::optional<std::string> add_connected(std::uint16_t port, const wire::Ipv4Prefix& p);
    std::optional<std::string> add_connected(std::uint16_t port, const wire::Ipv6Prefix& p);
    // add_connected for every address of every port in the table (and registers ports with no
    // global address, so that `port=ID` routes with an IPv6 link-local gateway can name them).
    std::optional<std::string> add_interfaces(const InterfaceTable& ifaces);

    // Control path, after the connected subnets. A via route's port is port= (the gateway must
    // then be on a connected subnet of that port, or IPv6 link-local), or else the port of the
    // longest connected subnet that holds the gateway; no such subnet is an error. A prefix given
    // twice (or equal to a connected subnet) is an error, as with `ip route add`.
    std::optional<std::string> add(const RouteSpec& spec);
    // Control path. A destination prefix that gets Administratively Prohibited whatever the
    // routes say (see the top of this file).
    std::optional<std::string> add(const DenySpec& spec);

    // Data path, any lcore, lock-free. ips: IPv4 addresses in host byte order (as rte_fib wants;
    // rte_be_to_cpu_32 of the header field). nh[i] gets a next-hop index or no_route.
    void lookup_v4(const std::uint32_t* ips, std::uint32_t* nh, unsigned n) const noexcept;
    // ips: IPv6 addresses as on the wire (16 bytes, network order).
    void lookup_v6(const std::uint8_t (*ips)[16], std::uint32_t* nh, unsigned n) const noexcept;
    std::uint32_t lookup(const wire::Ipv4Addr& a) const noexcept;
    std::uint32_t lookup(const wire::Ipv6Addr& a) const noexcept;
    // Any index (no_route too) gives a NextHop; unknown ones give kind none.
    const NextHop& next_hop(std::uint32_t idx) const noexcept {
        return idx < n_hops_ ? hops_[idx] : none_hop_;
    }
    // The --deny ACL alone (one lookup): for traffic the FIB does not decide, e.g. to our own
    // addresses, if the caller wants the ACL there too.
    bool is_denied(const wire::Ipv4Addr& a) const noexcept {
        return next_hop(lookup(a)).kind == RouteKind::deny;
    }
    bool is_denied(const wire::Ipv6Addr& a) const noexcept {
        return next_hop(lookup(a)).kind == RouteKind::deny;
    }

    // Control path: what is installed, for --stats dumps and tests.
    std::vector<RouteInfo> routes() const;
    std::size_t size_v4() const noexcept { return routes4_.size(); }
    std::size_t size_v6() const noexcept { return routes6_.size(); }
    std::span<const NextHop> next_hops() const noexcept { return {hops_.data(), n_hops_}; }

private:
    template <class P>
    struct Route {
        P prefix;                          // the network (host bits zero)
        std::optional<std::uint32_t> own;  // the route's own next hop
        bool denied = false;               // a --deny prefix
    };
    template <class P>
    struct Connected {
        std::uint16_t port;
        P net;
    };
    template <class A>
    struct Ours {
        std::uint16_t port;
        A addr;
    };
    using Key6 = std::pair<std::array<std::uint8_t, 16>, std::uint8_t>;

    std::optional<std::string> add_route4(const wire::Ipv4Prefix& p,
                                          std::optional<std::uint32_t> own, bool deny);
    std::optional<std::string> add_route6(const wire::Ipv6Prefix& p,
                                          std::optional<std::uint32_t> own, bool deny);
    // Adds or updates one route of either family (the tables of that family passed in).
    template <class P, class Key>
    std::optional<std::string> add_route(const P& p, const Key& key,
                                         std::map<Key, std::size_t>& index,
                                         std::vector<Route<P>>& routes, std::vector<P>& denies,
                                         unsigned max, const char* family,
                                         std::optional<std::uint32_t> own, bool deny);
    std::optional<std::string> install(const Route<wire::Ipv4Prefix>& r);
    std::optional<std::string> install(const Route<wire::Ipv6Prefix>& r);
    std::uint32_t effective4(const Route<wire::Ipv4Prefix>& r) const noexcept;
    std::uint32_t effective6(const Route<wire::Ipv6Prefix>& r) const noexcept;
    std::optional<std::uint32_t> hop_index(const NextHop& h);
    std::optional<std::string> check_port(std::uint16_t port) const;

    static constexpr std::uint32_t reject_idx = 0;
    static constexpr std::uint32_t blackhole_idx = 1;
    static constexpr std::uint32_t deny_idx = 2;

    rte_fib* fib4_ = nullptr;
    rte_fib6* fib6_ = nullptr;
    unsigned max4_ = 0;
    unsigned max6_ = 0;
    // Next hops: reserved at init and never reallocated, so data-path reads of hops_ are stable.
    std::vector<NextHop> hops_;
    std::size_t n_hops_ = 0;
    NextHop none_hop_{};
    // Control path only. Routes by prefix (index into routes4_ / routes6_), the --deny prefixes,
    // the connected subnets and our own addresses (for gateway checks).
    std::vector<Route<wire::Ipv4Prefix>> routes4_;
    std::vector<Route<wire::Ipv6Prefix>> routes6_;
    std::map<std::uint64_t, std::size_t> index4_;
    std::map<Key6, std::size_t> index6_;
    std::vector<wire::Ipv4Prefix> deny4_;
    std::vector<wire::Ipv6Prefix> deny6_;
    std::vector<Connected<wire::Ipv4Prefix>> conn4_;
    std::vector<Connected<wire::Ipv6Prefix>> conn6_;
    std::vector<Ours<wire::Ipv4Addr>> ours4_;
    std::vector<Ours<wire::Ipv6Addr>> ours6_;
    std::array<bool, max_ports> known_port_{};
};

}  // namespace pw::route
