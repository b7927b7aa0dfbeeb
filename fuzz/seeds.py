#!/usr/bin/python3
"""Write the seed corpus of one fuzz target into a directory, generated
here (frames by scapy) rather than kept as binary files:
    fuzz/seeds.py TARGET OUTDIR      (TARGET: parse, nat, config, ctlcmd, dhcp, worker)
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


def dhcp_frames():
    """What a DHCP server sends a WAN port: OFFER, ACK and NAK, with the
    options the client reads (RFC 2132, RFC 3442 routes, overload, split
    options), from 203.0.113.1 to the client 02:00:00:00:00:01."""
    from scapy.all import BOOTP, DHCP, IP, UDP, Ether
    from scapy.config import conf
    conf.verb = 0
    mac = bytes.fromhex("020000000001")
    base = (Ether(src="02:00:00:00:99:01", dst="02:00:00:00:00:01") /
            IP(src="203.0.113.1", dst="203.0.113.10") / UDP(sport=67, dport=68))
    csr = bytes([0, 203, 0, 113, 1, 8, 10, 203, 0, 113, 2, 24, 198, 51, 100, 0, 0, 0, 0])
    common = [("server_id", "203.0.113.1"), ("lease_time", 120), ("subnet_mask", "255.255.255.0"),
              ("router", "203.0.113.1"), ("name_server", "192.0.2.53", "192.0.2.54"),
              ("renewal_time", 60), ("rebinding_time", 105)]
    out = []
    for t in ("offer", "ack"):
        b = BOOTP(op=2, xid=0x1234, yiaddr="203.0.113.10", chaddr=mac)
        out.append(base / b / DHCP(options=[("message-type", t)] + common + ["end"]))
        out.append(base / b / DHCP(options=[("message-type", t)] + common +
                                   [(121, csr), ("client_id", b"\x01" + mac), "end"]))
    out.append(base / BOOTP(op=2, xid=0x1234, chaddr=mac) /
               DHCP(options=[("message-type", "nak"), ("server_id", "203.0.113.1"),
                             ("error_message", b"address not available"), "end"]))
    # Overload: the mask in 'file'; option 6 split in two (RFC 3396).
    out.append(base / BOOTP(op=2, xid=0x1234, yiaddr="203.0.113.10", chaddr=mac,
                            file=bytes([1, 4, 255, 255, 255, 0, 255])) /
               DHCP(options=[("message-type", "ack"), ("server_id", "203.0.113.1"),
                             ("lease_time", 120), (52, b"\x01"), (6, b"\xc0\x00\x02\x01"),
                             (6, b"\xc0\x00\x02\x02"), "end"]))
    frames = [bytes(f) for f in out]
    # The bare messages too (the target parses both ways).
    frames += [f[42:] for f in frames[:2]]
    return frames


def worker_seeds():
    """Conversations for fuzz_worker: records of flags (bit 0 WAN port,
    bit 3 same burst, bits 4-7 time step), a 2-byte length, the frame."""
    from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, fragment
    from scapy.config import conf
    conf.verb = 0
    lan, wan, far = "192.168.1.10", "203.0.113.2", "198.51.100.7"
    e = Ether(src="02:00:00:00:01:0a", dst="02:00:00:00:00:01")
    g = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:00:02")

    def rec(flags, f):
        b = bytes(f)
        return bytes([flags]) + struct.pack("!H", len(b)) + b

    tcp = (rec(0, e / IP(src=lan, dst=far) / TCP(sport=40000, dport=443, flags="S", seq=1000))
           + rec(1, g / IP(src=far, dst=wan) / TCP(sport=443, dport=40000, flags="SA", seq=7000,
                                                   ack=1001))
           + rec(0, e / IP(src=lan, dst=far) / TCP(sport=40000, dport=443, flags="A", seq=1001,
                                                   ack=7001) / Raw(b"x" * 20))
           + rec(0x11, g / IP(src=far, dst=wan) / TCP(sport=443, dport=40000, flags="FA"))
           + rec(0x10, e / IP(src=lan, dst=far) / TCP(sport=40000, dport=443, flags="A")))
    udp = (rec(0, e / IP(src=lan, dst=far) / UDP(sport=5000, dport=53) / Raw(b"q" * 12))
           + rec(9, e / IP(src="192.168.1.11", dst=wan) / UDP(sport=5001, dport=5000))
           + rec(1, g / IP(src=far, dst=wan) / UDP(sport=53, dport=5000) / Raw(b"a" * 30))
           + rec(0xf0, e / IP(src=lan, dst=far) / UDP(sport=5000, dport=53)))
    frags = rec(0, e / IP(src=lan, dst=far) / UDP(sport=5000, dport=53)) + b"".join(
        rec(1, g / f) for f in reversed(fragment(IP(src=far, dst=wan) / UDP(sport=53, dport=5000)
                                                 / Raw(b"z" * 1200), fragsize=400)))
    icmp = (rec(0, e / IP(src=lan, dst=far) / ICMP(type=8, id=77, seq=1))
            + rec(1, g / IP(src=far, dst=wan) / ICMP(type=0, id=77, seq=1))
            + rec(1, g / IP(src="192.0.2.1", dst=wan) / ICMP(type=3, code=4) /
                  IP(src=wan, dst=far) / UDP(sport=5000, dport=53))
            + rec(0, e / IP(src=lan, dst="192.168.1.1") / ICMP(type=8, id=1, seq=2))
            + rec(1, g / IP(src="192.0.2.53", dst=wan) / ICMP(type=0, id=0xff03, seq=7) /
                  Raw(b"\0" * 16)))
    # Runs of one flow in a burst (bit 3): the fused pass looks the first
    # up and lets the rest take its hit (fastpath.c); another host's miss
    # inside a run, replies in a run, a blind RST inside a TCP run.
    up = e / IP(src=lan, dst=far) / UDP(sport=5002, dport=123)
    down = g / IP(src=far, dst=wan) / UDP(sport=123, dport=5002)
    runs = (rec(0, up / Raw(b"r" * 8))
            + rec(0x18, up / Raw(b"r" * 9)) + rec(8, up / Raw(b"r" * 10))
            + rec(8, e / IP(src="192.168.1.12", dst=far) / UDP(sport=5002, dport=123))
            + rec(8, up / Raw(b"r" * 11)) + rec(8, up)
            + rec(0x11, down / Raw(b"s" * 4)) + rec(9, down) + rec(9, down / Raw(b"s" * 40)))
    seg = e / IP(src=lan, dst=far)
    truns = (rec(0, seg / TCP(sport=40001, dport=443, flags="S", seq=500))
             + rec(1, g / IP(src=far, dst=wan) / TCP(sport=443, dport=40001, flags="SA",
                                                     seq=9000, ack=501))
             + rec(0x10, seg / TCP(sport=40001, dport=443, flags="A", seq=501, ack=9001)
                   / Raw(b"d" * 100))
             + rec(8, seg / TCP(sport=40001, dport=443, flags="PA", seq=601, ack=9001)
                   / Raw(b"d" * 100))
             + rec(8, seg / TCP(sport=40001, dport=443, flags="R", seq=3000000000))
             + rec(8, seg / TCP(sport=40001, dport=443, flags="A", seq=701, ack=9001)
                   / Raw(b"d" * 100)))
    return [tcp, udp, frags, icmp, tcp + udp + icmp, runs, truns]


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
            "route set x distance 256", "block print", "block add 198.51.100.0/24",
            "block del 198.51.100.7", "nonsense", "")]
    if target == "dhcp":
        return dhcp_frames()
    if target == "worker":
        return worker_seeds()
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
