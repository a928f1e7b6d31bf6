#include <cstring>
#include <string_view>

#include "lib/icmp/steps.hh"
#include "lib/wire/icmp.hh"

namespace pw::icmp {

namespace {

// RFC 8335 2: the request's second word is Identifier (16), Sequence Number (8), Reserved
// (7), L (1). The reply's is Identifier, Sequence Number, State (3), Reserved (2), A, 4, 6.
constexpr std::uint32_t l_bit = 0x01;
constexpr std::uint32_t bit_active = 0x04;
constexpr std::uint32_t bit_ipv4 = 0x02;
constexpr std::uint32_t bit_ipv6 = 0x01;

// RFC 8335 3: reply codes.
constexpr std::uint8_t code_no_error = 0;
constexpr std::uint8_t code_malformed = 1;
constexpr std::uint8_t code_no_such_interface = 2;
constexpr std::uint8_t code_multiple = 4;

// RFC 4884 7: extension header version 2; RFC 8335 2.1: Interface Identification Object.
constexpr std::size_t ext_header_len = 4;
constexpr std::size_t obj_header_len = 4;
constexpr std::uint8_t class_interface_id = 3;
constexpr std::uint8_t ctype_name = 1;
constexpr std::uint8_t ctype_index = 2;
constexpr std::uint8_t ctype_address = 3;

// Finds the interfaces the object names: returns the match count and the first match.
struct Match {
    std::size_t count = 0;
    const ProbeIface* first = nullptr;
    void add(const ProbeIface& p) noexcept {
        if (count++ == 0) first = &p;
    }
};

bool lookup(wire::ConstBytes obj, std::uint8_t ctype, std::span<const ProbeIface> ifaces,
            Match& m) noexcept {
    const wire::ConstBytes body = obj.subspan(obj_header_len);
    switch (ctype) {
        case ctype_name: {
            std::size_t n = 0;
            while (n < body.size() && body[n] != std::byte{0}) ++n;
            const std::string_view name(reinterpret_cast<const char*>(body.data()), n);
            if (n == 0) return false;
            for (const auto& p : ifaces)
                if (name == std::string_view(p.name.data())) m.add(p);
            return true;
        }
        case ctype_index: {
            if (body.size() != 4) return false;
            const std::uint32_t idx = wire::load32(body, 0);
            for (const auto& p : ifaces)
                if (p.index == idx) m.add(p);
            return true;
        }
        case ctype_address: {
            // AFI (16), address length (8), reserved (8), address (RFC 8335 2.1).
            if (body.size() < 4) return false;
            const std::uint16_t afi = wire::load16(body, 0);
            const std::uint8_t alen = wire::load8(body, 2);
            if (afi == 1 && alen == 4 && body.size() >= 8) {
                const auto a = wire::load_bytes<Ipv4Addr>(body, 4);
                for (const auto& p : ifaces)
                    if (p.iface->owns_v4(a)) m.add(p);
                return true;
            }
            if (afi == 2 && alen == 16 && body.size() >= 20) {
                const auto a = wire::load_bytes<Ipv6Addr>(body, 4);
                for (const auto& p : ifaces)
                    if (p.iface->owns_v6(a)) m.add(p);
                return true;
            }
            return false;
        }
        default:
            return false;
    }
}

}  // namespace

// RFC 8335: answer an Extended Echo Request about one of our interfaces, named by name,
// index or address, in place (like Linux's icmp_build_probe, the request's body is kept).
// Only the local mode (L set) is served; a proxy query (L clear) is "Malformed Query".
Verdict probe_input(Frame& /*f*/, wire::Bytes msg, bool v6, const HostContext& ctx) noexcept {
    const auto ic = *wire::icmp::View<std::byte>::checked(msg, Drop::icmp4_truncated);
    const std::uint32_t word = ic.word();
    std::uint8_t code = code_malformed;
    std::uint32_t status = 0;
    const wire::Bytes ext = ic.data();
    // RFC 8335 4: well formed means L set, an extension structure of version 2, and exactly
    // one Interface Identification Object that fills it.
    if ((word & l_bit) != 0 && ext.size() >= ext_header_len + obj_header_len &&
        (wire::load8(ext, 0) >> 4) == 2) {
        const wire::Bytes obj = ext.subspan(ext_header_len);
        const std::size_t obj_len = wire::load16(obj, 0);
        Match m;
        if (obj_len == obj.size() && wire::load8(obj, 2) == class_interface_id &&
            lookup(obj.first(obj_len), wire::load8(obj, 3), ctx.probe_ifaces, m)) {
            if (m.count == 0) {
                code = code_no_such_interface;
            } else if (m.count > 1) {
                code = code_multiple;
            } else {
                code = code_no_error;
                // RFC 8335 3: the 4 and 6 bits say an active interface runs IPv4/IPv6; with
                // A clear they are clear too.
                if (m.first->up) {
                    status |= bit_active;
                    if (m.first->iface->n4 > 0) status |= bit_ipv4;
                    if (m.first->iface->n6 > 0) status |= bit_ipv6;
                }
            }
        }
    }
    if (code == code_malformed && ctx.stats != nullptr)
        ++(v6 ? ctx.stats->v6 : ctx.stats->v4).in_errors;
    ic.set_type(v6 ? 161 : 43);
    ic.set_code(code);
    ic.set_word((word & 0xffffff00U) | status);
    if (!v6) ic.fill_checksum_v4();
    return Verdict::answer(v6 ? Reply::probe6_reply : Reply::probe4_reply, msg.size());
}

}  // namespace pw::icmp
