#!/usr/bin/python3
"""Packet capture of a running pingwire-responder, read back with tcpdump (and a pcapng reader
here for what tcpdump does not print: interfaces, directions, comments):

  dumpcap   DPDK's own dpdk-dumpcap (a secondary process, via rte_pdump) captures port 0 of a
            responder running on hugepages that this test reserves for itself (2 MB pages,
            its own hugetlbfs mount, --huge-dir and --file-prefix) and releases afterwards;
            10 Linux pings: exactly 10 echo replies 198.18.0.2 > 198.18.0.1 in the file.
  in-app    --capture FILE under --no-huge: the same 10 pings give exactly 10 requests and 10
            replies; the exit line 'capture: N packets ...' counts what the file holds.
  drops     --capture-drops icmp4_bad_checksum,ip4_bad_checksum with frames crafted by scapy
            (bad ICMP and bad IPv4 header checksums) and good pings around them: the file
            holds exactly the bad frames, on interface 'port0-drops', each with its reason as
            the packet comment, as many per reason as the drop counters say; an unknown reason
            is exit 2 with the list.
  overload  net_null floods port 0 with --capture on: lost counted, the exit line equal to the
            file, every copy back in its pool at exit.
  telemetry /pingwire/capture/start,FILE and /pingwire/capture/stop: only the pings between
            them are in the file; the status counts them; an existing file is refused.
"""

import glob
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, HOST_ADDR4  # noqa: E402

HUGE_SYS = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
HUGE_PAGES = 256  # 512 MB: the responder (-m 256) and dumpcap's own pool


# ----------------------------------------------------------------------------- pcapng reading

def read_pcapng(path):
    """(interfaces, packets): interfaces a list of names; packets a list of dicts with iface,
    flags (1 inbound, 2 outbound), comment, data."""
    data = open(path, "rb").read()
    ifaces, pkts = [], []
    off = 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12 or off + blen > len(data):
            raise ValueError(f"bad block at {off}: type {btype:#x} length {blen}")
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            opts = _options(body[8:])
            ifaces.append(opts.get(2, b"").decode(errors="replace"))
        elif btype == 6:  # EPB
            iface, th, tl, caplen, _orig = struct.unpack_from("<IIIII", body, 0)
            frame = body[20:20 + caplen]
            opts = _options(body[20 + ((caplen + 3) & ~3):])
            flags = struct.unpack("<I", opts[2])[0] if 2 in opts else 0
            pkts.append({"iface": iface, "flags": flags & 3, "ts": ((th << 32) | tl) / 1e9,
                         "comment": opts.get(1, b"").decode(errors="replace"), "data": frame})
        off += blen
    return ifaces, pkts


def _options(b):
    opts, off = {}, 0
    while off + 4 <= len(b):
        code, ln = struct.unpack_from("<HH", b, off)
        if code == 0:
            break
        opts.setdefault(code, b[off + 4:off + 4 + ln])
        off += 4 + ((ln + 3) & ~3)
    return opts


def tcpdump_icmp(path):
    """tcpdump -r's lines for the ICMP echo packets of the file (-nn, IPv4)."""
    cp = netns.run(["tcpdump", "-nn", "-r", path, "icmp"], check=False)
    lines = [ln for ln in cp.stdout.splitlines() if "ICMP echo" in ln]
    return cp, lines


def count_echo(lines, src, dst, kind):
    return sum(1 for ln in lines if f" {src} > {dst}: ICMP echo {kind}" in ln)


def capture_line(stdout):
    for ln in stdout.splitlines():
        if ln.startswith("capture: "):
            return ln
    return ""


