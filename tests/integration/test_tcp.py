#!/usr/bin/python3
"""TCP to a closed port and the Ip / Ip6 / Tcp counters (issue 11 item 10), judged by real
Linux peers.

Host mode (netns.Topology: host 198.18.0.1 / 2001:2::1 -- veth -- pingwire-responder
198.18.0.2 / 2001:2::2 on net_af_packet):
- `nc -z -v -w 2 DUT 5555` (netcat-openbsd), IPv4 and IPv6: exit 1, "Connection refused"
  (the kernel saw a RST to its SYN, RFC 9293 3.10.7.3), within the 2 s it waits;
- raw frames (scapy, an AF_PACKET socket on the host's veth): a SYN gets RST/ACK <SEQ=0>
  <ACK=SEG.SEQ+1> from port 5555 with TTL 64, DF and identification 0 (hop limit 64 over
  IPv6); a segment with ACK and 10 bytes gets RST <SEQ=SEG.ACK>; a RST, a SYN with a bad
  checksum and a SYN to the broadcast address get nothing (RFC 9293 3.10.7.1, RFC 1122
  4.2.2.7, 4.2.3.10);
- `nmap -sS -Pn -p 5555` reports the port "closed" (when nmap is installed; scripts/install-deps
  installs it);
- `ping -6 -s 2000`: the fragments counted (Ip6ReasmReqds / OKs, Ip6FragOKs / Creates) equal the
  host kernel's own Ip6FragCreates / OKs and Ip6ReasmReqds / OKs deltas by its nstat;
- the exit summary: the replies tcp4_reset / tcp6_reset and the drops tcp_reset_received,
  tcp_bad_checksum, tcp_to_group exactly as provoked; Tcp: TcpInSegs, TcpOutRsts, TcpInErrs,
  TcpInCsumErrors exact; Ip: IpInReceives / IpInDelivers / IpOutRequests equal to what the host's
  kernel sent and received over the same time by its own `nstat` (IpOutRequests, IpInReceives)
  plus the raw frames; each datagram received (and each one reassembled) lands in exactly one
  of InHdrErrors, InTruncatedPkts, InAddrErrors, InUnknownProtos, InDiscards, InDelivers,
  ReasmReqds; /pingwire/ip, /pingwire/ip6, /pingwire/tcp by the stock dpdk-telemetry.py.

Router mode (netns.RouterTopology, A -- router -- B): N pings A -> B each way of a family, a
ping with TTL 1 and one to an address with no route, `nc -z` to the router's own address
(refused: the router answers for its addresses too) and to a closed port of B (refused by B's
kernel, through the router): port 0's IpForwDatagrams equals B's IpInReceives delta by B's
nstat, port 1's equals the replies A received from B; IpInHdrErrors 1 (TTL), IpExtInNoRoutes 1;
Ip6OutForwDatagrams likewise against B's Icmp6 echo counters. With port 1's MTU 1300, 1428-byte
pings with DF clear: port 1's IpFragOKs / IpFragCreates equal B's IpReasmOKs / IpReasmReqds.
"""

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import (B_ADDR4, B_ADDR6, DUT_ADDR4, DUT_ADDR6,  # noqa: E402
                   HOST_ADDR4, HOST_ADDR6, R0_ADDR4, R0_ADDR6, indent)

CLOSED = 5555
PINGS = 20


# --- frames --------------------------------------------------------------------------------

def mac_bytes(s: str) -> bytes:
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_frame(dst_mac: str, src_mac: str, v6: bool, flags: int, seq: int, ack: int = 0,
              data: bytes = b"", sport: int = 40123, bad_sum: bool = False,
              dst: str | None = None) -> bytes:
    src = HOST_ADDR6 if v6 else HOST_ADDR4
    dst = dst or (DUT_ADDR6 if v6 else DUT_ADDR4)
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    t = struct.pack("!HHIIBBHHH", sport, CLOSED, seq, ack, 0x50, flags, 4096, 0, 0) + data
    pseudo = s + d + (struct.pack("!IxxxB", len(t), 6) if v6 else struct.pack("!xBH", 6, len(t)))
    c = csum(pseudo + t) ^ (0x5555 if bad_sum else 0)
    t = t[:16] + struct.pack("!H", c) + t[18:]
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(t), 6, 64) + s + d
        et = 0x86DD
    else:
        h = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(t), 0x4242, 0, 64, 6, 0) + s + d
        ip = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        et = 0x0800
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", et) + ip + t


