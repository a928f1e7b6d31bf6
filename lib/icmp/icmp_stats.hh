// ICMP counters in the shape of Linux's SNMP tables (/proc/net/snmp Icmp, IcmpMsg and
// /proc/net/snmp6 Icmp6): In/Out totals, errors, checksum errors, rate-limit drops, and a
// count per ICMP type in each direction. One block per port and lcore, summed on read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/icmp/error_outcome.hh"

namespace pw::icmp {

struct IcmpMib {
    std::uint64_t in_msgs = 0;         // InMsgs: every ICMP message received, good or bad
    std::uint64_t in_errors = 0;       // InErrors: received with an error (truncated, bad sum)
    std::uint64_t in_csum_errors = 0;  // InCsumErrors
    std::uint64_t out_msgs = 0;        // OutMsgs: every ICMP message sent
    // OutErrors: could not be built (no mbuf). A built message the TX queue refuses is counted
    // by the runtime (BaseCounters::refused, kind generated or reply), as Linux counts OutMsgs
    // when a message is handed down, not when the device sends it.
    std::uint64_t out_errors = 0;
    std::uint64_t out_rate_limit_global = 0;    // OutRateLimitGlobal
    std::uint64_t out_rate_limit_host = 0;      // OutRateLimitHost
    std::array<std::uint64_t, 256> in_type{};   // IcmpMsg InTypeN / Icmp6InTypeN
    std::array<std::uint64_t, 256> out_type{};  // IcmpMsg OutTypeN / Icmp6OutTypeN

