#!/usr/bin/env bash
# Lab test: floods (issue 11). conf/lab-wan.ini (monitors with a 5% loss
# trigger over 20 rounds: the most sensitive lab WAN), then one flood after
# another, each FLOOD_SECONDS (default 4) at the highest rate sb_flood
# manages here, while a UDP flow from the LAN (50 datagrams/s through WAN1)
# and the CLI (switchbackctl stats, again and again) run beside it:
#   echo_probe_ids  echo replies to WAN1's address spoofed from monitor
#                   192.0.2.53, ids in the probe range (0xff00-0xffff)
#   echo_any_id     the same with any id
#   udp_scan        UDP to every port of WAN1's address, random sources
#   syn_inbound     TCP SYNs to WAN1's address, random sources and ports
#   frag            fragments of nothing to WAN1's address
#   arp_lan         ARP requests for the LAN address from random senders
#                   (192.168.1.128/25: not the lab's hosts, whose entries
#                   any LAN host can overwrite, as with Linux: ARP has no
#                   authentication)
#   arp_wan         ARP requests for WAN1's address from random senders on
#                   WAN1's segment (203.0.113.128/25; from the ISP side)
#   syn_outbound    TCP SYNs from the LAN host to the internet (new flows)
#   udp_outbound    UDP from the LAN host to every port of an internet host
#                   (new flows; not in the CI run: docs/security.md)
# Each asserts: no WAN state change (wan_changes and the log), the flow
# keeps passing (loss <= 2%, p99 RTT < 50 ms), the CLI answers within
# FLOOD_CLI_MS (default 100) every time, the worker threads take at most
# FLOOD_FAULTS_MAX (default 32) page faults, and drop counters (the
# worker's and the XDP programs') name what the gateway dropped. arp_lan also: the
# neighbour table holds at most half its entries (2048) on the LAN and
# both WAN gateways keep their MAC; arp_lan and arp_wan also: during the
# flood the other segments' hosts get their ARP for the gateway answered,
# and after it every segment's do at once; syn_outbound and udp_outbound also: the LAN host holds
# no more sessions than sessions_per_host (a quarter of the table), the
# rest of its SYNs counted as XDP syn_flood ([xdp] syn_per_source) or
# session_host_limit.
# The machine's own stalls: sb_witness (a SCHED_FIFO 99 thread per CPU
# that sleeps 1 ms at a time) runs for the whole test, and each flood
# prints the gaps of FLOOD_STALL_MS (default 50) or more it saw. These VMs
# lose a vCPU for ~100 ms now and then, idle, compiling or flooding
# (docs/security.md, "The tenth session"): a flood that misses a timing
# bound (the flow's loss or RTT, the CLI's time) while the witness saw
# such a stall runs again, at most FLOOD_STALL_RETRIES (default 2) more
# times; every other check, and a timing bound missed without a stall,
# fails at once.
# FLOOD_PPS caps each flood's rate (default 0: as fast as sb_flood goes).
# A flood sent at under FLOOD_MIN_PPS (default 50000, or half FLOOD_PPS)
# tested nothing: when its sender spent half its time waiting for a CPU
# (the machine busy with other work) it runs again, as after a stall;
# otherwise it fails (something held the sender back: its ARP, say).
# The rig stands the attacker on another machine as well as 2 CPUs allow:
# the sender on CPU 0 at SCHED_IDLE, the lab kernel's side of the
# gateway's links on CPU 0 (RPS), the CLI and the flow's client on CPU 0;
# the worker has CPU 1 (docs/security.md, "Floods in the lab").
# For experiments with that rig: FLOOD_RPS_LINKS (the "ns:ifname" links
# given RPS on CPU 0), FLOOD_CLIENT_CHRT (chrt options for the flow's
# client, e.g. "-f 10"), FLOOD_RX_DESC (the WAN ports' rx_desc, 4096).
# Each flood prints what the ports' queues missed and every lab link's
# drop counters, so a loss outside the gateway shows where it was.
# The lab suite runs all but udp_outbound at full rate for FLOOD_SECONDS=2.
# Usage: test_lab_floods.sh SWITCHBACK_BINARY SB_FLOOD_BINARY [FLOOD...]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
flood=${2:-$(dirname "$bin")/tests/lab/sb_flood}
shift 2 2>/dev/null || shift $#
. "$top/scripts/lab-lib.sh"
lab_test_init "$bin"

