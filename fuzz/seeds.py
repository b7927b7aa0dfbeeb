#!/usr/bin/python3
"""Write the seed corpus of one fuzz target into a directory, generated
here (frames by scapy) rather than kept as binary files:
    fuzz/seeds.py TARGET OUTDIR      (TARGET: parse, nat, config, ctlcmd)
Only documentation and private address ranges appear in the frames."""
import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def frames():
    """Frames the gateway meets, as bytes: every kind sb_parse() knows."""
    from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, IPOption_RR,
                           IPOption_SSRR, Raw, fragment)
    from scapy.config import conf
    conf.verb = 0
    gw, host = "02:00:00:00:00:01", "02:00:00:00:00:10"
    e = Ether(src=host, dst=gw)
    lan, wan, far = "192.168.1.10", "203.0.113.2", "198.51.100.7"
    out = [
        e / ARP(op=1, hwsrc=host, psrc=lan, pdst="192.168.1.1"),
        Ether(src=host, dst="ff:ff:ff:ff:ff:ff") / ARP(op=2, hwsrc=host, psrc=lan, pdst=lan),
        e / IP(src=lan, dst=far) / TCP(sport=40000, dport=443, flags="S"),
        e / IP(src=lan, dst=far) / TCP(sport=40000, dport=443, flags="A",
                                       options=[("MSS", 1460), ("SAckOK", b"")]) / Raw(b"x" * 40),
        e / IP(src=far, dst=wan) / TCP(sport=443, dport=1024, flags="RA"),
        e / IP(src=lan, dst=far) / UDP(sport=5353, dport=53) / Raw(b"\x12\x34" + b"\0" * 10),
        e / IP(src=lan, dst=far) / UDP(sport=1, dport=2, chksum=0) / Raw(b"no checksum"),
        e / IP(src=lan, dst=far) / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping"),
        e / IP(src=far, dst=wan) / ICMP(type=0, id=0xff01, seq=7) / Raw(b"probe"),
        e / Dot1Q(vlan=7) / IP(src=lan, dst=far) / UDP(sport=1000, dport=2000) / Raw(b"v"),
        e / Dot1Q(vlan=7) / ARP(op=1, psrc=lan, pdst="192.168.1.1"),
        e / IP(src=lan, dst=far, ttl=1) / UDP(sport=1000, dport=33434),
        e / IP(src=lan, dst=far, options=[IPOption_RR()]) / UDP(sport=7, dport=7),
        e / IP(src=lan, dst=far, options=[IPOption_SSRR(routers=["192.0.2.1"])]) / TCP(),
        e / IP(src="127.0.0.1", dst=far) / UDP(),
        e / IP(src=lan, dst="224.0.0.251") / UDP(sport=5353, dport=5353),
        e / IP(src=lan, dst="255.255.255.255") / UDP(sport=68, dport=67),
        e / IP(src=lan, dst=far, proto=47) / Raw(b"gre"),
    ]
    # ICMP errors quoting each protocol, both ways, short and whole quotes.
    for inner in (IP(src=wan, dst=far) / UDP(sport=1024, dport=53) / Raw(b"q" * 12),
                  IP(src=wan, dst=far) / TCP(sport=1025, dport=80, flags="S"),
                  IP(src=wan, dst=far) / ICMP(type=8, id=1026, seq=3) / Raw(b"abcd")):
        raw = bytes(inner)
        for t, c in ((3, 3), (3, 4), (11, 0), (12, 0), (4, 0), (5, 1)):
            out.append(e / IP(src="192.0.2.1", dst=wan) / ICMP(type=t, code=c) / Raw(raw))
            out.append(e / IP(src="192.0.2.1", dst=wan) / ICMP(type=t, code=c) / Raw(raw[:28]))
    out.append(e / IP(src=lan, dst=far) / ICMP(type=3, code=3) /
               Raw(bytes(IP(src=far, dst=lan) / UDP(sport=53, dport=5353))))
    # Fragments: first, middle, last.
    big = IP(src=lan, dst=far, id=0x4242) / UDP(sport=4000, dport=4001) / Raw(b"F" * 1400)
    for f in fragment(big, fragsize=512):
        out.append(e / f)
    # A bad IP checksum and a truncated one.
    bad = bytearray(bytes(e / IP(src=lan, dst=far) / UDP()))
    bad[24] ^= 0xff
    out.append(bytes(bad))
    out.append(bytes(e / IP(src=lan, dst=far) / TCP())[:40])
    return [bytes(f) for f in out]


def seeds(target):
    if target == "parse":
        return frames()
    if target == "nat":
        # Mode byte (two top bits: 0 rewrite, 1 ICMP error, 2-3 ports),
        # then an address and a port, then the frame.
        ap = bytes([203, 0, 113, 2]) + struct.pack("!H", 61000)
        s = []
        for f in frames():
            s.append(bytes([0x00]) + ap + f)
            s.append(bytes([0x01]) + ap + f)
            s.append(bytes([0x40]) + ap + f)
            s.append(bytes([0x41]) + ap + f)
        # Port pool: allocate (0/1), free (2), step the clock (3).
        ops = b"".join(bytes([op, proto]) + struct.pack("!H", port)
                       for op, proto, port in ((0, 0, 40000), (0, 0, 40000), (2, 0, 40000),
                                               (0, 0, 40000), (3, 121, 0), (0, 0, 40000),
                                               (0, 2, 0xff05), (1, 1, 0), (0, 1, 80)))
        s.append(bytes([0x80]) + ops)
        return s
    if target == "config":
        s = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(HERE, "..", "conf", "*.ini")))]
        s.append(b"[switchback]\nmbufs = 16384\nctl_socket = /run/sb.sock\n[port lan]\n"
                 b"device = net_null0\naddress = 192.168.1.1/24\n")
        s.append(b"[port w]\ndevice = d\nrole = wan\naddress = 203.0.113.2/24\n"
                 b"[wan w]\nmonitors = 192.0.2.53, 192.0.2.55\ngateway = 203.0.113.1\n"
                 b"quorum = 2\ntrigger = loss\nloss_pct = 20\n"
                 b"[notify]\nhook = \"logger a; logger b\"\nwebhook = http://192.0.2.9/x\n")
        return s
    if target == "ctlcmd":
        return [c.encode() + b"\n" for c in (
            "route print", "route print --json", "route", "wan", "wan print --json",
            "wan down wan1", "wan up wan1", "wan auto wan1", "route set default1 distance 3",
            "route disable default1", "route enable default1", "stats", "stats --json",
            "neighbor print", "arp", "neighbour", "route set x distance 0",
            "route set x distance 256", "nonsense", "")]
    raise SystemExit(f"seeds.py: unknown target {target}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    target, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    for s in seeds(target):
        name = hashlib.sha1(s).hexdigest()
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(s)


if __name__ == "__main__":
    main()
