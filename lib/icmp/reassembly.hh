// IPv4 and IPv6 reassembly (RFC 791 3.2, RFC 815, RFC 8200 4.5, RFC 5722, RFC 6946), bounded,
// and the fragmentation of datagrams we send (RFC 791 3.2, RFC 8200 4.5): see fragment.hh.
//
// One Reassembler per worker lcore. It is not thread-safe and is never shared. configure()
// (control path) allocates every buffer; insert_v4/insert_v6/expire then allocate nothing,
// throw nothing, lock nothing, and run in time bounded by max_datagrams + max_fragments.
//
// The table: max_datagrams slots. Each slot owns one buffer of slot_bytes (about 66 KiB):
//
//   [ L2 room (18) | L3 head room (512) | fragmentable data (65535) | tail room (256) ]
//                                      ^ data_offset
//
// A fragment's data is copied to data_offset + its offset; the offset-0 fragment's headers
// (its IP header, for IPv6 everything up to and including its Fragment header) are copied,
// as they arrived, to just before data_offset. On completion the headers are fixed in place
// (nothing of the data moves) and the L2 header is copied in front, so the result is one
// contiguous writable frame with at least tail_room bytes after it, in which an echo reply
// can be built in place.
//
// Memory per lcore: (max_datagrams + 2) * slot_bytes + max_datagrams * max_fragments * 8
// bytes plus about 150 bytes per slot: 4.2 MiB with the defaults (slot_bytes = 66368).
//
// Keys (which fragments belong together): IPv4 (source, destination, protocol,
// identification), RFC 791 3.2; IPv6 (source, destination, identification), RFC 8200 4.5;
// both also keyed on the receiving port.
//
// Lifetimes:
//  - Result::frame points into the Reassembler's memory. It stays valid, and its slot out of
//    use, until the next insert_v4/insert_v6/expire call (the frame may even be passed back
//    in: the slot is then released only when that call returns).
//  - Expired's spans are valid only inside the on_expired callback, which must not call
//    back into the same Reassembler.
//
// What is dropped, and whether the datagram goes with it:
//  - Per-fragment checks, before any lookup (only the fragment is dropped; a pending
//    datagram with its key is left alone, RFC 8200 4.5 "that fragment must be discarded"):
//    non-last fragment not a multiple of 8 bytes (reasm_bad_length; IPv6: Parameter Problem
//    code 0 at the Payload Length field), empty fragment (reasm_bad_length, no error),
//    reassembled length over 65535 as computed from this fragment (reasm_too_big; IPv6:
//    Parameter Problem code 0 at the Fragment Offset field), an L2 header longer than
//    max_l2_len or offset-0 headers longer than max_l3_head (no_room).
//  - Datagram-killing conditions (the whole datagram is dropped, and its slot becomes a
//    tombstone until its timeout: later fragments of it are dropped with the same reason,
//    RFC 5722 / RFC 8200 4.5 "and any constituent fragments"; tombstones are silent on
//    expiry and are the first slots reused when the table is full):
//      overlap with a fragment already held, exact duplicates included (reasm_overlap;
//      RFC 5722, applied to IPv4 too as Linux does since 4.19);
//      data past the end given by the last fragment, or two last fragments that disagree
//      (reasm_bad_length);
//      more than max_fragments fragments (reasm_too_many_fragments);
//      on completion, the offset-0 fragment's header makes the datagram longer than 65535
//      (reasm_too_big, no Parameter Problem).
//  - A new datagram when no slot is free, tombstoned or past its timeout: reasm_table_full.
//    A slot past its timeout that is reused this way (expire() not yet called) is counted as
//    a timeout, but its Time Exceeded is lost: call expire() at least once per burst (cheap:
//    it returns at once until the earliest deadline).
//
// Timeouts run from the first fragment received (Linux ipfrag_time; RFC 8200 4.5: 60 s) and
// are not extended by later fragments.
//
// Counters (Stats) follow Linux's Ip/Ip6 ReasmReqds, ReasmOKs, ReasmFails, ReasmTimeout,
// ReasmOverlaps: reqds counts every fragment given to insert_*, oks every complete result
// (atomic fragments included), fails every dropped result plus every timeout.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "lib/wire/bytes.hh"
#include "lib/wire/drop.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