def query(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    hello = json.loads(s.recv(65536).decode())
    s.send(cmd.encode())
    reply = json.loads(s.recv(max(int(hello.get("max_output_len", 16384)), 65536)).decode())
    s.close()
    return reply


def port_spec():
    return f"0,addr={DUT_ADDR4}/{netns.PREFIX4},addr={netns.DUT_ADDR6}/{netns.PREFIX6}"


# ----------------------------------------------------------------------------- hugepages

class Hugepages:
    """N 2 MB pages added to the kernel's pool and a hugetlbfs mount of our own; both given
    back on exit (files removed first, so the pages are free again), even on failure."""

    def __init__(self, pages):
        self.pages = pages
        self.before = None
        self.dir = None

    def __enter__(self):
        try:
            self.before = int(open(HUGE_SYS).read())
        except OSError as e:
            raise netns.HarnessError(f"no 2 MB hugepage support: {HUGE_SYS}: {e}")
        with open(HUGE_SYS, "w") as f:
            f.write(str(self.before + self.pages))
        got = int(open(HUGE_SYS).read()) - self.before
        free = int(open(HUGE_SYS.replace("nr_hugepages", "free_hugepages")).read())
        if got < self.pages or free < self.pages:
            self.__exit__(None, None, None)
            raise netns.HarnessError(
                f"the kernel gave {got} of the {self.pages} 2 MB hugepages asked for ({free} "
                f"free; memory too fragmented or too small): dpdk-dumpcap needs a primary on "
                f"hugepages")
        self.dir = tempfile.mkdtemp(prefix="pwcap-huge-")
        netns.run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", self.dir])
        netns.log(f"hugepages: {self.pages} x 2 MB reserved (was {self.before}), "
                  f"hugetlbfs at {self.dir}")
        return self

    def __exit__(self, *exc):
        if self.dir:
            for f in glob.glob(os.path.join(self.dir, "*")):
                try:
                    os.unlink(f)
                except OSError:
                    pass
            netns.run(["umount", self.dir], check=False)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if self.before is not None:
            with open(HUGE_SYS, "w") as f:
                f.write(str(self.before))
            netns.log(f"hugepages: back to {open(HUGE_SYS).read().strip()}")
            self.before = None


class HugeResponder(netns.Responder):
    """The responder on hugepages (no --no-huge): what dpdk-dumpcap can attach to."""

    def __init__(self, topo, exe, huge_dir, **kw):
        super().__init__(topo, exe, **kw)
        self.huge_dir = huge_dir

    def eal_args(self):
        vdevs = [x for v in self.topo.vdevs() for x in ("--vdev", v)]
        return ["-l", "0,1", "-m", "256", "--huge-dir", self.huge_dir, "--no-pci",
                "--file-prefix", self.prefix, *vdevs]


# ----------------------------------------------------------------------------- the tests

def test_dumpcap(args, rep, work):
    out = os.path.join(work, "dumpcap.pcapng")
    with Hugepages(HUGE_PAGES) as huge, netns.Topology(verbose=True) as topo, \
         HugeResponder(topo, args.responder, huge.dir) as r:
        r.start()
        rep.check("dumpcap: the responder on hugepages prints no --no-huge note",
                  "--no-huge: dpdk-dumpcap cannot attach" not in r.stdout(), r.stdout())
        dc = subprocess.Popen(
            ["ip", "netns", "exec", topo.dut_ns, "dpdk-dumpcap", f"--file-prefix={r.prefix}",
             "-i", "0", "-w", out],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        try:
            # dumpcap says "Capturing on ..." once its callbacks are in place.
            seen = ""
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and dc.poll() is None:
                if os.path.exists(out) and os.path.getsize(out) > 0:
                    break
                time.sleep(0.1)
            time.sleep(1.0)
            p = topo.ping(["-c", "10", "-i", "0.2", DUT_ADDR4])
            rep.check("dumpcap: 10 pings answered", p.received == 10, p.evidence)
            time.sleep(0.5)
        finally:
            if dc.poll() is None:
                dc.send_signal(2)
            try:
                seen, _ = dc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                dc.kill()
                seen, _ = dc.communicate()
        rep.check("dumpcap: dpdk-dumpcap attached and exited cleanly", dc.returncode == 0,
                  netns.indent(seen or ""))
        res = r.stop()
        netns.check_counters(rep, res, 0, min_echo4=10)
    if not os.path.exists(out):
        rep.check("dumpcap: wrote its file", False, out)
        return
    cp, lines = tcpdump_icmp(out)
    replies = count_echo(lines, DUT_ADDR4, HOST_ADDR4, "reply")
    rep.check("dumpcap: tcpdump -r reads exactly 10 echo replies 198.18.0.2 > 198.18.0.1",
              cp.returncode == 0 and replies == 10,
              f"rc {cp.returncode}, {replies} replies\n{netns.indent(cp.stdout + cp.stderr)}")


def test_in_app(args, rep, work):
    out = os.path.join(work, "in-app.pcapng")
    with netns.Topology(verbose=True) as topo, \
         netns.Responder(topo, args.responder,
                         app_args=["--port", port_spec(), "--capture", out]) as r:
        r.start()
        rep.check("in-app: --no-huge prints the dumpcap note once",
                  r.stdout().count("dpdk-dumpcap cannot attach") == 1, r.stdout())
        p = topo.ping(["-c", "10", "-i", "0.2", DUT_ADDR4])
        rep.check("in-app: 10 pings answered", p.received == 10, p.evidence)
        res = r.stop()
        netns.check_counters(rep, res, 0, min_echo4=10)
    cp, lines = tcpdump_icmp(out)
    req = count_echo(lines, HOST_ADDR4, DUT_ADDR4, "request")
    rep_ = count_echo(lines, DUT_ADDR4, HOST_ADDR4, "reply")
    rep.check("in-app: tcpdump -r reads exactly 10 requests and 10 replies",
              cp.returncode == 0 and req == 10 and rep_ == 10,
              f"rc {cp.returncode}: {req} requests, {rep_} replies\n"
              f"{netns.indent(cp.stdout + cp.stderr)}")
    ifaces, pkts = read_pcapng(out)
    line = capture_line(res.stdout)
    expect = f"capture: {len(pkts)} packets ("
    rep.check("in-app: the exit line counts the packets in the file, none lost",
              line.startswith(expect) and f"written to {out}, 0 lost" in line,
              f"{line!r}; file holds {len(pkts)}")
    stamps = [q["ts"] for q in pkts]
    rep.check("in-app: packet timestamps are the wall clock of the run (ns resolution)",
              bool(stamps) and all(abs(t - time.time()) < 300 for t in stamps),
              f"first {stamps[:1]}, now {time.time()}")
    rx = [q for q in pkts if q["flags"] == 1]
    tx = [q for q in pkts if q["flags"] == 2]
    rep.check("in-app: the requests are inbound, the replies outbound, all on port 0",
              len(rx) >= 10 and len(tx) >= 10 and all(q["iface"] == 0 for q in pkts)
              and ifaces[:1] != [] and "port0-drops" in ifaces,
              f"interfaces {ifaces}; {len(rx)} in, {len(tx)} out")
    rep.check("in-app: the file's size is the header plus the bytes the exit line counts",
              f"({os.path.getsize(out) - _header_len(out)} bytes)" in line,
              f"{line!r}, file {os.path.getsize(out)} bytes")


def _header_len(path):
    """Bytes before the first packet block: section header and interface blocks."""
    data = open(path, "rb").read()
    off = 0
    while off + 8 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if btype == 6:
            return off
        off += blen
    return off


def test_drops(args, rep, work):
    from pktutil import load_scapy  # noqa: PLC0415
    S = load_scapy()
    out = os.path.join(work, "drops.pcapng")
    reasons = ["icmp4_bad_checksum", "ip4_bad_checksum"]
    with netns.Topology(verbose=True) as topo, \
         netns.Responder(topo, args.responder,
                         app_args=["--port", port_spec(), "--capture", out,
                                   "--capture-drops", ",".join(reasons)]) as r:
        r.start()
        p = topo.ping(["-c", "3", "-i", "0.2", DUT_ADDR4])
        eth = S.Ether(dst=topo.dut_kernel_mac, src=topo.host_mac)
        sent = {"icmp4_bad_checksum": [], "ip4_bad_checksum": []}
        with netns.L2Port(topo.host_ns, topo.host_if) as port:
            for i in range(4):
                good = S.IP(src=HOST_ADDR4, dst=DUT_ADDR4) / S.ICMP(id=0x4242, seq=i) / (b"x" * 24)
                good = S.IP(bytes(good))
                bad = good.copy()
                bad[S.ICMP].chksum = good[S.ICMP].chksum ^ 0x5a5a
                f = bytes(eth / bad)
                sent["icmp4_bad_checksum"].append(f)
                port.send(f)
            for i in range(3):
                good = S.IP(bytes(S.IP(src=HOST_ADDR4, dst=DUT_ADDR4, id=100 + i) / S.ICMP(seq=i)))
                bad = good.copy()
                bad.chksum = good.chksum ^ 0x0101
                f = bytes(eth / bad)
                sent["ip4_bad_checksum"].append(f)
                port.send(f)
            time.sleep(0.5)
        p2 = topo.ping(["-c", "3", "-i", "0.2", DUT_ADDR4])
        rep.check("drops: the good pings around the bad frames are answered",
                  p.received == 3 and p2.received == 3, p.evidence + p2.evidence)
        res = r.stop()
        netns.check_counters(rep, res, 0)
    ifaces, pkts = read_pcapng(out)
    drops_if = ifaces.index("port0-drops") if "port0-drops" in ifaces else -1
    pc = res.ports.get(0)
    for reason in reasons:
        got = [q for q in pkts if q["comment"].startswith(reason + ":")]
        counted = pc.drop(reason) if pc else -1
        frames_ok = sorted(q["data"] for q in got) == sorted(sent[reason])
        rep.check(f"drops: {reason}: the file holds exactly the {len(sent[reason])} frames "
                  f"sent, as many as the drop counter",
                  len(got) == len(sent[reason]) == counted and frames_ok
                  and all(q["iface"] == drops_if for q in got),
                  f"{len(got)} in the file (interface {[q['iface'] for q in got]}, "
                  f"port0-drops is {drops_if}), counter {counted}, frames equal {frames_ok}")
    rep.check("drops: nothing else is in the file (no good ping, no other reason)",
              len(pkts) == sum(len(v) for v in sent.values()),
              f"{len(pkts)} packets: {[q['comment'] for q in pkts]}")
    cp, lines = tcpdump_icmp(out)
    rep.check("drops: tcpdump -r reads the file (the bad ICMP checksums among them)",
              cp.returncode == 0 and len(lines) >= 4, netns.indent(cp.stdout + cp.stderr))
    line = capture_line(res.stdout)
    rep.check("drops: the exit line says 7 packets, 0 lost",
              line.startswith("capture: 7 packets (") and ", 0 lost" in line, line)
    # An unknown reason: exit 2 with one line listing the reasons (before the EAL starts).
    cp = netns.run([args.responder, "--no-huge", "--", "--port", port_spec(),
                    "--capture", os.path.join(work, "x.pcapng"), "--capture-drops",
                    "icmp4_bad_checksum,no_such_reason"], check=False)
    rep.check("drops: --capture-drops with an unknown reason exits 2 naming it and the list",
              cp.returncode == 2 and "no_such_reason" in cp.stderr
              and "icmp4_bad_checksum" in cp.stderr and "ip4_bad_checksum" in cp.stderr,
              f"rc {cp.returncode}\n{netns.indent(cp.stderr)}")


def test_telemetry(args, rep, work):
    out = os.path.join(work, "telemetry.pcapng")
    with netns.Topology(verbose=True) as topo, \
         netns.Responder(topo, args.responder) as r:
        r.start()
        path = f"{netns.DPDK_RUN_DIR}/{r.prefix}/dpdk_telemetry.v2"
        st0 = query(path, "/pingwire/capture").get("/pingwire/capture", {})
        rep.check("telemetry: /pingwire/capture says stopped before any start",
                  st0.get("state") == "stopped", json.dumps(st0))
        p0 = topo.ping(["-c", "2", "-i", "0.2", DUT_ADDR4])  # before the start: not captured
        a = query(path, f"/pingwire/capture/start,{out}").get("/pingwire/capture/start", {})
        rep.check("telemetry: /pingwire/capture/start,FILE answers ok", a.get("result") == "ok",
                  json.dumps(a))
        p = topo.ping(["-c", "5", "-i", "0.2", DUT_ADDR4])
        time.sleep(0.2)
        st = query(path, "/pingwire/capture").get("/pingwire/capture", {})
        rep.check("telemetry: the status counts at least the 10 echo packets while capturing",
                  st.get("state") == "capturing" and st.get("packets", 0) >= 10
                  and st.get("file") == out and st.get("lost") == 0, json.dumps(st))
        again = query(path, f"/pingwire/capture/start,{out}").get("/pingwire/capture/start", {})
        rep.check("telemetry: a start on an existing file is refused, the capture goes on",
                  again.get("result") == "error" and "exists" in again.get("error", ""),
                  json.dumps(again))
        b = query(path, "/pingwire/capture/stop").get("/pingwire/capture/stop", {})
        rep.check("telemetry: /pingwire/capture/stop answers ok", b.get("result") == "ok",
                  json.dumps(b))
        st2 = query(path, "/pingwire/capture").get("/pingwire/capture", {})
        p2 = topo.ping(["-c", "3", "-i", "0.2", DUT_ADDR4])  # after the stop: not captured
        rep.check("telemetry: all pings answered", p0.received == 2 and p.received == 5
                  and p2.received == 3, p0.evidence + p.evidence + p2.evidence)
        c = query(path, "/pingwire/capture/stop").get("/pingwire/capture/stop", {})
        rep.check("telemetry: a second stop says no capture is in progress",
                  c.get("result") == "error", json.dumps(c))
        res = r.stop()
        netns.check_counters(rep, res, 0)
    cp, lines = tcpdump_icmp(out)
    req = count_echo(lines, HOST_ADDR4, DUT_ADDR4, "request")
    rep_ = count_echo(lines, DUT_ADDR4, HOST_ADDR4, "reply")
    rep.check("telemetry: the file holds exactly the 5 pings between start and stop",
              cp.returncode == 0 and req == 5 and rep_ == 5,
              f"{req} requests, {rep_} replies\n{netns.indent(cp.stdout + cp.stderr)}")
    _, pkts = read_pcapng(out)
    rep.check("telemetry: the stopped status counted what the file holds",
              st2.get("state") == "stopped" and st2.get("packets") == len(pkts),
              f"{json.dumps(st2)}; file holds {len(pkts)}")


def test_overload(args, rep, work):
    """A port that receives far more than the capture can write (net_null: an endless stream
    of frames, every one dropped not_our_mac): the workers never wait, what was not copied is
    counted lost, the exit line counts exactly what the file holds, every copy comes back."""
    out = os.path.join(work, "overload.pcapng")
    prefix = f"pwcap-{os.getpid()}-ovl"
    argv = [args.responder, "-l", "0,1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix",
            prefix, "--vdev", "net_null0", "--", "--port", f"0,addr={DUT_ADDR4}/24",
            "--capture", out, "--capture-dir", "rx,tx,drop"]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        p.send_signal(2)
        stdout, stderr = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        stdout, stderr = p.communicate()
    finally:
        shutil.rmtree(f"{netns.DPDK_RUN_DIR}/{prefix}", ignore_errors=True)
    line = capture_line(stdout)
    mp = netns.parse_mempool(stdout)
    try:
        _, pkts = read_pcapng(out)
    except (OSError, ValueError) as e:
        pkts = []
        rep.check("overload: the file is a valid pcapng", False, str(e))
    m = re.match(r"capture: (\d+) packets \((\d+) bytes\) written to .*, (\d+) lost", line)
    rep.check("overload: exit 0, the exit line counts exactly the packets in the file, and lost > 0",
              p.returncode == 0 and m is not None and int(m.group(1)) == len(pkts) > 0
              and int(m.group(3)) > 0, f"rc {p.returncode}: {line!r}; file holds {len(pkts)}\n"
              f"{netns.indent(stderr[-2000:])}")
    rep.check("overload: every mbuf and every capture copy back at exit (0 in use)",
              mp is not None and mp.balanced and "capture pool 2047 of 2047 free" in mp.line,
              mp.line if mp else stdout[-2000:])
    netns.check_mempool(rep, "overload responder", stdout)


def body(args, rep):
    work = tempfile.mkdtemp(prefix="pwcap-")
    try:
        test_in_app(args, rep, work)
        test_drops(args, rep, work)
        test_telemetry(args, rep, work)
        test_overload(args, rep, work)
        test_dumpcap(args, rep, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    netns.test_main("integration/capture", body, extra_tools=("tcpdump", "dpdk-dumpcap"))