secs=${FLOOD_SECONDS:-4}
floods=${*:-echo_probe_ids echo_any_id udp_scan syn_inbound frag arp_lan syn_outbound}
py=/usr/bin/python3

# The gateway on net_af_xdp ports (FLOOD_XDP=0: net_af_packet, whose kernel
# path drops much of a flood before the gateway sees it: a rig limit).
conf=$top/conf/lab-wan.ini
if [ "${FLOOD_XDP:-1}" = 1 ]; then
	xdp_config "$conf" "$work/lab-wan-xdp.ini" || { echo "FAIL xdp config"; exit 1; }
	conf=$work/lab-wan-xdp.ini
	# [xdp] busy_poll (FLOOD_BUSY_POLL, default yes as in a config that
	# does not say): docs/security.md has both.
	# [xdp] syn_per_source: FLOOD_SYN_PER_SOURCE, default the config's
	# default (4000); 0 lets every SYN through to the worker.
	printf '\n[xdp]\nbusy_poll = %s\n' "${FLOOD_BUSY_POLL:-yes}" >>"$conf"
	[ -n "${FLOOD_SYN_PER_SOURCE:-}" ] &&
		printf 'syn_per_source = %s\n' "$FLOOD_SYN_PER_SOURCE" >>"$conf"
fi
# The WAN ports' rx_desc (their AF_XDP sockets' rings) at 4096, as
# docs/security.md advises for AF_XDP WAN ports: with the default 1024 the
# kernel dropped 7.7-19k of a 2-s echo_any_id flood at WAN1's full ring
# (the veth's rx_dropped), and the flow's replies with them (up to 6 of
# 150); with 4096, none. (The LAN port keeps 1024: a deeper ring there
# only queues the flow behind syn_outbound's SYNs, p99 46-49 ms.)
# FLOOD_RX_DESC sets another (0: the config's).
if [ "${FLOOD_RX_DESC:-4096}" != 0 ]; then
	sed "/^\[port wan/a rx_desc = ${FLOOD_RX_DESC:-4096}" "$conf" >"$work/lab-wan-flood.ini"
	conf=$work/lab-wan-flood.ini
fi
# The witness of the machine's own stalls (sb_witness, beside sb_flood):
# every CPU watched from a real-time thread for the whole test.
"$(dirname "$flood")/sb_witness" --threshold-ms 20 --seconds 900 >"$work/witness" 2>"$work/witness.err" &
witness_pid=$!
lab_track $witness_pid
# The witness itself, checked: stopped for 150 ms, it must report it.
sleep 0.2
kill -STOP "$witness_pid" && sleep 0.15 && kill -CONT "$witness_pid"
sleep 0.1
if awk '$3 >= 120 { f = 1 } END { exit !f }' "$work/witness"; then
	ok "sb_witness saw a planted stop of 150 ms ($(awk '$3 >= 120 { printf "%s %s ms ", $2, $3 }' "$work/witness"))"
else
	bad "sb_witness missed a planted stop of 150 ms ($(cat "$work/witness" "$work/witness.err" | tr '\n' ' '))"
fi
lab_start "$conf"
# Its lines prove a stall of the machine only from a real-time thread:
# without SCHED_FIFO no flood runs again on them.
if grep -q "no SCHED_FIFO" "$work/witness.err" 2>/dev/null; then
	echo "# $(tr "\n" " " <"$work/witness.err")- a missed timing bound fails at once"
	FLOOD_STALL_RETRIES=0
