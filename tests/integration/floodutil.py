#!/usr/bin/env python3
"""Shared helpers of the pingwire-flood integration tests (test_flood_*.py), stdlib only.

pingwire-flood runs in a namespace of its own on net_af_packet (or net_memif), its kernel end
silent (no address, IPv6 off); the peers are real Linux namespaces (netns.Topology: the
"host" namespace is the peer, the "dut" namespace holds the flood), or, for the path MTU test,
a chain flood -- router -- target (ChainTopology). What is here:

    Flood(exe, ns, vdevs, app_args).run(timeout)   -> FloodResult: exit code, stdout, stderr,
        the JSON of --json (always asked for), and the summary lines parsed (ping's shape,
        the sweep's alive / dead lines, the pmtu verdict, the error lines on stderr, the
        mempool line: noted with netns.note_exit_summary, so the test's Report asserts that
        no mbuf was in use at exit)
    check_ping_shape(rep, res)     the two ping-shaped summary lines, and that they say what
                                   the JSON says
    check_one_error(rep, res, ...) exit 2 and exactly one 'pingwire-flood: error: ...' line
    nft_apply / nft_counter        nftables rulesets and their named counters, in a namespace
    nstat_abs                      the kernel's SNMP counters of a namespace (nstat -asz)
    Capture                        tcpdump on an interface of a namespace; read_pcap parses it
    flood_main                     the entry point: --flood, --responder, root, tools, Report

Only 198.18.0.0/15 and 2001:2::/48 are used (netns.py's addresses), nothing else is sent to.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import HarnessError, indent, log, run  # noqa: E402,F401

# netns.Topology: the Linux peer is the "host" namespace, the flood the "dut" one.
PEER_ADDR4, FLOOD_ADDR4 = netns.HOST_ADDR4, netns.DUT_ADDR4   # 198.18.0.1, 198.18.0.2
PEER_ADDR6, FLOOD_ADDR6 = netns.HOST_ADDR6, netns.DUT_ADDR6   # 2001:2::1, 2001:2::2
PREFIX4, PREFIX6 = netns.PREFIX4, netns.PREFIX6

FLOOD_READY = "pingwire-flood: ready"
ERROR_PREFIX = "pingwire-flood: error:"
HERE = os.path.dirname(os.path.abspath(__file__))

_BENCH4 = ipaddress.ip_network("198.18.0.0/15")
_BENCH6 = ipaddress.ip_network("2001:2::/48")


def assert_bench(addr: str) -> str:
    """The tests' rule: only 198.18.0.0/15 and 2001:2::/48 are ever a target."""
    net = ipaddress.ip_network(addr, strict=False)
    if not (net.subnet_of(_BENCH4) if net.version == 4 else net.subnet_of(_BENCH6)):
        raise HarnessError(f"{addr} is outside 198.18.0.0/15 and 2001:2::/48: refusing")
    return addr


def norm_addr(addr) -> str:
    """An address in its canonical text (IPv6 compressed), or str(addr) if not one."""
    try:
        return str(ipaddress.ip_address(str(addr)))
    except ValueError:
        return str(addr)


def port_spec(port: int = 0, addrs: tuple[str, ...] = (f"{FLOOD_ADDR4}/{PREFIX4}",
                                                       f"{FLOOD_ADDR6}/{PREFIX6}"),
              mtu: int | None = None, mac: str | None = None) -> list[str]:
    spec = f"{port}" + "".join(f",addr={a}" for a in addrs)
    if mac:
        spec += f",mac={mac}"
    if mtu:
        spec += f",mtu={mtu}"
    return ["--port", spec]


# --------------------------------------------------------------------------------------------
# the flood's output


@dataclasses.dataclass
class AliveLine:
    addr: str
    by: str
    ttl: int
    initial: int
    hops: int
    rtt_ms: float
    line: str


# Exactly the shapes of docs/flood.md (ping's, where it is ping's).
RE_HEADER = re.compile(r"^--- (.+) pingwire-flood statistics ---$")
RE_STATS = re.compile(r"^(\d+) packets transmitted, (\d+) received, \+(\d+) duplicates, "
                      r"(\d+(?:\.\d+)?)% packet loss, time (\d+)ms$")
