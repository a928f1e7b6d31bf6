#!/usr/bin/python3
"""The malformed-input catalogue (tests/integration/malformed.py) replayed into
pingwire-responder in host mode and in router mode (--forward), and into the Linux kernel
(issue 10 items 2 and 6).

Per mode, three replays:

1. Live, one variant at a time: the responder runs on net_pcap live ports (`iface=`: libpcap
   on a veth, so fragments arrive untouched, unlike net_af_packet's defragmenting fanout),
   the frames go in from a raw socket on the other end, then a sentinel echo request; once
   its reply is back, everything the variant caused has been sent (one worker, in order).
   Then the DPDK telemetry counters (/pingwire/stats) are read and their change checked:
   rx is the variant's frames, each frame ends where the catalogue says (answered, held,
   forwarded, or the named drop reason, nothing else), the frames that came back have the
   signatures due (type, code, Parameter Problem pointer) and no others, the forwarded frames
   came out of port 1, and the answer is no larger than the variant (no amplification).
2. A pcap file: every frame of the mode's catalogue (with the ones under 14 bytes that no
   veth carries) in one rx_pcap file, the answers into tx_pcap; the exit summary must hold
   the catalogue's drop reasons, answers and holds exactly, and every port balance.
3. Linux: the same frames into a network namespace with the same MAC and addresses (a host,
   then a router with ip_forward=1), the answers sniffed on the other end and compared by
   signature with what the catalogue says Linux sends (the responder's answer, or the
   difference it lists with the reason).

Rate limits are off in both (--icmp-ratelimit 0 ...; the kernel's sysctls 0), so every error
owed is sent and the amplification figure is the worst case; reassembly timeouts are long so
that no Time Exceeded arrives during the replay.

Standalone:  sudo /usr/bin/python3 tests/integration/test_malformed.py --responder PATH
             [--only PATTERN] [--skip-linux] [--verbose]
"""

from __future__ import annotations

import argparse
import collections
import fnmatch
import json
import os
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import malformed as M  # noqa: E402
import netns  # noqa: E402

SENTINEL_ID = 0xFEED
MODES = ("host", "router")
LINK_MTU = 9100  # veths: the jumbo variants must cross


def sh(cmd: list[str], check: bool = True, timeout: float = 30):
    return netns.run(cmd, check=check, timeout=timeout)


def nsx(ns: str, *cmd: str, check: bool = True):
    return sh(["ip", "netns", "exec", ns, *cmd], check=check)


# --------------------------------------------------------------------------------------------
# topology: namespaces joined by veths with fixed MACs


