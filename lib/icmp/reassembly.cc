#include "lib/icmp/reassembly.hh"

#include <algorithm>
#include <cstring>

#include "lib/wire/checksum.hh"
#include "lib/wire/ipv4.hh"

namespace pw::icmp {

namespace ipv4 = wire::ipv4;
namespace ipv6 = wire::ipv6;
using wire::Drop;

namespace {

// RFC 791 3.1 (Total Length) and RFC 8200 3 (Payload Length): 16-bit fields.
constexpr std::size_t max_ip_length = 65535;
constexpr std::size_t max_fragments_cap = 8192;  // non-empty disjoint fragments of <= 65535 bytes

}  // namespace

void Reassembler::configure(const ReassemblyConfig& config) {
    config_ = config;
    config_.max_datagrams = std::max<std::size_t>(config_.max_datagrams, 1);
    config_.max_fragments = std::clamp<std::size_t>(config_.max_fragments, 1, max_fragments_cap);
    const std::size_t n = config_.max_datagrams;
    // Two more buffers than slots: the scratch buffers of pass-through results (atomic
    // fragments), used in turn so that the previous result stays valid during the next call.
    buffers_ = std::make_unique<std::byte[]>((n + 2) * slot_bytes);
    ranges_ = std::make_unique<Range[]>(n * config_.max_fragments);
    slots_.assign(n, Slot{});
    held_ = none;
    scratch_ = 0;
    pending_ = 0;
    next_deadline_ = never;
}

Reassembler::Result Reassembler::drop(Drop reason) noexcept {
    ++stats_.fails;
    Result r;
    r.kind = Result::Kind::dropped;
    r.reason = reason;
    return r;
}

// The whole datagram goes; its slot stays as a tombstone until its timeout so that the
// fragments still on their way are dropped too (RFC 5722 3, RFC 8200 4.5: "the entire
// datagram (and any constituent fragments) must be silently discarded").
Reassembler::Result Reassembler::kill(std::size_t i, Drop reason) noexcept {
    Slot& s = slots_[i];
    if (s.state == State::pending) --pending_;
    s.state = State::dead;
    s.reason = reason;
    return drop(reason);
}

void Reassembler::free_slot(std::size_t i) noexcept {
    Slot& s = slots_[i];
    if (s.state == State::pending) --pending_;
    s.state = State::free;
}

std::size_t Reassembler::find(const Key& k) const noexcept {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const Slot& s = slots_[i];
        if ((s.state == State::pending || s.state == State::dead) && s.key == k) return i;
    }
    return none;
}

// A free slot; else a tombstone; else the pending datagram whose timeout passed first (its
// Time Exceeded is lost: expire() was late). Never more than max_datagrams.
std::size_t Reassembler::allocate(std::uint64_t now_ns) noexcept {
    std::size_t dead = none;
    std::size_t stale = none;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const Slot& s = slots_[i];
        if (s.state == State::free) return i;
        if (s.state == State::dead && dead == none) dead = i;
        if (s.state == State::pending && now_ns >= s.deadline &&
            (stale == none || s.deadline < slots_[stale].deadline))
            stale = i;
    }
    if (dead != none) {
        free_slot(dead);
        return dead;
    }
    if (stale != none) {
        count_timeout();
        free_slot(stale);
        return stale;
    }
    return none;
}

const Reassembler::Expired& Reassembler::expired_view(std::size_t i) noexcept {
    const Slot& s = slots_[i];
    const std::byte* buf = buffer(i);
    expired_ = Expired{};
    expired_.v6 = s.key.v6 != 0;
    expired_.port = s.key.port;
    expired_.l2 = wire::ConstBytes(s.l2.data(), s.l2_len);
    expired_.have_first = s.have_first;
    if (s.have_first) {
        // The offset-0 fragment's headers sit just before the data, as they arrived, and its
        // data is the start of the data region (an overlap would have killed the datagram).
        expired_.first_fragment[0] = wire::ConstBytes(buf + data_offset - s.head_len, s.head_len);
        expired_.first_fragment[1] = wire::ConstBytes(buf + data_offset, s.first_data);
        expired_.first_len = std::size_t{s.head_len} + s.first_data;
    }
    return expired_;
}