struct ReassemblyConfig {
    std::size_t max_datagrams = 64;   // slots per lcore (the table is bounded)
    std::size_t max_fragments = 128;  // per datagram (a 64 KiB datagram at MTU 1500 is 45)
    std::uint64_t timeout_v4_ns = 30'000'000'000;  // Linux ipfrag_time: 30 s
    std::uint64_t timeout_v6_ns = 60'000'000'000;  // RFC 8200 4.5: 60 s
};

class Reassembler {
public:
    static constexpr std::size_t max_l2_len = 18;  // Ethernet + one 802.1Q tag
    // The offset-0 fragment's bytes before its data: IPv4 header (60 at most); IPv6 fixed
    // header, unfragmentable extension headers and the Fragment header.
    static constexpr std::size_t max_l3_head = 512;
    static constexpr std::size_t max_data = 65535;
    static constexpr std::size_t tail_room = 256;
    static constexpr std::size_t data_offset = max_l2_len + max_l3_head;
    static constexpr std::size_t slot_bytes = (data_offset + max_data + tail_room + 63) / 64 * 64;

    Reassembler() = default;
    Reassembler(const Reassembler&) = delete;
    Reassembler& operator=(const Reassembler&) = delete;
    Reassembler(Reassembler&&) noexcept = default;  // the buffers move with it
    Reassembler& operator=(Reassembler&&) noexcept = default;

    // Control path: allocates every buffer (may throw std::bad_alloc), drops whatever was
    // pending, keeps the counters. max_datagrams and max_fragments are raised to at least
    // 1; max_fragments is capped at 8192 (65535 / 8).
    void configure(const ReassemblyConfig& config);

    struct Result {
        enum class Kind : std::uint8_t { pending, complete, dropped };
        Kind kind = Kind::pending;
        wire::Drop reason = wire::Drop::count_;  // when dropped
        // When dropped with param_problem: the Parameter Problem pointer, from the start of
        // the IPv6 header (RFC 8200 4.5: bad length -> the Payload Length field, 4; too big
        // -> the Fragment Offset field of this fragment).
        std::uint32_t pointer = 0;
        bool param_problem = false;  // IPv6: the caller owes a Parameter Problem code 0
        // When complete: [copy of an L2 header][reassembled L3 datagram], writable, with at
        // least tail_room bytes of room after it (frame.data() + frame.size() + tail_room is
        // still ours). Valid until the next insert_v4/insert_v6/expire call (through it,
        // if the frame is what that call is given).
        wire::Bytes frame;
        std::size_t l2_len = 0;  // the L3 datagram is frame.subspan(l2_len)

        bool complete() const noexcept { return kind == Kind::complete; }
        bool dropped() const noexcept { return kind == Kind::dropped; }
        bool pending() const noexcept { return kind == Kind::pending; }
    };

