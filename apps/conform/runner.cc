#include "apps/conform/runner.hh"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "lib/conform/judge.hh"
#include "lib/conform/stimulus.hh"

namespace pw::conform_app {

using conform::Family;

Runner::Runner(const Options& opt, app::Program& prog, conform::Setup& setup, Capture& capture,
               rte_ring* seen, int rx_ns_offset, std::atomic<pipeline::ConformStream*>& stream)
    : opt_(opt),
      prog_(prog),
      setup_(setup),
      capture_(capture),
      seen_(seen),
      rx_ns_offset_(rx_ns_offset),
      stream_slot_(stream),
      main_(run()) {}

void Runner::Wait::await_suspend(std::coroutine_handle<> h) noexcept {
    r->waiting_ = h;
    r->wake_ns_ = r->now_ + ns;
    r->wake_early_ = early;
}

Runner::Wait Runner::listen(conform::Phase& ph, double ms, bool early) {
    collecting_ = &ph;
    first_got_ns_ = 0;
    return Wait{this, static_cast<std::uint64_t>(ms * 1e6), early};
}

bool Runner::tick(std::uint64_t now_ns) {
    now_ = now_ns;
    rte_mbuf* ms[64];
    unsigned n;
    while ((n = rte_ring_sc_dequeue_burst(seen_, reinterpret_cast<void**>(ms), 64, nullptr)) > 0)
        for (unsigned i = 0; i < n; ++i) take(ms[i]);
    if (!started_) {
        started_ = true;
        main_.resume();
    } else if (waiting_ && (now_ >= wake_ns_ || (wake_early_ && first_got_ns_ != 0 &&
                                                 now_ >= first_got_ns_ + 50'000'000))) {
        auto h = std::exchange(waiting_, {});
        collecting_ = nullptr;
        h.resume();
    }
    return main_.done();
}

void Runner::take(rte_mbuf* m) {
    ++seen_count_;
    const std::uint64_t at = *RTE_MBUF_DYNFIELD(m, rx_ns_offset_, std::uint64_t*);
    const auto* p = rte_pktmbuf_mtod(m, const std::uint8_t*);
    if (watch_.on) {
        // A rate-limit step: count its returns, keep nothing else (a stream's worth of frames
        // is not for the capture).
        conform::Seen s = conform::Seen::parse(static_cast<std::uint8_t>(m->port), at,
                                               conform::Frame(p, p + m->data_len));
        if (s.quoted && s.quoted->sport == watch_.sport &&
            conform::answers(s, watch_.trigger, watch_.family)) {
            ++watch_.step->returned;
            // The time of the trigger it answers (from its quoted sequence number and the
            // schedule), so that the RUT's and the capture's delays do not blur the bucket;
            // the arrival time when the quote is too short to hold it.
            const std::uint64_t rx = at > watch_.start_ns ? at - watch_.start_ns : 0;
            std::uint64_t t = rx;
            if (const auto seq = conform::quoted_sequence(s)) {
                t = static_cast<std::uint64_t>(static_cast<double>(*seq) * 1e9 / watch_.rate);
                watch_.step->latency_ns.push_back(rx > t ? rx - t : 0);
            }
            watch_.step->arrivals_ns.push_back(t);
            if (watch_.step->returned <= 16) capture_.write(m, false);
        }
        rte_pktmbuf_free(m);
        return;
    }
    if (tally_.on) {
        const conform::Seen s = conform::Seen::parse(static_cast<std::uint8_t>(m->port), at,
                                                     conform::Frame(p, p + m->data_len));
        for (std::size_t i = 0; i < tally_.keys.size(); ++i) {
            const auto& k = tally_.keys[i];
            if (s.quoted && s.quoted->sport == k.sport && conform::answers(s, k.trigger, k.family))
                ++(*tally_.counts)[i];
        }
        rte_pktmbuf_free(m);
        return;
    }
    capture_.write(m, false);
    if (collecting_ != nullptr) {
        collecting_->got.push_back(conform::Seen::parse(static_cast<std::uint8_t>(m->port), at,
                                                        conform::Frame(p, p + m->data_len)));
        if (first_got_ns_ == 0) first_got_ns_ = now_;
    }
    rte_pktmbuf_free(m);
}

void Runner::send(const conform::Tx& tx) {
    rte_mbuf* m = rte_pktmbuf_alloc(prog_.pool());
    if (m == nullptr) {
        notes_.push_back("a stimulus was not sent: no mbuf");
        return;
    }
    std::memcpy(rte_pktmbuf_mtod(m, void*), tx.bytes.data(), tx.bytes.size());
    m->data_len = static_cast<std::uint16_t>(tx.bytes.size());
    m->pkt_len = static_cast<std::uint32_t>(tx.bytes.size());
    m->port = tx.port;
    capture_.write(m, true);
    if (rte_ring_sp_enqueue(prog_.neighbours()->to_worker(), m) != 0) {
        rte_pktmbuf_free(m);
        notes_.push_back("a stimulus was not sent: the control ring was full");
        return;
    }
    ++sent_;
}

void Runner::send_phase(conform::Phase& ph, const std::vector<conform::Tx>& frames) {
    ph.sent = frames;
    for (const auto& f : frames) send(f);
}

unsigned Runner::next_alias() {
    // Catalogue checks take aliases 1..checks; the rate-limit steps the ones after, in turn.
    const unsigned n = setup_.sources;
    const unsigned k =
        1 + (static_cast<unsigned>(conform::catalogue().size()) + alias_cursor_++) % n;
    return k;
}

Task Runner::resolve() {
    struct Want {
        route::NeighKey key;
        std::string what;
        wire::MacAddr* mac;
    };
    std::vector<Want> wants;
    wire::MacAddr out4, out6;
    if (setup_.rut_in4)
        wants.push_back({route::NeighKey::of(0, *setup_.rut_in4), "ARP", &setup_.rut_in_mac4});
    if (setup_.rut_in6)
        wants.push_back({route::NeighKey::of(0, *setup_.rut_in6), "NDP", &setup_.rut_in_mac6});
    if (setup_.rut_out4) wants.push_back({route::NeighKey::of(1, *setup_.rut_out4), "ARP", &out4});
    if (setup_.rut_out6) wants.push_back({route::NeighKey::of(1, *setup_.rut_out6), "NDP", &out6});
    for (const auto& w : wants) prog_.neighbours()->want(w.key, now_);
    const std::uint64_t deadline = now_ + static_cast<std::uint64_t>(opt_.resolve_timeout_s * 1e9);
    while (true) {
        std::size_t done = 0;
        for (const auto& w : wants) {
            const route::NeighView v = prog_.neighbours()->table().lookup(w.key);
            if (v.found &&
                (v.state == route::NeighState::reachable || v.state == route::NeighState::stale)) {
                *w.mac = v.mac;
                ++done;
            }
        }
        if (done == wants.size()) co_return;
        if (now_ >= deadline) break;
        co_await sleep_ms(5);
    }
    for (const auto& w : wants) {
        const route::NeighView v = prog_.neighbours()->table().lookup(w.key);
        if (!(v.found &&
              (v.state == route::NeighState::reachable || v.state == route::NeighState::stale))) {
            failure_ = fmt::format(
                "the RUT is not reachable: no {} reply from {} on port {} "
                "after {:g} s",
                w.what,
                w.key.family == route::Family::v6 ? w.key.v6.to_string() : w.key.v4.to_string(),
                w.key.port, opt_.resolve_timeout_s);
            co_return;
        }
    }
}

// The RUT's MTU toward port 1 (unless --mtu-out): a DF datagram at port 0's MTU; the
// frag-needed / PTB names it, coming through says it is not smaller.
Task Runner::discover_mtu() {
    for (const Family f : {Family::v4, Family::v6}) {
        if (!setup_.has(f)) continue;
        unsigned& out = f == Family::v6 ? setup_.mtu_out6 : setup_.mtu_out4;
        if (opt_.mtu_out != 0) {
            out = opt_.mtu_out < setup_.mtu_in ? opt_.mtu_out : 0;
            continue;
        }
        const conform::Ctx c{&setup_, static_cast<unsigned>(setup_.sources - 1)};
        conform::FrameSpec p = conform::transit(c, f);
        p.df = true;
        p.total_bytes = setup_.mtu_in;
        p.sport = p.ip_id = 0x6fff;
        conform::Phase ph;
        send_phase(ph, {conform::on_in(p)});
        co_await listen(ph, 500, true);
        const conform::Seen* e =
            f == Family::v6 ? conform::error_quoting(ph, 2, 0) : conform::error_quoting(ph, 3, 4);
        if (e != nullptr) {
            out = f == Family::v6 ? e->icmp_word : (e->icmp_word & 0xffff);
        } else {
            out = 0;
            if (conform::forwarded(ph) == nullptr)
                notes_.push_back(fmt::format(
                    "IPv{}: a {} B DF datagram was neither forwarded nor answered: the egress "
                    "MTU is unknown (give --mtu-out)",
                    f == Family::v6 ? 6 : 4, setup_.mtu_in));
        }
    }
}

Task Runner::run_check(const conform::Check& c, unsigned n) {
    CheckOutcome out{&c, {}};
    const conform::Ctx ctx{&setup_, n};
    if (!setup_.has(c.family)) {
        out.result = conform::not_applicable(fmt::format("no IPv{} on the bench (--rut-in / addr=)",
                                                         c.family == Family::v6 ? 6 : 4));
        outcomes_.push_back(std::move(out));
        co_return;
    }
    const conform::Plan plan = c.plan(ctx);
    if (plan.na) {
        out.result = conform::not_applicable(*plan.na);
        outcomes_.push_back(std::move(out));
        co_return;
    }
    conform::Exchange ex;
    if (!plan.control.empty()) {
        send_phase(ex.control, plan.control);
        co_await listen(ex.control, plan.control_wait_ms, true);
    }
    send_phase(ex.probe, plan.probe);
    co_await listen(ex.probe, plan.probe_wait_ms);
    if (c.follow != nullptr) {
        const auto more = c.follow(ctx, ex);
        if (!more.empty()) {
            send_phase(ex.follow, more);
            co_await listen(ex.follow, c.follow_wait_ms);
        }
    }
    out.result = c.judge(ctx, ex);
    outcomes_.push_back(std::move(out));
}

Task Runner::run_series(conform::Series& s, unsigned index) {
    const unsigned many = s.sources;
    for (std::size_t i = 0; i < opt_.rates.size(); ++i) {
        const double rate = opt_.rates[i];
        const auto sport = static_cast<std::uint16_t>(0x8000 + index * 64 + i);
        auto st = std::make_unique<pipeline::ConformStream>();
        if (many == 1) {
            const auto f = conform::trigger_frame(setup_, s.trigger, s.family, next_alias(), sport);
            if (!f) co_return;
            st->frames.push_back(conform::build(*f));
        } else {
            for (unsigned k = 1; k <= many; ++k) {
                const auto f = conform::trigger_frame(setup_, s.trigger, s.family, k, sport);
                if (!f) co_return;
                st->frames.push_back(conform::build(*f));
            }
        }
        // Warm-up: an echo request from each of the step's sources to the RUT, so that it has
        // resolved them before the triggers come: a burst of errors must not wait in (or
        // overflow) the RUT's queue of packets for unresolved neighbours, which would read as
        // a smaller burst. Then the pause, for the RUT's buckets to refill.
        for (const auto& frame : st->frames) {
            const conform::Seen f = conform::Seen::parse(0, 0, frame);
            conform::FrameSpec e = conform::to_rut_echo(conform::Ctx{&setup_, 0}, s.family);
            if (s.family == Family::v6)
                e.src6 = f.l3.src6;
            else
                e.src4 = f.l3.src4;
            e.icmp_seq = static_cast<std::uint16_t>(i);
            send(conform::on_in(e));
        }
        co_await sleep_ms(std::max(opt_.pause_s * 1000, 100.0));
        st->port = 0;
        st->seq_at = static_cast<std::uint16_t>(conform::trigger_seq_offset(s.family));
        st->csum_at = static_cast<std::uint16_t>(conform::trigger_csum_offset(s.family));
        st->rate_pps = rate;
        st->count = std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::llround(rate * opt_.step_s)));
        st->start_ns = now_ + 2'000'000;
        s.steps.push_back({});
        conform::RateStep& step = s.steps.back();
        step.offered_pps = rate;
        step.duration_ns = static_cast<std::uint64_t>(static_cast<double>(st->count) / rate * 1e9);
        watch_ = {true, sport, s.trigger, s.family, st->start_ns, rate, &step};
        pipeline::ConformStream* raw = st.get();
        streams_.push_back(std::move(st));
        stream_slot_.store(raw, std::memory_order_release);
        while (!raw->done.load(std::memory_order_acquire)) co_await sleep_ms(10);
        co_await sleep_ms(500);  // the errors of the step's last triggers
        stream_slot_.store(nullptr, std::memory_order_release);
        step.sent = raw->sent.load(std::memory_order_acquire);
        // Arrival times were taken from the planned start; the schedule ran from the first
        // frame's departure.
        const std::uint64_t late = raw->origin_ns.load(std::memory_order_acquire) - raw->start_ns;
        for (auto& t : step.latency_ns) t = t > late ? t - late : 0;
        std::sort(step.arrivals_ns.begin(), step.arrivals_ns.end());
        watch_.on = false;
    }
    s.fit = conform::fit_bucket(s.steps);
}

