"""Shared by the integration tests (and the lab and bench tests written in
Python): run the real switchback binary on a config over net_pcap vdevs,
count checks, small pcap helpers, run scripts/bench."""
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile


class Checks:
    """Each check prints ok/FAIL; finish() prints the closing count line
    ('N passed, N failed') and returns the exit status."""

    def __init__(self):
        self.passes, self.failures = [], []

    def __call__(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        (self.passes if cond else self.failures).append(what)
        return cond

    def finish(self):
        print(f"{len(self.passes)} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def worker_burst():
    """The worker's rx burst (SB_BURST in include/sb_common.h): the
    packets it reads from one port a round, which tests that order their
    steps by bursts pad each step to."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(top, "include", "sb_common.h")) as f:
        m = re.search(r"#define\s+SB_BURST\s+(\d+)", f.read())
    return int(m.group(1))


def main(body, prefix, check):
    """The tests' entry point: @body(d) in a new temporary directory named
    @prefix..., removed afterwards whatever happens; exits with @check's
    status (finish())."""
    import sys
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        body(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    sys.exit(check.finish())


def gw_ini(d, isp_mac, host_mac=None, switchback="", wan_rx="wan.pcap"):
    """Write {d}/gw.ini, the gateway most integration tests run: LAN
    192.168.1.1/24 (static neighbour 192.168.1.10 = @host_mac when given),
    WAN1 203.0.113.2/24 masquerading, default via 203.0.113.1 (@isp_mac),
    ports on net_pcap reading {d}/lan.pcap and {d}/@wan_rx, writing
    {d}/lan-out.pcap and {d}/wan-out.pcap. @switchback: lines for a
    [switchback] section. Returns the path."""
    head = f"[switchback]\n{switchback}\n" if switchback else ""
    host = (f"[neighbor host]\naddress = 192.168.1.10\nmac = {host_mac}\nport = lan\n"
            if host_mac else "")
    ini = f"{d}/gw.ini"
    with open(ini, "w") as f:
        f.write(f"""{head}[port lan]
device = net_pcap0,rx_pcap={d}/lan.pcap,tx_pcap={d}/lan-out.pcap
address = 192.168.1.1/24
[port wan1]
device = net_pcap1,rx_pcap={d}/{wan_rx},tx_pcap={d}/wan-out.pcap
role = wan
address = 203.0.113.2/24
masquerade = yes
[route default]
dst = 0.0.0.0/0
gateway = 203.0.113.1
[neighbor isp1]
address = 203.0.113.1
mac = {isp_mac}
port = wan1
{host}""")
    return ini


def run(binary, ini, tag, seconds=3, mem=256):
    """Run switchback on @ini for @seconds (pcap inputs are consumed at
    once), stop it with SIGINT, and return (exit status, output). The EAL
    runtime directory is removed afterwards."""
    prefix = f"{tag}{os.getpid()}"
    proc = subprocess.Popen([binary, "-l", "0,1", "--no-huge", "-m", str(mem), "--no-pci",
                             "--file-prefix", prefix, "--log-level", "pmd.*:error", "--", "-c", ini],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(2)
        out, _ = proc.communicate(timeout=30)
    shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    return proc.returncode, out


def run_checked(binary, ini, tag, check, tail=1500, what="switchback exited 0", **kw):
    """run(), then print the end of its output and @check that it exited 0.
    Returns the output."""
    rc, out = run(binary, ini, tag, **kw)
    print(out[-tail:] if tail else out)
    check(rc == 0, what)
    return out


def drops(out):
    """The summary's drop counters as {reason: count}."""
    m = re.search(r"^drops:(.*)$", out, re.M)
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))} if m else {}


def ones(b):
    """One's complement sum of @b (0xFFFF when a checksummed block is intact)."""
    if len(b) % 2:
        b += b"\x00"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return t


def write_pcap(path, frames):
    """Write raw Ethernet frames (bytes) as a pcap, fast for many frames."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for p in frames:
            f.write(struct.pack("<IIII", 0, 0, len(p), len(p)))
            f.write(p)


def bench_start():
    """For the tests of scripts/bench: (the checkout, the build directory:
    argv[1] or build/, a Checks); exits 77 (skipped) unless root."""
    import sys
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if os.geteuid() != 0:
        print("SKIP: needs root")
        sys.exit(77)
    return top, sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "build"), Checks()


def bench(top, build, args, timeout, check, what):
    """Run scripts/bench --build @build --no-huge @args --json FILE (prints
    its output); @check that it exited 0 (@what) and that its JSON reads.
    Returns the JSON ({} when it does not read)."""
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        r = subprocess.run([os.path.join(top, "scripts", "bench"), "--build", build, "--no-huge",
                            *args, "--json", out], capture_output=True, text=True, timeout=timeout)
        print(r.stdout[-4000:], r.stderr[-2000:])
        check(r.returncode == 0, what)
        try:
            return json.load(open(out))
        except (OSError, ValueError) as e:
            check(False, f"JSON readable ({e})")
            return {}
    finally:
        os.unlink(out)
