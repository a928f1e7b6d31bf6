#!/usr/bin/python3
"""pingwire-responder seen through the operator's tools, against the real ping:

1. DPDK's stock client, /usr/bin/dpdk-telemetry.py -f PREFIX (commands on its stdin), reads
   /pingwire/stats,0 while the responder runs: its echo4_reply / echo6_reply counts equal the
   echo requests Linux ping sent; every counter is present, zeros included (all the drop
   reasons, reply kinds, error outcomes); the port balances; /pingwire/stats without a port
   has the same block under "0"; a bad port gives {"error": ...} (not null); /pingwire/icmp
   and /pingwire/icmp6 name the counters as nstat does (IcmpInEchos, IcmpMsgOutType0,
   Icmp6InEchos...); /pingwire/ratelimit, /pingwire/config say what the command line said;
   /pingwire/neigh and /pingwire/routes say why there is nothing in host mode; DPDK's own
   /ethdev/list, /ethdev/stats,0 and /ethdev/xstats,0 still answer.
2. --metrics 127.0.0.1:PORT: `promtool check metrics` (Debian's prometheus) accepts the
   /metrics body (curl), and its counters equal the telemetry ones read at the same moment
   (traffic stopped: a read, the scrape, a read again, equal).
3. --metrics mistakes exit 2 with one line before the EAL starts; a port already in use
   exits 1 with one line.
4. Router mode (netns.RouterTopology, --forward, a --route each family, a --deny): after
   pings from A to B, /pingwire/neigh lists B's addresses on port 1 with B's MAC,
   /pingwire/routes the connected prefixes, the routes via B and the deny (a page from an
   index too), /pingwire/stats both ports, /pingwire/config the routes as given.
5. Every exit summary balances and no mbuf is in use.
"""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6  # noqa: E402

TELEMETRY = "/usr/bin/dpdk-telemetry.py"
METRICS_PORT = 9464
PINGS = 5


def telemetry(prefix: str, cmds: list[str]) -> list[dict]:
    """The stock client, non-interactive: one JSON reply per line, one per command."""
    cp = subprocess.run([TELEMETRY, "-f", prefix], input="\n".join(cmds) + "\n",
                        capture_output=True, text=True, timeout=20)
    out = []
    for line in cp.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    if len(out) != len(cmds):
        raise netns.HarnessError(f"$ {TELEMETRY} -f {prefix} <<< {cmds}\n"
                                 f"  rc {cp.returncode}\n{netns.indent(cp.stdout + cp.stderr)}")
    return out


def one(prefix: str, cmd: str):
    reply = telemetry(prefix, [cmd])[0]
    return reply.get(cmd.split(",")[0])


def scrape(topo, port: int) -> str:
    cp = topo.dut(["curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{port}/metrics"])
    if cp.returncode != 0:
        raise netns.HarnessError(f"curl /metrics failed: {cp.stderr}")
    return cp.stdout


