#!/usr/bin/python3
"""Security insight (issue 12) against real tools, with the responder at its default thresholds:

Host mode (netns.Topology; the host namespace holds 198.18.0.1 and the extra sources
198.18.0.5-.9, each used for one kind of traffic):
1. Ordinary ping use raises no alert: from 198.18.0.5, Linux `ping -c 100`, `ping -f -c 10000`,
   `ping -s 1400`, `fping -c 30`, and Windows-style 32-byte pings (scapy,
   "abcdefghijklmnopqrstuvwabcdefghi"); /pingwire/alert_counts says 0 alerts and the source's
   tunnel score in /pingwire/sources stays below the threshold.
2. TTL fingerprint: /pingwire/sources shows 198.18.0.1 (and 2001:2::1) with TTL 64, initial
   64, 0 hops; 198.18.0.6 after `sysctl net.ipv4.ip_default_ttl=128` with TTL 128, initial 128.
3. Sweeps: `fping -g 198.18.0.0/24` from 198.18.0.7 and `nmap -sn 198.18.0.0/24` from
   198.18.0.1 each raise a sweep alert naming their source: in the log (stderr, pingwire.insight
   "ping sweep from ..."), in /pingwire/alerts and in /pingwire/sources (targets >= 64).
4. Tunnel: scapy echo requests from 198.18.0.8 with random (encrypted-looking) payloads of
   varying sizes raise a tunnel alert naming 198.18.0.8.
5. Floods: `hping3 --icmp --flood -a 198.18.0.9` for 3 s raises an echo-flood alert naming it,
   and hping3's default TCP mode (`hping3 --flood -a 198.18.0.10`, segments without ACK) a
   flood alert said to be TCP.
6. --metrics: pingwire_insight_alerts_total{kind=...} counts them, promtool accepts the body.
7. The exit summary balances, has the insight line with the same alert counts, no mbuf leaks.

Router mode (netns.RouterTopology): `fping -g 198.18.2.0/24` from A through the router raises a
sweep alert naming A (198.18.1.2): the forwarded echo requests are probes too.
"""

import os
import random
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, HOST_ADDR4, HOST_ADDR6  # noqa: E402
from test_telemetry import metric, parse_metrics  # noqa: E402

METRICS_PORT = 9467
BENIGN, TTL128, FPING_SRC, TUNNEL_SRC, FLOOD_SRC, TCP_FLOOD_SRC = (
    "198.18.0.5", "198.18.0.6", "198.18.0.7", "198.18.0.8", "198.18.0.9", "198.18.0.10")
WINDOWS_PAYLOAD = b"abcdefghijklmnopqrstuvwabcdefghi"


def alerts_of(prefix: str) -> list[dict]:
    """Every recent alert (all pages), newest first."""
    out, frm = [], 0
    while True:
        page = netns.telemetry_query(prefix, [f"/pingwire/alerts,{frm}"])[f"/pingwire/alerts,{frm}"]
        out += list((page.get("recent") or {}).values())
        if not page.get("next"):
            return out
        frm = page["next"]


def sources_of(prefix: str) -> dict[str, dict]:
    out, frm = {}, 0
    while True:
        page = netns.telemetry_query(prefix, [f"/pingwire/sources,{frm}"])[f"/pingwire/sources,{frm}"]
        for row in (page.get("sources") or {}).values():
            out[row["source"]] = row
        if not page.get("next"):
            return out
        frm = page["next"]


def wait_alert(prefix: str, kind: str, source: str, timeout: float = 6.0) -> dict | None:
    deadline = time.monotonic() + timeout
    while True:
        hits = [a for a in alerts_of(prefix) if a.get("kind") == kind and a.get("source") == source]
        if hits or time.monotonic() > deadline:
            return hits[0] if hits else None
        time.sleep(0.3)


