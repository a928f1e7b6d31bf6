#!/usr/bin/python3
"""The command-line and operator contract of the pingwire programs, run against a real veth.

- Bad options and configuration mistakes (a duplicate address, a gateway off every subnet,
  overlapping or duplicate routes, a subnet on two ports): exit code 2, exactly one line on
  stderr (naming the problem), nothing on stdout, no packet path started. Run with real EAL
  arguments and the vdev present.
- An unknown option gets "did you mean --xyz?"; an EAL option among the program's (no "--") and
  a program option before "--" get the hint to put "--" between them.
- --help of all three programs: one usage line, no CLI11 type noise (TEXT, UINT:INT in [..],
  :{a,b}), every option with its default.
- SIGINT stops it like SIGTERM: exit 0 and a final summary whose counters add up.
- --stats-interval prints one timestamped block per interval: totals, rx/tx pps and bit/s,
  bytes, deltas (their sum is the total), the drop reasons that grew.
- Start-up: one line per lcore; the kernel-side warnings for the af_packet interface (an
  address, IPv6 on) appear exactly when the condition holds, with the fix; the checksum hint
  appears once after UDP with an unfilled checksum (a kernel peer with TX offload on); link
  down / up are logged; rate limits engaged are logged; --log-level pingwire.*:error silences
  the pingwire.* lines (rte_log types).
"""

import os
import re
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, PREFIX4, PREFIX6  # noqa: E402

GOOD_PORT = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
PORT1 = "1,addr=198.18.9.1/24"

# (what is wrong, the app arguments after `--`)
BAD_OPTIONS = [
    ("--port with a non-numeric port id", ["--port", "nonsense"]),
    ("no --port at all", []),
    ("unknown option", ["--port", GOOD_PORT, "--frobnicate"]),
    ("unknown --port key", ["--port", "0,color=blue"]),
    ("IPv4 address out of range", ["--port", "0,addr=198.18.0.300/24"]),
    ("IPv4 prefix length 33", ["--port", "0,addr=198.18.0.2/33"]),
    ("IPv6 prefix length 129", ["--port", "0,addr=2001:2::2/129"]),
    ("malformed MAC", ["--port", "0,mac=zz:00:00:00:00:02,addr=198.18.0.2/24"]),
    ("multicast MAC", ["--port", "0,mac=01:00:5e:00:00:01,addr=198.18.0.2/24"]),
    ("MTU out of range", ["--port", "0,mtu=99999999999,addr=198.18.0.2/24"]),
    ("--stats-interval not a number", ["--port", GOOD_PORT, "--stats-interval", "abc"]),
    ("--stats-interval negative", ["--port", GOOD_PORT, "--stats-interval", "-1"]),
    ("the same port id configured twice",
     ["--port", "0,addr=198.18.0.2/24", "--port", "0,addr=198.18.0.3/24"]),
    ("--neigh without --forward", ["--port", GOOD_PORT, "--neigh", "198.18.0.1,mac=02:00:00:00:00:01"]),
    ("--neigh without mac=", ["--port", GOOD_PORT, "--forward", "--neigh", "198.18.0.1"]),
    ("--neigh off every subnet",
     ["--port", GOOD_PORT, "--forward", "--neigh", "198.19.7.7,mac=02:00:00:00:00:01"]),
    ("--neigh on a port not configured",
     ["--port", GOOD_PORT, "--forward", "--neigh", "198.18.0.1,mac=02:00:00:00:00:01,port=5"]),
]

