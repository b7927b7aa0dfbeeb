#!/usr/bin/python3
"""A webhook endpoint for the lab tests: records every POST and answers it
according to a script of behaviours, one per request, the last repeating.

  webhook_server.py --port 8099 --log FILE [--script fail,hang,ok] [--hang-s 3]

  ok    200 and the body is recorded as delivered
  fail  503 (switchback must retry)
  hang  reads the body, then sleeps --hang-s before answering 200 (longer
        than switchback's webhook_timeout_ms: it must give up and retry,
        and its control thread must not notice)

Each request is one line in FILE: "<epoch-ms> <behaviour> <body>".
Listens on 127.0.0.1 only (in the test's own namespace)."""
import argparse
import http.server
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8099)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", default="ok")
    ap.add_argument("--hang-s", type=float, default=3.0)
    ap.add_argument("--max-seconds", type=int, default=600)
    a = ap.parse_args()
    plan = a.script.split(",")
    lock = threading.Lock()
    state = {"n": 0}
    logf = open(a.log, "a", buffering=1)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            with lock:
                i = state["n"]
                state["n"] += 1
            what = plan[min(i, len(plan) - 1)]
            logf.write(f"{int(time.time() * 1000)} {what} {body}\n")
            if what == "hang":
                time.sleep(a.hang_s)
            code = 503 if what == "fail" else 200
            try:
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(a.max_seconds)


if __name__ == "__main__":
    main()
