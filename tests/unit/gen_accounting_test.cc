// Accounting: what each answer counts as (received, duplicate, reordered, corrupted, late,
// too_old, unmatched), per target and in total, from hand-made Reply records; the SeqWindow
// against a model (sliding, big jumps, rings smaller than a word); the ICMP error table and
// its overflow; merging.
#include "lib/gen/accounting.hh"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace {

using pw::gen::Accounting;
using pw::gen::ErrorTable;
using pw::gen::ProbeKind;
using pw::gen::Reply;
using pw::gen::ReplyKind;
using pw::gen::SeqWindow;
using pw::gen::Stamp;
using pw::gen::StampStatus;
using pw::gen::TargetStats;
using pw::gen::Totals;
using Outcome = pw::gen::Accounting::Outcome;
using Mark = pw::gen::SeqWindow::Mark;

constexpr std::uint32_t magic = 0x5057'4631;
constexpr std::uint64_t timeout = 1'000'000'000;  // 1 s

Reply echo(std::uint32_t target, std::uint32_t probe, std::uint64_t seq, std::uint8_t ttl = 64,
           StampStatus status = StampStatus::valid) {
    Reply r;
    r.kind = ReplyKind::echo_reply;
    r.checksum_ok = true;
    r.ttl = ttl;
    r.stamp_status = status;
    r.stamp = Stamp{magic, target, probe, seq, 12345};
    return r;
}

pw::wire::Ipv6Addr from4(std::uint8_t last) {
    return pw::wire::v4_mapped(pw::wire::Ipv4Addr{{198, 18, 0, last}});
}

struct Fixture : ::testing::Test {
    std::vector<TargetStats> table = std::vector<TargetStats>(8);
    Accounting acc{table, 2, timeout, 10};
};

// --- received, duplicate, reordered, late -------------------------------------------------

TEST_F(Fixture, FirstAnswerThenDuplicate) {
    EXPECT_EQ(acc.on_stamped(echo(3, 0, 100), 0, 5000), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(3, 0, 100), 0, 7000), Outcome::duplicate);
    EXPECT_EQ(acc.on_stamped(echo(3, 0, 100), 0, 9000), Outcome::duplicate);
    EXPECT_EQ(acc.totals().received, 1U);
    EXPECT_EQ(acc.totals().duplicates, 2U);
    EXPECT_EQ(table[3].rx, 1U);
    EXPECT_EQ(table[3].dup, 2U);
    // A duplicate's RTT is not recorded.
    EXPECT_EQ(acc.rtt().count(), 1U);
    EXPECT_EQ(table[3].rtt_sum_ns, 5000U);
    EXPECT_EQ(table[3].tx, 0U);  // the sender's field, untouched
    for (std::size_t i = 0; i < table.size(); ++i)
        if (i != 3) {
            EXPECT_EQ(table[i].rx + table[i].dup, 0U) << i;
        }
}

TEST_F(Fixture, ReorderedIsReceivedToo) {
    EXPECT_EQ(acc.on_stamped(echo(1, 0, 10), 0, 1000), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(1, 2, 12), 0, 1000), Outcome::received);
    EXPECT_EQ(table[1].next_probe, 3U);
    EXPECT_EQ(acc.on_stamped(echo(1, 1, 11), 0, 1000), Outcome::received);  // overtaken
    EXPECT_EQ(table[1].reordered, 1U);
    EXPECT_EQ(table[1].next_probe, 3U);  // does not go back
    EXPECT_EQ(acc.on_stamped(echo(1, 3, 13), 0, 1000), Outcome::received);
    EXPECT_EQ(table[1].next_probe, 4U);
    EXPECT_EQ(table[1].rx, 4U);
    EXPECT_EQ(table[1].reordered, 1U);
    EXPECT_EQ(acc.totals().received, 4U);
    EXPECT_EQ(acc.totals().reordered, 1U);
    // A duplicate of an old probe is a duplicate, not a reorder.
    EXPECT_EQ(acc.on_stamped(echo(1, 1, 11), 0, 1000), Outcome::duplicate);
    EXPECT_EQ(acc.totals().reordered, 1U);
    // Reordering is per target: probe 0 of another target is in order.
    EXPECT_EQ(acc.on_stamped(echo(2, 0, 14), 0, 1000), Outcome::received);
    EXPECT_EQ(table[2].reordered, 0U);
}

