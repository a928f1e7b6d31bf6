// Frames waiting to be handed to one port's TX queue, with what each one is (an answer built
// in place, or a generated frame, and which ICMP message it carries) so that counters are
// bumped only for what the queue accepted.
#pragma once

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <cstdint>

#include "lib/pipeline/counters.hh"

namespace pw::pipeline {

struct TxTag {
    bool generated = false;
    bool icmp = false;  // carries one ICMP message (first fragment only, when fragmented)
    bool v6 = false;
    std::uint8_t type = 0;   // its ICMP type
    bool forwarded = false;  // a forwarded packet (counted on the egress port)

    static constexpr TxTag forward() noexcept { return {false, false, false, 0, true}; }
    static constexpr TxTag generated_frame() noexcept { return {true, false, false, 0, false}; }
};

class TxStage {
public:
    static constexpr std::uint16_t capacity = 128;

    // Stages m for (port, queue); flushes first when the stage holds frames for another queue
    // or is full.
    void add(std::uint16_t port, std::uint16_t queue, rte_mbuf* m, TxTag tag,
             LcoreCounters& c) noexcept {
        if (n_ != 0 && (port != port_ || queue != queue_)) flush(c);
        if (n_ == capacity) flush(c);
        port_ = port;
        queue_ = queue;
        pkts_[n_] = m;
        tags_[n_] = tag;
        ++n_;
    }

    // Hands the staged frames to the PMD; what it refuses is freed and counted, never leaked.
    void flush(LcoreCounters& c) noexcept {
        if (n_ == 0) return;
        const std::uint16_t sent = rte_eth_tx_burst(port_, queue_, pkts_, n_);
        PortCounters& pc = c.port[port_];
        pc.tx += sent;
        for (std::uint16_t i = 0; i < n_; ++i) {
            const TxTag& t = tags_[i];
            icmp::IcmpMib& mib = t.v6 ? pc.icmp.v6 : pc.icmp.v4;
            if (i < sent) {
                ++(t.forwarded ? pc.fwd_sent : t.generated ? pc.generated : pc.answered);
                if (t.icmp) mib.count_out(t.type);
            } else {
                if (t.forwarded)
                    ++pc.fwd_failed;
                else if (t.generated)
                    ++pc.generated_failed;
                else
                    ++pc.drops[static_cast<std::size_t>(wire::Drop::tx_full)];
                if (t.icmp) ++mib.out_errors;
            }
        }
        if (sent < n_) rte_pktmbuf_free_bulk(pkts_ + sent, n_ - sent);
        n_ = 0;
    }

private:
    rte_mbuf* pkts_[capacity];
    TxTag tags_[capacity];
    std::uint16_t n_ = 0;
    std::uint16_t port_ = 0;
    std::uint16_t queue_ = 0;
};

}  // namespace pw::pipeline
