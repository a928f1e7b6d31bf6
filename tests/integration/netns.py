#!/usr/bin/env python3
"""Network-namespace harness for pingwire's integration tests (stdlib only).

Topology, made fresh for each test and always removed again:

    host namespace                         DUT namespace
    pwh<id>  198.18.0.1/24    <-- veth -->   pwd<id>  (no address, IPv6 disabled)
             2001:2::1/64                       ^
    real Linux ping, ip neigh               pingwire-responder, net_af_packet

Topology(kind="tap") makes the same two namespaces without the veth: the responder creates
its link with net_tap (iface=pwt<id>) in the DUT namespace, and once it is ready the harness
moves that kernel interface into the host namespace, where it becomes the host's NIC with the
addresses above. Use it where fragments matter: net_af_packet gets IPv4 fragments already
reassembled by the kernel, and lone fragments not at all.

Router tests (RouterTopology): three namespaces, the responder in the middle with --forward
on two ports:

    A  198.18.1.2/24 2001:2:0:1::2/64 <-> [port 0 198.18.1.1 | router R | port 1 198.18.2.1]
       <-> B 198.18.2.2/24 2001:2:0:2::2/64      (A and B route 198.18.0.0/15, 2001:2::/48
                                                   through R; link="tap" for real fragments)

Only 198.18.0.0/15 and 2001:2::/48 (plus the link-local and multicast addresses NDP needs)
are ever used; the host namespace has no other route, so nothing can leak elsewhere.

Library use (see test_*.py):

    with Topology() as topo, Responder(topo, exe) as r:
        r.start()
        print(topo.host(["ping", "-c", "1", "198.18.0.2"]).stdout)
        with L2Port(topo.host_ns, topo.host_if) as port:   # raw frames in and out
            port.send(frame_bytes)
        result = r.stop()          # rc, stdout, stderr, parsed counters
        result.ports[0].balanced   # rx == answered + held + dropped, tx == answered + generated
        result.mempool             # the last line: 'mempool: N of N mbufs free (0 in use)'
                                   # (check_counters asserts it; Report.finish asserts it for
                                   # every exit summary read and not checked by the test)

    with RouterTopology() as topo, \
         Responder(topo, exe, app_args=topo.router_args(mtu1=1400, extra=["--route", ...])) as r:
        r.start()
        topo.ping(["-c", "1", B_ADDR4])            # from A; topo.a([...]) / topo.b([...]) run
        tcp_transfer(topo.a_ns, topo.b_ns, B_ADDR4, 5001, 10_000_000)   # sockets in netns
        res = r.stop()
        check_router_counters(rep, res, (0, 1))    # per port: rx == answered + forwarded +
        res.router.neighbour(B_ADDR4)              # held + dropped, tx == answered +
                                                   # generated + fwd_sent; the router block

Command line:  netns.py demo --responder PATH     (used by scripts/demo)
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import glob
import ipaddress
import itertools
import os
import re
import shlex
import shutil
import select
import signal
import socket
import subprocess
import sys
import threading
import time

SKIP = 77  # meson's "skipped" exit code

HOST_ADDR4 = "198.18.0.1"
DUT_ADDR4 = "198.18.0.2"
HOST_ADDR6 = "2001:2::1"
DUT_ADDR6 = "2001:2::2"
PREFIX4 = 24
PREFIX6 = 64

READY_MARK = "pingwire-responder: ready"
DPDK_RUN_DIR = "/var/run/dpdk"
NS_PREFIX = "pwi"  # namespaces: pwi-<pid>-<n>-host / -dut; file prefixes: pwi-<pid>-<n>

_counter = itertools.count()


# --------------------------------------------------------------------------------------------
# small helpers


def log(msg: str) -> None:
    print(msg, flush=True)


def indent(text: str, prefix: str = "    | ") -> str:
    text = text.rstrip("\n")
    if not text:
        return prefix + "(no output)"
    return "\n".join(prefix + line for line in text.split("\n"))


def run(cmd: list[str], *, check: bool = True, timeout: float = 60,
        input: str | None = None) -> subprocess.CompletedProcess:
    """Runs a command, captures text output; raises with the output shown if check fails."""
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input,
                            stdin=None if input is not None else subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"")
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        raise HarnessError(f"timed out after {timeout}s: {shlex.join(cmd)}\n{indent(out)}") from e
    if check and cp.returncode != 0:
        raise HarnessError(f"failed (exit {cp.returncode}): {shlex.join(cmd)}\n"
                           f"{indent(cp.stdout + cp.stderr)}")
    return cp


class HarnessError(RuntimeError):
    """The test environment could not be set up (not a verdict on the responder)."""


def require_root_and_tools(extra_tools: tuple[str, ...] = ()) -> None:
    """Exits with meson's skip code (77) and a clear reason when the test cannot run here."""
    if os.geteuid() != 0:
        log("SKIP: this integration test needs root (network namespaces, veth pairs, "
            "AF_PACKET); run it as root, e.g. `sudo meson test -C build --suite integration`")
        sys.exit(SKIP)
    for tool in ("ip", "ping", *extra_tools):
        if shutil.which(tool) is None:
            log(f"SKIP: `{tool}` is not installed (scripts/install-deps installs it)")
            sys.exit(SKIP)


def install_signal_handlers() -> None:
    """Turns SIGTERM/SIGHUP (meson's timeout, a closed terminal) into an exception, so that the
    `finally` blocks still remove namespaces and kill the responder."""
    def handler(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


class signals_deferred:
    """Holds off SIGTERM/SIGINT/SIGHUP while cleaning up: a second signal (meson's timeout,
    an impatient Ctrl-C) must not leave a namespace or a responder behind."""
    SIGS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}

    def __enter__(self):
        self.old = signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGS)

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_SETMASK, self.old)


def link_local_from_mac(mac: str) -> str:
    """Modified EUI-64 link-local address (RFC 4291 2.5.1 / appendix A) of a MAC."""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 0x02
    eui = b[:3] + [0xFF, 0xFE] + b[3:]
    return str(ipaddress.IPv6Address(bytes([0xFE, 0x80] + [0] * 6 + eui)))


# --------------------------------------------------------------------------------------------
# ping output


@dataclasses.dataclass
class PingResult:
    cmd: list[str]
    rc: int
    output: str
    transmitted: int = 0
    received: int = 0
    errors: int = 0
    duplicates: int = 0
    loss_pct: float = 100.0

    @property
    def evidence(self) -> str:
        return f"$ {shlex.join(self.cmd)}   (exit {self.rc})\n{indent(self.output)}"

    @property
    def clean(self) -> bool:
        """Every request answered, exactly once, no ICMP errors."""
        return (self.rc == 0 and self.transmitted > 0 and self.received == self.transmitted
                and self.errors == 0 and self.duplicates == 0 and self.loss_pct == 0.0)


_PING_STATS = re.compile(r"(\d+) packets transmitted, (\d+) received"
                         r"(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?, ([\d.]+)% packet loss")


def parse_ping(cmd: list[str], cp: subprocess.CompletedProcess) -> PingResult:
    out = (cp.stdout or "") + (cp.stderr or "")
    # `ping -f` prints '.' per request and a backspace per reply: keep only what is left.
    def flood_marks(m: re.Match) -> str:
        left = m.group(0).count(".") - m.group(0).count("\b") // 2  # a reply: "\b \b"
        return f"[ping -f marks: {left} request(s) left without a reply]\n"
    out = re.sub(r"^(?:\.|\x08 \x08)+\n?", flood_marks, out, flags=re.M)
    r = PingResult(cmd=cmd, rc=cp.returncode, output=out)
    m = _PING_STATS.search(out)
    if m:
        r.transmitted, r.received = int(m.group(1)), int(m.group(2))
        r.duplicates = int(m.group(3) or 0)
        r.errors = int(m.group(4) or 0)
        r.loss_pct = float(m.group(5))
    return r


# --------------------------------------------------------------------------------------------
# the responder's final summary


