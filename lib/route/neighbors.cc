#include "lib/route/neighbors.hh"

#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_pause.h>
#include <rte_random.h>

#include <cstring>
#include <new>

#include "lib/wire/mix.hh"

namespace pw::route {

// The table is open addressing with linear probing over 2^k slots (load at most 1/2). Entries
// never move: a removed entry leaves a tombstone (tag_dead) that lookups probe past, and a
// tombstone turns back into an empty slot only when the slot after it is empty, so that no probe
// sequence of a live entry ever gets an empty slot in front of it (it would stop lookups early).
// Inserts take the first free slot of the sequence and record its distance in max_dist_, which
// bounds every lookup.
//
// Each slot is published with a sequence lock (Boehm, "Can seqlocks get along with programming
// language memory models?", MSPC 2012), all fields being relaxed atomics so that the
// concurrent reads are no data race:
//
//   writer (one thread)                     reader (any thread)
//     seq = q + 1           (relaxed)         s1 = seq               (acquire)
//     fence(release)                          if s1 odd: retry
//     fields = ...          (relaxed)         copy the fields        (relaxed)
//     seq = q + 2           (release)         fence(acquire)
//                                             s2 = seq               (relaxed); s1 != s2: retry
//
// If the reader's acquire load of seq reads q + 2, the writer's field stores happen before its
// field loads, so it sees them (or later ones). If any field load reads a store made after the
// writer's release fence, the reader's acquire fence makes the writer's store of q + 1 happen
// before the reader's second load of seq, so s2 != s1 and the copy is thrown away. A copy that
// survives is therefore one the writer published whole: key, state and MAC of the same entry,
// never a MAC from a slot being reused for another address (what the component test checks).
// seq is 32 bits: a reader would have to stall for 2^31 writes to one slot to be fooled.
struct alignas(32) NeighborTable::Slot {
    std::atomic<std::uint32_t> seq{0};
    // port (bits 0-15) | family (16-19) | tag (20-23) | state (24-27) | probing (28)
    std::atomic<std::uint32_t> head{0};
    std::atomic<std::uint64_t> a0{0};   // address bytes 0-7 (IPv4: 0-3, rest zero)
    std::atomic<std::uint64_t> a1{0};   // address bytes 8-15
    std::atomic<std::uint64_t> mac{0};  // the 6 MAC bytes, in memory order
};
static_assert(sizeof(NeighborTable::Slot) == 32);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

namespace {

constexpr unsigned max_read_tries = 256;
constexpr std::uint32_t key_mask = 0x000fffffU;

struct Packed {
    std::uint32_t key;  // port | family << 16
    std::uint64_t a0;
    std::uint64_t a1;
};

Packed pack(const NeighKey& k) noexcept {
    Packed p{static_cast<std::uint32_t>(k.port) | (static_cast<std::uint32_t>(k.family) << 16), 0,
             0};
    if (k.family == Family::v4) {
        std::memcpy(&p.a0, k.v4.bytes.data(), 4);
    } else {
        std::memcpy(&p.a0, k.v6.bytes.data(), 8);
        std::memcpy(&p.a1, k.v6.bytes.data() + 8, 8);
    }
    return p;
}

std::uint64_t pack_mac(const wire::MacAddr& m) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, m.bytes.data(), 6);
    return v;
}

wire::MacAddr unpack_mac(std::uint64_t v) noexcept {
    wire::MacAddr m;
    std::memcpy(m.bytes.data(), &v, 6);
    return m;
}

std::uint64_t hash_packed(const Packed& p, std::uint64_t seed) noexcept {
    return wire::mix64(wire::mix64(wire::mix64(p.a0 ^ seed) ^ p.a1) ^ p.key);
}

bool usable_mac(const wire::MacAddr& m) noexcept {
    return !m.is_group() && !m.is_zero();
}

}  // namespace

const char* to_string(NeighState s) noexcept {
    switch (s) {
        case NeighState::incomplete:
            return "incomplete";
        case NeighState::reachable:
            return "reachable";
        case NeighState::stale:
            return "stale";
        case NeighState::failed:
            return "failed";
    }
    return "?";
}

