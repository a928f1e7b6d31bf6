// The neighbour table of router mode: IPv4 ARP (RFC 826) and IPv6 Neighbor Discovery (RFC 4861)
// entries, keyed by (port, family, address), with the RFC 4861 7.3.2 states simplified to four.
//
//   incomplete  resolving: multicast/broadcast probes every retrans_ns, mcast_probes of them
//               (RFC 4861 7.2.2, Linux mcast_solicit 3); then failed, and fail() is called
//   reachable   confirmed (a solicited advertisement / ARP reply) less than reachable_ns ago
//   stale       has a MAC that is not confirmed: still used for forwarding. want() on it starts
//               a re-probe (RFC 4861 DELAY then PROBE): after delay_first_probe_ns, ucast_probes
//               unicast probes retrans_ns apart; no answer: failed, and fail() is called
//   failed      resolution failed: the caller answers Destination Unreachable (address / host);
//               want() on it resolves again (Linux NUD_FAILED does the same on a new packet)
//
// Failed entries, and stale ones nobody wanted for gc_stale_ns, are removed (Linux gc_stale_time).
// A new entry that finds the table full takes the place of the failed entry that failed longest
// ago, else of a stale one nobody wanted for 5 s (Linux neigh_forced_gc); only when there is
// neither is the table full.
//
// Threads: one writer, the control (main) lcore, calls everything but lookup() and size(); any
// number of readers (worker lcores) call lookup() at the same time, without locks: see the
// comment on Slot in neighbors.cc for the memory ordering.
//
// Which input calls what (the caller has validated the packet: hop limit 255, no DAD or ARP probe
// sources, i.e. never learn from :: or 0.0.0.0, RFC 4861 7.2.3 / RFC 5227 2.1.1):
//   ARP request for one of our addresses, NS with a Source Link-Layer option  learn_solicitation
//   ARP reply to one of our addresses                learn_advertisement(true, true)
//   NA with a Target Link-Layer option               learn_advertisement(S flag, O flag)
//   any other ARP (gratuitous, requests for others)  learn_advertisement(false, true): RFC 826
//                                                    "merge": updates an existing entry only
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/wire/addr.hh"

namespace pw::route {

enum class NeighState : std::uint8_t { incomplete, reachable, stale, failed };
const char* to_string(NeighState s) noexcept;

enum class Family : std::uint8_t { v4 = 1, v6 = 2 };

struct NeighKey {
    std::uint16_t port = 0;
    Family family = Family::v4;
    wire::Ipv4Addr v4;  // family v4
    wire::Ipv6Addr v6;  // family v6

    static NeighKey of(std::uint16_t port, const wire::Ipv4Addr& a) noexcept {
        return {port, Family::v4, a, {}};
    }
    static NeighKey of(std::uint16_t port, const wire::Ipv6Addr& a) noexcept {
        return {port, Family::v6, {}, a};
    }
    std::string to_string() const;  // "port 1 198.18.1.2"
    friend bool operator==(const NeighKey&, const NeighKey&) = default;
};

struct NeighView {
    bool found = false;  // a permanent entry reads as reachable
    NeighState state = NeighState::incomplete;
    bool probing = false;  // stale and a re-probe is under way: no need to want() it again
    wire::MacAddr mac;     // zero unless reachable or stale
};

// One entry, for a --stats dump (control lcore).
struct NeighInfo {
    NeighKey key;
    NeighState state = NeighState::incomplete;
    wire::MacAddr mac;
    bool probing = false;
    bool permanent = false;    // --neigh: never probed, aged or relearnt
    unsigned probes = 0;       // probes sent in the current round
    std::uint64_t age_ns = 0;  // since the last change of state or MAC, or confirmation
};

// Times in nanoseconds of the caller's clock (the TSC converted, or a test clock). Defaults are
// Linux's (net.ipv4.neigh.default.* / net.ipv6.neigh.default.*) and RFC 4861 10.
struct NeighborConfig {
    std::uint64_t retrans_ns = 1'000'000'000;     // retrans_time_ms, RETRANS_TIMER
    unsigned mcast_probes = 3;                    // mcast_solicit, MAX_MULTICAST_SOLICIT
    unsigned ucast_probes = 3;                    // ucast_solicit, MAX_UNICAST_SOLICIT
    std::uint64_t reachable_ns = 30'000'000'000;  // base_reachable_time_ms (not randomised)
    // delay_first_probe_time, DELAY_FIRST_PROBE_TIME
    std::uint64_t delay_first_probe_ns = 5'000'000'000;
    std::uint64_t gc_stale_ns = 60'000'000'000;  // gc_stale_time
};

// What a learn_* call did.
enum class Learned : std::uint8_t {
    ignored,   // no such entry and this input does not create one (RFC 4861 7.2.5), or a bad MAC
    updated,   // the entry exists with what the packet said (created, changed or confirmed)
    resolved,  // an incomplete or failed entry got its MAC: send what was held for it
    full,      // the packet would have created an entry but the table is full
};

class NeighborTable {
public:
    NeighborTable() = default;
    ~NeighborTable();
    NeighborTable(const NeighborTable&) = delete;
    NeighborTable& operator=(const NeighborTable&) = delete;

