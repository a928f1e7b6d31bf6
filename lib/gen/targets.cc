#include "lib/gen/targets.hh"

#include <algorithm>
#include <cstddef>
#include <string>

namespace pw::gen {

namespace {

// Addresses as 128-bit numbers (IPv4 mapped), so a range is [first, first + count) and
// host counts of any IPv6 prefix (up to 2^128 - 1 for ::/0) are computed without overflow.
__extension__ typedef unsigned __int128 u128;

u128 to_u128(const wire::Ipv6Addr& a) noexcept {
    u128 v = 0;
    for (const std::uint8_t b : a.bytes) v = (v << 8) | b;
    return v;
}

wire::Ipv6Addr from_u128(u128 v) noexcept {
    wire::Ipv6Addr a;
    for (std::size_t i = 16; i-- > 0;) {
        a.bytes[i] = static_cast<std::uint8_t>(v);
        v >>= 8;
    }
    return a;
}

std::string decimal(u128 v) {
    if (v == 0) return "0";
    std::string s;
    while (v != 0) {
        s.push_back(static_cast<char>('0' + static_cast<unsigned>(v % 10)));
        v /= 10;
    }
    std::reverse(s.begin(), s.end());
    return s;
}

std::string not_an_address(std::string_view text) {
    return "'" + std::string(text) + "' is not an IPv4 or IPv6 address or prefix";
}

}  // namespace

std::string Target::to_string() const {
    return v6 ? v6addr.to_string() : v4.to_string();
}

std::optional<std::string> TargetSet::add(std::string_view text, std::uint64_t max) {
    const auto slash = text.find('/');
    const std::string_view addr_text = text.substr(0, slash);
    const bool is_prefix = slash != std::string_view::npos;

    Range r;
    r.text = std::string(text);
    r.prefix = is_prefix;
    u128 addr = 0;
    unsigned bits = 0;
    if (const auto a4 = wire::Ipv4Addr::parse(addr_text)) {
        r.v6 = false;
        bits = 32;
        addr = to_u128(wire::v4_mapped(*a4));
    } else if (const auto a6 = wire::Ipv6Addr::parse(addr_text)) {
        r.v6 = true;
        bits = 128;
        addr = to_u128(*a6);
    } else {
        return not_an_address(text);
    }

    unsigned len = bits;
    if (is_prefix) {
        const std::string_view len_text = text.substr(slash + 1);
        if (len_text.empty() || len_text.size() > 3 ||
            !std::all_of(len_text.begin(), len_text.end(),
                         [](char c) { return c >= '0' && c <= '9'; }))
            return not_an_address(text);
        len = 0;
        for (const char c : len_text) len = len * 10 + static_cast<unsigned>(c - '0');
        if (len > bits)
            return "'" + r.text + "': prefix length " + std::to_string(len) +
                   " is out of range for " + (r.v6 ? "IPv6 (0..128)" : "IPv4 (0..32)");
    }

    // Host bits set in a prefix (198.18.0.5/28) are masked off, as fping -g does. For IPv4
    // the mask keeps the ::ffff: part of the mapped address.
    const unsigned host_len = bits - len;
    const u128 host_bits = host_len == 128 ? ~u128{0} : (u128{1} << host_len) - 1;
    const u128 network = addr & ~host_bits;
    u128 hosts = 0;
    u128 first = network;
    if (len == bits) {
        hosts = 1;
    } else if (len == bits - 1) {
        hosts = 2;  // RFC 3021 /31; RFC 6164 /127: both addresses are hosts
    } else if (!r.v6) {
        hosts = host_bits - 1;  // all but network and broadcast
        first = network + 1;
    } else {
        hosts = host_bits;  // all but prefix:: (Subnet-Router anycast, RFC 4291 2.6.1)
        first = network + 1;
    }

    if (hosts > max)
        return r.text + " holds " + decimal(hosts) + " addresses, more than --max-targets " +
               std::to_string(max);
    if (u128{size_} + hosts > max)
        return r.text + " holds " + decimal(hosts) + " addresses, " + decimal(u128{size_} + hosts) +
               " targets in all, more than --max-targets " + std::to_string(max);

    r.first = from_u128(first);
    r.count = static_cast<std::uint64_t>(hosts);
    r.start = size_;

    // Index the addresses of this range not held by an earlier one: the gaps between the
    // segments that overlap [first, last].
    const u128 last = first + hosts - 1;
    const std::size_t range_index = ranges_.size();
    std::vector<Segment> added;
    u128 cursor = first;  // the next address not yet covered
    bool done = false;
    auto it = std::lower_bound(segments_.begin(), segments_.end(), first,
                               [](const Segment& s, u128 v) { return to_u128(s.last) < v; });
    for (; it != segments_.end() && !done; ++it) {
        const u128 lo = to_u128(it->lo);
        if (lo > last) break;
        if (lo > cursor) added.push_back({from_u128(cursor), from_u128(lo - 1), range_index});
        const u128 seg_last = to_u128(it->last);
        if (seg_last >= last)
            done = true;
        else
            cursor = seg_last + 1;
    }
    if (!done) added.push_back({from_u128(cursor), from_u128(last), range_index});
    segments_.insert(segments_.end(), added.begin(), added.end());
    std::sort(segments_.begin(), segments_.end(),
              [](const Segment& a, const Segment& b) { return a.lo.bytes < b.lo.bytes; });

    size_ += r.count;
    ranges_.push_back(std::move(r));
    return std::nullopt;
}

bool TargetSet::has_v4() const noexcept {
    return std::any_of(ranges_.begin(), ranges_.end(), [](const Range& r) { return !r.v6; });
}

bool TargetSet::has_v6() const noexcept {
    return std::any_of(ranges_.begin(), ranges_.end(), [](const Range& r) { return r.v6; });
}

bool TargetSet::is_sweep() const noexcept {
    return size_ > 1 ||
           std::any_of(ranges_.begin(), ranges_.end(), [](const Range& r) { return r.prefix; });
}

Target TargetSet::at(std::uint64_t index) const noexcept {
    // The last range starting at or before index.
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), index,
                               [](std::uint64_t i, const Range& r) { return i < r.start; });
    Target t;
    if (it == ranges_.begin()) return t;  // empty set: index out of range
    --it;
    const std::uint64_t off = index - it->start;
    t.v6 = it->v6;
    if (!t.v6) {  // the data path's common case: 32-bit arithmetic
        t.v4 = wire::Ipv4Addr::from_u32(wire::v4_unmapped(it->first).to_u32() +
                                        static_cast<std::uint32_t>(off));
        return t;
    }
    // The low 64 bits plus the offset, the carry into the high 64 bits.
    std::uint64_t hi = 0, lo = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        hi = hi << 8 | it->first.bytes[i];
        lo = lo << 8 | it->first.bytes[8 + i];
    }
    const std::uint64_t sum = lo + off;
    hi += sum < lo ? 1 : 0;
    for (std::size_t i = 0; i < 8; ++i) {
        t.v6addr.bytes[7 - i] = static_cast<std::uint8_t>(hi >> (8 * i));
        t.v6addr.bytes[15 - i] = static_cast<std::uint8_t>(sum >> (8 * i));
    }
    return t;
}

std::optional<std::uint64_t> TargetSet::index_of(const wire::Ipv6Addr& key) const noexcept {
    // The last segment starting at or before key.
    auto it = std::upper_bound(
        segments_.begin(), segments_.end(), key,
        [](const wire::Ipv6Addr& k, const Segment& s) { return k.bytes < s.lo.bytes; });
    if (it == segments_.begin()) return std::nullopt;
    --it;
    if (it->last.bytes < key.bytes) return std::nullopt;
    const Range& r = ranges_[it->range];
    return r.start + static_cast<std::uint64_t>(to_u128(key) - to_u128(r.first));
}

std::string TargetSet::describe() const {
    std::string s;
    for (const Range& r : ranges_) {
        if (!s.empty()) s += ' ';
        s += r.text;
    }
    return s;
}

}  // namespace pw::gen
