#!/usr/bin/python3
"""No ICMP error about what must get none (RFC 1122 3.2.2, RFC 1812 4.3.2.7, RFC 4443 2.4(e)),
while the same packet made eligible does get its error.

scapy crafts each case in the host namespace and sends it on the host's link to
pingwire-responder; a raw socket records everything that comes back. Every case carries its
own IPv4 identification / IPv6 flow label, so an error is matched to the case it quotes. The
link is net_tap (Topology(kind="tap")): with net_af_packet the kernel would hold back the
lone fragments several cases are made of.

The responder runs with both rate limits off (so every control is answered however many
there are) and --ipfrag-time 1 --ip6frag-time 1 (so the fragment cases resolve in a second).
All cases go out together; after 2.5 s the test checks, per case: a suppression case got
nothing at all, its control got exactly its error. Then, from the final summary, that each
case was counted where it belongs: the suppressed_* error outcome, or the drop reason of a
packet discarded before any error is considered (a martian source, RFC 1122 3.2.1.3; a
unicast datagram in a link-layer broadcast, RFC 1122 3.3.6; an ICMP error received), or
`held` for a lone fragment (a host reassembles what is sent to it; a non-initial fragment
alone never completes and owes nothing).

The one error a multicast destination may get, Parameter Problem code 2 for an unrecognised
option of action 10 (RFC 4443 2.4(e.3), RFC 8200 4.2), is a control too; action 11 to the same
multicast address gets nothing.

Only 198.18.0.0/15 and 2001:2::/48 addresses, plus the broadcast, multicast and martian
sources and destinations the cases are about, all inside this test's own namespaces.
"""

import dataclasses
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, HOST_ADDR4, HOST_ADDR6, PREFIX4, PREFIX6  # noqa: E402

PORT_SPEC = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
FRAG_TIME = 1.0
WAIT = FRAG_TIME + 1.5
CLOSED = 33434
BCAST_MAC = "ff:ff:ff:ff:ff:ff"
ALLNODES_MAC = "33:33:00:00:00:01"


@dataclasses.dataclass
class Case:
    name: str
    v6: bool
    frame: bytes
    l3: bytes                          # the invoking packet, as an error would quote it
    expect: tuple[int, int] | None     # (type, code) of the error owed, None: nothing
    # Where the summary counts it: ("error", outcome), ("drop", reason), ("held", ""), or
    # several of them; every case with a given key is listed, so each key's total is exact.
    account: tuple[tuple[str, str], ...]
    fragment: bool = False             # a lone fragment: counted as held, whatever follows
    echo_id: int | None = None         # an echo request: its reply (type 129) also "comes back"
    twin: str = ""                     # for a suppression case: the control before it


