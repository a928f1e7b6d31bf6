#!/usr/bin/python3
"""Soak (issue 10, item 5): pingwire-responder in router mode takes N mixed packets at full
rate; every counter must come out exact, no mbuf may be left in use, and its resident memory
must stay flat (VmRSS after the warm-up and at the end within 1 %).

    one network namespace, the responder's lcores on CPU 1, the flood's on CPU 0:

    pingwire-flood  --memif-->  port 0  pingwire-responder --forward  port 2  --> net_null
    (echo v4/v6 to the router,          198.18.0.1  2001:2::1           198.18.2.1 (TX only;
     and through it to port 2)          port 1 (net_pcap infinite_rx)   the next hops permanent)
                                        198.18.1.1  2001:2:0:1::1
                                        <- a pcap of MIX, replayed forever, TX dropped

MIX (below): echo v4/v6, ARP, NS, timestamp, the error triggers (UDP and TCP to closed ports,
TTL / hop limit 1, no route), forwarding both families, and malformed frames (checksums,
truncations, bad IHL / version / length, runts, foreign MACs and EtherTypes, ND with the wrong
hop limit, martian sources, echo to broadcast, an unknown IPv6 next header), each with the
outcome it owes. Rate limits are off, so every trigger gets its error and the figures are
exact: net_pcap replays its frames in order, so after R frames frame i came R // L times, once
more if i < R % L, and every reply kind, drop reason, error type and forwarded count of port 1
is known to the packet. pingwire-flood's round trip is exact too (its echo replies == the
responder's, its probes through the router == the router's forwarded, sent on port 2). It
sends a tenth of N and then only listens (--wait), so that it stays connected to the end: the
responder's VmRSS counts the memif regions it maps from its peer (4 MB), gone with the peer.

N: --packets, else $PINGWIRE_SOAK_PACKETS, else 3,000,000 (the CI run, well under two minutes).
The full soak (README):

    sudo PINGWIRE_SOAK_PACKETS=100000000 /usr/bin/python3 tests/integration/test_soak.py \\
        --responder build/apps/responder/pingwire-responder --flood build/apps/flood/pingwire-flood

--json FILE writes the figures (packets, seconds, rate, RSS start/end, mbufs).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402
from netns import log  # noqa: E402

R_MAC = "02:00:00:00:11:01"   # the router's port 1 (net_pcap), set with mac=
H_MAC = "02:00:00:00:11:02"   # the host the pcap speaks for
NH_MAC = "02:00:00:00:22:10"  # the next hop on port 2 (net_null), a permanent neighbour
R1_4, H1_4, R1_6, H1_6 = "198.18.1.1", "198.18.1.2", "2001:2:0:1::1", "2001:2:0:1::2"
NH4, NH6 = "198.18.2.10", "2001:2:0:2::10"
FLOOD_RATE = 400_000  # probes per second from pingwire-flood, the rest of the time is the pcap's


def mix(S):
    """(name, frame, owed) for each frame of the pcap. owed: what port 1's counters say about
    it: {'reply': kind} | {'drop': reason} | {'forward': True}, plus 'error': (table, type) for
    the ICMP error it gets."""
    E = S.Ether(src=H_MAC, dst=R_MAC)
    icmp = S.ICMP(type=8, id=0x50a1, seq=1) / (b"s" * 56)
    e6 = S.ICMPv6EchoRequest(id=0x50a1, seq=1, data=b"s" * 56)
    out = []

    def add(name, frame, **owed):
        out.append((name, bytes(frame), owed))

    add("echo4", E / S.IP(src=H1_4, dst=R1_4) / icmp, reply="echo4_reply")
    add("echo6", E / S.IPv6(src=H1_6, dst=R1_6) / e6, reply="echo6_reply")
    add("arp", S.Ether(src=H_MAC, dst="ff:ff:ff:ff:ff:ff") /
        S.ARP(op=1, hwsrc=H_MAC, psrc=H1_4, pdst=R1_4), reply="arp_reply")
    sn = S.in6_getnsma(S.inet_pton(S.socket.AF_INET6, R1_6))
    add("ns", S.Ether(src=H_MAC, dst=S.in6_getnsmac(sn)) /
        S.IPv6(src=H1_6, dst=S.inet_ntop(S.socket.AF_INET6, sn), hlim=255) /
        S.ICMPv6ND_NS(tgt=R1_6) / S.ICMPv6NDOptSrcLLAddr(lladdr=H_MAC), reply="nd_advert")
    add("timestamp", E / S.IP(src=H1_4, dst=R1_4) / S.ICMP(type=13, id=7, seq=1),
        reply="timestamp_reply")
    add("udp4_closed", E / S.IP(src=H1_4, dst=R1_4) / S.UDP(sport=40000, dport=9) / b"soak",
        drop="udp_port_closed", error=("IcmpMsg", "OutType3"))
    add("udp6_closed", E / S.IPv6(src=H1_6, dst=R1_6) / S.UDP(sport=40000, dport=9) / b"soak",
        drop="udp_port_closed", error=("Icmp6Msg", "OutType1"))
    add("tcp4", E / S.IP(src=H1_4, dst=R1_4) / S.TCP(sport=40000, dport=80, flags="S"),
        reply="tcp4_reset")  # RFC 9293 3.10.7.1: a closed port answers with a reset
    for i in range(4):  # forwarding: the largest share of a router's day
        add(f"fwd4_{i}", E / S.IP(src=H1_4, dst=NH4) / icmp, forward=True)
        add(f"fwd6_{i}", E / S.IPv6(src=H1_6, dst=NH6) / e6, forward=True)
    add("ttl1", E / S.IP(src=H1_4, dst=NH4, ttl=1) / icmp, drop="ttl_expired",
        error=("IcmpMsg", "OutType11"))
    add("hlim1", E / S.IPv6(src=H1_6, dst=NH6, hlim=1) / e6, drop="ttl_expired",
        error=("Icmp6Msg", "OutType3"))
    add("noroute4", E / S.IP(src=H1_4, dst="198.18.200.1") / icmp, drop="no_route",
        error=("IcmpMsg", "OutType3"))
    add("noroute6", E / S.IPv6(src=H1_6, dst="2001:2:0:99::1") / e6, drop="no_route",
        error=("Icmp6Msg", "OutType1"))
    # malformed
    bad = bytearray(bytes(E / S.IP(src=H1_4, dst=R1_4) / icmp))
    bad[24] ^= 0xFF  # the IPv4 header checksum
    add("ip4_bad_checksum", bad, drop="ip4_bad_checksum")
    add("ip4_truncated", bytes(E / S.IP(src=H1_4, dst=R1_4) / icmp)[:14 + 12],
        drop="ip4_truncated")
    f = bytearray(bytes(E / S.IP(src=H1_4, dst=R1_4) / icmp))
    f[14] = 0x44  # IHL 4
    add("ip4_ihl4", f, drop="ip4_bad_ihl")
    f = bytearray(bytes(E / S.IP(src=H1_4, dst=R1_4) / icmp))
    f[14] = 0x55  # version 5
    add("ip4_version5", f, drop="ip4_bad_version")
    f = bytearray(bytes(E / S.IP(src=H1_4, dst=R1_4) / icmp))
    f[14 + 20 + 2] ^= 0xFF  # the ICMP checksum
    add("icmp4_bad_checksum", f, drop="icmp4_bad_checksum")
    add("ip4_total_length", E / S.IP(src=H1_4, dst=R1_4, len=1400) / icmp,
        drop="ip4_bad_total_length")
    add("not_our_mac", S.Ether(src=H_MAC, dst="02:00:00:00:99:99") / S.IP(src=H1_4, dst=R1_4)
        / icmp, drop="not_our_mac")
    add("unknown_ethertype", S.Ether(src=H_MAC, dst=R_MAC, type=0x88B5) / (b"x" * 46),
        drop="unknown_ethertype")
    add("runt", bytes(E)[:10], drop="eth_truncated")
    f = bytearray(bytes(E / S.IPv6(src=H1_6, dst=R1_6) / e6))
    f[14 + 40 + 2] ^= 0xFF
    add("icmp6_bad_checksum", f, drop="icmp6_bad_checksum")
    add("ns_hop_limit_64", E / S.IPv6(src=H1_6, dst=R1_6, hlim=64) / S.ICMPv6ND_NS(tgt=R1_6)
        / S.ICMPv6NDOptSrcLLAddr(lladdr=H_MAC), drop="ndp_bad_hop_limit")
    add("ip4_martian_source", E / S.IP(src="127.0.0.1", dst=R1_4) / icmp,
        drop="ip4_martian_source")
    add("echo_to_broadcast", S.Ether(src=H_MAC, dst="ff:ff:ff:ff:ff:ff") /
        S.IP(src=H1_4, dst="198.18.1.255") / icmp, drop="icmp4_echo_to_broadcast")
    add("udp_bad_checksum", E / S.IP(src=H1_4, dst=R1_4) / S.UDP(sport=40000, dport=9,
                                                                chksum=0x1234) / b"soak",
        drop="udp_bad_checksum")
    add("ip6_next_header_253", E / S.IPv6(src=H1_6, dst=R1_6, nh=253) / (b"x" * 8),
        drop="ip6_unhandled_next_header", error=("Icmp6Msg", "OutType4"))
    return out


def write_pcap(path: str, frames: list[bytes]) -> None:
    """A classic pcap (Ethernet), every frame as it is (the runt included)."""
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)))
            f.write(fr)


def vm_rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class SoakResponder(netns.Responder):
    def eal_args(self) -> list[str]:
        vdevs = [x for v in self.topo.vdevs() for x in ("--vdev", v)]
        return ["--lcores", "0@1,1@1", "--no-huge", "-m", "512", "--no-pci",
                "--file-prefix", self.prefix, *vdevs, *self.eal_extra]


RE_RX = re.compile(r"^port (\d+): rx (\d+) ", re.M)


def last_rx(text: str) -> dict[int, int]:
    """The rx of each port in the last counter block printed."""
    last: dict[int, int] = {}
    for m in RE_RX.finditer(text):
        last[int(m.group(1))] = int(m.group(2))
    return last


def body(args, rep) -> None:
    import pktutil
    S = pktutil.load_scapy()
    frames = mix(S)
    tmp = tempfile.mkdtemp(prefix="pwsoak-")
    pcap = os.path.join(tmp, "mix.pcap")
    n = args.packets
    log(f"soak: {n} packets; pcap of {len(frames)} frames: "
        + ", ".join(name for name, _, _ in frames))
    app = ["--forward",
           "--port", "0,addr=198.18.0.1/24,addr=2001:2::1/64",
           "--port", f"1,mac={R_MAC},addr={R1_4}/24,addr={R1_6}/64",
           "--port", "2,addr=198.18.2.1/24,addr=2001:2:0:2::1/64",
           "--neigh", f"{NH4},mac={NH_MAC}", "--neigh", f"{NH6},mac={NH_MAC}",
           "--neigh", f"{H1_4},mac={H_MAC}", "--neigh", f"{H1_6},mac={H_MAC}",
           "--icmp-ratelimit", "0", "--icmp6-ratelimit", "0", "--icmp-msgs-per-sec", "0",
           "--stats-interval", "1"]
    figures: dict = {"packets_asked": n, "frames_in_pcap": len(frames)}
    try:
        write_pcap(pcap, [f for _, f, _ in frames])
        with fu.MemifNet(extra_vdevs=(f"net_pcap1,rx_pcap={pcap},infinite_rx=1",
                                      "net_null2,no-rx=1")) as net, SoakResponder(net, args.responder, app_args=app) as r:
            r.start(timeout=60)
            t_ready = time.monotonic()  # the workers run from here (a little before)
            log(r.stdout())
            per_target = max(1000, n // 10 // 4)  # a tenth of the soak from the flood
            fl = fu.Flood(args.flood, net.dut_ns,
                          net.client_vdevs(),
                          fu.port_spec(addrs=("198.18.0.2/24", "2001:2::2/64"))
                          + ["--gw", "198.18.0.1", "--gw", "2001:2::1",
                             "--dst", "198.18.0.1", "--dst", "2001:2::1", "--dst", NH4,
                             "--dst", NH6, "--count", str(per_target), "--rate",
                             str(FLOOD_RATE), "--quiet", "--timeout", "5000",
                             # Connected to the end: the responder's RSS counts the memif
                             # regions it maps from its peer (4 MB), gone when the peer goes.
                             "--wait", "3600"],
                          lcores=["--lcores", "0@0,1@0"], tag=net.tag)
            log(f"$ {fl.command_line}")
            t0 = time.monotonic()
            fl.start()
            pid = r.proc.pid
            rss0 = rss_f0 = rss_f1 = None
            warm = max(n // 10, 1)
            last_log = t0
            series = []
            while True:
                time.sleep(0.2)
                rx = last_rx(r.stdout())
                got = sum(rx.values())
                # All of pingwire-flood's probes in (then it only listens, --wait)?
                flood_sent = rx.get(0, 0) >= 4 * per_target
                series.append((round(time.monotonic() - t0, 1), got, vm_rss_kb(pid)))
                if rss0 is None and got >= warm and rx.get(0, 0) > 0:  # the flood connected
                    rss0 = vm_rss_kb(pid)
                    if fl.proc.poll() is None:
                        rss_f0 = vm_rss_kb(fl.proc.pid)
                    log(f"warm-up done at {got} packets: responder VmRSS {rss0} kB")
                if time.monotonic() - last_log > 10:
                    log(f"  {got} packets, {time.monotonic() - t0:.0f} s")
                    last_log = time.monotonic()
                if got >= n and flood_sent:
                    break
                if fl.proc.poll() is not None:
                    raise netns.HarnessError("pingwire-flood exited during the soak:\n"
                                             + fl.command_line)
                if r.proc.poll() is not None:
                    raise netns.HarnessError("the responder exited during the soak:\n"
                                             + r.stdout()[-2000:] + r.stderr()[-2000:])
                if time.monotonic() - t0 > args.max_seconds:
                    break
            rss1 = vm_rss_kb(pid)
            rss_f1 = vm_rss_kb(fl.proc.pid)  # ip netns exec has exec'ed pingwire-flood
            log(f"RSS series (s, packets, kB): {series[::max(1, len(series) // 40)]}")
            time.sleep(1.5)  # the last answers in (the flood's --timeout is 5 s; they take us)
            os.killpg(fl.proc.pid, signal.SIGINT)  # ends its --wait: the summary, exit 0
            res_f = fl.wait(60)
            t_term = time.monotonic()
            res = r.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # -- the figures
    pcs = res.ports
    packets = sum(pc.rx for pc in pcs.values())
    seconds = t_term - t_ready  # every packet counted came between these two, give or take
    figures.update(packets=packets, seconds=round(seconds, 2),
                   mpps=round(packets / seconds / 1e6, 3),
                   rss_kb_after_warmup=rss0, rss_kb_end=rss1,
                   rss_change_pct=round(100.0 * (rss1 - rss0) / rss0, 3) if rss0 and rss1
                   else None,
                   flood_rss_kb_after_warmup=rss_f0, flood_rss_kb_end=rss_f1,
                   flood_transmitted=(res_f.json or {}).get("transmitted"),
                   flood_received=(res_f.json or {}).get("received"),
                   mempool=res.mempool.line if res.mempool else None,
                   flood_mempool=res_f.mempool.line if res_f.mempool else None)
    log("soak figures: " + json.dumps(figures))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)

    rep.check(f"{packets} packets received (at least {n}) in {seconds:.1f} s, "
              f"{packets / seconds / 1e6:.2f} Mpps", packets >= n, res.stdout[-2000:])
    rep.check(f"resident memory flat: VmRSS {rss0} kB after the warm-up ({warm} packets), "
              f"{rss1} kB at the end ({figures['rss_change_pct']} %, within 1 %)",
              rss0 is not None and rss1 is not None and abs(rss1 - rss0) <= 0.01 * rss0, "")
    rep.check(f"pingwire-flood's too: {rss_f0} kB, {rss_f1} kB",
              rss_f0 is not None and rss_f1 is not None and abs(rss_f1 - rss_f0) <= 0.01 * rss_f0,
              "")
    for pc in pcs.values():
        if "ipackets" in pc.device and pc.device.get("ipackets") == 0 and pc.rx:
            pc.device = {}  # net_memif zeroes them when the client goes
    pcs, rt = netns.check_router_counters(rep, res, (0, 1, 2), extra_fragments=0)
    if len(pcs) != 3:
        return

    # -- port 1: the pcap, exact to the packet
    p1 = pcs[1]
    L = len(frames)
    full, part = divmod(p1.rx, L)
    want_reply: dict[str, int] = {}
    want_drop: dict[str, int] = {}
    want_err: dict[tuple[str, str], int] = {}
    want_fwd = 0
    for i, (name, _, owed) in enumerate(frames):
        k = full + (1 if i < part else 0)
        if "reply" in owed:
            want_reply[owed["reply"]] = want_reply.get(owed["reply"], 0) + k
        if "drop" in owed:
            want_drop[owed["drop"]] = want_drop.get(owed["drop"], 0) + k
        if "forward" in owed:
            want_fwd += k
        if "error" in owed:
            want_err[owed["error"]] = want_err.get(owed["error"], 0) + k
    log(f"port 1: {p1.rx} frames = {full} rounds of {L} + {part}")
    got_reply = {k: p1.replies.get(k, 0) for k in want_reply}
    rep.check(f"port 1 (the pcap, {p1.rx} frames): every reply counted as owed, to the "
              f"packet: {want_reply}", got_reply == want_reply and
              sum(p1.replies.values()) == sum(want_reply.values()),
              f"got {p1.replies}")
    rep.check(f"port 1: every drop under the reason owed, to the packet "
              f"({sum(want_drop.values())} in {len(want_drop)} reasons)",
              p1.drops == {k: v for k, v in want_drop.items() if v},
              f"owed {want_drop}\ngot {p1.drops}")
    got_err = {k: p1.msg(*k) for k in want_err}
    rep.check(f"port 1: every error owed was sent ({sum(want_err.values())}), by type: "
              f"{ {f'{t}/{m}': v for (t, m), v in want_err.items()} }",
              got_err == want_err and p1.error("sent") == sum(want_err.values()),
              f"got {got_err}, error lines {p1.errors}")
    rep.check(f"port 1: forwarded {p1.forwarded} == {want_fwd} owed", p1.forwarded == want_fwd,
              "")

    # -- port 0: the flood's round trip
    j = res_f.json or {}
    hosts = {ipaddress.ip_address(h["address"]): h for h in j.get("hosts", [])}
    ip = ipaddress.ip_address
    own = [hosts.get(ip("198.18.0.1"), {}), hosts.get(ip("2001:2::1"), {})]
    away = [hosts.get(ip(NH4), {}), hosts.get(ip(NH6), {})]
    p0 = pcs[0]
    rep.check(f"pingwire-flood: exit 0, {j.get('transmitted')} probes sent, the router's own "
              f"addresses answered every one ({[h.get('received') for h in own]} of "
              f"{[h.get('transmitted') for h in own]})",
              res_f.rc == 0 and all(h.get("received") == h.get("transmitted") == per_target
                                    for h in own), res_f.evidence)
    echo = p0.replies.get("echo4_reply", 0) + p0.replies.get("echo6_reply", 0)
    rep.check(f"port 0: the responder's echo replies ({echo}) == what pingwire-flood received "
              f"({j.get('received')})", echo == j.get("received"),
              f"replies {p0.replies}; JSON {res_f.json_brief()}")
    sent_away = sum(h.get("transmitted", 0) for h in away)
    rep.check(f"port 0: forwarded {p0.forwarded} == the probes pingwire-flood sent through the "
              f"router ({sent_away}), none answered (net_null)",
              p0.forwarded == sent_away and all(h.get("received") == 0 for h in away), "")
    p2 = pcs[2]
    rep.check(f"port 2: fwd_sent {p2.fwd_sent} == forwarded from port 0 and port 1 "
              f"({p0.forwarded} + {p1.forwarded}), tx == fwd_sent",
              p2.fwd_sent == p0.forwarded + p1.forwarded and p2.tx == p2.fwd_sent, "")
    netns.check_mempool(rep, "pingwire-flood", res_f.stdout, res_f.note)


def main() -> None:
    ap = argparse.ArgumentParser(description="integration/soak")
    ap.add_argument("--responder", default=netns.default_responder())
    ap.add_argument("--flood", default=fu.default_flood())
    ap.add_argument("--packets", type=int,
                    default=int(os.environ.get("PINGWIRE_SOAK_PACKETS", "3000000")))
    ap.add_argument("--max-seconds", type=float, default=3600,
                    help="stop after this long even if fewer packets came")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    netns.require_root_and_tools()
    netns.install_signal_handlers()
    for exe in (args.responder, args.flood):
        if not os.access(exe, os.X_OK):
            log(f"SKIP: {exe} is not built")
            sys.exit(netns.SKIP)
    rep = netns.Report("integration/soak")
    try:
        body(args, rep)
    except netns.StartError as e:
        rep.check("responder starts and prints its ready line", False, str(e))
    except netns.HarnessError as e:
        rep.check("test environment set up", False, str(e))
    except KeyboardInterrupt as e:
        rep.check("test ran to the end", False, f"interrupted ({e})")
    sys.exit(rep.finish())


if __name__ == "__main__":
    main()
