#!/usr/bin/env python3
"""Helper of scripts/bench-throughput (stdlib only).

  throughput.py pcap FILE [--count N] [--payload BYTES] [--dst-mac MAC] [--src-mac MAC]
                          [--src ADDR] [--dst ADDR]
      Writes a pcap of IPv4 ICMP echo requests (distinct sequence numbers, valid checksums).
  throughput.py telemetry SOCKET [COMMAND]
      Sends one command (default /ethdev/stats,0) to a DPDK telemetry v2 socket, prints the reply.
  throughput.py measure --socket S --pid PID --name NAME [--port N] [--warmup S] [--duration S]
      Waits warmup seconds, samples the port's counters and the worker lcore's CPU time, waits
      duration seconds, samples again, and prints one JSON record of rates.
  throughput.py report RECORDS.jsonl [--json FILE] [--baseline NAME]
      Prints the table (Mpps rx, Mpps tx, ratio to the baseline) and writes the JSON summary.

The pcap is written by hand with struct (no scapy needed). For the record, scapy would say:
  Ether(dst=DST_MAC, src=SRC_MAC) / IP(src=SRC, dst=DST, id=i) /
  ICMP(id=0x5057, seq=i) / bytes(range(PAYLOAD))
"""

import argparse
import json
import os
import socket
import struct
import sys
import time


# --------------------------------------------------------------------------------------------
# pcap

def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def checksum(data):
    return (~ones_sum(data)) & 0xFFFF


def mac_bytes(s):
    parts = s.split(":")
    if len(parts) != 6:
        raise ValueError("bad MAC " + s)
    return bytes(int(p, 16) for p in parts)


def ipv4_bytes(s):
    return socket.inet_pton(socket.AF_INET, s)


def echo_request(dst_mac, src_mac, src, dst, seq, payload_len):
    payload = bytes(i & 0xFF for i in range(payload_len))
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x5057, seq & 0xFFFF) + payload
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    total = 20 + len(icmp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, seq & 0xFFFF, 0, 64, 1, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + src_mac + struct.pack("!H", 0x0800) + ip + icmp


def cmd_pcap(args):
    dst_mac, src_mac = mac_bytes(args.dst_mac), mac_bytes(args.src_mac)
    src, dst = ipv4_bytes(args.src), ipv4_bytes(args.dst)
    for a in (args.src, args.dst):
        o = [int(x) for x in a.split(".")]
        if not (o[0] == 198 and o[1] in (18, 19)):
            sys.exit(f"throughput.py: {a} is outside 198.18.0.0/15, the benchmarking range")
    with open(args.file, "wb") as f:
        # Classic pcap, microsecond timestamps, LINKTYPE_ETHERNET.
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(args.count):
            frame = echo_request(dst_mac, src_mac, src, dst, i + 1, args.payload)
            f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)))
            f.write(frame)
    return 0


# --------------------------------------------------------------------------------------------
# telemetry

