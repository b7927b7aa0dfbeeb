#!/usr/bin/python3
"""One long TCP connection through the gateway, for tests that change the
gateway under it (reload): every line the client sends must come back, in
order, with no reset.

  labtcp.py server [--addr 192.0.2.80] [--port 9100] [--max-seconds 60]
      (in sb-inet) accept one connection, echo it; at its end print
      "server lines N in-order|OUT-OF-ORDER" or "server RESET".
  labtcp.py client [--addr ...] [--port ...] [--count N] [--interval S]
      (in sb-lan) send "0\\n" .. "N-1\\n", one every interval, read the echo;
      print "client sent N echoed M" or "client RESET after K".
"""
import argparse
import socket
import sys
import time


def server(a):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    s.listen(1)
    s.settimeout(a.max_seconds)
    c, _ = s.accept()
    c.settimeout(a.max_seconds)
    buf = b""
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            buf += d
            c.sendall(d)
    except OSError as e:
        print(f"server RESET ({e})", flush=True)
        return 1
    lines = buf.decode().split()
    order = lines == [str(i) for i in range(len(lines))]
    print(f"server lines {len(lines)} {'in-order' if order else 'OUT-OF-ORDER'}", flush=True)
    return 0


def client(a):
    # The server may still be starting (a loaded machine): retry for 5 s.
    for _ in range(50):
        try:
            s = socket.create_connection((a.addr, a.port), timeout=5)
            break
        except ConnectionRefusedError:
            time.sleep(0.1)
    else:
        print("client could not connect", flush=True)
        return 1
    s.settimeout(5)
    got = b""
    try:
        t0 = time.time()
        for i in range(a.count):
            s.sendall(f"{i}\n".encode())
            while time.time() < t0 + (i + 1) * a.interval:
                s.settimeout(max(0.001, t0 + (i + 1) * a.interval - time.time()))
                try:
                    d = s.recv(4096)
                    if not d:
                        raise OSError("closed by the peer")
                    got += d
                except socket.timeout:
                    pass
        s.shutdown(socket.SHUT_WR)
        s.settimeout(5)
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except OSError as e:
        print(f"client RESET after {len(got.split())} ({e})", flush=True)
        return 1
    print(f"client sent {a.count} echoed {len(got.split())}", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("--addr", default="192.0.2.80")
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--max-seconds", type=float, default=60)
    a = ap.parse_args()
    return server(a) if a.mode == "server" else client(a)


if __name__ == "__main__":
    sys.exit(main())
