// libFuzzer target: every lib/wire parser over arbitrary bytes (read-only views). The first
// byte picks the parser. Asserts: checked views never span past their input, and every
// accessor of a valid view stays in bounds (ASan).
#include <cstdint>
#include <cstdlib>

#include "lib/wire/arp.hh"
#include "lib/wire/ethernet.hh"
#include "lib/wire/icmp.hh"
#include "lib/wire/ipv4.hh"
#include "lib/wire/ipv6.hh"
#include "lib/wire/ndp.hh"
#include "lib/wire/udp.hh"

using namespace pw::wire;

namespace {

template <class V>
void touch_bounds(const V& v, ConstBytes in) {
    if (v.bytes().data() < in.data() || v.bytes().data() + v.bytes().size() > in.data() + in.size())
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const ConstBytes in{reinterpret_cast<const std::byte*>(data + 1), size - 1};
    volatile std::uint64_t sink = 0;
    switch (data[0] % 7) {
        case 0:
            if (auto v = eth::View<const std::byte>::checked(in)) {
                touch_bounds(*v, in);
                sink =
                    sink + v->ethertype() + v->payload().size() + v->vlan_id() + v->src().bytes[0];
            }
            break;
        case 1:
            if (auto v = arp::View<const std::byte>::checked(in)) {
                touch_bounds(*v, in);
                sink = sink + v->oper() + v->spa().to_u32() + v->tpa().to_u32();
            }
            break;
        case 2:
            if (auto v = ipv4::View<const std::byte>::checked(in)) {
                touch_bounds(*v, in);
                if (v->header_length() > v->bytes().size()) std::abort();
                sink = sink + v->header_checksum_ok() + v->options().size() + v->payload().size() +
                       v->frag_offset();
            }
            break;
        case 3:
            if (auto v = ipv6::View<const std::byte>::checked(in)) {
                touch_bounds(*v, in);
                const auto w = ipv6::walk_extensions(v->bytes());
                if (w.upper && w.upper->offset > v->bytes().size()) std::abort();
                if (!w.upper && w.error.pointer >= v->bytes().size()) std::abort();
                sink = sink + (w.upper ? w.upper->protocol : w.error.pointer);
            }
            break;
        case 4:
            if (auto v = icmp::View<const std::byte>::checked(in, Drop::icmp4_truncated)) {
                sink = sink + v->checksum_ok_v4() + v->word() + v->data().size();
            }
            break;
        case 5:
            if (auto o = ndp::parse_options(in)) sink = sink + o->source_lladdr.has_value();
            break;
        case 6:
            if (auto v = udp::View<const std::byte>::checked(in, Drop::ip4_truncated)) {
                touch_bounds(*v, in);
                sink = sink + v->length() + v->payload().size();
            }
            break;
    }
    return 0;
}
