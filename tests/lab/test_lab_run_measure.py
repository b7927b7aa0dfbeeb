#!/usr/bin/python3
"""Unit test of the scenario runner's reading and measuring
(scripts/lab-run.py), no lab needed: every shipped scenario parses; the
gateway's log, the client's attempt lines and flow lines are read back;
on a made-up run with known times (a fault at 2 s, the log's DOWN at
2.7 s, a restore at 5 s, UP at 7.5 s, a TCP flow reset and a UDP stream
moved on the failed WAN, survivors on the other) every figure comes out
as constructed, the bounds pass or fail as they should, and the picture
is drawn at 1200 x 700.
Usage: test_lab_run_measure.py"""
import importlib.util
import os
import struct
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import sbtest  # noqa: E402

spec = importlib.util.spec_from_file_location("labrun", os.path.join(TOP, "scripts", "lab-run.py"))
lr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lr)
check = sbtest.Checks()
d = tempfile.mkdtemp(prefix="sb-labrun-unit.")

# Every shipped scenario parses, its events name a WAN of its lab.
names = sorted(n[:-4] for n in os.listdir(os.path.join(TOP, "conf", "scenarios")) if n.endswith(".ini"))
for n in names:
    try:
        sc = lr.parse_scenario(lr.find_scenario(n))
        check(len(sc["timeline"]) > 0 and all(1 <= e["wan"] <= sc["scenario"]["wans"] for e in sc["timeline"]),
              f"scenario {n} parses: {len(sc['timeline'])} events, {sc['scenario']['wans']} WANs")
    except lr.ScenarioError as e:
        check(False, f"scenario {n}: {e}")
bad = os.path.join(d, "bad.ini")
open(bad, "w").write("[scenario]\nconfig = lab.ini\n[timeline]\n1 explode wan1\n")
try:
    lr.parse_scenario(bad)
    check(False, "an unknown action is refused")
except lr.ScenarioError as e:
    check("unknown action" in str(e), f"an unknown action is refused ({e})")

# A made-up run: t0 at a whole second of today, local time, as the log has it.
t0 = (int(time.time()) - 3600) * 1000


def hms(t):
    lt = time.localtime(t / 1000)
    return f"{lt.tm_hour:02d}:{lt.tm_min:02d}:{lt.tm_sec:02d}.{t % 1000:03d}"


with open(os.path.join(d, "gw.log"), "w") as f:
    f.write(f"{hms(t0 - 3000)} main: switchback running: 3 ports\n")
    f.write(f"{hms(t0 + 2700)} wan: wan wan1 DOWN: check-gateway failed for 3 rounds (x)\n")
    f.write(f"{hms(t0 + 2704)} rib: published state v2 in 3656 us\n")
    f.write(f"{hms(t0 + 7500)} wan: wan wan1 UP: check-gateway answered for 3 rounds and the hold-down\n")
states = lr.read_states(os.path.join(d, "gw.log"), t0)
check(states.get(1) == [[t0 + 2700, "down", "wan wan1 DOWN: check-gateway failed for 3 rounds (x)"],
                        [t0 + 7500, "up", "wan wan1 UP: check-gateway answered for 3 rounds and the hold-down"]],
      f"the gateway's log read back to the millisecond ({states.get(1)})")

with open(os.path.join(d, "attempts.txt"), "w") as f:
    for i in range(120):
        t = t0 + i * 100
        f.write(f"{t} {1 if t < t0 + 2000 or t > t0 + 7600 else 'x' if t < t0 + 2800 else 2}\n")
attempts = lr.read_attempts(os.path.join(d, "attempts.txt"))
check(len(attempts) == 120 and attempts[25] == [t0 + 2500, 0], "attempt lines read back (x = 0)")

with open(os.path.join(d, "flows.txt"), "w") as f:
    f.write(f"{t0 - 300} tcp0 start 20\n{t0 - 300} tcp0 up 1\n{t0 - 300} tcp1 start 20\n{t0 - 300} tcp1 up 2\n")
    f.write(f"{t0 - 300} udp0 start 20\n{t0 - 300} udp1 start 20\n")
    for i in range(600):
        t = t0 - 300 + i * 20
        if t < t0 + 2000:
            f.write(f"{t} tcp0 1 {i}\n")
        f.write(f"{t} tcp1 2 {i}\n")
        if not t0 + 2000 < t < t0 + 2800:
            f.write(f"{t} udp0 {1 if t < t0 + 2000 else 2} {i}\n")
        if i != 200:            # one datagram of the survivor lost, at 3.7 s
            f.write(f"{t} udp1 2 {i}\n")
    f.write(f"{t0 + 2750} tcp0 reset\n")
