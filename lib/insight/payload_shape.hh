// What the tracker keeps of a source's echo payloads: the shape of the last one inspected (to
// tell whether the next one is "changed") and the statistics of a window's inspections.
//
// RFC 792 (Echo) and RFC 4443 4.1 (Echo Request): the data is arbitrary and the reply returns
// it unchanged. Ping programs fill it with one pattern they repeat: Linux and BSD ping a
// timestamp in the first 8 or 16 bytes, then 0x10, 0x11, ...; Windows
// "abcdefghijklmnopqrstuvwabcdefghi"; fping zeros. A tunnel (icmptunnel, ptunnel) carries
// other data in every request. So a payload counts as changed when its size differs from the
// last one's, or when more than half of its 8 chunks (of the first 512 bytes) differ: a
// timestamp touches at most 3 chunks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/wire/bytes.hh"

namespace pw::insight {

inline constexpr std::size_t shape_chunks = 8;
inline constexpr std::size_t shape_max_bytes = 512;
// Payloads shorter than this are not inspected (nothing to tunnel in; nmap's and hping3's
// echo requests are empty).
inline constexpr std::size_t inspect_min_bytes = 8;
// Distinct payload sizes a window tells apart; more count as this many.
inline constexpr std::size_t max_sizes = 16;

struct PayloadShape {
    std::uint32_t len = 0;  // 0: none yet
    std::array<std::uint16_t, shape_chunks> digest{};

    // The shape of b: its length and a 16-bit digest of each eighth of its first 512 bytes.
    static PayloadShape of(wire::ConstBytes b) noexcept;
    bool empty() const noexcept { return len == 0; }
};

// A payload unlike the one before: another size, or more than half of the chunks differ.
bool payload_changed(const PayloadShape& before, const PayloadShape& now) noexcept;

// One window's inspections, and the echo payload bytes the source sent in requests and was
// sent in replies (every request and reply, not only those inspected).
struct PayloadStats {
    std::uint32_t inspected = 0;
    std::uint32_t changed = 0;            // unlike the payload inspected before it
    std::uint32_t high_entropy = 0;       // looks_random(): as high as random data's
    std::uint64_t entropy_centibits = 0;  // sum, 1/100 bit per byte
    std::uint64_t request_bytes = 0;
    std::uint64_t reply_bytes = 0;
    std::uint8_t nsizes = 0;
    std::array<std::uint32_t, max_sizes> sizes{};

    // One inspected payload of len bytes and byte entropy h (bits per byte).
    void add(std::size_t len, bool was_changed, double h) noexcept;
};

// What the score and the telemetry read: two windows (current and previous) summed.
struct PayloadSummary {
    std::uint32_t inspected = 0;
    std::uint32_t changed = 0;
    std::uint32_t high_entropy = 0;
    std::uint16_t sizes = 0;              // distinct sizes, at most max_sizes
    std::uint16_t entropy_centibits = 0;  // mean over the inspected payloads
    std::uint64_t request_bytes = 0;
    std::uint64_t reply_bytes = 0;
};

// cur and, when prev_counts, prev as well.
PayloadSummary summarize(const PayloadStats& cur, const PayloadStats& prev,
                         bool prev_counts) noexcept;

}  // namespace pw::insight
