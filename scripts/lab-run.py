#!/usr/bin/python3
"""switchback lab scenario runner: scripts/lab.sh run SCENARIO [--out DIR] [--bin SWITCHBACK]

Reads a scenario (conf/scenarios/NAME.ini, or a path; format in
conf/scenarios/README.md), brings the namespace lab up with its number of
WANs, runs switchback on the scenario's configuration, starts the traffic
(a new TCP connection every N ms, long TCP flows, UDP streams, pings from
sb-lan), applies the timeline of faults and restores with scripts/lab.sh,
stops everything and takes the lab down. Then it measures, per event, from
the gateway's own log, lab.sh's stamps and the client's records:

  detection_ms         fault -> the gateway's "wan WAN DOWN|DEGRADED"
  first_connection_ms  fault -> first new connection through another WAN
  last_failed_ms       fault -> the last failed new connection attempt
  surviving_lost       datagrams lost by UDP streams on the other WANs
  surviving_gap_ms     longest silence of any flow on the other WANs
  failed_flows         what became of the flows on the failed WAN:
                       reset, moved (answers through another WAN), hung
                       (no answer until the restore), resumed (answers
                       again on the same WAN), kept (never interrupted)
  state_changes        the failed WAN's state changes until the restore
  ups_during           of which back UP (a failback before the fault ended)
  failback_ms          restore -> the gateway's "wan WAN UP"

checks them against the scenario's [expect] bounds (a time is over its
bound only when it is over by more than the fault command took: lab.sh's
.at and .after stamps), writes DIR/NAME.json (every event, record and
figure), DIR/NAME.png and DIR/NAME.svg (matplotlib), DIR/NAME.log (the
gateway's log), and prints a summary table. Exits 0 when every check
passed, 1 when one failed, 2 when the run itself could not be made.
Runs as root; holds no lock itself: on a shared machine run it under
`flock /tmp/sb-lab.lock`.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(TOP, "scripts", "lab.sh")
CLIENT = os.path.join(TOP, "scripts", "lab-client.py")
STATE = "/tmp/switchback-lab"
PY = "/usr/bin/python3"
SERVER = "192.0.2.80"
# Monitor hosts by WAN (scripts/lab.sh wan_net).
MONITORS = {"192.0.2.53": 1, "192.0.2.55": 1, "192.0.2.54": 2, "192.0.2.56": 2,
            "192.0.2.57": 3, "192.0.2.59": 3, "192.0.2.58": 4, "192.0.2.60": 4}
FAULTS = {"link-down", "fail-gw", "blackhole", "return-down", "loss", "latency", "flap",
          "fail-monitor"}
RESTORES = {"restore", "restore-monitor"}
EXPECT_KEYS = {"detection_ms", "first_connection_ms", "last_failed_ms", "surviving_lost",
               "surviving_gap_ms", "state_changes", "ups_during", "failback_ms", "failed_flows",
               "no_failover"}
LOG_STATE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) wan: wan (\S+) (UP|DOWN|DEGRADED)\b")


def now_ms():
    return int(time.time() * 1000)


# --- the scenario file ---------------------------------------------------------

class ScenarioError(Exception):
    pass


def parse_scenario(path):
    """INI-like: [scenario], [traffic] and [expect] hold KEY = VALUE lines;
    [timeline] holds "SECONDS ACTION ARGS... [expect KEY=VALUE...]" lines.
    ';' and '#' start comments."""
    sc = {"scenario": {}, "traffic": {}, "expect": {}, "timeline": []}
    sec = None
    for n, raw in enumerate(open(path), 1):
        line = re.split(r"\s[;#]|^[;#]", raw, maxsplit=1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            sec = m.group(1)
            if sec not in sc:
                raise ScenarioError(f"{path}:{n}: unknown section [{sec}]")
            continue
        if sec is None:
            raise ScenarioError(f"{path}:{n}: outside a section")
        if sec == "timeline":
            words = line.split()
            exp = {}
            if "expect" in words:
                i = words.index("expect")
                for kv in words[i + 1:]:
                    k, _, v = kv.partition("=")
                    exp[k] = v
                words = words[:i]
            try:
                at = float(words[0])
            except ValueError:
                raise ScenarioError(f"{path}:{n}: a timeline line starts with seconds: '{line}'")
            if len(words) < 2 or (words[1] not in FAULTS | RESTORES):
                raise ScenarioError(f"{path}:{n}: unknown action in '{line}' "
                                    f"(one of {', '.join(sorted(FAULTS | RESTORES))})")
            sc["timeline"].append({"at_s": at, "action": words[1], "args": words[2:], "expect": exp})
        else:
            k, eq, v = line.partition("=")
            if not eq:
                raise ScenarioError(f"{path}:{n}: expected KEY = VALUE, got '{line}'")
            sc[sec][k.strip()] = v.strip()
    for e in [sc["expect"]] + [ev["expect"] for ev in sc["timeline"]]:
        for k in e:
            if k not in EXPECT_KEYS:
                raise ScenarioError(f"{path}: unknown expect key '{k}' (one of {', '.join(sorted(EXPECT_KEYS))})")
    sc["timeline"].sort(key=lambda e: e["at_s"])
    s, t = sc["scenario"], sc["traffic"]
    conf = s.get("config")
    if not conf:
        raise ScenarioError(f"{path}: [scenario] config = FILE is missing")
    s["config"] = conf if os.path.isabs(conf) else os.path.join(TOP, "conf", conf)
    if not os.path.exists(s["config"]):
        raise ScenarioError(f"{path}: config {s['config']} not found")
    s["wans"] = int(s.get("wans", 2))
    if not 2 <= s["wans"] <= 4:
        raise ScenarioError(f"{path}: wans must be 2 to 4")
    s["duration_s"] = float(s.get("duration_s", 10))
    s["settle_s"] = float(s.get("settle_s", 1))

    def dsts(v):
        out = []
        for w in (v or "").split():
            d, _, k = w.partition("*")
            out += [d] * int(k or 1)
        return out
    t["connect_ms"] = int(t.get("connect_ms", 100))
    t["connect_timeout_ms"] = int(t.get("connect_timeout_ms", 300))
    t["flow_interval_ms"] = int(t.get("flow_interval_ms", 20))
    for k in ("tcp", "udp", "ping"):
        t[k] = dsts(t.get(k))
    for ev in sc["timeline"]:
        if ev["at_s"] >= s["duration_s"]:
            raise ScenarioError(f"{path}: event at {ev['at_s']} s is after duration_s")
        ev["wan"] = event_wan(ev)
        if ev["wan"] is None or ev["wan"] > s["wans"]:
            raise ScenarioError(f"{path}: no WAN of this lab in '{ev['action']} {' '.join(ev['args'])}'")
    return sc


def event_wan(ev):
    """The WAN number an event is about."""
    if not ev["args"]:
        return None
    a = ev["args"][0]
    if ev["action"] in ("fail-monitor", "restore-monitor"):
        return MONITORS.get(a)
    m = re.fullmatch(r"wan([1-4])", a)
    return int(m.group(1)) if m else None


# --- running it -------------------------------------------------------------------

class Run:
    def __init__(self, sc, name, out, binary):
        self.sc, self.name, self.out, self.bin = sc, name, out, binary
        self.procs = []
        self.prefix = f"sb-run{os.getpid()}"
        self.events = []
        self.gw = None
        self.errors = []

    def path(self, ext):
        return os.path.join(self.out, f"{self.name}.{ext}")

    def lab(self, *args, check=True):
        r = subprocess.run([LAB, *args], capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError(f"lab.sh {' '.join(args)}: {r.stderr.strip() or r.stdout.strip()}")
        return r

    def spawn(self, cmd, out):
        p = subprocess.Popen(cmd, stdout=open(out, "w"), stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def lan(self, *args):
        return ["ip", "netns", "exec", "sb-lan", PY, CLIENT, *args]

    def start(self):
        s, t = self.sc["scenario"], self.sc["traffic"]
        self.lab("up", "--wans", str(s["wans"]))
        self.lab("server", "start")
        extra = sorted({d for d in t["tcp"] + t["udp"] if d != SERVER})
        for d in extra:
            self.spawn(["ip", "netns", "exec", "sb-inet", PY, os.path.join(TOP, "scripts", "lab-server.py"),
                        "--addr", d, "--log", self.path(f"server-{d}.txt"),
                        "--max-seconds", str(int(s["duration_s"] + s["settle_s"] + 120))], os.devnull)
        lcores = subprocess.run(["bash", "-c", f". {os.path.join(TOP, 'scripts', 'lab-lib.sh')}; lab_lcores"],
                                capture_output=True, text=True).stdout.split()
        self.gw = self.spawn([LAB, "gw-exec", self.bin] + lcores + ["--no-huge", "-m", "512",
                              "--no-pci", "--file-prefix", self.prefix, "--log-level", "pmd.*:error",
                              "--", "-c", s["config"]], self.path("log"))
        end = time.time() + 20
        while time.time() < end:
            r = subprocess.run(self.lan("once", "--timeout", "1"), capture_output=True, text=True)
            if r.stdout.startswith("HELLO"):
                break
            if self.gw.poll() is not None:
                raise RuntimeError(f"switchback exited {self.gw.returncode} (see {self.path('log')})")
            time.sleep(0.1)
        else:
            raise RuntimeError("no connection through the gateway within 20 s of its start")
        time.sleep(s["settle_s"])

    def traffic(self):
        s, t = self.sc["scenario"], self.sc["traffic"]
        secs = s["duration_s"] + 5
        if t["connect_ms"] > 0:
            self.loop = self.spawn(self.lan("loop", "--interval", str(t["connect_ms"] / 1000),
                                            "--timeout", str(t["connect_timeout_ms"] / 1000),
                                            "--count", str(int(secs * 1000 / t["connect_ms"]))),
                                   self.path("attempts.txt"))
        args = ["flows", "--interval", str(t["flow_interval_ms"] / 1000), "--seconds", str(secs)]
        for k in ("tcp", "udp", "ping"):
            for d in t[k]:
                args += [f"--{k}", d]
        self.flows = self.spawn(self.lan(*args), self.path("flows.txt"))
        # The clock starts once every flow has started and the first
        # connection attempt is recorded (interpreters start slowly on a
        # loaded machine).
        want = len(t["tcp"]) + len(t["udp"]) + len(t["ping"])
        end = time.time() + 10
        while time.time() < end:
            started = sum(1 for line in open(self.path("flows.txt")) if " start " in line or " error" in line)
            if started >= want and (t["connect_ms"] <= 0 or os.path.getsize(self.path("attempts.txt")) > 0):
                break
            time.sleep(0.05)
        time.sleep(0.2)

    def timeline(self):
        """Applies the events at their times. A fault command that took
        effect late (lab.sh on a loaded machine) shifts what follows by as
        much, so the time between a fault and its restore stays as written."""
        self.t0 = now_ms()
        flaps = []
        self.shift = 0
        for ev in self.sc["timeline"]:
            delay = self.t0 + ev["at_s"] * 1000 + self.shift - now_ms()
            if delay > 0:
                time.sleep(delay / 1000)
            rec = {"at_s": ev["at_s"], "action": ev["action"], "args": ev["args"], "wan": ev["wan"],
                   "expect": ev["expect"]}
            if ev["action"] == "flap":
                th = threading.Thread(target=self.flap, args=(rec,), daemon=True)
                th.start()
                flaps.append(th)
                rec["t"] = now_ms()
                self.events.append(rec)
                continue
            before = now_ms()
            r = self.lab(ev["action"], *ev["args"], check=False)
            after = now_ms()
            rec["t"], rec["slack_ms"] = before, after - before
            if r.returncode != 0:
                self.errors.append(f"lab.sh {ev['action']} {' '.join(ev['args'])}: {r.stderr.strip()}")
            # lab.sh's own stamps, taken right around the command that applies it
            stamp = {"fault": f"fault-wan{ev['wan']}", "restore": f"restore-wan{ev['wan']}",
                     "monitor": "fault-monitor"}
            key = ("monitor" if ev["action"] == "fail-monitor" else
                   "restore" if ev["action"] == "restore" else
                   None if ev["action"] == "restore-monitor" else "fault")
            if key:
                try:
                    a = int(open(f"{STATE}/{stamp[key]}.at").read())
                    b = int(open(f"{STATE}/{stamp[key]}.after").read())
                    if before <= a <= after:
                        rec["t"], rec["slack_ms"] = a, b - a
                except (OSError, ValueError):
                    pass
            self.shift = max(self.shift, rec["t"] - (self.t0 + int(ev["at_s"] * 1000)))
            self.events.append(rec)
        end = self.t0 + self.sc["scenario"]["duration_s"] * 1000 + self.shift
        for th in flaps:
            th.join(max(0, (end - now_ms()) / 1000) + 30)
        if now_ms() < end:
            time.sleep((end - now_ms()) / 1000)
        self.t_end = now_ms()

    def flap(self, rec):
        r = self.lab("flap", *rec["args"], check=False)
        changes = []
        for line in r.stdout.splitlines():
            w = line.split()
            if len(w) == 3 and w[0] in ("down", "up"):
                changes.append([w[0], int(w[1]), int(w[2])])
        rec["flaps"] = changes
        if changes:
            rec["t"], rec["slack_ms"] = changes[0][1], changes[0][2] - changes[0][1]
            ups = [c for c in changes if c[0] == "up"]
            if ups:
                # The link's last return ends the fault: failback counts from there.
                rec["end"] = {"t": ups[-1][1], "slack_ms": ups[-1][2] - ups[-1][1]}
        if r.returncode != 0:
            self.errors.append(f"lab.sh flap {' '.join(rec['args'])}: {r.stderr.strip()}")

    def stop(self):
        for p in self.procs:
            if p is not self.gw and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            if p is not self.gw:
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
        if self.gw is not None and self.gw.poll() is None:
            # gw-exec execs switchback in sb-gw: the signal reaches it.
            self.gw.send_signal(signal.SIGINT)
            try:
                self.gw.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.gw.kill()
                self.gw.wait()
        self.lab("down", check=False)
        subprocess.run(["rm", "-rf", f"/var/run/dpdk/{self.prefix}"])


# --- reading the records -----------------------------------------------------------

def log_epoch_ms(h, m, s, ms, ref_ms):
    """The log's local HH:MM:SS.mmm as epoch ms, on the day of @ref_ms."""
    lt = time.localtime(ref_ms / 1000)
    t = time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday, h, m, s, 0, 0, -1))
    return int(t * 1000) + ms


