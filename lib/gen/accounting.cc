#include "lib/gen/accounting.hh"

#include <algorithm>
#include <cstddef>

namespace pw::gen {

// --- SeqWindow ---------------------------------------------------------------------------

SeqWindow::SeqWindow(unsigned log2_bits) {
    // At least one bit, at most 2^32 (a 512 MiB ring is already far beyond any use).
    const unsigned log2 = std::min(log2_bits, 32U);
    const std::uint64_t bits = std::uint64_t{1} << log2;
    mask_ = bits - 1;
    words_.assign(static_cast<std::size_t>(std::max<std::uint64_t>(bits / 64, 1)), 0);
}

SeqWindow::Mark SeqWindow::mark(std::uint64_t seq) noexcept {
    const std::uint64_t size = mask_ + 1;
    if (seq >= top_) {
        // The ring slides forward: the slots of top_..seq held numbers size below them, which
        // are now out of the window. Clear them, whole words at a time; a jump of a whole ring
        // or more clears everything.
        const std::uint64_t n = seq - top_ + 1;
        if (n >= size) {
            std::fill(words_.begin(), words_.end(), 0);
        } else {
            std::uint64_t pos = top_ & mask_;
            std::uint64_t left = n;
            while (left > 0) {
                const std::uint64_t bit = pos & 63;
                // Up to the end of this word, and of the ring (a ring smaller than a word).
                const std::uint64_t take = std::min({left, 64 - bit, size - pos});
                const std::uint64_t m =
                    take == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << take) - 1) << bit;
                words_[static_cast<std::size_t>(pos >> 6)] &= ~m;
                left -= take;
                pos = (pos + take) & mask_;
            }
        }
        const std::uint64_t i = seq & mask_;
        words_[static_cast<std::size_t>(i >> 6)] |= std::uint64_t{1} << (i & 63);
        // A sequence number of 2^64 - 1 would wrap top_ to 0; senders count from 0 and never
        // get there (2^64 probes), so it is left as the window's one blind spot.
        top_ = seq + 1;
        return Mark::first;
    }
    if (top_ - seq > size) return Mark::too_old;
    const std::uint64_t i = seq & mask_;
    std::uint64_t& w = words_[static_cast<std::size_t>(i >> 6)];
    const std::uint64_t b = std::uint64_t{1} << (i & 63);
    if ((w & b) != 0) return Mark::duplicate;
    w |= b;
    return Mark::first;
}

// --- ErrorTable --------------------------------------------------------------------------

namespace {

std::size_t error_hash(const wire::Ipv6Addr& from, bool v6, std::uint8_t type,
                       std::uint8_t code) noexcept {
    // FNV-1a over the key.
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](std::uint8_t b) {
        h ^= b;
        h *= 1099511628211ULL;
    };
    for (const std::uint8_t b : from.bytes) mix(b);
    mix(v6 ? 1 : 0);
    mix(type);
    mix(code);
    return static_cast<std::size_t>(h ^ (h >> 29));
}

}  // namespace

void ErrorTable::add(const wire::Ipv6Addr& from, bool v6, std::uint8_t type, std::uint8_t code,
                     std::uint32_t mtu) noexcept {
    add_n(from, v6, type, code, mtu, 1);
}

void ErrorTable::add_n(const wire::Ipv6Addr& from, bool v6, std::uint8_t type, std::uint8_t code,
                       std::uint32_t mtu, std::uint64_t n) noexcept {
    if (n == 0) return;
    // Open addressing, linear probing; a slot with count 0 is empty (nothing is ever removed).
    std::size_t i = error_hash(from, v6, type, code) % capacity;
    for (std::size_t probes = 0; probes < capacity; ++probes, i = (i + 1) % capacity) {
        Entry& e = slots_[i];
        if (e.count == 0) {
            e.from = from;
            e.v6 = v6;
            e.type = type;
            e.code = code;
            e.mtu = mtu;
            e.count = n;
            ++used_;
            return;
        }
        if (e.from == from && e.v6 == v6 && e.type == type && e.code == code) {
            if (mtu != 0) e.mtu = mtu;
            e.count += n;
            return;
        }
    }
    overflow_ += n;  // full, and a key not in it
}

void ErrorTable::merge(const ErrorTable& o) noexcept {
    for (const Entry& e : o.slots_)
        if (e.count != 0) add_n(e.from, e.v6, e.type, e.code, e.mtu, e.count);
    overflow_ += o.overflow_;
}

std::vector<ErrorTable::Entry> ErrorTable::entries() const {
    std::vector<Entry> out;
    out.reserve(used_);
    for (const Entry& e : slots_)
        if (e.count != 0) out.push_back(e);
    // By count, descending; ties in a fixed order (type, code, family, sender) so the report
    // does not depend on the hash.
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
        if (a.count != b.count) return a.count > b.count;
        if (a.type != b.type) return a.type < b.type;
        if (a.code != b.code) return a.code < b.code;
        if (a.v6 != b.v6) return !a.v6;
        return a.from.bytes < b.from.bytes;
    });
    return out;
}

// --- Totals ------------------------------------------------------------------------------

