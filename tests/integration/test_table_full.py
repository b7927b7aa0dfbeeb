#!/usr/bin/python3
"""Integration test: a full session table through the real binary.

sessions = 16; 24 UDP flows open (first packets), then every flow sends
again. Expected (RFC 6888 REQ-11): 16 sessions, 8 first packets dropped and
counted as session_table_full, the 16 established flows keep working on
their second packets (nothing evicted), and nothing else is dropped.
"""
import re
import sys

from scapy.all import IP, UDP, Ether, ARP, rdpcap, wrpcap  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
check = sbtest.Checks()


def main(d):
    first = [Ether(src="02:00:00:00:00:10", dst="02:70:63:61:70:00") /
             IP(src="192.168.1.10", dst="192.0.2.80", id=i) / UDP(sport=2000 + i, dport=53) / (b"x" * 8)
             for i in range(24)]
    again = [p.copy() for p in first]
    for p in again:
        p[IP].id += 100
    # The first packets, then the second ones (one or two bursts of SB_BURST).
    wrpcap(f"{d}/lan.pcap", first + again)
    wrpcap(f"{d}/idle.pcap", [Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.1")])
    ini = sbtest.gw_ini(d, "02:00:00:00:01:01", switchback="sessions = 16\nsessions_per_host = 0", wan_rx="idle.pcap")
    out = sbtest.run_checked(SWITCHBACK, ini, "sbfull", check)
    sent = [p for p in rdpcap(f"{d}/wan-out.pcap") if IP in p]
    ids = {p[IP].id for p in sent}
    firsts = [i for i in range(24) if i in ids]
    check(len(firsts) == 16, f"16 of 24 new flows admitted (got {len(firsts)})")
    check(all((i + 100) in ids for i in firsts), "every admitted flow's second packet forwarded")
    check(not any((i + 100) in ids for i in range(24) if i not in firsts),
          "refused flows stay refused while the table is full")
    check(sbtest.drops(out).get("session_table_full") == 16, "refusals counted (8 first + 8 second packets)")
    check(re.search(r"sessions: active 16 created 16", out) is not None, "16 sessions, none evicted")


if __name__ == "__main__":
    sbtest.main(main, "sb-full-", check)
