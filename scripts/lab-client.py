#!/usr/bin/python3
"""Lab client, run in sb-lan: connections to the lab server.

  lab-client.py once [--timeout S] [--source IP]
      one TCP connection; prints the server's line ("HELLO <ip> <port>"),
      exit 1 when it failed.
  lab-client.py loop [--interval S] [--timeout S] [--count N] [--source IP]
      a new TCP connection every interval (bounded by --count); prints
      "<epoch_ms> <N|x>" per attempt: through WAN N (the address the server
      saw: 1 = wan1 ... 4 = wan4, see WANS), or failed. The lab's one
      attempt format (scripts/lab-lib.sh, scripts/lab-run.py read it).
  lab-client.py stream [--interval S] [--count N] [--source IP] [--sport P] [--dst IP] [--rtt]
                      [--trace FILE]
      one UDP flow to the echo server (192.0.2.80:8081, or --dst): COUNT
      numbered datagrams, one every INTERVAL; prints "sent N received M
      lost K" and the numbers of the lost ones, and with --rtt a second
      line "rtt_ms p50 A p99 B max C" over the answered ones; with --trace
      FILE, one line per datagram in FILE: "NUMBER SENT_EPOCH_MS RTT_MS" (or
      "lost" for the RTT). The flow keeps its source
      port, so it is one session through the gateway. SIGTERM ends it
      early (what was sent is still accounted).
  lab-client.py flows [--tcp DST]... [--udp DST]... [--ping DST]... [--interval S]
                      [--seconds S]
      long flows for the scenario runner (scripts/lab-run.py), until SIGTERM
      or --seconds: per --tcp one TCP connection to DST:8082 sending a line
      every interval (echoed), per --udp a UDP stream to DST:8081 (one
      datagram every interval, echoed with the address the server saw), per
      --ping an ICMP echo every 0.2 s. One line per event,
      "<epoch_ms> <flow> <what>": flow tcpI, udpI or pingI; what is
      "start IV_MS", "up N" (TCP connected through WAN N), "N SEQ" (an answer
      through WAN N; pings: "ok SEQ RTT_MS"), "reset", "closed", "error",
      "sent COUNT" (at the end).
"""
import argparse
import signal
import socket
import subprocess
import sys
import threading
import time

SERVER = ("192.0.2.80", 8080)
ECHO = ("192.0.2.80", 8081)
# The lab's WAN addresses (scripts/lab.sh wan_net): WAN number by address.
WANS = {"203.0.113.2": "1", "198.51.100.2": "2", "198.19.3.2": "3", "198.19.4.2": "4"}


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


def receive(s, got, end, nap, sent_at=None, rtt=None, trace=None):
    """Collect the numbers echoed back on @s into @got until @end (and
    their round-trip times into @rtt, from @sent_at; by number into @trace)."""
    while time.time() < end:
        try:
            data, _ = s.recvfrom(64)
            n = int(data)
            got.add(n)
            if rtt is not None:
                rtt.append(time.time() - sent_at.get(n, time.time()))
                if trace is not None:
                    trace[n] = rtt[-1]
        except (BlockingIOError, ValueError):
            time.sleep(nap)


def stream(a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    echo = (a.dst, ECHO[1]) if a.dst else ECHO
    sent = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.source or "0.0.0.0", a.sport))
    s.setblocking(False)
    got = set()
    sent_at, rtt, trace = {}, [], {}
    t0 = time.time()
    for i in range(a.count):
        if stop:
            break
        sent_at[i] = time.time()
        s.sendto(f"{i}".encode(), echo)
        sent += 1
        receive(s, got, t0 + (i + 1) * a.interval, 0.001, sent_at, rtt, trace)
    receive(s, got, time.time() + 0.5, 0.005, sent_at, rtt, trace)    # the last answers
    if a.trace:
        with open(a.trace, "w") as f:
            for i in range(sent):
                f.write(f"{i} {sent_at[i] * 1000:.1f} " +
                        (f"{trace[i] * 1000:.2f}\n" if i in trace else "lost\n"))
    lost = [i for i in range(sent) if i not in got]
    print(f"sent {sent} received {len(got)} lost {len(lost)}" +
          (f" ({' '.join(map(str, lost[:20]))})" if lost else ""))
    if a.rtt and rtt:
        rtt.sort()
        q = lambda f: rtt[min(len(rtt) - 1, int(f * len(rtt)))] * 1000
        print(f"rtt_ms p50 {q(0.5):.2f} p99 {q(0.99):.2f} max {rtt[-1] * 1000:.2f}")
    return 0