TEST_F(Fixture, LateIsReceivedAndCountedApart) {
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 1), 0, timeout), Outcome::received);  // not above
    EXPECT_EQ(acc.on_stamped(echo(0, 1, 2), 0, timeout + 1), Outcome::late);
    EXPECT_EQ(acc.on_stamped(echo(0, 2, 3), 0, 5 * timeout), Outcome::late);
    EXPECT_EQ(acc.totals().received, 3U);
    EXPECT_EQ(acc.totals().late, 2U);
    EXPECT_EQ(table[0].rx, 3U);
    EXPECT_EQ(table[0].late, 2U);
    EXPECT_EQ(acc.rtt().count(), 3U);
    EXPECT_EQ(acc.rtt().max(), 5 * timeout);
    // A late duplicate is a duplicate.
    EXPECT_EQ(acc.on_stamped(echo(0, 2, 3), 0, 6 * timeout), Outcome::duplicate);
    EXPECT_EQ(acc.totals().late, 2U);
}

TEST_F(Fixture, RttPerTargetAndHistogram) {
    acc.on_stamped(echo(5, 0, 1), 1, 3000);
    acc.on_stamped(echo(5, 1, 2), 1, 1000);
    acc.on_stamped(echo(5, 2, 3), 1, 8000);
    acc.on_stamped(echo(6, 0, 4), 1, 500);
    EXPECT_EQ(table[5].rtt_sum_ns, 12000U);
    EXPECT_EQ(table[5].rtt_min_ns, 1000U);
    EXPECT_EQ(table[5].rtt_max_ns, 8000U);
    EXPECT_EQ(table[6].rtt_min_ns, 500U);
    EXPECT_EQ(table[7].rtt_min_ns, ~0ULL);  // never answered
    EXPECT_EQ(acc.rtt().count(), 4U);
    EXPECT_EQ(acc.rtt().min(), 500U);
    EXPECT_EQ(acc.rtt().max(), 8000U);
}

TEST_F(Fixture, AliveByAndTtlOfTheFirstAnswer) {
    acc.on_stamped(echo(2, 0, 1, 60), 0, 100);
    acc.on_stamped(echo(2, 1, 2, 61), 0, 100);
    EXPECT_EQ(table[2].alive_by, 1 + static_cast<unsigned>(ProbeKind::echo));
    EXPECT_EQ(table[2].ttl, 60U);
    Reply u = echo(4, 0, 3, 250);
    u.kind = ReplyKind::udp;
    acc.on_stamped(u, 0, 100);
    EXPECT_EQ(table[4].alive_by, 1 + static_cast<unsigned>(ProbeKind::udp));
    EXPECT_EQ(table[4].ttl, 250U);
    EXPECT_EQ(table[0].alive_by, 0U);
    EXPECT_EQ(acc.totals().alive, 2U);
}

// --- corrupted, unmatched ------------------------------------------------------------------

TEST_F(Fixture, Corrupted) {
    EXPECT_EQ(acc.on_stamped(echo(3, 0, 50, 64, StampStatus::corrupted), 0, 100),
              Outcome::corrupted);
    EXPECT_EQ(table[3].corrupted, 1U);
    // Its target field cannot be trusted: out of the table it is counted in total only.
    EXPECT_EQ(acc.on_stamped(echo(1000, 0, 51, 64, StampStatus::corrupted), 0, 100),
              Outcome::corrupted);
    // A valid stamp in a packet whose ICMP checksum fails is corrupted too.
    Reply bad = echo(3, 1, 52);
    bad.checksum_ok = false;
    EXPECT_EQ(acc.on_stamped(bad, 0, 100), Outcome::corrupted);
    EXPECT_EQ(acc.totals().corrupted, 3U);
    EXPECT_EQ(table[3].corrupted, 2U);
    EXPECT_EQ(acc.totals().received, 0U);
    EXPECT_EQ(table[3].rx, 0U);
    EXPECT_EQ(table[3].alive_by, 0U);
    EXPECT_EQ(acc.rtt().count(), 0U);
    // A corrupted copy does not mark its sequence number: the good copy is the first answer.
    EXPECT_EQ(acc.on_stamped(echo(3, 1, 52), 0, 100), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(3, 0, 50), 0, 100), Outcome::received);
}

