// The tunnel score of a source, 0..100, from its echo payloads over the window (current and
// previous): how much they look like a covert channel (icmptunnel, ptunnel: encrypted or
// compressed data of varying sizes, different in every request) rather than a ping (one
// pattern, one size, repeated).
//
//   score = 40 * changed / inspected                          payloads unlike the one before
//         + 20 * min(1, (sizes - 1) / 4)                      variety of sizes (5+ sizes: all)
//         + 20 * high_entropy / inspected                     entropy >= 0.93 of random data's
//         + 20 * |request_bytes - reply_bytes| / max(both)    only when both were seen
//
// The last term rests on RFC 792 and RFC 4443 4.2: an echo reply returns the request's data,
// so a ping's request and reply bytes match; a tunnel's server answers with its own data. It
// counts only where the tracker sees both directions (router mode).
//
// The entropy of a random payload of n bytes is below log2(min(n, 256)) (bytes repeat: 7.18
// bits for 256 bytes, not 8), so the bar is 0.93 of its expected value (entropy.hh).
//
// What scores what: Linux ping 20 at most (its 0x10, 0x11, ... pattern can reach the entropy
// bar; nothing else), ping -s 1400 20 (its pattern covers all 256 values), Windows' 32-byte
// pings and fping 0; random payloads of one size about 60, of varying sizes about 80, with
// asymmetric replies up to 100.
#pragma once

#include <cstdint>

#include "lib/insight/payload_shape.hh"

namespace pw::insight {

std::uint8_t tunnel_score(const PayloadSummary& s) noexcept;

}  // namespace pw::insight