class Flows:
    """The flows of `flows` mode: threads writing event lines."""

    def __init__(self, interval, seconds):
        self.iv, self.lock, self.stop = interval, threading.Lock(), threading.Event()
        self.end = time.time() + seconds
        self.threads = []

    def out(self, flow, what):
        with self.lock:
            print(f"{int(time.time() * 1000)} {flow} {what}", flush=True)

    def run(self, target, *args):
        t = threading.Thread(target=target, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def ticks(self):
        """Sequence numbers, one per interval, until stopped."""
        n, t0 = 0, time.time()
        while not self.stop.is_set() and time.time() < self.end:
            yield n
            n += 1
            self.stop.wait(max(0.0, t0 + n * self.iv - time.time()))

    def tcp(self, flow, dst):
        try:
            s = socket.create_connection((dst, 8082), timeout=2)
            f = s.makefile("rb")
            hello = f.readline().decode().split()
        except OSError:
            self.out(flow, "error")
            return
        self.out(flow, f"start {int(self.iv * 1000)}")
        wan = WANS.get(hello[1], "?") if len(hello) >= 2 else "?"
        self.out(flow, f"up {wan}")
        s.settimeout(None)
        done = []

        def reader():
            try:
                for line in f:
                    self.out(flow, f"{wan} {int(line)}")
                done.append("closed")
            except (OSError, ValueError) as e:
                done.append("reset" if isinstance(e, ConnectionResetError) else "error")
        self.run(reader)
        sent = 0
        try:
            for n in self.ticks():
                if done:
                    break
                s.sendall(f"{n}\n".encode())
                sent += 1
        except OSError as e:
            done.append("reset" if isinstance(e, (ConnectionResetError, BrokenPipeError)) else "error")
        if done and not self.stop.is_set():
            self.out(flow, done[0])
        self.out(flow, f"sent {sent}")
        s.close()

    def udp(self, flow, dst):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.2)

        def reader():
            while not self.stop.is_set():
                try:
                    data = s.recv(128).decode().split()
                    self.out(flow, f"{WANS.get(data[1], '?')} {int(data[0][1:])}")
                except (OSError, ValueError, IndexError):
                    pass
        self.out(flow, f"start {int(self.iv * 1000)}")
        self.run(reader)
        sent = 0
        for n in self.ticks():
            try:
                s.sendto(f"?{n}".encode(), (dst, ECHO[1]))
            except OSError:
                pass
            sent += 1
        self.out(flow, f"sent {sent}")

    def ping(self, flow, dst):
        p = subprocess.Popen(["ping", "-n", "-D", "-i", "0.2", "-W", "1", dst],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.out(flow, "start 200")

        def reader():
            # "[1733140000.123456] 64 bytes from 192.0.2.80: icmp_seq=1 ttl=62 time=0.53 ms"
            for line in p.stdout:
                w = line.split()
                if len(w) > 7 and w[-1] == "ms" and w[-2].startswith("time="):
                    seq = w[5].split("=")[1]
                    self.out(flow, f"ok {int(seq) - 1} {w[-2][5:]}")
        self.run(reader)
        self.stop.wait(max(0.0, self.end - time.time()))
        p.terminate()
        p.wait()


def flows(a):
    fl = Flows(a.interval, a.seconds)
    signal.signal(signal.SIGTERM, lambda *_: fl.stop.set())
    main_threads = []
    for kind, dsts in (("tcp", a.tcp), ("udp", a.udp), ("ping", a.ping)):
        for i, dst in enumerate(dsts or []):
            t = threading.Thread(target=getattr(fl, kind), args=(f"{kind}{i}", dst), daemon=True)
            t.start()
            main_threads.append(t)
    while any(t.is_alive() for t in main_threads):
        time.sleep(0.05)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["once", "loop", "stream", "flows"])
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--source", help="source address (one of lan0's)")
    ap.add_argument("--sport", type=int, default=0, help="stream: source port")
    ap.add_argument("--dst", help="stream: echo server address (default 192.0.2.80)")
    ap.add_argument("--rtt", action="store_true", help="stream: also print round-trip times")
    ap.add_argument("--trace", help="stream: write each datagram's \"NUMBER SENT_EPOCH_MS RTT_MS|lost\" to this file")
    ap.add_argument("--tcp", action="append", help="flows: a long TCP flow to DST:8082")
    ap.add_argument("--udp", action="append", help="flows: a UDP stream to DST:8081")
    ap.add_argument("--ping", action="append", help="flows: pings to DST")
    ap.add_argument("--seconds", type=float, default=60, help="flows: at most this long")
    a = ap.parse_args()
    if a.mode == "flows":
        return flows(a)
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
