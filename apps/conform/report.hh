// pingwire-conform's report: the table of checks (ID, RFC, verdict, one line of evidence),
// the summary line, the rate-limit models as a table; and the same as JSON (--json), in the
// shape the issue fixes so other tools can read it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/conform/runner.hh"

namespace pw::conform_app {

struct Report {
    const Options* opt = nullptr;
    const conform::Setup* setup = nullptr;
    const Runner* runner = nullptr;
    bool interrupted = false;
};

std::string format_checks(const Report& r);
// "conform: 61 pass, 2 fail, 4 not-applicable, 0 inconclusive"
std::string summary_line(const Report& r);
std::string format_ratelimit(const Report& r);
std::optional<std::string> write_json(const Report& r, const std::string& path);

}  // namespace pw::conform_app
