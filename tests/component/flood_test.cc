// The flood stage on the lcore runtime, against a responder: a FloodStage polls one ring port,
// a HostStage (pingwire-responder's logic, answering echo) polls another, and the test is the
// wire between them, moving frames from each port's TX ring to the other's RX ring between
// poll_once calls (both runtimes driven from the test's one thread). Next hops are set by hand
// (no ARP): every target leaves by the flood port toward the responder's MAC.
//
// Checks exact figures: probes sent and answered, the accounting's totals and per-target
// stats, the responder's echo replies, both ports' base counters balanced by named reason,
// every mbuf back in the pool; anomalies made on the wire (a duplicated reply, a payload byte
// flipped with the ICMP checksum fixed up, a reply held back behind later ones, a reply held
// past the timeout) counted as such and handed to the anomaly ring; two flood lcores sharing
// one target set and one rate.
#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "drivers/mempool.hh"
#include "drivers/port.hh"
#include "lib/gen/accounting.hh"
#include "lib/gen/reply.hh"
#include "lib/gen/targets.hh"
#include "lib/pipeline/flood_stage.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/pipeline/runtime.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "tests/component/host_rig.hh"
#include "tests/component/ring_env.hh"

namespace {

using namespace pw;
using pipeline::FloodPhase;
using pipeline::TxKind;
using test::g_pool;
using wire::Ipv4Addr;
using wire::Ipv6Addr;

const Ipv4Addr flood4 = *Ipv4Addr::parse("198.18.0.1");
const Ipv6Addr flood6 = *Ipv6Addr::parse("2001:2::1");
const wire::MacAddr flood_mac{{0x02, 0, 0, 0, 0xf1, 0x0d}};
const wire::MacAddr responder_mac{{0x02, 0, 0, 0, 0xec, 0x40}};
constexpr std::uint32_t magic = 0x5eed1235U;
constexpr std::uint16_t ident_base = 0x4200;

std::uint64_t drop_of(const pipeline::BaseCounters& b, wire::Drop d) {
    return b.drops[static_cast<std::size_t>(d)];
}

// A ring port with nq RX and nq TX queues (one ring each), set up by the drivers layer.
struct QPort {
    std::vector<rte_ring*> rx, tx;
    std::uint16_t port = 0;
    wire::MacAddr mac;