@dataclasses.dataclass
class PortCounters:
    rx: int = 0
    tx: int = 0
    forwarded: int = 0
    dropped_total: int | None = None  # the "dropped N" the port line states, if any
    # The host-mode balance of the current summary (None when the port line lacks them):
    #   rx == answered + held + dropped      tx == answered + generated
    answered: int | None = None  # answers built in place and sent
    held: int | None = None      # fragments taken by the reassembler
    generated: int | None = None  # frames built anew and sent (errors, datagram replies,
    #                               and in router mode the neighbour probes: ARP requests, NS)
    # Router mode (the port line states them; None when it does not):
    #   rx == answered + forwarded + held + dropped    (forwarded: on the ingress port)
    #   tx == answered + generated + fwd_sent          (fwd_sent: on the egress port)
    fwd_sent: int | None = None  # forwarded frames sent (IPv4 fragments each count)
    fwd_failed: int = 0          # "... fwd_failed N": refused by TX, next hop unresolved,
    #                               fragmenting failed, still waiting at exit (egress port)
    drops: dict[str, int] = dataclasses.field(default_factory=dict)    # per reason
    replies: dict[str, int] = dataclasses.field(default_factory=dict)  # echo4_reply, arp_reply..
    device: dict[str, int] = dataclasses.field(default_factory=dict)   # ethdev stats
    # "error <outcome> N": sent, suppressed_*, rate_limited_global/host, no_mbuf, ...
    errors: dict[str, int] = dataclasses.field(default_factory=dict)
    # SNMP-shaped tables: mib["Icmp"]["OutMsgs"], mib["IcmpMsg"]["OutType3"], mib["Icmp6"]...
    mib: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    datagrams: int = 0          # "reassembled datagrams N"
    generated_failed: int = 0   # "... generated_failed N"
    datagram_drops: dict[str, int] = dataclasses.field(default_factory=dict)
    lines: list[str] = dataclasses.field(default_factory=list)

    @property
    def dropped(self) -> int:
        return sum(self.drops.values())

    @property
    def host_balance(self) -> bool:
        """The port line states answered/held/generated (the host-mode summary)."""
        return self.answered is not None and self.held is not None and self.generated is not None

    @property
    def router_balance(self) -> bool:
        """The port line also states fwd_sent (the router-mode summary; host mode prints it
        too, as 0)."""
        return self.host_balance and self.fwd_sent is not None

    @property
    def balanced(self) -> bool:
        """Every frame received and sent is accounted for."""
        if self.host_balance:
            return (self.rx == self.answered + self.forwarded + self.held + self.dropped
                    and self.tx == self.answered + self.generated + (self.fwd_sent or 0))
        return self.rx == self.tx + self.forwarded + self.dropped

    def error(self, outcome: str) -> int:
        return self.errors.get(outcome, 0)

    def drop(self, reason: str) -> int:
        return self.drops.get(reason, 0)

    def msg(self, table: str, key: str) -> int:
        """mib value, e.g. msg("IcmpMsg", "OutType3"); 0 when absent."""
        return self.mib.get(table, {}).get(key, 0)


# The summary pingwire-responder prints at exit (and every --stats-interval):
#   port 0: rx 158 tx 129 answered 5 held 112 generated 124 dropped 41  (net_tap0 32:8e:..)
#     replies: echo4_reply 6 echo6_reply 2 arp_reply 1 nd_advert 2 timestamp_reply 0 ...
#     drop udp_port_closed                        32  UDP to a port nobody listens on ...
#     Icmp: InMsgs 6 InErrors 0 InCsumErrors 0 OutMsgs 12 OutErrors 0 OutRateLimitGlobal 0 ...
#     IcmpMsg: InType8 6 OutType0 6 OutType3 6
#     Icmp6: ...          Icmp6Msg: ...
#     error sent                                  12  ICMP errors sent
#     error rate_limited_host                     20  not sent: per-destination rate limit ...
#     reassembled datagrams 6 generated_failed 0 fwd_failed 0   (only when one is non-zero)
#     datagram drop <reason>                       N  ...
#     device: ipackets 158 opackets 129 imissed 0 ierrors 0 oerrors 0 rx_nombuf 0
# (Older summaries: "port 0: rx 21 tx 19 dropped 2  (...)", without the ICMP lines.)
# Router mode (--forward) states forwarded and fwd_sent on the port line (host mode prints
# them too, as 0):
#   port 0: rx 51 tx 27 answered 2 forwarded 39 held 0 generated 6 fwd_sent 19 dropped 10  (..)
# and after the last port, the router's block (parse_router):
#   router: routes v4 2 v6 2; neighbours 5 (events 11 probes_sent 4 probes_failed 0 ...)
#     neigh port 1 198.18.2.2                        reachable  6e:0d:d5:38:56:9d age 4.8s
_PORT_LINE = re.compile(r"^port\s+(\d+):\s+rx\s+(\d+)\s+tx\s+(\d+)([^(]*)")
_DROP_LINE = re.compile(r"^\s+drop\s+([A-Za-z0-9_]+)\s+(\d+)\b")
_DGRAM_DROP_LINE = re.compile(r"^\s+datagram\s+drop\s+([A-Za-z0-9_]+)\s+(\d+)\b")
_ERROR_LINE = re.compile(r"^\s+error\s+([A-Za-z0-9_]+)\s+(\d+)\b")
_REASM_LINE = re.compile(r"^\s+reassembled\s+datagrams\s+(\d+)(?:\s+generated_failed\s+(\d+))?"
                         r"(?:\s+fwd_failed\s+(\d+))?")
_GROUP_LINE = re.compile(r"^\s+(replies|device|Icmp|IcmpMsg|Icmp6|Icmp6Msg):\s*(.*)$")
_KV = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s+(\d+)")
FINAL_MARK = "final counters"


# The last line a pingwire program prints at exit, once its ports are closed (the Program
# skeleton, apps/skeleton/program.cc):
#   mempool: 8191 of 8191 mbufs free (0 in use)
#   mempool: 6784 of 8832 mbufs free (0 in use, 2048 kept by net_af_xdp0's fill ring at close)
#   mempool: 8832 of 8832 mbufs free (0 in use; control pool 1023 of 1023 free)
# Nothing may be in use then (the count covers the control lcore's pool too): an mbuf not back
# in its pool (and not in a closed net_af_xdp port's fill ring, which DPDK does not give back)
# leaked.
_MEMPOOL_LINE = re.compile(r"^mempool:\s+(\d+)\s+of\s+(\d+)\s+mbufs\s+free\s+"
                           r"\((-?\d+)\s+in\s+use[,;)].*$", re.M)


@dataclasses.dataclass
class MempoolLine:
    free: int
    size: int
    in_use: int
    line: str

    @property
    def balanced(self) -> bool:
        return self.in_use == 0


def parse_mempool(text: str) -> MempoolLine | None:
    """The exit summary's mempool line (the last one in text), None when there is none."""
    found = None
    for m in _MEMPOOL_LINE.finditer(text):
        found = m
    if found is None:
        return None
    return MempoolLine(free=int(found.group(1)), size=int(found.group(2)),
                       in_use=int(found.group(3)), line=found.group(0))


# Every exit summary a helper reads (netns.Responder.stop, floodutil.Flood, conformutil) is
# noted here; check_mempool marks it checked, and Report.finish checks the ones no test
# checked itself, so every integration test that reads a summary asserts that nothing leaked.
_summaries: list[dict] = []


def note_exit_summary(who: str, stdout: str) -> dict | None:
    """Notes the exit output of a pingwire program for the mempool check (only when the run
    printed its final counters: a start-up failure or a SIGKILL leaves none). Returns the
    note (pass it to check_mempool)."""
    if FINAL_MARK not in stdout:
        return None
    note = {"who": who, "stdout": stdout, "checked": False}
    _summaries.append(note)
    return note


def check_mempool(rep: "Report", who: str, stdout: str, note: dict | None = None) -> bool:
    """The exit summary ends with 'mempool: N of N mbufs free (0 in use)': every mbuf back in
    the pool once the ports are closed."""
    for n in _summaries:
        if n is note or (note is None and n["stdout"] is stdout):
            n["checked"] = True
    mp = parse_mempool(stdout[stdout.rindex(FINAL_MARK):] if FINAL_MARK in stdout else stdout)
    tail = "\n".join(stdout.splitlines()[-4:])
    return rep.check(f"{who}: exit summary 'mempool: N of N mbufs free (0 in use)': no mbuf leaked",
                     mp is not None and mp.balanced,
                     mp.line if mp else f"no mempool line at the end of its output:\n{indent(tail)}")


def check_noted_mempools(rep: "Report") -> None:
    """The mempool check for every noted exit summary not checked yet."""
    for n in list(_summaries):
        if not n["checked"]:
            check_mempool(rep, n["who"], n["stdout"], n)


def parse_summary(text: str) -> dict[int, PortCounters]:
    """Parses the last counter block of the responder's output (the final one at exit)."""
    if FINAL_MARK in text:
        text = text[text.rindex(FINAL_MARK):]
    ports: dict[int, PortCounters] = {}
    cur: PortCounters | None = None
    for line in text.splitlines():
        m = _PORT_LINE.match(line)
        if m:
            cur = ports[int(m.group(1))] = PortCounters(rx=int(m.group(2)), tx=int(m.group(3)))
            cur.lines.append(line)
            for k, v in _KV.findall(m.group(4)):
                if k in ("dropped", "drops"):
                    cur.dropped_total = int(v)
                elif k in ("forwarded", "fwd"):
                    cur.forwarded = int(v)
                elif k in ("answered", "held", "generated", "fwd_sent"):
                    setattr(cur, k, int(v))
            continue
        if cur is None or not line.startswith((" ", "\t")):
            cur = None if not line.startswith((" ", "\t")) else cur
            continue
        cur.lines.append(line)
        m = _DROP_LINE.match(line)
        if m:
            cur.drops[m.group(1)] = cur.drops.get(m.group(1), 0) + int(m.group(2))
            continue
        m = _DGRAM_DROP_LINE.match(line)
        if m:
            cur.datagram_drops[m.group(1)] = cur.datagram_drops.get(m.group(1), 0) + int(m.group(2))
            continue
        m = _ERROR_LINE.match(line)
        if m:
            cur.errors[m.group(1)] = cur.errors.get(m.group(1), 0) + int(m.group(2))
            continue
        m = _REASM_LINE.match(line)
        if m:
            cur.datagrams = int(m.group(1))
            cur.generated_failed = int(m.group(2) or 0)
            cur.fwd_failed = int(m.group(3) or 0)
            continue
        m = _GROUP_LINE.match(line)
        if m:
            group = m.group(1)
            if group == "replies":
                target = cur.replies
            elif group == "device":
                target = cur.device
            else:
                target = cur.mib.setdefault(group, {})
            for k, v in _KV.findall(m.group(2)):
                target[k] = int(v)
    return ports