def parse_tcp(frame: bytes):
    """(v6, ttl/hlim, df, ident, sport, dport, seq, ack, flags, window) of a TCP frame, else
    None."""
    et = struct.unpack_from("!H", frame, 12)[0]
    p = frame[14:]
    if et == 0x0800 and len(p) >= 40 and p[9] == 6:
        hl = (p[0] & 15) * 4
        ident, ff = struct.unpack_from("!HH", p, 4)
        t = p[hl:]
        v6, ttl, df = False, p[8], bool(ff & 0x4000)
    elif et == 0x86DD and len(p) >= 60 and p[6] == 6:
        t, v6, ttl, df, ident = p[40:], True, p[7], False, 0
    else:
        return None
    sport, dport, seq, ack, _, flags, win = struct.unpack_from("!HHIIBBH", t)
    return dict(v6=v6, ttl=ttl, df=df, ident=ident, sport=sport, dport=dport, seq=seq, ack=ack,
                flags=flags, window=win)


# --- Linux's own counters --------------------------------------------------------------------

def nstat(run, ns: str) -> dict[str, int]:
    """The namespace's absolute counters by nstat (-a: no history file, -z: zeros too)."""
    cp = run(ns, ["nstat", "-a", "-z", "--json"])
    import json
    data = json.loads(cp.stdout)
    out: dict[str, int] = {}
    for table in data.values():
        out.update({k: int(v) for k, v in table.items()})
    return out


def delta(before: dict, after: dict, key: str) -> int:
    return after.get(key, 0) - before.get(key, 0)


# --- the exit summary's Ip / Ip6 / Tcp lines -------------------------------------------------

_MIB_LINE = re.compile(r"^\s+(Ip|Ip6|Tcp):\s*(.*)$")


def mib_lines(pc) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {"Ip": {}, "Ip6": {}, "Tcp": {}}
    for line in pc.lines:
        m = _MIB_LINE.match(line)
        if m:
            out[m.group(1)].update({k: int(v) for k, v in
                                    re.findall(r"([A-Za-z0-9]+)\s+(\d+)", m.group(2))})
    return out


FATES4 = ("IpInHdrErrors", "IpExtInTruncatedPkts", "IpInAddrErrors", "IpInUnknownProtos",
          "IpInDiscards", "IpInDelivers", "IpReasmReqds")
FATES6 = ("Ip6InHdrErrors", "Ip6InTruncatedPkts", "Ip6InAddrErrors", "Ip6InUnknownProtos",
          "Ip6InDiscards", "Ip6InDelivers", "Ip6ReasmReqds")


def shown(cmd: str, cp) -> str:
    return f"$ {cmd}   (exit {cp.returncode})\n{indent(cp.stdout + cp.stderr)}"


# --- telemetry -------------------------------------------------------------------------------

