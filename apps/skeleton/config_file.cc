#include "apps/skeleton/config_file.hh"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace pw::app {

namespace {

std::string where(const std::string& path, const toml::node& n) {
    return path + ":" + std::to_string(n.source().begin.line) + ": ";
}

struct Error {
    std::string text;
};

// A scalar as the command line would give it.
std::string scalar(const std::string& path, const std::string& key, const toml::node& v) {
    if (const auto* s = v.as_string()) return s->get();
    if (const auto* i = v.as_integer()) return std::to_string(i->get());
    if (const auto* f = v.as_floating_point()) {
        std::ostringstream os;
        os << f->get();
        return os.str();
    }
    if (const auto* b = v.as_boolean()) return b->get() ? "true" : "false";
    throw Error{where(path, v) + key + ": expected a string, number or boolean"};
}

std::string option_name(std::string key) {
    std::replace(key.begin(), key.end(), '_', '-');
    return "--" + key;
}

// A table form of a list option into the option's text: port, route, neigh.
std::string table_spec(const std::string& path, const std::string& key, const toml::table& t) {
    auto get = [&](const char* k) -> std::optional<std::string> {
        const toml::node* n = t.get(k);
        if (n == nullptr) return std::nullopt;
        return scalar(path, key + "." + k, *n);
    };
    auto list = [&](const char* k) {
        std::vector<std::string> out;
        const toml::node* n = t.get(k);
        if (n == nullptr) return out;
        if (const auto* a = n->as_array()) {
            for (const auto& e : *a) out.push_back(scalar(path, key + "." + k, e));
        } else {
            out.push_back(scalar(path, key + "." + k, *n));
        }
        return out;
    };
    auto known = [&](std::initializer_list<const char*> keys) {
        for (const auto& [k, v] : t) {
            const std::string name(k.str());
            if (std::none_of(keys.begin(), keys.end(), [&](const char* x) { return name == x; }))
                throw Error{where(path, v) + key + ": unknown key '" + name + "'"};
        }
    };
    std::string s;
    if (key == "port") {
        known({"id", "mac", "mtu", "addr"});
        const auto id = get("id");
        if (!id) throw Error{where(path, t) + "port: needs id = N"};
        s = *id;
        if (auto v = get("mac")) s += ",mac=" + *v;
        if (auto v = get("mtu")) s += ",mtu=" + *v;
        for (const auto& a : list("addr")) s += ",addr=" + a;
    } else if (key == "route") {
        known({"prefix", "via", "port", "reject", "blackhole"});
        const auto prefix = get("prefix");
        if (!prefix) throw Error{where(path, t) + "route: needs prefix = \"A/LEN\""};
        s = *prefix;
        if (auto v = get("via")) s += ",via=" + *v;
        if (auto v = get("port")) s += ",port=" + *v;
        if (get("reject").value_or("false") == "true") s += ",reject";
        if (get("blackhole").value_or("false") == "true") s += ",blackhole";
    } else if (key == "neigh") {
        known({"addr", "mac", "port"});
        const auto addr = get("addr");
        if (!addr) throw Error{where(path, t) + "neigh: needs addr = \"A\""};
        s = *addr;
        if (auto v = get("mac")) s += ",mac=" + *v;
        if (auto v = get("port")) s += ",port=" + *v;
    } else if (key == "vlan") {
        known({"id", "mtu", "addr"});
        const auto id = get("id");
        if (!id) throw Error{where(path, t) + "vlan: needs id = \"PORT.VID\""};
        s = *id;
        if (auto v = get("mtu")) s += ",mtu=" + *v;
        for (const auto& a : list("addr")) s += ",addr=" + a;
    } else if (key == "respond") {
        known({"prefix", "port"});
        const auto prefix = get("prefix");
        if (!prefix) throw Error{where(path, t) + "respond: needs prefix = \"A/LEN\""};
        s = *prefix;
        if (auto v = get("port")) s += ",port=" + *v;
    } else {
        throw Error{where(path, t) + key + ": a table is not a value here (tables group keys)"};
    }
    return s;
}

bool list_key(const std::string& key) {
    return key == "port" || key == "route" || key == "neigh" || key == "vlan" || key == "respond";
}

void add_value(ConfigFile& out, const std::string& key, const toml::node& v) {
    const std::string opt = option_name(key);
    auto push = [&](const std::string& value, const toml::node& at) {
        out.args.push_back({opt, opt + "=" + value, at.source().begin.line});
    };
    if (const auto* a = v.as_array()) {
        for (const auto& e : *a) {
            if (const auto* t = e.as_table(); t != nullptr && list_key(key))
                push(table_spec(out.path, key, *t), e);
            else
                push(scalar(out.path, key, e), e);
        }
        return;
    }
    if (const auto* t = v.as_table(); t != nullptr && list_key(key)) {
        push(table_spec(out.path, key, *t), v);
        return;
    }
    push(scalar(out.path, key, v), v);
}

// Tables that are not list options only group their keys: walked in order.
void walk(ConfigFile& out, const toml::table& t, bool top) {
    for (const auto& [k, v] : t) {
        const std::string key(k.str());
        if (top && key == "eal") {
            const auto* a = v.as_array();
            if (a == nullptr) throw Error{where(out.path, v) + "eal: expected an array of strings"};
            for (const auto& e : *a) out.eal.push_back(scalar(out.path, key, e));
            continue;
        }
        if (key == "config") throw Error{where(out.path, v) + "config: a file cannot include one"};
        if (const auto* sub = v.as_table(); sub != nullptr && !list_key(key)) {
            walk(out, *sub, false);
            continue;
        }
        add_value(out, key, v);
    }
}

}  // namespace

