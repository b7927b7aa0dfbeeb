#!/usr/bin/env bash
# Lab test: a flapping WAN1 link (1 s down, 1 s up, five times) with
# conf/lab.ini (probes every 200 ms x 3 to go down, 3 answers and a 1 s
# hold-down to come back). WAN1 must go down once and stay down while it
# flaps (no traffic bouncing), then come back once the link is steady.
# Usage: test_lab_flap.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

lab_start "$top/conf/lab.ini"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1" ;; *) bad "start (got '$line')" ;; esac

lab_loop_start "$work/attempts.txt" 130
# On a fixed schedule (`lab.sh flap` runs it inside sb-isp1): five `lab.sh
# link-down`/`restore` pairs on a loaded machine stretched the up periods to
# 1.5 s, long enough for a legitimate failback (3 rounds + 1 s hold-down).
"$lab" flap wan1 2000 5 >"$work/flaps.txt" 2>&1
sleep 1
t_steady=$(now_ms)   # one second after the last restore, as before
# Lines "down|up BEFORE AFTER": up from the end of an "up" to the next "down".
max_up=$(awk '$1 == "up" {u = $3} $1 == "down" && u {d = $3 - u; if (d > m) m = d} END {print m + 0}' "$work/flaps.txt")
[ "$(grep -c '^\(down\|up\) ' "$work/flaps.txt")" -eq 10 ] && [ "$max_up" -le 1300 ] &&
	ok "five flaps on schedule (longest up period $max_up ms)" || bad "flap schedule not kept: $(tr '\n' ' ' <"$work/flaps.txt")"
downs=$(grep -c "wan wan1 DOWN" "$log")
ups=$(grep -c "wan wan1 UP" "$log")
[ "$downs" -eq 1 ] && ok "five flaps: wan1 went down once" || bad "wan1 went down $downs times"
[ "$ups" -eq 0 ] && ok "and did not come back while flapping (no bouncing)" || bad "wan1 came back $ups times while flapping"
for _ in $(seq 60); do grep -q "wan wan1 UP" "$log" && break; sleep 0.1; done
t_up=$(log_ms "wan wan1 UP")
if [ -n "$t_up" ]; then
	ok "steady again: wan1 UP $((t_up - t_steady)) ms after the last flap"
else
	bad "wan1 did not come back after the flapping stopped"
fi
lab_loop_stop
# While it flapped, connections kept working through WAN2 (after the first
# detection) instead of bouncing: count WAN1 successes between the first
# down and the end of the flapping.
t_down=$(log_ms "wan wan1 DOWN")
bounced=$(awk -v a="$t_down" -v b="$t_steady" '$1 > a + 300 && $1 < b && $2 == 1' "$work/attempts.txt" | wc -l)
via2=$(awk -v a="$t_down" -v b="$t_steady" '$1 > a + 300 && $1 < b && $2 == 2' "$work/attempts.txt" | wc -l)
if [ "$bounced" -eq 0 ] && [ "$via2" -gt 20 ]; then
	ok "during the flapping every new connection used WAN2 ($via2 of them)"
else
	bad "during the flapping: $bounced via WAN1, $via2 via WAN2"
fi
lab_stop
lab_finish
