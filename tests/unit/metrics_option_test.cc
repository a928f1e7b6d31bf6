// --metrics [ADDR:]PORT (apps/skeleton/common_options.cc): the address the exposer binds, and
// the one-line mistakes, through the responder's real option parser.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/responder/options.hh"
#include "apps/skeleton/common_options.hh"

namespace {

using pw::app::parse_metrics_address;

std::string ok(const std::string& text) {
    auto r = parse_metrics_address(text);
    return r.index() == 0 ? std::get<0>(r) : "error: " + std::get<1>(r);
}

TEST(MetricsAddress, BarePortBindsLoopback) {
    EXPECT_EQ(ok("9464"), "127.0.0.1:9464");
    EXPECT_EQ(ok("1"), "127.0.0.1:1");
    EXPECT_EQ(ok("65535"), "127.0.0.1:65535");
}

TEST(MetricsAddress, AddressAndPort) {
    EXPECT_EQ(ok("0.0.0.0:9100"), "0.0.0.0:9100");
    EXPECT_EQ(ok("198.18.0.2:09100"), "198.18.0.2:9100");
    EXPECT_EQ(ok("[::1]:9464"), "[::1]:9464");
    EXPECT_EQ(ok("[2001:2::2]:80"), "[2001:2::2]:80");
}

TEST(MetricsAddress, Mistakes) {
    for (const char* bad : {"", "0", "65536", "70000", "123456", "x", "9464x", "-1", ":9464",
                            "foo:9464", "198.18.0.2:", "198.18.0.256:80", "::1:9464", "[::1:9464",
                            "[::1]", "[zz]:80", "198.18.0.2:80:80"}) {
        auto r = parse_metrics_address(bad);
        ASSERT_EQ(r.index(), 1U) << bad;
        EXPECT_NE(std::get<1>(r).find("'" + std::string(bad) + "'"), std::string::npos)
            << std::get<1>(r);
    }
}

pw::responder::Options parse(std::vector<std::string> words) {
    std::vector<std::string> all{"pingwire-responder"};
    all.insert(all.end(), words.begin(), words.end());
    std::vector<char*> argv;
    for (auto& w : all) argv.push_back(w.data());
    auto r = pw::responder::parse_options(argv);
    if (auto* e = std::get_if<pw::responder::Exit>(&r)) {
        ADD_FAILURE() << e->text;
        return {};
    }
    return std::get<pw::responder::Options>(r);
}

TEST(MetricsOption, OffByDefaultNormalisedWhenGiven) {
    EXPECT_EQ(parse({"--port", "0,addr=198.18.0.2/24"}).common.metrics, "");
    EXPECT_EQ(parse({"--port", "0,addr=198.18.0.2/24", "--metrics", "9464"}).common.metrics,
              "127.0.0.1:9464");
}

TEST(MetricsOption, MistakeIsExit2OneLine) {
    std::vector<std::string> all{"pingwire-responder", "--port", "0,addr=198.18.0.2/24",
                                 "--metrics", "70000"};
    std::vector<char*> argv;
    for (auto& w : all) argv.push_back(w.data());
    auto r = pw::responder::parse_options(argv);
    ASSERT_TRUE(std::holds_alternative<pw::responder::Exit>(r));
    const auto& e = std::get<pw::responder::Exit>(r);
    EXPECT_EQ(e.code, 2);
    EXPECT_NE(e.text.find("--metrics"), std::string::npos) << e.text;
    EXPECT_NE(e.text.find("1..65535"), std::string::npos) << e.text;
    EXPECT_EQ(e.text.find('\n'), e.text.size() - 1) << e.text;
}

}  // namespace
