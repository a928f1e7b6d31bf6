#include "lib/icmp/icmp_error.hh"

#include <algorithm>
#include <cstring>

#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

std::size_t ErrorPlan::frame_len() const noexcept {
    const std::size_t ip = v6 ? wire::ipv6::header_len : wire::ipv4::min_header_len;
    return wire::eth::header_len + ip + wire::icmp::header_len + quote_len;
}

std::size_t copy_from_segments(std::span<const wire::ConstBytes> segments, std::size_t offset, wire::Bytes out) noexcept {
    std::size_t done = 0;
    for (const auto& seg : segments) {
        if (done == out.size()) break;
        if (offset >= seg.size()) {
            offset -= seg.size();
            continue;
        }
        const std::size_t n = std::min(seg.size() - offset, out.size() - done);
        std::memcpy(out.data() + done, seg.data() + offset, n);
        done += n;
        offset = 0;
    }
    return done;
}

std::size_t emit_error(wire::Bytes out, const ErrorPlan& p, std::span<const wire::ConstBytes> segments) noexcept {
    namespace eth = wire::eth;
    const std::size_t len = p.frame_len();
    eth::Repr{p.eth_dst, p.eth_src, p.v6 ? eth::type_ipv6 : eth::type_ipv4}.emit(out);
    const std::size_t ip_len = p.v6 ? wire::ipv6::header_len : wire::ipv4::min_header_len;
    const wire::Bytes l3 = out.subspan(eth::header_len, len - eth::header_len);
    const wire::Bytes msg = l3.subspan(ip_len);
    const auto msg_len = static_cast<std::uint16_t>(msg.size());
    wire::icmp::Repr{p.spec.type, p.spec.code, p.spec.word}.emit(msg);
    const std::size_t copied = copy_from_segments(segments, 0, msg.subspan(wire::icmp::header_len));
    if (copied < p.quote_len)  // the segments were shorter than planned: never send garbage
        std::memset(msg.data() + wire::icmp::header_len + copied, 0, p.quote_len - copied);
    const auto icmp = *wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp4_truncated);
    if (p.v6) {
        // RFC 4443 2.2: hop limit fresh; traffic class 0.
        wire::ipv6::Repr{p.src6, p.dst6, wire::ipv6::nh_icmp6, p.ttl, 0, 0, msg_len}.emit(l3);
        icmp.fill_checksum_v6(wire::pseudo_sum_v6(p.src6, p.dst6, msg_len, wire::ipv6::nh_icmp6));
    } else {
        // DF clear, as Linux's ICMP socket (IP_PMTUDISC_DONT): an error must not itself be lost
        // to a smaller MTU on the way back.
        wire::ipv4::Repr{p.src4, p.dst4, wire::ipv4::proto_icmp, p.ttl, p.tos, p.ident, 0, msg_len}.emit(l3);
        icmp.fill_checksum_v4();
    }
    return len;
}

}  // namespace pw::icmp