RE_RTT = re.compile(r"^rtt min/avg/max/mdev = (\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+) ms$")
RE_PCT = re.compile(r"^rtt p50/p90/p99/p99\.9/p99\.99 = (\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+)/"
                    r"(\d+\.\d+)/(\d+\.\d+) ms$")
RE_ANOM = re.compile(r"^reordered (\d+), corrupted (\d+), late (\d+) \(over [\d.]+ ms\), unmatched (\d+)")
RE_RATE = re.compile(r"^rate: asked (\d+|max) pps, achieved (\d+(?:\.\d+)?) pps(.*)$")
RE_ALIVE = re.compile(r"^(\S+) alive: ([a-z-]+(?::\d+)?), ttl (\d+) \(initial (\d+), (\d+) hops\), "
                      r"rtt (\d+(?:\.\d+)?) ms$")
RE_DEAD = re.compile(r"^(\S+) dead$")
RE_COUNT = re.compile(r"^(\d+) of (\d+) addresses alive$")
RE_PING = re.compile(r"^PING (.+): (\d+) data bytes, (\d+) targets?, rate (\S+) pps(?:, (.*))?$")


@dataclasses.dataclass
class FloodResult:
    argv: list[str]
    ns: str
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    killed: bool = False
    json: dict | None = None
    json_error: str = ""
    # parsed from stdout
    header: str | None = None
    stats: dict | None = None      # transmitted, received, duplicates, loss_pct, time_ms
    stats_line: str = ""
    rtt: dict | None = None        # min, avg, max, mdev (ms)
    rtt_line: str = ""
    percentiles_line: str = ""
    anomalies: dict | None = None  # reordered, corrupted, late, unmatched
    rate_line: str = ""
    alive: list[AliveLine] = dataclasses.field(default_factory=list)
    dead: list[str] = dataclasses.field(default_factory=list)
    count_line: tuple[int, int] | None = None  # (alive, of)
    pmtu_lines: list[str] = dataclasses.field(default_factory=list)
    ping_line: str = ""
    mempool: netns.MempoolLine | None = None  # the last line: 'mempool: N of N mbufs free ...'
    note: dict | None = None  # netns.note_exit_summary: Report.finish checks the mempool line

    @property
    def command_line(self) -> str:
        return f"ip netns exec {self.ns} {shlex.join(self.argv)}"

    @property
    def stderr_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.strip()]

    @property
    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith(ERROR_PREFIX)]

    def j(self, key: str, default=None):
        return (self.json or {}).get(key, default)

    def host(self, addr: str) -> dict | None:
        want = ipaddress.ip_address(addr)
        for h in (self.json or {}).get("hosts", []) or []:
            try:
                if ipaddress.ip_address(h.get("address", "")) == want:
                    return h
            except ValueError:
                continue
        return None

    def summary_text(self) -> str:
        """The summary from its '--- ... statistics ---' line on (or the stdout tail)."""
        i = self.stdout.find("--- ")
        return self.stdout[i:] if i >= 0 else self.stdout[-3000:]

    @property
    def evidence(self) -> str:
        """The command, exit code, the end of stdout (from the summary) and stderr's ends."""
        out = self.stdout
        keep = []
        for ln in out.splitlines():
            if RE_PING.match(ln) or ln.startswith(FLOOD_READY):
                keep.append(ln)
        tail = self.summary_text()
        err = self.stderr_lines
        err_shown = err if len(err) <= 6 else err[:2] + [f"... ({len(err) - 4} lines)"] + err[-2:]
        return (f"$ {self.command_line}\n  exit code {self.rc}"
                f"{' (killed: timed out)' if self.killed else ''}, {self.seconds:.1f} s\n"
                + (indent("\n".join(keep)) + "\n" if keep and keep[0] not in tail else "")
                + f"{indent(tail)}\n  stderr:\n{indent(chr(10).join(err_shown))}")

    def json_brief(self, *keys: str) -> str:
        j = self.json or {}
        keys = keys or ("targets", "transmitted", "received", "duplicates", "reordered",
                        "corrupted", "late", "lost", "unmatched", "too_old", "loss_percent",
                        "time_ms", "alive")
        return "JSON: " + ", ".join(f"{k} {j.get(k)!r}" for k in keys) if self.json \
            else f"JSON: none ({self.json_error or 'not written'})"


