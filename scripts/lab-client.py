#!/usr/bin/python3
"""Lab client, run in sb-lan: TCP connections to the lab server.

  lab-client.py once [--timeout S]
      one connection; prints the server's line ("HELLO <ip> <port>"),
      exit 1 when it failed.
  lab-client.py loop [--interval S] [--timeout S] [--count N]
      a new connection every interval (bounded by --count); prints
      "<epoch_ms> <1|2|x>" per attempt: through WAN1, WAN2, or failed.
"""
import argparse
import socket
import sys
import time

SERVER = ("192.0.2.80", 8080)
WANS = {"203.0.113.2": "1", "198.51.100.2": "2"}


def attempt(timeout):
    try:
        with socket.create_connection(SERVER, timeout=timeout) as s:
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["once", "loop"])
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--count", type=int, default=600)
    a = ap.parse_args()
    if a.mode == "once":
        line = attempt(a.timeout)
        print(line)
        return 0 if line.startswith("HELLO") else 1
    for _ in range(a.count):
        t0 = time.time()
        line = attempt(a.timeout)
        parts = line.split()
        via = WANS.get(parts[1], "?") if len(parts) >= 2 else "x"
        print(f"{int(t0 * 1000)} {via}", flush=True)
        time.sleep(max(0.0, a.interval - (time.time() - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
