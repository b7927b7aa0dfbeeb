#!/usr/bin/python3
"""Smoke run of scripts/bench fib on small tables (1 and 20,000 prefixes,
--no-huge): the benchmark ran, its own correctness checks passed (every
sampled prefix moved to gateway B, no lookup lost or wrong, the failover
rewrote no routed prefix's FIB entry) and the JSON has every documented
field. Timings are not judged here: docs/benchmarks.md has the figures."""
import json
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "build")
fails = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)


if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)
fd, out = tempfile.mkstemp(suffix=".json")
os.close(fd)
r = subprocess.run([os.path.join(top, "scripts", "bench"), "--build", build, "--no-huge", "fib",
                    "--routes", "1,20000", "--repeat", "1", "--json", out],
                   capture_output=True, text=True, timeout=280)
print(r.stdout[-4000:], r.stderr[-2000:])
check(r.returncode == 0, "scripts/bench fib exited 0 (bench_fib's own checks passed)")
try:
    d = json.load(open(out))
except (OSError, ValueError) as e:
    d = {}
    check(False, f"JSON readable ({e})")
os.unlink(out)
for k in ("routes", "load_s", "switch_us", "results", "runs"):
    check(k in d, f"JSON has {k}")
for run in d.get("runs", []):
    n = run.get("routes")
    check(run.get("ok") is True, f"{n} routes: bench_fib says ok")
    check(run.get("moved") == run.get("samples") and run.get("samples", 0) > 0,
          f"{n} routes: all {run.get('samples')} sampled prefixes moved to gateway B")
    check(run.get("lost") == 0 and run.get("wrong") == 0, f"{n} routes: no lookup lost or wrong")
    check(run.get("groups", 99) <= 8, f"{n} routes: a handful of groups ({run.get('groups')}), "
          "not one per prefix")
check(sorted(x.get("routes") for x in d.get("runs", [])) == [1, 20000], "both sizes ran")
print(f"{len(fails)} failed")
sys.exit(1 if fails else 0)