class Telemetry:
    """One connection to a DPDK telemetry v2 socket (SOCK_SEQPACKET, JSON messages)."""

    def __init__(self, path, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        hello = json.loads(self.sock.recv(65536).decode())
        self.max_len = int(hello.get("max_output_len", 16384))

    def query(self, cmd):
        self.sock.send(cmd.encode())
        reply = self.sock.recv(max(self.max_len, 65536))
        if not reply:
            raise ConnectionError("telemetry socket closed")
        return json.loads(reply.decode())

    def close(self):
        self.sock.close()


def cmd_telemetry(args):
    t = Telemetry(args.socket)
    print(json.dumps(t.query(args.command), indent=1))
    t.close()
    return 0


# --------------------------------------------------------------------------------------------
# measure

def worker_tids(pid):
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


def cpu_ns(pid, tid):
    """Time the thread spent on a CPU, in ns (first field of schedstat)."""
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def sample(tel, port, pid, tids):
    t0 = time.monotonic()
    reply = tel.query(f"/ethdev/stats,{port}")
    t1 = time.monotonic()
    stats = reply.get("/ethdev/stats")
    if not isinstance(stats, dict):
        raise RuntimeError(f"unexpected telemetry reply: {reply}")
    return {
        "t": (t0 + t1) / 2,
        "stats": stats,
        "cpu_ns": [cpu_ns(pid, tid) for _, tid in tids],
    }


def wait_socket(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return Telemetry(path)
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no telemetry socket at {path} after {timeout:.0f} s")


def cmd_measure(args):
    tel = wait_socket(args.socket, args.socket_timeout)
    time.sleep(args.warmup)
    tids = worker_tids(args.pid)
    a = sample(tel, args.port, args.pid, tids)
    time.sleep(args.duration)
    b = sample(tel, args.port, args.pid, tids)
    tel.close()

    dt = b["t"] - a["t"]
    sa, sb = a["stats"], b["stats"]

    def delta(key):
        return int(sb.get(key, 0)) - int(sa.get(key, 0))

    rx, tx = delta("ipackets"), delta("opackets")
    rec = {
        "name": args.name,
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
    # Worker CPU time per packet: what the packet costs on the lcore, independent of how much
    # of the wall clock the (shared) machine gave the worker.
    cpu = [y - x for x, y in zip(a["cpu_ns"], b["cpu_ns"]) if x is not None and y is not None]
    if cpu:
        busy = sum(cpu)
        rec["worker_cpu_share"] = busy / (dt * 1e9) / len(cpu)
        rec["worker_ns_per_pkt"] = busy / rx if rx > 0 else None
    print(json.dumps(rec))
    return 0


# --------------------------------------------------------------------------------------------
# report

def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return None
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def summarise(recs, baseline):
    """One row per program, in order of first appearance: medians over rounds. Ratios are
    taken round by round against the baseline of the same round (then the median), so that
    a slow phase of the shared machine weighs on both sides of each ratio."""
    names = []
    for r in recs:
        if r["name"] not in names:
            names.append(r["name"])
    base_by_round = {r.get("round", 1): r["rx_mpps"] for r in recs
                     if r["name"] == baseline and r.get("rx_mpps", 0) > 0}
    base_ns_by_round = {r.get("round", 1): r["worker_ns_per_pkt"] for r in recs
                        if r["name"] == baseline and r.get("worker_ns_per_pkt")}
    rows = []
    for name in names:
        ok = [r for r in recs if r["name"] == name and "rx_mpps" in r]
        row = {"name": name, "rounds_measured": len(ok)}
        if not ok:
            row["status"] = next((r.get("status") for r in recs if r["name"] == name), "not measured")
            rows.append(row)
            continue
        for key in ("rx_mpps", "tx_mpps", "worker_ns_per_pkt", "worker_cpu_share"):
            vals = [r[key] for r in ok if r.get(key) is not None]
            row[key] = median(vals) if vals else None
        rx_ratios = [r["rx_mpps"] / base_by_round[r.get("round", 1)] for r in ok
                     if r.get("round", 1) in base_by_round]
        tx_ratios = [r["tx_mpps"] / base_by_round[r.get("round", 1)] for r in ok
                     if r.get("round", 1) in base_by_round]
        # Packets per worker CPU-second against the baseline's: the figure least moved by
        # other tenants taking the worker's core away for a while.
        cpu_ratios = [base_ns_by_round[r.get("round", 1)] / r["worker_ns_per_pkt"] for r in ok
                      if r.get("round", 1) in base_ns_by_round and r.get("worker_ns_per_pkt")]
        row["ratio_rx"] = median(rx_ratios)
        row["ratio_tx"] = median(tx_ratios)
        row["ratio_cpu"] = median(cpu_ratios)
        row["rx_mpps_all"] = [round(r["rx_mpps"], 4) for r in ok]
        bad = [r.get("exit_status") for r in ok if r.get("exit_status")]
        if bad:
            row["exit_status"] = bad
        rows.append(row)
    return rows


def nominal_mhz():
    """The TSC / nominal clock from /proc/cpuinfo: turns CPU ns into approximate cycles (this VM
    has no PMU, so perf stat cannot count cycles)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":")[1])
    except (OSError, ValueError):
        pass
    return None


def fmt(v, spec, missing="-"):
    return missing if v is None else format(v, spec)


def cmd_report(args):
    recs = []
    with open(args.records) as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    rows = summarise(recs, args.baseline)
    mhz = nominal_mhz()
    for r in rows:
        ns = r.get("worker_ns_per_pkt")
        r["worker_cycles_per_pkt_est"] = ns * mhz / 1e3 if ns and mhz else None

    w = max([len(r["name"]) for r in rows] + [len("program")])
    print(f"{'program':<{w}}  {'Mpps rx':>8}  {'Mpps tx':>8}  {'ratio rx':>8}  {'ratio tx':>8}"
          f"  {'ns/pkt*':>7}  {'ratio*':>6}  {'cyc/pkt~':>8}  {'cpu':>4}")
    for r in rows:
        if r["rounds_measured"] == 0:
            print(f"{r['name']:<{w}}  {'-':>8}  {'-':>8}  {'-':>8}  {'-':>8}  {'-':>7}  {'-':>6}  {'-':>8}  {'-':>4}"
                  f"  ({r['status']})")
            continue
        note = ""
        if r.get("exit_status"):
            note = f"  (exit status {r['exit_status']} when stopped)"
        print(f"{r['name']:<{w}}  {r['rx_mpps']:>8.3f}  {r['tx_mpps']:>8.3f}"
              f"  {fmt(r['ratio_rx'], '.3f'):>8}  {fmt(r['ratio_tx'], '.3f'):>8}"
              f"  {fmt(r['worker_ns_per_pkt'], '.1f'):>7}  {fmt(r['ratio_cpu'], '.3f'):>6}"
              f"  {fmt(r['worker_cycles_per_pkt_est'], '.0f'):>8}"
              f"  {fmt(r['worker_cpu_share'], '.0%'):>4}{note}")
    nr = max((r.get("round", 1) for r in recs), default=1)
    print(f"ratios: to {args.baseline} rx of the same round"
          + (f", median of {nr} rounds" if nr > 1 else "")
          + ".\nns/pkt* = worker lcore CPU time per received packet; ratio* = the same as a speed"
          f" ratio to {args.baseline} (its ns/pkt over this one's);\n"
          + (f"cyc/pkt~ = ns/pkt* x {mhz:.0f} MHz (nominal clock; no PMU here for perf stat); " if mhz else "")
          + "cpu = share of the wall clock"
          " the worker lcore got (below 100%: other tenants took the core; trust ratio* more)")

    if args.json:
        out = {
            "baseline": args.baseline,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "host": socket.gethostname(),
            "nominal_mhz": mhz,
            "summary": rows,
            "records": recs,
        }
        if args.meta:
            out.update(json.loads(args.meta))
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    q = sub.add_parser("pcap")
    q.add_argument("file")
    q.add_argument("--count", type=int, default=256)
    q.add_argument("--payload", type=int, default=64)
    q.add_argument("--dst-mac", default="02:00:00:00:00:02")
    q.add_argument("--src-mac", default="02:00:00:00:00:01")
    q.add_argument("--src", default="198.18.0.1")
    q.add_argument("--dst", default="198.18.0.2")
    q.set_defaults(fn=cmd_pcap)

    q = sub.add_parser("telemetry")
    q.add_argument("socket")
    q.add_argument("command", nargs="?", default="/ethdev/stats,0")
    q.set_defaults(fn=cmd_telemetry)

    q = sub.add_parser("measure")
    q.add_argument("--socket", required=True)
    q.add_argument("--pid", type=int, required=True)
    q.add_argument("--name", required=True)
    q.add_argument("--port", type=int, default=0)
    q.add_argument("--warmup", type=float, default=3.0)
    q.add_argument("--duration", type=float, default=5.0)
    q.add_argument("--socket-timeout", type=float, default=20.0)
    q.set_defaults(fn=cmd_measure)

    q = sub.add_parser("report")
    q.add_argument("records")
    q.add_argument("--json")
    q.add_argument("--baseline", default="testpmd-io")
    q.add_argument("--meta", help="JSON object merged into the --json output")
    q.set_defaults(fn=cmd_report)

    args = p.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