def parse_output(res: FloodResult) -> None:
    for ln in res.stdout.splitlines():
        ln = ln.rstrip("\r")
        if m := RE_HEADER.match(ln):
            res.header = m.group(1)
        elif m := RE_STATS.match(ln):
            res.stats_line = ln
            res.stats = dict(transmitted=int(m.group(1)), received=int(m.group(2)),
                             duplicates=int(m.group(3)), loss_pct=float(m.group(4)),
                             time_ms=int(m.group(5)))
        elif m := RE_RTT.match(ln):
            res.rtt_line = ln
            res.rtt = dict(zip(("min", "avg", "max", "mdev"), map(float, m.groups())))
        elif RE_PCT.match(ln):
            res.percentiles_line = ln
        elif m := RE_ANOM.match(ln):
            res.anomalies = dict(zip(("reordered", "corrupted", "late", "unmatched"),
                                     map(int, m.groups())))
        elif RE_RATE.match(ln):
            res.rate_line = ln
        elif m := RE_ALIVE.match(ln):
            res.alive.append(AliveLine(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)),
                                       int(m.group(5)), float(m.group(6)), ln))
        elif m := RE_DEAD.match(ln):
            res.dead.append(m.group(1))
        elif m := RE_COUNT.match(ln):
            res.count_line = (int(m.group(1)), int(m.group(2)))
        elif ln.startswith("pmtu"):
            res.pmtu_lines.append(ln)
        elif RE_PING.match(ln):
            res.ping_line = ln


# --------------------------------------------------------------------------------------------
# running it


class Flood:
    """pingwire-flood in namespace ns, to the end of its run (it ends by itself), its output
    captured; --json is added (a file in a temporary directory) unless json=False."""

    def __init__(self, exe: str, ns: str, vdevs: list[str], app_args: list[str], *,
                 lcores: list[str] | None = None, memory: int = 512, json_out: bool = True,
                 eal_extra: list[str] | None = None, tag: str | None = None):
        self.exe = exe
        self.ns = ns
        self.prefix = f"{tag or ns}-f{next(netns._counter)}"
        self.vdevs = vdevs
        self.lcores = lcores or ["-l", "0,1"]
        self.memory = memory
        self.app_args = list(app_args)
        self.eal_extra = eal_extra or []
        self.tmp = tempfile.mkdtemp(prefix="pwflood-")
        self.json_path = os.path.join(self.tmp, "flood.json") if json_out else None
        self.proc: subprocess.Popen | None = None
        self.t0 = 0.0

    @property
    def argv(self) -> list[str]:
        vd = [x for v in self.vdevs for x in ("--vdev", v)]
        app = self.app_args + (["--json", self.json_path] if self.json_path else [])
        return [self.exe, *self.lcores, "--no-huge", "-m", str(self.memory), "--no-pci",
                "--file-prefix", self.prefix, *vd, *self.eal_extra, "--", *app]

    @property
    def command_line(self) -> str:
        return f"ip netns exec {self.ns} {shlex.join(self.argv)}"

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *self.argv],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, errors="replace",
                                     start_new_session=True)

    def wait(self, timeout: float) -> FloodResult:
        killed = False
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            killed = True
            # First as a user would (SIGINT: it still prints its summary), then for good.
            try:
                os.killpg(self.proc.pid, signal.SIGINT)
                out, err = self.proc.communicate(timeout=5)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                out, err = self.proc.communicate(timeout=10)
        res = FloodResult(argv=self.argv, ns=self.ns, rc=self.proc.returncode, stdout=out or "",
                          stderr=err or "", seconds=time.monotonic() - self.t0, killed=killed)
        parse_output(res)
        res.mempool = netns.parse_mempool(res.stdout)
        res.note = netns.note_exit_summary("pingwire-flood", res.stdout)
        if self.json_path:
            try:
                with open(self.json_path) as f:
                    res.json = json.load(f)
            except FileNotFoundError:
                res.json_error = f"{self.json_path} not written"
            except (OSError, ValueError) as e:
                res.json_error = f"{self.json_path}: {e}"
        self.cleanup()
        return res

    def run(self, timeout: float = 60) -> FloodResult:
        log(f"$ {self.command_line}")
        self.start()
        return self.wait(timeout)

    def cleanup(self) -> None:
        with netns.signals_deferred():
            if self.proc is not None and self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)
            shutil.rmtree(f"{netns.DPDK_RUN_DIR}/{self.prefix}", ignore_errors=True)
            shutil.rmtree(self.tmp, ignore_errors=True)


