#!/usr/bin/python3
"""Builds the golden vectors of the unit tests with scapy and writes tests/golden/vectors.hh.

Run with Debian's python (the one python3-scapy installs into), from anywhere:

    /usr/bin/python3 tests/golden/make_vectors.py

Every vector is produced by evaluating one scapy expression, and the comment above it in the
header holds that exact expression (long expressions run over several comment lines: join the
lines, each without its leading "// ", to get the expression back). The tests never need scapy.

Addresses: 198.18.0.0/15 and 2001:2::/48 (RFC 2544, RFC 5180), link-local fe80::/10 and the
ff02:: groups NDP needs, locally administered MACs 02:00:00:00:00:xx. The martian-source cases
use the special-purpose blocks they are about (0/8, 127/8, 224/4, 240/4, ::1, ff02::1); these
bytes only ever live in memory.
"""

import os
import random  # noqa: F401  (used by the evaluated expressions)
import socket  # noqa: F401
import sys

from scapy.all import *  # noqa: F401,F403
from scapy.all import conf, raw, Packet
from scapy.config import conf as _conf  # noqa: F401
import scapy
from scapy.utils import checksum  # noqa: F401
from scapy.layers.inet import in4_pseudoheader  # noqa: F401
from scapy.layers.inet6 import PseudoIPv6  # noqa: F401
from scapy.contrib.icmp_extensions import (  # noqa: F401
    ICMPExtensionHeader, ICMPExtensionInterfaceInformation, ICMPExtensionObject)

conf.verb = 0

# The interface under test (host_input_test.cc builds the same one) and its peers.
C = dict(
    US_MAC="02:00:00:00:00:01",
    PEER_MAC="02:00:00:00:00:02",
    OTHER_MAC="02:00:00:00:00:99",
    BCAST_MAC="ff:ff:ff:ff:ff:ff",
    ZERO_MAC="00:00:00:00:00:00",
    US4="198.18.0.1",        # 198.18.0.1/24
    US4B="198.19.255.1",     # 198.19.255.1/32
    PEER4="198.18.0.2",
    NOTUS4="198.18.0.99",
    BCAST4="198.18.0.255",
    US6="2001:2::1",         # 2001:2::1/64
    US6B="2001:2:0:1::10",   # 2001:2:0:1::10/64
    PEER6="2001:2::2",
    PEER6B="2001:2:0:1::2",
    NOTUS6="2001:2::99",
    US_LL="fe80::ff:fe00:1",  # EUI-64 of 02:00:00:00:00:01
    PEER_LL="fe80::ff:fe00:2",
    SNM_US="ff02::1:ff00:1",  # solicited-node group of US6 and of US_LL
    SNM_MAC="33:33:ff:00:00:01",
    ALLN="ff02::1",
    ALLN_MAC="33:33:00:00:00:01",
)

WRAP = 96


class Vec:
    def __init__(self, name, expr, kind):
        self.name = name
        self.expr = expr
        self.kind = kind
        value = eval(expr)  # noqa: S307  (our own expressions)
        if kind == "bytes":
            self.value = raw(value) if isinstance(value, Packet) else bytes(value)
        else:
            self.value = int(value)


VECTORS = []
TABLES = []


def vec(name, expr, kind="bytes"):
    v = Vec(name, expr.format(**C), kind)
    VECTORS.append(v)
    return v


def comment(expr):
    """The expression as comment lines; joining the lines minus their "// " restores it."""
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


def render(v):
    s = comment(v.expr)
    if v.kind == "bytes":
        n = len(v.value)
        s += f"inline constexpr std::array<std::uint8_t, {n}> {v.name} = {{"
        if n == 0:
            return s + "};\n"
        s += "\n"
        for i in range(0, n, 12):
            s += "    " + ", ".join(f"0x{b:02x}" for b in v.value[i:i + 12]) + ",\n"
        return s + "};\n"
    width = {"u16": 16, "u32": 32}[v.kind]
    digits = width // 4
    return s + (f"inline constexpr std::uint{width}_t {v.name} = "
                f"0x{v.value:0{digits}x};\n")


# --- Ethernet, VLAN, ARP -------------------------------------------------------------------

vec("echo4_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{US4}', tos=0x10, "
    "id=0x1234, flags='DF', ttl=61)/ICMP(type=8, id=0x4242, seq=7)/Raw(bytes(range(56)))")
vec("echo4_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IP(src='{US4}', dst='{PEER4}', tos=0x10, "
    "id=0x1234, flags='DF', ttl=64)/ICMP(type=0, id=0x4242, seq=7)/Raw(bytes(range(56)))")
vec("vlan_echo4_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/Dot1Q(prio=5, vlan=100)/IP(src='{PEER4}', "
    "dst='{US4}', id=1)/ICMP(type=8, id=1, seq=1)")
