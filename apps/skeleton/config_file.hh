// --config FILE: a TOML file that holds what the command line holds. Each key is a long option
// without its dashes (`icmp-ratelimit = 500`, underscores allowed), tables only group keys
// (`[ratelimit]`), arrays repeat an option, and the list options (port, route, neigh, vlan,
// respond) take tables:
//
//     eal = ["-l", "0,1", "--no-huge", "-m", "512", "--vdev", "net_af_packet0,iface=veth0"]
//     forward = true
//     [[port]]
//     id = 0
//     addr = ["198.18.0.2/24", "2001:2::2/64"]
//     [[route]]
//     prefix = "198.19.0.0/16"
//     via = "198.18.0.1"
//
// The file becomes a list of "--option=value" arguments, each with its line, parsed before
// the command line by the program's own parser: an option given on the command line replaces
// every occurrence of it in the file. A mistake in the file is reported as FILE:LINE.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "apps/skeleton/common_options.hh"

namespace pw::app {

struct ConfigFile {
    struct Arg {
        std::string option;  // "--icmp-ratelimit"
        std::string text;    // "--icmp-ratelimit=500"
        long line = 0;
    };
    std::string path;
    std::vector<Arg> args;
    std::vector<std::string>
        eal;  // `eal = [...]`: EAL options, used when the command line has none
};

// Reads and converts the file. The error is one line: "FILE:LINE: what is wrong" (or
// "FILE: ..." when it cannot be read).
std::variant<ConfigFile, std::string> read_config(const std::string& path);

// The program's arguments with the file's in front: argv0, the file's arguments (but those
// whose option the command line gives), then the command line's own (--config removed).
std::vector<std::string> merge_arguments(const ConfigFile& file,
                                         const std::vector<std::string>& command_line);

// An error line from parsing merged arguments, prefixed with the file's FILE:LINE when it names
// an option that came from the file (the line of the value named, when there are several).
std::string locate_error(const ConfigFile& file, const std::vector<std::string>& command_line,
                         const std::string& error);

// The --config path among args ("--config F" or "--config=F"); the other arguments in `rest`.
// An error when --config has no value.
std::variant<std::optional<std::string>, std::string> find_config_option(
    const std::vector<std::string>& args, std::vector<std::string>& rest);

// What a program's parse_options does, with --config: reads the file, parses the merged
// arguments with parse, and points a mistake at its line. The options remember the file and
// the command line (common.config_path, common.command_line) for a reload.
template <class Options>
std::variant<Options, Exit> parse_with_config(
    const std::vector<char*>& argv_in, const std::string& program,
    std::variant<Options, Exit> (*parse)(std::vector<char*>&)) {
    const std::vector<std::string> args(argv_in.begin(), argv_in.end());
    return parse_with_config<Options>(args, program, parse);
}

template <class Options>
std::variant<Options, Exit> parse_with_config(
    const std::vector<std::string>& args, const std::string& program,
    std::variant<Options, Exit> (*parse)(std::vector<char*>&)) {
    std::vector<std::string> command_line;
    auto found = find_config_option(args, command_line);
    if (auto* e = std::get_if<std::string>(&found))
        return Exit{program + ": error: " + *e + "\n", 2};
    const auto& path = std::get<std::optional<std::string>>(found);
    ConfigFile file;
    if (path) {
        auto r = read_config(*path);
        if (auto* e = std::get_if<std::string>(&r))
            return Exit{program + ": error: " + *e + "\n", 2};
        file = std::move(std::get<ConfigFile>(r));
    }
    std::vector<std::string> merged = path ? merge_arguments(file, command_line) : command_line;
    std::vector<char*> argv;
    for (auto& s : merged) argv.push_back(s.data());
    auto parsed = parse(argv);
    if (auto* ex = std::get_if<Exit>(&parsed)) {
        if (path && ex->code == 2) ex->text = locate_error(file, command_line, ex->text);
        return parsed;
    }
    auto& o = std::get<Options>(parsed);
    if (path) {
        o.common.config_path = *path;
        o.common.config_eal = file.eal;
    }
    o.common.command_line = command_line;
    return parsed;
}

}  // namespace pw::app