    // Control path: capacity entries at most (1..2^22), in DPDK memory named after name. Needs the
    // EAL. Returns an error line.
    std::optional<std::string> init(const std::string& name, unsigned capacity,
                                    const NeighborConfig& cfg = {});

    // Any lcore, lock-free, no writes (init must happen before the readers start, e.g. before
    // rte_eal_remote_launch). Not found also when the writer was in the middle of
    // changing the entry for longer than a few hundred pause loops (it was preempted): the caller
    // treats it as unknown and asks again.
    NeighView lookup(const NeighKey& k) const noexcept;
    NeighView lookup(std::uint16_t port, const wire::Ipv4Addr& a) const noexcept {
        return lookup(NeighKey::of(port, a));
    }
    NeighView lookup(std::uint16_t port, const wire::Ipv6Addr& a) const noexcept {
        return lookup(NeighKey::of(port, a));
    }

    // Control lcore only. A packet needs this neighbour: creates an incomplete entry whose first
    // probe the next tick() sends, starts the re-probe of a stale one, restarts a failed one,
    // and marks the entry used. False only when the entry is new and the table is full (the
    // caller counts a drop).
    bool want(const NeighKey& k, std::uint64_t now_ns);
    bool want(std::uint16_t port, const wire::Ipv4Addr& a, std::uint64_t now_ns) {
        return want(NeighKey::of(port, a), now_ns);
    }
    bool want(std::uint16_t port, const wire::Ipv6Addr& a, std::uint64_t now_ns) {
        return want(NeighKey::of(port, a), now_ns);
    }

    // Control lcore only. RFC 4861 7.2.3 / RFC 826: the sender of a solicitation for one of our
    // addresses. Creates the entry (stale) or, if the MAC differs, updates it and makes it stale.
    Learned learn_solicitation(const NeighKey& k, const wire::MacAddr& mac, std::uint64_t now_ns);
    // Control lcore only. RFC 4861 7.2.5: an advertisement (ARP reply, NA). Only existing entries:
    // incomplete/failed -> reachable if solicited, else stale; with a different MAC and no
    // override, a reachable entry only turns stale; otherwise the MAC is taken, solicited ->
    // reachable, unsolicited and changed -> stale.
    Learned learn_advertisement(const NeighKey& k, const wire::MacAddr& mac, bool solicited,
                                bool override_flag, std::uint64_t now_ns);

    // Control lcore only. A solicited NA without a link-layer option: the cached address is
    // confirmed reachable.
    Learned learn_confirmation(const NeighKey& k, std::uint64_t now_ns);
    // Control lcore only. A permanent entry (`ip neigh add ... nud permanent`): reachable with
    // mac, never probed, aged or collected, and not changed by what is heard on the wire (Linux
    // NUD_PERMANENT). Replaces whatever entry the key had. False when the table is full or the
    // MAC is not a unicast one.
    bool add_permanent(const NeighKey& k, const wire::MacAddr& mac, std::uint64_t now_ns);
    // Control lcore only. Drops the entry; false if there was none.
    bool remove(const NeighKey& k);

