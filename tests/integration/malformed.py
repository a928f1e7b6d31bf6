#!/usr/bin/python3
"""The malformed-input catalogue (issue 10 item 2): named Ethernet frames, each with what
pingwire-responder owes for it, in host mode and in router mode (--forward), and what the
Linux kernel does with the same frame.

A variant is one frame, or a few (fragments of one datagram, repeats), and its outcome:

- counts: where each of its frames ends, as the responder counts it: `answered` (a reply built
  in place), `held` (a fragment taken by the reassembler), `forwarded`, or `drop:<reason>` (a
  drop reason of lib/wire/drop.hh). Nothing else may move: rx == the frames sent, and every
  other counter stays where it was.
- answers: the frames due back to the sender, as signatures (see signature()): ('icmp4', type,
  code[, pointer]), ('icmp6', type, code[, pointer]), ('arp', oper), ('ip4frag',) for a
  fragment of a reply. Nothing else may come back.
- forwards: frames due out of the router's other port (router mode).
- datagrams: datagrams the reassembler completes.

Linux: `linux` is what the kernel sends for the same frame to a namespace with the same
addresses and MAC (a host for the host-mode outcome, a router with ip_forward=1 for the
router-mode one): LINUX_SAME (the responder's answers), a list of signatures when it differs,
with `why` saying why the difference is legitimate, or None when the comparison is not made
(with `why`). Only the signature is compared (type, code, Parameter Problem pointer), not the
bytes.

Sizes: an ICMP error quotes the invoking packet up to 576 bytes (IPv4, RFC 1812 4.3.2.3) or
1280 (IPv6, RFC 4443 2.4(c)), so an error is its trigger plus 28 (48) bytes until the cap.
Every variant that owes an error is therefore at least 576 (IPv4) or 1280 (IPv6) bytes of IP
datagram, or, where the datagram must be short (a truncated header), padded with Ethernet
trailer bytes that the IP length excludes; then no answer is larger than what asked for it and
the per-variant amplification check tests the quote cap.

Addresses (198.18.0.0/15, 2001:2::/48 only): the responder's port 0 is 198.18.1.1/24,
2001:2:0:1::1/64, MAC 02:00:00:00:00:01 (link-local fe80::ff:fe00:1); the sender is
198.18.1.2, 2001:2:0:1::2, MAC 02:00:00:00:00:0a. Router mode adds port 1, 198.18.2.1/24,
2001:2:0:2::1/64, MAC 02:00:00:00:00:02, MTU 1400, with the permanent neighbour 198.18.2.2 /
2001:2:0:2::2 (MAC 02:00:00:00:00:0b) to which transit variants go.

Run it to list the catalogue:  tests/integration/malformed.py [--pcap FILE]
"""

from __future__ import annotations

import dataclasses
import socket
import struct
import sys

# --------------------------------------------------------------------------------------------
# addresses

DUT_MAC = "02:00:00:00:00:01"
PEER_MAC = "02:00:00:00:00:0a"
DUT1_MAC = "02:00:00:00:00:02"
FAR_MAC = "02:00:00:00:00:0b"
BCAST_MAC = "ff:ff:ff:ff:ff:ff"
DUT4, PEER4, SUBNET_BCAST4 = "198.18.1.1", "198.18.1.2", "198.18.1.255"
# Sources of the Net Unreachable variants: each its own, because Linux limits those errors
# per source with a token bucket (ip_error) that any other ICMP error to the same source
# drains, whatever icmp_ratelimit says.
PEER4_B, PEER4_C = "198.18.1.3", "198.18.1.4"
DUT1_4, FAR4 = "198.18.2.1", "198.18.2.2"
NOROUTE4 = "198.18.3.3"
DUT6, PEER6 = "2001:2:0:1::1", "2001:2:0:1::2"
DUT1_6, FAR6 = "2001:2:0:2::1", "2001:2:0:2::2"
NOROUTE6 = "2001:2:0:9::9"
DUT_LL6, PEER_LL6 = "fe80::ff:fe00:1", "fe80::ff:fe00:a"
ALL_NODES6 = "ff02::1"
DUT_SOLICITED6 = "ff02::1:ff00:1"   # solicited-node group of ::1 and fe80::ff:fe00:1
PORT0_MTU, PORT1_MTU = 1500, 1400
V4_ERR_MIN = 576    # an IPv4 error trigger at least this long: the error is no larger
V6_ERR_MIN = 1280   # the same for IPv6

# --------------------------------------------------------------------------------------------
# byte builders (no scapy: malformed fields are written as given)


def mac(s: str) -> bytes:
    return bytes(int(x, 16) for x in s.split(":"))


def a4(s: str) -> bytes:
    return socket.inet_pton(socket.AF_INET, s)


def a6(s: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, s)


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(payload: bytes, etype: int = 0x0800, dst: str = DUT_MAC, src: str = PEER_MAC,
        vlans: tuple[tuple[int, int], ...] = (), pad_to: int = 0) -> bytes:
    """An Ethernet II frame; vlans: (TPID, TCI) tags outside in. pad_to: trailer bytes up to
    that frame length (what an IP length excludes)."""
    f = mac(dst) + mac(src)
    for tpid, tci in vlans:
        f += struct.pack("!HH", tpid, tci)
    f += struct.pack("!H", etype) + payload
    if len(f) < pad_to:
        f += bytes(pad_to - len(f))
    return f