    // l2: the fragment's L2 header (Ethernet, maybe one VLAN tag), at most max_l2_len bytes.
    // The L2 header of the first fragment received of a datagram is the one put in front of
    // the completed frame and handed to on_expired.
    // l3: the fragment from its IP header, already validated by the caller: for IPv4
    // ipv4::View::checked and the header checksum; for IPv6 ipv6::View::checked and
    // walk_extensions with up.fragment set. Trailing link padding past the IP length is
    // ignored. The bytes are copied: l2 and l3 may be released when the call returns.
    // up: only up.fragment is read; insert_v6 finds and parses the Fragment header itself
    // (walking Hop-by-Hop, Routing and Destination Options headers before it), so a caller
    // that stops its walk at the Fragment header may pass {.fragment = true}. (Beware:
    // walk_extensions goes on past the Fragment header of a non-first fragment, where data,
    // not a header, follows; it can fail there when the Fragment header's Next Header names
    // an extension header.)
    //
    // IPv4: a datagram that is not a fragment (offset 0, MF clear) is returned complete, as
    // a copy. IPv6: an atomic fragment (offset 0, M clear, RFC 6946) is returned complete at
    // once, with its Fragment header removed, without touching any pending datagram with the
    // same identification. With several Fragment headers in one packet, the first one in the
    // header chain is the one reassembled (as Linux does).
    Result insert_v4(wire::ConstBytes l2, wire::ConstBytes l3, std::uint16_t port,
                     std::uint64_t now_ns) noexcept;
    Result insert_v6(wire::ConstBytes l2, wire::ConstBytes l3, const wire::ipv6::UpperLayer& up,
                     std::uint16_t port, std::uint64_t now_ns) noexcept;

    struct Expired {
        bool v6 = false;
        std::uint16_t port = 0;
        wire::ConstBytes l2;      // the first-received fragment's L2 header (to address the error)
        bool have_first = false;  // the offset-0 fragment arrived: a Time Exceeded code 1 is owed
        // When have_first: the offset-0 fragment as it arrived (its IP header, for IPv6 up to
        // and including the Fragment header; then its data), as segments for
        // copy_from_segments. first_len is the sum of their sizes.
        std::array<wire::ConstBytes, 2> first_fragment{};
        std::size_t first_len = 0;
    };

    // Calls on_expired(const Expired&) for each pending datagram whose timeout has passed
    // (now_ns >= first arrival + timeout), then frees it. Tombstones past their timeout are
    // freed silently. Returns at once while now_ns is before the earliest deadline.
    template <class F>
    void expire(std::uint64_t now_ns, F&& on_expired) noexcept {
        const std::size_t held = begin_call();
        if (now_ns >= next_deadline_) {
            std::uint64_t next = never;
            for (std::size_t i = 0; i < slots_.size(); ++i) {
                Slot& s = slots_[i];
                if (s.state != State::pending && s.state != State::dead) continue;
                if (now_ns < s.deadline) {
                    if (s.deadline < next) next = s.deadline;
                    continue;
                }
                if (s.state == State::pending) {
                    on_expired(static_cast<const Expired&>(expired_view(i)));
                    count_timeout();
                }
                free_slot(i);
            }
            next_deadline_ = next;
        }
        end_call(held);
    }

    struct Stats {
        std::uint64_t reqds = 0;     // fragments received (Linux ReasmReqds)
        std::uint64_t oks = 0;       // datagrams reassembled (ReasmOKs)
        std::uint64_t fails = 0;     // dropped results and timeouts (ReasmFails)
        std::uint64_t timeouts = 0;  // datagrams timed out (ReasmTimeout)
        std::uint64_t overlaps = 0;  // datagrams dropped for an overlap (ReasmOverlaps)
    };
    const Stats& stats() const noexcept { return stats_; }
    // Datagrams pending (tombstones and the held completed slot not included).
    std::size_t in_use() const noexcept { return pending_; }
    std::size_t capacity() const noexcept { return slots_.size(); }
    const ReassemblyConfig& config() const noexcept { return config_; }

private:
    static constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

    enum class State : std::uint8_t { free, pending, dead, held };

    struct Key {
        std::array<std::uint8_t, 16> src{};
        std::array<std::uint8_t, 16> dst{};
        std::uint32_t ident = 0;
        std::uint16_t port = 0;
        std::uint8_t protocol = 0;  // IPv4 only (0 for IPv6: not part of its key)
        std::uint8_t v6 = 0;
        friend bool operator==(const Key&, const Key&) = default;
    };

