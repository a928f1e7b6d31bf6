// The stamp every probe payload carries, so that a reply is matched, timed and verified from
// its own bytes (no per-probe state on the sender):
//
//   0  magic   u32   per run (random at start): a reply carrying another run's stamp is not ours
//   4  target  u32   index of the target in the run's target set
//   8  probe   u32   the probe's number for that target (0, 1, ...): reordering, --count
//  12  seq     u64   the sending lcore's sequence number (duplicates: one window per sender)
//  20  tsc     u64   the TSC when the probe was built (RTT = receive TSC - this)
//  28  check   u32   a keyed hash over bytes 0..28 and every byte after 32 (the pattern)
//  32  pattern ...   --pattern repeated, or ping's default (byte i = i)
//
// All fields big-endian. A reply whose magic matches but whose check fails is corrupted.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/wire/bytes.hh"

namespace pw::gen {

inline constexpr std::size_t stamp_len = 32;

struct Stamp {
    std::uint32_t magic = 0;
    std::uint32_t target = 0;
    std::uint32_t probe = 0;
    std::uint64_t seq = 0;
    std::uint64_t tsc = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
};

// The payload after the stamp: up to 16 bytes repeated (ping -p), or empty: byte i of the
// ICMP data is (i & 0xff), as ping fills it.
struct Pattern {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t len = 0;
    friend bool operator==(const Pattern&, const Pattern&) = default;
};

enum class StampStatus : std::uint8_t {
    absent,     // shorter than a stamp, or another magic: not one of this run's probes
    valid,      // magic and check agree
    corrupted,  // our magic, but the check over the rest fails
};

// The hash of the pattern part of a data_len-byte payload (bytes stamp_len..data_len), the
// constant part of every check for that size: computed once per size, not per probe.
std::uint64_t pattern_hash(const Pattern& p, std::size_t data_len) noexcept;
// The check of a stamp over a payload whose pattern part hashes to ph.
std::uint32_t stamp_check(const Stamp& s, std::uint64_t ph) noexcept;

// Fills data (the ICMP/UDP payload, data.size() >= stamp_len) with the pattern and the stamp.
void write_payload(wire::Bytes data, const Pattern& p, const Stamp& s) noexcept;
// Writes only the stamp and its check (bytes 0..32) over a payload already holding the
// pattern whose hash is ph.
void write_stamp(wire::Bytes data, const Stamp& s, std::uint64_t ph) noexcept;
// Reads and verifies the stamp of a payload (of any size: the check covers all of it).
StampStatus read_stamp(wire::ConstBytes data, std::uint32_t magic, Stamp& out) noexcept;

}  // namespace pw::gen
