#!/usr/bin/python3
"""Helpers of pingwire-conform's integration tests (stdlib only): the bench, a RUT, a run.

The bench (ConformTopology), made fresh for each test and always removed again:

    tool namespace (…-a)                          RUT namespace (…-r)
    t0  [pingwire-conform port 0]  <-- veth -->  r0  198.18.0.254/24 2001:2::fe/64
        198.18.0.1/24 2001:2::1/64
    t1  [pingwire-conform port 1]  <-- veth -->  r1  198.18.1.254/24 2001:2:0:1::fe/64, mtu 1400
        198.18.1.1/24 2001:2:0:1::1/64

rut="linux": the RUT is the Linux kernel of the RUT namespace (forwarding on, the addresses
above on r0 / r1, r1's MTU 1400, TX checksum offload off on both: the README's veth note).
rut="pingwire": the RUT is pingwire-responder --forward on net_af_xdp (r0, r1: no address,
IPv6 off, so that kernel stays silent). net_af_xdp, not net_af_packet: AF_PACKET's fanout
hands DPDK IPv4 fragments reassembled and lone fragments not at all, and the fragment checks
need them as sent.

The tool's ports are net_af_packet on t0 / t1 (their kernel silent: no address, IPv6 off).
Only 198.18.0.0/15 and 2001:2::/48 are used (plus loopback and the martian sources the
error-on-error checks must send), and only on these veths.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import log, run  # noqa: E402

RUT_IN4, RUT_IN6, RUT_OUT4, RUT_OUT6 = "198.18.0.254", "2001:2::fe", "198.18.1.254", "2001:2:0:1::fe"
MTU_OUT = 1400
PORT_ARGS = ["--port", "0,addr=198.18.0.1/24,addr=2001:2::1/64",
             "--port", "1,addr=198.18.1.1/24,addr=2001:2:0:1::1/64",
             "--rut-in", RUT_IN4, "--rut-in", RUT_IN6, "--rut-out", RUT_OUT4, "--rut-out", RUT_OUT6]
RE_SUMMARY = re.compile(
    r"^conform: (\d+) pass, (\d+) fail, (\d+) not-applicable, (\d+) inconclusive$", re.M)


def default_conform() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "build", "apps", "conform", "pingwire-conform")


class ConformTopology:
    """The bench (module docstring). A context manager."""

    def __init__(self, rut: str = "linux"):
        n = next(netns._counter)
        self.tag = f"{netns.NS_PREFIX}-{os.getpid()}-{n}"
        self.tool_ns, self.rut_ns = f"{self.tag}-a", f"{self.tag}-r"
        short = f"pwc{os.getpid() % 10000}{n}"
        self.t0, self.t1, self.r0, self.r1 = (f"{short}t0", f"{short}t1", f"{short}r0",
                                              f"{short}r1")
        self.rut = rut
        self._made: list[str] = []

    def __enter__(self) -> "ConformTopology":
        netns.remove_stale()
        try:
            self.create()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    def rut_cmd(self, cmd: list[str], check: bool = True):
        return run(["ip", "netns", "exec", self.rut_ns, *cmd], check=check)

    def create(self) -> None:
        for ns in (self.tool_ns, self.rut_ns):
            run(["ip", "netns", "add", ns])
            self._made.append(ns)
        run(["ip", "link", "add", self.t0, "netns", self.tool_ns, "type", "veth", "peer", "name",
             self.r0, "netns", self.rut_ns])
        run(["ip", "link", "add", self.t1, "netns", self.tool_ns, "type", "veth", "peer", "name",
             self.r1, "netns", self.rut_ns])
        for i in (self.t0, self.t1):
            run(["ip", "netns", "exec", self.tool_ns, "sysctl", "-qw",
                 f"net.ipv6.conf.{i}.disable_ipv6=1"])
            run(["ip", "-n", self.tool_ns, "link", "set", i, "up"])
        self.rut_cmd(["ip", "link", "set", "lo", "up"])
        if self.rut == "linux":
            self.rut_cmd(["sysctl", "-qw", "net.ipv4.ip_forward=1",
                          "net.ipv6.conf.all.forwarding=1"])
            for dev, a4, a6 in ((self.r0, "198.18.0.254/24", "2001:2::fe/64"),
                                (self.r1, "198.18.1.254/24", "2001:2:0:1::fe/64")):
                self.rut_cmd(["ip", "addr", "add", a4, "dev", dev])
                self.rut_cmd(["ip", "addr", "add", a6, "dev", dev, "nodad"])
                self.rut_cmd(["ethtool", "-K", dev, "tx", "off"])
            self.rut_cmd(["ip", "link", "set", self.r1, "mtu", str(MTU_OUT)])
        else:
            for dev in (self.r0, self.r1):
                self.rut_cmd(["sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1"])
        for dev in (self.r0, self.r1):
            self.rut_cmd(["ip", "link", "set", dev, "up"])
        log(f"bench: {self.tool_ns} ({self.t0}, {self.t1}) <-> {self.rut_ns} ({self.r0}, "
            f"{self.r1}), RUT {self.rut}")

    def sysctl(self, **kv) -> None:
        """Linux RUT: sets net.* sysctls in its namespace (names with '__' for '.')."""
        self.rut_cmd(["sysctl", "-qw", *[f"{k.replace('__', '.')}={v}" for k, v in kv.items()]])

    def destroy(self) -> None:
        with netns.signals_deferred():
            for ns in reversed(self._made):
                run(["ip", "netns", "del", ns], check=False)
            self._made.clear()


class Responder:
    """pingwire-responder --forward as the RUT, on net_af_xdp in the RUT namespace."""

    def __init__(self, topo: ConformTopology, exe: str, extra: list[str]):
        self.prefix = f"{topo.tag}-r{next(netns._counter)}"
        self.argv = ["ip", "netns", "exec", topo.rut_ns, exe, "-l", "0,1", "--no-huge", "-m",
                     "512", "--no-pci", "--file-prefix", self.prefix,
                     "--vdev", f"net_af_xdp0,iface={topo.r0}",
                     "--vdev", f"net_af_xdp1,iface={topo.r1}", "--",
                     "--forward", "--port", "0,addr=198.18.0.254/24,addr=2001:2::fe/64",
                     "--port", f"1,addr=198.18.1.254/24,addr=2001:2:0:1::fe/64,mtu={MTU_OUT}",
                     *extra]
        self.proc: subprocess.Popen | None = None
        self.out = ""
        self.noted = False

    def __enter__(self) -> "Responder":
        log(f"RUT: {shlex.join(self.argv)}")
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        deadline = time.monotonic() + 20
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "pingwire-responder: ready" in line:
                return self
        self.stop()
        raise netns.HarnessError("pingwire-responder did not start:\n" + "".join(lines) +
                                 self.out)

    def stop(self) -> str:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.out += self.proc.communicate(timeout=20)[0]
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.out += self.proc.communicate()[0]
        import shutil
        shutil.rmtree(f"{netns.DPDK_RUN_DIR}/{self.prefix}", ignore_errors=True)
        if not self.noted:  # the Report asserts its exit line 'mempool: ... (0 in use)'
            self.noted = netns.note_exit_summary("pingwire-responder (RUT)", self.out) is not None
        return self.out

    def __exit__(self, *exc) -> None:
        self.stop()


class ConformRun:
    def __init__(self, rc: int, stdout: str, stderr: str, report: dict | None, argv: list[str]):
        self.rc, self.stdout, self.stderr, self.report, self.argv = rc, stdout, stderr, report, argv

    @property
    def evidence(self) -> str:
        tail = "\n".join(self.stdout.splitlines()[-90:])
        err = "\n".join(self.stderr.splitlines()[-15:])
        return f"$ {shlex.join(self.argv)}\nexit {self.rc}\n--- stdout (tail)\n{tail}\n--- stderr (tail)\n{err}"

    def verdicts(self) -> dict[str, str]:
        return {c["id"]: c["verdict"] for c in (self.report or {}).get("checks", [])}

    def evidence_of(self, check_id: str) -> str:
        for c in (self.report or {}).get("checks", []):
            if c["id"] == check_id:
                return c["evidence"]
        return "(not run)"

    def models(self, trigger: str, family: int) -> dict[str, dict]:
        """The rate-limit models of one trigger and family, by scope."""
        return {m["scope"]: m for m in (self.report or {}).get("ratelimit", [])
                if m["trigger"] == trigger and m["family"] == family}


def experiment(res: ConformRun, what: str) -> dict | None:
    for e in (res.report or {}).get("experiments", []):
        if e["what"] == what:
            return e
    return None


def conform(topo: ConformTopology, exe: str, args: list[str], timeout: float = 240,
            pcap: str | None = None) -> ConformRun:
    """Runs pingwire-conform on the bench's tool side; its JSON report read back."""
    prefix = f"{topo.tag}-c{next(netns._counter)}"
    fd, json_path = tempfile.mkstemp(prefix="pw-conform-", suffix=".json")
    os.close(fd)
    argv = ["ip", "netns", "exec", topo.tool_ns, exe, "-l", "0,1", "--no-huge", "-m", "512",
            "--no-pci", "--file-prefix", prefix, "--vdev", f"net_af_packet0,iface={topo.t0}",
            "--vdev", f"net_af_packet1,iface={topo.t1}", "--", *PORT_ARGS, "--json", json_path,
            *args]
    if pcap:
        argv += ["--pcap", pcap]
    try:
        cp = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        report = None
        try:
            with open(json_path) as f:
                report = json.load(f)
        except (OSError, ValueError):
            pass
        # The Report asserts the exit line 'mempool: N of N mbufs free (0 in use)'.
        netns.note_exit_summary("pingwire-conform", cp.stdout)
        return ConformRun(cp.returncode, cp.stdout, cp.stderr, report, argv)
    finally:
        os.unlink(json_path)
        import shutil
        shutil.rmtree(f"{netns.DPDK_RUN_DIR}/{prefix}", ignore_errors=True)


