// What the handler targets (host_input_fuzz, reassembly_fuzz) share: a host with one port,
// its policy chosen by a selector byte, and the checks every verdict of the host and router
// handlers must pass (lib/icmp/verdict.hh): a reply within the room given, a drop reason
// exactly on the drops, an error planned only into a slot, and a planned error that quotes
// bytes that exist and is emitted within its own frame.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "lib/icmp/forward.hh"
#include "lib/icmp/host_input.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/wire/ethernet.hh"
#include "tests/fuzz/harness.hh"

namespace pw_fuzz {

// The host of the golden vectors (tests/unit/test_util.hh: what make_vectors.py addresses),
// so that the seeds reach the handlers: 198.18.0.1/24, 198.19.255.1/32, 2001:2::1/64,
// 2001:2:0:1::10/64 and the link-local address of 02:00:00:00:00:01.
inline pw::net::Iface golden_iface() {
    pw::net::Iface f;
    f.mac = {{0x02, 0, 0, 0, 0, 0x01}};
    f.add_v4({*pw::wire::Ipv4Addr::parse("198.18.0.1"), 24});
    f.add_v4({*pw::wire::Ipv4Addr::parse("198.19.255.1"), 32});
    f.add_link_local();
    f.add_v6({*pw::wire::Ipv6Addr::parse("2001:2::1"), 64});
    f.add_v6({*pw::wire::Ipv6Addr::parse("2001:2:0:1::10"), 64});
    return f;
}

// The router's other port: 198.18.1.1/24, 2001:2:0:2::1/64, MTU 1280.
inline pw::net::Iface egress_iface() {
    pw::net::Iface f;
    f.mac = {{0x02, 0, 0, 0, 0, 0x0b}};
    f.mtu = 1280;
    f.add_v4({*pw::wire::Ipv4Addr::parse("198.18.1.1"), 24});
    f.add_link_local();
    f.add_v6({*pw::wire::Ipv6Addr::parse("2001:2:0:2::1"), 64});
    return f;
}

struct HostWorld {
    pw::net::Iface iface = golden_iface();
    pw::icmp::HostPolicy policy;
    pw::icmp::RateLimiter limiter;
    pw::icmp::SharedBucket global;
    pw::icmp::IcmpStats stats;
    pw::net::Iface egress = egress_iface();
    pw::icmp::RouterPolicy router;
    pw::icmp::ProbeIface probe{};
    pw::icmp::InterfaceInfo ext4, ext6;
    pw::icmp::ErrorPlan plan;
    pw::icmp::Sighting sighting;
    std::uint16_t ident = 0;
    std::uint64_t now = 0;

    HostWorld() {
        policy.probe = true;  // reach every handler
        policy.udp_open.set(53);
        pw::icmp::RateLimitConfig rate;
        rate.host_table_sets = 4;
        global.configure(1'000'000, 50);
        limiter.configure(rate, &global, 1);
        probe.iface = &iface;
        probe.index = 1;
        std::memcpy(probe.name.data(), "port0", 6);
        for (auto* e : {&ext4, &ext6}) {
            e->has_ifindex = true;
            e->ifindex = 1;
            e->has_addr = true;
            e->has_mtu = true;
            e->mtu = 1500;
            std::memcpy(e->name.data(), "port0", 6);
        }
        ext4.a4 = iface.v4[0].addr;
        ext6.addr_v6 = true;
        ext6.a6 = iface.v6[1].addr;
    }