fi
# The kernel's side of the gateway's links (the ISPs' and the LAN host's
# veths) takes what the worker sends on CPU 0, by RPS (FLOOD_RPS=0: not).
# AF_XDP in copy mode on a veth transmits synchronously: without it the
# lab's forwarding, and the internet's answers to a flood, run inside the
# worker's transmit call on the worker's CPU (docs/security.md).
if [ "${FLOOD_RPS:-1}" = 1 ]; then
	for x in ${FLOOD_RPS_LINKS:-isp1:isp1-cust isp2:isp2-cust lan:lan0}; do
		ip netns exec "sb-${x%%:*}" sh -c "echo 1 >/sys/class/net/${x#*:}/queues/rx-0/rps_cpus" ||
			bad "RPS on ${x#*:}"
	done
fi
case "$line" in
	"HELLO 203.0.113.2 "*) ok "up, through WAN1" ;;
	*) bad "TCP through WAN1 (got '$line')" ;;
esac
sleep 4.5   # a whole window (20 rounds of 200 ms) of clean rounds

stats_json() { ctl stats --json 2>/dev/null; }

# Until every WAN is up and has stayed so for 5 s (at most 30 s): a flood
# starts from a quiet gateway, not from the last one's aftermath.
settle() {
	local quiet=0
	for _ in $(seq 60); do
		if ctl wan print --json 2>/dev/null | $py -c '
import json, sys
sys.exit(0 if all(w["state"] == "up" for w in json.load(sys.stdin)) else 1)'; then
			quiet=$((quiet + 1))
			[ "$quiet" -ge 10 ] && return 0
		else
			quiet=0
		fi
		sleep 0.5
	done
	return 1
}

# Every lab interface's drop and error counters, one "ns/if counter n"
# a line: a flood's losses outside the gateway (the kernel's veths and
# routers) are the rig's, and the record says where they were.
link_drops() {
	local ns
	for ns in sb-lan sb-gw sb-isp1 sb-isp2 sb-inet; do
		ip -n "$ns" -s -j link show 2>/dev/null | $py -c '
import json, sys
ns = sys.argv[1]
for l in json.load(sys.stdin):
    n = l["ifname"]
    for d in ("rx", "tx"):
        for k in ("dropped", "errors", "over_errors"):
            v = l.get("stats64", {}).get(d, {}).get(k)
            if v is not None:
                print(f"{ns}/{n} {d}_{k} {v}")' "$ns" 2>/dev/null
	done
}

# The CLI, again and again until $1 (epoch ms): prints the worst latency.
# It runs on CPU 0, as an operator's shell would run on the housekeeping
# cores of an appliance whose worker cores are isolated (isolcpus): on this
# 2-CPU VM the worker busy-polls CPU 1, and anything else scheduled there
# takes turns with it while the flood fills its rings. The loop forks only
# the CLI (taskset, which execs switchbackctl): bash's clock, and a FIFO
# nobody writes for the pause. Its other forks (subshells, dirname, sleep)
# were put on CPU 1 once the flood kept CPU 0 busy, each a 3-4 ms turn
# taken from the worker (an exec costs hundreds of page faults at ~15 us
# on these VMs). Pinning the whole loop to CPU 0 instead took a third of
# the floods' rate (the sender gets what CPU 0 has left).
cli_worst() {
	local end=$1 worst=0 t0 t never ctl
	ctl=$(dirname "$bin")/switchbackctl
	mkfifo "$work/never.$BASHPID" && exec {never}<>"$work/never.$BASHPID"
	while [ "${EPOCHREALTIME/./}" -lt "${end}000" ]; do
		t0=${EPOCHREALTIME/./}
		taskset -c 0 "$ctl" -f "$prefix" stats >/dev/null 2>&1 ||
			{ echo 99999; return; }
		t=$(( ${EPOCHREALTIME/./} - t0 ))
		[ "$t" -gt "$worst" ] && worst=$t
		read -r -t 0.05 -u "$never" || true
	done
	exec {never}>&-
	rm -f "$work/never.$BASHPID"
	echo "$worst"
}