def check_catalogue(rep: netns.Report, res: ConformRun, expected: dict[str, tuple[str, str]],
                    what: str) -> None:
    """Every check's verdict is the expected one (default pass; `expected` maps an ID to the
    verdict and why), the summary line matches the JSON, exit 0."""
    rep.check(f"{what}: exit 0 and a JSON report", res.rc == 0 and res.report is not None,
              res.evidence)
    if res.report is None:
        return
    v = res.verdicts()
    m = RE_SUMMARY.search(res.stdout)
    counts = [sum(1 for x in v.values() if x == k)
              for k in ("pass", "fail", "not-applicable", "inconclusive")]
    rep.check(f"{what}: the summary line counts the verdicts ({counts})",
              m is not None and [int(g) for g in m.groups()] == counts,
              m.group(0) if m else "no summary line")
    rep.check(f"{what}: at least 55 checks ran", len(v) >= 55, f"{len(v)} checks")
    for cid, verdict in sorted(v.items()):
        want, why = expected.get(cid, ("pass", ""))
        rep.check(f"{what}: {cid} is {want}{' (' + why + ')' if why else ''}", verdict == want,
                  f"verdict {verdict}: {res.evidence_of(cid)}")


def within(value: float | None, want: float, tol: float) -> bool:
    return value is not None and abs(value - want) <= tol * want


