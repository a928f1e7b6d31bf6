// libFuzzer target: the TCP header view (lib/wire/tcp.hh) over arbitrary bytes. The first 8
// input bytes are the IPv4 source and destination of the pseudo-header (RFC 9293 3.1), the
// rest the segment. Asserts: a segment is accepted exactly when its data offset gives a header
// of 20 to 60 bytes within it; header, options and payload tile it; the checksum check agrees
// with a plain RFC 1071 sum over a pseudo-header built byte by byte; the value form emits the
// same option-less header but the checksum.
#include <array>
#include <cstring>

#include "lib/wire/checksum.hh"
#include "lib/wire/tcp.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pw_fuzz::Selectors sel(data, size);
    const auto src = sel.addr<Ipv4Addr>();
    const auto dst = sel.addr<Ipv4Addr>();
    const ConstBytes in = sel.rest();
    const auto v = tcp::View<const std::byte>::checked(in, Drop::ip4_truncated);
    const std::size_t hlen =
        in.size() >= tcp::header_len ? std::size_t{load8(in, tcp::field::data_offset)} / 16 * 4 : 0;
    check(v.ok() == (hlen >= tcp::header_len && hlen <= in.size()));
    if (!v) return 0;
    check(v->bytes().data() == in.data() && v->bytes().size() == in.size());
    check(v->header_length() == hlen && v->options().size() == hlen - tcp::header_len);
    check(v->payload().data() == in.data() + hlen && v->payload().size() == in.size() - hlen);
    pw_fuzz::sink(v->seq() + v->ack() + v->syn() + v->ack_flag() + v->rst() + v->fin() +
                  v->urgent() + v->window());

    if (in.size() <= 0xffff) {
        // RFC 9293 3.1: source, destination, zero, protocol 6, TCP length (16 bits).
        std::array<std::byte, 12> pseudo{};
        std::memcpy(pseudo.data(), src.bytes.data(), 4);
        std::memcpy(pseudo.data() + 4, dst.bytes.data(), 4);
        pseudo[9] = std::byte{6};
        store16(pseudo, 10, static_cast<std::uint16_t>(in.size()));
        const std::uint16_t ps = pseudo_sum_v4(src, dst, 6, static_cast<std::uint16_t>(in.size()));
        check(v->checksum_ok(ps) == (pw_fuzz::reference_sum({pseudo, in}) == 0xffff));
    }

    const tcp::Repr r{v->src_port(), v->dst_port(), v->seq(),   v->ack(),
                      v->flags(),    v->window(),   v->urgent()};
    std::array<std::byte, tcp::header_len> out;
    r.emit(out);
    if (hlen == tcp::header_len && (load8(in, tcp::field::data_offset) & 0x0f) == 0) {
        check(std::memcmp(out.data(), in.data(), tcp::field::checksum) == 0);
        check(std::memcmp(out.data() + tcp::field::urgent, in.data() + tcp::field::urgent, 2) == 0);
    }
    return 0;
}
