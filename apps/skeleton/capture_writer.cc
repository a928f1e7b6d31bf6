// rte_pcapng is experimental in DPDK 22.11.
#define ALLOW_EXPERIMENTAL_API 1

#include "apps/skeleton/capture_writer.hh"

#include <fcntl.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pw::app {

namespace {

// pcapng (draft-ietf-opsawg-pcapng) block and option codes this file writes itself.
constexpr std::uint32_t block_idb = 0x00000001;  // Interface Description Block (4.2)
constexpr std::uint16_t opt_endofopt = 0;
constexpr std::uint16_t opt_comment = 1;
constexpr std::uint16_t if_name = 2;
constexpr std::uint16_t if_description = 3;
constexpr std::uint16_t if_tsresol = 9;
constexpr std::uint16_t linktype_ethernet = 1;
// rte_pcapng_copy's Enhanced Packet Block (4.3): a 28-byte header, the data padded to 32
// bits, then the epb_flags and epb_queue options (8 bytes each) and the trailing length.
constexpr std::size_t epb_header = 28;
constexpr std::size_t epb_flags_option = 8;

std::size_t pad4(std::size_t n) {
    return (n + 3U) & ~std::size_t{3};
}

void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
    const auto at = b.size();
    b.resize(at + 4);
    std::memcpy(b.data() + at, &v, 4);  // pcapng is in the writer's byte order (4.1)
}

void put_option(std::vector<std::uint8_t>& b, std::uint16_t code, const void* data,
                std::size_t len) {
    const std::uint32_t head =
        static_cast<std::uint32_t>(code) | (static_cast<std::uint32_t>(len) << 16);
    put32(b, head);
    const auto at = b.size();
    b.resize(at + pad4(len), 0);
    if (len > 0) std::memcpy(b.data() + at, data, len);
}

bool write_all(int fd, const void* data, std::size_t len) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (len > 0) {
        const ssize_t w = ::write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        len -= static_cast<std::size_t>(w);
    }
    return true;
}

}  // namespace

std::string capture_dirs_name(std::uint32_t dirs) {
    std::string s;
    for (auto [bit, name] :
         {std::pair{pipeline::CaptureTap::rx, "rx"}, std::pair{pipeline::CaptureTap::tx, "tx"},
          std::pair{pipeline::CaptureTap::drop, "drop"}})
        if ((dirs & bit) != 0) s += (s.empty() ? "" : ",") + std::string(name);
    return s;
}

CaptureWriter::CaptureWriter(std::vector<std::uint16_t> ports, std::uint32_t frame_max,
                             std::string program)
    : ports_(std::move(ports)), frame_max_(frame_max), program_(std::move(program)) {}

CaptureWriter::~CaptureWriter() {
    if (file_ != nullptr) stop("exit");
}

std::optional<std::string> CaptureWriter::write_drop_interfaces() {
    // rte_pcapng_fdopen wrote one interface per DPDK port, in port order: the drops
    // interfaces follow them.
    // interfaces follow them (rte_eth_dev_count_avail counts as RTE_ETH_FOREACH_DEV walks).
    std::uint32_t next = rte_eth_dev_count_avail();
    drop_iface_.assign(RTE_MAX_ETHPORTS, 0);
    for (const std::uint16_t port : ports_) {
        std::vector<std::uint8_t> b;
        put32(b, block_idb);
        put32(b, 0);                  // block length, set below
        put32(b, linktype_ethernet);  // LinkType, reserved
        put32(b, 0);                  // SnapLen: no limit
        const std::string name = fmt::format("port{}-drops", port);
        const std::string descr =
            fmt::format("frames {} dropped on port {}; the drop reason is each packet's comment",
                        program_, port);
        const std::uint8_t tsresol = 9;  // nanoseconds, as rte_pcapng's interfaces
        put_option(b, if_name, name.data(), name.size());
        put_option(b, if_description, descr.data(), descr.size());
        put_option(b, if_tsresol, &tsresol, 1);
        put_option(b, opt_endofopt, nullptr, 0);
        put32(b, 0);
        const auto len = static_cast<std::uint32_t>(b.size());
        std::memcpy(b.data() + 4, &len, 4);
        std::memcpy(b.data() + b.size() - 4, &len, 4);
        if (!write_all(fd_, b.data(), b.size())) return std::string(std::strerror(errno));
        drop_iface_[port] = next++;
    }
    return std::nullopt;
}

