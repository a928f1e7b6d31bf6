// The tunnel score (formula in tunnel_score.hh).
#include "lib/insight/tunnel_score.hh"

namespace pw::insight {

std::uint8_t tunnel_score(const PayloadSummary& s) noexcept {
    if (s.inspected == 0) return 0;
    const double n = s.inspected;
    double score = 40.0 * s.changed / n;
    if (s.sizes > 1) {
        const double variety = (s.sizes - 1) / 4.0;
        score += 20.0 * (variety > 1.0 ? 1.0 : variety);
    }
    score += 20.0 * s.high_entropy / n;
    if (s.request_bytes != 0 && s.reply_bytes != 0) {
        const double req = static_cast<double>(s.request_bytes);
        const double rep = static_cast<double>(s.reply_bytes);
        const double hi = req > rep ? req : rep;
        const double diff = req > rep ? req - rep : rep - req;
        score += 20.0 * diff / hi;
    }
    if (score > 100.0) score = 100.0;
    return static_cast<std::uint8_t>(score + 0.5);
}

}  // namespace pw::insight
