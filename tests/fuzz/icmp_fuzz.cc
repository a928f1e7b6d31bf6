// libFuzzer target: the ICMP / ICMPv6 view (lib/wire/icmp.hh) over arbitrary bytes. The first
// 32 input bytes are the IPv6 source and destination of the pseudo-header (RFC 4443 2.3), the
// rest the message. Asserts: the view spans the message; both checksum checks agree with a
// plain RFC 1071 sum (ICMPv6 over a pseudo-header built byte by byte); a recomputed checksum
// checks; the value form emits the same header but the checksum.
#include <array>
#include <cstring>
#include <vector>

#include "lib/wire/checksum.hh"
#include "lib/wire/icmp.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;
using pw_fuzz::reference_sum;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pw_fuzz::Selectors sel(data, size);
    const auto src = sel.addr<Ipv6Addr>();
    const auto dst = sel.addr<Ipv6Addr>();
    const ConstBytes in = sel.rest();
    const auto v = icmp::View<const std::byte>::checked(in, Drop::icmp6_truncated);
    if (!v) {
        check(v.reason() == Drop::icmp6_truncated && in.size() < icmp::header_len);
        return 0;
    }
    check(v->bytes().data() == in.data() && v->bytes().size() == in.size());
    check(v->data().size() == in.size() - icmp::header_len);
    check(v->type_code_word() == ((v->type() << 8) | v->code()));
    check(v->word() == ((std::uint32_t{v->ident()} << 16) | v->seq()));

    // RFC 8200 8.1: source, destination, upper-layer length (32 bits), 3 zero bytes, 58.
    std::array<std::byte, 40> pseudo{};
    std::memcpy(pseudo.data(), src.bytes.data(), 16);
    std::memcpy(pseudo.data() + 16, dst.bytes.data(), 16);
    store32(pseudo, 32, static_cast<std::uint32_t>(in.size()));
    pseudo[39] = std::byte{58};
    const std::uint16_t ps = pseudo_sum_v6(src, dst, static_cast<std::uint32_t>(in.size()), 58);
    check(v->checksum_ok_v4() == (reference_sum({in}) == 0xffff));
    check(v->checksum_ok_v6(ps) == (reference_sum({pseudo, in}) == 0xffff));

    std::vector<std::byte> m(in.begin(), in.end());
    const auto mv = icmp::View<std::byte>::checked(m, Drop::icmp4_truncated);
    mv->fill_checksum_v4();
    check(mv->checksum_ok_v4() && reference_sum({m}) == 0xffff);
    mv->fill_checksum_v6(ps);
    check(mv->checksum_ok_v6(ps) && reference_sum({pseudo, m}) == 0xffff);

    const icmp::Repr r{v->type(), v->code(), v->word()};
    std::array<std::byte, icmp::header_len> out;
    r.emit(out);
    check(std::memcmp(out.data(), in.data(), 2) == 0 &&
          std::memcmp(out.data() + 4, in.data() + 4, 4) == 0);
    return 0;
}
