// Alert names and words, and the single-producer single-consumer alert queue.
#include "lib/insight/alert.hh"

#include <cstdio>

#include "lib/insight/payload_shape.hh"

namespace pw::insight {

std::string_view alert_kind_name(AlertKind k) noexcept {
    switch (k) {
        case AlertKind::sweep:
            return "sweep";
        case AlertKind::tunnel:
            return "tunnel";
        case AlertKind::flood:
            return "flood";
        case AlertKind::error_flood:
            return "error_flood";
        case AlertKind::global_flood:
            return "global_flood";
        case AlertKind::global_error_flood:
            return "global_error_flood";
        case AlertKind::count_:
            break;
    }
    return "unknown";
}

std::string source_text(const Alert& a) {
    if (a.global) return "all sources";
    if (!a.v6 && wire::is_v4_mapped(a.source)) return wire::v4_unmapped(a.source).to_string();
    return a.source.to_string();
}

namespace {

double seconds(std::uint64_t ns) {
    return static_cast<double>(ns) / 1e9;
}

unsigned long long ull(std::uint64_t v) {
    return static_cast<unsigned long long>(v);
}

// ", TTL 63 (initial 64, 1 hop)" when the TTL is known.
std::string ttl_text(const Alert& a) {
    if (a.ttl == 0) return {};
    char buf[64];
    const unsigned hops = a.initial_ttl >= a.ttl ? unsigned{a.initial_ttl} - a.ttl : 0;
    std::snprintf(buf, sizeof buf, ", TTL %u (initial %u, %u hop%s)", unsigned{a.ttl},
                  unsigned{a.initial_ttl}, hops, hops == 1 ? "" : "s");
    return buf;
}

// A flood mostly of TCP segments without ACK (hping3 --flood, a SYN flood).
bool tcp_dominates(const Alert& a) {
    return std::uint64_t{a.tcp} * 2 > a.requests;
}

}  // namespace

std::string format_alert(const Alert& a) {
    char buf[256];
    const std::string src = source_text(a);
    switch (a.kind) {
        case AlertKind::sweep:
            std::snprintf(buf, sizeof buf,
                          "ping sweep from %s: %llu targets in %.1f s (threshold %llu)",
                          src.c_str(), ull(a.value), seconds(a.window_ns), ull(a.threshold));
            return buf + ttl_text(a);
        case AlertKind::tunnel: {
            char sizes[16];
            if (a.sizes >= max_sizes)
                std::snprintf(sizes, sizeof sizes, "%u+", unsigned{a.sizes});
            else
                std::snprintf(sizes, sizeof sizes, "%u", unsigned{a.sizes});
            std::snprintf(
                buf, sizeof buf,
                "ICMP tunnel suspected from %s: score %llu/100 over %u echo payloads (%u%% "
                "changing, %s size%s, %.2f bits/byte entropy)",
                src.c_str(), ull(a.value), unsigned{a.requests}, unsigned{a.changed_pct}, sizes,
                a.sizes == 1 ? "" : "s", a.entropy_centibits / 100.0);
            return buf;
        }
        case AlertKind::flood:
            if (tcp_dominates(a)) {
                std::snprintf(buf, sizeof buf,
                              "TCP SYN flood from %s: %llu segments/s over %.1f s (threshold %llu)",
                              src.c_str(), ull(a.value), seconds(a.window_ns), ull(a.threshold));
                return buf + ttl_text(a);
            }
            std::snprintf(buf, sizeof buf,
                          "echo flood from %s: %llu requests/s over %.1f s (threshold %llu)",
                          src.c_str(), ull(a.value), seconds(a.window_ns), ull(a.threshold));
            return buf + ttl_text(a);
        case AlertKind::error_flood:
            std::snprintf(buf, sizeof buf,
                          "ICMP error flood from %s: %llu errors/s over %.1f s (threshold %llu)",
                          src.c_str(), ull(a.value), seconds(a.window_ns), ull(a.threshold));
            return buf + ttl_text(a);
        case AlertKind::global_flood:
            if (tcp_dominates(a)) {
                std::snprintf(buf, sizeof buf,
                              "global TCP SYN flood: %llu segments/s over %.1f s (threshold %llu)",
                              ull(a.value), seconds(a.window_ns), ull(a.threshold));
                return buf;
            }
            std::snprintf(buf, sizeof buf,
                          "global echo flood: %llu requests/s over %.1f s (threshold %llu)",
                          ull(a.value), seconds(a.window_ns), ull(a.threshold));
            return buf;
        case AlertKind::global_error_flood:
            std::snprintf(buf, sizeof buf,
                          "global ICMP error flood: %llu errors/s over %.1f s (threshold %llu)",
                          ull(a.value), seconds(a.window_ns), ull(a.threshold));
            return buf;
        case AlertKind::count_:
            break;
    }
    return "unknown alert from " + src;
}

bool AlertQueue::push(const Alert& a) noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    if (head - tail >= capacity) {
        lost_.store(lost_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return false;
    }
    slots_[head & (capacity - 1)] = a;
    head_.store(head + 1, std::memory_order_release);  // the slot before the index
    return true;
}

bool AlertQueue::pop(Alert& out) noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    if (tail == head) return false;
    out = slots_[tail & (capacity - 1)];
    tail_.store(tail + 1, std::memory_order_release);  // the slot is free again
    return true;
}

}  // namespace pw::insight