@dataclasses.dataclass
class Neighbour:
    port: int
    addr: str
    state: str  # incomplete, reachable, stale, failed
    mac: str
    age: float  # seconds since the last change of state or MAC, or confirmation


@dataclasses.dataclass
class RouterSummary:
    """The router block at the end of a --forward summary."""
    routes_v4: int = 0
    routes_v6: int = 0
    neighbours: int = 0
    stats: dict[str, int] = dataclasses.field(default_factory=dict)  # probes_sent, ...
    neigh: list[Neighbour] = dataclasses.field(default_factory=list)
    lines: list[str] = dataclasses.field(default_factory=list)

    def stat(self, key: str) -> int:
        return self.stats.get(key, 0)

    def neighbour(self, addr: str, port: int | None = None) -> Neighbour | None:
        """The entry for addr (compared as addresses), on port if given."""
        want = ipaddress.ip_address(addr)
        for n in self.neigh:
            try:
                if ipaddress.ip_address(n.addr) == want and port in (None, n.port):
                    return n
            except ValueError:
                continue
        return None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


_ROUTER_LINE = re.compile(r"^router:\s+routes\s+v4\s+(\d+)\s+v6\s+(\d+);\s+neighbours\s+(\d+)"
                          r"(?:\s+\((.*)\))?")
_NEIGH_LINE = re.compile(r"^\s+neigh\s+port\s+(\d+)\s+(\S+)\s+([a-z]+)\s+([0-9A-Fa-f:]{17})"
                         r"\s+age\s+([\d.]+)s")


def parse_router(text: str) -> RouterSummary | None:
    """Parses the router block of the last summary; None when there is none (host mode)."""
    if FINAL_MARK in text:
        text = text[text.rindex(FINAL_MARK):]
    lines = text.splitlines()
    start = next((i for i in range(len(lines) - 1, -1, -1) if _ROUTER_LINE.match(lines[i])), None)
    if start is None:
        return None
    m = _ROUTER_LINE.match(lines[start])
    r = RouterSummary(routes_v4=int(m.group(1)), routes_v6=int(m.group(2)),
                      neighbours=int(m.group(3)), lines=[lines[start]])
    r.stats = {k: int(v) for k, v in _KV.findall(m.group(4) or "")}
    for line in lines[start + 1:]:
        n = _NEIGH_LINE.match(line)
        if not n:
            if line.startswith((" ", "\t")):
                r.lines.append(line)
                continue
            break
        r.lines.append(line)
        r.neigh.append(Neighbour(port=int(n.group(1)), addr=n.group(2), state=n.group(3),
                                 mac=n.group(4).lower(), age=float(n.group(5))))
    return r


# --------------------------------------------------------------------------------------------
# topology


def _pid_alive(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


def remove_stale() -> None:
    """Removes namespaces and DPDK run dirs left by earlier runs of this harness whose process
    is gone (a SIGKILLed test cannot clean up after itself)."""
    cp = run(["ip", "netns", "list"], check=False)
    for line in cp.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(rf"^{NS_PREFIX}-(\d+)-\d+-(host|dut|a|r|b)$", name)
        if m and not _pid_alive(int(m.group(1))):
            run(["ip", "netns", "del", name], check=False)
    for d in glob.glob(f"{DPDK_RUN_DIR}/{NS_PREFIX}-*"):
        m = re.match(rf"^{NS_PREFIX}-(\d+)-", os.path.basename(d))
        if m and not _pid_alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)


class Topology:
    """Two namespaces and the link between them. A context manager: always removed on exit.

    kind="veth" (default): a veth pair; the responder attaches to the DUT end with
        net_af_packet. The kernel hands net_af_packet IPv4 fragments already reassembled
        (cut to 1982 bytes) and holds lone fragments back, so fragment tests use:
    kind="tap": the responder creates the link itself with net_tap (iface=host_if) in the
        DUT namespace; once it is ready, Responder.start() moves that kernel interface into
        the host namespace (attach_tap), where it becomes the Linux host's NIC with the host
        addresses. Every frame then reaches the responder exactly as the host sent it.
        Each responder start makes a fresh interface (it goes away when the responder exits).
    """

    HOST_TAP_MAC = "02:00:00:00:01:01"  # the host end of a tap link (the kernel interface)

    def __init__(self, verbose: bool = False, kind: str = "veth"):
        if kind not in ("veth", "tap"):
            raise ValueError(f"Topology kind {kind!r}: veth or tap")
        n = next(_counter)
        pid = os.getpid()
        self.kind = kind
        self.tag = f"{NS_PREFIX}-{pid}-{n}"
        self.host_ns = f"{self.tag}-host"
        self.dut_ns = f"{self.tag}-dut"
        short = f"{pid}{chr(ord('a') + n % 26)}"  # interface names: at most 15 characters
        self.host_if = f"pwh{short}" if kind == "veth" else f"pwt{short}"
        self.dut_if = f"pwd{short}" if kind == "veth" else ""
        self.dut_kernel_mac = ""  # veth: the DUT end's MAC; tap: the DPDK port's MAC
        self.host_mac = ""
        self.verbose = verbose
        self._made: list[str] = []

    # -- commands in the namespaces
    def host(self, cmd: list[str], *, check: bool = False, timeout: float = 60):
        return run(["ip", "netns", "exec", self.host_ns, *cmd], check=check, timeout=timeout)

    def dut(self, cmd: list[str], *, check: bool = False, timeout: float = 60):
        return run(["ip", "netns", "exec", self.dut_ns, *cmd], check=check, timeout=timeout)

    def ping(self, args: list[str], timeout: float = 60) -> PingResult:
        cmd = ["ping", *args]
        return parse_ping(cmd, self.host(cmd, timeout=timeout))

    def neigh(self, family: str) -> str:
        return self.host(["ip", family, "neigh", "show", "dev", self.host_if]).stdout

    @staticmethod
    def neigh_entry(table: str, addr: str) -> str:
        """The line of `ip neigh show` output for addr (compared as addresses), or ''."""
        want = ipaddress.ip_address(addr)
        for line in table.splitlines():
            try:
                if line.split() and ipaddress.ip_address(line.split()[0]) == want:
                    return line
            except ValueError:
                continue
        return ""

    def link_mac(self, ns: str, ifname: str) -> str:
        cp = run(["ip", "-n", ns, "-o", "link", "show", "dev", ifname])
        m = re.search(r"link/ether ([0-9a-f:]{17})", cp.stdout)
        if not m:
            raise HarnessError(f"no MAC for {ifname} in {ns}:\n{indent(cp.stdout)}")
        return m.group(1)

    def host_tx_checksum(self, on: bool) -> str:
        """`ethtool -K <host if> tx on|off` in the host namespace; returns the command run.
        With tx checksumming on (the veth default) the host's UDP/TCP leave with a partial
        checksum (CHECKSUM_PARTIAL), which net_af_packet on the peer sees unfinished."""
        cmd = ["ethtool", "-K", self.host_if, "tx", "on" if on else "off"]
        self.host(cmd, check=True)
        return f"ip netns exec {self.host_ns} {shlex.join(cmd)}"

    # -- lifecycle
    def __enter__(self) -> "Topology":
        try:
            self.create()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    def _host_ipv6_quiet(self, ifname: str) -> None:
        """No DAD delay for the host's addresses, no router solicitations."""
        for key, val in (("accept_dad", 0), ("dad_transmits", 0), ("router_solicitations", 0),
                         ("accept_ra", 0)):
            self.host(["sysctl", "-qw", f"net.ipv6.conf.{ifname}.{key}={val}"], check=True)

    def _host_addresses(self, ifname: str) -> None:
        self.host(["ip", "addr", "add", f"{HOST_ADDR4}/{PREFIX4}", "dev", ifname], check=True)
        self.host(["ip", "-6", "addr", "add", f"{HOST_ADDR6}/{PREFIX6}", "dev", ifname,
                   "nodad"], check=True)

    def create(self) -> None:
        remove_stale()
        for ns in (self.host_ns, self.dut_ns):
            run(["ip", "netns", "add", ns])
            self._made.append(ns)
        self.dut(["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"], check=True)
        self.host(["ip", "link", "set", "lo", "up"], check=True)
        if self.kind == "tap":
            # The interface appears later (attach_tap); an interface moved into a namespace
            # takes that namespace's defaults, so set them now.
            self._host_ipv6_quiet("default")
            if self.verbose:
                log(f"topology: {self.host_ns} <-> {self.dut_ns}, joined by net_tap "
                    f"{self.host_if} once the responder starts")
            return
        run(["ip", "link", "add", self.host_if, "netns", self.host_ns, "type", "veth",
             "peer", "name", self.dut_if, "netns", self.dut_ns])
        h, d = self.host_if, self.dut_if
        # DUT side: the kernel must stay silent and answer nothing: no address, no IPv6.
        self.dut(["sysctl", "-qw", f"net.ipv6.conf.{d}.disable_ipv6=1"], check=True)
        self._host_ipv6_quiet(h)
        self._host_addresses(h)
        self.dut(["ip", "link", "set", d, "up"], check=True)
        self.host(["ip", "link", "set", h, "up"], check=True)
        self.dut_kernel_mac = self.link_mac(self.dut_ns, d)
        self.host_mac = self.link_mac(self.host_ns, h)
        if self.verbose:
            log(f"topology: {self.host_ns}/{h} ({self.host_mac}) <-> "
                f"{self.dut_ns}/{d} ({self.dut_kernel_mac})")

    def vdevs(self) -> list[str]:
        """The responder's --vdev arguments: port 0 on this link."""
        if self.kind == "tap":
            return [f"net_tap0,iface={self.host_if}"]
        return [f"net_af_packet0,iface={self.dut_if}"]

    def attach_tap(self) -> None:
        """kind="tap": moves the responder's net_tap interface from the DUT namespace into the
        host namespace and makes it the host's NIC (its own MAC, the host addresses, up).
        The DPDK port keeps the MAC the interface was created with."""
        if self.kind != "tap":
            return
        h = self.host_if
        deadline = time.monotonic() + 5
        while run(["ip", "-n", self.dut_ns, "link", "show", "dev", h], check=False).returncode:
            if time.monotonic() > deadline:
                raise HarnessError(f"net_tap interface {h} did not appear in {self.dut_ns}")
            time.sleep(0.05)
        self.dut_kernel_mac = self.link_mac(self.dut_ns, h)
        run(["ip", "-n", self.dut_ns, "link", "set", "dev", h, "netns", self.host_ns])
        self.host(["ip", "link", "set", "dev", h, "address", self.HOST_TAP_MAC], check=True)
        self._host_ipv6_quiet(h)
        self._host_addresses(h)
        self.host(["ip", "link", "set", "dev", h, "up"], check=True)
        self.host_mac = self.link_mac(self.host_ns, h)
        if self.verbose:
            log(f"topology: {self.host_ns}/{h} ({self.host_mac}) is the net_tap of the "
                f"responder (DPDK port MAC {self.dut_kernel_mac}) in {self.dut_ns}")

    def destroy(self) -> None:
        with signals_deferred():
            for ns in reversed(self._made):
                # Deleting the namespace removes the veth pair (or a moved tap) with it.
                run(["ip", "netns", "del", ns], check=False)
            self._made.clear()


