// libFuzzer target: pingwire-conform's command line (apps/conform/options.cc, with the shared
// options of apps/skeleton/common_options.cc), under the contract in options_harness.hh.
#include "apps/conform/options.hh"
#include "tests/fuzz/options_harness.hh"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return pw_fuzz::fuzz_options<pw::conform_app::Options>(data, size, "pingwire-conform",
                                                           pw::conform_app::parse_options);
}
