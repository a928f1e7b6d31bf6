#!/usr/bin/python3
"""Builds the golden vectors of the lib/gen unit tests (gen_probe_test.cc, gen_reply_test.cc)
with scapy and writes tests/golden/gen_vectors.hh.

Run with Debian's python (the one python3-scapy installs into), from anywhere:

    /usr/bin/python3 tests/golden/make_gen_vectors.py

Each vector is one scapy expression, quoted in the comment above it. The stamp payload and the
TCP SYN sequence are computed here by a second implementation of lib/gen/stamp.cc's check and
of syn_sequence (the functions below), so that the probe frames are compared byte for byte,
checksums included. Addresses: 198.18.0.0/15 and 2001:2::/48 (RFC 2544, RFC 5180), locally
administered MACs.
"""

import os
import sys

from scapy.all import (Ether, Dot1Q, IP, IPv6, ICMP, ICMPv6EchoRequest, ICMPv6EchoReply,
                       ICMPv6TimeExceeded, ICMPv6PacketTooBig, ICMPv6DestUnreach, TCP, UDP,
                       Raw, raw, conf)
import scapy

conf.verb = 0

M64 = (1 << 64) - 1
K1 = 0x9E3779B97F4A7C15
K2 = 0xBF58476D1CE4E5B9
K3 = 0x94D049BB133111EB


def absorb(h, w):
    h = ((h ^ w) * K2) & M64
    return ((h << 32) | (h >> 32)) & M64


def finish(h):
    h = (h * K3) & M64
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def pattern_hash(tail, n):
    """The hash of bytes 32..n of an n-byte payload (tail = those bytes)."""
    h = absorb(K1, n)
    for i in range(0, len(tail), 8):
        h = absorb(h, int.from_bytes(tail[i:i + 8].ljust(8, b"\0"), "little"))
    return h


def stamp_check(magic, target, probe, seq, tsc, ph):
    h = absorb(ph, (magic << 32) | target)
    h = absorb(h, probe)
    h = absorb(h, seq)
    h = absorb(h, tsc)
    return finish(h)


def syn_seq(magic, target):
    h = absorb(K3, (magic << 32) | target)
    h = absorb(h, magic)
    h ^= h >> 33
    h = (h * K1) & M64
    h ^= h >> 32
    return (h ^ (h >> 32)) & 0xFFFFFFFF


# The run and the probe every vector uses (gen_*_test.cc builds the same ones).
MAGIC = 0x5057A11D
TARGET = 5
PROBE = 3
SEQ64 = 0x0102030405060708
TSC = 0x1122334455667788
IDENT = 0x4242
SEQ = 7
TCP_PORT = 443
UDP_PORT = 33434


def payload(n, pat=b"", magic=MAGIC):
    data = bytearray(pat[i % len(pat)] if pat else i & 0xFF for i in range(n))
    ph = pattern_hash(bytes(data[32:]), n)
    c = stamp_check(magic, TARGET, PROBE, SEQ64, TSC, ph)
    stamp = (magic.to_bytes(4, "big") + TARGET.to_bytes(4, "big") + PROBE.to_bytes(4, "big") +
             SEQ64.to_bytes(8, "big") + TSC.to_bytes(8, "big") + c.to_bytes(4, "big"))
    data[0:32] = stamp
    return bytes(data)


def flipped(b, i):
    b = bytearray(b)
    b[i] ^= 0x01
    return bytes(b)


SYNSEQ = syn_seq(MAGIC, TARGET)

C = dict(US_MAC="02:00:00:00:00:01", GW_MAC="02:00:00:00:00:fe", US4="198.18.0.1",
         T4="198.19.1.2", R4="198.18.0.254", US6="2001:2::1", T6="2001:2:0:1::2",
         R6="2001:2::fe")

WRAP = 96
VECTORS = []


def vec(name, expr):
    expr = expr.format(**C)
    value = eval(expr)  # noqa: S307  (our own expressions)
    VECTORS.append((name, expr, raw(value) if not isinstance(value, bytes) else value))