# The minor page faults the gateway's worker threads have taken so far
# ("none" when no worker thread is found). Tables are made resident when
# they are created (sb_prefault(), sb_slots_warm()): a fault on the fast
# path costs ~15 us on these VMs, and a SYN flood's first sessions once
# took 500 of them in its first 100 ms, holding the flow's packets 10-60
# ms (docs/security.md, "The ninth session").
worker_faults() {
	local t sum=0 f found=0
	for t in /proc/"$sb_pid"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in
		rte-worker-*|lcore-worker-*)
			f=$(awk '{print $10}' "$t/stat" 2>/dev/null) || continue
			sum=$((sum + ${f:-0})) found=1 ;;
		esac
	done
	[ "$found" = 1 ] && echo "$sum" || echo none
}

# The machine's own stalls: sb_witness's lines ("epoch_ms cpuN ms_late",
# a real-time thread per CPU that sleeps 1 ms at a time) whose gap of at
# least FLOOD_STALL_MS (default 50) overlaps FROM..TO (epoch ms), as
# "cpuN N ms at +T ms" (T from REF, the flood's start, to the gap's
# start), comma-separated.
stalls_between() {
	awk -v from="$1" -v to="$2" -v ref="$3" -v min="${FLOOD_STALL_MS:-50}" '
	$3 >= min && $1 >= from && $1 - $3 <= to {
		s = s (s == "" ? "" : ", ") sprintf("%s %d ms at %+d ms", $2, $3, $1 - $3 - ref)
	}
	END { print s }' "$work/witness" 2>/dev/null
}

# A timing bound missed (the flow's loss or RTT, the CLI's time): a
# failure, unless the witness saw the machine stall during the flood and
# this flood has runs left (FLOOD_STALL_RETRIES, default 2 more): then the
# measurement says nothing of the gateway, and the flood runs again. A
# gateway that is slow on its own fails every run; one that only shared a
# stalled machine passes the next.
timing_bad() {
	if [ -n "$stalls" ] && [ "$try" -le "${FLOOD_STALL_RETRIES:-2}" ]; then
		echo "# $1: the machine stalled during the flood ($stalls): it runs again"
		rerun=1
	else
		bad "$1${stalls:+ (the machine stalled too: $stalls)}"
	fi
}

one() {
	local try=1
	while ! one_run "$@"; do
		try=$((try + 1))
		sleep 1
	done
}