# --------------------------------------------------------------------------------------------
# DPDK's stock telemetry client

TELEMETRY_CLIENT = "/usr/bin/dpdk-telemetry.py"


def telemetry_query(prefix: str, cmds: list[str], timeout: float = 20) -> dict[str, object]:
    """Commands through `dpdk-telemetry.py -f PREFIX` (on its stdin), one JSON reply each:
    {command: the reply's value}. Raises HarnessError when a reply is missing."""
    import json
    cp = subprocess.run([TELEMETRY_CLIENT, "-f", prefix], input="\n".join(cmds) + "\n",
                        capture_output=True, text=True, timeout=timeout)
    replies = [json.loads(x) for x in (l.strip() for l in cp.stdout.splitlines())
               if x.startswith("{")]
    if len(replies) != len(cmds):
        raise HarnessError(f"$ {TELEMETRY_CLIENT} -f {prefix} <<< {cmds}\n  rc {cp.returncode}"
                           f"\n{indent(cp.stdout + cp.stderr)}")
    return {c: r.get(c.split(",")[0]) for c, r in zip(cmds, replies)}


# --------------------------------------------------------------------------------------------
# router topology: A -- R -- B

# Router tests (RouterTopology): two subnets, A on one side, B on the other, the responder in
# between as the router (port 0 faces A, port 1 faces B).
A_ADDR4, R0_ADDR4, R1_ADDR4, B_ADDR4 = "198.18.1.2", "198.18.1.1", "198.18.2.1", "198.18.2.2"
A_ADDR6, R0_ADDR6, R1_ADDR6, B_ADDR6 = ("2001:2:0:1::2", "2001:2:0:1::1", "2001:2:0:2::1",
                                        "2001:2:0:2::2")
# What A and B route through the router: the benchmarking ranges only (no default route, so
# nothing they send can be meant for any other address).
BENCH_NET4, BENCH_NET6 = "198.18.0.0/15", "2001:2::/48"