TEST_F(Fixture, Unmatched) {
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 1, 64, StampStatus::absent), 0, 100), Outcome::unmatched);
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 2), 2, 100), Outcome::unmatched);  // no sender 2
    EXPECT_EQ(acc.on_stamped(echo(8, 0, 3), 0, 100), Outcome::unmatched);  // table has 8
    EXPECT_EQ(acc.on_stamped(echo(~0U, 0, 4), 1, 100), Outcome::unmatched);
    EXPECT_EQ(acc.totals().unmatched, 4U);
    EXPECT_EQ(acc.totals().received, 0U);
    // None of them marked its sequence number.
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 3), 0, 100), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(0, 1, 4), 1, 100), Outcome::received);
}

// --- senders, window -------------------------------------------------------------------------

TEST_F(Fixture, TwoSendersAreIndependent) {
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 7), 0, 100), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(1, 0, 7), 1, 100), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 7), 0, 100), Outcome::duplicate);
    EXPECT_EQ(acc.on_stamped(echo(1, 0, 7), 1, 100), Outcome::duplicate);
    // Sender 0 racing ahead does not age sender 1's answers.
    EXPECT_EQ(acc.on_stamped(echo(0, 1, 1'000'000), 0, 100), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(0, 2, 8), 1, 100), Outcome::received);
    EXPECT_EQ(acc.on_stamped(echo(0, 3, 8), 0, 100), Outcome::too_old);
    EXPECT_EQ(acc.totals().too_old, 1U);
    EXPECT_EQ(acc.totals().received, 4U);
    EXPECT_EQ(acc.totals().duplicates, 2U);
}

TEST_F(Fixture, TooOldIsCountedNowhereElse) {
    acc.on_stamped(echo(0, 0, 0), 0, 100);
    acc.on_stamped(echo(0, 1, 1024), 0, 100);  // window of 2^10: 0 just left it
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 0), 0, 100), Outcome::too_old);
    EXPECT_EQ(acc.on_stamped(echo(0, 0, 1), 0, 100), Outcome::received);  // 1 is in it
    EXPECT_EQ(acc.totals().too_old, 1U);
    EXPECT_EQ(acc.totals().duplicates, 0U);
    EXPECT_EQ(table[0].rx, 3U);
    EXPECT_EQ(table[0].dup, 0U);
}

TEST(SeqWindow, SlidesAndAges) {
    SeqWindow w(6);  // 64 numbers
    for (std::uint64_t s = 0; s < 64; ++s) EXPECT_EQ(w.mark(s), Mark::first) << s;
    for (std::uint64_t s = 0; s < 64; ++s) EXPECT_EQ(w.mark(s), Mark::duplicate) << s;
    EXPECT_EQ(w.mark(64), Mark::first);  // 0 leaves the window
    EXPECT_EQ(w.mark(0), Mark::too_old);
    EXPECT_EQ(w.mark(1), Mark::duplicate);
    EXPECT_EQ(w.mark(100), Mark::first);  // 1..36 leave it
    EXPECT_EQ(w.mark(36), Mark::too_old);
    EXPECT_EQ(w.mark(37), Mark::duplicate);
    EXPECT_EQ(w.mark(65), Mark::first);  // in the window, never seen: the slide cleared it
    EXPECT_EQ(w.mark(99), Mark::first);
    EXPECT_EQ(w.mark(99), Mark::duplicate);
}

TEST(SeqWindow, BigJumps) {
    SeqWindow w(20);
    EXPECT_EQ(w.mark(5), Mark::first);
    EXPECT_EQ(w.mark(1'000'000'000'000ULL), Mark::first);
    EXPECT_EQ(w.mark(5), Mark::too_old);
    // Numbers just below the jump are in the window and were cleared by it: every slot held
    // an older number (5 lives in slot 5; so does 5 + k * 2^20).
    EXPECT_EQ(w.mark(1'000'000'000'000ULL - 1), Mark::first);
    EXPECT_EQ(w.mark(1'000'000'000'000ULL - (1ULL << 20) + 1), Mark::first);
    EXPECT_EQ(w.mark(1'000'000'000'000ULL - (1ULL << 20)), Mark::too_old);
    EXPECT_EQ(w.mark(1'000'000'000'000ULL), Mark::duplicate);
    // A jump of exactly one ring, and one of a ring less one.
    SeqWindow v(8);
    EXPECT_EQ(v.mark(10), Mark::first);
    EXPECT_EQ(v.mark(10 + 255), Mark::first);
    EXPECT_EQ(v.mark(10), Mark::duplicate);  // still in the window of 256
    EXPECT_EQ(v.mark(10 + 256), Mark::first);
    EXPECT_EQ(v.mark(10), Mark::too_old);
    EXPECT_EQ(v.mark(11), Mark::first);
    EXPECT_EQ(v.mark(10 + 256 + 256), Mark::first);
    EXPECT_EQ(v.mark(10 + 256), Mark::too_old);
    EXPECT_EQ(v.mark(10 + 257), Mark::first);
}

