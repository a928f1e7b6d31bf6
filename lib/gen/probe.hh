// Probe frames: ICMP echo request (IPv4, IPv6), ICMP timestamp request (IPv4), TCP SYN and
// UDP datagrams, each in one Ethernet frame built into a caller's buffer, with every checksum.
// build_probe is the general builder; ProbeWriter precomputes one (template, size) so the
// data path only copies the frame and patches the destination, ident, seq, stamp and sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/gen/stamp.hh"
#include "lib/wire/addr.hh"
#include "lib/wire/bytes.hh"

namespace pw::gen {

// X(name, label): how a host is probed (--probe), as nmap's host discovery.
#define PW_PROBE_KINDS(X)     \
    X(echo, "echo")           \
    X(timestamp, "timestamp") \
    X(tcp_syn, "tcp-syn")     \
    X(udp, "udp")

enum class ProbeKind : std::uint8_t {
#define PW_X(name, label) name,
    PW_PROBE_KINDS(PW_X)
#undef PW_X
        count_
};
const char* to_string(ProbeKind k) noexcept;  // the label

// What every probe of one kind from one port and family shares.
struct ProbeTemplate {
    ProbeKind kind = ProbeKind::echo;
    bool v6 = false;
    wire::MacAddr src_mac;
    wire::MacAddr dst_mac;       // the next hop
    wire::Ipv4Addr src4;         // !v6
    wire::Ipv6Addr src6;         // v6
    std::uint8_t ttl = 64;       // TTL / hop limit
    std::uint8_t tos = 0;        // TOS / traffic class
    bool df = false;             // IPv4 DF (IPv6 never fragments in transit)
    std::uint16_t dst_port = 0;  // tcp_syn, udp
    Pattern pattern;
};

// What differs per probe.
struct ProbeFields {
    wire::Ipv4Addr dst4;
    wire::Ipv6Addr dst6;
    // echo / timestamp: the ICMP identifier and sequence; tcp_syn / udp: ident is the source
    // port, seq goes into the IPv4 identification / is unused.
    std::uint16_t ident = 0;
    std::uint16_t seq = 0;
    // ICMP echo / UDP: payload bytes (>= stamp_len); ignored for timestamp and tcp_syn.
    std::size_t data_len = 56;
    Stamp stamp;
};

// The TCP SYN's sequence number for a stamp: a keyed hash of (magic, target), so a SYN-ACK's
// (ack - 1) or a RST's ack - 1 is recognised without state.
std::uint32_t syn_sequence(const Stamp& s) noexcept;

// Frame length of a probe of this kind and data_len (Ethernet header included, no FCS).
std::size_t probe_frame_len(const ProbeTemplate& t, std::size_t data_len) noexcept;
// Builds one probe into out; returns its length, 0 when out is too small.
std::size_t build_probe(wire::Bytes out, const ProbeTemplate& t, const ProbeFields& f) noexcept;

// RST for a SYN-ACK that answered our SYN (as nmap and a kernel without the socket do): from
// our address and port to the peer's, seq = the SYN-ACK's ack. synack is the whole frame
// (Ethernet first); src_mac/dst_mac are ours and the next hop's. Returns the length, 0 when the
// frame is not a TCP segment or out is too small.
std::size_t build_tcp_rst(wire::Bytes out, wire::ConstBytes synack, const wire::MacAddr& src_mac,
                          const wire::MacAddr& dst_mac) noexcept;

// One (template, data_len) prepared: the frame with headers, pattern and the constant parts
// of the sums computed, for echo (IPv4 and IPv6) and UDP. write() is the data path.
class ProbeWriter {
public:
    void prepare(const ProbeTemplate& t, std::size_t data_len);  // control path (allocates)
    std::size_t frame_len() const noexcept { return frame_.size(); }
    // Writes the probe into out (frame_len() bytes): same bytes as build_probe with t and
    // f.data_len == the prepared data_len.
    void write(wire::Bytes out, const ProbeFields& f) const noexcept;

private:
    ProbeTemplate t_;
    std::vector<std::byte> frame_;
    std::size_t l3_ = 14;
    std::uint64_t pattern_hash_ = 0;
    std::uint32_t base_sum_ = 0;     // ones' complement partial sum of the constant bytes
    std::uint32_t ip_base_sum_ = 0;  // IPv4 header, destination and ident excluded
    // Both sums are folded, in host order (RFC 1071), as wire::ones_sum gives them.
    std::size_t data_len_ = 0;
    std::size_t l4_ = 34;        // the ICMP / UDP header
    std::size_t csum_off_ = 36;  // its checksum field
    bool fast_ = false;          // echo or udp: patched in place; otherwise build_probe
};

}  // namespace pw::gen
