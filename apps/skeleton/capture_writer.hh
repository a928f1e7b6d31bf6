// The control lcore's side of in-app capture (--capture FILE, /pingwire/capture/start): every
// control tick it drains what the workers' tap (lib/pipeline/capture_tap) copied into a pcapng
// file written with rte_pcapng, and stops at the packet or byte limit.
//
// The file holds one interface per DPDK port (rte_pcapng's own, "rx" and "tx" by the EPB
// direction flag) and, after them, one interface per configured port named "portN-drops"
// for what the program dropped there; each dropped frame carries its drop reason
// (wire::drop_name) as the packet's comment (opt_comment), e.g. "ip4_bad_checksum: ...".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/pipeline/capture_tap.hh"

struct rte_pcapng;

namespace pw::app {

struct CaptureSettings {
    std::string file;
    std::uint64_t max_packets = 0;  // 0: no limit
    std::uint64_t max_bytes = 0;    // 0: no limit
    std::uint32_t dirs = pipeline::CaptureTap::rx | pipeline::CaptureTap::tx;
    pipeline::DropMask drop_reasons = pipeline::DropMask::all();
    bool overwrite = true;  // false: refuse a file that exists (telemetry starts)
};

struct CaptureStatus {
    bool active = false;
    std::string file;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t lost = 0;
    std::uint64_t max_packets = 0;
    std::uint64_t max_bytes = 0;
    std::string dirs;     // "rx,tx,drop"
    std::string stopped;  // why the last capture ended ("" while active or never started)
};

class CaptureWriter {
public:
    // ports: the configured ports (one drops interface each); frame_max: the largest frame
    // copied whole; program: written in the file's section header.
    CaptureWriter(std::vector<std::uint16_t> ports, std::uint32_t frame_max, std::string program);
    CaptureWriter(const CaptureWriter&) = delete;
    CaptureWriter& operator=(const CaptureWriter&) = delete;
    ~CaptureWriter();

    pipeline::CaptureTap* tap() noexcept { return &tap_; }
    // Opens the file and turns the tap on (stopping a capture in progress first). Returns the
    // error line on failure.
    std::optional<std::string> start(const CaptureSettings& s);
    // Turns the tap off, writes what is on the ring and closes the file.
    void stop(const std::string& why);
    // Control lcore only (the telemetry thread goes through CaptureRequests).
    // Every control tick: what the ring holds into the file, within the limits.
    void poll() noexcept;
    CaptureStatus status() const;
    // "capture: N packets (B bytes) written to FILE, L lost[; stopped: WHY]\n", or "" when
    // nothing was ever captured.
    std::string summary_line() const;

private:
    void write_batch(rte_mbuf** ms, unsigned n) noexcept;
    int write_drop(rte_mbuf* m) noexcept;
    bool fits(std::uint32_t len) const noexcept;
    std::optional<std::string> write_drop_interfaces();

    pipeline::CaptureTap tap_;
    std::vector<std::uint16_t> ports_;
    std::vector<std::uint32_t> drop_iface_;  // by port id: the drops interface's index
    std::uint32_t frame_max_;
    std::string program_;
    rte_pcapng* file_ = nullptr;
    int fd_ = -1;
    CaptureSettings settings_;
    std::uint64_t packets_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t lost_at_start_ = 0;
    std::uint64_t lost_ = 0;  // of the last capture, once stopped
    bool ever_started_ = false;
    std::string stopped_;
    std::vector<std::uint8_t> block_;  // a drop's packet block being built
};

// "rx,tx,drop" from a mask of CaptureTap::Dir.
std::string capture_dirs_name(std::uint32_t dirs);

}  // namespace pw::app
