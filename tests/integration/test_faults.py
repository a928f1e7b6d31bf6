#!/usr/bin/python3
"""Faults (issue 10, item 4): what pingwire-responder and pingwire-flood do when the world
around them breaks, each case a meson test of its own (--case NAME, under two minutes):

  link       the link goes down and up during a flood: `ping -f` (IPv4 and IPv6) from the
             host while `ip link set ... down` / `up` flaps first the host's end of the veth
             (the peer), then the end net_af_packet is bound to. Answers resume within a
             second of link up (timed by a second, timestamped `ping -D`); afterwards the
             counters balance and no mbuf is in use at exit.
  txstall    a TX side stops draining, over net_memif: the responder routes between two
             memif ports, pingwire-flood sends on port 0 (echo to the router itself, and
             echo through it to a dpdk-testpmd rxonly sink on port 1); testpmd is stopped
             (SIGSTOP) for 2 s: the router's TX queue to it fills, what it refuses is counted
             (fwd_failed), port 0 keeps answering, and once testpmd runs again (SIGCONT) the
             forwarded packets flow within a second. Then the responder itself is stopped for
             1.5 s: pingwire-flood's TX queue fills, it counts what the queue refused, and its
             answers resume. Nothing leaks on either side.
  tables     the bounded tables run full, each is counted and recovers: the neighbour table
             (--neigh-table 16, 200 unresolved next hops), the reassembly table
             (--ipfrag-max-datagrams 4, 100 incomplete datagrams, net_tap), the per-destination
             rate-limit table (--icmp-ratelimit-table 1: 4 entries, 64 sources), the mempool
             (--mbufs 1023 with net_tap's RX rings holding most of it and 256 packets held for
             unresolved next hops).
  signal     SIGTERM under full load (pingwire-flood --rate max into the responder over
             memif): each exits within a second with its final counters; a second instance
             with the same --file-prefix fails at once with exit 1 and one line on stderr,
             the first keeps running, and after it exits the prefix is free again.

Only 198.18.0.0/15 and 2001:2::/48 are used, inside namespaces this test makes and removes.

    sudo /usr/bin/python3 tests/integration/test_faults.py --case link \\
        --responder build/apps/responder/pingwire-responder --flood build/apps/flood/pingwire-flood
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402
from netns import log  # noqa: E402

RE_PING_D = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)")


# --------------------------------------------------------------------------------------------
# helpers


class Bg:
    """A command in a namespace, in the background, its output collected (a context manager:
    stopped with SIGINT, then SIGKILL, on exit)."""

    def __init__(self, ns: str, cmd: list[str], stdin=subprocess.DEVNULL):
        self.cmd = ["ip", "netns", "exec", ns, *cmd]
        self.stdin = stdin
        self.proc: subprocess.Popen | None = None
        self.out = ""
        self.err = ""

    def __enter__(self) -> "Bg":
        log(f"$ {' '.join(self.cmd)} &")
        self.proc = subprocess.Popen(self.cmd, stdin=self.stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, errors="replace",
                                     start_new_session=True)
        return self

    def wait(self, timeout: float) -> int | None:
        try:
            self.out, self.err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
        return self.proc.returncode

    def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        for sig, wait in ((signal.SIGINT, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                out, err = self.proc.communicate(timeout=wait)
                self.out += out or ""
                self.err += err or ""
                return
            except subprocess.TimeoutExpired:
                continue

    def __exit__(self, *exc) -> None:
        with netns.signals_deferred():
            self.stop()


def first_reply_after(lines: str, t: float) -> float | None:
    """ping -D output: the timestamp of the first reply at or after t (epoch seconds)."""
    for line in lines.splitlines():
        m = RE_PING_D.match(line)
        if m and float(m.group(1)) >= t:
            return float(m.group(1))
    return None


def stamped_summaries(r: netns.Responder) -> list[tuple[float, dict[int, netns.PortCounters]]]:
    """The counter blocks printed so far, each with the time (monotonic) its line came."""
    return [(t, netns.parse_summary(b)) for t, b in r.blocks]


class TimedResponder(netns.Responder):
    """netns.Responder that also notes when each 'port 0: rx' line (a --stats-interval block)
    arrived, so that counters can be placed in time."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.blocks: list[tuple[float, str]] = []
        self._cur: list[str] = []
        self._t = 0.0

    def _pump(self, stream, sink, watch):
        for line in iter(stream.readline, ""):
            sink.append(line)
            if watch:
                if netns.READY_MARK in line:
                    self._ready.set()
                if line.startswith("port 0: rx "):
                    if self._cur:
                        self.blocks.append((self._t, "".join(self._cur)))
                    self._cur, self._t = [], time.monotonic()
                if self._t:
                    self._cur.append(line)
        stream.close()


def rm_prefix(prefix: str) -> None:
    shutil.rmtree(f"{netns.DPDK_RUN_DIR}/{prefix}", ignore_errors=True)


# --------------------------------------------------------------------------------------------
# link: down and up during a flood


