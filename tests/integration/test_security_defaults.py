#!/usr/bin/python3
"""pingwire-responder's security defaults, each against what a peer on its link can send (veth,
net_af_packet, scapy frames through a raw socket and the real Linux ping / arping), the
responder started with nothing but its port:

- No reply to a broadcast echo (RFC 1122 3.2.2.6 lets a host ignore it; Linux's default
  icmp_echo_ignore_broadcasts=1): `ping -b` to the subnet broadcast gets nothing back from the
  responder, nor does an echo to 255.255.255.255; a unicast echo is the control.
- ARP answered only for our addresses (RFC 826): a request for an address of the subnet that
  is not ours gets no reply, and no ARP reply is sent for an ARP reply; the request for ours is
  the control.
- NDP validated (RFC 4861 7.1.1): a Neighbor Solicitation with hop limit 64, with code 1, or
  from :: with a source link-layer option gets nothing; the same NS with hop limit 255 is the
  control. Redirects (RFC 1122 3.2.2.2 / RFC 4861 8.1) from the peer are counted and ignored:
  the next echo reply still goes back to the sender's own MAC.
- Rate limits on by default (Linux's: 6 errors per destination, then 1 a second): 40 UDP
  probes to a closed port in a burst get 6 or 7 Port Unreachables, not 40.
- The DPDK telemetry socket is not accessible to other users, even when the program starts
  with umask 000 (pingwire sets it to 0660; EAL's runtime directory is 0700).
- No network endpoint: the responder holds no TCP/UDP/raw IP socket bound to anything but
  loopback (it has none at all today; the telemetry socket is a Unix socket).
- And the counters: every frame counted under its reason, the mempool whole at exit.
"""

import os
import re
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, HOST_ADDR4, HOST_ADDR6  # noqa: E402

BCAST4 = "198.18.0.255"
NOT_OURS4 = "198.18.0.77"
SILENCE = 1.0  # seconds in which an answer that must not come would have come
REPLY_WAIT = 2.0
FOREIGN_MAC = "02:00:00:00:77:77"  # the gateway a Redirect points at (nobody has it)


def silent_and_control(rep, port, what: str, bad: list[bytes], control: bytes, is_answer) -> None:
    """Sends the `bad` frames, expects no answer; then the control, expects one."""
    t0 = time.monotonic()
    for f in bad:
        port.send(f)
    time.sleep(SILENCE)
    got = [f for _, f in port.received(t0) if is_answer(f)]
    t1 = port.send(control)
    ctl = port.wait_for(is_answer, t1, REPLY_WAIT)
    rep.check(f"{what}: no answer to {len(bad)} frame(s); the control is answered",
              not got and len(ctl) == 1,
              f"answers to the bad frames: {[pktutil.Rx(0, f).summary() for f in got]}; "
              f"answers to the control: {len(ctl)}")


def socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            m = re.match(r"socket:\[(\d+)\]", os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            continue
        if m:
            out.add(m.group(1))
    return out


def inet_endpoints(pid: int) -> list[str]:
    """The process's IPv4/IPv6 sockets (tcp, udp, raw) as 'table local-address', from
    /proc/PID/net/* (the tables of its network namespace) matched by inode."""
    mine = socket_inodes(pid)
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6"):
        try:
            lines = open(f"/proc/{pid}/net/{table}").read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 9 and f[9] in mine:
                found.append(f"{table} {f[1]}")
    return found


def loopback(endpoint: str) -> bool:
    addr = endpoint.split()[1].split(":")[0]
    return addr in ("0100007F", "00000000000000000000000001000000")


def body(args, rep):
    s = pktutil.load_scapy()
    with netns.Topology(verbose=True) as topo:
        with netns.Responder(topo, args.responder, mac=args.mac) as r:
            old_umask = os.umask(0)  # the responder inherits it
            try:
                r.start()
            finally:
                os.umask(old_umask)
            netns.log(f"$ {r.command_line}   (started with umask 000)")
            us_mac = r.expected_mac
            host_mac = topo.host_mac
            eth = s.Ether(dst=us_mac, src=host_mac)

            # -- the telemetry socket and the endpoints
            run_dir = f"{netns.DPDK_RUN_DIR}/{r.prefix}"
            sock = f"{run_dir}/dpdk_telemetry.v2"
            st = os.stat(sock)
            dmode = stat.S_IMODE(os.stat(run_dir).st_mode)
            rep.check("the telemetry socket is not world-accessible (mode & 0o007 == 0) though "
                      "the program started with umask 000, in a 0700 directory",
                      stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) & 0o007 == 0
                      and dmode & 0o077 == 0,
                      f"{sock}: {stat.filemode(st.st_mode)} ({oct(stat.S_IMODE(st.st_mode))}); "
                      f"{run_dir}: {oct(dmode)}")
            eps = inet_endpoints(r.proc.pid)
            rep.check("no IP socket bound beyond loopback (TCP, UDP, raw; IPv4 and IPv6)",
                      all(loopback(e) for e in eps), f"inet sockets of pid {r.proc.pid}: {eps}")

            with netns.L2Port(topo.host_ns, topo.host_if) as port:
                # -- broadcast echo
                def echo_reply_from_us(f: bytes) -> bool:
                    p = s.Ether(f)
                    return (s.ICMP in p and p[s.ICMP].type == 0 and s.IP in p
                            and p[s.IP].src == DUT_ADDR4)
                cp = topo.host(["ping", "-b", "-c", "3", "-i", "0.2", "-W", "1", BCAST4])
                m = re.search(r"(\d+) received", cp.stdout)
                rep.check(f"`ping -b -c 3 {BCAST4}`: no reply", m is not None and m.group(1) == "0",
                          netns.indent(cp.stdout + cp.stderr))
                bad = [s.Ether(dst="ff:ff:ff:ff:ff:ff", src=host_mac)
                       / s.IP(src=HOST_ADDR4, dst=dst) / s.ICMP(type=8, id=0x5ec, seq=i)
                       for i, dst in enumerate((BCAST4, "255.255.255.255"))]
                ctl = eth / s.IP(src=HOST_ADDR4, dst=DUT_ADDR4) / s.ICMP(type=8, id=0x5ec, seq=9)
                silent_and_control(rep, port, "echo to the subnet and the limited broadcast",
                                   [bytes(f) for f in bad], bytes(ctl), echo_reply_from_us)

                # -- ARP
                def arp_reply(f: bytes) -> bool:
                    p = s.Ether(f)
                    return s.ARP in p and p[s.ARP].op == 2
                arp = (s.Ether(dst="ff:ff:ff:ff:ff:ff", src=host_mac)
                       / s.ARP(op=1, hwsrc=host_mac, psrc=HOST_ADDR4, pdst=NOT_OURS4))
                arp_rep = eth / s.ARP(op=2, hwsrc=host_mac, psrc=HOST_ADDR4, hwdst=us_mac,
                                      pdst=DUT_ADDR4)
                arp_ctl = (s.Ether(dst="ff:ff:ff:ff:ff:ff", src=host_mac)
                           / s.ARP(op=1, hwsrc=host_mac, psrc=HOST_ADDR4, pdst=DUT_ADDR4))
                silent_and_control(rep, port, f"ARP who-has {NOT_OURS4} (not ours) and an ARP "
                                   f"reply", [bytes(arp), bytes(arp_rep)], bytes(arp_ctl),
                                   arp_reply)

                # -- NDP
                def na(f: bytes) -> bool:
                    p = s.Ether(f)
                    return s.ICMPv6ND_NA in p
                snm = "ff02::1:ff00:2"  # solicited-node group of 2001:2::2
                e6 = s.Ether(dst="33:33:ff:00:00:02", src=host_mac)

                def ns(hlim=255, code=0, src=HOST_ADDR6, opt=True):
                    p = (e6 / s.IPv6(src=src, dst=snm, hlim=hlim)
                         / s.ICMPv6ND_NS(tgt=DUT_ADDR6, code=code))
                    return bytes(p / s.ICMPv6NDOptSrcLLAddr(lladdr=host_mac) if opt else p)
                silent_and_control(rep, port, "NS with hop limit 64, with code 1, from :: with a "
                                   "source link-layer option (RFC 4861 7.1.1)",
                                   [ns(hlim=64), ns(code=1), ns(src="::")], ns(), na)

                # -- Redirects: ignored, and nothing changes
                inner = s.IP(src=DUT_ADDR4, dst=HOST_ADDR4) / s.ICMP(type=0)
                redir4 = (eth / s.IP(src=HOST_ADDR4, dst=DUT_ADDR4)
                          / s.ICMP(type=5, code=1, gw="198.18.0.66") / inner)
                redir6 = (eth / s.IPv6(src=netns.link_local_from_mac(host_mac), dst=DUT_ADDR6,
                                       hlim=255)
                          / s.ICMPv6ND_Redirect(tgt="fe80::77", dst=HOST_ADDR6)
                          / s.ICMPv6NDOptDstLLAddr(lladdr=FOREIGN_MAC))
                port.send(bytes(redir4))
                port.send(bytes(redir6))
                time.sleep(0.3)
                t = port.send(bytes(ctl))
                got = port.wait_for(echo_reply_from_us, t, REPLY_WAIT)
                t6 = port.send(bytes(eth / s.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6)
                                     / s.ICMPv6EchoRequest(id=0x5ec, seq=10)))
                got6 = port.wait_for(lambda f: s.ICMPv6EchoReply in s.Ether(f), t6, REPLY_WAIT)
                rep.check("after an ICMP Redirect and an ICMPv6 Redirect toward another gateway, "
                          "the echo replies still go to the sender's own MAC",
                          len(got) == 1 and len(got6) == 1
                          and all(s.Ether(f).dst == host_mac for _, f in got + got6),
                          f"replies: {[s.Ether(f).summary() for _, f in got + got6]}")

                # -- rate limits on by default
                def port_unreach(f: bytes) -> bool:
                    p = s.Ether(f)
                    return s.ICMP in p and p[s.ICMP].type == 3 and p[s.ICMP].code == 3
                probes = [bytes(eth / s.IP(src=HOST_ADDR4, dst=DUT_ADDR4)
                                / s.UDP(sport=40000 + i, dport=33434) / s.Raw(b"x" * 32))
                          for i in range(40)]
                t = time.monotonic()
                for f in probes:
                    port.send(f)
                sent_in = time.monotonic() - t
                time.sleep(SILENCE)
                n = len([f for _, f in port.received(t) if port_unreach(f)])
                rep.check(f"40 UDP probes to a closed port within {sent_in * 1000:.1f} ms get 6 "
                          f"or 7 Port Unreachables (Linux's default limit: burst 6, 1/s)",
                          6 <= n <= 7, f"Port Unreachables received: {n}")
            res = r.stop()
        pc = netns.check_counters(rep, res, 0)
        if pc:
            ev = f"drops {pc.drops}; errors {pc.errors}"
            rep.check("counted: icmp4_echo_to_broadcast >= 5 (3 pings, 2 frames), "
                      "arp_not_for_us 1, arp_not_request 1, ndp_bad_hop_limit 1, "
                      "ndp_invalid 2, icmp4_redirect_ignored 1, icmp6_redirect_ignored 1, "
                      "rate_limited_host >= 33",
                      pc.drop("icmp4_echo_to_broadcast") >= 5 and pc.drop("arp_not_for_us") == 1
                      and pc.drop("arp_not_request") == 1 and pc.drop("ndp_bad_hop_limit") == 1
                      and pc.drop("ndp_invalid") == 2 and pc.drop("icmp4_redirect_ignored") == 1
                      and pc.drop("icmp6_redirect_ignored") == 1
                      and pc.error("rate_limited_host") >= 33, ev)


if __name__ == "__main__":
    netns.test_main("integration/security-defaults", body)
