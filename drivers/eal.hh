// EAL start-up and shutdown.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pw::drivers {

// The command line of `PROGRAM [EAL options] -- [options]`, split at the first "--".
struct SplitArgs {
    std::vector<char*> eal;  // argv[0] and the EAL options
    std::vector<char*> app;  // argv[0] and the program's options
};
SplitArgs split_args(int argc, char** argv);

// Starts the EAL with the given arguments. Returns an error line on failure.
std::optional<std::string> eal_init(std::vector<char*>& eal_args);

// The worker lcores (all but the main lcore), in order.
std::vector<unsigned> worker_lcores();

void eal_cleanup();

}  // namespace pw::drivers