vec("arp_req",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/ARP(op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', "
    "hwdst='{ZERO_MAC}', pdst='{US4}')/Padding(load=bytes(18))")
vec("arp_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/ARP(op=2, hwsrc='{US_MAC}', psrc='{US4}', "
    "hwdst='{PEER_MAC}', pdst='{PEER4}')")
vec("arp_probe_req",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/ARP(op=1, hwsrc='{PEER_MAC}', psrc='0.0.0.0', "
    "hwdst='{ZERO_MAC}', pdst='{US4}')")
vec("arp_probe_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/ARP(op=2, hwsrc='{US_MAC}', psrc='{US4}', "
    "hwdst='{PEER_MAC}', pdst='0.0.0.0')")
vec("arp_req_secondary",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/ARP(op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', "
    "hwdst='{ZERO_MAC}', pdst='{US4B}')")
vec("arp_req_secondary_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/ARP(op=2, hwsrc='{US_MAC}', psrc='{US4B}', "
    "hwdst='{PEER_MAC}', pdst='{PEER4}')")
vec("arp_hw_ieee802",
    "ARP(hwtype=6, op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', pdst='{US4}')")
vec("arp_proto_ipv6",
    "ARP(ptype=0x86dd, op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', pdst='{US4}')")
vec("arp_hwlen8",
    "ARP(hwlen=8, op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', pdst='{US4}')")
vec("arp_plen16",
    "ARP(plen=16, op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', pdst='{US4}')")

# --- IPv4 ----------------------------------------------------------------------------------

vec("echo4_big_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{US4}', id=0xbeef, "
    "flags=0, ttl=64)/ICMP(type=8, id=0x0101, seq=0xfffe)/Raw(bytes(i & 0xff for i in "
    "range(1472)))")
vec("echo4_big_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IP(src='{US4}', dst='{PEER4}', id=0xbeef, "
    "flags=0, ttl=64)/ICMP(type=0, id=0x0101, seq=0xfffe)/Raw(bytes(i & 0xff for i in "
    "range(1472)))")
vec("echo4_opts_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{US4}', id=0x0a0b, "
    "flags='DF', ttl=200, options=[IPOption_NOP(), IPOption_RR(pointer=4, routers=['0.0.0.0', "
    "'0.0.0.0'])])/ICMP(type=8, id=0x1111, seq=3)/Raw(b'pingwire options')")
vec("echo4_opts_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IP(src='{US4}', dst='{PEER4}', id=0x0a0b, "
    "flags='DF', ttl=64)/ICMP(type=0, id=0x1111, seq=3)/Raw(b'pingwire options')")
vec("echo4_max_opts_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{US4}', id=0x0c0d, "
    "flags=0, ttl=1, options=[IPOption_RR(pointer=4, routers=['0.0.0.0'] * 9), IPOption_EOL()])"
    "/ICMP(type=8, id=0x2222, seq=4)/Raw(b'x' * 33)")
vec("echo4_max_opts_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IP(src='{US4}', dst='{PEER4}', id=0x0c0d, "
    "flags=0, ttl=64)/ICMP(type=0, id=0x2222, seq=4)/Raw(b'x' * 33)")
# A minimal echo in a padded 60-byte frame, with the reserved ("evil") flag set: the reply
# drops the padding and keeps DF only.
vec("echo4_padded_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{US4}', id=0x7777, "
    "flags='DF+evil', ttl=128)/ICMP(type=8, id=0, seq=0)/Padding(load=b'\\xee' * 18)")
vec("echo4_padded_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IP(src='{US4}', dst='{PEER4}', id=0x7777, "
    "flags='DF', ttl=64)/ICMP(type=0, id=0, seq=0)")
vec("echo4_secondary_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{US4B}', id=0x0001, "
    "ttl=64)/ICMP(type=8, id=0x5555, seq=1)/Raw(b'abc')")
vec("echo4_secondary_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IP(src='{US4B}', dst='{PEER4}', id=0x0001, "
    "ttl=64)/ICMP(type=0, id=0x5555, seq=1)/Raw(b'abc')")
vec("ip4_frag_first",
    "IP(src='{PEER4}', dst='{US4}', id=0x4321, flags='MF', frag=0, ttl=64)/ICMP(type=8)"
    "/Raw(bytes(32))")
vec("ip4_frag_later",
    "IP(src='{PEER4}', dst='{US4}', id=0x4321, flags=0, frag=185, ttl=64, proto=1)"
    "/Raw(bytes(32))")

# --- IPv6 and its extension headers --------------------------------------------------------

vec("echo6_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{US6}', tc=0x20, "
    "fl=0x12345, hlim=61)/ICMPv6EchoRequest(id=0x4242, seq=9, data=bytes(range(56)))")
vec("echo6_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', tc=0x20, "
    "fl=0x12345, hlim=64)/ICMPv6EchoReply(id=0x4242, seq=9, data=bytes(range(56)))")
vec("echo6_big_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{US6}', hlim=64)"
    "/ICMPv6EchoRequest(id=0x0102, seq=0x0304, data=bytes(i & 0xff for i in range(1452)))")
vec("echo6_big_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/ICMPv6EchoReply(id=0x0102, seq=0x0304, data=bytes(i & 0xff for i in range(1452)))")
vec("echo6_hbh_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{US6}', hlim=64)"
    "/IPv6ExtHdrHopByHop(options=[PadN(optdata=bytes(12))])/ICMPv6EchoRequest(id=0x6666, "
    "seq=2, data=b'hop-by-hop')")
vec("echo6_hbh_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/ICMPv6EchoReply(id=0x6666, seq=2, data=b'hop-by-hop')")
vec("echo6_allnodes_ll_req",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER_LL}', dst='{ALLN}', hlim=1)"
    "/ICMPv6EchoRequest(id=0x7070, seq=1, data=b'all nodes')")
vec("echo6_allnodes_ll_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US_LL}', dst='{PEER_LL}', hlim=64)"
    "/ICMPv6EchoReply(id=0x7070, seq=1, data=b'all nodes')")
vec("echo6_allnodes_global_req",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{ALLN}', hlim=1)"
    "/ICMPv6EchoRequest(id=0x7071, seq=2, data=b'all nodes, global')")
vec("echo6_allnodes_global_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/ICMPv6EchoReply(id=0x7071, seq=2, data=b'all nodes, global')")
vec("echo6_allnodes_second_prefix_req",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6B}', dst='{ALLN}', hlim=1)"
    "/ICMPv6EchoRequest(id=0x7072, seq=3, data=b'second prefix')")
vec("echo6_allnodes_second_prefix_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6B}', dst='{PEER6B}', hlim=64)"
    "/ICMPv6EchoReply(id=0x7072, seq=3, data=b'second prefix')")
vec("echo6_ll_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER_LL}', dst='{US_LL}', hlim=64)"
    "/ICMPv6EchoRequest(id=0x7073, seq=4, data=b'link-local')")
vec("echo6_ll_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US_LL}', dst='{PEER_LL}', hlim=64)"
    "/ICMPv6EchoReply(id=0x7073, seq=4, data=b'link-local')")
vec("echo6_padded_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{US6}', hlim=64)"
    "/ICMPv6EchoRequest(id=1, seq=1)/Padding(load=b'\\xee' * 10)")
vec("echo6_padded_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/ICMPv6EchoReply(id=1, seq=1)")
# Every extension header a host walks, in the RFC 8200 4.1 order; the Fragment header is an
# atomic fragment (offset 0, M clear).
vec("echo6_all_ext_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{US6}', hlim=64)"
    "/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt(options=[PadN(optdata=bytes(12))])"
    "/IPv6ExtHdrRouting(type=4, segleft=0, addresses=['{US6}'])"
    "/IPv6ExtHdrFragment(offset=0, m=0, id=0xabcdef01)/IPv6ExtHdrDestOpt()"
    "/ICMPv6EchoRequest(id=0x0808, seq=8, data=b'all the headers')")
vec("echo6_all_ext_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/ICMPv6EchoReply(id=0x0808, seq=8, data=b'all the headers')")
vec("ip6_frag_first",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrFragment(offset=0, m=1, "
    "id=0x01020304)/ICMPv6EchoRequest(id=1, seq=1, data=bytes(24))")
vec("ip6_frag_later",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrFragment(nh=58, offset=185, m=0, "
    "id=0x01020304)/Raw(bytes(24))")
vec("ip6_routing",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrRouting(type=0, segleft=0, "
    "addresses=['{PEER6B}', '{US6B}'])/ICMPv6EchoRequest(id=1, seq=1)")
vec("ip6_dest_opts_udp",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrDestOpt(options=[PadN(optdata="
    "bytes(4))])/UDP(sport=5353, dport=9)/Raw(b'u')")
vec("ip6_no_next_header",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64, nh=59)")
vec("ip6_hbh_truncated",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64, nh=0)/Raw(b'\\x3a\\x00\\x01\\x04')")
vec("ip6_dest_opts_len_past",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrDestOpt(len=4)"
    "/ICMPv6EchoRequest(id=1, seq=1)")
vec("ip6_second_ext_truncated",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrHopByHop(nh=44)"
    "/Raw(b'\\x3a\\x00\\x00\\x00')")
vec("ip6_hbh_not_first",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrDestOpt()/IPv6ExtHdrHopByHop()"
    "/ICMPv6EchoRequest(id=1, seq=1)")

# --- Neighbor Discovery --------------------------------------------------------------------

vec("ns_mcast_req",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("ns_mcast_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=255)"
    "/ICMPv6ND_NA(tgt='{US6}', R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr='{US_MAC}')")
vec("ns_mcast_router_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=255)"
    "/ICMPv6ND_NA(tgt='{US6}', R=1, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr='{US_MAC}')")
# The SLLA names another MAC than the Ethernet source: the NA goes to the SLLA.
vec("ns_slla_differs_req",
    "Ether(dst='{SNM_MAC}', src='{OTHER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("ns_unicast_req",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{US6}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')")
vec("ns_unicast_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=255)"
    "/ICMPv6ND_NA(tgt='{US6}', R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr='{US_MAC}')")
vec("ns_dad_req",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='::', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')")
vec("ns_dad_reply",
    "Ether(dst='{ALLN_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{ALLN}', hlim=255)"
    "/ICMPv6ND_NA(tgt='{US6}', R=0, S=0, O=1)/ICMPv6NDOptDstLLAddr(lladdr='{US_MAC}')")
vec("ns_ll_req",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER_LL}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US_LL}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("ns_ll_reply",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US_LL}', dst='{PEER_LL}', hlim=255)"
    "/ICMPv6ND_NA(tgt='{US_LL}', R=0, S=1, O=1)/ICMPv6NDOptDstLLAddr(lladdr='{US_MAC}')")
# A nonce option (RFC 3971 5.3.2, type 14) is unknown to us and skipped (RFC 4861 4.6).
vec("ns_nonce_req",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptUnknown(type=14, len=1, data=b'\\x01\\x02\\x03"
    "\\x04\\x05\\x06')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("na_tlla",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=255)/ICMPv6ND_NA(tgt='{PEER6}', R=1, S=1, O=0)"
    "/ICMPv6NDOptDstLLAddr(lladdr='{PEER_MAC}')")
vec("opt_slla", "ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("opt_tlla", "ICMPv6NDOptDstLLAddr(lladdr='{US_MAC}')")

# --- UDP and pseudo-headers ----------------------------------------------------------------

vec("udp4",
    "IP(src='{PEER4}', dst='{US4}', id=9, ttl=64)/UDP(sport=40000, dport=7)"
    "/Raw(b'hello pingwire')")
vec("udp4_odd",
    "IP(src='{PEER4}', dst='{US4B}', id=9, ttl=64)/UDP(sport=53, dport=33434)"
    "/Raw(b'odd length!')")
vec("udp6",
    "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/UDP(sport=40000, dport=7)"
    "/Raw(b'hello pingwire')")
vec("udp6_odd",
    "IPv6(src='{PEER_LL}', dst='{US_LL}', hlim=64)/UDP(sport=546, dport=547)"
    "/Raw(b'odd length!')")
vec("udp4_zero_payload",
    "IP(src='{PEER4}', dst='{US4}', id=9, ttl=64)/UDP(sport=1, dport=2)")

# The pseudo-headers scapy sums for those (RFC 768, RFC 8200 8.1).
vec("ph_udp4", "in4_pseudoheader(17, IP(src='{PEER4}', dst='{US4}'), 22)")
vec("ph_udp4_odd", "in4_pseudoheader(17, IP(src='{PEER4}', dst='{US4B}'), 19)")
vec("ph_udp6", "raw(PseudoIPv6(src='{PEER6}', dst='{US6}', uplen=22, nh=17))")
vec("ph_echo6", "raw(PseudoIPv6(src='{PEER6}', dst='{US6}', uplen=64, nh=58))")
vec("ph_jumbo6", "raw(PseudoIPv6(src='{PEER_LL}', dst='{US_LL}', uplen=0x12345, nh=58))")

# --- Addresses -----------------------------------------------------------------------------

vec("ll_of_us_mac",
    "inet_pton(socket.AF_INET6, 'fe80::' + in6_mactoifaceid('{US_MAC}'))")
vec("ll_of_mac_a",
    "inet_pton(socket.AF_INET6, 'fe80::' + in6_mactoifaceid('00:00:5e:00:53:01'))")
vec("ll_of_mac_b",
    "inet_pton(socket.AF_INET6, 'fe80::' + in6_mactoifaceid('fe:ff:ff:ff:ff:fe'))")
vec("snm_of_us6",
    "in6_getnsma(inet_pton(socket.AF_INET6, '{US6}'))")
vec("snm_of_us6b",
    "in6_getnsma(inet_pton(socket.AF_INET6, '{US6B}'))")
vec("snm_of_2001_2_abcd",
    "in6_getnsma(inet_pton(socket.AF_INET6, '2001:2::ab:cdef:1234'))")
vec("snm_mac_of_us6",
    "mac2str(in6_getnsmac(in6_getnsma(inet_pton(socket.AF_INET6, '{US6}'))))")
vec("snm_mac_of_2001_2_abcd",
    "mac2str(in6_getnsmac(in6_getnsma(inet_pton(socket.AF_INET6, '2001:2::ab:cdef:1234'))))")
vec("mac_of_allnodes",
    "mac2str(in6_getnsmac(inet_pton(socket.AF_INET6, '{ALLN}')))")

# --- Bad input for host_input --------------------------------------------------------------

E_US = "Ether(dst='{US_MAC}', src='{PEER_MAC}')"
ECHO4 = "ICMP(type=8, id=1, seq=1)/Raw(b'bad')"
ECHO6 = "ICMPv6EchoRequest(id=1, seq=1, data=b'bad')"
IP4 = "IP(src='{PEER4}', dst='{US4}', id=1, ttl=64"
IP6 = "IPv6(src='{PEER6}', dst='{US6}', hlim=64"

vec("bad_ip4_ihl4", E_US + "/" + IP4 + ", ihl=4)/" + ECHO4)
vec("bad_ip4_ihl0", E_US + "/" + IP4 + ", ihl=0)/" + ECHO4)
vec("bad_ip4_ihl15", E_US + "/" + IP4 + ", ihl=15)/" + ECHO4)
vec("bad_ip4_len_long", E_US + "/" + IP4 + ", len=200)/" + ECHO4)
vec("bad_ip4_len_short", E_US + "/" + IP4 + ", len=19)/" + ECHO4)
vec("bad_ip4_len_in_options",
    E_US + "/" + IP4 + ", len=22, options=[IPOption_NOP()] * 4)/" + ECHO4)
vec("bad_ip4_version", E_US + "/" + IP4 + ", version=6)/" + ECHO4)
vec("bad_ip4_checksum", E_US + "/" + IP4 + ", chksum=0x1234)/" + ECHO4)
vec("bad_icmp4_checksum",
    E_US + "/" + IP4 + ")/ICMP(type=8, id=1, seq=1, chksum=0xdead)/Raw(b'bad')")
vec("bad_icmp4_empty", E_US + "/" + IP4 + ", proto=1)")
vec("bad_icmp4_7_bytes",
    E_US + "/" + IP4 + ", proto=1)/Raw(b'\\x08\\x00\\xf7\\xff\\x00\\x00\\x00')")
vec("bad_unknown_ethertype",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}', type=0x88b5)/Raw(bytes(46))")
vec("bad_other_mac",
    "Ether(dst='{OTHER_MAC}', src='{PEER_MAC}')/" + IP4 + ")/" + ECHO4)
vec("bad_unjoined_group_mac",
    "Ether(dst='33:33:00:00:00:02', src='{PEER_MAC}')/IPv6(src='{PEER_LL}', dst='ff02::2', "
    "hlim=255)/ICMPv6ND_RS()")
vec("bad_echo4_directed_broadcast",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{BCAST4}', id=1, "
    "ttl=64)/" + ECHO4)
vec("bad_echo4_limited_broadcast",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='255.255.255.255', "
    "id=1, ttl=64)/" + ECHO4)
vec("bad_ip4_unicast_in_l2_broadcast",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/" + IP4 + ")/" + ECHO4)
vec("bad_ip4_not_for_us",
    E_US + "/IP(src='{PEER4}', dst='{NOTUS4}', id=1, ttl=64)/" + ECHO4)
for n, a in [("zero", "0.0.0.0"), ("this_net", "0.1.2.3"), ("loopback", "127.0.0.1"),
             ("multicast", "224.0.0.1"), ("reserved", "240.0.0.1"),
             ("limited_broadcast", "255.255.255.255"), ("directed_broadcast", C["BCAST4"])]:
    vec("bad_ip4_martian_" + n,
        E_US + "/IP(src='" + a + "', dst='{US4}', id=1, ttl=64)/" + ECHO4)
vec("bad_ip4_fragment_mf", E_US + "/" + IP4 + ", flags='MF')/" + ECHO4)
vec("bad_ip4_fragment_offset", E_US + "/" + IP4 + ", frag=1, proto=1)/Raw(bytes(8))")
vec("bad_ip4_udp", E_US + "/" + IP4 + ")/UDP(sport=1234, dport=7)/Raw(b'bad')")
vec("bad_icmp4_echo_reply", E_US + "/" + IP4 + ")/ICMP(type=0, id=1, seq=1)/Raw(b'bad')")
vec("bad_icmp4_timestamp", E_US + "/" + IP4 + ")/ICMP(type=13, id=1, seq=1, ts_ori=1, ts_rx=2, ts_tx=3)")
vec("bad_icmp4_unreachable",
    E_US + "/" + IP4 + ")/ICMP(type=3, code=3)/IP(src='{US4}', dst='{PEER4}', id=1, ttl=64)"
    "/UDP(sport=7, dport=1234)")
vec("bad_arp_not_ours",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/ARP(op=1, hwsrc='{PEER_MAC}', psrc='{PEER4}', "
    "hwdst='{ZERO_MAC}', pdst='{NOTUS4}')")
vec("bad_arp_reply",
    "Ether(dst='{US_MAC}', src='{PEER_MAC}')/ARP(op=2, hwsrc='{PEER_MAC}', psrc='{PEER4}', "
    "hwdst='{US_MAC}', pdst='{US4}')")
vec("bad_arp_group_sender",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/ARP(op=1, hwsrc='03:00:00:00:00:01', "
    "psrc='{PEER4}', hwdst='{ZERO_MAC}', pdst='{US4}')")
# A group address as the Ethernet source (IEEE 802.3 3.2.3): an echo and an NS from the
# broadcast and from a multicast MAC; answering would reach every station.
vec("bad_eth_bcast_source",
    "Ether(dst='{US_MAC}', src='{BCAST_MAC}')/" + IP4 + ")/" + ECHO4)
vec("bad_eth_mcast_source6",
    "Ether(dst='{US_MAC}', src='33:33:00:00:00:01')/" + IP6 + ")/" + ECHO6)
# One byte more than the port MTU (1500) allows: a NIC would drop it as oversize.
vec("bad_frame_too_long", E_US + "/" + IP4 + ")/ICMP(type=8, id=1, seq=1)/Raw(bytes(1473))")
vec("bad_frame_too_long6", E_US + "/" + IP6 + ")/ICMPv6EchoRequest(id=1, seq=1, data=bytes(1453))")
vec("bad_arp_hwtype",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/ARP(hwtype=6, op=1, hwsrc='{PEER_MAC}', "
    "psrc='{PEER4}', hwdst='{ZERO_MAC}', pdst='{US4}')")
vec("bad_ip6_version", "Ether(dst='{US_MAC}', src='{PEER_MAC}', type=0x86dd)/" + IP6 +
    ", version=4)/" + ECHO6)
vec("bad_ip6_plen_long", E_US + "/" + IP6 + ", plen=200)/" + ECHO6)
vec("bad_ip6_martian_multicast",
    E_US + "/IPv6(src='{ALLN}', dst='{US6}', hlim=64)/" + ECHO6)
vec("bad_ip6_martian_loopback",
    E_US + "/IPv6(src='::1', dst='{US6}', hlim=64)/" + ECHO6)
vec("bad_echo6_unspecified_source",
    E_US + "/IPv6(src='::', dst='{US6}', hlim=64)/" + ECHO6)
vec("bad_ip6_not_for_us",
    E_US + "/IPv6(src='{PEER6}', dst='{NOTUS6}', hlim=64)/" + ECHO6)
vec("bad_ip6_unjoined_group",
    "Ether(dst='33:33:ff:00:00:01', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='ff02::2', "
    "hlim=64)/" + ECHO6)
vec("bad_ip6_ext_truncated",
    E_US + "/" + IP6 + ", nh=0)/Raw(b'\\x3a\\x00\\x01\\x04')")
vec("bad_ip6_ext_len_past",
    E_US + "/" + IP6 + ")/IPv6ExtHdrDestOpt(len=4)/" + ECHO6)
vec("bad_ip6_hbh_not_first",
    E_US + "/" + IP6 + ")/IPv6ExtHdrDestOpt()/IPv6ExtHdrHopByHop()/" + ECHO6)
vec("bad_ip6_fragment",
    E_US + "/" + IP6 + ")/IPv6ExtHdrFragment(offset=0, m=1, id=0x01020304)/" + ECHO6)
vec("bad_ip6_fragment_later",
    E_US + "/" + IP6 + ")/IPv6ExtHdrFragment(nh=58, offset=2, m=0, id=0x01020304)"
    "/Raw(bytes(16))")
vec("bad_ip6_udp", E_US + "/" + IP6 + ")/UDP(sport=1234, dport=7)/Raw(b'bad')")
vec("bad_ip6_no_next_header", E_US + "/" + IP6 + ", nh=59)")
vec("bad_icmp6_7_bytes",
    E_US + "/" + IP6 + ", nh=58)/Raw(b'\\x80\\x00\\x00\\x00\\x00\\x00\\x00')")
vec("bad_icmp6_empty", E_US + "/" + IP6 + ", nh=58)")
vec("bad_icmp6_checksum",
    E_US + "/" + IP6 + ")/ICMPv6EchoRequest(id=1, seq=1, data=b'bad', cksum=0xdead)")
vec("bad_icmp6_echo_reply", E_US + "/" + IP6 + ")/ICMPv6EchoReply(id=1, seq=1, data=b'bad')")
vec("bad_icmp6_unreachable",
    E_US + "/" + IP6 + ")/ICMPv6DestUnreach(code=4)/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/UDP(sport=7, dport=1234)")
vec("bad_icmp6_unknown_informational",
    E_US + "/" + IP6 + ")/ICMPv6Unknown(type=200, code=0, msgbody=b'1234')")
vec("bad_nd_na",
    E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=255)/ICMPv6ND_NA(tgt='{PEER6}', R=0, S=1, "
    "O=1)/ICMPv6NDOptDstLLAddr(lladdr='{PEER_MAC}')")
vec("bad_nd_rs",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER_LL}', dst='{ALLN}', hlim=255)"
    "/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_nd_ra",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER_LL}', dst='{ALLN}', hlim=255)"
    "/ICMPv6ND_RA()/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_nd_redirect",
    E_US + "/IPv6(src='{PEER_LL}', dst='{US_LL}', hlim=255)/ICMPv6ND_Redirect(tgt='{PEER_LL}', "
    "dst='2001:2:0:2::1')")
vec("bad_ns_hlim64",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=64)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_ns_hlim254_unicast",
    E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=254)/ICMPv6ND_NS(tgt='{US6}')")
vec("bad_ns_target_not_ours_unicast",
    E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=255)/ICMPv6ND_NS(tgt='{NOTUS6}')")
# Same solicited-node group as 2001:2::1 (low 24 bits 00:00:01), another address.
vec("bad_ns_target_not_ours_same_group",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='2001:2::5:0:1')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_ns_truncated",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6Unknown(type=135, code=0, msgbody=bytes(12))")
vec("bad_ns_code1",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(code=1, tgt='{US6}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_ns_target_multicast",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{SNM_US}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_ns_option_len0",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptUnknown(type=14, len=0, data=bytes(6))")
vec("bad_ns_option_past_end",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptUnknown(type=14, len=2, data=bytes(6))")
vec("bad_ns_dad_with_slla",
    "Ether(dst='{SNM_MAC}', src='{PEER_MAC}')/IPv6(src='::', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')/ICMPv6NDOptSrcLLAddr(lladdr='{PEER_MAC}')")
vec("bad_ns_dad_to_allnodes",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='::', dst='{ALLN}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')")
vec("bad_ns_dad_to_unicast",
    E_US + "/IPv6(src='::', dst='{US6}', hlim=255)/ICMPv6ND_NS(tgt='{US6}')")

# --- RFC 1071 sums -------------------------------------------------------------------------

SIZES = list(range(0, 66)) + [127, 128, 255, 256, 1023, 1024, 1499, 1500, 1501, 4097, 9001]
CSUM_CASES = []
for n in SIZES:
    d = vec(f"csum_data_{n}", f"random.Random({n}).randbytes({n})")
    c = vec(f"csum_data_{n}_checksum", f"checksum(random.Random({n}).randbytes({n}))", "u16")
    CSUM_CASES.append((d.name, c.name))
for name, expr in [("ones", "b'\\xff' * 64"), ("zeros", "bytes(64)"),
                   ("sums_to_ffff", "b'\\xff\\x00\\x00\\xff'"),
                   ("carries", "b'\\xff\\xff\\x00\\x01' * 40 + b'\\xff'"),
                   ("rfc1071_example", "bytes([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])")]:
    d = vec(f"csum_{name}", expr)
    c = vec(f"csum_{name}_checksum", f"checksum({expr})", "u16")
    CSUM_CASES.append((d.name, c.name))


# --- ICMP errors (issue 3) -----------------------------------------------------------------
#
# The error builder (icmp_error_test.cc): invoking packets of 64, 548, 576, 1232, 1280 and
# 1500 bytes (L3), and the errors about them as scapy builds them: a fresh header (TTL/hop
# limit 64, IPv4 TOS 0xc0, DF clear, the planned identification), the quote cut so that the
# error is at most 576 bytes (IPv4, RFC 1812 4.3.2.3) or 1280 (IPv6, RFC 4443 2.4(c)).

ERR_SIZES = [64, 548, 576, 1232, 1280, 1500]
ERR_DATA = "Raw(bytes((i * 7 + 3) & 0xff for i in range({n})))"
E_PEER = "Ether(dst='{PEER_MAC}', src='{US_MAC}')"


def inv4_udp(n):
    return ("IP(src='{PEER4}', dst='{US4}', tos=0x28, id=0x5a5a, flags='DF', ttl=17)"
            "/UDP(sport=40000, dport=33434)/" + ERR_DATA.replace("{n}", str(n - 28)))


def inv4_proto(n):
    return ("IP(src='{PEER4}', dst='{US4}', id=0x5b5b, ttl=9, proto=253)/"
            + ERR_DATA.replace("{n}", str(n - 20)))


def inv6_udp(n):
    return ("IPv6(src='{PEER6}', dst='{US6}', tc=0x28, fl=0xbeef, hlim=17)"
            "/UDP(sport=40000, dport=33434)/" + ERR_DATA.replace("{n}", str(n - 48)))


def err4(icmp, ident, invoking):
    return (E_PEER + "/IP(src='{US4}', dst='{PEER4}', tos=0xc0, ttl=64, id=" + ident
            + ", flags=0)/" + icmp + "/raw(" + invoking + ")[:548]")


def err6(icmp, invoking):
    return (E_PEER + "/IPv6(src='{US6}', dst='{PEER6}', hlim=64)/" + icmp + "/raw(" + invoking
            + ")[:1232]")


for n in ERR_SIZES:
    vec(f"err_inv4_{n}", inv4_udp(n))
    vec(f"err4_port_unreach_{n}", err4("ICMP(type=3, code=3)", "0x0303", inv4_udp(n)))
for n in [64, 1500]:
    vec(f"err_inv4_proto_{n}", inv4_proto(n))
    vec(f"err4_proto_unreach_{n}", err4("ICMP(type=3, code=2)", "0x0302", inv4_proto(n)))
for n in [64, 576, 1500]:
    vec(f"err4_time_exceeded_{n}", err4("ICMP(type=11, code=0)", "0x0b00", inv4_udp(n)))
    vec(f"err4_reasm_time_exceeded_{n}", err4("ICMP(type=11, code=1)", "0x0b01", inv4_udp(n)))
for n in ERR_SIZES:
    vec(f"err_inv6_{n}", inv6_udp(n))
    vec(f"err6_port_unreach_{n}", err6("ICMPv6DestUnreach(code=4)", inv6_udp(n)))
for n in [64, 1280, 1500]:
    vec(f"err6_param_problem0_{n}", err6("ICMPv6ParamProblem(code=0, ptr=41)", inv6_udp(n)))
    vec(f"err6_param_problem1_{n}", err6("ICMPv6ParamProblem(code=1, ptr=6)", inv6_udp(n)))
    vec(f"err6_reasm_time_exceeded_{n}", err6("ICMPv6TimeExceeded(code=1)", inv6_udp(n)))

# host_input with its errors (host_errors_test.cc). Each frame arrives from PEER; the errors
# host_input plans are checked against these after emit_error. IPv4 errors carry the
# identification the test starts its counter at (0x2000).

HE_ID = "0x2000"
UDP4 = "IP(src='{PEER4}', dst='{US4}', id=0x0101, ttl=64)/UDP(sport=40001, dport=33434)/Raw(b'closed port')"
UDP4B = "IP(src='{PEER4}', dst='{US4B}', id=0x0102, ttl=64)/UDP(sport=40002, dport=33435)/Raw(b'secondary')"
UDP4_SHORT = "IP(src='{PEER4}', dst='{US4}', id=0x0103, ttl=64)/UDP(sport=40003, dport=9)"
UDP6 = "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/UDP(sport=40001, dport=33434)/Raw(b'closed port')"
UDP6B = "IPv6(src='{PEER6B}', dst='{US6B}', hlim=64)/UDP(sport=40002, dport=33435)/Raw(b'secondary')"
PROTO4 = "IP(src='{PEER4}', dst='{US4}', id=0x0104, ttl=64, proto=253)/Raw(b'experimental')"
TCP4 = "IP(src='{PEER4}', dst='{US4}', id=0x0105, ttl=64)/TCP(sport=40004, dport=80, flags='S', seq=1)"
NH6 = "IPv6(src='{PEER6}', dst='{US6}', hlim=64, nh=253)/Raw(b'experimental')"
NH6_DST = ("IPv6(src='{PEER6}', dst='{US6}', hlim=64)/IPv6ExtHdrDestOpt(nh=253)"
           "/Raw(b'behind destination options')")
TCP6 = "IPv6(src='{PEER6}', dst='{US6}', hlim=64)/TCP(sport=40004, dport=80, flags='S', seq=1)"
EXT_LEN_PAST6 = IP6 + ")/IPv6ExtHdrDestOpt(len=4)/" + ECHO6
EXT_TRUNC6 = IP6 + ", nh=0)/Raw(b'\\x3a\\x00\\x01\\x04')"
HBH_NOT_FIRST6 = IP6 + ")/IPv6ExtHdrDestOpt()/IPv6ExtHdrHopByHop()/" + ECHO6

vec("he_udp4_closed", E_US + "/" + UDP4)
vec("he_udp4_closed_error", err4("ICMP(type=3, code=3)", HE_ID, UDP4))
vec("he_udp4_secondary", E_US + "/" + UDP4B)
vec("he_udp4_secondary_error",
    E_PEER + "/IP(src='{US4B}', dst='{PEER4}', tos=0xc0, ttl=64, id=" + HE_ID
    + ", flags=0)/ICMP(type=3, code=3)/raw(" + UDP4B + ")")
vec("he_udp4_secondary_error_ingress", err4("ICMP(type=3, code=3)", HE_ID, UDP4B))
# 28 bytes of IP in a 60-byte frame: the padding is not quoted.
vec("he_udp4_padded", E_US + "/" + UDP4_SHORT + "/Padding(load=b'\\xee' * 18)")
vec("he_udp4_padded_error", err4("ICMP(type=3, code=3)", HE_ID, UDP4_SHORT))
vec("he_udp4_no_checksum",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0106, ttl=64)/UDP(sport=40005, dport=33434, "
    "chksum=0)/Raw(b'no checksum')")
vec("he_udp4_bad_checksum",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0107, ttl=64)/UDP(sport=40006, dport=33434, "
    "chksum=0x1234)/Raw(b'bad checksum')")
vec("he_udp4_directed_broadcast",
    "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', dst='{BCAST4}', id=0x0108, "
    "ttl=64)/UDP(sport=40007, dport=33434)/Raw(b'broadcast')")
vec("he_udp6_closed", E_US + "/" + UDP6)
vec("he_udp6_closed_error", err6("ICMPv6DestUnreach(code=4)", UDP6))
vec("he_udp6_secondary", E_US + "/" + UDP6B)
vec("he_udp6_secondary_error",
    E_PEER + "/IPv6(src='{US6B}', dst='{PEER6B}', hlim=64)/ICMPv6DestUnreach(code=4)/raw("
    + UDP6B + ")")
vec("he_udp6_zero_checksum",
    E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=64)/UDP(sport=40005, dport=33434, chksum=0)"
    "/Raw(b'no checksum')")
vec("he_udp6_bad_checksum",
    E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=64)/UDP(sport=40006, dport=33434, "
    "chksum=0x1234)/Raw(b'bad checksum')")
vec("he_udp6_allnodes",
    "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', dst='{ALLN}', hlim=64)"
    "/UDP(sport=40007, dport=33434)/Raw(b'all nodes')")
vec("he_proto4_253", E_US + "/" + PROTO4)
vec("he_proto4_253_error", err4("ICMP(type=3, code=2)", HE_ID, PROTO4))
vec("he_tcp4", E_US + "/" + TCP4)
# TCP to a closed port gets a reset, as from Linux (tcp_v4_send_reset: TTL 64, the segment's
# TOS, DF, identification 0, window 0; RFC 9293 3.5.2 item 1): without ACK, <SEQ=0>
# <ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; with ACK, <SEQ=SEG.ACK><CTL=RST> (tcp_reset_test.cc).
vec("he_tcp4_rst", E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0, flags='DF', ttl=64)"
    "/TCP(sport=80, dport=40004, flags='RA', seq=0, ack=2, window=0)")
TCP4_ACK = ("IP(src='{PEER4}', dst='{US4}', id=0x0201, ttl=63, tos=0x28, "
            "options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])"
            "/TCP(sport=40005, dport=5555, flags='PA', seq=1000, ack=0xdeadbeef, "
            "options=[('MSS', 1460)])/Raw(b'twelve bytes')")
vec("tcp4_ack_data", E_US + "/" + TCP4_ACK)
vec("tcp4_ack_data_rst", E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0, flags='DF', ttl=64, "
    "tos=0x28)/TCP(sport=5555, dport=40005, flags='R', seq=0xdeadbeef, ack=0, window=0)")
# SEG.LEN counts the data, the FIN and the SYN; the sum wraps modulo 2^32.
vec("tcp4_syn_fin_data", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0202, ttl=64)"
    "/TCP(sport=40006, dport=22, flags='SF', seq=0xfffffff0, window=512)/Raw(b'x' * 20)")
vec("tcp4_syn_fin_data_rst", E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0, flags='DF', "
    "ttl=64)/TCP(sport=22, dport=40006, flags='RA', seq=0, ack=6, window=0)")
# Ethernet padding after a 40-byte datagram is not data.
vec("tcp4_syn_padded", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0203, ttl=64)"
    "/TCP(sport=40007, dport=443, flags='S', seq=77)/Padding(load=b'\\xee' * 6)")
vec("tcp4_syn_padded_rst", E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0, flags='DF', ttl=64)"
    "/TCP(sport=443, dport=40007, flags='RA', seq=0, ack=78, window=0)")
vec("tcp4_rst", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0204, ttl=64)"
    "/TCP(sport=40008, dport=80, flags='R', seq=5)")
vec("tcp4_rst_ack", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0205, ttl=64)"
    "/TCP(sport=40008, dport=80, flags='RA', seq=5, ack=9)")
vec("tcp4_bad_checksum", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0206, ttl=64)"
    "/TCP(sport=40009, dport=80, flags='S', seq=1, chksum=0x1234)")
vec("tcp4_truncated", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0207, ttl=64, proto=6)"
    "/Raw(b'\\x9c\\x49\\x00\\x50' + b'\\x00' * 12)")
vec("tcp4_data_offset_past", E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0208, ttl=64)"
    "/TCP(sport=40010, dport=80, flags='S', seq=1, dataofs=6)")
vec("tcp4_broadcast", "Ether(dst='{BCAST_MAC}', src='{PEER_MAC}')/IP(src='{PEER4}', "
    "dst='{BCAST4}', id=0x0209, ttl=64)/TCP(sport=40011, dport=80, flags='S', seq=1)")

# IPv4 options a receiver must check (RFC 1122 3.2.1.8, 3.2.2.5; the checks of Linux's
# __ip_options_compile): malformed ones owe Parameter Problem code 0 pointing at the octet at
# fault, well-formed ones (unknown included) are accepted, source routes dropped quietly. The
# datagrams are raw: scapy would re-parse (and trip over) malformed options.
def opts4(opts, upper, dst=C["US4"], flags=0):
    opts = bytes(opts) + bytes(-len(opts) % 4)
    ip = IP(src=C["PEER4"], dst=dst, id=0x0110, ttl=64, flags=flags,
            options=[IPOption_NOP()] * len(opts)) / upper
    b = bytearray(raw(ip))
    b[20:20 + len(opts)] = opts
    b[10:12] = bytes(2)
    b[10:12] = checksum(bytes(b[:20 + len(opts)])).to_bytes(2, "big")
    return bytes(b)


OPT4_ECHO = "ICMP(type=8, id=0x3333, seq=1)/Raw(b'options')"
E_US4 = "Ether(dst='{US_MAC}', src='{PEER_MAC}', type=0x0800)"
OPT4_BAD = [  # name, option bytes, Parameter Problem pointer
    ("len0", "b'\\x07\\x00\\x00\\x00'", 20),
    ("past", "b'\\x01\\x44\\x0c\\x05'", 21),
    ("last_octet", "b'\\x01\\x01\\x01\\x07'", 23),
    ("rr_ptr3", "b'\\x07\\x07\\x03' + bytes(5)", 22),
    ("rr_no_room", "b'\\x07\\x07\\x05' + bytes(5)", 22),
    ("rr_twice", "(b'\\x07\\x07\\x04' + bytes(4) + b'\\x01') * 2", 28),
    ("ts_short", "b'\\x44\\x03\\x05\\x00'", 21),
    ("ts_ptr4", "b'\\x44\\x08\\x04\\x00' + bytes(4)", 22),
    ("ts_overflow", "b'\\x44\\x08\\x09\\xf0' + bytes(4)", 23),
    ("ts_addr_no_room", "b'\\x44\\x08\\x05\\x01' + bytes(4)", 22),
    ("ts_flag2_no_room", "b'\\x44\\x08\\x07\\x02' + bytes(4)", 22),
    ("ra_short", "b'\\x94\\x03\\x00\\x00'", 21),
    ("lsrr_ptr3", "b'\\x83\\x07\\x03' + bytes(5)", 22),
]
OPT4_GOOD = [  # name, option bytes: well formed, the echo is answered (options not echoed)
    ("rr_full", "b'\\x07\\x07\\x08' + bytes(4) + b'\\x01'"),
    ("unknown", "b'\\x9e\\x04\\x00\\x00'"),
    ("ts_full_counting", "b'\\x44\\x08\\x09\\x10' + bytes(4)"),
    ("router_alert", "b'\\x94\\x04\\x00\\x00'"),
    ("after_eol", "b'\\x01\\x00\\x07\\x00'"),
]
for name, opts, ptr in OPT4_BAD:
    inv = f"opts4({opts}, {OPT4_ECHO})"
    vec(f"he_opt4_{name}", E_US4 + f"/Raw({inv})")
    vec(f"he_opt4_{name}_error", err4(f"ICMP(type=12, code=0, ptr={ptr})", HE_ID, inv))
for name, opts in OPT4_GOOD:
    vec(f"he_opt4_{name}", E_US4 + f"/Raw(opts4({opts}, {OPT4_ECHO}))")
vec("he_opt4_reply",
    E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0x0110, ttl=64)/ICMP(type=0, id=0x3333, "
    "seq=1)/Raw(b'options')")
# Source routes (LSRR, SSRR through 198.18.0.9) are dropped quietly.
for name, t in [("lsrr", "83"), ("ssrr", "89")]:
    vec(f"he_opt4_{name}",
        E_US4 + f"/Raw(opts4(b'\\x{t}\\x07\\x04\\xc6\\x12\\x00\\x09', {OPT4_ECHO}))")
# Every IPv4 input path checks them: UDP to a closed port, a timestamp request, a first
# fragment, and (router mode) a datagram in transit, about which the router sends it.
OPT4_LEN0 = "b'\\x07\\x00\\x00\\x00'"
for name, upper, kw in [
        ("udp", "UDP(sport=40001, dport=33434)/Raw(b'options')", ""),
        ("timestamp", "ICMP(type=13, id=0x3333, seq=1, ts_ori=1, ts_rx=0, ts_tx=0)", ""),
        ("fragment", OPT4_ECHO, ", flags='MF'"),
        ("transit", OPT4_ECHO, ", dst='198.19.5.5'")]:
    inv = f"opts4({OPT4_LEN0}, {upper}{kw})"
    vec(f"he_opt4_len0_{name}", E_US4 + f"/Raw({inv})")
    vec(f"he_opt4_len0_{name}_error", err4("ICMP(type=12, code=0, ptr=20)", HE_ID, inv))

vec("he_nh6_253", E_US + "/" + NH6)
vec("he_nh6_253_error", err6("ICMPv6ParamProblem(code=1, ptr=6)", NH6))
vec("he_nh6_253_dstopt", E_US + "/" + NH6_DST)
vec("he_nh6_253_dstopt_error", err6("ICMPv6ParamProblem(code=1, ptr=40)", NH6_DST))
vec("he_tcp6", E_US + "/" + TCP6)
# The reset from Linux's tcp_v6_send_response: hop limit 64, the segment's traffic class (here
# the flow label is the segment's too: Linux would hash one of its own).
vec("he_tcp6_rst", E_PEER + "/IPv6(src='{US6}', dst='{PEER6}', hlim=64)"
    "/TCP(sport=80, dport=40004, flags='RA', seq=0, ack=2, window=0)")
TCP6_ACK = ("IPv6(src='{PEER6}', dst='{US6B}', hlim=64, tc=0x28, fl=0x12345)"
            "/IPv6ExtHdrDestOpt()/TCP(sport=40005, dport=5555, flags='A', seq=1000, ack=0x12345678)")
vec("tcp6_ack_dstopt", E_US + "/" + TCP6_ACK)
vec("tcp6_ack_dstopt_rst", E_PEER + "/IPv6(src='{US6B}', dst='{PEER6}', hlim=64, tc=0x28, "
    "fl=0x12345)/TCP(sport=5555, dport=40005, flags='R', seq=0x12345678, ack=0, window=0)")
vec("tcp6_rst", E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=64)"
    "/TCP(sport=40008, dport=80, flags='R', seq=5)")
