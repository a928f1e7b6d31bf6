// libFuzzer target: pingwire-flood's command line (apps/flood/options.cc, with the shared
// options of apps/skeleton/common_options.cc), under the contract in options_harness.hh.
#include "apps/flood/options.hh"
#include "tests/fuzz/options_harness.hh"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return pw_fuzz::fuzz_options<pw::flood::Options>(data, size, "pingwire-flood",
                                                     pw::flood::parse_options);
}
