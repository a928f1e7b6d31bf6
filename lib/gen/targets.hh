// The run's targets: addresses and prefixes (--dst, repeatable, IPv4 and IPv6), each prefix a
// sweep over its host addresses. IPv4 prefixes shorter than /31 skip the network and
// broadcast addresses (RFC 3021 for /31); IPv6 prefixes shorter than /127 skip the
// Subnet-Router anycast address (prefix::, RFC 4291 2.6.1). Index 0..size()-1 over all of them
// in the order given; no per-address storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/wire/addr.hh"

namespace pw::gen {

struct Target {
    bool v6 = false;
    wire::Ipv4Addr v4;
    wire::Ipv6Addr v6addr;
    wire::Ipv6Addr key() const noexcept { return v6 ? v6addr : wire::v4_mapped(v4); }
    std::string to_string() const;
};

class TargetSet {
public:
    struct Range {
        std::string text;  // as given
        bool v6 = false;
        wire::Ipv6Addr first;  // mapped for IPv4
        std::uint64_t count = 0;
        std::uint64_t start = 0;  // index of first in the set
        bool prefix = false;      // given as a prefix (a sweep)
    };

    // "198.18.0.1", "198.18.0.0/28", "2001:2::5", "2001:2::/120". Returns why not, one line.
    // A prefix with more than max host addresses (or whose total would pass max) is refused
    // ("2001:2::/64 holds 18446744073709551615 addresses, more than --max-targets 1048576").
    std::optional<std::string> add(std::string_view text, std::uint64_t max);

    std::uint64_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    bool has_v4() const noexcept;
    bool has_v6() const noexcept;
    // More than one address, or any prefix: results are reported host by host.
    bool is_sweep() const noexcept;
    // index < size(); O(log ranges).
    Target at(std::uint64_t index) const noexcept;
    // The index of an address (mapped for IPv4), if it is one of the targets. O(log ranges).
    std::optional<std::uint64_t> index_of(const wire::Ipv6Addr& key) const noexcept;
    const std::vector<Range>& ranges() const noexcept { return ranges_; }
    // The --dst texts joined by spaces (the summary's header).
    std::string describe() const;

private:
    // The union of the ranges' addresses as disjoint intervals sorted by address, each owned
    // by the first range (in --dst order) that holds it: index_of is one binary search, and an
    // address given twice (overlapping --dst) maps to its first index.
    struct Segment {
        wire::Ipv6Addr lo;    // first address (mapped for IPv4)
        wire::Ipv6Addr last;  // last address, inclusive
        std::size_t range = 0;
    };
    std::vector<Range> ranges_;
    std::vector<Segment> segments_;
    std::uint64_t size_ = 0;
};

}  // namespace pw::gen
