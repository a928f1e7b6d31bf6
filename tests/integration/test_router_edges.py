#!/usr/bin/python3
"""What else a router owes its links (issue 4), with real Linux peers and scapy. Topology:
netns.RouterTopology(link="tap"): A 198.18.1.2 -- [port 0 198.18.1.1 | pingwire --forward |
port 1 198.18.2.1, mtu 1400] -- B 198.18.2.2 (and 2001:2:0:1::/64, 2001:2:0:2::/64), over
the responder's own net_tap links, so that fragments reach it as sent (net_af_packet would
hand it IPv4 fragments reassembled and cut to 1982 bytes). A also owns 198.18.1.3, the next
hop of `--route 198.18.7.0/24,via=198.18.1.3`; --send-redirects 1; rate limits off.

Crafted frames from A (scapy, raw socket on A's link; both links captured):
- Time Exceeded for TTL 1 (and TTL 0): 576 bytes, TTL 64, TOS 0xC0, from 198.18.1.1, quoting
  the packet as received (TTL 1, its own checksum) (RFC 1812 4.3.2.3, 5.3.1); IPv6 hop limit 1:
  1280 bytes quoting 1232 (RFC 4443 2.4(c), 3.3). Nothing reaches B.
- Frag Needed (3/4) with next-hop MTU 1400 for 1500 bytes with DF (RFC 1191); Packet Too Big
  with MTU 1400 for 1500 bytes of IPv6 (RFC 4443 3.2).
- No error about an ICMP error (a Destination Unreachable with TTL 1, and its IPv6 twin).
- A link-local source toward B: Destination Unreachable code 2, beyond scope (RFC 4443 3.1),
  not forwarded; a link-local destination that is not ours: nothing.
- Not forwarded, no error: IPv4 sources 127.0.0.1 and 0.0.0.0, destinations 224.1.2.3 and
  255.255.255.255, IPv6 multicast source (RFC 1812 5.3.7, 4.3.2.7).
- Ethernet padding is not forwarded: a 30-byte datagram in a 64-byte frame reaches B as a
  44-byte frame.
Linux tools from A:
- `ping -s 3000` (A sends it as 1500-byte fragments): the router fragments the fragments to
  1400: B gets 5 pieces per datagram, offsets 0, 1376, 1480, 2856, 2960, MF on all but the
  last (RFC 791 fragmenting a fragment); all answered.
- `ping -6 -s 3000`: the first gets "Packet too big: mtu=1400", then A fragments to 1400 and
  the rest are answered.
- `ping 198.18.7.1` (next hop 198.18.1.3, back out port 0): "Redirect Host(New nexthop:
  198.18.1.3)" from 198.18.1.1 (RFC 1812 5.2.7.2).
- `ping -b 198.18.2.255`, the directed broadcast of B's subnet: not ARPed for, no Host
  Unreachable (an error about a broadcast, RFC 1812 4.3.2.7), no neighbour entry for it
  (RFC 2644: not forwarded by default; if forwarded, as a link-layer broadcast).
- 12 s of `ping` and `ping -6` A -> B, 5 per second: 0% loss. The router learnt A's IPv6
  address from A's Neighbor Solicitation (STALE), so forwarding B's replies to A sends it
  through DELAY and PROBE (RFC 4861 7.3.3): unicast NS, which Linux answers with a solicited
  NA without the Target Link-Layer Address option (RFC 4861 7.2.4 allows it for a unicast NS);
  such an NA must confirm the entry (RFC 4861 7.2.5 II). Checked: no Address Unreachable sent
  to B, resolutions_failed 0, every unicast NS the router sent to A answered.
- After SIGTERM: counters balance per port and over the ports (the re-fragmented pieces
  counted), the drops of each case counted by their reason.
"""

import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import A_ADDR4, A_ADDR6, B_ADDR4, B_ADDR6, R0_ADDR4, R0_ADDR6  # noqa: E402

