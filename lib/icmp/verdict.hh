// What a processing step decided about one frame: where it goes next (Next, as DPDK lib/node
// next edges and VPP nexts[]) and a small payload for that step. Every frame gets exactly
// one verdict. What is larger or rarer is written into slots the caller provides in the
// HostContext: the plan of an ICMP error to send (HostContext::plan), only on the error
// path, and a neighbour sighting (HostContext::sighting).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/icmp/error_outcome.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/drop.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

using wire::Drop;

// X(name, description): messages answered in place, one counter each.
#define PW_REPLY_EVENTS(X)                                             \
    X(echo4_reply, "ICMP echo replies sent")                           \
    X(echo6_reply, "ICMPv6 echo replies sent")                         \
    X(arp_reply, "ARP replies sent")                                   \
    X(nd_advert, "Neighbor Advertisements sent")                       \
    X(timestamp_reply, "ICMP timestamp replies sent")                  \
    X(probe4_reply, "ICMP extended echo (PROBE) replies sent")         \
    X(probe6_reply, "ICMPv6 extended echo (PROBE) replies sent")       \
    X(tcp4_reset, "TCP resets sent to IPv4 segments for closed ports") \
    X(tcp6_reset, "TCP resets sent to IPv6 segments for closed ports")

enum class Reply : std::uint8_t {
#define PW_X(name, desc) name,
    PW_REPLY_EVENTS(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t reply_count = static_cast<std::size_t>(Reply::count_);

constexpr std::string_view reply_name(Reply r) noexcept {
    switch (r) {
#define PW_X(name, desc) \
    case Reply::name:    \
        return #name;
        PW_REPLY_EVENTS(PW_X)
#undef PW_X
        case Reply::count_:
            break;
    }
    return "unknown";
}

// X(name, description): where a frame goes after a step, one edge each.
#define PW_NEXT_STEPS(X)                                                                         \
    X(drop, "dropped for `drop`; no ICMP error owed")                                            \
    X(reply, "answered in place: the frame was rewritten, `len` is its new length, `kind` what") \
    X(error,                                                                                     \
      "dropped for `drop`, an ICMP error owed: `error` is its outcome; when sent, the plan is "  \
      "in *HostContext::plan and it quotes the frame from `l3_from`")                            \
    X(reassemble, "a fragment for the lcore's reassembler: IP header at `l3_from`, IPv6 `up`")   \
    X(route,                                                                                     \
      "not ours (router mode): look the destination up, then ip4_forward/ip6_forward from "      \
      "`l3_from`")                                                                               \
    X(forward,                                                                                   \
      "to `egress_port` toward `next_hop` after the TTL/hop-limit update (`fragment_needed`: "   \
      "IPv4 larger than the egress MTU, DF clear); a Redirect planned too when `error` is sent")

enum class Next : std::uint8_t {
#define PW_X(name, desc) name,
    PW_NEXT_STEPS(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t next_count = static_cast<std::size_t>(Next::count_);

constexpr std::string_view next_name(Next n) noexcept {
    switch (n) {
#define PW_X(name, desc) \
    case Next::name:     \
        return #name;
        PW_NEXT_STEPS(PW_X)
#undef PW_X
        case Next::count_:
            break;
    }
    return "unknown";
}

constexpr std::string_view next_description(Next n) noexcept {
    switch (n) {
#define PW_X(name, desc) \
    case Next::name:     \
        return desc;
        PW_NEXT_STEPS(PW_X)
#undef PW_X
        case Next::count_:
            break;
    }
    return "unknown";
}

// wire::ipv6::UpperLayer in 16 bytes (it is 40): what the IPv6 header walk found behind the
// extension headers of a fragment. Offsets fit 32 bits (a frame is far smaller) and the
// fragment offset 16 (13 bits of 8-byte units, RFC 8200 4.5).
struct Upper6 {
    std::uint32_t offset = wire::ipv6::header_len;  // from the start of the IPv6 header
    std::uint32_t nh_field = wire::ipv6::field::next_header;
    std::uint32_t frag_ident = 0;
    std::uint16_t frag_offset = 0;  // in bytes
    std::uint8_t protocol = wire::ipv6::nh_none;
    bool fragment : 1 = false;
    bool more_fragments : 1 = false;

    static constexpr Upper6 of(const wire::ipv6::UpperLayer& u) noexcept {
        Upper6 c;
        c.offset = static_cast<std::uint32_t>(u.offset);
        c.nh_field = static_cast<std::uint32_t>(u.nh_field);
        c.frag_ident = u.frag_ident;
        c.frag_offset = static_cast<std::uint16_t>(u.frag_offset);
        c.protocol = u.protocol;
        c.fragment = u.fragment;
        c.more_fragments = u.more_fragments;
        return c;
    }
    constexpr wire::ipv6::UpperLayer upper() const noexcept {
        wire::ipv6::UpperLayer u;
        u.protocol = protocol;
        u.offset = offset;
        u.nh_field = nh_field;
        u.fragment = fragment;
        u.frag_offset = frag_offset;
        u.more_fragments = more_fragments;
        u.frag_ident = frag_ident;
        return u;
    }
};
static_assert(sizeof(Upper6) == 16);

struct Verdict {
    std::uint16_t egress_port = 0;  // forward
    Next next = Next::drop;
    Drop drop = Drop::count_;    // drop, error: why
    Reply kind = Reply::count_;  // reply
    // An ICMP error owed (next == error), or a Redirect about a packet forwarded all the same
    // (next == forward): what became of it; count_ when none is owed. When `sent`, its plan
    // is in *HostContext::plan.
    ErrorOutcome error = ErrorOutcome::count_;
    bool v6 : 1 = false;               // reassemble, route, forward
    bool fragment_needed : 1 = false;  // forward: IPv4 larger than the egress MTU, DF clear
    // A neighbour's link-layer address was seen (router mode) and written into
    // *HostContext::sighting; it rides along whatever `next` is.
    bool sighted : 1 = false;
    std::uint32_t len = 0;      // reply: the frame's new length
    std::uint32_t l3_from = 0;  // error, reassemble, route, forward: where the IP header starts
    wire::Ipv6Addr next_hop;    // forward: IPv4 as ::ffff:a.b.c.d (wire::v4_mapped)
    Upper6 up;                  // reassemble, IPv6: where the Fragment header said what

    static constexpr Verdict answer(Reply k, std::size_t frame_len) noexcept {
        Verdict v;
        v.next = Next::reply;
        v.kind = k;
        v.len = static_cast<std::uint32_t>(frame_len);
        return v;
    }
    static constexpr Verdict dropped(Drop d) noexcept {
        Verdict v;
        v.drop = d;
        return v;
    }
    // Dropped for d, owing an error whose outcome is o (the caller wrote the plan when sent).
    static constexpr Verdict owing(Drop d, ErrorOutcome o, std::size_t l3_from) noexcept {
        Verdict v;
        v.next = Next::error;
        v.drop = d;
        v.error = o;
        v.l3_from = static_cast<std::uint32_t>(l3_from);
        return v;
    }
    static constexpr Verdict to(Next n, bool v6, std::size_t l3_from) noexcept {
        Verdict v;
        v.next = n;
        v.v6 = v6;
        v.l3_from = static_cast<std::uint32_t>(l3_from);
        return v;
    }
    static constexpr Verdict forwarded(std::uint16_t port, bool v6, std::size_t l3_from,
                                       const wire::Ipv6Addr& next_hop, bool fragment_needed,
                                       ErrorOutcome redirect) noexcept {
        Verdict v = to(Next::forward, v6, l3_from);
        v.egress_port = port;
        v.next_hop = next_hop;
        v.fragment_needed = fragment_needed;
        v.error = redirect;
        return v;
    }
    constexpr bool owes_error() const noexcept { return error != ErrorOutcome::count_; }
    constexpr bool error_to_send() const noexcept { return error == ErrorOutcome::sent; }
};
static_assert(sizeof(Verdict) <= 48, "a Verdict is returned per packet: keep it small");

// Router mode: a neighbour's link-layer address seen in an ARP packet or ND message (RFC 826
// merge, RFC 4861 7.2.5). A handler writes it into *HostContext::sighting and sets
// Verdict::sighted; the caller passes it to the neighbour table.
struct Sighting {
    bool advert = false;        // an advertisement (ARP reply, NA, other ARP) vs a solicitation
    bool solicited = false;     // an ARP reply or a solicited NA: the entry is reachable
    bool override_flag = true;  // the NA's O flag (ARP: always)
    bool has_mac = true;        // false: a solicited NA without a link-layer option
    wire::Ipv6Addr addr;        // IPv4 as ::ffff:a.b.c.d
    wire::MacAddr mac;
};

}  // namespace pw::icmp
