#!/usr/bin/python3
"""pingwire-flood sweeps a prefix (docs/flood.md: "A sweep prints ... one line per host that
answered ... then a count line"), against a Linux peer namespace that holds exactly 5 of its
addresses, on-link: the flood's port is 198.18.0.2/24 and 2001:2::2/64 on a veth; the peer
holds 198.18.0.1/24, 2001:2::1/64 and 5 addresses of each swept prefix
(198.18.0.16/28: 14 hosts, .17-.30; 2001:2::10/124: 15 hosts, ::11-::1f, the
Subnet-Router anycast ::10 skipped). The other 9 / 10 answer nothing (not even ARP / NS).

- echo, IPv4 and IPv6: exactly the 5 listed, each "ADDR alive: echo, ttl 64 (initial 64,
  0 hops), rtt X ms"; no line for the others; "5 of 14 addresses alive" (15 for IPv6); exit
  0; the JSON agrees (alive 5, one entry per target, alive / alive_by / ttl / initial_ttl /
  hops for the 5, not alive for the rest).
- --show-dead: the other 9 as "ADDR dead".
- the peer ignores echo (icmp_echo_ignore_all=1 / net.ipv6.icmp.echo_ignore_all=1): an echo
  sweep finds none (exit 1, "0 of 14 addresses alive"); with a TCP listener on port 8080
  (bound to [::], dual-stack), `--probe tcp-syn:8080` finds the same 5 ("alive: tcp-syn" or
  "alive: tcp-syn:8080": docs/flood.md does not spell the label of a probe with a port);
  `--probe udp:33434` (no socket there) finds them by the port unreachable they send
  ("alive: udp[:33434]"; the peer's ICMP rate limits are off, net.ipv4.icmp_ratelimit=0 /
  net.ipv6.icmp.ratelimit=0, so that 5 errors all go out).
- a peer with net.ipv4.ip_default_ttl=128 (IPv6: hop_limit=128 on its veth): "ttl 128
  (initial 128, 0 hops)".
"""

import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import floodutil as fu  # noqa: E402
import netns  # noqa: E402

SWEEP4, SWEEP6 = "198.18.0.16/28", "2001:2::10/124"
HOLD4 = ["198.18.0.17", "198.18.0.19", "198.18.0.22", "198.18.0.25", "198.18.0.30"]
HOLD6 = ["2001:2::11", "2001:2::13", "2001:2::16", "2001:2::19", "2001:2::1e"]
TCP_PORT, UDP_PORT = 8080, 33434


def hosts_of(prefix: str) -> list[str]:
    net = ipaddress.ip_network(prefix)
    if net.version == 4:
        return [str(a) for a in net.hosts()]
    return [str(a) for a in list(net)[1:]]  # Subnet-Router anycast (prefix::) skipped


def norm(addr: str) -> str:
    try:
        return str(ipaddress.ip_address(addr))
    except ValueError:
        return addr


def sweep(args, topo, prefix: str, extra: list[str]) -> fu.FloodResult:
    return fu.flood_on(topo, args.flood, fu.port_spec() + ["--dst", prefix, "--rate", "1000",
                                                           "--quiet", *extra]).run(timeout=60)


def check_sweep(rep, res, what: str, prefix: str, held: list[str], by: str, *, ttl: int = 64,
                show_dead: bool = False, port: int | None = None) -> None:
    # The probe that found it: docs/flood.md shows "echo"; for the kinds with a port it does
    # not spell the label: the kind alone or the --probe text (tcp-syn:PORT) are both taken.
    labels = {by} | ({f"{by}:{port}"} if port is not None else set())
    shown = by if port is None else f"{by}[:{port}]"
    all_hosts = hosts_of(prefix)
    others = [a for a in all_hosts if a not in held]
    n = len(all_hosts)
    alive = {norm(a.addr): a for a in res.alive}
    ev = f"{res.evidence}\n{res.json_brief('targets', 'transmitted', 'received', 'alive')}"
    rep.check(f"{what}: exit 0", res.rc == 0 and not res.killed, f"exit code {res.rc}")
    rep.check(f"{what}: exactly the {len(held)} held addresses listed alive, each once",
              sorted(alive) == sorted(held) and len(res.alive) == len(held), ev)
    good = [a for a in res.alive
            if a.by in labels and a.ttl == ttl and a.initial == ttl and a.hops == 0
            and 0 < a.rtt_ms < 1000]
    rep.check(f"{what}: each line 'ADDR alive: {shown}, ttl {ttl} (initial {ttl}, 0 hops), rtt X "
              f"ms'", len(good) == len(held) == len(res.alive),
              "\n".join(a.line for a in res.alive) or "(no alive lines)")
    listed_others = [ln for ln in res.stdout.splitlines()
                     if ln.split() and norm(ln.split()[0]) in others]
    if show_dead:
        rep.check(f"{what}: --show-dead lists the other {len(others)} as 'ADDR dead', nothing "
                  f"else about them", sorted(map(norm, res.dead)) == sorted(others)
                  and len(listed_others) == len(others), "\n".join(listed_others))
    else:
        rep.check(f"{what}: the {len(others)} that answer nothing are not listed",
                  not listed_others and not res.dead, "\n".join(listed_others) or "(none)")
    rep.check(f"{what}: count line '{len(held)} of {n} addresses alive'",
              res.count_line == (len(held), n), f"parsed: {res.count_line}")
    j = res.json or {}
    hosts = j.get("hosts") or []
    jalive = sorted(norm(h.get("address", "")) for h in hosts if h.get("alive"))
    jgood = all(res.host(a) and res.host(a).get("alive_by") in labels
                and res.host(a).get("ttl") == ttl and res.host(a).get("initial_ttl") == ttl
                and res.host(a).get("hops") == 0 for a in held)
    rep.check(f"{what}: JSON: targets {n}, alive {len(held)}, {n} hosts, the {len(held)} alive "
              f"by {shown} with ttl/initial_ttl {ttl} and 0 hops, the rest not alive",
              j.get("targets") == n and j.get("alive") == len(held) and len(hosts) == n
              and jalive == sorted(held) and jgood and j.get("hosts_truncated") is False,
              res.json_brief("targets", "alive", "hosts_truncated") + "\n"
              + netns.indent("\n".join(str(h) for h in hosts if h.get("alive"))))