MTU = 1400
WAIT = 0.5  # seconds for an answer (or its absence) to a crafted frame
SUSTAIN = 60  # pings per family, 5 per second
APP_EXTRA = ["--send-redirects", "1", "--route", "198.18.7.0/24,via=198.18.1.3",
             "--icmp-ratelimit", "0", "--icmp6-ratelimit", "0"]


def is_nd(x: pktutil.Rx) -> bool:
    S = pktutil.S
    return S.ARP in x.pkt or (x.family == 6 and x.icmp_type in (133, 134, 135, 136))


def exchange(pa, pb, frame: bytes, wait: float = WAIT):
    """Sends a frame from A; returns (what A got, what B got), neighbour discovery left out."""
    t0 = time.monotonic()
    pa.send(frame)
    time.sleep(wait)
    at_a = [x for x in pktutil.received(pa, t0) if not is_nd(x)]
    at_b = [x for x in pktutil.received(pb, t0) if not is_nd(x)]
    return at_a, at_b


def seen(at_a, at_b) -> str:
    lines = [f"  A got: {x.summary()}" for x in at_a] + [f"  B got: {x.summary()}" for x in at_b]
    return "\n".join(lines) or f"  nothing at A or B within {WAIT} s"


def check_errors(rep, topo, pa, pb) -> dict[str, int]:
    """The crafted cases; returns the drops they should have caused, by reason."""
    S = pktutil.S
    eth = S.Ether(src=topo.a_mac, dst=topo.r0_mac)
    payload = S.Raw((bytes(range(256)) * 6)[:1400])

    def one_error(what, l3, want_type, want_code, total, extra_ok=lambda x: True,
                  ext_what="", src=None, dst=None):
        raw = bytes(l3)
        v6 = isinstance(l3, S.IPv6)
        at_a, at_b = exchange(pa, pb, bytes(eth / l3))
        errs = [x for x in at_a if x.icmp_type == want_type]
        ok = len(at_a) == 1 and len(errs) == 1 and not at_b
        detail = seen(at_a, at_b)
        if errs:
            x = errs[0]
            ip_len = len(x.icmp) + (40 if v6 else 20)
            qlen = len(x.quote)
            ok = (ok and x.icmp_code == want_code and x.csum_ok and ip_len == total
                  and x.src == (src or (R0_ADDR6 if v6 else R0_ADDR4))
                  and x.dst == (dst or (A_ADDR6 if v6 else A_ADDR4)) and x.hlim == 64
                  and (v6 or x.tos == 0xC0)
                  and x.quote == raw[:qlen] and qlen == min(len(raw), total - (48 if v6 else 28))
                  and extra_ok(x))
            detail += (f"\n  type {x.icmp_type} code {x.icmp_code}, from {x.src} to {x.dst}, "
                       f"IP{'v6' if v6 else ''} packet {ip_len} bytes, {'hlim' if v6 else 'TTL'} "
                       f"{x.hlim}{'' if v6 else f', TOS {x.tos:#04x}'}, checksums ok {x.csum_ok}, "
                       f"quote {qlen} bytes of {len(raw)}, the bytes sent: "
                       f"{x.quote == raw[:qlen]}; ICMP word 2: {x.icmp[4:8].hex()}")
        rep.check(f"{what}: one {'ICMPv6' if v6 else 'ICMP'} {want_type}/{want_code} from the "
                  f"router{f' ({src} to {dst})' if src else ''}, {total} bytes, {'hlim' if v6 else 'TTL'} 64"
                  f"{'' if v6 else ', TOS 0xc0'}, quoting the packet as received{ext_what}; "
                  f"nothing reaches B", ok, detail)

    def nothing(what, l3, frame=None):
        at_a, at_b = exchange(pa, pb, frame if frame is not None else bytes(eth / l3))
        rep.check(f"{what}: not forwarded, no error", not at_a and not at_b, seen(at_a, at_b))

    one_error("UDP, 1428 bytes, TTL 1", S.IP(src=A_ADDR4, dst=B_ADDR4, ttl=1, id=0x7101)
              / S.UDP(sport=40001, dport=9) / payload, 11, 0, 576)
    one_error("UDP, TTL 0", S.IP(src=A_ADDR4, dst=B_ADDR4, ttl=0, id=0x7102)
              / S.UDP(sport=40002, dport=9) / S.Raw(b"ttl zero"), 11, 0, 20 + 8 + 36)
    one_error("IPv6 UDP, 1448 bytes, hop limit 1", S.IPv6(src=A_ADDR6, dst=B_ADDR6, hlim=1)
              / S.UDP(sport=40003, dport=9) / payload, 3, 0, 1280)
    one_error("UDP, 1500 bytes, DF", S.IP(src=A_ADDR4, dst=B_ADDR4, flags="DF", id=0x7104)
              / S.UDP(sport=40004, dport=9) / S.Raw(b"d" * 1472), 3, 4, 576,
              lambda x: int.from_bytes(x.icmp[6:8], "big") == MTU, f", next-hop MTU {MTU}")
    one_error("IPv6 UDP, 1500 bytes", S.IPv6(src=A_ADDR6, dst=B_ADDR6)
              / S.UDP(sport=40005, dport=9) / S.Raw(b"d" * 1452), 2, 0, 1280,
              lambda x: int.from_bytes(x.icmp[4:8], "big") == MTU, f", MTU {MTU}")
    # To a link-local destination, from the router's link-local address (RFC 4443 2.2).
    one_error("IPv6 from link-local fe80::1 to B", S.IPv6(src="fe80::1", dst=B_ADDR6)
              / S.ICMPv6EchoRequest(id=0x7106), 1, 2, 40 + 8 + 48,
              lambda x: True, " (beyond scope of source address)",
              src=netns.link_local_from_mac(topo.r0_mac), dst="fe80::1")
    nothing("an ICMP error (Port Unreachable) with TTL 1: no Time Exceeded about it",
            S.IP(src=A_ADDR4, dst=B_ADDR4, ttl=1) / S.ICMP(type=3, code=3)
            / S.IPerror(src=B_ADDR4, dst=A_ADDR4) / S.UDPerror(sport=9, dport=40001))
    nothing("an ICMPv6 error (Port Unreachable) with hop limit 1: no Time Exceeded about it",
            S.IPv6(src=A_ADDR6, dst=B_ADDR6, hlim=1) / S.ICMPv6DestUnreach(code=4)
            / S.IPerror6(src=B_ADDR6, dst=A_ADDR6) / S.UDPerror(sport=9, dport=40003))
    nothing("IPv6 to fe80::99 (link-local, not ours)",
            S.IPv6(src=A_ADDR6, dst="fe80::99") / S.ICMPv6EchoRequest(id=0x7109))
    nothing("IPv4 from 127.0.0.1 to B", S.IP(src="127.0.0.1", dst=B_ADDR4) / S.ICMP(id=0x710a))
    nothing("IPv4 from 0.0.0.0 to B", S.IP(src="0.0.0.0", dst=B_ADDR4) / S.ICMP(id=0x710b))
    nothing("IPv4 to 224.1.2.3 (multicast), TTL 5, sent to the router's MAC",
            S.IP(src=A_ADDR4, dst="224.1.2.3", ttl=5) / S.ICMP(id=0x710c))
    nothing("IPv4 to 255.255.255.255, sent to the router's MAC",
            S.IP(src=A_ADDR4, dst="255.255.255.255") / S.ICMP(id=0x710d))
    nothing("IPv6 from ff02::1 (multicast source) to B",
            S.IPv6(src="ff02::1", dst=B_ADDR6) / S.ICMPv6EchoRequest(id=0x710e))
    # Ethernet padding: the IP datagram is 30 bytes, the frame 64.
    frame = bytes(eth / S.IP(src=A_ADDR4, dst=B_ADDR4, id=0x710f)
                  / S.UDP(sport=40015, dport=9) / S.Raw(b"pw")) + b"\xee" * 20
    at_a, at_b = exchange(pa, pb, frame)
    fwd = [x for x in at_b if x.family == 4 and x.pkt[pktutil.S.IP].id == 0x710f]
    rep.check("a 30-byte datagram in a 64-byte frame (padding 0xee): B gets it as a 44-byte "
              "frame (the padding not forwarded), and B's Port Unreachable comes back to A",
              len(fwd) == 1 and len(fwd[0].frame) == 14 + 30
              and any(x.icmp_type == 3 and x.src == B_ADDR4 for x in at_a),
              seen(at_a, at_b) + (f"\n  forwarded frame: {fwd[0].frame.hex()}" if fwd else ""))
    # ttl_expired: the two TTL cases, the hop limit case and the two ICMP errors.
    return {"ttl_expired": 5, "mtu_exceeded": 2, "beyond_scope": 1, "ip4_martian_source": 2,
            "ip6_martian_source": 1, "ip4_multicast_not_forwarded": 1,
            "icmp4_echo_to_broadcast": 1, "ip6_not_forwardable": 1}


