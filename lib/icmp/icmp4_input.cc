#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {

// RFC 792 Timestamp: originate (set by the sender), receive, transmit, 32-bit each.
constexpr std::size_t timestamp_len = 20;
constexpr std::size_t ts_receive = 12;
constexpr std::size_t ts_transmit = 16;

// Replies are rate-limited only when their type is in the mask (Linux icmp_ratemask bit 0
// for echo replies; off by default).
bool reply_limited(const HostContext& ctx, std::uint8_t reply_type, const Ipv4Addr& to) noexcept {
    if (ctx.limiter == nullptr) return false;
    switch (ctx.limiter->check_v4(reply_type, to, ctx.now_ns)) {
        case RateVerdict::limited_global:
            ++ctx.stats->v4.out_rate_limit_global;
            return true;
        case RateVerdict::limited_host:
            ++ctx.stats->v4.out_rate_limit_host;
            return true;
        case RateVerdict::pass:
        case RateVerdict::exempt:
            break;
    }
    return false;
}

}  // namespace

// ICMPv4 messages to us: verify, count (Linux Icmp InMsgs/InErrors/InCsumErrors, IcmpMsg
// InTypeN), then answer echo and timestamp, PROBE when enabled; the rest is counted and
// dropped by name.
Verdict icmp4_input(Frame& f, const wire::ipv4::View<std::byte>& ip, bool to_broadcast,
                    const HostContext& ctx) noexcept {
    namespace icmpv4 = wire::icmpv4;
    IcmpMib& mib = ctx.stats->v4;
    const auto ic = wire::icmp::View<std::byte>::checked(ip.payload(), Drop::icmp4_truncated);
    if (!ic) {
        ++mib.in_msgs;
        ++mib.in_errors;
        return Verdict::dropped(ic.reason());
    }
    // RFC 1122 3.2.2: an ICMP message with a bad checksum is discarded.
    if (!ic->checksum_ok_v4()) {
        ++mib.in_msgs;
        ++mib.in_errors;
        ++mib.in_csum_errors;
        return Verdict::dropped(Drop::icmp4_bad_checksum);
    }
    const std::uint8_t type = ic->type();
    mib.count_in(type);
    const HostPolicy& pol = *ctx.policy;

    switch (type) {
        case icmpv4::echo_request: {
            if (pol.echo_ignore_all) return Verdict::dropped(Drop::icmp4_echo_ignored);
            // RFC 1122 3.2.2.6: an echo to a broadcast address MAY be silently discarded; by
            // default we do (icmp_echo_ignore_broadcasts=1), which keeps us out of Smurf
            // amplification.
            if (to_broadcast && pol.echo_ignore_broadcasts)
                return Verdict::dropped(Drop::icmp4_echo_to_broadcast);
            if (reply_limited(ctx, icmpv4::echo_reply, ip.src()))
                return Verdict::dropped(Drop::echo_rate_limited);
            // The reply keeps identifier, sequence and data; only the type changes, so the
            // checksum is updated incrementally (RFC 1624), as testpmd's icmpecho does.
            const std::uint16_t old_word = ic->type_code_word();
            ic->set_type(icmpv4::echo_reply);
            ic->set_checksum(
                wire::checksum_update16(ic->checksum(), old_word, ic->type_code_word()));
            // RFC 1624 4: the update cannot tell +0 from -0; a result of 0x0000 is recomputed
            // so the reply is the one a full sum gives (0xffff for an all-zero message).
            if (ic->checksum() == 0) ic->fill_checksum_v4();
            if (to_broadcast) {
                // Answered from the address of the interface, never from a broadcast address.
                if (ctx.iface->n4 == 0) return Verdict::dropped(Drop::icmp4_echo_to_broadcast);
                ip.set_dst(ctx.iface->v4[0].addr);
            }
            return Verdict::answer(Reply::echo4_reply,
                                   ip4_reply_in_place(f, ip, ic->bytes().size(), *ctx.iface));
        }
        case icmpv4::timestamp_request: {
            if (!pol.timestamp_reply) return Verdict::dropped(Drop::icmp4_timestamp_disabled);
            if (to_broadcast && pol.echo_ignore_broadcasts)
                return Verdict::dropped(Drop::icmp4_echo_to_broadcast);
            if (reply_limited(ctx, icmpv4::timestamp_reply, ip.src()))
                return Verdict::dropped(Drop::echo_rate_limited);
            if (ic->bytes().size() < timestamp_len) {
                ++mib.in_errors;
                return Verdict::dropped(Drop::icmp4_truncated);
            }
            // RFC 792: the reply carries the originate timestamp back, and our receive and
            // transmit times in milliseconds since midnight UT.
            const wire::Bytes m = ic->bytes().first(timestamp_len);
            ic->set_type(icmpv4::timestamp_reply);
            wire::store32(m, ts_receive, ctx.utc_ms_of_day);
            wire::store32(m, ts_transmit, ctx.utc_ms_of_day);
            const auto reply = *wire::icmp::View<std::byte>::checked(m, Drop::icmp4_truncated);
            reply.fill_checksum_v4();
            if (to_broadcast) {
                if (ctx.iface->n4 == 0) return Verdict::dropped(Drop::icmp4_echo_to_broadcast);
                ip.set_dst(ctx.iface->v4[0].addr);
            }
            return Verdict::answer(Reply::timestamp_reply,
                                   ip4_reply_in_place(f, ip, timestamp_len, *ctx.iface));
        }
        case 42:  // RFC 8335 Extended Echo Request
            if (!pol.probe) return Verdict::dropped(Drop::icmp4_probe_disabled);
            if (to_broadcast) return Verdict::dropped(Drop::icmp4_echo_to_broadcast);
            {
                const Verdict v = probe_input(f, ic->bytes(), false, ctx);
                if (v.next != Next::reply) return v;
                return Verdict::answer(Reply::probe4_reply,
                                       ip4_reply_in_place(f, ip, v.len, *ctx.iface));
            }
        case icmpv4::redirect:
            // A host may update its route cache from a Redirect (RFC 1122 3.2.2.2); we keep
            // no routes that a Redirect could change, so it is counted and ignored.
            return Verdict::dropped(Drop::icmp4_redirect_ignored);
        case icmpv4::source_quench:
            // RFC 6633: Source Quench is deprecated; hosts MUST silently ignore it.
            return Verdict::dropped(Drop::icmp4_source_quench_ignored);
        case 15:  // Information Request
        case 17:  // Address Mask Request
            // RFC 6918: formally deprecated; not answered.
            return Verdict::dropped(Drop::icmp4_obsolete_request);
        case icmpv4::dest_unreachable:
        case icmpv4::time_exceeded:
        case icmpv4::parameter_problem:
            return Verdict::dropped(Drop::icmp4_error_received);
        default:
            return Verdict::dropped(Drop::icmp4_unhandled_type);
    }
}

}  // namespace pw::icmp