Task Runner::run_pattern(std::vector<conform::Frame> frames, double rate, std::uint64_t count,
                         std::vector<conform::TallyKey> keys, std::vector<std::uint64_t>& counts) {
    // Warm-up (see run_series): each distinct source once.
    std::vector<conform::Frame> warmed;
    for (const auto& frame : frames) {
        const conform::Seen f = conform::Seen::parse(0, 0, frame);
        const conform::Family fam = f.l3.v6 ? Family::v6 : Family::v4;
        conform::FrameSpec e = conform::to_rut_echo(conform::Ctx{&setup_, 0}, fam);
        if (fam == Family::v6)
            e.src6 = f.l3.src6;
        else
            e.src4 = f.l3.src4;
        conform::Frame b = conform::build(e);
        if (std::find(warmed.begin(), warmed.end(), b) != warmed.end()) continue;
        send(conform::on_in(e));
        warmed.push_back(std::move(b));
    }
    co_await sleep_ms(std::max(opt_.pause_s * 1000, 100.0));
    auto st = std::make_unique<pipeline::ConformStream>();
    st->frames = std::move(frames);
    st->rate_pps = rate;
    st->count = count;
    st->start_ns = now_ + 2'000'000;
    counts.assign(keys.size(), 0);
    tally_ = {true, std::move(keys), &counts};
    pipeline::ConformStream* raw = st.get();
    streams_.push_back(std::move(st));
    stream_slot_.store(raw, std::memory_order_release);
    while (!raw->done.load(std::memory_order_acquire)) co_await sleep_ms(10);
    co_await sleep_ms(500);
    stream_slot_.store(nullptr, std::memory_order_release);
    tally_.on = false;
}

