#include "apps/conform/plot.hh"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pw::conform_app {
namespace {

using conform::RateStep;

// One step of duration 1 s at offered_pps, returned_pps coming back.
RateStep step(double offered_pps, double returned_pps) {
    RateStep s;
    s.offered_pps = offered_pps;
    s.duration_ns = 1'000'000'000;
    s.sent = static_cast<std::uint64_t>(offered_pps);
    s.returned = static_cast<std::uint64_t>(returned_pps);
    return s;
}

// Two series that do not overlap: one unlimited but losing half, one limited to 1000/s after a
// burst of 50, with its fit.
std::vector<PlotSeries> two_series() {
    PlotSeries open{"echo v4, unlimited, lossy", {}, std::nullopt};
    PlotSeries limited{"time-exceeded v4, one source", {}, std::nullopt};
    for (double rate : {10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0, 100000.0}) {
        open.steps.push_back(step(rate, rate / 2));
        limited.steps.push_back(step(rate, std::min(rate, 50.0 + 1000.0)));
    }
    conform::BucketFit fit;
    fit.limited = true;
    fit.burst = {50, 40, 60};
    fit.rate_pps = {1000, 990, 1010};
    fit.knee_pps = 1050;
    limited.fit = fit;
    return {open, limited};
}

std::string temp_png(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("conform_plot_test_" + std::to_string(::getpid()) + "_" + name + ".png"))
        .string();
}

struct SurfaceFree {
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceFree>;

// Pixels within `tolerance` per channel of rgb (0xRRGGBB), in rows [y0, y1).
int count_pixels(cairo_surface_t* s, int y0, int y1, bool (*match)(std::uint32_t)) {
    const unsigned char* data = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    const int w = cairo_image_surface_get_width(s);
    int n = 0;
    for (int y = y0; y < y1; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
        for (int x = 0; x < w; ++x) n += match(row[x] & 0xffffffu) ? 1 : 0;
    }
    return n;
}

bool near(std::uint32_t px, std::uint32_t rgb) {
    for (int shift : {0, 8, 16}) {
        const int a = static_cast<int>((px >> shift) & 0xff);
        const int b = static_cast<int>((rgb >> shift) & 0xff);
        if (std::abs(a - b) > 3) return false;
    }
    return true;
}

bool not_white(std::uint32_t px) {
    return px != 0xffffffu;
}
bool dark(std::uint32_t px) {
    return ((px >> 16) & 0xff) < 80 && ((px >> 8) & 0xff) < 80 && (px & 0xff) < 80;
}
// The palette's first two colours (Tableau blue and orange).
bool series1_blue(std::uint32_t px) {
    return near(px, 0x1f77b4);
}
bool series2_orange(std::uint32_t px) {
    return near(px, 0xff7f0e);
}

// cairo's toy text keeps fontconfig's configuration and font caches for the process; released at
// the end so that LeakSanitizer (the ASan build) sees only leaks of ours.
struct ReleaseFontCaches : testing::Environment {
    void TearDown() override {
        cairo_debug_reset_static_data();
        FcFini();
    }
};
[[maybe_unused]] testing::Environment* const release_font_caches =
    testing::AddGlobalTestEnvironment(new ReleaseFontCaches);

TEST(ConformPlot, WritesTheChart) {
    const std::string file = temp_png("chart");
    ASSERT_EQ(write_plot(file, "rate limits of 192.0.2.1", two_series()), std::nullopt);

    Surface png(cairo_image_surface_create_from_png(file.c_str()));
    std::filesystem::remove(file);
    ASSERT_EQ(cairo_surface_status(png.get()), CAIRO_STATUS_SUCCESS);
    EXPECT_EQ(cairo_image_surface_get_width(png.get()), 1000);
    EXPECT_EQ(cairo_image_surface_get_height(png.get()), 650);
    cairo_surface_flush(png.get());

    const int h = cairo_image_surface_get_height(png.get());
    // Grid, frame, labels, two series: far from blank, but mostly white.
    const int ink = count_pixels(png.get(), 0, h, not_white);
    EXPECT_GT(ink, 10000);
    EXPECT_LT(ink, 1000 * 650 / 2);
    // The title, dark, in the band above the plot area.
    EXPECT_GT(count_pixels(png.get(), 0, 55, dark), 100);
    // Both series in their colours; the first also below the legend (its points and line).
    EXPECT_GT(count_pixels(png.get(), 0, h, series1_blue), 300);
    EXPECT_GT(count_pixels(png.get(), h / 2, h, series1_blue), 100);
    EXPECT_GT(count_pixels(png.get(), 0, h, series2_orange), 300);
}

TEST(ConformPlot, ZeroReturnsEmptySeriesAndUnlimitedFits) {
    PlotSeries silent{"dest-unreachable v6", {step(100, 0), step(1000, 0), step(5000, 0)}, {}};
    silent.fit = conform::BucketFit{};  // not limited: no model drawn
    PlotSeries empty{"nothing measured", {}, std::nullopt};
    RateStep zero_duration;
    zero_duration.offered_pps = 10;
    PlotSeries unstepped{"zero duration", {zero_duration}, std::nullopt};
    const std::string file = temp_png("zeros");
    EXPECT_EQ(write_plot(file, "", {silent, empty, unstepped}), std::nullopt);
    Surface png(cairo_image_surface_create_from_png(file.c_str()));
    std::filesystem::remove(file);
    ASSERT_EQ(cairo_surface_status(png.get()), CAIRO_STATUS_SUCCESS);
    EXPECT_GT(count_pixels(png.get(), 0, 650, series1_blue), 50);

    const std::string none = temp_png("none");
    EXPECT_EQ(write_plot(none, "no series", {}), std::nullopt);
    EXPECT_TRUE(std::filesystem::exists(none));
    std::filesystem::remove(none);
}

TEST(ConformPlot, ReportsAnUnwritableFile) {
    const std::string file = "/nonexistent-pingwire-dir/plot.png";
    const auto err = write_plot(file, "t", two_series());
    ASSERT_TRUE(err.has_value());
    EXPECT_NE(err->find(file), std::string::npos) << *err;
    EXPECT_NE(err->find("--plot"), std::string::npos) << *err;
    EXPECT_NE(err->find("cannot write"), std::string::npos) << *err;
    EXPECT_EQ(err->find('\n'), std::string::npos) << *err;
}

}  // namespace
}  // namespace pw::conform_app
