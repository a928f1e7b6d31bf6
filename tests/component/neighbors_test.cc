// Component tests of route::NeighborTable (EAL --no-huge for its DPDK memory): the state machine
// on an injected clock (probes, failure, reachable -> stale, re-probe, garbage collection), the
// RFC 4861 7.2.3 / 7.2.5 update rules, capacity (and what a full table reclaims), churn against a
// model, and a reader thread doing lock-free lookups while the control thread rewrites the table.
#include <gtest/gtest.h>

#include "tests/component/ring_env.hh"
#include <rte_eal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lib/route/neighbors.hh"

namespace {

using namespace pw;
using route::Family;
using route::Learned;
using route::NeighborConfig;
using route::NeighborTable;
using route::NeighKey;
using route::NeighState;
using wire::Ipv4Addr;
using wire::Ipv6Addr;
using wire::MacAddr;

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t s = 1'000 * ms;

const Ipv4Addr a4 = *Ipv4Addr::parse("198.18.1.20");
const Ipv6Addr a6 = *Ipv6Addr::parse("2001:2:0:1::20");
const MacAddr m1{{0x02, 0, 0, 0, 0x01, 0x01}};
const MacAddr m2{{0x02, 0, 0, 0, 0x02, 0x02}};

std::unique_ptr<NeighborTable> make_table(unsigned capacity = 64, const NeighborConfig& cfg = {}) {
    static int n = 0;
    auto t = std::make_unique<NeighborTable>();
    const auto e = t->init("neigh" + std::to_string(n++), capacity, cfg);
    EXPECT_FALSE(e) << *e;
    return t;
}

// Records what tick() asked for.
struct Events {
    struct Probe {
        NeighKey key;
        bool unicast;
        MacAddr mac;
        std::uint64_t at;
    };
    std::vector<Probe> probes;
    std::vector<std::pair<NeighKey, std::uint64_t>> fails;

    void tick(NeighborTable& t, std::uint64_t now) {
        t.tick(
            now,
            [&](const NeighKey& k, const MacAddr* unicast) {
                probes.push_back(
                    {k, unicast != nullptr, unicast != nullptr ? *unicast : MacAddr{}, now});
            },
            [&](const NeighKey& k) {
                fails.push_back({k, now});
            });
    }
};

TEST(Neighbors, UnresolvedFailsAfterThreeProbes) {
    auto t = make_table();
    Events ev;
    EXPECT_FALSE(t->lookup(1, a4).found);
    ASSERT_TRUE(t->want(1, a4, 0));
    ASSERT_TRUE(t->want(1, a6, 0));
    EXPECT_EQ(t->size(), 2U);
    auto v = t->lookup(1, a4);
    EXPECT_TRUE(v.found);
    EXPECT_EQ(v.state, NeighState::incomplete);
    EXPECT_TRUE(v.mac.is_zero());
    EXPECT_FALSE(t->lookup(0, a4).found);  // another port

    // Ticks every 100 ms: probes at 0, 1, 2 s; failed at 3 s.
    for (std::uint64_t now = 0; now <= 4 * s; now += 100 * ms) {
        if (now < 3 * s) {
            EXPECT_TRUE(t->want(1, a4, now));  // changes nothing while incomplete
        }
        ev.tick(*t, now);
    }
    ASSERT_EQ(ev.probes.size(), 6U);
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(ev.probes[i].at, (i / 2) * s) << i;
        EXPECT_FALSE(ev.probes[i].unicast);
    }
    EXPECT_EQ(ev.probes[0].key.port, 1);
    ASSERT_EQ(ev.fails.size(), 2U);
    EXPECT_EQ(ev.fails[0].second, 3 * s);
    EXPECT_EQ(ev.fails[1].second, 3 * s);
    EXPECT_TRUE(ev.fails[0].first == NeighKey::of(1, a4) ||
                ev.fails[1].first == NeighKey::of(1, a4));
    EXPECT_TRUE(ev.fails[0].first == NeighKey::of(1, a6) ||
                ev.fails[1].first == NeighKey::of(1, a6));
    v = t->lookup(1, a6);
    EXPECT_EQ(v.state, NeighState::failed);
    EXPECT_TRUE(v.mac.is_zero());