# One run of a flood; returns 1 when it is to run again (timing_bad).
one_run() {
	local name=$1 ns=$2; shift 2
	local before_log spid fpid worst_us from to stalls rerun=0
	settle || bad "$name: the WANs were not all up and quiet before it"
	[ "$try" -gt 1 ] && echo "# $name: run $try"
	before_log=$(wc -l <"$log")
	stats_json >"$work/$name.before"
	faults0=$(worker_faults)
	ctl status --json >"$work/$name.status0" 2>/dev/null
	link_drops >"$work/$name.links0"
	ip netns exec sb-lan taskset -c 0 ${FLOOD_CLIENT_CHRT:+chrt $FLOOD_CLIENT_CHRT} $py "$top/scripts/lab-client.py" stream --rtt --interval 0.02 \
		--count $(( secs * 50 + 50 )) --sport 40123 --trace "$work/$name.trace" >"$work/$name.stream" 2>&1 &
	spid=$!
	from=$(now_ms)
	sleep 0.5
	# The attacker stands for another machine: here it shares the CPUs
	# with the gateway, so it runs on CPU 0 (the worker polls CPU 1) at
	# SCHED_IDLE, taking the CPU time nothing of the gateway's wants.
	now_ms >"$work/$name.t0"
	ip netns exec "sb-$ns" taskset -c 0 chrt --idle 0 \
		"$flood" "$@" --seconds "$secs" --pps "${FLOOD_PPS:-0}" >"$work/$name.flood" 2>&1 &
	fpid=$!
	local apid=
	case $name in arp_*) arp_during "$name" "$ns" & apid=$! ;; esac
	worst_us=$(cli_worst $(( $(now_ms) + secs * 1000 )))
	wait "$fpid"
	[ -n "$apid" ] && wait "$apid"
	wait "$spid"
	to=$(now_ms)
	sleep 0.3
	stalls=$(stalls_between "$from" "$to" "$(cat "$work/$name.t0")")
	stats_json >"$work/$name.after"
	faults1=$(worker_faults)
	ctl status --json >"$work/$name.status1" 2>/dev/null
	link_drops >"$work/$name.links1"
	local sent
	sent=$(sed -n 's/.*sent \([0-9]*\) packets.*/\1/p' "$work/$name.flood")
	echo "# $name: $(cat "$work/$name.flood")"
	echo "#   the machine's stalls of ${FLOOD_STALL_MS:-50} ms or more (sb_witness; ms from the flood's start): ${stalls:-none}"
	if [ -z "$sent" ] || [ "$sent" -lt 1000 ]; then
		bad "$name: the flood did not run ($(cat "$work/$name.flood"))"
		return
	fi
	# A flood far below the rate the lab sends (460k-1M pps here) did not
	# test the gateway. The sender says why (sb_flood: its time waiting
	# for a CPU): kept off the CPU by the machine's other work (it runs at
	# SCHED_IDLE), it runs again; held back while it had the CPU (its
	# kernel blocked it: the gateway's ARP unanswered, say), that is the
	# gateway's doing and fails.
	local waiting pps_sent min_pps=${FLOOD_MIN_PPS:-50000}
	[ "${FLOOD_PPS:-0}" -gt 0 ] && [ $((FLOOD_PPS / 2)) -lt "$min_pps" ] && min_pps=$((FLOOD_PPS / 2))
	pps_sent=$(sed -n 's/.*(\([0-9]*\) pps).*/\1/p' "$work/$name.flood")
	waiting=$(sed -n 's/.*waiting for one \([0-9.]*\) s.*/\1/p' "$work/$name.flood")
	if [ "${pps_sent:-0}" -lt "$min_pps" ]; then
		echo "#   $name: the sender's neighbours: $(ip -n "sb-$ns" neigh 2>/dev/null | tr '\n' ';')"
		if [ -n "$waiting" ] && $py -c "import sys; sys.exit(0 if $waiting > $secs / 2 else 1)" &&
		   [ "$try" -le "${FLOOD_STALL_RETRIES:-2}" ]; then
			echo "# $name: the sender ran at $pps_sent pps, waiting $waiting s of $secs for a CPU (the machine was busy): it runs again"
			return 1
		fi
		bad "$name: the flood ran at only $pps_sent pps (under $min_pps; waiting for a CPU ${waiting:-?} s of $secs)"
	fi
	local changed
	changed=$(tail -n +"$((before_log + 1))" "$log" | grep -E "wan wan[12] (DOWN|DEGRADED|UP)")
	if $py - "$work/$name.before" "$work/$name.after" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a["wan_changes"] == b["wan_changes"] else 1)
PY
	then
		[ -z "$changed" ] && ok "$name: no WAN state change" ||
			bad "$name: WAN state changed: $changed"
	else
		bad "$name: wan_changes moved: $(echo "$changed" | head -3)"
	fi
	local st lost recv p99
	st=$(cat "$work/$name.stream")
	lost=$(echo "$st" | sed -n 's/.*sent \([0-9]*\) received \([0-9]*\) lost \([0-9]*\).*/\3/p')
	recv=$(echo "$st" | sed -n 's/.*sent \([0-9]*\) received \([0-9]*\).*/\2/p')
	p99=$(echo "$st" | sed -n 's/.*p99 \([0-9.]*\).*/\1/p')
	if [ -n "$lost" ] && [ -n "$p99" ] && [ "$lost" -le $(( (lost + recv) / 50 )) ] &&
	   $py -c "import sys; sys.exit(0 if $p99 < 50 else 1)"; then
		ok "$name: the established flow kept passing ($(echo "$st" | tr '\n' ' '))"
	else
		timing_bad "$name: the established flow suffered ($(echo "$st" | tr '\n' ' '))"
	fi
	# The flow's slowest datagrams, by when they were sent (ms from the
	# flood's start): whether a spike belongs to one moment of the flood.
	$py - "$work/$name.trace" "$(cat "$work/$name.t0")" <<'PY' || true
