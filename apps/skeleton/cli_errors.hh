// What the three programs say about a command line they cannot take, and how their --help
// looks: an unknown option gets "did you mean --xyz?" (the closest option names by edit
// distance), an EAL option among the program's (a missing "--") or a program option among the
// EAL's (before "--") gets the hint to put "--" between them, and --help shows one usage line
// (the program's description holds it), a plain metavariable per option (SECONDS, N, 0|1) in
// place of CLI11's type names and validators ("UINT:INT in [32 - 16384]", "TEXT:{a,b}").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/skeleton/common_options.hh"

namespace CLI {
class App;
class ParseError;
}  // namespace CLI

namespace pw::app {

// Installs the plain help formatter on app: no "Usage:" line of CLI11's (the description gives
// the usage), each option shown with metavars[name] ("--stats-interval SECONDS") or, for an
// option not in the map, a neutral one from its type (N, 0|1, VALUE), and the exit statuses in
// the footer. Also notes the program's option names for misplaced_option (call once, after
// every option is added).
void plain_help(CLI::App& app, const std::map<std::string, std::string>& metavars = {});

// The one line (with its newline) for a parse error of program's options: CLI11's message,
// with "did you mean" for an unknown option and the "--" hint for an EAL option.
Exit parse_error(const std::string& program, const CLI::App& app, const CLI::ParseError& e);

// The closest long option names of app to word (edit distance at most 1/3 of the length, at
// least 2 allowed), best first; empty when none is close.
std::vector<std::string> closest_options(const std::string& word,
                                         const std::vector<std::string>& names);

// Whether arg (e.g. "--vdev", "-l", "--log-level=x") is an option of DPDK 22.11's EAL.
bool is_eal_option(std::string_view arg);

// The EAL arguments (before "--") checked before the EAL starts: an option of the program's
// (as noted by plain_help) given there is named with the hint to move it after "--". The
// error line (without "PROGRAM: error: ") or nullopt.
std::optional<std::string> misplaced_option(const std::string& program,
                                            const std::vector<char*>& eal_args);

// What a program's main prints when its options were refused (e.code 2): the misplaced-option
// hint instead when the EAL arguments hold one of the program's options (the parse then failed
// only because it was on the wrong side of "--"), else e as it is.
Exit with_eal_hint(const std::string& program, const std::vector<char*>& eal_args, Exit e);

// The Levenshtein distance of a and b.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace pw::app
