// PmtuSearch over simulated paths: each hop has an MTU and either answers a packet too big for
// it with Frag Needed / Packet Too Big (RFC 1191 / RFC 8201) or drops it silently (a black
// hole, RFC 2923 2.1); the target answers what reaches it, or nothing. The verdicts, their
// lines (docs/flood.md), the step counts, and properties over random paths.
#include "lib/gen/pmtu.hh"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using pw::gen::PmtuSearch;
using Verdict = pw::gen::PmtuSearch::Verdict;
using pw::wire::Ipv4Addr;
using pw::wire::Ipv6Addr;

struct Hop {
    unsigned mtu = 1500;
    bool icmp = true;          // sends Frag Needed / PTB; false: drops silently
    unsigned says_mtu = 0;     // the MTU its errors report; 0: its real one
    bool says_no_mtu = false;  // an RFC 792 router: next-hop MTU field 0
    Ipv6Addr addr;
};

struct Path {
    std::vector<Hop> hops;
    bool target_answers = true;
};

Ipv6Addr a4(const char* s) {
    return pw::wire::v4_mapped(*Ipv4Addr::parse(s));
}
Ipv6Addr a6(const char* s) {
    return *Ipv6Addr::parse(s);
}

// Drives the search to a verdict (or 100 steps), one report per step.
void run(PmtuSearch& s, const Path& p) {
    for (int guard = 0; guard < 100 && s.next_size() != 0; ++guard) {
        const unsigned size = s.next_size();
        const Hop* refused = nullptr;
        for (const Hop& h : p.hops) {
            if (size > h.mtu) {
                refused = &h;
                break;
            }
        }
        if (refused == nullptr) {
            if (p.target_answers)
                s.on_answer(size);
            else
                s.on_silence(size);
        } else if (refused->icmp) {
            const unsigned said = refused->says_no_mtu ? 0
                                  : refused->says_mtu  ? refused->says_mtu
                                                       : refused->mtu;
            s.on_too_big(size, said, refused->addr);
        } else {
            s.on_silence(size);
        }
    }
}

Hop icmp_hop(unsigned mtu, Ipv6Addr addr) {
    Hop h;
    h.mtu = mtu;
    h.addr = addr;
    return h;
}
Hop silent_hop(unsigned mtu) {
    Hop h;
    h.mtu = mtu;
    h.icmp = false;
    return h;
}

TEST(Pmtu, FragNeeded1400) {
    PmtuSearch s(false, 1500);
    EXPECT_EQ(s.next_size(), 68U);
    EXPECT_EQ(s.verdict(), Verdict::searching);
    run(s, {{icmp_hop(1400, a4("198.18.0.254"))}});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_TRUE(s.told());
    EXPECT_EQ(s.told_mtu(), 1400U);
    EXPECT_EQ(s.told_by(), a4("198.18.0.254"));
    EXPECT_EQ(s.steps(), 3U);  // 68 passes, 1500 too big (mtu 1400), 1400 passes
    EXPECT_EQ(s.next_size(), 0U);
    EXPECT_EQ(s.describe(), "pmtu 1400 (frag needed from 198.18.0.254, mtu=1400)");
}

TEST(Pmtu, StepByStep) {
    PmtuSearch s(false, 1500);
    s.on_answer(68);
    EXPECT_EQ(s.next_size(), 1500U);
    s.on_too_big(1500, 1400, a4("198.18.0.254"));
    EXPECT_EQ(s.next_size(), 1400U);
    EXPECT_EQ(s.verdict(), Verdict::searching);
    s.on_answer(1400);
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.next_size(), 0U);
    // Reports after the verdict change nothing.
    s.on_silence(1400);
    s.on_too_big(1400, 1300, a4("198.18.0.253"));
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.steps(), 3U);
    EXPECT_EQ(s.told_mtu(), 1400U);
}

TEST(Pmtu, PacketTooBigIpv6) {
    PmtuSearch s(true, 1500);
    EXPECT_EQ(s.next_size(), 1280U);
    run(s, {{icmp_hop(1400, a6("2001:2::fe"))}});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_EQ(s.steps(), 3U);
    EXPECT_EQ(s.describe(), "pmtu 1400 (packet too big from 2001:2::fe, mtu=1400)");
}

TEST(Pmtu, BlackHoleAbove1400) {
    PmtuSearch s(false, 1500);
    run(s, {{silent_hop(1400)}});
    EXPECT_EQ(s.verdict(), Verdict::black_hole);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_FALSE(s.told());
    // 68, 1500, then bisection of (68, 1500): ceil(log2(1432)) = 11 at most.
    EXPECT_GE(s.steps(), 3U);
    EXPECT_LE(s.steps(), 13U);
    EXPECT_EQ(s.describe(),
              "pmtu black hole: sizes above 1400 vanish with no ICMP answer (1400 passes)");
}