vec("tcp6_bad_checksum", E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=64)"
    "/TCP(sport=40009, dport=80, flags='S', seq=1, chksum=0x1234)")
vec("tcp6_allnodes", "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')/IPv6(src='{PEER6}', "
    "dst='{ALLN}', hlim=64)/TCP(sport=40011, dport=80, flags='S', seq=1)")
# The malformed headers of bad_ip6_ext_len_past, bad_ip6_ext_truncated, bad_ip6_hbh_not_first.
vec("he_ext_len_past_error", err6("ICMPv6ParamProblem(code=0, ptr=41)", EXT_LEN_PAST6))
vec("he_ext_truncated_error", err6("ICMPv6ParamProblem(code=0, ptr=6)", EXT_TRUNC6))
vec("he_hbh_not_first_error", err6("ICMPv6ParamProblem(code=1, ptr=40)", HBH_NOT_FIRST6))

# Timestamp (RFC 792): receive and transmit are the test's ctx.utc_ms_of_day, 43200123.
vec("he_timestamp_req",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0d0d, ttl=64)/ICMP(type=13, id=0x0707, seq=3, "
    "ts_ori=12345678, ts_rx=0, ts_tx=0)")
vec("he_timestamp_reply",
    E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0x0d0d, ttl=64)/ICMP(type=14, id=0x0707, seq=3, "
    "ts_ori=12345678, ts_rx=43200123, ts_tx=43200123)")
