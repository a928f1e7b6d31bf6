#!/usr/bin/env python3
"""Building blocks of bench/flood (stdlib only; bench/throughput.py for the telemetry client,
the callgrind file reader and the table). bench/flood imports this module; it also runs on its
own for debugging:

  flood.py snmp NAMESPACE           the Icmp counters of /proc/net/snmp in a namespace
  flood.py callgrind PMD DIR...     per-thread instruction totals and the thread that ran the
                                    most of the PMD's code (librte_net_null, _memif, _af_packet)
  flood.py search                   the zero-loss search on a made-up link (a self-check)

What is here: a program under test (Proc: its log, its stop, its DPDK runtime dir), the Linux
peer (VethPeer: two namespaces and a veth pair, made and removed here), the Icmp counters of a
namespace, parsers of the exit output of dpdk-testpmd, ping, fping and hping3 and of
pingwire-flood's JSON, and the zero-loss rate search.

Only 198.18.0.0/15 (and loopback) is used.
"""

from __future__ import annotations

import dataclasses
import glob
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import throughput as tp  # noqa: E402  (telemetry, callgrind, markdown)

BENCH4 = ipaddress.ip_network("198.18.0.0/15")

if os.geteuid() == 0:
    RUN_BASE = "/var/run/dpdk"
else:
    RUN_BASE = os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")

ABORT = threading.Event()  # set on SIGINT/SIGTERM: waits give up


class Failed(Exception):
    pass


def check_bench4(addr: str) -> str:
    if ipaddress.ip_address(addr) not in BENCH4:
        raise ValueError(f"{addr} is outside 198.18.0.0/15: refusing")
    return addr


def pause(seconds: float) -> None:
    """time.sleep that an interrupt of the harness cuts short."""
    if ABORT.wait(max(0.0, seconds)):
        raise Failed("interrupted")


def run(cmd: list[str], *, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                        stdin=subprocess.DEVNULL)
    if check and cp.returncode != 0:
        raise Failed(f"failed (exit {cp.returncode}): {' '.join(cmd)}: "
                     f"{(cp.stdout + cp.stderr).strip()[-400:]}")
    return cp


# --------------------------------------------------------------------------------------------
# programs under test

_live: set = set()
_live_lock = threading.Lock()


