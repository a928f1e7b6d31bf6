#!/usr/bin/python3
"""The ICMP a host owes its peers, from real Linux tools and scapy (veth, net_af_packet):

- `traceroute -U -n 198.18.0.2` and `traceroute -6 -U -n 2001:2::2` end at hop 1 with the
  responder's Port Unreachable: the destination answers all three probes and traceroute stops
  there. The host's veth must have TX checksum offload off (`ethtool -K <if> tx off`): with it
  on, the host's UDP leaves with a partial checksum, net_af_packet hands it over unfinished and
  the responder (rightly) drops it as udp_bad_checksum. The test shows that first and says so.
- ICMP timestamp (RFC 792 type 13, scapy): a type 14 reply with originate echoed and receive
  and transmit within 3 s of now, in ms since midnight UTC; with --no-timestamp, no reply.
- RFC 8335 PROBE (scapy; iputils ping has no PROBE): with --icmp-echo-enable-probe 1, a query
  for "port0" by name (IPv4 and IPv6), by index and by address gets code 0 with the A, 4 and 6
  bits; an unknown name gets code 2, a query without the L bit code 1; without the option, no
  reply at all.
- What the errors carry (scapy): a 1400-byte UDP datagram gets a 576-byte Port Unreachable
  quoting its first 548 bytes (RFC 1812 4.3.2.3), over IPv6 a 1280-byte one quoting 1232
  (RFC 4443 2.4(c)); Protocol Unreachable for IPv4 protocol 253; Parameter Problem code 1,
  pointer 6, for IPv6 next header 253; code 2, pointer 42, for an unrecognised Destination
  Option of action 10 or 11 (and silence for action 01) (RFC 8200 4.2); code 0, pointer 42,
  for a Routing header of unrecognised type with Segments Left 1 (RFC 8200 4.4, RFC 5095).
- The responder's counters after each run: every frame accounted for, and the errors, replies
  and drops of each case counted where they belong.
"""

import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, HOST_ADDR4, HOST_ADDR6, PREFIX4, PREFIX6  # noqa: E402

PORT_SPEC = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
REPLY_WAIT = 2.0  # seconds to wait for an answer that must come
SILENCE_WAIT = 1.0  # seconds during which an answer that must not come would have come

# --------------------------------------------------------------------------------------------
# traceroute


_HOP = re.compile(r"^\s*(\d+)\s+(.*)$")


def traceroute_hops(out: str) -> list[tuple[int, str]]:
    return [(int(m.group(1)), m.group(2)) for m in map(_HOP.match, out.splitlines()[1:]) if m]


def check_traceroute(rep, topo, v6: bool) -> None:
    dst = DUT_ADDR6 if v6 else DUT_ADDR4
    cmd = ["traceroute", *(["-6"] if v6 else []), "-U", "-n", dst]
    cp = topo.host(cmd, timeout=120)
    out = cp.stdout + cp.stderr
    hops = traceroute_hops(cp.stdout)
    last = hops[-1] if hops else (0, "")
    fields = last[1].split()
    rtts = re.findall(r"([\d.]+) ms", last[1])
    ok = (cp.returncode == 0 and len(hops) == 1 and last[0] == 1 and fields[:1] == [dst]
          and len(rtts) == 3 and "*" not in fields and not any(f.startswith("!") for f in fields))
    rep.check(f"`{' '.join(cmd)}` reaches {dst} at hop 1: the last (only) hop is the "
              f"responder, all 3 probes answered by its Port Unreachable (no '*', no '!' flag)",
              ok, f"$ ip netns exec {topo.host_ns} {' '.join(cmd)}   (exit {cp.returncode})\n"
              f"{netns.indent(out)}")


def offload_experiment(topo) -> str:
    """Sends one UDP probe per family with the veth's TX checksum offload still on; returns a
    note for the log. (About the kernel and net_af_packet, not the responder: no verdict.)"""
    notes = []
    for v6, dst in ((False, DUT_ADDR4), (True, DUT_ADDR6)):
        cmd = ["traceroute", *(["-6"] if v6 else []), "-U", "-n", "-q", "1", "-N", "1",
               "-w", "1", "-m", "1", dst]
        cp = topo.host(cmd, timeout=30)
        hops = traceroute_hops(cp.stdout)
        answered = bool(hops) and hops[-1][1].split()[:1] == [dst]
        notes.append(f"$ {' '.join(cmd)}  ->  {'answered' if answered else 'no answer'}\n"
                     f"{netns.indent(cp.stdout.strip())}")
    return "\n".join(notes)