def flap(rep, topo, r, what: str, ns: str, ifname: str, down_s: float) -> None:
    """Floods (ping -f, both families) and times replies (ping -D) while ifname in ns goes
    down for down_s and up again; answers must resume within a second of link up."""
    dur = 3 + down_s + 4
    flood4 = ["ping", "-f", "-q", "-w", str(int(dur)), netns.DUT_ADDR4]
    flood6 = ["ping", "-6", "-f", "-q", "-w", str(int(dur)), netns.DUT_ADDR6]
    probe4 = ["ping", "-D", "-i", "0.01", "-W", "0.2", "-w", str(int(dur)), netns.DUT_ADDR4]
    probe6 = ["ping", "-6", "-D", "-i", "0.01", "-W", "0.2", "-w", str(int(dur)), netns.DUT_ADDR6]
    with Bg(topo.host_ns, flood4) as f4, Bg(topo.host_ns, flood6) as f6, \
            Bg(topo.host_ns, probe4) as p4, Bg(topo.host_ns, probe6) as p6:
        time.sleep(3)
        netns.run(["ip", "-n", ns, "link", "set", ifname, "down"])
        t_down = time.time()
        log(f"{what}: {ifname} down at {t_down:.3f}")
        time.sleep(down_s)
        netns.run(["ip", "-n", ns, "link", "set", ifname, "up"])
        t_up = time.time()
        log(f"{what}: {ifname} up at {t_up:.3f}")
        for b in (f4, f6, p4, p6):
            b.wait(dur + 10)
    for fam, p, f in (("IPv4", p4, f4), ("IPv6", p6, f6)):
        first = first_reply_after(p.out, t_up)
        gap_before = first_reply_after(p.out, t_down)
        rep.check(f"{what}: {fam} answers resume within 1 s of link up "
                  f"(first reply {first - t_up:.3f} s after)" if first else
                  f"{what}: {fam} answers resume within 1 s of link up",
                  first is not None and first - t_up <= 1.0,
                  f"link up at {t_up:.3f}; first reply at or after it: {first}; "
                  f"probe: {netns.indent(p.out[-600:])}\nflood: {f.out.strip()[-300:]}")
        rep.check(f"{what}: {fam}: no answer while the link was down", gap_before is None or
                  gap_before >= t_up - 0.05 or gap_before < t_down + 0.05,
                  f"first reply after link down: {gap_before} (down {t_down:.3f}, up {t_up:.3f})")
        got = netns.parse_ping(f.cmd, subprocess.CompletedProcess(f.cmd, 0, f.out, f.err))
        log(f"{what}: {fam} ping -f: {got.transmitted} sent, {got.received} received")
        rep.check(f"{what}: {fam} ping -f got answers before and after (received > 0)",
                  got.received > 0, f.out[-300:])


def case_link(args, rep) -> None:
    with netns.Topology() as topo:
        # The host keeps its IPv6 address while its link is down (Linux removes it by
        # default), as a real host with a static address does.
        topo.host(["sysctl", "-qw", f"net.ipv6.conf.{topo.host_if}.keep_addr_on_down=1"],
                  check=True)
        with netns.Responder(topo, args.responder) as r:
            r.start()
            flap(rep, topo, r, "peer end down 2 s", topo.host_ns, topo.host_if, 2.0)
            flap(rep, topo, r, "responder's own end (net_af_packet) down 2 s", topo.dut_ns,
                 topo.dut_if, 2.0)
            p = topo.ping(["-c", "3", "-i", "0.2", "-W", "1", netns.DUT_ADDR4])
            rep.check("after both flaps a plain ping is answered", p.received == 3, p.output)
            res = r.stop()
        pc = res.ports.get(0)
        if pc is not None and "opackets" in pc.device:
            # net_af_packet counts a burst whose sendto() kick failed (the link went down
            # under it) as oerrors, though the frames stay in its ring for the next kick.
            d = pc.device
            rep.check("device counters: ipackets == rx, opackets + oerrors == tx (the PMD "
                      "counts a burst whose kick failed on the downed link as errors), "
                      "ierrors 0", d["ipackets"] == pc.rx and d["ierrors"] == 0
                      and d["opackets"] + d.get("oerrors", 0) == pc.tx,
                      f"rx {pc.rx} tx {pc.tx}, device {d}")
            pc.device = {}
        netns.check_counters(rep, res, 0)


# --------------------------------------------------------------------------------------------
# signal: SIGTERM under full load, a second instance on the same --file-prefix


MemifNet = fu.MemifNet

class MemifResponder(TimedResponder):
    LCORES = "0@1,1@1"  # the responder on CPU 1, the flood on CPU 0 (test_flood_memif)

    def eal_args(self) -> list[str]:
        vdevs = [x for v in self.topo.vdevs() for x in ("--vdev", v)]
        return ["--lcores", self.LCORES, "--no-huge", "-m", "512", "--no-pci",
                "--file-prefix", self.prefix, *vdevs, *self.eal_extra]


def stop_timed(proc: subprocess.Popen, sig=signal.SIGTERM) -> float:
    """Sends sig and returns the seconds until the process exited."""
    t0 = time.monotonic()
    proc.send_signal(sig)
    proc.wait(30)
    return time.monotonic() - t0


