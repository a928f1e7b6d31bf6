#!/usr/bin/python3
"""pingwire-responder as a router (--forward) between two Linux namespaces, judged by real
Linux tools (issue 4). Topology (netns.RouterTopology): A 198.18.1.2 -- [port 0 198.18.1.1 |
pingwire | port 1 198.18.2.1] -- B 198.18.2.2 (and 2001:2:0:1::/64, 2001:2:0:2::/64), two
net_af_packet ports; A and B route only 198.18.0.0/15 and 2001:2::/48 through the router.

One responder run, with these routes besides the connected ones:
    --route 198.18.3.0/24,via=198.18.2.2      --route 2001:2:0:3::/64,via=2001:2:0:2::2
        (B also owns 198.18.3.1/24 and 2001:2:0:3::1/64 on its loopback)
    --route 198.18.4.0/24,reject               --route 2001:2:0:4::/64,reject
    --deny 198.18.5.0/24                       --deny 2001:2:0:5::/64         (no route at all)
    --route 198.18.6.0/24,blackhole            --route 2001:2:0:6::/64,blackhole
    --route 198.18.8.0/24,via=198.18.2.2 --deny 198.18.8.0/22   (and the IPv6 twins: the ACL
        beats a more specific route; B owns 198.18.8.1 and 2001:2:0:8::1)
    --icmp-ratelimit 0 --icmp6-ratelimit 0: six traceroutes and a dozen errors to one host
        within seconds would otherwise meet the per-destination limit (1/s after a burst of
        6, as on Linux) and show '*'; B's kernel gets the same (its Port Unreachables).

Checks:
- `ping` A -> B, IPv4 and IPv6: 0% loss, replies with ttl=63 (the router took one).
- `traceroute -n` (UDP), `-I` (ICMP echo), `-T -p 5002` (TCP SYN; B listens there), and the
  same three with -6: hop 1 is the router's address on A's side, hop 2 is B, 3 answers each,
  no '*' and no '!' flag. (-w 5,0,0: each probe may take up to 5 s; traceroute's default
  gives up on a probe after 3 times the RTT of another at the same hop, ~3 ms here.)
- `ping` A -> 198.18.3.1 / 2001:2:0:3::1 through the --route via B: 0% loss; the router has
  no neighbour entry for those (it used B's).
- Net Unreachable / "No route" for 198.18.99.9 / 2001:2:0:99::9 (no route); Host Unreachable /
  "Address unreachable" for 198.18.2.77 / 2001:2:0:2::77 (connected, nobody there) after the
  ~3 s of failed ARP / NS; "Packet filtered" (code 13) / "Administratively prohibited" (code 1)
  for the reject route, the --deny prefix and the deny over a more specific route; nothing at
  all for the blackhole; "Time to live exceeded" / "Time exceeded: Hop limit" for `ping -t 1`.
  Every error comes from the router's address on A's side.
- After SIGTERM: every port balances (rx == answered + forwarded + held + drops, tx ==
  answered + generated + fwd_sent), sum(forwarded) == sum(fwd_sent + fwd_failed) over the
  ports, all generated frames are ICMP errors or neighbour probes (error sent + probes_sent); forwarded > 0 on both ports; the drops
  no_route, route_reject, acl_denied, route_blackhole, ttl_expired and the IcmpMsg /
  Icmp6Msg out-types are exactly what was provoked; resolutions_failed 2; the neighbour lines
  show A's and B's MACs reachable or stale and the two unresolved addresses failed.
"""

import concurrent.futures
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import (A_ADDR4, A_ADDR6, B_ADDR4, B_ADDR6, R0_ADDR4, R0_ADDR6,  # noqa: E402
                   indent)

TCP_PORT = 5002  # B listens here for traceroute -T

ROUTES = [
    "--route", "198.18.3.0/24,via=198.18.2.2", "--route", "2001:2:0:3::/64,via=2001:2:0:2::2",
    "--route", "198.18.4.0/24,reject", "--route", "2001:2:0:4::/64,reject",
    "--deny", "198.18.5.0/24", "--deny", "2001:2:0:5::/64",
    "--route", "198.18.6.0/24,blackhole", "--route", "2001:2:0:6::/64,blackhole",
    "--route", "198.18.8.0/24,via=198.18.2.2", "--route", "2001:2:0:8::/64,via=2001:2:0:2::2",
    "--deny", "198.18.8.0/22", "--deny", "2001:2:0:8::/62",
    "--icmp-ratelimit", "0", "--icmp6-ratelimit", "0",
]
B_EXTRA = ["198.18.3.1/24", "2001:2:0:3::1/64", "198.18.8.1/24", "2001:2:0:8::1/64"]