TELEMETRY = "/usr/bin/dpdk-telemetry.py"
# The keys nstat shows for the counters the responder keeps (every one always present).
KEYS = {
    "/pingwire/ip": ["IpInReceives", "IpInHdrErrors", "IpInAddrErrors", "IpForwDatagrams",
                     "IpInUnknownProtos", "IpInDiscards", "IpInDelivers", "IpOutRequests",
                     "IpOutNoRoutes", "IpReasmTimeout", "IpReasmReqds", "IpReasmOKs",
                     "IpReasmFails", "IpFragOKs", "IpFragFails", "IpFragCreates",
                     "IpExtInNoRoutes", "IpExtInTruncatedPkts", "IpExtInMcastPkts",
                     "IpExtInBcastPkts", "IpExtInCsumErrors"],
    "/pingwire/ip6": ["Ip6InReceives", "Ip6InHdrErrors", "Ip6InTooBigErrors", "Ip6InNoRoutes",
                      "Ip6InAddrErrors", "Ip6InUnknownProtos", "Ip6InTruncatedPkts",
                      "Ip6InDiscards", "Ip6InDelivers", "Ip6OutForwDatagrams", "Ip6OutRequests",
                      "Ip6OutNoRoutes", "Ip6ReasmTimeout", "Ip6ReasmReqds", "Ip6ReasmOKs",
                      "Ip6ReasmFails", "Ip6FragOKs", "Ip6FragFails", "Ip6FragCreates",
                      "Ip6InMcastPkts"],
    "/pingwire/tcp": ["TcpInSegs", "TcpOutSegs", "TcpOutRsts", "TcpInErrs", "TcpInCsumErrors"],
}


def telemetry(prefix: str, cmds: list[str]) -> dict[str, dict]:
    """DPDK's stock client, commands on its stdin: {command: reply}."""
    import json
    cp = subprocess.run([TELEMETRY, "-f", prefix], input="\n".join(cmds) + "\n",
                        capture_output=True, text=True, timeout=20)
    out = {}
    for line in cp.stdout.splitlines():
        if line.strip().startswith("{"):
            out.update(json.loads(line))
    return out


def check_telemetry(rep, tel: dict, mib: dict) -> None:
    """Read just before the stop: every key present; Ip and Tcp equal to the exit summary
    (nothing IPv4 or TCP came after), Ip6 no more than it (a kernel's MLD could)."""
    for cmd, keys in KEYS.items():
        got = tel.get(cmd)
        table = {"/pingwire/ip": "Ip", "/pingwire/ip6": "Ip6", "/pingwire/tcp": "Tcp"}[cmd]
        final = mib[table]
        ok = isinstance(got, dict) and sorted(got) == sorted(keys)
        if ok and table != "Ip6":
            ok = all(got[k] == final.get(k, 0) for k in keys)
        elif ok:
            ok = all(got[k] <= final.get(k, 0) for k in keys) and got["Ip6InReceives"] > 0
        rep.check(f"telemetry {cmd} (stock dpdk-telemetry.py): every key nstat shows, always "
                  f"present; the values the exit summary's {table}: line states", ok,
                  f"telemetry {got}\nsummary {final}")


# --- host mode -------------------------------------------------------------------------------

def check_nc(rep, run, ns: str, addr: str, label: str) -> None:
    cmd = ["nc", "-z", "-v", "-w", "2", addr, str(CLOSED)]
    t0 = time.monotonic()
    cp = run(ns, cmd, timeout=20)
    secs = time.monotonic() - t0
    rep.check(f"`nc -z -v -w 2 {addr} {CLOSED}` ({label}): exit 1, 'Connection refused', "
              f"in {secs:.2f} s (< 2: a RST, not a timeout)",
              cp.returncode == 1 and "Connection refused" in cp.stderr and secs < 2,
              shown(" ".join(cmd), cp))


