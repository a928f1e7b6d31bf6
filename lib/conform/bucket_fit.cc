#include "lib/conform/bucket_fit.hh"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pw::conform {

// How the fit reads the steps (every step starts with a full bucket):
//
// Saturated steps. A step is saturated when at least 10 triggers left and fewer than 90% came
// back. The knee is the lowest offered rate among them.
//
// Rate. In a saturated step the burst comes first, then the steady rate; the steady part is
// read from the second half of the step, arrivals in [T/2, T): messages / T/2 (later, from
// 1.25x the drain time, in a step whose burst, roughly returned - rate*T, cannot have drained
// at offered - rate by T/2; no rate from it when that leaves under a tenth). The steps are
// pooled (all their steady messages over all their steady time, so each message weighs the
// same). A step whose second half still returned >= 90% of what was offered had not spent its
// burst by then (barely saturated); it is left out when any other step can give the rate. The
// 95% interval comes from 10 windows per step (rate per window, mean +- 1.96 sd / sqrt(n)),
// never narrower than +-1 message over one step's steady span.
//
// Refill. The steady arrivals are grouped into clumps: an arrival less than 1 ms after the
// previous one joins its clump. A refill period is reported when the steps (those offered at
// >= 5x the rate, where a refill's messages leave back to back, else all) give at least 8
// clumps with a median period >= 2 ms, the clumps hold >= 1.5 messages on average AND the
// periods are regular (median absolute deviation < 25% of the median). Both are needed: a
// smooth per-message limiter at 50/s gives perfectly regular "clumps" of one message every
// 20 ms (regular, but a per-message interval, not a refill), and one near 1000/s with jitter
// gives clumps of 1-3 merged by the 1 ms rule (big enough, but irregular).
//
// Cost. Read from the clumps' sizes (the first and last clump of each step's steady part are
// left out, the window may cut them) when a refill was seen and clumps hold >= 3 messages:
// fixed when the sizes' sd < 0.5 (the odd clump off by one from timing); randomised when
// sd >= 0.8 and the variance is >= 0.25 of the mean. The variance-to-mean ratio is used rather
// than a coefficient of variation because it does not shrink with the clump size: a random
// cost of 0..2 (mean 1, variance 2/3) gives a ratio near 2/3 whatever the credit per refill
// (10 credits: 10 +- 2.6; 50 credits: 50 +- 5.8, a CV of only 0.12), while a fixed cost seen
// through a loss p gives a binomial p(1-p)m, a ratio below p. (With clumps of >= 3, a ratio of
// >= 0.25 already means sd >= 0.87; the sd floor stays as the plain statement.) Else unknown.
//
// Burst. returned - rate*T carries all of the step's steady-phase noise (a random cost over
// 2 s of 20 ms refills: +-37 messages) and an offset of up to one refill's credit (the refill
// that did not come before T). So where arrival times are known the burst is read early
// instead, just after the burst is spent: at a steady point (a clump when refills were seen,
// else an arrival) starting at t (from the first arrival, so the path's delay cancels), with N
// messages come back by the end of it, the burst is N - rate*t: the messages beyond what the
// steady rate explains. The median over the first 5 such points after the burst is surely
// spent (twice the time a burst of the rough size returned - rate*T, plus a refill, takes to
// drain at offered - rate) is the step's figure. Steps without arrival times use
// returned - rate*T. Both are clamped at >= 0. The fit reports the median over the saturated
// steps offered at >= 5x the rate (their burst drains fast), else over all; the interval
// combines the rate's interval propagated over t (or T) with the spread of the steps' figures,
// and is at least +-0.5 message.
//
// Missing arrival times. A saturated step without arrival times (but returned > 0) gives the
// rate (returned - burst) / T with the burst from the steps that have them; when no step has
// them the burst is unknown (reported 0, its interval up to the least returned) and the rate is
// returned / T, an upper bound (its interval down to what a burst of that size would leave).

