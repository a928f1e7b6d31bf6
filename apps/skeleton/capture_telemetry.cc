#include "apps/skeleton/capture_telemetry.hh"

#include <rte_telemetry.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace pw::app {

namespace {

std::atomic<CaptureRequests*> g_requests{nullptr};
std::atomic<bool> g_registered{false};

int answer(rte_tel_data* d, const std::string& error) {
    rte_tel_data_start_dict(d);
    if (error.empty()) {
        rte_tel_data_add_dict_string(d, "result", "ok");
    } else {
        rte_tel_data_add_dict_string(d, "result", "error");
        rte_tel_data_add_dict_string(d, "error", error.substr(0, 120).c_str());
    }
    return 0;
}

int cmd_status(const char*, const char*, rte_tel_data* d) {
    CaptureRequests* r = g_requests.load();
    if (r == nullptr) return -1;
    const CaptureStatus st = r->status();
    rte_tel_data_start_dict(d);
    rte_tel_data_add_dict_string(d, "state", st.active ? "capturing" : "stopped");
    rte_tel_data_add_dict_string(d, "file", st.file.substr(0, 120).c_str());
    rte_tel_data_add_dict_u64(d, "packets", st.packets);
    rte_tel_data_add_dict_u64(d, "bytes", st.bytes);
    rte_tel_data_add_dict_u64(d, "lost", st.lost);
    rte_tel_data_add_dict_u64(d, "max_packets", st.max_packets);
    rte_tel_data_add_dict_u64(d, "max_bytes", st.max_bytes);
    rte_tel_data_add_dict_string(d, "dirs", st.dirs.c_str());
    rte_tel_data_add_dict_string(d, "stopped", st.stopped.substr(0, 120).c_str());
    return 0;
}

int cmd_start(const char*, const char* params, rte_tel_data* d) {
    CaptureRequests* r = g_requests.load();
    if (r == nullptr) return -1;
    CaptureRequests::Request q;
    q.start = true;
    const std::string p = params != nullptr ? params : "";
    const auto comma = p.find(',');
    q.file = p.substr(0, comma);
    if (q.file.empty()) return answer(d, "usage: /pingwire/capture/start,FILE[,COUNT]");
    if (comma != std::string::npos) {
        const std::string c = p.substr(comma + 1);
        char* end = nullptr;
        const unsigned long long n = std::strtoull(c.c_str(), &end, 10);
        if (c.empty() || *end != '\0' || c[0] == '-')
            return answer(d, "COUNT must be a number of packets: " + c);
        q.count = n;
    }
    return answer(d, r->post(q));
}

int cmd_stop(const char*, const char*, rte_tel_data* d) {
    CaptureRequests* r = g_requests.load();
    if (r == nullptr) return -1;
    return answer(d, r->post(CaptureRequests::Request{}));
}

}  // namespace

std::string CaptureRequests::post(const Request& r) {
    std::unique_lock lock(mutex_);
    if (pending_) return "another capture request is in progress";
    pending_ = r;
    const std::uint64_t mine = ++posted_;
    if (!answered_.wait_for(lock, std::chrono::seconds(2), [&] { return served_ >= mine; })) {
        if (pending_) {  // never taken: withdrawn
            pending_.reset();
            served_ = mine;
        }
        return "the control lcore did not answer within 2 s";
    }
    return answer_;
}

CaptureStatus CaptureRequests::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void CaptureRequests::serve(CaptureWriter& w, const CaptureSettings& defaults) {
    std::optional<Request> r;
    {
        std::lock_guard lock(mutex_);
        r.swap(pending_);
    }
    std::string result;
    if (r) {
        if (r->start) {
            CaptureSettings s = defaults;
            s.file = r->file;
            if (r->count) s.max_packets = *r->count;
            s.overwrite = false;  // a telemetry client names a new file, never an existing one
            if (auto e = w.start(s)) result = *e;
        } else if (!w.status().active) {
            result = "no capture in progress";
        } else {
            w.stop("/pingwire/capture/stop");
        }
    }
    std::lock_guard lock(mutex_);
    status_ = w.status();
    if (r) {
        answer_ = result;
        ++served_;
        answered_.notify_all();
    }
}

CaptureRequests& capture_requests() {
    static CaptureRequests requests;  // outlives every telemetry callback
    return requests;
}

void register_capture_telemetry() {
    g_requests.store(&capture_requests());
    // Registered once: rte_telemetry refuses a name given twice.
    if (g_registered.exchange(true)) return;
    rte_telemetry_register_cmd("/pingwire/capture", cmd_status,
                               "In-app capture status. No parameters");
    rte_telemetry_register_cmd("/pingwire/capture/start", cmd_start,
                               "Starts in-app capture into a new pcapng file. Parameters: "
                               "FILE[,COUNT]");
    rte_telemetry_register_cmd("/pingwire/capture/stop", cmd_stop,
                               "Stops in-app capture and closes its file. No parameters");
}

}  // namespace pw::app
