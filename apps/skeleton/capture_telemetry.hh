// Telemetry commands of in-app capture, for every program (rte_telemetry, read with
// dpdk-telemetry.py):
//   /pingwire/capture                    status: active, file, packets, bytes, lost, limits
//   /pingwire/capture/start,FILE[,COUNT] starts capturing into FILE (a new file: one that exists
//                                        is refused), COUNT packets at most (default: the
//                                        --capture-count given), as --capture-dir and
//                                        --capture-drops say
//   /pingwire/capture/stop               stops and closes the file
// The callbacks run on DPDK's telemetry thread: they never touch the writer. A start or stop
// is handed to the control lcore through CaptureRequests (a mutex-protected slot the control
// tick serves) and the callback waits for its answer (at most 2 s); the status is the copy
// the control lcore publishes every tick.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "apps/skeleton/capture_writer.hh"

namespace pw::app {

class CaptureRequests {
public:
    struct Request {
        bool start = false;  // false: stop
        std::string file;
        std::optional<std::uint64_t> count;
    };

    // Telemetry thread: posts r and waits for the control lcore's answer ("" when done, else
    // the error line).
    std::string post(const Request& r);
    CaptureStatus status() const;

    // Control lcore, every tick: runs the request waiting (starts use `defaults` for what the
    // request does not say) and publishes the writer's status.
    void serve(CaptureWriter& w, const CaptureSettings& defaults);

private:
    mutable std::mutex mutex_;
    std::condition_variable answered_;
    std::optional<Request> pending_;
    std::uint64_t posted_ = 0, served_ = 0;
    std::string answer_;
    CaptureStatus status_;
};

// The one request slot of the process (static: it outlives the telemetry thread's callbacks).
CaptureRequests& capture_requests();
// Registers the three commands (once per process) over capture_requests().
void register_capture_telemetry();

}  // namespace pw::app