def comment(expr):
    out = []
    rest = expr
    while len(rest) > WRAP:
        cut = -1
        for i in range(WRAP, 20, -1):
            if rest[i - 1] in "/," or (rest[i] == " " and rest[i - 1] != " "):
                cut = i
                break
        if cut < 0:
            cut = WRAP
        out.append(rest[:cut])
        rest = rest[cut:]
    out.append(rest)
    assert "".join(out) == expr
    return "".join("// " + line + "\n" for line in out)


def render(name, expr, value):
    s = comment(expr)
    s += f"inline constexpr std::array<std::uint8_t, {len(value)}> {name} = {{\n"
    for i in range(0, len(value), 12):
        s += "    " + ", ".join(f"0x{b:02x}" for b in value[i:i + 12]) + ",\n"
    return s + "};\n"


E_OUT = "Ether(dst='{GW_MAC}', src='{US_MAC}')"
E_IN = "Ether(dst='{US_MAC}', src='{GW_MAC}')"
IP_P = "IP(src='{US4}', dst='{T4}', tos=0x10, ttl=61, id=7, flags='DF')"
IP6_P = "IPv6(src='{US6}', dst='{T6}', tc=0x10, hlim=61, fl=0)"

# --- probes (build_probe / ProbeWriter) ------------------------------------------------------
vec("probe_echo4", E_OUT + "/" + IP_P + "/ICMP(type=8, id=IDENT, seq=SEQ)/Raw(payload(56))")
vec("probe_echo4_pat",
    E_OUT + "/IP(src='{US4}', dst='{T4}', ttl=64, id=7)/ICMP(type=8, id=IDENT, seq=SEQ)/"
    "Raw(payload(61, b'\\xde\\xad\\xbe'))")
vec("probe_echo6", E_OUT + "/" + IP6_P + "/ICMPv6EchoRequest(id=IDENT, seq=SEQ, data=payload(56))")
vec("probe_ts4", E_OUT + "/" + IP_P + "/ICMP(type=13, id=IDENT, seq=SEQ, ts_ori=0, ts_rx=0, "
    "ts_tx=0)")
vec("probe_syn4", E_OUT + "/" + IP_P + "/TCP(sport=IDENT, dport=TCP_PORT, seq=SYNSEQ, "
    "flags='S', window=1024)")
vec("probe_syn6", E_OUT + "/" + IP6_P + "/TCP(sport=IDENT, dport=TCP_PORT, seq=SYNSEQ, "
    "flags='S', window=1024)")
vec("probe_udp4", E_OUT + "/" + IP_P + "/UDP(sport=IDENT, dport=UDP_PORT)/Raw(payload(56))")
vec("probe_udp6", E_OUT + "/" + IP6_P + "/UDP(sport=IDENT, dport=UDP_PORT)/Raw(payload(57))")

# --- replies (parse_reply) -------------------------------------------------------------------
R_IP = "IP(src='{T4}', dst='{US4}', ttl=57, id=99)"
R_IP6 = "IPv6(src='{T6}', dst='{US6}', hlim=57)"
vec("r_echo4", E_IN + "/" + R_IP + "/ICMP(type=0, id=IDENT, seq=SEQ)/Raw(payload(56))")
vec("r_echo6", E_IN + "/" + R_IP6 + "/ICMPv6EchoReply(id=IDENT, seq=SEQ, data=payload(56))")
vec("r_echo4_vlan", E_IN + "/Dot1Q(vlan=100)/" + R_IP +
    "/ICMP(type=0, id=IDENT, seq=SEQ)/Raw(payload(100))")
vec("r_echo4_corrupt", E_IN + "/" + R_IP +
    "/ICMP(type=0, id=IDENT, seq=SEQ)/Raw(flipped(payload(56), 40))")
vec("r_echo4_other_run", E_IN + "/" + R_IP +
    "/ICMP(type=0, id=IDENT, seq=SEQ)/Raw(payload(56, magic=0x12345678))")
vec("r_echo4_bad_icmp", E_IN + "/" + R_IP +
    "/ICMP(type=0, id=IDENT, seq=SEQ, chksum=0x1234)/Raw(payload(56))")