def flood_on(topo: netns.Topology, exe: str, args: list[str], **kw) -> Flood:
    """pingwire-flood on the DUT end of a netns.Topology (net_af_packet on its veth)."""
    return Flood(exe, topo.dut_ns, [f"net_af_packet0,iface={topo.dut_if}"], args,
                 tag=topo.tag, **kw)


# --------------------------------------------------------------------------------------------
# checks many tests share


def check_ping_shape(rep: netns.Report, res: FloodResult, *, target: str | None = None) -> bool:
    """The end summary in ping's shape (docs/flood.md), and what it says equals the JSON."""
    ok = True
    if target is not None:
        ok &= rep.check(f"summary header '--- {target} pingwire-flood statistics ---'",
                        res.header == target, f"header parsed: {res.header!r}")
    ok &= rep.check("statistics line in ping's shape: 'N packets transmitted, M received, "
                    "+D duplicates, X% packet loss, time Tms'", res.stats is not None,
                    res.stats_line or indent(res.summary_text()))
    ok &= rep.check("rtt line in ping's shape: 'rtt min/avg/max/mdev = a/b/c/d ms'",
                    res.rtt is not None, res.rtt_line or indent(res.summary_text()))
    # A script that parses ping's output (netns.parse_ping: iputils' regex) reads the same.
    pp = netns.parse_ping(res.argv, subprocess.CompletedProcess(res.argv, res.rc or 0,
                                                                res.stdout, ""))
    if res.stats is not None:
        ok &= rep.check("ping's own parser (netns.parse_ping) reads the same numbers",
                        (pp.transmitted, pp.received, pp.duplicates)
                        == (res.stats["transmitted"], res.stats["received"],
                            res.stats["duplicates"]),
                        f"parse_ping: transmitted {pp.transmitted} received {pp.received} "
                        f"duplicates {pp.duplicates} loss {pp.loss_pct}%")
    if res.stats is not None and res.json is not None:
        j = res.json
        ok &= rep.check("the statistics line says what the JSON says (transmitted, received, "
                        "duplicates, loss)",
                        (res.stats["transmitted"], res.stats["received"],
                         res.stats["duplicates"]) == (j.get("transmitted"), j.get("received"),
                                                      j.get("duplicates"))
                        and abs(res.stats["loss_pct"] - float(j.get("loss_percent", -1))) < 0.01,
                        f"{res.stats_line}\n{res.json_brief()}")
    return ok


def check_one_error(rep: netns.Report, what: str, res: FloodResult, *,
                    exact: str | None = None, pattern: str | None = None,
                    stderr_only_that: bool = True) -> bool:
    """Exit 2 and one 'pingwire-flood: error: ...' line (exact text or regex), and with
    stderr_only_that nothing else on stderr."""
    errs = res.error_lines
    ok = res.rc == 2 and not res.killed and len(errs) == 1
    if ok and exact is not None:
        ok = errs[0] == exact
    if ok and pattern is not None:
        ok = re.fullmatch(pattern, errs[0]) is not None
    if ok and stderr_only_that:
        ok = len(res.stderr_lines) == 1
    want = (f"'{exact}'" if exact else f"/{pattern}/" if pattern else "'pingwire-flood: error: "
            "...'")
    return rep.check(f"{what}: exit 2, {'stderr is' if stderr_only_that else 'stderr has'} "
                     f"exactly one line {want}", ok,
                     f"$ {res.command_line}\n  exit code {res.rc}\n  stderr:\n"
                     f"{indent(res.stderr)}\n  stdout (tail):\n{indent(res.stdout[-1500:])}")


# --------------------------------------------------------------------------------------------
# nftables, nstat, sysctl


def ns_run(ns: str, cmd: list[str], *, check: bool = True, timeout: float = 30,
           input: str | None = None) -> subprocess.CompletedProcess:
    return run(["ip", "netns", "exec", ns, *cmd], check=check, timeout=timeout, input=input)


