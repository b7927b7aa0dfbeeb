#!/usr/bin/env bash
# Lab test: seed 001's Netwatch failover as RouterOS writes it
# (tests/rsc/001-netwatch-enable.rsc: disable/enable the primary default by
# its comment while 192.0.2.53 is down/up) with the masquerade block the
# seed pairs it with (001-masquerade-list.rsc), imported together and run
# by the real switchback in the namespace lab with the seed's own timing
# (interval 10 s, timeout 3 s):
#  1. new connections leave through ISP1;
#  2. ISP1 blackholes (its gateway answers, 192.0.2.53 behind it does not):
#     WAN1 goes down within one netwatch interval plus its timeout, new
#     connections go through ISP2;
#  3. the fault is removed: WAN1 comes back at the next answer.
# Usage: test_rsc_lab_netwatch.sh SWITCHBACK_BINARY IMPORT_BINARY
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
imp=$2
. "$here/../../scripts/lab-lib.sh"
lab_test_init "$1"

cat "$here/001-netwatch-enable.rsc" "$here/001-masquerade-list.rsc" |
	"$imp" --ports "$here/lab-ports.ini" - >"$work/nw.ini" 2>"$work/import.txt"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^\[wan wan1\]$' "$work/nw.ini"; then
	ok "imported: [wan wan1] monitors = $(sed -n 's/^monitors = //p' "$work/nw.ini")"
else
	bad "import exited $rc"; cat "$work/import.txt"; lab_finish; exit 1
fi

lab_start "$work/nw.ini"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "new connections through ISP1 ($line)" ;;
	*) bad "first connection (got '$line')" ;;
esac

"$lab" blackhole wan1 >>"$work/lab.log" 2>&1 || bad "blackhole wan1"
t0=$(now_ms)
wait_log "wan wan1 DOWN" 0 20000
t1=$(now_ms)
# Bound: one 10 s interval of phase, then the 3 s timeout, + 2 s slack.
if grep -q "wan wan1 DOWN" "$log" && [ $((t1 - t0)) -le 15000 ]; then
	ok "netwatch host silent: $(grep -m1 'wan wan1 DOWN' "$log" | sed 's/^.*wan: //') after $((t1 - t0)) ms (bound 15000)"
else
	bad "WAN1 not down within 15 s of the blackhole ($((t1 - t0)) ms)"
fi
if wait_via 198.51.100.2; then
	ok "new connections through ISP2 ($line)"
else
	bad "no connection through ISP2 (got '$line')"
fi

"$lab" restore wan1 >>"$work/lab.log" 2>&1 || bad "restore wan1"
wait_log "wan wan1 UP" 0 20000
if grep -q "wan wan1 UP" "$log"; then
	ok "WAN1 back at the host's next answer"
else
	bad "WAN1 did not come back within 20 s"
fi
if wait_via 203.0.113.2; then
	ok "new connections through ISP1 again"
else
	bad "after recovery (got '$line')"
fi

lab_stop
lab_finish