flows = lr.read_flows(os.path.join(d, "flows.txt"))
check(sorted(flows) == ["tcp0", "tcp1", "udp0", "udp1"] and flows["tcp0"]["end"] == [t0 + 2750, "reset"],
      "flow lines read back")


class FakeRun:
    pass


run = FakeRun()
run.t0, run.t_end = t0, t0 + 12000
run.events = [{"at_s": 2, "action": "fail-gw", "args": ["wan1"], "wan": 1, "expect": {}, "t": t0 + 2000,
               "slack_ms": 40},
              {"at_s": 5, "action": "restore", "args": ["wan1"], "wan": 1, "expect": {}, "t": t0 + 5000,
               "slack_ms": 30}]
res = lr.measure(run, states, attempts, flows)
f, r = res
check(f["detection_ms"] == 700, f"detection 700 ms ({f['detection_ms']})")
check(f["first_connection_ms"] == 800, f"first connection through wan2 at 800 ms ({f['first_connection_ms']})")
check(f["last_failed_ms"] == 700 and f["failed_attempts"] == 8,
      f"8 failed attempts, the last at 700 ms ({f['failed_attempts']}, {f['last_failed_ms']})")
out = {x["flow"]: x["outcome"] for x in f["failed_wan_flows"]}
check(out == {"tcp0": "reset", "udp0": "moved"}, f"on the failed WAN: tcp0 reset, udp0 moved ({out})")
check(f["surviving_lost"] == 1 and f["surviving_gap_ms"] == 40,
      f"survivors: 1 datagram lost, longest gap 40 ms ({f['surviving_lost']}, {f['surviving_gap_ms']})")
check(f["state_changes"] == 1 and f["ups_during"] == 0 and r["state_changes"] == 1 and r["failback_ms"] == 2500,
      f"one change each side of the restore, failback 2500 ms ({r['failback_ms']})")
ch = {c["name"]: c["ok"] for c in lr.checks(res, {"detection_ms": "700", "first_connection_ms": "790",
                                                   "surviving_lost": "0", "failback_ms": "2500",
                                                   "failed_flows": "reset|moved", "state_changes": "1"})}
check(ch == {"detection_ms": True, "first_connection_ms": True, "surviving_lost": False,
             "failback_ms": True, "failed_flows": True, "state_changes": True},
      f"bounds: over by less than the command took passes, one lost datagram fails ({ch})")
ch = lr.checks(res, {"no_failover": "yes"})
check(len(ch) == 1 and not ch[0]["ok"], "no_failover fails when the WAN went down")

doc = {"name": "unit", "out": d, "scenario": {"wans": 2, "description": "made up", "duration_s": 12,
                                               "config": os.path.join(TOP, "conf", "lab.ini"),
                                               "traffic": {"connect_ms": 100}},
       "t0": t0, "t_end": run.t_end, "states": {"wan1": states[1]}, "attempts": attempts, "flows": flows,
       "results": res, "checks": lr.checks(res, {}), "errors": [], "png": os.path.join(d, "unit.png")}
png, svg = os.path.join(d, "unit.png"), os.path.join(d, "unit.svg")
lr.draw(doc, png, svg)
with open(png, "rb") as fh:
    head = fh.read(24)
check(head[12:16] == b"IHDR" and struct.unpack(">II", head[16:24]) == (1200, 700) and os.path.getsize(png) > 20000,
      f"picture drawn: 1200 x 700, {os.path.getsize(png)} bytes; SVG {os.path.getsize(svg)} bytes")
text = lr.summary(doc)
check("|F|xxxxxxxx2" in text and "tcp0 reset, udp0 moved" in text, "summary: attempts line and flow outcomes")
print(text)
os.system(f"rm -rf {d}")
sys.exit(check.finish())