class RouterTopology:
    """Three namespaces, made fresh and always removed again (a context manager):

        A  (a_ns)                  R  (r_ns)                            B  (b_ns)
        a_if 198.18.1.2/24  <-veth->  r0_if  [pingwire port 0 | port 1]  r1_if  <-veth->  b_if 198.18.2.2/24
             2001:2:0:1::2/64                198.18.1.1   198.18.2.1                       2001:2:0:2::2/64
                                             2001:2:0:1::1 2001:2:0:2::1

    pingwire-responder runs in R with --forward on two net_af_packet ports (r0_if, r1_if: no
    address, IPv6 disabled, so R's kernel stays silent). A and B route 198.18.0.0/15 and
    2001:2::/48 through the router (no default route). Offloads are off on A's and B's veths
    (tx checksum, TSO, GSO, GRO) and GRO on R's: through net_af_packet a partial checksum or a
    super-packet would reach the far side unfinished; TCP and UDP need it.

    link="tap": no veths; the responder makes both links itself with net_tap (iface=a_if,
    iface=b_if) in R, and once it is ready Responder.start() moves them into A and B
    (attach_tap), where they become A's and B's NICs (MACs A_TAP_MAC / B_TAP_MAC, the same
    addresses and routes). Every frame then reaches the router exactly as sent: use it where
    fragments matter (net_af_packet gets IPv4 fragments already reassembled, cut to 1982
    bytes). Each responder start makes fresh interfaces (they go away when it exits).

    Use it with Responder(topo, exe, app_args=topo.router_args(...)); the attributes the
    Responder needs (tag, dut_ns, vdevs(), attach_tap(), dut_kernel_mac) are here."""

    kind = "router"
    A_TAP_MAC = "02:00:00:00:01:0a"  # tap links: the kernel ends in A and B
    B_TAP_MAC = "02:00:00:00:01:0b"

    def __init__(self, verbose: bool = False, link: str = "veth"):
        if link not in ("veth", "tap"):
            raise ValueError(f"RouterTopology link {link!r}: veth or tap")
        self.link = link
        n = next(_counter)
        pid = os.getpid()
        self.tag = f"{NS_PREFIX}-{pid}-{n}"
        self.a_ns, self.r_ns, self.b_ns = f"{self.tag}-a", f"{self.tag}-r", f"{self.tag}-b"
        self.dut_ns = self.r_ns
        short = f"{pid}{chr(ord('a') + n % 26)}"  # interface names: at most 15 characters
        self.a_if, self.r0_if = f"pwa{short}", f"pwr{short}"
        self.b_if, self.r1_if = f"pwb{short}", f"pws{short}"
        if link == "tap":  # the DPDK ports have no kernel interface of their own in R
            self.r0_if = self.r1_if = ""
        self.a_mac = self.b_mac = self.r0_mac = self.r1_mac = ""
        self.verbose = verbose
        self._made: list[str] = []

    # -- what the Responder needs
    @property
    def dut_kernel_mac(self) -> str:
        return self.r0_mac

    def vdevs(self) -> list[str]:
        if self.link == "tap":
            return [f"net_tap0,iface={self.a_if}", f"net_tap1,iface={self.b_if}"]
        return [f"net_af_packet0,iface={self.r0_if}", f"net_af_packet1,iface={self.r1_if}"]

    def attach_tap(self) -> None:
        """link="tap": moves the responder's two net_tap interfaces from R into A and B and
        sets them up as A's and B's NICs. The DPDK ports keep the MACs they were made with."""
        if self.link != "tap":
            return
        deadline = time.monotonic() + 5
        for ifname in (self.a_if, self.b_if):
            while run(["ip", "-n", self.r_ns, "link", "show", "dev", ifname],
                      check=False).returncode:
                if time.monotonic() > deadline:
                    raise HarnessError(f"net_tap interface {ifname} did not appear in {self.r_ns}")
                time.sleep(0.05)
        self.r0_mac, self.r1_mac = self._mac(self.r_ns, self.a_if), self._mac(self.r_ns, self.b_if)
        for ifname, ns, mac in ((self.a_if, self.a_ns, self.A_TAP_MAC),
                                (self.b_if, self.b_ns, self.B_TAP_MAC)):
            run(["ip", "-n", self.r_ns, "link", "set", "dev", ifname, "netns", ns])
            run(["ip", "-n", ns, "link", "set", "dev", ifname, "address", mac])
        self._end_host(self.a_ns, self.a_if, A_ADDR4, A_ADDR6, R0_ADDR4, R0_ADDR6)
        self._end_host(self.b_ns, self.b_if, B_ADDR4, B_ADDR6, R1_ADDR4, R1_ADDR6)
        self.a_mac, self.b_mac = self._mac(self.a_ns, self.a_if), self._mac(self.b_ns, self.b_if)
        if self.verbose:
            log(f"topology: net_tap {self.a_if} ({self.a_mac}) moved into {self.a_ns}, "
                f"{self.b_if} ({self.b_mac}) into {self.b_ns}; pingwire port 0 MAC "
                f"{self.r0_mac}, port 1 MAC {self.r1_mac}")

    @staticmethod
    def router_args(*, mtu0: int | None = None, mtu1: int | None = None,
                    extra: list[str] | None = None) -> list[str]:
        """The responder's options: both ports with their addresses, --forward, then extra."""
        def port(i, a4, a6, mtu):
            return ["--port", f"{i},addr={a4}/24,addr={a6}/64" + (f",mtu={mtu}" if mtu else "")]
        return [*port(0, R0_ADDR4, R0_ADDR6, mtu0), *port(1, R1_ADDR4, R1_ADDR6, mtu1),
                "--forward", *(extra or [])]

    # -- commands in the namespaces
    def ns_of(self, name: str) -> str:
        return {"a": self.a_ns, "b": self.b_ns, "r": self.r_ns}[name]

    def run_in(self, ns: str, cmd: list[str], *, check: bool = False, timeout: float = 60):
        return run(["ip", "netns", "exec", self.ns_of(ns), *cmd], check=check, timeout=timeout)

    def a(self, cmd: list[str], **kw):
        return self.run_in("a", cmd, **kw)

    def b(self, cmd: list[str], **kw):
        return self.run_in("b", cmd, **kw)

    def ping(self, args: list[str], ns: str = "a", timeout: float = 60) -> PingResult:
        cmd = ["ping", *args]
        return parse_ping(cmd, self.run_in(ns, cmd, timeout=timeout))

    def cmdline(self, ns: str, cmd: list[str]) -> str:
        return f"ip netns exec {self.ns_of(ns)} {shlex.join(cmd)}"

    # -- lifecycle
    def __enter__(self) -> "RouterTopology":
        try:
            self.create()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    def _mac(self, ns: str, ifname: str) -> str:
        cp = run(["ip", "-n", ns, "-o", "link", "show", "dev", ifname])
        m = re.search(r"link/ether ([0-9a-f:]{17})", cp.stdout)
        if not m:
            raise HarnessError(f"no MAC for {ifname} in {ns}:\n{indent(cp.stdout)}")
        return m.group(1)

    def _end_host(self, ns: str, ifname: str, a4: str, a6: str, gw4: str, gw6: str) -> None:
        x = ["ip", "netns", "exec", ns]
        for key, val in (("accept_dad", 0), ("dad_transmits", 0), ("router_solicitations", 0),
                         ("accept_ra", 0)):
            run([*x, "sysctl", "-qw", f"net.ipv6.conf.{ifname}.{key}={val}"])
        run([*x, "ip", "addr", "add", f"{a4}/24", "dev", ifname])
        run([*x, "ip", "-6", "addr", "add", f"{a6}/64", "dev", ifname, "nodad"])
        # (A tap's features are the tap PMD's to offer; there, best effort.)
        run([*x, "ethtool", "-K", ifname, "tx", "off", "tso", "off", "gso", "off", "gro", "off"],
            check=self.link == "veth")
        run([*x, "ip", "link", "set", ifname, "up"])
        run([*x, "ip", "route", "add", BENCH_NET4, "via", gw4, "dev", ifname])
        run([*x, "ip", "-6", "route", "add", BENCH_NET6, "via", gw6, "dev", ifname])

    def create(self) -> None:
        remove_stale()
        for ns in (self.a_ns, self.r_ns, self.b_ns):
            run(["ip", "netns", "add", ns])
            self._made.append(ns)
            run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"])
        if self.link == "tap":
            # The interfaces appear later (attach_tap); an interface moved into a namespace
            # takes that namespace's defaults, so quiet IPv6 there now.
            for ns in (self.a_ns, self.b_ns):
                for key, val in (("accept_dad", 0), ("dad_transmits", 0),
                                 ("router_solicitations", 0), ("accept_ra", 0)):
                    run(["ip", "netns", "exec", ns, "sysctl", "-qw",
                         f"net.ipv6.conf.default.{key}={val}"])
            if self.verbose:
                log(f"topology: {self.a_ns} <-> {self.r_ns} <-> {self.b_ns}, joined by the "
                    f"responder's net_tap {self.a_if} and {self.b_if} once it starts")
            return
        run(["ip", "netns", "exec", self.r_ns, "sysctl", "-qw",
             "net.ipv6.conf.default.disable_ipv6=1"])
        run(["ip", "link", "add", self.a_if, "netns", self.a_ns, "type", "veth",
             "peer", "name", self.r0_if, "netns", self.r_ns])
        run(["ip", "link", "add", self.b_if, "netns", self.b_ns, "type", "veth",
             "peer", "name", self.r1_if, "netns", self.r_ns])
        for ifname in (self.r0_if, self.r1_if):
            # R's kernel must stay silent and answer nothing: no address, no IPv6.
            self.run_in("r", ["sysctl", "-qw", f"net.ipv6.conf.{ifname}.disable_ipv6=1"],
                        check=True)
            self.run_in("r", ["ethtool", "-K", ifname, "gro", "off"], check=True)
            self.run_in("r", ["ip", "link", "set", ifname, "up"], check=True)
        self._end_host(self.a_ns, self.a_if, A_ADDR4, A_ADDR6, R0_ADDR4, R0_ADDR6)
        self._end_host(self.b_ns, self.b_if, B_ADDR4, B_ADDR6, R1_ADDR4, R1_ADDR6)
        self.a_mac, self.b_mac = self._mac(self.a_ns, self.a_if), self._mac(self.b_ns, self.b_if)
        self.r0_mac = self._mac(self.r_ns, self.r0_if)
        self.r1_mac = self._mac(self.r_ns, self.r1_if)
        if self.verbose:
            log(f"topology: {self.a_ns}/{self.a_if} {A_ADDR4} {A_ADDR6} ({self.a_mac})\n"
                f"      <-> {self.r_ns}/{self.r0_if} ({self.r0_mac}) = pingwire port 0 "
                f"{R0_ADDR4} {R0_ADDR6}\n"
                f"          {self.r_ns}/{self.r1_if} ({self.r1_mac}) = pingwire port 1 "
                f"{R1_ADDR4} {R1_ADDR6}\n"
                f"      <-> {self.b_ns}/{self.b_if} {B_ADDR4} {B_ADDR6} ({self.b_mac}); "
                f"A and B route {BENCH_NET4} and {BENCH_NET6} through the router")

    def add_b_address(self, addr_plen: str, dev: str = "lo") -> None:
        """Another address of B's (on its loopback by default), e.g. one behind a --route via B."""
        fam = "-6" if ":" in addr_plen else "-4"
        self.b(["ip", fam, "addr", "add", addr_plen, "dev", dev], check=True)

    def destroy(self) -> None:
        with signals_deferred():
            for ns in reversed(self._made):
                run(["ip", "netns", "del", ns], check=False)
            self._made.clear()


# --------------------------------------------------------------------------------------------
# TCP through the router: a server thread in one namespace, a client in another


@dataclasses.dataclass
class TcpTransfer:
    ok: bool
    sent: int = 0
    received: int = 0
    sent_sha256: str = ""
    received_sha256: str = ""
    seconds: float = 0.0
    pmtu: int = 0        # the client's TCP_INFO after the transfer: path MTU, send MSS,
    snd_mss: int = 0     # segments retransmitted
    retrans: int = 0
    error: str = ""

    @property
    def evidence(self) -> str:
        rate = self.received * 8 / self.seconds / 1e6 if self.seconds else 0
        return (f"sent {self.sent} bytes sha256 {self.sent_sha256[:16]}..., server received "
                f"{self.received} bytes sha256 {self.received_sha256[:16]}... in "
                f"{self.seconds:.2f} s ({rate:.0f} Mbit/s); client TCP_INFO: pmtu {self.pmtu} "
                f"snd_mss {self.snd_mss} total_retrans {self.retrans}"
                + (f"; error: {self.error}" if self.error else ""))


