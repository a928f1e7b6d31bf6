#!/usr/bin/env python3
"""Building blocks of bench/throughput (stdlib only; matplotlib, from Debian's
python3-matplotlib, only to draw the PNG). bench/throughput imports this module; it also runs
on its own for debugging:

  throughput.py telemetry SOCKET [COMMAND]
      Sends one command (default /ethdev/stats,0) to a DPDK telemetry v2 socket, prints the reply.
  throughput.py callgrind DIR_OR_FILE...
      Per-thread instruction totals of callgrind output files (--separate-threads=yes), and which
      thread is the worker (the one that spends the most in net_pcap's RX/TX).
  throughput.py l3fwd BUILD_DIR
      Copies DPDK's l3fwd example from Debian's dpdk-doc into BUILD_DIR, patches the copy for
      virtual ports, builds it against pkg-config libdpdk and prints the binary's path.

Frames are written by hand with struct (no scapy needed); each builder names the scapy line
that would make the same bytes.
"""

from __future__ import annotations

import glob
import hashlib
import ipaddress
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

# --------------------------------------------------------------------------------------------
# frames

BENCH_NETS = (ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:2::/48"))
# Also allowed as destinations: what ARP and NDP need on the link.
LINK_NETS = (ipaddress.ip_network("ff02::/16"), ipaddress.ip_network("fe80::/10"))


def check_bench_address(addr: str, *, link_ok: bool = False) -> None:
    """Raises ValueError unless addr lies in the benchmarking ranges (198.18.0.0/15,
    2001:2::/48), or, with link_ok, is link-local / link-scope multicast."""
    a = ipaddress.ip_address(addr)
    nets = BENCH_NETS + (LINK_NETS if link_ok else ())
    if not any(a.version == n.version and a in n for n in nets):
        raise ValueError(f"{addr} is outside 198.18.0.0/15 and 2001:2::/48, the benchmarking ranges")


def ones_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def checksum(data: bytes) -> int:
    return (~ones_sum(data)) & 0xFFFF


def mac_bytes(s: str) -> bytes:
    parts = s.split(":")
    if len(parts) != 6:
        raise ValueError("bad MAC " + s)
    return bytes(int(p, 16) for p in parts)


def ip_bytes(s: str) -> bytes:
    return ipaddress.ip_address(s).packed


def payload_bytes(n: int) -> bytes:
    return bytes(i & 0xFF for i in range(n))


def ether(dst_mac: str, src_mac: str, ethertype: int, payload: bytes) -> bytes:
    """Ether(dst=, src=, type=) / payload, padded to the 60-byte minimum (no FCS)."""
    frame = mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(src: str, dst: str, proto: int, l4: bytes, *, ttl: int = 64, ident: int = 0) -> bytes:
    """IP(src=, dst=, proto=, ttl=, id=) / l4 (no options, DF clear)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0, ttl, proto, 0,
                      ip_bytes(src), ip_bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + l4


def ipv6(src: str, dst: str, nh: int, l4: bytes, *, hlim: int = 64) -> bytes:
    """IPv6(src=, dst=, nh=, hlim=) / l4."""
    return (struct.pack("!IHBB", 6 << 28, len(l4), nh, hlim) + ip_bytes(src) + ip_bytes(dst)
            + l4)


def _pseudo6(src: str, dst: str, nh: int, length: int) -> bytes:
    return ip_bytes(src) + ip_bytes(dst) + struct.pack("!IxxxB", length, nh)


def icmp4_echo(ident: int, seq: int, payload: bytes) -> bytes:
    """ICMP(type=8, id=, seq=) / payload."""
    msg = struct.pack("!BBHHH", 8, 0, 0, ident & 0xFFFF, seq & 0xFFFF) + payload
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def icmp6(src: str, dst: str, body: bytes) -> bytes:
    """An ICMPv6 message (type, code, 0 checksum, rest) with its checksum filled in."""
    s = checksum(_pseudo6(src, dst, 58, len(body)) + body)
    return body[:2] + struct.pack("!H", s) + body[4:]


def icmp6_echo(src: str, dst: str, ident: int, seq: int, payload: bytes) -> bytes:
    """ICMPv6EchoRequest(id=, seq=, data=payload)."""
    return icmp6(src, dst, struct.pack("!BBHHH", 128, 0, 0, ident & 0xFFFF, seq & 0xFFFF) + payload)


def udp4(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    """UDP(sport=, dport=) / payload, checksum over the IPv4 pseudo-header."""
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, 17, length)
    s = checksum(pseudo + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", s) + payload


def udp6(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    s = checksum(_pseudo6(src, dst, 17, length) + hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", s) + payload


def arp_request(src_mac: str, sender: str, target: str) -> bytes:
    """Ether(dst=broadcast, src=src_mac) / ARP(op=who-has, hwsrc=src_mac, psrc=sender,
    pdst=target)."""
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac_bytes(src_mac), ip_bytes(sender),
                      b"\0" * 6, ip_bytes(target))
    return ether("ff:ff:ff:ff:ff:ff", src_mac, 0x0806, arp)


def solicited_node(addr: str) -> str:
    low = ipaddress.ip_address(addr).packed[13:]
    return str(ipaddress.ip_address(bytes.fromhex("ff0200000000000000000001ff") + low))


def multicast_mac(group6: str) -> str:
    return "33:33:" + ":".join(f"{b:02x}" for b in ipaddress.ip_address(group6).packed[12:])


def neighbor_solicitation(src_mac: str, src: str, target: str) -> bytes:
    """Ether(dst=33:33:ff:..) / IPv6(src=src, dst=solicited-node(target), hlim=255) /
    ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=src_mac)."""
    dst = solicited_node(target)
    body = struct.pack("!BBHI", 135, 0, 0, 0) + ip_bytes(target)
    body += struct.pack("!BB", 1, 1) + mac_bytes(src_mac)
    return ether(multicast_mac(dst), src_mac, 0x86DD, ipv6(src, dst, 58, icmp6(src, dst, body),
                                                           hlim=255))


def write_pcap(path: str, frames: list[bytes]) -> None:
    """Classic pcap, microsecond timestamps, LINKTYPE_ETHERNET."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)))
            f.write(frame)


