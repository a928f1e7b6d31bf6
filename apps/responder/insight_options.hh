// The responder's security-insight options (lib/insight): windows, thresholds, table size and
// how often alerts may be logged. Their config-file keys are the option names without dashes,
// grouped by convention under [insight].
#pragma once

#include <optional>
#include <string>

#include "lib/insight/config.hh"

namespace CLI {
class App;
}

namespace pw::responder {

struct InsightOptions {
    insight::InsightConfig tracker;
    unsigned alert_log_per_sec = 10;  // alert lines per second at most (then "N more suppressed")
};

// What the command line gives before it is checked.
struct InsightOptionTexts {
    bool off = false;
    double window_s = 2.0;
    double hold_s = 10.0;
    void add_to(CLI::App& app, InsightOptions& o);
    // The checked values into o; an error line, or nothing.
    std::optional<std::string> finish(InsightOptions& o) const;
};

}  // namespace pw::responder
