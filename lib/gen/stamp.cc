// The stamp and its check.
//
// The check is a keyed 64-bit multiply-rotate hash folded to 32 bits. The payload is taken
// 8 bytes at a time (little-endian words, the last one zero-padded) and every word goes
// through absorb(), which for a fixed word is a bijection of the 64-bit state (xor, multiply
// by an odd constant, rotate by 32, a xorshift of the halves): two payloads that differ in
// one word (a flipped bit or byte) always leave different 64-bit states, and the last
// multiply and fold spread that difference over the 32 bits kept, so that a corruption
// escapes with probability about 2^-32 (the 64-bit state is exact; only the fold can lose).
//
// The order is what lets the data path skip the pattern: the pattern part (bytes 32..len,
// with len itself) is hashed first, unkeyed, into pattern_hash; the stamp fields are
// absorbed after it, keyed by the run's magic. The fields are absorbed as values, which is
// the same as hashing bytes 0..28 since their big-endian encoding is fixed.
#include "lib/gen/stamp.hh"

#include <bit>
#include <cstring>

namespace pw::gen {
namespace {

constexpr std::uint64_t k1 = 0x9e3779b97f4a7c15ULL;
constexpr std::uint64_t k2 = 0xbf58476d1ce4e5b9ULL;
constexpr std::uint64_t k3 = 0x94d049bb133111ebULL;

// For a fixed word a bijection of the state: xor, multiply by an odd constant, rotate. The
// multiply carries every bit upward, the rotation brings the high half down for the next one.
constexpr std::uint64_t absorb(std::uint64_t h, std::uint64_t w) noexcept {
    return std::rotl((h ^ w) * k2, 32);
}

// One more multiply spreads the last word over the high half; the fold brings it down.
constexpr std::uint32_t finish(std::uint64_t h) noexcept {
    h *= k3;
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

inline std::uint64_t load_le64(const std::byte* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    return w;
}

// Absorbs n bytes at p: whole words, then the last 1..7 bytes as one zero-padded word.
std::uint64_t absorb_bytes(std::uint64_t h, const std::byte* p, std::size_t n) noexcept {
    for (; n >= 8; p += 8, n -= 8) h = absorb(h, load_le64(p));
    if (n != 0) {
        std::byte last[8]{};
        std::memcpy(last, p, n);
        h = absorb(h, load_le64(last));
    }
    return h;
}

// The state before the pattern: depends on the payload length, so that payloads that only
// differ by trailing zero bytes do not collide.
constexpr std::uint64_t pattern_seed(std::size_t data_len) noexcept {
    return absorb(k1, static_cast<std::uint64_t>(data_len));
}

inline std::uint8_t pattern_byte(const Pattern& p, std::size_t len, std::size_t i) noexcept {
    // As ping fills its data (iputils fill()): the pattern repeats from the first data byte,
    // the stamp then overwrites bytes 0..32.
    return len == 0 ? static_cast<std::uint8_t>(i & 0xff) : p.bytes[i % len];
}

inline std::size_t pattern_len(const Pattern& p) noexcept {
    return p.len > p.bytes.size() ? p.bytes.size() : p.len;
}

void fill_pattern(wire::Bytes data, const Pattern& p) noexcept {
    const std::size_t len = pattern_len(p);
    for (std::size_t i = stamp_len; i < data.size(); ++i)
        data[i] = std::byte{pattern_byte(p, len, i)};
}

}  // namespace

std::uint64_t pattern_hash(const Pattern& p, std::size_t data_len) noexcept {
    std::uint64_t h = pattern_seed(data_len);
    if (data_len <= stamp_len) return h;
    const std::size_t len = pattern_len(p);
    // The pattern is generated in chunks of whole words, hashed as read_stamp hashes bytes.
    std::byte chunk[512];
    std::size_t i = stamp_len;
    while (i < data_len) {
        const std::size_t n = data_len - i < sizeof chunk ? data_len - i : sizeof chunk;
        for (std::size_t k = 0; k < n; ++k) chunk[k] = std::byte{pattern_byte(p, len, i + k)};
        h = absorb_bytes(h, chunk, n);
        i += n;
    }
    return h;
}

std::uint32_t stamp_check(const Stamp& s, std::uint64_t ph) noexcept {
    // The fields as values (their big-endian encoding in bytes 0..28 is fixed, so this is a
    // hash of those bytes). ProbeWriter::write keeps an inline copy of these five lines
    // (gen_probe_test checks byte for byte that the two builders agree).
    std::uint64_t h = absorb(ph, (std::uint64_t{s.magic} << 32) | s.target);
    h = absorb(h, s.probe);
    h = absorb(h, s.seq);
    h = absorb(h, s.tsc);
    return finish(h);
}

void write_stamp(wire::Bytes data, const Stamp& s, std::uint64_t ph) noexcept {
    if (data.size() < stamp_len) return;
    wire::store32(data, 0, s.magic);
    wire::store32(data, 4, s.target);
    wire::store32(data, 8, s.probe);
    wire::store32(data, 12, static_cast<std::uint32_t>(s.seq >> 32));
    wire::store32(data, 16, static_cast<std::uint32_t>(s.seq));
    wire::store32(data, 20, static_cast<std::uint32_t>(s.tsc >> 32));
    wire::store32(data, 24, static_cast<std::uint32_t>(s.tsc));
    wire::store32(data, 28, stamp_check(s, ph));
}

void write_payload(wire::Bytes data, const Pattern& p, const Stamp& s) noexcept {
    if (data.size() < stamp_len) return;
    fill_pattern(data, p);
    write_stamp(data, s, pattern_hash(p, data.size()));
}

StampStatus read_stamp(wire::ConstBytes data, std::uint32_t magic, Stamp& out) noexcept {
    if (data.size() < stamp_len) return StampStatus::absent;
    if (wire::load32(data, 0) != magic) return StampStatus::absent;
    out.magic = magic;
    out.target = wire::load32(data, 4);
    out.probe = wire::load32(data, 8);
    out.seq = (std::uint64_t{wire::load32(data, 12)} << 32) | wire::load32(data, 16);
    out.tsc = (std::uint64_t{wire::load32(data, 20)} << 32) | wire::load32(data, 24);
    const std::uint64_t ph =
        absorb_bytes(pattern_seed(data.size()), data.data() + stamp_len, data.size() - stamp_len);
    return stamp_check(out, ph) == wire::load32(data, 28) ? StampStatus::valid
                                                          : StampStatus::corrupted;
}

}  // namespace pw::gen
