#include "apps/conform/plot.hh"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <numbers>

namespace pw::conform_app {

namespace {

constexpr int width = 1000;
constexpr int height = 650;
// The plot area inside the image.
constexpr double left = 90;
constexpr double right = 30;
constexpr double top = 60;
constexpr double bottom = 70;

struct Rgb {
    double r, g, b;
};

// Tableau 10 without its grey (the diagonal is grey): distinguishable on white.
constexpr Rgb palette[] = {
    {31 / 255.0, 119 / 255.0, 180 / 255.0},   // blue
    {255 / 255.0, 127 / 255.0, 14 / 255.0},   // orange
    {44 / 255.0, 160 / 255.0, 44 / 255.0},    // green
    {214 / 255.0, 39 / 255.0, 40 / 255.0},    // red
    {148 / 255.0, 103 / 255.0, 189 / 255.0},  // purple
    {140 / 255.0, 86 / 255.0, 75 / 255.0},    // brown
    {227 / 255.0, 119 / 255.0, 194 / 255.0},  // pink
    {23 / 255.0, 190 / 255.0, 207 / 255.0},   // cyan
};
constexpr std::size_t palette_size = sizeof palette / sizeof palette[0];

struct SurfaceFree {
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct ContextFree {
    void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};

// Decade exponents [lo, hi] of an axis, and the mapping of a value onto it.
struct Axis {
    int lo = 0;
    int hi = 1;
    double from = 0;  // pixel of 10^lo
    double to = 1;    // pixel of 10^hi
    double floor_value() const { return std::pow(10.0, lo); }
    // v > 0; below the axis when v < 10^lo.
    double map_free(double v) const {
        return from + (std::log10(v) - lo) / (hi - lo) * (to - from);
    }
    // At the axis' lower edge when v < 10^lo (zero returned).
    double map(double v) const { return map_free(std::max(v, floor_value())); }
};

// The decades enclosing [min, max] (both > 0), at least [min_lo, min_hi] and one decade wide.
Axis decades(double min, double max, int min_lo, int min_hi) {
    Axis a;
    a.lo = min_lo;
    a.hi = min_hi;
    if (min > 0 && std::isfinite(min))
        a.lo = std::min(a.lo, static_cast<int>(std::floor(std::log10(min))));
    if (max > 0 && std::isfinite(max))
        a.hi = std::max(a.hi, static_cast<int>(std::ceil(std::log10(max))));
    if (a.hi <= a.lo) a.hi = a.lo + 1;
    return a;
}

std::string decade_label(int e) {
    if (e < 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.*f", -e, std::pow(10.0, e));
        return buf;
    }
    static const char* const suffix[] = {"", "k", "M", "G", "T", "P"};
    const int group = std::min(e / 3, 5);
    std::string s = "1";
    s.append(static_cast<std::size_t>(e - 3 * group), '0');
    return s + suffix[group];
}

void set_colour(cairo_t* cr, const Rgb& c) {
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

double text_width(cairo_t* cr, const std::string& s) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    return e.x_advance;
}

// Text placed relative to (x, y): ax of its advance left of x (0 left-aligned, 0.5 centred,
// 1 right-aligned), ay of its ink height above y (0: ink top at y, 0.5: middle, 1: bottom).
void text_at(cairo_t* cr, const std::string& s, double x, double y, double ax, double ay) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s.c_str(), &e);
    cairo_move_to(cr, x - ax * e.x_advance, y - e.y_bearing - ay * e.height);
    cairo_show_text(cr, s.c_str());
}

double median_duration(const std::vector<conform::RateStep>& steps) {
    std::vector<std::uint64_t> d;
    for (const conform::RateStep& s : steps)
        if (s.duration_ns > 0) d.push_back(s.duration_ns);
    if (d.empty()) return 1e9;
    std::sort(d.begin(), d.end());
    const std::size_t n = d.size();
    return n % 2 == 1 ? static_cast<double>(d[n / 2])
                      : (static_cast<double>(d[n / 2 - 1]) + static_cast<double>(d[n / 2])) / 2;
}

std::string legend_label(const PlotSeries& s) {
    std::string label = s.label;
    if (s.fit && s.fit->limited) {
        char buf[96];
        std::snprintf(buf, sizeof buf, " (fit: %.0f/s, burst %.0f)", s.fit->rate_pps.value,
                      s.fit->burst.value);
        label += buf;
    }
    return label;
}

void draw(cairo_t* cr, const std::string& title, const std::vector<PlotSeries>& series) {
    const double x0 = left, x1 = width - right, y0 = height - bottom, y1 = top;

    // Ranges from the data.
    double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
    for (const PlotSeries& s : series)
        for (const conform::RateStep& st : s.steps) {
            if (!(st.offered_pps > 0) || !std::isfinite(st.offered_pps)) continue;
            xmin = std::min(xmin, st.offered_pps);
            xmax = std::max(xmax, st.offered_pps);
            const double r = st.returned_pps();
            if (r > 0 && std::isfinite(r)) {
                ymin = std::min(ymin, r);
                ymax = std::max(ymax, r);
            }
        }
    Axis xa = decades(xmin, xmax, 0, 5);
    // y: at least one decade; with nothing returned at all, 1..10.
    const int ylo = ymax > 0 ? static_cast<int>(std::floor(std::log10(ymin))) : 0;
    Axis ya = decades(ymin, ymax, ylo, ylo + 1);
    xa.from = x0;
    xa.to = x1;
    ya.from = y0;
    ya.to = y1;

    // Background and title.
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 18);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_at(cr, title, width / 2.0, 20, 0.5, 0);

