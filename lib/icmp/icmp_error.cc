#include "lib/icmp/icmp_error.hh"

#include <algorithm>
#include <cstring>

#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ndp.hh"

namespace pw::icmp {

namespace {

// RFC 4861 4.5: Target and Destination Address after the 8-byte header.
constexpr std::size_t redirect_addrs_len = 32;
// RFC 4861 4.6.3: type, length, 6 reserved bytes, then the quote.
constexpr std::size_t redirected_hdr_len = 8;

bool is_redirect6(const ErrorPlan& p) noexcept {
    return p.v6 && p.spec.type == wire::icmpv6::redirect;
}

}  // namespace

std::size_t InterfaceInfo::name_len() const noexcept {
    std::size_t n = 0;
    while (n < name.size() - 1 && name[n] != '\0') ++n;
    return n;
}

std::size_t InterfaceInfo::object_len() const noexcept {
    std::size_t n = 4;  // RFC 4884 8: length, Class-Num, C-Type
    if (has_ifindex) n += 4;
    if (has_addr) n += 4 + (addr_v6 ? 16 : 4);  // RFC 5837 4.2: AFI, reserved, address
    // RFC 5837 4.3: length octet and name, a multiple of 4 bytes.
    if (const std::size_t nl = name_len(); nl > 0) n += (1 + nl + 3) & ~std::size_t{3};
    if (has_mtu) n += 4;
    return n;
}

std::size_t emit_extension(wire::Bytes out, const InterfaceInfo& info) noexcept {
    const std::size_t len = info.extension_len();
    const wire::Bytes ext = out.first(len);
    // RFC 4884 7: version in the high 4 bits, 12 reserved bits, checksum (filled last).
    wire::store8(ext, 0, static_cast<std::uint8_t>(rfc4884::version << 4));
    wire::store8(ext, 1, 0);
    wire::store16(ext, 2, 0);
    // RFC 4884 8 object header; RFC 5837 4.1 C-Type.
    auto ctype =
        static_cast<std::uint8_t>(static_cast<unsigned>(info.role) << rfc4884::ctype_role_shift);
    const std::size_t nl = info.name_len();
    if (info.has_ifindex) ctype |= rfc4884::ctype_ifindex;
    if (info.has_addr) ctype |= rfc4884::ctype_ipaddr;
    if (nl > 0) ctype |= rfc4884::ctype_name;
    if (info.has_mtu) ctype |= rfc4884::ctype_mtu;
    std::size_t at = InterfaceInfo::ext_header_len;
    wire::store16(ext, at, static_cast<std::uint16_t>(info.object_len()));
    wire::store8(ext, at + 2, rfc4884::class_interface_info);
    wire::store8(ext, at + 3, ctype);
    at += 4;
    // RFC 5837 4.1: the sub-objects in this order: ifIndex, IP Address, Name, MTU.
    if (info.has_ifindex) {
        wire::store32(ext, at, info.ifindex);
        at += 4;
    }
    if (info.has_addr) {
        wire::store16(ext, at, info.addr_v6 ? rfc4884::afi_ipv6 : rfc4884::afi_ipv4);
        wire::store16(ext, at + 2, 0);
        if (info.addr_v6)
            wire::store_bytes(ext, at + 4, info.a6);
        else
            wire::store_bytes(ext, at + 4, info.a4);
        at += 4 + (info.addr_v6 ? 16 : 4);
    }
    if (nl > 0) {
        // RFC 5837 4.3: the length counts itself and the name; zero bytes pad it to 4.
        const std::size_t sub = (1 + nl + 3) & ~std::size_t{3};
        wire::store8(ext, at, static_cast<std::uint8_t>(sub));
        std::memcpy(ext.data() + at + 1, info.name.data(), nl);
        std::memset(ext.data() + at + 1 + nl, 0, sub - 1 - nl);
        at += sub;
    }
    if (info.has_mtu) wire::store32(ext, at, info.mtu);
    wire::store16(ext, 2, wire::checksum(ext));
    return len;
}

std::size_t ErrorPlan::head_len() const noexcept {
    if (!is_redirect6(*this)) return 0;
    return redirect_addrs_len + (has_tlla ? wire::ndp::lladdr_opt_len : 0) + redirected_hdr_len;
}

std::size_t ErrorPlan::frame_len() const noexcept {
    const std::size_t ip = v6 ? wire::ipv6::header_len : wire::ipv4::min_header_len;
    const std::size_t l2 = wire::eth::header_len + (vlan_id != 0 ? wire::eth::vlan_tag_len : 0);
    return l2 + ip + wire::icmp::header_len + head_len() + quote_len + pad_len + ext_len;
}

std::size_t copy_from_segments(std::span<const wire::ConstBytes> segments, std::size_t offset,
                               wire::Bytes out) noexcept {
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

std::size_t emit_error(wire::Bytes out, const ErrorPlan& p,
                       std::span<const wire::ConstBytes> segments) noexcept {
    namespace eth = wire::eth;
    const std::size_t len = p.frame_len();
    const eth::Repr l2{p.eth_dst, p.eth_src, p.v6 ? eth::type_ipv6 : eth::type_ipv4, p.vlan_id,
                       p.vlan_id != 0};
    l2.emit(out);
    const std::size_t ip_len = p.v6 ? wire::ipv6::header_len : wire::ipv4::min_header_len;
    const wire::Bytes l3 = out.subspan(l2.header_len(), len - l2.header_len());
    const wire::Bytes msg = l3.subspan(ip_len);
    const auto msg_len = static_cast<std::uint16_t>(msg.size());
    wire::icmp::Repr{p.spec.type, p.spec.code, p.spec.word}.emit(msg);
    std::size_t at = wire::icmp::header_len;
    if (is_redirect6(p)) {
        // RFC 4861 4.5: the second word is reserved (zero), then Target, Destination, options.
        wire::store_bytes(msg, at, p.target6);
        wire::store_bytes(msg, at + 16, p.redirect_dst6);
        at += redirect_addrs_len;
        if (p.has_tlla) {
            wire::ndp::emit_lladdr_option(msg.subspan(at), wire::ndp::opt_target_lladdr, p.tlla);
            at += wire::ndp::lladdr_opt_len;
        }
        // RFC 4861 4.6.3: Redirected Header option, its length in units of 8 bytes.
        wire::store8(msg, at, wire::ndp::opt_redirected);
        wire::store8(msg, at + 1,
                     static_cast<std::uint8_t>((redirected_hdr_len + p.quote_len + p.pad_len) / 8));
        std::memset(msg.data() + at + 2, 0, redirected_hdr_len - 2);
        at += redirected_hdr_len;
    }
    const std::size_t copied = copy_from_segments(segments, 0, msg.subspan(at, p.quote_len));
    // Zeros after the quote: what the segments lacked (never send garbage), then the
    // planned padding (RFC 4884 4.1/4.2, RFC 4861 4.6.3).
    std::memset(msg.data() + at + copied, 0, p.quote_len - copied + p.pad_len);
    at += p.quote_len + p.pad_len;
    if (p.rfc4884 && p.ext != nullptr) {
        // RFC 4884 4.1 / 4.2: the length attribute counts the original datagram field in
        // 32-bit words (ICMPv4, sixth byte) or 64-bit words (ICMPv6, fifth byte).
        const std::size_t orig = p.quote_len + p.pad_len;
        if (p.v6)
            wire::store8(msg, rfc4884::length_offset_v6,
                         static_cast<std::uint8_t>(orig / rfc4884::word_v6));
        else
            wire::store8(msg, rfc4884::length_offset_v4,
                         static_cast<std::uint8_t>(orig / rfc4884::word_v4));
        emit_extension(msg.subspan(at), *p.ext);
    }
    const auto icmp = *wire::icmp::View<std::byte>::checked(msg, wire::Drop::icmp4_truncated);
    if (p.v6) {
        // RFC 4443 2.2: hop limit fresh; traffic class 0.
        wire::ipv6::Repr{p.src6, p.dst6, wire::ipv6::nh_icmp6, p.ttl, 0, 0, msg_len}.emit(l3);
        icmp.fill_checksum_v6(wire::pseudo_sum_v6(p.src6, p.dst6, msg_len, wire::ipv6::nh_icmp6));
    } else {
        // DF clear, as Linux's ICMP socket (IP_PMTUDISC_DONT): an error must not itself be lost
        // to a smaller MTU on the way back.
        wire::ipv4::Repr{p.src4, p.dst4, wire::ipv4::proto_icmp, p.ttl, p.tos, p.ident, 0, msg_len}
            .emit(l3);
        icmp.fill_checksum_v4();
    }
    return len;
}

}  // namespace pw::icmp