    // Control lcore only: run the timers. Call it often (every 10-100 ms); times are exact to
    // the tick. probe(const NeighKey&, const wire::MacAddr* unicast) sends one ARP request / NS:
    // unicast null means broadcast ARP / NS to the solicited-node group, else unicast to that MAC.
    // fail(const NeighKey&) reports an entry that has just failed. Both may call this table.
    template <class Probe, class Fail>
    void tick(std::uint64_t now_ns, Probe&& probe, Fail&& fail) {
        for (std::size_t i = 0; i < n_slots_; ++i) {
            const Step s = advance(i, now_ns);
            if (s.action == Action::probe)
                probe(s.key, s.unicast ? &s.mac : nullptr);
            else if (s.action == Action::fail)
                fail(s.key);
        }
    }

    // Control lcore only: every entry, in table order.
    template <class F>
    void for_each(std::uint64_t now_ns, F&& f) const {
        for (std::size_t i = 0; i < n_slots_; ++i)
            if (meta_[i].tag == tag_used) f(info(i, now_ns));
    }

    // Any lcore.
    std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }
    // Control lcore: entries a new one took the place of, the table being full.
    std::uint64_t reclaimed() const noexcept { return reclaimed_; }
    // A stale entry nobody wanted for this long may give its place to a new one (Linux's
    // neigh_forced_gc spares entries updated in the last 5 s).
    static constexpr std::uint64_t reclaim_idle_ns = 5'000'000'000;
    const NeighborConfig& config() const noexcept { return cfg_; }

    struct Slot;  // the published, lock-free readable copy of one entry (neighbors.cc)

private:
    enum class Action : std::uint8_t { none, probe, fail };
    struct Step {
        Action action = Action::none;
        bool unicast = false;
        NeighKey key;
        wire::MacAddr mac;
    };
    // The writer's own copy of each slot, with the timers (control lcore only).
    struct Meta {
        NeighKey key;
        wire::MacAddr mac;
        std::uint8_t tag = 0;
        NeighState state = NeighState::incomplete;
        bool probing = false;
        bool permanent = false;
        std::uint8_t probes = 0;
        std::uint64_t updated_ns = 0;  // state or MAC changed, or confirmed
        std::uint64_t used_ns = 0;     // last want()
        std::uint64_t next_ns = 0;     // next probe (incomplete, or stale and probing)
    };
    static constexpr std::uint8_t tag_empty = 0;  // never used since the last clean-up
    static constexpr std::uint8_t tag_used = 1;
    static constexpr std::uint8_t tag_dead = 2;  // removed: lookups probe past it

    std::uint64_t hash(const NeighKey& k) const noexcept;
    std::size_t find(const NeighKey& k) const noexcept;  // control: slot index or n_slots_
    // control: n_slots_ when full and nothing could be reclaimed
    std::size_t insert(const NeighKey& k, std::uint64_t now_ns);
    bool reclaim(std::uint64_t now_ns) noexcept;  // control: frees one entry (see the top)
    void erase(std::size_t i) noexcept;
    void publish(std::size_t i) noexcept;
    Step advance(std::size_t i, std::uint64_t now_ns);
    NeighInfo info(std::size_t i, std::uint64_t now_ns) const noexcept;

    NeighborConfig cfg_;
    Slot* slots_ = nullptr;
    std::vector<Meta> meta_;
    std::size_t n_slots_ = 0;  // a power of two, at least twice the capacity
    std::size_t capacity_ = 0;
    std::uint64_t seed_ = 0;
    std::atomic<std::size_t> size_{0};
    std::atomic<std::uint32_t> max_dist_{0};  // longest probe distance any insert used
    std::uint64_t reclaimed_ = 0;
};

}  // namespace pw::route
