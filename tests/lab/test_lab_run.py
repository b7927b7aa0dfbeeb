#!/usr/bin/python3
"""Lab test: the scenario runner (scripts/lab.sh run) on two short scenarios
against the real binary: ci-gateway-silent (two WANs, conf/lab.ini) and
ci-pcc3-carrier (three WANs, PCC, conf/lab-pcc3.ini). For each: the run
passes, and, read back from its JSON here, every figure the scenario bounds
is within its bound (a time may exceed it by what the fault command took),
the figures that must exist do (a detection, a failback, flows on the failed
WAN and, for PCC, survivors on the others), and the picture was written:
a PNG of 1200 x 700 pixels and an SVG, neither empty.
Usage: test_lab_run.py SWITCHBACK_BINARY"""
import json
import os
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import sbtest  # noqa: E402

SCENARIOS = ["ci-gateway-silent", "ci-pcc3-carrier"]
TIMED = ("detection_ms", "first_connection_ms", "last_failed_ms")
COUNTS = ("surviving_lost", "surviving_gap_ms", "state_changes")


def bounds(path):
    """The [expect] section of a scenario file: {key: value}."""
    out, sec = {}, None
    for line in open(path):
        line = line.split(";")[0].strip()
        if line.startswith("["):
            sec = line
        elif sec == "[expect]" and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build", "switchback")
    if os.geteuid() != 0:
        print("SKIP: needs root and network namespaces")
        return 77
    check = sbtest.Checks()
    out = tempfile.mkdtemp(prefix="sb-labrun.")
    for name in SCENARIOS:
        exp = bounds(os.path.join(TOP, "conf", "scenarios", f"{name}.ini"))
        try:
            r = subprocess.run([os.path.join(TOP, "scripts", "lab.sh"), "run", name, "--out", out,
                                "--bin", binary], capture_output=True, text=True, timeout=150)
            print(r.stdout, r.stderr[-3000:], flush=True)
            rc = r.returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        check(rc == 0, f"{name}: lab.sh run exited {rc}")
        try:
            doc = json.load(open(os.path.join(out, f"{name}.json")))
        except (OSError, ValueError) as e:
            check(False, f"{name}: JSON readable ({e})")
            continue
        faults = [x for x in doc["results"] if x.get("kind") == "fault"]
        restores = [x for x in doc["results"] if x.get("kind") == "restore"]
        check(len(faults) == 1 and len(restores) == 1, f"{name}: one fault and one restore in the JSON")
        for f in faults:
            ev = f"{name} {f['action']} {' '.join(f['args'])}"
            for k in TIMED:
                if k in exp:
                    v = f.get(k)
                    check(v is not None and v - f["slack_ms"] <= int(exp[k]),
                          f"{ev}: {k} {v} <= {exp[k]} (+ {f['slack_ms']} ms the command took)")
            for k in COUNTS:
                if k in exp and (f.get(k) is not None or k == "state_changes"):
                    check(f.get(k) is not None and f[k] <= int(exp[k]), f"{ev}: {k} {f.get(k)} <= {exp[k]}")
            check(f.get("detection_ms") is not None and f["detected"].startswith(f"wan {f['wan']} "),
                  f"{ev}: detected from the gateway's log ({f.get('detected')})")
            fl = f.get("failed_wan_flows", [])
            allowed = set(exp["failed_flows"].split("|"))
            check(fl and all(x["outcome"] in allowed for x in fl),
                  f"{ev}: flows on the failed WAN: {', '.join(x['flow'] + ' ' + x['outcome'] for x in fl)}"
                  f" (each one of {exp['failed_flows']})")
            if doc["scenario"]["wans"] > 2:
                check(len(f.get("surviving_flows", [])) > 0 and f.get("surviving_lost") is not None,
                      f"{ev}: {len(f.get('surviving_flows', []))} flows on the other WANs, "
                      f"{f.get('surviving_lost')} datagrams lost")
        for x in restores:
            v = x.get("failback_ms")
            check(v is not None and v - x["slack_ms"] <= int(exp["failback_ms"]),
                  f"{name}: failback {v} ms <= {exp['failback_ms']} (+ {x['slack_ms']} ms the command took)")
        check(doc["pass"] and all(c["ok"] for c in doc["checks"]) and len(doc["checks"]) >= 5,
              f"{name}: the runner's own {len(doc['checks'])} checks passed")
        png, svg = os.path.join(out, f"{name}.png"), os.path.join(out, f"{name}.svg")
        size = png_size(png) if os.path.exists(png) else None
        check(size == (1200, 700) and os.path.getsize(png) > 20000,
              f"{name}: picture {png}: {size}, {os.path.getsize(png) if size else 0} bytes")
        ok_svg = os.path.exists(svg) and os.path.getsize(svg) > 20000 and b"<svg" in open(svg, "rb").read(4096)
        check(ok_svg, f"{name}: {svg} written")
    subprocess.run(["rm", "-rf", out])
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