RE_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
RE_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_metrics(body: str) -> dict:
    """{(name, frozenset(labels)): value}"""
    out = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = RE_SAMPLE.match(line)
        if not m:
            continue
        labels = frozenset(RE_LABEL.findall(m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric(ms: dict, name: str, **labels):
    return ms.get((name, frozenset((k, str(v)) for k, v in labels.items())))


def balanced(st: dict) -> bool:
    return st.get("rx") == (st.get("answered", 0) + st.get("forwarded", 0) + st.get("held", 0)
                            + st.get("dropped", 0))


def check_options(args, rep):
    """--metrics mistakes: exit 2, one line, before the EAL (no EAL line on stderr)."""
    for bad, why in (("70000", "port outside 1..65535"), ("foo:9100", "not ADDR:PORT"),
                     ("198.18.0.2:", "no port number"), ("[::1:9100", "not [IPv6]:PORT")):
        cmd = [args.responder, "--no-huge", "--", "--port", f"0,addr={DUT_ADDR4}/24",
               "--metrics", bad]
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=20,
                            stdin=subprocess.DEVNULL)
        lines = [x for x in cp.stderr.splitlines() if x.strip()]
        rep.check(f"--metrics {bad} ({why}): exit 2, one line naming --metrics",
                  cp.returncode == 2 and len(lines) == 1 and "--metrics" in lines[0],
                  f"$ {' '.join(cmd)}\n  exit {cp.returncode}\n{netns.indent(cp.stderr)}")


def check_bind_failure(args, rep, topo):
    """The port already taken in the namespace: exit 1 and one line, no exception trace."""
    port = METRICS_PORT + 1
    blocker = subprocess.Popen(
        ["ip", "netns", "exec", topo.dut_ns, "/usr/bin/python3", "-c",
         "import socket,time\n"
         f"s=socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(); print('up', flush=True)\n"
         "time.sleep(60)"], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        blocker.stdout.readline()
        prefix = f"{topo.tag}-bind"
        cmd = ["ip", "netns", "exec", topo.dut_ns, args.responder, "-l", "0,1", "--no-huge",
               "-m", "512", "--no-pci", "--file-prefix", prefix, "--vdev", "net_null0", "--",
               "--port", "0,addr=198.18.9.1/24", "--metrics", str(port)]
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
        ours = [x for x in cp.stderr.splitlines() if x.startswith("pingwire-responder:")]
        rep.check(f"--metrics {port} with the port in use: exit 1, one 'pingwire-responder: "
                  f"error: --metrics 127.0.0.1:{port}: ...' line, no trace",
                  cp.returncode == 1 and len(ours) == 1
                  and ours[0].startswith(f"pingwire-responder: error: --metrics 127.0.0.1:{port}")
                  and "terminate" not in cp.stderr and "what()" not in cp.stderr,
                  f"$ {' '.join(cmd)}\n  exit {cp.returncode}\n{netns.indent(cp.stderr)}")
    finally:
        blocker.kill()
        blocker.wait()
        subprocess.run(["rm", "-rf", f"{netns.DPDK_RUN_DIR}/{topo.tag}-bind"])


def body(args, rep):
    for tool in (TELEMETRY, "/usr/bin/promtool", "/usr/bin/curl"):
        if not os.access(tool, os.X_OK):
            raise netns.HarnessError(f"{tool} is missing (scripts/install-deps installs it)")
    check_options(args, rep)
    with netns.Topology(verbose=True) as topo:
        topo.dut(["ip", "link", "set", "lo", "up"], check=True)  # --metrics binds 127.0.0.1
        spec = f"0,addr={DUT_ADDR4}/{netns.PREFIX4},addr={DUT_ADDR6}/{netns.PREFIX6}"
        with netns.Responder(topo, args.responder,
                             app_args=["--port", spec, "--metrics", str(METRICS_PORT)]) as r:
            r.start()
            body_running(args, rep, topo, r)
            res = r.stop()
            netns.check_counters(rep, res, 0)
        check_bind_failure(args, rep, topo)
    body_router(args, rep)


ROUTES = ["--route", "198.18.3.0/24,via=198.18.2.2", "--route", "2001:2:0:3::/64,via=2001:2:0:2::2",
          "--deny", "198.18.8.0/24"]


def body_router(args, rep):
    with netns.RouterTopology(verbose=True) as topo, \
         netns.Responder(topo, args.responder, app_args=topo.router_args(extra=ROUTES)) as r:
        r.start()
        p4 = topo.ping(["-c", "2", "-i", "0.2", netns.B_ADDR4])
        p6 = topo.ping(["-6", "-c", "2", "-i", "0.2", netns.B_ADDR6])
        rep.check("router: A pings B through the responder, IPv4 and IPv6",
                  p4.received == 2 and p6.received == 2, p4.evidence + p6.evidence)
        time.sleep(0.5)  # the neighbour rows are refreshed every 250 ms
        cmds = ["/pingwire/neigh", "/pingwire/routes", "/pingwire/routes,1", "/pingwire/routes,x",
                "/pingwire/stats", "/pingwire/config"]
        got = {c: rp[c.split(",")[0]] for c, rp in zip(cmds, telemetry(r.prefix, cmds))}
        ne = got["/pingwire/neigh"] or {}
        rows = list((ne.get("neighbours") or {}).values())
        b_rows = [x for x in rows if x.get("address") in (netns.B_ADDR4, netns.B_ADDR6)]
        rep.check(f"/pingwire/neigh: {netns.B_ADDR4} and {netns.B_ADDR6} on port 1, "
                  f"reachable or stale, with B's MAC {topo.b_mac}; count == shown, next 0",
                  len(b_rows) == 2 and all(x.get("port") == 1 and x.get("mac") == topo.b_mac
                                           and x.get("state") in ("reachable", "stale")
                                           for x in b_rows)
                  and ne.get("count") == ne.get("shown") == len(rows) and ne.get("next") == 0,
                  json.dumps(ne))
        rt = got["/pingwire/routes"] or {}
        routes = {x.get("prefix"): x for x in (rt.get("routes") or {}).values()}
        want = {"198.18.1.0/24": ("connected", 0, ""), "198.18.2.0/24": ("connected", 1, ""),
                "198.18.3.0/24": ("via", 1, "198.18.2.2"),
                "2001:2:0:3::/64": ("via", 1, "2001:2:0:2::2"), "198.18.8.0/24": ("deny", -1, "")}
        wrong = {k: routes.get(k) for k, (kind, port, gw) in want.items()
                 if (routes.get(k) or {}).get("kind") != kind
                 or routes[k].get("port") != port or routes[k].get("gateway") != gw}
        rep.check("/pingwire/routes: the connected prefixes, the routes via B, the deny; "
                  "count == shown, next 0", not wrong and rt.get("count") == len(routes)
                  and rt.get("shown") == len(routes) and rt.get("next") == 0,
                  f"wrong: {wrong}\n{json.dumps(rt)}")
        r1 = got["/pingwire/routes,1"] or {}
        rep.check("/pingwire/routes,1: the page from index 1 (one route fewer)",
                  r1.get("from") == 1 and r1.get("shown") == len(routes) - 1
                  and r1.get("count") == rt.get("count"), json.dumps(r1))
        rep.check("/pingwire/routes,x: an error naming 'x'",
                  "'x'" in (got["/pingwire/routes,x"] or {}).get("error", ""),
                  json.dumps(got["/pingwire/routes,x"]))
        st = got["/pingwire/stats"] or {}
        rep.check("/pingwire/stats: ports 0 and 1; port 0 forwarded and port 1 fwd_sent the "
                  "4 echo requests at least", sorted(st) == ["0", "1"]
                  and st["0"].get("forwarded", 0) >= 4 and st["1"].get("fwd_sent", 0) >= 4,
                  json.dumps(st)[:1500])
        cfg = got["/pingwire/config"] or {}
        rep.check("/pingwire/config: forward 1, the routes and the deny as given",
                  cfg.get("forward") == 1
                  and "198.18.3.0/24,via=198.18.2.2" in cfg.get("routes", [])
                  and cfg.get("denies") == ["198.18.8.0/24"]
                  and sorted(cfg.get("ports", {})) == ["0", "1"], json.dumps(cfg)[:1500])
        res = r.stop()
        netns.check_router_counters(rep, res, (0, 1))


def body_running(args, rep, topo, r):
    p4 = topo.ping(["-c", str(PINGS), "-i", "0.2", DUT_ADDR4])
    p6 = topo.ping(["-6", "-c", str(PINGS), "-i", "0.2", DUT_ADDR6])
    rep.check(f"Linux ping: {PINGS} sent and answered, IPv4 and IPv6",
              p4.transmitted == PINGS and p4.received == PINGS and p6.transmitted == PINGS
              and p6.received == PINGS, p4.evidence + p6.evidence)
    time.sleep(0.3)  # the last replies counted

    # ---- 1. the stock dpdk-telemetry.py
    cmds = ["/pingwire/stats,0", "/pingwire/stats", "/pingwire/stats,7", "/pingwire/stats,x1",
            "/pingwire/icmp", "/pingwire/icmp6", "/pingwire/ratelimit", "/pingwire/config",
            "/pingwire/neigh", "/pingwire/routes", "/pingwire/ports", "/ethdev/list",
            "/ethdev/stats,0", "/ethdev/xstats,0", "/"]
    netns.log(f"$ {TELEMETRY} -f {r.prefix} <<< {' '.join(cmds)}")
    replies = telemetry(r.prefix, cmds)
    got = {c: rep_[c.split(",")[0]] for c, rep_ in zip(cmds, replies)}
    st = got["/pingwire/stats,0"]
    ev = json.dumps(st)[:3000]
    rep.check(f"/pingwire/stats,0: replies.echo4_reply == {p4.transmitted} and "
              f"replies.echo6_reply == {p6.transmitted}, the echo requests ping sent",
              st.get("replies", {}).get("echo4_reply") == p4.transmitted
              and st.get("replies", {}).get("echo6_reply") == p6.transmitted, ev)
    rep.check("/pingwire/stats,0 balances: rx == answered + forwarded + held + dropped",
              balanced(st), ev)
    drops = st.get("drops", {})
    rep.check("/pingwire/stats,0: every counter present, zeros included (no_route 0, "
              "timestamp_reply 0, rate_limited_host 0, icmp_time_exceeded 0, >= 80 drop "
              "reasons)",
              drops.get("no_route") == 0 and len(drops) >= 80
              and st.get("replies", {}).get("timestamp_reply") == 0
              and st.get("errors", {}).get("rate_limited_host") == 0
              and st.get("errors_sent", {}).get("icmp_time_exceeded") == 0
              and st.get("forwarded") == 0 and "fwd_sent" in st, ev)
    all_ports = got["/pingwire/stats"]
    rep.check("/pingwire/stats (no port): every port keyed by id, the same schema as "
              "/pingwire/stats,0",
              isinstance(all_ports, dict) and list(all_ports) == ["0"]
              and set(all_ports["0"]) == set(st)
              and set(all_ports["0"]["drops"]) == set(drops), json.dumps(all_ports)[:600])
    rep.check('/pingwire/stats,7 answers {"error": "no port 7; ports are 0"}',
              got["/pingwire/stats,7"] == {"error": "no port 7; ports are 0"},
              json.dumps(got["/pingwire/stats,7"]))
    bad = got["/pingwire/stats,x1"] or {}
    rep.check("/pingwire/stats,x1 answers an error naming 'x1'",
              "'x1' is not a port id" in bad.get("error", ""), json.dumps(bad))
    ic = got["/pingwire/icmp"] or {}
    rep.check(f"/pingwire/icmp, nstat's names: IcmpInEchos == IcmpOutEchoReps == "
              f"IcmpMsgInType8 == IcmpMsgOutType0 == {PINGS}, IcmpInDestUnreachs 0, "
              f"IcmpMsgInType[8] == {PINGS} (256 types)",
              ic.get("IcmpInEchos") == PINGS and ic.get("IcmpOutEchoReps") == PINGS
              and ic.get("IcmpMsgInType8") == PINGS and ic.get("IcmpMsgOutType0") == PINGS
              and ic.get("IcmpInDestUnreachs") == 0
              and len(ic.get("IcmpMsgInType", [])) == 256 and ic["IcmpMsgInType"][8] == PINGS,
              json.dumps(ic)[:1500])
    i6 = got["/pingwire/icmp6"] or {}
    rep.check(f"/pingwire/icmp6: Icmp6InEchos == Icmp6OutEchoReplies == Icmp6InType128 == "
              f"Icmp6OutType129 == {PINGS}, Icmp6InNeighborSolicits >= 1, Icmp6InPktTooBigs 0",
              i6.get("Icmp6InEchos") == PINGS and i6.get("Icmp6OutEchoReplies") == PINGS
              and i6.get("Icmp6InType128") == PINGS and i6.get("Icmp6OutType129") == PINGS
              and i6.get("Icmp6InNeighborSolicits", 0) >= 1 and i6.get("Icmp6InPktTooBigs") == 0,
              json.dumps(i6)[:1500])
    rl = got["/pingwire/ratelimit"] or {}
    rep.check("/pingwire/ratelimit: Linux's defaults (global 1000/s burst 50, per destination "
              "1000 ms burst 6, ratemask 3-4,11-12, v6 0-1,3-127), tables sized, nothing "
              "suppressed",
              rl.get("global", {}).get("msgs_per_sec") == 1000
              and rl.get("global", {}).get("msgs_burst") == 50
              and rl.get("per_destination_v4", {}).get("interval_ms") == 1000
              and rl.get("per_destination_v4", {}).get("burst") == 6
              and rl.get("per_destination_v4", {}).get("ratemask") == "3-4,11-12"
              and rl.get("per_destination_v6", {}).get("ratemask") == "0-1,3-127"
              and rl.get("per_destination_v4", {}).get("table_entries_per_lcore", 0) > 0
              and rl.get("per_destination_v4", {}).get("suppressed") == 0
              and rl.get("errors", {}).get("rate_limited_global") == 0, json.dumps(rl))
    cfg = got["/pingwire/config"] or {}
    port0 = cfg.get("ports", {}).get("0", {})
    rep.check(f"/pingwire/config: port 0 with {DUT_ADDR4}/24 and {DUT_ADDR6}/64, MTU 1500, "
              f"forward 0, metrics 127.0.0.1:{METRICS_PORT}",
              f"{DUT_ADDR4}/24" in port0.get("addrs", []) and f"{DUT_ADDR6}/64" in
              port0.get("addrs", []) and port0.get("mtu") == 1500 and cfg.get("forward") == 0
              and cfg.get("metrics") == f"127.0.0.1:{METRICS_PORT}"
              and cfg.get("policy", {}).get("icmp_echo_ignore_broadcasts") == 1,
              json.dumps(cfg)[:2000])
    rep.check("/pingwire/neigh and /pingwire/routes in host mode: an error saying why",
              "host mode" in (got["/pingwire/neigh"] or {}).get("error", "")
              and "host mode" in (got["/pingwire/routes"] or {}).get("error", ""),
              json.dumps(got["/pingwire/neigh"]) + " " + json.dumps(got["/pingwire/routes"]))
    eth = got["/ethdev/stats,0"] or {}
    xs = got["/ethdev/xstats,0"] or {}
    rep.check("DPDK's own /ethdev/list [0], /ethdev/stats,0 (ipackets >= our rx), "
              "/ethdev/xstats,0 still answer",
              got["/ethdev/list"] == [0] and eth.get("ipackets", -1) >= st.get("rx", 1 << 60)
              and "rx_good_packets" in xs,
              f"{got['/ethdev/list']} {json.dumps(eth)} xstats keys {list(xs)[:8]}")
    listed = got["/"] or []
    ours = ["/pingwire/config", "/pingwire/icmp", "/pingwire/icmp6", "/pingwire/neigh",
            "/pingwire/ports", "/pingwire/ratelimit", "/pingwire/routes", "/pingwire/stats"]
    rep.check("'/' lists every /pingwire command", all(c in listed for c in ours),
              json.dumps(listed))

    # ---- 2. Prometheus
    for attempt in range(5):
        before = one(r.prefix, "/pingwire/stats,0")
        body_text = scrape(topo, METRICS_PORT)
        after = one(r.prefix, "/pingwire/stats,0")
        if before == after:
            break
        time.sleep(0.5)  # a frame (an NS, an ARP probe) came in between: again
    netns.log(f"$ ip netns exec {topo.dut_ns} curl -s http://127.0.0.1:{METRICS_PORT}/metrics "
              f"| head\n" + netns.indent("\n".join(body_text.splitlines()[:12])))
    cp = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=body_text,
                        capture_output=True, text=True, timeout=30)
    rep.check("promtool check metrics accepts /metrics", cp.returncode == 0,
              f"exit {cp.returncode}\n{netns.indent(cp.stdout + cp.stderr)}")
    ms = parse_metrics(body_text)
    rep.check("telemetry read the same before and after the scrape (traffic stopped)",
              before == after, "")
    pairs = [("pingwire_rx_packets_total", {"port": 0}, after["rx"]),
             ("pingwire_tx_packets_total", {"port": 0, "kind": "reply"}, after["answered"]),
             ("pingwire_dropped_packets_total", {"port": 0}, after["dropped"]),
             ("pingwire_replies_total", {"port": 0, "kind": "echo4_reply"},
              after["replies"]["echo4_reply"]),
             ("pingwire_replies_total", {"port": 0, "kind": "echo6_reply"},
              after["replies"]["echo6_reply"]),
             ("pingwire_replies_total", {"port": 0, "kind": "arp_reply"},
              after["replies"]["arp_reply"]),
             ("pingwire_icmp_out_messages_total", {"port": 0, "type": 0}, PINGS),
             ("pingwire_icmp_in_messages_total", {"port": 0, "type": 8}, PINGS),
             ("pingwire_icmp6_out_messages_total", {"port": 0, "type": 129}, PINGS),
             ("pingwire_icmp_errors_total", {"port": 0, "outcome": "sent"},
              after["errors"]["sent"])]
    pairs += [("pingwire_drops_total", {"port": 0, "reason": k}, v)
              for k, v in after["drops"].items()]
    wrong = [(n, lab, metric(ms, n, **lab), want) for n, lab, want in pairs
             if metric(ms, n, **lab) != want]
    rep.check(f"/metrics equals telemetry: rx, tx, dropped, replies, ICMP types, and all "
              f"{len(after['drops'])} drop reasons ({len(pairs)} samples)", not wrong,
              "\n".join(f"{n}{lab}: metrics {m} telemetry {w}" for n, lab, m, w in wrong[:20]))
    rep.check("/metrics has the device's own counters in bytes and pingwire_port_info",
              (metric(ms, "pingwire_device_rx_bytes_total", port=0) or 0) > 0
              and any(k[0] == "pingwire_port_info" for k in ms), "")


if __name__ == "__main__":
    netns.test_main("integration/telemetry", body)
