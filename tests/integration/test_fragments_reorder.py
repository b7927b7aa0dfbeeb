#!/usr/bin/python3
"""Integration test: fragments that arrive before their first one, through
the real binary (net_pcap).

- The LAN host's 3000-byte UDP datagram arrives as fragments 2 and 3, and
  only a burst later fragment 1: all three leave the WAN translated to
  203.0.113.2:5000 (the held two right after the first) and reassemble to
  the intact datagram with a valid UDP checksum.
- The server's answer does the same from the WAN side and reaches the
  host, every fragment translated.
- One WAN source floods 20 bogus later fragments: it may hold only its
  share (8); the other 12 are dropped at once, and the server's reordered
  fragments, held after the flood, still get through. The 8 held bogus
  fragments are dropped when their time (1 s) is up.

Ordering: the worker polls the LAN port, then the WAN port, reading at most
a burst (SB_BURST packets, sbtest.worker_burst()) per pcap per round; each
step below is padded to a burst with frames for another MAC (dropped as l2_not_for_us).
"""
import re
import struct
import sys

from scapy.all import IP, UDP, Ether, Raw, defragment, fragment, rdpcap, wrpcap  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
LAN_MAC, WAN_MAC = "02:70:63:61:70:00", "02:70:63:61:70:01"
HOST_MAC, ISP_MAC = "02:00:00:00:00:10", "02:00:00:00:01:01"
BURST = sbtest.worker_burst()
check = sbtest.Checks()


def step(frames, src_mac):
    pad = Ether(src=src_mac, dst="02:00:00:00:99:99") / IP(src="192.0.2.1", dst="192.0.2.2") / UDP()
    return frames + [pad] * (BURST - len(frames))


def udp_ok(dgram):
    """The reassembled datagram's UDP checksum verifies."""
    raw = bytes(dgram[IP])
    ihl = (raw[0] & 0xF) * 4
    u = raw[ihl:]
    pseudo = raw[12:20] + bytes([0, 17]) + struct.pack("!H", len(u))
    return sbtest.ones(pseudo + u) == 0xFFFF


def whole(frags):
    w = [p for p in defragment([p[IP] for p in frags]) if IP in p and p[IP].frag == 0 and p[IP].flags.MF == 0]
    return IP(bytes(w[0][IP])) if w else None


def main(d):
    data = bytes((i * 13) & 0xFF for i in range(3000))
    out_f = fragment(IP(src="192.168.1.10", dst="192.0.2.80", id=0x5151, ttl=64) /
                     UDP(sport=5000, dport=53) / Raw(data), fragsize=1200)
    back_f = fragment(IP(src="192.0.2.80", dst="203.0.113.2", id=0x6161, ttl=50) /
                      UDP(sport=53, dport=5000) / Raw(data[::-1]), fragsize=1200)
    flood = [fragment(IP(src="198.51.100.66", dst="203.0.113.2", id=0x7000 + i) / UDP(sport=53, dport=5000) /
                      Raw(data[:1500]), fragsize=1200)[1] for i in range(20)]
    assert len(out_f) == 3 and len(back_f) == 3

    def L(p):
        return Ether(src=HOST_MAC, dst=LAN_MAC) / p

    def W(p):
        return Ether(src=ISP_MAC, dst=WAN_MAC) / p

    lan_in = step([L(out_f[1]), L(out_f[2])], HOST_MAC) + step([L(out_f[0])], HOST_MAC)
    wan_in = (step([W(p) for p in flood], ISP_MAC) + step([W(back_f[1]), W(back_f[2])], ISP_MAC) +
              step([W(back_f[0])], ISP_MAC))
    wrpcap(f"{d}/lan.pcap", lan_in)
    wrpcap(f"{d}/wan.pcap", wan_in)
    ini = sbtest.gw_ini(d, ISP_MAC, HOST_MAC)
    out = sbtest.run_checked(SWITCHBACK, ini, "sbfragro", check, seconds=4)

    wan_out = [p for p in rdpcap(f"{d}/wan-out.pcap") if IP in p]
    frags = [p for p in wan_out if p[IP].id == 0x5151]
    check(len(frags) == 3, f"all 3 fragments of the LAN datagram left the WAN (got {len(frags)})")
    check(bool(frags) and frags[0][IP].frag == 0, "the first fragment first, the held ones after it")
    check(all(p[IP].src == "203.0.113.2" and p[IP].ttl == 63 and sbtest.ones(bytes(p[IP])[:20]) == 0xFFFF
              for p in frags), "every fragment translated to 203.0.113.2, TTL 63, IP checksum valid")
    w = whole(frags)
    check(w is not None and w[UDP].sport == 5000 and bytes(w[UDP].payload) == data and udp_ok(w),
          "reassembled: source port 5000, payload intact, UDP checksum valid")

    lan_out = [p for p in rdpcap(f"{d}/lan-out.pcap") if IP in p]
    bfr = [p for p in lan_out if p[IP].id == 0x6161]
    check(len(bfr) == 3 and all(p[IP].dst == "192.168.1.10" and p[Ether].dst == HOST_MAC for p in bfr),
          f"the server's 3 reordered fragments reached 192.168.1.10 (got {len(bfr)})")
    wb = whole(bfr)
    check(wb is not None and wb[UDP].dport == 5000 and bytes(wb[UDP].payload) == data[::-1] and udp_ok(wb),
          "reassembled answer: destination port 5000, payload intact, UDP checksum valid")
    check(not any(p[IP].src == "198.51.100.66" for p in lan_out), "no bogus fragment reached the LAN")

    m = re.search(r"held before their first (\d+), sent on (\d+), not held (\d+)", out)
    check(m is not None and m.groups() == ("12", "4", "12"),
          "held 12 (2 + 2 reordered, 8 of the flood), sent on 4, 12 of the flood not held"
          f" (got {m.groups() if m else None})")
    check(sbtest.drops(out).get("fragment_no_flow") == 20, "the 20 bogus fragments dropped as fragment_no_flow")


if __name__ == "__main__":
    sbtest.main(main, "sb-fragro-", check)