    struct Range {
        std::uint32_t begin = 0;
        std::uint32_t end = 0;
    };

    struct Slot {
        Key key;
        std::uint64_t deadline = 0;
        std::uint32_t total = 0;       // data length, once the last fragment arrived
        std::uint32_t received = 0;    // data bytes held
        std::uint32_t max_end = 0;     // highest data end seen
        std::uint32_t first_data = 0;  // data bytes of the offset-0 fragment
        std::uint16_t fragments = 0;
        std::uint16_t ranges = 0;    // held data as sorted, disjoint, coalesced ranges
        std::uint16_t head_len = 0;  // the offset-0 fragment's bytes before its data
        std::uint16_t frag_hdr = 0;  // IPv6: the Fragment header's offset in that fragment
        std::uint16_t nh_field = 0;  // IPv6: offset of the Next Header field naming it
        std::uint8_t l2_len = 0;
        bool have_first = false;
        bool have_last = false;
        State state = State::free;
        wire::Drop reason = wire::Drop::count_;  // dead: why
        std::array<std::byte, max_l2_len> l2{};
    };

    // One fragment, parsed.
    struct Frag {
        Key key;
        wire::ConstBytes l2;
        wire::ConstBytes head;  // the bytes before the data
        wire::ConstBytes data;
        std::uint32_t offset = 0;
        bool more = false;
        std::uint32_t frag_hdr = 0;  // IPv6: offset of the Fragment header
        std::uint32_t nh_field = 0;  // IPv6: offset of the Next Header field naming it
    };

    Result insert(const Frag& f, std::uint64_t now_ns) noexcept;
    Result complete_slot(std::size_t i) noexcept;
    Result pass_through(const Frag& f, bool v6) noexcept;
    Result drop(wire::Drop reason) noexcept;
    Result kill(std::size_t i, wire::Drop reason) noexcept;
    std::size_t find(const Key& k) const noexcept;
    std::size_t allocate(std::uint64_t now_ns) noexcept;
    std::byte* buffer(std::size_t i) const noexcept { return buffers_.get() + i * slot_bytes; }
    Range* ranges(std::size_t i) const noexcept {
        return ranges_.get() + i * config_.max_fragments;
    }

    // Used by expire (in the header, being a template).
    const Expired& expired_view(std::size_t i) noexcept;
    void free_slot(std::size_t i) noexcept;
    void count_timeout() noexcept {
        ++stats_.timeouts;
        ++stats_.fails;
    }
    // The slot of the last complete result is released when the next call begins, unless
    // that call's input lies in its buffer (the frame passed back in): then when it ends.
    std::size_t begin_call(wire::ConstBytes a = {}, wire::ConstBytes b = {}) noexcept {
        const std::size_t h = held_;
        held_ = none;
        if (h == none || in_slot(a, h) || in_slot(b, h)) return h;
        end_call(h);
        return none;
    }
    bool in_slot(wire::ConstBytes in, std::size_t i) const noexcept {
        if (in.empty()) return false;
        const auto lo = reinterpret_cast<std::uintptr_t>(buffer(i));
        const auto p = reinterpret_cast<std::uintptr_t>(in.data());
        return p + in.size() > lo && p < lo + slot_bytes;
    }
    void end_call(std::size_t held) noexcept {
        if (held != none && slots_[held].state == State::held) free_slot(held);
    }

    ReassemblyConfig config_{};
    std::vector<Slot> slots_;
    std::unique_ptr<std::byte[]> buffers_;  // max_datagrams + 2 scratch buffers
    std::unique_ptr<Range[]> ranges_;
    std::size_t held_ = none;  // the slot whose frame the last complete result points into
    std::size_t scratch_ = 0;  // which scratch buffer the next pass-through uses
    std::size_t pending_ = 0;
    std::uint64_t next_deadline_ = never;
    Expired expired_{};
    Stats stats_{};
};

}  // namespace pw::icmp