# --------------------------------------------------------------------------------------------
# telemetry

class Telemetry:
    """One connection to a DPDK telemetry v2 socket (SOCK_SEQPACKET, JSON messages)."""

    def __init__(self, path: str, timeout: float = 5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
            hello = json.loads(self.sock.recv(65536).decode())
        except BaseException:
            self.sock.close()
            raise
        self.max_len = int(hello.get("max_output_len", 16384))

    def query(self, cmd: str):
        self.sock.send(cmd.encode())
        reply = self.sock.recv(max(self.max_len, 65536))
        if not reply:
            raise ConnectionError("telemetry socket closed")
        return json.loads(reply.decode())

    def port_stats(self, port: int = 0) -> dict:
        reply = self.query(f"/ethdev/stats,{port}")
        stats = reply.get("/ethdev/stats")
        if not isinstance(stats, dict):
            raise RuntimeError(f"unexpected telemetry reply: {reply}")
        return stats

    def close(self) -> None:
        self.sock.close()


def wait_telemetry(path: str, timeout: float, alive=lambda: True) -> Telemetry:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return Telemetry(path)
        except OSError:
            if time.monotonic() > deadline or not alive():
                raise TimeoutError(f"no telemetry socket at {path} after {timeout:.0f} s")
            time.sleep(0.1)


# --------------------------------------------------------------------------------------------
# worker lcore threads and their CPU time

def worker_tids(pid: int) -> list[tuple[str, int]]:
    """Threads of pid named like EAL worker lcores (rte-worker-N in Debian's 22.11.11;
    lcore-worker-N or dpdk-worker-N in other releases)."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if comm.startswith(("rte-worker", "lcore-worker", "dpdk-worker")):
                out.append((comm, int(tid)))
    except OSError:
        pass
    return sorted(out)


def cpu_ns(pid: int, tid: int) -> int | None:
    """Time the thread spent on a CPU, in ns (first field of schedstat)."""
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _sample(tel: Telemetry, port: int, pid: int, tids) -> dict:
    t0 = time.monotonic()
    stats = tel.port_stats(port)
    t1 = time.monotonic()
    return {"t": (t0 + t1) / 2, "stats": stats, "cpu_ns": [cpu_ns(pid, tid) for _, tid in tids]}


def measure(tel: Telemetry, pid: int, warmup: float, duration: float, port: int = 0,
            sleep=time.sleep, main_is_worker: bool = False) -> dict:
    """Waits warmup seconds, samples the port's counters and the worker lcores' CPU time, waits
    duration seconds, samples again; returns the rates. main_is_worker: the packets run on the
    main lcore (the process's main thread), not on an EAL worker thread."""
    sleep(warmup)
    tids = [("main", pid)] if main_is_worker else worker_tids(pid)
    a = _sample(tel, port, pid, tids)
    sleep(duration)
    b = _sample(tel, port, pid, tids)
    dt = b["t"] - a["t"]
    sa, sb = a["stats"], b["stats"]

    def delta(key):
        return int(sb.get(key, 0)) - int(sa.get(key, 0))

    rx, tx = delta("ipackets"), delta("opackets")
    rec = {
        "seconds": round(dt, 4),
        "rx_packets": rx,
        "tx_packets": tx,
        "rx_mpps": rx / dt / 1e6,
        "tx_mpps": tx / dt / 1e6,
        "rx_nombuf": delta("rx_nombuf"),
        "imissed": delta("imissed"),
        "ierrors": delta("ierrors"),
        "oerrors": delta("oerrors"),
        "workers": [comm for comm, _ in tids],
    }
    # Worker CPU time per packet: what a packet costs on the lcore, whatever share of the wall
    # clock the (shared) machine gave the worker.
    cpu = [y - x for x, y in zip(a["cpu_ns"], b["cpu_ns"]) if x is not None and y is not None]
    if cpu:
        busy = sum(cpu)
        rec["worker_cpu_share"] = busy / (dt * 1e9) / len(cpu)
        rec["worker_ns_per_pkt"] = busy / rx if rx > 0 else None
    return rec


# --------------------------------------------------------------------------------------------
# callgrind

def _callgrind_file(path: str) -> dict:
    """Totals of one callgrind output file: the thread number, its total instructions (Ir),
    and the self cost (instructions executed in its own code) per object file."""
    names: dict[str, str] = {}  # "(N)" -> name, for the ob=/cob= name compression

    def obname(spec: str) -> str:
        m = re.match(r"\((\d+)\)\s*(.*)$", spec)
        if not m:
            return spec.strip()
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        return names.get(m.group(1), "?")

    thread, total, cur_ob = None, None, "?"
    by_ob: dict[str, int] = {}
    in_call = False
    with open(path, errors="replace") as f:
        for line in f:
            c = line[:1]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                if len(parts) >= 2:
                    try:
                        cost = int(parts[1])
                    except ValueError:
                        continue
                    if not in_call:  # the line after calls= is the call's inclusive cost
                        by_ob[cur_ob] = by_ob.get(cur_ob, 0) + cost
                in_call = False
                continue
            if line.startswith("ob="):
                cur_ob = obname(line[3:])
            elif line.startswith("cob="):
                obname(line[4:])  # records the name of a compressed id
            elif line.startswith("calls="):
                in_call = True
            elif line.startswith("thread:"):
                thread = int(line.split(":")[1])
            elif line.startswith(("summary:", "totals:")) and total is None:
                total = int(line.split(":")[1].split()[0])
    return {"file": path, "thread": thread, "instructions": total or 0, "by_object": by_ob}


def callgrind_threads(paths: list[str]) -> list[dict]:
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "callgrind.out.*")))
        else:
            files.append(p)
    # With --separate-threads=yes the per-thread files are <out>-NN; <out> itself stays empty.
    return [_callgrind_file(f) for f in files if os.path.getsize(f) > 0]


