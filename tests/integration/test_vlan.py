#!/usr/bin/python3
"""IEEE 802.1Q sub-interfaces (--vlan PORT.VID,addr=...) against a Linux VLAN interface and a
scapy peer:

A. When this kernel has 802.1Q (CONFIG_VLAN_8021Q; the test says so when it has not and runs
   part B alone, which checks the same on the wire):

1. The host namespace gets `ip link add link pwh.. name pwq.. type vlan id 100` with
   198.18.100.1/24 and 2001:2:100::1/64; the responder runs --port 0 (198.18.0.2, 2001:2::2)
   and --vlan 0.100,addr=198.18.100.2/24,addr=2001:2:100::2/64.
2. Linux ping over the VLAN interface: IPv4, IPv6 and the sub-interface's link-local address,
   0 loss, no duplicates; the VLAN interface's neighbour tables learn the responder's MAC for
   both addresses (ARP and NDP resolved over the VLAN); tcpdump -e on the parent veth sees the
   echo replies tagged 'vlan 100' (the in-place answers keep the tag).
3. UDP to a closed port of the VLAN address: the host's connected UDP socket gets
   ECONNREFUSED (the Port Unreachable, an error built fresh, came back tagged 100: the kernel
   delivers it on the VLAN interface only then).
4. The untagged parent still answers (ping 198.18.0.2), and does not answer for the VLAN's
   address untagged; frames tagged with an unknown VID (300) and priority-tagged frames
   (VID 0) are dropped and counted exactly (vlan_unknown, vlan_priority_tagged).
5. The exit summary: the port balances, no mbuf in use; the 'port 0.100:' line balances
   (rx == answered + held + dropped) and counts exactly the echo replies of the pings, ARP
   and ND answers, one error.
B. A scapy peer on the parent veth (a raw socket with PACKET_AUXDATA, which gives back the
   tag the kernel took off): tagged ARP, NS, echo v4/v6 (global and link-local), UDP to a
   closed port are answered tagged 100 with the request's PCP (in place) or PCP 0 (the Port
   Unreachable, built fresh), from the responder's MAC and the sub-interface's addresses; an
   unknown VID (300) and priority tags (VID 0) get nothing and are counted exactly; the
   VLAN's address untagged is not answered; the 'port 0.100:' line counts each exactly.
C. --vlan with --forward exits 2 with one line; a bad VID, an unconfigured port exit 2.
"""

import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, PREFIX4, PREFIX6  # noqa: E402

VID = 100
HOST_V4, SUB_V4 = "198.18.100.1", "198.18.100.2"
HOST_V6, SUB_V6 = "2001:2:100::1", "2001:2:100::2"
PINGS = 5
UNKNOWN_FRAMES = 5
PRIO_FRAMES = 3

_SUB_LINE = re.compile(r"^port (\d+)\.(\d+): rx (\d+) answered (\d+) errors (\d+) held (\d+) "
                       r"dropped (\d+)")


def parse_sub(stdout: str, port: int, vid: int) -> dict | None:
    """The last 'port P.VID: rx ... ' line and its replies line."""
    text = stdout[stdout.rindex(netns.FINAL_MARK):] if netns.FINAL_MARK in stdout else stdout
    lines = text.splitlines()
    found = None
    for i, line in enumerate(lines):
        m = _SUB_LINE.match(line)
        if m and int(m.group(1)) == port and int(m.group(2)) == vid:
            found = {k: int(m.group(j)) for j, k in
                     enumerate(("rx", "answered", "errors", "held", "dropped"), start=3)}
            found["line"] = line
            found["replies"] = {}
            if i + 1 < len(lines) and lines[i + 1].startswith("  replies:"):
                found["line"] += "\n" + lines[i + 1]
                for k, v in re.findall(r"([a-z0-9_]+) (\d+)", lines[i + 1]):
                    found["replies"][k] = int(v)
    return found