def tcp_transfer(client_ns: str, server_ns: str, server_addr: str, port: int, nbytes: int,
                 timeout: float = 30.0, seed: int = 1) -> TcpTransfer:
    """Sends nbytes of seeded random data over TCP from client_ns to server_addr:port, which a
    thread serves in server_ns: it counts and hashes what arrives and sends back "LEN SHA256".
    The sockets are made inside the namespaces (in_netns) by this process: no tools needed."""
    import hashlib
    import random
    import struct
    family = socket.AF_INET6 if ":" in server_addr else socket.AF_INET
    data = random.Random(seed).randbytes(nbytes)
    res = TcpTransfer(ok=False, sent=nbytes, sent_sha256=hashlib.sha256(data).hexdigest())
    with in_netns(server_ns):
        srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((server_addr, port))
    srv.listen(1)
    srv.settimeout(timeout)
    got: dict[str, object] = {}

    def serve() -> None:
        try:
            conn, _ = srv.accept()
            with conn:
                conn.settimeout(timeout)
                h, n = hashlib.sha256(), 0
                while True:
                    b = conn.recv(1 << 18)
                    if not b:
                        break
                    h.update(b)
                    n += len(b)
                got.update(n=n, digest=h.hexdigest())
                conn.sendall(f"{n} {h.hexdigest()}\n".encode())
        except OSError as e:
            got["error"] = f"server: {e}"

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    with in_netns(client_ns):
        cli = socket.socket(family, socket.SOCK_STREAM)
    t0 = time.monotonic()
    try:
        with cli:
            cli.settimeout(timeout)
            cli.connect((server_addr, port))
            cli.sendall(data)
            cli.shutdown(socket.SHUT_WR)
            reply = b""
            while not reply.endswith(b"\n"):
                b = cli.recv(4096)
                if not b:
                    break
                reply += b
            res.seconds = time.monotonic() - t0
            info = cli.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
            if len(info) >= 104:  # struct tcp_info: snd_mss @16, pmtu @60, total_retrans @100
                res.snd_mss = struct.unpack_from("I", info, 16)[0]
                res.pmtu = struct.unpack_from("I", info, 60)[0]
                res.retrans = struct.unpack_from("I", info, 100)[0]
            parts = reply.decode(errors="replace").split()
            if len(parts) == 2:
                res.received, res.received_sha256 = int(parts[0]), parts[1]
    except OSError as e:
        res.seconds = time.monotonic() - t0
        res.error = f"client: {e}"
    finally:
        t.join(timeout)
        srv.close()
    if "error" in got:
        res.error = (res.error + "; " if res.error else "") + str(got["error"])
    res.ok = (not res.error and res.received == nbytes and res.received_sha256 == res.sent_sha256
              and got.get("n") == nbytes)
    return res


@contextlib.contextmanager
def tcp_listener(ns: str, addr: str, port: int):
    """A listening TCP socket in namespace ns (for traceroute -T): the kernel completes the
    handshakes; nothing is accepted or read."""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with in_netns(ns):
        s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(64)
        yield s
    finally:
        s.close()


# --------------------------------------------------------------------------------------------
# crafted frames: a raw AF_PACKET socket opened inside a namespace

_CLONE_NEWNET = 0x40000000
_ETH_P_ALL = 0x0003
_PACKET_OUTGOING = 4


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise HarnessError(f"setns: {os.strerror(err)}")


@contextlib.contextmanager
def in_netns(name: str):
    """Runs the body with the calling thread in network namespace `name` (sockets made
    there stay in it) and always switches the thread back. Threads started inside inherit
    the namespace."""
    with open("/proc/thread-self/ns/net", "rb") as orig, \
         open(f"/var/run/netns/{name}", "rb") as target:
        _setns(target.fileno())
        try:
            yield
        finally:
            _setns(orig.fileno())


class L2Port:
    """A raw AF_PACKET socket on one interface of a namespace: send() whole Ethernet frames,
    and a background thread records every frame that arrives (not the ones we send), with
    its arrival time, so tests can wait, match and time replies. A context manager."""

    def __init__(self, ns: str, ifname: str, outgoing: bool = False):
        """outgoing=True records the frames the namespace sends on ifname (its kernel's, and
        other sockets'), instead of those it receives."""
        self.outgoing = outgoing
        with in_netns(ns):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
            self.sock.bind((ifname, 0))
        self.ifname = ifname
        self.frames: list[tuple[float, bytes]] = []  # (time.monotonic(), frame)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._rx, daemon=True)
        self._thread.start()

    def _rx(self) -> None:
        while not self._stop.is_set():
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            if (addr[2] == _PACKET_OUTGOING) != self.outgoing:
                continue
            with self._lock:
                self.frames.append((time.monotonic(), data))

    def send(self, frame: bytes) -> float:
        """Sends one frame; returns time.monotonic() just after."""
        self.sock.send(frame)
        return time.monotonic()

    def received(self, since: float = 0.0) -> list[tuple[float, bytes]]:
        with self._lock:
            return [(t, f) for t, f in self.frames if t >= since]

    def wait_for(self, pred, since: float, timeout: float, count: int = 1
                 ) -> list[tuple[float, bytes]]:
        """Waits until `count` frames received since `since` satisfy pred(frame) or timeout;
        returns the matching ones (all of them, even past count, at that moment)."""
        deadline = time.monotonic() + timeout
        while True:
            got = [(t, f) for t, f in self.received(since) if pred(f)]
            if len(got) >= count or time.monotonic() >= deadline:
                return got
            time.sleep(0.01)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def __enter__(self) -> "L2Port":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# the program under test


@dataclasses.dataclass
class StopResult:
    rc: int | None
    stdout: str
    stderr: str
    signal_sent: str
    killed: bool
    ports: dict[int, PortCounters]
    router: RouterSummary | None = None  # the router block (--forward), else None
    mempool: MempoolLine | None = None   # the exit summary's last line
    note: dict | None = None             # for check_mempool (note_exit_summary)

    @property
    def evidence(self) -> str:
        return (f"exit code {self.rc} after {self.signal_sent}"
                f"{' (had to SIGKILL)' if self.killed else ''}\n"
                f"  stdout:\n{indent(self.stdout)}\n  stderr:\n{indent(self.stderr)}")