def body(args, rep):
    with netns.Topology(verbose=True) as topo:
        fu.prepare_peer(topo)
        h = topo.host_ns
        for a in HOLD4:
            fu.ns_run(h, ["ip", "addr", "add", f"{a}/32", "dev", topo.host_if])
        for a in HOLD6:
            fu.ns_run(h, ["ip", "-6", "addr", "add", f"{a}/128", "dev", topo.host_if, "nodad"])
        netns.log(f"peer {h}/{topo.host_if} holds {', '.join(HOLD4)} and {', '.join(HOLD6)}")

        res = sweep(args, topo, SWEEP4, [])
        check_sweep(rep, res, f"echo sweep {SWEEP4}", SWEEP4, HOLD4, "echo")
        res = sweep(args, topo, SWEEP6, [])
        check_sweep(rep, res, f"echo sweep {SWEEP6}", SWEEP6, HOLD6, "echo")
        res = sweep(args, topo, SWEEP4, ["--show-dead"])
        check_sweep(rep, res, f"echo sweep {SWEEP4} --show-dead", SWEEP4, HOLD4, "echo",
                    show_dead=True)

        netns.log(fu.sysctl(h, "net.ipv4.icmp_echo_ignore_all", 1))
        netns.log(fu.sysctl(h, "net.ipv6.icmp.echo_ignore_all", 1))
        res = sweep(args, topo, SWEEP4, [])
        rep.check(f"echo sweep {SWEEP4}, the peer ignoring echo: none alive, '0 of 14 "
                  f"addresses alive', exit 1",
                  res.rc == 1 and not res.alive and res.count_line == (0, 14), res.evidence)
        with netns.tcp_listener(h, "::", TCP_PORT):  # dual-stack: IPv4 SYNs reach it too
            netns.log(f"TCP listener in {h} on [::]:{TCP_PORT} (IPv4 and IPv6)")
            res = sweep(args, topo, SWEEP4, ["--probe", f"tcp-syn:{TCP_PORT}"])
            check_sweep(rep, res, f"tcp-syn:{TCP_PORT} sweep {SWEEP4} (echo ignored)", SWEEP4,
                        HOLD4, "tcp-syn", port=TCP_PORT)
            res = sweep(args, topo, SWEEP6, ["--probe", f"tcp-syn:{TCP_PORT}"])
            check_sweep(rep, res, f"tcp-syn:{TCP_PORT} sweep {SWEEP6} (echo ignored)", SWEEP6,
                        HOLD6, "tcp-syn", port=TCP_PORT)
        netns.log(fu.sysctl(h, "net.ipv4.icmp_ratelimit", 0))
        netns.log(fu.sysctl(h, "net.ipv6.icmp.ratelimit", 0))
        res = sweep(args, topo, SWEEP4, ["--probe", f"udp:{UDP_PORT}"])
        check_sweep(rep, res, f"udp:{UDP_PORT} sweep {SWEEP4} (closed port: port unreachable)",
                    SWEEP4, HOLD4, "udp", port=UDP_PORT)
        res = sweep(args, topo, SWEEP6, ["--probe", f"udp:{UDP_PORT}"])
        check_sweep(rep, res, f"udp:{UDP_PORT} sweep {SWEEP6} (closed port: port unreachable)",
                    SWEEP6, HOLD6, "udp", port=UDP_PORT)
        netns.log(fu.sysctl(h, "net.ipv4.icmp_echo_ignore_all", 0))
        netns.log(fu.sysctl(h, "net.ipv6.icmp.echo_ignore_all", 0))

        netns.log(fu.sysctl(h, "net.ipv4.ip_default_ttl", 128))
        netns.log(fu.sysctl(h, f"net.ipv6.conf.{topo.host_if}.hop_limit", 128))
        res = sweep(args, topo, SWEEP4, [])
        check_sweep(rep, res, f"echo sweep {SWEEP4}, peer ip_default_ttl=128", SWEEP4, HOLD4,
                    "echo", ttl=128)
        res = sweep(args, topo, SWEEP6, [])
        check_sweep(rep, res, f"echo sweep {SWEEP6}, peer hop_limit=128", SWEEP6, HOLD6, "echo",
                    ttl=128)


if __name__ == "__main__":
    fu.flood_main("integration/flood-sweep", body, extra_tools=("ethtool",))
