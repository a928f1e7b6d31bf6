#include "lib/gen/pmtu.hh"

#include <algorithm>
#include <string>

namespace pw::gen {

// The search keeps lo_ (the largest size known to pass) and hi_ (the smallest known to fail,
// and how it failed). Its order:
//   1. the smallest size: silence means the target answers nothing (no_answer);
//   2. the port MTU: an answer ends it (every size passes);
//   3. an MTU an ICMP error reported, when it lies in (lo_, hi_): if it passes, the error's
//      word is taken for every size up to the one it refused (RFC 1191 / RFC 8201);
//   4. otherwise bisection, until hi_ = lo_ + 1.
// The verdict then names how the smallest failing size failed: by an ICMP error (pmtu lo_,
// told by that router) or silently (a black hole above lo_, RFC 2923 2.1).

PmtuSearch::PmtuSearch(bool v6, unsigned max_size) noexcept
    : v6_(v6),
      // RFC 791: every IPv4 module forwards 68 bytes unfragmented; RFC 8200 5: IPv6 links
      // carry 1280.
      min_size_(v6 ? 1280U : 68U),
      max_size_(std::max(max_size, v6 ? 1280U : 68U)),
      lo_(0),
      hi_(max_size_ + 1),
      next_(min_size_) {}

unsigned PmtuSearch::next_size() const noexcept {
    return verdict_ == Verdict::searching ? next_ : 0;
}

void PmtuSearch::on_answer(unsigned size) noexcept {
    if (verdict_ != Verdict::searching) return;
    ++steps_;
    lo_ = std::max(lo_, size);
    passed_ = lo_;
    if (hi_ <= lo_) {
        // A size reported failing now passes: the failure was a loss (or the path changed);
        // the answer is the newer news.
        hi_ = max_size_ + 1;
        hi_silent_ = false;
        hi_mtu_ = 0;
    }
    advance();
}

void PmtuSearch::on_too_big(unsigned size, unsigned mtu, const wire::Ipv6Addr& from) noexcept {
    if (verdict_ != Verdict::searching) return;
    ++steps_;
    told_ = true;
    told_mtu_ = mtu;
    told_by_ = from;
    if (lo_ == 0 || size <= min_size_) {
        // Refused at the smallest size every link must carry (a bogus or misdirected error):
        // the target itself was never reached.
        verdict_ = Verdict::no_answer;
        return;
    }
    if (size <= lo_) {
        advance();  // about a size that passed: stale, nothing learned about the bounds
        return;
    }
    if (size <= hi_) {
        // An ICMP error is the better word on a size than silence about it.
        hi_ = size;
        hi_silent_ = false;
        hi_mtu_ = mtu;
    }
    advance();
}

void PmtuSearch::on_silence(unsigned size) noexcept {
    if (verdict_ != Verdict::searching) return;
    ++steps_;
    if (lo_ == 0) {
        verdict_ = Verdict::no_answer;  // not even the smallest probe came back
        return;
    }
    if (size > lo_ && size < hi_) {
        hi_ = size;
        hi_silent_ = true;
        hi_mtu_ = 0;
        silent_above_ = true;
    }
    advance();
}

void PmtuSearch::advance() noexcept {
    if (hi_ - lo_ <= 1) return finish();
    // The router said hi_mtu_ fits and it did: the sizes above it up to hi_ are too big.
    if (hi_mtu_ != 0 && hi_mtu_ == lo_) return finish();
    if (hi_mtu_ > lo_ && hi_mtu_ < hi_ && hi_mtu_ >= min_size_) {
        next_ = hi_mtu_;
    } else if (hi_ == max_size_ + 1) {
        next_ = max_size_;  // nothing failed yet: does the port MTU pass?
    } else {
        next_ = lo_ + (hi_ - lo_) / 2;
    }
}

void PmtuSearch::finish() noexcept {
    passed_ = lo_;
    next_ = 0;
    if (hi_ > max_size_ || !hi_silent_)
        verdict_ = Verdict::pmtu;  // every size passed, or the first failure was an ICMP error
    else
        verdict_ = Verdict::black_hole;
}

std::string PmtuSearch::describe() const {
    const std::string n = std::to_string(passed_);
    switch (verdict_) {
        case Verdict::searching:
            return "pmtu: searching (" + std::to_string(next_) + " bytes next, " +
                   std::to_string(steps_) + " steps so far)";
        case Verdict::no_answer:
            return "pmtu: no answer from the target at all (" + std::to_string(min_size_) +
                   " bytes)";
        case Verdict::black_hole:
            return "pmtu black hole: sizes above " + n + " vanish with no ICMP answer (" + n +
                   " passes)";
        case Verdict::pmtu:
            break;
    }
    if (hi_ > max_size_) return "pmtu " + n + " (the port MTU: every size passed)";
    if (!told_) return "pmtu " + n;
    const std::string by = v6_ ? "packet too big from " + told_by_.to_string()
                               : "frag needed from " + wire::v4_unmapped(told_by_).to_string();
    if (told_mtu_ == 0) return "pmtu " + n + " (" + by + ", no MTU given)";
    return "pmtu " + n + " (" + by + ", mtu=" + std::to_string(told_mtu_) + ")";
}

}  // namespace pw::gen