    // A failed entry wanted again resolves again (Linux NUD_FAILED on a new packet).
    ASSERT_TRUE(t->want(1, a6, 5 * s));
    EXPECT_EQ(t->lookup(1, a6).state, NeighState::incomplete);
    ev.probes.clear();
    ev.tick(*t, 5 * s);
    ASSERT_EQ(ev.probes.size(), 1U);
    EXPECT_EQ(ev.probes[0].key, NeighKey::of(1, a6));
}

TEST(Neighbors, ResolvedThenStaleAfterReachableTime) {
    auto t = make_table();
    Events ev;
    ASSERT_TRUE(t->want(0, a4, 0));
    ev.tick(*t, 0);
    ASSERT_EQ(ev.probes.size(), 1U);
    // The ARP reply: solicited, override.
    EXPECT_EQ(t->learn_advertisement(NeighKey::of(0, a4), m1, true, true, 200 * ms),
              Learned::resolved);
    auto v = t->lookup(0, a4);
    EXPECT_EQ(v.state, NeighState::reachable);
    EXPECT_EQ(v.mac, m1);
    for (std::uint64_t now = 300 * ms; now < 30 * s + 200 * ms; now += 100 * ms) ev.tick(*t, now);
    EXPECT_EQ(t->lookup(0, a4).state, NeighState::reachable);
    ev.tick(*t, 30 * s + 200 * ms);  // reachable_time after the confirmation
    v = t->lookup(0, a4);
    EXPECT_EQ(v.state, NeighState::stale);
    EXPECT_EQ(v.mac, m1);  // still usable
    EXPECT_EQ(ev.probes.size(), 1U);
    EXPECT_TRUE(ev.fails.empty());
}

// RFC 4861 7.2.4 lets a unicast answer leave out the Target Link-Layer Address option (Linux
// does); 7.2.5 says it still confirms the cached address. It cannot complete an entry.
TEST(Neighbors, SolicitedAdvertisementWithoutAddressConfirms) {
    auto t = make_table();
    Events ev;
    const auto k = NeighKey::of(0, a6);
    ASSERT_TRUE(t->want(k, 0));
    EXPECT_EQ(t->learn_confirmation(k, 100 * ms), Learned::ignored);  // incomplete: no address yet
    EXPECT_EQ(t->lookup(0, a6).state, NeighState::incomplete);
    ASSERT_EQ(t->learn_advertisement(k, m1, true, true, 200 * ms), Learned::resolved);
    ev.tick(*t, 30 * s + 300 * ms);
    ASSERT_EQ(t->lookup(0, a6).state, NeighState::stale);
    EXPECT_EQ(t->learn_confirmation(k, 31 * s), Learned::updated);
    const auto v = t->lookup(0, a6);
    EXPECT_EQ(v.state, NeighState::reachable);
    EXPECT_EQ(v.mac, m1);
    EXPECT_FALSE(v.probing);
    EXPECT_EQ(t->learn_confirmation(NeighKey::of(0, a4), 31 * s), Learned::ignored);  // no entry
}