def check_model(rep: netns.Report, res: ConformRun, what: str, trigger: str, family: int,
                scope: str, rate: float, burst: float | None, tol: float) -> None:
    m = res.models(trigger, family).get(scope)
    ev = json.dumps(m, indent=None)[:1500] if m else json.dumps(
        (res.report or {}).get("ratelimit", []))[:1500]
    rep.check(f"{what}: {trigger} v{family} {scope} rate {m and m['rate_pps']} within "
              f"{tol:.0%} of {rate:g}/s",
              m is not None and within(m["rate_pps"], rate, tol), ev)
    if burst is not None:
        rep.check(f"{what}: {trigger} v{family} {scope} burst {m and m['burst']} within "
                  f"{tol:.0%} of {burst:g}",
                  m is not None and within(m["burst"], burst, tol), ev)


def ratelimit_args(families, triggers, rates: str = "10,100,1000,10000") -> list[str]:
    """--ratelimit for these families and triggers (only one quick check besides)."""
    # Pauses of 0.5 s: the buckets of the settings tested refill in 0.3 s at most (the
    # single-source steps take a fresh source each).
    out = ["--only", "v4.te.ttl1", "--ratelimit", "--ratelimit-rates", rates,
           "--ratelimit-pause", "0.5"]
    for f in families:
        out += ["--ratelimit-family", str(f)]
    for t in triggers:
        out += ["--ratelimit-trigger", t]
    return out