def ip4(payload: bytes, proto: int = 1, src: str = PEER4, dst: str = DUT4, *, opts: bytes = b"",
        ihl: int | None = None, tlen: int | None = None, ttl: int = 64, ident: int = 0x4242,
        ff: int = 0, tos: int = 0, version: int = 4, check: int | None = None) -> bytes:
    """IPv4 header (+ options, padded to 4 bytes with End of Options) + payload. ff: the
    flags/fragment-offset word. ihl/tlen/check override the computed values."""
    if len(opts) % 4:
        opts += bytes(4 - len(opts) % 4)
    hl = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | ((hl // 4 if ihl is None else ihl) & 15),
                    tos, hl + len(payload) if tlen is None else tlen, ident, ff, ttl, proto, 0,
                    a4(src), a4(dst)) + opts
    c = csum(h) if check is None else check
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def icmp4(typ: int, code: int = 0, rest: bytes = b"\0\0\0\0", data: bytes = b"",
          check: int | None = None) -> bytes:
    m = struct.pack("!BBH", typ, code, 0) + rest + data
    c = csum(m) if check is None else check
    return m[:2] + struct.pack("!H", c) + m[4:]


def echo4(ident: int, seq: int = 1, data: bytes = b"", code: int = 0) -> bytes:
    return icmp4(8, code, struct.pack("!HH", ident, seq), data)


def udp4(data: bytes, sport: int = 40000, dport: int = 33434, src: str = PEER4,
         dst: str = DUT4, length: int | None = None, check: int | None = None) -> bytes:
    ln = 8 + len(data) if length is None else length
    u = struct.pack("!HHHH", sport, dport, ln, 0) + data
    if check is None:
        pseudo = a4(src) + a4(dst) + struct.pack("!BBH", 0, 17, len(u))
        check = csum(pseudo + u) or 0xFFFF
    return u[:6] + struct.pack("!H", check) + u[8:]


def ip6(payload: bytes, nh: int = 58, src: str = PEER6, dst: str = DUT6, *, hlim: int = 64,
        plen: int | None = None, version: int = 6) -> bytes:
    return struct.pack("!IHBB16s16s", version << 28, len(payload) if plen is None else plen, nh,
                       hlim, a6(src), a6(dst)) + payload


def l4sum6(msg: bytes, nh: int, src: str, dst: str) -> int:
    pseudo = a6(src) + a6(dst) + struct.pack("!IxxxB", len(msg), nh)
    return csum(pseudo + msg)


def icmp6(typ: int, code: int = 0, body: bytes = b"\0\0\0\0", src: str = PEER6,
          dst: str = DUT6, check: int | None = None) -> bytes:
    m = struct.pack("!BBH", typ, code, 0) + body
    c = l4sum6(m, 58, src, dst) if check is None else check
    return m[:2] + struct.pack("!H", c) + m[4:]


def echo6(ident: int, seq: int = 1, data: bytes = b"", src: str = PEER6, dst: str = DUT6,
          code: int = 0) -> bytes:
    return icmp6(128, code, struct.pack("!HH", ident, seq) + data, src, dst)


def udp6(data: bytes, sport: int = 40000, dport: int = 33434, src: str = PEER6, dst: str = DUT6,
         check: int | None = None) -> bytes:
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = (l4sum6(u, 17, src, dst) or 0xFFFF) if check is None else check
    return u[:6] + struct.pack("!H", c) + u[8:]


def ext(nh: int, body: bytes = b"\x01\x04\0\0\0\0", hdrlen: int | None = None) -> bytes:
    """A Hop-by-Hop / Destination Options / Routing header: next header, Hdr Ext Len, body
    (6 bytes of PadN by default)."""
    return struct.pack("!BB", nh, (len(body) + 2) // 8 - 1 if hdrlen is None else hdrlen) + body


def padn(n: int) -> bytes:
    """Options padding n bytes (n >= 2: one PadN; 1: Pad1)."""
    return b"\0" if n == 1 else bytes([1, n - 2]) + bytes(n - 2)


def frag6(nh: int, offset: int = 0, more: bool = False, ident: int = 0x1234,
          reserved: int = 0) -> bytes:
    return struct.pack("!BBHI", nh, reserved, offset | int(more), ident)


def tcp_syn(src: str, dst: str, size: int = 0) -> bytes:
    """A TCP SYN to port 80 with a right checksum (IPv4 or IPv6 by the addresses), size bytes
    of data after it."""
    t = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 1024, 0, 0) + bytes(size)
    if ":" in src:
        c = l4sum6(t, 6, src, dst)
    else:
        c = csum(a4(src) + a4(dst) + struct.pack("!BBH", 0, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def tcp_seg(src: str, dst: str, flags: int, seq: int = 1, ack: int = 0, data: bytes = b"",
            doff: int = 5, check: int | None = None, dport: int = 5555) -> bytes:
    """A TCP segment (IPv4 or IPv6 by the addresses), the checksum right unless given."""
    t = struct.pack("!HHIIBBHHH", 40001, dport, seq, ack, doff << 4, flags, 1024, 0, 0)
    t += bytes(max(0, doff * 4 - 20) if doff <= 15 and doff * 4 - 20 <= len(data) else 0) + data
    if check is None:
        if ":" in src:
            check = l4sum6(t, 6, src, dst)
        else:
            check = csum(a4(src) + a4(dst) + struct.pack("!BBH", 0, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", check) + t[18:]


def arp(oper: int = 1, sha: str = PEER_MAC, spa: str = PEER4, tha: str = "00:00:00:00:00:00",
        tpa: str = DUT4, htype: int = 1, ptype: int = 0x0800, hlen: int = 6,
        plen: int = 4) -> bytes:
    return (struct.pack("!HHBBH", htype, ptype, hlen, plen, oper) + mac(sha) + a4(spa)
            + mac(tha) + a4(tpa))


def ns(target: str, src: str = PEER6, dst: str = DUT6, *, hlim: int = 255, code: int = 0,
       opts: bytes | None = None, lladdr: str = PEER_MAC) -> bytes:
    """Neighbor Solicitation (IPv6 + ICMPv6), with a source link-layer address option."""
    o = bytes([1, 1]) + mac(lladdr) if opts is None else opts
    return ip6(icmp6(135, code, b"\0\0\0\0" + a6(target) + o, src, dst), src=src, dst=dst,
               hlim=hlim)


def na(target: str, flags: int = 0x20000000, src: str = PEER6, dst: str = DUT6, *,
       hlim: int = 255, opts: bytes | None = None, code: int = 0) -> bytes:
    o = bytes([2, 1]) + mac(PEER_MAC) if opts is None else opts
    return ip6(icmp6(136, code, struct.pack("!I", flags) + a6(target) + o, src, dst), src=src,
               dst=dst, hlim=hlim)


def fill(n: int, seed: int = 0) -> bytes:
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


def echo4_frame(ident: int, data_len: int = 56, **ip_kw) -> bytes:
    return eth(ip4(echo4(ident, 1, fill(data_len)), **ip_kw))


def echo6_frame(ident: int, data_len: int = 56, src: str = PEER6, dst: str = DUT6,
                **ip_kw) -> bytes:
    return eth(ip6(echo6(ident, 1, fill(data_len), src, dst), src=src, dst=dst, **ip_kw),
               0x86DD)


# --------------------------------------------------------------------------------------------
# outcomes

LINUX_SAME = "same"

# Reply signatures
ECHO4 = ("icmp4", 0, 0)
ECHO6 = ("icmp6", 129, 0)
TS4 = ("icmp4", 14, 0)
NA6 = ("icmp6", 136, 0)
ARP_REPLY = ("arp", 2)


def pp4(ptr: int) -> tuple:
    return ("icmp4", 12, 0, ptr)


def pp6(code: int, ptr: int) -> tuple:
    return ("icmp6", 4, code, ptr)


ICMP4_ERRORS = {3, 4, 5, 11, 12}


@dataclasses.dataclass
class Outcome:
    counts: dict[str, int]
    answers: list[tuple] = dataclasses.field(default_factory=list)
    forwards: int = 0
    datagrams: int = 0
    errors: dict[str, int] | None = None  # error outcomes (telemetry 'errors'), when checked

    @property
    def error_answers(self) -> int:
        return sum(1 for a in self.answers if is_error_sig(a))


def is_error_sig(sig: tuple) -> bool:
    if sig[0] == "icmp4":
        return sig[1] in ICMP4_ERRORS
    if sig[0] == "icmp6":
        return sig[1] < 128
    return False


def drop(reason: str, *answers: tuple, n: int = 1, errors: dict | None = None) -> Outcome:
    return Outcome({f"drop:{reason}": n}, list(answers), errors=errors)


def answered(sig: tuple, n: int = 1) -> Outcome:
    return Outcome({"answered": n}, [sig] * n)


def forwarded(n: int = 1, frames: int | None = None) -> Outcome:
    return Outcome({"forwarded": n}, [], forwards=n if frames is None else frames)


def held(n: int = 1) -> Outcome:
    return Outcome({"held": n})


def combine(*outs: Outcome) -> Outcome:
    c: dict[str, int] = {}
    o = Outcome(c)
    for x in outs:
        for k, v in x.counts.items():
            c[k] = c.get(k, 0) + v
        o.answers += x.answers
        o.forwards += x.forwards
        o.datagrams += x.datagrams
        if x.errors:
            o.errors = {**(o.errors or {}), **x.errors}
    return o


def reassembled(frames: int, *answers: tuple) -> Outcome:
    """`frames` fragments held, one datagram completed and answered with `answers`."""
    return Outcome({"held": frames}, list(answers), datagrams=1)


@dataclasses.dataclass
class Variant:
    name: str
    frames: list[bytes]
    host: Outcome | None           # None: not run in host mode
    router: Outcome | None         # None: not run in router mode
    linux: object = LINUX_SAME     # LINUX_SAME, a list of signatures, or None (not compared)
    linux_router: object = "host"  # "host": as `linux`; else as linux
    why: str = ""                  # why Linux differs, or why it is not compared
    live: bool = True              # False: cannot cross a veth (frames under 14 bytes)
    pending: int = 0               # datagrams it leaves incomplete in the reassembler
    group: str = ""
    note: str = ""                 # a finding about the responder (README, issue 10)
    larger_answer: str = ""        # why the answer may exceed the variant (else it may not)

    @property
    def size(self) -> int:
        return sum(len(f) for f in self.frames)

    def outcome(self, mode: str) -> Outcome | None:
        return self.host if mode == "host" else self.router

    def linux_answers(self, mode: str):
        """Linux's expected answers for mode, or None when not compared."""
        ref = self.linux if mode == "host" or self.linux_router == "host" else self.linux_router
        if ref is None:
            return None
        out = self.outcome(mode)
        if ref == LINUX_SAME:
            return None if out is None else list(out.answers)
        return list(ref)


# --------------------------------------------------------------------------------------------
# received frames -> signatures


def signature(frame: bytes) -> tuple:
    """What a frame is, for comparison: ('arp', oper), ('icmp4', type, code[, pointer]),
    ('icmp6', type, code[, pointer]), ('ip4frag', proto), ('ip6frag', nh), ('tcp4', flags),
    ('tcp6', flags), ('udp4',), ('udp6',), ('other', ethertype)."""
    if len(frame) < 14:
        return ("runt",)
    off, et = 12, struct.unpack_from("!H", frame, 12)[0]
    while et in (0x8100, 0x88A8) and len(frame) >= off + 6:
        off += 4
        et = struct.unpack_from("!H", frame, off)[0]
    p = frame[off + 2:]
    if et == 0x0806 and len(p) >= 8:
        return ("arp", struct.unpack_from("!H", p, 6)[0])
    if et == 0x0800 and len(p) >= 20:
        hl = (p[0] & 15) * 4
        ffw = struct.unpack_from("!H", p, 6)[0]
        proto = p[9]
        if ffw & 0x3FFF:
            return ("ip4frag", proto)
        m = p[hl:]
        if proto == 1 and len(m) >= 4:
            if m[0] == 12 and len(m) >= 5:
                return ("icmp4", 12, m[1], m[4])
            return ("icmp4", m[0], m[1])
        if proto == 6 and len(m) >= 14:
            return ("tcp4", m[13])
        return ("ip4", proto)
    if et == 0x86DD and len(p) >= 40:
        nh, o = p[6], 40
        while nh in (0, 43, 60) and len(p) >= o + 8:
            nh, o = p[o], o + (p[o + 1] + 1) * 8
        if nh == 44:
            return ("ip6frag", p[o] if len(p) > o else None)
        m = p[o:]
        if nh == 58 and len(m) >= 4:
            if m[0] == 4 and len(m) >= 8:
                return ("icmp6", 4, m[1], struct.unpack_from("!I", m, 4)[0])
            return ("icmp6", m[0], m[1])
        if nh == 6 and len(m) >= 14:
            return ("tcp6", m[13])
        return ("ip6", nh)
    return ("other", et)


# Frames that a Linux namespace sends by itself (MLD reports, router solicitations, neighbour
# resolution): not answers to a variant.
def linux_noise(sig: tuple) -> bool:
    return sig[0] == "icmp6" and sig[1] in (130, 131, 132, 133, 135, 143) or sig == ("arp", 1)


# --------------------------------------------------------------------------------------------
# the catalogue


class Catalogue:
    def __init__(self):
        self.variants: list[Variant] = []
        self.group = ""
        self.next_id = 0x100

    def ident(self) -> int:
        self.next_id += 1
        return self.next_id

    def add(self, name: str, frames, host: Outcome | None, router: Outcome | None | str = "host",
            **kw) -> Variant:
        if isinstance(frames, bytes):
            frames = [frames]
        if router == "host":
            router = host
        v = Variant(name=name, frames=list(frames), host=host, router=router, group=self.group,
                    **kw)
        if any(x.name == name for x in self.variants):
            raise ValueError(f"duplicate variant name {name}")
        self.variants.append(v)
        return v


def build() -> list[Variant]:
    c = Catalogue()
    ethernet(c)
    vlan(c)
    arp_variants(c)
    ip4_header(c)
    ip4_options(c)
    icmp4_variants(c)
    udp_variants(c)
    ip6_header(c)
    ip6_extensions(c)
    icmp6_variants(c)
    nd_variants(c)
    sizes(c)
    broadcast(c)
    transit(c)
    fragments4(c)
    fragments6(c)
    flood(c)
    return c.variants


# --- Ethernet ---------------------------------------------------------------------------------

def ethernet(c: Catalogue) -> None:
    c.group = "ethernet"
    base = echo4_frame(c.ident())
    for n in range(0, 14):
        # A frame shorter than its Ethernet header cannot cross a veth (the kernel refuses to
        # send it): only the pcap replay carries these.
        c.add(f"eth.trunc.{n}", base[:n], drop("eth_truncated"), live=False,
              linux=None, why="a frame under 14 bytes cannot be sent on a veth")
    c.add("eth.dst.foreign", eth(ip4(echo4(c.ident())), dst="02:00:00:00:00:99"),
          drop("not_our_mac"))
    c.add("eth.dst.unjoined-multicast", eth(ip4(echo4(c.ident()), dst="224.0.0.1"),
                                            dst="01:00:5e:00:00:01"),
          drop("not_our_mac"))
    c.add("eth.dst.unjoined-ipv6-group", eth(ip6(echo6(c.ident(), dst="ff02::2"), dst="ff02::2"),
                                             0x86DD, dst="33:33:00:00:00:02"),
          drop("not_our_mac"), linux=LINUX_SAME, linux_router=[ECHO6],
          why="a Linux router joins ff02::2 (all-routers) and answers an echo to it; the "
              "responder joins no all-routers group")
    for et in (0x0000, 0x05DC, 0x88B5, 0x8137, 0x88CC, 0x8035, 0x88A8, 0x9100, 0xFFFF):
        c.add(f"eth.type.{et:04x}", eth(ip4(echo4(c.ident())), et), drop("unknown_ethertype"))
    c.add("eth.type.ipv4-carrying-ipv6", eth(ip6(echo6(c.ident())), 0x0800),
          drop("ip4_bad_version"))
    c.add("eth.type.ipv6-carrying-ipv4", eth(ip4(echo4(c.ident(), 1, fill(56))), 0x86DD),
          drop("ip6_bad_version"))
    c.add("eth.type.arp-carrying-ipv4", eth(ip4(echo4(c.ident())), 0x0806),
          drop("arp_unsupported"))
    group_src = ("Linux answers through its neighbour table whatever the frame's source MAC; "
                 "the responder answers in place, to the source MAC, so it drops a frame from "
                 "a group address (IEEE 802.3 3.2.3) rather than answer to a whole segment")
    c.add("eth.src.group", eth(ip4(echo4(c.ident(), 1, fill(56))), src="01:00:5e:00:00:09"),
          drop("eth_group_source"), linux=[ECHO4], why=group_src)
    c.add("eth.src.broadcast", eth(ip4(echo4(c.ident(), 1, fill(56))), src=BCAST_MAC),
          drop("eth_group_source"), linux=[ECHO4], why=group_src)
    c.add("eth.src.broadcast.arp", eth(arp(), 0x0806, dst=BCAST_MAC, src=BCAST_MAC),
          drop("eth_group_source"), linux=[ARP_REPLY], why=group_src)
    c.add("eth.src.group.ipv6", eth(ip6(echo6(c.ident(), 1, fill(56))), 0x86DD,
                                    src="33:33:00:00:00:01"),
          drop("eth_group_source"), linux=[ECHO6], why=group_src)
    c.add("eth.trailer.64", eth(ip4(echo4(c.ident(), 1, fill(56))), pad_to=98 + 64),
          answered(ECHO4))


# --- VLAN -------------------------------------------------------------------------------------

def vlan(c: Catalogue) -> None:
    c.group = "vlan"
    e = ip4(echo4(c.ident(), 1, fill(56)))
    cut = ("the kernel drops a frame whose 802.1Q tag is cut short before any packet socket "
           "sees it (skb_vlan_untag): only the pcap replay carries it")
    for n in (14, 15, 16, 17):
        c.add(f"vlan.trunc.{n}", eth(e, vlans=((0x8100, 100),))[:n], drop("vlan_truncated"),
              live=False, linux=None, why=cut)
    for vid in (1, 100, 4094, 4095):
        c.add(f"vlan.vid.{vid}", eth(e, vlans=((0x8100, vid),)), drop("vlan_unknown"))
    c.add("vlan.priority-tag.vid0", eth(e, vlans=((0x8100, 0xA000),)),
          drop("vlan_priority_tagged"), linux=[ECHO4],
          why="Linux treats a priority tag (VID 0) as untagged and answers; the responder drops "
              "it by name (VLANs are configured by VID with --vlan)")
    c.add("vlan.qinq.8100-8100", eth(e, vlans=((0x8100, 10), (0x8100, 20))),
          drop("vlan_unknown"))
    c.add("vlan.qinq.88a8-8100", eth(e, vlans=((0x88A8, 10), (0x8100, 20))),
          drop("unknown_ethertype"))
    c.add("vlan.qinq.9100-8100", eth(e, vlans=((0x9100, 10), (0x8100, 20))),
          drop("unknown_ethertype"))
    c.add("vlan.stack.8", eth(e, vlans=tuple((0x8100, i + 1) for i in range(8))),
          drop("vlan_unknown"))
    c.add("vlan.arp", eth(arp(), 0x0806, dst=BCAST_MAC, vlans=((0x8100, 7),)),
          drop("vlan_unknown"))
    c.add("vlan.ipv6", eth(ip6(echo6(c.ident())), 0x86DD, vlans=((0x8100, 7),)),
          drop("vlan_unknown"))
    c.add("vlan.tag-only", eth(b"", 0x0800, vlans=((0x8100, 7),)),
          drop("vlan_unknown"), live=False, linux=None, why=cut)


# --- ARP --------------------------------------------------------------------------------------

def arp_variants(c: Catalogue) -> None:
    c.group = "arp"
    good = arp()
    c.add("arp.request", eth(good, 0x0806, dst=BCAST_MAC), answered(ARP_REPLY))
    c.add("arp.request.unicast", eth(good, 0x0806), answered(ARP_REPLY))
    c.add("arp.request.padded", eth(good, 0x0806, dst=BCAST_MAC, pad_to=60),
          answered(ARP_REPLY))
    for n in (0, 2, 4, 5, 6, 8, 14, 18, 24, 27):
        c.add(f"arp.trunc.{n}", eth(good[:n], 0x0806, dst=BCAST_MAC), drop("arp_truncated"))
    for name, kw in (("htype.0", {"htype": 0}), ("htype.ieee802", {"htype": 6}),
                     ("htype.ffff", {"htype": 0xFFFF}), ("ptype.ipv6", {"ptype": 0x86DD}),
                     ("ptype.0", {"ptype": 0}), ("hlen.0", {"hlen": 0}), ("hlen.5", {"hlen": 5}),
                     ("hlen.8", {"hlen": 8}), ("hlen.255", {"hlen": 255}),
                     ("plen.0", {"plen": 0}), ("plen.6", {"plen": 6}),
                     ("plen.16", {"plen": 16}), ("plen.255", {"plen": 255})):
        kwl = {}
        if name == "htype.ieee802":
            kwl = dict(linux=[ARP_REPLY],
                       why="Linux accepts hardware type 6 (IEEE 802) on Ethernet as well as 1 "
                           "(arp_process); the responder only type 1 (RFC 826, Ethernet)")
        c.add(f"arp.{name}", eth(arp(**kw) + bytes(16), 0x0806, dst=BCAST_MAC),
              drop("arp_unsupported"), **kwl)
    for oper in (0, 2, 3, 4, 8, 9, 0xFFFF):
        c.add(f"arp.oper.{oper}", eth(arp(oper=oper), 0x0806), drop("arp_not_request"))
    for name, tpa in (("foreign", "198.18.1.99"), ("zero", "0.0.0.0"),
                      ("broadcast", "255.255.255.255"), ("subnet-broadcast", SUBNET_BCAST4),
                      ("loopback", "127.0.0.1"), ("multicast", "224.0.0.1"),
                      ("other-port", DUT1_4)):
        kwl = {}
        if name == "other-port":
            kwl = dict(linux=LINUX_SAME, linux_router=[ARP_REPLY],
                       why="Linux (arp_ignore 0) answers ARP for any local address on any "
                           "interface; the responder answers only for the addresses of the "
                           "port asked (RFC 826: the target protocol address is ours)")
        c.add(f"arp.tpa.{name}", eth(arp(tpa=tpa), 0x0806, dst=BCAST_MAC),
              drop("arp_not_for_us"), **kwl)
    for name, sha in (("broadcast", BCAST_MAC), ("multicast", "01:00:5e:00:00:01"),
                      ("ipv6-multicast", "33:33:00:00:00:01")):
        c.add(f"arp.sha.{name}", eth(arp(sha=sha), 0x0806, dst=BCAST_MAC),
              drop("arp_bad_source"), linux=[ARP_REPLY],
              why="Linux answers an ARP request whose sender hardware address is a group "
                  "address (to that group); the responder drops it (RFC 1812 3.3.2: no "
                  "broadcast or multicast link address is believed)")
    c.add("arp.spa.zero-probe", eth(arp(spa="0.0.0.0"), 0x0806, dst=BCAST_MAC),
          answered(ARP_REPLY))
    for name, spa in (("zeronet", "0.1.2.3"), ("subnet-broadcast", SUBNET_BCAST4),
                      ("class-e", "240.0.0.1")):
        c.add(f"arp.spa.{name}", eth(arp(spa=spa), 0x0806, dst=BCAST_MAC), answered(ARP_REPLY))
    for name, spa in (("loopback", "127.0.0.1"), ("multicast", "224.0.0.1"),
                      ("broadcast", "255.255.255.255")):
        c.add(f"arp.spa.{name}", eth(arp(spa=spa), 0x0806, dst=BCAST_MAC),
              answered(ARP_REPLY), linux=[],
              why="Linux routes the sender address before answering (ip_route_input) and "
                  "stays silent for a loopback, multicast or broadcast sender; the responder "
                  "answers any request for its address (RFC 826 has no sender check), and "
                  "does not learn the sender in router mode")
    c.add("arp.spa.ours", eth(arp(spa=DUT4), 0x0806, dst=BCAST_MAC), answered(ARP_REPLY),
          linux=[], why="Linux does not answer a request that claims its own address as the "
                        "sender (an address conflict); the responder answers it")
    c.add("arp.tha.garbage", eth(arp(tha="12:34:56:78:9a:bc"), 0x0806), answered(ARP_REPLY))
    c.add("arp.trailer.long", eth(good + fill(200), 0x0806, dst=BCAST_MAC), answered(ARP_REPLY))


# --- IPv4 header ------------------------------------------------------------------------------

def ip4_header(c: Catalogue) -> None:
    c.group = "ip4"
    good = ip4(echo4(c.ident(), 1, fill(56)))
    for n in (0, 1, 4, 8, 9, 12, 16, 19):
        c.add(f"ip4.trunc.{n}", eth(good[:n]), drop("ip4_truncated"))
    for v in (0, 5, 6, 15):
        c.add(f"ip4.version.{v}", eth(ip4(echo4(c.ident()), version=v)), drop("ip4_bad_version"))
    for ihl in (0, 1, 2, 3, 4):
        c.add(f"ip4.ihl.{ihl}", eth(ip4(echo4(c.ident()), ihl=ihl)), drop("ip4_bad_ihl"))
    # IHL 15 (60 bytes) in a 28-byte datagram; IHL 6 in a 20-byte frame.
    c.add("ip4.ihl.beyond-packet", eth(ip4(echo4(c.ident()), ihl=15)), drop("ip4_bad_ihl"))
    c.add("ip4.ihl.beyond-frame", eth(ip4(b"", ihl=6)), drop("ip4_bad_ihl"))
    for name, tlen in (("0", 0), ("19", 19), ("below-ihl", 22)):
        opts = b"\x01\x01\x01\x01" if name == "below-ihl" else b""
        c.add(f"ip4.tlen.{name}", eth(ip4(echo4(c.ident()), opts=opts, tlen=tlen)),
              drop("ip4_bad_total_length"))
    c.add("ip4.tlen.beyond-frame", eth(ip4(echo4(c.ident(), 1, fill(56)), tlen=85)),
          drop("ip4_bad_total_length"))
    c.add("ip4.tlen.65535", eth(ip4(echo4(c.ident(), 1, fill(56)), tlen=65535)),
          drop("ip4_bad_total_length"))
    c.add("ip4.tlen.shorter-than-frame",
          eth(ip4(echo4(c.ident(), 1, fill(56)), tlen=84) + fill(100)), answered(ECHO4))
    c.add("ip4.csum.bad", eth(ip4(echo4(c.ident()), check=0x1234)), drop("ip4_bad_checksum"))
    c.add("ip4.csum.zero", eth(ip4(echo4(c.ident()), check=0)), drop("ip4_bad_checksum"))
    c.add("ip4.csum.bad-with-options",
          eth(ip4(echo4(c.ident()), opts=b"\x01\x01\x01\x01", check=0x1111)),
          drop("ip4_bad_checksum"))
    for name, src in (("zero", "0.0.0.0"), ("zeronet", "0.1.2.3"), ("loopback", "127.0.0.1"),
                      ("multicast", "224.0.0.1"), ("class-e", "240.0.0.1"),
                      ("broadcast", "255.255.255.255"), ("subnet-broadcast", SUBNET_BCAST4)):
        kw = {}
        if name == "subnet-broadcast":
            kw = dict(linux=[ECHO4],
                      why="Linux answers an echo from its subnet's broadcast address; the "
                          "responder drops it, RFC 1122 3.2.1.3 (a directed broadcast is no "
                          "source)")
        c.add(f"ip4.src.{name}", eth(ip4(echo4(c.ident()), src=src)), drop("ip4_martian_source"),
              **kw)
    c.add("ip4.src.ours", eth(ip4(echo4(c.ident(), 1, fill(56)), src=DUT4)), answered(ECHO4),
          linux=[], why="Linux drops a datagram whose source is one of its own addresses "
                        "(fib_validate_source: a martian); the responder answers it (to the "
                        "frame's source MAC)")
    c.add("ip4.dst.foreign", eth(ip4(udp4(fill(V4_ERR_MIN), src=PEER4_B, dst=NOROUTE4), 17,
                                     src=PEER4_B, dst=NOROUTE4)),
          drop("ip4_not_for_us"), drop("no_route", ("icmp4", 3, 0)))
    c.add("ip4.dst.unicast-in-l2-broadcast", eth(ip4(echo4(c.ident(), 1, fill(56))),
                                                 dst=BCAST_MAC),
          drop("ip4_unicast_in_l2_broadcast"), linux=[ECHO4],
          why="Linux answers a unicast datagram that came in a link-layer broadcast "
              "(drop_unicast_in_l2_multicast 0); the responder drops it as RFC 1122 3.3.6 says")
    c.add("ip4.dst.unicast-in-l2-multicast", eth(ip4(echo4(c.ident(), 1, fill(56))),
                                                 0x0800, dst="33:33:00:00:00:01"),
          drop("ip4_unicast_in_l2_broadcast"), linux=[ECHO4],
          why="as ip4.dst.unicast-in-l2-broadcast")
    c.add("ip4.ttl.0", eth(ip4(echo4(c.ident(), 1, fill(56)), ttl=0)), answered(ECHO4))
    c.add("ip4.ttl.1", eth(ip4(echo4(c.ident(), 1, fill(56)), ttl=1)), answered(ECHO4))
    c.add("ip4.flags.evil-bit", eth(ip4(echo4(c.ident(), 1, fill(56)), ff=0x8000)),
          answered(ECHO4))
    c.add("ip4.flags.df", eth(ip4(echo4(c.ident(), 1, fill(56)), ff=0x4000)), answered(ECHO4))
    c.add("ip4.tos.ecn-ce", eth(ip4(echo4(c.ident(), 1, fill(56)), tos=0x03)), answered(ECHO4))
    for proto in (0, 2, 253, 254, 255):
        why = ""
        lx: object = LINUX_SAME
        if proto == 2:
            lx, why = [], ("Linux handles IGMP itself (a report to a unicast address is "
                           "ignored); the responder speaks no IGMP and owes Protocol "
                           "Unreachable")
        c.add(f"ip4.proto.{proto}", eth(ip4(fill(V4_ERR_MIN), proto)),
              drop("ip4_unhandled_protocol", ("icmp4", 3, 2)), linux=lx, why=why)
    # TCP to a closed port (RFC 9293 3.5.2, 3.10.7.1): a reset, as from Linux.
    c.add("ip4.proto.tcp-syn", eth(ip4(tcp_syn(PEER4, DUT4, V4_ERR_MIN), 6)),
          answered(("tcp4", 0x14)))
    tcp_variants(c, False)


def tcp_variants(c: Catalogue, v6: bool) -> None:
    """Segments to a closed port: with ACK a RST (0x04), a RST or a bad one nothing, none to a
    group (RFC 1122 4.2.3.10). Linux does the same with each."""
    fam, src, dst = ("tcp6", PEER6, DUT6) if v6 else ("tcp4", PEER4, DUT4)

    def frame(t: bytes, to: str = dst, mac_to: str = DUT_MAC) -> bytes:
        if v6:
            return eth(ip6(t, 6, dst=to), 0x86DD, dst=mac_to)
        return eth(ip4(t, 6, dst=to), dst=mac_to)

    c.add(f"{fam}.ack-data", frame(tcp_seg(src, dst, 0x18, 1000, 0xDEADBEEF, fill(40))),
          answered((fam, 0x04)))
    c.add(f"{fam}.fin", frame(tcp_seg(src, dst, 0x01, 7, 0, fill(8))), answered((fam, 0x14)))
    c.add(f"{fam}.rst", frame(tcp_seg(src, dst, 0x04, 5)), drop("tcp_reset_received"))
    c.add(f"{fam}.rst-ack", frame(tcp_seg(src, dst, 0x14, 5, 9)), drop("tcp_reset_received"))
    c.add(f"{fam}.bad-checksum", frame(tcp_seg(src, dst, 0x02, check=0x1234)),
          drop("tcp_bad_checksum"))
    c.add(f"{fam}.truncated", frame(tcp_seg(src, dst, 0x02)[:12]), drop("tcp_truncated"))
    c.add(f"{fam}.data-offset-past", frame(tcp_seg(src, dst, 0x02, doff=8)),
          drop("tcp_truncated"))
    if v6:
        c.add(f"{fam}.all-nodes", frame(tcp_seg(src, ALL_NODES6, 0x02), ALL_NODES6,
                                        "33:33:00:00:00:01"), drop("tcp_to_group"))
    else:
        c.add(f"{fam}.broadcast", frame(tcp_seg(src, SUBNET_BCAST4, 0x02), SUBNET_BCAST4,
                                        BCAST_MAC), drop("tcp_to_group"))


# --- IPv4 options -----------------------------------------------------------------------------

def opt_echo(c: Catalogue, name: str, opts: bytes, ok: bool, ptr: int = 0, proto: str = "echo",
             why: str = "", linux: object = LINUX_SAME, drop_reason: str = "ip4_bad_option",
             router: object = "host") -> None:
    """An echo request (or UDP to a closed port) with these options: answered when ok, else
    Parameter Problem code 0 with the pointer (RFC 1122 3.2.1.8, 3.2.2.5; Linux
    __ip_options_compile). Error triggers are V4_ERR_MIN bytes long."""
    size = V4_ERR_MIN if not ok or proto == "udp" else 56
    if proto == "udp":
        body, p = udp4(fill(size)), 17
    else:
        body, p = echo4(c.ident(), 1, fill(size)), 1
    f = eth(ip4(body, p, opts=opts))
    if drop_reason == "ip4_source_route":
        out = drop("ip4_source_route")
    elif ok:
        out = answered(ECHO4) if proto == "echo" else drop("udp_port_closed", ("icmp4", 3, 3))
    else:
        out = drop(drop_reason, pp4(ptr))
    c.add(f"ip4.opt.{name}", f, out, router, linux=linux, why=why)


def ip4_options(c: Catalogue) -> None:
    c.group = "ip4-options"
    o = 20  # options start
    opt_echo(c, "nop", b"\x01\x01\x01\x01", True)
    opt_echo(c, "eol-first", b"\x00\x01\x01\x01", True)
    opt_echo(c, "eol-then-garbage", b"\x00\x44\x00\x99\x07\x00\x00\x00", True)
    opt_echo(c, "len0", b"\x99\x00\x00\x00", False, o)
    opt_echo(c, "len1", b"\x99\x01\x00\x00", False, o)
    opt_echo(c, "len0-after-nops", b"\x01\x01\x99\x00", False, o + 2)
    opt_echo(c, "overlong", b"\x99\x05\x00\x00", False, o)
    opt_echo(c, "overlong-40", b"\x99\x29" + bytes(38), False, o)
    opt_echo(c, "overlong-255", b"\x99\xff\x00\x00", False, o)
    opt_echo(c, "type-without-length", b"\x01\x01\x01\x99", False, o + 3)
    opt_echo(c, "len0.udp", b"\x99\x00\x00\x00", False, o, proto="udp")
    opt_echo(c, "overlong.udp", b"\x07\x09\x04\x00", False, o, proto="udp")
    for t in (0x99, 0x1E, 0x5E, 0x88, 0x52, 0x19, 0x82):
        opt_echo(c, f"unknown.{t:02x}", bytes([t, 4, 0, 0]), True)
    opt_echo(c, "unknown.max-length", b"\x99\x28" + bytes(38), True)
    opt_echo(c, "cipso", b"\x86\x0a\x00\x00\x00\x01\x01\x04\x00\x00", True,
             linux=[pp4(o + 2)],
             why="Linux validates a CIPSO option (cipso_v4_validate) and answers one with an "
                 "unknown DOI with Parameter Problem; the responder treats option 134 as "
                 "unknown and ignores it (RFC 1122 3.2.1.8)")
    opt_echo(c, "router-alert", b"\x94\x04\x00\x00", True)
    opt_echo(c, "router-alert.len2", b"\x94\x02\x00\x00", False, o + 1)
    opt_echo(c, "router-alert.len3", b"\x94\x03\x00\x00", False, o + 1)
    # Record Route (type 7): length 39 (9 slots), pointer 4 (empty) .. 40 (full)
    rr = lambda ln, ptr: bytes([7, ln, ptr]) + bytes(ln - 3) if ln >= 3 else bytes([7, ln])
    opt_echo(c, "rr.empty", rr(39, 4) + b"\0", True)
    opt_echo(c, "rr.one-recorded", rr(39, 8) + b"\0", True)
    opt_echo(c, "rr.last-slot", rr(39, 36) + b"\0", True)
    opt_echo(c, "rr.full", rr(39, 40) + b"\0", True)
    opt_echo(c, "rr.ptr-255", rr(39, 255) + b"\0", True)
    opt_echo(c, "rr.ptr-5-unaligned", rr(39, 5) + b"\0", True)
    opt_echo(c, "rr.ptr-0", rr(39, 0) + b"\0", False, o + 2)
    opt_echo(c, "rr.ptr-3", rr(39, 3) + b"\0", False, o + 2)
    opt_echo(c, "rr.ptr-37-slot-cut", rr(39, 37) + b"\0", False, o + 2)
    opt_echo(c, "rr.ptr-39", rr(39, 39) + b"\0", False, o + 2)
    opt_echo(c, "rr.len2", rr(2, 0) + b"\x01\x01", False, o + 1)
    opt_echo(c, "rr.len3-full", rr(3, 4) + b"\x01", True)
    opt_echo(c, "rr.twice", rr(7, 4) + rr(7, 4) + b"\x01\x01", False, o + 7)
    opt_echo(c, "rr.empty.udp", rr(39, 4) + b"\0", True, proto="udp")
    # Internet Timestamp (type 68): flags 0 (timestamps), 1 (with addresses), 3 (prespecified)
    ts = lambda ln, ptr, oflw_flg: bytes([68, ln, ptr, oflw_flg]) + bytes(ln - 4)
    opt_echo(c, "ts.empty", ts(40, 5, 0), True)
    opt_echo(c, "ts.last-slot", ts(40, 37, 0), True)
    opt_echo(c, "ts.full", ts(40, 41, 0), True)
    opt_echo(c, "ts.full-overflow-14", ts(40, 41, 0xE0), True)
    opt_echo(c, "ts.full-overflow-15", ts(40, 41, 0xF0), False, o + 3)
    opt_echo(c, "ts.ptr-4", ts(40, 4, 0), False, o + 2)
    opt_echo(c, "ts.ptr-0", ts(40, 0, 0), False, o + 2)
    opt_echo(c, "ts.ptr-38-slot-cut", ts(40, 38, 0), False, o + 2)
    opt_echo(c, "ts.ptr-40", ts(40, 40, 0), False, o + 2)
    opt_echo(c, "ts.len3", bytes([68, 3, 5, 0]), False, o + 1)
    opt_echo(c, "ts.len4-full", ts(4, 5, 0), True)
    opt_echo(c, "ts.addr.empty", ts(36, 5, 1), True)
    opt_echo(c, "ts.addr.last-slot", ts(36, 29, 1), True)
    opt_echo(c, "ts.addr.slot-cut", ts(36, 33, 1), False, o + 2)
    opt_echo(c, "ts.addr.full-overflow-15", ts(36, 37, 0xF1), False, o + 3)
    opt_echo(c, "ts.prespec.empty", ts(36, 5, 3), True)
    opt_echo(c, "ts.prespec.slot-cut", ts(36, 33, 3), False, o + 2)
    opt_echo(c, "ts.prespec.full-overflow-15", ts(36, 37, 0xF3), True)
    opt_echo(c, "ts.flag-2", ts(36, 5, 2), True)
    # Room for a 4-byte entry whatever the flag (ptr + 3 <= length), as Linux checks.
    opt_echo(c, "ts.flag-2.slot-cut", ts(36, 34, 2), False, o + 2)
    opt_echo(c, "ts.twice", ts(12, 5, 0) + ts(12, 5, 0), False, o + 12)
    opt_echo(c, "ts.empty.udp", ts(40, 5, 0), True, proto="udp")
    # Loose / Strict Source and Record Route: dropped quietly (Linux accept_source_route 0)
    sr = lambda t, ln, ptr: bytes([t, ln, ptr]) + bytes(ln - 3) if ln >= 3 else bytes([t, ln])
    for t, nm in ((131, "lsrr"), (137, "ssrr")):
        opt_echo(c, f"{nm}.valid", sr(t, 11, 4) + b"\x01", True, drop_reason="ip4_source_route")
        opt_echo(c, f"{nm}.ptr-3", sr(t, 11, 3) + b"\x01", False, o + 2)
        opt_echo(c, f"{nm}.len2", sr(t, 2, 0) + b"\x01\x01", False, o + 1)
    opt_echo(c, "lsrr-then-ssrr", sr(131, 7, 4) + sr(137, 7, 4) + b"\x01\x01", False, o + 7)
    opt_echo(c, "rr-then-bad", rr(7, 4) + b"\x99\x00\x01", False, o + 7)


# --- ICMPv4 -----------------------------------------------------------------------------------

def icmp4_variants(c: Catalogue) -> None:
    c.group = "icmp4"
    e = echo4(c.ident(), 1, fill(56))
    for n in (0, 1, 4, 7):
        c.add(f"icmp4.trunc.{n}", eth(ip4(e[:n])), drop("icmp4_truncated"))
    c.add("icmp4.csum.bad", eth(ip4(icmp4(8, 0, b"\0\1\0\1", fill(56), check=0xBEEF))),
          drop("icmp4_bad_checksum"))
    c.add("icmp4.echo.empty", eth(ip4(echo4(c.ident()))), answered(ECHO4))
    c.add("icmp4.echo.code-1", eth(ip4(echo4(c.ident(), 1, fill(56), code=1))),
          answered(("icmp4", 0, 1)), linux=[("icmp4", 0, 1)])
    c.add("icmp4.echo.odd-length", eth(ip4(echo4(c.ident(), 1, fill(55)))), answered(ECHO4))
    c.add("icmp4.echo.1472", eth(ip4(echo4(c.ident(), 1, fill(1472)))), answered(ECHO4))
    ts_req = lambda ln: icmp4(13, 0, struct.pack("!HH", c.ident(), 1), fill(ln))
    c.add("icmp4.timestamp", eth(ip4(ts_req(12))), answered(TS4))
    c.add("icmp4.timestamp.long", eth(ip4(ts_req(40))), answered(TS4))
    for n in (0, 4, 8, 11):
        c.add(f"icmp4.timestamp.short-{n}", eth(ip4(ts_req(n))), drop("icmp4_truncated"),
              linux=[TS4] if n >= 4 else LINUX_SAME,
              why="Linux answers a timestamp request holding at least the originate timestamp "
                  "(icmp_timestamp needs 4 bytes after the header); the responder wants the "
                  "20 bytes RFC 792 defines" if n >= 4 else "")
    c.add("icmp4.timestamp.code-1", eth(ip4(icmp4(13, 1, b"\0\1\0\1", fill(12)))),
          answered(("icmp4", 14, 1)), linux=[TS4],
          why="Linux's timestamp reply has code 0; the responder keeps the request's code, as "
              "both do for echo")
    c.add("icmp4.probe.disabled", eth(ip4(icmp4(42, 0, b"\0\1\1\0", fill(20)))),
          drop("icmp4_probe_disabled"))
    for t in (0, 1, 2, 6, 7, 9, 10, 14, 16, 18, 19, 30, 37, 41, 43, 100, 253, 255):
        c.add(f"icmp4.type.{t}", eth(ip4(icmp4(t, 0, b"\0\1\0\1", fill(20)))),
              drop("icmp4_unhandled_type"))
    for t, r in ((4, "icmp4_source_quench_ignored"), (5, "icmp4_redirect_ignored"),
                 (15, "icmp4_obsolete_request"), (17, "icmp4_obsolete_request")):
        c.add(f"icmp4.type.{t}", eth(ip4(icmp4(t, 0, b"\0\0\0\0", fill(20)))), drop(r))
    # ICMP errors quoting garbage: counted, never answered
    ours = ip4(udp4(b"x" * 8, 33434, 40000, DUT4, PEER4), 17, DUT4, PEER4)
    quotes = {
        "empty": b"",
        "random": fill(36, 3),
        "short-ip": ours[:12],
        "ip-version-0": b"\x05" + ours[1:],
        "ihl-15": b"\x4f" + ours[1:],
        "tlen-65535": ours[:2] + b"\xff\xff" + ours[4:],
        "our-echo": ip4(echo4(1, 1), 1, DUT4, PEER4),
        "to-elsewhere": ip4(udp4(b"y" * 8, src="198.18.1.7", dst="198.18.1.8"), 17,
                            "198.18.1.7", "198.18.1.8"),
        "icmp-error-in-error": ip4(icmp4(3, 3, b"\0" * 4, ours), 1, DUT4, PEER4),
        "huge": fill(1400, 5),
    }
    for qn, q in quotes.items():
        c.add(f"icmp4.error.unreach.{qn}", eth(ip4(icmp4(3, 3, b"\0" * 4, q))),
              drop("icmp4_error_received"))
    c.add("icmp4.error.time-exceeded.random", eth(ip4(icmp4(11, 0, b"\0" * 4, fill(28)))),
          drop("icmp4_error_received"))
    c.add("icmp4.error.param-problem.random", eth(ip4(icmp4(12, 0, b"\x14\0\0\0", fill(28)))),
          drop("icmp4_error_received"))
    c.add("icmp4.error.frag-needed.mtu-0",
          eth(ip4(icmp4(3, 4, b"\0\0\0\0", ours))), drop("icmp4_error_received"))
    c.add("icmp4.error.bad-checksum", eth(ip4(icmp4(3, 3, b"\0" * 4, ours, check=1))),
          drop("icmp4_bad_checksum"))
    c.add("icmp4.error.truncated-header", eth(ip4(icmp4(3, 3, b"")[:6])),
          drop("icmp4_truncated"))


# --- UDP --------------------------------------------------------------------------------------

def udp_variants(c: Catalogue) -> None:
    c.group = "udp"
    big = fill(V4_ERR_MIN)
    c.add("udp4.closed", eth(ip4(udp4(big), 17)), drop("udp_port_closed", ("icmp4", 3, 3)))
    c.add("udp4.closed.port-0", eth(ip4(udp4(big, dport=0), 17)),
          drop("udp_port_closed", ("icmp4", 3, 3)))
    c.add("udp4.csum.zero", eth(ip4(udp4(big, check=0), 17)),
          drop("udp_port_closed", ("icmp4", 3, 3)))
    c.add("udp4.csum.bad", eth(ip4(udp4(big, check=0x1234), 17)), drop("udp_bad_checksum"))
    u = udp4(b"abcd")
    for n in (0, 4, 7):
        c.add(f"udp4.trunc.{n}", eth(ip4(u[:n], 17), pad_to=700), drop("udp_truncated"))
    c.add("udp4.len.0", eth(ip4(udp4(big, length=0, check=0), 17)), drop("udp_truncated"))
    c.add("udp4.len.7", eth(ip4(udp4(big, length=7, check=0), 17)), drop("udp_truncated"))
    c.add("udp4.len.beyond", eth(ip4(udp4(big, length=len(big) + 9, check=0), 17)),
          drop("udp_truncated"))
    c.add("udp4.len.shorter", eth(ip4(udp4(big, length=8 + 4, check=0), 17)),
          drop("udp_port_closed", ("icmp4", 3, 3)))
    c.add("udp4.to-broadcast", eth(ip4(udp4(big, dst=SUBNET_BCAST4), 17, dst=SUBNET_BCAST4),
                                   dst=BCAST_MAC),
          drop("udp_port_closed", errors={"suppressed_ip_multicast": 1}))
    c.add("udp4.to-limited-broadcast",
          eth(ip4(udp4(big, dst="255.255.255.255"), 17, dst="255.255.255.255"), dst=BCAST_MAC),
          drop("udp_port_closed", errors={"suppressed_ip_multicast": 1}))
    big6 = fill(V6_ERR_MIN)
    c.add("udp6.closed", eth(ip6(udp6(big6), 17), 0x86DD),
          drop("udp_port_closed", ("icmp6", 1, 4)))
    c.add("udp6.csum.zero", eth(ip6(udp6(big6, check=0), 17), 0x86DD), drop("udp_bad_checksum"))
    c.add("udp6.csum.bad", eth(ip6(udp6(big6, check=0x4321), 17), 0x86DD),
          drop("udp_bad_checksum"))
    u6 = udp6(b"abcd")
    for n in (0, 4, 7):
        c.add(f"udp6.trunc.{n}", eth(ip6(u6[:n], 17), 0x86DD, pad_to=1400), drop("udp_truncated"))
    c.add("udp6.to-all-nodes", eth(ip6(udp6(big6, dst=ALL_NODES6), 17, dst=ALL_NODES6), 0x86DD,
                                   dst="33:33:00:00:00:01"),
          drop("udp_port_closed", errors={"suppressed_ip_multicast": 1}))


# --- IPv6 header ------------------------------------------------------------------------------

def ip6_header(c: Catalogue) -> None:
    c.group = "ip6"
    good = ip6(echo6(c.ident(), 1, fill(56)))
    for n in (0, 1, 4, 8, 24, 39):
        c.add(f"ip6.trunc.{n}", eth(good[:n], 0x86DD), drop("ip6_truncated"))
    for v in (0, 4, 15):
        c.add(f"ip6.version.{v}", eth(ip6(echo6(c.ident()), version=v), 0x86DD),
              drop("ip6_bad_version"))
    c.add("ip6.plen.beyond", eth(ip6(echo6(c.ident(), 1, fill(56)), plen=65), 0x86DD),
          drop("ip6_bad_payload_length"))
    c.add("ip6.plen.65535", eth(ip6(echo6(c.ident(), 1, fill(56)), plen=65535), 0x86DD),
          drop("ip6_bad_payload_length"))
    c.add("ip6.plen.0", eth(ip6(echo6(c.ident(), 1, fill(56)), plen=0), 0x86DD),
          drop("icmp6_truncated"))
    c.add("ip6.plen.shorter-than-frame",
          eth(ip6(echo6(c.ident(), 1, fill(56))) + fill(100), 0x86DD), answered(ECHO6))
    for name, src in (("multicast", "ff02::1"), ("loopback", "::1")):
        c.add(f"ip6.src.{name}", eth(ip6(echo6(c.ident(), src=src), src=src), 0x86DD),
              drop("ip6_martian_source"))
    c.add("ip6.src.unspecified", eth(ip6(echo6(c.ident(), src="::"), src="::"), 0x86DD),
          drop("ip6_martian_source"), linux=None,
          why="Linux tries to answer an echo from :: (see pingwire-conform v6.noreply."
              "echo-unspecified); not compared")
    c.add("ip6.src.v4-mapped", eth(ip6(echo6(c.ident(), 1, fill(56), src="::ffff:198.18.1.2"),
                                       src="::ffff:198.18.1.2"), 0x86DD),
          answered(ECHO6), linux=[],
          why="Linux drops a packet from a v4-mapped source (ipv6_rcv, RFC 4291 2.5.5.2 "
              "abuse); the responder answers it")
    c.add("ip6.src.ours", echo6_frame(c.ident(), src=DUT6), answered(ECHO6), linux=[],
          why="Linux answers an echo from its own address to itself (the reply stays on the "
              "host); the responder answers it to the frame's source MAC")
    c.add("ip6.src.link-local", echo6_frame(c.ident(), src=PEER_LL6, dst=DUT_LL6),
          answered(ECHO6))
    c.add("ip6.dst.foreign", eth(ip6(udp6(fill(V6_ERR_MIN), dst=NOROUTE6), 17, dst=NOROUTE6),
                                 0x86DD),
          drop("ip6_not_for_us"), drop("no_route", ("icmp6", 1, 0)), linux=[("icmp6", 1, 0)],
          linux_router=LINUX_SAME,
          why="a Linux host (forwarding off) answers a packet to an address it has no route "
              "for with No Route (its route lookup comes before the forwarding check); the "
              "responder as a host drops a packet that is not for it")
    for name, dst in (("unspecified", "::"), ("loopback", "::1"), ("scope-0", "ff00::1"),
                      ("interface-local", "ff01::1")):
        kw = {}
        if name == "unspecified":
            kw = dict(linux=[("icmp6", 1, 0)],
                      why="Linux answers a packet to :: with No Route; the responder drops it "
                          "silently (RFC 4291 2.5.2: never a destination)")
        size = V6_ERR_MIN if name == "unspecified" else 56
        c.add(f"ip6.dst.{name}", eth(ip6(echo6(c.ident(), 1, fill(size), dst=dst), dst=dst),
                                     0x86DD),
              drop("ip6_not_for_us"), drop("ip6_not_forwardable"), **kw)
    c.add("ip6.dst.all-routers", eth(ip6(echo6(c.ident(), dst="ff02::2"), dst="ff02::2"), 0x86DD,
                                     dst="33:33:00:00:00:01"),
          drop("ip6_not_for_us"), drop("ip6_not_forwardable"), linux=LINUX_SAME,
          linux_router=[ECHO6], why="a Linux router joins ff02::2 and answers an echo to it")
    c.add("ip6.hlim.0", eth(ip6(echo6(c.ident(), 1, fill(56)), hlim=0), 0x86DD), answered(ECHO6))
    c.add("ip6.flow-label", eth(b"\x6f\xff\xff\xff" + ip6(echo6(c.ident(), 1, fill(56)))[4:],
                                0x86DD), answered(ECHO6))
    for nh in (253, 254, 255):
        c.add(f"ip6.nh.{nh}", eth(ip6(fill(V6_ERR_MIN), nh), 0x86DD),
              drop("ip6_unhandled_next_header", pp6(1, 6)))
    c.add("ip6.nh.tcp-syn", eth(ip6(tcp_syn(PEER6, DUT6, V6_ERR_MIN), 6), 0x86DD),
          answered(("tcp6", 0x14)))
    tcp_variants(c, True)
    c.add("ip6.nh.none", eth(ip6(fill(64), 59), 0x86DD), drop("ip6_no_next_header"))


# --- IPv6 extension headers -------------------------------------------------------------------

def ext_echo(c: Catalogue, name: str, exts: list[tuple[int, bytes]], out: Outcome,
             upper: int = 58, big: bool = False, dst: str = DUT6, l2dst: str = DUT_MAC,
             pad_frame: int = 0, **kw) -> None:
    """An echo request behind the extension headers `exts`: [(type, header bytes whose first
    byte, the next header, is filled in)]."""
    size = V6_ERR_MIN if big else 56
    payload = echo6(c.ident(), 1, fill(size), dst=dst) if upper == 58 else fill(size)
    chain = b""
    types = [t for t, _ in exts] + [upper]
    for i, (_, h) in enumerate(exts):
        chain += bytes([types[i + 1]]) + h[1:]
    f = eth(ip6(chain + payload, types[0], dst=dst), 0x86DD, dst=l2dst, pad_to=pad_frame)
    c.add(f"ip6.ext.{name}", f, out, **kw)


def ip6_extensions(c: Catalogue) -> None:
    c.group = "ip6-ext"
    HBH, RT, FRAG, DST = 0, 43, 44, 60
    pad6 = ext(0)  # 8 bytes, PadN
    ext_echo(c, "hbh", [(HBH, pad6)], answered(ECHO6))
    ext_echo(c, "dst", [(DST, pad6)], answered(ECHO6))
    ext_echo(c, "hbh-dst-rt0", [(HBH, pad6), (DST, pad6), (RT, ext(0, b"\0\0\0\0\0\0"))],
             answered(ECHO6))
    ext_echo(c, "chain-10", [(DST, pad6)] * 10, answered(ECHO6))
    ext_echo(c, "chain-100", [(DST, pad6)] * 100, answered(ECHO6))
    ext_echo(c, "dst-1208", [(DST, ext(0, (b"\x1e\xfd" + bytes(253)) * 4 + b"\x1e\xb8"
                                         + bytes(184)))], answered(ECHO6))
    ext_echo(c, "routing-repeated-3", [(RT, ext(0, b"\0\0\0\0\0\0"))] * 3, answered(ECHO6))
    ext_echo(c, "atomic-twice", [(FRAG, frag6(0)), (FRAG, frag6(0, ident=7))], answered(ECHO6),
             linux=[pp6(0, 48)],
             why="Linux refuses a second Fragment header (Parameter Problem code 0 at it; RFC "
                 "8200 4.1: each header at most once); the responder processes headers in "
                 "any number as RFC 8200 4.1 asks of receivers, and answers")
    ext_echo(c, "hbh-not-first", [(DST, pad6), (HBH, pad6)], drop("ip6_bad_ext_header",
                                                                  pp6(1, 40)), big=True)
    ext_echo(c, "hbh-twice", [(HBH, pad6), (HBH, pad6)], drop("ip6_bad_ext_header", pp6(1, 40)),
             big=True)
    ext_echo(c, "hbh-after-fragment", [(FRAG, frag6(0)), (HBH, pad6)],
             drop("ip6_bad_ext_header", pp6(1, 40)), big=True)
    # truncated chains: Linux drops them silently (pskb_may_pull); the responder answers
    # Parameter Problem code 0 (README "extension header cut short")
    cut_why = ("Linux discards an extension header cut short without an error (pskb_may_pull "
               "fails); the responder sends Parameter Problem code 0 at the field (RFC 8200 4)")
    for t, nm in ((HBH, "hbh"), (DST, "dst"), (RT, "rt"), (FRAG, "frag")):
        for n in (0, 1, 4, 7):
            body = (frag6(58) if t == FRAG else pad6)[:n]
            f = eth(ip6(body, t), 0x86DD, pad_to=1400)
            lx, why = [], cut_why
            if t == HBH and n == 0:
                lx, why = [pp6(1, 40)], (
                    "Payload Length 0 with a Hop-by-Hop header announces a jumbogram (RFC "
                    "2675): Linux reads the frame's trailer as the header (zeros: a second "
                    "Hop-by-Hop, Parameter Problem code 1); the responder takes the length as "
                    "given and the header as cut short (code 0 at the Next Header field)")
            elif t == FRAG and n < 4:
                lx, why = [pp6(0, 40)], ("both answer a Fragment header cut short with "
                                         "Parameter Problem code 0: Linux points at the "
                                         "header, the responder at the Next Header field "
                                         "that announced it")
            c.add(f"ip6.ext.{nm}.trunc.{n}", f, drop("ip6_bad_ext_header", pp6(0, 6)),
                  linux=lx, why=why)
    c.add("ip6.ext.dst.trunc-after-hbh",
          eth(ip6(bytes([DST]) + pad6[1:] + b"\x3a\x00\x01", HBH), 0x86DD, pad_to=1400),
          drop("ip6_bad_ext_header", pp6(0, 40)), linux=[], why=cut_why)
    c.add("ip6.ext.hdrlen-past-packet", eth(ip6(ext(58, padn(6), hdrlen=4) + echo6(1), DST),
                                            0x86DD, pad_to=1400),
          drop("ip6_bad_ext_header", pp6(0, 41)), linux=[], why=cut_why)
    c.add("ip6.ext.hdrlen-255", eth(ip6(ext(58, padn(6), hdrlen=255) + echo6(1), HBH), 0x86DD,
                                    pad_to=1400),
          drop("ip6_bad_ext_header", pp6(0, 41)), linux=[], why=cut_why)
    tlv_why = ("Linux discards a header whose option runs past it without an error "
               "(ip6_parse_tlv); the responder sends Parameter Problem code 0 at the option "
               "length")
    ext_echo(c, "opt.past-header", [(DST, ext(0, b"\x1e\x09\0\0\0\0"))],
             drop("ip6_bad_ext_header", pp6(0, 43)), big=True, linux=[], why=tlv_why)
    ext_echo(c, "opt.type-at-end", [(DST, ext(0, padn(5) + b"\x1e"))],
             drop("ip6_bad_ext_header", pp6(0, 47)), big=True, linux=[], why=tlv_why)
    ext_echo(c, "opt.padn-nonzero", [(DST, ext(0, b"\x01\x04\x01\x02\x03\x04"))],
             answered(ECHO6), linux=[],
             why="Linux drops a PadN with non-zero content (RFC 4942 2.1.9.5 recommends the "
                 "check); the responder skips padding unread (RFC 8200 4.2)")
    ext_echo(c, "opt.padding-over-7", [(DST, ext(0, padn(14)))], answered(ECHO6), linux=[],
             why="Linux drops more than 7 consecutive bytes of padding (RFC 4942 2.1.9.5); the "
                 "responder accepts them (RFC 8200 4.2)")
    ext_echo(c, "opt.pad1-run", [(DST, ext(0, b"\0" * 6))], answered(ECHO6))
    ext_echo(c, "opt.many-skippable", [(DST, ext(0, b"\x1e\x00" * 11))], answered(ECHO6),
             linux=[], why="Linux drops a Destination Options header with more than 8 "
                           "non-padding options (max_dst_opts_number); the responder skips "
                           "unknown options of action 00 however many (RFC 8200 4.2)")
    for hdr, htype in (("hbh", HBH), ("dst", DST)):
        ext_echo(c, f"{hdr}.unknown-00", [(htype, ext(0, b"\x1e\x04\0\0\0\0"))], answered(ECHO6))
        ext_echo(c, f"{hdr}.unknown-01", [(htype, ext(0, b"\x5e\x04\0\0\0\0"))],
                 drop("ip6_unknown_option"))
        ext_echo(c, f"{hdr}.unknown-10", [(htype, ext(0, b"\x9e\x04\0\0\0\0"))],
                 drop("ip6_unknown_option", pp6(2, 42)), big=True)
        ext_echo(c, f"{hdr}.unknown-11", [(htype, ext(0, b"\xde\x04\0\0\0\0"))],
                 drop("ip6_unknown_option", pp6(2, 42)), big=True)
        ext_echo(c, f"{hdr}.unknown-10.to-all-nodes", [(htype, ext(0, b"\x9e\x04\0\0\0\0"))],
                 drop("ip6_unknown_option", pp6(2, 42)), big=True, dst=ALL_NODES6,
                 l2dst="33:33:00:00:00:01")
        ext_echo(c, f"{hdr}.unknown-11.to-all-nodes", [(htype, ext(0, b"\xde\x04\0\0\0\0"))],
                 drop("ip6_unknown_option"), big=True, dst=ALL_NODES6, l2dst="33:33:00:00:00:01")
        ext_echo(c, f"{hdr}.unknown-10-after-padn", [(htype, ext(0, padn(2) + b"\x9e\x02\0\0"))],
                 drop("ip6_unknown_option", pp6(2, 44)), big=True)
    ext_echo(c, "hbh.router-alert", [(HBH, ext(0, b"\x05\x02\0\0\x01\x00"))], answered(ECHO6))
    ext_echo(c, "hbh.jumbo-with-length", [(HBH, ext(0, b"\xc2\x04\0\0\x10\0"))],
             drop("ip6_unknown_option", pp6(2, 42)), big=True, linux=[pp6(0, 44)],
             why="Linux knows the Jumbo Payload option and answers one with a non-zero Payload "
                 "Length with code 0 at its length (RFC 2675 3); the responder, without "
                 "jumbograms, treats it as unrecognised, code 2 (RFC 2675 4: what a node "
                 "without jumbogram support sends)")
    ext_echo(c, "rt0.segments-left-1", [(RT, ext(0, b"\x00\x01\0\0\0\0" + a6("2001:2::99")))],
             drop("ip6_routing_header", pp6(0, 42)), big=True)
    ext_echo(c, "rt253.segments-left-1", [(RT, ext(0, b"\xfd\x01\0\0\0\0"))],
             drop("ip6_routing_header", pp6(0, 42)), big=True)
    ext_echo(c, "rt253.segments-left-0", [(RT, ext(0, b"\xfd\x00\0\0\0\0"))], answered(ECHO6))
    ext_echo(c, "srh.segments-left-1", [(RT, ext(0, b"\x04\x01\0\0\0\0" + a6("2001:2::99")))],
             drop("ip6_routing_header", pp6(0, 42)), big=True, linux=[],
             why="Linux drops a Segment Routing Header silently while seg6_enabled is 0; the "
                 "responder processes no routing type and owes Parameter Problem (RFC 8200 "
                 "4.4)")
    ext_echo(c, "atomic", [(FRAG, frag6(0))], answered(ECHO6))
    ext_echo(c, "atomic.reserved-bits", [(FRAG, frag6(0, reserved=0xff) + b"")], answered(ECHO6))
    ext_echo(c, "atomic.res-bits-in-offset", [(FRAG, struct.pack("!BBHI", 0, 0, 6, 9))],
             answered(ECHO6))
    ext_echo(c, "unknown-after-dst", [(DST, pad6)], drop("ip6_unhandled_next_header",
                                                        pp6(1, 40)), upper=253, big=True)


# --- ICMPv6 -----------------------------------------------------------------------------------

def icmp6_variants(c: Catalogue) -> None:
    c.group = "icmp6"
    e = echo6(c.ident(), 1, fill(56))
    for n in (0, 1, 3, 4, 7):
        c.add(f"icmp6.trunc.{n}", eth(ip6(e[:n]), 0x86DD), drop("icmp6_truncated"))
    c.add("icmp6.csum.bad", eth(ip6(icmp6(128, 0, b"\0\1\0\1" + fill(56), check=0xBEEF)),
                                0x86DD), drop("icmp6_bad_checksum"))
    c.add("icmp6.csum.zero", eth(ip6(icmp6(128, 0, b"\0\1\0\1" + fill(56), check=0)), 0x86DD),
          drop("icmp6_bad_checksum"))
    c.add("icmp6.echo.empty", eth(ip6(echo6(c.ident())), 0x86DD), answered(ECHO6))
    c.add("icmp6.echo.code-1", eth(ip6(echo6(c.ident(), 1, fill(56), code=1)), 0x86DD),
          answered(("icmp6", 129, 1)))
    c.add("icmp6.echo.1452", eth(ip6(echo6(c.ident(), 1, fill(1452))), 0x86DD), answered(ECHO6))
    c.add("icmp6.probe.disabled", eth(ip6(icmp6(160, 0, b"\0\1\1\0" + fill(20))), 0x86DD),
          drop("icmp6_probe_disabled"))
    for t in (129, 130, 131, 132, 139, 140, 143, 200, 255):
        c.add(f"icmp6.type.{t}", eth(ip6(icmp6(t, 0, b"\0\1\0\1" + fill(20))), 0x86DD),
              drop("icmp6_unhandled_type"))
    for t in (1, 2, 3, 4, 100, 127):
        c.add(f"icmp6.type.{t}", eth(ip6(icmp6(t, 0, b"\0\0\0\0" + fill(48))), 0x86DD),
              drop("icmp6_error_received"))
    ours = ip6(udp6(b"x" * 8, 33434, 40000, DUT6, PEER6), 17, DUT6, PEER6)
    for qn, q in (("empty", b""), ("short-ip6", ours[:20]), ("random", fill(60, 9)),
                  ("version-4", b"\x45" + ours[1:]), ("huge", fill(1200, 4))):
        c.add(f"icmp6.error.unreach.{qn}", eth(ip6(icmp6(1, 4, b"\0" * 4 + q)), 0x86DD),
              drop("icmp6_error_received"))
    c.add("icmp6.error.ptb.mtu-0", eth(ip6(icmp6(2, 0, b"\0" * 4 + ours)), 0x86DD),
          drop("icmp6_error_received"))
    c.add("icmp6.redirect", eth(ip6(icmp6(137, 0, b"\0" * 4 + a6(DUT6) + a6(PEER6)), hlim=255),
                                0x86DD),
          drop("icmp6_redirect_ignored"))
    c.add("icmp6.rs", eth(ip6(icmp6(133, 0, b"\0" * 4, dst="ff02::2"), dst="ff02::2",
                              hlim=255), 0x86DD, dst="33:33:00:00:00:01"),
          drop("ip6_not_for_us"), drop("ip6_not_forwardable"))
    c.add("icmp6.rs.unicast", eth(ip6(icmp6(133, 0, b"\0" * 4), hlim=255), 0x86DD),
          drop("ndp_unhandled"))
    c.add("icmp6.ra.unicast", eth(ip6(icmp6(134, 0, b"\x40\0\0\0" + bytes(8), src=PEER_LL6),
                                      src=PEER_LL6, hlim=255), 0x86DD),
          drop("ndp_unhandled"), linux=None,
          why="Linux runs with accept_ra 0 here; an RA would change its routes")


# --- Neighbor Discovery -----------------------------------------------------------------------

def nd_variants(c: Catalogue) -> None:
    c.group = "nd"
    sol = DUT_SOLICITED6
    smac = "33:33:ff:00:00:01"
    c.add("nd.ns.unicast", eth(ns(DUT6), 0x86DD), answered(NA6))
    c.add("nd.ns.solicited-node", eth(ns(DUT6, dst=sol), 0x86DD, dst=smac), answered(NA6))
    c.add("nd.ns.link-local-target", eth(ns(DUT_LL6, src=PEER_LL6, dst=sol), 0x86DD, dst=smac),
          answered(NA6))
    c.add("nd.ns.no-slla", eth(ns(DUT6, opts=b""), 0x86DD), answered(NA6), linux=[NA6],
          larger_answer="the Neighbor Advertisement (86 B) carries the 8-byte Target "
                        "Link-Layer Address option that the solicitation (78 B) lacked; Linux "
                        "omits it in answer to a unicast solicitation (RFC 4861 7.2.4 MAY), "
                        "the responder always includes it")
    c.add("nd.ns.dad", eth(ns(DUT6, src="::", dst=sol, opts=b""), 0x86DD, dst=smac),
          answered(NA6), linux=None,
          larger_answer="RFC 4861 7.2.4: the answer to a multicast solicitation MUST carry "
                        "the Target Link-Layer Address option (8 bytes) that a DAD probe may "
                        "not carry: 86 B for 78 B, as Linux sends",
          why="Linux answers a DAD probe for an address it holds only while it is not itself "
              "tentative, the same here; not compared (Linux may log a conflict)")
    c.add("nd.ns.dad-with-slla", eth(ns(DUT6, src="::", dst=sol), 0x86DD, dst=smac),
          drop("ndp_invalid"))
    c.add("nd.ns.dad-to-unicast", eth(ns(DUT6, src="::", dst=DUT6, opts=b""), 0x86DD),
          drop("ndp_invalid"))
    for h in (254, 64, 1, 0):
        c.add(f"nd.ns.hlim-{h}", eth(ns(DUT6, hlim=h), 0x86DD), drop("ndp_bad_hop_limit"))
    c.add("nd.ns.code-1", eth(ns(DUT6, code=1), 0x86DD), drop("ndp_invalid"))
    c.add("nd.ns.short-20", eth(ip6(icmp6(135, 0, b"\0" * 4 + a6(DUT6)[:12]), hlim=255),
                                0x86DD), drop("ndp_invalid"))
    c.add("nd.ns.target-multicast", eth(ns("ff02::1"), 0x86DD), drop("ndp_invalid"))
    c.add("nd.ns.target-foreign", eth(ns("2001:2:0:1::99"), 0x86DD), drop("ndp_not_for_us"))
    c.add("nd.ns.target-unspecified", eth(ns("::"), 0x86DD), drop("ndp_not_for_us"))
    c.add("nd.ns.opt-len-0", eth(ns(DUT6, opts=b"\x01\x00" + mac(PEER_MAC)), 0x86DD),
          drop("ndp_invalid"))
    c.add("nd.ns.opt-len-0-after-slla", eth(ns(DUT6, opts=b"\x01\x01" + mac(PEER_MAC)
                                               + b"\x0e\x00" + bytes(6)), 0x86DD),
          drop("ndp_invalid"))
    c.add("nd.ns.opt-past-end", eth(ns(DUT6, opts=b"\x01\x02" + mac(PEER_MAC)), 0x86DD),
          drop("ndp_invalid"))
    c.add("nd.ns.opt-1-byte", eth(ns(DUT6, opts=b"\x01"), 0x86DD), drop("ndp_invalid"))
    c.add("nd.ns.opt-unknown", eth(ns(DUT6, opts=b"\xc8\x01" + bytes(6) + b"\x01\x01"
                                      + mac(PEER_MAC)), 0x86DD), answered(NA6))
    c.add("nd.ns.slla-twice", eth(ns(DUT6, opts=(b"\x01\x01" + mac(PEER_MAC)) * 2), 0x86DD),
          answered(NA6))
    c.add("nd.ns.src-multicast", eth(ns(DUT6, src="ff02::1"), 0x86DD), drop("ip6_martian_source"))
    c.add("nd.ns.src-ours", eth(ns(DUT6, src=DUT6), 0x86DD), answered(NA6))
    c.add("nd.ns.bad-checksum", eth(ip6(icmp6(135, 0, b"\0" * 4 + a6(DUT6), check=0x1111),
                                        hlim=255), 0x86DD), drop("icmp6_bad_checksum"))
    c.add("nd.ns.behind-hbh", eth(ip6(ext(58) + icmp6(135, 0, b"\0" * 4 + a6(DUT6) + b"\x01\x01"
                                                      + mac(PEER_MAC)), 0, hlim=255), 0x86DD),
          answered(NA6))
    frag_why = ("RFC 6980 5: a fragmented Neighbor Discovery message MUST be ignored; Linux "
                "does (suppress_frag_ndisc)")
    c.add("nd.ns.atomic-fragment", eth(ip6(frag6(58) + icmp6(135, 0, b"\0" * 4 + a6(DUT6)
                                                             + b"\x01\x01" + mac(PEER_MAC)),
                                           44, hlim=255), 0x86DD),
          drop("ndp_invalid"), linux=LINUX_SAME, why=frag_why)
    # Neighbor Advertisements: a host answers none; a router checks and learns
    for name, frame, router_out in (
            ("unsolicited", na(DUT6, 0x20000000, dst="ff02::1"), "ndp_unhandled"),
            ("solicited-unicast", na(PEER6, 0x60000000), "ndp_unhandled"),
            ("foreign-target", na("2001:2:0:1::77", 0x60000000), "ndp_unhandled"),
            ("hlim-64", na(PEER6, 0x60000000, hlim=64), "ndp_bad_hop_limit"),
            ("target-multicast", na("ff02::1", 0x20000000), "ndp_invalid"),
            ("solicited-to-multicast", na(PEER6, 0x60000000, dst="ff02::1"), "ndp_invalid"),
            ("opt-len-0", na(PEER6, 0x60000000, opts=b"\x02\x00" + bytes(6)), "ndp_invalid"),
            ("code-1", na(PEER6, 0x60000000, code=1), "ndp_invalid"),
            ("short", ip6(icmp6(136, 0, b"\x60\0\0\0" + a6(PEER6)[:8]), hlim=255),
             "ndp_invalid")):
        l2 = "33:33:00:00:00:01" if b"\xff\x02" in frame[24:26] else DUT_MAC
        c.add(f"nd.na.{name}", eth(frame, 0x86DD, dst=l2), drop("ndp_unhandled"),
              drop(router_out))


# --- sizes ------------------------------------------------------------------------------------

def sizes(c: Catalogue) -> None:
    c.group = "size"
    c.add("size.runt.echo4-42", eth(ip4(echo4(c.ident()))), answered(ECHO4))
    c.add("size.runt.echo6-62", eth(ip6(echo6(c.ident())), 0x86DD), answered(ECHO6))
    c.add("size.max.echo4-1514", eth(ip4(echo4(c.ident(), 1, fill(1472)))), answered(ECHO4))
    c.add("size.max.echo6-1514", eth(ip6(echo6(c.ident(), 1, fill(1452))), 0x86DD),
          answered(ECHO6))
    # Above the port MTU but within one 2 KiB mbuf: dropped as a NIC drops an oversize frame
    # (a reply in place would be as large, more than the link carries).
    giant = ("longer than the port MTU (1500): the responder drops it as a NIC would "
             "(frame_too_long); Linux, whose interface MTU was raised to 9100 so the jumbo "
             "variants could cross the veth, answers")
    c.add("size.giant.echo4-1518", eth(ip4(echo4(c.ident(), 1, fill(1476)))),
          drop("frame_too_long"), linux=[ECHO4], why=giant)
    c.add("size.giant.echo6-2000", eth(ip6(echo6(c.ident(), 1, fill(1938))), 0x86DD),
          drop("frame_too_long"), linux=[ECHO6], why=giant)
    jumbo = ("the frame does not fit one 2 KiB mbuf: the responder (port MTU 1500) drops it as "
             "multi_segment; Linux, whose interface MTU was raised so the frame could cross "
             "the veth, answers")
    c.add("size.jumbo.echo4-9000", eth(ip4(echo4(c.ident(), 1, fill(8972)))),
          drop("multi_segment"), linux=[ECHO4], why=jumbo)
    c.add("size.jumbo.echo6-9000", eth(ip6(echo6(c.ident(), 1, fill(8952))), 0x86DD),
          drop("multi_segment"), linux=[ECHO6], why=jumbo)
    c.add("size.jumbo.udp4-9000", eth(ip4(udp4(fill(8972)), 17)), drop("multi_segment"),
          linux=[("icmp4", 3, 3)], why=jumbo)
    c.add("size.jumbo.udp6-9000", eth(ip6(udp6(fill(8952)), 17), 0x86DD),
          drop("multi_segment"), linux=[("icmp6", 1, 4)], why=jumbo)
    c.add("size.jumbo.garbage-9014", eth(fill(9000), 0x88B5), drop("multi_segment"))
    c.add("size.over-mbuf.echo4-2100", eth(ip4(echo4(c.ident(), 1, fill(2058)))),
          drop("multi_segment"), linux=[ECHO4], why=jumbo)


# --- broadcast and multicast ------------------------------------------------------------------

def broadcast(c: Catalogue) -> None:
    c.group = "broadcast"
    for name, dst, l2 in (("limited", "255.255.255.255", BCAST_MAC),
                          ("directed", SUBNET_BCAST4, BCAST_MAC),
                          ("directed.unicast-mac", SUBNET_BCAST4, DUT_MAC)):
        c.add(f"bcast.echo4.{name}", eth(ip4(echo4(c.ident(), 1, fill(56)), dst=dst), dst=l2),
              drop("icmp4_echo_to_broadcast"))
        c.add(f"bcast.timestamp.{name}",
              eth(ip4(icmp4(13, 0, b"\0\1\0\1", fill(12)), dst=dst), dst=l2),
              drop("icmp4_echo_to_broadcast"))
    c.add("bcast.echo4.network-address", eth(ip4(echo4(c.ident(), 1, fill(56)),
                                                 dst="198.18.1.0"), dst=BCAST_MAC),
          drop("ip4_not_for_us"), drop("ip4_unicast_in_l2_broadcast"), linux=None,
          why="whether Linux treats the all-zeros host address as a broadcast depends on the "
              "kernel; not compared")
    c.add("bcast.echo4.multicast-all-hosts", eth(ip4(echo4(c.ident()), dst="224.0.0.1"),
                                                 dst="01:00:5e:00:00:01"), drop("not_our_mac"))
    c.add("bcast.echo4.multicast-in-unicast-frame",
          eth(ip4(echo4(c.ident()), dst="224.0.0.1")), drop("ip4_not_for_us"),
          drop("ip4_multicast_not_forwarded"))
    c.add("mcast.echo6.all-nodes", eth(ip6(echo6(c.ident(), 1, fill(56), dst=ALL_NODES6),
                                           dst=ALL_NODES6), 0x86DD, dst="33:33:00:00:00:01"),
          answered(ECHO6))
    c.add("mcast.echo6.solicited-node",
          eth(ip6(echo6(c.ident(), 1, fill(56), dst=DUT_SOLICITED6), dst=DUT_SOLICITED6),
              0x86DD, dst="33:33:ff:00:00:01"), answered(ECHO6))
    c.add("mcast.echo6.all-nodes.l2-broadcast",
          eth(ip6(echo6(c.ident(), 1, fill(56), dst=ALL_NODES6), dst=ALL_NODES6), 0x86DD,
              dst=BCAST_MAC), answered(ECHO6))
    c.add("mcast.echo6.all-nodes.from-link-local",
          eth(ip6(echo6(c.ident(), 1, fill(56), src=PEER_LL6, dst=ALL_NODES6), src=PEER_LL6,
                  dst=ALL_NODES6), 0x86DD, dst="33:33:00:00:00:01"), answered(ECHO6))


# --- router mode: transit -----------------------------------------------------------------------

def transit(c: Catalogue) -> None:
    c.group = "transit"
    R = lambda name, frames, out, **kw: c.add(f"fwd.{name}", frames, None, out, **kw)
    big4, big6 = fill(V4_ERR_MIN), fill(V6_ERR_MIN)
    u4 = lambda **kw: ip4(udp4(big4, src=PEER4, dst=FAR4), 17, dst=FAR4, **kw)
    u6 = lambda **kw: ip6(udp6(big6, dst=FAR6), 17, dst=FAR6, **kw)
    R("ip4.echo", eth(ip4(echo4(c.ident(), 1, fill(56)), dst=FAR4)), forwarded())
    R("ip4.udp", eth(u4()), forwarded())
    R("ip4.ttl-1", eth(u4(ttl=1)), drop("ttl_expired", ("icmp4", 11, 0)))
    R("ip4.ttl-0", eth(u4(ttl=0)), drop("ttl_expired", ("icmp4", 11, 0)))
    R("ip4.no-route", eth(ip4(udp4(big4, src=PEER4_C, dst="198.18.9.9"), 17, src=PEER4_C,
                              dst="198.18.9.9")),
      drop("no_route", ("icmp4", 3, 0)))
    R("ip4.bad-checksum", eth(u4(check=0x1234)), drop("ip4_bad_checksum"))
    R("ip4.martian-src", eth(ip4(udp4(big4, src="127.0.0.1", dst=FAR4), 17, src="127.0.0.1",
                                 dst=FAR4)), drop("ip4_martian_source"))
    for name, dst, reason in (("zero", "0.0.0.1", "ip4_bad_destination"),
                              ("loopback", "127.0.0.1", "ip4_bad_destination"),
                              ("class-e", "240.0.0.1", "ip4_bad_destination"),
                              ("multicast", "239.1.1.1", "ip4_multicast_not_forwarded"),
                              ("directed-broadcast", "198.18.2.255", "ip4_directed_broadcast")):
        lx = LINUX_SAME
        R(f"ip4.dst.{name}", eth(ip4(udp4(big4, dst=dst), 17, dst=dst)), drop(reason), linux=lx)
    R("ip4.in-l2-broadcast", eth(u4(), dst=BCAST_MAC), drop("ip4_unicast_in_l2_broadcast"))
    R("ip4.df-too-big", eth(ip4(echo4(c.ident(), 1, fill(1472)), dst=FAR4, ff=0x4000)),
      drop("mtu_exceeded", ("icmp4", 3, 4)))
    R("ip4.too-big-fragmented", eth(ip4(echo4(c.ident(), 1, fill(1472)), dst=FAR4)),
      forwarded(1, 2))
    R("ip4.fragment", eth(ip4(fill(64), 17, dst=FAR4, ff=0x2000)), forwarded())
    R("ip4.opt.rr", eth(ip4(echo4(c.ident(), 1, fill(56)), dst=FAR4,
                            opts=bytes([7, 39, 4]) + bytes(37))), forwarded())
    R("ip4.opt.len0", eth(ip4(udp4(big4, dst=FAR4), 17, dst=FAR4, opts=b"\x99\x00\0\0")),
      drop("ip4_bad_option", pp4(20)))
    R("ip4.opt.rr-ptr-3", eth(ip4(udp4(big4, dst=FAR4), 17, dst=FAR4,
                                  opts=bytes([7, 7, 3]) + bytes(5))),
      drop("ip4_bad_option", pp4(22)))
    R("ip4.opt.lsrr", eth(ip4(udp4(big4, dst=FAR4), 17, dst=FAR4,
                              opts=bytes([131, 7, 4]) + a4("198.18.2.9") + b"\x01")),
      drop("ip4_source_route"))
    R("ip4.to-other-port", eth(ip4(echo4(c.ident(), 1, fill(56)), dst=DUT1_4)), answered(ECHO4))
    R("ip6.echo", eth(ip6(echo6(c.ident(), 1, fill(56), dst=FAR6), dst=FAR6), 0x86DD),
      forwarded())
    R("ip6.udp", eth(u6(), 0x86DD), forwarded())
    R("ip6.hlim-1", eth(u6(hlim=1), 0x86DD), drop("ttl_expired", ("icmp6", 3, 0)))
    R("ip6.no-route", eth(ip6(udp6(big6, dst=NOROUTE6), 17, dst=NOROUTE6), 0x86DD),
      drop("no_route", ("icmp6", 1, 0)))
    R("ip6.too-big", eth(ip6(echo6(c.ident(), 1, fill(1452), dst=FAR6), dst=FAR6), 0x86DD),
      drop("mtu_exceeded", ("icmp6", 2, 0)))
    R("ip6.link-local-src", eth(ip6(udp6(big6, src=PEER_LL6, dst=FAR6), 17, src=PEER_LL6,
                                    dst=FAR6), 0x86DD),
      drop("beyond_scope", ("icmp6", 1, 2)))
    for name, dst in (("multicast-global", "ff0e::1"), ("link-local", "fe80::99")):
        R(f"ip6.dst.{name}", eth(ip6(udp6(big6, dst=dst), 17, dst=dst), 0x86DD),
          drop("ip6_not_forwardable"), linux=None if name == "link-local" else LINUX_SAME,
          why="Linux resolves fe80::99 on the link first (ND), no answer to compare"
          if name == "link-local" else "")
    R("ip6.hbh-unknown-10", eth(ip6(ext(17, b"\x9e\x04\0\0\0\0") + udp6(big6, dst=FAR6), 0,
                                    dst=FAR6), 0x86DD), forwarded(),
      linux=[pp6(2, 42)],
      why="Linux parses Hop-by-Hop options of every packet, forwarded ones too, and answers "
          "an unrecognised option of action 10 with Parameter Problem; the responder as a "
          "router does not examine Hop-by-Hop (RFC 8200 4.3 allows it) and forwards")
    R("ip6.routing-sl-1", eth(ip6(ext(17, b"\xfd\x01\0\0\0\0") + udp6(big6, dst=FAR6), 43,
                                  dst=FAR6), 0x86DD), forwarded())
    R("ip6.fragment", eth(ip6(frag6(17, 8, True) + fill(64), 44, dst=FAR6), 0x86DD), forwarded())
    R("ip6.to-other-port", eth(ip6(echo6(c.ident(), 1, fill(56), dst=DUT1_6), dst=DUT1_6),
                               0x86DD), answered(ECHO6))


# --- IPv4 fragments (to us) -------------------------------------------------------------------

def frag4(payload: bytes, ident: int, offset: int, more: bool, proto: int = 1, **kw) -> bytes:
    """One IPv4 fragment carrying payload at byte offset `offset` (a multiple of 8)."""
    return eth(ip4(payload, proto, ident=ident, ff=(offset // 8) | (0x2000 if more else 0), **kw))


def split4(datagram_payload: bytes, ident: int, sizes: list[int], proto: int = 1) -> list[bytes]:
    """Fragments of sizes[0], sizes[1]... bytes, then one with the rest (the last)."""
    out, off = [], 0
    for n in sizes:
        out.append(frag4(datagram_payload[off:off + n], ident, off, True, proto))
        off += n
    out.append(frag4(datagram_payload[off:], ident, off, False, proto))
    return out


def fragments4(c: Catalogue) -> None:
    c.group = "ip4-fragments"
    ids = iter(range(0x7000, 0x8000))
    e = echo4(c.ident(), 1, fill(1400))
    c.add("frag4.complete.2", split4(e, next(ids), [720]), reassembled(2, ECHO4))
    c.add("frag4.complete.reversed", list(reversed(split4(e, next(ids), [720]))),
          reassembled(2, ECHO4))
    small = echo4(c.ident(), 1, fill(56))
    c.add("frag4.tiny.8-byte", split4(small, next(ids), [8] * 7), reassembled(8, ECHO4))
    c.add("frag4.complete.udp-closed", split4(udp4(fill(1000)), next(ids), [512], 17),
          reassembled(2, ("icmp4", 3, 3)))
    big = echo4(c.ident(), 1, fill(3000))
    c.add("frag4.complete.reply-fragmented", split4(big, next(ids), [1480, 1480]),
          reassembled(3, ("ip4frag", 1), ("ip4frag", 1), ("ip4frag", 1)), linux=[ECHO4],
          why="Linux's link has the jumbo MTU the size variants need, so its 3008-byte reply "
              "leaves whole; the responder's port MTU is 1500 and it fragments the reply")
    c.add("frag4.lone-first", frag4(e[:720], next(ids), 0, True), held(), pending=1,
          linux=LINUX_SAME, why="")
    c.add("frag4.lone-last", frag4(e[720:], next(ids), 720, False), held(), pending=1)
    c.add("frag4.lone-middle", frag4(fill(64), next(ids), 64, True), held(), pending=1)
    i = next(ids)
    c.add("frag4.overlap", [frag4(e[:16], i, 0, True), frag4(e[8:24], i, 8, True)],
          combine(held(), drop("reasm_overlap")))
    i = next(ids)
    c.add("frag4.overlap.then-more", [frag4(e[:16], i, 0, True), frag4(e[8:24], i, 8, True),
                                      frag4(e[24:], i, 24, False)],
          combine(held(), drop("reasm_overlap", n=2)))
    i = next(ids)
    c.add("frag4.teardrop", [frag4(e[:32], i, 0, True), frag4(e[24:28], i, 24, False)],
          combine(held(), drop("reasm_overlap")))
    i = next(ids)
    c.add("frag4.duplicate-then-last", [frag4(e[:720], i, 0, True), frag4(e[:720], i, 0, True),
                                        frag4(e[720:], i, 720, False)],
          combine(held(), drop("reasm_overlap", n=2)), linux=[ECHO4],
          why="Linux (since 5.1) ignores an exact duplicate fragment and completes the "
              "datagram; the responder counts a duplicate as an overlap and drops the "
              "datagram (RFC 5722)")
    i = next(ids)
    c.add("frag4.endless-first.same-id", [frag4(e[:720], i, 0, True)] * 10,
          combine(held(), drop("reasm_overlap", n=9)), linux=LINUX_SAME)
    c.add("frag4.ping-of-death.last", frag4(fill(100), next(ids), 65528 - 8 * 10, False),
          drop("reasm_too_big"))
    i = next(ids)
    c.add("frag4.ping-of-death.classic", [frag4(e[:720], i, 0, True),
                                          frag4(fill(1000), i, 65000 - 65000 % 8, False)],
          combine(held(), drop("reasm_too_big")), pending=1)
    c.add("frag4.offset-max-with-mf", frag4(fill(8), next(ids), 8191 * 8, True),
          drop("reasm_too_big"))
    c.add("frag4.non-multiple-of-8", frag4(fill(13), next(ids), 0, True), drop("reasm_bad_length"))
    c.add("frag4.empty", frag4(b"", next(ids), 8, True), drop("reasm_bad_length"))
    c.add("frag4.empty-last", frag4(b"", next(ids), 8, False), drop("reasm_bad_length"))
    i = next(ids)
    c.add("frag4.two-lasts-disagree", [frag4(e[16:24], i, 16, False),
                                       frag4(fill(8), i, 32, False)],
          combine(held(), drop("reasm_bad_length")))
    i = next(ids)
    c.add("frag4.past-the-last", [frag4(e[16:24], i, 16, False), frag4(fill(8), i, 24, True)],
          combine(held(), drop("reasm_bad_length")))
    c.add("frag4.df-and-mf", eth(ip4(e[:720], 1, ident=next(ids), ff=0x6000)), held(),
          pending=1)
    c.add("frag4.to-broadcast", eth(ip4(e[:720], 1, dst=SUBNET_BCAST4, ident=next(ids),
                                        ff=0x2000), dst=BCAST_MAC), drop("ip4_fragment"))
    c.add("frag4.bad-checksum", eth(ip4(e[:720], 1, ident=next(ids), ff=0x2000, check=7)),
          drop("ip4_bad_checksum"))
    c.add("frag4.bad-option", eth(ip4(e[:720], 1, ident=next(ids), ff=0x2000,
                                      opts=b"\x99\x00\0\0")), drop("ip4_bad_option", pp4(20)))


# --- IPv6 fragments ---------------------------------------------------------------------------

def frag6_frame(piece: bytes, ident: int, offset: int, more: bool, nh: int = 58,
                dst: str = DUT6, pad_to: int = 0) -> bytes:
    return eth(ip6(frag6(nh, offset, more, ident) + piece, 44, dst=dst), 0x86DD, pad_to=pad_to,
               dst="33:33:00:00:00:01" if dst.startswith("ff") else DUT_MAC)


def fragments6(c: Catalogue) -> None:
    c.group = "ip6-fragments"
    ids = iter(range(0x9000, 0xA000))
    e = echo6(c.ident(), 1, fill(1400))
    i = next(ids)
    c.add("frag6.complete.2", [frag6_frame(e[:720], i, 0, True), frag6_frame(e[720:], i, 720,
                                                                            False)],
          reassembled(2, ECHO6))
    i = next(ids)
    c.add("frag6.tiny.8-byte", [frag6_frame(echo6(c.ident(), 1, fill(24))[k:k + 8], i, k, k < 24)
                                for k in range(0, 32, 8)], reassembled(4, ECHO6))
    i = next(ids)
    c.add("frag6.lone-first", frag6_frame(e[:720], i, 0, True), held(), pending=1)
    i = next(ids)
    c.add("frag6.overlap", [frag6_frame(e[:16], i, 0, True), frag6_frame(e[8:24], i, 8, True)],
          combine(held(), drop("reasm_overlap")))
    i = next(ids)
    c.add("frag6.duplicate-then-last", [frag6_frame(e[:720], i, 0, True),
                                        frag6_frame(e[:720], i, 0, True),
                                        frag6_frame(e[720:], i, 720, False)],
          combine(held(), drop("reasm_overlap", n=2)), linux=[ECHO6],
          why="as frag4.duplicate-then-last (Linux ignores an exact duplicate)")
    c.add("frag6.bad-length", frag6_frame(e[:13], next(ids), 0, True, pad_to=1400),
          drop("reasm_bad_length", pp6(0, 4)))
    c.add("frag6.too-big", frag6_frame(fill(1240), next(ids), 65528 - 1232, False),
          drop("reasm_too_big", pp6(0, 42)))
    c.add("frag6.to-multicast", frag6_frame(e[:720], next(ids), 0, True, dst=ALL_NODES6),
          drop("ip6_fragment"), linux=LINUX_SAME)
    c.add("frag6.empty", frag6_frame(b"", next(ids), 8, True), drop("reasm_bad_length"))
    c.add("frag6.first-without-upper", frag6_frame(ext(58)[:8], next(ids), 0, True, nh=60,
                                                   pad_to=1400),
          held(), pending=1, linux=[pp6(3, 0)],
          why="Linux sends Parameter Problem code 3 (RFC 8200 4.5, RFC 7112) for a first "
              "fragment that does not hold the upper-layer header; the responder holds it for "
              "reassembly")
    i = next(ids)
    c.add("frag6.ping-of-death", [frag6_frame(e[:720], i, 0, True),
                                  frag6_frame(fill(1000), i, 65000 - 65000 % 8, False)],
          combine(held(), drop("reasm_too_big", pp6(0, 42))), pending=1)


# --- a flood of distinct incomplete datagrams (last: it fills the reassembly table) ------------

FLOOD_DATAGRAMS = 80


def flood(c: Catalogue) -> None:
    c.group = "flood"
    e = echo4(c.ident(), 1, fill(1400))
    frames = [frag4(e[:720], 0xC000 + k, 0, True) for k in range(FLOOD_DATAGRAMS)]
    # The outcome depends on how many slots the variants before left pending: the test fills
    # it in (held until the table is full, then reasm_table_full).
    c.add("frag4.flood.distinct-incomplete", frames, Outcome({"flood": FLOOD_DATAGRAMS}),
          linux=LINUX_SAME, why="")


def flood_outcome(free_slots: int, n: int = FLOOD_DATAGRAMS) -> Outcome:
    h = min(free_slots, n)
    return combine(held(h), drop("reasm_table_full", n=n - h)) if n > h else held(h)


# --------------------------------------------------------------------------------------------
# command line: list the catalogue, write it as a pcap


def write_pcap(path: str, frames: list[bytes]) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1_700_000_000 + k // 1000, (k % 1000) * 1000,
                                len(fr), len(fr)))
            f.write(fr)


def main() -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pcap", help="write every frame, in catalogue order, to this pcap")
    ap.add_argument("--linux-differences", action="store_true",
                    help="list only the variants where Linux answers otherwise, with why")
    args = ap.parse_args()
    vs = build()
    if args.linux_differences:
        for v in vs:
            for mode in ("host", "router"):
                want, out = v.linux_answers(mode), v.outcome(mode)
                if out is None or want is None or sorted(want) == sorted(out.answers):
                    continue
                print(f"{v.name} ({mode}): responder {' '.join(map(str, out.answers)) or '-'}; "
                      f"Linux {' '.join(map(str, want)) or '-'}\n    {v.why}")
        return 0
    for v in vs:
        def fmt(o):
            if o is None:
                return "-"
            parts = [f"{k}{'x' + str(n) if n != 1 else ''}" for k, n in o.counts.items()]
            if o.answers:
                parts.append("-> " + " ".join(str(a) for a in o.answers))
            return " ".join(parts)
        lx = v.linux if v.linux in (None, LINUX_SAME) else f"linux {v.linux}"
        print(f"{v.name:44} {len(v.frames):3}f {v.size:6}B  host: {fmt(v.host)}  router: "
              f"{fmt(v.router)}  {lx or 'linux not compared'}")
    print(f"{len(vs)} variants, {sum(len(v.frames) for v in vs)} frames")
    if args.pcap:
        write_pcap(args.pcap, [f for v in vs for f in v.frames])
    return 0


if __name__ == "__main__":
    sys.exit(main())
