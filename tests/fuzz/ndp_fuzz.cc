// libFuzzer target: the Neighbor Discovery options walk (lib/wire/ndp.hh, parse_options) over
// arbitrary bytes, against a second walk written from RFC 4861 4.6: the area is refused
// exactly when an option has length 0 or runs past it, and the link-layer addresses found are
// those of the last Source / Target Link-Layer Address options.
#include <optional>

#include "lib/wire/ndp.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ConstBytes in = pw_fuzz::input(data, size);
    const auto o = ndp::parse_options(in);

    bool valid = true;
    std::optional<MacAddr> sll, tll;
    for (std::size_t i = 0; i < size && valid;) {
        const std::size_t len = i + 1 < size ? std::size_t{data[i + 1]} * 8 : 0;
        if (len == 0 || i + len > size) {
            valid = false;
            break;
        }
        MacAddr m;
        for (std::size_t k = 0; k < 6; ++k) m.bytes[k] = data[i + 2 + k];
        if (data[i] == ndp::opt_source_lladdr) sll = m;
        if (data[i] == ndp::opt_target_lladdr) tll = m;
        i += len;
    }
    check(o.has_value() == valid);
    if (o) check(o->source_lladdr == sll && o->target_lladdr == tll);
    return 0;
}
