#!/usr/bin/python3
"""Crafted-packet helpers for the integration tests that speak to pingwire-responder with
scapy (Debian's /usr/bin/python3, package python3-scapy).

Frames are built with scapy and sent, and replies captured, through netns.L2Port: a raw
AF_PACKET socket opened in the host namespace, on the host's end of the link. Nothing here
sends anywhere by itself; every address comes from the test (198.18.0.0/15, 2001:2::/48, or
the martian sources a suppression test crafts inside its own namespaces).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

S = None  # the scapy.all module, once load_scapy() ran


def load_scapy():
    """Imports scapy (quietly); exits 77 (skip) with the reason when it is missing."""
    global S
    if S is not None:
        return S
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    try:
        import scapy.all as scapy_all  # noqa: PLC0415
    except ImportError as e:
        netns.log(f"SKIP: scapy is not importable by {sys.executable} ({e}); run with "
                  f"/usr/bin/python3 after scripts/install-deps (python3-scapy)")
        sys.exit(netns.SKIP)
    S = scapy_all
    return S


def inet_sum_ok(data: bytes) -> bool:
    """RFC 1071: the one's complement sum over data (checksum included) is 0xffff."""
    if len(data) % 2:
        data += b"\0"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def inet_sum(data: bytes) -> int:
    """RFC 1071 checksum value to put in a header whose checksum field is zero in data."""
    if len(data) % 2:
        data += b"\0"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Rx:
    """One received frame, parsed: family, addresses, ICMP type/code, the ICMP bytes (exactly
    as long as the IP length says), whether its checksums are right, and the quoted packet."""

    def __init__(self, t: float, frame: bytes):
        s = load_scapy()
        self.t = t
        self.frame = frame
        self.pkt = s.Ether(frame)
        self.family = None
        self.src = self.dst = None
        self.icmp_type = self.icmp_code = None
        self.icmp = b""
        self.csum_ok = False
        self.hlim = None
        self.tos = None
        if s.IP in self.pkt:
            ip = self.pkt[s.IP]
            self.family = 4
            self.src, self.dst, self.hlim, self.tos = ip.src, ip.dst, ip.ttl, ip.tos
            raw = bytes(ip)
            ihl = ip.ihl * 4
            if ip.proto == 1 and ip.frag == 0 and not ip.flags.MF:
                self.icmp = raw[ihl:ip.len]
                self.csum_ok = inet_sum_ok(raw[:ihl]) and inet_sum_ok(self.icmp)
        elif s.IPv6 in self.pkt:
            ip = self.pkt[s.IPv6]
            self.family = 6
            self.src, self.dst, self.hlim = ip.src, ip.dst, ip.hlim
            if ip.nh == 58:
                raw = bytes(ip)
                self.icmp = raw[40:40 + ip.plen]
                pseudo = (socket.inet_pton(socket.AF_INET6, ip.src)
                          + socket.inet_pton(socket.AF_INET6, ip.dst)
                          + len(self.icmp).to_bytes(4, "big") + b"\0\0\0\x3a")
                self.csum_ok = inet_sum_ok(pseudo + self.icmp)
        if len(self.icmp) >= 4:
            self.icmp_type, self.icmp_code = self.icmp[0], self.icmp[1]

    @property
    def quote(self) -> bytes:
        """The invoking packet an ICMP error quotes (after the 8-byte ICMP header)."""
        return self.icmp[8:]

    def quoted(self):
        """The quoted packet parsed by scapy (IP or IPv6), or None."""
        s = load_scapy()
        q = self.quote
        if not q:
            return None
        return s.IP(q) if self.family == 4 else s.IPv6(q)

    def summary(self) -> str:
        what = (f"ICMPv{'6' if self.family == 6 else '4'} type {self.icmp_type} code "
                f"{self.icmp_code}" if self.icmp_type is not None else self.pkt.summary())
        return (f"{self.pkt.src} -> {self.pkt.dst} {self.src} -> {self.dst} {what}, "
                f"{len(self.frame)} bytes")


def received(port: netns.L2Port, since: float, family: int | None = None) -> list[Rx]:
    """The frames that arrived since `since`, parsed; only ICMP/ICMPv6 of `family` if given."""
    out = []
    for t, f in port.received(since):
        r = Rx(t, f)
        if family is not None and (r.family != family or r.icmp_type is None):
            continue
        out.append(r)
    return out


def udp_sport_of_quote(r: Rx) -> int | None:
    """The UDP source port of the datagram an error quotes (to match errors to probes)."""
    q = r.quote
    if r.family == 4 and len(q) >= 20:
        ihl = (q[0] & 0x0F) * 4
        if q[9] == 17 and len(q) >= ihl + 2:
            return int.from_bytes(q[ihl:ihl + 2], "big")
    if r.family == 6 and len(q) >= 42:
        nh, off = q[6], 40
        while nh in (0, 43, 60, 44) and len(q) >= off + 8:
            if nh == 44:
                if int.from_bytes(q[off + 2:off + 4], "big") & 0xFFF8:
                    return None
                nh, off = q[off], off + 8
            else:
                nh, off = q[off], off + (q[off + 1] + 1) * 8
        if nh == 17 and len(q) >= off + 2:
            return int.from_bytes(q[off:off + 2], "big")
    return None


def wait_quiet(port: netns.L2Port, since: float, settle: float = 0.3, limit: float = 3.0) -> None:
    """Waits until no frame has arrived for `settle` seconds (or `limit` passed)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        frames = port.received(since)
        last = frames[-1][0] if frames else since
        if time.monotonic() - last >= settle:
            return
        time.sleep(0.05)


def ms_since_midnight_utc(t: float | None = None) -> int:
    t = time.time() if t is None else t
    return int(t * 1000) % 86_400_000


def ms_diff(a: int, b: int) -> int:
    """a - b in ms since midnight, across midnight."""
    d = (a - b) % 86_400_000
    return d - 86_400_000 if d > 43_200_000 else d
