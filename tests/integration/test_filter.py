#!/usr/bin/python3
"""RFC 4890 selective ICMP filtering in router mode (issue 12, item 5), judged by real peers.

Topology (netns.RouterTopology, net_af_packet): A 198.18.1.2 -- [port 0 198.18.1.1 |
pingwire --forward | port 1 198.18.2.1] -- B 198.18.2.2 (and 2001:2:0:1::/64,
2001:2:0:2::/64). Port 0 is the outside (A), port 1 the inside (B):

    --icmp-policy rfc4890,outside=0,deny-inbound-echo
    --icmp-filter deny,v4,type=time-exceeded,code=1,in=0,name=no-reasm-te   (a user rule:
                                                      before the policy's, so it wins)
    --route 198.18.3.0/24,via=198.18.2.2 --route 2001:2:0:3::/64,via=2001:2:0:2::2
    --metrics 127.0.0.1:PORT

B forwards 198.18.3.0/24 and 2001:2:0:3::/64 to a link of MTU 1300 (a veth in B): the smaller
link behind the router, so that B sends Frag Needed / Packet Too Big back through it.

Checks:
- Linux `ping` B -> A (inside to outside), IPv4 and IPv6: 0% loss (no false drop; the echo
  replies from outside pass); `ping` A -> B (inbound echo from outside): 100% loss, no error.
- `tracepath` A -> 198.18.3.9 and `tracepath -6` A -> 2001:2:0:3::9: "pmtu 1300" (B's Frag
  Needed / PTB crossed the router from inside to outside).
- Crafted frames (scapy) from A through the router, B's link sniffed: Packet Too Big, Frag
  Needed, Echo Reply (v4, v6), Time Exceeded code 0 (v4, v6), Destination Unreachable arrive;
  Echo Request (v4, v6: inbound from outside), Time Exceeded code 1 (the user rule),
  Redirect (v4), ND Redirect, Router Renumbering, Node Information Query, a unicast Neighbor
  Solicitation to B's global address, Source Quench, Timestamp, an MLD report do not. A UDP
  datagram is not the filter's (arrives, counted nowhere). The same echo requests from B (inside)
  arrive at A. Each frame moves exactly the rule it should, by /pingwire/filter.
- /pingwire/filter before the stop equals the exit summary's "icmp filter: rule N ...: K
  packets" lines and the Prometheus pingwire_icmp_filter_packets_total samples; the rows
  name the policy's RFC sections.
- After SIGTERM: every port balances with the new drop reason icmp_filtered, whose count on
  each port equals what its deny rules counted for packets that came in there; no mbuf in use.
- Without --forward, --icmp-policy and --icmp-filter exit 2 with one line; a bad rule names
  its bad part.
- Live reload: the filter from a --config file (icmp-policy = "rfc4890"); SIGHUP after adding
  an icmp-filter rule there: applied, the new rule first, every count from zero, ping A -> B
  now denied on it; a broken rule in the file: refused with FILE:LINE, the old list stays; the
  exit summary and icmp_filtered agree.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import (A_ADDR4, A_ADDR6, B_ADDR4, B_ADDR6, R0_ADDR4, R0_ADDR6,  # noqa: E402
                   indent)

TELEMETRY = "/usr/bin/dpdk-telemetry.py"
METRICS_PORT = 19412
WAIT = 0.6
FAR4, FAR6 = "198.18.3.9", "2001:2:0:3::9"  # behind B, on its 1300-byte link
DUMMY, DUMMY_PEER = "pwfx0", "pwfx1"  # B's 1300-byte link (this test's prefix: pwf)

USER_RULE = "deny,v4,type=time-exceeded,code=1,in=0,name=no-reasm-te"
APP_EXTRA = ["--icmp-policy", "rfc4890,outside=0,deny-inbound-echo",
             "--icmp-filter", USER_RULE,
             "--route", "198.18.3.0/24,via=198.18.2.2",
             "--route", "2001:2:0:3::/64,via=2001:2:0:2::2",
             "--icmp-ratelimit", "0", "--icmp6-ratelimit", "0",
             "--metrics", str(METRICS_PORT)]


def telemetry(prefix: str, cmds: list[str]) -> list[dict]:
    cp = subprocess.run([TELEMETRY, "-f", prefix], input="\n".join(cmds) + "\n",
                        capture_output=True, text=True, timeout=20)
    out = [json.loads(x) for x in (ln.strip() for ln in cp.stdout.splitlines())
           if x.startswith("{")]
    if len(out) != len(cmds):
        raise netns.HarnessError(f"$ {TELEMETRY} -f {prefix} <<< {cmds}\n  rc {cp.returncode}"
                                 f"\n{indent(cp.stdout + cp.stderr)}")
    return [r.get(c.split(",")[0]) for c, r in zip(cmds, out)]


def filter_rows(prefix: str) -> dict:
    """/pingwire/filter, every page: {key: row} ("0".. and "default")."""
    rows, start = {}, 0
    while True:
        (page,) = telemetry(prefix, [f"/pingwire/filter,{start}" if start else "/pingwire/filter"])
        if not isinstance(page, dict) or "rules" not in page:
            raise netns.HarnessError(f"/pingwire/filter: {page}")
        rows.update(page["rules"])
        if not page.get("next"):
            return rows
        start = page["next"]


def counts(rows: dict) -> dict[str, int]:
    return {k: v["packets"] for k, v in rows.items()}


def key_of(rows: dict, name: str) -> str:
    """The first row whose label is name."""
    for k, v in sorted(rows.items(), key=lambda kv: (kv[0] == "default", int(kv[0])
                                                     if kv[0] != "default" else 0)):
        if v.get("name") == name:
            return k
    raise netns.HarnessError(f"no /pingwire/filter row named {name}: {list(rows.values())}")


def setup_far_link(topo) -> None:
    """B forwards to a 1300-byte link: Frag Needed / PTB for bigger packets."""
    b = topo.b
    b(["sysctl", "-qw", "net.ipv4.ip_forward=1"], check=True)
    b(["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"], check=True)
    b(["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"], check=True)
    b(["sysctl", "-qw", "net.ipv6.icmp.ratelimit=0"], check=True)
    # (This kernel has no dummy links: a veth pair inside B, its far end left without an
    # address; what fits the 1300 bytes goes out there and meets nobody.)
    b(["ip", "link", "add", DUMMY, "mtu", "1300", "type", "veth", "peer", "name", DUMMY_PEER],
      check=True)
    b(["ip", "link", "set", DUMMY_PEER, "up"], check=True)
    b(["ip", "link", "set", DUMMY, "up"], check=True)
    b(["ip", "addr", "add", "198.18.3.1/24", "dev", DUMMY], check=True)
    b(["ip", "-6", "addr", "add", "2001:2:0:3::1/64", "dev", DUMMY, "nodad"], check=True)
    topo.a(["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"], check=True)
    topo.a(["sysctl", "-qw", "net.ipv6.icmp.ratelimit=0"], check=True)


def check_pings(rep, topo) -> dict[str, int]:
    """Linux ping both ways; returns the denied echo requests A sent (per family)."""
    for v6, dst in ((False, A_ADDR4), (True, A_ADDR6)):
        p = topo.ping([*(["-6"] if v6 else []), "-c", "5", "-i", "0.2", "-W", "2", dst], ns="b")
        rep.check(f"ping{' -6' if v6 else ''} B -> A (inside to outside, the policy on): 5 of 5 "
                  f"answered, no false drop", p.clean and p.received == 5, p.evidence)
    for v6, dst in ((False, B_ADDR4), (True, B_ADDR6)):
        p = topo.ping([*(["-6"] if v6 else []), "-c", "3", "-i", "0.2", "-W", "1", dst])
        rep.check(f"ping{' -6' if v6 else ''} A -> B (inbound echo from outside, "
                  f"deny-inbound-echo): 0 of 3 answered, no ICMP error back (dropped silently)",
                  p.transmitted == 3 and p.received == 0 and p.errors == 0
                  and "From " not in p.output, p.evidence)
    return {"v4": 3, "v6": 3}


def check_tracepath(rep, topo) -> None:
    for v6, dst in ((False, FAR4), (True, FAR6)):
        cmd = ["tracepath", *(["-6"] if v6 else []), "-n", "-m", "3", dst]
        cp = topo.a(cmd, timeout=60)
        out = cp.stdout + cp.stderr
        rep.check(f"`{' '.join(cmd)}`: 'pmtu 1300' (B's {'Packet Too Big' if v6 else 'Frag Needed'}"
                  f" for its 1300-byte link passed the router, inside to outside)",
                  re.search(r"\bpmtu 1300\b", out) is not None,
                  f"$ {topo.cmdline('a', cmd)}   (exit {cp.returncode})\n{indent(out)}")


def crafted_cases(topo):
    """(what, frame from A or B, sent from 'a' or 'b', arrives?, the row label that counts it
    or None when the filter does not see it[, the labels of the far host's answers, which
    cross the router too])."""
    S = pktutil.S
    ea = S.Ether(src=topo.a_mac, dst=topo.r0_mac)
    eb = S.Ether(src=topo.b_mac, dst=topo.r1_mac)
    # Errors from A about a packet B sent to A (quoted).
    q4 = S.IPerror(src=B_ADDR4, dst=A_ADDR4) / S.UDPerror(sport=33000, dport=53)
    q6 = S.IPerror6(src=B_ADDR6, dst=A_ADDR6) / S.UDPerror(sport=33000, dport=53)
    ip4 = S.IP(src=A_ADDR4, dst=B_ADDR4)
    ip6 = S.IPv6(src=A_ADDR6, dst=B_ADDR6)
    return [
        ("ICMPv6 Packet Too Big (mtu 1400)", ea / ip6 / S.ICMPv6PacketTooBig(mtu=1400) / q6,
         "a", True, "rfc4890-4.3.1-packet-too-big"),
        ("ICMP Frag Needed (3/4, mtu 1400)", ea / ip4 / S.ICMP(type=3, code=4, nexthopmtu=1400)
         / q4, "a", True, "ipv4-frag-needed"),
        ("ICMP Port Unreachable (3/3)", ea / ip4 / S.ICMP(type=3, code=3) / q4, "a", True,
         "ipv4-dest-unreach"),
        ("ICMP Echo Reply", ea / ip4 / S.ICMP(type=0, id=0x4890, seq=1), "a", True,
         "ipv4-echo-reply"),
        ("ICMPv6 Echo Reply", ea / ip6 / S.ICMPv6EchoReply(id=0x4890, seq=1), "a", True,
         "rfc4890-4.3.1-echo"),
        ("ICMP Time Exceeded code 0", ea / ip4 / S.ICMP(type=11, code=0) / q4, "a", True,
         "ipv4-time-exceeded"),
        ("ICMPv6 Time Exceeded code 0", ea / ip6 / S.ICMPv6TimeExceeded(code=0) / q6, "a", True,
         "rfc4890-4.3.1-time-exceeded"),
        ("ICMP Echo Request from outside", ea / ip4 / S.ICMP(type=8, id=0x4891, seq=1), "a",
         False, "deny-inbound-echo"),
        ("ICMPv6 Echo Request from outside", ea / ip6 / S.ICMPv6EchoRequest(id=0x4891, seq=1),
         "a", False, "deny-inbound-echo6"),
        ("ICMP Time Exceeded code 1 (the user rule, before the policy's allow)",
         ea / ip4 / S.ICMP(type=11, code=1) / q4, "a", False, "no-reasm-te"),
        ("ICMP Redirect in transit", ea / ip4 / S.ICMP(type=5, code=1, gw="198.18.1.9") / q4,
         "a", False, "ipv4-redirect"),
        ("ICMP Source Quench", ea / ip4 / S.ICMP(type=4, code=0) / q4, "a", False,
         "rfc6633-source-quench"),
        ("ICMP Timestamp Request", ea / ip4 / S.ICMP(type=13, id=0x4892), "a", False,
         "ipv4-timestamp-info-mask"),
        ("ICMPv6 Neighbor Solicitation to B's global address", ea / S.IPv6(
            src=A_ADDR6, dst=B_ADDR6, hlim=255) / S.ICMPv6ND_NS(tgt=B_ADDR6), "a", False,
         "rfc4890-4.3.3-mld-nd"),
        ("ICMPv6 Redirect (137) in transit", ea / S.IPv6(src=A_ADDR6, dst=B_ADDR6, hlim=255)
         / S.ICMPv6ND_Redirect(tgt="2001:2:0:1::9", dst=B_ADDR6), "a", False,
         "rfc4890-4.3.3-mld-nd"),
        # (scapy's MLD default is hop limit 1, which the router would not forward anyway.)
        ("ICMPv6 MLD report to B", ea / S.IPv6(src=A_ADDR6, dst=B_ADDR6, hlim=64)
         / S.ICMPv6MLReport(mladdr="ff05::4890"), "a", False, "rfc4890-4.3.3-mld-nd"),
        ("ICMPv6 Router Renumbering (138)", ea / ip6 / S.ICMPv6Unknown(type=138, code=0,
                                                                 msgbody=b"\0" * 8), "a", False, "rfc4890-4.3.5-renum-node-info"),
        ("ICMPv6 Node Information Query (139)", ea / ip6 / S.ICMPv6NIQueryNOOP(), "a", False,
         "rfc4890-4.3.5-renum-node-info"),
        ("ICMPv6 Packet Too Big behind a Destination Options header",
         ea / ip6 / S.IPv6ExtHdrDestOpt() / S.ICMPv6PacketTooBig(mtu=1400) / q6, "a", True,
         "rfc4890-4.3.1-packet-too-big"),
        # B answers the UDP with a Port Unreachable, which crosses back (inside to outside).
        # IPv4 options (IHL 6): the fast path declines these, the full path filters them (as
        # it does the frames under 54 bytes above: the bare echo request and reply). Checked:
        # with the full path's filter taken out, these and the bare echoes fail; the IPv6
        # frames and the bigger IPv4 ones still pass on the fast path's.
        ("ICMP Echo Request from outside with a Router Alert option (the full path)",
         ea / S.IP(src=A_ADDR4, dst=B_ADDR4, options=[S.IPOption_Router_Alert()])
         / S.ICMP(type=8, id=0x4894, seq=1), "a", False, "deny-inbound-echo"),
        ("ICMP Frag Needed with a Router Alert option (the full path)",
         ea / S.IP(src=A_ADDR4, dst=B_ADDR4, options=[S.IPOption_Router_Alert()])
         / S.ICMP(type=3, code=4, nexthopmtu=1400) / q4, "a", True, "ipv4-frag-needed"),
        ("UDP (not ICMP: not the filter's)", ea / ip4 / S.UDP(sport=40000, dport=9) / S.Raw(
            b"pingwire"), "a", True, None, ["ipv4-dest-unreach"]),
        # A's kernel answers these: its Echo Reply crosses back (outside to inside).
        ("ICMP Echo Request from inside (B -> A)", eb / S.IP(src=B_ADDR4, dst=A_ADDR4)
         / S.ICMP(type=8, id=0x4893, seq=1), "b", True, "ipv4-echo-request", ["ipv4-echo-reply"]),
        ("ICMPv6 Echo Request from inside (B -> A)", eb / S.IPv6(src=B_ADDR6, dst=A_ADDR6)
         / S.ICMPv6EchoRequest(id=0x4893, seq=1), "b", True, "rfc4890-4.3.1-echo",
         ["rfc4890-4.3.1-echo"]),
    ]


def arrived(port, since, frame_sent) -> list:
    """The frames at the far end that are the one sent (its IP payload, TTL / hop limit apart)."""
    S = pktutil.S
    sent = S.Ether(bytes(frame_sent))
    v6 = S.IPv6 in sent
    want = bytes(sent[S.IPv6].payload) if v6 else bytes(sent[S.IP].payload)
    got = []
    for _, f in port.received(since):
        x = S.Ether(f)
        if v6 and S.IPv6 in x and bytes(x[S.IPv6].payload) == want:
            got.append(x)
        elif not v6 and S.IP in x and bytes(x[S.IP].payload) == want:
            got.append(x)
    return got


def check_crafted(rep, topo, r, pa, pb) -> dict[str, int]:
    """Returns what the crafted frames denied, by the ingress port ("0", "1")."""
    denied = {"0": 0, "1": 0}
    for what, frame, side, should_arrive, label, *answers in crafted_cases(topo):
        before = filter_rows(r.prefix)
        src, far = (pa, pb) if side == "a" else (pb, pa)
        t0 = time.monotonic()
        src.send(bytes(frame))
        time.sleep(WAIT)
        got = arrived(far, t0, frame)
        after = filter_rows(r.prefix)
        delta = {k: after[k]["packets"] - before[k]["packets"] for k in after
                 if after[k]["packets"] != before[k]["packets"]}
        want: dict[str, int] = {}
        for lab in ([label] if label else []) + (answers[0] if answers else []):
            k = key_of(after, lab)
            want[k] = want.get(k, 0) + 1
        far_name = "B" if side == "a" else "A"
        ok = (len(got) == 1) == should_arrive and len(got) <= 1 and delta == want
        rep.check(f"{what} from {side.upper()}: {'arrives at' if should_arrive else 'does not reach'}"
                  f" {far_name}; counted on {label or 'no rule'}",
                  ok, f"  at {far_name}: {len(got)} matching frame(s)"
                  + "".join(f"\n    {x.summary()}" for x in got)
                  + f"\n  /pingwire/filter moved: "
                  + ", ".join(f"rule {k} ({after[k].get('name') or after[k]['text']}) +{v}"
                              for k, v in delta.items()) + f"; want {want}")
        if not should_arrive:
            denied["0" if side == "a" else "1"] += 1
    return denied


def scrape(topo) -> str:
    cp = topo.run_in("r", ["curl", "-sS", "--max-time", "5",
                           f"http://127.0.0.1:{METRICS_PORT}/metrics"])
    if cp.returncode != 0:
        raise netns.HarnessError(f"curl /metrics failed: {cp.stderr}")
    return cp.stdout


_SAMPLE = re.compile(r'^pingwire_icmp_filter_packets_total\{(.*)\} (\S+)$', re.M)
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def check_views(rep, topo, rows, res) -> None:
    """Telemetry (just before the stop) == the exit summary's lines == Prometheus."""
    lines = re.findall(r"^icmp filter: (rule (\d+)|default) (.*?): (\d+) packets$", res.stdout,
                       re.M)
    summary = {(num if num else "default"): int(n) for _, num, _, n in lines}
    rep.check(f"exit summary: one 'icmp filter: rule N ...: K packets' line per rule and a "
              f"'default' line ({len(rows)} in all), each equal to /pingwire/filter",
              summary == counts(rows),
              "\n".join(f"  {k}: summary {summary.get(k)} telemetry {v}"
                        for k, v in counts(rows).items() if summary.get(k) != v)
              or indent("\n".join(ln for ln in res.stdout.splitlines()
                                  if ln.startswith("icmp filter:"))))
    sample = [ln for ln in res.stdout.splitlines() if ln.startswith("icmp filter: rule ")][:3]
    rep.check("the exit summary's rule lines read like 'icmp filter: rule 0 deny v4 type 11 "
              "code 1 in port 0 (no-reasm-te): N packets'",
              bool(sample) and sample[0].startswith("icmp filter: rule 0 deny v4 type 11 code 1 "
                                                    "in port 0 (no-reasm-te): "), indent(
                  "\n".join(sample)))