vec("r_echo4_bad_ip", E_IN + "/IP(src='{T4}', dst='{US4}', ttl=57, id=99, chksum=0x1234)/"
    "ICMP(type=0, id=IDENT, seq=SEQ)/Raw(payload(56))")
vec("r_echo4_frag", E_IN + "/IP(src='{T4}', dst='{US4}', ttl=57, id=99, frag=10)/"
    "ICMP(type=0, id=IDENT, seq=SEQ)/Raw(payload(56))")
vec("r_echo6_bad_icmp", E_IN + "/" + R_IP6 +
    "/ICMPv6EchoReply(id=IDENT, seq=SEQ, data=payload(56), cksum=0x1234)")
vec("r_ts4", E_IN + "/" + R_IP + "/ICMP(type=14, id=IDENT, seq=SEQ, ts_ori=0, ts_rx=1000, "
    "ts_tx=1001)")
# Linux icmp_send: the quote is the offending datagram as received (TTL 1 here) up to 576 bytes
# of ICMP error in all (IPv4), 1280 (IPv6).
Q_ECHO4 = ("raw(IP(src='{US4}', dst='{T4}', tos=0x10, ttl=1, id=7, flags='DF')/"
           "ICMP(type=8, id=IDENT, seq=SEQ)/Raw(payload(56)))")
vec("r_te4", E_IN + "/IP(src='{R4}', dst='{US4}', ttl=64, tos=0xc0)/ICMP(type=11, code=0)/"
    "Raw(" + Q_ECHO4 + ")")
vec("r_fn4", E_IN + "/IP(src='{R4}', dst='{US4}', ttl=64, tos=0xc0)/"
    "ICMP(type=3, code=4, nexthopmtu=1400)/Raw(raw(IP(src='{US4}', dst='{T4}', tos=0x10, "
    "ttl=60, id=7, flags='DF')/ICMP(type=8, id=IDENT, seq=SEQ)/Raw(payload(1472)))[:548])")
vec("r_te4_syn", E_IN + "/IP(src='{R4}', dst='{US4}', ttl=64)/ICMP(type=11, code=0)/"
    "Raw(raw(IP(src='{US4}', dst='{T4}', ttl=1, id=7)/TCP(sport=IDENT, dport=TCP_PORT, "
    "seq=SYNSEQ, flags='S', window=1024)))")
vec("r_pu4", E_IN + "/IP(src='{T4}', dst='{US4}', ttl=64)/ICMP(type=3, code=3)/"
    "Raw(raw(IP(src='{US4}', dst='{T4}', ttl=61, id=7)/UDP(sport=IDENT, dport=UDP_PORT)/"
    "Raw(payload(56))))")
vec("r_err4_quoting_reply", E_IN + "/IP(src='{R4}', dst='{US4}', ttl=64)/ICMP(type=3, code=1)/"
    "Raw(raw(IP(src='{US4}', dst='{T4}', ttl=61, id=7)/ICMP(type=0, id=IDENT, seq=SEQ)/"
    "Raw(payload(56))))")
Q_ECHO6 = ("raw(IPv6(src='{US6}', dst='{T6}', tc=0x10, hlim=1)/"
           "ICMPv6EchoRequest(id=IDENT, seq=SEQ, data=payload(56)))")
vec("r_te6", E_IN + "/IPv6(src='{R6}', dst='{US6}', hlim=64)/ICMPv6TimeExceeded(code=0)/"
    "Raw(" + Q_ECHO6 + ")")
vec("r_ptb6", E_IN + "/IPv6(src='{R6}', dst='{US6}', hlim=64)/ICMPv6PacketTooBig(mtu=1280)/"
    "Raw(raw(IPv6(src='{US6}', dst='{T6}', hlim=60)/ICMPv6EchoRequest(id=IDENT, seq=SEQ, "
    "data=payload(1452)))[:1232])")
vec("r_pu6", E_IN + "/IPv6(src='{T6}', dst='{US6}', hlim=64)/ICMPv6DestUnreach(code=4)/"
    "Raw(raw(IPv6(src='{US6}', dst='{T6}', hlim=61)/UDP(sport=IDENT, dport=UDP_PORT)/"
    "Raw(payload(57))))")