# An echo to a broadcast address, answered from the interface's address (the requests are
# bad_echo4_directed_broadcast and bad_echo4_limited_broadcast).
vec("he_echo4_broadcast_reply",
    E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=1, ttl=64)/ICMP(type=0, id=1, seq=1)"
    "/Raw(b'bad')")
vec("he_redirect4",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0505, ttl=64)/ICMP(type=5, code=1, "
    "gw='198.18.0.3')/IP(src='{US4}', dst='198.18.5.5', id=1, ttl=63)/UDP(sport=1, dport=2)")
vec("he_source_quench4",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0404, ttl=64)/ICMP(type=4, code=0)"
    "/IP(src='{US4}', dst='198.18.5.5', id=1, ttl=63)/UDP(sport=1, dport=2)")
vec("he_info_request4",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x0f0f, ttl=64)/ICMP(type=15, id=0x0f, seq=1)")
vec("he_mask_request4",
    E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x1111, ttl=64)/ICMP(type=17, id=0x11, seq=1, "
    "addr_mask='0.0.0.0')")

# RFC 8335 PROBE. scapy 2.5 has no Extended Echo layer: the ICMPv4 messages are ICMP(type=42/43)
# whose second word (Identifier 0x1234, Sequence 5, then L, or State/A/4/6 in the reply) is
# scapy's `unused` field; the ICMPv6 ones are ICMPv6Unknown(type=160/161) with that word at
# the start of msgbody. The extension structure is scapy's RFC 4884 ICMPExtensionHeader and
# ICMPExtensionObject (class 3, Interface Identification, RFC 8335 2.1); its checksum is given
# explicitly, over header and object as RFC 4884 7 says (scapy's own sums the header alone).