    // The policy a selector byte picks: where errors come from (bits 0-1), RFC 5837
    // extensions (bit 2) with a 128-byte original datagram (bit 3), echo to broadcast answered
    // (bit 4), timestamps not answered (bit 5), no rate limits (bit 6).
    pw::icmp::HostContext context(std::uint8_t policy_bits, bool router_mode) {
        using pw::icmp::ErrorSource;
        pw::icmp::ErrorConfig& ec = policy.errors;
        const unsigned src = policy_bits & 3U;
        ec.source = src == 1   ? ErrorSource::ingress
                    : src == 2 ? ErrorSource::fixed
                               : ErrorSource::invoking_dst;
        ec.fixed_v4 = *pw::wire::Ipv4Addr::parse("198.18.0.9");
        ec.fixed_v6 = *pw::wire::Ipv6Addr::parse("2001:2::9");
        ec.rfc4884_original_128 = (policy_bits & 8) != 0;
        policy.echo_ignore_broadcasts = (policy_bits & 0x10) == 0;
        policy.timestamp_reply = (policy_bits & 0x20) == 0;
        router.errors = ec;
        if (src == 0) router.errors.source = ErrorSource::ingress;
        router.send_redirects = true;

        pw::icmp::HostContext c;
        c.iface = &iface;
        c.policy = &policy;
        c.limiter = (policy_bits & 0x40) != 0 ? nullptr : &limiter;
        c.stats = &stats;
        c.now_ns = now += 1'000'000;
        c.ip_ident = &ident;
        c.probe_ifaces = {&probe, 1};
        c.plan = &plan;
        c.sighting = &sighting;
        if ((policy_bits & 4) != 0) {
            c.ext_v4 = &ext4;
            c.ext_v6 = &ext6;
        }
        if (router_mode) {
            c.router = &router;
            c.learns_neighbours = true;
        }
        return c;
    }
};

// An error plan emitted from the invoking packet's bytes (segments, from its IP header)
// writes exactly its frame, which is a valid Ethernet frame carrying IPv4 or IPv6.
inline void check_emit(const pw::icmp::ErrorPlan& plan,
                       std::span<const pw::wire::ConstBytes> segments) {
    std::vector<std::byte> out(plan.frame_len() + 16, std::byte{0xa5});
    const std::size_t n = pw::icmp::emit_error({out.data(), plan.frame_len()}, plan, segments);
    check(n == plan.frame_len());
    for (std::size_t i = n; i < out.size(); ++i) check(out[i] == std::byte{0xa5});
    const auto e =
        pw::wire::eth::View<const std::byte>::checked(pw::wire::ConstBytes{out}.first(n));
    check(e.ok());
    if (plan.v6) {
        const auto ip = pw::wire::ipv6::View<const std::byte>::checked(e->payload());
        check(ip.ok() && ip->bytes().size() <= pw::icmp::max_error_len_v6);
    } else {
        const auto ip = pw::wire::ipv4::View<const std::byte>::checked(e->payload());
        check(ip.ok() && ip->header_checksum_ok() &&
              ip->bytes().size() <= pw::icmp::max_error_len_v4);
    }
}

// The verdict of a handler over frame (size bytes of buf, the rest of buf its room); before:
// the frame as it came in (an error quotes that). has_slots: the context had a plan slot.
inline void check_verdict(const pw::icmp::Verdict& v, std::size_t size, std::size_t room,
                          pw::wire::ConstBytes before, const pw::icmp::ErrorPlan& plan,
                          bool has_slots) {
    using pw::icmp::Next;
    check(v.next < Next::count_);
    if (v.next == Next::reply) check(v.len <= room && v.len >= pw::wire::eth::header_len);
    // Exactly the drops (with or without an error owed) carry a reason.
    const bool dropped = v.next == Next::drop || v.next == Next::error;
    check(dropped == (v.drop != pw::wire::Drop::count_));
    check((v.next == Next::error) == (dropped && v.owes_error()));
    if (v.next != Next::forward && v.next != Next::error) check(!v.owes_error());
    if (v.error_to_send()) {
        check(has_slots);
        check(v.l3_from + plan.quote_len <= size);
        const pw::wire::ConstBytes seg[1] = {before.subspan(v.l3_from)};
        check_emit(plan, seg);
    }
}

}  // namespace pw_fuzz
