#!/usr/bin/python3
"""Integration test: the real switchback binary over net_pcap vdevs.

Crafted packets go in through rx pcaps on a LAN and a WAN port; the packets
switchback transmits (tx pcaps) are compared byte for byte with what a
correct gateway must send: addresses, ports, TTL, MACs and every checksum.

The worker polls ports in config order and each pcap here holds fewer than
a burst (SB_BURST, 64) of packets, so the whole LAN file is processed before the WAN
file: WAN replies always find the sessions the LAN packets created.
"""
import os
import re
import struct
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, rdpcap, wrpcap  # noqa: E402

import sbtest

SWITCHBACK = sys.argv[1] if len(sys.argv) > 1 else "build/switchback"
LAN_MAC = "02:70:63:61:70:00"    # net_pcap's MAC for ethdev 0 (port lan)
WAN_MAC = "02:70:63:61:70:01"    # ethdev 1 (port wan1)
HOST_MAC = "02:00:00:00:00:10"   # 192.168.1.10
HOST2_MAC = "02:00:00:00:00:11"  # 192.168.1.11
ISP_MAC = "02:00:00:00:01:01"    # 203.0.113.1
SERVER = "192.0.2.80"
WAN_IP = "203.0.113.2"

check = sbtest.Checks()


def canon(pkt):
    """The packet with every length and checksum recomputed by scapy."""
    p = pkt.copy()
    for layer in (IP, TCP, UDP, ICMP):
        if layer in p:
            if hasattr(p[layer], "chksum"):
                del p[layer].chksum
            if layer is IP:
                del p[IP].len
            if layer is UDP:
                del p[UDP].len
    return bytes(p.__class__(bytes(p)))


def icmp_error_valid(o, udp_quote=False):
    """Outer IP, ICMP and quoted IP checksums (and the quoted UDP
    checksum when the whole datagram is quoted) all verify."""
    raw = bytes(o[IP])
    ihl = (raw[0] & 0xF) * 4
    icmp = raw[ihl:]
    emb = icmp[8:]
    eihl = (emb[0] & 0xF) * 4
    ok = sbtest.ones(raw[:ihl]) == 0xFFFF and sbtest.ones(icmp) == 0xFFFF and sbtest.ones(emb[:eihl]) == 0xFFFF
    if udp_quote:
        u = emb[eihl:]
        pseudo = emb[12:20] + bytes([0, 17]) + struct.pack("!H", len(u))
        ok = ok and sbtest.ones(pseudo + u) == 0xFFFF
    return ok


def lan(ip, l4, src_mac=HOST_MAC):
    return Ether(src=src_mac, dst=LAN_MAC) / ip / l4


def wan(ip, l4):
    return Ether(src=ISP_MAC, dst=WAN_MAC) / ip / l4


