// --capture-anomalies FILE: the answers worth a look (duplicates, corrupted, late, unmatched)
// reach the control lcore on a ring (the workers never touch a file) and are written as
// pcapng with DPDK's rte_pcapng.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct rte_ring;
struct rte_mempool;
struct rte_pcapng;

namespace pw::flood {

class AnomalyCapture {
public:
    AnomalyCapture() = default;
    AnomalyCapture(const AnomalyCapture&) = delete;
    AnomalyCapture& operator=(const AnomalyCapture&) = delete;
    ~AnomalyCapture();

    // Needs the EAL. The error line on failure.
    std::optional<std::string> open(const std::string& path);
    rte_ring* ring() const noexcept { return ring_; }
    // Control lcore: writes what the workers handed over.
    void drain() noexcept;
    std::uint64_t written() const noexcept { return written_; }
    std::uint64_t failed() const noexcept { return failed_; }

private:
    rte_ring* ring_ = nullptr;
    rte_mempool* pool_ = nullptr;
    rte_pcapng* file_ = nullptr;
    int fd_ = -1;
    std::uint64_t written_ = 0;
    std::uint64_t failed_ = 0;
};

}  // namespace pw::flood