def build_cases(topo, r) -> list[Case]:
    S = pktutil.load_scapy()
    me = r.expected_mac
    cases: list[Case] = []
    payload = S.Raw(b"pingwire suppression test " * 4)
    big = S.Raw(bytes(range(256)) * 12)  # 3072 bytes: three fragments

    def add(name, frame_pkt, l3_pkt, expect, *account):
        v6 = isinstance(l3_pkt, S.IPv6)
        frag = (S.IPv6ExtHdrFragment in l3_pkt) if v6 else bool(l3_pkt.flags.MF or l3_pkt.frag)
        echo = (l3_pkt[S.ICMPv6EchoRequest].id
                if S.ICMPv6EchoRequest in l3_pkt and not frag else None)
        cases.append(Case(name, v6, bytes(frame_pkt), bytes(l3_pkt), expect, account, frag,
                          echo))

    def ip4(src=HOST_ADDR4, dst=DUT_ADDR4, **kw):
        return S.IP(src=src, dst=dst, id=0x7000 + len(cases), **kw)

    def ip6(src=HOST_ADDR6, dst=DUT_ADDR6, **kw):
        return S.IPv6(src=src, dst=dst, fl=0x70000 + len(cases), **kw)

    def eth(dst=me):
        return S.Ether(src=topo.host_mac, dst=dst)

    def udp4(dst_mac=me, **ipkw):
        p = ip4(**ipkw) / S.UDP(sport=40000 + len(cases), dport=CLOSED) / payload
        return eth(dst_mac) / p, p

    def udp6(dst_mac=me, **ipkw):
        p = ip6(**ipkw) / S.UDP(sport=40000 + len(cases), dport=CLOSED) / payload
        return eth(dst_mac) / p, p

    def frag4(l4, which: int):
        frags = S.fragment(ip4() / l4 / big, fragsize=1480)
        return eth() / frags[which], frags[which]

    def frag6(l4, which: int):
        pkt = ip6() / S.IPv6ExtHdrFragment(id=0x7100 + len(cases)) / l4 / big
        frags = S.fragment6(pkt, 1280)
        return eth() / frags[which], frags[which]

    PU4, PU6 = (3, 3), (1, 4)
    TE4, TE6 = (11, 1), (3, 1)

    # --- IPv4: broadcast and multicast destinations (RFC 1122 3.2.2, RFC 1812 4.3.2.7)
    add("IPv4 UDP to a closed port of 198.18.0.2 (control)", *udp4(), PU4, ("error", "sent"))
    add("IPv4 UDP to the directed broadcast 198.18.0.255, Ethernet broadcast",
        *udp4(BCAST_MAC, dst="198.18.0.255"), None, ("error", "suppressed_ip_multicast"))
    add("IPv4 UDP to the directed broadcast 198.18.0.255, unicast frame",
        *udp4(dst="198.18.0.255"), None, ("error", "suppressed_ip_multicast"))
    add("IPv4 UDP to the limited broadcast 255.255.255.255, Ethernet broadcast",
        *udp4(BCAST_MAC, dst="255.255.255.255"), None, ("error", "suppressed_ip_multicast"))
    add("IPv4 UDP to 198.18.0.2 in an Ethernet broadcast frame",
        *udp4(BCAST_MAC), None, ("drop", "ip4_unicast_in_l2_broadcast"))
    p = ip4(proto=253) / payload
    add("IPv4 protocol 253 to 198.18.0.2 (control: Protocol Unreachable)", eth() / p, p, (3, 2),
        ("error", "sent"))
    p = ip4(dst="198.18.0.255", proto=253) / payload
    add("IPv4 protocol 253 to the directed broadcast 198.18.0.255", eth(BCAST_MAC) / p, p, None,
        ("error", "suppressed_ip_multicast"))

    # --- IPv4: sources that are not one unique host (RFC 1122 3.2.1.3, 3.2.2)
    add("IPv4 UDP from 198.18.0.3, another host of the subnet (control)",
        *udp4(src="198.18.0.3"), PU4, ("error", "sent"))
    for src in ("0.0.0.0", "127.0.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
                "198.18.0.255"):
        add(f"IPv4 UDP from source {src}", *udp4(src=src), None, ("drop", "ip4_martian_source"))

    # --- IPv4: fragments (a host reassembles; the first fragment alone times out)
    add("IPv4 first fragment only of a UDP datagram (control: Time Exceeded 11/1)",
        *frag4(S.UDP(sport=41000, dport=CLOSED), 0), TE4, ("error", "sent"))
    add("IPv4 non-initial fragment only (offset 1480) of a UDP datagram",
        *frag4(S.UDP(sport=41001, dport=CLOSED), 1), None, ("held", ""))
    add("IPv4 last fragment only (offset 2960) of a UDP datagram",
        *frag4(S.UDP(sport=41002, dport=CLOSED), 2), None, ("held", ""))

    # --- IPv4: no error about an ICMP error or unknown type (RFC 1122 3.2.2)
    add("IPv4 first fragment only of an ICMP echo request (control: Time Exceeded 11/1)",
        *frag4(S.ICMP(type=8, id=0x7E01, seq=1), 0), TE4, ("error", "sent"))
    add("IPv4 first fragment only of an ICMP Destination Unreachable (an error)",
        *frag4(S.ICMP(type=3, code=1), 0), None, ("error", "suppressed_icmp_error"))
    add("IPv4 first fragment only of an ICMP message of unknown type 99",
        *frag4(S.ICMP(type=99, code=0), 0), None, ("error", "suppressed_icmp_error"))
    inner = S.IP(src=DUT_ADDR4, dst="198.18.0.77", proto=253) / S.Raw(b"x" * 8)
    p = ip4() / S.ICMP(type=3, code=2) / inner
    add("IPv4 ICMP Destination Unreachable (protocol unreachable) to 198.18.0.2",
        eth() / p, p, None, ("drop", "icmp4_error_received"))

    # --- IPv6: multicast destinations and link-layer multicast (RFC 4443 2.4(e.3), (e.4))
    add("IPv6 UDP to a closed port of 2001:2::2 (control)", *udp6(), PU6, ("error", "sent"))
    add("IPv6 UDP to ff02::1 (all nodes), Ethernet 33:33:00:00:00:01",
        *udp6(ALLNODES_MAC, dst="ff02::1"), None, ("error", "suppressed_ip_multicast"))
    add("IPv6 UDP to 2001:2::2 in an Ethernet broadcast frame",
        *udp6(BCAST_MAC), None, ("error", "suppressed_l2_multicast"))
    add("IPv6 UDP to 2001:2::2 in an Ethernet multicast frame 33:33:00:00:00:01",
        *udp6(ALLNODES_MAC), None, ("error", "suppressed_l2_multicast"))
    p = ip6(nh=253) / payload
    add("IPv6 next header 253 to 2001:2::2 (control: Parameter Problem code 1)", eth() / p, p,
        (4, 1), ("error", "sent"))
    p = ip6(dst="ff02::1", nh=253) / payload
    add("IPv6 next header 253 to ff02::1", eth(ALLNODES_MAC) / p, p, None,
        ("error", "suppressed_ip_multicast"))

    # --- IPv6: sources that are not one unique node (RFC 4443 2.4(e.5))
    add("IPv6 UDP from 2001:2::3, another node of the subnet (control)",
        *udp6(src="2001:2::3"), PU6, ("error", "sent"))
    add("IPv6 UDP from the unspecified source ::", *udp6(src="::"), None,
        ("error", "suppressed_source"))
    add("IPv6 UDP from the loopback source ::1", *udp6(src="::1"), None,
        ("drop", "ip6_martian_source"))
    add("IPv6 UDP from the multicast source ff02::1", *udp6(src="ff02::1"), None,
        ("drop", "ip6_martian_source"))

    # --- IPv6: fragments, and no error about an ICMPv6 error or Redirect (RFC 4443 2.4(e.1, e.2))
    add("IPv6 first fragment only of a UDP datagram (control: Time Exceeded 3/1)",
        *frag6(S.UDP(sport=41010, dport=CLOSED), 0), TE6, ("error", "sent"))
    add("IPv6 non-initial fragment only of a UDP datagram",
        *frag6(S.UDP(sport=41011, dport=CLOSED), 1), None, ("held", ""))
    add("IPv6 first fragment only of an ICMPv6 echo request (control: Time Exceeded 3/1)",
        *frag6(S.ICMPv6EchoRequest(id=0x7E02, seq=1), 0), TE6, ("error", "sent"))
    add("IPv6 first fragment only of an ICMPv6 Destination Unreachable (an error)",
        *frag6(S.ICMPv6DestUnreach(code=4), 0), None, ("error", "suppressed_icmp_error"))
    add("IPv6 first fragment only of an ICMPv6 message of unknown error type 99",
        *frag6(S.ICMPv6Unknown(type=99), 0), None, ("error", "suppressed_icmp_error"))
    add("IPv6 first fragment only of an ICMPv6 Redirect",
        *frag6(S.ICMPv6ND_Redirect(tgt="2001:2::9", dst="2001:2::8"), 0), None,
        ("error", "suppressed_redirect"))

    # --- IPv6: the multicast exception for Parameter Problem code 2 (RFC 4443 2.4(e.3)):
    # an unrecognised option whose action bits are 10 owes it even to a multicast
    # destination; action 11 owes it only to unicast (RFC 8200 4.2).
    def dstopt(otype, dst, ident):
        return (ip6(dst=dst)
                / S.IPv6ExtHdrDestOpt(options=[S.HBHOptUnknown(otype=otype, optdata=b"pw")])
                / S.ICMPv6EchoRequest(id=ident, seq=1))
    p = dstopt(0x80, "ff02::1", 0x7E10)
    add("IPv6 echo request to ff02::1 with an unrecognised Destination Option of action 10 "
        "(0x80) (control: Parameter Problem code 2, the multicast exception)",
        eth(ALLNODES_MAC) / p, p, (4, 2), ("error", "sent"), ("drop", "ip6_unknown_option"))
    p = dstopt(0xC0, "ff02::1", 0x7E11)
    # Not a suppression: RFC 8200 4.2 owes no error here at all.
    add("IPv6 echo request to ff02::1 with an unrecognised Destination Option of action 11 "
        "(0xc0), nor an echo reply", eth(ALLNODES_MAC) / p, p, None,
        ("drop", "ip6_unknown_option"))

    # Pair each suppression case with the control before it, for the evidence.
    twin = ""
    for c in cases:
        if c.expect is not None:
            twin = c.name
        else:
            c.twin = twin
    return cases


