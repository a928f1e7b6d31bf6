#!/usr/bin/python3
"""Linux's ping against pingwire-responder over a veth pair (net_af_packet).

Checks: IPv4 and IPv6 echo with 0% loss, a full 1500-byte IPv4 packet with DF set, ARP and NDP
(the host's neighbour cache holds the responder's MAC), the EUI-64 link-local address answers,
and after SIGTERM the responder exits 0 with counters that add up.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6  # noqa: E402


def check_ping(rep, what, p, reply_bytes=None):
    ok = p.clean
    if ok and reply_bytes is not None:
        ok = len(re.findall(rf"^{reply_bytes} bytes from ", p.output, re.M)) == p.received
    return rep.check(what, ok, p.evidence)


def check_neigh(rep, family, addr, mac, table):
    line = netns.Topology.neigh_entry(table, addr)
    ok = f"lladdr {mac}" in line.lower() and not re.search(r"FAILED|INCOMPLETE", line)
    rep.check(f"host neighbour cache ({family}) maps {addr} to the responder's MAC {mac}", ok,
              f"$ ip {family} neigh show dev ...\n{netns.indent(table)}")


def body(args, rep):
    with netns.Topology(verbose=True) as topo, \
         netns.Responder(topo, args.responder, mac=args.mac) as r:
        netns.log(f"$ {r.command_line}")
        r.start()
        mac = r.expected_mac
        rep.check("responder starts and prints its ready line", True, r.stdout())

        p4 = topo.ping(["-c", "5", "-i", "0.2", "-w", "10", DUT_ADDR4])
        check_ping(rep, f"IPv4 ping {DUT_ADDR4}: 5 sent, 5 answered, 0% loss", p4)

        p6 = topo.ping(["-6", "-c", "5", "-i", "0.2", "-w", "10", DUT_ADDR6])
        check_ping(rep, f"IPv6 ping {DUT_ADDR6}: 5 sent, 5 answered, 0% loss", p6)

        # 1472 bytes of payload + 8 ICMP + 20 IP = 1500, the veth MTU; DF set, so any
        # truncation or fragmentation on the way back would show.
        big = topo.ping(["-c", "3", "-i", "0.2", "-s", "1472", "-M", "do", "-w", "10", DUT_ADDR4])
        check_ping(rep, "IPv4 ping with 1472-byte payload and DF (1500-byte packets), "
                        "each reply 1480 bytes, 0% loss", big, reply_bytes=1480)

        check_neigh(rep, "-4", DUT_ADDR4, mac, topo.neigh("-4"))
        check_neigh(rep, "-6", DUT_ADDR6, mac, topo.neigh("-6"))

        ll = netns.link_local_from_mac(mac)
        pll = topo.ping(["-6", "-c", "3", "-i", "0.2", "-w", "10", f"{ll}%{topo.host_if}"])
        check_ping(rep, f"IPv6 link-local ping {ll} (EUI-64 of {mac}), 0% loss", pll)
        check_neigh(rep, "-6", ll, mac, topo.neigh("-6"))

        res = r.stop()
        netns.check_counters(rep, res, 0, min_echo4=p4.received + big.received,
                             min_echo6=p6.received + pll.received)


if __name__ == "__main__":
    netns.test_main("integration/ping" + ("-mac" if "--mac" in sys.argv else ""), body)