TEST(Neighbors, StaleIsReprobedWhenWanted) {
    auto t = make_table();
    Events ev;
    const auto k = NeighKey::of(2, a6);
    // A Neighbor Solicitation from the host: a stale entry (RFC 4861 7.2.3).
    EXPECT_EQ(t->learn_solicitation(k, m1, 0), Learned::updated);
    EXPECT_EQ(t->lookup(k).state, NeighState::stale);
    ev.tick(*t, 1 * s);
    EXPECT_TRUE(ev.probes.empty());  // nobody wants it: no probe

    // A packet for it: DELAY 5 s, then unicast probes 1 s apart.
    ASSERT_TRUE(t->want(k, 10 * s));
    auto v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::stale);
    EXPECT_TRUE(v.probing);
    EXPECT_EQ(v.mac, m1);
    for (std::uint64_t now = 10 * s; now < 16 * s + 500 * ms; now += 100 * ms) {
        ASSERT_TRUE(t->want(k, now));  // packets keep coming: one re-probe only
        ev.tick(*t, now);
    }
    ASSERT_EQ(ev.probes.size(), 2U);
    EXPECT_EQ(ev.probes[0].at, 15 * s);
    EXPECT_EQ(ev.probes[1].at, 16 * s);
    EXPECT_TRUE(ev.probes[0].unicast);
    EXPECT_EQ(ev.probes[0].mac, m1);
    // The solicited NA confirms it.
    EXPECT_EQ(t->learn_advertisement(k, m1, true, false, 16 * s + 500 * ms), Learned::updated);
    v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::reachable);
    EXPECT_FALSE(v.probing);
    ev.tick(*t, 20 * s);
    EXPECT_EQ(ev.probes.size(), 2U);

    // Stale again, wanted, and this time nobody answers: 3 unicast probes, then failed.
    ev.tick(*t, 47 * s);
    ASSERT_EQ(t->lookup(k).state, NeighState::stale);
    ev.probes.clear();
    ASSERT_TRUE(t->want(k, 50 * s));
    for (std::uint64_t now = 50 * s; now <= 60 * s; now += 100 * ms) ev.tick(*t, now);
    ASSERT_EQ(ev.probes.size(), 3U);
    EXPECT_EQ(ev.probes[0].at, 55 * s);
    EXPECT_EQ(ev.probes[2].at, 57 * s);
    ASSERT_EQ(ev.fails.size(), 1U);
    EXPECT_EQ(ev.fails[0].first, k);
    EXPECT_EQ(ev.fails[0].second, 58 * s);
    v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::failed);
    EXPECT_TRUE(v.mac.is_zero());
}

TEST(Neighbors, GarbageCollection) {
    auto t = make_table();
    Events ev;
    const auto stale = NeighKey::of(0, a4);
    const auto failed = NeighKey::of(0, a6);
    const auto used = NeighKey::of(1, a4);
    ASSERT_EQ(t->learn_solicitation(stale, m1, 0), Learned::updated);
    ASSERT_TRUE(t->want(failed, 0));
    ASSERT_TRUE(t->want(used, 0));
    for (std::uint64_t now = 0; now < 3 * s; now += 500 * ms) ev.tick(*t, now);
    ASSERT_EQ(t->learn_advertisement(used, m2, true, true, 2 * s), Learned::resolved);
    ev.tick(*t, 3 * s);
    ASSERT_EQ(t->lookup(failed).state, NeighState::failed);
    ASSERT_EQ(t->size(), 3U);
    ev.tick(*t, 32 * s);  // reachable_time after the confirmation: stale
    ASSERT_EQ(t->lookup(used).state, NeighState::stale);

    ev.tick(*t, 60 * s - 1);
    EXPECT_TRUE(t->lookup(stale).found);
    ev.tick(*t, 60 * s);  // gc_stale_time without a want
    EXPECT_FALSE(t->lookup(stale).found);
    EXPECT_TRUE(t->lookup(failed).found);
    ev.tick(*t, 63 * s);  // 60 s after it failed
    EXPECT_FALSE(t->lookup(failed).found);
    // The confirmed one went stale at 32 s; gc counts from then.
    EXPECT_TRUE(t->lookup(used).found);
    ev.tick(*t, 92 * s);
    EXPECT_FALSE(t->lookup(used).found);
    EXPECT_EQ(t->size(), 0U);
    EXPECT_EQ(ev.fails.size(), 1U);
}