std::string NeighKey::to_string() const {
    return "port " + std::to_string(port) + " " +
           (family == Family::v4 ? v4.to_string() : v6.to_string());
}

NeighborTable::~NeighborTable() {
    rte_free(slots_);
}

std::optional<std::string> NeighborTable::init(const std::string& name, unsigned capacity,
                                               const NeighborConfig& cfg) {
    if (slots_ != nullptr) return "neighbour table " + name + ": init called twice";
    if (capacity == 0 || capacity > (1U << 22))
        return "neighbour table " + name + ": capacity must be 1..4194304";
    if (cfg.retrans_ns == 0 || cfg.reachable_ns == 0 || cfg.mcast_probes == 0 ||
        cfg.mcast_probes > 255 || cfg.ucast_probes == 0 || cfg.ucast_probes > 255)
        return "neighbour table " + name +
               ": retrans and reachable times and probe counts (1..255) must be positive";
    std::size_t n = 16;
    while (n < 2 * static_cast<std::size_t>(capacity)) n *= 2;
    void* mem =
        rte_zmalloc_socket(name.c_str(), n * sizeof(Slot), RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
    if (mem == nullptr)
        return "neighbour table " + name + ": out of DPDK memory for " + std::to_string(n) +
               " slots";
    slots_ = static_cast<Slot*>(mem);
    for (std::size_t i = 0; i < n; ++i) new (&slots_[i]) Slot{};
    meta_.assign(n, Meta{});
    n_slots_ = n;
    capacity_ = capacity;
    cfg_ = cfg;
    // A secret seed: peers choose the addresses they solicit from, not where they land.
    seed_ = rte_rand();
    return std::nullopt;
}

std::uint64_t NeighborTable::hash(const NeighKey& k) const noexcept {
    return hash_packed(pack(k), seed_);
}

NeighView NeighborTable::lookup(const NeighKey& k) const noexcept {
    if (slots_ == nullptr) return {};
    const Packed want = pack(k);
    const std::uint64_t h = hash_packed(want, seed_);
    const std::size_t mask = n_slots_ - 1;
    // An insert raises max_dist_ before it publishes its slot; a lookup that reads the old value
    // runs concurrently with that insert and may miss it, as it may miss any concurrent insert.
    const std::uint32_t max_dist = max_dist_.load(std::memory_order_acquire);
    for (std::uint32_t d = 0; d <= max_dist; ++d) {
        const Slot& s = slots_[(h + d) & mask];
        std::uint32_t head = 0;
        std::uint64_t a0 = 0, a1 = 0, mac = 0;
        bool ok = false;
        for (unsigned t = 0; t < max_read_tries; ++t) {
            const std::uint32_t s1 = s.seq.load(std::memory_order_acquire);
            if ((s1 & 1U) == 0) {
                head = s.head.load(std::memory_order_relaxed);
                a0 = s.a0.load(std::memory_order_relaxed);
                a1 = s.a1.load(std::memory_order_relaxed);
                mac = s.mac.load(std::memory_order_relaxed);
                std::atomic_thread_fence(std::memory_order_acquire);
                if (s.seq.load(std::memory_order_relaxed) == s1) {
                    ok = true;
                    break;
                }
            }
            rte_pause();
        }
        if (!ok) return {};
        const auto tag = static_cast<std::uint8_t>((head >> 20) & 0xf);
        if (tag == tag_empty) return {};
        if (tag == tag_used && (head & key_mask) == want.key && a0 == want.a0 && a1 == want.a1)
            return {true, static_cast<NeighState>((head >> 24) & 0xf), ((head >> 28) & 1U) != 0,
                    unpack_mac(mac)};
    }
    return {};
}

void NeighborTable::publish(std::size_t i) noexcept {
    const Meta& m = meta_[i];
    const Packed p = m.tag == tag_used ? pack(m.key) : Packed{0, 0, 0};
    const std::uint32_t head =
        p.key | (static_cast<std::uint32_t>(m.tag) << 20) |
        (m.tag == tag_used ? (static_cast<std::uint32_t>(m.state) << 24) |
                                 (static_cast<std::uint32_t>(m.probing) << 28)
                           : 0U);
    const bool has_mac =
        m.tag == tag_used && (m.state == NeighState::reachable || m.state == NeighState::stale);
    Slot& s = slots_[i];
    const std::uint32_t q = s.seq.load(std::memory_order_relaxed);  // only this thread writes it
    s.seq.store(q + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    s.head.store(head, std::memory_order_relaxed);
    s.a0.store(p.a0, std::memory_order_relaxed);
    s.a1.store(p.a1, std::memory_order_relaxed);
    s.mac.store(has_mac ? pack_mac(m.mac) : 0, std::memory_order_relaxed);
    s.seq.store(q + 2, std::memory_order_release);
}

std::size_t NeighborTable::find(const NeighKey& k) const noexcept {
    if (n_slots_ == 0) return 0;
    const std::uint64_t h = hash(k);
    const std::size_t mask = n_slots_ - 1;
    const std::uint32_t max_dist = max_dist_.load(std::memory_order_relaxed);
    for (std::uint32_t d = 0; d <= max_dist; ++d) {
        const std::size_t j = (h + d) & mask;
        if (meta_[j].tag == tag_empty) break;
        if (meta_[j].tag == tag_used && meta_[j].key == k) return j;
    }
    return n_slots_;
}

bool NeighborTable::reclaim(std::uint64_t now_ns) noexcept {
    // Linux's neigh_forced_gc, when a new entry finds the table full: the failed entry that
    // failed longest ago, else the stale one idle longest if idle for reclaim_idle_ns. Never a
    // permanent, incomplete, reachable or probing entry.
    std::size_t best = n_slots_;
    std::uint64_t best_ns = 0;
    bool best_failed = false;
    for (std::size_t i = 0; i < n_slots_; ++i) {
        const Meta& m = meta_[i];
        if (m.tag != tag_used || m.permanent) continue;
        if (m.state == NeighState::failed) {
            if (!best_failed || m.updated_ns < best_ns) {
                best = i;
                best_ns = m.updated_ns;
                best_failed = true;
            }
        } else if (!best_failed && m.state == NeighState::stale && !m.probing) {
            const std::uint64_t last = m.updated_ns > m.used_ns ? m.updated_ns : m.used_ns;
            if (now_ns >= last + reclaim_idle_ns && (best == n_slots_ || last < best_ns)) {
                best = i;
                best_ns = last;
            }
        }
    }
    if (best == n_slots_) return false;
    erase(best);
    ++reclaimed_;
    return true;
}

std::size_t NeighborTable::insert(const NeighKey& k, std::uint64_t now_ns) {
    if (n_slots_ == 0) return n_slots_;
    if (size() >= capacity_ && !reclaim(now_ns)) return n_slots_;
    const std::uint64_t h = hash(k);
    const std::size_t mask = n_slots_ - 1;
    for (std::size_t d = 0; d < n_slots_; ++d) {
        const std::size_t j = (h + d) & mask;
        if (meta_[j].tag == tag_used) continue;
        if (d > max_dist_.load(std::memory_order_relaxed))
            max_dist_.store(static_cast<std::uint32_t>(d), std::memory_order_release);
        meta_[j] = Meta{};
        meta_[j].key = k;
        meta_[j].tag = tag_used;
        size_.fetch_add(1, std::memory_order_relaxed);
        return j;  // the caller fills it in and publishes it
    }
    return n_slots_;  // unreachable: the load is at most 1/2
}

void NeighborTable::erase(std::size_t i) noexcept {
    const std::size_t mask = n_slots_ - 1;
    meta_[i] = Meta{};
    meta_[i].tag = tag_dead;
    publish(i);
    size_.fetch_sub(1, std::memory_order_relaxed);
    // Tombstones just before an empty slot end no live entry's probe sequence: empty them.
    if (meta_[(i + 1) & mask].tag != tag_empty) return;
    for (std::size_t j = i, n = 0; meta_[j].tag == tag_dead && n < n_slots_;
         j = (j - 1) & mask, ++n) {
        meta_[j].tag = tag_empty;
        publish(j);
    }
}

bool NeighborTable::want(const NeighKey& k, std::uint64_t now_ns) {
    std::size_t i = find(k);
    if (i == n_slots_) {
        i = insert(k, now_ns);
        if (i == n_slots_) return false;
        Meta& m = meta_[i];
        m.state = NeighState::incomplete;
        m.updated_ns = now_ns;
        m.used_ns = now_ns;
        m.next_ns = now_ns;  // the next tick sends the first probe
        publish(i);
        return true;
    }
    Meta& m = meta_[i];
    m.used_ns = now_ns;
    if (m.permanent) return true;
    switch (m.state) {
        case NeighState::incomplete:
        case NeighState::reachable:
            break;
        case NeighState::stale:
            // RFC 4861 7.3.3: a packet to a STALE neighbour moves it to DELAY, then PROBE.
            if (!m.probing) {
                m.probing = true;
                m.probes = 0;
                m.next_ns = now_ns + cfg_.delay_first_probe_ns;
                publish(i);
            }
            break;
        case NeighState::failed:
            m.state = NeighState::incomplete;
            m.mac = {};
            m.probes = 0;
            m.probing = false;
            m.updated_ns = now_ns;
            m.next_ns = now_ns;
            publish(i);
            break;
    }
    return true;
}

Learned NeighborTable::learn_solicitation(const NeighKey& k, const wire::MacAddr& mac,
                                          std::uint64_t now_ns) {
    if (!usable_mac(mac)) return Learned::ignored;
    std::size_t i = find(k);
    if (i == n_slots_) {
        // RFC 4861 7.2.3: no entry: create one, STALE (RFC 826: "I am the target: add the pair").
        i = insert(k, now_ns);
        if (i == n_slots_) return Learned::full;
        Meta& m = meta_[i];
        m.state = NeighState::stale;
        m.mac = mac;
        m.updated_ns = now_ns;
        m.used_ns = now_ns;
        publish(i);
        return Learned::updated;
    }
    Meta& m = meta_[i];
    if (m.permanent) return Learned::updated;
    if (m.state == NeighState::incomplete || m.state == NeighState::failed) {
        // RFC 4861 7.3.3: INCOMPLETE + NS with a link-layer address -> STALE, send what was queued.
        m.state = NeighState::stale;
        m.mac = mac;
        m.probing = false;
        m.probes = 0;
        m.updated_ns = now_ns;
        publish(i);
        return Learned::resolved;
    }
    if (m.mac != mac) {  // RFC 4861 7.2.3: a different address: take it, STALE
        m.state = NeighState::stale;
        m.mac = mac;
        m.probing = false;
        m.probes = 0;
        m.updated_ns = now_ns;
        publish(i);
    }
    return Learned::updated;
}

Learned NeighborTable::learn_advertisement(const NeighKey& k, const wire::MacAddr& mac,
                                           bool solicited, bool override_flag,
                                           std::uint64_t now_ns) {
    if (!usable_mac(mac)) return Learned::ignored;
    const std::size_t i = find(k);
    if (i == n_slots_) return Learned::ignored;  // RFC 4861 7.2.5: no entry: discard
    Meta& m = meta_[i];
    if (m.permanent) return Learned::updated;
    if (m.state == NeighState::incomplete || m.state == NeighState::failed) {
        m.state = solicited ? NeighState::reachable : NeighState::stale;
        m.mac = mac;
        m.probing = false;
        m.probes = 0;
        m.updated_ns = now_ns;
        publish(i);
        return Learned::resolved;
    }
    const bool same = m.mac == mac;
    if (!override_flag && !same) {
        // RFC 4861 7.2.5: keep the cached address; a REACHABLE entry becomes STALE.
        if (m.state == NeighState::reachable) {
            m.state = NeighState::stale;
            m.updated_ns = now_ns;
            publish(i);
        }
        return Learned::updated;
    }
    if (solicited) {  // reachability confirmed, with the (new) address
        m.state = NeighState::reachable;
        m.mac = mac;
        m.probing = false;
        m.probes = 0;
        m.updated_ns = now_ns;
        publish(i);
    } else if (!same) {  // unsolicited with override and a new address
        m.state = NeighState::stale;
        m.mac = mac;
        m.probing = false;
        m.probes = 0;
        m.updated_ns = now_ns;
        publish(i);
    }
    return Learned::updated;
}

Learned NeighborTable::learn_confirmation(const NeighKey& k, std::uint64_t now_ns) {
    // RFC 4861 7.2.5: a solicited advertisement without a Target Link-Layer Address option
    // (7.2.4 lets a unicast answer omit it) confirms the address we already have; it cannot
    // complete an entry that has none.
    const std::size_t i = find(k);
    if (i == n_slots_) return Learned::ignored;
    Meta& m = meta_[i];
    if (m.permanent) return Learned::updated;
    if (m.state != NeighState::reachable && m.state != NeighState::stale) return Learned::ignored;
    m.state = NeighState::reachable;
    m.probing = false;
    m.probes = 0;
    m.updated_ns = now_ns;
    publish(i);
    return Learned::updated;
}

bool NeighborTable::add_permanent(const NeighKey& k, const wire::MacAddr& mac,
                                  std::uint64_t now_ns) {
    if (!usable_mac(mac)) return false;
    std::size_t i = find(k);
    if (i == n_slots_) i = insert(k, now_ns);
    if (i == n_slots_) return false;
    Meta& m = meta_[i];
    m.state = NeighState::reachable;
    m.mac = mac;
    m.permanent = true;
    m.probing = false;
    m.probes = 0;
    m.updated_ns = now_ns;
    m.used_ns = now_ns;
    publish(i);
    return true;
}

bool NeighborTable::remove(const NeighKey& k) {
    const std::size_t i = find(k);
    if (i == n_slots_) return false;
    erase(i);
    return true;
}

NeighborTable::Step NeighborTable::advance(std::size_t i, std::uint64_t now_ns) {
    Meta& m = meta_[i];
    if (m.tag != tag_used || m.permanent) return {};
    switch (m.state) {
        case NeighState::incomplete:
            if (now_ns < m.next_ns) return {};
            if (m.probes < cfg_.mcast_probes) {  // RFC 4861 7.2.2: retransmit every RetransTimer
                ++m.probes;
                m.next_ns = now_ns + cfg_.retrans_ns;
                return {Action::probe, false, m.key, {}};
            }
            m.state = NeighState::failed;
            m.updated_ns = now_ns;
            publish(i);
            return {Action::fail, false, m.key, {}};
        case NeighState::reachable:
            if (now_ns < m.updated_ns + cfg_.reachable_ns) return {};
            m.state =
                NeighState::stale;  // RFC 4861 7.3.3: ReachableTime passed without confirmation
            m.updated_ns = now_ns;
            publish(i);
            return {};
        case NeighState::stale:
            if (m.probing) {
                if (now_ns < m.next_ns) return {};
                if (m.probes <
                    cfg_.ucast_probes) {  // RFC 4861 7.3.3 PROBE: unicast every RetransTimer
                    ++m.probes;
                    m.next_ns = now_ns + cfg_.retrans_ns;
                    return {Action::probe, true, m.key, m.mac};
                }
                m.state = NeighState::failed;
                m.mac = {};
                m.probing = false;
                m.updated_ns = now_ns;
                publish(i);
                return {Action::fail, false, m.key, {}};
            }
            if (now_ns >= (m.updated_ns > m.used_ns ? m.updated_ns : m.used_ns) + cfg_.gc_stale_ns)
                erase(i);
            return {};
        case NeighState::failed:
            if (now_ns >= m.updated_ns + cfg_.gc_stale_ns) erase(i);
            return {};
    }
    return {};
}

NeighInfo NeighborTable::info(std::size_t i, std::uint64_t now_ns) const noexcept {
    const Meta& m = meta_[i];
    const bool has_mac = m.state == NeighState::reachable || m.state == NeighState::stale;
    return {m.key,
            m.state,
            has_mac ? m.mac : wire::MacAddr{},
            m.probing,
            m.permanent,
            m.probes,
            now_ns > m.updated_ns ? now_ns - m.updated_ns : 0};
}

}  // namespace pw::route
