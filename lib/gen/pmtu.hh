// Path MTU search toward one target (--pmtu): probes with DF (IPv4) / full size (IPv6)
// between the smallest size every link carries (68 for IPv4, RFC 791; 1280 for IPv6, RFC 8200
// 5) and the port's MTU, learning from Frag Needed (RFC 1191) / Packet Too Big (RFC 8201)
// and from which router they came, bisecting where sizes vanish with no ICMP answer.
//
// Verdicts:
//   pmtu        the largest size that passes, with the router that reported it (if one did)
//   black_hole  sizes above N vanish with no ICMP answer while N passes (RFC 2923 2.1)
//   no_answer   not even the smallest probe is answered: the target answers nothing at all
//
// The caller drives it: send `probes_per_step` probes of next_size(), then report what came
// back within the step's timeout: on_answer, on_too_big, or on_silence when nothing did.
#pragma once

#include <cstdint>
#include <string>

#include "lib/wire/addr.hh"

namespace pw::gen {

class PmtuSearch {
public:
    enum class Verdict : std::uint8_t { searching, pmtu, black_hole, no_answer };

    // sizes are IP packet lengths (header included); max_size: the port MTU.
    PmtuSearch(bool v6, unsigned max_size) noexcept;

    // The size to probe next; 0 once a verdict is reached.
    unsigned next_size() const noexcept;
    // A probe of size got its echo reply.
    void on_answer(unsigned size) noexcept;
    // A probe of size got Frag Needed / Packet Too Big from `from` saying mtu.
    void on_too_big(unsigned size, unsigned mtu, const wire::Ipv6Addr& from) noexcept;
    // No answer of any kind to the probes of size within the step's timeout.
    void on_silence(unsigned size) noexcept;

    Verdict verdict() const noexcept { return verdict_; }
    unsigned pmtu() const noexcept { return passed_; }  // the largest size that passed
    bool told() const noexcept { return told_; }        // an ICMP error reported an MTU
    unsigned told_mtu() const noexcept { return told_mtu_; }
    const wire::Ipv6Addr& told_by() const noexcept { return told_by_; }
    unsigned steps() const noexcept { return steps_; }
    // "pmtu 1400 (frag needed from 198.18.0.254, mtu=1400)", "pmtu black hole: sizes above
    // 1400 vanish with no ICMP answer (1400 passes)", "no answer from the target at all (68 bytes)"
    std::string describe() const;

private:
    bool v6_;
    unsigned min_size_;
    unsigned max_size_;
    unsigned lo_;  // largest size known to pass (0: none yet)
    unsigned hi_;  // smallest size known to fail (max_size_ + 1: none yet)
    unsigned next_;
    unsigned passed_ = 0;
    bool told_ = false;
    unsigned told_mtu_ = 0;
    wire::Ipv6Addr told_by_;
    bool silent_above_ = false;  // some size failed with silence (not an ICMP answer)
    unsigned steps_ = 0;
    Verdict verdict_ = Verdict::searching;
    // How the failure at hi_ came: silently, or by an ICMP error saying hi_mtu_ (0: none).
    bool hi_silent_ = false;
    unsigned hi_mtu_ = 0;

    void advance() noexcept;  // the next size, or the verdict
    void finish() noexcept;
};

}  // namespace pw::gen