namespace {

constexpr double ns_per_s = 1e9;
constexpr std::uint64_t min_sent = 10;
constexpr double saturated_share = 0.9;
constexpr double z95 = 1.96;
constexpr int windows_per_step = 10;
constexpr std::uint64_t clump_gap_ns = 1'000'000;
constexpr std::size_t min_clumps = 8;
constexpr double min_period_ms = 2.0;
constexpr double min_mean_clump = 1.5;
constexpr double max_period_mad_share = 0.25;
constexpr double min_clump_for_cost = 3.0;
constexpr double fixed_max_sd = 0.5;
constexpr double random_min_sd = 0.8;
constexpr double random_min_var_to_mean = 0.25;
constexpr double drained_factor = 5.0;
constexpr std::size_t burst_points = 5;
constexpr double min_burst_halfwidth = 0.5;
// The standard error of a median is about sqrt(pi/2) that of a mean.
constexpr double median_se_factor = 1.2533;

double as_double(std::uint64_t v) noexcept {
    return static_cast<double>(v);
}

bool is_saturated(const RateStep& s) noexcept {
    return s.sent >= min_sent && as_double(s.returned) < saturated_share * as_double(s.sent);
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct MeanSd {
    double mean = 0;
    double sd = 0;
};

MeanSd mean_sd(const std::vector<double>& v) {
    MeanSd r;
    if (v.empty()) return r;
    double sum = 0;
    for (double x : v) sum += x;
    r.mean = sum / static_cast<double>(v.size());
    if (v.size() < 2) return r;
    double ss = 0;
    for (double x : v) ss += (x - r.mean) * (x - r.mean);
    r.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
    return r;
}

// A number for the evidence line: 3 significant digits, no exponent, no trailing zeros.
std::string num(double v) {
    char buf[64];
    if (std::fabs(v) >= 999.5) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else if (std::fabs(v) < 1e-3) {
        std::snprintf(buf, sizeof buf, "0");
    } else {
        std::snprintf(buf, sizeof buf, "%.3g", v);
    }
    return buf;
}

struct Clump {
    std::uint64_t start_ns = 0;
    std::size_t end = 0;  // index one past its last arrival
    std::size_t size = 0;
};

std::vector<Clump> clumps_of(std::span<const std::uint64_t> a) {
    std::vector<Clump> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (out.empty() || a[i] - a[i - 1] >= clump_gap_ns) {
            out.push_back({a[i], i, 0});
        }
        out.back().end = i + 1;
        ++out.back().size;
    }
    return out;
}

// One saturated step as the fit reads it.
struct Step {
    const RateStep* s = nullptr;
    std::vector<std::uint64_t> sorted;  // a sorted copy, only when the input was not sorted
    std::span<const std::uint64_t> arr;
    double t_s = 0;  // duration, s
    // The steady part [from_ns, T): from T/2, later when the burst cannot be spent by then.
    std::uint64_t from_ns = 0;
    std::span<const std::uint64_t> steady;
    double steady_s = 0;
    bool usable_for_rate = false;

