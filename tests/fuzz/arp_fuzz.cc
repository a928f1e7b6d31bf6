// libFuzzer target: the ARP view (lib/wire/arp.hh) over arbitrary bytes. Asserts: only
// Ethernet/IPv4 ARP of at least 28 bytes is accepted, the view spans its first 28 bytes, and
// parse then emit gives those 28 bytes back.
#include <array>
#include <cstring>

#include "lib/wire/arp.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ConstBytes in = pw_fuzz::input(data, size);
    const auto r = arp::Repr::parse(in);
    if (!r) {
        check(r.reason() == Drop::arp_truncated || r.reason() == Drop::arp_unsupported);
        check(r.reason() != Drop::arp_truncated || size < arp::packet_len);
        return 0;
    }
    const auto v = arp::View<const std::byte>::checked(in);
    check(v.ok() && v->bytes().data() == in.data() && v->bytes().size() == arp::packet_len);
    pw_fuzz::sink(v->oper() + v->spa().to_u32() + v->tpa().to_u32() + v->sha().bytes[0] +
                  v->tha().bytes[5]);
    std::array<std::byte, arp::packet_len + 4> out;
    out.fill(std::byte{0xa5});
    r->emit(out);
    check(std::memcmp(out.data(), in.data(), arp::packet_len) == 0);
    for (std::size_t i = arp::packet_len; i < out.size(); ++i) check(out[i] == std::byte{0xa5});
    return 0;
}
