#!/usr/bin/python3
"""Flood ping (`ping -f`, as root) against pingwire-responder: no request may go unanswered.

`ping -f` sends the next request as soon as a reply comes back (or after 10 ms), so this checks
that every burst path answers promptly and exactly once; the responder's counters must then
show at least as many echo replies as ping received, and add up.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6  # noqa: E402

COUNT = 5000


def body(args, rep):
    with netns.Topology(verbose=True) as topo, \
         netns.Responder(topo, args.responder, mac=args.mac) as r:
        netns.log(f"$ {r.command_line}")
        r.start()
        rep.check("responder starts and prints its ready line", True, r.stdout())

        p4 = topo.ping(["-f", "-c", str(COUNT), "-w", "60", DUT_ADDR4], timeout=90)
        rep.check(f"IPv4 flood ping {DUT_ADDR4}: {COUNT} sent, {COUNT} answered, 0% loss, "
                  f"no duplicates", p4.clean and p4.received == COUNT, p4.evidence)

        p6 = topo.ping(["-6", "-f", "-c", str(COUNT), "-w", "60", DUT_ADDR6], timeout=90)
        rep.check(f"IPv6 flood ping {DUT_ADDR6}: {COUNT} sent, {COUNT} answered, 0% loss, "
                  f"no duplicates", p6.clean and p6.received == COUNT, p6.evidence)

        res = r.stop()
        netns.check_counters(rep, res, 0, min_echo4=p4.received, min_echo6=p6.received)


if __name__ == "__main__":
    netns.test_main("integration/flood", body)
