#!/usr/bin/python3
"""Smoke run of scripts/bench (a second per forwarder, --no-huge): all three
forwarders ran, each sent on what it received, switchback dropped nothing,
and the JSON has every documented field. Figures are not judged here:
benchmarks, not timed tests, give figures (docs/benchmarks.md)."""
import json
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "build")
fails = []
passed = 0


def check(cond, what):
    global passed
    print(("ok   " if cond else "FAIL ") + what)
    if cond:
        passed += 1
    else:
        fails.append(what)


if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)
out = tempfile.mktemp(suffix=".json")
r = subprocess.run([os.path.join(top, "scripts", "bench"), "--build", build, "--no-huge",
                    "forward", "--flows", "1024", "--seconds", "1", "--warmup", "0.5",
                    "--json", out], capture_output=True, text=True, timeout=600)
print(r.stdout[-4000:], r.stderr[-2000:])
check(r.returncode == 0, "scripts/bench forward exited 0")
try:
    d = json.load(open(out))
except (OSError, ValueError) as e:
    d = {}
    check(False, f"JSON readable ({e})")
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
if os.path.exists(out):
    os.unlink(out)
print(f"{passed} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
