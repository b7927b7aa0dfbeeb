#!/usr/bin/python3
"""Lab client, run in sb-lan: connections to the lab server.

  lab-client.py once [--timeout S] [--source IP]
      one TCP connection; prints the server's line ("HELLO <ip> <port>"),
      exit 1 when it failed.
  lab-client.py loop [--interval S] [--timeout S] [--count N] [--source IP]
      a new TCP connection every interval (bounded by --count); prints
      "<epoch_ms> <1|2|x>" per attempt: through WAN1, WAN2, or failed.
  lab-client.py stream [--interval S] [--count N] [--source IP] [--sport P] [--dst IP]
      one UDP flow to the echo server (192.0.2.80:8081, or --dst): COUNT
      numbered datagrams, one every INTERVAL; prints "sent N received M
      lost K" and the numbers of the lost ones, then a line
      "rtt_ms p50 A p99 B max C" over the answered ones. The flow keeps its source
      port, so it is one session through the gateway. SIGTERM ends it
      early (what was sent is still accounted).
"""
import argparse
import signal
import socket
import sys
import time

SERVER = ("192.0.2.80", 8080)
ECHO = ("192.0.2.80", 8081)
WANS = {"203.0.113.2": "1", "198.51.100.2": "2"}


def attempt(timeout, source=None):
    try:
        with socket.create_connection(SERVER, timeout=timeout,
                                      source_address=(source, 0) if source else None) as s:
            s.settimeout(timeout)
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            return data.decode().strip()
    except OSError:
        return ""


def stream(a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    echo = (a.dst, ECHO[1]) if a.dst else ECHO
    sent = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.source or "0.0.0.0", a.sport))
    s.setblocking(False)
    got = set()
    sent_at, rtt = {}, []
    t0 = time.time()
    for i in range(a.count):
        if stop:
            break
        sent_at[i] = time.time()
        s.sendto(f"{i}".encode(), echo)
        sent += 1
        end = t0 + (i + 1) * a.interval
        while time.time() < end:
            try:
                data, _ = s.recvfrom(64)
                got.add(int(data))
                rtt.append(time.time() - sent_at.get(int(data), time.time()))
            except (BlockingIOError, ValueError):
                time.sleep(0.001)
    end = time.time() + 0.5          # the last answers
    while time.time() < end:
        try:
            data, _ = s.recvfrom(64)
            got.add(int(data))
            rtt.append(time.time() - sent_at.get(int(data), time.time()))
        except (BlockingIOError, ValueError):
            time.sleep(0.005)
    lost = [i for i in range(sent) if i not in got]
    print(f"sent {sent} received {len(got)} lost {len(lost)}" +
          (f" ({' '.join(map(str, lost[:20]))})" if lost else ""))
    if rtt:
        rtt.sort()
        q = lambda f: rtt[min(len(rtt) - 1, int(f * len(rtt)))] * 1000
        print(f"rtt_ms p50 {q(0.5):.2f} p99 {q(0.99):.2f} max {rtt[-1] * 1000:.2f}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["once", "loop", "stream"])
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--source", help="source address (one of lan0's)")
    ap.add_argument("--sport", type=int, default=0, help="stream: source port")
    ap.add_argument("--dst", help="stream: echo server address (default 192.0.2.80)")
    a = ap.parse_args()
    if a.mode == "once":
        line = attempt(a.timeout, a.source)
        print(line)
        return 0 if line.startswith("HELLO") else 1
    if a.mode == "stream":
        return stream(a)
    for _ in range(a.count):
        t0 = time.time()
        line = attempt(a.timeout, a.source)
        parts = line.split()
        via = WANS.get(parts[1], "?") if len(parts) >= 2 else "x"
        print(f"{int(t0 * 1000)} {via}", flush=True)
        time.sleep(max(0.0, a.interval - (time.time() - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
