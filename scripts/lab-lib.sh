# shellcheck shell=bash
# switchback lab library: sourced (not run) by scripts/lab.sh, scripts/demo.sh
# and every tests/lab test. One place for the lab's client, its timing, the
# gateway's log and the ok/FAIL reporter. Safe under `set -uo pipefail`.
#
# Time and stamps
#   lab_now_ms                          epoch milliseconds
#   lab_stamp NAME [at|after]           write the epoch ms to $LAB_STATE/NAME.at|.after
#                                       (lab.sh stamps every fault and restore:
#                                       fault-WAN, restore-WAN, fault-monitor)
#   lab_stamp_ms NAME                   the .at stamp (just before the command)
#   lab_stamp_slack NAME                .after - .at: how long the command took
#   lab_fault_detect NAME ERE TIMEOUT_MS
#                                       after the fault stamped NAME, wait for a log
#                                       line matching ERE: $det the ms from the stamp
#                                       to it, $slack the command's own time; fails
#                                       (det empty) when no such line came
# The client (scripts/lab-client.py, run in sb-lan)
#   connect [TIMEOUT_S] [SOURCE]        one TCP connection to 192.0.2.80:8080; prints
#                                       "HELLO <src-ip> <src-port>" or fails
#   lab_udp_echo [TIMEOUT_S]            one UDP datagram to 192.0.2.80:8081 and back
#   wait_via ADDR                       up to 10 s for a connection through ADDR ($line)
#   lab_wait_for CMD TIMEOUT_S [IV_S]   retry `eval CMD` until it succeeds (prints its output)
#   lab_loop_start FILE [MAX] [IV_S] [TO_S]
#                                       background: a new connection every IV_S (0.1)
#                                       with TO_S (0.3) timeout, MAX (600) at most; one
#                                       attempt a line in FILE: "<epoch-ms> <N|x>", N the
#                                       WAN the server saw (1 = wan1 ...), x failed;
#                                       returns once the first one is recorded
#   lab_loop_stop
#   lab_first_via FILE SINCE_MS N       first attempt at/after SINCE_MS through WAN N
#   lab_wait_first_via FILE SINCE_MS N TIMEOUT_MS   the same, polling FILE
#   lab_stream_start FILE ARGS...       background `lab-client.py stream ARGS` into FILE
#   lab_stream_stop                     end it; $stream_res its line, $lost the count
#   lab_tcp_hold SECONDS POLL WHAT      background: one TCP connection to a sink on
#                                       192.0.2.80:9000 written to every POLL s for
#                                       SECONDS s; $work/client.txt gets "connected MS"
#                                       and "reset MS ERROR" if it dies; pid in $cpid;
#                                       ok/bad on "... open through WHAT"
# The gateway's log ($log; lines start with HH:MM:SS.mmm)
#   log_ms PATTERN [SKIP]               epoch ms of the (SKIP+1)th line matching (grep)
#   new_log_ms ERE FROM_LINE            epoch ms of the first match after line FROM_LINE
#   wait_log ERE FROM_LINE TIMEOUT_MS   wait for such a line
# Reporter
#   ok MSG / bad MSG                    "ok   MSG" / "FAIL MSG", counted in $pass/$fail
#                                       ($LAB_INDENT before, colours when LAB_COLOR=1)
# A test of the real binary (tests/lab)
#   lab_test_init "$@"                  $top $bin (arg 1) $lab $work $log $prefix, the
#                                       cleanup trap (it removes $work unless
#                                       LAB_KEEP_WORK=1); exits 77 without root/namespaces
#   lab_track PID...                    processes the cleanup kills
#   lab_start CONFIG / lab_stop / lab_finish / ctl ARGS / nat_hosts /
#   nat_scenarios NAME... / xdp_config IN OUT
#   lab_promtool ADDR:PORT WHAT         scrape the gateway's /metrics (from sb-gw) and
#                                       pass it through `promtool check metrics`
# Every wait is bounded; nothing is left running.

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${LAB:-$LAB_LIB_DIR/lab.sh}
LAB_STATE=${LAB_STATE:-/tmp/switchback-lab}
LAB_CLIENT=$LAB_LIB_DIR/lab-client.py
LAB_INDENT=${LAB_INDENT:-}
LAB_COLOR=${LAB_COLOR:-0}
pass=${pass:-0}
fail=${fail:-0}
loop_pid=${loop_pid:-}
stream_pid=${stream_pid:-}
LAB_TRACKED=${LAB_TRACKED:-}

