#!/usr/bin/python3
"""Integration test: TCP simultaneous open (RFC 5382 REQ-2, REQ-4) through
the real binary (net_pcap).

The host 192.168.1.10:40000 has a mapping (its SYN to 192.0.2.80:80 made
it: external port 40000 on 203.0.113.2). Then, in this order:
- 198.51.100.7:5000 sends a SYN to 203.0.113.2:40000 before the host's own
  SYN to it has left (the crossing SYNs of a simultaneous open or a TCP hole
  punch). No session: it is held (recorded), dropped silently, no RST, no
  ICMP.
- 198.51.100.8:6000 does the same, but the host never answers: its record
  expires after 6 s, silently.
- 198.51.100.9 sends a SYN to a port with no mapping: plain unsolicited.
- The host's SYN to 198.51.100.7:5000 leaves from the same external port
  (endpoint-independent mapping) and meets the held record; the held SYN
  stays dropped (REQ-2: "MUST silently drop").
- The peer's SYN-ACK reaches the host, the host's ACK leaves: the
  connection is open.

Ordering: the worker polls the LAN port, then the WAN port, reading at most
a burst (SB_BURST packets) from each pcap per round. Each step is padded to
a burst with frames with frames for another MAC (dropped as l2_not_for_us), so step k of
the LAN file is handled before step k of the WAN file, and that before
step k+1 of the LAN file.
"""
import struct
import sys

from scapy.all import ICMP, IP, TCP, Ether, rdpcap, wrpcap  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
LAN_MAC, WAN_MAC = "02:70:63:61:70:00", "02:70:63:61:70:01"
HOST_MAC, ISP_MAC = "02:00:00:00:00:10", "02:00:00:00:01:01"
HOST, WAN_IP = "192.168.1.10", "203.0.113.2"
PEER, LATE, STRANGER = "198.51.100.7", "198.51.100.8", "198.51.100.9"
BURST = sbtest.worker_burst()
check = sbtest.Checks()


def step(frames, mac_to, mac_from):
    """@frames padded to one burst with frames nobody here should take."""
    pad = Ether(src=mac_from, dst="02:00:00:00:99:99") / IP(src="192.0.2.1", dst="192.0.2.2") / TCP()
    return frames + [pad] * (BURST - len(frames))


def main(d):

    def lan(ip, tcp):
        return Ether(src=HOST_MAC, dst=LAN_MAC) / ip / tcp

    def wan(ip, tcp):
        return Ether(src=ISP_MAC, dst=WAN_MAC) / ip / tcp

    lan_steps = [
        [lan(IP(src=HOST, dst="192.0.2.80"), TCP(sport=40000, dport=80, flags="S", seq=100))],
        [lan(IP(src=HOST, dst=PEER), TCP(sport=40000, dport=5000, flags="S", seq=1000))],
        [lan(IP(src=HOST, dst=PEER), TCP(sport=40000, dport=5000, flags="A", seq=1001, ack=9001))],
    ]
    wan_steps = [
        [wan(IP(src=PEER, dst=WAN_IP), TCP(sport=5000, dport=40000, flags="S", seq=9000)),
         wan(IP(src=LATE, dst=WAN_IP), TCP(sport=6000, dport=40000, flags="S", seq=7000)),
         wan(IP(src=STRANGER, dst=WAN_IP), TCP(sport=7000, dport=41000, flags="S", seq=5000))],
        [wan(IP(src=PEER, dst=WAN_IP, ttl=50), TCP(sport=5000, dport=40000, flags="SA", seq=9000, ack=1001))],
        [],
    ]
    lan_in, wan_in = [], []
    for s in lan_steps:
        lan_in += step(s, LAN_MAC, HOST_MAC)
    for s in wan_steps[:2]:
        wan_in += step(s, WAN_MAC, ISP_MAC)
    wrpcap(f"{d}/lan.pcap", lan_in)
    wrpcap(f"{d}/wan.pcap", wan_in)
    ini = sbtest.gw_ini(d, ISP_MAC, HOST_MAC)
    # Long enough for the second peer's record to expire (6 s).
    out = sbtest.run_checked(SWITCHBACK, ini, "sbsimopen", check, seconds=10)

    wan_out = [p for p in rdpcap(f"{d}/wan-out.pcap") if TCP in p or ICMP in p]
    lan_out = [p for p in rdpcap(f"{d}/lan-out.pcap") if TCP in p or ICMP in p]
    to_peer = [p for p in wan_out if TCP in p and p[IP].dst == PEER]
    check(len(to_peer) == 2 and to_peer[0][TCP].flags == "S" and to_peer[1][TCP].flags == "A",
          f"the host's SYN and ACK to the peer left the WAN (got {[str(p[TCP].flags) for p in to_peer]})")
    check(all(p[IP].src == WAN_IP and p[TCP].sport == 40000 for p in to_peer),
          "from 203.0.113.2:40000, the mapping the peer's SYN was sent to")
    check(not any(ICMP in p for p in wan_out), "no ICMP sent to the WAN")
    check(not any(TCP in p and p[TCP].flags.R for p in wan_out), "no RST sent to the WAN")
    check(not any(p[IP].dst in (LATE, STRANGER) for p in wan_out), "nothing sent to the other two peers")
    check(len(lan_out) == 1, f"one packet reached the host (got {len(lan_out)})")
    if lan_out:
        p = lan_out[0]
        check(p[IP].src == PEER and p[IP].dst == HOST and p[TCP].dport == 40000 and
              p[TCP].flags == "SA" and p[IP].ttl == 49 and p[Ether].dst == HOST_MAC,
              "it is the peer's SYN-ACK, to 192.168.1.10:40000 (the held SYN itself stays dropped)")
        check(sbtest.ones(bytes(p[IP])[:20]) == 0xFFFF, "its IP checksum is valid")
        tcp = bytes(p[TCP])
        pseudo = bytes(p[IP])[12:20] + bytes([0, 6]) + struct.pack("!H", len(tcp))
        check(sbtest.ones(pseudo + tcp) == 0xFFFF, "its TCP checksum is valid")
    dr = sbtest.drops(out)
    check(dr.get("tcp_syn_held") == 2, f"two SYNs held (tcp_syn_held={dr.get('tcp_syn_held')})")
    check(dr.get("wan_unsolicited") == 1, "the SYN to a port without a mapping is plain unsolicited")
    check("simultaneous open: inbound SYNs held 2, met by the LAN host's SYN 1, expired 1" in out,
          "one held SYN met by the host's SYN, the other expired after 6 s")
    check("sessions: active 2 created 2" in out, "two sessions: to 192.0.2.80 and to the peer")


if __name__ == "__main__":
    sbtest.main(main, "sb-simopen-", check)