def case_signal(args, rep) -> None:
    spec = "0,addr=198.18.0.2/24,addr=2001:2::2/64"
    with MemifNet() as net:
        with MemifResponder(net, args.responder, port_spec=spec) as r:
            r.start()
            fl = fu.Flood(args.flood, net.dut_ns, [net.client(0)],
                          fu.port_spec(addrs=("198.18.0.1/24", "2001:2::1/64"))
                          + ["--dst", "198.18.0.2", "--rate", "max", "--duration", "60",
                             "--quiet"], lcores=["--lcores", "0@0,1@0"], tag=net.tag)
            log(f"$ {fl.command_line}")
            fl.start()
            time.sleep(4)
            before = r.stdout()
            took = stop_timed(r.proc)
            res = r.stop()
            rep.check(f"responder under full load (pingwire-flood --rate max over memif): "
                      f"SIGTERM to exit in {took:.3f} s (within 1 s)", took <= 1.0, "")
            rep.check("the responder's final counters are printed",
                      netns.FINAL_MARK in res.stdout and netns.FINAL_MARK not in before,
                      res.stdout[-1500:])
            pc = res.ports.get(0)
            rep.check(f"it had been under load: rx {pc.rx if pc else None} > 100000",
                      pc is not None and pc.rx > 100000, "")
            if pc is not None:
                pc.device = {}  # net_memif zeroes them when the client goes (test_flood_memif)
            netns.check_counters(rep, res, 0)
            # The flood, its peer gone, keeps sending into a link that is down: SIGTERM too.
            time.sleep(0.5)
            took_f = stop_timed(fl.proc)
            out, err = fl.proc.communicate()
            res_f = fu.FloodResult(argv=fl.argv, ns=fl.ns, rc=fl.proc.returncode, stdout=out,
                                   stderr=err, seconds=0)
            fu.parse_output(res_f)
            netns.note_exit_summary("pingwire-flood", out)
            fl.cleanup()
            rep.check(f"pingwire-flood --rate max: SIGTERM to exit in {took_f:.3f} s (within 1 s), "
                      f"its summary printed",
                      took_f <= 1.0 and res_f.stats is not None, res_f.evidence)

        # Under full load again, now with the flood stopped first (its own TX at full rate).
        with MemifResponder(net, args.responder, port_spec=spec) as r:
            r.start()
            fl = fu.Flood(args.flood, net.dut_ns, [net.client(0)],
                          fu.port_spec(addrs=("198.18.0.1/24", "2001:2::1/64"))
                          + ["--dst", "198.18.0.2", "--rate", "max", "--duration", "60",
                             "--quiet"], lcores=["--lcores", "0@0,1@0"], tag=net.tag)
            log(f"$ {fl.command_line}")
            fl.start()
            time.sleep(4)
            took_f = stop_timed(fl.proc, signal.SIGTERM)
            out, err = fl.proc.communicate()
            res_f = fu.FloodResult(argv=fl.argv, ns=fl.ns, rc=fl.proc.returncode, stdout=out,
                                   stderr=err, seconds=0)
            fu.parse_output(res_f)
            netns.note_exit_summary("pingwire-flood", out)
            fl.cleanup()
            rep.check(f"pingwire-flood under full load: SIGTERM to exit in {took_f:.3f} s "
                      f"(within 1 s), exit 0, its summary printed "
                      f"({res_f.stats and res_f.stats['transmitted']} transmitted)",
                      took_f <= 1.0 and res_f.rc == 0 and res_f.stats is not None
                      and res_f.stats["transmitted"] > 100000, res_f.evidence)
            res = r.stop()
            if 0 in res.ports:
                res.ports[0].device = {}
            netns.check_counters(rep, res, 0)

    second_instance(args, rep)


