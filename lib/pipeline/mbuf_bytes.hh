// The bridge between mbufs and the byte spans the protocol handlers take.
#pragma once

#include <rte_mbuf.h>

#include "lib/wire/bytes.hh"

namespace pw::pipeline {

// The frame of a single-segment mbuf plus the tailroom after it: the room a reply built in
// place may use.
inline wire::Bytes frame_room(rte_mbuf* m) noexcept {
    return {rte_pktmbuf_mtod(m, std::byte*), std::size_t{m->data_len} + rte_pktmbuf_tailroom(m)};
}

// Sets the length of a single-segment mbuf's frame.
inline void set_frame_len(rte_mbuf* m, std::uint32_t len) noexcept {
    m->data_len = static_cast<std::uint16_t>(len);
    m->pkt_len = len;
}

}  // namespace pw::pipeline