def check_raw(rep, topo, dut_mac: str, host_mac: str) -> dict[str, int]:
    """The scapy-free raw checks; returns how many frames of each kind were sent."""
    sent = {"v4": 0, "v6": 0, "rst_sent": 0, "bad_sum": 0, "bcast": 0, "resets4": 0,
            "resets6": 0}
    with netns.L2Port(topo.host_ns, topo.host_if) as port:
        time.sleep(0.2)

        def exchange(frame: bytes, want_reply: bool, what: str, check):
            t = port.send(frame)
            got = port.wait_for(lambda f: (p := parse_tcp(f)) is not None
                                and p["dport"] == 40123, t, 1.0 if want_reply else 0.7)
            if not want_reply:
                rep.check(f"{what}: no answer within 0.7 s", not got,
                          f"got {[parse_tcp(f) for _, f in got]}")
                return
            p = parse_tcp(got[0][1]) if got else None
            rep.check(what, p is not None and check(p), f"got {p}")

        for v6 in (False, True):
            fam = "v6" if v6 else "v4"
            hop = "hop limit" if v6 else "TTL"
            exchange(tcp_frame(dut_mac, host_mac, v6, 0x02, 1000), True,
                     f"IPv{6 if v6 else 4} SYN seq=1000 to port {CLOSED}: RST/ACK seq=0 ack=1001 "
                     f"from port {CLOSED}, window 0, {hop} 64" + ("" if v6 else ", DF, id 0"),
                     lambda p: p["flags"] == 0x14 and p["seq"] == 0 and p["ack"] == 1001
                     and p["sport"] == CLOSED and p["window"] == 0 and p["ttl"] == 64
                     and (v6 or (p["df"] and p["ident"] == 0)))
            exchange(tcp_frame(dut_mac, host_mac, v6, 0x18, 7, 0xCAFEF00D, b"0123456789"), True,
                     f"IPv{6 if v6 else 4} PSH/ACK ack=0xcafef00d with 10 bytes: RST "
                     f"seq=0xcafef00d, no ACK flag",
                     lambda p: p["flags"] == 0x04 and p["seq"] == 0xCAFEF00D and p["ack"] == 0)
            exchange(tcp_frame(dut_mac, host_mac, v6, 0x04, 5), False,
                     f"IPv{6 if v6 else 4} RST", None)
            exchange(tcp_frame(dut_mac, host_mac, v6, 0x02, 1, bad_sum=True), False,
                     f"IPv{6 if v6 else 4} SYN with a bad checksum", None)
            sent[fam] += 4
            sent[f"resets{6 if v6 else 4}"] += 2
            sent["rst_sent"] += 1
            sent["bad_sum"] += 1
        exchange(tcp_frame("ff:ff:ff:ff:ff:ff", host_mac, False, 0x02, 1, dst="198.18.0.255"),
                 False, "IPv4 SYN to the subnet broadcast 198.18.0.255", None)
        sent["v4"] += 1
        sent["bcast"] += 1
    return sent


