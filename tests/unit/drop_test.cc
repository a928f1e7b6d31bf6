// The drop-reason, reply-event and next-step lists: every entry has a distinct name (and a
// description); the Verdict is small.
#include "lib/wire/drop.hh"

#include <gtest/gtest.h>

#include <set>
#include <string_view>
#include <type_traits>

#include "lib/icmp/verdict.hh"

namespace {

using pw::wire::Drop;

TEST(Drop, NamesAreDistinctAndDescribed) {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < pw::wire::drop_count; ++i) {
        const auto d = static_cast<Drop>(i);
        const auto n = pw::wire::drop_name(d);
        EXPECT_NE(n, "unknown") << i;
        EXPECT_FALSE(pw::wire::drop_description(d).empty()) << n;
        EXPECT_TRUE(names.insert(n).second) << n;
    }
    EXPECT_EQ(pw::wire::drop_name(Drop::ip4_bad_ihl), "ip4_bad_ihl");
    EXPECT_EQ(pw::wire::drop_name(Drop::count_), "unknown");
}

TEST(Drop, CheckedCarriesValueOrReason) {
    constexpr pw::wire::Checked<int> ok(7);
    static_assert(ok.ok() && *ok == 7);
    constexpr pw::wire::Checked<int> bad(Drop::eth_truncated);
    static_assert(!bad && bad.reason() == Drop::eth_truncated);
}

TEST(Verdict, AnswerAndDrop) {
    using namespace pw::icmp;
    constexpr auto a = Verdict::answer(Reply::echo4_reply, 98);
    static_assert(a.next == Next::reply && a.kind == Reply::echo4_reply && a.len == 98 &&
                  a.drop == Drop::count_ && !a.owes_error() && !a.sighted);
    constexpr auto d = Verdict::dropped(Drop::not_our_mac);
    static_assert(d.next == Next::drop && d.drop == Drop::not_our_mac && d.len == 0 &&
                  !d.owes_error() && !d.sighted);
    constexpr auto e = Verdict::owing(Drop::udp_port_closed, ErrorOutcome::sent, 14);
    static_assert(e.next == Next::error && e.drop == Drop::udp_port_closed && e.error_to_send() &&
                  e.l3_from == 14 && e.len == 0);
    constexpr auto f = Verdict::forwarded(3, false, 14, pw::wire::v4_mapped({{198, 18, 1, 2}}),
                                          true, ErrorOutcome::count_);
    static_assert(f.next == Next::forward && f.egress_port == 3 && f.fragment_needed && !f.v6 &&
                  f.l3_from == 14 && f.drop == Drop::count_ && !f.owes_error() &&
                  pw::wire::v4_unmapped(f.next_hop) == pw::wire::Ipv4Addr{{198, 18, 1, 2}});
    // Returned per packet: a small result, not a bag of flags with an error plan inside.
    static_assert(sizeof(Verdict) <= 48);
    static_assert(std::is_trivially_copyable_v<Verdict>);
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < reply_count; ++i) {
        const auto n = reply_name(static_cast<Reply>(i));
        EXPECT_NE(n, "unknown");
        EXPECT_TRUE(names.insert(n).second) << n;
    }
    std::set<std::string_view> nexts;
    for (std::size_t i = 0; i < next_count; ++i) {
        const auto n = next_name(static_cast<Next>(i));
        EXPECT_NE(n, "unknown");
        EXPECT_NE(next_description(static_cast<Next>(i)), "unknown");
        EXPECT_TRUE(nexts.insert(n).second) << n;
    }
    EXPECT_EQ(next_name(Next::count_), "unknown");
}

TEST(Verdict, MappedAddresses) {
    using namespace pw::wire;
    constexpr Ipv4Addr a{{198, 18, 0, 9}};
    constexpr Ipv6Addr m = v4_mapped(a);
    static_assert(is_v4_mapped(m) && v4_unmapped(m) == a);
    static_assert(m.bytes[10] == 0xff && m.bytes[11] == 0xff && m.bytes[0] == 0);
    static_assert(!is_v4_mapped(Ipv6Addr::all_nodes()) && !is_v4_mapped(Ipv6Addr{}));
    Ipv6Addr almost = m;
    almost.bytes[9] = 1;  // ::1:ffff:... is not mapped
    EXPECT_FALSE(is_v4_mapped(almost));
}

TEST(Verdict, Upper6RoundTrip) {
    using namespace pw::icmp;
    pw::wire::ipv6::UpperLayer u;
    u.protocol = 58;
    u.offset = 48;
    u.nh_field = 40;
    u.fragment = true;
    u.frag_offset = 65528;
    u.more_fragments = true;
    u.frag_ident = 0xdeadbeef;
    const auto back = Upper6::of(u).upper();
    EXPECT_EQ(back.protocol, u.protocol);
    EXPECT_EQ(back.offset, u.offset);
    EXPECT_EQ(back.nh_field, u.nh_field);
    EXPECT_EQ(back.fragment, u.fragment);
    EXPECT_EQ(back.frag_offset, u.frag_offset);
    EXPECT_EQ(back.more_fragments, u.more_fragments);
    EXPECT_EQ(back.frag_ident, u.frag_ident);
}

}  // namespace
