#!/usr/bin/python3
"""Lab server in sb-inet: TCP 192.0.2.80:8080 answers each connection with
"HELLO <peer-ip> <peer-port>" and closes; UDP 192.0.2.80:8081 echoes (a
datagram that starts with "?" comes back with " <peer-ip>" appended, so a
client sees which WAN carried it); TCP 8082 says the same HELLO, then
echoes every line until the client closes (long flows). Every connection
and datagram is logged with a timestamp."""
import argparse
import socket
import socketserver
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="192.0.2.80")
    ap.add_argument("--log", default="/tmp/switchback-lab/server.log")
    ap.add_argument("--max-seconds", type=int, default=3600, help="exit after this long")
    a = ap.parse_args()
    logf = open(a.log, "a", buffering=1)

    class Hello(socketserver.BaseRequestHandler):
        def handle(self):
            ip, port = self.client_address[:2]
            logf.write(f"{time.time():.3f} tcp {ip} {port}\n")
            self.request.sendall(f"HELLO {ip} {port}\n".encode())

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    class Echo(Hello):
        def handle(self):
            super().handle()
            try:
                f = self.request.makefile("rb")
                for line in f:
                    self.request.sendall(line)
            except OSError:
                pass

    for port, handler in ((8080, Hello), (8082, Echo)):
        tcp = Server((a.addr, port), handler)
        threading.Thread(target=tcp.serve_forever, daemon=True).start()

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((a.addr, 8081))
    udp.settimeout(1)
    end = time.time() + a.max_seconds
    while time.time() < end:
        try:
            data, peer = udp.recvfrom(2048)
        except socket.timeout:
            continue
        logf.write(f"{time.time():.3f} udp {peer[0]} {peer[1]}\n")
        udp.sendto(data + f" {peer[0]}".encode() if data.startswith(b"?") else data, peer)


if __name__ == "__main__":
    main()
