#include "lib/wire/ipv4_options.hh"

namespace pw::wire::ipv4 {

namespace {

constexpr std::size_t options_start = 20;

OptionCheck bad(std::size_t at) noexcept {
    return {false, static_cast<std::uint8_t>(at), false};
}

}  // namespace

OptionCheck check_options(ConstBytes header) noexcept {
    OptionCheck out;
    bool seen_rr = false;
    bool seen_ts = false;
    const std::size_t end = header.size();
    std::size_t i = options_start;
    while (i < end) {
        const std::uint8_t type = load8(header, i);
        // RFC 791: End of Option List ends the walk (what follows is padding); No Operation
        // is one octet.
        if (type == opt_end) break;
        if (type == opt_nop) {
            ++i;
            continue;
        }
        // Every other option has a length octet counting type and length (RFC 791 3.1 case
        // 2): at least 2 and within the header, else the option is at fault.
        const std::size_t left = end - i;
        if (left < 2) return bad(i);
        const std::size_t len = load8(header, i + 1);
        if (len < 2 || len > left) return bad(i);
        const std::size_t ptr = len >= 3 ? load8(header, i + 2) : 0;
        switch (type) {
            case opt_lsrr:
            case opt_ssrr:
                // RFC 791: the pointer (1-based, relative to the option) is at least 4; RFC
                // 1812 5.2.4.1: one source route per datagram.
                if (len < 3) return bad(i + 1);
                if (ptr < 4) return bad(i + 2);
                if (out.source_route) return bad(i);
                out.source_route = true;
                break;
            case opt_record_route:
                // RFC 791 Record Route: one per datagram, pointer at least 4; when the route
                // is not full, the next slot (4 octets) lies within the option.
                if (seen_rr) return bad(i);
                seen_rr = true;
                if (len < 3) return bad(i + 1);
                if (ptr < 4) return bad(i + 2);
                if (ptr <= len && ptr + 3 > len) return bad(i + 2);
                break;
            case opt_timestamp: {
                // RFC 791 Internet Timestamp: length at least 4, pointer at least 5; when not
                // full, the next entry (4 octets, or 8 with an address) fits; when full, the
                // overflow counter (high nibble of octet 4) must not be at its limit (15).
                if (seen_ts) return bad(i);
                seen_ts = true;
                if (len < 4) return bad(i + 1);
                if (ptr < 5) return bad(i + 2);
                const std::uint8_t oflw_flg = load8(header, i + 3);
                const std::uint8_t flag = oflw_flg & 0x0fU;
                constexpr std::uint8_t ts_and_addr = 1, ts_prespec = 3;
                if (ptr <= len) {
                    // At least a 4-octet entry whatever the flag; 8 with an address.
                    const std::size_t entry = flag == ts_and_addr || flag == ts_prespec ? 8 : 4;
                    if (ptr + entry - 1 > len) return bad(i + 2);
                } else if (flag != ts_prespec && (oflw_flg >> 4) == 15) {
                    return bad(i + 3);
                }
                break;
            }
            case opt_router_alert:
                // RFC 2113: 4 octets.
                if (len < 4) return bad(i + 1);
                break;
            default:
                break;
        }
        i += len;
    }
    return out;
}

}  // namespace pw::wire::ipv4