TEST(Pmtu, NoAnswer) {
    PmtuSearch s(false, 1500);
    run(s, {{}, false});
    EXPECT_EQ(s.verdict(), Verdict::no_answer);
    EXPECT_EQ(s.steps(), 1U);
    EXPECT_EQ(s.next_size(), 0U);
    EXPECT_EQ(s.pmtu(), 0U);
    EXPECT_EQ(s.describe(), "pmtu: no answer from the target at all (68 bytes)");
    PmtuSearch s6(true, 9000);
    run(s6, {{}, false});
    EXPECT_EQ(s6.verdict(), Verdict::no_answer);
    EXPECT_EQ(s6.describe(), "pmtu: no answer from the target at all (1280 bytes)");
}

TEST(Pmtu, EverySizePasses) {
    PmtuSearch s(false, 1500);
    run(s, {});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1500U);
    EXPECT_EQ(s.steps(), 2U);
    EXPECT_FALSE(s.told());
    EXPECT_EQ(s.describe(), "pmtu 1500 (the port MTU: every size passed)");
    PmtuSearch j(true, 9000);
    run(j, {{icmp_hop(9000, a6("2001:2::fe"))}});  // a hop of exactly the port MTU
    EXPECT_EQ(j.pmtu(), 9000U);
    EXPECT_EQ(j.describe(), "pmtu 9000 (the port MTU: every size passed)");
}

TEST(Pmtu, PortMtuIsTheMinimum) {
    PmtuSearch s(false, 68);
    run(s, {});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 68U);
    EXPECT_EQ(s.steps(), 1U);
}

TEST(Pmtu, TwoRoutersEachTell) {
    PmtuSearch s(false, 1500);
    run(s, {{icmp_hop(1450, a4("198.18.0.1")), icmp_hop(1400, a4("198.18.0.2"))}});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_EQ(s.told_by(), a4("198.18.0.2"));
    EXPECT_EQ(s.steps(), 4U);  // 68, 1500 (1450), 1450 (1400), 1400
    EXPECT_EQ(s.describe(), "pmtu 1400 (frag needed from 198.18.0.2, mtu=1400)");
}

TEST(Pmtu, BlackHoleBehindATellingRouter) {
    PmtuSearch s(false, 1500);
    run(s, {{icmp_hop(1450, a4("198.18.0.1")), silent_hop(1400)}});
    EXPECT_EQ(s.verdict(), Verdict::black_hole);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_TRUE(s.told());  // the first router did tell, about 1450
    EXPECT_LE(s.steps(), 14U);
}

TEST(Pmtu, TellingRouterBehindABlackHole) {
    // 1500 vanishes at the first hop, but the smallest failing size (1401) gets an error from
    // the second: not a black hole.
    PmtuSearch s(false, 1500);
    run(s, {{silent_hop(1450), icmp_hop(1400, a4("198.18.0.2"))}});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_EQ(s.told_by(), a4("198.18.0.2"));
}

TEST(Pmtu, RouterWithoutMtuField) {
    // RFC 1191 4: an old router sets the next-hop MTU to 0; the search bisects.
    Hop h = icmp_hop(1006, a4("198.18.0.254"));
    h.says_no_mtu = true;
    PmtuSearch s(false, 1500);
    run(s, {{h}});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1006U);
    EXPECT_EQ(s.told_mtu(), 0U);
    EXPECT_LE(s.steps(), 13U);
    EXPECT_EQ(s.describe(), "pmtu 1006 (frag needed from 198.18.0.254, no MTU given)");
}

TEST(Pmtu, RouterReportingAWrongMtu) {
    // It says 1450 but carries 1400: 1450 is refused again, and the search bisects.
    Hop h = icmp_hop(1400, a4("198.18.0.254"));
    h.says_mtu = 1450;
    PmtuSearch s(false, 1500);
    run(s, {{h}});
    EXPECT_EQ(s.verdict(), Verdict::pmtu);
    EXPECT_EQ(s.pmtu(), 1400U);
    EXPECT_LE(s.steps(), 14U);
    // One that reports more than the probe, or less than the minimum, is bisected around.
    for (const unsigned said : {1500U, 9000U, 40U, 1U}) {
        Hop g = icmp_hop(1200, a4("198.18.0.254"));
        g.says_mtu = said;
        PmtuSearch t(false, 1500);
        run(t, {{g}});
        EXPECT_EQ(t.verdict(), Verdict::pmtu) << said;
        EXPECT_EQ(t.pmtu(), 1200U) << said;
        EXPECT_LE(t.steps(), 14U) << said;
    }
}

TEST(Pmtu, TooBigAtTheMinimumIsNoAnswer) {
    PmtuSearch s(false, 1500);
    s.on_too_big(68, 60, a4("198.18.0.254"));
    EXPECT_EQ(s.verdict(), Verdict::no_answer);
    EXPECT_EQ(s.next_size(), 0U);
}

TEST(Pmtu, SilenceAtTheMinimumOnly) {
    // The target answered nothing at 68: no_answer, whatever larger sizes would have done.
    PmtuSearch s(false, 1500);
    s.on_silence(68);
    EXPECT_EQ(s.verdict(), Verdict::no_answer);
}