def second_instance(args, rep) -> None:
    """A second instance with the same --file-prefix: exit 1, one line on stderr, at once."""
    prefix = f"{netns.NS_PREFIX}-{os.getpid()}-dup"
    eal = ["-l", "0,1", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
           "--vdev", "net_null0"]
    cmds = {
        "pingwire-responder": lambda: [args.responder, *eal, "--", "--port",
                                       "0,addr=198.18.0.2/24"],
        "pingwire-flood": lambda: [args.flood, *eal, "--", "--port", "0,addr=198.18.0.1/24",
                                   "--dst", "198.18.0.2", "--neigh",
                                   "198.18.0.2,mac=02:00:00:00:00:02"],
    }
    try:
        first = subprocess.Popen(cmds["pingwire-responder"](), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 20
        line = ""
        while "ready" not in line and time.monotonic() < deadline:
            line = first.stdout.readline()
            if not line and first.poll() is not None:
                break
        rep.check("first instance (net_null, --file-prefix shared) is ready", "ready" in line,
                  line)
        for name, cmd in cmds.items():
            t0 = time.monotonic()
            cp = subprocess.run(cmd(), capture_output=True, text=True, timeout=30)
            took = time.monotonic() - t0
            lines = [ln for ln in cp.stderr.splitlines() if ln.strip()]
            want = f"{name}: error: another DPDK primary process"
            rep.check(f"second {name} with the same --file-prefix: exit 1 in {took:.2f} s, "
                      f"exactly one line on stderr naming the prefix",
                      cp.returncode == 1 and len(lines) == 1 and lines[0].startswith(want)
                      and prefix in lines[0] and took < 5,
                      f"exit {cp.returncode}; stderr:\n{netns.indent(cp.stderr)}"
                      f"stdout:\n{netns.indent(cp.stdout[-500:])}")
        rep.check("the first instance still runs", first.poll() is None, "")
        first.send_signal(signal.SIGTERM)
        out, _ = first.communicate(timeout=20)
        netns.note_exit_summary("pingwire-responder (first instance)", out)
        rep.check("the first instance exits 0 with its counters", first.returncode == 0
                  and netns.FINAL_MARK in out, out[-800:])
        # Its run directory stays behind (EAL leaves it), unlocked: a new instance starts.
        again = subprocess.Popen(cmds["pingwire-responder"](), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=True)
        line = ""
        deadline = time.monotonic() + 20
        while "ready" not in line and time.monotonic() < deadline:
            line = again.stdout.readline()
            if not line and again.poll() is not None:
                break
        again.send_signal(signal.SIGTERM)
        out, err = again.communicate(timeout=20)
        netns.note_exit_summary("pingwire-responder (after the first)", out)
        rep.check("once the first has exited, the prefix is free: a new instance starts "
                  "(its run directory left behind is not locked)",
                  "ready" in line and again.returncode == 0, line + err[-500:])
    finally:
        rm_prefix(prefix)


# --------------------------------------------------------------------------------------------
# txstall: a memif peer stops draining


class Streamed:
    """A command in a namespace whose stdout and stderr lines are kept with the time
    (monotonic) each arrived; stopped with SIGINT (then SIGKILL) on exit."""

    def __init__(self, ns: str, cmd: list[str]):
        self.cmd = ["ip", "netns", "exec", ns, *cmd]
        self.out: list[tuple[float, str]] = []
        self.err: list[tuple[float, str]] = []
        self.proc: subprocess.Popen | None = None
        self._threads: list[threading.Thread] = []

    def _pump(self, stream, sink):
        for line in iter(stream.readline, ""):
            sink.append((time.monotonic(), line))
        stream.close()

    def __enter__(self) -> "Streamed":
        log(f"$ {' '.join(self.cmd)} &")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, errors="replace",
                                     bufsize=1, start_new_session=True)
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            t = threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def send(self, sig) -> None:
        os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float) -> int | None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
        for t in self._threads:
            t.join(5)
        return self.proc.returncode

    def stop(self, sig=signal.SIGINT) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for s_, wait in ((sig, 10), (signal.SIGCONT, 0), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, s_)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    @property
    def stdout(self) -> str:
        return "".join(l for _, l in self.out)

    @property
    def stderr(self) -> str:
        return "".join(l for _, l in self.err)

    def __exit__(self, *exc) -> None:
        with netns.signals_deferred():
            self.stop()
            for t in self._threads:
                t.join(5)


RE_TESTPMD_RX = re.compile(r"RX-packets:\s+(\d+)")
SINK_MAC = "02:00:00:00:01:02"  # dpdk-testpmd's memif port, the router's next hop on port 1
RATE = 20_000                   # probes per second, half to each target