namespace {

// (Built outside the coroutine calls: g++ 12 rejects braced lists as coroutine arguments.)
std::vector<conform::TallyKey> keys_of(std::uint16_t sport, conform::Trigger t, Family f) {
    return std::vector<conform::TallyKey>(1, conform::TallyKey{sport, t, f});
}
std::vector<conform::Frame> frames_of(conform::Frame f) {
    return std::vector<conform::Frame>(1, std::move(f));
}

}  // namespace

Task Runner::run_experiments() {
    using conform::Scope;
    using conform::Trigger;
    auto model = [&](Trigger t, Family f, Scope sc) -> const conform::RateModel* {
        for (const auto& m : models_)
            if (m.trigger == t && m.family == f && m.scope == sc) return &m;
        return nullptr;
    };
    auto frame = [&](Trigger t, Family f, unsigned k, std::uint16_t sport) {
        return conform::build(*conform::trigger_frame(setup_, t, f, k, sport));
    };
    auto label = [](Trigger t, Family f) {
        return fmt::format("{} v{}", conform::to_string(t), f == Family::v6 ? 6 : 4);
    };
    constexpr double fast = 2000;  // pps: drains any bucket below it in the drain time
    constexpr std::uint64_t probes = 10;
    for (const Family f : {Family::v4, Family::v6}) {
        // 1. Per-source: A's triggers drain one source's bucket, then B's from the same source.
        std::vector<Trigger> limited;
        for (const Trigger t : opt_.triggers)
            if (model(t, f, Scope::per_source)) limited.push_back(t);
        for (std::size_t j = 1; j < limited.size(); ++j) {
            const Trigger a = limited[0], b = limited[j];
            const double drain_s = std::clamp(
                4 * model(a, f, Scope::per_source)->burst.value / fast + 0.25, 0.25, 2.0);
            const auto n_a = static_cast<std::uint64_t>(fast * drain_s);
            std::vector<std::uint64_t> after, alone;
            const unsigned k1 = next_alias();
            const auto sa = next_sport_++, sb = next_sport_++;
            // A keeps draining while B's triggers come, one in every 11, so a refill during
            // the probes cannot let B through when they share.
            std::vector<conform::Frame> fr(n_a, frame(a, f, k1, sa));
            for (std::uint64_t i = 0; i < probes; ++i) {
                for (unsigned r = 0; r < 10; ++r) fr.push_back(frame(a, f, k1, sa));
                fr.push_back(frame(b, f, k1, sb));
            }
            const std::uint64_t n = fr.size();
            co_await run_pattern(std::move(fr), fast, n, keys_of(sb, b, f), after);
            const unsigned k2 = next_alias();
            const auto sc = next_sport_++;
            co_await run_pattern(frames_of(frame(b, f, k2, sc)), fast, probes, keys_of(sc, b, f),
                                 alone);
            experiments_.push_back(conform::read_share(
                fmt::format("shares: {} / {} (per-source)", label(a, f), label(b, f)), after[0],
                alone[0], probes));
        }
    }
    // 2. Global: IPv4 triggers from many sources drain the global bucket, then IPv6 ones.
    const auto* g4 = model(Trigger::time_exceeded, Family::v4, Scope::global);
    const auto* g6 = model(Trigger::time_exceeded, Family::v6, Scope::global);
    const unsigned many = std::min(setup_.sources, 200U);
    if (g4 && g6 && many >= 20) {
        // IPv4 at 8x the global rate for 0.5 s, then on, with one IPv6 trigger in every 20:
        // sharing, each passes with the IPv4 ones' odds (1 in 8); the control sends the IPv6
        // ones alone at the same spacing.
        const double rate = 8 * g4->rate_pps.value;
        const auto n_a = static_cast<std::uint64_t>(rate * 0.5);
        const auto sa = next_sport_++, sb = next_sport_++, sc = next_sport_++;
        std::vector<conform::Frame> fr;
        unsigned k4 = 0;
        auto next4 = [&] { return frame(Trigger::time_exceeded, Family::v4, 1 + k4++ % many, sa); };
        for (std::uint64_t i = 0; i < n_a; ++i) fr.push_back(next4());
        for (unsigned k = 1; k <= 20; ++k) {
            for (unsigned j = 0; j < 19; ++j) fr.push_back(next4());
            fr.push_back(frame(Trigger::time_exceeded, Family::v6, k, sb));
        }
        const std::uint64_t n = fr.size();
        std::vector<std::uint64_t> after, alone;
        co_await run_pattern(std::move(fr), rate, n,
                             keys_of(sb, Trigger::time_exceeded, Family::v6), after);
        std::vector<conform::Frame> solo;
        for (unsigned k = 1; k <= 20; ++k)
            solo.push_back(frame(Trigger::time_exceeded, Family::v6, k, sc));
        co_await run_pattern(std::move(solo), rate / 20, 20,
                             keys_of(sc, Trigger::time_exceeded, Family::v6), alone);
        experiments_.push_back(conform::read_share(
            "shares: time-exceeded v4 / time-exceeded v6 (global)", after[0], alone[0], 20));
    }
    // 3. Order: one source floods at twice the global rate beside ten light sources within
    // their own limits; the lights' errors with and without it.
    const auto* p4 = model(Trigger::time_exceeded, Family::v4, Scope::per_source);
    if (g4 && p4 && p4->rate_pps.value * 4 < g4->rate_pps.value && setup_.sources > 12) {
        const double heavy = 2 * g4->rate_pps.value;
        const double light_each = p4->rate_pps.value / 2;
        const unsigned lights = 10;
        // The pattern: heavy frames and light frames in the ratio of their rates.
        const auto per_light =
            static_cast<unsigned>(std::max(1.0, std::round(heavy / (light_each * lights))));
        const unsigned h = next_alias();
        const auto sh = next_sport_++, sl = next_sport_++, sl2 = next_sport_++;
        std::vector<conform::Frame> pattern, solo;
        std::vector<unsigned> light_alias;
        for (unsigned i = 0; i < lights; ++i) light_alias.push_back(next_alias());
        for (unsigned i = 0; i < lights; ++i) {
            for (unsigned j = 0; j < per_light; ++j)
                pattern.push_back(frame(Trigger::time_exceeded, Family::v4, h, sh));
            pattern.push_back(frame(Trigger::time_exceeded, Family::v4, light_alias[i], sl));
            solo.push_back(frame(Trigger::time_exceeded, Family::v4, light_alias[i], sl2));
        }
        const double total = light_each * lights * (per_light + 1);
        const auto count = static_cast<std::uint64_t>(total * 1.0);
        const std::uint64_t light_sent = count / (per_light + 1);
        std::vector<std::uint64_t> with, alone;
        co_await run_pattern(std::move(pattern), total, count,
                             keys_of(sl, Trigger::time_exceeded, Family::v4), with);
        co_await run_pattern(std::move(solo), light_each * lights, light_sent,
                             keys_of(sl2, Trigger::time_exceeded, Family::v4), alone);
        experiments_.push_back(conform::read_order(with[0], alone[0], light_sent));
    }
    conform::apply_shares(models_, experiments_);
}

