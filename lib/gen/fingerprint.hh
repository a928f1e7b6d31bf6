// The passive TTL fingerprint network engineers read by eye: a reply's TTL (hop limit) is its
// sender's initial value minus the hops it crossed; the initial value is taken as the smallest
// of the common defaults (32, 64, 128, 255) at or above the observed one.
#pragma once

#include <cstdint>

namespace pw::gen {

struct TtlGuess {
    std::uint8_t initial = 0;  // 32, 64, 128 or 255
    std::uint8_t hops = 0;     // initial - observed
};

TtlGuess guess_initial_ttl(std::uint8_t observed) noexcept;

}  // namespace pw::gen
