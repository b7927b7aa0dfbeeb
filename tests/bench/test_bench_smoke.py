#!/usr/bin/python3
"""Smoke run of scripts/bench (a second per forwarder, --no-huge): all three
forwarders ran, each sent on what it received, switchback dropped nothing,
and the JSON has every documented field. Figures are not judged here:
benchmarks, not timed tests, give figures (docs/benchmarks.md)."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import sbtest  # noqa: E402

top, build, check = sbtest.bench_start()
png = os.path.join(tempfile.mkdtemp(prefix="sb-bench-smoke-"), "forward.png")
d = sbtest.bench(top, build, ["forward", "--flows", "1024", "--seconds", "1", "--warmup", "0.5",
                              "--plot", png], 600, check, "scripts/bench forward exited 0")
check(os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n",
      f"--plot drew the run ({png})")
shutil.rmtree(os.path.dirname(png), ignore_errors=True)
for k in ("flows", "forwarders", "ratio_cycles_switchback_l3fwd"):
    check(k in d, f"JSON has {k}")
for name in ("testpmd", "l3fwd", "switchback"):
    f = d.get("forwarders", {}).get(name, {})
    check("mpps" in f and "cycles_per_packet" in f, f"{name}: mpps and cycles_per_packet present")
    mpps, rx = f.get("mpps", 0), f.get("rx_mpps", 0)
    check(mpps > 0.1, f"{name} forwarded ({mpps:.2f} Mpps)")
    check(rx > 0 and mpps >= 0.95 * rx, f"{name} sent on what it received ({mpps:.2f} of {rx:.2f} Mpps)")
sb = d.get("forwarders", {}).get("switchback", {})
check(sb.get("drops") == {}, f"switchback dropped nothing in the window ({sb.get('drops')})")
check(sb.get("masquerade") is True, "switchback measured on its SNAT path")
check(all(v > 0 for k, v in sb.get("stage_cycles", {}).items() if k in ("parse", "session_lookup", "fast_path")),
      "per-stage cycles reported")
# --rounds: the forwarders in turn, each round's ratio side by side, the
# median of them reported.
d = sbtest.bench(top, build, ["forward", "--flows", "1", "--seconds", "1", "--warmup", "0.5",
                              "--rounds", "2", "--only", "l3fwd,switchback"], 600, check,
                 "scripts/bench forward --rounds 2 exited 0")
per = d.get("rounds_ratio_cycles_switchback_l3fwd") or []
check(len(per) == 2 and all(x > 0 for x in per), f"a switchback/l3fwd ratio for each round ({per})")
check(per != [] and d.get("ratio_cycles_switchback_l3fwd") == sorted(per)[0],
      f"the reported ratio is the rounds' median ({d.get('ratio_cycles_switchback_l3fwd')})")
for name in ("l3fwd", "switchback"):
    rm = d.get("forwarders", {}).get(name, {}).get("rounds_mpps") or []
    check(len(rm) == 2 and d["forwarders"][name]["mpps"] in rm,
          f"{name}: both rounds' rates kept, the median one reported ({rm})")
sys.exit(check.finish())