# Configuration mistakes: the options parse, the configuration contradicts itself.
# (what is wrong, app arguments, a regex the one line must match)
CONFIG_MISTAKES = [
    ("duplicate address on one port", ["--port", "0,addr=198.18.0.2/24,addr=198.18.0.2/24"],
     r"port 0: address 198\.18\.0\.2 is given twice"),
    ("one address on two ports", ["--port", "0,addr=198.18.0.2/24", "--port",
                                  "1,addr=198.18.0.2/24"],
     r"address 198\.18\.0\.2 is on port 0 and on port 1 \(an address belongs to one port\)"),
    ("a subnet on two ports (router)", ["--forward", "--port", "0,addr=198.18.0.2/24", "--port",
                                        "1,addr=198.18.0.3/24"],
     r"subnet 198\.18\.0\.0/24 is connected on port 0 and on port 1 \(a router has one link "
     r"per subnet\)"),
    ("gateway off every subnet", ["--forward", "--port", GOOD_PORT, "--route",
                                  "198.19.0.0/16,via=198.18.5.1"],
     r"--route 198\.19\.0\.0/16,via=198\.18\.5\.1: .*gateway 198\.18\.5\.1 is not on any "
     r"connected subnet.*"),
    ("gateway off port=ID's subnets", ["--forward", "--port", GOOD_PORT, "--port", PORT1,
                                       "--route", "198.19.0.0/16,via=198.18.0.1,port=1"],
     r".*gateway 198\.18\.0\.1 is not on a connected subnet of port 1"),
    ("gateway is our own address", ["--forward", "--port", GOOD_PORT, "--route",
                                    "198.19.0.0/16,via=198.18.0.2"],
     r".*gateway 198\.18\.0\.2 is one of our own addresses"),
    ("a route given twice", ["--forward", "--port", GOOD_PORT, "--route",
                             "198.19.0.0/16,via=198.18.0.1", "--route", "198.19.0.0/16,reject"],
     r".*198\.19\.0\.0/16: the prefix is already routed via 198\.18\.0\.1.*"),
    ("a route over a connected subnet", ["--forward", "--port", GOOD_PORT, "--route",
                                         "198.18.0.0/24,via=198.18.0.1"],
     r".*198\.18\.0\.0/24: the prefix is already connected on port 0"),
    ("an IPv6 route via a link-local gateway without port=",
     ["--forward", "--port", GOOD_PORT, "--route", "2001:2:9::/48,via=fe80::1"],
     r".*gateway fe80::1 is link-local: say which port with port=ID"),
]

TYPE_NOISE = re.compile(r"\b(TEXT|UINT|INT|FLOAT|BOOLEAN|UINT64)\b|:\{|in \[|REQUIRED|Usage:")


def one_error(res) -> list[str]:
    return [l for l in res.stderr.splitlines() if l.strip()]


def bad_options(args, rep, topo):
    for what, app_args in BAD_OPTIONS:
        with netns.Responder(topo, args.responder, app_args=app_args) as r:
            r.spawn()
            res = r.wait_exit(timeout=15)
            err_lines = one_error(res)
            ok = (res.rc == 2 and len(err_lines) == 1 and not res.stdout.strip()
                  and netns.READY_MARK not in res.stdout)
            rep.check(f"bad options ({what}): exit 2, one line on stderr, nothing on stdout",
                      ok, f"$ {r.command_line}\n{res.evidence}")


def config_mistakes(args, rep, topo):
    for what, app_args, pattern in CONFIG_MISTAKES:
        with netns.Responder(topo, args.responder, app_args=app_args) as r:
            r.spawn()
            res = r.wait_exit(timeout=15)
            err = one_error(res)
            ok = (res.rc == 2 and len(err) == 1 and not res.stdout.strip()
                  and re.fullmatch(r"pingwire-responder: error: " + pattern, err[0]) is not None)
            rep.check(f"configuration mistake ({what}): exit 2, its one line /{pattern}/, "
                      f"nothing on stdout", ok, f"$ {r.command_line}\n{res.evidence}")