def host_mode(args, rep) -> None:
    with netns.Topology(verbose=True) as topo, netns.Responder(topo, args.responder) as r:
        # The veth default (tx checksumming on) hands net_af_packet the kernel's TCP segments
        # with their checksum unfinished (CHECKSUM_PARTIAL): they would be dropped as
        # tcp_bad_checksum, and nc would time out (README: the kernel side of a port).
        netns.log(f"$ {topo.host_tx_checksum(False)}")
        r.start()
        dut_mac = topo.link_mac(topo.dut_ns, topo.dut_if)
        host_mac = topo.link_mac(topo.host_ns, topo.host_if)
        # Neighbours resolved before the counting starts (their frames are counted apart).
        topo.ping(["-c", "1", "-W", "2", DUT_ADDR4])
        topo.ping(["-6", "-c", "1", "-W", "2", DUT_ADDR6])

        def run(ns, cmd, timeout=60):
            return netns.run(["ip", "netns", "exec", ns, *cmd], check=False, timeout=timeout)

        before = nstat(run, topo.host_ns)
        check_nc(rep, run, topo.host_ns, DUT_ADDR4, "IPv4")
        check_nc(rep, run, topo.host_ns, DUT_ADDR6, "IPv6")
        p4 = topo.ping(["-c", str(PINGS), "-i", "0.01", "-W", "2", DUT_ADDR4])
        p6 = topo.ping(["-6", "-c", str(PINGS), "-i", "0.01", "-W", "2", DUT_ADDR6])
        rep.check(f"{PINGS} pings each family answered", p4.received == PINGS
                  and p6.received == PINGS, p4.evidence + p6.evidence)
        # IPv6 fragments both ways (net_af_packet passes IPv6 fragments as they are): the
        # responder reassembles each request and fragments its reply to the port MTU.
        pf = topo.ping(["-6", "-c", "2", "-i", "0.2", "-W", "2", "-s", "2000", DUT_ADDR6])
        rep.check("ping -6 -s 2000: 2 of 2 answered (reassembled, the reply fragmented)",
                  pf.received == 2, pf.evidence)
        sent = check_raw(rep, topo, dut_mac, host_mac)
        after = nstat(run, topo.host_ns)
        tel = telemetry(r.prefix, ["/pingwire/ip", "/pingwire/ip6", "/pingwire/tcp"])
        res = r.stop()
        pc = netns.check_counters(rep, res)
        if pc is None:
            return
        mib = mib_lines(pc)
        ip, ip6, tcp = mib["Ip"], mib["Ip6"], mib["Tcp"]
        block = "\n".join(pc.lines)
        # Each nc sends one SYN (answered RST/ACK); the raw frames as counted above.
        resets4 = 1 + sent["resets4"]
        resets6 = 1 + sent["resets6"]
        rep.check(f"replies: tcp4_reset {resets4}, tcp6_reset {resets6} (nc's SYN and the raw "
                  f"SYN and ACK, per family)",
                  pc.replies.get("tcp4_reset") == resets4
                  and pc.replies.get("tcp6_reset") == resets6, block)
        rep.check("drops: tcp_reset_received 2, tcp_bad_checksum 2, tcp_to_group 1",
                  pc.drop("tcp_reset_received") == 2 and pc.drop("tcp_bad_checksum") == 2
                  and pc.drop("tcp_to_group") == 1, block)
        segs = resets4 + resets6 + sent["rst_sent"] + sent["bad_sum"]
        rep.check(f"Tcp: TcpInSegs {segs} (all but the broadcast), TcpOutSegs == TcpOutRsts "
                  f"== {resets4 + resets6}, TcpInErrs == TcpInCsumErrors == 2",
                  tcp.get("TcpInSegs") == segs and tcp.get("TcpOutRsts") == resets4 + resets6
                  and tcp.get("TcpOutSegs") == resets4 + resets6
                  and tcp.get("TcpInErrs") == 2 and tcp.get("TcpInCsumErrors") == 2,
                  f"Tcp: {tcp}\n{block}")
        # What the host's kernel sent to the DUT over IPv4 between the nstat readings: nc's
        # SYN and the pings (the two warm-up pings and ARP before, nothing else after); the
        # raw frames did not pass its IP layer. What it received: the replies.
        k_out, k_in = delta(before, after, "IpOutRequests"), delta(before, after,
                                                                  "IpInReceives")
        warm = 1  # the IPv4 warm-up ping before the first reading
        rep.check(f"IpInReceives ({ip.get('IpInReceives')}) == the host kernel's IpOutRequests "
                  f"delta ({k_out}) + {warm} warm-up + {sent['v4']} raw frames",
                  ip.get("IpInReceives") == k_out + warm + sent["v4"],
                  f"host nstat delta IpOutRequests {k_out}; Ip: {ip}")
        rep.check(f"IpOutRequests ({ip.get('IpOutRequests')}) == the host kernel's "
                  f"IpInReceives delta ({k_in}) + {warm} warm-up reply",
                  ip.get("IpOutRequests") == k_in + warm,
                  f"host nstat delta IpInReceives {k_in}; Ip: {ip}")
        rep.check(f"Tcp: the host kernel's TcpInSegs delta "
                  f"({delta(before, after, 'TcpInSegs')}) == our TcpOutRsts "
                  f"({tcp.get('TcpOutRsts')}) (nc's and the raw frames' resets all reached it)",
                  delta(before, after, "TcpInSegs") == tcp.get("TcpOutRsts"),
                  f"host TcpInSegs delta {delta(before, after, 'TcpInSegs')}; Tcp {tcp}")
        rep.check(f"IpInDelivers == {PINGS + 1} pings + {resets4 + 2 + 1} TCP segments",
                  ip.get("IpInDelivers") == PINGS + 1 + resets4 + 2 + 1, f"Ip: {ip}")
        # A datagram the reassembler completes lands somewhere too, its fragments in ReasmReqds.
        for name, table, fates in (("Ip", ip, FATES4), ("Ip6", ip6, FATES6)):
            land = sum(table.get(k, 0) for k in fates)
            got = table.get(name + "InReceives", 0) + table.get(name + "ReasmOKs", 0)
            rep.check(f"{name}: {name}InReceives + {name}ReasmOKs ({got}) == the sum of where "
                      f"each landed ({land}: {', '.join(fates)})", got == land and land > 0,
                      f"{name}: {table}")
        check_telemetry(rep, tel, mib)
        pairs = [("Ip6ReasmReqds", "Ip6FragCreates"), ("Ip6ReasmOKs", "Ip6FragOKs"),
                 ("Ip6FragCreates", "Ip6ReasmReqds"), ("Ip6FragOKs", "Ip6ReasmOKs")]
        rep.check("IPv6 fragments: our " + ", ".join(f"{o} == the host's {k} delta"
                                                    for o, k in pairs) + " (2 datagrams each way)",
                  all(ip6.get(o, 0) == delta(before, after, k) for o, k in pairs)
                  and ip6.get("Ip6ReasmOKs") == 2 and ip6.get("Ip6FragOKs") == 2,
                  f"Ip6: {ip6}; host deltas "
                  f"{ {k: delta(before, after, k) for _, k in pairs} }")
        for name, table, icmp, rst in (("Ip", ip, "Icmp", "tcp4_reset"),
                                       ("Ip6", ip6, "Icmp6", "tcp6_reset")):
            rep.check(f"{name}OutRequests == {icmp} OutMsgs + {rst} (all we originate)",
                      table.get(name + "OutRequests", 0)
                      == pc.msg(icmp, "OutMsgs") + pc.replies.get(rst, 0),
                      f"{name}: {table}; {icmp}: {pc.mib.get(icmp)}; replies {pc.replies}")