// Not a fragment after all (IPv4 offset 0 and MF clear), or an IPv6 atomic fragment
// (RFC 6946 4: processed in isolation from any other fragment, whatever its
// identification): copied to a scratch buffer, Fragment header removed.
Reassembler::Result Reassembler::pass_through(const Frag& f, bool v6) noexcept {
    std::byte* buf = buffer(slots_.size() + scratch_);
    scratch_ ^= 1;
    std::byte* p = buf;
    std::memcpy(p, f.l2.data(), f.l2.size());
    p += f.l2.size();
    const std::size_t head = v6 ? f.frag_hdr : f.head.size();
    std::memcpy(p, f.head.data(), head);
    std::memcpy(p + head, f.data.data(), f.data.size());
    const std::size_t l3_len = head + f.data.size();
    if (v6) {
        const wire::Bytes l3(p, l3_len);
        // RFC 8200 4.5: the Next Header of the last unfragmentable header takes the Fragment
        // header's Next Header value; the Payload Length loses the Fragment header.
        wire::store8(l3, f.nh_field, wire::load8(f.head, f.frag_hdr));
        wire::store16(l3, ipv6::field::payload_length,
                      static_cast<std::uint16_t>(l3_len - ipv6::header_len));
    }
    ++stats_.oks;
    Result r;
    r.kind = Result::Kind::complete;
    r.frame = wire::Bytes(buf, f.l2.size() + l3_len);
    r.l2_len = f.l2.size();
    return r;
}

Reassembler::Result Reassembler::insert_v4(wire::ConstBytes l2, wire::ConstBytes l3,
                                           std::uint16_t port, std::uint64_t now_ns) noexcept {
    const std::size_t held = begin_call(l2, l3);
    const Result r = [&]() noexcept -> Result {
        ++stats_.reqds;
        const auto ip = ipv4::View<const std::byte>::checked(l3);
        if (!ip) return drop(ip.reason());
        if (l2.size() > max_l2_len || slots_.empty()) return drop(Drop::no_room);
        Frag f;
        // RFC 791 3.2: fragments belong together when source, destination, protocol and
        // identification agree (and, here, the port they came in on).
        const auto src = ip->src();
        const auto dst = ip->dst();
        std::copy(src.bytes.begin(), src.bytes.end(), f.key.src.begin());
        std::copy(dst.bytes.begin(), dst.bytes.end(), f.key.dst.begin());
        f.key.ident = ip->ident();
        f.key.protocol = ip->protocol();
        f.key.port = port;
        f.key.v6 = 0;
        f.l2 = l2;
        f.head = ip->header();
        f.data = ip->payload();
        f.offset = ip->frag_offset();
        f.more = ip->more_fragments();
        if (f.offset == 0 && !f.more) return pass_through(f, false);
        // RFC 791 3.2: every fragment but the last carries a multiple of 8 data octets.
        if (f.more && f.data.size() % 8 != 0) return drop(Drop::reasm_bad_length);
        // An empty fragment adds nothing and is not sent by a correct fragmenter (Linux
        // discards it too).
        if (f.data.empty()) return drop(Drop::reasm_bad_length);
        // RFC 791 3.1: the Total Length of the reassembled datagram is a 16-bit field.
        if (f.head.size() + f.offset + f.data.size() > max_ip_length)
            return drop(Drop::reasm_too_big);
        return insert(f, now_ns);
    }();
    end_call(held);
    return r;
}