def callgrind_worker(paths: list[str], pmd: str = "librte_net_pcap") -> dict:
    """The worker lcore's thread: the one that executed the most instructions in the PMD's code
    (it runs rx_burst/tx_burst all the time; the main lcore only configured the port).
    Returns its entry with 'pmd_share'; raises RuntimeError when no thread touched the PMD."""
    threads = callgrind_threads(paths)
    best, best_cost = None, 0
    for t in threads:
        cost = sum(v for k, v in t["by_object"].items() if pmd in os.path.basename(k))
        t["pmd_cost"] = cost
        if cost > best_cost:
            best, best_cost = t, cost
    if best is None:
        raise RuntimeError(f"no thread in {paths} ran code of {pmd}")
    best = dict(best)
    best["threads"] = {t["thread"]: t["instructions"] for t in threads}
    best["pmd_share"] = best_cost / best["instructions"] if best["instructions"] else None
    del best["by_object"]
    return best


# --------------------------------------------------------------------------------------------
# l3fwd, built from Debian's dpdk-doc

L3FWD_PATCH_VERSION = 2  # bump when patch_l3fwd changes: forces a rebuild
L3FWD_STATS_MARK = "bench-throughput: port"  # the line patch_l3fwd makes l3fwd print at exit
L3FWD_STATS_RE = re.compile(r"bench-throughput: port (\d+) ipackets (\d+) opackets (\d+)")