def scapy_pings(topo, src: str, payloads: list[bytes], gap: float) -> subprocess.CompletedProcess:
    """Echo requests from src with the given payloads, gap seconds apart (scapy, L3 socket in the
    host namespace: the kernel routes them and resolves the DUT)."""
    script = (
        "import sys, time\n"
        "from scapy.all import IP, ICMP, Raw, send, conf\n"
        "conf.verb = 0\n"
        f"src, dst, gap = {src!r}, {DUT_ADDR4!r}, {gap!r}\n"
        "data = [bytes.fromhex(x) for x in sys.stdin.read().split()]\n"
        "for i, d in enumerate(data):\n"
        "    send(IP(src=src, dst=dst)/ICMP(id=0x4242, seq=i)/Raw(d))\n"
        "    time.sleep(gap)\n")
    return subprocess.run(["ip", "netns", "exec", topo.host_ns, "/usr/bin/python3", "-c", script],
                          input=" ".join(p.hex() for p in payloads), capture_output=True,
                          text=True, timeout=120)


def host_part(args, rep):
    with netns.Topology(verbose=True) as topo:
        topo.dut(["ip", "link", "set", "lo", "up"], check=True)  # --metrics binds 127.0.0.1
        for a in (BENIGN, TTL128, FPING_SRC, TUNNEL_SRC, FLOOD_SRC, TCP_FLOOD_SRC):
            topo.host(["ip", "addr", "add", f"{a}/32", "dev", topo.host_if], check=True)
        spec = f"0,addr={DUT_ADDR4}/{netns.PREFIX4},addr={DUT_ADDR6}/{netns.PREFIX6}"
        with netns.Responder(topo, args.responder,
                             app_args=["--port", spec, "--metrics", str(METRICS_PORT)]) as r:
            r.start()
            running(rep, topo, r)
            res = r.stop()
            c = netns.check_counters(rep, res, 0)
            m = re.search(r"^insight: .*alerts (\d+): sweep (\d+) tunnel (\d+) flood (\d+)",
                          res.stdout, re.M)
            rep.check("exit summary: an insight line with >= 2 sweep, >= 1 tunnel and >= 2 flood "
                      "alerts", m is not None and int(m.group(2)) >= 2 and int(m.group(3)) >= 1
                      and int(m.group(4)) >= 2, m.group(0) if m else res.stdout[-2000:])
            del c


