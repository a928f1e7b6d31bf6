// A payload's shape (length and chunk digests), the "changed" rule, and a window's payload
// statistics.
#include "lib/insight/payload_shape.hh"

#include "lib/insight/entropy.hh"

namespace pw::insight {

PayloadShape PayloadShape::of(wire::ConstBytes b) noexcept {
    PayloadShape s;
    s.len = b.size() > 0xffffffffU ? 0xffffffffU : static_cast<std::uint32_t>(b.size());
    const std::size_t n = b.size() < shape_max_bytes ? b.size() : shape_max_bytes;
    std::size_t from = 0;
    for (std::size_t c = 0; c < shape_chunks; ++c) {
        const std::size_t to = n * (c + 1) / shape_chunks;
        std::uint32_t h = 2166136261U;  // FNV-1a
        for (std::size_t i = from; i < to; ++i) {
            h ^= std::to_integer<std::uint32_t>(b[i]);
            h *= 16777619U;
        }
        s.digest[c] = static_cast<std::uint16_t>(h ^ (h >> 16));
        from = to;
    }
    return s;
}

bool payload_changed(const PayloadShape& before, const PayloadShape& now) noexcept {
    if (before.empty()) return false;  // nothing to compare with
    if (before.len != now.len) return true;
    unsigned differ = 0;
    for (std::size_t c = 0; c < shape_chunks; ++c) differ += before.digest[c] != now.digest[c];
    return differ > shape_chunks / 2;
}

void PayloadStats::add(std::size_t len, bool was_changed, double h) noexcept {
    ++inspected;
    changed += was_changed ? 1U : 0U;
    high_entropy += looks_random(h, len) ? 1U : 0U;
    entropy_centibits += static_cast<std::uint64_t>(h * 100.0 + 0.5);
    const auto l = len > 0xffffffffU ? 0xffffffffU : static_cast<std::uint32_t>(len);
    for (std::size_t i = 0; i < nsizes; ++i)
        if (sizes[i] == l) return;
    if (nsizes < max_sizes) sizes[nsizes++] = l;
}

PayloadSummary summarize(const PayloadStats& cur, const PayloadStats& prev,
                         bool prev_counts) noexcept {
    PayloadSummary s;
    s.inspected = cur.inspected;
    s.changed = cur.changed;
    s.high_entropy = cur.high_entropy;
    s.request_bytes = cur.request_bytes;
    s.reply_bytes = cur.reply_bytes;
    std::uint64_t centibits = cur.entropy_centibits;
    std::size_t sizes = cur.nsizes;
    if (prev_counts) {
        s.inspected += prev.inspected;
        s.changed += prev.changed;
        s.high_entropy += prev.high_entropy;
        s.request_bytes += prev.request_bytes;
        s.reply_bytes += prev.reply_bytes;
        centibits += prev.entropy_centibits;
        for (std::size_t i = 0; i < prev.nsizes && sizes < max_sizes; ++i) {
            bool seen = false;
            for (std::size_t j = 0; j < cur.nsizes && !seen; ++j)
                seen = cur.sizes[j] == prev.sizes[i];
            if (!seen) ++sizes;
        }
    }
    s.sizes = static_cast<std::uint16_t>(sizes);
    if (s.inspected != 0) s.entropy_centibits = static_cast<std::uint16_t>(centibits / s.inspected);
    return s;
}

}  // namespace pw::insight
