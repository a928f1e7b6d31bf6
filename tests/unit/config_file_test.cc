// --config FILE: the TOML file as arguments with their lines, the command line over it, and
// mistakes pointed at FILE:LINE, through the responder's real option parser.
#include "apps/skeleton/config_file.hh"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "apps/responder/options.hh"

namespace {

using pw::app::ConfigFile;
using pw::app::Exit;
using pw::responder::Options;

std::string write_temp(const std::string& text) {
    char name[] = "/tmp/pw_config_test_XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    std::FILE* f = fdopen(fd, "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return name;
}

std::variant<Options, Exit> parse(const std::string& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"pingwire-responder", "--config", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return pw::app::parse_with_config<Options>(args, "pingwire-responder",
                                               &pw::responder::parse_options);
}

TEST(ConfigFile, KeysTablesAndArraysBecomeArgumentsInLineOrder) {
    const auto path = write_temp(
        "eal = [\"-l\", \"0,1\"]\n"  // 1
        "forward = true\n"           // 2
        "[[port]]\n"                 // 3
        "id = 0\n"                   // 4
        "addr = [\"198.18.1.1/24\", \"2001:2:0:1::1/64\"]\n"
        "[[route]]\n"  // 6
        "prefix = \"198.19.0.0/16\"\n"
        "via = \"198.18.1.2\"\n"
        "[ratelimit]\n"                   // 9
        "icmp_msgs_per_sec = 250\n"       // 10: underscores are dashes
        "deny = [\"198.19.9.0/24\"]\n");  // 11
    auto r = pw::app::read_config(path);
    ASSERT_TRUE(std::holds_alternative<ConfigFile>(r)) << std::get<std::string>(r);
    const auto& f = std::get<ConfigFile>(r);
    EXPECT_EQ(f.eal, (std::vector<std::string>{"-l", "0,1"}));
    ASSERT_EQ(f.args.size(), 5U);
    EXPECT_EQ(f.args[0].text, "--forward=true");
    EXPECT_EQ(f.args[0].line, 2);
    EXPECT_EQ(f.args[1].text, "--port=0,addr=198.18.1.1/24,addr=2001:2:0:1::1/64");
    EXPECT_EQ(f.args[2].text, "--route=198.19.0.0/16,via=198.18.1.2");
    EXPECT_EQ(f.args[3].text, "--icmp-msgs-per-sec=250");
    EXPECT_EQ(f.args[3].line, 10);
    EXPECT_EQ(f.args[4].text, "--deny=198.19.9.0/24");

    auto p = parse(path);
    ASSERT_TRUE(std::holds_alternative<Options>(p)) << std::get<Exit>(p).text;
    const auto& o = std::get<Options>(p);
    EXPECT_TRUE(o.forward);
    ASSERT_EQ(o.routes.size(), 1U);
    ASSERT_EQ(o.denies.size(), 1U);
    EXPECT_EQ(o.rate.global_per_sec, 250U);
    EXPECT_EQ(o.common.config_path, path);
    EXPECT_EQ(o.common.config_eal, f.eal);
    std::remove(path.c_str());
}

TEST(ConfigFile, CommandLineReplacesTheFilesOccurrences) {
    const auto path = write_temp(
        "icmp-msgs-per-sec = 250\nudp-open = \"53\"\n"
        "[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n");
    auto p = parse(path, {"--icmp-msgs-per-sec", "400"});
    ASSERT_TRUE(std::holds_alternative<Options>(p)) << std::get<Exit>(p).text;
    const auto& o = std::get<Options>(p);
    EXPECT_EQ(o.rate.global_per_sec, 400U);
    EXPECT_TRUE(o.policy.udp_open.test(53));  // the file's, not given on the command line
    // The command line as given (for a reload), --config removed.
    EXPECT_EQ(o.common.command_line,
              (std::vector<std::string>{"pingwire-responder", "--icmp-msgs-per-sec", "400"}));
    std::remove(path.c_str());
}

// Security insight's thresholds (issue 12) as an [insight] table, seconds as floats; the
// defaults where the file is silent; a mistake in the table names its line.
TEST(ConfigFile, InsightTable) {
    const auto path = write_temp(
        "[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n"
        "[insight]\nsweep-targets = 32\ninsight-window = 0.5\nflood-pps = 5000\n"
        "alert-hold = 3\n");
    auto p = parse(path);
    ASSERT_TRUE(std::holds_alternative<Options>(p)) << std::get<Exit>(p).text;
    const auto& t = std::get<Options>(p).insight.tracker;
    EXPECT_TRUE(t.enabled);
    EXPECT_EQ(t.sweep_targets, 32U);
    EXPECT_EQ(t.window_ns, 500'000'000U);
    EXPECT_EQ(t.flood_pps, 5000U);
    EXPECT_EQ(t.alert_hold_ns, 3'000'000'000U);
    EXPECT_EQ(t.tunnel_score, pw::insight::InsightConfig{}.tunnel_score);
    std::remove(path.c_str());

    const auto off = write_temp("no-insight = true\n[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n");
    auto q = parse(off);
    ASSERT_TRUE(std::holds_alternative<Options>(q)) << std::get<Exit>(q).text;
    EXPECT_FALSE(std::get<Options>(q).insight.tracker.enabled);
    std::remove(off.c_str());

    const auto bad = write_temp(
        "[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n[insight]\n"
        "tunnel-min-requests = 100\ninsight-inspect = 10\n");
    auto b = parse(bad);
    ASSERT_TRUE(std::holds_alternative<Exit>(b));
    EXPECT_EQ(std::get<Exit>(b).code, 2);
    EXPECT_NE(
        std::get<Exit>(b).text.find("--tunnel-min-requests 100 is more than --insight-inspect 10"),
        std::string::npos)
        << std::get<Exit>(b).text;
    std::remove(bad.c_str());
}

TEST(ConfigFile, VlanAndRespondTables) {
    const auto path = write_temp(
        "[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n"
        "[[vlan]]\n"  // 4
        "id = \"0.100\"\n"
        "addr = [\"198.18.100.2/24\", \"2001:2:100::2/64\"]\n"
        "[[respond]]\n"  // 7
        "prefix = \"198.18.77.0/24\"\n");
    auto r = pw::app::read_config(path);
    ASSERT_TRUE(std::holds_alternative<ConfigFile>(r)) << std::get<std::string>(r);
    const auto& f = std::get<ConfigFile>(r);
    ASSERT_EQ(f.args.size(), 3U);
    EXPECT_EQ(f.args[1].text, "--vlan=0.100,addr=198.18.100.2/24,addr=2001:2:100::2/64");
    EXPECT_EQ(f.args[1].line, 4);
    EXPECT_EQ(f.args[2].text, "--respond=198.18.77.0/24");
    auto p = parse(path);
    ASSERT_TRUE(std::holds_alternative<Options>(p)) << std::get<Exit>(p).text;
    const auto& o = std::get<Options>(p);
    ASSERT_EQ(o.common.ports.size(), 1U);
    EXPECT_EQ(o.common.ports[0].vlans.size(), 1U);
    EXPECT_EQ(o.common.ports[0].respond4.size(), 1U);
    std::remove(path.c_str());
}

struct Bad {
    const char* text;
    long line;
    const char* names;
};

TEST(ConfigFile, MistakesNameTheirLine) {
    const Bad cases[] = {
        {"[[port]]\nid = 0\naddr = [\"198.18.0.2/24\"\n", 3, ""},  // syntax
        {"[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n[ratelimit]\nicmp-ratelimt = 5\n", 5,
         "icmp-ratelimt"},
        {"icmp-ratelimit = 99999999\n[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n", 1,
         "icmp-ratelimit"},
        // A key after [[port]] is the port's (TOML): said so, with its line.
        {"[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\nforward = true\n", 4, "forward"},
        {"[[port]]\nid = 0\nadress = \"198.18.0.2/24\"\n", 3, "adress"},
        {"forward = true\n"
         "route = [\"198.19.0.0/16,via=198.18.0.1\",\n \"198.19.1.0/24,via=nowhere\"]\n"
         "[[port]]\nid = 0\naddr = \"198.18.0.2/24\"\n",
         3, "nowhere"},
        {"[[port]]\nmtu = 1400\n", 1, "id"},
    };
    for (const auto& c : cases) {
        const auto path = write_temp(c.text);
        auto p = parse(path);
        ASSERT_TRUE(std::holds_alternative<Exit>(p)) << c.text;
        const auto& e = std::get<Exit>(p);
        EXPECT_EQ(e.code, 2) << e.text;
        EXPECT_NE(e.text.find(path + ":" + std::to_string(c.line) + ":"), std::string::npos)
            << c.text << " -> " << e.text;
        EXPECT_NE(e.text.find(c.names), std::string::npos) << e.text;
        EXPECT_EQ(e.text.find('\n'), e.text.size() - 1) << "one line: " << e.text;
        std::remove(path.c_str());
    }
}

TEST(ConfigFile, MissingFileAndMissingValue) {
    auto p = parse("/nonexistent/pw.toml");
    ASSERT_TRUE(std::holds_alternative<Exit>(p));
    EXPECT_EQ(std::get<Exit>(p).code, 2);
    EXPECT_NE(std::get<Exit>(p).text.find("/nonexistent/pw.toml: cannot be read"),
              std::string::npos);
    std::vector<std::string> args{"pingwire-responder", "--config"};
    auto q = pw::app::parse_with_config<Options>(args, "pingwire-responder",
                                                 &pw::responder::parse_options);
    ASSERT_TRUE(std::holds_alternative<Exit>(q));
    EXPECT_EQ(std::get<Exit>(q).code, 2);
}

}  // namespace