Task Runner::run() {
    co_await resolve();
    if (failure_) co_return;
    co_await discover_mtu();
    const auto all = conform::catalogue();
    for (unsigned n = 0; n < all.size(); ++n)
        if (opt_.selected(all[n].id)) co_await run_check(all[n], n);
    if (!opt_.ratelimit) co_return;

    std::vector<Family> fams = opt_.rl_families;
    if (fams.empty()) fams = {Family::v4, Family::v6};
    const unsigned many =
        opt_.rl_sources == 0 ? setup_.sources : std::min(opt_.rl_sources, setup_.sources);
    for (const Family f : fams) {
        if (!setup_.has(f)) continue;
        for (const conform::Trigger t : opt_.triggers) {
            if (!conform::trigger_frame(setup_, t, f, 1, 0)) {
                notes_.push_back(
                    fmt::format("--ratelimit {} v{}: not run, the RUT's MTU toward "
                                "port 1 is not below port 0's",
                                conform::to_string(t), f == Family::v6 ? 6 : 4));
                continue;
            }
            // One source (a fresh one each step), then many: a per-source limit shows in the
            // first, a global one in the second.
            std::vector<unsigned> counts{1};
            if (many > 1) counts.push_back(many);
            for (const unsigned sources : counts) {
                conform::Series s;
                s.trigger = t;
                s.family = f;
                s.sources = sources;
                series_.push_back(std::move(s));
            }
        }
    }
    for (unsigned i = 0; i < series_.size(); ++i) {
        std::fprintf(stderr, "pingwire-conform: rate limits: %s (%zu steps)\n",
                     series_[i].label().c_str(), opt_.rates.size());
        co_await run_series(series_[i], i);
    }
    models_ = conform::characterise(series_);
    std::fprintf(stderr, "pingwire-conform: rate limits: experiments (shared buckets, order)\n");
    co_await run_experiments();
}

}  // namespace pw::conform_app
