#!/usr/bin/python3
"""Smoke run of scripts/bench fib on small tables (1 and 20,000 prefixes,
--no-huge): the benchmark ran, its own correctness checks passed (every
sampled prefix moved to gateway B, no lookup lost or wrong, the failover
rewrote no routed prefix's FIB entry) and the JSON has every documented
field. Timings are not judged here: docs/benchmarks.md has the figures."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import sbtest  # noqa: E402

top, build, check = sbtest.bench_start()
d = sbtest.bench(top, build, ["fib", "--routes", "1,20000", "--repeat", "1"], 280, check,
                 "scripts/bench fib exited 0 (bench_fib's own checks passed)")
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
sys.exit(check.finish())
