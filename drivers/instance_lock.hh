// One primary process per EAL file prefix: the check made before the EAL starts.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pw::drivers {

// The EAL run directory of these EAL arguments: /var/run/dpdk/PREFIX as root, else
// $XDG_RUNTIME_DIR/dpdk/PREFIX or /tmp/dpdk/PREFIX (as EAL makes it); PREFIX from
// --file-prefix, "rte" by default.
std::string eal_runtime_dir(const std::vector<char*>& eal_args);

// When another primary process already runs with the same --file-prefix (it holds the lock
// on RUNDIR/config that rte_eal_init takes), the one line saying so; otherwise nothing. EAL's
// own message ("Cannot create lock on ... Is another primary process running?", then
// rte_eal_init failing with rte_errno 0) is left unsaid. Not checked with --no-shconf,
// --in-memory or a --proc-type other than primary, which take no such lock.
std::optional<std::string> other_primary(const std::vector<char*>& eal_args);

}  // namespace pw::drivers
