// The conform stage: pingwire-conform's work on its worker lcore. It answers ARP and NDP for
// the tool's addresses and its source aliases through a host stage it holds (so the RUT can
// resolve the hosts the tool plays), and hands every other frame received on either port,
// stamped with its arrival time, to the control lcore, which runs the checks and judges them
// (lib/conform). Stimuli come from the control lcore through the runtime's control ring; the
// rate-limit trigger streams are sent from here, paced on an absolute schedule (a stream is
// too fast for the control lcore's millisecond tick).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/runtime.hh"

struct rte_ring;

namespace pw::pipeline {

// A trigger stream: frames[i % frames.size()] sent in turn on port at rate_pps from start_ns
// for count frames. Written by the control lcore before it is published, then read-only;
// sent and done are the stage's.
struct ConformStream {
    std::vector<std::vector<std::uint8_t>> frames;
    std::uint16_t port = 0;
    double rate_pps = 1;
    std::uint64_t start_ns = 0;
    std::uint64_t count = 0;
    // Each frame carries its sequence number (0, 1, ...: big-endian, 4 bytes at seq_at, where
    // the frames hold zeros), so that an error quoting it names its trigger; the UDP checksum
    // at csum_at is adjusted for it (RFC 1624). seq_at 0: no sequence numbers.
    std::uint16_t seq_at = 0;
    std::uint16_t csum_at = 0;
    std::atomic<std::uint64_t> sent{0};
    // When the stage sent the first frame: the schedule runs from here (frame k at origin +
    // k / rate), so a stage that starts late does not catch up with a burst.
    std::atomic<std::uint64_t> origin_ns{0};
    std::atomic<std::uint64_t> first_tx_ns{0};
    std::atomic<std::uint64_t> last_tx_ns{0};
    std::atomic<bool> done{false};
};

struct ConformEnv {
    rte_ring* seen = nullptr;  // received frames to the control lcore (SP/SC ring of mbufs)
    int rx_ns_offset = -1;     // mbuf dynfield holding the arrival time (ns, the lcore clock)
    std::atomic<ConformStream*>* stream = nullptr;  // the stream to send (null: none)
};

struct alignas(64) ConformCounters {
    std::uint64_t handed = 0;       // frames handed to the control lcore
    std::uint64_t ring_full = 0;    // frames dropped: the control lcore's ring was full
    std::uint64_t stream_sent = 0;  // trigger frames the TX queue took
    std::uint64_t no_mbuf = 0;      // rounds a stream was short of mbufs
};

class ConformStage {
public:
    // env, host and the counters outlive the stage. Allocates (the host stage): control path.
    ConformStage(const ConformEnv& env, const HostEnv& host, LcoreHost& host_counters,
                 ConformCounters& counters);

    void on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept;
    void on_tick(Lcore& l) noexcept;
    void on_stop(Lcore& l) noexcept;

private:
    // ARP, and NDP but Redirect: for the host stage.
    static bool for_host(const rte_mbuf* m) noexcept;
    void send_stream(ConformStream& s, Lcore& l) noexcept;

    ConformEnv env_;
    HostStage host_;
    ConformCounters* counters_;
};

}  // namespace pw::pipeline
