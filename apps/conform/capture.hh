// --pcap FILE: every frame pingwire-conform sends (stimuli, not the rate-limit streams) and
// every frame the runner receives, as pcapng (DPDK's rte_pcapng), written on the control
// lcore. Closed: every call is a no-op.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct rte_mbuf;
struct rte_mempool;
struct rte_pcapng;

namespace pw::conform_app {

class Capture {
public:
    Capture() = default;
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    ~Capture();

    // Needs the EAL. The error line on failure.
    std::optional<std::string> open(const std::string& path);
    // m->port names the port; out: sent by us. m stays the caller's.
    void write(const rte_mbuf* m, bool out) noexcept;
    std::uint64_t written() const noexcept { return written_; }
    std::uint64_t failed() const noexcept { return failed_; }

private:
    rte_mempool* pool_ = nullptr;
    rte_pcapng* file_ = nullptr;
    std::uint64_t written_ = 0;
    std::uint64_t failed_ = 0;
};

}  // namespace pw::conform_app