def check_fragments(rep, topo, pb) -> int:
    """ping -s 3000 both families; returns the extra pieces the router made (IPv4)."""
    S = pktutil.S
    t0 = time.monotonic()
    p = topo.ping(["-c", "2", "-i", "0.2", "-W", "2", "-s", "3000", B_ADDR4])
    time.sleep(0.1)
    pieces: dict[int, list] = {}
    for _, f in pb.received(t0):
        x = S.Ether(f)
        if S.IP in x and x[S.IP].src == A_ADDR4 and x[S.IP].proto == 1:
            ip = x[S.IP]
            pieces.setdefault(ip.id, []).append((ip.frag * 8, bool(ip.flags.MF), ip.len))
    want = [0, 1376, 1480, 2856, 2960]
    ok = len(pieces) == 2 and all(
        sorted(o for o, _, _ in v) == want and all(n <= MTU for _, _, n in v)
        and [mf for _, mf, _ in sorted(v)] == [True] * 4 + [False] for v in pieces.values())
    ev = "\n".join(f"  at B, id {i:#06x}: " + ", ".join(
        f"{o}{'+MF' if mf else ''} ({n} bytes)" for o, mf, n in sorted(v))
        for i, v in pieces.items()) or "  at B: nothing"
    rep.check(f"ping -s 3000 (A sends 1500-byte fragments): all answered; the router fragments "
              f"each fragment to {MTU}: 5 pieces per datagram at offsets {want}, MF on all but "
              f"the last", p.clean and p.received == 2 and ok, f"{p.evidence}\n{ev}")
    p6 = topo.ping(["-6", "-c", "3", "-i", "0.2", "-W", "2", "-s", "3000", B_ADDR6])
    lines = [ln.strip() for ln in p6.output.splitlines() if ln.startswith("From ")]
    rep.check(f"ping -6 -s 3000: the first gets 'Packet too big: mtu={MTU}' from the router, A "
              f"then fragments to {MTU} and the other two are answered",
              p6.transmitted == 3 and p6.received == 2 and p6.errors == 1
              and lines == [f"From {R0_ADDR6} icmp_seq=1 Packet too big: mtu={MTU}"],
              p6.evidence)
    return sum(len(v) - 3 for v in pieces.values())  # A sent 3 fragments per datagram