// Against a model: a set of marked numbers and the window [top - size, top).
void check_against_model(unsigned log2, std::uint32_t seed, unsigned steps) {
    SeqWindow w(log2);
    const std::uint64_t size = std::uint64_t{1} << log2;
    std::set<std::uint64_t> seen;
    std::uint64_t top = 0;
    std::mt19937_64 rng(seed);
    for (unsigned i = 0; i < steps; ++i) {
        std::uint64_t seq = 0;
        switch (rng() % 8) {
            case 0:  // a big jump
                seq = top + rng() % (4 * size);
                break;
            case 1:  // at or just past the top
            case 2:
            case 3:
                seq = top + rng() % 3;
                break;
            default:  // behind the top, in the window or just out of it
                seq = top - std::min(top, rng() % (size + size / 2 + 2));
                break;
        }
        Mark want;
        if (seq >= top) {
            want = Mark::first;
        } else if (top - seq > size) {
            want = Mark::too_old;
        } else {
            want = seen.count(seq) ? Mark::duplicate : Mark::first;
        }
        ASSERT_EQ(w.mark(seq), want)
            << "log2 " << log2 << " step " << i << " seq " << seq << " top " << top;
        if (want == Mark::first) seen.insert(seq);
        top = std::max(top, seq + 1);
    }
}

TEST(SeqWindow, MatchesModel) {
    for (const unsigned log2 : {0U, 1U, 3U, 6U, 7U, 10U, 12U})
        for (std::uint32_t seed = 1; seed <= 4; ++seed) check_against_model(log2, seed, 20000);
}

// --- alive without a stamp -------------------------------------------------------------------

TEST_F(Fixture, AliveWithoutStamp) {
    EXPECT_EQ(acc.on_alive(4, ProbeKind::tcp_syn, 58, 2000), Outcome::received);
    EXPECT_EQ(table[4].alive_by, 1 + static_cast<unsigned>(ProbeKind::tcp_syn));
    EXPECT_EQ(table[4].ttl, 58U);
    EXPECT_EQ(table[4].rx, 1U);  // a SYN-ACK-alive host has answered
    EXPECT_EQ(table[4].rtt_min_ns, 2000U);
    EXPECT_EQ(acc.totals().alive, 1U);
    EXPECT_EQ(acc.totals().received, 1U);
    EXPECT_EQ(acc.rtt().count(), 1U);
    // Later unstamped answers only say it is still alive.
    EXPECT_EQ(acc.on_alive(4, ProbeKind::timestamp, 12, 3000), Outcome::alive_only);
    EXPECT_EQ(table[4].alive_by, 1 + static_cast<unsigned>(ProbeKind::tcp_syn));
    EXPECT_EQ(table[4].ttl, 58U);
    EXPECT_EQ(table[4].rx, 1U);
    EXPECT_EQ(acc.totals().alive, 1U);
    // A stamped answer still counts as received, and does not change alive_by.
    EXPECT_EQ(acc.on_stamped(echo(4, 0, 1, 64), 0, 100), Outcome::received);
    EXPECT_EQ(table[4].rx, 2U);
    EXPECT_EQ(table[4].alive_by, 1 + static_cast<unsigned>(ProbeKind::tcp_syn));
    // Alive by echo first: unstamped answers after it count nothing.
    acc.on_stamped(echo(5, 0, 2, 64), 0, 100);
    EXPECT_EQ(acc.on_alive(5, ProbeKind::udp, 64, 100), Outcome::alive_only);
    EXPECT_EQ(table[5].rx, 1U);
    EXPECT_EQ(acc.totals().alive, 2U);
    // Slow: late too.
    EXPECT_EQ(acc.on_alive(6, ProbeKind::timestamp, 64, timeout + 1), Outcome::late);
    EXPECT_EQ(table[6].late, 1U);
    EXPECT_EQ(acc.on_alive(8, ProbeKind::echo, 64, 100), Outcome::unmatched);
    EXPECT_EQ(acc.totals().unmatched, 1U);
}

