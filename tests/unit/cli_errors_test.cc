// What the programs say about a command line they cannot take (apps/skeleton/cli_errors.cc,
// config_check.cc), through the responder's real option parser: did-you-mean, the "--" hints,
// the configuration mistakes found before the EAL starts, and a --help without CLI11's type
// noise that gives every option's default.
#include "apps/skeleton/cli_errors.hh"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "apps/responder/options.hh"

namespace {

using pw::app::Exit;

Exit refused(std::vector<std::string> words) {
    words.insert(words.begin(), "pingwire-responder");
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    auto r = pw::responder::parse_options(argv);
    EXPECT_TRUE(std::holds_alternative<Exit>(r));
    return std::holds_alternative<Exit>(r) ? std::get<Exit>(r) : Exit{"(parsed)", -1};
}

const std::string port = "0,addr=198.18.0.2/24,addr=2001:2::2/64";

TEST(CliErrors, EditDistance) {
    EXPECT_EQ(pw::app::edit_distance("forward", "forward"), 0U);
    EXPECT_EQ(pw::app::edit_distance("forwrd", "forward"), 1U);
    EXPECT_EQ(pw::app::edit_distance("", "abc"), 3U);
    EXPECT_EQ(pw::app::edit_distance("kitten", "sitting"), 3U);
}

TEST(CliErrors, ClosestOptionsAreTheNearestOnly) {
    const std::vector<std::string> names{"--forward", "--port",    "--stats-interval",
                                         "--mbufs",   "--rx-desc", "--tx-desc"};
    EXPECT_EQ(pw::app::closest_options("--forwrd", names), std::vector<std::string>{"--forward"});
    EXPECT_EQ(pw::app::closest_options("--stats", names),
              std::vector<std::string>{"--stats-interval"});
    EXPECT_EQ(pw::app::closest_options("--xx-desc", names),
              (std::vector<std::string>{"--rx-desc", "--tx-desc"}));
    EXPECT_TRUE(pw::app::closest_options("--frobnicate", names).empty());
    EXPECT_EQ(pw::app::closest_options("--prot=0", names), std::vector<std::string>{"--port"});
}

TEST(CliErrors, EalOptionsAreKnown) {
    for (const char* a : {"-l", "-l0,1", "--vdev", "--vdev=net_null0", "--no-huge", "-m",
                          "--file-prefix", "--log-level", "-a", "--lcores"})
        EXPECT_TRUE(pw::app::is_eal_option(a)) << a;
    for (const char* a : {"--port", "--forward", "--stats-interval", "-x", "--vdevs"})
        EXPECT_FALSE(pw::app::is_eal_option(a)) << a;
}

TEST(CliErrors, UnknownOptionGetsDidYouMean) {
    const auto e = refused({"--port", port, "--forwrd"});
    EXPECT_EQ(e.code, 2);
    EXPECT_EQ(e.text,
              "pingwire-responder: error: unknown option --forwrd (did you mean "
              "--forward?) (see --help)\n");
    EXPECT_EQ(refused({"--port", port, "--frobnicate"}).text,
              "pingwire-responder: error: unknown option --frobnicate (see --help)\n");
}

TEST(CliErrors, EalOptionAmongTheProgramsGetsTheDashDashHint) {
    const auto e = refused({"-l", "0,1", "--vdev", "net_null0", "--port", port});
    EXPECT_EQ(e.code, 2);
    EXPECT_EQ(e.text,
              "pingwire-responder: error: -l is an EAL option: put -- between the EAL "
              "options and pingwire's (e.g. pingwire-responder -l 0,1 --no-huge --vdev "
              "... -- --port 0,...)\n");
}

TEST(CliErrors, ProgramOptionBeforeDashDashIsNamed) {
    refused({"--help"});  // plain_help notes the option names
    std::string a0 = "pingwire-responder", a1 = "-l", a2 = "0,1", a3 = "--stats-interval=1",
                a4 = "--vdev", a5 = "net_null0";
    std::vector<char*> eal{a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), a5.data()};
    const auto m = pw::app::misplaced_option("pingwire-responder", eal);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(*m,
              "--stats-interval is a pingwire option: put -- between the EAL options and "
              "pingwire's (e.g. pingwire-responder -l 0,1 --no-huge --vdev ... -- --port "
              "0,...)");
    std::vector<char*> fine{a0.data(), a1.data(), a2.data(), a4.data(), a5.data()};
    EXPECT_FALSE(pw::app::misplaced_option("pingwire-responder", fine).has_value());
}

