// libFuzzer target: lib/gen's reply matcher (parse_reply, lib/gen/reply.hh) over arbitrary
// frames, with the golden vectors' stamp magic (tests/golden/gen_vectors.hh) so that stamped
// answers are recognised. Asserts: every enum it returns is in range; what it classifies as an
// answer lies within the frame (its IP length at most the bytes after the Ethernet header);
// and the same frame with link padding after it (zeros up to 60 bytes, and 64 bytes of 0xa5)
// is classified the same, field for field, so nothing past the IP length is read.
#include <vector>

#include "lib/gen/reply.hh"
#include "tests/fuzz/harness.hh"
#include "tests/golden/gen_vectors.hh"

using namespace pw;
using pw_fuzz::check;

namespace {

bool same(const gen::Reply& a, const gen::Reply& b) {
    return a.kind == b.kind && a.v6 == b.v6 && a.checksum_ok == b.checksum_ok && a.ttl == b.ttl &&
           a.src == b.src && a.dst == b.dst && a.ip_len == b.ip_len && a.ident == b.ident &&
           a.seq == b.seq && a.stamp_status == b.stamp_status && a.stamp == b.stamp &&
           a.tcp_seq == b.tcp_seq && a.tcp_ack == b.tcp_ack && a.type == b.type &&
           a.code == b.code && a.mtu == b.mtu && a.quoted_kind == b.quoted_kind &&
           a.quoted_dst == b.quoted_dst && a.quoted_ip_len == b.quoted_ip_len &&
           a.quoted_ident == b.quoted_ident && a.quoted_seq == b.quoted_seq &&
           a.quoted_stamp_status == b.quoted_stamp_status && a.quoted_stamp == b.quoted_stamp;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const wire::ConstBytes in = pw_fuzz::input(data, size);
    const gen::Reply r = gen::parse_reply(in, golden::gen::magic);
    check(r.kind <= gen::ReplyKind::udp);
    check(r.stamp_status <= gen::StampStatus::corrupted &&
          r.quoted_stamp_status <= gen::StampStatus::corrupted);
    check(r.quoted_kind < gen::ProbeKind::count_);
    if (r.kind == gen::ReplyKind::other) return 0;
    check(size > 14 && r.ip_len <= size - 14);

    for (const auto& [len, fill] :
         {std::pair<std::size_t, std::byte>{60, std::byte{0}},
          std::pair<std::size_t, std::byte>{size + 64, std::byte{0xa5}}}) {
        if (len <= size) continue;
        std::vector<std::byte> padded(in.begin(), in.end());
        padded.resize(len, fill);
        check(same(r, gen::parse_reply(padded, golden::gen::magic)));
    }
    return 0;
}