import sys
t0 = float(sys.argv[2])
rows = [l.split() for l in open(sys.argv[1])]
slow = sorted((r for r in rows if r[2] != "lost"), key=lambda r: -float(r[2]))[:5]
print("#   slowest datagrams (sent at ms from the flood's start: rtt ms): " +
      ", ".join(f"+{float(r[1]) - t0:.0f}: {float(r[2]):.1f}" for r in slow))
PY
	local faults=none
	case $faults0$faults1 in
	*none*|"") ;;
	*) faults=$((faults1 - faults0)) ;;
	esac
	if [ "$faults" = none ]; then
		bad "$name: the worker threads' page faults could not be read (pid $sb_pid)"
	elif [ "$faults" -le "${FLOOD_FAULTS_MAX:-32}" ]; then
		ok "$name: the worker took $faults page faults (at most ${FLOOD_FAULTS_MAX:-32})"
	else
		bad "$name: the worker took $faults page faults: its tables were not resident"
	fi
	if [ "$worst_us" -lt $(( ${FLOOD_CLI_MS:-100} * 1000 )) ]; then
		ok "$name: the CLI answered within ${FLOOD_CLI_MS:-100} ms every time (worst $((worst_us / 1000)) ms)"
	else
		timing_bad "$name: the CLI took $((worst_us / 1000)) ms"
	fi
	# What the ports' receive queues lost before the worker saw it (the
	# kernel's copy into a full AF_XDP ring: rx_missed), for the record.
	$py - "$work/$name.status0" "$work/$name.status1" "$name" <<'PY' || true
import json, sys
try:
    a, b = (json.load(open(p)) for p in sys.argv[1:3])
except (OSError, ValueError):
    sys.exit(0)
was = {p["name"]: p["rx_missed"] for p in a.get("ports", [])}
d = {p["name"]: p["rx_missed"] - was.get(p["name"], 0) for p in b.get("ports", [])}
print(f"#   rx_missed during {sys.argv[3]}: " +
      (", ".join(f"{k} {v}" for k, v in d.items() if v > 0) or "none"))
PY
	$py - "$work/$name.links0" "$work/$name.links1" "$name" <<'PY' || true
import sys
def load(p):
    r = {}
    for line in open(p):
        f = line.split()
        if len(f) == 3:
            r[(f[0], f[1])] = int(f[2])
    return r
a, b = load(sys.argv[1]), load(sys.argv[2])
d = {f"{k[0]} {k[1]}": v - a.get(k, 0) for k, v in b.items() if v - a.get(k, 0) > 0}
print(f"#   lab links' drops during {sys.argv[3]}: " +
      (", ".join(f"{k} {v}" for k, v in d.items()) or "none"))
PY
	if $py - "$work/$name.before" "$work/$name.after" "$sent" "$name" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sent, name = int(sys.argv[3]), sys.argv[4]
d = {k: b["drops"][k] - a["drops"].get(k, 0) for k in b["drops"]}
# What the ports' XDP programs dropped before the worker (probe_forged ...).
for port, rs in b.get("xdp", {}).items():
    for r, v in rs.items():
        if isinstance(v, dict) and v.get("verdict") == "drop":
            d[f"xdp_{port}_{r}"] = v["packets"] - a.get("xdp", {}).get(port, {}).get(r, {}).get("packets", 0)
d = {k: v for k, v in d.items() if v > 0}
top = sorted(d.items(), key=lambda kv: -kv[1])[:4]
print(f"#   drops during {name}: " + (", ".join(f"{k} {v}" for k, v in top) or "none") +
      f" (of {sent} sent)")
