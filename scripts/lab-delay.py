#!/usr/bin/python3
"""Latency fault for the lab (this kernel has no netem): run in sb-inet.

Answers ICMP echo requests that come from --peer (a WAN's address) MS
milliseconds late, from a raw socket, while an nft rule that `lab.sh
latency` installs drops the kernel's own (immediate) replies to that peer.
The late replies carry fwmark 0x5b so that rule lets them through. Real
packets: switchback's probes are answered by this process instead of the
kernel, with the same identifier, sequence and payload.

  lab-delay.py --peer 203.0.113.2 --ms 150 [--jitter 30] [--ready FILE] [--max-seconds N]

--jitter J: each reply MS +- J ms late (uniform at random, at least 0).
"""
import argparse
import heapq
import random
import select
import socket
import struct
import time

MARK = 0x5B
SO_MARK = 36


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def reply(pkt):
    ihl = (pkt[0] & 0x0F) * 4
    src, dst = pkt[12:16], pkt[16:20]
    icmp = bytearray(pkt[ihl:])
    icmp[0] = 0          # echo reply
    icmp[2:4] = b"\0\0"
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    total = 20 + len(icmp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, socket.IPPROTO_ICMP, 0, dst, src)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + bytes(icmp), socket.inet_ntoa(src)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True, help="answer echo requests from this address")
    ap.add_argument("--ms", type=float, required=True, help="added delay in milliseconds")
    ap.add_argument("--jitter", type=float, default=0.0, help="+- this many ms at random")
    ap.add_argument("--ready", help="touch this file once listening")
    ap.add_argument("--max-seconds", type=int, default=3600)
    a = ap.parse_args()
    rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    tx.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    tx.setsockopt(socket.SOL_SOCKET, SO_MARK, MARK)
    peer = socket.inet_aton(a.peer)
    if a.ready:
        open(a.ready, "w").close()
    due = []             # (time, seq, packet, destination)
    n = 0
    end = time.time() + a.max_seconds
    while time.time() < end:
        wait = max(0.0, due[0][0] - time.time()) if due else 0.5
        r, _, _ = select.select([rx], [], [], wait)
        if r:
            pkt = rx.recv(65535)
            ihl = (pkt[0] & 0x0F) * 4
            if len(pkt) >= ihl + 8 and pkt[12:16] == peer and pkt[ihl] == 8:
                out, to = reply(pkt)
                n += 1
                late = max(0.0, a.ms + random.uniform(-a.jitter, a.jitter))
                heapq.heappush(due, (time.time() + late / 1000.0, n, out, to))
        now = time.time()
        while due and due[0][0] <= now:
            _, _, out, to = heapq.heappop(due)
            try:
                tx.sendto(out, (to, 0))
            except OSError:
                pass


if __name__ == "__main__":
    main()