def src_of(v6: bool) -> str:
    return R0_ADDR6 if v6 else R0_ADDR4


def parallel(topo, jobs):
    """Runs [(ns, cmd, timeout)] at once; returns [(cmd, CompletedProcess, seconds)]."""
    def one(job):
        ns, cmd, timeout = job
        t0 = time.monotonic()
        cp = topo.run_in(ns, cmd, timeout=timeout)
        return cmd, cp, time.monotonic() - t0
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as ex:
        return list(ex.map(one, jobs))


def shown(topo, ns, cmd, cp, secs=None) -> str:
    took = f", {secs:.1f} s" if secs is not None else ""
    return f"$ {topo.cmdline(ns, cmd)}   (exit {cp.returncode}{took})\n" \
           f"{indent(cp.stdout + cp.stderr)}"


# --------------------------------------------------------------------------------------------


def check_pings(rep, topo, what: str, dst4: str, dst6: str) -> None:
    for v6, dst in ((False, dst4), (True, dst6)):
        args = [*(["-6"] if v6 else []), "-c", "5", "-i", "0.2", "-W", "2", dst]
        p = topo.ping(args)
        ttls = re.findall(r"ttl=(\d+)", p.output)
        rep.check(f"ping{' -6' if v6 else ''} A -> {dst} ({what}): 5 of 5 answered, 0% loss, "
                  f"every reply ttl=63 (B's 64 less the router's hop)",
                  p.clean and p.received == 5 and ttls == ["63"] * 5, p.evidence)


_HOP = re.compile(r"^\s*(\d+)\s+(.*)$")


def check_traceroute(rep, topo, v6: bool, mode: list[str], label: str) -> None:
    dst = B_ADDR6 if v6 else B_ADDR4
    # -w 5,0,0: wait up to 5 s for every probe. traceroute's default (5,3,10) stops waiting
    # for a probe 3 times the RTT of an answered one at the same hop: ~3 ms here, so a busy
    # machine's scheduling jitter alone would print '*' for an answer that did come.
    cmd = ["traceroute", *(["-6"] if v6 else []), "-n", *mode, "-w", "5,0,0", dst]
    cp = topo.a(cmd, timeout=60)
    hops = [(int(m.group(1)), m.group(2)) for m in map(_HOP.match, cp.stdout.splitlines()[1:])
            if m]

    def hop_ok(hop, n, addr):
        fields = hop[1].split()
        return (hop[0] == n and fields[:1] == [addr] and len(re.findall(r"[\d.]+ ms", hop[1])) == 3
                and "*" not in fields and not any(f.startswith("!") for f in fields))

    ok = (cp.returncode == 0 and len(hops) == 2 and hop_ok(hops[0], 1, src_of(v6))
          and hop_ok(hops[1], 2, dst))
    rep.check(f"`{' '.join(cmd[:-1])}` ({label}): hop 1 is the "
              f"router ({src_of(v6)}), hop 2 is B ({dst}), 3 answers each, no '*' or '!'",
              ok, shown(topo, "a", cmd, cp))