std::optional<std::string> CaptureWriter::start(const CaptureSettings& s) {
    if (!tap_.created()) {
        // The copy pool and ring, made at the first capture: a program that never captures
        // spends no memory on them.
        if (auto e = tap_.create(2047, frame_max_); !e.empty()) return e;
    }
    // The new file first: a start that fails leaves the capture in progress alone.
    const int flags = O_WRONLY | O_CREAT | (s.overwrite ? O_TRUNC : O_EXCL);
    const int fd = ::open(s.file.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) return s.file + ": " + std::strerror(errno);
    if (file_ != nullptr) stop("restarted");
    fd_ = fd;
    file_ = rte_pcapng_fdopen(fd_, nullptr, nullptr, program_.c_str(),
                              "pingwire in-app capture (--capture)");
    if (file_ == nullptr) {
        ::close(fd_);
        fd_ = -1;
        return s.file + ": rte_pcapng_fdopen failed";
    }
    if (auto e = write_drop_interfaces()) {
        rte_pcapng_close(file_);
        file_ = nullptr;
        fd_ = -1;
        return s.file + ": " + *e;
    }
    settings_ = s;
    packets_ = 0;
    bytes_ = 0;
    stopped_.clear();
    ever_started_ = true;
    // Copies made before this start (a race with the last stop) belong to no file.
    rte_mbuf* ms[64];
    unsigned n;
    while ((n = tap_.dequeue(ms, 64)) > 0) rte_pktmbuf_free_bulk(ms, n);
    lost_at_start_ = tap_.lost();
    tap_.enable(s.dirs, s.drop_reasons);
    return std::nullopt;
}

void CaptureWriter::stop(const std::string& why) {
    if (file_ == nullptr) return;
    tap_.disable();
    poll();  // what the workers copied before the tap went off (the ring holds it)
    if (file_ == nullptr) return;  // the poll reached a limit and stopped already
    lost_ = tap_.lost() - lost_at_start_;
    rte_pcapng_close(file_);  // closes fd_
    file_ = nullptr;
    fd_ = -1;
    stopped_ = why;
}

bool CaptureWriter::fits(std::uint32_t len) const noexcept {
    if (settings_.max_packets != 0 && packets_ >= settings_.max_packets) return false;
    if (settings_.max_bytes != 0 && bytes_ + len > settings_.max_bytes) return false;
    return true;
}

// A dropped frame: rte_pcapng_copy's block rebuilt with the drops interface of its port and
// the reason as the packet's comment (opt_comment, pcapng 3.5). Written directly to the file
// descriptor, in order with rte_pcapng_write_packets' writes (both on this lcore). Returns 1
// when written, 0 when it could not be (counted nowhere: a malformed copy), -1 at a limit.
int CaptureWriter::write_drop(rte_mbuf* m) noexcept {
    if (m->nb_segs != 1) return 0;
    const auto* d = rte_pktmbuf_mtod(m, const std::uint8_t*);
    std::uint32_t caplen = 0;
    std::memcpy(&caplen, d + 20, 4);
    const std::size_t data = pad4(caplen);
    if (epb_header + data + epb_flags_option > m->data_len) return 0;
    const auto reason = pipeline::CaptureTap::tag_reason(m->hash.usr);
    const std::string comment =
        fmt::format("{}: {}", wire::drop_name(reason), wire::drop_description(reason));
    block_.clear();
    block_.insert(block_.end(), d, d + epb_header + data + epb_flags_option);
    put_option(block_, opt_comment, comment.data(), comment.size());
    put_option(block_, opt_endofopt, nullptr, 0);
    put32(block_, 0);
    const auto len = static_cast<std::uint32_t>(block_.size());
    std::memcpy(block_.data() + 4, &len, 4);
    const std::uint32_t iface = drop_iface_[m->port];
    std::memcpy(block_.data() + 8, &iface, 4);
    std::memcpy(block_.data() + block_.size() - 4, &len, 4);
    if (!fits(len)) return -1;
    if (!write_all(fd_, block_.data(), block_.size())) return 0;
    ++packets_;
    bytes_ += len;
    return 1;
}