sys.exit(0 if sum(d.values()) >= sent // 4 else 1)
PY
	then
		ok "$name: drop counters name what was dropped"
	else
		bad "$name: the drops are not counted by name"
	fi
	case $name in
	arp_lan) neighbours_bounded; arp_answered "$name" ;;
	arp_wan) arp_answered "$name" ;;
	syn_outbound|udp_outbound) host_sessions_bounded "$work/$name.before" "$work/$name.after" ;;
	esac
	[ "$rerun" = 0 ]
}

# The gateway's address on each segment, as "ns:ifname:address".
arp_segments="isp1:isp1-cust:203.0.113.2 isp2:isp2-cust:198.51.100.2 lan:lan0:192.168.1.1"

# $@ ("ns:ifname:address"): each forgets the gateway's MAC and asks
# again (one ping, 1 s); prints those that got no answer, "sb-NS:ADDR STATE".
# ARP_PING_PREFIX: what the ping runs under (during a flood: the flood
# sender's CPU and class, so that the ping does not pause the flood).
arp_resolve() {
	local x ns dev a st
	for x in "$@"; do
		IFS=: read -r ns dev a <<<"$x"
		ip -n "sb-$ns" neigh del "$a" dev "$dev" 2>/dev/null
		ip netns exec "sb-$ns" ${ARP_PING_PREFIX:-} ping -c 1 -W 1 -I "$dev" "$a" >/dev/null 2>&1
		st=$(ip -n "sb-$ns" neigh show "$a" dev "$dev" | awk '{print $NF}')
		case $st in REACHABLE|STALE|DELAY) ;; *) printf ' sb-%s:%s %s' "$ns" "$a" "${st:-none}" ;; esac
	done
}

# While an ARP flood on segment $2 runs: the other segments' hosts (the
# ISP routers, the LAN host) still get the gateway's ARP answered, three
# times each 0.5 s apart from 0.5 s in. ARP is policed per port
# (dataplane/police.c): a flood on one segment must not starve the
# others (an ISP router that cannot resolve our address drops our
# probes' replies: the WAN would go down for another segment's flood).
# (On AF_XDP ports the XDP program's per-share windows shield the other
# ports too, so this passed with shared buckets as well; test_police's
# ports_apart is the check of the per-port buckets themselves.)
arp_during() {
	local name=$1 ns=$2 x others=() r=""
	for x in $arp_segments; do [ "${x%%:*}" = "$ns" ] || others+=("$x"); done
	sleep 0.5
	# The pings at the flood's CPU and class: the attacker, on a machine
	# of its own, would not pause while they ask.
	for _ in 1 2 3; do
		r="$r$(ARP_PING_PREFIX="taskset -c 0 chrt --idle 0" arp_resolve "${others[@]}")"
		sleep 0.5
	done
	echo "$r" >"$work/$name.arp_during"
}

# After the LAN's ARP flood: the LAN holds at most half the neighbour
# table, the WAN gateways are there with their MAC.
neighbours_bounded() {
	if ctl neighbor print --json 2>/dev/null | $py -c '
import json, sys
j = json.load(sys.stdin)
lan = sum(1 for n in j if n["port"] == "lan")
gws = {n["address"]: n for n in j if n["port"] in ("wan1", "wan2")}
print(f"#   neighbours: {len(j)} ({lan} on the LAN); gateways " +
      ", ".join(a + " " + str(n["mac"]) + " " + n["state"] for a, n in sorted(gws.items())))
ok = lan <= 2048 and all(gws.get(a, {}).get("mac") for a in ("203.0.113.1", "198.51.100.1"))
sys.exit(0 if ok else 1)'; then
		ok "arp_lan: the neighbour table stayed bounded, the WAN gateways kept their entries"
	else
		bad "arp_lan: the neighbour table overflowed or lost a WAN gateway"
	fi
	# The log too: at most 20 "neighbour ... is" lines a second (control/arp.c).
	local logged
	logged=$(tail -n +"$((before_log + 1))" "$log" | grep -c "neighbour .* on lan is")
	if [ "$logged" -le $(( 20 * (secs + 3) )) ]; then
		ok "arp_lan: $logged neighbour lines logged ($(tail -n +"$((before_log + 1))" "$log" |
			grep -c "were not logged") summaries of the rest)"
	else
		bad "arp_lan: $logged neighbour lines logged in ${secs} s: the log is flooded"
	fi
}