Totals& Totals::operator+=(const Totals& o) noexcept {
    received += o.received;
    duplicates += o.duplicates;
    reordered += o.reordered;
    corrupted += o.corrupted;
    late += o.late;
    too_old += o.too_old;
    unmatched += o.unmatched;
    errors += o.errors;
    alive += o.alive;
    return *this;
}

// --- Accounting --------------------------------------------------------------------------

Accounting::Accounting(std::span<TargetStats> targets, unsigned senders, std::uint64_t timeout_ns,
                       unsigned window_log2)
    : targets_(targets), timeout_ns_(timeout_ns) {
    windows_.reserve(senders);
    for (unsigned i = 0; i < senders; ++i) windows_.emplace_back(window_log2);
}

namespace {

void count_rtt(Histogram& h, TargetStats& t, std::uint64_t rtt_ns) noexcept {
    h.record(rtt_ns);
    t.rtt_sum_ns += rtt_ns;
    t.rtt_min_ns = std::min(t.rtt_min_ns, rtt_ns);
    t.rtt_max_ns = std::max(t.rtt_max_ns, rtt_ns);
}

// The target's first answer of any kind: alive, by what, and the TTL it came with.
void mark_alive(Totals& totals, TargetStats& t, ProbeKind by, std::uint8_t ttl) noexcept {
    if (t.alive_by != 0) return;
    t.alive_by = static_cast<std::uint8_t>(1 + static_cast<unsigned>(by));
    t.ttl = ttl;
    ++totals.alive;
}

}  // namespace

Accounting::Outcome Accounting::on_stamped(const Reply& r, unsigned sender,
                                           std::uint64_t rtt_ns) noexcept {
    if (r.stamp_status == StampStatus::absent) {
        ++totals_.unmatched;
        return Outcome::unmatched;
    }
    if (r.stamp_status == StampStatus::corrupted || !r.checksum_ok) {
        // Our magic, but the bytes were damaged: counted in total, and for the target the
        // stamp names when that index is in the table. A corrupted stamp's target field is
        // itself untrusted, so the per-target figure is a best effort (it may land on the
        // wrong target); the total is exact.
        ++totals_.corrupted;
        if (r.stamp.target < targets_.size()) ++targets_[r.stamp.target].corrupted;
        return Outcome::corrupted;
    }
    if (sender >= windows_.size() || r.stamp.target >= targets_.size()) {
        ++totals_.unmatched;  // a valid stamp naming no sender or target of this run
        return Outcome::unmatched;
    }
    TargetStats& t = targets_[r.stamp.target];
    switch (windows_[sender].mark(r.stamp.seq)) {
        case SeqWindow::Mark::duplicate:
            ++totals_.duplicates;
            ++t.dup;
            return Outcome::duplicate;
        case SeqWindow::Mark::too_old:
            ++totals_.too_old;
            return Outcome::too_old;
        case SeqWindow::Mark::first:
            break;
    }
    ++totals_.received;
    ++t.rx;
    count_rtt(rtt_, t, rtt_ns);
    if (r.stamp.probe < t.next_probe) {
        ++totals_.reordered;
        ++t.reordered;
    } else {
        // probe is below 2^32 - 1 in any run that ends; saturate rather than wrap to 0.
        t.next_probe = r.stamp.probe == ~std::uint32_t{0} ? r.stamp.probe : r.stamp.probe + 1;
    }
    mark_alive(totals_, t, r.kind == ReplyKind::udp ? ProbeKind::udp : ProbeKind::echo, r.ttl);
    if (rtt_ns > timeout_ns_) {
        ++totals_.late;
        ++t.late;
        return Outcome::late;
    }
    return Outcome::received;
}

Accounting::Outcome Accounting::on_alive(std::uint64_t target, ProbeKind by, std::uint8_t ttl,
                                         std::uint64_t rtt_ns) noexcept {
    if (target >= targets_.size()) {
        ++totals_.unmatched;
        return Outcome::unmatched;
    }
    TargetStats& t = targets_[target];
    // Without a stamp a second answer cannot be told from an answer to a second probe (or a
    // retransmitted SYN-ACK), so only the target's first answer of any kind counts as received
    // (a host alive by SYN-ACK alone shows rx 1); later ones only say it is still alive.
    if (t.alive_by != 0) return Outcome::alive_only;
    mark_alive(totals_, t, by, ttl);
    ++totals_.received;
    ++t.rx;
    count_rtt(rtt_, t, rtt_ns);
    if (rtt_ns > timeout_ns_) {
        ++totals_.late;
        ++t.late;
        return Outcome::late;
    }
    return Outcome::received;
}

Accounting::Outcome Accounting::on_error(const Reply& r,
                                         std::optional<std::uint64_t> target) noexcept {
    errors_.add(r.src, r.v6, r.type, r.code, r.mtu);
    ++totals_.errors;
    if (target && *target < targets_.size()) {
        TargetStats& t = targets_[*target];
        ++t.errors;
        t.last_error_type = r.type;
        t.last_error_code = r.code;
    }
    return Outcome::error;
}

}  // namespace pw::gen