# --- time and lab.sh's stamps -------------------------------------------

lab_now_ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:13}"; }
now_ms() { lab_now_ms; }
lab_s_to_ms() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }'; }
lab_stamp() { mkdir -p "$LAB_STATE" && lab_now_ms >"$LAB_STATE/$1.${2:-at}"; }
lab_stamp_ms() { cat "$LAB_STATE/$1.at"; }
lab_stamp_slack() { echo $(($(cat "$LAB_STATE/$1.after") - $(cat "$LAB_STATE/$1.at"))); }

# --- reporter ---------------------------------------------------------------

ok() {
	if [ "$LAB_COLOR" = 1 ]; then printf '%s\033[32mok\033[0m   %s\n' "$LAB_INDENT" "$*"
	else printf '%sok   %s\n' "$LAB_INDENT" "$*"; fi
	pass=$((pass + 1))
}
bad() {
	if [ "$LAB_COLOR" = 1 ]; then printf '%s\033[31mFAIL\033[0m %s\n' "$LAB_INDENT" "$*"
	else printf '%sFAIL %s\n' "$LAB_INDENT" "$*"; fi
	fail=$((fail + 1))
}

# --- the client ---------------------------------------------------------------

# (In the foreground only: `lab_client ... &` would put a subshell's pid in
# $!, and a signal to it would not reach the client.)
lab_client() { ip netns exec sb-lan /usr/bin/python3 "$LAB_CLIENT" "$@"; }

connect() { lab_client once --timeout "${1:-1}" ${2:+--source "$2"}; }

lab_udp_echo() {
	lab_client stream --count 1 --interval "${1:-1}" 2>/dev/null | grep -q '^sent 1 received 1 '
}

# A long-lived TCP connection from sb-lan to a sink on 192.0.2.80:9000 in
# sb-inet: the client writes a byte every POLL s for SECONDS s and writes
# "connected MS" to $work/client.txt, then "reset MS ERROR" if the
# connection dies; its pid in $cpid. ok/bad on whether it connected
# ("... through WHAT").
lab_tcp_hold() { # SECONDS POLL WHAT
	ip netns exec sb-inet timeout $(($1 + 60)) nc -lk 192.0.2.80 9000 >/dev/null 2>&1 &
	lab_track $!
	sleep 0.3
	ip netns exec sb-lan timeout $(($1 + 10)) /usr/bin/python3 -c '
import socket, sys, time
secs, poll = float(sys.argv[1]), float(sys.argv[2])
s = socket.create_connection(("192.0.2.80", 9000), timeout=2)
print("connected", int(time.time() * 1000), flush=True)
end = time.time() + secs
try:
    while time.time() < end:
        s.send(b"x")
        s.settimeout(poll)
        try:
            if s.recv(16) == b"":
                raise ConnectionResetError("closed")
        except socket.timeout:
            pass
except OSError as e:
    print("reset", int(time.time() * 1000), type(e).__name__, flush=True)
' "$1" "$2" >"$work/client.txt" 2>&1 &
	cpid=$!
	sleep 1
	if grep -q connected "$work/client.txt"; then
		ok "long-lived TCP connection open through $3"
	else
		bad "client: $(cat "$work/client.txt")"
	fi
}

wait_via() {
	line=
	for _ in $(seq 50); do
		line=$(connect)
		case "$line" in "HELLO $1 "*) return 0 ;; esac
		sleep 0.2
	done
	return 1
}

lab_wait_for() {
	local cmd=${1:?usage: lab_wait_for CMD TIMEOUT_S [INTERVAL_S]} to=${2:-10} iv=${3:-0.1}
	local end out
	end=$(($(lab_now_ms) + $(lab_s_to_ms "$to")))
	while :; do
		if out=$(eval "$cmd" 2>/dev/null); then
			[ -n "$out" ] && printf '%s\n' "$out"
			return 0
		fi
		[ "$(lab_now_ms)" -lt "$end" ] || return 1
		sleep "$iv"
	done
}