def check_redirect(rep, topo) -> None:
    p = topo.ping(["-c", "1", "-W", "1", "198.18.7.1"])
    want = f"From {R0_ADDR4}: icmp_seq=1 Redirect Host(New nexthop: 198.18.1.3)"
    rep.check("ping 198.18.7.1 (--route via 198.18.1.3, A's own other address, back out port "
              f"0; --send-redirects 1): '{want}'",
              any(ln.strip() == want for ln in p.output.splitlines()), p.evidence)


def sustained(rep, topo) -> None:
    """12 s of pings both ways with the directed broadcast ping at the same time."""
    jobs = [["ping", "-c", str(SUSTAIN), "-i", "0.2", "-W", "1", B_ADDR4],
            ["ping", "-6", "-c", str(SUSTAIN), "-i", "0.2", "-W", "1", B_ADDR6],
            ["ping", "-b", "-c", "1", "-W", "5", "198.18.2.255"]]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as ex:
        cps = list(ex.map(lambda c: topo.a(c, timeout=60), jobs))
    p4, p6, pb = (netns.parse_ping(c, cp) for c, cp in zip(jobs, cps))
    for p in (p4, p6):
        rep.check(f"{' '.join(p.cmd)} (12 s through the router): 0% loss, no error",
                  p.clean and p.received == SUSTAIN, p.evidence)
    rep.check("ping -b 198.18.2.255 (B's subnet broadcast, through the router): no Host "
              "Unreachable or other error about it",
              "From " not in pb.output and pb.errors == 0, pb.evidence)