def l3fwd_sources() -> str | None:
    """Directory of the l3fwd example (Debian's dpdk-doc): /usr/share/dpdk/examples/l3fwd."""
    cands = ["/usr/share/dpdk/examples/l3fwd"]
    try:
        out = subprocess.run(["dpkg", "-L", "dpdk-doc"], capture_output=True, text=True,
                             timeout=30).stdout
        cands += [os.path.dirname(l) for l in out.splitlines() if l.endswith("/l3fwd/main.c")]
    except (OSError, subprocess.SubprocessError):
        pass
    for c in cands:
        if os.path.isfile(os.path.join(c, "main.c")) and os.path.isfile(os.path.join(c, "Makefile")):
            return c
    return None


def patch_l3fwd(main_c: str) -> str:
    """Two changes to the copy of l3fwd's main.c, neither on the data path:

    1. l3fwd asks the port for RX checksum offload (RTE_ETH_RX_OFFLOAD_CHECKSUM in its static
       port_conf); net_pcap has none, so rte_eth_dev_configure would fail. The request goes.
    2. When it stops, after rte_eal_mp_wait_lcore (the worker has left its loop) and before
       closing each port, it prints the port's ipackets/opackets: the exact count of packets
       the worker received, which callgrind's instruction total is divided by (l3fwd prints
       no counters of its own, and the port closes too soon after SIGINT to read them
       through telemetry).
    """
    m = re.search(r"static struct rte_eth_conf port_conf = \{.*?\n\};", main_c, re.S)
    if not m:
        raise RuntimeError("l3fwd main.c: no 'static struct rte_eth_conf port_conf' found")
    block = m.group(0)
    new = re.sub(r"\n[ \t]*\.offloads\s*=\s*RTE_ETH_RX_OFFLOAD_CHECKSUM\s*,[ \t]*", "", block)
    if "RTE_ETH_RX_OFFLOAD_CHECKSUM" in new:
        raise RuntimeError("l3fwd main.c: RX checksum offload request not in the expected form")
    main_c = main_c[:m.start()] + new + main_c[m.end():]

    close = re.compile(r'^([ \t]*)printf\("Closing port %d\.\.\.", portid\);\n'
                       r'[ \t]*ret = rte_eth_dev_stop\(portid\);', re.M)
    hits = list(close.finditer(main_c))
    if len(hits) != 1 or "rte_eal_mp_wait_lcore();" not in main_c[:hits[0].start()]:
        raise RuntimeError("l3fwd main.c: the port closing loop is not in the expected form")
    ind = hits[0].group(1)
    stats = (f"{ind}{{ /* bench/throughput: the count callgrind's total is divided by */\n"
             f"{ind}\tstruct rte_eth_stats bt_st;\n"
             f"{ind}\tif (rte_eth_stats_get(portid, &bt_st) == 0)\n"
             f'{ind}\t\tprintf("{L3FWD_STATS_MARK} %u ipackets %" PRIu64 " opackets %" PRIu64 "\\n",\n'
             f"{ind}\t\t       portid, bt_st.ipackets, bt_st.opackets);\n"
             f"{ind}}}\n")
    return main_c[:hits[0].start()] + stats + main_c[hits[0].start():]