def probe_ext(ctype, body):
    obj = f"ICMPExtensionObject(classnum=3, classtype={ctype})/Raw({body})"
    return ("ICMPExtensionHeader(chksum=checksum(raw(ICMPExtensionHeader(chksum=0)/" + obj
            + ")))/" + obj)


PROBE_NAME = probe_ext(1, "b'port0\\x00\\x00\\x00'")
PROBE_NOSUCH = probe_ext(1, "b'nosuch0\\x00'")
PROBE_INDEX = probe_ext(2, "b'\\x00\\x00\\x00\\x02'")
PROBE_ADDR4 = probe_ext(3, "b'\\x00\\x01\\x04\\x00' + socket.inet_aton('{US4}')")
PROBE_ADDR6 = probe_ext(3, "b'\\x00\\x02\\x10\\x00' + socket.inet_pton(socket.AF_INET6, '{US6}')")
PROBE_SHARED = probe_ext(3, "b'\\x00\\x01\\x04\\x00' + socket.inet_aton('198.18.9.1')")
PROBE4_REQ = E_US + "/IP(src='{PEER4}', dst='{US4}', id=0x2a2a, ttl=64)/ICMP(type=42, code=0, unused="
PROBE4_REP = E_PEER + "/IP(src='{US4}', dst='{PEER4}', id=0x2a2a, ttl=64)/ICMP(type=43, code="
for name, ext, code, status in [("name", PROBE_NAME, 0, 0x07), ("index", PROBE_INDEX, 0, 0x06),
                                ("addr4", PROBE_ADDR4, 0, 0x07), ("addr6", PROBE_ADDR6, 0, 0x07),
                                ("nosuch", PROBE_NOSUCH, 2, 0), ("shared", PROBE_SHARED, 4, 0)]:
    vec(f"he_probe4_{name}_req", PROBE4_REQ + "0x12340501)/" + ext)
    vec(f"he_probe4_{name}_reply", PROBE4_REP + f"{code}, unused=0x123405{status:02x})/" + ext)
