// pingwire-conform --plot FILE: the rate-limit curves as a PNG (cairo): returned vs offered
// rate, log-log, one colour per trigger and family, the measured steps as points joined by a
// line and the fitted token-bucket model over them as a dashed line, with a legend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/conform/bucket_fit.hh"

namespace pw::conform_app {

struct PlotSeries {
    std::string label;  // e.g. "time-exceeded v4, one source"
    std::vector<conform::RateStep> steps;
    std::optional<conform::BucketFit> fit;  // drawn when limited
};

// Writes the chart; the one-line error when the file cannot be written.
std::optional<std::string> write_plot(const std::string& file, const std::string& title,
                                      const std::vector<PlotSeries>& series);

}  // namespace pw::conform_app
