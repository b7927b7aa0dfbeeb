#!/usr/bin/python3
"""Query a running switchback over DPDK's telemetry socket.

usage: sbtel.py [-f FILE_PREFIX] COMMAND [COMMAND...]
  e.g. sbtel.py -f switchback-lab /switchback/routes /switchback/stats

Prints each answer; /switchback/routes as the text table, the others as
JSON. Exits 1 when the socket is not there (is switchback running with
that --file-prefix?).
"""
import json
import os
import socket
import sys


def query(prefix, cmd, timeout=2.0):
    """The answer to @cmd ("/switchback/stats", "/ethdev/stats,1") of the
    DPDK process with file prefix @prefix. Raises OSError when it is not
    there, ValueError on a malformed answer. scripts/bench uses it too."""
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    s.connect(path)
    json.loads(s.recv(16384).decode())  # greeting
    s.send(cmd.encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        data += chunk
        try:
            reply = json.loads(data.decode())
            break
        except ValueError:
            if not chunk:
                raise
    s.close()
    return reply.get(cmd.split(",")[0])


def main(argv):
    prefix = "rte"
    if len(argv) > 2 and argv[1] == "-f":
        prefix = argv[2]
        argv = argv[2:]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for cmd in argv[1:]:
        try:
            r = query(prefix, cmd)
        except OSError as e:
            print(f"sbtel: cannot reach /var/run/dpdk/{prefix}/dpdk_telemetry.v2: {e}",
                  file=sys.stderr)
            return 1
        if isinstance(r, str):
            print(r, end="" if r.endswith("\n") else "\n")
        else:
            print(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