TEST(Pmtu, Ipv6BlackHoleAtTheMinimum) {
    PmtuSearch s(true, 1500);
    run(s, {{silent_hop(1280)}});
    EXPECT_EQ(s.verdict(), Verdict::black_hole);
    EXPECT_EQ(s.pmtu(), 1280U);
    EXPECT_EQ(s.describe(),
              "pmtu black hole: sizes above 1280 vanish with no ICMP answer (1280 passes)");
}

// --- properties ------------------------------------------------------------------------------

unsigned below(std::mt19937& rng, unsigned n) {
    return static_cast<unsigned>(rng() % n);
}

// The verdict names the size P+1 fails at: the first hop whose MTU is the path's smallest.
void expect_right(const PmtuSearch& s, const Path& p, unsigned port_mtu, const std::string& what) {
    unsigned path_mtu = port_mtu;
    const Hop* bottleneck = nullptr;
    for (const Hop& h : p.hops) {
        if (h.mtu < path_mtu) {
            path_mtu = h.mtu;
            bottleneck = &h;
        }
    }
    EXPECT_EQ(s.pmtu(), path_mtu) << what;
    if (bottleneck == nullptr) {
        EXPECT_EQ(s.verdict(), Verdict::pmtu) << what;
        EXPECT_EQ(s.describe(),
                  "pmtu " + std::to_string(port_mtu) + " (the port MTU: every size passed)")
            << what;
    } else if (bottleneck->icmp) {
        EXPECT_EQ(s.verdict(), Verdict::pmtu) << what;
        EXPECT_TRUE(s.told()) << what;
        EXPECT_EQ(s.told_by(), bottleneck->addr) << what;
    } else {
        EXPECT_EQ(s.verdict(), Verdict::black_hole) << what;
    }
}

TEST(PmtuProperty, OneHopRandomMtu) {
    std::mt19937 rng(20261201);
    for (int i = 0; i < 4000; ++i) {
        const bool v6 = i % 4 == 3;
        const unsigned lo = v6 ? 1280 : 68;
        const unsigned mtu = lo + below(rng, (1500 - lo + 1));
        const bool icmp = below(rng, 2) == 0;
        Path p;
        Hop h = icmp ? icmp_hop(mtu, a4("198.18.0.254")) : silent_hop(mtu);
        p.hops.push_back(h);
        PmtuSearch s(v6, 1500);
        run(s, p);
        const std::string what = std::string(v6 ? "v6" : "v4") + " mtu " + std::to_string(mtu) +
                                 (icmp ? " icmp" : " silent");
        expect_right(s, p, 1500, what);
        EXPECT_LE(s.steps(), 14U) << what;
        if (icmp && mtu < 1500) {
            // 68, 1500 (told mtu), mtu; an mtu of the minimum is known to pass already.
            EXPECT_EQ(s.steps(), mtu == lo ? 2U : 3U) << what;
        }
    }
    // Every MTU, both ways, exhaustively for IPv4.
    for (unsigned mtu = 68; mtu <= 1500; ++mtu) {
        for (const bool icmp : {false, true}) {
            Path p;
            p.hops.push_back(icmp ? icmp_hop(mtu, a4("198.18.0.254")) : silent_hop(mtu));
            PmtuSearch s(false, 1500);
            run(s, p);
            const std::string what = "mtu " + std::to_string(mtu) + (icmp ? " icmp" : " silent");
            expect_right(s, p, 1500, what);
            EXPECT_LE(s.steps(), 14U) << what;
        }
    }
}

TEST(PmtuProperty, ManyHopsRandomMtus) {
    std::mt19937 rng(7);
    for (int i = 0; i < 4000; ++i) {
        const bool v6 = i % 2 == 1;
        const unsigned lo = v6 ? 1280 : 68;
        const unsigned port = i % 3 == 0 ? 9000 : 1500;
        Path p;
        const unsigned hops = 1 + below(rng, 4);
        std::string what = v6 ? "v6" : "v4";
        what += " port " + std::to_string(port);
        for (unsigned k = 0; k < hops; ++k) {
            Ipv6Addr addr{};
            addr.bytes[15] = static_cast<std::uint8_t>(k + 1);
            // Mostly near the common MTUs, sometimes anywhere.
            const unsigned mtu =
                below(rng, 2) ? lo + below(rng, (port - lo + 1)) : 1400 + below(rng, 101);
            Hop h = below(rng, 3) ? icmp_hop(mtu, addr) : silent_hop(mtu);
            what += " " + std::to_string(mtu) + (h.icmp ? "i" : "s");
            p.hops.push_back(h);
        }
        PmtuSearch s(v6, port);
        run(s, p);
        expect_right(s, p, port, what);
        // Two fixed probes, bisection of (lo, port), and one probe per MTU told.
        const unsigned bound = 2 + std::bit_width(port - lo - 1) + hops;
        EXPECT_LE(s.steps(), bound) << what;
    }
}

}  // namespace