def nmap_run(args, rep) -> None:
    """nmap's SYN scan in a run of its own (its probes would blur the exact counts above)."""
    if shutil.which("nmap") is None:
        netns.log("nmap: not installed (scripts/install-deps installs it): no nmap check")
        return
    with netns.Topology(verbose=True) as topo, netns.Responder(topo, args.responder) as r:
        r.start()
        for v6, addr in ((False, DUT_ADDR4), (True, DUT_ADDR6)):
            cmd = ["nmap", *(["-6"] if v6 else []), "-sS", "-Pn", "-n", "-p", str(CLOSED),
                   "--max-retries", "1", addr]
            cp = topo.host(cmd, timeout=60)
            rep.check(f"`{' '.join(cmd)}`: port {CLOSED}/tcp closed",
                      cp.returncode == 0
                      and re.search(rf"^{CLOSED}/tcp\s+closed", cp.stdout, re.M) is not None,
                      shown(" ".join(cmd), cp))
        res = r.stop()
        pc = netns.check_counters(rep, res)
        if pc is not None:
            tcp = mib_lines(pc)["Tcp"]
            rep.check("nmap's SYNs were answered with resets (tcp4_reset >= 1, tcp6_reset >= 1, "
                      "TcpOutRsts their sum)",
                      pc.replies.get("tcp4_reset", 0) >= 1 and pc.replies.get("tcp6_reset", 0) >= 1
                      and tcp.get("TcpOutRsts") == pc.replies["tcp4_reset"]
                      + pc.replies["tcp6_reset"], "\n".join(pc.lines))


# --- router mode -----------------------------------------------------------------------------

