#include "apps/skeleton/cli_errors.hh"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iterator>

namespace pw::app {

namespace {

// The program's long option names ("--port", ...), noted by plain_help for misplaced_option.
std::vector<std::string>& noted_options() {
    static std::vector<std::string> names;
    return names;
}

std::vector<std::string> long_names(const CLI::App& app) {
    std::vector<std::string> out;
    for (const CLI::Option* o : app.get_options())
        for (const auto& n : o->get_lnames()) out.push_back("--" + n);
    return out;
}

// The option part of "--name=value".
std::string_view option_word(std::string_view arg) {
    const auto eq = arg.find('=');
    return eq == std::string_view::npos ? arg : arg.substr(0, eq);
}

// DPDK 22.11's EAL options (lib/eal/common/eal_common_options.c: eal_short_options and
// eal_long_options).
constexpr std::string_view eal_long[] = {
    "--base-virtaddr",
    "--create-uio-dev",
    "--file-prefix",
    "--help",
    "--huge-dir",
    "--huge-unlink",
    "--iova-mode",
    "--lcores",
    "--log-level",
    "--trace",
    "--trace-dir",
    "--trace-bufsz",
    "--trace-mode",
    "--main-lcore",
    "--master-lcore",
    "--mbuf-pool-ops-name",
    "--proc-type",
    "--no-hpet",
    "--no-huge",
    "--no-pci",
    "--no-shconf",
    "--in-memory",
    "--socket-mem",
    "--socket-limit",
    "--syslog",
    "--vdev",
    "--vfio-intr",
    "--vfio-vf-token",
    "--vmware-tsc-map",
    "--legacy-mem",
    "--single-file-segments",
    "--match-allocations",
    "--telemetry",
    "--no-telemetry",
    "--force-max-simd-bitwidth",
    "--huge-worker-stack",
    "--allow",
    "--block",
    "--pci-blacklist",
    "--pci-whitelist",
    "--version",
    "--service-corelist",
    "--service-coremask",
};
constexpr std::string_view eal_short = "abcdhlmnrsSv";

std::string dashes_hint(const std::string& program) {
    return "put -- between the EAL options and pingwire's (e.g. " + program +
           " -l 0,1 --no-huge --vdev ... -- --port 0,...)";
}

// The label CLI11 gives the value of an option not in the metavariable map, made neutral.
std::string neutral_metavar(const CLI::Option& o) {
    std::string t = o.get_type_name();
    t = t.substr(0, t.find(':'));
    if (t == "BOOLEAN") return "0|1";
    if (t == "UINT" || t == "INT" || t == "FLOAT" || t == "INT64" || t == "UINT64") return "N";
    return "VALUE";
}

// The metavariables of the options every program shares (common_options.cc).
const std::map<std::string, std::string>& common_metavars() {
    static const std::map<std::string, std::string> m = {
        {"--config", "FILE"},
        {"--port", "ID[,mac=MAC][,mtu=N][,addr=A/PLEN]..."},
        {"--stats-interval", "SECONDS"},
        {"--capture", "FILE"},
        {"--capture-count", "N"},
        {"--capture-bytes", "N"},
        {"--capture-dir", "rx,tx,drop"},
        {"--capture-drops", "all|REASON[,REASON...]"},
        {"--metrics", "[ADDR:]PORT"},
        {"--neigh", "ADDR,mac=MAC[,port=ID]"},
        {"--vlan", "PORT.VID[,mtu=N][,addr=A/PLEN]..."},
        {"--respond", "PREFIX[,port=ID|ID.VID]"},
    };
    return m;
}

bool is_flag(const CLI::Option& o) {
    return o.get_type_size() == 0 || o.get_expected_max() == 0;
}

// The words of text (its own line breaks dropped) in lines of at most width columns.
std::string wrap(const std::string& text, std::size_t width) {
    std::string out, line, word;
    const auto flush_word = [&] {
        if (word.empty()) return;
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
        word.clear();
    };
    for (const char c : text) {
        if (c == ' ' || c == '\n')
            flush_word();
        else
            word += c;
    }
    flush_word();
    return out + line;
}

class PlainFormatter : public CLI::Formatter {
public:
    explicit PlainFormatter(std::map<std::string, std::string> metavars)
        : metavars_(common_metavars()) {
        for (auto& [k, v] : metavars) metavars_[k] = v;
    }

    // Every option says its default: a flag is off, an option without one in its text has
    // none (help and version aside).
    std::string make_option_desc(const CLI::Option* o) const override {
        std::string d = o->get_description();
        const std::string name = o->get_lnames().empty() ? "" : o->get_lnames()[0];
        if (name != "help" && name != "version" && d.find("default") == std::string::npos &&
            d.find("required") == std::string::npos)
            d += is_flag(*o) ? " (default: off)" : " (default: none)";
        return wrap(d, column_width_ < 96 ? 100 - column_width_ : 40);
    }

