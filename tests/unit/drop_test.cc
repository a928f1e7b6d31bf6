// The drop-reason and reply-event lists: every entry has a distinct name and a description.
#include "lib/wire/drop.hh"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

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
    static_assert(a.reply && a.kind == Reply::echo4_reply && a.len == 98 && a.drop == Drop::count_);
    constexpr auto d = Verdict::dropped(Drop::not_our_mac);
    static_assert(!d.reply && d.drop == Drop::not_our_mac && d.len == 0);
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < reply_count; ++i) {
        const auto n = reply_name(static_cast<Reply>(i));
        EXPECT_NE(n, "unknown");
        EXPECT_TRUE(names.insert(n).second) << n;
    }
}

}  // namespace