void CaptureWriter::write_batch(rte_mbuf** ms, unsigned n) noexcept {
    // Runs of rx/tx copies go to rte_pcapng_write_packets as they are; a drop is written
    // between them by write_drop. A limit reached ends the capture.
    unsigned i = 0;
    bool full = false;
    while (i < n && !full) {
        unsigned j = i;
        std::uint64_t run_bytes = 0;
        while (j < n &&
               pipeline::CaptureTap::tag_dir(ms[j]->hash.usr) != pipeline::CaptureTap::drop) {
            const std::uint32_t len = ms[j]->pkt_len;
            if ((settings_.max_packets != 0 && packets_ + (j - i) >= settings_.max_packets) ||
                (settings_.max_bytes != 0 && bytes_ + run_bytes + len > settings_.max_bytes)) {
                full = true;
                break;
            }
            run_bytes += len;
            ++j;
        }
        if (j > i) {
            const ssize_t w =
                rte_pcapng_write_packets(file_, ms + i, static_cast<std::uint16_t>(j - i));
            if (w >= 0) {
                packets_ += j - i;
                bytes_ += static_cast<std::uint64_t>(w);
            }
            i = j;
        }
        if (full || i >= n) break;
        // ms[i] is a drop.
        if (write_drop(ms[i]) < 0) {
            full = true;
            break;
        }
        ++i;
    }
    rte_pktmbuf_free_bulk(ms, n);
    if (full) {
        const bool by_count = settings_.max_packets != 0 && packets_ >= settings_.max_packets;
        tap_.disable();
        rte_mbuf* rest[64];
        unsigned k;
        while ((k = tap_.dequeue(rest, 64)) > 0) rte_pktmbuf_free_bulk(rest, k);
        lost_ = tap_.lost() - lost_at_start_;
        rte_pcapng_close(file_);
        file_ = nullptr;
        fd_ = -1;
        stopped_ = by_count ? fmt::format("--capture-count {} reached", settings_.max_packets)
                            : fmt::format("--capture-bytes {} reached", settings_.max_bytes);
    }
}

void CaptureWriter::poll() noexcept {
    rte_mbuf* ms[64];
    unsigned n;
    while ((n = tap_.dequeue(ms, 64)) > 0) {
        if (file_ == nullptr) {
            rte_pktmbuf_free_bulk(ms, n);  // copied before a stop took effect
            continue;
        }
        write_batch(ms, n);
    }
}

CaptureStatus CaptureWriter::status() const {
    CaptureStatus st;
    st.active = file_ != nullptr;
    st.file = settings_.file;
    st.packets = packets_;
    st.bytes = bytes_;
    st.lost = file_ != nullptr ? tap_.lost() - lost_at_start_ : lost_;
    st.max_packets = settings_.max_packets;
    st.max_bytes = settings_.max_bytes;
    st.dirs = capture_dirs_name(settings_.dirs);
    st.stopped = stopped_;
    return st;
}

std::string CaptureWriter::summary_line() const {
    if (!ever_started_) return {};
    const auto st = status();
    return fmt::format(
        "capture: {} packets ({} bytes) written to {}, {} lost{}\n", st.packets, st.bytes, st.file,
        st.lost, st.stopped.empty() || st.stopped == "exit" ? "" : "; stopped: " + st.stopped);
}

}  // namespace pw::app