def matches(case: Case, x: pktutil.Rx) -> bool:
    """x is an ICMP error quoting this case's packet (its first 40 bytes, or all if shorter)."""
    if x.family != (6 if case.v6 else 4) or not x.quote:
        return False
    n = min(len(case.l3), 48 if case.v6 else 28)
    return len(x.quote) >= n and x.quote[:n] == case.l3[:n]


def body(args, rep):
    pktutil.load_scapy()
    with netns.Topology(verbose=True, kind="tap") as topo:
        spec = PORT_SPEC.replace("0,", f"0,mac={args.mac},", 1) if args.mac else PORT_SPEC
        app = ["--port", spec, "--icmp-ratelimit", "0", "--icmp6-ratelimit", "0",
               "--icmp-msgs-per-sec", "0", "--ipfrag-time", str(FRAG_TIME),
               "--ip6frag-time", str(FRAG_TIME)]
        with netns.Responder(topo, args.responder, mac=args.mac, app_args=app) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            cases = build_cases(topo, r)
            with netns.L2Port(topo.host_ns, topo.host_if) as port:
                t0 = time.monotonic()
                for c in cases:
                    port.send(c.frame)
                time.sleep(WAIT)
                rx = [x for x in pktutil.received(port, t0) if x.icmp_type is not None]
            netns.log(f"sent {len(cases)} cases; {len(rx)} ICMP message(s) came back in "
                      f"{WAIT} s")
            claimed = set()
            for c in cases:
                got = [x for x in rx if matches(c, x)
                       or (c.echo_id is not None and x.family == 6 and x.icmp_type == 129
                           and int.from_bytes(x.icmp[4:6], "big") == c.echo_id)]
                claimed.update(id(x) for x in got)
                seen = "\n".join(x.summary() for x in got) or f"nothing within {WAIT} s"
                if c.expect is None:
                    rep.check(f"{c.name}: no error" + (f" (its control: {c.twin})"
                                                       if c.twin else ""), not got, seen)
                else:
                    ok = (len(got) == 1 and (got[0].icmp_type, got[0].icmp_code) == c.expect
                          and got[0].csum_ok)
                    rep.check(f"{c.name}: exactly one ICMP{'v6' if c.v6 else ''} "
                              f"{c.expect[0]}/{c.expect[1]}, checksums right", ok, seen)
            stray = [x.summary() for x in rx if id(x) not in claimed
                     and not (x.family == 6 and x.icmp_type in (133, 134, 135, 136, 143))]
            rep.check("no other ICMP error or message came back (NDP and MLD aside)", not stray,
                      "\n".join(stray) or "none")

            res = r.stop()
            pc = netns.check_counters(rep, res, 0)
            if not pc:
                return
            want: dict[tuple[str, str], int] = {}
            for c in cases:
                for a in c.account:
                    want[a] = want.get(a, 0) + 1
            for (kind, key), n in sorted(want.items()):
                if kind == "held":
                    continue
                names = [c.name for c in cases if (kind, key) in c.account]
                got_n = pc.error(key) if kind == "error" else pc.drop(key)
                rep.check(f"summary: {kind} {key} == {n}", got_n == n,
                          f"counted {got_n}; cases: " + "; ".join(names))
            frags = [c.name for c in cases if c.fragment]
            rep.check(f"summary: held == {len(frags)}, the lone fragments (each taken by the "
                      f"reassembler; the first ones time out into their error or its "
                      f"suppression, the others expire silently)", pc.held == len(frags),
                      f"held {pc.held}; cases: " + "; ".join(frags))
            rep.check("summary: no error outcome other than those of the cases "
                      "(no rate limiting, no no_mbuf)",
                      set(pc.errors) <= {k for kind, k in want if kind == "error"},
                      f"error outcomes: {pc.errors}")


if __name__ == "__main__":
    netns.test_main("integration/suppression", body)