def build_l3fwd(build_dir: str, log=print) -> str:
    """Copies examples/l3fwd and examples/common into build_dir/examples, patches main.c
    (patch_l3fwd: virtual ports, exit counters), builds with the example's Makefile (pkg-config libdpdk) and returns the
    binary. Skips the copy and the build when the sources and the patch did not change."""
    src = l3fwd_sources()
    if src is None:
        raise RuntimeError("DPDK's l3fwd example not found (Debian package dpdk-doc: "
                           "/usr/share/dpdk/examples/l3fwd)")
    common = os.path.join(os.path.dirname(src), "common")
    h = hashlib.sha256(f"patch {L3FWD_PATCH_VERSION}\n".encode())
    for d in (src, common):
        for root, _, files in sorted(os.walk(d)):
            for fn in sorted(files):
                p = os.path.join(root, fn)
                h.update(os.path.relpath(p, os.path.dirname(src)).encode())
                with open(p, "rb") as f:
                    h.update(f.read())
    digest = h.hexdigest()
    work = os.path.join(os.path.abspath(build_dir), "examples")
    binary = os.path.join(work, "l3fwd", "build", "l3fwd")
    stamp = os.path.join(build_dir, "stamp")
    try:
        with open(stamp) as f:
            if f.read().strip() == digest and os.access(binary, os.X_OK):
                return binary
    except OSError:
        pass
    log(f"building l3fwd from {src} in {work}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copytree(src, os.path.join(work, "l3fwd"))
    if os.path.isdir(common):
        shutil.copytree(common, os.path.join(work, "common"))
    main_c = os.path.join(work, "l3fwd", "main.c")
    with open(main_c) as f:
        text = f.read()
    with open(main_c, "w") as f:
        f.write(patch_l3fwd(text))
    jobs = str(os.cpu_count() or 1)
    cp = subprocess.run(["make", "-C", os.path.join(work, "l3fwd"), "-j", jobs, "shared"],
                        capture_output=True, text=True)
    with open(os.path.join(build_dir, "build.log"), "w") as f:
        f.write(cp.stdout + cp.stderr)
    if cp.returncode != 0 or not os.access(binary, os.X_OK):
        tail = "\n".join((cp.stdout + cp.stderr).strip().splitlines()[-10:])
        raise RuntimeError(f"building l3fwd failed (make exit {cp.returncode}):\n{tail}")
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    return binary


# --------------------------------------------------------------------------------------------
# report

def median(xs):
    xs = sorted(x for x in xs if x is not None)
    n = len(xs)
    if n == 0:
        return None
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def fmt(v, spec: str, missing: str = "-") -> str:
    return missing if v is None else format(v, spec)


def markdown_table(header: list[str], rows: list[list[str]], align: str) -> str:
    """align: one of 'l'/'r' per column."""
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(sep) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def plot_png(path: str, scenarios: list[str], programs: list[str], mpps: dict, instr: dict,
             title: str, colors: dict | None = None) -> None:
    """Grouped bars: Mpps (top) and instructions per packet (bottom) per scenario, one bar per
    program. mpps/instr map (scenario, program) -> value or None."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("Mpps (median)", mpps, "{:.2f}")]
    if any(v is not None for v in instr.values()):
        panels.append(("instructions / packet (worker, callgrind)", instr, "{:.0f}"))
    fig, axes = plt.subplots(len(panels), 1, figsize=(max(8, 1.6 * len(scenarios) + 3),
                                                     3.6 * len(panels)), squeeze=False)
    n = len(programs)
    width = 0.8 / max(n, 1)
    for ax, (label, data, vfmt) in zip(axes[:, 0], panels):
        for j, prog in enumerate(programs):
            xs, ys = [], []
            for i, sc in enumerate(scenarios):
                v = data.get((sc, prog))
                if v is not None:
                    xs.append(i - 0.4 + width * (j + 0.5))
                    ys.append(v)
            if not xs:
                continue
            bars = ax.bar(xs, ys, width, label=prog, color=(colors or {}).get(prog))
            ax.bar_label(bars, labels=[vfmt.format(y) for y in ys], fontsize=7, padding=1)
        ax.set_xticks(range(len(scenarios)), scenarios)
        ax.set_ylabel(label)
        ax.margins(y=0.15)
        ax.grid(axis="y", alpha=0.3)
    axes[0, 0].legend(fontsize=8, ncols=min(n, 4), loc="upper right")
    axes[0, 0].set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------------------------
# command line (debugging)

def main() -> int:
    import argparse
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("telemetry")
    q.add_argument("socket")
    q.add_argument("command", nargs="?", default="/ethdev/stats,0")
    q = sub.add_parser("callgrind")
    q.add_argument("paths", nargs="+")
    q = sub.add_parser("l3fwd")
    q.add_argument("build_dir")
    args = p.parse_args()
    if args.cmd == "telemetry":
        t = Telemetry(args.socket)
        print(json.dumps(t.query(args.command), indent=1))
        t.close()
    elif args.cmd == "callgrind":
        for t in callgrind_threads(args.paths):
            del t["by_object"]
            print(json.dumps(t))
        print(json.dumps({"worker": callgrind_worker(args.paths)}))
    elif args.cmd == "l3fwd":
        os.makedirs(args.build_dir, exist_ok=True)
        print(build_l3fwd(args.build_dir, log=lambda m: print(m, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