def hints(args, rep, topo):
    eal = ["-l", "0,1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix",
           f"{topo.tag}-hint", "--vdev", f"net_af_packet0,iface={topo.dut_if}"]
    cases = [
        ("a misspelt option", [*eal, "--", "--port", GOOD_PORT, "--forwrd"],
         "pingwire-responder: error: unknown option --forwrd (did you mean --forward?) "
         "(see --help)"),
        ("a misspelt option (two letters swapped)",
         [*eal, "--", "--port", GOOD_PORT, "--stats-intervla", "1"],
         "pingwire-responder: error: unknown option --stats-intervla (did you mean "
         "--stats-interval?) (see --help)"),
        ("no -- at all: EAL options among the program's", [*eal, "--port", GOOD_PORT],
         "pingwire-responder: error: -l is an EAL option: put -- between the EAL options and "
         "pingwire's (e.g. pingwire-responder -l 0,1 --no-huge --vdev ... -- --port 0,...)"),
        ("--port before --", [*eal, "--port", GOOD_PORT, "--", "--stats-interval", "1"],
         "pingwire-responder: error: --port is a pingwire option: put -- between the EAL "
         "options and pingwire's (e.g. pingwire-responder -l 0,1 --no-huge --vdev ... -- "
         "--port 0,...)"),
        ("--stats-interval before -- (the rest parses)",
         [*eal, "--stats-interval", "1", "--", "--port", GOOD_PORT],
         "pingwire-responder: error: --stats-interval is a pingwire option: put -- between "
         "the EAL options and pingwire's (e.g. pingwire-responder -l 0,1 --no-huge --vdev ... "
         "-- --port 0,...)"),
        ("a --vdev on an interface this namespace lacks (the EAL would go on with no port)",
         [*eal[:-1], "net_af_packet0,iface=pwnosuch0", "--", "--port", GOOD_PORT],
         "pingwire-responder: error: --vdev net_af_packet0,iface=pwnosuch0: no interface "
         "pwnosuch0 in this network namespace (`ip link` lists them; run where it is, e.g. ip "
         "netns exec NS ...)"),
    ]
    for what, rest, want in cases:
        cp = topo.dut([args.responder, *rest], timeout=20)
        err = [l for l in cp.stderr.splitlines() if l.strip()]
        ok = cp.returncode == 2 and err == [want] and not cp.stdout.strip()
        rep.check(f"hint ({what}): exit 2 and the one line '{want}'", ok,
                  f"$ {args.responder} {' '.join(rest)}\n  exit {cp.returncode}\n  stderr:\n"
                  f"{netns.indent(cp.stderr)}\n  stdout:\n{netns.indent(cp.stdout)}")
    shutil.rmtree(f"{netns.DPDK_RUN_DIR}/{topo.tag}-hint", ignore_errors=True)