    void count_in(std::uint8_t type) noexcept {
        ++in_msgs;
        ++in_type[type];
    }
    void count_out(std::uint8_t type) noexcept {
        ++out_msgs;
        ++out_type[type];
    }
    IcmpMib& operator+=(const IcmpMib& o) noexcept;
};

// X(name, Linux's name for IPv4, for IPv6): the IP counters of RFC 4293's ipSystemStatsTable as
// nstat names them (/proc/net/snmp Ip and IpExt, /proc/net/snmp6 Ip6); "" where that family's
// table has no such counter. Counted where each datagram is decided (lib/icmp/ip_mib.hh says
// which drop reason lands where); the fast paths count their echo answers and forwarded
// packets in bulk.
#define PW_IP_COUNTERS(X)                                                                         \
    X(in_receives, "IpInReceives", "Ip6InReceives")                 /* from the link, all */      \
    X(in_hdr_errors, "IpInHdrErrors", "Ip6InHdrErrors")             /* header, TTL, options */    \
    X(in_addr_errors, "IpInAddrErrors", "Ip6InAddrErrors")          /* not to be received */      \
    X(forw_datagrams, "IpForwDatagrams", "Ip6OutForwDatagrams")     /* accepted to forward */     \
    X(in_unknown_protos, "IpInUnknownProtos", "Ip6InUnknownProtos") /* no such transport */       \
    X(in_discards, "IpInDiscards", "Ip6InDiscards")                 /* fine, dropped by policy */ \
    X(in_delivers, "IpInDelivers", "Ip6InDelivers")                 /* to ICMP, UDP, TCP */       \
    X(out_requests, "IpOutRequests", "Ip6OutRequests")              /* we originated */           \
    X(out_no_routes, "IpOutNoRoutes", "Ip6OutNoRoutes")                                           \
    X(reasm_timeout, "IpReasmTimeout", "Ip6ReasmTimeout")                                         \
    X(reasm_reqds, "IpReasmReqds", "Ip6ReasmReqds") /* fragments received */                      \
    X(reasm_oks, "IpReasmOKs", "Ip6ReasmOKs")       /* datagrams reassembled */                   \
    X(reasm_fails, "IpReasmFails", "Ip6ReasmFails")                                               \
    X(frag_oks, "IpFragOKs", "Ip6FragOKs")                                                        \
    X(frag_fails, "IpFragFails", "Ip6FragFails")                                                  \
    X(frag_creates, "IpFragCreates", "Ip6FragCreates")                                            \
    X(in_no_routes, "IpExtInNoRoutes", "Ip6InNoRoutes")                                           \
    X(in_truncated_pkts, "IpExtInTruncatedPkts", "Ip6InTruncatedPkts")                            \
    X(in_mcast_pkts, "IpExtInMcastPkts", "Ip6InMcastPkts")                                        \
    X(in_bcast_pkts, "IpExtInBcastPkts", "")                                                      \
    X(in_csum_errors, "IpExtInCsumErrors", "")                                                    \
    X(in_too_big_errors, "", "Ip6InTooBigErrors")

enum class IpCounter : std::uint8_t {
#define PW_X(name, v4, v6) name,
    PW_IP_COUNTERS(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t ip_counter_count = static_cast<std::size_t>(IpCounter::count_);

// Linux's name of counter c in the family's table; "" when the family has none.
constexpr const char* ip_counter_name(IpCounter c, bool v6) noexcept {
    switch (c) {
#define PW_X(name, v4n, v6n) \
    case IpCounter::name:    \
        return v6 ? v6n : v4n;
        PW_IP_COUNTERS(PW_X)
#undef PW_X
        case IpCounter::count_:
            break;
    }
    return "";
}

// One family's IP counters (RFC 4293 ipSystemStatsTable).
struct IpMib {
    std::array<std::uint64_t, ip_counter_count> n{};

    std::uint64_t& operator[](IpCounter c) noexcept { return n[static_cast<std::size_t>(c)]; }
    std::uint64_t operator[](IpCounter c) const noexcept { return n[static_cast<std::size_t>(c)]; }
    IpMib& operator+=(const IpMib& o) noexcept;
};

// X(name, Linux's name): TCP counters (RFC 4022 tcp group, /proc/net/snmp Tcp) for the segments
// to our addresses, none of which has a listener.
#define PW_TCP_COUNTERS(X)                                          \
    X(in_segs, "TcpInSegs")   /* received, errors included */       \
    X(out_segs, "TcpOutSegs") /* sent: the resets */                \
    X(out_rsts, "TcpOutRsts") /* resets sent (RFC 9293 3.10.7.1) */ \
    X(in_errs, "TcpInErrs")   /* truncated or bad checksum */       \
    X(in_csum_errors, "TcpInCsumErrors")

enum class TcpCounter : std::uint8_t {
#define PW_X(name, linux_name) name,
    PW_TCP_COUNTERS(PW_X)
#undef PW_X
        count_
};

inline constexpr std::size_t tcp_counter_count = static_cast<std::size_t>(TcpCounter::count_);

constexpr const char* tcp_counter_name(TcpCounter c) noexcept {
    switch (c) {
#define PW_X(name, linux_name) \
    case TcpCounter::name:     \
        return linux_name;
        PW_TCP_COUNTERS(PW_X)
#undef PW_X
        case TcpCounter::count_:
            break;
    }
    return "";
}

struct TcpMib {
    std::array<std::uint64_t, tcp_counter_count> n{};

    std::uint64_t& operator[](TcpCounter c) noexcept { return n[static_cast<std::size_t>(c)]; }
    std::uint64_t operator[](TcpCounter c) const noexcept { return n[static_cast<std::size_t>(c)]; }
    TcpMib& operator+=(const TcpMib& o) noexcept;
};

struct IcmpStats {
    IcmpMib v4;
    IcmpMib v6;
    // The IP layer beneath (Ip, Ip6) and TCP beside ICMP, counted by the same handlers.
    IpMib ip4;
    IpMib ip6;
    TcpMib tcp;
    // What became of every error owed (sent, or which suppression / limit stopped it).
    std::array<std::uint64_t, error_outcome_count> errors{};

    void count_outcome(bool v6_family, ErrorOutcome o) noexcept {
        if (o >= ErrorOutcome::count_) return;
        ++errors[static_cast<std::size_t>(o)];
        if (o == ErrorOutcome::rate_limited_global) ++(v6_family ? v6 : v4).out_rate_limit_global;
        if (o == ErrorOutcome::rate_limited_host) ++(v6_family ? v6 : v4).out_rate_limit_host;
    }
    IpMib& ip(bool v6_family) noexcept { return v6_family ? ip6 : ip4; }
    const IpMib& ip(bool v6_family) const noexcept { return v6_family ? ip6 : ip4; }
    IcmpStats& operator+=(const IcmpStats& o) noexcept;
};

}  // namespace pw::icmp
