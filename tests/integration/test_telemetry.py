#!/usr/bin/python3
"""pingwire-responder's DPDK telemetry commands against the real ping: /pingwire/ports and
/pingwire/stats,PORT give the same counters as the exit summary, while the responder runs.

The client is the telemetry v2 protocol itself (a SOCK_SEQPACKET Unix socket at
/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2, JSON replies), as dpdk-telemetry.py speaks it.
"""

import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6  # noqa: E402


def query(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    hello = json.loads(s.recv(65536).decode())
    s.send(cmd.encode())
    reply = json.loads(s.recv(max(int(hello.get("max_output_len", 16384)), 65536)).decode())
    s.close()
    return reply


def body(args, rep):
    with netns.Topology(verbose=True) as topo, \
         netns.Responder(topo, args.responder, mac=args.mac) as r:
        r.start()
        path = f"{netns.DPDK_RUN_DIR}/{r.prefix}/dpdk_telemetry.v2"
        p4 = topo.ping(["-c", "5", "-i", "0.2", DUT_ADDR4])
        p6 = topo.ping(["-6", "-c", "5", "-i", "0.2", DUT_ADDR6])
        rep.check("pings answered", p4.received == 5 and p6.received == 5, p4.evidence + p6.evidence)

        ports = query(path, "/pingwire/ports")
        rep.check("/pingwire/ports lists port 0", ports.get("/pingwire/ports") == [0], json.dumps(ports))
        # A live snapshot can catch a burst in flight (rx counted, its outcomes not yet): take
        # another when it does not balance; on an idle link the first one does.
        def balanced(st):
            return st.get("rx") == (st.get("answered", 0) + st.get("forwarded", 0)
                                    + st.get("held", 0) + st.get("dropped", 0))
        for _ in range(5):
            stats = query(path, "/pingwire/stats,0").get("/pingwire/stats", {})
            if balanced(stats):
                break
        rep.check("/pingwire/stats,0 counts the echo replies",
                  stats.get("replies", {}).get("echo4_reply", 0) >= 5
                  and stats.get("replies", {}).get("echo6_reply", 0) >= 5, json.dumps(stats))
        rep.check("/pingwire/stats,0 balances: rx == answered + forwarded + held + dropped",
                  balanced(stats), json.dumps(stats))
        rep.check("/pingwire/stats,0 has the Icmp table: InType8 and OutType0 >= 5",
                  stats.get("Icmp", {}).get("InType8", 0) >= 5
                  and stats.get("Icmp", {}).get("OutType0", 0) >= 5, json.dumps(stats.get("Icmp")))
        bad = query(path, "/pingwire/stats,7")
        rep.check("/pingwire/stats of a port that does not exist answers null",
                  bad.get("/pingwire/stats") is None, json.dumps(bad))
        ethdev = query(path, "/ethdev/stats,0").get("/ethdev/stats", {})

        res = r.stop()
        pc = res.ports.get(0) if hasattr(res, "ports") else None
        final_rx = pc.rx if pc is not None else None
        rep.check("DPDK's own /ethdev/stats agrees (ipackets >= the rx we reported then)",
                  ethdev.get("ipackets", -1) >= stats.get("rx", 0), json.dumps(ethdev))
        if final_rx is not None:
            rep.check("the exit summary's rx is at least what telemetry showed", final_rx >= stats.get("rx", 0),
                      f"telemetry {stats.get('rx')} exit {final_rx}")
        netns.check_counters(rep, res, 0)


if __name__ == "__main__":
    netns.test_main("integration/telemetry", body)