Reassembler::Result Reassembler::insert_v6(wire::ConstBytes l2, wire::ConstBytes l3,
                                           const ipv6::UpperLayer& up, std::uint16_t port,
                                           std::uint64_t now_ns) noexcept {
    const std::size_t held = begin_call(l2, l3);
    const Result r = [&]() noexcept -> Result {
        ++stats_.reqds;
        const auto ip = ipv6::View<const std::byte>::checked(l3);
        if (!ip) return drop(ip.reason());
        if (!up.fragment) return drop(Drop::ip6_bad_ext_header);
        if (l2.size() > max_l2_len || slots_.empty()) return drop(Drop::no_room);
        const wire::ConstBytes b = ip->bytes();
        // RFC 8200 4.5: the Unfragmentable Part is everything before the (first) Fragment
        // header. Each header is at least 8 bytes, so the walk takes at most size / 8 steps.
        std::uint8_t nh = wire::load8(b, ipv6::field::next_header);
        std::size_t off = ipv6::header_len;
        std::size_t nh_field = ipv6::field::next_header;
        while (nh == ipv6::nh_hop_by_hop || nh == ipv6::nh_routing || nh == ipv6::nh_dest_opts) {
            if (b.size() < off + 8) return drop(Drop::ip6_bad_ext_header);
            const std::size_t len = (std::size_t{wire::load8(b, off + 1)} + 1) * 8;
            if (b.size() < off + len) return drop(Drop::ip6_bad_ext_header);
            nh_field = off;
            nh = wire::load8(b, off);
            off += len;
        }
        if (nh != ipv6::nh_fragment || b.size() < off + 8) return drop(Drop::ip6_bad_ext_header);
        const std::uint16_t off_flags = wire::load16(b, off + 2);
        Frag f;
        // RFC 8200 4.5: fragments belong together when source, destination and
        // identification agree (and, here, the port they came in on).
        const auto src = ip->src();
        const auto dst = ip->dst();
        f.key.src = src.bytes;
        f.key.dst = dst.bytes;
        f.key.ident = wire::load32(b, off + 4);
        f.key.protocol = 0;
        f.key.port = port;
        f.key.v6 = 1;
        f.l2 = l2;
        f.head = b.first(off + 8);
        f.data = b.subspan(off + 8);
        f.offset = off_flags & 0xfff8U;
        f.more = (off_flags & 1U) != 0;
        f.frag_hdr = static_cast<std::uint32_t>(off);
        f.nh_field = static_cast<std::uint32_t>(nh_field);
        // RFC 6946 4: an atomic fragment (offset 0, M clear) is processed in isolation.
        if (f.offset == 0 && !f.more) return pass_through(f, true);
        // RFC 8200 4.5: a fragment with M set whose length is not a multiple of 8 is
        // discarded, with a Parameter Problem code 0 pointing at the Payload Length field.
        if (f.more && f.data.size() % 8 != 0) {
            Result d = drop(Drop::reasm_bad_length);
            d.param_problem = true;
            d.pointer = ipv6::field::payload_length;
            return d;
        }
        // An empty fragment adds nothing (Linux discards it too); no error.
        if (f.data.empty()) return drop(Drop::reasm_bad_length);
        // RFC 8200 4.5: if the Payload Length of the packet reassembled from this fragment
        // would exceed 65535, the fragment is discarded with a Parameter Problem code 0
        // pointing at its Fragment Offset field.
        if (off - ipv6::header_len + f.offset + f.data.size() > max_ip_length) {
            Result d = drop(Drop::reasm_too_big);
            d.param_problem = true;
            d.pointer = static_cast<std::uint32_t>(off + 2);
            return d;
        }
        return insert(f, now_ns);
    }();
    end_call(held);
    return r;
}

Reassembler::Result Reassembler::insert(const Frag& f, std::uint64_t now_ns) noexcept {
    const auto begin = f.offset;
    const auto end = static_cast<std::uint32_t>(f.offset + f.data.size());
    if (end > max_data) return drop(Drop::reasm_too_big);  // excluded by the callers' checks
    // The offset-0 fragment's headers are kept before the data: they must fit the head room.
    if (begin == 0 && f.head.size() > max_l3_head) return drop(Drop::no_room);

    std::size_t i = find(f.key);
    if (i == none) {
        i = allocate(now_ns);
        if (i == none) return drop(Drop::reasm_table_full);
        Slot& s = slots_[i];
        s = Slot{};
        s.key = f.key;
        const std::uint64_t timeout = f.key.v6 ? config_.timeout_v6_ns : config_.timeout_v4_ns;
        s.deadline = timeout <= never - now_ns ? now_ns + timeout : never;
        s.state = State::pending;
        s.l2_len = static_cast<std::uint8_t>(f.l2.size());
        std::memcpy(s.l2.data(), f.l2.data(), f.l2.size());
        ++pending_;
        next_deadline_ = std::min(next_deadline_, s.deadline);
    }
    Slot& s = slots_[i];
    // A datagram already dropped: its later fragments go the same way (RFC 5722 3).
    if (s.state == State::dead) return drop(s.reason);

    Range* rs = ranges(i);
    const std::size_t n = s.ranges;
    // The held ranges are sorted and disjoint, so their ends are sorted too: pos is the
    // first range ending after this fragment's start.
    const std::size_t pos = static_cast<std::size_t>(
        std::upper_bound(rs, rs + n, begin,
                         [](std::uint32_t v, const Range& r) { return v < r.end; }) -
        rs);
    // RFC 5722 3 (RFC 8200 4.5), and for IPv4 as Linux does: any overlap, an exact
    // duplicate included, drops the whole datagram.
    if (pos < n && rs[pos].begin < end) {
        ++stats_.overlaps;
        return kill(i, Drop::reasm_overlap);
    }
    // RFC 791 3.2, RFC 8200 4.5: the last fragment (MF / M clear) fixes the length. Data
    // past it, or a second last fragment with another end, cannot be reassembled.
    if (s.have_last && end > s.total) return kill(i, Drop::reasm_bad_length);
    if (!f.more && (s.have_last || s.max_end > end)) return kill(i, Drop::reasm_bad_length);
    // The table is bounded per datagram too.
    if (s.fragments >= config_.max_fragments) return kill(i, Drop::reasm_too_many_fragments);

    std::byte* buf = buffer(i);
    if (begin == 0) {
        // Kept as it arrived: quoted by a Time Exceeded on expiry, fixed up on completion.
        std::memcpy(buf + data_offset - f.head.size(), f.head.data(), f.head.size());
        s.have_first = true;
        s.head_len = static_cast<std::uint16_t>(f.head.size());
        s.frag_hdr = static_cast<std::uint16_t>(f.frag_hdr);
        s.nh_field = static_cast<std::uint16_t>(f.nh_field);
        s.first_data = static_cast<std::uint32_t>(f.data.size());
    }
    std::memcpy(buf + data_offset + begin, f.data.data(), f.data.size());

    const bool join_prev = pos > 0 && rs[pos - 1].end == begin;
    const bool join_next = pos < n && rs[pos].begin == end;
    if (join_prev && join_next) {
        rs[pos - 1].end = rs[pos].end;
        std::memmove(rs + pos, rs + pos + 1, (n - pos - 1) * sizeof(Range));
        --s.ranges;
    } else if (join_prev) {
        rs[pos - 1].end = end;
    } else if (join_next) {
        rs[pos].begin = begin;
    } else {
        // n < max_fragments: there are at most as many ranges as fragments.
        std::memmove(rs + pos + 1, rs + pos, (n - pos) * sizeof(Range));
        rs[pos] = Range{begin, end};
        ++s.ranges;
    }
    ++s.fragments;
    s.received += static_cast<std::uint32_t>(f.data.size());
    s.max_end = std::max(s.max_end, end);
    if (!f.more) {
        s.have_last = true;
        s.total = end;
    }
    // Disjoint ranges inside [0, total) adding up to total cover it.
    if (s.have_last && s.received == s.total) return complete_slot(i);
    return Result{};
}

