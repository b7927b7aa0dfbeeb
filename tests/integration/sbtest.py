"""Shared by the integration tests: run the real switchback binary on a
config over net_pcap vdevs, count checks, small pcap helpers."""
import os
import re
import shutil
import struct
import subprocess


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
