#!/usr/bin/python3
"""A raw-socket echo peer for pingwire-flood's tests (stdlib only): it answers every ICMP /
ICMPv6 echo request to its addresses itself, from an AF_PACKET socket on one interface, while
the kernel of its namespace is told not to (net.ipv4.icmp_echo_ignore_all=1,
net.ipv6.icmp.echo_ignore_all=1: the caller sets them) and keeps answering ARP and Neighbor
Solicitations. On the way it misbehaves, on purpose and on the record:

  --hold P      with probability P a valid reply is held back and sent only after the next
                --past K valid replies (to the same target) went out: reordered. One reply is
                held at a time; a held reply waits at most --hold-max-ms (then it goes out
                anyway, flagged "flushed").
  --corrupt P   with probability P a reply gets one payload byte flipped (data offset
                --corrupt-offset, in pingwire-flood's pattern after its 32-byte stamp) and its
                ICMP checksum recomputed, so that only the stamp's own check can catch it.

What it did goes to --log as JSON lines ({"event": "held"|"released"|"flushed"|"corrupted",
"family", "dst", "ident", "seq", "probe", ...}) and, on SIGTERM / SIGINT, one last
{"event": "summary", ...} line with its counts:

  requests     echo requests to its addresses seen
  replies      replies sent (valid + corrupted)
  valid        replies sent intact
  corrupted    replies sent with a byte flipped
  held         replies held back
  reordered    replies that went out after a later probe's valid reply to the same target
               had gone out: pingwire-flood's definition of reordered (a first answer whose
               probe number is below one already answered for that target), computed over
               the order this peer sent them, from the probe numbers in the stamps
  rx_dropped   frames the socket dropped (PACKET_STATISTICS)

It prints "flood_peer: ready" once the socket is bound.

usage: flood_peer.py --iface IF --addr A [--addr B ...] --log FILE [--hold P] [--past K]
                     [--corrupt P] [--seed N]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6
STAMP_LEN = 32


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Peer:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.addrs4 = {ipaddress.IPv4Address(a).packed for a in args.addr if ":" not in a}
        self.addrs6 = {ipaddress.IPv6Address(a).packed for a in args.addr if ":" in a}
        with open(f"/sys/class/net/{args.iface}/address") as f:
            self.mac = bytes.fromhex(f.read().strip().replace(":", ""))
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 << 20)
        self.sock.bind((args.iface, 0))
        self.log = open(args.log, "w", buffering=1)
        self.held = None  # (frame, info, key, probe, valid replies still to pass, since)
        self.top: dict[tuple, int] = {}  # (family, dst) -> highest probe answered + 1
        self.n = dict(requests=0, replies=0, valid=0, corrupted=0, held=0, released=0,
                      flushed=0, reordered=0, not_stamped=0, rx_dropped=0)
        self.stop = False

    def event(self, **kw) -> None:
        kw["t"] = round(time.monotonic(), 6)
        self.log.write(json.dumps(kw) + "\n")

    # -- building replies
    def reply(self, frame: bytes):
        """The echo reply to frame (bytes) and what it is, or None when it is not an echo
        request to one of our addresses."""
        if len(frame) < 14 or frame[0:6] != self.mac:
            return None
        et = frame[12:14]
        if et == b"\x08\x00" and len(frame) >= 14 + 20 + 8:
            ip = frame[14:]
            ihl = (ip[0] & 0x0F) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            if ip[0] >> 4 != 4 or ip[9] != 1 or ip[16:20] not in self.addrs4:
                return None
            if struct.unpack("!H", ip[6:8])[0] & 0x3FFF:  # a fragment: not ours to answer
                return None
            icmp = bytearray(ip[ihl:total])
            if len(icmp) < 8 or icmp[0] != 8 or icmp[1] != 0:
                return None
            icmp[0] = 0
            icmp[2:4] = b"\0\0"
            hdr = bytearray(ip[:20])  # options (if any) are not echoed
            hdr[0] = 0x45
            hdr[2:4] = struct.pack("!H", 20 + len(icmp))
            hdr[8] = 64
            hdr[10:12] = b"\0\0"
            hdr[12:16], hdr[16:20] = ip[16:20], ip[12:16]
            hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
            fam, dst, l3 = 4, ipaddress.IPv4Address(bytes(ip[16:20])), hdr
        elif et == b"\x86\xdd" and len(frame) >= 14 + 40 + 8:
            ip = frame[14:]
            plen = struct.unpack("!H", ip[4:6])[0]
            if ip[6] != 58 or ip[24:40] not in self.addrs6:
                return None
            icmp = bytearray(ip[40:40 + plen])
            if len(icmp) < 8 or icmp[0] != 128 or icmp[1] != 0:
                return None
            icmp[0] = 129
            icmp[2:4] = b"\0\0"
            hdr = bytearray(ip[:40])
            hdr[7] = 64
            hdr[8:24], hdr[24:40] = ip[24:40], ip[8:24]
            fam, dst, l3 = 6, ipaddress.IPv6Address(bytes(ip[24:40])), hdr
        else:
            return None
        info = dict(family=fam, dst=str(dst), ident=struct.unpack("!H", icmp[4:6])[0],
                    seq=struct.unpack("!H", icmp[6:8])[0], len=len(icmp) - 8)
        data = icmp[8:]
        if len(data) >= STAMP_LEN:
            info["target"] = struct.unpack("!I", data[4:8])[0]
            info["probe"] = struct.unpack("!I", data[8:12])[0]
        eth = frame[6:12] + self.mac + et
        return eth, l3, icmp, info

    @staticmethod
    def finish(eth: bytes, l3: bytearray, icmp: bytearray) -> bytes:
        icmp[2:4] = b"\0\0"
        if eth[12:14] == b"\x08\x00":
            icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
        else:
            pseudo = bytes(l3[8:24]) + bytes(l3[24:40]) + struct.pack("!IxxxB", len(icmp), 58)
            icmp[2:4] = struct.pack("!H", csum(pseudo + bytes(icmp)))
        return bytes(eth) + bytes(l3) + bytes(icmp)

    # -- sending, with pingwire-flood's definition of reordered kept over what we send
    def send_valid(self, frame: bytes, info: dict, how: str = "") -> None:
        self.sock.send(frame)
        self.n["replies"] += 1
        self.n["valid"] += 1
        if "probe" not in info:
            self.n["not_stamped"] += 1
            return
        key = (info["family"], info["dst"], info.get("target"))
        top = self.top.get(key, 0)
        p = info["probe"]
        if p < top:
            self.n["reordered"] += 1
            self.event(event="reordered", how=how, **info, answered_above=top - 1)
        else:
            self.top[key] = p + 1
        if self.held is not None and how != "held" and self.held[2] == key:
            self.held[4] -= 1
            if self.held[4] <= 0:
                self.release("released")

    def release(self, how: str) -> None:
        frame, info, _key, _p, _left, since = self.held
        self.held = None
        self.n[how] += 1
        self.event(event=how, **info, held_ms=round((time.monotonic() - since) * 1e3, 3))
        self.send_valid(frame, info, how="held")

    def handle(self, frame: bytes) -> None:
        r = self.reply(frame)
        if r is None:
            return
        eth, l3, icmp, info = r
        self.n["requests"] += 1
        a = self.args
        stamped = "probe" in info
        if stamped and self.held is None and a.hold > 0 and self.rng.random() < a.hold:
            key = (info["family"], info["dst"], info.get("target"))
            self.held = [self.finish(eth, l3, icmp), info, key, info["probe"], a.past,
                         time.monotonic()]
            self.n["held"] += 1
            self.event(event="held", **info)
            return
        if a.corrupt > 0 and len(icmp) - 8 > a.corrupt_offset and self.rng.random() < a.corrupt:
            off = 8 + a.corrupt_offset
            was = icmp[off]
            icmp[off] ^= 0xFF
            self.sock.send(self.finish(eth, l3, icmp))
            self.n["replies"] += 1
            self.n["corrupted"] += 1
            self.event(event="corrupted", **info, offset=a.corrupt_offset, was=was,
                       now=icmp[off])
            return
        self.send_valid(self.finish(eth, l3, icmp), info)

    def run(self) -> None:
        print(f"flood_peer: ready on {self.args.iface} ({self.mac.hex(':')}) answering "
              f"{', '.join(self.args.addr)}", flush=True)
        sock = self.sock
        max_wait = self.args.hold_max_ms / 1e3
        while not self.stop:
            timeout = 0.05
            if self.held is not None:
                left = self.held[5] + max_wait - time.monotonic()
                if left <= 0:
                    self.release("flushed")
                    continue
                timeout = min(timeout, left)
            try:
                r, _, _ = select.select([sock], [], [], timeout)
            except InterruptedError:
                continue
            if not r:
                continue
            # Drain what is there.
            for _ in range(256):
                try:
                    data, addr = sock.recvfrom(65535, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                self.handle(data)
        if self.held is not None:
            self.release("flushed")

    def summary(self) -> dict:
        try:
            st = self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
            _packets, drops = struct.unpack("II", st)
            self.n["rx_dropped"] += drops
        except OSError:
            pass
        return dict(self.n)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--addr", action="append", required=True,
                    help="an address of ours whose echo requests we answer (repeatable)")
    ap.add_argument("--log", required=True)
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("--past", type=int, default=2)
    ap.add_argument("--hold-max-ms", type=float, default=200.0)
    ap.add_argument("--corrupt", type=float, default=0.0)
    ap.add_argument("--corrupt-offset", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.corrupt > 0 and args.corrupt_offset < STAMP_LEN:
        print("flood_peer: --corrupt-offset below 32 would hit the stamp", file=sys.stderr)
        return 2
    peer = Peer(args)

    def on_signal(_sig, _frame):
        peer.stop = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    peer.run()
    s = peer.summary()
    peer.event(event="summary", **s)
    peer.log.close()
    print("flood_peer: " + json.dumps(s), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
