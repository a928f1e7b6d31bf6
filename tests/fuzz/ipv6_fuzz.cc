// libFuzzer target: the IPv6 header view and the extension-header walk (lib/wire/ipv6.hh,
// walk_extensions) over arbitrary bytes. Asserts: the view spans exactly 40 + payload length
// bytes and its value form emits the same 40 bytes; the walk ends; the upper layer it reports
// lies within the packet, the Next Header field it names holds that protocol, and it is not an
// extension header (but behind the Fragment header of a later fragment, where data follows);
// an error's pointer names a byte of the packet, with a code and reason that go together.
#include <array>
#include <cstring>

#include "lib/wire/ipv6.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

namespace {

bool is_extension(std::uint8_t nh) {
    return nh == ipv6::nh_hop_by_hop || nh == ipv6::nh_routing || nh == ipv6::nh_fragment ||
           nh == ipv6::nh_dest_opts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ConstBytes in = pw_fuzz::input(data, size);
    const auto v = ipv6::View<const std::byte>::checked(in);
    if (!v) {
        check(v.reason() == Drop::ip6_truncated || v.reason() == Drop::ip6_bad_version ||
              v.reason() == Drop::ip6_bad_payload_length);
        return 0;
    }
    const ConstBytes p = v->bytes();
    check(p.data() == in.data() && p.size() == ipv6::header_len + v->payload_length());
    check(v->payload().size() == v->payload_length());
    pw_fuzz::sink(v->traffic_class() + v->flow_label() + v->hop_limit() + v->src().bytes[0] +
                  v->dst().bytes[15]);

    const ipv6::Repr r{v->src(),           v->dst(),        v->next_header(),   v->hop_limit(),
                       v->traffic_class(), v->flow_label(), v->payload_length()};
    std::array<std::byte, ipv6::header_len> out;
    r.emit(out);
    check(std::memcmp(out.data(), in.data(), ipv6::header_len) == 0);

    const ipv6::ExtWalk w = ipv6::walk_extensions(p);
    if (w.upper) {
        const ipv6::UpperLayer& u = *w.upper;
        check(u.offset >= ipv6::header_len && u.offset <= p.size());
        check(u.nh_field < u.offset && load8(p, u.nh_field) == u.protocol);
        check(!is_extension(u.protocol) || (u.fragment && u.frag_offset != 0));
        check(u.frag_offset % 8 == 0);
        if (!u.fragment) check(u.frag_offset == 0 && !u.more_fragments && u.frag_ident == 0);
    } else {
        const ipv6::ExtError& e = w.error;
        check(e.pointer < p.size());
        check(e.code <= 2);
        check((e.reason == Drop::ip6_unknown_option) == (e.code == 2));
        check(e.reason == Drop::ip6_unknown_option || e.reason == Drop::ip6_bad_ext_header ||
              e.reason == Drop::ip6_routing_header);
        check(!(e.silent && e.not_if_multicast));
    }
    return 0;
}