lab_loop_start() {
	local file=${1:?usage: lab_loop_start FILE [MAX] [INTERVAL_S] [TIMEOUT_S]}
	lab_loop_stop
	# In sb-lan: `lab.sh down` (which kills every process of the lab
	# namespaces) ends it too; MAX bounds it anyway.
	: >"$file"
	ip netns exec sb-lan /usr/bin/python3 "$LAB_CLIENT" loop --count "${2:-600}" \
		--interval "${3:-0.1}" --timeout "${4:-0.3}" >>"$file" 2>/dev/null &
	loop_pid=$!
	mkdir -p "$LAB_STATE" && echo "$loop_pid" >"$LAB_STATE/loop.pid"
	# Returns once the first attempt is recorded (at most 5 s): on a loaded
	# machine the interpreter takes a while to start, and a fault timed
	# from now must find the loop running.
	for _ in $(seq 100); do [ -s "$file" ] && break; sleep 0.05; done
}

lab_loop_stop() {
	if [ -n "${loop_pid:-}" ]; then
		kill "$loop_pid" 2>/dev/null || true
		wait "$loop_pid" 2>/dev/null || true
		loop_pid=
		rm -f "$LAB_STATE/loop.pid"
	fi
	return 0
}

lab_first_via() {
	awk -v t="${2:?}" -v w="${3:?}" '$1 >= t && $2 == w { print $1; f = 1; exit } END { exit !f }' "${1:?}"
}

