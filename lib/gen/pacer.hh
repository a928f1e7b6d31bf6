// Pacing from the TSC with no drift: the schedule is absolute (packet j of the run is due at
// start + j / rate), so however late a round of the loop runs, the count due by now is exact
// and errors never accumulate. With several lcores sharing one rate, lcore i of k sends
// packets j with j % k == i of the one global schedule: the shares are exact and interleaved.
#pragma once

#include <cstdint>

namespace pw::gen {

class Pacer {
public:
    Pacer() = default;
    // rate_pps: the total rate over all shares; 0 means unpaced (as fast as the queue takes).
    // share / shares: this lcore's part (0 <= share < shares). start_ns: when packet 0 is due.
    Pacer(std::uint64_t rate_pps, unsigned share, unsigned shares, std::uint64_t start_ns) noexcept;

    bool unpaced() const noexcept { return rate_ == 0; }
    // How many of this share's packets are due by now and not yet sent (unbounded for an
    // unpaced pacer: returns limit). Never more than limit.
    std::uint64_t due(std::uint64_t now_ns, std::uint64_t limit) const noexcept;
    // n more of this share's packets went out.
    void sent(std::uint64_t n) noexcept { sent_ += n; }
    std::uint64_t sent_count() const noexcept { return sent_; }
    // When this share's next packet is due (start_ns for an unpaced one).
    std::uint64_t next_due_ns() const noexcept;
    // How many of this share's packets the schedule holds in [start, start + span_ns): what a
    // run of that length owes (the reference for "achieved rate" checks).
    std::uint64_t owed_by(std::uint64_t span_ns) const noexcept;

private:
    // Packets of the global schedule due by t (those with index j, j * 1e9 / rate <= t - start).
    std::uint64_t global_due(std::uint64_t now_ns) const noexcept;
    // Of the first g global packets, how many are this share's.
    std::uint64_t share_of(std::uint64_t g) const noexcept;

    std::uint64_t rate_ = 0;
    unsigned share_ = 0;
    unsigned shares_ = 1;
    std::uint64_t start_ns_ = 0;
    std::uint64_t sent_ = 0;
};

}  // namespace pw::gen