def body(args, rep):
    S = pktutil.load_scapy()
    with netns.RouterTopology(verbose=True, link="tap") as topo:
        app = topo.router_args(mtu1=MTU, extra=APP_EXTRA)
        with netns.Responder(topo, args.responder, app_args=app) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            topo.a(["ip", "addr", "add", "198.18.1.3/32", "dev", topo.a_if], check=True)
            # B's neighbour entries first (the crafted frames below expect nothing else).
            warm4 = topo.ping(["-c", "1", "-W", "2", B_ADDR4])
            warm6 = topo.ping(["-6", "-c", "1", "-W", "2", B_ADDR6])
            rep.check("ping and ping -6 A -> B answered (through the router, over net_tap)",
                      warm4.clean and warm6.clean, f"{warm4.evidence}\n{warm6.evidence}")
            # The router's own frames on A's link, captured throughout (NS / NA exchange).
            a_tx = netns.L2Port(topo.a_ns, topo.a_if, outgoing=True)
            t_start = time.monotonic()
            try:
                with netns.L2Port(topo.a_ns, topo.a_if) as pa, \
                     netns.L2Port(topo.b_ns, topo.b_if) as pb:
                    # First, while the router's entry for A's IPv6 address is the STALE one
                    # A's Neighbor Solicitation made, and B's replies to A put it in use.
                    b_since = time.monotonic()
                    sustained(rep, topo)
                    nd = nd_exchange(pa, a_tx, topo, t_start)
                    arp_bcast = [x for x in pktutil.received(pb, b_since)
                                 if S.ARP in x.pkt and x.pkt[S.ARP].op == 1
                                 and x.pkt[S.ARP].pdst == "198.18.2.255"]
                    rep.check("the router sends no ARP request for 198.18.2.255 (a broadcast "
                              "address is not a neighbour)", not arp_bcast,
                              "\n".join(f"  B got: {x.pkt.summary()}" for x in arp_bcast)
                              or "  no ARP request for 198.18.2.255 seen on B's link")
                    want_drops = check_errors(rep, topo, pa, pb)
                    extra = check_fragments(rep, topo, pb)
                    want_drops["mtu_exceeded"] += 2
                    check_redirect(rep, topo)
            finally:
                a_tx.close()
            res = r.stop()
            check_final(rep, topo, res, want_drops, extra, nd)