lab_wait_first_via() { # FILE SINCE_MS N TIMEOUT_MS
	local end=$(($(lab_now_ms) + ${4:-10000}))
	while :; do
		lab_first_via "$1" "$2" "$3" && return 0
		[ "$(lab_now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

lab_stream_start() {
	local file=${1:?usage: lab_stream_start FILE ARGS...}
	shift
	ip netns exec sb-lan /usr/bin/python3 "$LAB_CLIENT" stream "$@" >"$file" 2>&1 &
	stream_pid=$!
	LAB_STREAM_FILE=$file
}

lab_stream_stop() {
	if [ -n "${stream_pid:-}" ]; then
		kill -TERM "$stream_pid" 2>/dev/null
		wait "$stream_pid" 2>/dev/null
		stream_pid=
	fi
	stream_res=$(cat "$LAB_STREAM_FILE" 2>/dev/null)
	lost=$(echo "$stream_res" | awk '{print $6}')
	[ -n "$lost" ] || lost='?'
}

# --- the gateway's log ------------------------------------------------------

lab_log_epoch() { [ -n "$1" ] && date -d "$(date +%F) $1" +%s%3N; }

log_ms() {
	lab_log_epoch "$(grep "$1" "$log" | sed -n "$((${2:-0} + 1))p" | awk '{print $1}')"
}

new_log_ms() {
	lab_log_epoch "$(tail -n +"$(($2 + 1))" "$log" | grep -m1 -E "$1" | awk '{print $1}')"
}

lab_fault_detect() {
	slack=$(lab_stamp_slack "$1")
	det=
	wait_log "$2" 0 "$3" || return 1
	det=$(($(new_log_ms "$2" 0) - $(lab_stamp_ms "$1")))
}

wait_log() {
	local end=$(($(lab_now_ms) + $3))
	while [ "$(lab_now_ms)" -lt "$end" ]; do
		tail -n +"$(($2 + 1))" "$log" | grep -qE "$1" && return 0
		sleep 0.05
	done
	return 1
}

# --- a test of the real binary -------------------------------------------------

lab_test_init() {
	top=$(cd "$LAB_LIB_DIR/.." && pwd)
	bin=${1:-$top/build/switchback}
	lab=$LAB
	work=${LAB_WORK:-$(mktemp -d /tmp/sb-labtest.XXXXXX)}
	mkdir -p "$work"
	log=$work/switchback.log
	prefix=${LAB_PREFIX:-sb-labtest}
	sb_pid=
	trap lab_cleanup EXIT
	lab_require
}

lab_track() { LAB_TRACKED="$LAB_TRACKED $*"; }

lab_require() {
	if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
		echo "SKIP: needs root and network namespaces"
		exit 77
	fi
}

lab_cleanup() {
	local p
	lab_loop_stop
	for p in ${stream_pid:-} $LAB_TRACKED; do kill "$p" 2>/dev/null; done
	if [ -n "${sb_pid:-}" ] && kill -0 "$sb_pid" 2>/dev/null; then
		kill -INT "$sb_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$sb_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$sb_pid" 2>/dev/null
	fi
	"$LAB" down >/dev/null 2>&1
	[ "${LAB_KEEP_WORK:-0}" = 1 ] || rm -rf "${work:-}"
	rm -rf "/var/run/dpdk/${prefix:-sb-labtest}"
}

ctl() { "$(dirname "$bin")/switchbackctl" -f "$prefix" "$@"; }

# The EAL's lcores for SB_WORKERS workers (default 1): "-l 0,1", or with
# several, control alone on CPU 0 and the workers on the other CPUs (on a
# 2-CPU VM they share CPU 1: lcores are threads, not CPUs).
lab_lcores() {
	local n=${SB_WORKERS:-1} ncpu k s="0@0"
	if [ "$n" -le 1 ]; then echo "-l 0,1"; return; fi
	ncpu=$(nproc)
	for k in $(seq 1 "$n"); do
		if [ "$ncpu" -gt 1 ]; then s="$s,$k@$((1 + (k - 1) % (ncpu - 1)))"; else s="$s,$k@0"; fi
	done
	echo "--lcores $s"
}

# CONFIG for SB_WORKERS workers into FILE: a veth's AF_XDP has one queue
# for DPDK 22.11's PMD (it counts combined channels, and a veth has none),
# so several workers take the lab's ports as af_packet (PACKET_FANOUT
# spreads flows over their queues; it also reassembles fragments: the
# fragment scenarios need one worker on AF_XDP). A given mbufs is left
# out: the daemon then sizes the pool for its workers.
# With SB_LAB_DEVICE=tap the ports are net_tap instead (multi-queue taps
# bridged to the lab's veths by `lab.sh tap-bridge`): the kernel spreads
# what it sends over their queues by flow and reassembles nothing, so the
# fragment scenarios run with several workers too.
lab_workers_config() {
	if [ "${SB_LAB_DEVICE:-}" = tap ]; then
		sed -E -e 's/^device = af_(xdp|packet):gw-(.*)$/device = net_tap_\2,iface=sbt-\2/' \
			-e '/^mbufs = /d' "$1" >"$2.tmp"
	else
		sed -e 's/^device = af_xdp:/device = af_packet:/' \
			-e 's/^device = net_af_packet[0-9]*,iface=\([^,]*\)$/device = af_packet:\1/' \
			-e '/^mbufs = /d' "$1" >"$2.tmp"
	fi && mv "$2.tmp" "$2"
}

# Run switchback on CONFIG in sb-gw (the lab and its server up already),
# with SB_WORKERS workers (lab_lcores, lab_workers_config).
lab_gw_start() {
	local conf=$1
	if [ "${SB_WORKERS:-1}" -gt 1 ]; then
		# In place when it is the test's own copy (a reload reads it again).
		case "$1" in
		"$work"/*) lab_workers_config "$1" "$1" ;;
		*) conf=$work/$(basename "$1"); lab_workers_config "$1" "$conf" ;;
		esac
	fi
	# shellcheck disable=SC2046
	"$LAB" gw-exec "$bin" $(lab_lcores) --no-huge -m 512 --no-pci --file-prefix "$prefix" \
		--log-level 'pmd.*:error' -- -c "$conf" >"$log" 2>&1 &
	sb_pid=$!
	if [ "${SB_WORKERS:-1}" -gt 1 ] && [ "${SB_LAB_DEVICE:-}" = tap ]; then
		# Once its ports are up: the tap PMD sets its taps' MAC after
		# making them, and tap-bridge changes the kernel side's.
		for _ in $(seq 200); do
			grep -q "switchback running" "$log" 2>/dev/null && break
			kill -0 "$sb_pid" 2>/dev/null || break
			sleep 0.1
		done
		"$LAB" tap-bridge 20 >>"$work/lab.log" 2>&1 || { tail -5 "$work/lab.log"; echo "FAIL tap-bridge"; }
		# The ports' MACs are the taps' (not the veths'): for labnat.py.
		SB_GW_MACS=$(sed -n 's/.* port \([a-z0-9]*\): .* mac \([0-9A-Fa-f:]*\) .*/\1=\2/p' "$log" |
			tr '\n' ' ')
		export SB_GW_MACS
	fi
}

# Returns when a first connection gets through (ARP, probes and routes
# settled), with its HELLO in $line.
lab_gw_wait() {
	line=
	for _ in $(seq 100); do
		line=$(connect)
		case "$line" in HELLO*) break ;; esac
		kill -0 "$sb_pid" 2>/dev/null || break
		sleep 0.1
	done
}