vec("he_probe4_proxy_req", PROBE4_REQ + "0x12340500)/" + PROBE_NAME)
vec("he_probe4_proxy_reply", PROBE4_REP + "1, unused=0x12340500)/" + PROBE_NAME)
vec("he_probe6_name_req",
    E_US + "/IPv6(src='{PEER6}', dst='{US6}', hlim=64)/ICMPv6Unknown(type=160, code=0, "
    "msgbody=b'\\x12\\x34\\x05\\x01' + raw(" + PROBE_NAME + "))")
vec("he_probe6_name_reply",
    E_PEER + "/IPv6(src='{US6}', dst='{PEER6}', hlim=64)/ICMPv6Unknown(type=161, code=0, "
    "msgbody=b'\\x12\\x34\\x05\\x07' + raw(" + PROBE_NAME + "))")

# RFC 8200 4.2: an unrecognised option in a Destination Options header, by the two high-order
# bits of its type: 00 skip it, 01 discard quietly, 10 discard and send Parameter Problem code
# 2 even about a multicast destination (RFC 4443 2.4(e.3)), 11 the same unless the destination
# is multicast. The pointer is at the option's type (offset 42).


def opt6(otype, dst):
    return ("IPv6(src='{PEER6}', dst='" + dst + "', hlim=64)/IPv6ExtHdrDestOpt(options=["
            f"HBHOptUnknown(otype=0x{otype:02x}, optdata=b'\\x00' * 4)])"
            "/UDP(sport=40008, dport=33434)/Raw(b'option')")