def read_states(logpath, ref_ms):
    """{wan: [[t, "up|down|degraded", line]]} from the gateway's log."""
    states = {}
    for line in open(logpath, errors="replace"):
        m = LOG_STATE.match(line)
        if m:
            t = log_epoch_ms(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)), ref_ms)
            w = int(m.group(5)[3:]) if m.group(5)[3:].isdigit() else m.group(5)
            states.setdefault(w, []).append([t, m.group(6).lower(), line.split(" wan: ", 1)[1].strip()])
    return states


def read_attempts(path):
    """[[t, wan (int) or 0 = failed]]: lab-client.py loop's "<ms> <N|x>"."""
    out = []
    for line in open(path):
        w = line.split()
        if len(w) == 2:
            out.append([int(w[0]), int(w[1]) if w[1].isdigit() else 0])
    return out


def read_flows(path):
    """{flow: {"kind", "start", "iv", "wan0", "answers": [[t, wan, seq]], "end": [t, how], "sent"}}."""
    flows = {}
    for line in open(path):
        w = line.split()
        if len(w) < 3 or not w[0].isdigit():
            continue
        t, name, what = int(w[0]), w[1], w[2:]
        f = flows.setdefault(name, {"kind": re.sub(r"\d+$", "", name), "answers": [], "end": None})
        if what[0] == "start":
            f["start"], f["iv"] = t, int(what[1])
        elif what[0] == "up":
            f["wan0"] = int(what[1]) if what[1].isdigit() else 0
        elif what[0] == "sent":
            f["sent"] = int(what[1])
        elif what[0] in ("reset", "closed", "error"):
            f["end"] = [t, what[0]]
        elif what[0] == "ok" and len(what) >= 2:
            f["answers"].append([t, 0, int(what[1])])
        elif what[0].isdigit() and len(what) >= 2:
            f["answers"].append([t, int(what[0]), int(what[1])])
    return flows