Reassembler::Result Reassembler::complete_slot(std::size_t i) noexcept {
    Slot& s = slots_[i];
    std::byte* buf = buffer(i);
    std::byte* l3;
    std::size_t head;
    if (s.key.v6) {
        // RFC 8200 4.5 (reassembly): the Unfragmentable Part comes from the offset-0
        // fragment; the Fragment header goes; the Next Header field of the last header of the
        // Unfragmentable Part takes the Fragment header's Next Header; the Payload Length is
        // the Unfragmentable Part's length less 40, plus the fragmentable data.
        head = s.frag_hdr;
        const std::size_t payload = head - ipv6::header_len + s.total;
        if (payload > max_ip_length) return kill(i, Drop::reasm_too_big);
        std::byte* const arrived = buf + data_offset - s.head_len;
        const std::byte frag_nh = buf[data_offset - 8];
        l3 = buf + data_offset - head;
        std::memmove(l3, arrived, head);
        const wire::Bytes hdr(l3, head);
        hdr[s.nh_field] = frag_nh;
        wire::store16(hdr, ipv6::field::payload_length, static_cast<std::uint16_t>(payload));
    } else {
        // RFC 791 3.2 (reassembly): the header of the offset-0 fragment, with the total
        // length of the whole, MF and offset cleared, and a new header checksum.
        head = s.head_len;
        if (head + s.total > max_ip_length) return kill(i, Drop::reasm_too_big);
        l3 = buf + data_offset - head;
        const wire::Bytes hdr(l3, head);
        wire::store16(hdr, ipv4::field::total_length, static_cast<std::uint16_t>(head + s.total));
        wire::store16(
            hdr, ipv4::field::flags_frag,
            static_cast<std::uint16_t>(wire::load16(hdr, ipv4::field::flags_frag) & ipv4::flag_df));
        wire::store16(hdr, ipv4::field::checksum, 0);
        wire::store16(hdr, ipv4::field::checksum, wire::checksum(hdr));
    }
    std::byte* const frame = l3 - s.l2_len;
    std::memcpy(frame, s.l2.data(), s.l2_len);
    --pending_;
    s.state = State::held;  // out of use until the next call returns
    held_ = i;
    ++stats_.oks;
    Result r;
    r.kind = Result::Kind::complete;
    r.frame = wire::Bytes(frame, s.l2_len + head + s.total);
    r.l2_len = s.l2_len;
    return r;
}

}  // namespace pw::icmp