# (what, ping args, the line ping must print (regex), or None: must print no error at all)
def unreachable_cases():
    return [
        ("no route: Net Unreachable", ["-c", "1", "-W", "2", "198.18.99.9"],
         rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Destination Net Unreachable"),
        ("no route (IPv6): No route", ["-6", "-c", "1", "-W", "2", "2001:2:0:99::9"],
         rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Destination unreachable: No route"),
        ("connected subnet, no host: Host Unreachable after failed ARP",
         ["-c", "1", "-W", "8", "198.18.2.77"],
         rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Destination Host Unreachable"),
        ("connected subnet, no host (IPv6): Address unreachable after failed NS",
         ["-6", "-c", "1", "-W", "8", "2001:2:0:2::77"],
         rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Destination unreachable: Address unreachable"),
        ("--route 198.18.4.0/24,reject: Packet filtered (code 13)",
         ["-c", "1", "-W", "2", "198.18.4.1"],
         rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Packet filtered"),
        ("--route 2001:2:0:4::/64,reject: Administratively prohibited (code 1)",
         ["-6", "-c", "1", "-W", "2", "2001:2:0:4::1"],
         rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Destination unreachable: Administratively "
         rf"prohibited"),
        ("--deny 198.18.5.0/24: Packet filtered", ["-c", "1", "-W", "2", "198.18.5.1"],
         rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Packet filtered"),
        ("--deny 2001:2:0:5::/64: Administratively prohibited",
         ["-6", "-c", "1", "-W", "2", "2001:2:0:5::1"],
         rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Destination unreachable: Administratively "
         rf"prohibited"),
        ("--deny 198.18.8.0/22 beats --route 198.18.8.0/24 via B: Packet filtered",
         ["-c", "1", "-W", "2", "198.18.8.1"],
         rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Packet filtered"),
        ("--deny 2001:2:0:8::/62 beats --route 2001:2:0:8::/64 via B: Administratively "
         "prohibited", ["-6", "-c", "1", "-W", "2", "2001:2:0:8::1"],
         rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Destination unreachable: Administratively "
         rf"prohibited"),
        ("--route 198.18.6.0/24,blackhole: no reply, no error", ["-c", "1", "-W", "2",
                                                                 "198.18.6.1"], None),
        ("--route 2001:2:0:6::/64,blackhole: no reply, no error",
         ["-6", "-c", "1", "-W", "2", "2001:2:0:6::1"], None),
        ("ping -t 1: Time to live exceeded from the router", ["-c", "1", "-W", "2", "-t", "1",
                                                              B_ADDR4],
         rf"From {re.escape(R0_ADDR4)} icmp_seq=1 Time to live exceeded"),
        ("ping -6 -t 1: Time exceeded: Hop limit from the router",
         ["-6", "-c", "1", "-W", "2", "-t", "1", B_ADDR6],
         rf"From {re.escape(R0_ADDR6)} icmp_seq=1 Time exceeded: Hop limit"),
    ]


def check_unreachables(rep, topo) -> None:
    cases = unreachable_cases()
    results = parallel(topo, [("a", ["ping", *args], 30) for _, args, _ in cases])
    for (what, args, want), (cmd, cp, secs) in zip(cases, results):
        out = cp.stdout + cp.stderr
        p = netns.parse_ping(cmd, cp)
        ev = shown(topo, "a", cmd, cp, secs)
        if want is None:
            ok = (p.transmitted == 1 and p.received == 0 and p.errors == 0
                  and "From " not in out)
            rep.check(f"ping {' '.join(args)} ({what})", ok, ev)
            continue
        lines = [ln for ln in out.splitlines() if ln.startswith("From ")]
        ok = (p.transmitted == 1 and p.received == 0 and p.errors == 1 and len(lines) == 1
              and re.fullmatch(want, lines[0].strip()) is not None)
        if "Unreachable after" in what or "unreachable after" in what:
            # The router tries ARP / NS 3 times, 1 s apart, then gives up (RFC 4861 7.2.2).
            ok = ok and 2.5 <= secs <= 6
            what += f" (took {secs:.1f} s, want 2.5..6)"
        rep.check(f"ping {' '.join(args)} ({what})", ok, ev)


# --------------------------------------------------------------------------------------------


def check_final_counters(rep, topo, res) -> None:
    pcs, rt = netns.check_router_counters(rep, res, (0, 1))
    if len(pcs) != 2 or rt is None:
        return
    p0, p1 = pcs[0], pcs[1]
    rep.check("forwarded > 0 on both ports (A -> B on port 0, B -> A on port 1)",
              p0.forwarded > 0 and p1.forwarded > 0,
              f"port 0 forwarded {p0.forwarded} fwd_sent {p0.fwd_sent}; "
              f"port 1 forwarded {p1.forwarded} fwd_sent {p1.fwd_sent}")
    # What was provoked, all from A (port 0): per family, 3 traceroutes x 3 probes at TTL 1
    # and one ping -t 1; one ping each to no route, reject, deny and deny-over-route, and
    # blackhole; the unresolved neighbour shows up as an error, not as a drop.
    want_drops = {"no_route": 2, "route_reject": 2, "acl_denied": 4, "route_blackhole": 2,
                  "ttl_expired": 2 * (3 * 3 + 1)}
    got = {k: p0.drop(k) for k in want_drops}
    rep.check("port 0 drops exactly as provoked: " + ", ".join(f"{k} {v}" for k, v in
                                                             want_drops.items()),
              got == want_drops, f"port 0 drops {p0.drops}")
    want_mib = {("IcmpMsg", "OutType3"): 5, ("IcmpMsg", "OutType11"): 10,
                ("Icmp6Msg", "OutType1"): 5, ("Icmp6Msg", "OutType3"): 10}
    got_mib = {k: p0.msg(*k) for k in want_mib}
    rep.check("port 0 errors sent exactly as provoked: IcmpMsg OutType3 5 (net, host, reject, "
              "2 deny) OutType11 10, Icmp6Msg OutType1 5 OutType3 10; none rate-limited",
              got_mib == want_mib and p0.error("sent") == 30
              and p0.mib.get("Icmp", {}).get("OutRateLimitHost", 0) == 0
              and p0.mib.get("Icmp6", {}).get("OutRateLimitHost", 0) == 0,
              f"IcmpMsg {p0.mib.get('IcmpMsg')}; Icmp6Msg {p0.mib.get('Icmp6Msg')}; "
              f"errors {p0.errors}")
    p1_errs = {k: v for k, v in p1.errors.items() if v}
    rep.check("port 1 (B's side) sent no ICMP errors and dropped nothing routed",
              not p1_errs and not any(p1.drop(k) for k in want_drops),
              f"port 1 errors {p1.errors}; drops {p1.drops}")
    rep.check("router: resolutions_failed 2 (198.18.2.77 and 2001:2:0:2::77)",
              rt.stat("resolutions_failed") == 2, rt.text)
    neigh_ok = []
    for addr, port, mac in ((B_ADDR4, 1, topo.b_mac), (B_ADDR6, 1, topo.b_mac),
                            (A_ADDR4, 0, topo.a_mac), (A_ADDR6, 0, topo.a_mac)):
        n = rt.neighbour(addr, port)
        neigh_ok.append(n is not None and n.mac == mac.lower()
                        and n.state in ("reachable", "stale"))
    rep.check(f"neighbour lines: B ({B_ADDR4}, {B_ADDR6}) on port 1 and A ({A_ADDR4}, "
              f"{A_ADDR6}) on port 0 with their MACs ({topo.b_mac}, {topo.a_mac}), reachable "
              f"or stale", all(neigh_ok), rt.text)
    failed = [rt.neighbour(a, 1) for a in ("198.18.2.77", "2001:2:0:2::77")]
    rep.check("neighbour lines: 198.18.2.77 and 2001:2:0:2::77 on port 1 failed",
              all(n is not None and n.state == "failed" for n in failed), rt.text)
    via = [rt.neighbour(a) for a in ("198.18.3.1", "2001:2:0:3::1", "198.18.8.1",
                                     "2001:2:0:8::1")]
    rep.check("no neighbour entry for the addresses behind the --route via B (the gateway's "
              "entry was used) or behind the deny", all(n is None for n in via), rt.text)


def body(args, rep):
    with netns.RouterTopology(verbose=True) as topo:
        for a in B_EXTRA:
            topo.add_b_address(a)
        # B is a test fixture: its own ICMP errors (traceroute's Port Unreachables) unlimited.
        topo.b(["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"], check=True)
        topo.b(["sysctl", "-qw", "net.ipv6.icmp.ratelimit=0"], check=True)
        app = topo.router_args(extra=ROUTES)
        with netns.Responder(topo, args.responder, app_args=app) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            check_pings(rep, topo, "connected on port 1", B_ADDR4, B_ADDR6)
            with netns.tcp_listener(topo.b_ns, B_ADDR4, TCP_PORT), \
                 netns.tcp_listener(topo.b_ns, B_ADDR6, TCP_PORT):
                for v6 in (False, True):
                    check_traceroute(rep, topo, v6, [], "UDP to closed ports, B's Port "
                                     "Unreachable ends it")
                    check_traceroute(rep, topo, v6, ["-I"], "ICMP echo")
                    check_traceroute(rep, topo, v6, ["-T", "-p", str(TCP_PORT)],
                                     f"TCP SYN to port {TCP_PORT}, where B listens")
            check_pings(rep, topo, "--route via B to its loopback", "198.18.3.1",
                        "2001:2:0:3::1")
            check_unreachables(rep, topo)
            res = r.stop()
            check_final_counters(rep, topo, res)


if __name__ == "__main__":
    netns.test_main("integration/router", body, extra_tools=("traceroute", "ethtool"))