# During and after an ARP flood on one segment (arp_lan, arp_wan).
arp_answered() {
	local name=$1 left
	left=$(cat "$work/$name.arp_during" 2>/dev/null || echo " (no record)")
	[ -z "$left" ] && ok "$name: during it, the other segments' hosts got ARP answered (3 times each)" ||
		bad "$name: during it, ARP for the gateway went unanswered on another segment:$left"
	# ARP answered again once the flood is over, on every segment, at
	# once. (The CI run once saw both WANs go down 4 and 23 s after
	# arp_lan, as if the ISPs' re-resolution went unanswered; a gateway
	# whose ARP stays policed after a flood fails here.)
	# shellcheck disable=SC2086
	left=$(arp_resolve $arp_segments)
	[ -z "$left" ] && ok "$name: after it, the ISP routers and the LAN host resolve the gateway at once" ||
		bad "$name: after it, ARP for the gateway went unanswered:$left"
}

# After the LAN host's SYN flood: its sessions stayed within the per-host
# limit (16384 of the default 65536) and the table never filled; the SYNs
# it did not get through were dropped by name: in XDP beyond [xdp]
# syn_per_source (syn_flood), in the worker at the host's limit
# (session_host_limit, what stops it with syn_per_source = 0).
host_sessions_bounded() {
	if $py - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
made = b["sessions_created"] - a["sessions_created"]
refused = b["drops"]["session_host_limit"] - a["drops"].get("session_host_limit", 0)
policed = (b.get("xdp", {}).get("lan", {}).get("syn_flood", {}).get("packets", 0) -
           a.get("xdp", {}).get("lan", {}).get("syn_flood", {}).get("packets", 0))
print(f"#   syn_outbound: {made} sessions made, {policed} SYNs dropped in XDP as syn_flood, "
      f"{refused} refused as session_host_limit, "
      f"{b['drops']['session_table_full'] - a['drops']['session_table_full']} as session_table_full")
sys.exit(0 if made <= 16384 and refused + policed > 0 and
         b["drops"]["session_table_full"] == a["drops"]["session_table_full"] else 1)
PY
	then
		ok "syn_outbound: the LAN host's sessions stayed within its limit, the table never filled"
	else
		bad "syn_outbound: the LAN host's sessions were not bounded"
	fi
}

for f in $floods; do
	case $f in
	echo_probe_ids) one "$f" inet echo-reply --src 192.0.2.53 --dst 203.0.113.2 --ids 65280-65535 ;;
	echo_any_id)    one "$f" inet echo-reply --src 192.0.2.53 --dst 203.0.113.2 --ids 0-65535 ;;
	udp_scan)       one "$f" inet udp --src 198.18.200.0/24 --dst 203.0.113.2 --ports 1-65535 ;;
	syn_inbound)    one "$f" inet syn --src 198.18.200.0/24 --dst 203.0.113.2 --ports 1-65535 ;;
	frag)           one "$f" inet frag --src 198.18.200.0/24 --dst 203.0.113.2 ;;
	arp_lan)        one "$f" lan arp --src 192.168.1.128/25 --dst 192.168.1.1 --iface lan0 ;;
	arp_wan)        one "$f" isp1 arp --src 203.0.113.128/25 --dst 203.0.113.2 --iface isp1-cust ;;
	syn_outbound)   one "$f" lan syn --src 192.168.1.10 --dst 192.0.2.80 --ports 1-65535 ;;
	udp_outbound)   one "$f" lan udp --src 192.168.1.10 --dst 192.0.2.80 --ports 1-65535 ;;
	*) bad "unknown flood $f" ;;
	esac
	sleep 1
done
grep -E "wan wan[12] (DOWN|DEGRADED|UP)" "$log" | head -5
lab_stop
lab_finish
