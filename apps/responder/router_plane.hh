// Router mode's control side for pingwire-responder: the FIB, the neighbour table, the rings
// between the workers and the main lcore, and the main lcore's Control.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "apps/responder/options.hh"
#include "lib/pipeline/control.hh"
#include "lib/pipeline/worker.hh"
#include "lib/route/fib.hh"
#include "lib/route/interfaces.hh"
#include "lib/route/neighbors.hh"

struct rte_mempool;
struct rte_ring;

namespace pw::responder {

class RouterPlane {
public:
    RouterPlane() = default;
    RouterPlane(const RouterPlane&) = delete;
    RouterPlane& operator=(const RouterPlane&) = delete;
    ~RouterPlane();

    // Builds the FIB (connected prefixes, --route, --deny), the neighbour table and the rings.
    // Returns one line on failure.
    std::optional<std::string> build(const Options& opt, const route::InterfaceTable& ifaces,
                                     rte_mempool* pool);
    // Gives the workers what router mode needs; worker 0 sends the control lcore's probes.
    void attach(pipeline::WorkerEnv& env, pipeline::WorkerConfig& worker0) const noexcept;
    void poll(std::uint64_t now_ns) noexcept { control_->poll(now_ns); }
    std::string report(std::uint64_t now_ns) const;

private:
    route::Fib fib_;
    route::NeighborTable neighbors_;
    rte_ring* events_ = nullptr;
    rte_ring* to_worker_ = nullptr;
    std::unique_ptr<pipeline::Control> control_;
};

}  // namespace pw::responder
