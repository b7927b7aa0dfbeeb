#!/usr/bin/python3
"""Integration test: PCC through the real binary over net_pcap vdevs.

10,000 UDP flows (two packets each, the second 10,000 packets after the
first) enter the LAN port; switchback has two masquerading WANs as PCC
members with weights 3:1 (classifier both-addresses-and-ports) and a
routing table each. Checks: the split is 75/25 within 5 points, every flow
keeps its WAN (both packets leave by the same WAN, with that WAN's
address), and traffic to a connected subnet bypasses PCC.
"""
import re
import struct
import sys

from scapy.all import IP, UDP, Ether, rdpcap, wrpcap, ARP  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
LAN_MAC = bytes.fromhex("027063617000")
N = 10000
check = sbtest.Checks()


def csum(b):
    return (~sbtest.ones(b)) & 0xFFFF


def frame(src, sport, dst, dport):
    ip = struct.pack("!BBHHHBBHII", 0x45, 0, 28 + 8, 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return LAN_MAC + bytes.fromhex("020000000010") + b"\x08\x00" + ip + \
        struct.pack("!HHHH", sport, dport, 16, 0) + bytes(8)


def main(d):
    flows = [(0xC0A80100 + 10 + (i % 200), 1024 + i, 0xC6120000 + (i * 7919) % 65536, 443)
             for i in range(N)]
    frames = [frame(*f) for f in flows] * 2
    # One packet to a host on WAN2's own subnet: connected, PCC must not
    # send it to WAN1.
    frames.append(frame(0xC0A8010A, 5555, 0xC6336405, 53))
    sbtest.write_pcap(f"{d}/lan.pcap", frames)
    wrpcap(f"{d}/idle.pcap", [Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.1")])
    ini = f"{d}/gw.ini"
    wans = "".join(f"[port wan{k}]\ndevice = net_pcap{k},rx_pcap={d}/idle.pcap,tx_pcap={d}/wan{k}-out.pcap\n"
                   f"role = wan\naddress = {addr}/24\nmasquerade = yes\npcc_weight = {w}\npcc_table = to_wan{k}\n"
                   for k, addr, w in ((1, "203.0.113.2", 3), (2, "198.51.100.2", 1)))
    open(ini, "w").write(f"""
[switchback]
mbufs = 32768
sessions = 40000
[pcc]
classifier = both-addresses-and-ports
[port lan]
device = net_pcap0,rx_pcap={d}/lan.pcap,tx_pcap={d}/lan-out.pcap
address = 192.168.1.1/24
{wans}[route main-default]
dst = 0.0.0.0/0
gateway = 203.0.113.1
[route wan1-default]
dst = 0.0.0.0/0
gateway = 203.0.113.1
table = to_wan1
[route wan2-default]
dst = 0.0.0.0/0
gateway = 198.51.100.1
table = to_wan2
[neighbor isp1]
address = 203.0.113.1
mac = 02:00:00:00:01:01
port = wan1
[neighbor isp2]
address = 198.51.100.1
mac = 02:00:00:00:02:01
port = wan2
[neighbor wan2-host]
address = 198.51.100.5
mac = 02:00:00:00:02:05
port = wan2
""")
    out = sbtest.run_checked(SWITCHBACK, ini, "sbpcc", check, tail=3000, seconds=6, mem=512)

    by_wan = {}
    for wan, addr in (("wan1", "203.0.113.2"), ("wan2", "198.51.100.2")):
        pk = [p for p in rdpcap(f"{d}/{wan}-out.pcap") if IP in p and UDP in p]
        by_wan[wan] = pk
        check(all(p[IP].src == addr for p in pk if p[IP].dst != "198.51.100.5"),
              f"everything leaving {wan} is masqueraded to {addr}")
    n1 = sum(1 for p in by_wan["wan1"] if p[UDP].dport == 443)
    n2 = sum(1 for p in by_wan["wan2"] if p[UDP].dport == 443)
    check(n1 + n2 == 2 * N, f"all {2 * N} packets forwarded (wan1 {n1} + wan2 {n2})")
    share = n1 / max(1, n1 + n2)
    check(0.70 <= share <= 0.80, f"PCC 3:1 split: {share * 100:.1f}% on wan1 (75% +- 5)")

    # Stickiness: each flow's two packets leave by the same WAN with the same
    # external port; both WANs' flow sets are disjoint.
    def flows_of(pk):
        seen = {}
        for p in pk:
            if p[UDP].dport != 443:
                continue
            key = (p[IP].dst, p[UDP].sport)   # dst is unique per flow here
            seen.setdefault(key, 0)
            seen[key] += 1
        return seen
    f1, f2 = flows_of(by_wan["wan1"]), flows_of(by_wan["wan2"])
    check(all(v == 2 for v in f1.values()) and all(v == 2 for v in f2.values()),
          "every flow's two packets left by one WAN with one external port")
    check(len(f1) + len(f2) == N, f"{len(f1) + len(f2)} distinct flows out of {N}")
    check(any(p[IP].dst == "198.51.100.5" for p in by_wan["wan2"]),
          "traffic to WAN2's connected subnet bypasses PCC and leaves by wan2")
    m = re.search(r"sessions created by egress port: lan=\d+ wan1=(\d+) wan2=(\d+)", out)
    check(m is not None and int(m.group(1)) + int(m.group(2)) == N + 1,
          "sessions created by egress port reported in the summary")


if __name__ == "__main__":
    sbtest.main(main, "sb-pcc-", check)