def check_metrics(rep, topo, rows) -> None:
    body = scrape(topo)
    got = {}
    for m in _SAMPLE.finditer(body):
        labels = dict(_LABEL.findall(m.group(1)))
        got[labels.get("rule")] = (int(float(m.group(2))), labels)
    same = {k: got.get(k, (None, {}))[0] == v for k, v in counts(rows).items()}
    k0 = got.get("0", (0, {}))[1]
    rep.check("Prometheus: pingwire_icmp_filter_packets_total{rule,action,family,type,code,in,"
              "out,name} for every rule and the default, equal to /pingwire/filter",
              all(same.values()) and len(got) == len(rows)
              and k0.get("action") == "deny" and k0.get("name") == "no-reasm-te"
              and k0.get("in") == "0" and k0.get("type") == "11",
              "\n".join(f"  rule {k}: metrics {got.get(k, (None,))[0]} telemetry "
                        f"{rows[k]['packets']}" for k in rows if not same[k])
              or indent("\n".join(ln for ln in body.splitlines()
                                  if "icmp_filter" in ln)[:3000]))


def check_cli(rep, args) -> None:
    exe = args.responder
    cases = [
        (["--port", "0,addr=198.18.9.1/24", "--icmp-policy", "rfc4890"], "need --forward"),
        (["--port", "0,addr=198.18.9.1/24", "--icmp-filter", "deny,v4,type=8"],
         "need --forward"),
        (["--port", "0,addr=198.18.9.1/24", "--forward", "--icmp-filter", "deny,v4,type=echo"],
         "type=echo: not a type number"),
        (["--port", "0,addr=198.18.9.1/24", "--forward", "--icmp-filter", "deny,v4,in=3"],
         "there is no --port 3"),
        (["--port", "0,addr=198.18.9.1/24", "--forward", "--icmp-policy",
          "rfc4890,deny-inbound-echo"], "needs outside=PORT"),
    ]
    for argv, want in cases:
        cp = subprocess.run([exe, "--", *argv], capture_output=True, text=True, timeout=20)
        lines = [ln for ln in cp.stderr.splitlines() if ln.strip()]
        rep.check(f"pingwire-responder -- {' '.join(argv)}: exit 2, one line saying '{want}'",
                  cp.returncode == 2 and len(lines) == 1 and want in lines[0],
                  f"exit {cp.returncode}\n{indent(cp.stdout + cp.stderr)}")


