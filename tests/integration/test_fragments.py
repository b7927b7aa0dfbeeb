#!/usr/bin/python3
"""Integration test: fragmented UDP through the real binary (net_pcap).

- A 3000-byte UDP datagram from the LAN, in three fragments, leaves the WAN
  as three fragments all translated to 203.0.113.2:5000; reassembled, the
  datagram's UDP checksum is valid and the payload intact.
- The server's fragmented 3000-byte answer comes back to 192.168.1.10:5000,
  every fragment translated.
- A later fragment whose first never came is dropped (fragment_no_flow),
  and so are bogus later fragments from the WAN.
"""
import re
import sys

from scapy.all import IP, UDP, Ether, Raw, fragment, defragment, rdpcap, wrpcap  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
LAN_MAC, WAN_MAC = "02:70:63:61:70:00", "02:70:63:61:70:01"
HOST_MAC, ISP_MAC = "02:00:00:00:00:10", "02:00:00:00:01:01"
check = sbtest.Checks()


def main(d):
    data = bytes((i * 7) & 0xFF for i in range(3000))
    out_dgram = IP(src="192.168.1.10", dst="192.0.2.80", id=0x1111, ttl=64) / UDP(sport=5000, dport=53) / Raw(data)
    lan_in = [Ether(src=HOST_MAC, dst=LAN_MAC) / f for f in fragment(out_dgram, fragsize=1200)]
    # An orphan: a later fragment of a datagram whose first fragment never came.
    orphan = fragment(IP(src="192.168.1.10", dst="192.0.2.80", id=0x2222) / UDP(sport=5001, dport=53) /
                      Raw(data), fragsize=1200)[1]
    lan_in.append(Ether(src=HOST_MAC, dst=LAN_MAC) / orphan)
    wrpcap(f"{d}/lan.pcap", lan_in)
    back = IP(src="192.0.2.80", dst="203.0.113.2", id=0x3333, ttl=50) / UDP(sport=53, dport=5000) / Raw(data[::-1])
    wan_in = [Ether(src=ISP_MAC, dst=WAN_MAC) / f for f in fragment(back, fragsize=1200)]
    bogus = fragment(IP(src="192.0.2.66", dst="203.0.113.2", id=0x4444) / UDP(sport=53, dport=5000) /
                     Raw(data), fragsize=1200)[1:]
    wan_in += [Ether(src=ISP_MAC, dst=WAN_MAC) / f for f in bogus]
    wrpcap(f"{d}/wan.pcap", wan_in)
    ini = sbtest.gw_ini(d, ISP_MAC, HOST_MAC, switchback="fragments = 64")
    out = sbtest.run_checked(SWITCHBACK, ini, "sbfrag", check)

    wan_out = [p for p in rdpcap(f"{d}/wan-out.pcap") if IP in p]
    frags = [p for p in wan_out if p[IP].id == 0x1111]
    check(len(frags) == 3, f"all 3 fragments of the LAN datagram left the WAN (got {len(frags)})")
    check(all(p[IP].src == "203.0.113.2" and p[IP].ttl == 63 for p in frags),
          "every fragment translated to 203.0.113.2 with TTL 63")
    check(all(sbtest.ones(bytes(p[IP])[:20]) == 0xFFFF for p in frags),
          "every fragment's IP header checksum is valid")
    whole = defragment([p[IP] for p in frags])
    whole = [p for p in whole if IP in p and p[IP].flags.MF == 0 and p[IP].frag == 0]
    if whole:
        w2 = IP(bytes(whole[0][IP]))
        u = w2[UDP]
        # The UDP checksum of the reassembled datagram, recomputed.
        ref = IP(bytes(IP(src=w2.src, dst=w2.dst) / UDP(sport=u.sport, dport=u.dport) / Raw(bytes(u.payload))))
        check(u.sport == 5000 and bytes(u.payload) == data, "reassembled: source port 5000, payload intact")
        check(u.chksum == ref[UDP].chksum, "reassembled datagram's UDP checksum is valid after NAT")
    else:
        check(False, "the WAN fragments reassemble")
    check(not any(p[IP].id == 0x2222 for p in wan_out), "orphan later fragment dropped")

    lan_out = [p for p in rdpcap(f"{d}/lan-out.pcap") if IP in p]
    bfr = [p for p in lan_out if p[IP].id == 0x3333]
    check(len(bfr) == 3 and all(p[IP].dst == "192.168.1.10" and p[Ether].dst == HOST_MAC for p in bfr),
          f"the server's 3 fragments came back to 192.168.1.10 (got {len(bfr)})")
    wb = [p for p in defragment([p[IP] for p in bfr]) if IP in p and p[IP].frag == 0 and p[IP].flags.MF == 0]
    check(bool(wb) and wb[0][UDP].dport == 5000 and bytes(wb[0][UDP].payload) == data[::-1],
          "reassembled answer: destination port 5000, payload intact")
    check(not any(p[IP].id == 0x4444 for p in lan_out), "bogus fragments from the WAN dropped")
    check(sbtest.drops(out).get("fragment_no_flow") == 1 + len(bogus), "orphans counted as fragment_no_flow")
    m = re.search(r"datagrams tracked (\d+), later fragments forwarded (\d+)", out)
    check(m is not None and m.group(1) == "2" and m.group(2) == "4", "2 datagrams tracked, 4 later fragments forwarded")


if __name__ == "__main__":
    sbtest.main(main, "sb-frag-", check)