def running(rep, topo, r):
    # ---- 1. ordinary ping use: no alert
    ping = topo.ping(["-c", "100", "-i", "0.01", "-I", BENIGN, DUT_ADDR4])
    flood = topo.ping(["-f", "-c", "10000", "-I", BENIGN, DUT_ADDR4], timeout=120)
    big = topo.ping(["-c", "30", "-i", "0.02", "-s", "1400", "-I", BENIGN, DUT_ADDR4])
    fp = topo.host(["fping", "-c", "30", "-p", "20", "-q", "-S", BENIGN, DUT_ADDR4])
    win = scapy_pings(topo, BENIGN, [WINDOWS_PAYLOAD] * 40, 0.02)
    rep.check("benign traffic from 198.18.0.5 answered: ping -c 100, ping -f -c 10000, "
              "ping -s 1400, fping -c 30 (exit 0), 40 Windows-style 32-byte pings (scapy)",
              ping.received == 100 and flood.received >= 9900 and big.received == 30
              and fp.returncode == 0 and win.returncode == 0,
              ping.evidence + flood.evidence + big.evidence + fp.stderr + win.stderr)
    time.sleep(1.5)  # the board is published once a second
    got = netns.telemetry_query(r.prefix, ["/pingwire/alert_counts", "/pingwire/config"])
    counts = got["/pingwire/alert_counts"]
    ins = (got["/pingwire/config"] or {}).get("insight", {})
    rep.check("/pingwire/config: insight on with its default thresholds (sweep 64 targets, "
              "flood 10000/s, window 2000 ms)", ins.get("enabled") == 1
              and ins.get("sweep_targets") == 64 and ins.get("flood_pps") == 10000
              and ins.get("window_ms") == 2000, str(ins))
    rep.check("no alert from ordinary ping use (/pingwire/alert_counts: alerts 0)",
              counts.get("alerts") == 0 and counts.get("enabled") == 1, str(counts))
    src = sources_of(r.prefix)
    b = src.get(BENIGN, {})
    rep.check(f"/pingwire/sources: {BENIGN} with >= 10170 echo requests, tunnel score < 50, "
              f"1 target", b.get("echo_requests", 0) >= 10170 and b.get("tunnel_score", 100) < 50
              and b.get("targets") == 1, str(b))

    # ---- 2. TTL fingerprint
    p1 = topo.ping(["-c", "3", "-i", "0.2", DUT_ADDR4])
    p16 = topo.ping(["-6", "-c", "3", "-i", "0.2", DUT_ADDR6])
    topo.host(["sysctl", "-qw", "net.ipv4.ip_default_ttl=128"], check=True)
    p128 = topo.ping(["-c", "3", "-i", "0.2", "-I", TTL128, DUT_ADDR4])
    topo.host(["sysctl", "-qw", "net.ipv4.ip_default_ttl=64"], check=True)
    time.sleep(1.5)
    src = sources_of(r.prefix)
    s1, s16, s128 = src.get(HOST_ADDR4, {}), src.get(HOST_ADDR6, {}), src.get(TTL128, {})
    rep.check("TTL table: the Linux peer 198.18.0.1 and 2001:2::1: TTL 64, initial 64, 0 hops",
              p1.received == 3 and p16.received == 3
              and all(x.get("ttl") == 64 and x.get("initial_ttl") == 64 and x.get("hops") == 0
                      for x in (s1, s16)), f"{s1}\n{s16}")
    rep.check("TTL table: 198.18.0.6 with ip_default_ttl=128: TTL 128, initial 128, 0 hops",
              p128.received == 3 and s128.get("ttl") == 128 and s128.get("initial_ttl") == 128
              and s128.get("hops") == 0, str(s128))

    # ---- 3. sweeps: fping -g and nmap -sn over the /24
    cmd = ["fping", "-g", "198.18.0.0/24", "-S", FPING_SRC, "-r", "0", "-i", "1", "-t", "200",
           "-q"]
    topo.host(cmd, timeout=120)
    a = wait_alert(r.prefix, "sweep", FPING_SRC)
    rep.check(f"`{' '.join(cmd)}` raises a sweep alert naming {FPING_SRC} (/pingwire/alerts)",
              a is not None and a.get("value", 0) >= 64, str(a))
    rep.check(f"the log says 'ping sweep from {FPING_SRC}: N targets in ...'",
              re.search(rf"ping sweep from {re.escape(FPING_SRC)}: \d+ targets in", r.stderr())
              is not None, r.stderr()[-1500:])
    cmd = ["nmap", "-sn", "-n", "198.18.0.0/24"]
    nm = topo.host(cmd, timeout=180)
    a = wait_alert(r.prefix, "sweep", HOST_ADDR4)
    rep.check(f"`{' '.join(cmd)}` (nmap's ARP discovery) finds the responder and raises a sweep "
              f"alert naming {HOST_ADDR4}", a is not None and DUT_ADDR4 in nm.stdout,
              str(a) + "\n" + nm.stdout[-600:])
    src = sources_of(r.prefix)
    rep.check(f"/pingwire/sources: {FPING_SRC} and {HOST_ADDR4} with targets >= 64 and the "
              "sweep alert", all(src.get(x, {}).get("targets", 0) >= 64
                                 and "sweep" in src.get(x, {}).get("alerts", "")
                                 for x in (FPING_SRC, HOST_ADDR4)),
              f"{src.get(FPING_SRC)}\n{src.get(HOST_ADDR4)}")

    # ---- 4. a tunnel: random payloads of varying sizes
    rnd = random.Random(12)
    payloads = [os.urandom(rnd.randrange(64, 1000)) for _ in range(80)]
    tn = scapy_pings(topo, TUNNEL_SRC, payloads, 0.025)
    a = wait_alert(r.prefix, "tunnel", TUNNEL_SRC)
    rep.check(f"80 echo requests with random payloads of 64..999 bytes from {TUNNEL_SRC} raise a "
              "tunnel alert naming it", tn.returncode == 0 and a is not None
              and a.get("value", 0) >= 50, str(a) + tn.stderr)

    # ---- 5. hping3 --flood
    cmd = ["timeout", "3", "hping3", "--icmp", "--flood", "-q", "-a", FLOOD_SRC, DUT_ADDR4]
    topo.host(cmd, timeout=30)
    a = wait_alert(r.prefix, "flood", FLOOD_SRC)
    rep.check(f"`{' '.join(cmd)}` raises an echo-flood alert naming {FLOOD_SRC}",
              a is not None and a.get("value", 0) >= 10000, str(a))
    rep.check(f"the log says 'echo flood from {FLOOD_SRC}: N requests/s'",
              f"echo flood from {FLOOD_SRC}:" in r.stderr(), r.stderr()[-1500:])
    # hping3's default mode: TCP segments without flags to port 0 (a null scan at line rate)
    cmd = ["timeout", "3", "hping3", "--flood", "-q", "-a", TCP_FLOOD_SRC, DUT_ADDR4]
    topo.host(cmd, timeout=30)
    a = wait_alert(r.prefix, "flood", TCP_FLOOD_SRC)
    rep.check(f"`{' '.join(cmd)}` (TCP, no flags) raises a flood alert naming {TCP_FLOOD_SRC}, "
              "said to be TCP", a is not None and a.get("value", 0) >= 10000
              and f"TCP SYN flood from {TCP_FLOOD_SRC}:" in a.get("text", ""), str(a))
    all_alerts = alerts_of(r.prefix)
    wrong = [x for x in all_alerts if x.get("source") in (BENIGN, TTL128)]
    rep.check("no alert ever names the ordinary pinger 198.18.0.5 or 198.18.0.6", not wrong,
              str(wrong))

    # ---- 6. --metrics
    time.sleep(0.5)
    body = topo.dut(["curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{METRICS_PORT}/metrics"])
    ms = parse_metrics(body.stdout)
    chk = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=body.stdout,
                         capture_output=True, text=True, timeout=30)
    got = {k: metric(ms, "pingwire_insight_alerts_total", kind=k) for k in
           ("sweep", "tunnel", "flood")}
    rep.check("--metrics: pingwire_insight_alerts_total sweep >= 2, tunnel >= 1, flood >= 2; "
              "promtool check metrics passes",
              (got["sweep"] or 0) >= 2 and (got["tunnel"] or 0) >= 1 and (got["flood"] or 0) >= 2
              and chk.returncode == 0, f"{got}\n{chk.stdout}{chk.stderr}")


def router_part(args, rep):
    with netns.RouterTopology(verbose=True) as topo, \
         netns.Responder(topo, args.responder, app_args=topo.router_args()) as r:
        r.start()
        cmd = ["fping", "-g", "198.18.2.0/24", "-r", "0", "-i", "1", "-t", "200", "-q"]
        topo.a(cmd, timeout=120)
        a = wait_alert(r.prefix, "sweep", netns.A_ADDR4)
        rep.check(f"router: `{' '.join(cmd)}` from A through the router raises a sweep alert "
                  f"naming {netns.A_ADDR4}", a is not None, str(a))
        res = r.stop()
        netns.check_router_counters(rep, res, (0, 1), extra_fragments=None)


def body(args, rep):
    host_part(args, rep)
    router_part(args, rep)


if __name__ == "__main__":
    netns.test_main("integration/insight", body,
                    ("fping", "nmap", "hping3", "curl", "/usr/bin/promtool",
                     netns.TELEMETRY_CLIENT))
