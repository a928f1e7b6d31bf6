// What a handler decided about one frame. Every frame gets exactly one verdict:
//  - reply: answered in place (the frame was rewritten; len is its new length);
//  - reassemble: a fragment for the lcore's reassembler;
//  - otherwise dropped with a named reason, and perhaps owing an ICMP error, whose outcome
//    (sent, or suppressed/limited and why) and plan come with it.
#pragma once

#include <cstdint>
#include <string_view>

#include "lib/icmp/error_outcome.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/wire/drop.hh"
#include "lib/wire/ipv6.hh"

namespace pw::icmp {

using wire::Drop;

// X(name, description): messages answered in place, one counter each.
#define PW_REPLY_EVENTS(X)                                     \
    X(echo4_reply, "ICMP echo replies sent")                   \
    X(echo6_reply, "ICMPv6 echo replies sent")                 \
    X(arp_reply, "ARP replies sent")                           \
    X(nd_advert, "Neighbor Advertisements sent")               \
    X(timestamp_reply, "ICMP timestamp replies sent")          \
    X(probe4_reply, "ICMP extended echo (PROBE) replies sent") \
    X(probe6_reply, "ICMPv6 extended echo (PROBE) replies sent")

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

struct Verdict {
    bool reply = false;
    Reply kind = Reply::count_;  // when reply
    Drop drop = Drop::count_;    // when neither reply nor reassemble
    std::uint32_t len = 0;       // the reply's frame length

    // An ICMP error owed for a dropped packet: count_ when none is owed.
    ErrorOutcome error = ErrorOutcome::count_;
    ErrorPlan plan;                // when error == sent
    std::uint32_t quote_from = 0;  // where the invoking packet's IP header starts in the buffer

    // A fragment: the pipeline hands it to the reassembler.
    bool reassemble = false;
    bool v6 = false;
    std::uint32_t l3_from = 0;  // offset of the IP header in the frame
    wire::ipv6::UpperLayer up;  // IPv6: where the Fragment header said what

    // Router mode. route_lookup: not ours; the caller looks the destination up and calls
    // ip4_forward / ip6_forward. forward: send it on egress_port toward the next hop (after
    // the TTL/hop-limit update); fragment_needed: IPv4 larger than the egress MTU, DF clear.
    bool route_lookup = false;
    bool forward = false;
    bool fragment_needed = false;
    std::uint16_t egress_port = 0;
    wire::Ipv4Addr next_hop4;
    wire::Ipv6Addr next_hop6;

    // Router mode: a neighbour's link-layer address seen in an ARP packet or ND message
    // (RFC 826 merge, RFC 4861 7.2.5); the caller passes it to the neighbour table.
    bool learn = false;
    bool learn_advert = false;     // an advertisement (ARP reply, NA, other ARP) vs a solicitation
    bool learn_solicited = false;  // an ARP reply or a solicited NA: the entry is reachable
    bool learn_override = true;    // the NA's O flag (ARP: always)
    bool learn_has_mac = true;     // false: a solicited NA without a link-layer option
    wire::Ipv6Addr learn_addr;     // IPv4 as ::ffff:a.b.c.d when !v6
    wire::MacAddr learn_mac;

    static constexpr Verdict answer(Reply k, std::size_t frame_len) noexcept {
        Verdict v;
        v.reply = true;
        v.kind = k;
        v.len = static_cast<std::uint32_t>(frame_len);
        return v;
    }
    static constexpr Verdict dropped(Drop d) noexcept {
        Verdict v;
        v.drop = d;
        return v;
    }
    bool owes_error() const noexcept { return error != ErrorOutcome::count_; }
    bool error_to_send() const noexcept { return error == ErrorOutcome::sent; }
};

}  // namespace pw::icmp
