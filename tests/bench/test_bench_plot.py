#!/usr/bin/python3
"""scripts/bench plot (and forward --plot's drawing): a forward run's JSON
becomes a picture with every forwarder's bars, switchback's target lines
and its stages; JSON that is not a forward run's is refused with a message
that names the file. The input is tests/bench/forward-sample.json, a real
`scripts/bench forward --flows 1,1024,65536 --rounds 2` run (AMD EPYC VM,
2026-12-03; its figures are not judged here)."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "..", "scripts", "bench")
SAMPLE = os.path.join(HERE, "forward-sample.json")
failed = 0


def check(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    failed += not cond


def plot(src, out):
    return subprocess.run(["/usr/bin/python3", BENCH, "plot", src, "--out", out],
                          capture_output=True, text=True, timeout=120)


def pixels_near(img, rgb, tol=0.06):
    """How many pixels of @img (imread's floats) are within @tol of @rgb."""
    import numpy as np
    c = np.array([int(rgb[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(img[:, :, :3] - c).max(axis=2) < tol).sum())


with tempfile.TemporaryDirectory() as tmp:
    import matplotlib.image as mpimg

    out = os.path.join(tmp, "run.png")
    p = plot(SAMPLE, out)
    check(p.returncode == 0, f"plot of a forward run exits 0 ({p.stderr.strip()})")
    ok = os.path.exists(out) and open(out, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    check(ok, "it writes a PNG")
    if ok:
        img = mpimg.imread(out)
        h, w = img.shape[:2]
        check(w >= 1000 and h >= 400, f"two panels' worth of picture ({w}x{h})")
        # The colours of scripts/bench's FWD_COLOR / STAGE_COLOR and the
        # target's red: each forwarder's bars, the target lines, the
        # stages beside them.
        for name, rgb in (("testpmd", "#9e9e9e"), ("l3fwd", "#1f77b4"), ("l3fwd_em", "#8fbbe0"),
                          ("switchback", "#e6550d"), ("target line", "#ff0000"),
                          ("stage parse", "#fdae6b"), ("stage fast_path", "#a63603")):
            n = pixels_near(img, rgb)
            # (The legend's sample of each is ~30 pixels; the target's two
            # dashed lines ~140 more, a bar thousands.)
            need = 100 if name == "target line" else 1000
            check(n > need, f"{name} drawn ({n} pixels)")

    # Without the target's flow counts (65536 alone): no red line.
    doc = json.load(open(SAMPLE))
    only = [r for r in doc["runs"] if r["flows"] == 65536]
    with open(os.path.join(tmp, "65536.json"), "w") as f:
        json.dump(only[0], f)
    out2 = os.path.join(tmp, "65536.png")
    p = plot(os.path.join(tmp, "65536.json"), out2)
    check(p.returncode == 0, "a single run's JSON (no \"runs\" list) is drawn too")
    if p.returncode == 0:
        n = pixels_near(mpimg.imread(out2), "#ff0000")
        check(n < 50, f"no target line at 65536 flows, where the issue sets none ({n} red pixels)")

    # Instructions (--instructions JSON): drawn with the instruction counts.
    ins = {"flows": 1024, "size": "64", "forwarders": {
        "l3fwd": {"mpps": 0.6, "instructions_per_packet": 281.4},
        "switchback": {"mpps": 0.4, "instructions_per_packet": 590.1, "stage_cycles": {"parse": 700.0}}},
        "ratio_instructions_switchback_l3fwd": 2.1}
    with open(os.path.join(tmp, "ins.json"), "w") as f:
        json.dump(ins, f)
    p = plot(os.path.join(tmp, "ins.json"), os.path.join(tmp, "ins.png"))
    check(p.returncode == 0 and os.path.exists(os.path.join(tmp, "ins.png")),
          f"an --instructions run is drawn ({p.stderr.strip()})")

    # Refusals: a file that is not JSON, JSON of another kind.
    with open(os.path.join(tmp, "nf.json"), "w") as f:
        json.dump({"sessions_per_s": 2790000}, f)
    p = plot(os.path.join(tmp, "nf.json"), os.path.join(tmp, "nf.png"))
    check(p.returncode == 1 and "nf.json" in p.stderr and "scripts/bench forward" in p.stderr
          and not os.path.exists(os.path.join(tmp, "nf.png")),
          f"newflows JSON refused, the file named: {p.stderr.strip()}")
    p = plot("/etc/hostname", os.path.join(tmp, "h.png"))
    check(p.returncode == 1 and "/etc/hostname" in p.stderr, f"not JSON refused: {p.stderr.strip()}")
    p = plot(SAMPLE, os.path.join(tmp, "no-such-dir", "x.png"))
    check(p.returncode == 1 and "cannot write" in p.stderr, f"unwritable output named: {p.stderr.strip()}")

print(f"{'FAILED' if failed else 'passed'}: scripts/bench plot")
sys.exit(1 if failed else 0)