lab_up() {
	"$LAB" up "$@" >"$work/lab.log" 2>&1 || { cat "$work/lab.log"; echo "FAIL lab up"; exit 1; }
	"$LAB" server start >>"$work/lab.log" 2>&1 || { cat "$work/lab.log"; echo "FAIL server start"; exit 1; }
}

# Lab up, server up, switchback on CONFIG, first connection in $line.
lab_start() {
	lab_up
	lab_gw_start "$1"
	lab_gw_wait
}

lab_stop() {
	kill -INT "$sb_pid"
	wait "$sb_pid"
	local rc=$?
	sb_pid=
	if [ "$rc" -eq 0 ] && grep -q "switchback summary" "$log"; then
		ok "clean shutdown with a summary"
	else
		bad "shutdown (rc $rc)"
	fi
	lab_workers_check
}

# With SB_WORKERS > 1: the workers ran, the steering mode of every
# masquerading WAN was logged, and packets were handed to their owner.
lab_workers_check() {
	local n=${SB_WORKERS:-1} h
	[ "$n" -gt 1 ] || return 0
	grep -q "workers on lcores" "$log" && ok "$n workers ran ($(grep -o 'workers on lcores [0-9,]*' "$log"))" ||
		bad "no 'workers on lcores' line: did $n workers run?"
	grep -Eq "replies (steered by rte_flow|handed to their worker in software)" "$log" &&
		ok "steering mode logged: $(grep -Eo 'replies (steered by rte_flow|handed to their worker in software)' "$log" | sort -u | tr '\n' ' ')" ||
		bad "no steering mode in the log"
	h=$(sed -n 's/.*handed to their owner \([0-9]*\).*/\1/p' "$log" | tail -1)
	[ "${h:-0}" -gt 0 ] && ok "packets handed to their owning worker: $h" ||
		bad "no packet handed to its owner (handoff counters: $(grep '^workers:' "$log"))"
}

lab_finish() {
	echo "----- switchback log -----"
	cat "$log"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# Scapy scenarios of tests/lab/labnat.py against the running switchback
# (after lab_start): `nat_hosts` adds the lab's NAT test hosts, then
# `nat_scenarios NAME...` runs them; their ok/FAIL lines count here.
lab_promtool() {
	local s=$work/scrape.txt r=$work/promtool.txt
	ip netns exec sb-gw curl -s --max-time 2 "http://$1/metrics" >"$s"
	if [ -s "$s" ] && promtool check metrics <"$s" >"$r" 2>&1 && [ ! -s "$r" ]; then
		ok "promtool check metrics: $2 ($(grep -vc '^#' "$s") series)"
	else
		bad "promtool check metrics ($2): $(head -5 "$r")"
	fi
}

nat_hosts() {
	"$LAB" nat-hosts >>"$work/lab.log" 2>&1 || bad "lab.sh nat-hosts"
}
nat_scenarios() {
	local rc
	timeout "${NAT_TIMEOUT:-180}" /usr/bin/python3 "$top/tests/lab/labnat.py" --prefix "$prefix" \
		--ctl "$(dirname "$bin")/switchbackctl" "$@" 2>&1 | tee "$work/labnat.txt"
	rc=${PIPESTATUS[0]}
	pass=$((pass + $(grep -c '^ok ' "$work/labnat.txt")))
	fail=$((fail + $(grep -c '^FAIL ' "$work/labnat.txt")))
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$work/labnat.txt"; then
		bad "labnat.py $* exited $rc"
	fi
}

# Write CONFIG with every port on AF_XDP (device = af_xdp:IFNAME, switchback's
# own XDP program) to FILE; the lab's configs already are.
# For fragments: net_af_packet joins a PACKET_FANOUT group with the defrag
# flag, so the kernel reassembles IP fragments before switchback sees them
# (and truncates the datagram to the ring's frame size); AF_XDP passes the
# wire's frames as they are, as a NIC does.
xdp_config() {
	sed -e 's/^device = net_af_packet[0-9]*,iface=\(.*\)$/device = af_xdp:\1/' \
	    -e 's/^device = af_packet:/device = af_xdp:/' "$1" >"$2"
	grep -q '^device = af_xdp:' "$2" && ! grep -q '^device = .*af_packet' "$2"
}