def nd_exchange(pa, a_tx, topo, since: float) -> dict:
    """The router's NS to A's IPv6 address and A's NAs to the router, from A's link."""
    S = pktutil.S
    out = {"ns": 0, "na": 0, "na_no_tlla": 0, "log": []}
    events = []
    for t, f in pa.received(since):
        x = S.Ether(f)
        if S.ICMPv6ND_NS in x and x[S.ICMPv6ND_NS].tgt == A_ADDR6:
            out["ns"] += 1
            kind = "multicast" if x[S.IPv6].dst.startswith("ff02:") else "unicast"
            events.append((t, f"router -> A: {kind} NS for {A_ADDR6} (to {x[S.IPv6].dst})"))
    for t, f in a_tx.received(since):
        x = S.Ether(f)
        if S.ICMPv6ND_NA in x and x[S.ICMPv6ND_NA].tgt == A_ADDR6:
            na = x[S.ICMPv6ND_NA]
            tlla = S.ICMPv6NDOptDstLLAddr in x
            out["na"] += 1
            out["na_no_tlla"] += not tlla
            events.append((t, f"A -> router: NA for {A_ADDR6} S={na.S} O={na.O} "
                              f"{'with' if tlla else 'WITHOUT'} target link-layer address"))
    out["log"] = [f"  {t - since:6.2f}s {e}" for t, e in sorted(events)]
    return out


def check_final(rep, topo, res, want_drops: dict, extra: int, nd: dict) -> None:
    pcs, rt = netns.check_router_counters(rep, res, (0, 1), extra_fragments=None)
    if len(pcs) != 2 or rt is None:
        return
    p0, p1 = pcs[0], pcs[1]
    rep.check(f"the router's IPv4 re-fragmenting is counted: sum(fwd_sent) + sum(fwd_failed) - "
              f"sum(forwarded) == {extra}, the extra pieces B received",
              sum(pc.fwd_sent for pc in pcs.values()) + sum(pc.fwd_failed for pc in pcs.values())
              - sum(pc.forwarded for pc in pcs.values()) == extra,
              "; ".join(f"port {p}: forwarded {pc.forwarded} fwd_sent {pc.fwd_sent} fwd_failed "
                        f"{pc.fwd_failed}" for p, pc in pcs.items()))
    got = {k: p0.drop(k) for k in want_drops}
    rep.check("port 0 drops as provoked: " + ", ".join(f"{k} {v}" for k, v in want_drops.items())
              + " (mtu_exceeded: the 2 crafted packets and the 2 fragments of 1500 bytes of "
              "ping -6 -s 3000's first datagram)", got == want_drops, f"port 0 drops {p0.drops}")
    rep.check("port 0: one Redirect sent (IcmpMsg OutType5 1), errors about the two ICMP errors "
              "suppressed (error suppressed_icmp_error 2)",
              p0.msg("IcmpMsg", "OutType5") == 1 and p0.error("suppressed_icmp_error") == 2,
              f"IcmpMsg {p0.mib.get('IcmpMsg')}; errors {p0.errors}")
    rep.check("no neighbour entry for 198.18.2.255", rt.neighbour("198.18.2.255") is None,
              rt.text)
    rep.check("neighbour reachability: no Address Unreachable sent to B about its replies to A "
              "(port 1 Icmp6Msg OutType1 0), resolutions_failed 0, and every unicast NS the "
              "router sent to A answered by A's NA (RFC 4861 7.2.5: a solicited NA without a "
              "target link-layer address still confirms the entry)",
              p1.msg("Icmp6Msg", "OutType1") == 0 and rt.stat("resolutions_failed") == 0,
              f"port 1 Icmp6Msg {p1.mib.get('Icmp6Msg')}; port 1 errors {p1.errors}; port 0 "
              f"fwd_failed {p0.fwd_failed}\n{rt.text}\n  on A's link, NS from the router "
              f"{nd['ns']}, NA from A {nd['na']} ({nd['na_no_tlla']} without a target "
              f"link-layer address):\n" + "\n".join(nd["log"]))


if __name__ == "__main__":
    netns.test_main("integration/router-edges", body, extra_tools=("ethtool",))
