// What a handler decided about one frame: answer it (rewritten in place, new length) or
// drop it (with a named reason). Every frame gets exactly one verdict.
#pragma once

#include <cstdint>
#include <string_view>

#include "lib/wire/drop.hh"

namespace pw::icmp {

using wire::Drop;

// X(name, description): messages we sent, one counter each.
#define PW_REPLY_EVENTS(X)                                   \
    X(echo4_reply, "ICMP echo replies sent")                 \
    X(echo6_reply, "ICMPv6 echo replies sent")               \
    X(arp_reply, "ARP replies sent")                         \
    X(nd_advert, "Neighbor Advertisements sent")

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
    Drop drop = Drop::count_;    // when not reply
    std::uint32_t len = 0;       // the reply's frame length

    static constexpr Verdict answer(Reply k, std::size_t frame_len) noexcept {
        return {true, k, Drop::count_, static_cast<std::uint32_t>(frame_len)};
    }
    static constexpr Verdict dropped(Drop d) noexcept { return {false, Reply::count_, d, 0}; }
};

}  // namespace pw::icmp