def txstall_router(args, rep, net) -> None:
    """pingwire-flood -> router port 0 -> router port 1 -> dpdk-testpmd rxonly (stopped 2 s)."""
    spec0 = "0,addr=198.18.0.1/24,addr=2001:2::1/64"
    spec1 = "1,addr=198.18.1.1/24"
    app = ["--forward", "--port", spec0, "--port", spec1,
           "--neigh", f"198.18.1.2,mac={SINK_MAC}", "--stats-interval", "0.5"]
    seconds = 8
    with MemifResponder(net, args.responder, app_args=app) as r:
        r.start()
        tp_prefix = f"{net.tag}-tp"
        testpmd = ["dpdk-testpmd", "--lcores", "0@0,1@0", "--no-huge", "-m", "256", "--no-pci",
                   "--file-prefix", tp_prefix, "--vdev",
                   f"net_memif1,role=client,socket={net.sockets[1]},mac={SINK_MAC}", "--",
                   "--forward-mode=rxonly", "--stats-period", "1", "--no-mlockall",
                   "--total-num-mbufs", "4096"]
        try:
            with Streamed(net.dut_ns, testpmd) as tp:
                time.sleep(2)  # connected, forwarding
                fl = fu.Flood(args.flood, net.dut_ns, [net.client(0)],
                              fu.port_spec(addrs=("198.18.0.2/24", "2001:2::2/64"))
                              + ["--gw", "198.18.0.1", "--dst", "198.18.0.1", "--dst",
                                 "198.18.1.2", "--rate", str(RATE), "--count",
                                 str(RATE // 2 * seconds), "--quiet"], lcores=["--lcores", "0@0,1@0"], tag=net.tag)
                log(f"$ {fl.command_line}")
                fl.start()
                time.sleep(2)
                tp.send(signal.SIGSTOP)
                t_stop = time.monotonic()
                log("dpdk-testpmd stopped (SIGSTOP)")
                time.sleep(2)
                tp.send(signal.SIGCONT)
                t_cont = time.monotonic()
                log("dpdk-testpmd continues (SIGCONT)")
                res_f = fl.wait(seconds + 30)
                time.sleep(1)
                tp.stop(signal.SIGINT)
                tp.wait(10)
        finally:
            rm_prefix(tp_prefix)
        blocks = stamped_summaries(r)
        res = r.stop()
    netns.log(res_f.evidence)
    hosts = {h["address"]: h for h in (res_f.json or {}).get("hosts", [])}
    own = hosts.get("198.18.0.1", {})
    rep.check(f"while port 1's peer is stopped, port 0 keeps answering: the router's own "
              f"address got {own.get('received')} of {own.get('transmitted')} echo replies, "
              f"none lost", own.get("transmitted", 0) > 0.9 * RATE / 2 * seconds
              and own.get("received") == own.get("transmitted"), res_f.json_brief())

    def fwd(b) -> tuple[int, int]:
        pc = b.get(1)
        return (pc.fwd_sent or 0, pc.fwd_failed) if pc else (0, 0)
    before = [fwd(b) for t, b in blocks if t <= t_stop]
    during = [fwd(b) for t, b in blocks if t_stop + 0.6 <= t <= t_cont]
    after = [fwd(b) for t, b in blocks if t >= t_cont + 1.0]
    ok = before and during and after
    if ok:
        stalled_sent = during[-1][0] - during[0][0]
        refused = during[-1][1] - before[-1][1]
        resumed = after[0][0] - during[-1][0]
    rep.check(f"the stall: port 1's fwd_sent stops ({stalled_sent if ok else None} sent over "
              f"{t_cont - t_stop - 0.6:.1f} s of it), what its TX queue refuses is counted "
              f"(fwd_failed +{refused if ok else None})",
              bool(ok) and stalled_sent <= 1100 and refused > 0.5 * RATE / 2 * 1.5,
              f"(fwd_sent, fwd_failed) per block before {before[-3:]}, during {during}, "
              f"after {after[:3]}")
    rep.check(f"recovery: within 1 s of SIGCONT port 1 sends again (+{resumed if ok else None} "
              f"forwarded by the first block 1 s after)",
              bool(ok) and resumed > 0.3 * RATE / 2, f"after {after[:3]}")
    pcs, _ = None, None
    for pc in res.ports.values():
        pc.device = {}  # net_memif zeroes them when the client goes (test_flood_memif)
    pcs, _rt = netns.check_router_counters(rep, res, (0, 1), extra_fragments=0)
    m = [int(x) for x in RE_TESTPMD_RX.findall(tp.stdout)]
    got = m[-1] if m else None
    sent = pcs[1].tx if 1 in pcs else None
    rep.check(f"every frame port 1's TX queue took reached the peer: dpdk-testpmd RX-packets "
              f"{got} == the router's port 1 tx {sent}", got is not None and got == sent,
              tp.stdout[-1200:])
    rep.check("pingwire-flood exits 0 (its answers from the router came)", res_f.rc == 0,
              res_f.evidence)


def txstall_flood(args, rep, net) -> None:
    """pingwire-flood -> responder (stopped 2.5 s): the flood's TX queue fills."""
    spec = "0,addr=198.18.0.1/24,addr=2001:2::1/64"
    rate, seconds = 50_000, 7
    with MemifResponder(net, args.responder, port_spec=spec) as r:
        r.start()
        fl = fu.Flood(args.flood, net.dut_ns, [net.client(0)],
                      fu.port_spec(addrs=("198.18.0.2/24", "2001:2::2/64"))
                      + ["--dst", "198.18.0.1", "--rate", str(rate), "--duration", str(seconds)],
                      lcores=["--lcores", "0@0,1@0"], tag=net.tag)
        with Streamed(net.dut_ns, fl.argv) as sf:
            deadline = time.monotonic() + 20
            while not any(ln.startswith("PING ") for _, ln in sf.out):  # sending from now
                if time.monotonic() > deadline or sf.proc.poll() is not None:
                    raise netns.HarnessError("pingwire-flood did not start sending:\n"
                                             + sf.stdout + sf.stderr)
                time.sleep(0.05)
            time.sleep(1.5)
            os.kill(r.proc.pid, signal.SIGSTOP)  # ip netns exec has exec'ed the responder
            t_stop = time.monotonic()
            # 2.5 s: the live lines come once a second, so one always comes between 1 s into
            # the stop and SIGCONT, whatever their phase (with a 1.5-s stop that window was
            # 0.5 s wide, and whether a line fell in it depended on timing).
            time.sleep(2.5)
            os.kill(r.proc.pid, signal.SIGCONT)
            t_cont = time.monotonic()
            sf.wait(seconds + 30)
        res = r.stop()
    live = [(t, ln) for t, ln in sf.err if ln.startswith("[")]
    res_f = fu.FloodResult(argv=fl.argv, ns=net.dut_ns, rc=sf.proc.returncode,
                           stdout=sf.stdout, stderr=sf.stderr, seconds=0)
    fu.parse_output(res_f)
    netns.note_exit_summary("pingwire-flood", res_f.stdout)
    try:
        import json
        with open(fl.json_path) as f:
            res_f.json = json.load(f)
    except (OSError, ValueError, TypeError):
        pass
    fl.cleanup()
    rate_j = (res_f.json or {}).get("rate") or {}
    rep.check(f"the responder stopped for 2.5 s: pingwire-flood counts what its TX queue refused "
              f"(tx_refused {rate_j.get('tx_refused')} > 0)",
              (rate_j.get("tx_refused") or 0) > 0, res_f.json_brief() + f" rate {rate_j}")
    # A live line covers the second before it came: one that came 1 s or more into the stop
    # shows the stall, the first that came 1 s or more after SIGCONT holds only what came after.
    re_rx = re.compile(r"rx (\d+) pps")
    rx = [(t, int(m.group(1))) for t, ln in live if (m := re_rx.search(ln))]
    stalled = next((pps for t, pps in rx if t_stop + 1.0 <= t <= t_cont), None)
    first = next(((t - t_cont, pps) for t, pps in rx if t >= t_cont + 1.0), None)
    shown = "".join(f"{t - t_stop:+.2f} s from SIGSTOP: {ln}" for t, ln in live)
    rep.check(f"while the responder is stopped pingwire-flood gets no answers (a live line "
              f"inside the stop: rx {stalled} pps)", stalled is not None and stalled < rate // 20,
              shown + f"SIGCONT {t_cont - t_stop:.2f} s after SIGSTOP")
    rep.check(f"answers resume within 1 s of the responder running again (the live line of "
              f"the second after SIGCONT: rx {first and first[1]} pps, at least half the rate)",
              first is not None and first[0] <= 2.0 and first[1] >= rate // 2, shown)
    j = res_f.json or {}
    rep.check(f"pingwire-flood's counts add up: transmitted {j.get('transmitted')} == received "
              f"{j.get('received')} + lost {j.get('lost')}, exit 0",
              res_f.rc == 0 and j.get("transmitted") == j.get("received", 0) + j.get("lost", 0),
              res_f.evidence)
    if 0 in res.ports:
        res.ports[0].device = {}
    netns.check_counters(rep, res, 0)


def case_txstall(args, rep) -> None:
    with MemifNet(n_sockets=2) as net:
        txstall_router(args, rep, net)
    with MemifNet() as net:
        txstall_flood(args, rep, net)


# --------------------------------------------------------------------------------------------
# tables: neighbour, reassembly, rate limit, mempool


def l2(ns: str, ifname: str) -> netns.L2Port:
    return netns.L2Port(ns, ifname)


def neigh_storm(S, port: netns.L2Port, router_mac: str, src_mac: str, n: int, rounds: int,
                base4: str = "198.18.2.", base6: str = "2001:2:0:2::", start: int = 10,
                gap: float = 0.3) -> int:
    """Echo requests from A to n IPv4 and n IPv6 addresses on B's subnet that nobody has,
    `rounds` times: each wants a neighbour entry. Returns the frames sent."""
    frames = []
    for i in range(start, start + n):
        frames.append(bytes(S.Ether(src=src_mac, dst=router_mac) /
                            S.IP(src=netns.A_ADDR4, dst=f"{base4}{i}") /
                            S.ICMP(type=8, id=0x4e01, seq=i) / (b"n" * 32)))
        frames.append(bytes(S.Ether(src=src_mac, dst=router_mac) /
                            S.IPv6(src=netns.A_ADDR6, dst=f"{base6}{i:x}") /
                            S.ICMPv6EchoRequest(id=0x4e01, seq=i, data=b"n" * 32)))
    sent = 0
    for _ in range(rounds):
        for f in frames:
            port.send(f)
            sent += 1
        time.sleep(gap)
    return sent


def tables_neighbour(args, rep, S) -> None:
    cap = 16
    with netns.RouterTopology() as topo, TimedResponder(
            topo, args.responder,
            app_args=topo.router_args(extra=["--neigh-table", str(cap),
                                             "--stats-interval", "1"])) as r:
        r.start()
        p = topo.ping(["-c", "2", "-i", "0.2", "-W", "1", netns.B_ADDR4])
        p6 = topo.ping(["-6", "-c", "2", "-i", "0.2", "-W", "1", netns.B_ADDR6])
        rep.check("neighbour table: B answers before the storm (its entries made)",
                  p.received == 2 and p6.received == 2, p.output + p6.output)
        with Bg(topo.a_ns, ["ping", "-i", "0.05", "-W", "1", "-w", "6", netns.B_ADDR4]) as bp:
            with l2(topo.a_ns, topo.a_if) as port:
                sent = neigh_storm(S, port, topo.r0_mac, topo.a_mac, 100, 3)
            bp.wait(15)
        got = netns.parse_ping(bp.cmd, subprocess.CompletedProcess(bp.cmd, 0, bp.out, bp.err))
        rep.check(f"neighbour table full ({cap} entries, {sent} frames to 200 unresolved next "
                  f"hops): B, resolved before, is still answered ({got.received} of "
                  f"{got.transmitted}, none lost)",
                  got.transmitted > 50 and got.received == got.transmitted, bp.out[-400:])
        # Failed entries are removed (3 probes, 1 s apart), so a new neighbour resolves.
        time.sleep(4)
        topo.b(["ip", "addr", "add", "198.18.2.3/24", "dev", topo.b_if], check=True)
        p = topo.ping(["-c", "3", "-i", "0.2", "-W", "1", "198.18.2.3"])
        rep.check("after the storm a new neighbour (198.18.2.3, added to B) resolves and is "
                  "answered", p.received == 3, p.output)
        time.sleep(1.2)
        blocks = [netns.parse_router(b) for _, b in r.blocks]
        res = r.stop()
    pcs, rt = netns.check_router_counters(rep, res, (0, 1), extra_fragments=None)
    failed = sum(pc.fwd_failed for pc in pcs.values())
    rep.check(f"neighbour table full: counted (router table_full {rt and rt.stat('table_full')} "
              f"> 0: next hops refused an entry; reclaimed {rt and rt.stat('reclaimed')} > 0: "
              f"failed entries gave their place; fwd_failed {failed} > 0: the packets that "
              f"waited in vain, each answered Host Unreachable within the rate limits)",
              rt is not None and rt.stat("table_full") > 0 and rt.stat("reclaimed") > 0
              and failed > 0, rt.text[:600] if rt else "")
    rep.check(f"neighbour table bounded: {rt.neighbours if rt else None} entries at exit <= "
              f"{cap}", rt is not None and rt.neighbours <= cap, rt.text if rt else "")
    most = max((b.neighbours for b in blocks if b is not None), default=None)
    if most is not None:
        rep.check(f"... and at every --stats-interval block (most {most})", most <= cap, "")


def tables_reassembly(args, rep, S) -> None:
    slots = 4
    n4, n6 = 100, 10
    app = ["--port", f"0,addr={netns.DUT_ADDR4}/24,addr={netns.DUT_ADDR6}/64",
           "--ipfrag-max-datagrams", str(slots), "--ipfrag-time", "2", "--ip6frag-time", "2"]
    with netns.Topology(kind="tap") as topo, netns.Responder(topo, args.responder,
                                                             app_args=app) as r:
        r.start()
        mac = topo.dut_kernel_mac
        with l2(topo.host_ns, topo.host_if) as port:
            for i in range(n4):
                port.send(bytes(S.Ether(src=topo.host_mac, dst=mac) /
                                S.IP(src=netns.HOST_ADDR4, dst=netns.DUT_ADDR4, id=0x5000 + i,
                                     flags="MF", frag=0, proto=1) /
                                bytes(S.ICMP(type=8, id=0x4e02, seq=i) / (b"r" * 64))))
            for i in range(n6):
                port.send(bytes(S.Ether(src=topo.host_mac, dst=mac) /
                                S.IPv6(src=netns.HOST_ADDR6, dst=netns.DUT_ADDR6) /
                                S.IPv6ExtHdrFragment(id=0x6000 + i, m=1, offset=0, nh=58) /
                                bytes(S.ICMPv6EchoRequest(id=0x4e02, seq=i) / (b"r" * 64))))
        time.sleep(0.2)
        p = topo.ping(["-c", "1", "-W", "1", "-s", "3000", netns.DUT_ADDR4])
        rep.check("reassembly table full: a fragmented ping (3 fragments) is not answered while "
                  f"the {slots} slots hold incomplete datagrams", p.received == 0, p.output)
        time.sleep(2.5)  # the incomplete datagrams time out (--ipfrag-time 2)
        p = topo.ping(["-c", "3", "-i", "0.2", "-W", "1", "-s", "3000", netns.DUT_ADDR4])
        p6 = topo.ping(["-6", "-c", "3", "-i", "0.2", "-W", "1", "-s", "3000", netns.DUT_ADDR6])
        rep.check("after they time out, fragmented pings are reassembled and answered again "
                  "(IPv4 and IPv6, 3 of 3 each)", p.received == 3 and p6.received == 3,
                  p.output + p6.output)
        res = r.stop()
    pc = netns.check_counters(rep, res, 0)
    if pc is None:
        return
    want = n4 - slots + n6 + 3
    rep.check(f"reassembly table full: every fragment that found no slot is counted: drop "
              f"reasm_table_full {pc.drop('reasm_table_full')} == {want} ({n4} IPv4 first "
              f"fragments - {slots} slots + {n6} IPv6 + the ping's 3 fragments)",
              pc.drop("reasm_table_full") == want, "\n".join(pc.lines))
    te = pc.msg("IcmpMsg", "OutType11")
    rep.check(f"the {slots} that held slots timed out with Time Exceeded (code 1) each "
              f"(IcmpMsg OutType11 {te})", te == slots, "\n".join(pc.lines))


def tables_ratelimit(args, rep, S) -> None:
    n_src, rounds = 64, 8
    app = ["--port", f"0,addr={netns.DUT_ADDR4}/24,addr={netns.DUT_ADDR6}/64",
           "--icmp-ratelimit-table", "1", "--icmp-msgs-per-sec", "0"]
    with netns.Topology() as topo, netns.Responder(topo, args.responder, app_args=app) as r:
        r.start()
        mac = topo.dut_kernel_mac
        srcs = [f"198.18.0.{100 + i}" for i in range(n_src)]
        with l2(topo.host_ns, topo.host_if) as port:
            for k in range(rounds):
                for i, src in enumerate(srcs):
                    port.send(bytes(S.Ether(src=topo.host_mac, dst=mac) /
                                    S.IP(src=src, dst=netns.DUT_ADDR4) /
                                    S.UDP(sport=40000 + i, dport=9) / b"rate"))
                time.sleep(0.02)
            time.sleep(0.3)
            # Recovery: one source, 20 in a row: the burst of 6, then the rate (1 a second).
            for k in range(20):
                port.send(bytes(S.Ether(src=topo.host_mac, dst=mac) /
                                S.IP(src="198.18.0.200", dst=netns.DUT_ADDR4) /
                                S.UDP(sport=41000 + k, dport=9) / b"rate"))
            time.sleep(0.5)
        res = r.stop()
    pc = netns.check_counters(rep, res, 0)
    if pc is None:
        return
    total = n_src * rounds
    sent, limited = pc.error("sent"), pc.error("rate_limited_host")
    rep.check(f"rate-limit table full (4 entries, {n_src} sources round robin, {total} "
              f"triggers): every source was evicted before it came again, so each got an "
              f"error (as Linux's inet_peer when its entries are reclaimed): errors sent "
              f"{sent} == {total} + 6", sent == total + 6, "\n".join(pc.lines))
    rep.check(f"after it, one source's 20 triggers get the burst of 6 and 14 are limited "
              f"(rate_limited_host {limited} == 14)", limited == 14, "\n".join(pc.lines))
    m = re.search(r"ratelimit: .*evictions v4 (\d+)", res.stdout)
    ev = int(m.group(1)) if m else None
    rep.check(f"the table's evictions are counted in the summary ({ev} == {total - 4} + 1)",
              ev == total - 4 + 1, m.group(0) if m else res.stdout[-1500:])


def tables_mempool(args, rep, S) -> None:
    # net_tap fills each RX ring with mbufs at start: 2 x 448 of 1023 leaves ~127 for
    # everything else, fewer than the 256 packets a worker may hold for unresolved next hops.
    # While they wait the pool is empty: net_tap cannot refill its ring (rx_nombuf; the frames
    # wait in the kernel's tap queue), errors cannot be built (error no_mbuf). Each packet is
    # let go after 3.5 s (Host Unreachable), so the backlog drains. The control lcore's ARP/NS
    # probes come from a pool of their own: before that (found here), the mbufs set free sat
    # in the worker's lcore cache where the control lcore could not reach them, every probe
    # failed, every neighbour failed, and the router never recovered.
    mbufs, rx_desc = 1023, 448
    with netns.RouterTopology(link="tap") as topo, TimedResponder(
            topo, args.responder,
            app_args=topo.router_args(extra=["--mbufs", str(mbufs), "--rx-desc", str(rx_desc),
                                             "--stats-interval", "1"])) as r:
        r.start()
        p = topo.ping(["-c", "2", "-i", "0.2", "-W", "1", netns.B_ADDR4])
        rep.check("mempool: B answers before the storm", p.received == 2, p.output)
        with l2(topo.a_ns, topo.a_if) as port:
            sent = neigh_storm(S, port, topo.r0_mac, topo.a_mac, 100, 2, gap=0.05)
        t_end = time.monotonic()
        recovered = None
        while time.monotonic() - t_end < 40:
            if topo.ping(["-c", "1", "-W", "0.5", netns.B_ADDR4]).received == 1:
                recovered = time.monotonic() - t_end
                break
            time.sleep(0.2)
        log(f"B answered again {recovered} s after the storm")
        p = topo.ping(["-c", "5", "-i", "0.2", "-W", "1", netns.B_ADDR4])
        p6 = topo.ping(["-6", "-c", "5", "-i", "0.2", "-W", "1", netns.B_ADDR6])
        rep.check(f"mempool ran out ({mbufs} mbufs, {2 * rx_desc} in net_tap's RX rings, "
                  f"{sent} frames to 200 unresolved next hops): it recovers by itself, B is "
                  f"answered again {recovered and round(recovered, 1)} s after the storm "
                  f"(within 40 s), then 5 of 5 (IPv4 and IPv6)",
                  recovered is not None and p.received == 5 and p6.received == 5,
                  p.output + p6.output)
        res = r.stop()
    pcs, rt = netns.check_router_counters(rep, res, (0, 1), extra_fragments=None)
    short = {k: (pc.device.get("rx_nombuf", 0), pc.error("no_mbuf"), pc.generated_failed)
             for k, pc in pcs.items()}
    rep.check(f"the shortage is counted: per port (device rx_nombuf, error no_mbuf, "
              f"generated_failed) {short}, rx_nombuf > 0",
              any(v[0] for v in short.values()), res.stdout[-3000:])
    rep.check(f"the control lcore's probes never ran short (their own pool): router "
              f"probes_failed {rt and rt.stat('probes_failed')} == 0",
              rt is not None and rt.stat("probes_failed") == 0, rt.text[:400] if rt else "")


def case_tables(args, rep) -> None:
    import pktutil
    S = pktutil.load_scapy()
    parts = {"neighbour": tables_neighbour, "reassembly": tables_reassembly,
             "ratelimit": tables_ratelimit, "mempool": tables_mempool}
    for name, fn in parts.items():
        if args.only and name not in args.only:
            continue
        log(f"--- {name} table")
        fn(args, rep, S)


# --------------------------------------------------------------------------------------------
# entry point

CASES = {
    "link": case_link,
    "txstall": case_txstall,
    "tables": case_tables,
    "signal": case_signal,
}


def main() -> None:
    ap = argparse.ArgumentParser(description="integration/faults")
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--responder", default=netns.default_responder())
    ap.add_argument("--flood", default=fu.default_flood())
    ap.add_argument("--only", action="append", help="tables: run only these parts")
    args = ap.parse_args()
    tools = {"link": ("ping",), "txstall": ("dpdk-testpmd",), "tables": ("ping",),
             "signal": ()}[args.case]
    netns.require_root_and_tools(tools)
    netns.install_signal_handlers()
    for exe in (args.responder, args.flood):
        if not os.access(exe, os.X_OK):
            log(f"SKIP: {exe} is not built")
            sys.exit(netns.SKIP)
    name = f"integration/faults-{args.case}"
    rep = netns.Report(name)
    log(f"== {name}")
    try:
        CASES[args.case](args, rep)
    except netns.StartError as e:
        rep.check("responder starts and prints its ready line", False, str(e))
    except netns.HarnessError as e:
        rep.check("test environment set up", False, str(e))
    except KeyboardInterrupt as e:
        rep.check("test ran to the end", False, f"interrupted ({e})")
    sys.exit(rep.finish())


if __name__ == "__main__":
    main()