E_ALLN = "Ether(dst='{ALLN_MAC}', src='{PEER_MAC}')"
for otype in [0x00, 0x40, 0x80, 0xc0]:
    vec(f"he_opt{otype:02x}_unicast", E_US + "/" + opt6(otype, "{US6}"))
    vec(f"he_opt{otype:02x}_allnodes", E_ALLN + "/" + opt6(otype, "{ALLN}"))
vec("he_opt00_unicast_error", err6("ICMPv6DestUnreach(code=4)", opt6(0x00, "{US6}")))
vec("he_opt80_unicast_error", err6("ICMPv6ParamProblem(code=2, ptr=42)", opt6(0x80, "{US6}")))
vec("he_opt80_allnodes_error", err6("ICMPv6ParamProblem(code=2, ptr=42)", opt6(0x80, "{ALLN}")))
vec("he_optc0_unicast_error", err6("ICMPv6ParamProblem(code=2, ptr=42)", opt6(0xc0, "{US6}")))


# --- Router errors, RFC 4884 / RFC 5837 extensions, Redirects, neighbour probes (issue 4) ---
#
# Router-side errors (router_errors_test.cc) about packets passing through: from PEER to
# 198.19.5.5 (not ours), answered from the ingress interface's address (RFC 1812 4.3.2.4).
# IPv4 errors carry the identification 0x4884 the tests plan them with.

RID = "0x4884"
RDST4 = "198.19.5.5"
RDST6 = "2001:2:0:5::5"


def rinv4(n):
    return ("IP(src='{PEER4}', dst='" + RDST4 + "', tos=0x28, id=0x6a6a, flags='DF', ttl=1)"
            "/UDP(sport=40000, dport=33434)/" + ERR_DATA.replace("{n}", str(n - 28)))


def rinv6(n):
    return ("IPv6(src='{PEER6}', dst='" + RDST6 + "', tc=0x28, fl=0xbeef, hlim=1)"
            "/UDP(sport=40000, dport=33434)/" + ERR_DATA.replace("{n}", str(n - 48)))


for n in [64, 201, 1500]:
    vec(f"rt_inv4_{n}", rinv4(n))
    vec(f"rt_inv6_{n}", rinv6(n))
for n in [64, 1500]:
    for name, icmp in [("net_unreach", "ICMP(type=3, code=0)"),
                       ("host_unreach", "ICMP(type=3, code=1)"),
                       ("admin_prohibited", "ICMP(type=3, code=13)"),
                       ("ttl_exceeded", "ICMP(type=11, code=0)"),
                       ("frag_needed", "ICMP(type=3, code=4, nexthopmtu=1400)")]:
        vec(f"rt4_{name}_{n}", err4(icmp, RID, rinv4(n)))
    for name, icmp in [("no_route", "ICMPv6DestUnreach(code=0)"),
                       ("admin_prohibited", "ICMPv6DestUnreach(code=1)"),
                       ("beyond_scope", "ICMPv6DestUnreach(code=2)"),
                       ("addr_unreach", "ICMPv6DestUnreach(code=3)"),
                       ("hop_limit_exceeded", "ICMPv6TimeExceeded(code=0)"),
                       ("packet_too_big", "ICMPv6PacketTooBig(mtu=1400)")]:
        vec(f"rt6_{name}_{n}", err6(icmp, rinv6(n)))
# Packet Too Big is sent about a packet to a multicast group too (RFC 4443 3.2, 2.4(e.3)).
RINV6_MCAST = ("IPv6(src='{PEER6}', dst='ff0e::1:2', hlim=9)/UDP(sport=40000, dport=5004)"
               "/Raw(bytes(1452))")
vec("rt_inv6_mcast", RINV6_MCAST)
vec("rt6_packet_too_big_mcast", err6("ICMPv6PacketTooBig(mtu=1280)", RINV6_MCAST))

# RFC 4884 multipart errors with an RFC 5837 Interface Information Object
# (icmp_ext_test.cc), built with scapy's contrib.icmp_extensions. Two scapy defaults are not
# RFC text and are overridden: the extension header checksum is given (scapy sums the
# 4-byte header alone; RFC 4884 7 sums the whole structure), and the Interface Name
# Sub-Object's length octet is given with the NUL padding in the name (scapy counts the name
# alone; RFC 5837 4.3 counts the length octet too and pads to 4 bytes). The original datagram
# field (quote, zero padded to 128 bytes and to a 32/64-bit word, cut so that the message
# fits in 576/1280 bytes) and the length attribute are computed below from RFC 4884 4.1, 4.2, 5.


def iio(role, ifindex=None, addr4=None, addr6=None, name=None, mtu=None):
    """(scapy expression of the extension structure, its length in bytes)."""
    f = [f"interface_role={role}"]
    n = 4
    if ifindex is not None:
        f += ["has_ifindex=1", f"ifindex={ifindex}"]
        n += 4
    if addr4 is not None:
        f += ["has_ipaddr=1", "afi=1", f"ip4='{addr4}'"]
        n += 8
    if addr6 is not None:
        f += ["has_ipaddr=1", "afi=2", f"ip6='{addr6}'"]
        n += 20
    if name is not None:
        sub = (1 + len(name) + 3) // 4 * 4
        f += ["has_ifname=1", f"ifname_len={sub}", f"ifname=b'{name}' + bytes({sub - 1 - len(name)})"]
        n += sub
    if mtu is not None:
        f += ["has_mtu=1", f"mtu={mtu}"]
        n += 4
    obj = "ICMPExtensionInterfaceInformation(" + ", ".join(f) + ")"
    return ("ICMPExtensionHeader(chksum=checksum(raw(ICMPExtensionHeader(chksum=0)/" + obj
            + ")))/" + obj), 4 + n


NAME63 = "".join(chr(ord('a') + i % 26) for i in range(63))
EXT_V4 = iio(0, ifindex=1, addr4="{US4}", name="port0", mtu=1500)       # 32 bytes
EXT_V6 = iio(0, ifindex=1, addr6="{US6}", name="port0", mtu=1500)       # 44 bytes
EXT_LONG4 = iio(0, ifindex=3, addr4="{US4}", name=NAME63, mtu=9000)     # 88 bytes
EXT_LONG6 = iio(1, ifindex=3, addr6="{US_LL}", name=NAME63, mtu=9000)   # 100 bytes
EXT_OUT = iio(2, ifindex=7, name="eth", mtu=1400)                       # 20 bytes
EXT_MTU = iio(2, mtu=1400)                                              # 12 bytes


