// host_input with a full HostContext (its own policy, a deterministic rate limiter, counters)
// on scapy-built frames: the errors a host owes (Port Unreachable, Protocol Unreachable,
// Parameter Problem) planned by host_input and built by emit_error byte for byte as scapy
// builds them; the messages a host answers or ignores by policy (timestamp, broadcast echo,
// echo_ignore_*, redirects and obsolete requests, RFC 8335 PROBE) and what they count; and
// the per-destination limit seen through host_input.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lib/icmp/fast_path.hh"
#include "lib/icmp/forward.hh"
#include "lib/icmp/host_input.hh"
#include "lib/icmp/icmp_error.hh"
#include "lib/wire/checksum.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "tests/golden/vectors.hh"
#include "tests/unit/test_util.hh"

namespace {

using namespace pw::icmp;
namespace golden = pw::golden;
namespace wire = pw::wire;
using pw::test::cbytes;
using pw::test::ip4;
using pw::test::ip6;
using pw::test::mac;
using pw::test::same_bytes;
using Frame = std::span<const std::uint8_t>;

constexpr std::uint64_t sec = 1'000'000'000;
constexpr std::uint32_t utc_ms = 43'200'123;   // make_vectors.py's timestamp reply carries it
constexpr std::uint16_t first_ident = 0x2000;  // and its IPv4 errors this identification
constexpr std::size_t room = 2048;

// The interface make_vectors.py answers from (as host_input_test.cc): 02:00:00:00:00:01 with
// 198.18.0.1/24, 198.19.255.1/32, 2001:2::1/64, 2001:2:0:1::10/64, fe80::ff:fe00:1/64.
Iface make_iface() {
    Iface i;
    i.mac = pw::test::us_mac;
    EXPECT_TRUE(i.add_v4({pw::test::us4, 24}));
    EXPECT_TRUE(i.add_v4({pw::test::us4b, 32}));
    EXPECT_TRUE(i.add_v6({pw::test::us6, 64}));
    EXPECT_TRUE(i.add_v6({pw::test::us6b, 64}));
    i.add_link_local();
    return i;
}

ProbeIface probe_iface(const Iface* iface, std::uint32_t index, std::string_view name) {
    ProbeIface p;
    p.iface = iface;
    p.index = index;
    std::copy(name.begin(), name.end(), p.name.begin());
    return p;
}

// A host: the interface, two more for PROBE to find (port1 with IPv4 only; port2 sharing
// port1's 198.18.9.1), the policy, Linux's default limits in deterministic mode, counters.
struct Host {
    Iface iface = make_iface();
    Iface iface_b;
    Iface iface_c;
    HostPolicy policy{};
    SharedBucket global;
    RateLimiter limiter;
    IcmpStats stats{};
    std::uint16_t ident = first_ident;
    std::array<ProbeIface, 3> probes{};
    ErrorPlan plan;
    Sighting sighting;
    HostContext ctx;

