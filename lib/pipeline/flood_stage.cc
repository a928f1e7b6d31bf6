#include "lib/pipeline/flood_stage.hh"

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstring>

#include "lib/pipeline/mbuf_bytes.hh"
#include "lib/wire/icmp.hh"

namespace pw::pipeline {

namespace {

std::uint64_t share_of(std::uint64_t total, unsigned index, unsigned shares) noexcept {
    return total / shares + (index < total % shares ? 1 : 0);
}

bool is_anomaly(gen::Accounting::Outcome o) noexcept {
    using O = gen::Accounting::Outcome;
    return o == O::duplicate || o == O::corrupted || o == O::late || o == O::too_old ||
           o == O::unmatched;
}

}  // namespace

FloodStage::FloodStage(const FloodEnv& env, const HostEnv& host, LcoreHost& host_counters,
                       FloodCounters& counters, unsigned index)
    : env_(env),
      host_(host, host_counters, index),
      counters_(&counters),
      index_(index),
      acct_(env.stats, env.lcores, env.timeout_ns) {
    positions_ = share_of(env.targets->size(), index, env.lcores);
    if (env.pmtu) positions_ = index == 0 ? 1 : 0;
    owed_ = env.count == 0 ? 0 : positions_ * env.kinds.size() * env.count;
    fixed_size_ = env.size_lo == env.size_hi;
    if (positions_ > 0) only_target_ = env.order.at(index);
    for (std::uint16_t port = 0; port < route::max_ports; ++port) {
        const auto* ifc = host.interfaces->find(port);
        if (ifc == nullptr) continue;
        macs_[port] = ifc->mac;
        const FloodSource& src = env.sources[port];
        for (unsigned fam = 0; fam < 2; ++fam) {
            const bool v6 = fam == 1;
            if (v6 ? !src.has_v6 : !src.has_v4) continue;
            gen::ProbeTemplate t;
            t.v6 = v6;
            t.src_mac = ifc->mac;
            t.src4 = src.v4;
            t.src6 = src.v6;
            t.ttl = env.ttl;
            t.tos = env.tos;
            t.df = env.df || (env.pmtu && !v6);
            t.pattern = env.pattern;
            tmpl_[port][fam] = t;
            if (fixed_size_) {
                echo_[port][fam].prepare(t, env.size_lo);
                gen::ProbeTemplate u = t;
                u.kind = gen::ProbeKind::udp;
                u.dst_port = env.udp_port;
                udp_[port][fam].prepare(u, env.size_lo);
            }
        }
    }
    if (env.pmtu) {
        const bool v6 = env.targets->at(0).v6;
        pmtu_ = gen::PmtuSearch(v6, env.pmtu_max);
    }
}

std::optional<FloodStage::Slot> FloodStage::slot(std::uint64_t i) const noexcept {
    const std::uint64_t kinds = env_.kinds.size();
    const std::uint64_t per_round = positions_ * kinds;
    if (per_round == 0) return std::nullopt;
    if (per_round == 1) {  // one target, one kind (a flood): no division
        if (env_.count != 0 && i >= env_.count) return std::nullopt;
        return Slot{only_target_, env_.kinds[0], static_cast<std::uint32_t>(i)};
    }
    const std::uint64_t round = i / per_round;
    if (env_.count != 0 && round >= env_.count) return std::nullopt;
    const std::uint64_t rem = i - round * per_round;
    const std::uint64_t q = rem / kinds;
    Slot s;
    s.kind = env_.kinds[rem - q * kinds];
    s.target = env_.order.at(index_ + q * env_.lcores);
    s.round = static_cast<std::uint32_t>(round);
    return s;
}

std::uint16_t FloodStage::data_len_of(std::uint64_t seq) const noexcept {
    if (fixed_size_) return env_.size_lo;
    // Mixed sizes: a hash of the sequence number, uniform over [lo, hi].
    std::uint64_t x = seq + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    const std::uint64_t span = std::uint64_t{env_.size_hi} - env_.size_lo + 1;
    return static_cast<std::uint16_t>(env_.size_lo + x % span);
}

bool FloodStage::build(rte_mbuf* m, const Slot& s, std::uint16_t data_len, std::uint64_t seq,
                       std::uint64_t tsc) noexcept {
    const TargetHop& hop = env_.hops[s.target];
    // The last target's address is kept: a flood to one target (or a target's several kinds)
    // looks it up once.
    if (s.target != cached_index_) {
        cached_target_ = env_.targets->at(s.target);
        cached_index_ = s.target;
    }
    const gen::Target& t = cached_target_;
    const unsigned fam = t.v6 ? 1 : 0;
    gen::ProbeFields f;
    f.dst4 = t.v4;
    f.dst6 = t.v6addr;
    const bool l4 = s.kind == gen::ProbeKind::tcp_syn || s.kind == gen::ProbeKind::udp;
    f.ident = static_cast<std::uint16_t>((l4 ? env_.port_base : env_.ident_base) + index_);
    f.seq = static_cast<std::uint16_t>(seq);
    f.data_len = data_len;
    f.stamp = {env_.magic, static_cast<std::uint32_t>(s.target), s.round, seq, tsc};
    wire::Bytes room = frame_room(m);
    std::size_t len = 0;
    if (fixed_size_ && s.kind == gen::ProbeKind::echo) {
        const auto& w = echo_[hop.port][fam];
        if (room.size() < w.frame_len()) return false;
        w.write(room, f);
        len = w.frame_len();
    } else if (fixed_size_ && s.kind == gen::ProbeKind::udp) {
        const auto& w = udp_[hop.port][fam];
        if (room.size() < w.frame_len()) return false;
        w.write(room, f);
        len = w.frame_len();
    } else {
        gen::ProbeTemplate tp = tmpl_[hop.port][fam];
        tp.kind = s.kind;
        tp.dst_port = s.kind == gen::ProbeKind::tcp_syn ? env_.tcp_port : env_.udp_port;
        len = gen::build_probe(room, tp, f);
        if (len == 0) return false;
    }
    std::memcpy(room.data(), hop.mac.bytes.data(), 6);  // the target's own next hop
    set_frame_len(m, static_cast<std::uint32_t>(len));
    m->port = hop.port;
    return true;
}

void FloodStage::send_due(Lcore& l) noexcept {
    const auto due = static_cast<unsigned>(pacer_.due(l.now_ns(), burst_size));
    if (due == 0) return;
    rte_mbuf* ms[burst_size];
    if (rte_pktmbuf_alloc_bulk(l.pool(), ms, due) != 0) {
        ++counters_->no_mbuf;
        return;
    }
    std::uint64_t at[burst_size];  // slot index of each built probe
    std::uint64_t tgt[burst_size];
    unsigned skips_before[burst_size];  // slots skipped before each built probe
    unsigned built = 0, unsent = 0;
    std::uint64_t i = next_;
    unsigned skipped = 0;
    const std::uint64_t tsc = rte_get_tsc_cycles();
    bool end = false;
    while (built < due) {
        const auto s = slot(i);
        if (!s) {
            end = true;
            break;
        }
        if (!env_.hops[s->target].ok) {  // next hop unresolved: no probe
            ++unsent;
            ++i;
            if (++skipped >= 4 * burst_size) break;  // bounded work per round
            continue;
        }
        if (!build(ms[built], *s, data_len_of(seq_ + built), seq_ + built, tsc)) {
            ++i;  // cannot be built (too large for the mbuf): skipped, counted
            ++unsent;
            continue;
        }
        at[built] = i;
        tgt[built] = s->target;
        skips_before[built] = unsent;
        ++built;
        ++i;
    }
    // Out in runs of one port each; the first refusal ends the round.
    unsigned sent = 0;
    while (sent < built) {
        const std::uint16_t port = ms[sent]->port;
        unsigned run = 1;
        while (sent + run < built && ms[sent + run]->port == port) ++run;
        const std::uint16_t took =
            l.send_now(port, ms + sent, static_cast<std::uint16_t>(run), TxKind::generated);
        sent += took;
        if (took < run) break;
    }
    if (sent < built) {
        counters_->tx_refused += built - sent;
        rte_pktmbuf_free_bulk(ms + sent, built - sent);
        next_ = at[sent];             // built again next round, with the same sequence numbers
        unsent = skips_before[sent];  // the slots after it are taken (and counted) again
        end = false;
    } else {
        next_ = i;
    }
    counters_->unresolved += unsent;
    if (built < due) rte_pktmbuf_free_bulk(ms + built, due - built);
    const std::uint64_t now = l.now_ns();
    for (unsigned k = 0; k < sent; ++k) {
        gen::TargetStats& ts = env_.stats[tgt[k]];
        ++ts.tx;
        ts.last_tx_ns = now;
    }
    if (sent > 0) {
        if (counters_->first_tx_ns == 0) counters_->first_tx_ns = now;
        counters_->last_tx_ns = now;
        counters_->probes += sent;
    }
    seq_ += sent;
    pacer_.sent(sent);
    // Skipped slots are not paced: they took no time on the wire.
    if (end) counters_->done.store(true, std::memory_order_release);
}

void FloodStage::on_tick(Lcore& l) noexcept {
    host_.on_tick(l);
    if (counters_->done.load(std::memory_order_relaxed)) return;
    const FloodPhase phase = env_.phase->load(std::memory_order_acquire);
    if (phase == FloodPhase::resolving) return;
    if (phase == FloodPhase::finishing) {
        counters_->done.store(true, std::memory_order_release);
        return;
    }
    if (!started_) {
        const std::uint64_t start = env_.start_ns->load(std::memory_order_acquire);
        pacer_ = gen::Pacer(env_.rate, index_, env_.lcores, start);
        end_ns_ = env_.duration_ns != 0 ? start + env_.duration_ns : 0;
        started_ = true;
        if (positions_ == 0) {
            counters_->done.store(true, std::memory_order_release);
            return;
        }
    }
    if (end_ns_ != 0 && l.now_ns() >= end_ns_) {
        counters_->done.store(true, std::memory_order_release);
        return;
    }
    if (env_.pmtu) {
        pmtu_tick(l);
        return;
    }
    send_due(l);
}

void FloodStage::on_stop(Lcore& l) noexcept {
    host_.on_stop(l);
    counters_->done.store(true, std::memory_order_release);
}

std::uint64_t FloodStage::rtt_ns(std::uint64_t tx_tsc, const Lcore& l) const noexcept {
    const std::uint64_t rx = l.tsc();
    if (rx <= tx_tsc) return 0;
    return static_cast<std::uint64_t>((static_cast<u128>(rx - tx_tsc) * l.clock().mult) >> 32);
}

void FloodStage::on_burst(rte_mbuf** pkts, std::uint16_t n, const RxQueue& q, Lcore& l) noexcept {
    for (std::uint16_t i = 0; i < n; ++i) {
        rte_mbuf* m = pkts[i];
        if (m->nb_segs > 1) {
            host_.handle(m, q.port, l);
            continue;
        }
        const wire::ConstBytes frame{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
        const gen::Reply r = gen::parse_reply(frame, env_.magic);
        const FloodSource& src = env_.sources[q.port];
        const bool to_us =
            r.kind != gen::ReplyKind::other &&
            (r.v6 ? src.has_v6 && r.dst == src.v6 : src.has_v4 && r.dst == wire::v4_mapped(src.v4));
        if (!to_us) {
            host_.handle(m, q.port, l);
            continue;
        }
        take(m, q.port, r, l);
    }
}

void FloodStage::take(rte_mbuf* m, std::uint16_t port, const gen::Reply& r, Lcore& l) noexcept {
    using gen::ReplyKind;
    using O = gen::Accounting::Outcome;
    const auto sender_of = [this](std::uint16_t v, std::uint16_t base) -> std::optional<unsigned> {
        const unsigned s = static_cast<std::uint16_t>(v - base);
        if (s >= env_.lcores) return std::nullopt;
        return s;
    };
    const auto since_last_tx = [&](std::uint64_t target) {
        const std::uint64_t last = env_.stats[target].last_tx_ns;
        return l.now_ns() > last ? l.now_ns() - last : 0;
    };
    O o = O::received;
    switch (r.kind) {
        case ReplyKind::echo_reply: {
            const auto sender = sender_of(r.ident, env_.ident_base);
            if (!sender) {
                host_.handle(m, port, l);
                return;
            }
            if (env_.pmtu) pmtu_reply(r, l.tsc(), l);
            const std::uint64_t rtt =
                r.stamp_status == gen::StampStatus::valid ? rtt_ns(r.stamp.tsc, l) : 0;
            o = acct_.on_stamped(r, *sender, rtt);
            break;
        }
        case ReplyKind::timestamp_reply: {
            const auto target = env_.targets->index_of(r.src);
            if (!sender_of(r.ident, env_.ident_base) || !target) {
                host_.handle(m, port, l);
                return;
            }
            o = acct_.on_alive(*target, gen::ProbeKind::timestamp, r.ttl, since_last_tx(*target));
            break;
        }
        case ReplyKind::tcp_synack:
        case ReplyKind::tcp_rst: {
            const auto target = env_.targets->index_of(r.src);
            bool ours = sender_of(r.ident, env_.port_base) && target && r.seq == env_.tcp_port;
            if (ours) {
                gen::Stamp st;
                st.magic = env_.magic;
                st.target = static_cast<std::uint32_t>(*target);
                ours = r.tcp_ack - 1U == gen::syn_sequence(st);
            }
            if (!ours) {
                host_.handle(m, port, l);
                return;
            }
            o = acct_.on_alive(*target, gen::ProbeKind::tcp_syn, r.ttl, since_last_tx(*target));
            if (r.kind == ReplyKind::tcp_synack) answer_synack(port, m, l);
            break;
        }
        case ReplyKind::udp: {
            const auto target = env_.targets->index_of(r.src);
            if (!sender_of(r.ident, env_.port_base) || !target || r.seq != env_.udp_port) {
                host_.handle(m, port, l);
                return;
            }
            o = acct_.on_alive(*target, gen::ProbeKind::udp, r.ttl, since_last_tx(*target));
            break;
        }
        case ReplyKind::icmp_error: {
            const bool l4 =
                r.quoted_kind == gen::ProbeKind::tcp_syn || r.quoted_kind == gen::ProbeKind::udp;
            if (!sender_of(r.quoted_ident, l4 ? env_.port_base : env_.ident_base)) {
                host_.handle(m, port, l);
                return;
            }
            std::optional<std::uint64_t> target;
            if (r.quoted_stamp_status == gen::StampStatus::valid &&
                r.quoted_stamp.target < env_.stats.size())
                target = r.quoted_stamp.target;
            else
                target = env_.targets->index_of(r.quoted_dst);
            if (env_.pmtu) pmtu_reply(r, l.tsc(), l);
            o = acct_.on_error(r, target);
            // RFC 1122 3.2.2.1 / RFC 4443 3.1: Port Unreachable from the target itself says a
            // host is there (nmap's UDP ping).
            const bool port_unreach =
                r.v6 ? (r.type == wire::icmpv6::dest_unreachable && r.code == 4)
                     : (r.type == wire::icmpv4::dest_unreachable && r.code == 3);
            if (target && r.quoted_kind == gen::ProbeKind::udp && port_unreach &&
                r.src == r.quoted_dst)
                acct_.on_alive(*target, gen::ProbeKind::udp, r.ttl, since_last_tx(*target));
            break;
        }
        case ReplyKind::other:
            host_.handle(m, port, l);
            return;
    }
    l.count_drop(port, wire::Drop::probe_answer);
    if (is_anomaly(o) && env_.anomalies != nullptr) {
        if (rte_ring_mp_enqueue(env_.anomalies, m) == 0) {
            ++counters_->captured;
            return;
        }
        ++counters_->capture_full;
    }
    rte_pktmbuf_free(m);
}

void FloodStage::answer_synack(std::uint16_t port, const rte_mbuf* m, Lcore& l) noexcept {
    rte_mbuf* rst = rte_pktmbuf_alloc(l.pool());
    if (rst == nullptr) {
        ++counters_->no_mbuf;
        return;
    }
    const wire::ConstBytes synack{rte_pktmbuf_mtod(m, const std::byte*), m->data_len};
    wire::MacAddr peer;
    std::memcpy(peer.bytes.data(), synack.data() + 6, 6);  // the SYN-ACK's source MAC
    const std::size_t len = gen::build_tcp_rst(frame_room(rst), synack, macs_[port], peer);
    if (len == 0) {
        rte_pktmbuf_free(rst);
        return;
    }
    set_frame_len(rst, static_cast<std::uint32_t>(len));
    ++counters_->rst_sent;
    l.send(port, rst, TxKind::generated);
}

// --pmtu: one step at a time, pmtu_probes probes of one size, then what came back.
void FloodStage::pmtu_tick(Lcore& l) noexcept {
    if (pmtu_done_.load(std::memory_order_relaxed)) return;
    const std::uint64_t now = l.now_ns();
    if (pmtu_size_ != 0) {
        if (pmtu_answered_)
            pmtu_.on_answer(pmtu_size_);
        else if (pmtu_too_big_)
            pmtu_.on_too_big(pmtu_size_, pmtu_mtu_, pmtu_from_);
        else if (now >= pmtu_deadline_)
            pmtu_.on_silence(pmtu_size_);
        else
            return;
        pmtu_size_ = 0;
    }
    const unsigned size = pmtu_.next_size();
    if (size == 0) {
        pmtu_done_.store(true, std::memory_order_release);
        counters_->done.store(true, std::memory_order_release);
        return;
    }
    const bool v6 = env_.targets->at(0).v6;
    const unsigned headers = (v6 ? 40U : 20U) + 8U;
    if (size < headers + gen::stamp_len || !env_.hops[0].ok) {
        pmtu_.on_silence(size);
        return;
    }
    const auto data_len = static_cast<std::uint16_t>(size - headers);
    const std::uint16_t port = env_.hops[0].port;
    unsigned sent = 0;
    for (unsigned k = 0; k < env_.pmtu_probes; ++k) {
        rte_mbuf* m = rte_pktmbuf_alloc(l.pool());
        if (m == nullptr) {
            ++counters_->no_mbuf;
            break;
        }
        const Slot s{0, gen::ProbeKind::echo, static_cast<std::uint32_t>(pmtu_.steps() * 16 + k)};
        const bool fixed = fixed_size_;
        fixed_size_ = false;  // every step has its own size: the general builder
        const bool ok = build(m, s, data_len, seq_, rte_get_tsc_cycles());
        fixed_size_ = fixed;
        if (!ok) {
            rte_pktmbuf_free(m);
            break;
        }
        rte_mbuf* one[1] = {m};
        if (l.send_now(port, one, 1, TxKind::generated) != 1) {
            ++counters_->tx_refused;
            rte_pktmbuf_free(m);
            continue;
        }
        ++seq_;
        ++sent;
        ++env_.stats[0].tx;
        env_.stats[0].last_tx_ns = now;
    }
    if (sent > 0) {
        if (counters_->first_tx_ns == 0) counters_->first_tx_ns = now;
        counters_->last_tx_ns = now;
        counters_->probes += sent;
    }
    pmtu_size_ = size;
    pmtu_deadline_ = now + env_.timeout_ns;
    pmtu_answered_ = false;
    pmtu_too_big_ = false;
}

void FloodStage::pmtu_reply(const gen::Reply& r, std::uint64_t, const Lcore&) noexcept {
    if (pmtu_size_ == 0) return;
    if (r.kind == gen::ReplyKind::echo_reply && r.stamp_status == gen::StampStatus::valid &&
        r.ip_len == pmtu_size_) {
        pmtu_answered_ = true;
        return;
    }
    // RFC 1191 / RFC 8201: Frag Needed (3/4) or Packet Too Big quoting a probe of this step.
    const bool too_big = r.kind == gen::ReplyKind::icmp_error &&
                         (r.v6 ? r.type == wire::icmpv6::packet_too_big
                               : r.type == wire::icmpv4::dest_unreachable && r.code == 4);
    if (too_big && r.quoted_ip_len == pmtu_size_) {
        pmtu_too_big_ = true;
        pmtu_mtu_ = r.mtu;
        pmtu_from_ = r.src;
    }
}

}  // namespace pw::pipeline