def sysctl(ns: str, key: str, value) -> str:
    ns_run(ns, ["sysctl", "-qw", f"{key}={value}"])
    return f"ip netns exec {ns} sysctl -w {key}={value}"


def nft_apply(ns: str, ruleset: str) -> str:
    """Loads a ruleset (nft -f -) in namespace ns; returns it for the evidence."""
    ns_run(ns, ["nft", "-f", "-"], input=ruleset)
    return ruleset


def nft_counter(ns: str, family: str, table: str, name: str) -> tuple[int, int]:
    """(packets, bytes) of the named counter `name` of table `family table`."""
    cp = ns_run(ns, ["nft", "-j", "list", "counter", family, table, name])
    data = json.loads(cp.stdout)
    for item in data.get("nftables", []):
        c = item.get("counter")
        if c and c.get("name") == name:
            return int(c.get("packets", 0)), int(c.get("bytes", 0))
    raise HarnessError(f"no counter {name} in {family} {table}:\n{indent(cp.stdout)}")


def nft_list(ns: str, family: str, table: str) -> str:
    return ns_run(ns, ["nft", "list", "table", family, table], check=False).stdout


def nstat_abs(ns: str) -> dict[str, int]:
    """The kernel's counters of namespace ns, absolute (nstat -a), history untouched (-s),
    zeros included (-z)."""
    cp = ns_run(ns, ["nstat", "-asz"])
    out: dict[str, int] = {}
    for ln in cp.stdout.splitlines():
        parts = ln.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def nstat_delta(before: dict[str, int], after: dict[str, int], key: str) -> int:
    return after.get(key, 0) - before.get(key, 0)


def quiet_ipv6(ns: str, ifname: str) -> None:
    """No DAD, no router solicitations, no RAs on ifname (addresses usable at once)."""
    for key, val in (("accept_dad", 0), ("dad_transmits", 0), ("router_solicitations", 0),
                     ("accept_ra", 0)):
        sysctl(ns, f"net.ipv6.conf.{ifname}.{key}", val)


def offloads_off(ns: str, ifname: str) -> str:
    """Checksums finished in software before a frame reaches the peer's veth (net_af_packet
    on the far end would get CHECKSUM_PARTIAL frames otherwise), no TSO/GSO/GRO."""
    cmd = ["ethtool", "-K", ifname, "tx", "off", "tso", "off", "gso", "off", "gro", "off"]
    ns_run(ns, cmd)
    return f"ip netns exec {ns} {shlex.join(cmd)}"


def prepare_peer(topo: netns.Topology) -> None:
    """A netns.Topology for the flood: offloads off on both veth ends (see offloads_off)."""
    offloads_off(topo.host_ns, topo.host_if)
    offloads_off(topo.dut_ns, topo.dut_if)


# --------------------------------------------------------------------------------------------
# tcpdump