# --- measuring -------------------------------------------------------------------------

def wan_at(f, t):
    """The WAN a flow was on just before @t (0: unknown, pings)."""
    last = f.get("wan0", 0)
    for a in f["answers"]:
        if a[0] >= t:
            break
        last = a[1]
    return last


def longest_gap(f, a, b):
    """Longest time without an answer from flow @f within [a, b]."""
    ts = [x[0] for x in f["answers"] if a <= x[0] <= b]
    edges = [a] + ts + [b]
    return max(y - x for x, y in zip(edges, edges[1:]))


def lost_in(f, a, b):
    """Datagrams sent in [a, b] (by sequence: start + seq x interval) with no answer."""
    if "start" not in f:
        return None
    got = {x[2] for x in f["answers"]}
    lo = max(0, -(-(a - f["start"]) // f["iv"]))
    hi = (b - f["start"]) // f["iv"]
    return sum(1 for n in range(lo, hi + 1) if n not in got)


def measure(run, states, attempts, flows):
    results = []
    evs = run.events
    for i, ev in enumerate(evs):
        w, t = ev["wan"], ev.get("t")
        r = {"at_s": ev["at_s"], "action": ev["action"], "args": ev["args"], "wan": f"wan{w}",
             "t": t, "slack_ms": ev.get("slack_ms", 0), "expect": ev.get("expect", {})}
        results.append(r)
        if t is None:
            continue
        r["applied_s"] = round((t - run.t0) / 1000, 2)
        wst = states.get(w, [])
        nxt = [e for e in evs[i + 1:] if e["wan"] == w and e.get("t")]
        t_next = nxt[0]["t"] if nxt else run.t_end
        if ev["action"] in FAULTS:
            r["kind"] = "fault"
            r["t_next"] = t_next
            det = [s for s in wst if t <= s[0] <= t_next + 2000 and s[1] in ("down", "degraded")]
            r["detection_ms"] = det[0][0] - t if det else None
            r["detected"] = det[0][2] if det else None
            other = [a for a in attempts if a[0] >= t and a[1] not in (0, w)]
            r["first_connection_ms"] = other[0][0] - t if other else None
            win = [a for a in attempts if t <= a[0] < t_next]
            failed = [a for a in win if a[1] == 0]
            r["failed_attempts"] = len(failed)
            r["last_failed_ms"] = failed[-1][0] - t if failed else 0
            end = ev.get("end", {}).get("t", t_next)
            r["state_changes"] = sum(1 for s in wst if t <= s[0] < end)
            r["ups_during"] = sum(1 for s in wst if t <= s[0] < end and s[1] == "up")
            surv, on_failed = [], []
            for name, f in sorted(flows.items()):
                if f["kind"] == "ping" or not any(t - 1000 <= x[0] < t for x in f["answers"]):
                    continue    # pings, and flows that were not alive just before the fault
                fw = wan_at(f, t)
                rec = {"flow": name, "wan": f"wan{fw}"}
                if fw and fw != w:
                    rec["gap_ms"] = longest_gap(f, t, end)
                    if f["kind"] == "udp":
                        rec["lost"] = lost_in(f, t, end - 500)
                    surv.append(rec)
                elif fw == w:
                    after = [x for x in f["answers"] if x[0] > t + 50]
                    moved = [x for x in after if x[1] not in (0, w)]
                    if f["end"] and f["end"][0] >= t and f["end"][1] in ("reset", "error"):
                        rec["outcome"], rec["at_ms"] = "reset", f["end"][0] - t
                    elif moved:
                        rec["outcome"], rec["at_ms"] = "moved", moved[0][0] - t
                        rec["to"] = f"wan{moved[0][1]}"
                    elif longest_gap(f, t, min(end, run.t_end)) < 500:
                        rec["outcome"] = "kept"
                    elif [x for x in after if x[0] >= end]:
                        rec["outcome"], rec["at_ms"] = "resumed", [x for x in after if x[0] >= end][0][0] - t
                    else:
                        rec["outcome"] = "hung"
                    on_failed.append(rec)
            r["surviving_flows"] = surv
            r["failed_wan_flows"] = on_failed
            lost = [x["lost"] for x in surv if x.get("lost") is not None]
            r["surviving_lost"] = sum(lost) if lost else None
            r["surviving_gap_ms"] = max((x["gap_ms"] for x in surv), default=None)
            r["failed_flows"] = ",".join(sorted({x["outcome"] for x in on_failed})) or None
            if "end" in ev:
                r["restored_t"] = ev["end"]["t"]
                up = [s for s in wst if s[0] >= ev["end"]["t"] and s[1] == "up"]
                r["failback_ms"] = up[0][0] - ev["end"]["t"] if up else None
                r["failback_slack_ms"] = ev["end"]["slack_ms"]
        else:
            r["kind"] = "restore"
            prev = [s for s in wst if s[0] <= t]
            was_down = bool(prev) and prev[-1][1] != "up"
            up = [s for s in wst if s[0] >= t and s[1] == "up"]
            r["was_down"] = was_down
            r["failback_ms"] = (up[0][0] - t if up else None) if was_down else None
            r["state_changes"] = sum(1 for s in wst if t <= s[0] < t_next)
    return results


def checks(results, expect):
    """[{"event", "name", "value", "bound", "slack_ms", "ok"}] for every bound that applies."""
    out = []

    def add(r, name, value, bound, ok, slack=0):
        out.append({"event": f"{r.get('applied_s', r['at_s']):g}s {r['action']} {' '.join(r['args'])}", "name": name,
                    "value": value, "bound": bound, "slack_ms": slack, "ok": bool(ok)})

    for r in results:
        e = dict(expect)
        e.update(r.get("expect", {}))
        if r.get("kind") == "fault":
            if e.get("no_failover") == "yes":
                add(r, "no_failover", r["state_changes"], 0,
                    r["state_changes"] == 0 and r["first_connection_ms"] is None)
                continue
            for k in ("detection_ms", "first_connection_ms", "last_failed_ms"):
                if k in e:
                    v = r.get(k)
                    add(r, k, v, int(e[k]), v is not None and v - r["slack_ms"] <= int(e[k]), r["slack_ms"])
            for k in ("surviving_lost", "surviving_gap_ms", "state_changes", "ups_during"):
                if k in e and (r.get(k) is not None or k == "state_changes"):
                    add(r, k, r.get(k), int(e[k]), r.get(k) is not None and r[k] <= int(e[k]))
            if "failed_flows" in e and r["failed_wan_flows"]:
                add(r, "failed_flows", r["failed_flows"], e["failed_flows"],
                    set(r["failed_flows"].split(",")) <= set(e["failed_flows"].split("|")))
            if "failback_ms" in e and "restored_t" in r:
                v = r.get("failback_ms")
                add(r, "failback_ms", v, int(e["failback_ms"]),
                    v is not None and v - r["failback_slack_ms"] <= int(e["failback_ms"]),
                    r["failback_slack_ms"])
        elif r.get("kind") == "restore" and r.get("was_down") and "failback_ms" in e:
            v = r.get("failback_ms")
            add(r, "failback_ms", v, int(e["failback_ms"]),
                v is not None and v - r["slack_ms"] <= int(e["failback_ms"]), r["slack_ms"])
    return out


# --- the picture -----------------------------------------------------------------------

COLORS = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b"]
STATE_COLOR = {"up": "#2ca02c", "degraded": "#ffbf00", "down": "#d62728"}


def draw(doc, png, svg):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    t0, t_end = doc["t0"], doc["t_end"]
    wans = doc["scenario"]["wans"]
    x = lambda t: (t - t0) / 1000.0  # noqa: E731
    fig, (ax_s, ax_t, ax_c) = plt.subplots(3, 1, figsize=(12, 7), dpi=100, sharex=True,
                                           gridspec_kw={"height_ratios": [1.1, 2.4, 1.2]})
    fig.suptitle(f"{doc['name']}: {doc['scenario'].get('description', '')}", fontsize=11)
    xmin = -0.5
    xmax = x(t_end) + 0.3

    # 1. per-WAN state
    for k in range(1, wans + 1):
        seq = [[t0 - 5000, "up"]] + [[s[0], s[1]] for s in doc["states"].get(f"wan{k}", [])]
        for (a, st), (b, _) in zip(seq, seq[1:] + [[t_end, None]]):
            ax_s.broken_barh([(x(a), x(b) - x(a))], (k - 0.4, 0.8), color=STATE_COLOR[st])
    ax_s.set_yticks(range(1, wans + 1))
    ax_s.set_yticklabels([f"wan{k}" for k in range(1, wans + 1)])
    ax_s.set_ylim(0.4, wans + 0.6)
    ax_s.invert_yaxis()
    ax_s.set_title("WAN state (from the gateway's log)", fontsize=9, loc="left")
    ax_s.legend(handles=[Patch(color=c, label=s) for s, c in STATE_COLOR.items()],
                loc="upper right", fontsize=7, ncol=3)

    # 2. traffic per WAN: answers per second in 500 ms bins
    bin_ms = 500
    nb = int((t_end - t0) / bin_ms) + 1
    per = {k: [0] * nb for k in range(1, wans + 1)}
    for a in doc["attempts"]:
        if a[1] in per and t0 <= a[0] < t_end:
            per[a[1]][(a[0] - t0) // bin_ms] += 1
    for f in doc["flows"].values():
        for a in f["answers"]:
            if a[1] in per and t0 <= a[0] < t_end:
                per[a[1]][(a[0] - t0) // bin_ms] += 1
    xs = [i * bin_ms / 1000 for i in range(nb)]
    for k in per:
        ax_t.step(xs, [v * 1000 / bin_ms for v in per[k]], where="post", color=COLORS[k - 1],
                  label=f"wan{k}", linewidth=1.4)
    ax_t.set_ylabel("answers/s")
    ax_t.set_title("traffic per WAN (connections, TCP and UDP echoes answered)", fontsize=9, loc="left")
    ax_t.legend(loc="upper right", fontsize=7, ncol=wans)
    ax_t.set_ylim(bottom=0)

    # 3. new connection attempts: the WAN they got, or failed
    ok = [a for a in doc["attempts"] if a[1] > 0 and a[0] >= t0]
    bad = [a for a in doc["attempts"] if a[1] == 0 and a[0] >= t0]
    for k in range(1, wans + 1):
        pts = [x(a[0]) for a in ok if a[1] == k]
        ax_c.scatter(pts, [k] * len(pts), s=9, color=COLORS[k - 1], marker="o")
    ax_c.scatter([x(a[0]) for a in bad], [0] * len(bad), s=22, color="#d62728", marker="x",
                 label=f"failed ({len(bad)})")
    ax_c.set_yticks(range(0, wans + 1))
    ax_c.set_yticklabels(["failed"] + [f"wan{k}" for k in range(1, wans + 1)])
    ax_c.set_ylim(-0.6, wans + 0.6)
    ax_c.set_title(f"new TCP connections, one every {doc['scenario']['traffic']['connect_ms']} ms",
                   fontsize=9, loc="left")
    ax_c.set_xlabel("seconds from the start of traffic")

    # fault and restore markers on every panel
    for r in doc["results"]:
        if r.get("t") is None:
            continue
        fault = r.get("kind") == "fault"
        c = "#d62728" if fault else "#2ca02c"
        for ax in (ax_s, ax_t, ax_c):
            ax.axvline(x(r["t"]), color=c, linestyle="--", linewidth=1)
            if r.get("restored_t"):
                ax.axvline(x(r["restored_t"]), color="#2ca02c", linestyle=":", linewidth=1)
            if fault:
                ax.axvspan(x(r["t"]), x(r.get("restored_t") or r.get("t_next") or t_end),
                           color="#d62728", alpha=0.06)
        ax_s.annotate(f"{r['action']} {' '.join(r['args'])}", (x(r["t"]), 0.4), xytext=(2, -2),
                      textcoords="offset points", fontsize=7, color=c, va="top",
                      annotation_clip=False)
    for ax in (ax_s, ax_t, ax_c):
        ax.set_xlim(xmin, xmax)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png)
    fig.savefig(svg)
    plt.close(fig)


# --- the summary -------------------------------------------------------------------------

def fmt(v):
    return "-" if v is None else str(v)


def summary(doc):
    lines = [f"== {doc['name']}: {doc['scenario'].get('description', '')}",
             f"   config {os.path.relpath(doc['scenario']['config'], TOP)}, {doc['scenario']['wans']} WANs, "
             f"{doc['scenario']['duration_s']:g} s; records in {doc['out']}"]
    hdr = ("at", "event", "detect", "1st-conn", "last-fail", "surv-lost", "surv-gap", "failed-WAN flows",
           "changes", "failback")
    rows = [hdr, ("s", "", "ms", "ms", "ms", "dgrams", "ms", "", "", "ms")]
    for r in doc["results"]:
        ff = r.get("failed_wan_flows", [])
        if len(ff) <= 3:
            fl = ", ".join(f"{x['flow']} {x['outcome']}" for x in ff)
        else:       # many: counted by kind and outcome
            n = {}
            for x in ff:
                k = f"{re.sub(r'[0-9]+$', '', x['flow'])} {x['outcome']}"
                n[k] = n.get(k, 0) + 1
            fl = ", ".join(f"{v} {k}" for k, v in sorted(n.items()))
        rows.append((f"{(r['t'] - doc['t0']) / 1000:.2f}" if r.get("t") else f"{r['at_s']:g}",
                     f"{r['action']} {' '.join(r['args'])}"[:28],
                     fmt(r.get("detection_ms")) if r.get("kind") == "fault" else "",
                     fmt(r.get("first_connection_ms")) if r.get("kind") == "fault" else "",
                     fmt(r.get("last_failed_ms")) if r.get("kind") == "fault" else "",
                     fmt(r.get("surviving_lost")) if r.get("kind") == "fault" else "",
                     fmt(r.get("surviving_gap_ms")) if r.get("kind") == "fault" else "",
                     fl[:40], fmt(r.get("state_changes")), fmt(r.get("failback_ms"))))
    wid = [max(len(str(row[i])) for row in rows) for i in range(len(hdr))]
    for row in rows:
        lines.append("   " + "  ".join(str(c).rjust(wid[i]) if i not in (1, 7) else str(c).ljust(wid[i])
                                       for i, c in enumerate(row)))
    # every new connection attempt, one character each
    marks = sorted([(r["t"], "F" if r.get("kind") == "fault" else "R") for r in doc["results"] if r.get("t")] +
                   [(r["restored_t"], "R") for r in doc["results"] if r.get("restored_t")])
    s, mi = "", 0
    for a in doc["attempts"]:
        while mi < len(marks) and marks[mi][0] <= a[0]:
            s += f"|{marks[mi][1]}|"
            mi += 1
        s += str(a[1]) if a[1] else "x"
    lines.append("   new connections (N = through wanN, x = failed, |F| fault, |R| restore):")
    for i in range(0, len(s), 100):
        lines.append("   " + s[i:i + 100])
    for c in doc["checks"]:
        sl = f" (+ the {c['slack_ms']} ms the command took)" if c["slack_ms"] else ""
        lines.append(f"{'ok  ' if c['ok'] else 'FAIL'} {c['event']}: {c['name']} {fmt(c['value'])}"
                     f" {'<=' if c['name'] not in ('failed_flows',) else 'in'} {c['bound']}{sl}")
    for e in doc["errors"]:
        lines.append(f"FAIL {e}")
    n_ok = sum(1 for c in doc["checks"] if c["ok"])
    n_bad = len(doc["checks"]) - n_ok + len(doc["errors"])
    lines.append(f"{doc['name']}: {'PASS' if not n_bad else 'FAIL'} "
                 f"({n_ok} of {len(doc['checks'])} checks passed"
                 f"{', ' + str(len(doc['errors'])) + ' errors' if doc['errors'] else ''}); "
                 f"picture {doc['png']}")
    return "\n".join(lines)


def find_scenario(arg):
    for p in (arg, os.path.join(TOP, "conf", "scenarios", arg),
              os.path.join(TOP, "conf", "scenarios", arg + ".ini")):
        if os.path.isfile(p):
            return p
    raise ScenarioError(f"no scenario '{arg}' (conf/scenarios/: "
                        f"{' '.join(sorted(n[:-4] for n in os.listdir(os.path.join(TOP, 'conf', 'scenarios')) if n.endswith('.ini')))})")


def main(argv):
    ap = argparse.ArgumentParser(prog="lab.sh run", description="Run a lab scenario, measured.")
    ap.add_argument("scenario", help="a name in conf/scenarios/ or a file")
    ap.add_argument("--out", default="lab-runs", help="where NAME.json/.png/.svg/.log go (lab-runs)")
    ap.add_argument("--bin", default=os.environ.get("SWITCHBACK", os.path.join(TOP, "build", "switchback")),
                    help="the switchback binary (build/switchback)")
    ap.add_argument("--check-only", action="store_true", help="parse the scenario and stop")
    ap.add_argument("--again", action="store_true",
                    help="no run: measure, check and draw again from DIR/NAME's records "
                         "(after changing the scenario's bounds)")
    a = ap.parse_args(argv)
    try:
        path = find_scenario(a.scenario)
        sc = parse_scenario(path)
    except ScenarioError as e:
        print(f"lab.sh run: {e}", file=sys.stderr)
        return 2
    name = os.path.basename(path).rsplit(".", 1)[0]
    if a.check_only:
        print(json.dumps(sc, indent=1))
        return 0
    os.makedirs(a.out, exist_ok=True)
    out = os.path.abspath(a.out)
    if a.again:
        old = json.load(open(os.path.join(out, f"{name}.json")))
        run = Run(sc, name, out, a.bin)
        run.t0, run.t_end, run.events, run.errors = old["t0"], old["t_end"], old["events"], old["errors"]
        return report(run, sc, path, out, old.get("gw_start"))
    if os.geteuid() != 0:
        print("lab.sh run: must run as root (network namespaces)", file=sys.stderr)
        return 2
    if not os.access(a.bin, os.X_OK):
        print(f"lab.sh run: no switchback binary at {a.bin} (meson compile -C build, or --bin)", file=sys.stderr)
        return 2
    run = Run(sc, name, out, os.path.abspath(a.bin))
    print(f"lab.sh run {name}: {sc['scenario'].get('description', '')}", flush=True)
    try:
        gw_start = now_ms()
        run.start()
        run.traffic()
        print(f"   traffic running; timeline of {len(sc['timeline'])} events over "
              f"{sc['scenario']['duration_s']:g} s", flush=True)
        run.timeline()
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        run.stop()
        print(f"lab.sh run {name}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        run.stop()
        return 130
    run.stop()
    return report(run, sc, path, out, gw_start)


def report(run, sc, path, out, gw_start):
    """Measure the run's records, check, write the JSON and the picture, print the summary."""
    name = run.name
    states = read_states(run.path("log"), run.t0)
    attempts = read_attempts(run.path("attempts.txt")) if os.path.exists(run.path("attempts.txt")) else []
    flows = read_flows(run.path("flows.txt"))
    results = measure(run, states, attempts, flows)
    doc = {"name": name, "file": path, "out": out, "scenario": sc["scenario"] | {"traffic": sc["traffic"]},
           "expect": sc["expect"], "t0": run.t0, "t_end": run.t_end, "gw_start": gw_start,
           "events": run.events, "states": {f"wan{k}": v for k, v in states.items()},
           "attempts": attempts, "flows": flows, "results": results, "errors": run.errors,
           "png": run.path("png"), "svg": run.path("svg"), "log": run.path("log")}
    doc["checks"] = checks(results, sc["expect"])
    doc["pass"] = not run.errors and all(c["ok"] for c in doc["checks"])
    with open(run.path("json"), "w") as f:
        json.dump(doc, f, indent=1)
    draw(doc, doc["png"], doc["svg"])
    print(summary(doc))
    return 0 if doc["pass"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