def echo4_frame(dst_mac: str, src_mac: str, tci: int, seq: int) -> bytes:
    """An 802.1Q-tagged ICMP echo request to the sub-interface's address (stdlib-built)."""
    def csum(b: bytes) -> int:
        if len(b) % 2:
            b += b"\0"
        s = sum(struct.unpack(f"!{len(b) // 2}H", b))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        return ~s & 0xFFFF
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4d4d, seq) + b"pingwire-vlan-test" * 2
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0,
                     socket.inet_aton(HOST_V4), socket.inet_aton(SUB_V4))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    mac = lambda m: bytes.fromhex(m.replace(":", ""))  # noqa: E731
    return mac(dst_mac) + mac(src_mac) + struct.pack("!HHH", 0x8100, tci, 0x0800) + ip + icmp


def part_a(args, rep: netns.Report) -> None:
    with netns.Topology(verbose=True) as topo:
        vif = "pwq" + topo.host_if[3:]  # this test's prefix: pwq
        made = topo.host(["ip", "link", "add", "link", topo.host_if, "name", vif, "type", "vlan",
                          "id", str(VID)])
        if made.returncode != 0:
            netns.log(f"NOTE: part A not run: this kernel cannot make a Linux VLAN interface "
                      f"(`ip link add ... type vlan`: {(made.stdout + made.stderr).strip()}; no "
                      f"CONFIG_VLAN_8021Q); part B checks the same with a scapy peer")
            return
        for key, val in (("accept_dad", 0), ("dad_transmits", 0), ("router_solicitations", 0),
                         ("accept_ra", 0)):
            topo.host(["sysctl", "-qw", f"net.ipv6.conf.{vif}.{key}={val}"], check=True)
        topo.host(["ip", "addr", "add", f"{HOST_V4}/24", "dev", vif], check=True)
        topo.host(["ip", "-6", "addr", "add", f"{HOST_V6}/64", "dev", vif, "nodad"], check=True)
        topo.host(["ip", "link", "set", vif, "up"], check=True)
        # ping computes its checksums itself; UDP would leave with a partial one through the
        # veth (net_af_packet sees it unfinished): no checksum offload on the VLAN or its veth.
        topo.host(["ethtool", "-K", topo.host_if, "tx", "off"], check=False)
        topo.host(["ethtool", "-K", vif, "tx", "off"], check=False)
        port = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
        vlan = f"0.{VID},addr={SUB_V4}/24,addr={SUB_V6}/64"
        r = netns.Responder(topo, args.responder, app_args=["--port", port, "--vlan", vlan])
        with r:
            r.start()
            mac = r.expected_mac
            dump = subprocess.Popen(
                ["ip", "netns", "exec", topo.host_ns, "tcpdump", "-i", topo.host_if, "-e",
                 "-nn", "-l", "-c", "200", "vlan", str(VID)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            time.sleep(1.0)  # tcpdump attached
            try:
                p4 = topo.ping(["-c", str(PINGS), "-i", "0.2", "-W", "2", "-I", vif, SUB_V4])
                rep.check(f"ping {SUB_V4} over {vif} (VLAN {VID}): {PINGS}/{PINGS}, no loss or "
                          f"duplicates", p4.clean, p4.evidence)
                p6 = topo.ping(["-6", "-c", str(PINGS), "-i", "0.2", "-W", "2", "-I", vif, SUB_V6])
                rep.check(f"ping -6 {SUB_V6} over {vif}: {PINGS}/{PINGS}, no loss or duplicates",
                          p6.clean, p6.evidence)
                ll = netns.link_local_from_mac(mac)
                pll = topo.ping(["-6", "-c", "3", "-i", "0.2", "-W", "2", f"{ll}%{vif}"])
                rep.check(f"ping -6 {ll}%{vif} (the sub-interface's link-local address): 3/3",
                          pll.clean, pll.evidence)
                n4 = topo.host(["ip", "neigh", "show", "dev", vif]).stdout
                n6 = topo.host(["ip", "-6", "neigh", "show", "dev", vif]).stdout
                e4 = netns.Topology.neigh_entry(n4, SUB_V4)
                e6 = netns.Topology.neigh_entry(n6, SUB_V6)
                rep.check(f"ARP over the VLAN: {vif}'s neighbour table has {SUB_V4} at the "
                          f"responder's MAC {mac}", f"lladdr {mac}" in e4.lower(), n4)
                rep.check(f"NDP over the VLAN: {vif}'s neighbour table has {SUB_V6} at {mac}",
                          f"lladdr {mac}" in e6.lower(), n6)

                # UDP to a closed port: Port Unreachable, built fresh, tagged 100.
                with netns.in_netns(topo.host_ns):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, vif.encode())
                    s.settimeout(3)
                    s.connect((SUB_V4, 33434))
                    s.send(b"closed?")
                    refused = ""
                    try:
                        s.recv(100)
                    except ConnectionRefusedError as e:
                        refused = f"ECONNREFUSED ({e})"
                    except socket.timeout:
                        refused = ""
                    s.close()
                rep.check(f"UDP to {SUB_V4}:33434 (closed) over the VLAN: the socket gets "
                          f"ECONNREFUSED (Port Unreachable came back tagged {VID})",
                          bool(refused), refused or "no error within 3 s")

                pp = topo.ping(["-c", "3", "-i", "0.2", "-W", "2", DUT_ADDR4])
                rep.check(f"the untagged parent still answers: ping {DUT_ADDR4} 3/3", pp.clean,
                          pp.evidence)

                with netns.L2Port(topo.host_ns, topo.host_if) as l2:
                    for i in range(UNKNOWN_FRAMES):
                        l2.send(echo4_frame(mac, topo.host_mac, 300, 100 + i))
                    for i in range(PRIO_FRAMES):
                        l2.send(echo4_frame(mac, topo.host_mac, 0xA000, 200 + i))  # PCP 5, VID 0
                    time.sleep(0.5)
            finally:
                time.sleep(0.5)
                dump.terminate()
                try:
                    tcpdump_out = dump.communicate(timeout=5)[0]
                except subprocess.TimeoutExpired:
                    dump.kill()
                    tcpdump_out = dump.communicate()[0]
            replies4 = [l for l in tcpdump_out.splitlines()
                        if l.lower().startswith(mac) and "ICMP echo reply" in l]
            replies6 = [l for l in tcpdump_out.splitlines()
                        if l.lower().startswith(mac) and "ICMP6, echo reply" in l]
            rep.check(f"tcpdump -e on {topo.host_if}: the {PINGS} IPv4 echo replies came tagged "
                      f"'vlan {VID}' from {mac}", len(replies4) == PINGS,
                      "\n".join(replies4[:3]) or tcpdump_out[-1500:])
            rep.check(f"tcpdump -e: the {PINGS + 3} IPv6 echo replies came tagged 'vlan {VID}'",
                      len(replies6) == PINGS + 3, "\n".join(replies6[:3]) or tcpdump_out[-1500:])
            unreach = [l for l in tcpdump_out.splitlines()
                       if l.lower().startswith(mac) and "udp port 33434 unreachable" in l]
            rep.check(f"tcpdump -e: the Port Unreachable came tagged 'vlan {VID}'",
                      len(unreach) == 1, "\n".join(unreach) or tcpdump_out[-1500:])
            res = r.stop()
        pc = netns.check_counters(rep, res, 0, min_echo4=3)
        if pc is not None:
            rep.check(f"{UNKNOWN_FRAMES} frames tagged with an unknown VID (300): drop "
                      f"vlan_unknown {UNKNOWN_FRAMES}", pc.drop("vlan_unknown") == UNKNOWN_FRAMES,
                      "\n".join(pc.lines))
            rep.check(f"{PRIO_FRAMES} priority-tagged frames (VID 0): drop vlan_priority_tagged "
                      f"{PRIO_FRAMES}", pc.drop("vlan_priority_tagged") == PRIO_FRAMES,
                      "\n".join(pc.lines))
        sub = parse_sub(res.stdout, 0, VID)
        if rep.check(f"the summary has a 'port 0.{VID}:' line", sub is not None,
                     res.stdout[-2500:]):
            rep.check(f"port 0.{VID}: rx == answered + held + dropped",
                      sub["rx"] == sub["answered"] + sub["held"] + sub["dropped"], sub["line"])
            rp = sub["replies"]
            rep.check(f"port 0.{VID}: echo4_reply {PINGS}, echo6_reply {PINGS + 3} (the pings), "
                      f"arp_reply >= 1, nd_advert >= 1, errors 1 (the Port Unreachable)",
                      rp.get("echo4_reply") == PINGS and rp.get("echo6_reply") == PINGS + 3
                      and rp.get("arp_reply", 0) >= 1 and rp.get("nd_advert", 0) >= 1
                      and sub["errors"] == 1, sub["line"])
            if pc is not None:
                rep.check(f"port 0: its echo4_reply counts the parent's 3 pings and the VLAN's "
                          f"{PINGS} (the port carries both)",
                          pc.replies.get("echo4_reply") == PINGS + 3, "\n".join(pc.lines[:2]))

def part_c(args, rep: netns.Report) -> None:
    # Mistakes: exit 2, one line, before the EAL starts.
    with netns.Topology() as topo:
        for extra, what in ((["--vlan", "0.100,addr=198.18.100.2/24", "--forward"],
                             "--vlan is host mode only"),
                            (["--vlan", "0.0,addr=198.18.100.2/24"], "VLAN id '0' is not in"),
                            (["--vlan", "1.100"], "port 1 is not configured")):
            r = netns.Responder(topo, args.responder,
                                app_args=["--port", f"0,addr={DUT_ADDR4}/24", *extra])
            with r:
                r.spawn()
                res = r.wait_exit()
            err = res.stderr.strip().splitlines()
            rep.check(f"{' '.join(extra)}: exit 2 with one line naming the mistake",
                      res.rc == 2 and len(err) == 1 and what in err[0], res.evidence)


# --- part B: a scapy peer --------------------------------------------------------------------

SOL_PACKET, PACKET_AUXDATA = 263, 8
TP_STATUS_VLAN_VALID = 0x10


class TaggedPort:
    """A raw socket on ifname that sends whole frames and records the frames received with
    their 802.1Q tag put back (the kernel hands it apart, in PACKET_AUXDATA)."""

    def __init__(self, ns: str, ifname: str):
        with netns.in_netns(ns):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            self.sock.bind((ifname, 0))
        self.sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        self.sock.settimeout(0.05)
        self.frames: list[bytes] = []

    def send(self, frame: bytes) -> None:
        self.sock.send(frame)

    def collect(self, seconds: float) -> list[bytes]:
        """The frames received in the next `seconds` (PACKET_OUTGOING ones left out)."""
        out = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data, anc, _flags, addr = self.sock.recvmsg(65535, socket.CMSG_SPACE(32))
            except socket.timeout:
                continue
            if addr[2] == 4:  # PACKET_OUTGOING
                continue
            for level, kind, cdata in anc:
                if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= 20:
                    status, _len, _snap, _mac, _net, tci, tpid = struct.unpack("IIIHHHH",
                                                                              cdata[:20])
                    if status & TP_STATUS_VLAN_VALID:
                        data = data[:12] + struct.pack("!HH", tpid or 0x8100, tci) + data[12:]
            out.append(data)
        self.frames += out
        return out

    def close(self) -> None:
        self.sock.close()


def part_b(args, rep: netns.Report) -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pktutil  # noqa: PLC0415
    S = pktutil.load_scapy()
    with netns.Topology() as topo:
        port = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
        vlan = f"0.{VID},addr={SUB_V4}/24,addr={SUB_V6}/64"
        r = netns.Responder(topo, args.responder, app_args=["--port", port, "--vlan", vlan])
        with r:
            r.start()
            mac, me = r.expected_mac, topo.host_mac
            ll = netns.link_local_from_mac(mac)
            me6 = netns.link_local_from_mac(me)
            tp = TaggedPort(topo.host_ns, topo.host_if)
            try:
                def ask(what: str, frame, want, count: int = 1, wait: float = 1.0) -> list:
                    """Sends frame, collects for `wait` s; want(scapy pkt) picks the answers."""
                    tp.collect(0.05)
                    tp.send(bytes(frame))
                    got = [S.Ether(f) for f in tp.collect(wait)]
                    hits = [g for g in got if want(g)]
                    rep.check(what, len(hits) == count,
                              "\n".join(g.summary() for g in got) or "(nothing received)")
                    return hits

                def tagged_from_us(g, pcp: int) -> bool:
                    return (g.haslayer(S.Dot1Q) and g[S.Dot1Q].vlan == VID
                            and g[S.Dot1Q].prio == pcp and g.src.lower() == mac)

                E = S.Ether(src=me, dst="ff:ff:ff:ff:ff:ff")
                hits = ask(f"tagged ARP request (VLAN {VID}, PCP 3) for {SUB_V4}: one ARP reply, "
                           f"tagged {VID} PCP 3, is-at {mac}",
                           E / S.Dot1Q(vlan=VID, prio=3) / S.ARP(op=1, hwsrc=me, psrc=HOST_V4,
                                                               pdst=SUB_V4),
                           lambda g: tagged_from_us(g, 3) and g.haslayer(S.ARP)
                           and g[S.ARP].op == 2 and g[S.ARP].psrc == SUB_V4
                           and g[S.ARP].hwsrc.lower() == mac)
                sn = S.in6_getnsma(socket.inet_pton(socket.AF_INET6, SUB_V6))
                sn = socket.inet_ntop(socket.AF_INET6, sn)
                ask(f"tagged Neighbor Solicitation for {SUB_V6}: one NA tagged {VID}, target "
                    f"{SUB_V6}, TLLA {mac}",
                    S.Ether(src=me, dst=S.in6_getnsmac(socket.inet_pton(socket.AF_INET6, sn)))
                    / S.Dot1Q(vlan=VID) / S.IPv6(src=HOST_V6, dst=sn, hlim=255)
                    / S.ICMPv6ND_NS(tgt=SUB_V6) / S.ICMPv6NDOptSrcLLAddr(lladdr=me),
                    lambda g: tagged_from_us(g, 0) and g.haslayer(S.ICMPv6ND_NA)
                    and g[S.ICMPv6ND_NA].tgt == SUB_V6 and g.haslayer(S.ICMPv6NDOptDstLLAddr)
                    and g[S.ICMPv6NDOptDstLLAddr].lladdr.lower() == mac)
                U = S.Ether(src=me, dst=mac)
                n4 = 0
                for seq in range(PINGS):
                    n4 += len(ask(f"tagged echo {seq} to {SUB_V4}: one reply tagged {VID} PCP 5, "
                                  f"from {SUB_V4}, same id/seq/payload",
                                  U / S.Dot1Q(vlan=VID, prio=5) / S.IP(src=HOST_V4, dst=SUB_V4)
                                  / S.ICMP(id=0x77, seq=seq) / (b"vlan" * 10),
                                  lambda g, seq=seq: tagged_from_us(g, 5) and g.haslayer(S.ICMP)
                                  and g[S.ICMP].type == 0 and g[S.IP].src == SUB_V4
                                  and g[S.ICMP].seq == seq and bytes(g[S.ICMP].payload)
                                  [:40] == b"vlan" * 10, wait=0.5))
                for seq in range(PINGS):
                    ask(f"tagged echo6 {seq} to {SUB_V6}: one reply tagged {VID}",
                        U / S.Dot1Q(vlan=VID) / S.IPv6(src=HOST_V6, dst=SUB_V6)
                        / S.ICMPv6EchoRequest(id=0x66, seq=seq, data=b"v6" * 20),
                        lambda g, seq=seq: tagged_from_us(g, 0) and g.haslayer(S.ICMPv6EchoReply)
                        and g[S.IPv6].src == SUB_V6 and g[S.ICMPv6EchoReply].seq == seq,
                        wait=0.5)
                ask(f"tagged echo6 to the sub-interface's link-local {ll}: one reply tagged {VID}",
                    U / S.Dot1Q(vlan=VID) / S.IPv6(src=me6, dst=ll) / S.ICMPv6EchoRequest(seq=9),
                    lambda g: tagged_from_us(g, 0) and g.haslayer(S.ICMPv6EchoReply)
                    and g[S.IPv6].src == ll, wait=0.5)
                ask(f"tagged UDP to {SUB_V4}:33434 (closed, PCP 6): one Port Unreachable, built "
                    f"fresh, tagged {VID} PCP 0, from {SUB_V4}",
                    U / S.Dot1Q(vlan=VID, prio=6) / S.IP(src=HOST_V4, dst=SUB_V4)
                    / S.UDP(sport=40000, dport=33434) / b"closed?",
                    lambda g: tagged_from_us(g, 0) and g.haslayer(S.ICMP)
                    and g[S.ICMP].type == 3 and g[S.ICMP].code == 3 and g[S.IP].src == SUB_V4)
                ask(f"untagged echo to the VLAN's address {SUB_V4}: not answered on the port",
                    U / S.IP(src=DUT_ADDR4.replace(".2", ".1"), dst=SUB_V4) / S.ICMP(seq=1),
                    lambda g: g.haslayer(S.ICMP) and g[S.ICMP].type == 0, count=0, wait=0.5)
                ask("echo tagged with an unknown VID (300), five times: nothing comes back",
                    U / S.Dot1Q(vlan=300) / S.IP(src=HOST_V4, dst=SUB_V4) / S.ICMP(seq=1),
                    lambda g: g.haslayer(S.ICMP), count=0, wait=0.2)
                for _ in range(UNKNOWN_FRAMES - 1):
                    tp.send(bytes(U / S.Dot1Q(vlan=300) / S.IP(src=HOST_V4, dst=SUB_V4)
                                  / S.ICMP(seq=1)))
                ask("priority-tagged echo (VID 0, PCP 5), three times: nothing comes back",
                    U / S.Dot1Q(vlan=0, prio=5) / S.IP(src=HOST_V4, dst=DUT_ADDR4) / S.ICMP(seq=2),
                    lambda g: g.haslayer(S.ICMP), count=0, wait=0.2)
                for _ in range(PRIO_FRAMES - 1):
                    tp.send(bytes(U / S.Dot1Q(vlan=0, prio=5) / S.IP(src=HOST_V4, dst=DUT_ADDR4)
                                  / S.ICMP(seq=2)))
                time.sleep(0.3)
            finally:
                tp.close()
            pp = topo.ping(["-c", "3", "-i", "0.2", "-W", "2", DUT_ADDR4])
            rep.check(f"Linux ping to the untagged parent {DUT_ADDR4}: 3/3", pp.clean, pp.evidence)
            res = r.stop()
        pc = netns.check_counters(rep, res, 0, min_echo4=3)
        if pc is not None:
            rep.check(f"{UNKNOWN_FRAMES} frames with an unknown VID: drop vlan_unknown "
                      f"{UNKNOWN_FRAMES}", pc.drop("vlan_unknown") == UNKNOWN_FRAMES,
                      "\n".join(pc.lines))
            rep.check(f"{PRIO_FRAMES} priority-tagged frames: drop vlan_priority_tagged "
                      f"{PRIO_FRAMES}", pc.drop("vlan_priority_tagged") == PRIO_FRAMES,
                      "\n".join(pc.lines))
        sub = parse_sub(res.stdout, 0, VID)
        if rep.check(f"the summary has a 'port 0.{VID}:' line", sub is not None,
                     res.stdout[-2500:]):
            rp = sub["replies"]
            rep.check(f"port 0.{VID}: rx == answered + held + dropped",
                      sub["rx"] == sub["answered"] + sub["held"] + sub["dropped"], sub["line"])
            rep.check(f"port 0.{VID}: exactly what was sent tagged {VID}: echo4_reply {PINGS}, "
                      f"echo6_reply {PINGS + 1}, arp_reply 1, nd_advert 1, errors 1",
                      rp.get("echo4_reply") == PINGS and rp.get("echo6_reply") == PINGS + 1
                      and rp.get("arp_reply") == 1 and rp.get("nd_advert") == 1
                      and sub["errors"] == 1, sub["line"])


def body(args, rep: netns.Report) -> None:
    part_a(args, rep)
    part_b(args, rep)
    part_c(args, rep)


if __name__ == "__main__":
    netns.test_main("integration/vlan", body, extra_tools=("tcpdump",))
