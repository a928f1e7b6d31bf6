#include "lib/gen/fingerprint.hh"

namespace pw::gen {

TtlGuess guess_initial_ttl(std::uint8_t observed) noexcept {
    // A received packet never carries TTL 0 (the last router drops it, RFC 1812 5.3.1); if one
    // is seen anyway, it is read as the smallest default with every hop spent.
    static constexpr std::uint8_t defaults[] = {32, 64, 128, 255};
    for (std::uint8_t initial : defaults) {
        if (observed <= initial) {
            return {initial, static_cast<std::uint8_t>(initial - observed)};
        }
    }
    return {255, 0};  // unreachable: observed <= 255
}

}  // namespace pw::gen