    QPort(const std::string& name, unsigned nq) : rx(nq), tx(nq) {
        for (unsigned q = 0; q < nq; ++q) {
            rx[q] = rte_ring_create((name + "r" + std::to_string(q)).c_str(), 1024, 0,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
            tx[q] = rte_ring_create((name + "t" + std::to_string(q)).c_str(), 1024, 0,
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
            EXPECT_NE(rx[q], nullptr);
            EXPECT_NE(tx[q], nullptr);
        }
        const int id = rte_eth_from_rings(name.c_str(), rx.data(), nq, tx.data(), nq, 0);
        EXPECT_GE(id, 0);
        port = static_cast<std::uint16_t>(id);
        drivers::PortSetup s;
        s.port = port;
        s.pool = g_pool;
        s.rx_queues = static_cast<std::uint16_t>(nq);
        s.tx_queues = static_cast<std::uint16_t>(nq);
        s.rx_desc = 256;
        s.tx_desc = 256;
        s.link_wait_ms = 0;
        auto r = drivers::setup_port(s);
        EXPECT_TRUE(std::holds_alternative<drivers::PortInfo>(r)) << std::get<std::string>(r);
        mac = std::get<drivers::PortInfo>(r).mac;
    }
    std::vector<rte_mbuf*> drain(unsigned q) {
        std::vector<rte_mbuf*> out(1024);
        out.resize(
            rte_ring_dequeue_burst(tx[q], reinterpret_cast<void**>(out.data()), 1024, nullptr));
        return out;
    }
    // As if the wire had delivered them; what does not fit is freed (and fails the test).
    void inject(unsigned q, std::vector<rte_mbuf*>& ms) {
        if (ms.empty()) return;
        const unsigned n = rte_ring_enqueue_burst(rx[q], reinterpret_cast<void* const*>(ms.data()),
                                                  static_cast<unsigned>(ms.size()), nullptr);
        EXPECT_EQ(n, ms.size()) << "RX ring full";
        for (std::size_t i = n; i < ms.size(); ++i) rte_pktmbuf_free(ms[i]);
        ms.clear();
    }
    bool rx_empty() const {
        for (auto* r : rx)
            if (rte_ring_count(r) != 0) return false;
        return true;
    }
};

std::string unique_name(const char* base) {
    static unsigned n = 0;
    return std::string(base) + std::to_string(n++);
}

gen::Reply parse(const rte_mbuf* m) {
    return gen::parse_reply(test::bytes(m), magic);
}

// What the test does to the replies on their way from the responder to the flood port.
struct Tamper {
    virtual ~Tamper() = default;
    // batch: this round's replies, in wire order; may be changed (frames added, taken out).
    virtual void on_replies(std::vector<rte_mbuf*>& /*batch*/, std::uint64_t /*now_ns*/) {}
    virtual bool holding() const { return false; }
};

struct Setup {
    bool v6 = false;
    std::vector<std::string> dst;  // the target set, as --dst
    std::uint32_t count = 2000;
    std::uint64_t rate = 0;
    unsigned lcores = 1;
    std::uint64_t timeout_ns = 1'000'000'000;
    bool anomalies = false;
    // lcores > 1: the flood RX queue a reply goes to, from its ICMP identifier (-1: by sender).
    int steer_all_to = -1;
};

// The flood port (one queue per flood lcore), the responder's port, the target set, one flood
// stage per lcore and the responder, and the wire between them.
struct FloodRig {
    Setup set;
    pipeline::Clock clock = pipeline::Clock::from_now();
    QPort fport, rport;
    route::InterfaceTable fifaces, rifaces;
    icmp::HostPolicy policy;
    pipeline::HostEnv fhost, rhost;
    gen::TargetSet targets;
    std::vector<gen::TargetStats> stats;
    std::vector<pipeline::TargetHop> hops;
    std::atomic<FloodPhase> phase{FloodPhase::resolving};
    std::atomic<std::uint64_t> start_ns{0};
    rte_ring* anomaly_ring = nullptr;
    pipeline::FloodEnv env;
    std::vector<pipeline::LcoreBase> base;
    std::vector<pipeline::LcoreHost> host;
    std::vector<pipeline::FloodCounters> counters;
    std::vector<std::unique_ptr<pipeline::FloodStage>> stages;
    std::vector<std::unique_ptr<pipeline::Runtime<pipeline::FloodStage>>> rts;
    std::unique_ptr<test::HostRig> responder;
    bool finished = false;
    // Probes seen on the wire, per flood TX queue: their targets and identifiers.
    std::vector<std::set<std::uint32_t>> sent_targets;
    std::vector<std::set<std::uint16_t>> sent_idents;
    std::uint64_t anomalies_seen = 0;
    std::uint64_t bad_macs = 0;  // probes not flood -> responder, replies not to the flood

    explicit FloodRig(const Setup& s)
        : set(s),
          fport(unique_name("fl"), s.lcores),
          rport(unique_name("rs"), 1),
          base(s.lcores),
          host(s.lcores),
          counters(s.lcores),
          sent_targets(s.lcores),
          sent_idents(s.lcores) {
        // net_ring ports all report 00:00:00:00:00:00 and filter nothing: each side gets its
        // own MAC in its interface table, which is what the stages build and check frames by.
        for (const auto& d : s.dst) EXPECT_FALSE(targets.add(d, 1 << 20)) << d;
        // The flood side: its source addresses; the responder: every target's address.
        route::PortSpec fs;
        fs.port = fport.port;
        fs.v4.push_back({flood4, 16});
        fs.v6.push_back({flood6, 64});
        EXPECT_FALSE(fifaces.add(fs, flood_mac, 1500));
        route::PortSpec rs;
        rs.port = rport.port;
        for (std::uint64_t i = 0; i < targets.size(); ++i) {
            const gen::Target t = targets.at(i);
            if (t.v6)
                rs.v6.push_back({t.v6addr, 64});
            else
                rs.v4.push_back({t.v4, 16});
        }
        EXPECT_FALSE(rifaces.add(rs, responder_mac, 1500));
        fhost.interfaces = &fifaces;
        fhost.policy = &policy;
        rhost.interfaces = &rifaces;
        rhost.policy = &policy;

        stats.resize(targets.size());
        pipeline::TargetHop hop;
        hop.mac = responder_mac;
        hop.port = static_cast<std::uint8_t>(fport.port);
        hop.ok = true;
        hops.assign(targets.size(), hop);
        if (s.anomalies) {
            anomaly_ring = rte_ring_create(unique_name("an").c_str(), 1024, 0, RING_F_SC_DEQ);
            EXPECT_NE(anomaly_ring, nullptr);
        }

        env.targets = &targets;
        env.stats = stats;
        env.hops = hops;
        env.sources[fport.port] = {true, true, flood4, flood6};
        env.order = gen::Permutation(targets.size(), 0x1234567, false);
        env.count = s.count;
        env.rate = s.rate;
        env.lcores = s.lcores;
        env.magic = magic;
        env.ident_base = ident_base;
        env.timeout_ns = s.timeout_ns;
        env.anomalies = anomaly_ring;
        env.phase = &phase;
        env.start_ns = &start_ns;

        for (unsigned w = 0; w < s.lcores; ++w) {
            stages.push_back(
                std::make_unique<pipeline::FloodStage>(env, fhost, host[w], counters[w], w));
            pipeline::LcoreConfig cfg;
            cfg.rx = {{fport.port, static_cast<std::uint16_t>(w)}};
            cfg.pool = g_pool;
            cfg.index = w;
            cfg.clock = clock;
            cfg.drain_us = 0;
            cfg.tx_queue.fill(static_cast<std::uint16_t>(w));
            rts.push_back(std::make_unique<pipeline::Runtime<pipeline::FloodStage>>(cfg, *stages[w],
                                                                                    base[w]));
        }
        responder = std::make_unique<test::HostRig>(
            rhost, std::vector<pipeline::RxQueue>{{rport.port, 0}}, g_pool);
    }

    ~FloodRig() {
        finish();
        if (anomaly_ring != nullptr) rte_ring_free(anomaly_ring);
    }

    void start() {
        start_ns.store(clock.now_ns(), std::memory_order_release);
        phase.store(FloodPhase::sending, std::memory_order_release);
    }

    bool all_done() const {
        for (const auto& c : counters)
            if (!c.done.load(std::memory_order_acquire)) return false;
        return true;
    }

    // One round of both sides and the wire between them; returns frames moved.
    unsigned step(Tamper& tamper) {
        unsigned moved = 0;
        for (auto& rt : rts) rt->poll_once();
        std::vector<rte_mbuf*> to_resp;
        for (unsigned q = 0; q < set.lcores; ++q) {
            for (rte_mbuf* m : fport.drain(q)) {
                // The probe's identifier and target, from its bytes (ICMP header and stamp).
                const auto f = test::bytes(m);
                const std::size_t icmp = 14 + (set.v6 ? 40 : 20);
                if (wire::load_bytes<wire::MacAddr>(f, 0) != responder_mac ||
                    wire::load_bytes<wire::MacAddr>(f, 6) != flood_mac)
                    ++bad_macs;
                if (f.size() >= icmp + 8 + gen::stamp_len) {
                    sent_idents[q].insert(wire::load16(f, icmp + 4));
                    sent_targets[q].insert(wire::load32(f, icmp + 8 + 4));
                }
                to_resp.push_back(m);
            }
        }
        moved += static_cast<unsigned>(to_resp.size());
        rport.inject(0, to_resp);
        while (responder->poll_once() > 0) {
        }
        std::vector<rte_mbuf*> replies = rport.drain(0);
        moved += static_cast<unsigned>(replies.size());
        tamper.on_replies(replies, clock.now_ns());
        std::vector<std::vector<rte_mbuf*>> per_q(set.lcores);
        for (rte_mbuf* m : replies) {
            if (wire::load_bytes<wire::MacAddr>(test::bytes(m), 0) != flood_mac) ++bad_macs;
            unsigned q = 0;
            if (set.lcores > 1) {
                if (set.steer_all_to >= 0) {
                    q = static_cast<unsigned>(set.steer_all_to);
                } else {
                    const auto ident = static_cast<std::uint16_t>(parse(m).ident - ident_base);
                    EXPECT_LT(ident, set.lcores);
                    q = ident < set.lcores ? ident : 0;
                }
            }
            per_q[q].push_back(m);
        }
        for (unsigned q = 0; q < set.lcores; ++q) fport.inject(q, per_q[q]);
        return moved;
    }

    void finish() {
        if (finished) return;
        finished = true;
        for (auto& rt : rts) rt->finish();
        responder.reset();  // its runtime's finish()
        if (anomaly_ring != nullptr) {
            rte_mbuf* ms[64];
            unsigned n;
            while ((n = rte_ring_dequeue_burst(anomaly_ring, reinterpret_cast<void**>(ms), 64,
                                               nullptr)) > 0) {
                anomalies_seen += n;
                rte_pktmbuf_free_bulk(ms, n);
            }
        }
    }

    gen::Totals totals() const {
        gen::Totals t;
        for (const auto& s : stages) t += s->accounting().totals();
        return t;
    }
    std::uint64_t probes() const {
        std::uint64_t n = 0;
        for (const auto& c : counters) n += c.probes;
        return n;
    }
    pipeline::BaseCounters fbase() const { return pipeline::sum_base(base, fport.port); }
};

// Every answer on the flood port is a probe answer; every probe is generated; both ports
// balance.
void expect_balanced(const FloodRig& rig, const test::Counts& resp, std::uint64_t answers) {
    EXPECT_EQ(rig.bad_macs, 0U);
    const auto fb = rig.fbase();
    EXPECT_EQ(fb.rx, answers);
    EXPECT_EQ(drop_of(fb, wire::Drop::probe_answer), answers);
    EXPECT_EQ(fb.dropped(), answers) << "no other drop reason on the flood port";
    EXPECT_EQ(fb.sent_of(TxKind::reply), 0U);
    EXPECT_EQ(fb.rx, fb.sent_of(TxKind::reply) + fb.dropped());
    EXPECT_EQ(fb.tx, rig.probes());
    EXPECT_EQ(fb.tx, fb.sent_of(TxKind::generated));
    const auto fc = test::flatten(pipeline::sum_port(rig.base, rig.host, rig.fport.port));
    EXPECT_EQ(fc.rx, fc.answered + fc.forwarded + fc.held + fc.dropped());
    EXPECT_EQ(fc.tx, fc.answered + fc.generated + fc.fwd_sent);

    EXPECT_EQ(resp.rx, rig.probes());
    EXPECT_EQ(resp.answered, rig.probes());
    EXPECT_EQ(resp.dropped(), 0U);
    EXPECT_EQ(resp.rx, resp.answered + resp.forwarded + resp.held + resp.dropped());
    EXPECT_EQ(resp.tx, resp.answered + resp.generated + resp.fwd_sent);
    const auto kind = rig.set.v6 ? icmp::Reply::echo6_reply : icmp::Reply::echo4_reply;
    EXPECT_EQ(resp.replies[static_cast<std::size_t>(kind)], rig.probes());
}

// Runs a rig to the end with tamper on the wire; returns the responder's counters.
test::Counts run_rig(FloodRig& rig, Tamper& tamper) {
    rig.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        const unsigned moved = rig.step(tamper);
        if (rig.all_done() && moved == 0 && !tamper.holding() && rig.fport.rx_empty()) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "the run did not settle in 30 s";
            break;
        }
    }
    rig.phase.store(FloodPhase::finishing, std::memory_order_release);
    const test::Counts resp = rig.responder->c(rig.rport.port);
    rig.finish();
    return resp;
}

std::string target_of(bool v6) {
    return v6 ? "2001:2::2" : "198.18.0.2";
}

// --- 1. one target, both families, unpaced and paced ------------------------------------

void one_target(bool v6, std::uint64_t rate) {
    SCOPED_TRACE(::testing::Message() << (v6 ? "IPv6" : "IPv4") << " rate " << rate);
    const pw::test::PoolBalance balance;
    constexpr std::uint32_t n = 2000;
    {
        Setup s;
        s.v6 = v6;
        s.dst = {target_of(v6)};
        s.count = n;
        s.rate = rate;
        FloodRig rig(s);
        Tamper none;
        const test::Counts resp = run_rig(rig, none);

        const auto& c = rig.counters[0];
        EXPECT_EQ(c.probes, n);
        EXPECT_EQ(c.tx_refused, 0U);
        EXPECT_EQ(c.no_mbuf, 0U);
        EXPECT_EQ(c.unresolved, 0U);
        EXPECT_EQ(c.captured, 0U);
        EXPECT_TRUE(c.done.load());
        const gen::Totals t = rig.totals();
        EXPECT_EQ(t.received, n);
        EXPECT_EQ(t.duplicates, 0U);
        EXPECT_EQ(t.corrupted, 0U);
        EXPECT_EQ(t.unmatched, 0U);
        EXPECT_EQ(t.reordered, 0U);
        EXPECT_EQ(t.late, 0U);
        EXPECT_EQ(t.too_old, 0U);
        EXPECT_EQ(t.errors, 0U);
        EXPECT_EQ(t.alive, 1U);
        EXPECT_EQ(rig.stages[0]->accounting().rtt().count(), n);
        ASSERT_EQ(rig.stats.size(), 1U);
        EXPECT_EQ(rig.stats[0].tx, n);
        EXPECT_EQ(rig.stats[0].rx, n);
        EXPECT_EQ(rig.stats[0].dup, 0U);
        EXPECT_EQ(rig.stats[0].corrupted, 0U);
        EXPECT_EQ(rig.stats[0].next_probe, n);
        EXPECT_EQ(rig.stats[0].alive_by, 1 + static_cast<unsigned>(gen::ProbeKind::echo));
        EXPECT_EQ(rig.sent_idents[0], std::set<std::uint16_t>{ident_base});
        expect_balanced(rig, resp, n);
        if (rate != 0) {
            // The absolute schedule: probe j is not due before start + j / rate, so the last
            // one cannot have left before start + (n - 1) / rate.
            const std::uint64_t start = rig.start_ns.load();
            EXPECT_GE(c.first_tx_ns, start);
            EXPECT_GE(c.last_tx_ns, start + (n - 1) * 1'000'000'000ULL / rate);
        }
    }
    EXPECT_TRUE(balance.ok());
}

TEST(Flood, Ipv4Unpaced) {
    one_target(false, 0);
}
TEST(Flood, Ipv4Paced) {
    one_target(false, 200'000);
}
TEST(Flood, Ipv6Unpaced) {
    one_target(true, 0);
}
TEST(Flood, Ipv6Paced) {
    one_target(true, 200'000);
}

// --- 2. anomalies made on the wire --------------------------------------------------------

constexpr std::uint32_t anomaly_n = 2000;
constexpr std::uint32_t victim = 100;  // the probe number whose reply is tampered with

bool is_probe(const rte_mbuf* m, std::uint32_t probe) {
    const gen::Reply r = parse(m);
    return r.kind == gen::ReplyKind::echo_reply && r.stamp_status == gen::StampStatus::valid &&
           r.stamp.probe == probe;
}

struct Duplicate : Tamper {
    bool done = false;
    void on_replies(std::vector<rte_mbuf*>& b, std::uint64_t) override {
        for (std::size_t i = 0; i < b.size() && !done; ++i)
            if (is_probe(b[i], victim)) {
                rte_mbuf* copy = rte_pktmbuf_copy(b[i], g_pool, 0, UINT32_MAX);
                ASSERT_NE(copy, nullptr);
                b.insert(b.begin() + static_cast<std::ptrdiff_t>(i) + 1, copy);
                done = true;
            }
    }
};

// One byte of the pattern (after the stamp) flipped, the ICMP checksum made right again: only
// the stamp's check can tell.
struct Corrupt : Tamper {
    bool v6;
    bool done = false;
    explicit Corrupt(bool v6_) : v6(v6_) {}
    void on_replies(std::vector<rte_mbuf*>& b, std::uint64_t) override {
        for (rte_mbuf* m : b) {
            if (done || !is_probe(m, victim)) continue;
            wire::Bytes f{rte_pktmbuf_mtod(m, std::byte*), m->data_len};
            const std::size_t l4 = 14 + (v6 ? 40 : 20);
            f[l4 + 8 + gen::stamp_len + 5] ^= std::byte{0x40};
            if (v6) {
                const auto ip = wire::ipv6::View<std::byte>::checked(f.subspan(14));
                ASSERT_TRUE(ip.ok());
                const auto msg = f.subspan(l4, ip->payload_length());
                wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp6_truncated)
                    ->fill_checksum_v6(wire::pseudo_sum_v6(ip->src(), ip->dst(),
                                                           static_cast<std::uint32_t>(msg.size()),
                                                           wire::ipv6::nh_icmp6));
            } else {
                const auto ip = wire::ipv4::View<std::byte>::checked(f.subspan(14));
                ASSERT_TRUE(ip.ok());
                const auto msg = f.subspan(l4, ip->total_length() - 20U);
                wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp4_truncated)
                    ->fill_checksum_v4();
            }
            const gen::Reply r = parse(m);
            EXPECT_TRUE(r.checksum_ok) << "the ICMP checksum is fixed up";
            EXPECT_EQ(r.stamp_status, gen::StampStatus::corrupted);
            done = true;
        }
    }
};

// The victim's reply held back, delivered right after a later one.
struct Reorder : Tamper {
    rte_mbuf* held = nullptr;
    bool done = false;
    void on_replies(std::vector<rte_mbuf*>& b, std::uint64_t) override {
        for (auto it = b.begin(); !done && held == nullptr && it != b.end(); ++it)
            if (is_probe(*it, victim)) {
                held = *it;
                b.erase(it);
                break;
            }
        if (held == nullptr) return;
        for (rte_mbuf* m : b) {
            const gen::Reply r = parse(m);
            if (r.stamp_status == gen::StampStatus::valid && r.stamp.probe > victim + 5) {
                b.push_back(held);  // after every reply of this round, later ones among them
                held = nullptr;
                done = true;
                return;
            }
        }
    }
    bool holding() const override { return held != nullptr; }
};

// The victim's reply held for hold_ns (the timeout being shorter), the rest flowing meanwhile.
struct Delay : Tamper {
    std::uint64_t hold_ns;
    rte_mbuf* held = nullptr;
    std::uint64_t since = 0;
    bool done = false;
    explicit Delay(std::uint64_t h) : hold_ns(h) {}
    void on_replies(std::vector<rte_mbuf*>& b, std::uint64_t now) override {
        for (auto it = b.begin(); !done && held == nullptr && it != b.end(); ++it)
            if (is_probe(*it, victim)) {
                held = *it;
                since = now;
                b.erase(it);
                break;
            }
        if (held != nullptr && now - since >= hold_ns) {
            b.push_back(held);
            held = nullptr;
            done = true;
        }
    }
    bool holding() const override { return held != nullptr; }
};

struct Expect {
    std::uint64_t rx_frames = anomaly_n;  // answers reaching the flood port
    std::uint64_t received = anomaly_n, duplicates = 0, corrupted = 0, reordered = 0, late = 0;
    std::uint64_t anomalies = 0;
};

void anomaly(bool v6, Tamper& tamper, const Expect& e, std::uint64_t timeout_ns = 1'000'000'000) {
    const pw::test::PoolBalance balance;
    {
        Setup s;
        s.v6 = v6;
        s.dst = {target_of(v6)};
        s.count = anomaly_n;
        s.timeout_ns = timeout_ns;
        s.anomalies = true;
        FloodRig rig(s);
        const test::Counts resp = run_rig(rig, tamper);
        const gen::Totals t = rig.totals();
        EXPECT_EQ(rig.probes(), anomaly_n);
        EXPECT_EQ(t.received, e.received);
        EXPECT_EQ(t.duplicates, e.duplicates);
        EXPECT_EQ(t.corrupted, e.corrupted);
        EXPECT_EQ(t.reordered, e.reordered);
        EXPECT_EQ(t.late, e.late);
        EXPECT_EQ(t.unmatched, 0U);
        EXPECT_EQ(t.too_old, 0U);
        EXPECT_EQ(rig.stats[0].tx, anomaly_n);
        EXPECT_EQ(rig.stats[0].rx, e.received);
        EXPECT_EQ(rig.stats[0].dup, e.duplicates);
        EXPECT_EQ(rig.stats[0].corrupted, e.corrupted);
        EXPECT_EQ(rig.stats[0].reordered, e.reordered);
        EXPECT_EQ(rig.stats[0].late, e.late);
        EXPECT_EQ(rig.counters[0].captured, e.anomalies);
        EXPECT_EQ(rig.counters[0].capture_full, 0U);
        EXPECT_EQ(rig.anomalies_seen, e.anomalies);
        expect_balanced(rig, resp, e.rx_frames);
    }
    EXPECT_TRUE(balance.ok());
}

TEST(FloodAnomalies, DuplicatedReply) {
    Duplicate d;
    Expect e;
    e.rx_frames = anomaly_n + 1;
    e.duplicates = 1;
    e.anomalies = 1;
    anomaly(false, d, e);
    EXPECT_TRUE(d.done);
}

TEST(FloodAnomalies, CorruptedPayloadIpv4) {
    Corrupt c(false);
    Expect e;
    e.received = anomaly_n - 1;
    e.corrupted = 1;
    e.anomalies = 1;
    anomaly(false, c, e);
    EXPECT_TRUE(c.done);
}

TEST(FloodAnomalies, CorruptedPayloadIpv6) {
    Corrupt c(true);
    Expect e;
    e.received = anomaly_n - 1;
    e.corrupted = 1;
    e.anomalies = 1;
    anomaly(true, c, e);
    EXPECT_TRUE(c.done);
}

TEST(FloodAnomalies, ReorderedReply) {
    Reorder r;
    Expect e;
    e.reordered = 1;
    e.anomalies = 0;  // reordered is received: not an anomaly for the capture
    anomaly(false, r, e);
    EXPECT_TRUE(r.done);
}

TEST(FloodAnomalies, LateReply) {
    // A 30 ms timeout, one reply held for 100 ms; the others take microseconds. (With a 3 ms
    // timeout, a scheduler stall of the test's thread made a whole burst of 32 late about once
    // in 25 runs: the margin is for that.)
    Delay d(100'000'000);
    Expect e;
    e.late = 1;
    e.reordered = 1;  // the later replies overtook it
    e.anomalies = 1;
    anomaly(false, d, e, 30'000'000);
    EXPECT_TRUE(d.done);
}

// --- 3. two flood lcores sharing one target set and one rate ------------------------------

// Both lcores send through the one flood port, each on its own TX queue (tx_queue[port] =
// index, as the program sets it up) and poll their own RX queue. The replies come back from one
// responder that answers all 10 targets. RSS is absent on net_ring, so the test steers each
// reply to an RX queue itself: by its ICMP identifier (ident_base + sender), as a flow rule
// would, so each stage receives exactly the answers to its own probes; or (AllToOneQueue)
// every reply to queue 0, as a hash that put every target on one queue would: then lcore 0
// counts the answers to lcore 1's probes in lcore 1's window (the sender comes from the
// identifier), and since both lcores number their probes from 0, a shared window would call
// half of them duplicates.
struct SplitCase {
    std::vector<std::string> dst;
    std::uint64_t n_targets;
    int steer_all_to;
};

void two_lcores(const SplitCase& sc) {
    const pw::test::PoolBalance balance;
    constexpr std::uint32_t count = 100;
    constexpr std::uint64_t rate = 200'000;
    {
        Setup s;
        s.dst = sc.dst;
        s.count = count;
        s.rate = rate;
        s.lcores = 2;
        s.steer_all_to = sc.steer_all_to;
        FloodRig rig(s);
        ASSERT_EQ(rig.targets.size(), sc.n_targets);
        Tamper none;
        const test::Counts resp = run_rig(rig, none);

        const std::uint64_t total = count * sc.n_targets;
        EXPECT_EQ(rig.probes(), total);
        const std::uint64_t p0 = rig.counters[0].probes, p1 = rig.counters[1].probes;
        // Positions p % 2 == w: lcore 0 owns ceil(n/2) targets, lcore 1 floor(n/2).
        EXPECT_EQ(p0, (sc.n_targets + 1) / 2 * count);
        EXPECT_EQ(p1, sc.n_targets / 2 * count);
        EXPECT_LE(p0 > p1 ? p0 - p1 : p1 - p0, count);
        for (std::uint64_t i = 0; i < sc.n_targets; ++i) {
            EXPECT_EQ(rig.stats[i].tx, count) << "target " << i;
            EXPECT_EQ(rig.stats[i].rx, count) << "target " << i;
            EXPECT_EQ(rig.stats[i].dup, 0U) << "target " << i;
        }
        // Each target has one sending lcore; together they cover the set.
        std::set<std::uint32_t> all;
        for (unsigned w = 0; w < 2; ++w) {
            EXPECT_EQ(rig.sent_targets[w].size(),
                      w == 0 ? (sc.n_targets + 1) / 2 : sc.n_targets / 2);
            for (auto t : rig.sent_targets[w]) EXPECT_TRUE(all.insert(t).second) << t;
            EXPECT_EQ(rig.sent_idents[w],
                      std::set<std::uint16_t>{static_cast<std::uint16_t>(ident_base + w)});
        }
        EXPECT_EQ(all.size(), sc.n_targets);
        const gen::Totals t = rig.totals();
        EXPECT_EQ(t.received, total);
        EXPECT_EQ(t.duplicates, 0U);
        EXPECT_EQ(t.unmatched, 0U);
        EXPECT_EQ(t.corrupted, 0U);
        EXPECT_EQ(t.alive, sc.n_targets);
        const auto r0 = rig.stages[0]->accounting().totals().received;
        const auto r1 = rig.stages[1]->accounting().totals().received;
        if (sc.steer_all_to < 0) {
            EXPECT_EQ(r0, p0);
            EXPECT_EQ(r1, p1);
        } else {
            EXPECT_EQ(r0, total);
            EXPECT_EQ(r1, 0U);
        }
        // The shared schedule: lcore w's k-th probe is global packet k * 2 + w.
        const std::uint64_t start = rig.start_ns.load();
        for (unsigned w = 0; w < 2; ++w) {
            const std::uint64_t owed = w == 0 ? p0 : p1;
            const std::uint64_t j = (owed - 1) * 2 + w;
            EXPECT_GE(rig.counters[w].last_tx_ns, start + j * 1'000'000'000ULL / rate);
        }
        expect_balanced(rig, resp, total);
    }
    EXPECT_TRUE(balance.ok());
}

// 10 targets: a /29 (6 hosts), a /30 (2) and a /31 (2, RFC 3021).
const std::vector<std::string> ten{"198.18.1.0/29", "198.18.1.8/30", "198.18.1.12/31"};

TEST(FloodTwoLcores, TenTargetsSteeredBySender) {
    two_lcores({ten, 10, -1});
}
TEST(FloodTwoLcores, TenTargetsAllToOneQueue) {
    two_lcores({ten, 10, 0});
}
TEST(FloodTwoLcores, ElevenTargetsUnevenSplit) {
    auto eleven = ten;
    eleven.push_back("198.18.1.20");
    two_lcores({eleven, 11, -1});
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new pw::test::EalEnv("pw_flood_test"));
    return RUN_ALL_TESTS();
}