// --neigh: a permanent entry is reachable at once, never probed, aged or collected, and what
// is heard on the wire does not change it (Linux NUD_PERMANENT).
TEST(Neighbors, PermanentEntries) {
    auto t = make_table();
    Events ev;
    const auto k = NeighKey::of(0, a4);
    ASSERT_EQ(t->learn_solicitation(k, m2, 0), Learned::updated);  // replaced by the static one
    ASSERT_TRUE(t->add_permanent(k, m1, 0));
    EXPECT_FALSE(t->add_permanent(NeighKey::of(0, a6), MacAddr{{0x01, 0, 0, 0, 0, 1}}, 0));
    EXPECT_EQ(t->size(), 1U);
    auto v = t->lookup(k);
    ASSERT_TRUE(v.found);
    EXPECT_EQ(v.state, NeighState::reachable);
    EXPECT_EQ(v.mac, m1);
    EXPECT_EQ(t->learn_solicitation(k, m2, 1 * s), Learned::updated);
    EXPECT_EQ(t->learn_advertisement(k, m2, false, true, 2 * s), Learned::updated);
    EXPECT_EQ(t->learn_confirmation(k, 3 * s), Learned::updated);
    EXPECT_TRUE(t->want(k, 4 * s));
    for (std::uint64_t now = 0; now < 200 * s; now += 500 * ms) ev.tick(*t, now);
    v = t->lookup(k);
    ASSERT_TRUE(v.found);
    EXPECT_EQ(v.state, NeighState::reachable);
    EXPECT_EQ(v.mac, m1);
    EXPECT_TRUE(ev.probes.empty());
    EXPECT_TRUE(ev.fails.empty());
    bool seen = false;
    t->for_each(200 * s, [&](const route::NeighInfo& n) { seen = n.permanent && n.mac == m1; });
    EXPECT_TRUE(seen);
}

TEST(Neighbors, Rfc4861UpdateRules) {
    auto t = make_table();
    const auto k = NeighKey::of(0, a6);
    // 7.2.5: an advertisement for an address we have no entry for is discarded.
    EXPECT_EQ(t->learn_advertisement(k, m1, true, true, 0), Learned::ignored);
    EXPECT_FALSE(t->lookup(k).found);
    // Group and zero MACs are never learned.
    EXPECT_EQ(t->learn_solicitation(k, MacAddr::broadcast(), 0), Learned::ignored);
    EXPECT_EQ(t->learn_solicitation(k, MacAddr{{0x33, 0x33, 0, 0, 0, 1}}, 0), Learned::ignored);
    EXPECT_EQ(t->learn_solicitation(k, MacAddr{}, 0), Learned::ignored);
    EXPECT_FALSE(t->lookup(k).found);

    ASSERT_TRUE(t->want(k, 0));
    // Incomplete + unsolicited advertisement: stale.
    EXPECT_EQ(t->learn_advertisement(k, m1, false, false, 1), Learned::resolved);
    EXPECT_EQ(t->lookup(k).state, NeighState::stale);
    // Solicited, same MAC, no override: reachable.
    EXPECT_EQ(t->learn_advertisement(k, m1, true, false, 2), Learned::updated);
    EXPECT_EQ(t->lookup(k).state, NeighState::reachable);
    // Different MAC without override: the MAC stays, reachable turns stale.
    EXPECT_EQ(t->learn_advertisement(k, m2, true, false, 3), Learned::updated);
    auto v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::stale);
    EXPECT_EQ(v.mac, m1);
    // Different MAC with override, unsolicited: the new MAC, stale.
    EXPECT_EQ(t->learn_advertisement(k, m2, false, true, 4), Learned::updated);
    v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::stale);
    EXPECT_EQ(v.mac, m2);
    // Solicited with override and another MAC: reachable with it.
    EXPECT_EQ(t->learn_advertisement(k, m1, true, true, 5), Learned::updated);
    v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::reachable);
    EXPECT_EQ(v.mac, m1);
    // 7.2.3: a solicitation with the same MAC changes nothing; with another, stale and the new MAC.
    EXPECT_EQ(t->learn_solicitation(k, m1, 6), Learned::updated);
    EXPECT_EQ(t->lookup(k).state, NeighState::reachable);
    EXPECT_EQ(t->learn_solicitation(k, m2, 7), Learned::updated);
    v = t->lookup(k);
    EXPECT_EQ(v.state, NeighState::stale);
    EXPECT_EQ(v.mac, m2);
    // Unsolicited with override and the same MAC: no change.
    EXPECT_EQ(t->learn_advertisement(k, m2, false, true, 8), Learned::updated);
    EXPECT_EQ(t->lookup(k).state, NeighState::stale);

    // Incomplete + solicitation: stale, and what was held can go.
    const auto k4 = NeighKey::of(0, a4);
    ASSERT_TRUE(t->want(k4, 0));
    EXPECT_EQ(t->learn_solicitation(k4, m1, 1), Learned::resolved);
    v = t->lookup(k4);
    EXPECT_EQ(v.state, NeighState::stale);
    EXPECT_EQ(v.mac, m1);
}

