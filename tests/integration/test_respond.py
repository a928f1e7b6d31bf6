#!/usr/bin/python3
"""--respond PREFIX: a ping sink for every address of a prefix, against Linux:

1. The responder runs --port 0 (198.18.0.2/24, 2001:2::2/64) and --respond 198.18.77.0/24
   --respond 2001:2:77::/64 (no port=: the only port). The host namespace reaches both
   prefixes on the link (`ip route add 198.18.77.0/24 dev pwh..`, the same for IPv6), so it
   resolves each address itself.
2. Linux ping to three addresses of each prefix the responder was never given one by one
   (.1, .77, .254; ::1, ::77, ::abcd:1234): 0 loss, no duplicates; the host's neighbour
   table learns the responder's MAC for every one of them (ARP and NDP answered for the
   prefix).
3. The network (.0) and broadcast (.255) addresses of the /24 and the Subnet-Router anycast
   address (2001:2:77::) are not answered (Linux owns neither as a host on that subnet).
4. A host owning those addresses: UDP to a closed port of 198.18.77.77 gets Port Unreachable
   from 198.18.77.77 (ECONNREFUSED on the host's connected socket); an exact address still
   answers.
5. The per-prefix counters: dpdk-telemetry.py's /pingwire/respond while it runs and the exit
   summary's 'respond PREFIX on port 0: echo N neigh N other N' lines: echo == the echo
   requests sent to the prefix, neigh >= the addresses resolved, other == 1 (the UDP) for
   the IPv4 prefix; the port balances and no mbuf is in use.
6. --respond mistakes exit 2 with one line.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, PREFIX4, PREFIX6  # noqa: E402

TELEMETRY = "/usr/bin/dpdk-telemetry.py"
P4, P6 = "198.18.77.0/24", "2001:2:77::/64"
ADDRS4 = ["198.18.77.1", "198.18.77.77", "198.18.77.254"]
ADDRS6 = ["2001:2:77::1", "2001:2:77::77", "2001:2:77::abcd:1234"]
PINGS = 3

_RESPOND_LINE = re.compile(r"^respond (\S+) on port (\S+): echo (\d+) neigh (\d+) other (\d+)$",
                           re.M)


def respond_lines(stdout: str) -> dict[str, dict]:
    text = stdout[stdout.rindex(netns.FINAL_MARK):] if netns.FINAL_MARK in stdout else stdout
    return {m.group(1): {"port": m.group(2), "echo": int(m.group(3)), "neigh": int(m.group(4)),
                         "other": int(m.group(5)), "line": m.group(0)}
            for m in _RESPOND_LINE.finditer(text)}


def telemetry(prefix: str, cmd: str):
    cp = subprocess.run([TELEMETRY, "-f", prefix], input=cmd + "\n", capture_output=True,
                        text=True, timeout=20)
    for line in cp.stdout.splitlines():
        if line.strip().startswith("{"):
            return json.loads(line).get(cmd), cp.stdout
    return None, cp.stdout + cp.stderr


def body(args, rep: netns.Report) -> None:
    with netns.Topology(verbose=True) as topo:
        topo.host(["ip", "route", "add", P4, "dev", topo.host_if], check=True)
        topo.host(["ip", "-6", "route", "add", P6, "dev", topo.host_if], check=True)
        topo.host(["ethtool", "-K", topo.host_if, "tx", "off"], check=False)  # UDP checksums
        port = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
        r = netns.Responder(topo, args.responder,
                            app_args=["--port", port, "--respond", P4, "--respond", P6])
        with r:
            r.start()
            mac = r.expected_mac
            start_lines = [l for l in r.stdout().splitlines() if l.startswith("port 0:")]
            for a in ADDRS4 + ADDRS6:
                fam = ["-6"] if ":" in a else []
                p = topo.ping([*fam, "-c", str(PINGS), "-i", "0.2", "-W", "2", a])
                rep.check(f"ping {a} (in a --respond prefix, never configured itself): "
                          f"{PINGS}/{PINGS}, no loss or duplicates", p.clean, p.evidence)
            n4, n6 = topo.neigh("-4"), topo.neigh("-6")
            for a in ADDRS4:
                e = netns.Topology.neigh_entry(n4, a)
                rep.check(f"the host's ARP table has {a} at the responder's MAC {mac}",
                          f"lladdr {mac}" in e.lower(), n4)
            for a in ADDRS6:
                e = netns.Topology.neigh_entry(n6, a)
                rep.check(f"the host's NDP table has {a} at {mac}", f"lladdr {mac}" in e.lower(),
                          n6)
            for a in ("198.18.77.0", "198.18.77.255", "2001:2:77::"):
                fam = ["-6"] if ":" in a else []
                p = topo.ping([*fam, "-c", "1", "-W", "1", a])
                rep.check(f"ping {a} (network / broadcast / Subnet-Router anycast): no answer",
                          p.received == 0, p.evidence)
            with netns.in_netns(topo.host_ns):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(3)
                s.connect(("198.18.77.77", 33434))
                s.send(b"closed?")
                refused = ""
                try:
                    s.recv(100)
                except ConnectionRefusedError as e:
                    refused = f"ECONNREFUSED ({e})"
                except socket.timeout:
                    pass
                s.close()
            rep.check("UDP to 198.18.77.77:33434 (closed): Port Unreachable, ECONNREFUSED on the "
                      "host's socket", bool(refused), refused or "no error within 3 s")
            pe = topo.ping(["-c", "2", "-i", "0.2", "-W", "2", DUT_ADDR4])
            rep.check(f"the exact address {DUT_ADDR4} still answers", pe.clean, pe.evidence)
            tel, raw = telemetry(r.prefix, "/pingwire/respond")
            by_prefix = {v.get("prefix"): v for v in (tel or {}).values()}
            t4 = by_prefix.get(P4, {})
            t6 = by_prefix.get(P6, {})
            rep.check(f"dpdk-telemetry.py /pingwire/respond: echo {len(ADDRS4) * PINGS} for {P4} "
                      f"and {len(ADDRS6) * PINGS} for {P6} (the pings sent), on port 0",
                      t4.get("echo") == len(ADDRS4) * PINGS
                      and t6.get("echo") == len(ADDRS6) * PINGS
                      and t4.get("port") == 0 and t6.get("port") == 0, raw)
            res = r.stop()
        netns.check_counters(rep, res, 0)
        lines = respond_lines(res.stdout)
        l4, l6 = lines.get(P4), lines.get(P6)
        rep.check(f"exit summary: 'respond {P4} on port 0: echo {len(ADDRS4) * PINGS} neigh >= "
                  f"{len(ADDRS4)} other 1' (the UDP)",
                  l4 is not None and l4["echo"] == len(ADDRS4) * PINGS
                  and l4["neigh"] >= len(ADDRS4) and l4["other"] == 1 and l4["port"] == "0",
                  "\n".join(v["line"] for v in lines.values()) or res.stdout[-2000:])
        rep.check(f"exit summary: 'respond {P6} on port 0: echo {len(ADDRS6) * PINGS} neigh >= "
                  f"{len(ADDRS6)} other 0'",
                  l6 is not None and l6["echo"] == len(ADDRS6) * PINGS
                  and l6["neigh"] >= len(ADDRS6) and l6["other"] == 0,
                  "\n".join(v["line"] for v in lines.values()) or res.stdout[-2000:])
        if start_lines:
            netns.log("start-up: " + start_lines[0])

    with netns.Topology() as topo:
        for extra, what in ((["--respond", "224.0.0.0/4"], "is not a unicast IPv4 prefix"),
                            (["--respond", "198.18.77.0/24,port=3"], "port 3 is not configured"),
                            (["--respond", "198.18.77.0/24,dev=0"], "is not port=ID")):
            r = netns.Responder(topo, args.responder,
                                app_args=["--port", f"0,addr={DUT_ADDR4}/24", *extra])
            with r:
                r.spawn()
                res = r.wait_exit()
            err = res.stderr.strip().splitlines()
            rep.check(f"{' '.join(extra)}: exit 2 with one line naming the mistake",
                      res.rc == 2 and len(err) == 1 and what in err[0], res.evidence)


if __name__ == "__main__":
    netns.test_main("integration/respond", body)