    void set_steady(std::uint64_t from) {
        std::uint64_t t = s->duration_ns;
        from_ns = std::min(from, t);
        auto lo = std::lower_bound(arr.begin(), arr.end(), from_ns);
        auto hi = std::lower_bound(arr.begin(), arr.end(), t);
        steady = arr.subspan(static_cast<std::size_t>(lo - arr.begin()),
                             static_cast<std::size_t>(hi - lo));
        steady_s = as_double(t - from_ns) / ns_per_s;
    }
};

struct RateFromArrivals {
    double messages = 0;
    double span_s = 0;
    std::size_t steps = 0;
    std::vector<double> window_rates;
};

RateFromArrivals pool_steady(std::vector<Step>& steps) {
    // Steps that had spent their burst by the steady part; when none has, every step with
    // arrivals.
    std::size_t drained = 0;
    for (Step& st : steps) {
        st.usable_for_rate = false;
        if (st.arr.empty() || st.steady_s <= 0) continue;
        double r = as_double(st.steady.size()) / st.steady_s;
        st.usable_for_rate = r < saturated_share * st.s->offered_pps;
        if (st.usable_for_rate) ++drained;
    }
    if (drained == 0) {
        for (Step& st : steps) st.usable_for_rate = !st.arr.empty() && st.steady_s > 0;
    }
    RateFromArrivals out;
    for (const Step& st : steps) {
        if (!st.usable_for_rate) continue;
        out.messages += as_double(st.steady.size());
        out.span_s += st.steady_s;
        ++out.steps;
        std::uint64_t t = st.s->duration_ns;
        std::uint64_t from = st.from_ns;
        double width = as_double(t - from) / windows_per_step;
        for (int w = 0; w < windows_per_step; ++w) {
            auto lo = static_cast<std::uint64_t>(as_double(from) + width * w);
            auto hi = static_cast<std::uint64_t>(as_double(from) + width * (w + 1));
            if (w == windows_per_step - 1) hi = t;
            auto a = std::lower_bound(st.steady.begin(), st.steady.end(), lo);
            auto b = std::lower_bound(st.steady.begin(), st.steady.end(), hi);
            double span = as_double(hi - lo) / ns_per_s;
            if (span > 0) out.window_rates.push_back(static_cast<double>(b - a) / span);
        }
    }
    return out;
}

// The steady rate: a first pass from T/2; then a step whose burst (roughly returned - rate*T)
// cannot have drained at offered - rate by T/2 has its steady part start later (1.25x the
// drain time), or gives no rate when that leaves less than a tenth of the step.
RateFromArrivals steady_rate(std::vector<Step>& steps) {
    for (Step& st : steps) st.set_steady(st.s->duration_ns / 2);
    RateFromArrivals first = pool_steady(steps);
    if (first.span_s <= 0) return first;
    double rate = first.messages / first.span_s;
    bool moved = false;
    for (Step& st : steps) {
        if (st.arr.empty() || st.s->offered_pps <= rate) continue;
        double rough = std::max(0.0, as_double(st.s->returned) - rate * st.t_s);
        double drain_s = 1.25 * (rough + 1) / (st.s->offered_pps - rate);
        std::uint64_t t = st.s->duration_ns;
        if (drain_s * ns_per_s <= as_double(t / 2)) continue;
        moved = true;
        if (drain_s >= 0.9 * st.t_s) {
            st.set_steady(t);  // nothing steady
        } else {
            st.set_steady(static_cast<std::uint64_t>(drain_s * ns_per_s));
        }
    }
    return moved ? pool_steady(steps) : first;
}

struct RefillRead {
    std::optional<double> refill_ms;
    CostKind cost = CostKind::unknown;
    std::size_t clumps = 0;
    double mean_clump = 0;
};

RefillRead read_refill(const std::vector<Step>& steps, double rate) {
    std::vector<const Step*> use;
    for (const Step& st : steps) {
        if (!st.steady.empty() && st.s->offered_pps >= drained_factor * rate) use.push_back(&st);
    }
    if (use.empty()) {
        for (const Step& st : steps) {
            if (!st.steady.empty()) use.push_back(&st);
        }
    }
    std::vector<double> periods_ms;
    std::vector<double> sizes;  // interior clumps only
    std::size_t clumps = 0;
    double messages = 0;
    for (const Step* st : use) {
        std::span<const std::uint64_t> steady = st->steady;
        std::vector<Clump> c = clumps_of(steady);
        clumps += c.size();
        messages += as_double(steady.size());
        for (std::size_t i = 1; i < c.size(); ++i) {
            periods_ms.push_back(as_double(c[i].start_ns - c[i - 1].start_ns) / 1e6);
        }
        for (std::size_t i = 1; i + 1 < c.size(); ++i) sizes.push_back(as_double(c[i].size));
    }
    RefillRead out;
    out.clumps = clumps;
    if (clumps < min_clumps || periods_ms.empty()) return out;
    out.mean_clump = messages / as_double(clumps);
    double period = median(periods_ms);
    std::vector<double> dev;
    dev.reserve(periods_ms.size());
    for (double p : periods_ms) dev.push_back(std::fabs(p - period));
    double mad = median(std::move(dev));
    bool regular = mad < max_period_mad_share * period;
    if (period < min_period_ms || out.mean_clump < min_mean_clump || !regular) return out;
    out.refill_ms = period;
    if (out.mean_clump < min_clump_for_cost || sizes.size() < 2) return out;
    MeanSd m = mean_sd(sizes);
    if (m.sd < fixed_max_sd) {
        out.cost = CostKind::fixed;
    } else if (m.sd >= random_min_sd && m.sd * m.sd >= random_min_var_to_mean * m.mean) {
        out.cost = CostKind::randomised;
    }
    return out;
}

// A step's burst read from its arrivals (see the top of the file); t_s_out: when it was read.
double burst_from_arrivals(const Step& st, double rate, double credit, bool clumped,
                           double& t_s_out) {
    const RateStep& s = *st.s;
    std::span<const std::uint64_t> a = st.arr;
    // (time from the first arrival, messages back by the end of the point)
    std::vector<std::pair<double, double>> points;
    if (clumped) {
        for (const Clump& c : clumps_of(a)) {
            points.emplace_back(as_double(c.start_ns - a[0]) / ns_per_s, as_double(c.end));
        }
    } else {
        points.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            points.emplace_back(as_double(a[i] - a[0]) / ns_per_s, as_double(i + 1));
        }
    }
    double rough = std::max(0.0, as_double(s.returned) - rate * st.t_s);
    double drain_rate = std::max(s.offered_pps - rate, 0.1 * s.offered_pps);
    auto read = [&](double guess, double& value, double& when) {
        double from = std::min(2.0 * (guess + credit + 1) / drain_rate, st.t_s / 2);
        auto it = std::lower_bound(points.begin(), points.end(), std::make_pair(from, 0.0));
        std::vector<double> d;
        std::vector<double> t;
        for (; it != points.end() && d.size() < burst_points; ++it) {
            if (it->first >= st.t_s) break;
            d.push_back(it->second - rate * it->first);
            t.push_back(it->first);
        }
        if (d.empty()) return false;
        value = median(std::move(d));
        when = median(std::move(t));
        return true;
    };
    double first = 0;
    double when = 0;
    if (!read(rough, first, when)) {
        t_s_out = st.t_s;
        return rough;
    }
    double second = first;
    read(std::max(rough, first), second, when);
    t_s_out = when;
    return std::max(0.0, second);
}