def main(d):
    payload = Raw(b"switchback-test!")
    lan_in = [
        # 0: UDP, source port free -> preserved
        lan(IP(src="192.168.1.10", dst=SERVER, ttl=64, id=1), UDP(sport=5000, dport=53) / payload),
        # 1: TCP SYN
        lan(IP(src="192.168.1.10", dst=SERVER, ttl=64, id=2), TCP(sport=40000, dport=80, flags="S", seq=1000)),
        # 2: ICMP echo request id 77
        lan(IP(src="192.168.1.10", dst=SERVER, ttl=64, id=3), ICMP(type=8, id=77, seq=1) / payload),
        # 3: second host, same source port -> must get another port
        lan(IP(src="192.168.1.11", dst=SERVER, ttl=64, id=4), UDP(sport=5000, dport=53) / payload, HOST2_MAC),
        # 4: ping the gateway itself -> echo reply on the LAN
        lan(IP(src="192.168.1.10", dst="192.168.1.1", ttl=64, id=5), ICMP(type=8, id=9, seq=4) / payload),
        # 5: TTL 1 -> ICMP time exceeded from 192.168.1.1
        lan(IP(src="192.168.1.10", dst=SERVER, ttl=1, id=6), UDP(sport=5001, dport=53) / payload),
        # 6: same flow as 0 again -> same mapping
        lan(IP(src="192.168.1.10", dst=SERVER, ttl=30, id=7), UDP(sport=5000, dport=53) / payload),
        # 7: same internal endpoint, another destination -> same external port (EIM)
        lan(IP(src="192.168.1.10", dst="192.0.2.99", ttl=64, id=8), UDP(sport=5000, dport=123) / payload),
        # 8: spoofed source (not on the LAN) -> dropped
        lan(IP(src="198.18.5.5", dst=SERVER, ttl=64, id=9), UDP(sport=5000, dport=53) / payload),
        # 9: the LAN host's port unreachable about the server's UDP reply
        #    (which it got as SERVER:53 -> 192.168.1.10:5000)
        lan(IP(src="192.168.1.10", dst=SERVER, ttl=64, id=10),
            ICMP(type=3, code=3) / IP(src=SERVER, dst="192.168.1.10", ttl=49, id=555) /
            UDP(sport=53, dport=5000) / payload),
        # 10: hairpin: 192.168.1.11:6000 -> 203.0.113.2:5000, the mapping of 192.168.1.10:5000
        lan(IP(src="192.168.1.11", dst=WAN_IP, ttl=64, id=11), UDP(sport=6000, dport=5000) / payload,
            HOST2_MAC),
        # 11: 192.168.1.10 answers the external address it saw, 203.0.113.2:6000
        lan(IP(src="192.168.1.10", dst=WAN_IP, ttl=64, id=12), UDP(sport=5000, dport=6000) / payload),
        # 12: to an external port nobody has: dropped
        lan(IP(src="192.168.1.10", dst=WAN_IP, ttl=64, id=13), UDP(sport=5000, dport=7777) / payload),
    ]
    bad = Ether(src=HOST_MAC, dst=LAN_MAC) / IP(src="192.168.1.10", dst=SERVER) / UDP(sport=1, dport=2) / payload
    raw_bad = bytes(bad)
    malformed = [
        raw_bad[:20],                                               # truncated
        raw_bad[:14] + bytes([0x65]) + raw_bad[15:],                # IP version 6 in an IPv4 frame
        raw_bad[:24] + b"\x00\x00" + raw_bad[26:],                  # bad IP checksum
        raw_bad[:16] + b"\x05\xdc" + raw_bad[18:],                  # total length 1500 > frame
        bytes(Ether(src=HOST_MAC, dst=LAN_MAC) / IP(src="127.0.0.1", dst=SERVER) / UDP() / payload),  # martian
        bytes(Ether(src=HOST_MAC, dst="02:99:99:99:99:99") / IP(src="192.168.1.10", dst=SERVER) / UDP() / payload),
    ]
    wrpcap(os.path.join(d, "lan.pcap"), lan_in + [Ether(m) for m in malformed])

    wan_in = [
        # 0: reply to UDP flow 0
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=100), UDP(sport=53, dport=5000) / payload),
        # 1: SYN-ACK
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=101), TCP(sport=80, dport=40000, flags="SA", seq=5000, ack=1001)),
        # 2: echo reply id 77
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=102), ICMP(type=0, id=77, seq=1) / payload),
        # 3: unsolicited -> dropped silently
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=103), UDP(sport=53, dport=6000) / payload),
        # 4: ping our WAN address -> echo reply out of the WAN
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=104), ICMP(type=8, id=5, seq=1) / payload),
        # 5: from the WAN with a LAN source address -> dropped
        wan(IP(src="192.168.1.10", dst=WAN_IP, ttl=50, id=105), UDP(sport=53, dport=5000) / payload),
        # 6: port unreachable from the server about our UDP flow 0
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=106),
            ICMP(type=3, code=3) / IP(src=WAN_IP, dst=SERVER, ttl=63, id=1) /
            UDP(sport=5000, dport=53) / payload),
        # 7: time exceeded from a router on the way, about the TCP SYN (8-byte quote)
        wan(IP(src="198.18.9.9", dst=WAN_IP, ttl=50, id=107),
            ICMP(type=11, code=0) / Raw(bytes(IP(src=WAN_IP, dst=SERVER, ttl=1, id=2) /
                                            TCP(sport=40000, dport=80, flags="S", seq=1000))[:28])),
        # 8: a blind RST far out of window for the TCP flow -> ignored (dropped)
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=109), TCP(sport=80, dport=40000, flags="R", seq=5001 + 100000000)),
        # 9: an in-window RST -> translated to the LAN host
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=110), TCP(sport=80, dport=40000, flags="R", seq=5001)),
        # 10: an error about a flow we never had -> dropped
        wan(IP(src=SERVER, dst=WAN_IP, ttl=50, id=108),
            ICMP(type=3, code=3) / IP(src=WAN_IP, dst=SERVER, ttl=63) / UDP(sport=7777, dport=53) / payload),
    ]
    wrpcap(os.path.join(d, "wan.pcap"), wan_in)

    ini = sbtest.gw_ini(d, ISP_MAC, HOST_MAC, switchback="mbufs = 16384\nsessions = 1024")
    with open(ini, "a") as f:
        f.write(f"[neighbor host2]\naddress = 192.168.1.11\nmac = {HOST2_MAC}\nport = lan\n")
    out = sbtest.run_checked(SWITCHBACK, ini, "sbpcap", check, tail=0, what="switchback exited 0 on SIGINT")

    wan_out = rdpcap(os.path.join(d, "wan-out.pcap"))
    lan_out = rdpcap(os.path.join(d, "lan-out.pcap"))
    wan_ip = [p for p in wan_out if IP in p]
    lan_ip = [p for p in lan_out if IP in p]

    def rewritten(inp, smac, dmac, end, addr, port, ttl_dec=1):
        """@inp as the gateway must send it: MACs and TTL, and at @end
        ("src" or "dst") the address and the port (ICMP: the id)."""
        e = inp.copy()
        e[Ether].src, e[Ether].dst = smac, dmac
        e[IP].ttl -= ttl_dec
        if addr:
            setattr(e[IP], end, addr)
        if port is not None:
            if UDP in e:
                setattr(e[UDP], end[0] + "port", port)
            elif TCP in e:
                setattr(e[TCP], end[0] + "port", port)
            elif ICMP in e:
                e[ICMP].id = port
        return canon(e)

    def expect_out(inp, src=None, sport=None, ttl_dec=1, dmac=ISP_MAC, smac=WAN_MAC):
        return rewritten(inp, smac, dmac, "src", src, sport, ttl_dec)

    def find(pkts, pred):
        for p in pkts:
            try:
                if pred(p):
                    return p
            except (IndexError, AttributeError):
                pass
        return None

    # LAN -> WAN, masqueraded
    o = find(wan_ip, lambda p: p[IP].id == 1)
    check(o is not None and bytes(o) == expect_out(lan_in[0], WAN_IP, 5000),
          "UDP SNAT to 203.0.113.2:5000 (port preserved), TTL 63, MACs and checksums exact")
    o = find(wan_ip, lambda p: p[IP].id == 2)
    check(o is not None and bytes(o) == expect_out(lan_in[1], WAN_IP, 40000),
          "TCP SYN SNAT byte for byte")
    o = find(wan_ip, lambda p: p[IP].id == 3)
    check(o is not None and bytes(o) == expect_out(lan_in[2], WAN_IP, 77),
          "ICMP echo SNAT (id preserved) byte for byte")
    o = find(wan_ip, lambda p: p[IP].id == 4)
    port2 = o[UDP].sport if o is not None else None
    check(o is not None and port2 != 5000 and 1024 <= port2 <= 65535 and
          bytes(o) == expect_out(lan_in[3], WAN_IP, port2),
          f"second host's colliding source port remapped (to {port2}) byte for byte")
    o = find(wan_ip, lambda p: p[IP].id == 7)
    check(o is not None and bytes(o) == expect_out(lan_in[6], WAN_IP, 5000),
          "same flow keeps its mapping")
    check(find(wan_ip, lambda p: p[IP].id == 6) is None, "TTL-1 packet not forwarded")
    o = find(wan_ip, lambda p: p[IP].id == 8)
    check(o is not None and bytes(o) == expect_out(lan_in[7], WAN_IP, 5000),
          "endpoint-independent mapping: 192.168.1.10:5000 keeps 5000 towards another destination")
    check(find(wan_ip, lambda p: p[IP].id == 9) is None, "spoofed LAN source not forwarded")

    # WAN -> LAN, un-NATed
    def expect_in(inp, dst, dport, dmac=HOST_MAC):
        return rewritten(inp, LAN_MAC, dmac, "dst", dst, dport)

    o = find(lan_ip, lambda p: p[IP].id == 100)
    check(o is not None and bytes(o) == expect_in(wan_in[0], "192.168.1.10", 5000),
          "UDP reply un-NATed to 192.168.1.10:5000 byte for byte")
    o = find(lan_ip, lambda p: p[IP].id == 101)
    check(o is not None and bytes(o) == expect_in(wan_in[1], "192.168.1.10", 40000),
          "TCP SYN-ACK un-NATed byte for byte")
    o = find(lan_ip, lambda p: p[IP].id == 102)
    check(o is not None and bytes(o) == expect_in(wan_in[2], "192.168.1.10", 77),
          "ICMP echo reply un-NATed byte for byte")
    check(find(lan_ip, lambda p: p[IP].id == 103) is None and
          find(wan_ip, lambda p: p[IP].id == 103) is None,
          "unsolicited WAN packet dropped silently (no RST, no ICMP)")

    # ICMP errors (RFC 5508), both ways, quoted header restored
    def quoted(o):
        return IP(bytes(o[ICMP])[8:])

    o = find(lan_ip, lambda p: p[IP].id == 106)
    q = quoted(o) if o is not None else None
    check(o is not None and o[IP].dst == "192.168.1.10" and o[IP].ttl == 49 and
          q.src == "192.168.1.10" and q[UDP].sport == 5000 and icmp_error_valid(o, True),
          "port unreachable from the WAN translated to the LAN host, quoted header restored, checksums valid")
    o = find(lan_ip, lambda p: p[IP].id == 107)
    q = quoted(o) if o is not None else None
    check(o is not None and o[IP].dst == "192.168.1.10" and q.src == "192.168.1.10" and
          bytes(o[ICMP])[8 + 20:8 + 22] == struct.pack("!H", 40000) and icmp_error_valid(o),
          "time exceeded from a router (8-byte quote) translated; quoted IP checksum valid")
    check(find(lan_ip, lambda p: p[IP].id == 108) is None, "error about an unknown flow dropped")
    o = find(wan_ip, lambda p: p[IP].id == 10)
    q = quoted(o) if o is not None else None
    check(o is not None and o[IP].src == WAN_IP and q.dst == WAN_IP and q[UDP].dport == 5000 and
          icmp_error_valid(o, True),
          "the LAN host's port unreachable leaves with the WAN address, quote rewritten")

    # TCP RST
    check(find(lan_ip, lambda p: p[IP].id == 109) is None, "blind RST out of window ignored")
    o = find(lan_ip, lambda p: p[IP].id == 110)
    check(o is not None and bytes(o) == expect_in(wan_in[9], "192.168.1.10", 40000),
          "in-window RST translated to the LAN host byte for byte")

    # Hairpinning (RFC 4787 REQ-9): each LAN host sees the other's external mapping
    o = find(lan_ip, lambda p: p[IP].id == 11)
    check(o is not None and o[IP].src == WAN_IP and o[UDP].sport == 6000 and
          o[IP].dst == "192.168.1.10" and o[UDP].dport == 5000 and o[Ether].dst == HOST_MAC and
          bytes(o) == canon(o),
          "hairpin: 192.168.1.11:6000 reaches 192.168.1.10:5000 as 203.0.113.2:6000")
    o = find(lan_ip, lambda p: p[IP].id == 12)
    check(o is not None and o[IP].src == WAN_IP and o[UDP].sport == 5000 and
          o[IP].dst == "192.168.1.11" and o[UDP].dport == 6000 and o[Ether].dst == HOST2_MAC and
          bytes(o) == canon(o),
          "hairpin answer: 192.168.1.10 reaches 192.168.1.11:6000 as 203.0.113.2:5000")
    check(find(lan_ip, lambda p: p[IP].id == 13) is None and find(wan_ip, lambda p: p[IP].id == 13) is None,
          "to an unmapped external port: dropped")

    # The gateway's own answers
    o = find(lan_ip, lambda p: ICMP in p and p[ICMP].type == 0 and p[ICMP].id == 9)
    check(o is not None and o[IP].src == "192.168.1.1" and o[IP].dst == "192.168.1.10" and
          o[Ether].dst == HOST_MAC and bytes(o) == canon(o),
          "echo reply from 192.168.1.1 with valid checksums")
    o = find(wan_ip, lambda p: ICMP in p and p[ICMP].type == 0 and p[ICMP].id == 5)
    check(o is not None and o[IP].src == WAN_IP and o[IP].dst == SERVER and bytes(o) == canon(o),
          "echo reply from the WAN address")
    o = find(lan_ip, lambda p: ICMP in p and p[ICMP].type == 11 and p[IP].src == "192.168.1.1")
    check(o is not None and o[IP].src == "192.168.1.1" and o[IP].dst == "192.168.1.10" and
          bytes(o) == canon(o) and o[ICMP].payload.src == "192.168.1.10",
          "ICMP time exceeded for TTL 1, quoting the original header")

    # Counters
    drops = sbtest.drops(out)
    for reason, n in (("truncated", 1), ("ip_bad_header", 1), ("ip_bad_checksum", 1),
                      ("ip_bad_length", 1), ("ip_martian_address", 1),
                      ("l2_not_for_us", 1), ("wan_unsolicited", 1), ("ttl_exceeded", 1),
                      ("spoofed_source", 2), ("icmp_error_no_session", 1),
                      ("tcp_rst_out_of_window", 1)):
        check(int(drops.get(reason, 0)) == n, f"drop counter {reason} == {n} (got {drops.get(reason, 0)})")
    m = re.search(r"sessions: active (\d+) created (\d+)", out)
    check(m is not None and int(m.group(2)) == 6,
          "6 sessions created (UDP x2 hosts, TCP, ICMP, UDP to a second destination, hairpin)")
    check(find(lan_ip, lambda p: p[IP].id == 105) is None, "WAN packet with a LAN source not forwarded")



if __name__ == "__main__":
    sbtest.main(main, "sb-pcap-", check)