std::variant<ConfigFile, std::string> read_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) return path + ": cannot be read";
    std::stringstream text;
    text << in.rdbuf();
    ConfigFile out;
    out.path = path;
    try {
        const toml::table t = toml::parse(text.str(), path);
        walk(out, t, true);
    } catch (const toml::parse_error& e) {
        return path + ":" + std::to_string(e.source().begin.line) + ": " +
               std::string(e.description());
    } catch (const Error& e) {
        return e.text;
    }
    // The arguments in the order of their lines (toml++ keeps a table's keys sorted).
    std::stable_sort(
        out.args.begin(), out.args.end(),
        [](const ConfigFile::Arg& a, const ConfigFile::Arg& b) { return a.line < b.line; });
    return out;
}

namespace {

// The option an argument names ("--x=1" and "--x" -> "--x"); empty for a value.
std::string option_of(const std::string& arg) {
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return {};
    return arg.substr(0, arg.find('='));
}

}  // namespace

std::vector<std::string> merge_arguments(const ConfigFile& file,
                                         const std::vector<std::string>& command_line) {
    std::set<std::string> given;
    for (std::size_t i = 1; i < command_line.size(); ++i)
        if (auto o = option_of(command_line[i]); !o.empty()) given.insert(o);
    std::vector<std::string> out;
    out.push_back(command_line.empty() ? std::string("pingwire") : command_line[0]);
    for (const auto& a : file.args)
        if (given.count(a.option) == 0) out.push_back(a.text);
    out.insert(out.end(), command_line.begin() + (command_line.empty() ? 0 : 1),
               command_line.end());
    return out;
}

std::string locate_error(const ConfigFile& file, const std::vector<std::string>& command_line,
                         const std::string& error) {
    // "NAME: error: WHAT": the FILE:LINE goes before WHAT.
    const std::string marker = ": error: ";
    const auto at = error.find(marker);
    if (at == std::string::npos) return error;
    const std::string what = error.substr(at + marker.size());
    std::set<std::string> given;
    for (std::size_t i = 1; i < command_line.size(); ++i)
        if (auto o = option_of(command_line[i]); !o.empty()) given.insert(o);
    // The culprit is the option the message names first (a "did you mean" comes after it); of
    // several occurrences of that option, the one whose value the message quotes.
    auto token_at = [&](const std::string& opt) {
        for (std::size_t p = what.find(opt); p != std::string::npos; p = what.find(opt, p + 1)) {
            const std::size_t end = p + opt.size();
            if (end == what.size() || !(std::isalnum(static_cast<unsigned char>(what[end])) ||
                                        what[end] == '-' || what[end] == '_'))
                return p;
        }
        return std::string::npos;
    };
    const ConfigFile::Arg* best = nullptr;
    std::size_t best_at = std::string::npos;
    bool best_value = false;
    for (const auto& a : file.args) {
        if (given.count(a.option) != 0) continue;
        const std::size_t p = token_at(a.option);
        if (p == std::string::npos) continue;
        const std::string value = a.text.substr(a.option.size() + 1);
        const bool names_value = !value.empty() && what.find(value) != std::string::npos;
        if (best == nullptr || p < best_at || (p == best_at && names_value && !best_value)) {
            best = &a;
            best_at = p;
            best_value = names_value;
        }
    }
    if (best == nullptr) return error;
    return error.substr(0, at + marker.size()) + file.path + ":" + std::to_string(best->line) +
           ": " + what;
}

std::variant<std::optional<std::string>, std::string> find_config_option(
    const std::vector<std::string>& args, std::vector<std::string>& rest) {
    std::optional<std::string> path;
    rest.clear();
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (i > 0 && a == "--config") {
            if (i + 1 >= args.size()) return std::string("--config needs a FILE");
            path = args[++i];
        } else if (i > 0 && a.rfind("--config=", 0) == 0) {
            path = a.substr(9);
        } else {
            rest.push_back(a);
        }
    }
    return path;
}

}  // namespace pw::app
