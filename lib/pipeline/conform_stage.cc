#include "lib/pipeline/conform_stage.hh"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstring>

#include "lib/pipeline/mbuf_bytes.hh"

namespace pw::pipeline {

ConformStage::ConformStage(const ConformEnv& env, const HostEnv& host, LcoreHost& host_counters,
                           ConformCounters& counters)
    : env_(env), host_(host, host_counters, 0), counters_(&counters) {}

bool ConformStage::for_host(const rte_mbuf* m) noexcept {
    if (m->data_len < 14) return true;
    const auto* f = rte_pktmbuf_mtod(m, const std::uint8_t*);
    const unsigned type = f[12] << 8 | f[13];
    if (type == 0x0806) return true;  // ARP
    if (type != 0x86dd || m->data_len < 14 + 40 + 1) return false;
    // NDP (RFC 4861 4): ICMPv6 133..136 straight after the fixed header; 137 (Redirect) is
    // for the runner, which judges it.
    const std::uint8_t nh = f[14 + 6];
    const std::uint8_t icmp_type = f[14 + 40];
    return nh == 58 && icmp_type >= 133 && icmp_type <= 136;
}

void ConformStage::on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept {
    for (std::uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        if (m->nb_segs > 1 || for_host(m)) {
            host_.handle(m, q.port, l);
            continue;
        }
        m->port = q.port;
        *RTE_MBUF_DYNFIELD(m, env_.rx_ns_offset, std::uint64_t*) = l.now_ns();
        if (rte_ring_sp_enqueue(env_.seen, m) != 0) {
            ++counters_->ring_full;
            l.drop(q.port, m, wire::Drop::observer_full);
            continue;
        }
        ++counters_->handed;
        l.count_drop(q.port, wire::Drop::observed);
    }
}

namespace {

// Writes seq at s.seq_at and adjusts the UDP checksum at s.csum_at for the two 16-bit words
// that changed: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m') per word (a zero UDP checksum,
// "none" in IPv4, stays zero).
void stamp_sequence(std::uint8_t* f, const ConformStream& s, std::uint64_t seq) noexcept {
    const auto word = [f](std::size_t at) {
        return static_cast<std::uint32_t>(f[at] << 8 | f[at + 1]);
    };
    const std::uint32_t old_hi = word(s.seq_at), old_lo = word(s.seq_at + 2U);
    const auto v = static_cast<std::uint32_t>(seq);
    f[s.seq_at] = static_cast<std::uint8_t>(v >> 24);
    f[s.seq_at + 1] = static_cast<std::uint8_t>(v >> 16);
    f[s.seq_at + 2] = static_cast<std::uint8_t>(v >> 8);
    f[s.seq_at + 3] = static_cast<std::uint8_t>(v);
    if (s.csum_at == 0) return;
    const std::uint32_t old = word(s.csum_at);
    if (old == 0) return;
    std::uint32_t sum =
        (~old & 0xffffU) + (~old_hi & 0xffffU) + (v >> 16) + (~old_lo & 0xffffU) + (v & 0xffffU);
    while (sum >> 16) sum = (sum & 0xffffU) + (sum >> 16);
    auto c = static_cast<std::uint16_t>(~sum);
    if (c == 0) c = 0xffff;
    f[s.csum_at] = static_cast<std::uint8_t>(c >> 8);
    f[s.csum_at + 1] = static_cast<std::uint8_t>(c);
}

}  // namespace

void ConformStage::send_stream(ConformStream& s, Lcore& l) noexcept {
    const std::uint64_t now = l.now_ns();
    if (now < s.start_ns) return;
    const std::uint64_t sent = s.sent.load(std::memory_order_relaxed);
    std::uint64_t origin = s.origin_ns.load(std::memory_order_relaxed);
    if (origin == 0) {
        origin = now;
        s.origin_ns.store(now, std::memory_order_relaxed);
    }
    // Absolute schedule: frame k leaves at origin + k / rate (no drift).
    auto due = static_cast<std::uint64_t>(static_cast<double>(now - origin) * s.rate_pps / 1e9) + 1;
    if (due > s.count) due = s.count;
    if (due <= sent) return;
    rte_mbuf* ms[burst_size];
    const auto n = static_cast<std::uint16_t>(std::min<std::uint64_t>(due - sent, burst_size));
    if (rte_pktmbuf_alloc_bulk(l.pool(), ms, n) != 0) {
        ++counters_->no_mbuf;
        return;
    }
    for (std::uint16_t i = 0; i < n; ++i) {
        const auto& f = s.frames[(sent + i) % s.frames.size()];
        std::memcpy(rte_pktmbuf_mtod(ms[i], void*), f.data(), f.size());
        if (s.seq_at != 0) stamp_sequence(rte_pktmbuf_mtod(ms[i], std::uint8_t*), s, sent + i);
        ms[i]->data_len = static_cast<std::uint16_t>(f.size());
        ms[i]->pkt_len = static_cast<std::uint32_t>(f.size());
    }
    const std::uint16_t took = l.send_now(s.port, ms, n, TxKind::generated);
    if (took < n) rte_pktmbuf_free_bulk(ms + took, n - took);  // sent again next round
    if (took == 0) return;
    if (sent == 0) s.first_tx_ns.store(now, std::memory_order_relaxed);
    s.last_tx_ns.store(now, std::memory_order_relaxed);
    counters_->stream_sent += took;
    s.sent.store(sent + took, std::memory_order_release);
    if (sent + took >= s.count) s.done.store(true, std::memory_order_release);
}

void ConformStage::on_tick(Lcore& l) noexcept {
    host_.on_tick(l);
    ConformStream* s = env_.stream->load(std::memory_order_acquire);
    if (s != nullptr && !s->done.load(std::memory_order_relaxed)) send_stream(*s, l);
}

void ConformStage::on_stop(Lcore& l) noexcept {
    host_.on_stop(l);
}

}  // namespace pw::pipeline