    // Grid: faint at 2..9 of each decade, light at the decades.
    cairo_set_line_width(cr, 1);
    for (int pass = 0; pass < 2; ++pass) {
        const double grey = pass == 0 ? 0.95 : 0.85;
        cairo_set_source_rgb(cr, grey, grey, grey);
        for (const Axis* a : {&xa, &ya}) {
            for (int e = a->lo; e <= a->hi; ++e)
                for (int m = 1; m <= 9; ++m) {
                    if ((m == 1) != (pass == 1) || (e == a->hi && m > 1)) continue;
                    const double p = std::round(a->map(m * std::pow(10.0, e))) + 0.5;
                    if (a == &xa) {
                        cairo_move_to(cr, p, y0);
                        cairo_line_to(cr, p, y1);
                    } else {
                        cairo_move_to(cr, x0, p);
                        cairo_line_to(cr, x1, p);
                    }
                }
        }
        cairo_stroke(cr);
    }

    // Frame, ticks and their labels.
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_rectangle(cr, x0 + 0.5, y1 + 0.5, x1 - x0 - 1, y0 - y1 - 1);
    cairo_stroke(cr);
    cairo_select_font_face(cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    for (int e = xa.lo; e <= xa.hi; ++e) {
        const double p = std::round(xa.map(std::pow(10.0, e))) + 0.5;
        cairo_move_to(cr, p, y0);
        cairo_line_to(cr, p, y0 + 5);
        cairo_stroke(cr);
        text_at(cr, decade_label(e), p, y0 + 9, 0.5, 0);
    }
    for (int e = ya.lo; e <= ya.hi; ++e) {
        const double p = std::round(ya.map(std::pow(10.0, e))) + 0.5;
        cairo_move_to(cr, x0 - 5, p);
        cairo_line_to(cr, x0, p);
        cairo_stroke(cr);
        text_at(cr, decade_label(e), x0 - 9, p, 1, 0.5);
    }

    // Axis labels.
    cairo_set_font_size(cr, 14);
    text_at(cr, "offered triggers (pps)", (x0 + x1) / 2, height - 30, 0.5, 0);
    cairo_save(cr);
    cairo_translate(cr, 25, (y0 + y1) / 2);
    cairo_rotate(cr, -std::numbers::pi / 2);
    text_at(cr, "ICMP errors returned (pps)", 0, 0, 0.5, 0.5);
    cairo_restore(cr);

    // Everything plotted stays inside the frame.
    cairo_save(cr);
    cairo_rectangle(cr, x0, y1, x1 - x0, y0 - y1);
    cairo_clip(cr);

    // The diagonal y = x: what an unlimited target returns.
    const double dlo = std::max(xa.lo, ya.lo), dhi = std::min(xa.hi, ya.hi);
    if (dlo < dhi) {
        const double a = std::pow(10.0, dlo), b = std::pow(10.0, dhi);
        const double dots[] = {1, 3};
        cairo_set_dash(cr, dots, 2, 0);
        cairo_set_line_width(cr, 1);
        cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
        cairo_move_to(cr, xa.map(a), ya.map(a));
        cairo_line_to(cr, xa.map(b), ya.map(b));
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        // The label along the line, near its upper end.
        const double t = std::pow(10.0, dlo + 0.85 * (dhi - dlo));
        const double angle = std::atan2(ya.map(b) - ya.map(a), xa.map(b) - xa.map(a));
        cairo_save(cr);
        cairo_translate(cr, xa.map(t), ya.map(t));
        cairo_rotate(cr, angle);
        cairo_set_font_size(cr, 12);
        text_at(cr, "no limit", 0, -4, 0.5, 1);
        cairo_restore(cr);
    }

    // The series.
    for (std::size_t i = 0; i < series.size(); ++i) {
        const PlotSeries& s = series[i];
        const Rgb& c = palette[i % palette_size];
        std::vector<std::pair<double, double>> pts;
        for (const conform::RateStep& st : s.steps) {
            if (!(st.offered_pps > 0) || !std::isfinite(st.offered_pps)) continue;
            const double r = st.returned_pps();
            pts.emplace_back(st.offered_pps, std::isfinite(r) ? r : 0.0);
        }
        std::sort(pts.begin(), pts.end());
        set_colour(cr, c);
        if (s.fit && s.fit->limited) {
            const double duration = median_duration(s.steps);
            const auto ns = static_cast<std::uint64_t>(duration);
            const double dashes[] = {8, 5};
            cairo_set_dash(cr, dashes, 2, 0);
            cairo_set_line_width(cr, 1.5);
            constexpr int n = 400;
            bool drawing = false;
            for (int k = 0; k <= n; ++k) {
                const double x = std::pow(10.0, xa.lo + (xa.hi - xa.lo) * (k / double{n}));
                const double y = conform::model_returned_pps(*s.fit, x, ns);
                if (!std::isfinite(y) || !(y > 0)) {
                    drawing = false;
                    continue;
                }
                // Below the axis the clip cuts the model off (only measured zeros sit on it).
                if (drawing)
                    cairo_line_to(cr, xa.map(x), ya.map_free(y));
                else
                    cairo_move_to(cr, xa.map(x), ya.map_free(y));
                drawing = true;
            }
            cairo_stroke(cr);
            cairo_set_dash(cr, nullptr, 0, 0);
        }
        cairo_set_line_width(cr, 2);
        for (std::size_t k = 0; k < pts.size(); ++k) {
            const double px = xa.map(pts[k].first), py = ya.map(pts[k].second);
            if (k == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
        cairo_stroke(cr);
        for (const auto& [x, y] : pts) {
            cairo_new_sub_path(cr);
            cairo_arc(cr, xa.map(x), ya.map(y), 4, 0, 2 * std::numbers::pi);
        }
        cairo_fill(cr);
    }
    cairo_restore(cr);

    // The legend, top left inside the frame.
    if (!series.empty()) {
        cairo_select_font_face(cr, "sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 12);
        constexpr double pad = 8, row = 18, sample = 28;
        std::vector<std::string> labels;
        double w = 0;
        for (const PlotSeries& s : series) {
            labels.push_back(legend_label(s));
            w = std::max(w, text_width(cr, labels.back()));
        }
        const double bw = std::min(pad + sample + 6 + w + pad, x1 - x0 - 20);
        const double bh = pad * 2 + row * static_cast<double>(series.size()) - (row - 12);
        const double bx = x0 + 10, by = y1 + 10;
        cairo_rectangle(cr, bx + 0.5, by + 0.5, bw, bh);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        for (std::size_t i = 0; i < series.size(); ++i) {
            const double cy = by + pad + 6 + row * static_cast<double>(i);
            set_colour(cr, palette[i % palette_size]);
            cairo_set_line_width(cr, 2);
            cairo_move_to(cr, bx + pad, cy);
            cairo_line_to(cr, bx + pad + sample, cy);
            cairo_stroke(cr);
            cairo_arc(cr, bx + pad + sample / 2, cy, 4, 0, 2 * std::numbers::pi);
            cairo_fill(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            text_at(cr, labels[i], bx + pad + sample + 6, cy, 0, 0.5);
        }
    }
}

}  // namespace

std::optional<std::string> write_plot(const std::string& file, const std::string& title,
                                      const std::vector<PlotSeries>& series) {
    try {
        std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
            cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
        std::unique_ptr<cairo_t, ContextFree> cr(cairo_create(surface.get()));
        cairo_status_t st = cairo_status(cr.get());
        if (st == CAIRO_STATUS_SUCCESS) {
            draw(cr.get(), title, series);
            cairo_surface_flush(surface.get());
            st = cairo_status(cr.get());
        }
        if (st != CAIRO_STATUS_SUCCESS)
            return "--plot " + file + ": cannot draw: " + cairo_status_to_string(st);
        st = cairo_surface_write_to_png(surface.get(), file.c_str());
        if (st != CAIRO_STATUS_SUCCESS)
            return "--plot " + file + ": cannot write: " + cairo_status_to_string(st);
        return std::nullopt;
    } catch (const std::bad_alloc&) {
        return "--plot " + file + ": out of memory";
    } catch (...) {
        return "--plot " + file + ": cannot draw";
    }
}

}  // namespace pw::conform_app