    // The description holds the one usage line.
    std::string make_usage(const CLI::App*, std::string) const override { return ""; }

    std::string make_option_opts(const CLI::Option* o) const override {
        if (is_flag(*o)) return "";
        std::string name = o->get_lnames().empty() ? o->get_name() : "--" + o->get_lnames()[0];
        const auto it = metavars_.find(name);
        std::string s = " " + (it != metavars_.end() ? it->second : neutral_metavar(*o));
        if (o->get_expected_max() == CLI::detail::expected_max_vector_size && it == metavars_.end())
            s += " ...";
        return s;
    }

    std::string make_footer(const CLI::App* app) const override {
        std::string f = CLI::Formatter::make_footer(app);
        return f +
               "exit status: 0 after a run (or --help), 2 for a mistake in the options or in the\n"
               "configuration they describe, 1 for a failure at run time (EAL, a port).\n";
    }

private:
    std::map<std::string, std::string> metavars_;
};

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min(
                {prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0U : 1U)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::vector<std::string> closest_options(const std::string& word,
                                         const std::vector<std::string>& names) {
    const std::string w(option_word(word));
    const auto bare = [](std::string_view s) {
        while (!s.empty() && s.front() == '-') s.remove_prefix(1);
        return s;
    };
    const std::string_view wb = bare(w);
    if (wb.empty()) return {};
    const std::size_t allowed = std::max<std::size_t>(2, wb.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto& n : names) {
        const std::string_view nb = bare(n);
        std::size_t d = edit_distance(wb, nb);
        // A prefix or a part of a longer name ("--stats" for "--stats-interval") is close too.
        if (wb.size() >= 3 && nb.find(wb) != std::string_view::npos) d = std::min(d, allowed);
        if (d <= allowed) scored.emplace_back(d, n);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (const auto& [d, n] : scored) {
        if (std::find(out.begin(), out.end(), n) != out.end()) continue;
        if (!out.empty() && d > scored.front().first) break;  // only the closest
        out.push_back(n);
        if (out.size() == 3) break;
    }
    return out;
}

bool is_eal_option(std::string_view arg) {
    const std::string_view w = option_word(arg);
    if (w.size() >= 3 && w.substr(0, 2) == "--")
        return std::find(std::begin(eal_long), std::end(eal_long), w) != std::end(eal_long);
    // "-l", "-l0,1"
    return w.size() >= 2 && w[0] == '-' && w[1] != '-' &&
           eal_short.find(w[1]) != std::string_view::npos;
}

void plain_help(CLI::App& app, const std::map<std::string, std::string>& metavars) {
    const auto width = app.get_formatter()->get_column_width();
    auto f = std::make_shared<PlainFormatter>(metavars);
    f->column_width(width);
    app.formatter(f);
    noted_options() = long_names(app);
}

Exit parse_error(const std::string& program, const CLI::App& app, const CLI::ParseError& e) {
    const std::string head = program + ": error: ";
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
        const auto extras = app.remaining();
        // EAL options among the program's: "--" is missing (or in the wrong place).
        for (const auto& x : extras)
            if (is_eal_option(x))
                return Exit{head + std::string(option_word(x)) +
                                " is an EAL option: " + dashes_hint(program) + "\n",
                            2};
        for (const auto& x : extras) {
            if (x.size() < 2 || x[0] != '-') continue;
            const auto near = closest_options(x, long_names(app));
            std::string s = head + "unknown option " + std::string(option_word(x));
            if (!near.empty()) {
                s += " (did you mean " + near[0];
                for (std::size_t i = 1; i < near.size(); ++i)
                    s += (i + 1 == near.size() ? " or " : ", ") + near[i];
                s += "?)";
            }
            return Exit{s + " (see --help)\n", 2};
        }
        std::string words;
        for (const auto& x : extras) words += (words.empty() ? "" : " ") + x;
        return Exit{
            head + "unexpected argument " + words + " (options start with --; see --help)\n", 2};
    }
    return Exit{head + e.what() + " (see --help)\n", 2};
}

std::optional<std::string> misplaced_option(const std::string& program,
                                            const std::vector<char*>& eal_args) {
    for (std::size_t i = 1; i < eal_args.size(); ++i) {
        const std::string_view a = eal_args[i];
        if (a.size() < 3 || a.substr(0, 2) != "--" || is_eal_option(a)) continue;
        const std::string w(option_word(a));
        const auto& ours = noted_options();
        if (std::find(ours.begin(), ours.end(), w) != ours.end())
            return w + " is a pingwire option: " + dashes_hint(program);
    }
    return std::nullopt;
}

Exit with_eal_hint(const std::string& program, const std::vector<char*>& eal_args, Exit e) {
    if (e.code != 2) return e;
    if (auto m = misplaced_option(program, eal_args))
        return Exit{program + ": error: " + *m + "\n", 2};
    return e;
}

}  // namespace pw::app