class Responder:
    """pingwire-responder in the DUT namespace, attached to the veth with net_af_packet
    (Topology kind "veth") or making the link itself with net_tap (kind "tap")."""

    def __init__(self, topo: Topology, exe: str, *, mac: str | None = None,
                 app_args: list[str] | None = None, port_spec: str | None = None,
                 eal_extra: list[str] | None = None):
        self.topo = topo
        self.exe = exe
        self.mac = mac
        self.prefix = f"{topo.tag}-r{next(_counter)}"
        if port_spec is None:
            port_spec = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
            if mac:
                port_spec = f"0,mac={mac},addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
        self.app_args = ["--port", port_spec] if app_args is None else app_args
        self.eal_extra = eal_extra or []
        self.proc: subprocess.Popen | None = None
        self._out: list[str] = []
        self._err: list[str] = []
        self._threads: list[threading.Thread] = []
        self._ready = threading.Event()
        self.result: StopResult | None = None

    def eal_args(self) -> list[str]:
        vdevs = [x for v in self.topo.vdevs() for x in ("--vdev", v)]
        return ["-l", "0,1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix", self.prefix,
                *vdevs, *self.eal_extra]

    @property
    def argv(self) -> list[str]:
        return [self.exe, *self.eal_args(), "--", *self.app_args]

    @property
    def command_line(self) -> str:
        return f"ip netns exec {self.topo.dut_ns} {shlex.join(self.argv)}"

    @property
    def expected_mac(self) -> str:
        return (self.mac or self.topo.dut_kernel_mac).lower()

    def stdout(self) -> str:
        return "".join(self._out)

    def stderr(self) -> str:
        return "".join(self._err)

    def _pump(self, stream, sink: list[str], watch: bool) -> None:
        for line in iter(stream.readline, ""):
            sink.append(line)
            if watch and READY_MARK in line:
                self._ready.set()
        stream.close()

    def spawn(self) -> None:
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.topo.dut_ns, *self.argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors="replace", bufsize=1,
            start_new_session=True)  # a terminal's Ctrl-C goes to us, we stop it ourselves
        for stream, sink, watch in ((self.proc.stdout, self._out, True),
                                    (self.proc.stderr, self._err, False)):
            t = threading.Thread(target=self._pump, args=(stream, sink, watch), daemon=True)
            t.start()
            self._threads.append(t)

    def start(self, timeout: float = 30) -> None:
        """Starts it and waits for the ready line; raises (with its output) otherwise."""
        self.spawn()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None:
                self._join()
                raise StartError(f"responder exited with code {self.proc.returncode} before "
                                 f"printing '{READY_MARK}'\n  command: {self.command_line}\n"
                                 f"  stdout:\n{indent(self.stdout())}\n"
                                 f"  stderr:\n{indent(self.stderr())}")
            if time.monotonic() > deadline:
                self._kill()
                raise StartError(f"no '{READY_MARK}' line within {timeout}s\n"
                                 f"  command: {self.command_line}\n"
                                 f"  stdout:\n{indent(self.stdout())}\n"
                                 f"  stderr:\n{indent(self.stderr())}")
        self.topo.attach_tap()

    def wait_exit(self, timeout: float = 15) -> StopResult:
        """For runs that should end by themselves (bad options)."""
        killed = False
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            killed = True
        return self._finish("(nothing: expected to exit by itself)", killed)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> StopResult:
        """Sends SIGTERM (or SIGINT), waits for the exit, returns code, output and counters."""
        if self.result is not None:
            return self.result
        killed = False
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                killed = True
        return self._finish(signal.Signals(sig).name, killed)

    def _finish(self, sent: str, killed: bool) -> StopResult:
        self._join()
        out = self.stdout()
        self.result = StopResult(rc=None if killed else self.proc.returncode, stdout=out,
                                 stderr=self.stderr(), signal_sent=sent, killed=killed,
                                 ports=parse_summary(out), router=parse_router(out),
                                 mempool=parse_mempool(out),
                                 note=note_exit_summary("pingwire-responder", out))
        return self.result

    def _kill(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # Still running, so its pid (and group id: it has its own session) is still its own;
        # killing the group also takes any child it started.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def _join(self) -> None:
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> "Responder":
        return self

    def __exit__(self, *exc) -> None:
        with signals_deferred():
            try:
                if self.proc and self.proc.poll() is None:
                    self.stop(timeout=5)
            finally:
                self._kill()
                shutil.rmtree(f"{DPDK_RUN_DIR}/{self.prefix}", ignore_errors=True)


class StartError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------------
# verdicts


class Report:
    """Collects PASS/FAIL lines, each with its evidence; exit code 0 only if all passed."""

    def __init__(self, name: str):
        self.name = name
        self.passed: list[str] = []
        self.failed: list[str] = []

    def check(self, what: str, ok: bool, evidence: str = "") -> bool:
        log(f"{'PASS' if ok else 'FAIL'}: {what}")
        if evidence:
            log(indent(evidence, "      "))
        (self.passed if ok else self.failed).append(what)
        return ok

    def finish(self) -> int:
        check_noted_mempools(self)
        total = len(self.passed) + len(self.failed)
        if self.failed:
            log(f"\n{self.name}: FAIL ({len(self.failed)} of {total} checks failed)")
            for f in self.failed:
                log(f"  failed: {f}")
            return 1
        if total == 0:
            log(f"\n{self.name}: FAIL (no checks ran)")
            return 1
        log(f"\n{self.name}: PASS ({total} checks)")
        return 0


def check_counters(rep: Report, res: StopResult, port: int = 0, *,
                   min_echo4: int = 0, min_echo6: int = 0,
                   check_exit: bool = True) -> PortCounters | None:
    """The final summary: exit 0 and no mbuf in use at exit (the mempool line, with
    check_exit); every frame accounted for; the stated drop total, the reply and error
    counters and the device's own counters agree; echo replies >= pings answered.

    The port line states answered/held/generated (and forwarded/fwd_sent, 0 in host mode):
        rx == answered + forwarded + held + sum(drops by reason)
        tx == answered + generated + fwd_sent
        sum(replies) == answered + drop tx_full + datagrams answered
                        (datagrams answered = reassembled datagrams - sum(datagram drops))
        host mode, no datagram answered: every frame generated is an ICMP error:
        generated + generated_failed == error sent + error no_mbuf
        (router mode adds neighbour probes to generated: check_router_counters sums those)
        Icmp/Icmp6 OutMsgs == sum of their OutTypeN
    Older summaries (no answered/held/generated): rx == tx + forwarded + drops and
    tx == sum(replies)."""
    if check_exit:
        rep.check(f"responder exits 0 after {res.signal_sent} and prints its summary",
                  res.rc == 0 and not res.killed and FINAL_MARK in res.stdout, res.evidence)
        check_mempool(rep, "responder", res.stdout, res.note)
    pc = res.ports.get(port)
    if not rep.check(f"summary has a 'port {port}: rx N tx N' line", pc is not None,
                     f"parsed ports: {sorted(res.ports)}"):
        return None
    block = "\n".join(pc.lines)
    drops = ", ".join(f"{k}={v}" for k, v in sorted(pc.drops.items())) or "(no drop lines)"
    if pc.router_balance and (pc.forwarded or pc.fwd_sent or res.router is not None):
        rep.check(f"port {port}: rx == answered + forwarded + held + sum(drops by reason)",
                  pc.rx == pc.answered + pc.forwarded + pc.held + pc.dropped,
                  f"rx {pc.rx}, answered {pc.answered}, forwarded {pc.forwarded}, "
                  f"held {pc.held}, drops {pc.dropped}: {drops}")
        rep.check(f"port {port}: tx == answered + generated + fwd_sent",
                  pc.tx == pc.answered + pc.generated + pc.fwd_sent,
                  f"tx {pc.tx}, answered {pc.answered}, generated {pc.generated}, "
                  f"fwd_sent {pc.fwd_sent}")
    elif pc.host_balance:
        rep.check(f"port {port}: rx == answered + held + sum(drops by reason)",
                  pc.rx == pc.answered + pc.forwarded + pc.held + pc.dropped,
                  f"rx {pc.rx}, answered {pc.answered}, held {pc.held}, drops {pc.dropped}: "
                  f"{drops}" + (f", forwarded {pc.forwarded}" if pc.forwarded else ""))
        rep.check(f"port {port}: tx == answered + generated",
                  pc.tx == pc.answered + pc.generated + (pc.fwd_sent or 0),
                  f"tx {pc.tx}, answered {pc.answered}, generated {pc.generated}"
                  + (f", fwd_sent {pc.fwd_sent}" if pc.fwd_sent else ""))
    else:
        rep.check(f"port {port}: rx == tx + forwarded + sum(drops by reason)",
                  pc.rx == pc.tx + pc.forwarded + pc.dropped,
                  f"rx {pc.rx}, tx {pc.tx}, forwarded {pc.forwarded}, drops {pc.dropped}: {drops}")
    if pc.dropped_total is not None:
        rep.check(f"port {port}: stated 'dropped {pc.dropped_total}' == sum of the drop lines "
                  f"({pc.dropped})", pc.dropped_total == pc.dropped, "")
    if pc.host_balance:
        dgram_answered = pc.datagrams - sum(pc.datagram_drops.values())
        if pc.replies:
            rep.check(f"port {port}: sum(replies) == answered + tx_full + datagrams answered "
                      f"(every reply counted was sent or counted as refused)",
                      sum(pc.replies.values()) == pc.answered + pc.drop("tx_full") + dgram_answered,
                      f"replies {pc.replies}, answered {pc.answered}, "
                      f"tx_full {pc.drop('tx_full')}, datagrams {pc.datagrams}, "
                      f"datagram drops {pc.datagram_drops}")
        if dgram_answered == 0 and pc.forwarded == 0 and res.router is None:
            rep.check(f"port {port}: generated + generated_failed == error sent + error no_mbuf "
                      f"(all it generated were ICMP errors)",
                      pc.generated + pc.generated_failed == pc.error("sent") + pc.error("no_mbuf"),
                      f"generated {pc.generated}, generated_failed {pc.generated_failed}, "
                      f"errors {pc.errors}")
        for table in ("Icmp", "Icmp6"):
            msgs = pc.mib.get(table + "Msg", {})
            if table in pc.mib and "OutMsgs" in pc.mib[table]:
                out_types = sum(v for k, v in msgs.items() if k.startswith("OutType"))
                rep.check(f"port {port}: {table} OutMsgs == sum of {table}Msg OutTypeN",
                          pc.mib[table]["OutMsgs"] == out_types,
                          f"{table}: {pc.mib[table]}; {table}Msg: {msgs}")
    elif pc.replies and pc.forwarded == 0:
        rep.check(f"port {port}: tx == sum of reply counters (host mode: all we send are replies)",
                  pc.tx == sum(pc.replies.values()), f"tx {pc.tx}, replies {pc.replies}")
    if "ipackets" in pc.device and "opackets" in pc.device:
        rep.check(f"port {port}: device counters agree (ipackets == rx, opackets == tx, "
                  f"no errors)",
                  pc.device["ipackets"] == pc.rx and pc.device["opackets"] == pc.tx
                  and pc.device.get("ierrors", 0) == 0 and pc.device.get("oerrors", 0) == 0,
                  f"device {pc.device}")
    for key, need in (("echo4_reply", min_echo4), ("echo6_reply", min_echo6)):
        if need == 0:
            continue
        got = pc.replies.get(key)
        rep.check(f"port {port}: {key} ({got}) >= {need}, the echo replies the pings received",
                  got is not None and got >= need, "" if got is not None else block)
    return pc


def check_router_counters(rep: Report, res: StopResult, ports: tuple[int, ...] = (0, 1), *,
                          extra_fragments: int | None = 0) -> tuple[dict[int, PortCounters],
                                                                   RouterSummary | None]:
    """check_counters for every port of a --forward run, then what spans the ports:

        a router block ('router: routes v4 N v6 N; neighbours N (...)') is printed;
        sum(forwarded) + extra_fragments == sum(fwd_sent) + sum(fwd_failed)
            (a packet accepted for forwarding is sent, or counted as failed on its egress port;
            an IPv4 packet the router fragments into n pieces adds n - 1 to fwd_sent: pass
            extra_fragments=None when that number is not known, then only >= is checked);
        sum(generated) + sum(generated_failed) == sum(error sent) + sum(error no_mbuf)
            + router probes_sent   (all a router generates, with no datagram answered, is ICMP
            errors and the control lcore's ARP requests / Neighbor Solicitations).
    Returns the ports' counters and the router block."""
    pcs: dict[int, PortCounters] = {}
    for i, port in enumerate(ports):
        pc = check_counters(rep, res, port, check_exit=i == 0)
        if pc is not None:
            pcs[port] = pc
    rt = res.router
    rep.check("the summary ends with the router block ('router: routes v4 N v6 N; neighbours N "
              "(...)' and its neighbour lines)", rt is not None,
              rt.text if rt else indent(res.stdout[-2000:]))
    if len(pcs) != len(ports) or rt is None:
        return pcs, rt
    fwd = sum(pc.forwarded for pc in pcs.values())
    sent = sum(pc.fwd_sent or 0 for pc in pcs.values())
    failed = sum(pc.fwd_failed for pc in pcs.values())
    per_port = "; ".join(f"port {p}: forwarded {pc.forwarded} fwd_sent {pc.fwd_sent} "
                         f"fwd_failed {pc.fwd_failed}" for p, pc in pcs.items())
    if extra_fragments is None:
        rep.check("forwarded packets all accounted for: sum(fwd_sent) + sum(fwd_failed) >= "
                  "sum(forwarded) (IPv4 fragments each count as sent)",
                  sent + failed >= fwd, per_port)
    else:
        rep.check(f"forwarded packets all accounted for: sum(forwarded){' + ' + str(extra_fragments) + ' extra fragments' if extra_fragments else ''} "
                  f"== sum(fwd_sent) + sum(fwd_failed)", fwd + extra_fragments == sent + failed,
                  per_port)
    dgram_answered = sum(pc.datagrams - sum(pc.datagram_drops.values()) for pc in pcs.values())
    if dgram_answered == 0:
        gen = sum((pc.generated or 0) + pc.generated_failed for pc in pcs.values())
        errs = sum(pc.error("sent") + pc.error("no_mbuf") for pc in pcs.values())
        rep.check("everything generated is an ICMP error or a neighbour probe: sum(generated + "
                  "generated_failed) == sum(error sent + error no_mbuf) + router probes_sent",
                  gen == errs + rt.stat("probes_sent"),
                  "; ".join(f"port {p}: generated {pc.generated} generated_failed "
                            f"{pc.generated_failed} errors {pc.errors}" for p, pc in pcs.items())
                  + f"; router {rt.stats}")
    return pcs, rt


# --------------------------------------------------------------------------------------------
# test main wrapper


def default_responder() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "build", "apps", "responder",
                                         "pingwire-responder"))