TEST(Neighbors, CapacityAndRemove) {
    auto t = make_table(8);
    EXPECT_EQ(t->capacity(), 8U);
    for (std::uint8_t i = 0; i < 8; ++i) {
        Ipv4Addr a = a4;
        a.bytes[3] = i;
        ASSERT_TRUE(t->want(0, a, 0)) << int(i);
    }
    EXPECT_EQ(t->size(), 8U);
    EXPECT_FALSE(t->want(0, a6, 0));
    EXPECT_EQ(t->learn_solicitation(NeighKey::of(0, a6), m1, 0), Learned::full);
    EXPECT_TRUE(t->want(0, Ipv4Addr{{198, 18, 1, 3}}, 0));  // an existing one still works
    EXPECT_FALSE(t->remove(NeighKey::of(0, a6)));
    EXPECT_TRUE(t->remove(NeighKey::of(0, Ipv4Addr{{198, 18, 1, 3}})));
    EXPECT_FALSE(t->lookup(0, Ipv4Addr{{198, 18, 1, 3}}).found);
    EXPECT_EQ(t->size(), 7U);
    EXPECT_TRUE(t->want(0, a6, 0));
    EXPECT_EQ(t->size(), 8U);

    NeighborTable bad;
    EXPECT_TRUE(bad.init("neighbad", 0));
    NeighborConfig c;
    c.retrans_ns = 0;
    EXPECT_TRUE(bad.init("neighbad", 4, c));
}

// Linux's neigh_forced_gc: a new entry takes the place of the failed entry that failed longest
// ago, else of a stale one idle for 5 s; never of a reachable, incomplete, probing or permanent
// one. Without it a table filled by next hops that never answer stays full until gc_stale_ns.
TEST(Neighbors, AFullTableReclaimsTheOldestFailedThenAnIdleStaleEntry) {
    auto t = make_table(4);
    Events ev;
    auto v4 = [](std::uint8_t i) { return Ipv4Addr{{198, 18, 1, i}}; };
    ASSERT_TRUE(t->want(0, v4(1), 0));
    ASSERT_TRUE(t->want(0, v4(2), 0));
    ev.tick(*t, 0);
    ASSERT_TRUE(t->want(0, v4(3), 1 * s));
    ASSERT_TRUE(t->want(0, v4(4), 1 * s));
    EXPECT_FALSE(t->want(0, v4(5), 1 * s));  // full of incomplete entries: nothing to reclaim
    for (std::uint64_t now = 1 * s; now <= 5 * s; now += s) ev.tick(*t, now);
    ASSERT_EQ(ev.fails.size(), 4U);  // 1 and 2 failed at 3 s, 3 and 4 at 4 s
    EXPECT_EQ(t->lookup(0, v4(1)).state, NeighState::failed);
    EXPECT_EQ(t->reclaimed(), 0U);

    ASSERT_TRUE(t->want(0, v4(5), 5 * s));  // takes 1 or 2, which failed first
    EXPECT_EQ(t->size(), 4U);
    EXPECT_EQ(t->reclaimed(), 1U);
    EXPECT_TRUE(t->lookup(0, v4(5)).found);
    EXPECT_EQ(t->lookup(0, v4(1)).found + t->lookup(0, v4(2)).found, 1);
    EXPECT_TRUE(t->lookup(0, v4(3)).found);
    EXPECT_TRUE(t->lookup(0, v4(4)).found);
    // A solicitation's sender gets a place the same way: the other of 1 and 2.
    EXPECT_EQ(t->learn_solicitation(NeighKey::of(0, v4(6)), m1, 5 * s), Learned::updated);
    EXPECT_FALSE(t->lookup(0, v4(1)).found);
    EXPECT_FALSE(t->lookup(0, v4(2)).found);
    EXPECT_EQ(t->reclaimed(), 2U);
    // Then 3 and 4; then 5 (incomplete) and 6 (stale, not idle long enough) stay.
    ASSERT_TRUE(t->want(0, v4(7), 6 * s));
    ASSERT_TRUE(t->want(0, v4(8), 6 * s));
    EXPECT_FALSE(t->lookup(0, v4(3)).found);
    EXPECT_FALSE(t->lookup(0, v4(4)).found);
    EXPECT_FALSE(t->want(0, v4(9), 6 * s));
    EXPECT_EQ(t->reclaimed(), 4U);

    // Stale entries: the one idle longest, once idle for reclaim_idle_ns.
    auto u = make_table(2);
    ASSERT_EQ(u->learn_solicitation(NeighKey::of(0, v4(1)), m1, 0), Learned::updated);
    ASSERT_EQ(u->learn_solicitation(NeighKey::of(0, v4(2)), m2, 3 * s), Learned::updated);
    EXPECT_FALSE(u->want(0, v4(3), 4 * s));
    ASSERT_TRUE(u->want(0, v4(3), NeighborTable::reclaim_idle_ns + 1));
    EXPECT_FALSE(u->lookup(0, v4(1)).found);
    EXPECT_TRUE(u->lookup(0, v4(2)).found);
    EXPECT_EQ(u->reclaimed(), 1U);

    // Reachable and permanent entries are never reclaimed.
    auto r = make_table(2);
    ASSERT_EQ(r->learn_solicitation(NeighKey::of(0, v4(1)), m1, 0), Learned::updated);
    ASSERT_EQ(r->learn_advertisement(NeighKey::of(0, v4(1)), m1, true, true, 0), Learned::updated);
    ASSERT_TRUE(r->add_permanent(NeighKey::of(0, v4(2)), m2, 0));
    EXPECT_EQ(r->lookup(0, v4(1)).state, NeighState::reachable);
    EXPECT_FALSE(r->want(0, v4(3), 20 * s));
    EXPECT_EQ(r->reclaimed(), 0U);
}

