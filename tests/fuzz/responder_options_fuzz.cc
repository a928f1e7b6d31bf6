// libFuzzer target: pingwire-responder's command line (apps/responder/options.cc, with the shared
// options of apps/skeleton/common_options.cc), under the contract in options_harness.hh.
#include "apps/responder/options.hh"
#include "tests/fuzz/options_harness.hh"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return pw_fuzz::fuzz_options<pw::responder::Options>(data, size, "pingwire-responder",
                                                         pw::responder::parse_options);
}