TEST(ConfigCheck, MistakesExitTwoWithTheirLine) {
    const auto line = [](std::vector<std::string> w) { return refused(std::move(w)).text; };
    EXPECT_EQ(line({"--port", "0,addr=198.18.0.2/24", "--port", "1,addr=198.18.0.2/24"}),
              "pingwire-responder: error: address 198.18.0.2 is on port 0 and on port 1 (an "
              "address belongs to one port)\n");
    EXPECT_EQ(
        line({"--forward", "--port", "0,addr=198.18.0.2/24", "--port", "1,addr=198.18.0.3/24"}),
        "pingwire-responder: error: subnet 198.18.0.0/24 is connected on port 0 and on "
        "port 1 (a router has one link per subnet)\n");
    EXPECT_EQ(line({"--forward", "--port", port, "--route", "198.19.0.0/16,via=198.18.5.1"}),
              "pingwire-responder: error: --route 198.19.0.0/16,via=198.18.5.1: route "
              "198.19.0.0/16: gateway 198.18.5.1 is not on any connected subnet (no --port "
              "ID,addr= on its link)\n");
    EXPECT_EQ(line({"--forward", "--port", port, "--route", "198.19.0.0/16,via=198.18.0.255"}),
              "pingwire-responder: error: --route 198.19.0.0/16,via=198.18.0.255: route "
              "198.19.0.0/16: gateway 198.18.0.255 is the broadcast address of 198.18.0.0/24\n");
    EXPECT_EQ(line({"--forward", "--port", port, "--route", "2001:2:9::/48,reject", "--route",
                    "2001:2:9::/48,blackhole"}),
              "pingwire-responder: error: --route 2001:2:9::/48,blackhole: route 2001:2:9::/48: "
              "the prefix is already a reject route (a route is given once)\n");
    // The same subnet on two ports is fine for a host (no FIB), a second address on a subnet
    // too, and a gateway on port=ID's subnet.
    std::vector<std::string> ok{"pingwire-responder", "--port", "0,addr=198.18.0.2/24", "--port",
                                "1,addr=198.18.0.3/24,addr=198.18.1.3/24"};
    std::vector<char*> argv;
    for (auto& w : ok) argv.push_back(w.data());
    EXPECT_TRUE(std::holds_alternative<pw::responder::Options>(pw::responder::parse_options(argv)));
}

TEST(PlainHelp, OneUsageLineNoTypeNoiseEveryDefault) {
    const auto e = refused({"--help"});
    EXPECT_EQ(e.code, 0);
    const std::regex usage("(^|\n)\\s*[Uu]sage");
    EXPECT_EQ(std::distance(std::sregex_iterator(e.text.begin(), e.text.end(), usage),
                            std::sregex_iterator()),
              1);
    for (const char* noise : {"TEXT", "UINT", "FLOAT", "BOOLEAN", " in [", ":{"})
        EXPECT_EQ(e.text.find(noise), std::string::npos) << noise << "\n" << e.text;
    EXPECT_NE(e.text.find("--stats-interval SECONDS"), std::string::npos);
    EXPECT_NE(e.text.find("--icmp-ratelimit MS"), std::string::npos);
    EXPECT_NE(e.text.find("exit status: 0"), std::string::npos);
}

}  // namespace
