#!/usr/bin/python3
"""Fragmented datagrams to and from pingwire-responder, over net_tap.

net_af_packet is no good here: the kernel hands it IPv4 fragments already reassembled (and cut
to 1982 bytes) and holds back a lone fragment. So the responder makes the link itself with
net_tap in the DUT namespace, and the harness moves that kernel interface into the host
namespace as the host's NIC (Topology(kind="tap")): every fragment reaches the responder as
the host sent it, and every fragment it sends reaches the host's own reassembly.

- Linux's ping with 8000 bytes of data, IPv4 and IPv6 (6 fragments each way), and with 65000
  bytes (the largest: 45 fragments each way), all answered: the responder reassembles the
  requests and fragments the replies to the 1500-byte MTU.
- Reassembly timeout, responder started with --ipfrag-time 1 --ip6frag-time 1: scapy sends
  only the first fragment of a UDP datagram and of an ICMP echo request, over IPv4 and IPv6;
  after about 1 s each gets Time Exceeded, fragment reassembly time exceeded (ICMP 11/1,
  ICMPv6 3/1), quoting the first fragment.
- The counters: the datagrams reassembled, the fragments held, the errors sent.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import pktutil  # noqa: E402
from netns import DUT_ADDR4, DUT_ADDR6, HOST_ADDR4, HOST_ADDR6, PREFIX4, PREFIX6  # noqa: E402

PORT_SPEC = f"0,addr={DUT_ADDR4}/{PREFIX4},addr={DUT_ADDR6}/{PREFIX6}"
FRAG_TIME = 1.0

PINGS = [
    # (what, ping args, count, reply bytes printed by ping)
    ("IPv4 ping -s 8000", ["-s", "8000", DUT_ADDR4], 3, 8008),
    ("IPv6 ping -s 8000", ["-6", "-s", "8000", DUT_ADDR6], 3, 8008),
    ("IPv4 ping -s 65000", ["-s", "65000", DUT_ADDR4], 2, 65008),
    ("IPv6 ping -s 65000", ["-6", "-s", "65000", DUT_ADDR6], 2, 65008),
]


def check_pings(rep, topo) -> int:
    answered = 0
    for what, args, count, reply_bytes in PINGS:
        p = topo.ping(["-c", str(count), "-i", "0.2", "-w", "10", *args])
        sized = len(re.findall(rf"^{reply_bytes} bytes from ", p.output, re.M))
        rep.check(f"{what}: {count} sent, {count} answered with {reply_bytes}-byte replies, "
                  f"0% loss", p.clean and p.received == count and sized == count, p.evidence)
        answered += p.received
    return answered


def first_fragments(topo, r) -> list[tuple[str, bool, bytes, bytes]]:
    """(what, v6, frame, the first fragment's L3 bytes) for each datagram sent incomplete."""
    S = pktutil.load_scapy()
    eth = S.Ether(src=topo.host_mac, dst=r.expected_mac)
    payload = S.Raw(bytes(range(256)) * 12)  # 3072 bytes: three fragments, only one sent
    out = []
    for what, l4 in (("UDP datagram", S.UDP(sport=41000, dport=33434)),
                     ("ICMP echo request", S.ICMP(type=8, id=0x6601, seq=1))):
        frags = S.fragment(S.IP(src=HOST_ADDR4, dst=DUT_ADDR4, id=0x5A00 + len(out)) / l4 / payload,
                           fragsize=1480)
        out.append((f"IPv4 {what}", False, bytes(eth / frags[0]), bytes(frags[0])))
    for what, l4 in (("UDP datagram", S.UDP(sport=41001, dport=33434)),
                     ("ICMPv6 echo request", S.ICMPv6EchoRequest(id=0x6602, seq=1))):
        pkt = (S.IPv6(src=HOST_ADDR6, dst=DUT_ADDR6)
               / S.IPv6ExtHdrFragment(id=0x5A10 + len(out)) / l4 / payload)
        frags = S.fragment6(pkt, 1280)
        out.append((f"IPv6 {what}", True, bytes(eth / frags[0]), bytes(frags[0])))
    return out


def check_reassembly_timeout(rep, topo, r) -> int:
    cases = first_fragments(topo, r)
    with netns.L2Port(topo.host_ns, topo.host_if) as port:
        sent = {}
        t0 = time.monotonic()
        for what, v6, frame, l3 in cases:
            sent[what] = port.send(frame)
        time.sleep(FRAG_TIME + 1.5)
        rx = pktutil.received(port, t0)
    for what, v6, frame, l3 in cases:
        want = (3, 1) if v6 else (11, 1)
        # The error quotes the first fragment from its start (as much as fits).
        hits = [x for x in rx if x.family == (6 if v6 else 4)
                and (x.icmp_type, x.icmp_code) == want and len(x.quote) >= 48
                and x.quote[:48] == l3[:48]]
        others = [x.summary() for x in rx if x.icmp_type is not None and x not in hits]
        if not rep.check(f"{what}, first fragment only: ICMP{'v6' if v6 else ''} "
                         f"{want[0]}/{want[1]} (fragment reassembly time exceeded) comes back",
                         len(hits) == 1,
                         f"{len(hits)} matching error(s); other ICMP seen: {others}"):
            continue
        x = hits[0]
        delay = x.t - sent[what]
        quote_ok = x.quote == l3[:len(x.quote)] and len(x.quote) == min(
            len(l3), (1280 - 48) if v6 else (576 - 28))
        rep.check(f"{what}: the error arrives {delay:.2f} s after the fragment (--ip"
                  f"{'6' if v6 else ''}frag-time 1: between 0.9 and 2.0 s), from "
                  f"{DUT_ADDR6 if v6 else DUT_ADDR4} to {HOST_ADDR6 if v6 else HOST_ADDR4}, "
                  f"quoting the first fragment as far as fits, checksums right",
                  0.9 <= delay <= 2.0 and x.src == (DUT_ADDR6 if v6 else DUT_ADDR4)
                  and x.dst == (HOST_ADDR6 if v6 else HOST_ADDR4) and x.csum_ok and quote_ok,
                  f"{x.summary()}; {delay:.3f} s; quote {len(x.quote)} bytes of the "
                  f"{len(l3)}-byte fragment, same bytes: {quote_ok}; checksums ok: {x.csum_ok}")
    return len(cases)


def body(args, rep):
    pktutil.load_scapy()
    with netns.Topology(verbose=True, kind="tap") as topo:
        spec = PORT_SPEC.replace("0,", f"0,mac={args.mac},", 1) if args.mac else PORT_SPEC
        app = ["--port", spec, "--ipfrag-time", str(FRAG_TIME), "--ip6frag-time", str(FRAG_TIME)]
        with netns.Responder(topo, args.responder, mac=args.mac, app_args=app) as r:
            netns.log(f"$ {r.command_line}")
            r.start()
            rep.check("responder starts on net_tap and its interface works as the host's NIC",
                      True, f"host {topo.host_if} {topo.host_mac} in {topo.host_ns}; responder "
                      f"port MAC {r.expected_mac}")
            answered = check_pings(rep, topo)
            n_timeouts = check_reassembly_timeout(rep, topo, r)
            res = r.stop()
            pc = netns.check_counters(rep, res, 0)
            if pc:
                want_dgrams = sum(c for _, _, c, _ in PINGS)
                rep.check(f"counters: reassembled datagrams >= {answered} (each ping answered "
                          f"was reassembled), none dropped after reassembly, no generated_failed",
                          pc.datagrams >= answered and pc.datagrams <= want_dgrams
                          and not pc.datagram_drops and pc.generated_failed == 0,
                          f"datagrams {pc.datagrams}, datagram drops {pc.datagram_drops}, "
                          f"generated_failed {pc.generated_failed}")
                rep.check(f"counters: error sent {n_timeouts} (the Time Exceeded: IcmpMsg "
                          f"OutType11 2, Icmp6Msg OutType3 2)",
                          pc.error("sent") == n_timeouts and pc.msg("IcmpMsg", "OutType11") == 2
                          and pc.msg("Icmp6Msg", "OutType3") == 2,
                          f"errors {pc.errors}; IcmpMsg {pc.mib.get('IcmpMsg')}; "
                          f"Icmp6Msg {pc.mib.get('Icmp6Msg')}")
                # Linux's fragments of the requests: 8008 bytes of ICMP make 6 over IPv4
                # (1480 per fragment) and IPv6 (1448); 65008 bytes make 44 and 45.
                need = 3 * 6 + 3 * 6 + 2 * 44 + 2 * 45 + n_timeouts
                rep.check(f"counters: fragments held >= {need}, the request fragments Linux sent "
                          f"(8000 bytes: 6 per request; 65000 bytes: 44 over IPv4, 45 over IPv6) "
                          f"+ the {n_timeouts} lone first fragments",
                          pc.held is not None and pc.held >= need, f"held {pc.held}")


if __name__ == "__main__":
    netns.test_main("integration/fragments", body)
