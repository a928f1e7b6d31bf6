// libFuzzer target: lib/conform's received-frame parser (Seen::parse, lib/conform/seen.hh)
// and its description over arbitrary frames. Asserts: no exception escapes; every offset and
// length it reports (the ICMP message, its body, the quote) lies within the frame; a quote is
// only found in an error.
#include <exception>

#include "lib/conform/seen.hh"
#include "tests/fuzz/harness.hh"

using namespace pw;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const conform::Seen s = conform::Seen::parse(1, 42, conform::Frame(data, data + size));
        check(s.bytes.size() == size && s.port == 1 && s.at_ns == 42);
        check(!s.icmp || s.ip);
        if (s.icmp) check(conform::l3_offset + s.l3.header_len + s.icmp_len <= size);
        const auto body = s.icmp_body();
        check(body.empty() || (body.data() >= s.bytes.data() &&
                               body.data() + body.size() <= s.bytes.data() + size));
        check(!s.quoted || s.is_error);
        if (s.quoted) check(s.quote_offset + s.quote_len <= size);
        check(!s.describe().empty());
    } catch (const std::exception&) {
        std::abort();
    }
    return 0;
}