// --- errors ----------------------------------------------------------------------------------

Reply icmp_error(std::uint8_t from_last, std::uint8_t type, std::uint8_t code,
                 std::uint32_t mtu = 0) {
    Reply r;
    r.kind = ReplyKind::icmp_error;
    r.src = from4(from_last);
    r.type = type;
    r.code = code;
    r.mtu = mtu;
    return r;
}

TEST_F(Fixture, ErrorsPerTargetAndInTable) {
    EXPECT_EQ(acc.on_error(icmp_error(254, 11, 0), 2), Outcome::error);
    EXPECT_EQ(acc.on_error(icmp_error(254, 11, 0), 2), Outcome::error);
    EXPECT_EQ(acc.on_error(icmp_error(254, 3, 4, 1400), 3), Outcome::error);
    EXPECT_EQ(acc.on_error(icmp_error(253, 3, 1), std::nullopt), Outcome::error);
    EXPECT_EQ(acc.on_error(icmp_error(253, 3, 1), 99), Outcome::error);  // out of the table
    EXPECT_EQ(acc.totals().errors, 5U);
    EXPECT_EQ(table[2].errors, 2U);
    EXPECT_EQ(table[2].last_error_type, 11U);
    EXPECT_EQ(table[3].errors, 1U);
    EXPECT_EQ(table[3].last_error_type, 3U);
    EXPECT_EQ(table[3].last_error_code, 4U);
    EXPECT_EQ(table[0].errors, 0U);
    const auto e = acc.errors().entries();
    ASSERT_EQ(e.size(), 3U);
    // Equal counts in (type, code) order.
    EXPECT_EQ(e[0].count, 2U);
    EXPECT_EQ(e[0].type, 3U);
    EXPECT_EQ(e[0].code, 1U);
    EXPECT_EQ(e[0].from, from4(253));
    EXPECT_EQ(e[1].count, 2U);
    EXPECT_EQ(e[1].type, 11U);
    EXPECT_EQ(e[1].from, from4(254));
    EXPECT_EQ(e[2].count, 1U);
    EXPECT_EQ(e[2].mtu, 1400U);
    EXPECT_EQ(acc.errors().overflow(), 0U);
    // Errors are not answers.
    EXPECT_EQ(acc.totals().received, 0U);
    EXPECT_EQ(table[2].alive_by, 0U);
}

TEST(ErrorTable, KeyedBySenderFamilyTypeCode) {
    ErrorTable t;
    const auto a = from4(1);
    t.add(a, false, 3, 4, 1400);
    t.add(a, false, 3, 4, 1300);  // the last MTU it reported
    t.add(a, false, 3, 4, 0);
    t.add(a, true, 3, 4, 0);  // same bytes, other family
    t.add(a, false, 3, 3, 0);
    t.add(from4(2), false, 3, 4, 0);
    const auto e = t.entries();
    ASSERT_EQ(e.size(), 4U);
    EXPECT_EQ(e[0].count, 3U);
    EXPECT_EQ(e[0].mtu, 1300U);
    EXPECT_FALSE(e[0].v6);
    for (std::size_t i = 1; i < e.size(); ++i) EXPECT_EQ(e[i].count, 1U);
}