def test_main(name: str, body, extra_tools: tuple[str, ...] = ()) -> None:
    """Common entry: parses --responder, skips without root, runs body(args, rep), exits 0/1."""
    ap = argparse.ArgumentParser(description=name)
    ap.add_argument("--responder", default=default_responder(),
                    help="path to pingwire-responder (default: build/apps/responder/...)")
    ap.add_argument("--mac", default=None,
                    help="give the responder this MAC with --port 0,mac=... "
                         "(default: it uses the veth's own)")
    args = ap.parse_args()
    require_root_and_tools(extra_tools)
    install_signal_handlers()
    if not os.access(args.responder, os.X_OK):
        log(f"FAIL: responder binary not found or not executable: {args.responder}")
        sys.exit(1)
    rep = Report(name)
    log(f"== {name}: {args.responder}")
    try:
        body(args, rep)
    except StartError as e:
        rep.check("responder starts and prints its ready line", False, str(e))
    except HarnessError as e:
        rep.check("test environment set up", False, str(e))
    except KeyboardInterrupt as e:
        rep.check("test ran to the end", False, f"interrupted ({e})")
    sys.exit(rep.finish())


# --------------------------------------------------------------------------------------------
# demo (scripts/demo)


def demo(exe: str) -> int:
    def say(msg: str) -> None:
        log(f"\n\033[1m==> {msg}\033[0m" if sys.stdout.isatty() else f"\n==> {msg}")

    def show(cmd_text: str, text: str) -> None:
        log(f"$ {cmd_text}")
        log(text.rstrip("\n") or "(nothing)")

    summary: list[str] = []
    with Topology() as topo, Responder(topo, exe) as r:
        say(f"Made a Linux 'host' namespace ({topo.host_ns}) with {topo.host_if} "
            f"{HOST_ADDR4}/{PREFIX4} and {HOST_ADDR6}/{PREFIX6}, joined by a veth pair to "
            f"{topo.dut_if} in {topo.dut_ns}, where pingwire will run")
        say("Starting pingwire-responder on the other end (net_af_packet on the veth)")
        log(f"$ {r.command_line}")
        r.start()
        log(r.stdout().rstrip("\n"))
        pings = []
        for label, args in (("IPv4", ["-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR4]),
                            ("IPv6", ["-6", "-c", "3", "-i", "0.2", "-w", "10", DUT_ADDR6]),
                            ("IPv6 link-local",
                             ["-6", "-c", "3", "-i", "0.2", "-w", "10",
                              f"{link_local_from_mac(r.expected_mac)}%{topo.host_if}"])):
            say(f"Pinging pingwire over {label} with Linux's own ping")
            p = topo.ping(args)
            show(f"ping {' '.join(args)}", p.output)
            pings.append((label, p))
        say("The host learned pingwire's MAC through ARP and NDP")
        n4, n6 = topo.neigh("-4"), topo.neigh("-6")
        show(f"ip -4 neigh show dev {topo.host_if}", n4)
        show(f"ip -6 neigh show dev {topo.host_if}", n6)
        say("Stopping pingwire-responder (SIGTERM): its counters")
        res = r.stop()
        final = res.stdout.rfind("pingwire-responder: stopping")
        log((res.stdout[final:] if final >= 0 else res.stdout).rstrip("\n"))
        if res.rc != 0:
            log(f"exit code {res.rc}; its stderr:\n{res.stderr.rstrip()}")
        ok = res.rc == 0
        for label, p in pings:
            summary.append(f"  {label:16} {p.received}/{p.transmitted} echo requests answered")
            ok = ok and p.clean
        mac = r.expected_mac
        summary.append(f"  neighbour cache  {DUT_ADDR4} -> "
                       f"{'learned ' + mac if mac in n4.lower() else 'NOT learned'}, "
                       f"{DUT_ADDR6} -> {'learned ' + mac if mac in n6.lower() else 'NOT learned'}")
        pc = res.ports.get(0)
        if pc:
            why = ", ".join(f"{n} {k}" for k, n in sorted(pc.drops.items()))
            summary.append(f"  responder        port 0: received {pc.rx}, sent {pc.tx}, "
                           f"dropped {pc.dropped}{' (' + why + ')' if why else ''}; "
                           f"exit code {res.rc}")
            rule = ("rx == answered + held + dropped, tx == answered + generated"
                    if pc.host_balance else "rx == tx + dropped")
            summary.append(f"                   every packet accounted for ({rule}): "
                           f"{'yes' if pc.balanced else 'NO'}")
            ok = ok and pc.balanced
        else:
            summary.append(f"  responder        exit code {res.rc}, no port summary parsed")
    say("Summary")
    log("\n".join(summary))
    log("\nAll answered: pingwire behaved like a host on the link." if ok else
        "\nSomething did not work: see the output above.")
    log("Namespaces and DPDK run files removed.")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("demo", help="ping pingwire-responder from a Linux namespace")
    d.add_argument("--responder", default=default_responder())
    sub.add_parser("cleanup", help="remove namespaces/run dirs left by killed runs")
    args = ap.parse_args()
    require_root_and_tools()
    install_signal_handlers()
    if args.cmd == "cleanup":
        remove_stale()
        return 0
    try:
        return demo(args.responder)
    except (StartError, HarnessError) as e:
        log(f"\nerror: {e}")
        return 1
    except KeyboardInterrupt:
        log("\ninterrupted; cleaned up")
        return 130


if __name__ == "__main__":
    sys.exit(main())