def router_mode(args, rep) -> None:
    with netns.RouterTopology(verbose=True) as topo, \
            netns.Responder(topo, args.responder, app_args=topo.router_args()) as r:
        r.start()
        # Neighbours everywhere resolved first.
        topo.ping(["-c", "1", "-W", "2", B_ADDR4])
        topo.ping(["-6", "-c", "1", "-W", "2", B_ADDR6])

        def run(ns, cmd, timeout=60):
            return netns.run(["ip", "netns", "exec", ns, *cmd], check=False, timeout=timeout)

        a0, b0 = nstat(run, topo.a_ns), nstat(run, topo.b_ns)
        p4 = topo.ping(["-c", str(PINGS), "-i", "0.01", "-W", "2", B_ADDR4])
        p6 = topo.ping(["-6", "-c", str(PINGS), "-i", "0.01", "-W", "2", B_ADDR6])
        rep.check(f"{PINGS} pings A -> B each family answered through the router",
                  p4.received == PINGS and p6.received == PINGS, p4.evidence + p6.evidence)
        check_nc(rep, run, topo.a_ns, R0_ADDR4, "the router's own address")
        check_nc(rep, run, topo.a_ns, R0_ADDR6, "the router's own IPv6 address")
        check_nc(rep, run, topo.a_ns, B_ADDR4, "B's closed port, B's kernel resets, forwarded")
        ttl1 = topo.ping(["-c", "1", "-W", "2", "-t", "1", B_ADDR4])
        noroute = topo.ping(["-c", "1", "-W", "2", "198.18.99.9"])
        rep.check("ping -t 1 and ping to 198.18.99.9 get their errors",
                  "Time to live exceeded" in ttl1.output and "Net Unreachable" in noroute.output,
                  ttl1.evidence + noroute.evidence)
        a1, b1 = nstat(run, topo.a_ns), nstat(run, topo.b_ns)
        res = r.stop()
        pcs, _ = netns.check_router_counters(rep, res, (0, 1))
        if len(pcs) != 2:
            return
        m0, m1 = mib_lines(pcs[0]), mib_lines(pcs[1])
        ip0, ip1, ip60, ip61 = m0["Ip"], m1["Ip"], m0["Ip6"], m1["Ip6"]
        # Before a0/b0: the two warm-up pings (1 forwarded each way per family).
        b_in = delta(b0, b1, "IpInReceives")
        a_in = delta(a0, a1, "IpInReceives")
        rep.check(f"port 0 IpForwDatagrams ({ip0.get('IpForwDatagrams')}) == B's IpInReceives "
                  f"delta by its nstat ({b_in}) + 1 warm-up ping",
                  ip0.get("IpForwDatagrams") == b_in + 1, f"port 0 Ip: {ip0}")
        rep.check(f"port 1 IpForwDatagrams ({ip1.get('IpForwDatagrams')}) == B's IpOutRequests "
                  f"delta ({delta(b0, b1, 'IpOutRequests')}) + 1 warm-up reply",
                  ip1.get("IpForwDatagrams") == delta(b0, b1, "IpOutRequests") + 1,
                  f"port 1 Ip: {ip1}")
        own = ip0.get("IpOutRequests", 0)
        rep.check(f"A's IpInReceives delta ({a_in}) == forwarded to it from B (port 1 "
                  f"{ip1.get('IpForwDatagrams')} - 1 warm-up) + what the router sent it itself "
                  f"(port 0 IpOutRequests {own}: the RST and the two ICMP errors)",
                  a_in == ip1.get("IpForwDatagrams", 0) - 1 + own and own == 3,
                  f"port 0 Ip: {ip0}; port 1 Ip: {ip1}")
        rep.check("port 0: IpInHdrErrors 1 (TTL 1), IpExtInNoRoutes 1; Tcp: TcpInSegs 2, "
                  "TcpOutRsts 2 (nc to the router's two addresses)",
                  ip0.get("IpInHdrErrors") == 1 and ip0.get("IpExtInNoRoutes") == 1
                  and m0["Tcp"].get("TcpInSegs") == 2 and m0["Tcp"].get("TcpOutRsts") == 2,
                  f"port 0: {m0}")
        # IPv6 from A to B was the echo requests alone (neighbour discovery stays on its link):
        # B's Icmp6InEchos / Icmp6OutEchoReplies by its nstat, plus the warm-up ping.
        echos, replies6 = delta(b0, b1, "Icmp6InEchos"), delta(b0, b1, "Icmp6OutEchoReplies")
        rep.check(f"Ip6OutForwDatagrams: port 0 ({ip60.get('Ip6OutForwDatagrams')}) == B's "
                  f"Icmp6InEchos delta ({echos}) + 1, port 1 ({ip61.get('Ip6OutForwDatagrams')}) "
                  f"== B's Icmp6OutEchoReplies delta ({replies6}) + 1",
                  ip60.get("Ip6OutForwDatagrams") == echos + 1 == PINGS + 1
                  and ip61.get("Ip6OutForwDatagrams") == replies6 + 1,
                  f"port 0 Ip6: {ip60}; port 1 Ip6: {ip61}")
        rep.check("port 0 replies: tcp4_reset 1, tcp6_reset 1 (the router's own addresses); "
                  "port 1: none (B's reset was forwarded, not ours)",
                  pcs[0].replies.get("tcp4_reset") == 1 and pcs[0].replies.get("tcp6_reset") == 1
                  and pcs[1].replies.get("tcp4_reset", 0) == 0,
                  "\n".join(pcs[0].lines + pcs[1].lines))