def option_blocks(text: str) -> list[list[str]]:
    """[option names, its whole help text] of each option in a --help output."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if re.match(r"^  -", line):
            blocks.append([line.split()[0], line])
        elif blocks and line.startswith("      "):
            blocks[-1][1] += " " + line.strip()
    return blocks


def help_texts(args, rep):
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(args.responder))))
    progs = [("pingwire-responder", args.responder),
             ("pingwire-flood", os.path.join(build, "apps", "flood", "pingwire-flood")),
             ("pingwire-conform", os.path.join(build, "apps", "conform", "pingwire-conform"))]
    for name, exe in progs:
        if not os.access(exe, os.X_OK):
            netns.log(f"NOTE: {name} --help not checked: {exe} is not built")
            continue
        cp = netns.run([exe, "--help"], check=False)
        usage = [l for l in cp.stdout.splitlines() if re.match(r"^\s*usage\b", l, re.I)]
        rep.check(f"{name} --help: exit 0, exactly one usage line", cp.returncode == 0
                  and len(usage) == 1, netns.indent(cp.stdout[:1500]))
        noise = [l for l in cp.stdout.splitlines() if TYPE_NOISE.search(l)]
        rep.check(f"{name} --help: no CLI11 type noise (TEXT, UINT:INT in [..], :{{..}})",
                  not noise, netns.indent("\n".join(noise)))
        blocks = option_blocks(cp.stdout)
        missing = [n for n, t in blocks
                   if n not in ("-h,--help", "--version") and "default" not in t
                   and "required" not in t]
        rep.check(f"{name} --help: every option ({len(blocks)}) says its default", bool(blocks)
                  and not missing, f"without a default: {missing}")
        bad = netns.run([exe, "--" + "frobnicate"], check=False)
        rep.check(f"{name}: an unknown option exits 2 with one line",
                  bad.returncode == 2 and len(bad.stderr.splitlines()) == 1, bad.stderr)


def sigint_stops(args, rep, topo):
    with netns.Responder(topo, args.responder, app_args=["--port", GOOD_PORT]) as r:
        r.start()
        p4 = topo.ping(["-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR4])
        p6 = topo.ping(["-6", "-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR6])
        rep.check("pings before SIGINT answered", p4.clean and p6.clean,
                  p4.evidence + "\n" + p6.evidence)
        res = r.stop(signal.SIGINT)
        rep.check("SIGINT: exit 0 with the final summary",
                  res.rc == 0 and not res.killed and netns.FINAL_MARK in res.stdout,
                  res.evidence)
        netns.check_counters(rep, res, 0, min_echo4=p4.received, min_echo6=p6.received)
        lcores = [l for l in res.stdout.splitlines() if l.startswith("lcore ")]
        rep.check("start-up: one line per lcore (control and worker, socket, queues polled)",
                  len(lcores) == 2 and "control" in lcores[0]
                  and re.search(r"worker 0, socket \d+, rx port 0 queue 0", lcores[1]) is not None,
                  netns.indent("\n".join(lcores)))
        warn = [l for l in res.stderr.splitlines() if "warning:" in l or "hint:" in l]
        rep.check("no kernel-side warning when the DPDK-side veth has no address and IPv6 off",
                  not warn, netns.indent(res.stderr))


RE_STATS = re.compile(r"^stats: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z), ([\d.]+) s since",
                      re.M)
RE_RATE = re.compile(r"^  rate: rx-pps (\d+) rx-bps (\d+) tx-pps (\d+) tx-bps (\d+)$", re.M)
RE_BYTES = re.compile(r"^  bytes: rx (\d+) tx (\d+) \(\+(\d+) \+(\d+)\)", re.M)
RE_DELTA = re.compile(r"^  delta: rx \+(\d+) tx \+(\d+) answered \+(\d+) .*dropped \+(\d+)"
                      r"(?: \(([^)]*)\))?", re.M)


def stats_interval(args, rep, topo):
    with netns.Responder(topo, args.responder,
                         app_args=["--port", GOOD_PORT, "--stats-interval", "0.5"]) as r:
        r.start()
        p4 = topo.ping(["-c", "10", "-i", "0.05", "-w", "10", DUT_ADDR4])
        time.sleep(1.3)
        running = r.stdout()
        res = r.stop()
    heads = RE_STATS.findall(running)
    rates = [tuple(map(int, m)) for m in RE_RATE.findall(running)]
    byts = [tuple(map(int, m)) for m in RE_BYTES.findall(running)]
    deltas = RE_DELTA.findall(running)
    rep.check(f"--stats-interval 0.5: a timestamped block per interval ({len(heads)} in ~2 s), "
              f"each with rate, bytes and delta lines",
              len(heads) >= 2 and len(rates) == len(heads) == len(byts) == len(deltas)
              and all(0.3 < float(s) < 1.5 for _, s in heads[1:]) and p4.clean,
              netns.indent(running[-2500:]))
    last = netns.parse_summary(running).get(0)
    rep.check("--stats-interval: the periodic counters show the echo replies (totals)",
              last is not None and last.replies.get("echo4_reply", 0) >= p4.received,
              f"last periodic block: {last.lines if last else None}")
    # The deltas add up to the totals of the last block; bytes grow by their deltas.
    sum_rx = sum(int(d[0]) for d in deltas)
    rep.check(f"--stats-interval: the rx deltas add up to the last block's total "
              f"({sum_rx} == {last.rx if last else None})",
              last is not None and sum_rx == last.rx, netns.indent(running[-1500:]))
    grow = all(byts[i][0] == byts[i - 1][0] + byts[i][2] for i in range(1, len(byts)))
    rep.check("--stats-interval: device bytes grow by their deltas, rates while pinging > 0",
              grow and any(r_[0] > 0 and r_[1] > 0 and r_[2] > 0 for r_ in rates),
              f"bytes {byts}\nrates {rates}")
    rep.check("--stats-interval: SIGTERM still exits 0 with the final summary",
              res.rc == 0 and netns.FINAL_MARK in res.stdout, res.evidence)


def kernel_side(args, rep, topo):
    """The DPDK-side veth given an address and IPv6: both warnings, each with its fix."""
    d = topo.dut_if
    topo.dut(["ip", "addr", "add", "198.18.0.77/24", "dev", d], check=True)
    topo.dut(["sysctl", "-qw", f"net.ipv6.conf.{d}.disable_ipv6=0"], check=True)
    try:
        with netns.Responder(topo, args.responder, app_args=["--port", GOOD_PORT]) as r:
            r.start()
            time.sleep(0.3)
            err = r.stderr()
            res = r.stop()
        rep.check("kernel holds an address on the af_packet veth: a warning naming it and "
                  f"'ip addr flush dev {d}'",
                  re.search(rf"warning: port 0 \(net_af_packet0\) shares kernel interface {d}, "
                            rf"where the kernel holds addresses \(198\.18\.0\.77/24\).*ip addr "
                            rf"flush dev {d}$", err, re.M) is not None, netns.indent(err))
        rep.check("kernel has IPv6 on the af_packet veth: a warning with (DUP!) and "
                  f"'sysctl -w net.ipv6.conf.{d}.disable_ipv6=1'",
                  re.search(rf"IPv6 on: .*\(DUP!\).*sysctl -w net\.ipv6\.conf\.{d}\."
                            rf"disable_ipv6=1$", err, re.M) is not None, netns.indent(err))
        rep.check("... and it still runs (exit 0)", res.rc == 0, res.evidence)
        # --log-level applies to the pingwire.* types: errors only, the warnings go.
        with netns.Responder(topo, args.responder, app_args=["--port", GOOD_PORT],
                             eal_extra=["--log-level", "pingwire.*:error"]) as r:
            r.start()
            time.sleep(0.3)
            err = r.stderr()
            r.stop()
        rep.check("--log-level 'pingwire.*:error' silences the pingwire.port warnings",
                  "warning:" not in err, netns.indent(err))
    finally:
        topo.dut(["ip", "addr", "flush", "dev", d])
        topo.dut(["sysctl", "-qw", f"net.ipv6.conf.{d}.disable_ipv6=1"])


def udp_burst(topo, port: int, n: int) -> None:
    code = ("import socket\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"for i in range({n}): s.sendto(b'pingwire', ('{DUT_ADDR4}', {port}))\n")
    topo.host(["/usr/bin/python3", "-c", code], check=True)


def events(args, rep, topo):
    """The checksum hint (once), link down / up, rate limits engaged."""
    hint_re = re.compile(r"hint: port 0 \(net_af_packet0\) on kernel interface \S+ drops frames "
                         r"with bad checksums \(udp_bad_checksum \d+\).*ethtool -K \S+ tx off")
    with netns.Responder(topo, args.responder, app_args=["--port", GOOD_PORT]) as r:
        r.start()
        # TX checksum offload on (the veth default): the host's UDP leaves unfinished.
        topo.host_tx_checksum(True)
        p = topo.ping(["-c", "1", "-w", "5", DUT_ADDR4])
        time.sleep(0.3)
        before = r.stderr()
        udp_burst(topo, 33434, 2)
        time.sleep(0.5)
        udp_burst(topo, 33435, 2)
        time.sleep(0.5)
        after = r.stderr()
        rep.check("no checksum hint before a bad checksum arrives", p.received == 1
                  and not hint_re.search(before), netns.indent(before))
        rep.check("UDP with unfilled checksums (peer TX offload on): the hint appears once, "
                  "naming udp_bad_checksum and 'ethtool -K ... tx off'",
                  len(hint_re.findall(after)) == 1, netns.indent(after))
        # Rate limits engaged: Port Unreachable to one destination beyond its burst of 6.
        topo.host_tx_checksum(False)
        udp_burst(topo, 33436, 30)
        time.sleep(0.5)
        udp_burst(topo, 33437, 30)
        time.sleep(1.3)
        # Link down and up on the peer's side: the carrier goes, then comes back.
        topo.host(["ip", "link", "set", topo.host_if, "down"], check=True)
        time.sleep(0.6)
        topo.host(["ip", "link", "set", topo.host_if, "up"], check=True)
        time.sleep(0.6)
        err = r.stderr()
        res = r.stop()
    rl = re.findall(r"^(\S+) pingwire-responder icmp: rate limits engaged: (\d+) ICMP errors "
                    r"not sent", err, re.M)
    pc = res.ports.get(0)
    limited = (pc.errors.get("rate_limited_host", 0) + pc.errors.get("rate_limited_global", 0)
               if pc else 0)
    rep.check(f"rate limits engaged: logged ({len(rl)} lines), their counts add up to the "
              f"summary's rate_limited_host + rate_limited_global {limited}",
              1 <= len(rl) <= 3 and sum(int(n) for _, n in rl) == limited and limited > 0,
              netns.indent(err))
    down = re.search(r"^\S+Z pingwire-responder port: port 0 \(net_af_packet0\): link down$", err,
                     re.M)
    up = re.search(r"^\S+Z pingwire-responder port: port 0 \(net_af_packet0\): link up, speed "
                   r"\S+ Mbps, full-duplex$", err, re.M)
    rep.check("link down, then up, each logged with the time (and speed, duplex)",
              down is not None and up is not None and down.start() < up.start(),
              netns.indent(err))
    netns.check_counters(rep, res, 0)


def neighbour_failed(args, rep, topo):
    """Router mode on one port, a route via a next hop nobody answers for: its resolution
    fails, and the failure is logged (pingwire.neigh) with the entry."""
    app = ["--forward", "--port", GOOD_PORT, "--route", "198.19.0.0/16,via=198.18.0.50"]
    topo.host(["ip", "route", "add", "198.19.0.0/16", "via", DUT_ADDR4], check=True)
    try:
        with netns.Responder(topo, args.responder, app_args=app) as r:
            r.start()
            p = topo.ping(["-c", "2", "-i", "0.5", "-W", "1", "198.19.0.1"])
            deadline = time.monotonic() + 8
            line = None
            while time.monotonic() < deadline and line is None:
                time.sleep(0.2)
                line = re.search(r"^\S+Z pingwire-responder neigh: port 0 198\.18\.0\.50 failed: "
                                 r"no answer to \d+ probes.*$", r.stderr(), re.M)
            err = r.stderr()
            res = r.stop()
        rep.check("a next hop that never answers: its failure is logged once (pingwire.neigh), "
                  "naming port and address", line is not None
                  and len(re.findall(r"198\.18\.0\.50 failed", err)) == 1 and p.received == 0,
                  netns.indent(err) + "\n" + p.output)
        rep.check("... and the router exits 0", res.rc == 0, res.evidence)
    finally:
        topo.host(["ip", "route", "del", "198.19.0.0/16"])


def body(args, rep):
    help_texts(args, rep)
    with netns.Topology(verbose=True) as topo:
        bad_options(args, rep, topo)
        config_mistakes(args, rep, topo)
        hints(args, rep, topo)
        sigint_stops(args, rep, topo)
        stats_interval(args, rep, topo)
        kernel_side(args, rep, topo)
        events(args, rep, topo)
        neighbour_failed(args, rep, topo)


if __name__ == "__main__":
    netns.test_main("integration/cli", body)