def wait_line(r, pattern: str, after: int, timeout: float = 10) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in r.stdout().splitlines()[after:]:
            if re.search(pattern, line):
                return line
        time.sleep(0.05)
    return None


def check_reload(rep, args, tmp: str) -> None:
    """The filter from a --config file, changed by SIGHUP: the new list applies at once, its
    counters start from zero, a broken rule is refused and the old list stays."""
    path = os.path.join(tmp, "filter.toml")

    def write(text: str) -> None:
        with open(path, "w") as f:
            f.write(text)

    def row(rows, name):
        return rows[key_of(rows, name)]["packets"]

    write('icmp-policy = "rfc4890"\n')
    with netns.RouterTopology(verbose=True) as topo:
        app = topo.router_args(extra=["--config", path])
        with netns.Responder(topo, args.responder, app_args=app) as r:
            netns.log(f"$ {r.command_line}   ({path}: {open(path).read().strip()})")
            r.start()
            p = topo.ping(["-c", "2", "-i", "0.2", "-W", "2", B_ADDR4])
            rows = filter_rows(r.prefix)
            rep.check("reload: from the file, icmp-policy = \"rfc4890\" (no deny-inbound-echo): "
                      "ping A -> B 2 of 2; ipv4-echo-request and ipv4-echo-reply count 2 each",
                      p.clean and p.received == 2 and row(rows, "ipv4-echo-request") == 2
                      and row(rows, "ipv4-echo-reply") == 2, p.evidence)
            write('icmp-policy = "rfc4890"\n'
                  'icmp-filter = ["deny,v4,type=echo-request,in=0,name=reload-echo"]\n')
            before = len(r.stdout().splitlines())
            r.proc.send_signal(signal.SIGHUP)
            line = wait_line(r, r"reload (applied|refused)", before)
            rows = filter_rows(r.prefix)
            rep.check("SIGHUP with an --icmp-filter rule added in the file: 'reload applied'; "
                      "/pingwire/filter shows it first, and every count starts again from 0",
                      line is not None and "reload applied" in line
                      and rows.get("0", {}).get("name") == "reload-echo"
                      and all(v["packets"] == 0 for v in rows.values()),
                      f"{line}\n" + indent("\n".join(f"{k}: {v.get('text')} ({v.get('name')}) "
                                                      f"{v['packets']}" for k, v in rows.items()
                                                      if v["packets"] or k == "0")))
            p = topo.ping(["-c", "2", "-i", "0.2", "-W", "1", B_ADDR4])
            rows = filter_rows(r.prefix)
            rep.check("after the reload: ping A -> B 0 of 2 (the new rule denies it), counted on "
                      "reload-echo (2)", p.received == 0 and p.errors == 0
                      and row(rows, "reload-echo") == 2 and row(rows, "ipv4-echo-request") == 0,
                      p.evidence)
            write('icmp-policy = "rfc4890"\nicmp-filter = ["deny,v4,type=echo-requests"]\n')
            before = len(r.stdout().splitlines())
            r.proc.send_signal(signal.SIGHUP)
            line = wait_line(r, r"reload (applied|refused)", before)
            p = topo.ping(["-c", "1", "-W", "1", B_ADDR4])
            rows = filter_rows(r.prefix)
            rep.check("SIGHUP with a broken rule: 'reload refused' naming it with FILE:LINE; the "
                      "old list stays (ping still denied, reload-echo 3)",
                      line is not None and "reload refused" in line
                      and "type=echo-requests" in line and f"{path}:2" in line
                      and p.received == 0 and row(rows, "reload-echo") == 3, f"{line}")
            res = r.stop()
        pcs, _ = netns.check_router_counters(rep, res, (0, 1))
        summary = re.findall(r"^icmp filter: rule 0 deny v4 type 8 in port 0 \(reload-echo\): "
                             r"(\d+) packets$", res.stdout, re.M)
        rep.check("exit summary: 'icmp filter: rule 0 deny v4 type 8 in port 0 (reload-echo): 3 "
                  "packets'; port 0 drop icmp_filtered 3",
                  summary == ["3"] and 0 in pcs and pcs[0].drop("icmp_filtered") == 3,
                  f"{summary}; drops {pcs[0].drops if 0 in pcs else None}")