# --------------------------------------------------------------------------------------------
# timestamp


def timestamp_request(topo, r, ident: int, seq: int, orig: int) -> bytes:
    S = pktutil.load_scapy()
    return bytes(S.Ether(src=topo.host_mac, dst=r.expected_mac)
                 / S.IP(src=HOST_ADDR4, dst=DUT_ADDR4)
                 / S.ICMP(type=13, code=0, id=ident, seq=seq, ts_ori=orig, ts_rx=0, ts_tx=0))


def check_timestamp(rep, topo, r, port, enabled: bool) -> None:
    ident, seq = 0x7531, 1
    orig = pktutil.ms_since_midnight_utc()
    t0 = time.monotonic()
    port.send(timestamp_request(topo, r, ident, seq, orig))
    sent_ms = pktutil.ms_since_midnight_utc()

    def is_reply(f):
        x = pktutil.Rx(0, f)
        return (x.family == 4 and x.icmp_type == 14 and len(x.icmp) >= 20
                and struct.unpack("!HH", x.icmp[4:8]) == (ident, seq))

    got = port.wait_for(is_reply, t0, REPLY_WAIT if enabled else SILENCE_WAIT)
    if not enabled:
        rep.check("with --no-timestamp, a timestamp request (type 13) gets no reply",
                  not got, "\n".join(pktutil.Rx(t, f).summary() for t, f in got) or
                  f"nothing within {SILENCE_WAIT} s")
        return
    if not rep.check(f"timestamp request (type 13, id {ident:#x} seq {seq}, originate {orig}) "
                     f"from {HOST_ADDR4} gets a type 14 reply", bool(got),
                     pktutil.Rx(*got[0]).summary() if got else
                     f"nothing within {REPLY_WAIT} s; frames seen: "
                     f"{[x.summary() for x in pktutil.received(port, t0)]}"):
        return
    x = pktutil.Rx(*got[0])
    ts_ori, ts_rx, ts_tx = struct.unpack("!III", x.icmp[8:20])
    d_rx = pktutil.ms_diff(ts_rx, sent_ms)
    d_tx = pktutil.ms_diff(ts_tx, sent_ms)
    ev = (f"{x.summary()}\n  code {x.icmp_code}, checksums ok: {x.csum_ok}, originate {ts_ori} "
          f"(sent {orig}), receive {ts_rx}, transmit {ts_tx}; now was {sent_ms} ms since "
          f"midnight UTC: receive {d_rx:+d} ms, transmit {d_tx:+d} ms")
    rep.check("timestamp reply: code 0, from 198.18.0.2 to 198.18.0.1, IP and ICMP checksums "
              "right, 20-byte message", x.icmp_code == 0 and x.src == DUT_ADDR4
              and x.dst == HOST_ADDR4 and x.csum_ok and len(x.icmp) == 20, ev)
    rep.check("timestamp reply: originate echoed; receive and transmit within 3 s of now (ms "
              "since midnight UTC), transmit >= receive",
              ts_ori == orig and abs(d_rx) <= 3000 and abs(d_tx) <= 3000
              and pktutil.ms_diff(ts_tx, ts_rx) >= 0, ev)


# --------------------------------------------------------------------------------------------
# RFC 8335 PROBE


def probe_object(ctype: int, body: bytes) -> bytes:
    """RFC 8335 2.1 Interface Identification Object (class 3) in an RFC 4884 extension."""
    obj = struct.pack("!HBB", 4 + len(body), 3, ctype) + body
    ext = bytearray(b"\x20\x00\x00\x00" + obj)  # version 2
    ext[2:4] = pktutil.inet_sum(bytes(ext)).to_bytes(2, "big")
    return bytes(ext)


def by_name(name: str) -> bytes:
    raw = name.encode()
    return probe_object(1, raw + b"\0" * (-len(raw) % 4 or 0))


def by_index(index: int) -> bytes:
    return probe_object(2, struct.pack("!I", index))


def by_addr4(addr: str) -> bytes:
    import socket
    return probe_object(3, struct.pack("!HBB", 1, 4, 0) + socket.inet_aton(addr))