TEST(Neighbors, Dump) {
    auto t = make_table();
    ASSERT_TRUE(t->want(0, a4, 1 * s));
    ASSERT_EQ(t->learn_solicitation(NeighKey::of(1, a6), m2, 2 * s), Learned::updated);
    std::map<std::string, route::NeighInfo> seen;
    t->for_each(5 * s, [&](const route::NeighInfo& i) { seen[i.key.to_string()] = i; });
    ASSERT_EQ(seen.size(), 2U);
    const auto& i4 = seen.at("port 0 198.18.1.20");
    EXPECT_EQ(i4.state, NeighState::incomplete);
    EXPECT_EQ(i4.age_ns, 4 * s);
    const auto& i6 = seen.at("port 1 2001:2:0:1::20");
    EXPECT_EQ(i6.state, NeighState::stale);
    EXPECT_EQ(i6.mac, m2);
    EXPECT_EQ(i6.age_ns, 3 * s);
    EXPECT_STREQ(route::to_string(NeighState::reachable), "reachable");
}

// Random inserts and removals against a std::map: tombstones, their clean-up and slot reuse
// never lose or invent an entry.
TEST(Neighbors, ChurnMatchesAModel) {
    auto t = make_table(200);
    std::map<std::pair<int, int>, MacAddr> model;  // (port, index) -> MAC; v4 keys
    std::mt19937 rng(99);
    auto key = [](int port, int i) {
        Ipv4Addr a{{198, 18, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}};
        return NeighKey::of(static_cast<std::uint16_t>(port), a);
    };
    for (int step = 0; step < 200000; ++step) {
        const int port = static_cast<int>(rng() % 2);
        const int i = static_cast<int>(rng() % 400);
        const auto k = key(port, i);
        if (rng() % 2 == 0) {
            const MacAddr m{{0x02, static_cast<std::uint8_t>(port),
                             static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i),
                             static_cast<std::uint8_t>(step), 1}};
            const auto r = t->learn_solicitation(k, m, 0);
            if (r == Learned::full) {
                ASSERT_EQ(model.size(), 200U);
                ASSERT_FALSE(model.count({port, i}));
            } else {
                model[{port, i}] = m;
            }
        } else {
            ASSERT_EQ(t->remove(k), model.erase({port, i}) == 1);
        }
        if (step % 997 == 0) {
            ASSERT_EQ(t->size(), model.size());
            for (int p = 0; p < 2; ++p)
                for (int j = 0; j < 400; ++j) {
                    const auto v = t->lookup(key(p, j));
                    const auto it = model.find({p, j});
                    ASSERT_EQ(v.found, it != model.end()) << p << " " << j << " at " << step;
                    if (v.found) {
                        ASSERT_EQ(v.mac, it->second);
                    }
                }
        }
    }
}

