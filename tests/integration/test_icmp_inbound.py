#!/usr/bin/python3
"""Integration test: which ICMP errors from the WAN reach the LAN (issue 11,
finding 9).

A LAN host's UDP flow goes out; then from the WAN come a redirect (type 5)
and a source quench (type 4, deprecated by RFC 6633), each quoting that
flow, and a port unreachable (type 3) quoting it too. Only the port
unreachable may be translated to the LAN host: a redirect from outside has
no business steering a LAN host, and source quench is dead. The two are
dropped and counted.
"""
import sys

from scapy.all import ICMP, IP, UDP, Ether, rdpcap, wrpcap  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
LAN_MAC, WAN_MAC = "02:70:63:61:70:00", "02:70:63:61:70:01"
HOST_MAC, ISP_MAC = "02:00:00:00:00:10", "02:00:00:00:01:01"
SERVER, WAN_IP = "192.0.2.80", "203.0.113.2"
check = sbtest.Checks()


def main(d):
    wrpcap(f"{d}/lan.pcap", [Ether(src=HOST_MAC, dst=LAN_MAC) /
                             IP(src="192.168.1.10", dst=SERVER, id=1) /
                             UDP(sport=5000, dport=53) / (b"q" * 16)])
    quote = IP(src=WAN_IP, dst=SERVER, ttl=63, id=1) / UDP(sport=5000, dport=53) / (b"q" * 16)
    errs = [Ether(src=ISP_MAC, dst=WAN_MAC) / IP(src="198.18.9.9", dst=WAN_IP, id=i) /
            ICMP(type=t, code=c) / quote
            for i, t, c in ((201, 5, 1), (202, 4, 0), (203, 3, 3))]
    wrpcap(f"{d}/wan.pcap", errs)
    ini = sbtest.gw_ini(d, ISP_MAC, host_mac=HOST_MAC)
    rc, out = sbtest.run(SWITCHBACK, ini, "sbicmpin")
    print(out[-1500:])
    check(rc == 0, "switchback exited 0")
    lan = [p for p in rdpcap(f"{d}/lan-out.pcap") if IP in p]
    ids = {p[IP].id for p in lan}
    check(203 in ids, "the port unreachable is translated to the LAN host (the flow existed)")
    check(201 not in ids, "the redirect from the WAN is not translated to the LAN")
    check(202 not in ids, "the source quench from the WAN is not translated to the LAN")
    drops = sbtest.drops(out)
    n = sum(int(drops.get(r, 0)) for r in ("icmp_unhandled", "wan_unsolicited"))
    check(n >= 2, f"both dropped and counted (icmp_unhandled + wan_unsolicited = {n}: {drops})")


if __name__ == "__main__":
    sbtest.main(main, "sb-icmpin-", check)