TEST(ErrorTable, OverflowAndSortedEntries) {
    ErrorTable t;
    // capacity distinct keys, key k added k + 1 times.
    for (unsigned k = 0; k < ErrorTable::capacity; ++k) {
        pw::wire::Ipv6Addr from{};
        from.bytes[14] = static_cast<std::uint8_t>(k >> 8);
        from.bytes[15] = static_cast<std::uint8_t>(k);
        for (unsigned n = 0; n <= k % 7; ++n) t.add(from, true, 1, 0, 0);
    }
    EXPECT_EQ(t.overflow(), 0U);
    t.add(from4(9), false, 11, 0, 0);  // a new key: no room
    t.add(from4(9), false, 11, 0, 0);
    EXPECT_EQ(t.overflow(), 2U);
    pw::wire::Ipv6Addr first{};
    t.add(first, true, 1, 0, 0);  // a key it holds still counts
    EXPECT_EQ(t.overflow(), 2U);
    const auto e = t.entries();
    ASSERT_EQ(e.size(), ErrorTable::capacity);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < e.size(); ++i) {
        total += e[i].count;
        if (i > 0) {
            EXPECT_GE(e[i - 1].count, e[i].count) << i;
        }
    }
    std::uint64_t want = 1;  // the extra add of key 0
    for (unsigned k = 0; k < ErrorTable::capacity; ++k) want += k % 7 + 1;
    EXPECT_EQ(total, want);
    EXPECT_EQ(e.front().count, 7U);
    EXPECT_EQ(e.back().count, 1U);
}

TEST(ErrorTable, Merge) {
    ErrorTable a, b;
    a.add(from4(1), false, 11, 0, 0);
    a.add(from4(2), false, 3, 4, 1400);
    b.add(from4(1), false, 11, 0, 0);
    b.add(from4(1), false, 11, 0, 0);
    b.add(from4(3), false, 3, 3, 0);
    a.merge(b);
    const auto e = a.entries();
    ASSERT_EQ(e.size(), 3U);
    EXPECT_EQ(e[0].from, from4(1));
    EXPECT_EQ(e[0].count, 3U);
    EXPECT_EQ(e[1].count, 1U);
    EXPECT_EQ(e[2].count, 1U);
    EXPECT_EQ(a.overflow(), 0U);
    EXPECT_EQ(b.entries().size(), 2U);  // the source is unchanged

    // Merging into a full table: the counts of new keys go to overflow, with the other's.
    ErrorTable full;
    for (unsigned k = 0; k < ErrorTable::capacity; ++k) {
        pw::wire::Ipv6Addr from{};
        from.bytes[15] = static_cast<std::uint8_t>(k);
        full.add(from, true, 1, static_cast<std::uint8_t>(k >> 8), 0);
    }
    full.add(from4(200), false, 5, 0, 0);
    EXPECT_EQ(full.overflow(), 1U);
    full.merge(a);  // 3 keys, 5 errors, none held
    EXPECT_EQ(full.overflow(), 6U);
    ErrorTable sum;
    sum.merge(full);
    EXPECT_EQ(sum.overflow(), 6U);
    EXPECT_EQ(sum.entries().size(), ErrorTable::capacity);
}

TEST(Totals, PlusEquals) {
    Totals a{1, 2, 3, 4, 5, 6, 7, 8, 9};
    const Totals b{10, 20, 30, 40, 50, 60, 70, 80, 90};
    a += b;
    EXPECT_EQ(a.received, 11U);
    EXPECT_EQ(a.duplicates, 22U);
    EXPECT_EQ(a.reordered, 33U);
    EXPECT_EQ(a.corrupted, 44U);
    EXPECT_EQ(a.late, 55U);
    EXPECT_EQ(a.too_old, 66U);
    EXPECT_EQ(a.unmatched, 77U);
    EXPECT_EQ(a.errors, 88U);
    EXPECT_EQ(a.alive, 99U);
}

TEST(Accounting, TwoLcoresMerge) {
    // Two receiving lcores over one table (RSS: each target's answers on one of them).
    std::vector<TargetStats> table(4);
    Accounting a(table, 2, timeout), b(table, 2, timeout);
    a.on_stamped(echo(0, 0, 0), 0, 100);
    a.on_stamped(echo(0, 0, 0), 0, 100);
    b.on_stamped(echo(1, 0, 1), 0, 200);
    b.on_stamped(echo(1, 1, 2), 1, 2 * timeout);
    b.on_error(icmp_error(254, 11, 0), 1);
    Totals t = a.totals();
    t += b.totals();
    EXPECT_EQ(t.received, 3U);
    EXPECT_EQ(t.duplicates, 1U);
    EXPECT_EQ(t.late, 1U);
    EXPECT_EQ(t.errors, 1U);
    EXPECT_EQ(t.alive, 2U);
    EXPECT_EQ(table[0].rx + table[1].rx, t.received);
}

}  // namespace