// The MAC the writer gives key i in its round v: bytes 1-2 name the key, byte 5 checks the rest.
MacAddr mac_for(unsigned i, unsigned v) {
    MacAddr m{{0x02, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i),
               static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), 0}};
    m.bytes[5] =
        static_cast<std::uint8_t>(m.bytes[1] ^ m.bytes[2] ^ m.bytes[3] ^ m.bytes[4] ^ 0xa5);
    return m;
}

NeighKey hammer_key(unsigned i) {
    // IPv4 and IPv6 keys on two ports, more than the table holds, so slots get reused by other
    // keys all the time; few of them, so that each slot is rewritten as often as possible.
    const auto port = static_cast<std::uint16_t>(i & 1U);
    if ((i & 2U) != 0) {
        Ipv6Addr a = *Ipv6Addr::parse("2001:2:0:7::");
        a.bytes[15] = static_cast<std::uint8_t>(i);
        return NeighKey::of(port, a);
    }
    return NeighKey::of(port, Ipv4Addr{{198, 19, 7, static_cast<std::uint8_t>(i)}});
}

TEST(Neighbors, ReaderNeverSeesATornEntry) {
    NeighborConfig cfg;
    cfg.reachable_ns = 20 * ms;
    cfg.gc_stale_ns = 30 * ms;
    cfg.delay_first_probe_ns = 0;
    auto t = make_table(6, cfg);  // 16 slots
    constexpr unsigned n_keys = 12;

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> lookups{0}, with_mac{0}, bad{0};
    std::thread reader([&] {
        std::mt19937 rng(1);
        std::uint64_t n = 0, m = 0, b = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            const auto i = static_cast<unsigned>(rng() % n_keys);
            const auto v = t->lookup(hammer_key(i));
            ++n;
            if (!v.found) continue;
            if (v.state == NeighState::reachable || v.state == NeighState::stale) {
                ++m;
                const auto& x = v.mac.bytes;
                const bool ok = x[0] == 0x02 && x[1] == (i >> 8) && x[2] == (i & 0xff) &&
                                x[5] == (x[1] ^ x[2] ^ x[3] ^ x[4] ^ 0xa5);
                b += !ok;
            } else if (v.state == NeighState::incomplete || v.state == NeighState::failed) {
                b += !v.mac.is_zero() || v.probing;
            } else {
                ++b;
            }
        }
        lookups = n;
        with_mac = m;
        bad = b;
    });

    std::mt19937 rng(2);
    std::uint64_t now = 0;
    unsigned round = 0;
    std::uint64_t writes = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < until) {
        for (int j = 0; j < 256; ++j, ++writes) {
            const auto i = static_cast<unsigned>(rng() % n_keys);
            const auto k = hammer_key(i);
            switch (rng() % 6) {
                case 0:
                    t->want(k, now);
                    break;
                case 1:
                    t->learn_solicitation(k, mac_for(i, ++round), now);
                    break;
                case 2:
                    t->learn_advertisement(k, mac_for(i, ++round), true, true, now);
                    break;
                case 3:
                    t->learn_advertisement(k, mac_for(i, ++round), false, rng() % 2 == 0, now);
                    break;
                case 4:
                    t->remove(k);
                    break;
                default:
                    now += ms;
                    break;
            }
        }
        t->tick(
            now, [](const NeighKey&, const MacAddr*) {}, [](const NeighKey&) {});
    }
    stop = true;
    reader.join();
    EXPECT_EQ(bad.load(), 0U);
    EXPECT_GT(lookups.load(), 10000U);
    EXPECT_GT(with_mac.load(), 1000U);
    EXPECT_GT(writes, 10000U);
    std::printf("[          ] %llu lookups (%llu with a MAC) against %llu writes\n",
                static_cast<unsigned long long>(lookups.load()),
                static_cast<unsigned long long>(with_mac.load()),
                static_cast<unsigned long long>(writes));
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new pw::test::EalEnv("pw_neigh"));
    return RUN_ALL_TESTS();
}
