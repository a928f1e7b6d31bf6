#include <cstring>

#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {
constexpr std::uint8_t reply_ttl = 64;
}

// ICMPv4 messages to us: verify, then answer echo (RFC 792, RFC 1122 3.2.2.6).
Verdict icmp4_input(Frame& f, const wire::ipv4::View<std::byte>& ip, bool to_broadcast,
                    const Iface& iface) noexcept {
    namespace ipv4 = wire::ipv4;
    namespace icmpv4 = wire::icmpv4;
    const auto ic = wire::icmp::View<std::byte>::checked(ip.payload(), Drop::icmp4_truncated);
    if (!ic) return Verdict::dropped(ic.reason());
    // RFC 1122 3.2.2: an ICMP message with a bad checksum is discarded.
    if (!ic->checksum_ok_v4()) return Verdict::dropped(Drop::icmp4_bad_checksum);
    if (ic->type() != icmpv4::echo_request) return Verdict::dropped(Drop::icmp4_unhandled_type);
    // RFC 1122 3.2.2.6: an echo to a broadcast address MAY be silently discarded; we do (as
    // Linux's icmp_echo_ignore_broadcasts=1), which keeps us out of Smurf amplification.
    if (to_broadcast) return Verdict::dropped(Drop::icmp4_echo_to_broadcast);

    // The reply keeps identifier, sequence and data; only the type changes, so the checksum
    // is updated incrementally (RFC 1624), as testpmd's icmpecho and lib/node do.
    const std::uint16_t old_word = ic->type_code_word();
    ic->set_type(icmpv4::echo_reply);
    ic->set_checksum(wire::checksum_update16(ic->checksum(), old_word, ic->type_code_word()));

    const auto src = ip.src();
    const auto dst = ip.dst();
    const std::size_t icmp_len = ic->bytes().size();
    const std::size_t hlen = ip.header_length();
    const wire::Bytes l3 = f.l3();
    // IP options of the request are not echoed: a reflected source route or record route
    // would be wrong on the way back (RFC 1122 3.2.2.6 lets the reply carry updated ones; we
    // send none). The message moves up to follow a 20-byte header.
    if (hlen > ipv4::min_header_len)
        std::memmove(l3.data() + ipv4::min_header_len, l3.data() + hlen, icmp_len);
    const std::size_t total = ipv4::min_header_len + icmp_len;
    // The view's header fields sit at fixed offsets, so it stays valid for the rewrite.
    ip.set_ihl(5);
    ip.set_total_length(static_cast<std::uint16_t>(total));
    ip.set_flags_frag(ip.dont_fragment() ? ipv4::flag_df : 0);
    ip.set_ttl(reply_ttl);
    ip.set_src(dst);
    ip.set_dst(src);
    ip.fill_checksum();
    f.reply_l2(f.eth_src, iface);
    return Verdict::answer(Reply::echo4_reply, f.l2_len + total);
}

}  // namespace pw::icmp