vec("r_synack4", E_IN + "/" + R_IP + "/TCP(sport=TCP_PORT, dport=IDENT, seq=0xabcdef01, "
    "ack=(SYNSEQ + 1) & 0xffffffff, flags='SA', window=64240, options=[('MSS', 1460)])")
vec("r_synack4_bad", E_IN + "/" + R_IP + "/TCP(sport=TCP_PORT, dport=IDENT, seq=0xabcdef01, "
    "ack=(SYNSEQ + 1) & 0xffffffff, flags='SA', window=64240, chksum=0x1234)")
vec("r_rstack4", E_IN + "/" + R_IP + "/TCP(sport=TCP_PORT, dport=IDENT, seq=0, "
    "ack=(SYNSEQ + 1) & 0xffffffff, flags='RA', window=0)")
vec("r_synack6", E_IN + "/" + R_IP6 + "/TCP(sport=TCP_PORT, dport=IDENT, seq=0xabcdef01, "
    "ack=(SYNSEQ + 1) & 0xffffffff, flags='SA', window=64800, options=[('MSS', 1440)])")
vec("r_rst6", E_IN + "/" + R_IP6 + "/TCP(sport=TCP_PORT, dport=IDENT, seq=0x11, flags='R', "
    "window=0)")
vec("r_udp4", E_IN + "/" + R_IP + "/UDP(sport=UDP_PORT, dport=IDENT)/Raw(payload(56))")
vec("r_udp4_nock", E_IN + "/" + R_IP + "/UDP(sport=UDP_PORT, dport=IDENT, chksum=0)/"
    "Raw(payload(56))")
vec("r_udp6", E_IN + "/" + R_IP6 + "/UDP(sport=UDP_PORT, dport=IDENT)/Raw(payload(57))")

# --- build_tcp_rst answers to r_synack4 / r_synack6 ------------------------------------------
vec("rst4", E_OUT + "/IP(src='{US4}', dst='{T4}', ttl=64, id=0, flags='DF')/TCP(sport=IDENT, "
    "dport=TCP_PORT, seq=(SYNSEQ + 1) & 0xffffffff, ack=0, flags='R', window=0)")
vec("rst6", E_OUT + "/IPv6(src='{US6}', dst='{T6}', hlim=64)/TCP(sport=IDENT, dport=TCP_PORT, "
    "seq=(SYNSEQ + 1) & 0xffffffff, ack=0, flags='R', window=0)")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_vectors.hh")
    with open(out, "w") as f:
        f.write("// Golden vectors for the lib/gen unit tests. Generated by "
                "tests/golden/make_gen_vectors.py\n"
                f"// with scapy {scapy.VERSION}; do not edit. Each vector's comment is the "
                "scapy expression that\n// produced it (a long one continues on the next "
                "comment lines: join them, each without its \"// \").\n"
                "#pragma once\n\n#include <array>\n#include <cstdint>\n\n"
                "namespace pw::golden::gen {\n\n")
        f.write("// The run and probe the vectors use.\n")
        for name, v in [("magic", MAGIC), ("target", TARGET), ("probe", PROBE)]:
            f.write(f"inline constexpr std::uint32_t {name} = 0x{v:08x};\n")
        f.write(f"inline constexpr std::uint64_t seq64 = 0x{SEQ64:016x};\n")
        f.write(f"inline constexpr std::uint64_t tsc = 0x{TSC:016x};\n")
        f.write(f"inline constexpr std::uint16_t ident = 0x{IDENT:04x};\n")
        f.write(f"inline constexpr std::uint16_t seq = {SEQ};\n")
        f.write(f"inline constexpr std::uint16_t tcp_port = {TCP_PORT};\n")
        f.write(f"inline constexpr std::uint16_t udp_port = {UDP_PORT};\n")
        f.write("// syn_sequence of the stamp, as computed by the generator\n")
        f.write(f"inline constexpr std::uint32_t syn_seq = 0x{SYNSEQ:08x};\n\n")
        for name, expr, value in VECTORS:
            f.write(render(name, expr, value))
            f.write("\n")
        f.write("}  // namespace pw::golden::gen\n")
    print(f"wrote {out}: {len(VECTORS)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()
