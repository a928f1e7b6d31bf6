// libFuzzer target: the text parsers under every program's options: addresses (lib/wire/addr.hh)
// and the --port, --route, --deny, --neigh specs (lib/route/port_spec.hh, route_spec.hh). The
// first input byte picks the parser, the rest is the text. Asserts: no exception escapes; an
// error is one line; what parses prints back to text that parses to the same value (addresses,
// prefixes, routes: their canonical forms).
#include <string>
#include <string_view>
#include <variant>

#include "lib/route/port_spec.hh"
#include "lib/route/route_spec.hh"
#include "lib/wire/addr.hh"
#include "tests/fuzz/harness.hh"

using namespace pw;
using pw_fuzz::check;

namespace {

template <class A>
void address_round_trip(std::string_view text) {
    const auto a = A::parse(text);
    if (!a) return;
    const std::string s = a->to_string();
    const auto b = A::parse(s);
    check(b && *b == *a && b->to_string() == s);
}

// Whether an error is one line (but for the line breaks of the text it quotes).
bool one_line(const std::string& error, std::string_view text) {
    return !error.empty() &&
           (error.find('\n') == std::string::npos || text.find('\n') != std::string::npos);
}

// A parser's error says what is wrong in one line.
template <class V>
const V* parsed(const std::variant<V, std::string>& r, std::string_view text) {
    if (const auto* e = std::get_if<std::string>(&r)) {
        check(one_line(*e, text));
        return nullptr;
    }
    return &std::get<V>(r);
}

void prefix_round_trip(std::string_view text) {
    const auto r = route::parse_prefix(text);
    if (const auto* e = std::get_if<std::string>(&r)) {
        check(one_line(*e, text));
        return;
    }
    const route::Prefix p = std::holds_alternative<wire::Ipv4Prefix>(r)
                                ? route::Prefix{std::get<wire::Ipv4Prefix>(r)}
                                : route::Prefix{std::get<wire::Ipv6Prefix>(r)};
    if (const auto* p4 = std::get_if<wire::Ipv4Prefix>(&p)) {
        check(p4->len <= 32);
        check(route::network(*p4).len == p4->len && p4->contains(route::network(*p4).addr));
    } else {
        const auto& p6 = std::get<wire::Ipv6Prefix>(p);
        check(p6.len <= 128 && p6.contains(route::network(p6).addr));
    }
    // The network prints as the FIB holds it, and reads back as itself.
    const std::string s = route::to_string(p);
    const auto back = route::parse_prefix(s);
    check(!std::holds_alternative<std::string>(back) && back.index() == r.index());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        switch (data[0] % 8) {
            case 0:
                address_round_trip<wire::MacAddr>(text);
                break;
            case 1:
                address_round_trip<wire::Ipv4Addr>(text);
                break;
            case 2:
                address_round_trip<wire::Ipv6Addr>(text);
                break;
            case 3:
                prefix_round_trip(text);
                break;
            case 4: {
                const auto r = route::parse_port_spec(text);
                if (const auto* p = parsed(r, text))
                    check(p->v4.size() + p->v6.size() <= text.size());
                break;
            }
            case 5: {
                const auto r = route::parse_route_spec(text);
                if (const auto* spec = parsed(r, text)) {
                    // The canonical option value gives the same route back.
                    const std::string s = route::to_string(*spec);
                    const auto again = route::parse_route_spec(s);
                    const auto* b = parsed(again, s);
                    check(b != nullptr && route::to_string(*b) == s && b->action == spec->action &&
                          b->via.has_value() == spec->via.has_value() && b->port == spec->port);
                }
                break;
            }
            case 6:
                parsed(route::parse_deny_spec(text), text);
                break;
            case 7: {
                const auto r = route::parse_neigh_spec(text);
                if (const auto* n = parsed(r, text)) check(!n->mac.is_group());
                break;
            }
        }
    } catch (...) {
        std::abort();  // the parsers report mistakes as values, never by throwing
    }
    return 0;
}