def body(args, rep):
    pktutil.load_scapy()
    check_cli(rep, args)
    with netns.RouterTopology(verbose=True) as topo:
        setup_far_link(topo)
        topo.run_in("r", ["ip", "link", "set", "lo", "up"], check=True)  # --metrics: 127.0.0.1
        app = topo.router_args(extra=APP_EXTRA)
        with netns.Responder(topo, args.responder, app_args=app) as r, \
             netns.L2Port(topo.a_ns, topo.a_if) as pa, netns.L2Port(topo.b_ns, topo.b_if) as pb:
            netns.log(f"$ {r.command_line}")
            r.start()
            rows = filter_rows(r.prefix)
            labels = [v.get("name") for v in rows.values()]
            rep.check("/pingwire/filter lists the user rule first, then the policy's rows named "
                      "after their RFC sections, and the default (allow)",
                      rows.get("0", {}).get("name") == "no-reasm-te"
                      and "rfc4890-4.3.1-packet-too-big" in labels
                      and "rfc4890-4.3.3-mld-nd" in labels and "ipv4-frag-needed" in labels
                      and rows.get("default", {}).get("action") == "allow",
                      indent("\n".join(f"{k}: {v.get('action')} {v.get('text')} "
                                       f"({v.get('name')})" for k, v in rows.items())))
            check_pings(rep, topo)
            check_tracepath(rep, topo)
            denied = check_crafted(rep, topo, r, pa, pb)
            rows = filter_rows(r.prefix)
            check_metrics(rep, topo, rows)
            res = r.stop()
        pcs, _ = netns.check_router_counters(rep, res, (0, 1))
        check_views(rep, topo, rows, res)
        if len(pcs) == 2:
            # What the deny rules counted, by the port the packets came in on: every deny rule
            # here names its ingress (in=0, outside) or catches only what A sent (all crafted
            # denials came from A, the inbound pings too).
            deny_total = sum(v["packets"] for v in rows.values() if v.get("action") == "deny")
            got = {p: pcs[p].drop("icmp_filtered") for p in (0, 1)}
            rep.check(f"drop icmp_filtered: port 0 {deny_total} (= what the deny rules counted: "
                      f"{denied['0']} crafted + 6 pings from outside), port 1 0",
                      got == {0: deny_total, 1: 0} and deny_total == denied["0"] + 6,
                      f"port drops: {got}; deny rows total {deny_total}")
    with tempfile.TemporaryDirectory(prefix="pwf-") as tmp:
        check_reload(rep, args, tmp)


if __name__ == "__main__":
    netns.test_main("integration/filter", body, extra_tools=("tracepath", "ethtool", "curl"))
