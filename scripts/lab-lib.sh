# shellcheck shell=bash
# switchback lab helpers: sourced (not run) by lab.sh, the lab tests and the
# demo. Needs the lab up (scripts/lab.sh up) and, for connections, the server
# (scripts/lab.sh server start). Safe under `set -euo pipefail`.
#
#   lab_now_ms                         epoch milliseconds (date +%s%3N)
#   lab_connect [TIMEOUT_S]            one TCP connection sb-lan -> 192.0.2.80:8080;
#                                      prints "HELLO <src-ip> <src-port>", or fails
#   lab_udp_echo [TIMEOUT_S]           one UDP datagram to 192.0.2.80:8081, expects it back
#   lab_wait_for CMD TIMEOUT_S [IV_S]  retry `eval CMD` every IV_S (0.1) until it
#                                      succeeds (prints its stdout) or TIMEOUT_S passes
#   lab_loop_start FILE [MAX] [IV_MS] [TO_S]
#                                      background loop in sb-lan: a new connection every
#                                      IV_MS (100) with a TO_S (0.3) timeout, at most MAX
#                                      (600) attempts; one line per attempt in FILE:
#                                      "<epoch-ms> <source-ip-the-server-saw|->"
#   lab_loop_stop                      stop that loop
#   lab_first_via FILE SINCE_MS ADDR   first attempt at/after SINCE_MS that got through
#                                      with source ADDR (prints its epoch ms)
#   lab_wait_first_via FILE SINCE_MS ADDR TIMEOUT_S
#                                      the same, polling FILE for up to TIMEOUT_S
#   lab_measure_failover WAN FAULT [ADDR] [TIMEOUT_S] [FILE]
#                                      start the loop, inject FAULT (fail-gw, blackhole,
#                                      link-down) on WAN, print the ms from the injection
#                                      to the first success through ADDR (198.51.100.2);
#                                      the attempts stay in FILE. Does not restore.
# Every wait is bounded; nothing is left running.

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${LAB:-$LAB_LIB_DIR/lab.sh}
LAB_STATE=${LAB_STATE:-/tmp/switchback-lab}
LAB_SERVER=192.0.2.80
LAB_TCP_PORT=8080
LAB_UDP_PORT=8081
# shellcheck disable=SC2034 # for the scripts that source this
LAB_WAN1_ADDR=203.0.113.2
LAB_WAN2_ADDR=198.51.100.2
LAB_LOOP_PID=${LAB_LOOP_PID:-}
LAB_LOOP_FILE=${LAB_LOOP_FILE:-}

lab_now_ms() { date +%s%3N; }

# Seconds (may be fractional) -> milliseconds.
lab_s_to_ms() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }'; }

lab_connect() {
	local to=${1:-1} line
	# bash's /dev/tcp: no interpreter start-up per attempt. `timeout` bounds
	# connect and read alike.
	# shellcheck disable=SC2016
	line=$(ip netns exec sb-lan timeout "$to" bash -c \
		'exec 3<>"/dev/tcp/$0/$1" || exit 1; IFS= read -r l <&3; printf "%s" "$l"' \
		"$LAB_SERVER" "$LAB_TCP_PORT" 2>/dev/null) || true
	case "$line" in
	"HELLO "*) printf '%s\n' "$line" ;;
	*) return 1 ;;
	esac
}

lab_udp_echo() {
	local to=${1:-1} got
	# shellcheck disable=SC2016
	got=$(ip netns exec sb-lan timeout "$to" bash -c \
		'exec 3<>"/dev/udp/$0/$1" || exit 1; printf "sb-echo\n" >&3; dd bs=2048 count=1 status=none <&3' \
		"$LAB_SERVER" "$LAB_UDP_PORT" 2>/dev/null) || true
	# (dd: one read takes the whole datagram; bash's read takes one byte
	# of it and the kernel drops the rest)
	[ "$got" = "sb-echo" ]
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
	local file=${1:?usage: lab_loop_start FILE [MAX] [INTERVAL_MS] [TIMEOUT_S]}
	local max=${2:-600} iv=${3:-100} to=${4:-0.3}
	lab_loop_stop
	: >"$file"
	# Runs inside sb-lan, so `lab.sh down` (which kills every process of the
	# lab namespaces) ends it too; MAX bounds it anyway.
	# shellcheck disable=SC2016
	ip netns exec sb-lan bash -c '
		srv=$1 port=$2 max=$3 iv=$4 to=$5
		for ((i = 0; i < max; i++)); do
			t0=$(date +%s%3N)
			line=$(timeout "$to" bash -c "exec 3<>/dev/tcp/$srv/$port || exit 1; IFS= read -r l <&3; printf %s \"\$l\"" 2>/dev/null)
			case "$line" in
			"HELLO "*) src=${line#HELLO }; src=${src%% *} ;;
			*) src=- ;;
			esac
			echo "$t0 $src"
			rest=$((iv - ($(date +%s%3N) - t0)))
			[ "$rest" -gt 0 ] && sleep "$((rest / 1000)).$(printf %03d $((rest % 1000)))"
		done
		exit 0' sb-loop "$LAB_SERVER" "$LAB_TCP_PORT" "$max" "$iv" "$to" >>"$file" 2>/dev/null &
	LAB_LOOP_PID=$!
	LAB_LOOP_FILE=$file
	mkdir -p "$LAB_STATE" && echo "$LAB_LOOP_PID" >"$LAB_STATE/loop.pid"
}

lab_loop_stop() {
	if [ -n "${LAB_LOOP_PID:-}" ]; then
		kill "$LAB_LOOP_PID" 2>/dev/null || true
		wait "$LAB_LOOP_PID" 2>/dev/null || true
		LAB_LOOP_PID=
		rm -f "$LAB_STATE/loop.pid"
	fi
	return 0
}

lab_first_via() {
	local file=${1:?} since=${2:?} addr=${3:?}
	awk -v t="$since" -v a="$addr" '$1 >= t && $2 == a { print $1; found = 1; exit } END { exit !found }' "$file"
}

lab_wait_first_via() {
	local file=${1:?} since=${2:?} addr=${3:?} to=${4:-10}
	lab_wait_for "lab_first_via '$file' '$since' '$addr'" "$to" 0.05
}

lab_measure_failover() {
	local wan=${1:?usage: lab_measure_failover WAN FAULT [ADDR] [TIMEOUT_S] [FILE]}
	local fault=${2:?} addr=${3:-$LAB_WAN2_ADDR} to=${4:-10}
	local file=${5:-$LAB_STATE/attempts-$wan-$fault.txt} t_fault t_ok rc=0
	mkdir -p "$(dirname "$file")"
	lab_loop_start "$file" $(((to + 3) * 10))
	sleep 1 # a baseline of attempts before the fault
	t_fault=$(lab_now_ms)
	if ! "$LAB" "$fault" "$wan" >/dev/null; then
		lab_loop_stop
		echo "lab_measure_failover: '$LAB $fault $wan' failed" >&2
		return 1
	fi
	if t_ok=$(lab_wait_first_via "$file" "$t_fault" "$addr" "$to"); then
		echo $((t_ok - t_fault))
	else
		echo "lab_measure_failover: no connection through $addr within ${to}s of the fault" >&2
		rc=1
	fi
	lab_loop_stop
	return $rc
}