def check_ratelimit(rep: netns.Report, res: ConformRun, what: str, families, triggers,
                    ms4: int, ms6: int, per_sec: int, tol: float, global_cost: str) -> None:
    """What a Linux-shaped limiter must show: per source 1000/ms per second after a burst of
    6, a global per_sec shared by IPv4 and IPv6, frag-needed / PTB exempt, the two triggers
    in one per-source bucket, the per-source limit first. global_cost: "linux" (refills every
    20 ms, cost randomised), "fixed" (not randomised) or "any"."""
    rep.check(f"{what}: exit 0, the rate-limit table printed",
              res.rc == 0 and "TRIGGER" in res.stdout, res.evidence)
    for f in families:
        ms = ms4 if f == 4 else ms6
        check_model(rep, res, what, "time-exceeded", f, "per-source", 1000 / ms, 6, tol)
        check_model(rep, res, what, "time-exceeded", f, "global", per_sec, None, tol)
        g = res.models("time-exceeded", f).get("global") or {}
        if global_cost == "any":
            pass
        elif global_cost == "linux":
            rep.check(f"{what}: v{f} global bucket refilled every 20 ms (HZ/50), cost randomised",
                      g.get("refill_ms") is not None and abs(g["refill_ms"] - 20) <= 3 and
                      g.get("cost") == "randomised", str(g)[:800])
        else:
            rep.check(f"{what}: v{f} global cost not randomised", g.get("cost") != "randomised",
                      str(g)[:800])
        if "frag-needed" in triggers:
            m = res.models("frag-needed", f)
            rep.check(f"{what}: frag-needed v{f} not limited (scope none: exempt)",
                      list(m.keys()) == ["none"], str(m)[:800])
        if "port-unreachable" in triggers:
            e = experiment(res, f"shares: time-exceeded v{f} / port-unreachable v{f} (per-source)")
            rep.check(f"{what}: time-exceeded and port-unreachable v{f} share one per-source "
                      f"bucket", e is not None and e["verdict"] == "shared", str(e))
    if "port-unreachable" in triggers and 4 in families and 6 in families:
        e = experiment(res, "shares: time-exceeded v4 / time-exceeded v6 (global)")
        rep.check(f"{what}: IPv4 and IPv6 share the global bucket",
                  e is not None and e["verdict"] == "shared", str(e))
        e = experiment(res, "order of the per-source and global limits")
        rep.check(f"{what}: the per-source limit applies before the global one is spent "
                  f"(Linux since the CVE-2024-47678 fix)",
                  e is not None and e["verdict"].startswith("per-source first"), str(e))


def main(name: str, body, need_responder: bool = False) -> None:
    import argparse
    ap = argparse.ArgumentParser(description=name)
    ap.add_argument("--conform", default=default_conform(), help="path to pingwire-conform")
    ap.add_argument("--responder", default=netns.default_responder(),
                    help="path to pingwire-responder")
    args = ap.parse_args()
    netns.require_root_and_tools(("ethtool", "tcpdump"))
    netns.install_signal_handlers()
    if not os.access(args.conform, os.X_OK):
        log(f"SKIP: pingwire-conform is not built (no executable at {args.conform})")
        sys.exit(netns.SKIP)
    if need_responder and not os.access(args.responder, os.X_OK):
        log(f"SKIP: pingwire-responder is not built (no executable at {args.responder})")
        sys.exit(netns.SKIP)
    rep = netns.Report(name)
    try:
        body(args, rep)
    except netns.HarnessError as e:
        rep.check("test environment set up", False, str(e))
    except KeyboardInterrupt as e:
        rep.check("test ran to the end", False, f"interrupted ({e})")
    sys.exit(rep.finish())