def router_fragments(args, rep) -> None:
    """IPv4 in transit fragmented to a smaller egress MTU (RFC 791 3.2, RFC 1812 5.2.6): port
    1's IpFragOKs / IpFragCreates against what B's kernel reassembled (IpReasmOKs / Reqds)."""
    n, mtu = 4, 1300
    with netns.RouterTopology(verbose=True) as topo, \
            netns.Responder(topo, args.responder, app_args=topo.router_args(mtu1=mtu)) as r:
        r.start()
        topo.ping(["-c", "1", "-W", "2", B_ADDR4])

        def run(ns, cmd, timeout=60):
            return netns.run(["ip", "netns", "exec", ns, *cmd], check=False, timeout=timeout)

        b0 = nstat(run, topo.b_ns)
        # 1428-byte datagrams, DF clear: two fragments each past the 1300-byte port 1.
        p = topo.ping(["-c", str(n), "-i", "0.2", "-W", "2", "-s", "1400", "-M", "dont", B_ADDR4])
        b1 = nstat(run, topo.b_ns)
        rep.check(f"ping -s 1400 -M dont A -> B through port 1 (MTU {mtu}): {n} of {n} answered",
                  p.received == n, p.evidence)
        res = r.stop()
        pcs, _ = netns.check_router_counters(rep, res, (0, 1), extra_fragments=n)
        if len(pcs) != 2:
            return
        ip1 = mib_lines(pcs[1])["Ip"]
        oks, reqds = delta(b0, b1, "IpReasmOKs"), delta(b0, b1, "IpReasmReqds")
        rep.check(f"port 1 IpFragOKs ({ip1.get('IpFragOKs')}) == B's IpReasmOKs delta ({oks}) "
                  f"== {n}, IpFragCreates ({ip1.get('IpFragCreates')}) == B's IpReasmReqds delta "
                  f"({reqds}) == {2 * n}; no IpFragFails",
                  ip1.get("IpFragOKs") == oks == n and ip1.get("IpFragCreates") == reqds == 2 * n
                  and ip1.get("IpFragFails", 0) == 0, f"port 1 Ip: {ip1}")


def body(args, rep):
    host_mode(args, rep)
    nmap_run(args, rep)
    router_mode(args, rep)
    router_fragments(args, rep)


if __name__ == "__main__":
    netns.test_main("integration/tcp", body, extra_tools=("nc", "nstat"))