def probe_request(topo, r, v6: bool, ident: int, seq: int, ext: bytes, local: bool = True) -> bytes:
    S = pktutil.load_scapy()
    icmp = bytearray(struct.pack("!BBHHBB", 160 if v6 else 42, 0, 0, ident, seq,
                                 1 if local else 0) + ext)
    if v6:
        ip = S.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6, nh=58, hlim=64)
        icmp[2:4] = S.in6_chksum(58, ip, bytes(icmp)).to_bytes(2, "big")
    else:
        ip = S.IP(src=HOST_ADDR4, dst=DUT_ADDR4, proto=1)
        icmp[2:4] = pktutil.inet_sum(bytes(icmp)).to_bytes(2, "big")
    return bytes(S.Ether(src=topo.host_mac, dst=r.expected_mac) / ip / S.Raw(bytes(icmp)))


PROBE_CASES = [
    # (what, v6, ext, L bit, expected code, expected A|4|6 bits or None)
    ("IPv4 PROBE for 'port0' by name", False, by_name("port0"), True, 0, 0x07),
    ("IPv6 PROBE for 'port0' by name", True, by_name("port0"), True, 0, 0x07),
    ("IPv4 PROBE for interface index 1 (port 0)", False, by_index(1), True, 0, 0x07),
    (f"IPv4 PROBE for address {DUT_ADDR4}", False, by_addr4(DUT_ADDR4), True, 0, 0x07),
    ("IPv4 PROBE for 'port7' (no such interface)", False, by_name("port7"), True, 2, None),
    ("IPv4 PROBE for 'port0' without the L bit (proxy query)", False, by_name("port0"), False,
     1, None),
]


def check_probes(rep, topo, r, port, enabled: bool) -> int:
    """Sends PROBE_CASES (all when enabled; the first two when not); returns how many sent."""
    cases = PROBE_CASES if enabled else PROBE_CASES[:2]
    for n, (what, v6, ext, local, code, bits) in enumerate(cases):
        ident, seq = 0x4200 + n, 7
        t0 = time.monotonic()
        port.send(probe_request(topo, r, v6, ident, seq, ext, local))
        rtype = 161 if v6 else 43

        def is_reply(f, rtype=rtype, ident=ident):
            x = pktutil.Rx(0, f)
            return (x.icmp_type == rtype and len(x.icmp) >= 8
                    and int.from_bytes(x.icmp[4:6], "big") == ident)

        got = port.wait_for(is_reply, t0, REPLY_WAIT if enabled else SILENCE_WAIT)
        if not enabled:
            rep.check(f"without --icmp-echo-enable-probe: {what} gets no reply", not got,
                      "\n".join(pktutil.Rx(t, f).summary() for t, f in got)
                      or f"nothing within {SILENCE_WAIT} s")
            continue
        if not rep.check(f"{what}: an extended echo reply (type {rtype})", bool(got),
                         pktutil.Rx(*got[0]).summary() if got else
                         f"nothing within {REPLY_WAIT} s; frames seen: "
                         f"{[x.summary() for x in pktutil.received(port, t0)]}"):
            continue
        x = pktutil.Rx(*got[0])
        status = x.icmp[7]
        ok = (x.icmp_code == code and x.icmp[6] == seq and x.csum_ok
              and x.src == (DUT_ADDR6 if v6 else DUT_ADDR4))
        if bits is not None:
            ok = ok and (status & 0x07) == bits and (status >> 5) == 0
        rep.check(f"{what}: code {code}"
                  + (", State 0 and the A, 4, 6 bits set" if bits is not None else "")
                  + ", sequence echoed, checksum right", ok,
                  f"{x.summary()}\n  code {x.icmp_code}, seq {x.icmp[6]}, status byte "
                  f"{status:#04x} (A={status >> 2 & 1} 4={status >> 1 & 1} 6={status & 1}), "
                  f"checksum ok: {x.csum_ok}")
    return len(cases)


# --------------------------------------------------------------------------------------------
# what the errors carry, and Parameter Problem (RFC 8200 4.2, 4.4)