def orig_len(l3, ext_len, v6, fixed=False):
    if fixed:  # ErrorConfig::rfc4884_original_128, as Linux sends it
        return 128
    word = 8 if v6 else 4
    room = (1280 - 40 - 8) if v6 else (576 - 20 - 8)
    most = (room - ext_len) // word * word
    return min((max(l3, 128) + word - 1) // word * word, most)


def ext_err4(icmp, l3, inv, ext, fixed=False):
    orig = orig_len(l3, ext[1], False, fixed)
    quote = min(l3, orig)
    return (E_PEER + "/IP(src='{US4}', dst='{PEER4}', tos=0xc0, ttl=64, id=" + RID + ", flags=0)/"
            + icmp.replace(")", f", length={orig // 4})", 1) + f"/Raw(raw({inv})[:{quote}] + "
            f"bytes({orig - quote}))/" + ext[0])


def ext_err6(icmp, l3, inv, ext, fixed=False):
    orig = orig_len(l3, ext[1], True, fixed)
    quote = min(l3, orig)
    return (E_PEER + "/IPv6(src='{US6}', dst='{PEER6}', hlim=64)/"
            + icmp.replace(")", f", length={orig // 8})", 1) + f"/Raw(raw({inv})[:{quote}] + "
            f"bytes({orig - quote}))/" + ext[0])


for n in [64, 201, 1500]:
    vec(f"ext4_ttl_exceeded_{n}", ext_err4("ICMP(type=11, code=0)", n, rinv4(n), EXT_V4))
    vec(f"ext6_hop_limit_exceeded_{n}", ext_err6("ICMPv6TimeExceeded(code=0)", n, rinv6(n), EXT_V6))
vec("ext4_frag_needed_1500", ext_err4("ICMP(type=3, code=4, nexthopmtu=1400)", 1500, rinv4(1500), EXT_V4))
vec("ext4_net_unreach_long_name_1500", ext_err4("ICMP(type=3, code=0)", 1500, rinv4(1500), EXT_LONG4))
vec("ext6_no_route_long_name_1500", ext_err6("ICMPv6DestUnreach(code=0)", 1500, rinv6(1500), EXT_LONG6))
vec("ext4_host_unreach_outgoing_201", ext_err4("ICMP(type=3, code=1)", 201, rinv4(201), EXT_OUT))
vec("ext6_addr_unreach_mtu_only_201", ext_err6("ICMPv6DestUnreach(code=3)", 201, rinv6(201), EXT_MTU))
# The original datagram field fixed at 128 bytes (cut), as Linux and traceroute -e expect it.
vec("ext4_ttl_exceeded_201_orig128", ext_err4("ICMP(type=11, code=0)", 201, rinv4(201), EXT_V4, True))
vec("ext6_hop_limit_exceeded_1500_orig128",
    ext_err6("ICMPv6TimeExceeded(code=0)", 1500, rinv6(1500), EXT_V6, True))
# The extension structure alone, for the hand-checked bytes in icmp_ext_test.cc.
vec("ext_structure_v4", EXT_V4[0])
vec("ext_structure_v6", EXT_V6[0])
vec("ext_structure_long6", EXT_LONG6[0])

# Redirects (router_errors_test.cc). IPv4 (RFC 792, RFC 1812 5.2.7.2): PEER sent a packet for
# 198.19.5.5 to us that leaves by the same interface toward 198.18.0.3: Redirect for Host to
# that gateway. From a second subnet of the interface (198.18.1.0/24), the Redirect comes
# from our address there.
vec("redir_inv4_64", rinv4(64))
vec("redir4_64",
    E_PEER + "/IP(src='{US4}', dst='{PEER4}', tos=0xc0, ttl=64, id=" + RID + ", flags=0)"
    "/ICMP(type=5, code=1, gw='198.18.0.3')/raw(" + rinv4(64) + ")")
vec("redir4_1500",
    E_PEER + "/IP(src='{US4}', dst='{PEER4}', tos=0xc0, ttl=64, id=" + RID + ", flags=0)"
    "/ICMP(type=5, code=1, gw='198.18.0.3')/raw(" + rinv4(1500) + ")[:548]")
REDIR_INV4_NET2 = ("IP(src='198.18.1.2', dst='" + RDST4 + "', id=0x6b6b, ttl=9)"
                   "/UDP(sport=40000, dport=33434)/Raw(b'second subnet')")
vec("redir_inv4_net2", REDIR_INV4_NET2)
vec("redir4_net2",
    E_PEER + "/IP(src='198.18.1.1', dst='198.18.1.2', tos=0xc0, ttl=64, id=" + RID + ", flags=0)"
    "/ICMP(type=5, code=1, gw='198.18.1.3')/raw(" + REDIR_INV4_NET2 + ")")
# A loose source route option (RFC 791 3.1, type 131): no Redirect (RFC 1812 5.2.7.2).
vec("redir_inv4_lsrr",
    "IP(src='{PEER4}', dst='" + RDST4 + "', id=0x6c6c, ttl=9, options=[IPOption_NOP(), "
    "IPOption_LSRR(pointer=4, routers=['198.19.6.6'])])/UDP(sport=40000, dport=33434)")
vec("redir_inv4_rr",
    "IP(src='{PEER4}', dst='" + RDST4 + "', id=0x6d6d, ttl=9, options=[IPOption_RR(pointer=4, "
    "routers=['0.0.0.0'])])/UDP(sport=40000, dport=33434)")

# IPv6 (RFC 4861 4.5, 8.2): from our link-local address, hop limit 255, to PEER; Target the
# router fe80::ff:fe00:3 (with its link-layer address when known) or the destination itself;
# the Redirected Header option (RFC 4861 4.6.3) quotes the packet zero padded to 8 bytes, or
# cut at 8-byte units so that the message fits in 1280 bytes.
GW6_LL = "fe80::ff:fe00:3"
GW_MAC = "02:00:00:00:00:03"


def redir6(target, tlla, inv, l3):
    room = 1280 - 40 - 8 - 32 - (8 if tlla else 0) - 8
    quote = min(l3, room // 8 * 8)
    pad = (8 - quote % 8) % 8
    s = (E_PEER + "/IPv6(src='{US_LL}', dst='{PEER6}', hlim=255)/ICMPv6ND_Redirect(tgt='" + target
         + "', dst='" + RDST6 + "')")
    if tlla:
        s += "/ICMPv6NDOptDstLLAddr(lladdr='" + GW_MAC + "')"
    return s + f"/ICMPv6NDOptRedirectedHdr(pkt=raw({inv})[:{quote}] + bytes({pad}))"


vec("redir6_201", redir6(GW6_LL, True, rinv6(201), 201))
vec("redir6_1500", redir6(GW6_LL, True, rinv6(1500), 1500))
vec("redir6_no_tlla_1500", redir6(GW6_LL, False, rinv6(1500), 1500))
vec("redir6_onlink_64", redir6(RDST6, False, rinv6(64), 64))

# Neighbour probes (neigh_probe_test.cc): ARP requests (RFC 826) and Neighbor Solicitations
# (RFC 4861 4.3, 7.2.2) from us.
vec("probe_arp_bcast",
    "Ether(dst='{BCAST_MAC}', src='{US_MAC}')/ARP(op=1, hwsrc='{US_MAC}', psrc='{US4}', "
    "hwdst='{ZERO_MAC}', pdst='{PEER4}')")
vec("probe_arp_unicast",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/ARP(op=1, hwsrc='{US_MAC}', psrc='{US4}', "
    "hwdst='{ZERO_MAC}', pdst='{PEER4}')")
vec("probe_ns_mcast",
    "Ether(dst=in6_getnsmac(in6_getnsma(inet_pton(socket.AF_INET6, '{PEER6}'))), src='{US_MAC}')"
    "/IPv6(src='{US6}', dst=inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, "
    "'{PEER6}'))), hlim=255)/ICMPv6ND_NS(tgt='{PEER6}')/ICMPv6NDOptSrcLLAddr(lladdr='{US_MAC}')")
vec("probe_ns_mcast_wide",
    "Ether(dst='33:33:ff:ef:12:34', src='{US_MAC}')/IPv6(src='{US6}', dst='ff02::1:ffef:1234', "
    "hlim=255)/ICMPv6ND_NS(tgt='2001:2::ab:cdef:1234')/ICMPv6NDOptSrcLLAddr(lladdr='{US_MAC}')")
vec("probe_ns_unicast",
    "Ether(dst='{PEER_MAC}', src='{US_MAC}')/IPv6(src='{US6}', dst='{PEER6}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{PEER6}')/ICMPv6NDOptSrcLLAddr(lladdr='{US_MAC}')")
vec("probe_ns_ll",
    "Ether(dst='33:33:ff:00:00:02', src='{US_MAC}')/IPv6(src='{US_LL}', dst='ff02::1:ff00:2', "
    "hlim=255)/ICMPv6ND_NS(tgt='{PEER_LL}')/ICMPv6NDOptSrcLLAddr(lladdr='{US_MAC}')")
vec("probe_ns_dad",
    "Ether(dst='{SNM_MAC}', src='{US_MAC}')/IPv6(src='::', dst='{SNM_US}', hlim=255)"
    "/ICMPv6ND_NS(tgt='{US6}')")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "vectors.hh")
    s = ("// Golden vectors for the unit tests. Generated by tests/golden/make_vectors.py with "
         f"scapy {scapy.VERSION};\n"
         "// do not edit. Each vector's comment is the scapy expression that produced it (a long\n"
         "// one continues on the next comment lines: join them, each without its \"// \").\n"
         "#pragma once\n\n#include <array>\n#include <cstdint>\n#include <span>\n\n"
         "namespace pw::golden {\n\n")
    s += "\n".join(render(v) for v in VECTORS)
    s += ("\n// The RFC 1071 cases above, as (data, scapy checksum) pairs.\n"
          "struct ChecksumCase {\n    std::span<const std::uint8_t> data;\n"
          "    std::uint16_t checksum;\n};\n"
          "inline constexpr ChecksumCase checksum_cases[] = {\n")
    s += "".join(f"    {{{d}, {c}}},\n" for d, c in CSUM_CASES)
    s += "};\n\n}  // namespace pw::golden\n"
    with open(out, "w") as f:
        f.write(s)
    print(f"wrote {out}: {len(VECTORS)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()