class Capture:
    """tcpdump -w on one interface of a namespace, nanosecond timestamps when it can; a
    context manager (stops it with SIGINT on exit). After stop(): .stats (captured, received
    by filter, dropped by kernel) and .packets() (timestamp ns, frame)."""

    def __init__(self, ns: str, ifname: str, bpf: str, snaplen: int = 128):
        self.ns, self.ifname, self.bpf = ns, ifname, bpf
        self.tmp = tempfile.mkdtemp(prefix="pwcap-")
        self.path = os.path.join(self.tmp, "cap.pcap")
        self.snaplen = snaplen
        self.stats: dict[str, int] = {}
        self.stderr = ""
        self.nano = self._has_nano()
        self.cmd = ["tcpdump", "-i", self.ifname, "-n", "-s", str(self.snaplen), "-B", "32768",
                    "-w", self.path, "-U",
                    *(["--time-stamp-precision", "nano"] if self.nano else []), self.bpf]
        self.bg = Background(ns, self.cmd, ready="listening on", ready_stream="stderr",
                             stop_signal=signal.SIGINT)

    @staticmethod
    def _has_nano() -> bool:
        cp = run(["tcpdump", "--help"], check=False)
        return "--time-stamp-precision" in (cp.stdout + cp.stderr)

    def start(self) -> "Capture":
        self.bg.start()
        return self

    @property
    def command_line(self) -> str:
        return self.bg.command_line

    def stop(self) -> dict[str, int]:
        if self.bg.proc is not None:
            # libpcap's TPACKET_V3 ring hands a block over when it is full or after its timeout
            # (tcpdump's 1 s); SIGINT does not drain the ring: wait longer than that.
            time.sleep(1.3)
            self.bg.stop()
            self.stderr = self.bg.stderr
            for key, pat in (("captured", r"(\d+) packets? captured"),
                             ("received", r"(\d+) packets? received by filter"),
                             ("dropped", r"(\d+) packets? dropped by kernel")):
                m = re.search(pat, self.stderr)
                self.stats[key] = int(m.group(1)) if m else -1
        return self.stats

    def packets(self) -> list[tuple[int, bytes]]:
        return read_pcap(self.path)

    def close(self) -> None:
        with netns.signals_deferred():
            self.bg.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "Capture":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def read_pcap(path: str) -> list[tuple[int, bytes]]:
    """(timestamp in ns, frame) of every record of a classic pcap file (µs or ns)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    else:
        magic = struct.unpack(">I", data[:4])[0]
        endian = ">"
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise HarnessError(f"{path}: not a pcap file (magic {data[:4].hex()})")
    scale = 1 if magic == 0xA1B23C4D else 1000
    out = []
    off = 24
    hdr = struct.Struct(endian + "IIII")
    while off + 16 <= len(data):
        sec, frac, incl, _orig = hdr.unpack_from(data, off)
        off += 16
        out.append((sec * 1_000_000_000 + frac * scale, data[off:off + incl]))
        off += incl
    return out


# --------------------------------------------------------------------------------------------
# a chain of namespaces: flood -- router -- target (test_flood_pmtu)


class ChainTopology:
    """Three namespaces, made fresh and always removed again (a context manager):

        F (dut_ns)                     R (r_ns, Linux router)                  T (b_ns)
        f_if  [pingwire-flood] <-veth->  r0_if 198.18.1.1/24   r1_if 198.18.2.1/24  <-veth->  t_if 198.18.2.2/24
              198.18.1.2/24               2001:2:0:1::1/64       2001:2:0:2::1/64             2001:2:0:2::2/64
              2001:2:0:1::2/64                    ip_forward=1, forwarding=1

    F's kernel stays silent on f_if (no address, IPv6 off); the link R -- T has `mtu` (both
    ends). T routes 198.18.0.0/15 and 2001:2::/48 via R; nothing has a default route.
    Offloads are off on every veth end (netns.py does the same for its peers)."""

    F4, R04, R14, T4 = "198.18.1.2", "198.18.1.1", "198.18.2.1", "198.18.2.2"
    F6, R06, R16, T6 = "2001:2:0:1::2", "2001:2:0:1::1", "2001:2:0:2::1", "2001:2:0:2::2"

    def __init__(self, mtu: int = 1400, verbose: bool = True):
        n = next(netns._counter)
        pid = os.getpid()
        self.tag = f"{netns.NS_PREFIX}-{pid}-{n}"
        # names netns.remove_stale() knows (…-dut, -r, -b): a killed run is cleaned up later
        self.dut_ns, self.r_ns, self.b_ns = f"{self.tag}-dut", f"{self.tag}-r", f"{self.tag}-b"
        short = f"{pid}{chr(ord('a') + n % 26)}"
        self.f_if, self.r0_if = f"pwf{short}", f"pwr{short}"
        self.r1_if, self.t_if = f"pws{short}", f"pwt{short}"
        self.mtu = mtu
        self.verbose = verbose
        self._made: list[str] = []

    def vdevs(self) -> list[str]:
        return [f"net_af_packet0,iface={self.f_if}"]

    def __enter__(self) -> "ChainTopology":
        try:
            self.create()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    def create(self) -> None:
        netns.remove_stale()
        for ns in (self.dut_ns, self.r_ns, self.b_ns):
            run(["ip", "netns", "add", ns])
            self._made.append(ns)
            ns_run(ns, ["ip", "link", "set", "lo", "up"])
        sysctl(self.dut_ns, "net.ipv6.conf.default.disable_ipv6", 1)
        run(["ip", "link", "add", self.f_if, "netns", self.dut_ns, "type", "veth", "peer", "name",
             self.r0_if, "netns", self.r_ns])
        run(["ip", "link", "add", self.r1_if, "netns", self.r_ns, "type", "veth", "peer", "name",
             self.t_if, "netns", self.b_ns])
        sysctl(self.dut_ns, f"net.ipv6.conf.{self.f_if}.disable_ipv6", 1)
        offloads_off(self.dut_ns, self.f_if)
        ns_run(self.dut_ns, ["ip", "link", "set", self.f_if, "up"])
        r = self.r_ns
        for ifname, a4, a6 in ((self.r0_if, self.R04, self.R06), (self.r1_if, self.R14, self.R16)):
            quiet_ipv6(r, ifname)
            ns_run(r, ["ip", "addr", "add", f"{a4}/24", "dev", ifname])
            ns_run(r, ["ip", "-6", "addr", "add", f"{a6}/64", "dev", ifname, "nodad"])
            offloads_off(r, ifname)
        ns_run(r, ["ip", "link", "set", self.r1_if, "mtu", str(self.mtu)])
        for ifname in (self.r0_if, self.r1_if):
            ns_run(r, ["ip", "link", "set", ifname, "up"])
        sysctl(r, "net.ipv4.ip_forward", 1)
        sysctl(r, "net.ipv6.conf.all.forwarding", 1)
        t = self.b_ns
        quiet_ipv6(t, self.t_if)
        ns_run(t, ["ip", "link", "set", self.t_if, "mtu", str(self.mtu)])
        ns_run(t, ["ip", "addr", "add", f"{self.T4}/24", "dev", self.t_if])
        ns_run(t, ["ip", "-6", "addr", "add", f"{self.T6}/64", "dev", self.t_if, "nodad"])
        offloads_off(t, self.t_if)
        ns_run(t, ["ip", "link", "set", self.t_if, "up"])
        ns_run(t, ["ip", "route", "add", netns.BENCH_NET4, "via", self.R14, "dev", self.t_if])
        ns_run(t, ["ip", "-6", "route", "add", netns.BENCH_NET6, "via", self.R16, "dev",
                   self.t_if])
        if self.verbose:
            log(f"topology: {self.dut_ns}/{self.f_if} [pingwire-flood {self.F4} {self.F6}] "
                f"<-> {self.r_ns}/{self.r0_if} {self.R04} {self.R06} (Linux router) "
                f"{self.r1_if} {self.R14} {self.R16} mtu {self.mtu} <-> "
                f"{self.b_ns}/{self.t_if} {self.T4} {self.T6} mtu {self.mtu}")

    def destroy(self) -> None:
        with netns.signals_deferred():
            for ns in reversed(self._made):
                run(["ip", "netns", "del", ns], check=False)
            self._made.clear()


# --------------------------------------------------------------------------------------------
# entry point


def default_flood() -> str:
    return os.path.normpath(os.path.join(HERE, "..", "..", "build", "apps", "flood",
                                         "pingwire-flood"))


def flood_main(name: str, body, extra_tools: tuple[str, ...] = (),
               need_responder: bool = False) -> None:
    """Parses --flood (and --responder), skips with a reason without root, tools or the
    program, runs body(args, rep) and exits 0 (all checks passed) or 1."""
    ap = argparse.ArgumentParser(description=name)
    ap.add_argument("--flood", default=default_flood(), help="path to pingwire-flood")
    ap.add_argument("--responder", default=netns.default_responder(),
                    help="path to pingwire-responder (test_flood_memif)")
    args = ap.parse_args()
    netns.require_root_and_tools(extra_tools)
    netns.install_signal_handlers()
    if not os.access(args.flood, os.X_OK):
        log(f"SKIP: pingwire-flood is not built (no executable at {args.flood}); build it "
            f"(ninja -C <build> apps/flood/pingwire-flood) to run {name}")
        sys.exit(netns.SKIP)
    if need_responder and not os.access(args.responder, os.X_OK):
        log(f"SKIP: pingwire-responder is not built (no executable at {args.responder})")
        sys.exit(netns.SKIP)
    rep = netns.Report(name)
    log(f"== {name}: {args.flood}")
    try:
        body(args, rep)
    except HarnessError as e:
        rep.check("test environment set up", False, str(e))
    except netns.StartError as e:
        rep.check("responder starts and prints its ready line", False, str(e))
    except KeyboardInterrupt as e:
        rep.check("test ran to the end", False, f"interrupted ({e})")
    sys.exit(rep.finish())


class Background:
    """A helper process in a namespace (a raw peer, a listener), stopped with SIGTERM; its
    output collected. A context manager."""

    def __init__(self, ns: str, cmd: list[str], ready: str | None = None,
                 ready_stream: str = "stdout", stop_signal: int = signal.SIGTERM):
        self.ns, self.cmd, self.ready_mark = ns, cmd, ready
        self.ready_stream = ready_stream
        self.stop_signal = stop_signal
        self.out: list[str] = []
        self.err: list[str] = []
        self.proc: subprocess.Popen | None = None
        self._ready = threading.Event()
        self._threads: list[threading.Thread] = []
        self.rc: int | None = None

    @property
    def command_line(self) -> str:
        return f"ip netns exec {self.ns} {shlex.join(self.cmd)}"

    def _pump(self, stream, sink, watch):
        for line in iter(stream.readline, ""):
            sink.append(line)
            if watch and self.ready_mark and self.ready_mark in line:
                self._ready.set()
        stream.close()

    def start(self, timeout: float = 10) -> "Background":
        log(f"$ {self.command_line} &")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *self.cmd],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, errors="replace",
                                     bufsize=1, start_new_session=True)
        for stream, sink, watch in ((self.proc.stdout, self.out, self.ready_stream == "stdout"),
                                    (self.proc.stderr, self.err, self.ready_stream == "stderr")):
            t = threading.Thread(target=self._pump, args=(stream, sink, watch), daemon=True)
            t.start()
            self._threads.append(t)
        if self.ready_mark:
            deadline = time.monotonic() + timeout
            while not self._ready.wait(0.05):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise HarnessError(f"{self.command_line}: no '{self.ready_mark}' line\n"
                                       f"{indent(''.join(self.out) + ''.join(self.err))}")
        return self

    def stop(self, timeout: float = 10) -> int | None:
        if self.proc is None:
            return self.rc
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, self.stop_signal)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        for t in self._threads:
            t.join(5)
        self.rc = self.proc.returncode
        self.proc = None
        return self.rc

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def __enter__(self) -> "Background":
        return self.start()

    def __exit__(self, *exc) -> None:
        with netns.signals_deferred():
            self.stop()


class MemifNet:
    """One namespace (named so that netns.remove_stale() removes it after a killed run) and
    the memif socket paths the processes in it share; what netns.Responder needs of a
    topology. The responder is the server on every socket (net_memif<i>), then `extra_vdevs`."""
    kind = "memif"
    dut_kernel_mac = ""

    def __init__(self, n_sockets: int = 1, server_args: str = "",
                 extra_vdevs: tuple[str, ...] = ()):
        n = next(netns._counter)
        self.tag = f"{netns.NS_PREFIX}-{os.getpid()}-{n}"
        self.dut_ns = f"{self.tag}-dut"
        self.sockets = [f"/run/pingwire-test-{self.tag}-{i}.sock" for i in range(n_sockets)]
        self.socket = self.sockets[0]
        self.server_args = server_args
        self.extra_vdevs = list(extra_vdevs)
        self.made = False

    def vdevs(self) -> list[str]:
        return [f"net_memif{i},role=server,socket={s}{self.server_args}"
                for i, s in enumerate(self.sockets)] + self.extra_vdevs

    def client(self, i: int = 0) -> str:
        return f"net_memif{i},role=client,socket={self.sockets[i]}"

    def client_vdevs(self) -> list[str]:
        return [self.client(0)]

    def attach_tap(self) -> None:
        pass

    def __enter__(self) -> "MemifNet":
        netns.remove_stale()
        netns.run(["ip", "netns", "add", self.dut_ns])
        self.made = True
        ns_run(self.dut_ns, ["ip", "link", "set", "lo", "up"])
        netns.log(f"namespace {self.dut_ns}; memif sockets {self.sockets}")
        return self

    def __exit__(self, *exc) -> None:
        with netns.signals_deferred():
            if self.made:
                netns.run(["ip", "netns", "del", self.dut_ns], check=False)
            for s in self.sockets:
                try:
                    os.unlink(s)  # only if it was made as a file (socket-abstract=no)
                except OSError:
                    pass