struct BurstRead {
    Estimate est;
    std::size_t steps = 0;
};

// The burst over the saturated steps offered at >= 5x the rate (else all); only steps with
// arrival times when with_arrivals_only.
BurstRead read_burst(const std::vector<Step>& steps, double rate, double rate_halfwidth,
                     double credit, bool clumped, bool with_arrivals_only) {
    std::vector<const Step*> use;
    auto eligible = [&](const Step& st) { return !with_arrivals_only || !st.arr.empty(); };
    for (const Step& st : steps) {
        if (eligible(st) && st.s->offered_pps >= drained_factor * rate) use.push_back(&st);
    }
    if (use.empty()) {
        for (const Step& st : steps) {
            if (eligible(st)) use.push_back(&st);
        }
    }
    BurstRead out;
    out.steps = use.size();
    if (use.empty()) return out;
    std::vector<double> values;
    std::vector<double> halfwidths;
    for (const Step* st : use) {
        double t = st->t_s;
        double b = 0;
        if (!st->arr.empty()) {
            b = burst_from_arrivals(*st, rate, credit, clumped, t);
        } else {
            b = std::max(0.0, as_double(st->s->returned) - rate * st->t_s);
        }
        values.push_back(b);
        halfwidths.push_back(rate_halfwidth * t);
    }
    double value = median(values);
    double propagated = median(halfwidths);
    double spread = 0;
    if (values.size() >= 2) {
        spread = z95 * median_se_factor * mean_sd(values).sd /
                 std::sqrt(static_cast<double>(values.size()));
    }
    double h = std::max(min_burst_halfwidth, std::hypot(propagated, spread));
    out.est = {value, std::max(0.0, value - h), value + h};
    return out;
}

}  // namespace

