// libFuzzer target: the IPv4 header view (lib/wire/ipv4.hh) and the option checks
// (lib/wire/ipv4_options.hh) over arbitrary bytes. Asserts: the view's checks (version, IHL,
// total length) hold for what it accepts and it spans exactly the total length; its header,
// options and payload tile it; the header checksum agrees with a plain RFC 1071 sum; a bad
// option's pointer names an octet of the options; an option-less header goes through the value
// form unchanged but for its checksum, which the value form recomputes.
#include <array>
#include <cstring>

#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv4_options.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ConstBytes in = pw_fuzz::input(data, size);
    const auto v = ipv4::View<const std::byte>::checked(in);
    if (!v) {
        check(v.reason() == Drop::ip4_truncated || v.reason() == Drop::ip4_bad_version ||
              v.reason() == Drop::ip4_bad_ihl || v.reason() == Drop::ip4_bad_total_length);
        return 0;
    }
    const std::size_t hlen = v->header_length();
    check(hlen >= ipv4::min_header_len && hlen <= ipv4::max_header_len);
    check(v->bytes().data() == in.data() && v->bytes().size() == v->total_length());
    check(v->total_length() >= hlen && v->total_length() <= size);
    check(v->header().size() == hlen && v->options().size() == hlen - ipv4::min_header_len);
    check(v->payload().data() == in.data() + hlen &&
          v->payload().size() == v->total_length() - hlen);
    check(v->header_checksum_ok() == (pw_fuzz::reference_sum({v->header()}) == 0xffff));
    check(v->frag_offset() <= 0x1fff * 8);
    pw_fuzz::sink(v->tos() + v->ident() + v->ttl() + v->protocol() + v->checksum() +
                  v->src().to_u32() + v->dst().to_u32() + v->is_fragment() + v->dont_fragment());

    const ipv4::OptionCheck oc = ipv4::check_options(v->header());
    if (!oc.ok) check(oc.pointer >= ipv4::min_header_len && oc.pointer < hlen);
    if (hlen == ipv4::min_header_len) check(oc.ok && !oc.source_route);

    if (hlen == ipv4::min_header_len) {
        const ipv4::Repr r{v->src(),
                           v->dst(),
                           v->protocol(),
                           v->ttl(),
                           v->tos(),
                           v->ident(),
                           load16(in, ipv4::field::flags_frag),
                           static_cast<std::uint16_t>(v->total_length() - hlen)};
        std::array<std::byte, ipv4::min_header_len> out;
        r.emit(out);
        // The same header with a good checksum (compared apart: a good one in the input may
        // differ from it as 0x0000 and 0xffff do, RFC 1624 3).
        check(pw_fuzz::reference_sum({out}) == 0xffff);
        check(std::memcmp(out.data(), in.data(), ipv4::field::checksum) == 0);
        check(std::memcmp(out.data() + ipv4::field::src, in.data() + ipv4::field::src, 8) == 0);
    }
    return 0;
}
