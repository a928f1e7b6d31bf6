// The harness of the option-parser targets: the input split on NUL bytes into the words after
// the program name, given to the program's parse_options (apps/*/options.hh). Its contract:
// it throws nothing; it returns options to run with, or an Exit with code 0 (--help,
// --version: text for stdout) or code 2 (a mistake: one line "PROGRAM: error: ...", for
// stderr, DESIGN "exit non-zero with one clear line on bad options").
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "apps/skeleton/common_options.hh"
#include "tests/fuzz/harness.hh"

namespace pw_fuzz {

// At most this many words: more only repeats what a shorter input reaches.
inline constexpr std::size_t max_words = 64;

template <class Options, class Parse>
int fuzz_options(const std::uint8_t* data, std::size_t size, std::string_view program,
                 Parse parse) {
    std::vector<std::string> words{std::string(program)};
    words.emplace_back();
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] != 0) {
            words.back().push_back(static_cast<char>(data[i]));
        } else if (words.size() < max_words) {
            words.emplace_back();
        } else {
            break;
        }
    }
    if (size == 0) words.pop_back();
    std::vector<char*> args;
    for (auto& w : words) args.push_back(w.data());
    std::variant<Options, pw::app::Exit> r;
    try {
        r = parse(args);
    } catch (...) {
        std::abort();
    }
    if (const auto* e = std::get_if<pw::app::Exit>(&r)) {
        if (std::getenv("PW_FUZZ_PRINT") != nullptr) {  // to read what an input does
            for (const auto& w : words) std::fprintf(stderr, "[%s] ", w.c_str());
            std::fprintf(stderr, "\n-> %d: %s", e->code, e->text.c_str());
        }
        check(e->code == 0 || e->code == 2);
        check(!e->text.empty() && e->text.back() == '\n');
        if (e->code == 2) {
            const std::string head = std::string(program) + ": error: ";
            check(e->text.compare(0, head.size(), head) == 0);
            // One line, but for the line breaks of the words it quotes.
            bool quotes_breaks = false;
            for (const auto& w : words) quotes_breaks = quotes_breaks || w.find('\n') != w.npos;
            check(quotes_breaks || e->text.find('\n') == e->text.size() - 1);
        }
    } else {
        check(!std::get<Options>(r).common.ports.empty());
    }
    return 0;
}

}  // namespace pw_fuzz