class Proc:
    """One program: started with its output to a log file (line-buffered through stdbuf),
    optionally in a network namespace, stopped as it wants to be (testpmd by closing its stdin,
    the others by SIGINT), its DPDK runtime dir (file prefix) removed afterwards."""

    def __init__(self, argv: list[str], log_path: str, *, prefix: str | None = None,
                 stdin_stop: bool = False, netns: str | None = None):
        self.argv = argv
        self.log_path, self.prefix, self.stdin_stop, self.netns = log_path, prefix, stdin_stop, netns
        self.p: subprocess.Popen | None = None
        self.status: int | None = None
        self.stopping = False

    @property
    def command(self) -> str:
        return " ".join((["ip", "netns", "exec", self.netns] if self.netns else []) + self.argv)

    @property
    def socket(self) -> str:
        return os.path.join(RUN_BASE, self.prefix or "rte", "dpdk_telemetry.v2")

    def start(self) -> None:
        if self.prefix:
            shutil.rmtree(os.path.join(RUN_BASE, self.prefix), ignore_errors=True)
        argv = ["stdbuf", "-oL", "-eL"] + self.argv
        if self.netns:
            argv = ["ip", "netns", "exec", self.netns] + argv
        with open(self.log_path, "ab") as out:
            out.write(("$ " + self.command + "\n").encode())
            out.flush()
            # Own session: a ^C to the harness does not reach the programs; it stops them.
            self.p = subprocess.Popen(argv, stdin=subprocess.PIPE if self.stdin_stop
                                      else subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        with _live_lock:
            _live.add(self)

    @property
    def pid(self) -> int:
        """The program's own pid (ip netns exec and stdbuf exec it, so it is Popen's)."""
        return self.p.pid

    def alive(self) -> bool:
        return self.p is not None and self.p.poll() is None

    def text(self) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_ready(self, pattern: str, timeout: float) -> None:
        """Waits for a line matching the regex pattern (multiline) in the program's output."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while not rx.search(self.text()):
            if ABORT.is_set():
                raise Failed("interrupted")
            if not self.alive():
                raise Failed(f"exited with status {self.p.returncode} before it was ready")
            if time.monotonic() > deadline:
                raise Failed(f"not ready after {timeout:.0f} s (no line matching '{pattern}')")
            time.sleep(0.05)

    def signal_stop(self) -> None:
        if not self.alive() or self.stopping:
            return
        self.stopping = True
        if self.stdin_stop:
            try:
                self.p.stdin.close()
            except OSError:
                pass
        else:
            try:
                os.killpg(self.p.pid, signal.SIGINT)
            except OSError:
                pass

    def wait(self, timeout: float) -> int:
        """Waits for the program to end by itself; kills it after timeout (Failed)."""
        deadline = time.monotonic() + timeout
        while self.alive():
            if ABORT.is_set():
                raise Failed("interrupted")
            if time.monotonic() > deadline:
                self.kill()
                raise Failed(f"did not exit within {timeout:.0f} s; killed")
            time.sleep(0.05)
        self.status = self.p.returncode
        return self.status

    def stop(self, timeout: float) -> int:
        """Asks the program to stop, waits up to timeout, then kills it. Returns its status."""
        self.signal_stop()
        try:
            self.status = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.status = self.p.wait()
        self.cleanup()
        return self.status

    def kill(self) -> None:
        if self.alive():
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except OSError:
                pass
            self.p.wait()

    def cleanup(self) -> None:
        self.kill()
        if self.p and self.p.stdin:
            try:
                self.p.stdin.close()
            except OSError:
                pass
        if self.prefix:
            shutil.rmtree(os.path.join(RUN_BASE, self.prefix), ignore_errors=True)
        with _live_lock:
            _live.discard(self)


def kill_all() -> None:
    with _live_lock:
        procs = list(_live)
    for pr in procs:
        pr.signal_stop()
    deadline = time.monotonic() + 5
    for pr in procs:
        try:
            pr.p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        pr.cleanup()


def threads_cpu_ns(pid: int) -> dict[str, int]:
    """CPU time (ns, schedstat) of every thread of pid, by 'comm/tid'."""
    out = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    comm = f.read().strip()
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    out[f"{comm}/{tid}"] = int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    except OSError:
        pass
    return out


def worker_share(a: dict[str, int], b: dict[str, int], dt: float) -> float | None:
    """Share of the wall clock the EAL worker lcore thread(s) were on a CPU between a and b."""
    keys = [k for k in b if k in a and k.startswith(("rte-worker", "lcore-worker", "dpdk-worker"))]
    if not keys or dt <= 0:
        return None
    return sum(b[k] - a[k] for k in keys) / (dt * 1e9) / len(keys)


def worker_ns(a: dict[str, int], b: dict[str, int], packets: int) -> float | None:
    """CPU ns of the EAL worker lcore thread(s) between a and b per packet."""
    keys = [k for k in b if k in a and k.startswith(("rte-worker", "lcore-worker", "dpdk-worker"))]
    if not keys or packets <= 0:
        return None
    return sum(b[k] - a[k] for k in keys) / packets


# --------------------------------------------------------------------------------------------
# the Linux peer: two namespaces and a veth pair

NS_PREFIX = "pwbf"


def remove_stale() -> None:
    """Namespaces of earlier runs whose harness process is gone (a SIGKILLed run cannot clean
    up), and their DPDK runtime dirs."""
    cp = run(["ip", "netns", "list"], check=False)
    for line in cp.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(rf"^{NS_PREFIX}-(\d+)-(tgt|cli)$", name)
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            run(["ip", "netns", "del", name], check=False)
    for d in glob.glob(os.path.join(RUN_BASE, f"{NS_PREFIX}-*")):
        m = re.match(rf"^{NS_PREFIX}-(\d+)-", os.path.basename(d))
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            shutil.rmtree(d, ignore_errors=True)


class VethPeer:
    """Two namespaces joined by a veth pair, made fresh and always removed (a context manager):

        client namespace (cli_ns)                   target namespace (tgt_ns)
        cli_if  198.18.0.1/24 (kernel tools)  <-veth->  tgt_if  198.18.0.2/24: Linux answers
                no address (pingwire-flood on net_af_packet)

    IPv6 is off on both ends (no DAD, router solicitations or MLD in the counters). The Linux
    host in tgt_ns answers every echo request; its Icmp counters (OutEchoReps) say how many."""

    def __init__(self, cli_addr: str = "198.18.0.1", tgt_addr: str = "198.18.0.2", plen: int = 24):
        pid = os.getpid()
        self.cli_ns, self.tgt_ns = f"{NS_PREFIX}-{pid}-cli", f"{NS_PREFIX}-{pid}-tgt"
        self.cli_if, self.tgt_if = f"pwbf{pid}c", f"pwbf{pid}t"  # at most 15 characters
        self.cli_addr, self.tgt_addr, self.plen = check_bench4(cli_addr), check_bench4(tgt_addr), plen
        self._made: list[str] = []
        self.cli_has_addr = False

    def __enter__(self) -> "VethPeer":
        try:
            self.create()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    def ns(self, ns: str, cmd: list[str], check: bool = True, timeout: float = 30):
        return run(["ip", "netns", "exec", ns] + cmd, check=check, timeout=timeout)

    def create(self) -> None:
        remove_stale()
        for ns in (self.cli_ns, self.tgt_ns):
            run(["ip", "netns", "add", ns])
            self._made.append(ns)
            for key in ("default", "all"):
                self.ns(ns, ["sysctl", "-qw", f"net.ipv6.conf.{key}.disable_ipv6=1"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "link", "add", self.cli_if, "netns", self.cli_ns, "type", "veth",
             "peer", "name", self.tgt_if, "netns", self.tgt_ns])
        run(["ip", "-n", self.tgt_ns, "addr", "add", f"{self.tgt_addr}/{self.plen}", "dev",
             self.tgt_if])
        for ns, ifn in ((self.tgt_ns, self.tgt_if), (self.cli_ns, self.cli_if)):
            run(["ip", "-n", ns, "link", "set", ifn, "up"])
        self.client_address(True)
        # The link is up once the target answers.
        deadline = time.monotonic() + 10
        while self.ns(self.cli_ns, ["ping", "-c", "1", "-W", "1", self.tgt_addr],
                      check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise Failed(f"{self.tgt_addr} in {self.tgt_ns} does not answer ping")
            pause(0.2)

    def client_address(self, on: bool) -> None:
        """The client end's kernel address: on for the kernel tools, off for pingwire-flood
        (the kernel must then stay silent: no ARP answers, no echo replies of its own)."""
        if on and not self.cli_has_addr:
            run(["ip", "-n", self.cli_ns, "addr", "add", f"{self.cli_addr}/{self.plen}", "dev",
                 self.cli_if])
        elif not on and self.cli_has_addr:
            run(["ip", "-n", self.cli_ns, "addr", "flush", "dev", self.cli_if])
        self.cli_has_addr = on

    def mac(self, ns: str, ifname: str) -> str:
        cp = run(["ip", "-n", ns, "-o", "link", "show", "dev", ifname])
        m = re.search(r"link/ether ([0-9a-f:]{17})", cp.stdout)
        if not m:
            raise Failed(f"no MAC for {ifname} in {ns}")
        return m.group(1)

    def destroy(self) -> None:
        for ns in reversed(self._made):
            run(["ip", "netns", "del", ns], check=False)  # takes the veth pair with it
        self._made.clear()


def icmp_counters(ns: str | None) -> dict[str, int]:
    """The Icmp line of /proc/net/snmp (per namespace): InEchos, OutEchoReps, InEchoReps, ..."""
    cmd = ["cat", "/proc/net/snmp"]
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    text = run(cmd, timeout=10).stdout
    lines = [ln.split() for ln in text.splitlines() if ln.startswith("Icmp:")]
    if len(lines) < 2:
        raise Failed(f"no Icmp counters in /proc/net/snmp of {ns}")
    return dict(zip(lines[0][1:], (int(x) for x in lines[1][1:])))


def counters_sample(sources: dict) -> dict:
    """sources: name -> fn() returning a dict of counters; sampled with the time between."""
    t0 = time.monotonic()
    vals = {k: fn() for k, fn in sources.items()}
    t1 = time.monotonic()
    return {"t": (t0 + t1) / 2, "span": t1 - t0, "values": vals}


# --------------------------------------------------------------------------------------------
# exit output

def parse_testpmd_exit(text: str) -> dict:
    """testpmd's 'Accumulated forward statistics' block: RX/TX packets and drops."""
    m = re.search(r"Accumulated forward statistics.*?RX-packets:\s*(\d+)\s+RX-dropped:\s*(\d+)"
                  r".*?TX-packets:\s*(\d+)\s+TX-dropped:\s*(\d+)", text, re.S)
    if not m:
        return {}
    return {"rx_packets": int(m.group(1)), "rx_dropped": int(m.group(2)),
            "tx_packets": int(m.group(3)), "tx_dropped": int(m.group(4))}


def parse_ping(text: str) -> dict:
    """iputils ping's summary: transmitted, received, time ms."""
    m = re.search(r"(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?"
                  r"(?:, \+(\d+) errors)?, ([\d.]+)% packet loss, time (\d+)ms", text)
    if not m:
        return {}
    return {"transmitted": int(m.group(1)), "received": int(m.group(2)),
            "duplicates": int(m.group(3) or 0), "time_ms": int(m.group(6))}


def parse_fping(text: str) -> dict:
    """fping -q's per-target line: xmt/rcv/%loss = X/R/L%; with -s its elapsed real time."""
    m = re.search(r"xmt/rcv/%loss = (\d+)/(\d+)/", text)
    if not m:
        return {}
    out = {"transmitted": int(m.group(1)), "received": int(m.group(2))}
    e = re.search(r"([\d.]+) sec \(elapsed real time\)", text)
    if e:
        out["elapsed_s"] = float(e.group(1))
    return out


def parse_hping(text: str) -> dict:
    m = re.search(r"(\d+) packets transmitted, (\d+) packets received", text)
    if not m:
        return {}
    return {"transmitted": int(m.group(1)), "received": int(m.group(2))}


def read_flood_json(path: str) -> dict:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Failed(f"no JSON from pingwire-flood at {path}: {e}")


def flood_brief(j: dict) -> dict:
    """The figures of a pingwire-flood JSON the bench reports."""
    rate = j.get("rate") or {}
    rtt = j.get("rtt_ns") or {}
    return {"transmitted": j.get("transmitted"), "received": j.get("received"),
            "lost": j.get("lost"), "duplicates": j.get("duplicates"),
            "corrupted": j.get("corrupted"), "late": j.get("late"),
            "unmatched": j.get("unmatched"), "loss_percent": j.get("loss_percent"),
            "time_ms": j.get("time_ms"), "achieved_pps": rate.get("achieved_pps"),
            "asked_pps": rate.get("asked_pps"), "short": rate.get("short"),
            "tx_refused": rate.get("tx_refused"),
            "rtt_p50_ns": rtt.get("p50"), "rtt_p99_ns": rtt.get("p99")}


# --------------------------------------------------------------------------------------------
# the zero-loss search

@dataclasses.dataclass
class Trial:
    rate: float          # asked
    ok: bool             # no loss, and the asked rate achieved
    achieved: float | None = None
    received_pps: float | None = None
    loss_percent: float | None = None
    note: str = ""


def zero_loss_search(trial, top: float, first_loss: float | None, steps: int,
                     resolution: float = 0.03) -> tuple[float | None, list[Trial]]:
    """The highest rate in (0, top] at which trial(rate) -> Trial says ok, in at most steps
    trials: the first guess is what got through at the top (top * (1 - loss)), a little below,
    then bisection between the best good and the lowest bad rate until they are within
    resolution of each other. Returns (best good rate or None, the trials in order)."""
    trials: list[Trial] = []
    good, bad = 0.0, float(top)
    guess = top * (1 - (first_loss or 0) / 100) * 0.98 if first_loss is not None else top * 0.9
    guess = max(1.0, min(guess, top * 0.98))
    for _ in range(steps):
        r = float(int(guess))
        t = trial(r)
        trials.append(t)
        if t.ok:
            good = max(good, r)
        else:
            bad = min(bad, r)
        if bad - good <= resolution * bad:
            break
        if good == 0:
            guess = bad * 0.8  # nothing good yet: step down
        else:
            guess = (good + bad) / 2
    return (good or None), trials


# --------------------------------------------------------------------------------------------
# command line (debugging)

def main() -> int:
    import argparse
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("snmp")
    q.add_argument("netns")
    q = sub.add_parser("callgrind")
    q.add_argument("pmd")
    q.add_argument("paths", nargs="+")
    sub.add_parser("search")
    a = p.parse_args()
    if a.cmd == "snmp":
        print(json.dumps(icmp_counters(a.netns)))
    elif a.cmd == "callgrind":
        for t in tp.callgrind_threads(a.paths):
            del t["by_object"]
            print(json.dumps(t))
        print(json.dumps({"worker": tp.callgrind_worker(a.paths, a.pmd)}))
    elif a.cmd == "search":
        cap = 1_234_567.0  # a made-up link: loss-free up to cap

        def trial(r):
            return Trial(r, r <= cap, r, min(r, cap), max(0.0, 100 * (r - cap) / r))
        best, trials = zero_loss_search(trial, 2_000_000, 100 * (1 - cap / 2e6), 7)
        for t in trials:
            print(f"  {t.rate:12.0f} {'ok' if t.ok else 'loss'}")
        print(f"best {best} (cap {cap})")
        if not best or not 0.95 * cap <= best <= cap:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
