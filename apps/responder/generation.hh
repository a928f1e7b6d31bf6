// One configuration the responder's workers run on: the options, the interfaces with their
// addresses, the FIB, the RFC 8335 / RFC 5837 interface descriptions, the global ICMP bucket
// and the HostEnv pointing into them. A live reload (reload.hh) builds a new one beside the
// running one and swaps them whole; nothing in a generation changes while workers read it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/responder/options.hh"
#include "lib/icmp/host_context.hh"
#include "lib/icmp/rate_limit.hh"
#include "lib/pipeline/host_stage.hh"
#include "lib/route/fib.hh"
#include "lib/route/interfaces.hh"

namespace pw::app {
class Program;
}

namespace pw::responder {

// The start of build_generation's error when DPDK had no memory for the FIB (not the
// configuration's mistake).
inline constexpr const char* fib_memory_error = "FIB memory: ";

struct Generation {
    unsigned number = 0;  // 0 at start, then one more per applied reload
    Options opt;
    route::InterfaceTable ifaces;
    route::Fib fib;  // router mode
    std::vector<icmp::ProbeIface> probes;
    std::vector<icmp::InterfaceInfo> ext4, ext6;
    icmp::SharedBucket global_bucket;
    pipeline::HostEnv env;
};

// Builds generation `number` of opt over prog's running ports (and its neighbour service in
// router mode). utc_ms_at_start: the wall clock at the program clock's start. The error line
// of a configuration the ports or the FIB refuse.
std::variant<std::unique_ptr<Generation>, std::string> build_generation(
    const Options& opt, app::Program& prog, unsigned number, std::uint64_t utc_ms_at_start);

// What a reload cannot change while the ports run (their ids, MACs, MTUs, queues, the mode,
// the tables' sizes, reassembly, permanent neighbours): the first difference, named, or
// nothing when next can be applied to a program running cur.
std::optional<std::string> needs_restart(const Options& cur, const Options& next);

}  // namespace pw::responder