BucketFit fit_bucket(std::span<const RateStep> in) {
    BucketFit fit;
    std::vector<const RateStep*> all;
    for (const RateStep& s : in) {
        if (s.sent > 0) all.push_back(&s);
    }
    // A fixed order, so that the figures do not depend on the order the steps came in.
    std::stable_sort(all.begin(), all.end(), [](const RateStep* a, const RateStep* b) {
        if (a->offered_pps != b->offered_pps) return a->offered_pps < b->offered_pps;
        if (a->duration_ns != b->duration_ns) return a->duration_ns < b->duration_ns;
        if (a->sent != b->sent) return a->sent < b->sent;
        if (a->returned != b->returned) return a->returned < b->returned;
        return a->arrivals_ns.size() < b->arrivals_ns.size();
    });
    if (all.empty()) {
        fit.evidence = "no steps";
        return fit;
    }

    std::vector<Step> steps;
    for (const RateStep* s : all) {
        if (!is_saturated(*s) || s->duration_ns == 0) continue;
        Step st;
        st.s = s;
        st.t_s = as_double(s->duration_ns) / ns_per_s;
        steps.push_back(std::move(st));
    }
    if (steps.empty()) {
        fit.evidence = std::to_string(all.size()) + (all.size() == 1 ? " step (" : " steps (") +
                       num(all.front()->offered_pps) + "-" + num(all.back()->offered_pps) +
                       " pps): no limit, no step lost 10% or more";
        return fit;
    }
    for (Step& st : steps) {
        const std::vector<std::uint64_t>& a = st.s->arrivals_ns;
        if (!std::is_sorted(a.begin(), a.end())) {
            st.sorted = a;
            std::sort(st.sorted.begin(), st.sorted.end());
        }
    }
    for (Step& st : steps) {
        st.arr = st.sorted.empty() ? std::span<const std::uint64_t>(st.s->arrivals_ns)
                                   : std::span<const std::uint64_t>(st.sorted);
    }

    fit.limited = true;
    fit.knee_pps = steps.front().s->offered_pps;
    std::size_t without_arrivals = 0;
    for (const Step& st : steps) {
        if (st.arr.empty()) ++without_arrivals;
    }

    if (without_arrivals == steps.size()) {
        // No arrival times at all: the burst is unknown, the rate an upper bound.
        double returned = 0;
        double span = 0;
        double least = as_double(steps.front().s->returned);
        for (const Step& st : steps) {
            returned += as_double(st.s->returned);
            span += st.t_s;
            least = std::min(least, as_double(st.s->returned));
        }
        double rate = returned / span;
        double count_err = as_double(steps.size()) / span;
        double lo = (returned - least * as_double(steps.size())) / span;
        fit.rate_pps = {rate, std::max(0.0, lo - count_err), rate + count_err};
        fit.burst = {0, 0, least};
        fit.evidence = std::to_string(steps.size()) + " saturated step" +
                       (steps.size() == 1 ? "" : "s") + " (" + num(steps.front().s->offered_pps) +
                       "-" + num(steps.back().s->offered_pps) + " pps): at most " + num(rate) +
                       " msg/s, no arrival times (the burst unknown)";
        return fit;
    }

    // The rate from the steps with arrival times.
    RateFromArrivals ra = steady_rate(steps);
    double rate = ra.span_s > 0 ? ra.messages / ra.span_s : 0;
    double halfwidth = 0;
    if (ra.window_rates.size() >= 2) {
        halfwidth = z95 * mean_sd(ra.window_rates).sd /
                    std::sqrt(static_cast<double>(ra.window_rates.size()));
    }
    double mean_span = ra.steps > 0 ? ra.span_s / static_cast<double>(ra.steps) : 0;
    if (mean_span > 0) halfwidth = std::max(halfwidth, 1.0 / mean_span);

    RefillRead rr = read_refill(steps, rate);
    fit.refill_ms = rr.refill_ms;
    fit.cost = rr.cost;
    bool clumped = rr.refill_ms.has_value();
    double credit = clumped ? rate * *rr.refill_ms / 1e3 : 1.0;

    if (without_arrivals > 0) {
        // Steps without arrival times: (returned - burst) / T, the burst from the others.
        BurstRead known = read_burst(steps, rate, halfwidth, credit, clumped, true);
        double messages = ra.messages;
        double span = ra.span_s;
        for (const Step& st : steps) {
            if (!st.arr.empty()) continue;
            messages += std::max(0.0, as_double(st.s->returned) - known.est.value);
            span += st.t_s;
        }
        rate = span > 0 ? messages / span : 0;
    }
    fit.rate_pps = {rate, std::max(0.0, rate - halfwidth), rate + halfwidth};

    BurstRead br = read_burst(steps, rate, halfwidth, credit, clumped, false);
    fit.burst = br.est;

    std::string e = std::to_string(steps.size()) + " saturated step" +
                    (steps.size() == 1 ? "" : "s") + " (" + num(steps.front().s->offered_pps) +
                    "-" + num(steps.back().s->offered_pps) + " pps): " + num(rate) +
                    " msg/s after a burst of " + num(fit.burst.value);
    if (fit.refill_ms) {
        e += ", refilled every " + num(*fit.refill_ms) + " ms (" + num(rr.mean_clump) +
             " per refill)";
    }
    if (fit.cost != CostKind::unknown) e += std::string(", cost ") + to_string(fit.cost);
    if (without_arrivals > 0) {
        e += ", " + std::to_string(without_arrivals) + " without arrival times";
    }
    fit.evidence = std::move(e);
    return fit;
}

double model_returned_pps(const BucketFit& fit, double offered_pps, std::uint64_t duration_ns) {
    if (!fit.limited) return offered_pps;
    if (duration_ns == 0) return std::min(offered_pps, fit.rate_pps.value);
    return std::min(offered_pps,
                    fit.rate_pps.value + fit.burst.value * ns_per_s / as_double(duration_ns));
}

const char* to_string(CostKind c) noexcept {
    switch (c) {
        case CostKind::fixed:
            return "fixed";
        case CostKind::randomised:
            return "randomised";
        case CostKind::unknown:
            break;
    }
    return "unknown";
}

}  // namespace pw::conform
