#!/usr/bin/python3
"""Kernel sockets for the inbound NAT lab test (test_lab_forward.sh).

  labfwd.py server PORT...        in sb-lan: on every local address, TCP and
                                  UDP on each PORT. TCP: sends "FROM <peer ip>
                                  <peer port> TO <local ip> <local port>\\n",
                                  then echoes lines; UDP: answers each datagram
                                  with the same FROM/TO line.
  labfwd.py tcp HOST PORT [--src A] [--sport P]
                                  one connection: prints "OK <the server's line>"
  labfwd.py udp HOST PORT [--src A]
                                  one datagram: prints "OK <line> REPLY <ip> <port>"
                                  (where the answer came from)
  labfwd.py hold HOST PORT SECONDS [--interval S]
                                  one connection, a line every S seconds for
                                  SECONDS, each echo checked: prints "ECHO n ok"
                                  or "ECHO n lost", then "HELD <ok> <lost>"
Every call is bounded; failures print "FAIL <why>" and exit 1.
"""
import argparse
import select
import socket
import struct
import sys
import threading
import time


def line_for(peer, local):
    return "FROM %s %d TO %s %d" % (peer[0], peer[1], local[0], local[1])


def serve_tcp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        c, peer = s.accept()
        threading.Thread(target=tcp_client, args=(c, peer), daemon=True).start()


def tcp_client(c, peer):
    try:
        c.settimeout(60)
        c.sendall((line_for(peer, c.getsockname()) + "\n").encode())
        f = c.makefile("rb")
        for ln in f:
            c.sendall(ln)
    except OSError:
        pass
    finally:
        c.close()


IP_PKTINFO = 8  # Linux; not in Python's socket module


def serve_udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # The local address each datagram was sent to, and the answer sent
    # from it (struct in_pktinfo: ifindex, spec_dst, addr).
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind(("0.0.0.0", port))
    while True:
        data, anc, _, peer = s.recvmsg(2048, 256)
        local = None
        for level, typ, d in anc:
            if level == socket.IPPROTO_IP and typ == IP_PKTINFO:
                local = d[8:12]
        msg = ("FROM %s %d TO %s %d\n" % (peer[0], peer[1],
               socket.inet_ntoa(local) if local else "?", port)).encode()
        info = [(socket.IPPROTO_IP, IP_PKTINFO, struct.pack("I4s4s", 0, local, bytes(4)))] \
            if local else []
        s.sendmsg([msg], info, 0, peer)


def server(ports):
    for p in ports:
        threading.Thread(target=serve_tcp, args=(p,), daemon=True).start()
        threading.Thread(target=serve_udp, args=(p,), daemon=True).start()
    print("serving", " ".join(map(str, ports)), flush=True)
    while True:
        time.sleep(3600)


def fail(why):
    print("FAIL", why, flush=True)
    sys.exit(1)


def tcp(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(a.timeout)
    if a.src or a.sport:
        s.bind((a.src or "0.0.0.0", a.sport or 0))
    try:
        s.connect((a.host, a.port))
        ln = s.makefile("rb").readline().decode().strip()
    except OSError as e:
        fail("tcp %s:%d: %s" % (a.host, a.port, e))
    if not ln:
        fail("tcp %s:%d: no line" % (a.host, a.port))
    print("OK", ln, "LOCAL", s.getsockname()[0], s.getsockname()[1], flush=True)


def udp(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if a.src:
        s.bind((a.src, 0))
    end = time.time() + a.timeout
    while time.time() < end:
        s.sendto(b"x", (a.host, a.port))
        r, _, _ = select.select([s], [], [], 0.3)
        if r:
            data, frm = s.recvfrom(2048)
            print("OK", data.decode().strip(), "REPLY", frm[0], frm[1], flush=True)
            return
    fail("udp %s:%d: no answer" % (a.host, a.port))


def hold(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    try:
        s.connect((a.host, a.port))
        f = s.makefile("rb")
        f.readline()
    except OSError as e:
        fail("hold %s:%d: %s" % (a.host, a.port, e))
    ok = lost = 0
    end = time.time() + a.seconds
    n = 0
    while time.time() < end:
        n += 1
        msg = ("line %d\n" % n).encode()
        try:
            s.sendall(msg)
            s.settimeout(2)
            back = f.readline()
        except OSError:
            back = b""
        if back == msg:
            ok += 1
            print("ECHO", n, "ok", flush=True)
        else:
            lost += 1
            print("ECHO", n, "lost", flush=True)
        time.sleep(a.interval)
    print("HELD", ok, lost, flush=True)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("server")
    p.add_argument("ports", type=int, nargs="+")
    for name in ("tcp", "udp"):
        p = sub.add_parser(name)
        p.add_argument("host")
        p.add_argument("port", type=int)
        p.add_argument("--src")
        p.add_argument("--sport", type=int)
        p.add_argument("--timeout", type=float, default=2)
    p = sub.add_parser("hold")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("seconds", type=float)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--timeout", type=float, default=2)
    a = ap.parse_args()
    if a.cmd == "server":
        server(a.ports)
    elif a.cmd == "tcp":
        tcp(a)
    elif a.cmd == "udp":
        udp(a)
    else:
        hold(a)


if __name__ == "__main__":
    main()
