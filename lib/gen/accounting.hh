// Counting what comes back, per target and in total, without locks: one Accounting per lcore
// for the answers that lcore receives (RSS keeps every answer of one target on one queue, so
// each target's answer fields have one writer), merged by the control lcore at the end.
//
//   received    first answer to a probe (by the sender lcore's sequence number)
//   duplicate   a later answer to a probe already answered (SeqWindow)
//   reordered   a first answer whose probe number is below one already answered for its target
//   corrupted   our magic, but the payload check (or the ICMP checksum) fails: not received
//   late        received, but more than timeout after the probe was sent (reported apart)
//   unmatched   an echo reply with our identifier but no stamp of this run
//   lost        transmitted - received
#pragma once

#include <array>
#include <optional>
#include <cstdint>
#include <span>
#include <vector>

#include "lib/gen/histogram.hh"
#include "lib/gen/probe.hh"
#include "lib/gen/reply.hh"
#include "lib/wire/addr.hh"

namespace pw::gen {

// Per target, in a table sized at start (--max-targets). tx and last_tx_ns are written by
// the sending lcore, the rest by the receiving one.
struct TargetStats {
    std::uint32_t tx = 0;
    std::uint32_t rx = 0;
    std::uint32_t dup = 0;
    std::uint32_t reordered = 0;
    std::uint32_t corrupted = 0;
    std::uint32_t late = 0;
    std::uint32_t errors = 0;      // ICMP errors quoting a probe to it
    std::uint32_t next_probe = 0;  // highest probe number answered + 1
    std::uint64_t rtt_sum_ns = 0;
    std::uint64_t rtt_min_ns = ~0ULL;
    std::uint64_t rtt_max_ns = 0;
    std::uint64_t last_tx_ns = 0;  // when its last probe went out (RTT of tcp/udp answers)
    std::uint8_t ttl = 0;          // of its first answer
    std::uint8_t alive_by = 0;     // 1 + ProbeKind of its first answer; 0: not alive
    std::uint8_t last_error_type = 0;
    std::uint8_t last_error_code = 0;
};

// Which sequence numbers of one sender were answered, over the last 2^log2 of them: a bitmap
// ring that slides forward as higher numbers arrive (answers older than the window cannot be
// told from duplicates and are reported as too_old).
class SeqWindow {
public:
    explicit SeqWindow(unsigned log2_bits = 20);  // allocates
    enum class Mark : std::uint8_t { first, duplicate, too_old };
    Mark mark(std::uint64_t seq) noexcept;

private:
    std::vector<std::uint64_t> words_;
    std::uint64_t mask_ = 0;  // bits - 1
    std::uint64_t top_ = 0;   // one past the highest sequence number marked
};

// ICMP errors received, by (sender, family, type, code): a fixed table, overflow counted.
class ErrorTable {
public:
    struct Entry {
        wire::Ipv6Addr from;  // mapped for IPv4
        bool v6 = false;
        std::uint8_t type = 0;
        std::uint8_t code = 0;
        std::uint32_t mtu = 0;  // the last MTU it reported (frag needed / PTB)
        std::uint64_t count = 0;
    };
    static constexpr std::size_t capacity = 256;
    void add(const wire::Ipv6Addr& from, bool v6, std::uint8_t type, std::uint8_t code,
             std::uint32_t mtu) noexcept;
    void merge(const ErrorTable& o) noexcept;
    std::vector<Entry> entries() const;  // by count, descending
    std::uint64_t overflow() const noexcept { return overflow_; }

private:
    // add() of n errors at once (merge).
    void add_n(const wire::Ipv6Addr& from, bool v6, std::uint8_t type, std::uint8_t code,
               std::uint32_t mtu, std::uint64_t n) noexcept;

    std::array<Entry, capacity> slots_{};
    std::size_t used_ = 0;
    std::uint64_t overflow_ = 0;
};

struct Totals {
    std::uint64_t received = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t reordered = 0;
    std::uint64_t corrupted = 0;
    std::uint64_t late = 0;
    std::uint64_t too_old = 0;  // answers older than the duplicate window (counted nowhere else)
    std::uint64_t unmatched = 0;
    std::uint64_t errors = 0;  // ICMP errors quoting our probes
    std::uint64_t alive = 0;   // targets whose first answer this lcore saw
    Totals& operator+=(const Totals& o) noexcept;
};

class Accounting {
public:
    // What one answer turned out to be (so the caller can capture anomalies).
    enum class Outcome : std::uint8_t {
        received,
        duplicate,
        corrupted,
        late,
        too_old,
        unmatched,
        error,
        alive_only
    };

    // targets: the run's table; senders: the number of sending lcores (one SeqWindow each);
    // timeout_ns: answers slower than this are late.
    Accounting(std::span<TargetStats> targets, unsigned senders, std::uint64_t timeout_ns,
               unsigned window_log2 = 20);

    // An echo reply (or UDP answer) with a stamp: sender is the lcore that sent the probe
    // (from the identifier), rtt_ns = receive time - the stamp's time. rtt_ns is ignored when
    // the stamp is not valid.
    Outcome on_stamped(const Reply& r, unsigned sender, std::uint64_t rtt_ns) noexcept;
    // An answer that carries no stamp (timestamp reply, SYN-ACK, RST, a UDP answer or port
    // unreachable for a UDP probe): the target is alive; rtt from its last probe.
    Outcome on_alive(std::uint64_t target, ProbeKind by, std::uint8_t ttl,
                     std::uint64_t rtt_ns) noexcept;
    // An ICMP error quoting one of our probes; target when known.
    Outcome on_error(const Reply& r, std::optional<std::uint64_t> target) noexcept;

    const Totals& totals() const noexcept { return totals_; }
    const Histogram& rtt() const noexcept { return rtt_; }
    const ErrorTable& errors() const noexcept { return errors_; }

private:
    std::span<TargetStats> targets_;
    std::vector<SeqWindow> windows_;
    std::uint64_t timeout_ns_;
    Totals totals_;
    Histogram rtt_;
    ErrorTable errors_;
};

}  // namespace pw::gen