def check_error_contents(rep, topo, r, port) -> int:
    """Sends one packet per case, each owed one error (or, for option action 01, nothing);
    checks type, code, pointer, size and quote. Returns the number of errors expected."""
    S = pktutil.load_scapy()
    eth = S.Ether(src=topo.host_mac, dst=r.expected_mac)
    big = S.Raw(bytes(range(256)) * 5 + bytes(120))  # 1400 bytes

    def dstopt(otype, ident):
        return (S.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6, fl=0x1000 + ident)
                / S.IPv6ExtHdrDestOpt(options=[S.HBHOptUnknown(otype=otype, optdata=b"pw")])
                / S.ICMPv6EchoRequest(id=0x5000 + ident, seq=1))

    cases = [
        # (what, l3 packet, (type, code) or None, pointer or None, error length or None)
        ("IPv4 UDP with 1400 bytes to a closed port: Port Unreachable of 576 bytes (RFC 1812 "
         "4.3.2.3), quoting the first 548 bytes",
         S.IP(src=HOST_ADDR4, dst=DUT_ADDR4, id=0x1001) / S.UDP(sport=43001, dport=33434) / big,
         (3, 3), None, 576),
        ("IPv6 UDP with 1400 bytes to a closed port: Port Unreachable of 1280 bytes (RFC 4443 "
         "2.4(c)), quoting the first 1232 bytes",
         S.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6, fl=0x1001) / S.UDP(sport=43001, dport=33434) / big,
         (1, 4), None, 1280),
        ("IPv4 protocol 253: Protocol Unreachable (3/2)",
         S.IP(src=HOST_ADDR4, dst=DUT_ADDR4, id=0x1002, proto=253) / S.Raw(b"pingwire" * 4),
         (3, 2), None, None),
        ("IPv6 next header 253: Parameter Problem code 1, pointer 6 (the Next Header field)",
         S.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6, fl=0x1002, nh=253) / S.Raw(b"pingwire" * 4),
         (4, 1), 6, None),
        ("IPv6 echo request with an unrecognised Destination Option of action 10 (type 0x80): "
         "Parameter Problem code 2, pointer 42 (the option type), no echo reply (RFC 8200 4.2)",
         dstopt(0x80, 1), (4, 2), 42, None),
        ("IPv6 echo request with an unrecognised Destination Option of action 11 (type 0xc0) "
         "to a unicast address: Parameter Problem code 2, pointer 42, no echo reply",
         dstopt(0xC0, 2), (4, 2), 42, None),
        ("IPv6 echo request with an unrecognised Destination Option of action 01 (type 0x40): "
         "discarded silently, no echo reply, no error", dstopt(0x40, 3), None, None, None),
        ("IPv6 echo request with a Routing header of unrecognised type 0 and Segments Left 1: "
         "Parameter Problem code 0, pointer 42 (the Routing Type; RFC 8200 4.4, RFC 5095)",
         S.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6, fl=0x1004)
         / S.IPv6ExtHdrRouting(type=0, addresses=["2001:2::9"], segleft=1)
         / S.ICMPv6EchoRequest(id=0x5004, seq=1), (4, 0), 42, None),
    ]
    owed = 0
    for what, l3, want, pointer, length in cases:
        raw = bytes(l3)
        v6 = isinstance(l3, S.IPv6)
        t0 = time.monotonic()
        port.send(bytes(eth / l3))
        n = min(len(raw), 48 if v6 else 28)
        pktutil.wait_quiet(port, t0, settle=0.3, limit=REPLY_WAIT)
        rx = [x for x in pktutil.received(port, t0, 6 if v6 else 4)]
        errs = [x for x in rx if len(x.quote) >= n and x.quote[:n] == raw[:n]]
        echo = [x for x in rx if x.icmp_type == 129]
        seen = "\n".join(x.summary() for x in rx) or f"nothing within {REPLY_WAIT} s"
        if want is None:
            rep.check(what, not errs and not echo, seen)
            continue
        owed += 1
        ok = len(errs) == 1 and not echo
        detail = seen
        if errs:
            x = errs[0]
            ip_len = len(x.icmp) + (40 if v6 else 20)
            got_ptr = int.from_bytes(x.icmp[4:8], "big")
            quote_ok = x.quote == raw[:len(x.quote)]
            ok = (ok and (x.icmp_type, x.icmp_code) == want and x.csum_ok and quote_ok
                  and x.src == (DUT_ADDR6 if v6 else DUT_ADDR4)
                  and (pointer is None or got_ptr == pointer)
                  and (length is None or ip_len == length))
            detail = (f"{seen}\n  type {x.icmp_type} code {x.icmp_code}"
                      + (f", pointer {got_ptr}" if v6 and x.icmp_type == 4 else "")
                      + f", IP{'v6' if v6 else ''} packet {ip_len} bytes, quote "
                      f"{len(x.quote)} bytes of {len(raw)}, same bytes: {quote_ok}, "
                      f"checksums ok: {x.csum_ok}")
        rep.check(what, ok, detail)
    return owed


