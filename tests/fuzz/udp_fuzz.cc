// libFuzzer target: the UDP view (lib/wire/udp.hh) over arbitrary bytes. Asserts: a datagram
// is accepted exactly when its length field covers the header and lies within the input; the
// view then spans that length; the value form emits the same ports and length.
#include <array>
#include <cstring>

#include "lib/wire/udp.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ConstBytes in = pw_fuzz::input(data, size);
    const auto v = udp::View<const std::byte>::checked(in, Drop::ip4_truncated);
    const std::size_t len = size >= udp::header_len ? load16(in, udp::field::length) : 0;
    check(v.ok() == (len >= udp::header_len && len <= size));
    if (!v) {
        check(v.reason() == Drop::ip4_truncated);
        return 0;
    }
    check(v->bytes().data() == in.data() && v->bytes().size() == len && v->length() == len);
    check(v->payload().size() == len - udp::header_len);
    pw_fuzz::sink(v->checksum());
    const udp::Repr r{v->src_port(), v->dst_port(),
                      static_cast<std::uint16_t>(len - udp::header_len)};
    std::array<std::byte, udp::header_len> out;
    r.emit(out);
    check(std::memcmp(out.data(), in.data(), udp::field::checksum) == 0);
    return 0;
}