    Host() {
        iface_b.mac = mac("02:00:00:00:00:0b");
        EXPECT_TRUE(iface_b.add_v4({ip4("198.18.9.1"), 24}));
        iface_c.mac = mac("02:00:00:00:00:0c");
        EXPECT_TRUE(iface_c.add_v4({ip4("198.18.9.1"), 24}));
        EXPECT_TRUE(iface_c.add_v6({ip6("2001:2:0:9::1"), 64}));
        probes = {probe_iface(&iface, 1, "port0"), probe_iface(&iface_b, 2, "port1"),
                  probe_iface(&iface_c, 3, "port2")};
        RateLimitConfig rc;
        rc.deterministic = true;
        global.configure(sec / rc.global_per_sec, rc.global_burst);
        limiter.configure(rc, &global, 7);
        ctx.iface = &iface;
        ctx.policy = &policy;
        ctx.limiter = &limiter;
        ctx.stats = &stats;
        ctx.now_ns = 5'000 * sec;
        ctx.utc_ms_of_day = utc_ms;
        ctx.ip_ident = &ident;
        ctx.probe_ifaces = probes;
        ctx.plan = &plan;
        ctx.sighting = &sighting;
    }
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;
};

struct Outcome {
    Verdict v;
    ErrorPlan plan;              // the plan slot after the call, when v.error == sent
    std::vector<std::byte> buf;  // room bytes: the frame, then 0xA5
    std::vector<std::byte> before;
    std::size_t frame_len = 0;
};

Outcome run(Host& h, Frame frame) {
    Outcome r;
    r.buf = pw::test::filled(room);
    std::copy(cbytes(frame).begin(), cbytes(frame).end(), r.buf.begin());
    r.before = r.buf;
    r.frame_len = frame.size();
    h.plan = ErrorPlan{};
    r.v = host_input(r.buf, frame.size(), h.ctx);
    r.plan = h.plan;
    return r;
}

std::string_view name(Drop d) {
    return wire::drop_name(d);
}

// Dropped for `reason`, owing an error that goes out; emit_error builds `want` from the frame
// left as it was, reading the quote from l3_from on.
void expect_error(Host& h, Frame frame, Drop reason, Frame want) {
    const Outcome r = run(h, frame);
    ASSERT_NE(r.v.next, Next::reply) << "answered as " << reply_name(r.v.kind);
    EXPECT_EQ(r.v.next, Next::error) << next_name(r.v.next);
    EXPECT_EQ(r.v.drop, reason) << "got " << name(r.v.drop) << ", want " << name(reason);
    ASSERT_EQ(r.v.error, ErrorOutcome::sent) << error_outcome_name(r.v.error);
    EXPECT_EQ(r.v.l3_from, wire::eth::header_len);
    EXPECT_TRUE(same_bytes(r.buf, r.before)) << "the invoking frame changed";
    const wire::ConstBytes segs[] = {
        wire::ConstBytes(r.buf).subspan(r.v.l3_from, r.frame_len - r.v.l3_from)};
    ASSERT_EQ(r.plan.frame_len(), want.size());
    auto out = pw::test::filled(want.size() + 32);
    ASSERT_EQ(emit_error(out, r.plan, segs), want.size());
    EXPECT_TRUE(same_bytes(wire::ConstBytes(out).first(want.size()), want));
    EXPECT_TRUE(pw::test::all_fill(wire::ConstBytes(out).subspan(want.size())));
}

// Dropped for `reason`, no error owed, nothing changed.
void expect_quiet_drop(Host& h, Frame frame, Drop reason) {
    const Outcome r = run(h, frame);
    EXPECT_EQ(r.v.next, Next::drop) << next_name(r.v.next);
    EXPECT_NE(r.v.next, Next::reply) << "answered as " << reply_name(r.v.kind);
    EXPECT_EQ(r.v.drop, reason) << "got " << name(r.v.drop) << ", want " << name(reason);
    EXPECT_FALSE(r.v.owes_error()) << error_outcome_name(r.v.error);
    EXPECT_TRUE(same_bytes(r.buf, r.before)) << "the frame changed";
}

void expect_reply(Host& h, Frame frame, Reply kind, Frame want) {
    const Outcome r = run(h, frame);
    ASSERT_EQ(r.v.next, Next::reply) << "dropped: " << name(r.v.drop);
    EXPECT_EQ(r.v.kind, kind) << reply_name(r.v.kind);
    ASSERT_EQ(r.v.len, want.size());
    EXPECT_TRUE(same_bytes(wire::ConstBytes(r.buf).first(r.v.len), want));
}

// --- UDP: Port Unreachable -----------------------------------------------------------------

TEST(HostErrorsUdp, ClosedPortV4) {
    Host h;
    expect_error(h, golden::he_udp4_closed, Drop::udp_port_closed, golden::he_udp4_closed_error);
    EXPECT_EQ(h.ident, first_ident + 1);  // the identification was taken from the counter
    // From the address the datagram was sent to.
    h.ident = first_ident;
    expect_error(h, golden::he_udp4_secondary, Drop::udp_port_closed,
                 golden::he_udp4_secondary_error);
    // Or from the interface's first, by policy.
    h.ident = first_ident;
    h.policy.errors.source = ErrorSource::ingress;
    expect_error(h, golden::he_udp4_secondary, Drop::udp_port_closed,
                 golden::he_udp4_secondary_error_ingress);
}

TEST(HostErrorsUdp, EthernetPaddingIsNotQuoted) {
    Host h;
    ASSERT_EQ(golden::he_udp4_padded.size(), 60U);
    expect_error(h, golden::he_udp4_padded, Drop::udp_port_closed, golden::he_udp4_padded_error);
}

TEST(HostErrorsUdp, ClosedPortV6) {
    Host h;
    expect_error(h, golden::he_udp6_closed, Drop::udp_port_closed, golden::he_udp6_closed_error);
    expect_error(h, golden::he_udp6_secondary, Drop::udp_port_closed,
                 golden::he_udp6_secondary_error);
}

TEST(HostErrorsUdp, OpenPortIsAcceptedSilently) {
    Host h;
    h.policy.udp_open.set(33434);
    expect_quiet_drop(h, golden::he_udp4_closed, Drop::udp_to_open_port);
    expect_quiet_drop(h, golden::he_udp6_closed, Drop::udp_to_open_port);
    // Another port is still closed.
    expect_error(h, golden::he_udp6_secondary, Drop::udp_port_closed,
                 golden::he_udp6_secondary_error);
    h.policy.udp_open.set(33435);
    expect_quiet_drop(h, golden::he_udp4_secondary, Drop::udp_to_open_port);
    expect_quiet_drop(h, golden::he_udp6_secondary, Drop::udp_to_open_port);
}

TEST(HostErrorsUdp, BadChecksumGetsNoError) {
    Host h;
    // RFC 1122 4.1.3.4: discarded without an error.
    expect_quiet_drop(h, golden::he_udp4_bad_checksum, Drop::udp_bad_checksum);
    expect_quiet_drop(h, golden::he_udp6_bad_checksum, Drop::udp_bad_checksum);
    // RFC 8200 8.1: zero is no checksum over IPv4, an invalid one over IPv6.
    expect_quiet_drop(h, golden::he_udp6_zero_checksum, Drop::udp_bad_checksum);
    const Outcome r = run(h, golden::he_udp4_no_checksum);
    EXPECT_EQ(r.v.drop, Drop::udp_port_closed);
    EXPECT_EQ(r.v.error, ErrorOutcome::sent);
    EXPECT_EQ(h.stats.errors[static_cast<std::size_t>(ErrorOutcome::rate_limited_host)], 0U);
}

// The plan is written only into the caller's slot. Without one an error that would go out
// cannot be built: it is counted as not sent (no_mbuf, OutErrors), and the frame is untouched.
TEST(HostErrorsUdp, NoPlanSlotCountsTheErrorAsNotSent) {
    Host h;
    h.ctx.plan = nullptr;
    const Outcome r4 = run(h, golden::he_udp4_closed);
    EXPECT_EQ(r4.v.next, Next::error) << next_name(r4.v.next);
    EXPECT_EQ(r4.v.drop, Drop::udp_port_closed) << name(r4.v.drop);
    EXPECT_EQ(r4.v.error, ErrorOutcome::no_mbuf) << error_outcome_name(r4.v.error);
    EXPECT_TRUE(same_bytes(r4.buf, r4.before));
    const Outcome r6 = run(h, golden::he_udp6_closed);
    EXPECT_EQ(r6.v.error, ErrorOutcome::no_mbuf) << error_outcome_name(r6.v.error);
    EXPECT_EQ(h.stats.errors[static_cast<std::size_t>(ErrorOutcome::no_mbuf)], 2U);
    EXPECT_EQ(h.stats.errors[static_cast<std::size_t>(ErrorOutcome::sent)], 0U);
    EXPECT_EQ(h.stats.v4.out_errors, 1U);
    EXPECT_EQ(h.stats.v6.out_errors, 1U);
    // A suppressed error is counted as it always is.
    const Outcome s = run(h, golden::he_udp4_directed_broadcast);
    EXPECT_EQ(s.v.error, ErrorOutcome::suppressed_ip_multicast) << error_outcome_name(s.v.error);
    // With the slot back, the same frame's error goes out again.
    h.ctx.plan = &h.plan;
    expect_error(h, golden::he_udp6_closed, Drop::udp_port_closed, golden::he_udp6_closed_error);
}

TEST(HostErrorsUdp, ToABroadcastOrMulticastAddressIsSuppressedAndCounted) {
    Host h;
    const Outcome r4 = run(h, golden::he_udp4_directed_broadcast);
    EXPECT_EQ(r4.v.drop, Drop::udp_port_closed) << name(r4.v.drop);
    EXPECT_EQ(r4.v.error, ErrorOutcome::suppressed_ip_multicast) << error_outcome_name(r4.v.error);
    const Outcome r6 = run(h, golden::he_udp6_allnodes);
    EXPECT_EQ(r6.v.drop, Drop::udp_port_closed) << name(r6.v.drop);
    EXPECT_EQ(r6.v.error, ErrorOutcome::suppressed_ip_multicast) << error_outcome_name(r6.v.error);
    EXPECT_EQ(h.stats.errors[static_cast<std::size_t>(ErrorOutcome::suppressed_ip_multicast)], 2U);
}

// --- Protocols and next headers we do not serve --------------------------------------------

TEST(HostErrorsProtocol, Ipv4ProtocolUnreachable) {
    Host h;
    // RFC 1122 3.2.2.1: an experimental protocol (TCP gets a reset: tcp_reset_test.cc).
    expect_error(h, golden::he_proto4_253, Drop::ip4_unhandled_protocol,
                 golden::he_proto4_253_error);
}

TEST(HostErrorsProtocol, Ipv6UnknownNextHeaderPointsAtItsField) {
    Host h;
    // RFC 8200 4, RFC 4443 3.4: code 1, the pointer at the Next Header field naming it: the
    // fixed header's (6), or the Destination Options header's (40).
    expect_error(h, golden::he_nh6_253, Drop::ip6_unhandled_next_header, golden::he_nh6_253_error);
    expect_error(h, golden::he_nh6_253_dstopt, Drop::ip6_unhandled_next_header,
                 golden::he_nh6_253_dstopt_error);
    const Outcome r = run(h, golden::he_nh6_253_dstopt);
    EXPECT_EQ(r.plan.spec.type, 4);
    EXPECT_EQ(r.plan.spec.code, 1);
    EXPECT_EQ(r.plan.spec.word, 40U);
}

TEST(HostErrorsProtocol, MalformedExtensionHeader) {
    Host h;
    // Code 0: Hdr Ext Len runs past the packet (the pointer at that length, 41); a header that
    // does not fit at all (the pointer at the Next Header field announcing it, 6).
    expect_error(h, golden::bad_ip6_ext_len_past, Drop::ip6_bad_ext_header,
                 golden::he_ext_len_past_error);
    expect_error(h, golden::bad_ip6_ext_truncated, Drop::ip6_bad_ext_header,
                 golden::he_ext_truncated_error);
    // RFC 8200 4.3: Hop-by-Hop not first is an unrecognised Next Header (code 1), pointing at
    // the Destination Options header's Next Header field.
    expect_error(h, golden::bad_ip6_hbh_not_first, Drop::ip6_bad_ext_header,
                 golden::he_hbh_not_first_error);
}

TEST(HostErrorsProtocol, UnrecognisedOptionByItsActionBits) {
    Host h;
    // RFC 8200 4.2, the two high-order bits of the option type. 00: skipped, the datagram
    // goes on to UDP (and about ff02::1 the Port Unreachable is suppressed).
    expect_error(h, golden::he_opt00_unicast, Drop::udp_port_closed,
                 golden::he_opt00_unicast_error);
    const Outcome r = run(h, golden::he_opt00_allnodes);
    EXPECT_EQ(r.v.drop, Drop::udp_port_closed) << name(r.v.drop);
    EXPECT_EQ(r.v.error, ErrorOutcome::suppressed_ip_multicast) << error_outcome_name(r.v.error);
    // 01: discarded quietly.
    expect_quiet_drop(h, golden::he_opt40_unicast, Drop::ip6_unknown_option);
    expect_quiet_drop(h, golden::he_opt40_allnodes, Drop::ip6_unknown_option);
    // 10: Parameter Problem code 2 at the option's type, also about a multicast destination
    // (RFC 4443 2.4(e.3)); from the address for the peer, as ff02::1 is no source.
    expect_error(h, golden::he_opt80_unicast, Drop::ip6_unknown_option,
                 golden::he_opt80_unicast_error);
    expect_error(h, golden::he_opt80_allnodes, Drop::ip6_unknown_option,
                 golden::he_opt80_allnodes_error);
    // 11: the same, but not about a multicast destination.
    expect_error(h, golden::he_optc0_unicast, Drop::ip6_unknown_option,
                 golden::he_optc0_unicast_error);
    expect_quiet_drop(h, golden::he_optc0_allnodes, Drop::ip6_unknown_option);
}

TEST(HostErrorsProtocol, NoNextHeaderIsQuiet) {
    Host h;
    expect_quiet_drop(h, golden::bad_ip6_no_next_header, Drop::ip6_no_next_header);
}

// --- IPv4 options (RFC 1122 3.2.1.8, 3.2.2.5) ------------------------------------------------

struct OptionCase {
    const char* name;
    Frame frame;
    Frame error;  // Parameter Problem code 0, its pointer at the octet at fault
};

// Malformed options owe Parameter Problem with the pointer Linux's __ip_options_compile
// gives: a length below 2 or past the header at the option's type, a pointer field out of
// range at the pointer, a full timestamp whose overflow counter is at 15 at the
// overflow/flag octet, a second Record Route at the second.
const OptionCase bad_options[] = {
    {"length 0", golden::he_opt4_len0, golden::he_opt4_len0_error},
    {"past the header", golden::he_opt4_past, golden::he_opt4_past_error},
    {"type in the last octet", golden::he_opt4_last_octet, golden::he_opt4_last_octet_error},
    {"record route pointer 3", golden::he_opt4_rr_ptr3, golden::he_opt4_rr_ptr3_error},
    {"record route slot past it", golden::he_opt4_rr_no_room, golden::he_opt4_rr_no_room_error},
    {"record route twice", golden::he_opt4_rr_twice, golden::he_opt4_rr_twice_error},
    {"timestamp length 3", golden::he_opt4_ts_short, golden::he_opt4_ts_short_error},
    {"timestamp pointer 4", golden::he_opt4_ts_ptr4, golden::he_opt4_ts_ptr4_error},
    {"timestamp overflow 15", golden::he_opt4_ts_overflow, golden::he_opt4_ts_overflow_error},
    {"timestamp with address, no room", golden::he_opt4_ts_addr_no_room,
     golden::he_opt4_ts_addr_no_room_error},
    {"timestamp flag 2, no room", golden::he_opt4_ts_flag2_no_room,
     golden::he_opt4_ts_flag2_no_room_error},
    {"router alert length 3", golden::he_opt4_ra_short, golden::he_opt4_ra_short_error},
    {"loose source route pointer 3", golden::he_opt4_lsrr_ptr3, golden::he_opt4_lsrr_ptr3_error},
};

TEST(HostErrorsIpv4Options, MalformedOwesParameterProblemAtTheOctet) {
    for (const auto& c : bad_options) {
        SCOPED_TRACE(c.name);
        Host h;
        expect_error(h, c.frame, Drop::ip4_bad_option, c.error);
        EXPECT_EQ(h.plan.spec.type, wire::icmpv4::parameter_problem);
        EXPECT_EQ(h.plan.spec.code, 0);
    }
}

TEST(HostErrorsIpv4Options, WellFormedAreAcceptedAndNotEchoed) {
    // RFC 1122 3.2.1.8: an option not implemented is ignored; a full record route or
    // timestamp (counting its overflow) and a router alert are well formed; what follows
    // End of Option List is padding.
    for (const Frame f : {Frame(golden::he_opt4_rr_full), Frame(golden::he_opt4_unknown),
                          Frame(golden::he_opt4_ts_full_counting),
                          Frame(golden::he_opt4_router_alert), Frame(golden::he_opt4_after_eol)}) {
        Host h;
        expect_reply(h, f, Reply::echo4_reply, golden::he_opt4_reply);
    }
}

TEST(HostErrorsIpv4Options, SourceRoutesAreDroppedQuietly) {
    // Linux's default (accept_source_route 0); RFC 7126 4.3, 4.4.
    Host h;
    expect_quiet_drop(h, golden::he_opt4_lsrr, Drop::ip4_source_route);
    expect_quiet_drop(h, golden::he_opt4_ssrr, Drop::ip4_source_route);
}

TEST(HostErrorsIpv4Options, EveryInputPathChecksThem) {
    // UDP (no Port Unreachable), a timestamp request (no reply), a first fragment (not
    // reassembled).
    for (const auto& c :
         {OptionCase{"udp", golden::he_opt4_len0_udp, golden::he_opt4_len0_udp_error},
          OptionCase{"timestamp", golden::he_opt4_len0_timestamp,
                     golden::he_opt4_len0_timestamp_error},
          OptionCase{"fragment", golden::he_opt4_len0_fragment,
                     golden::he_opt4_len0_fragment_error}}) {
        SCOPED_TRACE(c.name);
        Host h;
        expect_error(h, c.frame, Drop::ip4_bad_option, c.error);
    }
    // Not for us, as a host: dropped as not ours, no error.
    Host h;
    expect_quiet_drop(h, golden::he_opt4_len0_transit, Drop::ip4_not_for_us);
    // In transit, as a router: not routed; the router sends the error (from the ingress
    // interface, RFC 1812 4.3.2.4).
    RouterPolicy router;
    h.ctx.router = &router;
    expect_error(h, golden::he_opt4_len0_transit, Drop::ip4_bad_option,
                 golden::he_opt4_len0_transit_error);
    // The fast paths take IHL 5 only, so none of these reaches them.
    FastPolicy fp;
    fp.echo4 = fp.router = true;
    for (const auto& c : bad_options) {
        auto buf = pw::test::filled(room);
        std::copy(cbytes(c.frame).begin(), cbytes(c.frame).end(), buf.begin());
        EXPECT_EQ(echo4_fast(wire::Bytes(buf).first(c.frame.size()), h.iface, fp), 0U) << c.name;
        std::uint32_t dst = 0;
        EXPECT_FALSE(forward4_check(wire::ConstBytes(buf).first(c.frame.size()), h.ctx, fp, dst))
            << c.name;
    }
}

// --- ICMP a host answers or ignores --------------------------------------------------------

TEST(HostIcmpPolicy, TimestampReply) {
    Host h;
    expect_reply(h, golden::he_timestamp_req, Reply::timestamp_reply, golden::he_timestamp_reply);
    EXPECT_EQ(h.stats.v4.in_type[13], 1U);
    EXPECT_EQ(h.stats.v4.in_msgs, 1U);
    h.policy.timestamp_reply = false;  // --no-timestamp
    expect_quiet_drop(h, golden::he_timestamp_req, Drop::icmp4_timestamp_disabled);
    EXPECT_EQ(h.stats.v4.in_type[13], 2U);
}

TEST(HostIcmpPolicy, EchoToBroadcast) {
    Host h;
    // Ignored by default (icmp_echo_ignore_broadcasts=1).
    expect_quiet_drop(h, golden::bad_echo4_directed_broadcast, Drop::icmp4_echo_to_broadcast);
    expect_quiet_drop(h, golden::bad_echo4_limited_broadcast, Drop::icmp4_echo_to_broadcast);
    // Answered from the interface's address when allowed.
    h.policy.echo_ignore_broadcasts = false;
    expect_reply(h, golden::bad_echo4_directed_broadcast, Reply::echo4_reply,
                 golden::he_echo4_broadcast_reply);
    expect_reply(h, golden::bad_echo4_limited_broadcast, Reply::echo4_reply,
                 golden::he_echo4_broadcast_reply);
}

TEST(HostIcmpPolicy, EchoIgnoreAll) {
    Host h;
    expect_reply(h, golden::echo4_req, Reply::echo4_reply, golden::echo4_reply);
    h.policy.echo_ignore_all = true;
    expect_quiet_drop(h, golden::echo4_req, Drop::icmp4_echo_ignored);
    h.policy.echo_ignore_broadcasts = false;
    expect_quiet_drop(h, golden::bad_echo4_directed_broadcast, Drop::icmp4_echo_ignored);
    // IPv6 is its own sysctl.
    expect_reply(h, golden::echo6_req, Reply::echo6_reply, golden::echo6_reply);
    EXPECT_EQ(h.stats.v4.in_type[8], 3U);
}

TEST(HostIcmpPolicy, Echo6IgnoreAllAndMulticast) {
    Host h;
    h.policy.echo6_ignore_multicast = true;
    expect_quiet_drop(h, golden::echo6_allnodes_global_req, Drop::icmp6_echo_ignored);
    expect_quiet_drop(h, golden::echo6_allnodes_ll_req, Drop::icmp6_echo_ignored);
    expect_reply(h, golden::echo6_req, Reply::echo6_reply, golden::echo6_reply);
    h.policy.echo6_ignore_multicast = false;
    expect_reply(h, golden::echo6_allnodes_global_req, Reply::echo6_reply,
                 golden::echo6_allnodes_global_reply);
    h.policy.echo6_ignore_all = true;
    expect_quiet_drop(h, golden::echo6_req, Drop::icmp6_echo_ignored);
    expect_quiet_drop(h, golden::echo6_allnodes_global_req, Drop::icmp6_echo_ignored);
    // IPv4 is not affected.
    expect_reply(h, golden::echo4_req, Reply::echo4_reply, golden::echo4_reply);
    EXPECT_EQ(h.stats.v6.in_type[128], 6U);
}

TEST(HostIcmpPolicy, EchoRepliesAreNotRateLimitedByDefault) {
    Host h;
    for (int i = 0; i < 200; ++i) {
        const Outcome r = run(h, golden::echo4_req);
        ASSERT_EQ(r.v.next, Next::reply) << i << ": " << name(r.v.drop);
        const Outcome r6 = run(h, golden::echo6_req);
        ASSERT_EQ(r6.v.next, Next::reply) << i << ": " << name(r6.v.drop);
    }
    EXPECT_EQ(h.stats.v4.out_rate_limit_host + h.stats.v4.out_rate_limit_global, 0U);
}

TEST(HostIcmpPolicy, IgnoredMessagesAreCountedByType) {
    Host h;
    struct Case {
        const char* what;
        Frame frame;
        Drop reason;
        std::uint8_t type;
        bool v6;
    };
    const Case cases[] = {
        {"redirect", golden::he_redirect4, Drop::icmp4_redirect_ignored, 5, false},
        {"source quench", golden::he_source_quench4, Drop::icmp4_source_quench_ignored, 4, false},
        {"information request", golden::he_info_request4, Drop::icmp4_obsolete_request, 15, false},
        {"address mask request", golden::he_mask_request4, Drop::icmp4_obsolete_request, 17, false},
        {"destination unreachable", golden::bad_icmp4_unreachable, Drop::icmp4_error_received, 3,
         false},
        {"icmpv6 redirect", golden::bad_nd_redirect, Drop::icmp6_redirect_ignored, 137, true},
        {"icmpv6 destination unreachable", golden::bad_icmp6_unreachable,
         Drop::icmp6_error_received, 1, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        const IcmpMib& mib = c.v6 ? h.stats.v6 : h.stats.v4;
        const auto in_msgs = mib.in_msgs;
        expect_quiet_drop(h, c.frame, c.reason);
        EXPECT_EQ(mib.in_type[c.type], 1U);
        EXPECT_EQ(mib.in_msgs, in_msgs + 1);
        // Received errors and redirects owe nothing back, and are no input errors.
        EXPECT_EQ(mib.in_errors, 0U);
    }
}

TEST(HostIcmpPolicy, BadChecksumCounted) {
    Host h;
    expect_quiet_drop(h, golden::bad_icmp4_checksum, Drop::icmp4_bad_checksum);
    EXPECT_EQ(h.stats.v4.in_msgs, 1U);
    EXPECT_EQ(h.stats.v4.in_errors, 1U);
    EXPECT_EQ(h.stats.v4.in_csum_errors, 1U);
    EXPECT_EQ(h.stats.v4.in_type[8], 0U);  // not counted as an echo request
    expect_quiet_drop(h, golden::bad_icmp6_checksum, Drop::icmp6_bad_checksum);
    EXPECT_EQ(h.stats.v6.in_msgs, 1U);
    EXPECT_EQ(h.stats.v6.in_errors, 1U);
    EXPECT_EQ(h.stats.v6.in_csum_errors, 1U);
    EXPECT_EQ(h.stats.v6.in_type[128], 0U);
    EXPECT_EQ(h.stats.v4.in_errors, 1U);
}

// --- RFC 8335 PROBE ------------------------------------------------------------------------

TEST(HostProbe, FoundByNameIndexAndAddress) {
    Host h;
    h.policy.probe = true;
    // Code 0 with A (active), 4 (IPv4 running), 6 (IPv6 running): port0 has both, port1 IPv4.
    expect_reply(h, golden::he_probe4_name_req, Reply::probe4_reply, golden::he_probe4_name_reply);
    expect_reply(h, golden::he_probe4_index_req, Reply::probe4_reply,
                 golden::he_probe4_index_reply);
    expect_reply(h, golden::he_probe4_addr4_req, Reply::probe4_reply,
                 golden::he_probe4_addr4_reply);
    expect_reply(h, golden::he_probe4_addr6_req, Reply::probe4_reply,
                 golden::he_probe4_addr6_reply);
    EXPECT_EQ(h.stats.v4.in_type[42], 4U);
    EXPECT_EQ(h.stats.v4.in_errors, 0U);
}

TEST(HostProbe, NotFoundMalformedAndAmbiguous) {
    Host h;
    h.policy.probe = true;
    // RFC 8335 3: code 2 no such interface; code 4 several interfaces match (198.18.9.1 is
    // port1's and port2's); code 1 malformed query (L clear: proxy probing is not served).
    expect_reply(h, golden::he_probe4_nosuch_req, Reply::probe4_reply,
                 golden::he_probe4_nosuch_reply);
    expect_reply(h, golden::he_probe4_shared_req, Reply::probe4_reply,
                 golden::he_probe4_shared_reply);
    EXPECT_EQ(h.stats.v4.in_errors, 0U);
    expect_reply(h, golden::he_probe4_proxy_req, Reply::probe4_reply,
                 golden::he_probe4_proxy_reply);
    EXPECT_EQ(h.stats.v4.in_errors, 1U);
}

TEST(HostProbe, InterfaceDownIsNotActive) {
    Host h;
    h.policy.probe = true;
    h.probes[0].up = false;
    const Outcome r = run(h, golden::he_probe4_name_req);
    ASSERT_EQ(r.v.next, Next::reply) << name(r.v.drop);
    const wire::ConstBytes icmp = wire::ConstBytes(r.buf).subspan(34, r.v.len - 34);
    EXPECT_EQ(wire::load8(icmp, 0), 43);
    EXPECT_EQ(wire::load8(icmp, 1), 0);
    EXPECT_EQ(wire::load8(icmp, 7) & 0x04, 0);  // A clear
    EXPECT_EQ(wire::load16(icmp, 4), 0x1234);
    EXPECT_EQ(wire::load8(icmp, 6), 5);
    EXPECT_EQ(wire::ones_sum(icmp), 0xffff);
}

TEST(HostProbe, Ipv6ExtendedEcho) {
    Host h;
    h.policy.probe = true;
    // 160 -> 161, the checksum over the pseudo-header (scapy's ICMPv6 sum).
    expect_reply(h, golden::he_probe6_name_req, Reply::probe6_reply, golden::he_probe6_name_reply);
    EXPECT_EQ(h.stats.v6.in_type[160], 1U);
}

TEST(HostProbe, Disabled) {
    Host h;  // policy.probe is off by default, as Linux's icmp_echo_enable_probe
    expect_quiet_drop(h, golden::he_probe4_name_req, Drop::icmp4_probe_disabled);
    expect_quiet_drop(h, golden::he_probe6_name_req, Drop::icmp6_probe_disabled);
    EXPECT_EQ(h.stats.v4.in_type[42], 1U);
    EXPECT_EQ(h.stats.v6.in_type[160], 1U);
}

// --- Rate limits through host_input ---------------------------------------------------------

TEST(HostErrorsRateLimit, TenProbesToAClosedPortFromOneSource) {
    for (const bool v6 : {false, true}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        Host h;
        const Frame frame = v6 ? Frame(golden::he_udp6_closed) : Frame(golden::he_udp4_closed);
        int sent = 0, limited = 0;
        for (int i = 0; i < 10; ++i) {
            const Outcome r = run(h, frame);
            EXPECT_EQ(r.v.drop, Drop::udp_port_closed);
            if (r.v.error == ErrorOutcome::sent)
                ++sent;
            else if (r.v.error == ErrorOutcome::rate_limited_host)
                ++limited;
            else
                ADD_FAILURE() << error_outcome_name(r.v.error);
        }
        EXPECT_EQ(sent, 6);
        EXPECT_EQ(limited, 4);
        EXPECT_EQ(h.stats.errors[static_cast<std::size_t>(ErrorOutcome::rate_limited_host)], 4U);
        const IcmpMib& mib = v6 ? h.stats.v6 : h.stats.v4;
        const IcmpMib& other = v6 ? h.stats.v4 : h.stats.v6;
        EXPECT_EQ(mib.out_rate_limit_host, 4U);
        EXPECT_EQ(mib.out_rate_limit_global, 0U);
        EXPECT_EQ(other.out_rate_limit_host, 0U);
        // One more a second later, and only one.
        h.ctx.now_ns += sec;
        EXPECT_EQ(run(h, frame).v.error, ErrorOutcome::sent);
        EXPECT_EQ(run(h, frame).v.error, ErrorOutcome::rate_limited_host);
        EXPECT_EQ(mib.out_rate_limit_host, 5U);
    }
}

TEST(HostErrorsRateLimit, EachFamilyAndErrorShareTheSourcesBudget) {
    // Port and Protocol Unreachable to the same source draw on one budget.
    Host h;
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(run(h, golden::he_udp4_closed).v.error, ErrorOutcome::sent);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(run(h, golden::he_proto4_253).v.error, ErrorOutcome::sent);
    EXPECT_EQ(run(h, golden::he_udp4_secondary).v.error, ErrorOutcome::rate_limited_host);
    // Another source (the IPv6 peer) has its own.
    EXPECT_EQ(run(h, golden::he_nh6_253).v.error, ErrorOutcome::sent);
}

}  // namespace