# --------------------------------------------------------------------------------------------


def body(args, rep):
    pktutil.load_scapy()
    with netns.Topology(verbose=True) as topo:
        # Run 1: defaults (timestamps answered, PROBE off).
        with netns.Responder(topo, args.responder, mac=args.mac) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            note = offload_experiment(topo)
            cmd = topo.host_tx_checksum(False)
            netns.log("NOTE: with the host veth's TX checksum offload on (the default), one UDP "
                      "probe per family first:\n" + netns.indent(note, "      ") +
                      f"\n      then: $ {cmd}")
            check_traceroute(rep, topo, v6=False)
            check_traceroute(rep, topo, v6=True)
            with netns.L2Port(topo.host_ns, topo.host_if) as port:
                check_timestamp(rep, topo, r, port, enabled=True)
                check_probes(rep, topo, r, port, enabled=False)
            res = r.stop()
            pc = netns.check_counters(rep, res, 0)
            if pc:
                bad = pc.drop("udp_bad_checksum")
                netns.log(f"NOTE: the responder counted udp_bad_checksum {bad} (the probes sent "
                          f"before `ethtool -K ... tx off`): "
                          + ("TX checksum offload off IS needed for UDP over veth + "
                             "net_af_packet" if bad else
                             "no bad checksums seen: tx off was not needed here"))
                ev = (f"replies {pc.replies}; drops {pc.drops}; errors {pc.errors}; "
                      f"IcmpMsg {pc.mib.get('IcmpMsg')}; Icmp6Msg {pc.mib.get('Icmp6Msg')}")
                rep.check("counters: Port Unreachables sent for the traceroutes (IcmpMsg "
                          "OutType3 >= 3, Icmp6Msg OutType1 >= 3, error sent == their sum)",
                          pc.msg("IcmpMsg", "OutType3") >= 3 and pc.msg("Icmp6Msg", "OutType1") >= 3
                          and pc.error("sent") == pc.msg("IcmpMsg", "OutType3")
                          + pc.msg("Icmp6Msg", "OutType1"), ev)
                rep.check("counters: timestamp_reply 1, IcmpMsg InType13 1 OutType14 1",
                          pc.replies.get("timestamp_reply") == 1
                          and pc.msg("IcmpMsg", "InType13") == 1
                          and pc.msg("IcmpMsg", "OutType14") == 1, ev)
                rep.check("counters: the PROBEs are dropped as icmp4_probe_disabled 1 and "
                          "icmp6_probe_disabled 1, none answered",
                          pc.drop("icmp4_probe_disabled") == 1
                          and pc.drop("icmp6_probe_disabled") == 1
                          and pc.replies.get("probe4_reply", 0) == 0
                          and pc.replies.get("probe6_reply", 0) == 0, ev)

        # Run 2: PROBE on, timestamps off.
        app = ["--port", PORT_SPEC.replace("0,", f"0,mac={args.mac},", 1) if args.mac
               else PORT_SPEC, "--icmp-echo-enable-probe", "1", "--no-timestamp"]
        with netns.Responder(topo, args.responder, mac=args.mac, app_args=app) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            with netns.L2Port(topo.host_ns, topo.host_if) as port:
                n = check_probes(rep, topo, r, port, enabled=True)
                check_timestamp(rep, topo, r, port, enabled=False)
                owed = check_error_contents(rep, topo, r, port)
            res = r.stop()
            pc = netns.check_counters(rep, res, 0)
            if pc:
                ev = f"replies {pc.replies}; drops {pc.drops}"
                v6 = sum(1 for c in PROBE_CASES if c[1])
                rep.check(f"counters: probe4_reply {n - v6}, probe6_reply {v6}; the timestamp "
                          f"request dropped as icmp4_timestamp_disabled 1",
                          pc.replies.get("probe4_reply") == n - v6
                          and pc.replies.get("probe6_reply") == v6
                          and pc.drop("icmp4_timestamp_disabled") == 1
                          and pc.replies.get("timestamp_reply") == 0, ev)
                rep.check(f"counters: error sent {owed}, one per error owed above",
                          pc.error("sent") == owed, f"errors {pc.errors}")


if __name__ == "__main__":
    netns.test_main("integration/host-errors", body, extra_tools=("traceroute", "ethtool"))
