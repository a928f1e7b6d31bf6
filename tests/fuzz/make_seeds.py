#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from the golden vectors, at build time.

usage: make_seeds.py OUTDIR STAMP tests/golden/vectors.hh tests/golden/gen_vectors.hh

Every named frame of the golden headers (the scapy-made vectors of the unit tests) becomes a
seed of each target that reads that layer: the whole Ethernet frame for the handlers and
lib/gen's and lib/conform's parsers, the ARP / IPv4 / IPv6 packet, the ICMP message, the UDP or
TCP segment and the ND options for the wire parsers, behind the selector bytes each target
reads first (the layout is in each target's opening comment; SEEDS below must agree with it).
The option parsers start from the README's command lines. OUTDIR/TARGET/NAME is written for
each seed, then STAMP. Standard library only (the Python on PATH has no Debian packages).
"""

import pathlib
import re
import shutil
import struct
import sys

ARRAY = re.compile(
    r"inline constexpr std::array<std::uint8_t, (\d+)> (\w+) = \{([^}]*)\};", re.S)


def vectors(header):
    for m in ARRAY.finditer(pathlib.Path(header).read_text()):
        data = bytes(int(x, 16) for x in re.findall(r"0x[0-9a-fA-F]{2}", m.group(3)))
        assert len(data) == int(m.group(1)), m.group(2)
        yield m.group(2), data


def layers(frame):
    """The layers of an Ethernet frame: {'eth', 'arp', 'ip4', 'ip6', 'icmp', 'udp', 'tcp',
    'nd', 'src6', 'dst6', 'src4', 'dst4'}, as far as the frame holds them."""
    out = {}
    if len(frame) < 14:
        return out
    etype = struct.unpack_from("!H", frame, 12)[0]
    l3 = 14
    if etype == 0x8100 and len(frame) >= 18:
        etype = struct.unpack_from("!H", frame, 16)[0]
        l3 = 18
    if etype not in (0x0800, 0x0806, 0x86DD):
        return out
    out["eth"] = frame
    p = frame[l3:]
    if etype == 0x0806:
        out["arp"] = p
        return out
    if etype == 0x0800 and len(p) >= 20:
        out["ip4"] = p
        ihl = (p[0] & 15) * 4
        tlen = struct.unpack_from("!H", p, 2)[0]
        l4, proto = p[ihl:max(ihl, tlen)], p[9]
        out["src4"], out["dst4"] = p[12:16], p[16:20]
    elif etype == 0x86DD and len(p) >= 40:
        out["ip6"] = p
        out["src6"], out["dst6"] = p[8:24], p[24:40]
        proto, at = p[6], 40
        while proto in (0, 43, 60) and at + 8 <= len(p):  # no fragments: data follows those
            proto, at = p[at], at + (p[at + 1] + 1) * 8
        l4 = p[at:40 + struct.unpack_from("!H", p, 4)[0]]
    else:
        return out
    if proto in (1, 58):
        out["icmp"] = l4
        # RFC 4861: the options after RS (8), RA (16), NS / NA (24), Redirect (40).
        start = {133: 8, 134: 16, 135: 24, 136: 24, 137: 40}.get(l4[0] if l4 else -1)
        if proto == 58 and start is not None and len(l4) > start:
            out["nd"] = l4[start:]
    elif proto == 17:
        out["udp"] = l4
    elif proto == 6:
        out["tcp"] = l4
    return out


def zeros(n):
    return bytes(n)


# target: [(layer, function of the layers giving the prefix)]; one seed per entry a frame has.
SEEDS = {
    "eth_fuzz": [("eth", lambda l: b"")],
    "arp_fuzz": [("arp", lambda l: b"")],
    "ipv4_fuzz": [("ip4", lambda l: b"")],
    "ipv6_fuzz": [("ip6", lambda l: b"")],
    # The IPv6 pseudo-header's addresses first (zeros for IPv4).
    "icmp_fuzz": [("icmp", lambda l: l.get("src6", zeros(16)) + l.get("dst6", zeros(16)))],
    "ndp_fuzz": [("nd", lambda l: b"")],
    "udp_fuzz": [("udp", lambda l: b"")],
    # The IPv4 pseudo-header's addresses first (zeros for IPv6).
    "tcp_fuzz": [("tcp", lambda l: l.get("src4", zeros(4)) + l.get("dst4", zeros(4)))],
    # Mode byte (bit 0 repair, bit 1 router), policy byte: host and router mode.
    "host_input_fuzz": [("eth", lambda l: b"\x01\x00"), ("eth", lambda l: b"\x03\x04")],
    # Mode (repair, Ethernet destination set to ours, router, Redirects), route selector.
    "fast_path_fuzz": [("eth", lambda l: b"\x09\x00"), ("eth", lambda l: b"\x0f\x04")],
    # Record mode: one record; split mode: cut at 308 bytes (68 + 4 * 60; IPv6: 1400), in
    # order, with a port MTU of 1500 and of 1280 (a large answer is then fragmented too).
    "reassembly_fuzz": [
        ("eth", lambda l: b"\x01\x00\x00" + struct.pack("!H", len(l["eth"]))),
        ("eth", lambda l: b"\x09\x00\x3c\x00"),
        ("eth", lambda l: b"\x0d\x00\x3c\x00"),
    ],
    "reply_fuzz": [("eth", lambda l: b"")],
    "seen_fuzz": [("eth", lambda l: b"")],
    "insight_fuzz": [("eth", lambda l: b"")],
}

# The address and spec parsers: the selector byte, then the text.
SPEC_TEXTS = [
    "\x0002:00:00:00:00:01", "\x01198.18.0.1", "\x022001:2::1", "\x03198.18.0.0/15",
    "\x032001:2:0:1::/64", "\x040,mac=02:00:00:00:00:02,mtu=1400,addr=198.18.0.2/24,addr=2001:2::2/64",
    "\x05198.19.0.0/16,via=198.18.2.2,port=1", "\x05default6,blackhole", "\x05default,via=2001:2::fe",
    "\x062001:2:0:9::/64", "\x07198.18.2.2,mac=02:00:00:00:00:22,port=1",
]

# The option parsers: command lines after "--", from the README and docs/.
COMMAND_LINES = {
    "responder_options_fuzz": [
        "--port 0,addr=198.18.0.2/24,addr=2001:2::2/64 --stats-interval 5",
        "--forward --port 0,addr=198.18.1.1/24,addr=2001:2:0:1::1/64 "
        "--port 1,addr=198.18.2.1/24,addr=2001:2:0:2::1/64,mtu=1400 --icmp-errors-extension 1",
        "--forward --port 0,addr=198.18.1.1/24 --port 1,addr=198.18.2.1/24 "
        "--route 198.19.0.0/16,via=198.18.2.2 --route default6,blackhole --deny 198.19.9.0/24 "
        "--neigh 198.18.2.2,mac=02:00:00:00:00:22,port=1 --send-redirects 1",
        "--port 0,mac=02:00:00:00:00:02,addr=198.18.0.2/24 --udp-open 53,5000-5010 "
        "--icmp-ratemask 0x1819 --icmp6-ratemask 0-1,3-127,129 --icmp-ratelimit-deterministic "
        "--icmp-error-source fixed --icmp-error-source-addr 198.18.0.9 --ipfrag-time 5",
        "--help",
    ],
    "flood_options_fuzz": [
        "--port 0,addr=198.18.0.1/24,addr=2001:2::1/64 --dst 198.18.0.2 --rate 20000 --count 200000",
        "--port 0,addr=198.18.0.1/24 --dst 198.18.0.16/28 --probe tcp-syn:8080 --probe udp:9999",
        "--port 0,addr=198.18.0.1/24 --gw 198.18.0.254 --dst 198.18.1.2 --pmtu",
        "--port 0,addr=2001:2::1/64 --dst 2001:2::2 --size 64-1400 --pattern a5a5 --rate max",
        "--help",
    ],
    "conform_options_fuzz": [
        "--port 0,addr=198.18.0.1/24,addr=2001:2::1/64 --port 1,addr=198.18.1.1/24,"
        "addr=2001:2:0:1::1/64 --rut-in 198.18.0.254 --rut-in 2001:2::fe --rut-out 198.18.1.254 "
        "--rut-out 2001:2:0:1::fe --ratelimit --json report.json --pcap exchanges.pcapng "
        "--plot ratelimit.png",
        "--port 0,addr=198.18.0.1/24 --port 1,addr=198.18.1.1/24 --rut-in 198.18.0.254 "
        "--rut-out 198.18.1.254 --only v4.* --mtu-out 1400",
        "--help",
    ],
}


def main():
    out, stamp, headers = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
    shutil.rmtree(out, ignore_errors=True)
    for target in list(SEEDS) + list(COMMAND_LINES) + ["spec_fuzz"]:
        (out / target).mkdir(parents=True)
    for header in headers:
        for name, frame in vectors(header):
            ls = layers(frame)
            for target, entries in SEEDS.items():
                for i, (layer, prefix) in enumerate(entries):
                    if layer in ls:
                        (out / target / f"{name}.{i}").write_bytes(prefix(ls) + ls[layer])
    for target, lines in COMMAND_LINES.items():
        for i, line in enumerate(lines):
            (out / target / f"readme.{i}").write_bytes(line.replace(" ", "\0").encode())
    for i, text in enumerate(SPEC_TEXTS):
        (out / "spec_fuzz" / f"text.{i}").write_bytes(text.encode())
    stamp.write_text("")


if __name__ == "__main__":
    main()
