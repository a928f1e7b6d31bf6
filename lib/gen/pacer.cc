#include "lib/gen/pacer.hh"

namespace pw::gen {

namespace {

__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t ns_per_s = 1'000'000'000ULL;
constexpr std::uint64_t u64_max = ~0ULL;

std::uint64_t saturate(u128 v) noexcept {
    return v > u64_max ? u64_max : static_cast<std::uint64_t>(v);
}

// Global packets j >= 0 with floor(j * 1e9 / rate) < span, i.e. j * 1e9 < span * rate:
// ceil(span * rate / 1e9).
std::uint64_t due_before(std::uint64_t rate, u128 span) noexcept {
    return saturate((span * rate + (ns_per_s - 1)) / ns_per_s);
}

}  // namespace

Pacer::Pacer(std::uint64_t rate_pps, unsigned share, unsigned shares,
             std::uint64_t start_ns) noexcept
    : rate_(rate_pps),
      share_(shares == 0 ? 0 : share % shares),
      shares_(shares == 0 ? 1 : shares),
      start_ns_(start_ns) {}

std::uint64_t Pacer::global_due(std::uint64_t now_ns) const noexcept {
    if (now_ns < start_ns_) return 0;
    // Due by now (inclusive): due strictly before now + 1.
    return due_before(rate_, static_cast<u128>(now_ns - start_ns_) + 1);
}

std::uint64_t Pacer::share_of(std::uint64_t g) const noexcept {
    // j in [0, g) with j % k == i: ceil((g - i) / k), written to stay unsigned for g < i.
    return static_cast<std::uint64_t>((static_cast<u128>(g) + shares_ - 1 - share_) / shares_);
}

std::uint64_t Pacer::due(std::uint64_t now_ns, std::uint64_t limit) const noexcept {
    if (unpaced()) return limit;
    std::uint64_t owed = share_of(global_due(now_ns));
    std::uint64_t left = owed > sent_ ? owed - sent_ : 0;
    return left < limit ? left : limit;
}

std::uint64_t Pacer::next_due_ns() const noexcept {
    if (unpaced()) return start_ns_;
    // This share's packet number sent_ is global packet sent_ * k + i.
    u128 j = static_cast<u128>(sent_) * shares_ + share_;
    return saturate(start_ns_ + j * ns_per_s / rate_);
}

std::uint64_t Pacer::owed_by(std::uint64_t span_ns) const noexcept {
    if (unpaced()) return 0;  // no schedule: nothing is owed
    return share_of(due_before(rate_, span_ns));
}

}  // namespace pw::gen
