#!/usr/bin/python3
"""ICMP error rate limits of pingwire-responder, measured exactly (veth, net_af_packet, scapy
frames through a raw socket in the host namespace).

All runs use --icmp-ratelimit-deterministic (one global credit per error instead of Linux's
random 0-2), so the figures are exact:

1. Per destination, Linux defaults (burst 6, then 1 per 1000 ms): 200 UDP probes to a closed
   port from one source within well under a second get exactly 6 Port Unreachables, for the
   first 6 probes, and the summary says rate_limited_host 194. The same again over IPv6 from
   the host's IPv6 address (its own bucket): 6 back, 194 limited.
2. Per destination, --icmp-ratelimit 100 --icmp-ratelimit-burst 6: probes every 5 ms for about
   1 s get 6 + floor(elapsed / 100 ms) errors, +-1 (elapsed from the first probe sent to the
   last).
3. Global, --icmp-msgs-per-sec 10 --icmp-msgs-burst 5 --icmp-ratelimit 0: one probe from each
   of 191 sources (198.18.0.10-200, spoofed inside the host subnet; errors go back to the MAC
   of the invoking frame, so no ARP is involved) within a few ms get exactly 5 errors; the
   summary says rate_limited_global 186.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, HOST_ADDR4, HOST_ADDR6, PREFIX4, PREFIX6  # noqa: E402

PORT_SPEC = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
CLOSED_PORT = 33434
SPORT_BASE = 20000
PROBES = 200


def udp_probe(topo, r, i: int, v6: bool = False, src: str | None = None) -> bytes:
    S = pktutil.load_scapy()
    ip = (S.IPv6(src=src or HOST_ADDR6, dst=DUT_ADDR6) if v6
          else S.IP(src=src or HOST_ADDR4, dst=DUT_ADDR4, id=i & 0xFFFF))
    return bytes(S.Ether(src=topo.host_mac, dst=r.expected_mac) / ip
                 / S.UDP(sport=SPORT_BASE + i, dport=CLOSED_PORT) / S.Raw(b"pingwire-rl" * 3))


def port_unreachables(port, since: float, v6: bool) -> list:
    """Port Unreachables received since `since` that quote one of our probes."""
    want = (1, 4) if v6 else (3, 3)
    out = []
    for x in pktutil.received(port, since, 6 if v6 else 4):
        if (x.icmp_type, x.icmp_code) != want:
            continue
        sport = pktutil.udp_sport_of_quote(x)
        if sport is not None and SPORT_BASE <= sport < SPORT_BASE + 10_000:
            out.append((sport - SPORT_BASE, x))
    return out


def app(args, *extra: str) -> list[str]:
    spec = PORT_SPEC.replace("0,", f"0,mac={args.mac},", 1) if args.mac else PORT_SPEC
    return ["--port", spec, "--icmp-ratelimit-deterministic", *extra]


def start(args, rep, topo, extra: list[str], v6_twin: list[str]) -> netns.Responder:
    """Starts the responder with `extra` (the options as a user would give them, named after
    the IPv4 sysctls). Should it refuse them (it wants --icmp6-ratelimit to match), that is
    a FAIL of its own, and the run goes on with `v6_twin` added so that the limit itself is
    still measured."""
    r = netns.Responder(topo, args.responder, mac=args.mac, app_args=app(args, *extra))
    netns.log(f"$ {r.command_line}")
    try:
        r.start()
        rep.check(f"the responder accepts {' '.join(extra)}", True)
        return r
    except netns.StartError as e:
        r.__exit__(None, None, None)
        rep.check(f"the responder accepts {' '.join(extra)} (Linux takes "
                  f"net.ipv4.icmp_ratelimit alone)", False, str(e))
    r = netns.Responder(topo, args.responder, mac=args.mac, app_args=app(args, *extra, *v6_twin))
    netns.log(f"going on with {' '.join(v6_twin)} added\n$ {r.command_line}")
    r.start()
    return r


def burst_run(args, rep, topo) -> None:
    with netns.Responder(topo, args.responder, mac=args.mac, app_args=app(args)) as r:
        netns.log(f"$ {r.command_line}")
        r.start()
        with netns.L2Port(topo.host_ns, topo.host_if) as port:
            for v6 in (False, True):
                fam = "IPv6" if v6 else "IPv4"
                frames = [udp_probe(topo, r, i, v6) for i in range(PROBES)]
                t0 = time.monotonic()
                first = port.send(frames[0])
                for f in frames[1:]:
                    last = port.send(f)
                elapsed = last - first
                pktutil.wait_quiet(port, t0, settle=0.5)
                got = port_unreachables(port, t0, v6)
                idx = sorted(i for i, _ in got)
                src = HOST_ADDR6 if v6 else HOST_ADDR4
                rep.check(f"{fam}: {PROBES} UDP probes to a closed port from {src} within "
                          f"{elapsed * 1000:.1f} ms (defaults: burst 6, 1 per 1000 ms): exactly "
                          f"6 Port Unreachables, for the first 6 probes",
                          len(got) == 6 and idx == list(range(6)) and elapsed < 0.5,
                          f"{len(got)} errors back, for probes {idx}; sent in "
                          f"{elapsed * 1000:.1f} ms"
                          + "".join(f"\n  {x.summary()}" for _, x in got[:8]))
                if got:
                    rep.check(f"{fam}: the errors come from {DUT_ADDR6 if v6 else DUT_ADDR4}, "
                              f"to {src}, hop limit/TTL 64" + ("" if v6 else ", TOS 0xc0")
                              + ", checksums right",
                              all(y.src == (DUT_ADDR6 if v6 else DUT_ADDR4) and y.dst == src
                                  and y.hlim == 64 and y.csum_ok
                                  and (v6 or y.tos == 0xC0) for _, y in got),
                              "\n".join(f"{y.summary()} ttl/hlim {y.hlim} tos {y.tos} "
                                        f"checksums ok {y.csum_ok}" for _, y in got))
        res = r.stop()
        pc = netns.check_counters(rep, res, 0)
        if pc:
            rep.check(f"summary: error rate_limited_host {2 * (PROBES - 6)} (194 per family: "
                      f"Icmp OutRateLimitHost 194, Icmp6 OutRateLimitHost 194), error sent 12, "
                      f"no global limiting",
                      pc.error("rate_limited_host") == 2 * (PROBES - 6)
                      and pc.msg("Icmp", "OutRateLimitHost") == PROBES - 6
                      and pc.msg("Icmp6", "OutRateLimitHost") == PROBES - 6
                      and pc.error("sent") == 12 and pc.error("rate_limited_global") == 0,
                      f"errors {pc.errors}; Icmp {pc.mib.get('Icmp')}; Icmp6 {pc.mib.get('Icmp6')}")
            rep.check(f"summary: drop udp_port_closed {2 * PROBES} (every probe accounted for)",
                      pc.drop("udp_port_closed") == 2 * PROBES, f"drops {pc.drops}")


def rate_run(args, rep, topo) -> None:
    interval, gap, duration = 0.100, 0.005, 1.0
    with start(args, rep, topo, ["--icmp-ratelimit", "100", "--icmp-ratelimit-burst", "6"],
               ["--icmp6-ratelimit", "100"]) as r:
        with netns.L2Port(topo.host_ns, topo.host_if) as port:
            n = int(duration / gap) + 1
            frames = [udp_probe(topo, r, i) for i in range(n)]
            t0 = time.monotonic()
            first = port.send(frames[0])
            last = first
            for i, f in enumerate(frames[1:], 1):
                delay = first + i * gap - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                last = port.send(f)
            elapsed = last - first
            pktutil.wait_quiet(port, t0, settle=0.5)
            got = port_unreachables(port, t0, False)
            expect = 6 + int(elapsed / interval)
            times = [round((x.t - first) * 1000) for _, x in got]
            rep.check(f"--icmp-ratelimit 100 --icmp-ratelimit-burst 6: {n} probes over "
                      f"{elapsed * 1000:.0f} ms get 6 + floor(elapsed / 100 ms) = {expect} "
                      f"Port Unreachables (+-1)", abs(len(got) - expect) <= 1,
                      f"{len(got)} errors back; they arrived at +ms {times}")
        res = r.stop()
        pc = netns.check_counters(rep, res, 0)
        if pc:
            rep.check(f"summary: error sent {len(got)} and rate_limited_host {n - len(got)} "
                      f"add up to the {n} probes",
                      pc.error("sent") == len(got)
                      and pc.error("rate_limited_host") == n - len(got),
                      f"errors {pc.errors}")


def global_run(args, rep, topo) -> None:
    sources = [f"198.18.0.{h}" for h in range(10, 201)]
    with start(args, rep, topo, ["--icmp-msgs-per-sec", "10", "--icmp-msgs-burst", "5",
                                 "--icmp-ratelimit", "0"], ["--icmp6-ratelimit", "0"]) as r:
        with netns.L2Port(topo.host_ns, topo.host_if) as port:
            frames = [udp_probe(topo, r, i, src=s) for i, s in enumerate(sources)]
            t0 = time.monotonic()
            first = port.send(frames[0])
            for f in frames[1:]:
                last = port.send(f)
            elapsed = last - first
            pktutil.wait_quiet(port, t0, settle=0.5)
            got = port_unreachables(port, t0, False)
            expect = 5 + int(elapsed / 0.1)  # 5 unless sending took 100 ms or more
            rep.check(f"global limit (--icmp-msgs-per-sec 10 --icmp-msgs-burst 5 "
                      f"--icmp-ratelimit 0): one probe from each of {len(sources)} sources "
                      f"(198.18.0.10-200) within {elapsed * 1000:.1f} ms gets exactly {expect} "
                      f"Port Unreachables", len(got) == expect and elapsed < 0.1,
                      f"{len(got)} errors back, to "
                      f"{[x.dst for _, x in got]}; sent in {elapsed * 1000:.1f} ms")
            rep.check("global limit: the errors go to the sources of the first probes "
                      f"({', '.join(sources[:len(got)])}), each to the MAC of the invoking frame",
                      sorted(i for i, _ in got) == list(range(len(got)))
                      and all(x.dst == sources[i] and x.pkt.dst == topo.host_mac for i, x in got),
                      "\n".join(f"probe {i}: {x.summary()}" for i, x in got))
        res = r.stop()
        pc = netns.check_counters(rep, res, 0)
        if pc:
            rep.check(f"summary: error rate_limited_global {len(sources) - len(got)} (Icmp "
                      f"OutRateLimitGlobal too), error sent {len(got)}, no per-host limiting",
                      pc.error("rate_limited_global") == len(sources) - len(got)
                      and pc.msg("Icmp", "OutRateLimitGlobal") == len(sources) - len(got)
                      and pc.error("sent") == len(got) and pc.error("rate_limited_host") == 0,
                      f"errors {pc.errors}; Icmp {pc.mib.get('Icmp')}")


def body(args, rep):
    pktutil.load_scapy()
    with netns.Topology(verbose=True) as topo:
        burst_run(args, rep, topo)
        rate_run(args, rep, topo)
        global_run(args, rep, topo)


if __name__ == "__main__":
    netns.test_main("integration/ratelimit", body)
