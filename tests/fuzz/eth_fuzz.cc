// libFuzzer target: the Ethernet / 802.1Q view (lib/wire/ethernet.hh) over arbitrary bytes.
// Asserts: a frame shorter than its header is refused with the right reason; a valid view
// spans its input, its header is 14 bytes or 18 with a tag, its payload follows it; the value
// form emits the same header (the tag's priority and DEI bits aside, which it does not keep).
#include <array>
#include <cstring>

#include "lib/wire/ethernet.hh"
#include "tests/fuzz/harness.hh"

using namespace pw::wire;
using pw_fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ConstBytes in = pw_fuzz::input(data, size);
    const auto v = eth::View<const std::byte>::checked(in);
    if (!v) {
        check(v.reason() == Drop::eth_truncated || v.reason() == Drop::vlan_truncated);
        check(size < eth::header_len + eth::vlan_tag_len);
        return 0;
    }
    pw_fuzz::check_within(v->bytes(), in);
    const std::size_t hlen = v->header_length();
    check(hlen == (v->has_vlan() ? eth::header_len + eth::vlan_tag_len : eth::header_len));
    check(v->payload().data() == in.data() + hlen && v->payload().size() == size - hlen);
    check(v->vlan_id() <= 0x0fff);
    pw_fuzz::sink(v->ethertype() + v->src().bytes[5] + v->dst().bytes[0]);

    const eth::Repr r{v->dst(), v->src(), v->ethertype(), v->vlan_id(), v->has_vlan()};
    check(r.header_len() == hlen);
    std::array<std::byte, eth::header_len + eth::vlan_tag_len> out;
    out.fill(std::byte{0xa5});
    r.emit(out);
    std::array<std::byte, eth::header_len + eth::vlan_tag_len> want;
    std::memcpy(want.data(), in.data(), hlen);
    if (v->has_vlan()) want[eth::field::tci] &= std::byte{0x0f};  // PCP and DEI are not kept
    check(std::memcmp(out.data(), want.data(), hlen) == 0);
    return 0;
}