class Links:
    """Namespaces named as netns.py names them (remove_stale cleans up after a killed run) and
    veth pairs between them. A context manager; everything goes on exit."""

    def __init__(self, roles: tuple[str, ...]):
        n = next(netns._counter)
        self.tag = f"{netns.NS_PREFIX}-{os.getpid()}-{n}"
        self.ns = {r: f"{self.tag}-{r}" for r in roles}
        self.short = f"{os.getpid() % 100000}{chr(97 + n % 26)}"
        self._made: list[str] = []

    def __enter__(self):
        netns.remove_stale()
        try:
            for ns in self.ns.values():
                sh(["ip", "netns", "add", ns])
                self._made.append(ns)
                nsx(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
                nsx(ns, "ip", "link", "set", "lo", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        with netns.signals_deferred():
            for ns in reversed(self._made):
                sh(["ip", "netns", "del", ns], check=False)
            self._made.clear()

    def veth(self, a_role: str, a_if: str, a_mac: str, b_role: str, b_if: str, b_mac: str,
             mtu: int = LINK_MTU, a_ipv6: bool = False) -> tuple[str, str]:
        a_if, b_if = f"{a_if}{self.short}", f"{b_if}{self.short}"
        a_ns, b_ns = self.ns[a_role], self.ns[b_role]
        sh(["ip", "link", "add", a_if, "netns", a_ns, "address", a_mac, "mtu", str(mtu), "type",
            "veth", "peer", "name", b_if, "netns", b_ns, "address", b_mac, "mtu", str(mtu)])
        for ns, i, v6 in ((a_ns, a_if, a_ipv6), (b_ns, b_if, False)):
            if not v6:
                nsx(ns, "sysctl", "-qw", f"net.ipv6.conf.{i}.disable_ipv6=1")
            nsx(ns, "ethtool", "-K", i, "tx", "off", "rx", "off", "gro", "off", check=False)
        for ns, i in ((b_ns, b_if), (a_ns, a_if)):
            if not (ns == a_ns and a_ipv6):
                nsx(ns, "ip", "link", "set", i, "up")
        return a_if, b_if


class Topo:
    """What netns.Responder needs of a topology."""

    def __init__(self, tag: str, dut_ns: str, vdevs: list[str]):
        self.tag, self.dut_ns, self._vdevs = tag, dut_ns, vdevs
        self.dut_kernel_mac = M.DUT_MAC
        self.kind = "veth"

    def vdevs(self) -> list[str]:
        return self._vdevs

    def attach_tap(self) -> None:
        pass


def responder_args(mode: str) -> list[str]:
    a = ["--port", f"0,mac={M.DUT_MAC},addr={M.DUT4}/24,addr={M.DUT6}/64",
         "--icmp-ratelimit", "0", "--icmp6-ratelimit", "0", "--icmp-msgs-per-sec", "0",
         "--ipfrag-time", "3600", "--ip6frag-time", "3600"]
    if mode == "router":
        a += ["--forward",
              "--port", f"1,mac={M.DUT1_MAC},mtu={M.PORT1_MTU},addr={M.DUT1_4}/24,"
                        f"addr={M.DUT1_6}/64",
              "--neigh", f"{M.FAR4},mac={M.FAR_MAC}", "--neigh", f"{M.FAR6},mac={M.FAR_MAC}",
              "--neigh", f"{M.PEER4},mac={M.PEER_MAC}", "--neigh", f"{M.PEER6},mac={M.PEER_MAC}",
              "--neigh", f"{M.PEER_LL6},mac={M.PEER_MAC},port=0"]
    return a


# --------------------------------------------------------------------------------------------
# telemetry


class Telemetry:
    def __init__(self, prefix: str):
        self.path = f"{netns.DPDK_RUN_DIR}/{prefix}/dpdk_telemetry.v2"
        self.sock: socket.socket | None = None

    def _connect(self) -> None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(self.path)
        hello = json.loads(s.recv(65536).decode())
        self.maxlen = max(int(hello.get("max_output_len", 16384)), 65536)
        self.sock = s

    def stats(self, port: int) -> dict:
        for attempt in range(2):
            try:
                if self.sock is None:
                    self._connect()
                self.sock.send(f"/pingwire/stats,{port}".encode())
                data = self.sock.recv(self.maxlen)
                if not data:
                    raise OSError("telemetry socket closed")
                return json.loads(data.decode()).get("/pingwire/stats") or {}
            except OSError:
                if self.sock:
                    self.sock.close()
                self.sock = None
                if attempt:
                    raise
        return {}

    def close(self) -> None:
        if self.sock:
            self.sock.close()


def delta(after: dict, before: dict) -> dict:
    d = {}
    for k, v in after.items():
        if isinstance(v, dict):
            b = before.get(k, {})
            sub = {kk: vv - b.get(kk, 0) for kk, vv in v.items() if vv - b.get(kk, 0)}
            d[k] = sub
        elif isinstance(v, int):
            d[k] = v - before.get(k, 0)
    return d


# --------------------------------------------------------------------------------------------
# frames


def sentinel(seq: int) -> bytes:
    return M.eth(M.ip4(M.echo4(SENTINEL_ID, seq, b"sentinel")))


def is_sentinel_reply(frame: bytes, seq: int) -> bool:
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 1:
        return False
    hl = (frame[14] & 15) * 4
    icmp = frame[14 + hl:]
    return len(icmp) >= 8 and icmp[0] == 0 and struct.unpack("!HH", icmp[4:8]) == (SENTINEL_ID,
                                                                                     seq)


def fmt_sigs(sigs) -> str:
    return ", ".join(str(s) for s in sigs) or "nothing"


def multiset(sigs) -> collections.Counter:
    return collections.Counter(tuple(s) for s in sigs)


# --------------------------------------------------------------------------------------------
# what a variant is expected to move


def expected_outcomes(variants: list[M.Variant], mode: str) -> list[tuple[M.Variant, M.Outcome]]:
    """The mode's variants with their outcome; the flood's depends on the slots left."""
    out = []
    pending = 0
    for v in variants:
        o = v.outcome(mode)
        if o is None:
            continue
        if "flood" in o.counts:
            o = M.flood_outcome(64 - pending, o.counts["flood"])
        pending += v.pending
        out.append((v, o))
    return out


def check_delta(o: M.Outcome, nframes: int, d0: dict, d1: dict | None) -> list[str]:
    """Problems with the telemetry change of one variant (sentinel already subtracted)."""
    bad = []
    if d0.get("rx", 0) != nframes:
        bad.append(f"rx {d0.get('rx', 0)}, sent {nframes}")
    got: dict[str, int] = {}
    for k in ("answered", "held", "forwarded"):
        if d0.get(k, 0):
            got[k] = d0[k]
    for r, n in d0.get("drops", {}).items():
        got[f"drop:{r}"] = n
    want = {k: v for k, v in o.counts.items() if v}
    if got != want:
        bad.append(f"counted {got or '{}'}, due {want}")
    if d0.get("datagrams", 0) != o.datagrams:
        bad.append(f"datagrams {d0.get('datagrams', 0)}, due {o.datagrams}")
    bal = d0.get("answered", 0) + d0.get("forwarded", 0) + d0.get("held", 0) + d0.get("dropped", 0)
    if d0.get("rx", 0) != bal:
        bad.append(f"unbalanced: rx {d0.get('rx', 0)} != answered + forwarded + held + dropped "
                   f"{bal}")
    sent = d0.get("errors", {}).get("sent", 0) + (d1 or {}).get("errors", {}).get("sent", 0)
    if sent != o.error_answers:
        bad.append(f"errors sent {sent}, due {o.error_answers}")
    if o.errors:
        for k, n in o.errors.items():
            if d0.get("errors", {}).get(k, 0) != n:
                bad.append(f"error outcome {k} {d0.get('errors', {}).get(k, 0)}, due {n}")
    if d1 is not None:
        if d1.get("fwd_sent", 0) != o.forwards:
            bad.append(f"port 1 fwd_sent {d1.get('fwd_sent', 0)}, due {o.forwards}")
        if d1.get("rx", 0):
            bad.append(f"port 1 rx {d1['rx']} (nothing was sent to it)")
    return bad


# --------------------------------------------------------------------------------------------
# live replay into the responder


class Amplification:
    def __init__(self):
        self.rx = 0        # bytes of the variants
        self.tx = 0        # bytes answered back to the sender
        self.fwd = 0       # bytes forwarded out of the other port
        self.variants = 0
        self.worst: tuple[float, str] = (0.0, "")
        self.over: list[str] = []
        self.allowed: list[str] = []  # larger answers the catalogue explains

    def add(self, name: str, rx: int, tx: int, fwd: int, allowed: str = "") -> None:
        self.rx += rx
        self.tx += tx
        self.fwd += fwd
        self.variants += 1
        r = tx / rx if rx else 0.0
        if r > self.worst[0]:
            self.worst = (r, name)
        if tx > rx:
            (self.allowed if allowed else self.over).append(
                f"{name}: {tx} B answered to {rx} B" + (f" ({allowed})" if allowed else ""))

    @property
    def ratio(self) -> float:
        return self.tx / self.rx if self.rx else 0.0


def live_replay(rep: netns.Report, exe: str, mode: str, items, verbose: bool,
                amp: Amplification) -> None:
    roles = ("host", "dut", "b") if mode == "router" else ("host", "dut")
    with Links(roles) as L:
        d0, p0 = L.veth("dut", "mwd", "02:00:00:00:10:01", "host", "mwp", M.PEER_MAC)
        vdevs = [f"net_pcap0,iface={d0}"]
        p1 = None
        if mode == "router":
            d1, p1 = L.veth("dut", "mwe", "02:00:00:00:10:02", "b", "mwq", M.FAR_MAC)
            vdevs.append(f"net_pcap1,iface={d1}")
        topo = Topo(L.tag, L.ns["dut"], vdevs)
        with netns.Responder(topo, exe, app_args=responder_args(mode)) as r, \
                netns.L2Port(L.ns["host"], p0) as port0:
            port1 = netns.L2Port(L.ns["b"], p1) if p1 else None
            try:
                r.start()
                tel = Telemetry(r.prefix)
                seq = 0

                def barrier() -> tuple[list[bytes], bool]:
                    """Sends the sentinel, waits for its reply; returns what came back before."""
                    nonlocal seq
                    seq += 1
                    t = port0.send(sentinel(seq))
                    got = port0.wait_for(lambda f: is_sentinel_reply(f, seq), t - 5, 3.0)
                    return got, bool(got)

                # warm up: the first sentinel (and let the ports settle)
                _, ok = barrier()
                if not rep.check(f"[{mode}] live: the responder answers the sentinel echo over "
                                 f"net_pcap iface={d0}", ok,
                                 "" if ok else netns.indent(r.stdout()[-2000:])):
                    return
                time.sleep(0.2)
                frames_sent = 1  # the warm-up sentinel
                before = [tel.stats(0), tel.stats(1) if port1 else None]
                problems: list[str] = []
                checked = 0
                for v, o in items:
                    if not v.live:
                        continue
                    n0 = len(port0.received())
                    n1 = len(port1.received()) if port1 else 0
                    for f in v.frames:
                        port0.send(f)
                    seq += 1
                    port0.send(sentinel(seq))
                    frames_sent += len(v.frames) + 1
                    got = port0.wait_for(lambda f, s=seq: is_sentinel_reply(f, s), 0, 3.0)
                    if not got:
                        problems.append(f"{v.name}: no sentinel reply within 3 s (responder "
                                        f"{'alive' if r.proc.poll() is None else 'exited'})")
                        if r.proc.poll() is not None:
                            break
                        continue
                    # read the counters until they hold the sentinel's answer and balance
                    for _ in range(50):
                        after = [tel.stats(0), tel.stats(1) if port1 else None]
                        dd0 = delta(after[0], before[0])
                        dd1 = delta(after[1], before[1]) if port1 else None
                        rx0 = len(port0.received()) - n0
                        ok0 = (dd0.get("rx") == len(v.frames) + 1 and dd0.get("tx", 0) == rx0
                               and dd0.get("rx") == dd0.get("answered", 0) + dd0.get(
                                   "forwarded", 0) + dd0.get("held", 0) + dd0.get("dropped", 0))
                        ok1 = dd1 is None or dd1.get("tx", 0) == len(port1.received()) - n1
                        if ok0 and ok1:
                            break
                        time.sleep(0.005)
                    before = after
                    # the sentinel: one echo request answered
                    dd0["rx"] -= 1
                    dd0["answered"] = dd0.get("answered", 0) - 1
                    dd0["tx"] = dd0.get("tx", 0) - 1
                    frames0 = [f for _, f in port0.received()[n0:]
                               if not is_sentinel_reply(f, seq)]
                    frames1 = [f for _, f in port1.received()[n1:]] if port1 else []
                    sigs = [M.signature(f) for f in frames0]
                    bad = check_delta(o, len(v.frames), dd0, dd1)
                    if multiset(sigs) != multiset(o.answers):
                        bad.append(f"answered {fmt_sigs(sigs)}, due {fmt_sigs(o.answers)}")
                    if len(frames1) != o.forwards:
                        bad.append(f"{len(frames1)} frames out of port 1, due {o.forwards}")
                    tx_bytes = sum(len(f) for f in frames0)
                    amp.add(f"{mode}/{v.name}", v.size, tx_bytes, sum(len(f) for f in frames1),
                            v.larger_answer)
                    checked += 1
                    if bad:
                        problems.append(f"{v.name}: " + "; ".join(bad))
                    if verbose:
                        netns.log(f"  [{mode}] {v.name}: {'ok' if not bad else 'FAIL'} "
                                  f"{fmt_sigs(sigs)}; telemetry {json.dumps(dd0)}")
                tel.close()
                rep.check(f"[{mode}] live: {checked} variants, each counted where the catalogue "
                          f"says, answered as due (type, code, pointer) and nothing else",
                          not problems and checked > 0, "\n".join(problems[:60])
                          + (f"\n... and {len(problems) - 60} more" if len(problems) > 60 else ""))
                res = r.stop()
                rep.check(f"[{mode}] live: the responder exits 0 with its final counters",
                          res.rc == 0 and netns.FINAL_MARK in res.stdout, res.evidence[-3000:])
                pc = res.ports.get(0)
                if pc is not None:
                    rep.check(f"[{mode}] live: port 0 rx == the {frames_sent} frames sent "
                              f"(variants and sentinels)", pc.rx == frames_sent,
                              f"rx {pc.rx}")
                check_balance(rep, res, mode, f"[{mode}] live")
                if mode == "router":
                    learnt = [f"{n.addr} {n.state} {n.mac}" for n in
                              (res.router.neigh if res.router else []) if n.state != "permanent"]
                    rep.check("[router] live: the neighbour table holds only its permanent "
                              "entries: nothing learnt from martian, broadcast or own sender "
                              "addresses (arp.spa.*, nd.ns.src-ours)",
                              res.router is not None and not learnt,
                              "\n".join(learnt) or (res.router.text if res.router else ""))
            finally:
                if port1:
                    port1.close()


def check_balance(rep: netns.Report, res: netns.StopResult, mode: str, label: str) -> None:
    """rx == answered + forwarded + held + dropped and tx == answered + generated + fwd_sent,
    exactly, on every port; the stated drop total is the sum of the reasons."""
    ports = (0, 1) if mode == "router" else (0,)
    for p in ports:
        pc = res.ports.get(p)
        if not rep.check(f"{label}: the summary has port {p}", pc is not None,
                         res.stdout[-2000:]):
            continue
        drops = ", ".join(f"{k} {n}" for k, n in sorted(pc.drops.items()))
        rep.check(f"{label}: port {p}: rx == answered + forwarded + held + dropped, every drop "
                  f"under a named reason", pc.host_balance and pc.balanced
                  and pc.dropped_total == pc.dropped,
                  f"rx {pc.rx} tx {pc.tx} answered {pc.answered} forwarded {pc.forwarded} held "
                  f"{pc.held} generated {pc.generated} fwd_sent {pc.fwd_sent} dropped "
                  f"{pc.dropped_total} (sum of reasons {pc.dropped}): {drops}")


# --------------------------------------------------------------------------------------------
# pcap file replay


def read_pcap(path: str) -> list[bytes]:
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def file_replay(rep: netns.Report, exe: str, mode: str, items) -> tuple[int, int]:
    frames = [f for v, _ in items for f in v.frames]
    want_counts: collections.Counter = collections.Counter()
    want_sigs: collections.Counter = collections.Counter()
    forwards = datagrams = 0
    for v, o in items:
        want_counts.update(o.counts)
        want_sigs.update(multiset(o.answers))
        forwards += o.forwards
        datagrams += o.datagrams
    with tempfile.TemporaryDirectory(prefix="pw-malformed-") as tmp, \
            Links(("dut",)) as L:
        inp, out0, out1, empty = (os.path.join(tmp, n) for n in
                                  ("in.pcap", "out0.pcap", "out1.pcap", "empty.pcap"))
        M.write_pcap(inp, frames)
        M.write_pcap(empty, [])
        vdevs = [f"net_pcap0,rx_pcap={inp},tx_pcap={out0}"]
        if mode == "router":
            vdevs.append(f"net_pcap1,rx_pcap={empty},tx_pcap={out1}")
        topo = Topo(L.tag, L.ns["dut"], vdevs)
        with netns.Responder(topo, exe, app_args=responder_args(mode)) as r:
            r.start()
            tel = Telemetry(r.prefix)
            deadline = time.monotonic() + 30
            last = None
            while time.monotonic() < deadline:
                st = tel.stats(0)
                if st.get("rx") == len(frames) and st == last:
                    break
                last = st
                time.sleep(0.2)
            tel.close()
            res = r.stop()
        label = f"[{mode}] pcap file"
        rep.check(f"{label}: the responder read all {len(frames)} frames and exits 0",
                  res.rc == 0 and res.ports.get(0) is not None and res.ports[0].rx == len(frames),
                  res.evidence[-3000:])
        check_balance(rep, res, mode, label)
        pc = res.ports.get(0)
        if pc is None:
            return 0, 0
        got = collections.Counter({f"drop:{k}": n for k, n in pc.drops.items() if n})
        for k in ("answered", "held", "forwarded"):
            if getattr(pc, k):
                got[k] = getattr(pc, k)
        want = +want_counts
        diff = {k: (got.get(k, 0), want.get(k, 0)) for k in set(got) | set(want)
                if got.get(k, 0) != want.get(k, 0)}
        rep.check(f"{label}: the exit summary counts every frame where the catalogue says "
                  f"({len(want)} outcomes)", not diff,
                  "\n".join(f"{k}: counted {a}, due {b}" for k, (a, b) in sorted(diff.items())))
        txf = read_pcap(out0)
        sigs = multiset(M.signature(f) for f in txf)
        rep.check(f"{label}: the {len(txf)} frames sent are the answers due", sigs == want_sigs,
                  f"extra {dict(sigs - want_sigs)}; missing {dict(want_sigs - sigs)}")
        rep.check(f"{label}: {datagrams} datagrams reassembled", pc.datagrams == datagrams,
                  f"reassembled datagrams {pc.datagrams}")
        if mode == "router":
            fw = read_pcap(out1)
            rep.check(f"{label}: {forwards} frames forwarded out of port 1", len(fw) == forwards,
                      f"{len(fw)} in out1.pcap")
        in_bytes = sum(len(f) for f in frames)
        out_bytes = sum(len(f) for f in txf)
        return in_bytes, out_bytes


# --------------------------------------------------------------------------------------------
# Linux


def linux_replay(rep: netns.Report, mode: str, items, verbose: bool) -> None:
    with Links(("a", "r", "b")) as L:
        lx0, p0 = L.veth("r", "mwl", M.DUT_MAC, "a", "mwa", M.PEER_MAC, a_ipv6=True)
        lx1, p1 = L.veth("r", "mwm", M.DUT1_MAC, "b", "mwb", M.FAR_MAC, mtu=M.PORT1_MTU,
                         a_ipv6=True)
        R = L.ns["r"]
        fwd = "1" if mode == "router" else "0"
        for key in ("net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0",
                    "net.ipv4.icmp_msgs_per_sec=100000000", "net.ipv4.icmp_msgs_burst=100000000",
                    "net.ipv4.ipfrag_time=3600", "net.ipv6.ip6frag_time=3600",
                    f"net.ipv4.ip_forward={fwd}", f"net.ipv6.conf.all.forwarding={fwd}",
                    "net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0"):
            nsx(R, "sysctl", "-qw", key, check=False)
        for i in (lx0, lx1):
            for key, val in (("disable_ipv6", 0), ("accept_dad", 0), ("dad_transmits", 0),
                             ("router_solicitations", 0), ("accept_ra", 0)):
                nsx(R, "sysctl", "-qw", f"net.ipv6.conf.{i}.{key}={val}", check=False)
        nsx(R, "ip", "addr", "add", f"{M.DUT4}/24", "dev", lx0)
        nsx(R, "ip", "addr", "add", f"{M.DUT6}/64", "dev", lx0, "nodad")
        if mode == "router":  # a host has one interface
            nsx(R, "ip", "addr", "add", f"{M.DUT1_4}/24", "dev", lx1)
            nsx(R, "ip", "addr", "add", f"{M.DUT1_6}/64", "dev", lx1, "nodad")
        for i in (lx0, lx1):
            nsx(R, "ip", "link", "set", i, "up")
        for addr, dev, m in ((M.PEER4, lx0, M.PEER_MAC), (M.PEER6, lx0, M.PEER_MAC),
                             (M.PEER4_B, lx0, M.PEER_MAC), (M.PEER4_C, lx0, M.PEER_MAC),
                             (M.PEER_LL6, lx0, M.PEER_MAC), (M.FAR4, lx1, M.FAR_MAC),
                             (M.FAR6, lx1, M.FAR_MAC)):
            nsx(R, "ip", "neigh", "replace", addr, "lladdr", m, "nud", "permanent", "dev", dev)
        time.sleep(0.5)
        with netns.L2Port(L.ns["a"], p0) as port0:
            seq = 0
            # the kernel's own chatter (MLD, its link-local address) settles first
            time.sleep(1.0)
            seq += 1
            t = port0.send(sentinel(seq))
            ok = bool(port0.wait_for(lambda f: is_sentinel_reply(f, seq), t - 5, 3.0))
            if not rep.check(f"[{mode}] Linux ({'router' if fwd == '1' else 'host'}) answers "
                             f"the sentinel echo", ok):
                return
            problems, compared, differ = [], 0, 0
            for v, o in items:
                want = v.linux_answers(mode)
                if want is None or not v.live:
                    continue
                n0 = len(port0.received())
                for f in v.frames:
                    port0.send(f)
                seq += 1
                port0.send(sentinel(seq))
                got = port0.wait_for(lambda f, s=seq: is_sentinel_reply(f, s), 0, 3.0)
                if not got:
                    problems.append(f"{v.name}: no sentinel reply from Linux within 3 s")
                    continue
                frames = [f for _, f in port0.received()[n0:] if not is_sentinel_reply(f, seq)]
                sigs = [s for s in map(M.signature, frames) if not M.linux_noise(s)]
                compared += 1
                if multiset(want) != multiset(o.answers):
                    differ += 1
                if multiset(sigs) != multiset(want):
                    problems.append(f"{v.name}: Linux answered {fmt_sigs(sigs)}, the catalogue "
                                    f"says {fmt_sigs(want)}"
                                    + (f" (responder: {fmt_sigs(o.answers)})"
                                       if multiset(want) != multiset(o.answers) else ""))
                if verbose:
                    netns.log(f"  [linux {mode}] {v.name}: {fmt_sigs(sigs)}")
            rep.check(f"[{mode}] Linux: {compared} variants compared, its answers (type, code, "
                      f"pointer) as the catalogue says ({compared - differ} the same as the "
                      f"responder's, {differ} listed differences)",
                      not problems and compared > 0, "\n".join(problems))


# --------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--responder", default=netns.default_responder())
    ap.add_argument("--only", default=None, help="fnmatch pattern of variant names")
    ap.add_argument("--skip-linux", action="store_true")
    ap.add_argument("--skip-file", action="store_true")
    ap.add_argument("--skip-live", action="store_true")
    ap.add_argument("--mode", choices=MODES, action="append")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    netns.require_root_and_tools(("ethtool",))
    netns.install_signal_handlers()
    if not os.access(args.responder, os.X_OK):
        netns.log(f"FAIL: responder binary not found or not executable: {args.responder}")
        return 1
    # one CPU for the sender: frames and the sentinel enter the receive backlog in order
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except OSError:
        pass
    rep = netns.Report("integration/malformed")
    variants = M.build()
    if args.only:  # for debugging: the flood's outcome then counts only the variants kept
        variants = [v for v in variants if fnmatch.fnmatch(v.name, args.only)]
    netns.log(f"== integration/malformed: {len(variants)} variants, "
              f"{sum(len(v.frames) for v in variants)} frames; {args.responder}")
    rep.check("the catalogue has at least 300 named variants", len(M.build()) >= 300,
              f"{len(M.build())}")
    amp = Amplification()
    file_bytes = {}
    t0 = time.monotonic()
    try:
        for mode in args.mode or MODES:
            items = expected_outcomes(variants, mode)
            if not args.skip_live:
                live_replay(rep, args.responder, mode, items, args.verbose, amp)
            if not args.skip_file:
                file_bytes[mode] = file_replay(rep, args.responder, mode, items)
            if not args.skip_linux:
                linux_replay(rep, mode, items, args.verbose)
            netns.log(f"-- {mode} done at {time.monotonic() - t0:.1f} s")
    except netns.StartError as e:
        rep.check("responder starts and prints its ready line", False, str(e))
    except netns.HarnessError as e:
        rep.check("test environment set up", False, str(e))
    except KeyboardInterrupt as e:
        rep.check("test ran to the end", False, f"interrupted ({e})")
    if amp.variants:
        line = (f"amplification: {amp.ratio:.3f} (tx {amp.tx} B / rx {amp.rx} B over "
                f"{amp.variants} variants, host and router mode, rate limits off; worst "
                f"variant {amp.worst[1]} {amp.worst[0]:.3f}; {amp.fwd} B forwarded)")
        netns.log(line)
        rep.check("no amplification: bytes answered <= bytes received over the catalogue",
                  amp.ratio <= 1.0, line)
        rep.check("no amplification: no variant's answer is larger than the variant (but "
                  f"the {len(amp.allowed)} the catalogue explains)",
                  not amp.over, "\n".join(amp.over + ["explained:"] + amp.allowed))
    for v in variants:
        if v.note:
            netns.log(f"finding: {v.name}: {v.note}")
    for mode, (i, o) in file_bytes.items():
        if i:
            netns.log(f"amplification ({mode}, pcap file replay): {o / i:.3f} "
                      f"(tx {o} B / rx {i} B)")
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
