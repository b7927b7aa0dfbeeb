#!/usr/bin/env bash
# Lab test: configuration reload on the running gateway (conf/lab-wan.ini).
#  1. Ten kinds of bad file (unknown key, bad address, missing port, route
#     loop, duplicate section, out-of-range value, a line that is not INI,
#     several errors at once, a port removed, a new routing table): each
#     reload is refused with all its errors (text and JSON), and the old
#     configuration still forwards.
#  2. A good file (a new route sending 192.0.2.80 through WAN2, a [wan]
#     threshold, a start-up-only size) while a long TCP connection and a
#     UDP stream to 192.0.2.80 run through WAN1: they lose nothing and keep
#     their path; new connections take the new route; the log and the
#     answer list the changes and what was left for a restart.
#  3. SIGHUP reloads too: the route removed again, new connections back on
#     WAN1.
#  4. The removed route is gone from route print (text, JSON) and name
#     lookups; added again, it is listed once and carries traffic.
#  5. [timeouts] udp and ecmp_hash are applied, not left for a restart: UDP
#     sessions idle longer than the new timeout leave the table.
#  6. PCC (conf/pcc.ini, restarted): a WAN leaves PCC (all new connections
#     on the other), joins again with another classifier (src-address: one
#     host, one WAN), and back to the split.
# Usage: test_lab_reload.sh SWITCHBACK_BINARY
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
. "$top/scripts/lab-lib.sh"
tcp_srv= tcp_cli= udp_pid=
lab_test_init "$bin"
trap 'kill $tcp_srv $tcp_cli $udp_pid 2>/dev/null; lab_cleanup' EXIT

run=$work/run.ini            # the file switchback runs; reload reads it again
orig=$work/orig.ini
cp "$top/conf/lab-wan.ini" "$orig"
printf '\n[metrics]\nlisten = 127.0.0.1:9469\n' >>"$orig"
# Several workers: the ports as lab_gw_start gives them (lab-lib.sh).
[ "${SB_WORKERS:-1}" -le 1 ] || lab_workers_config "$orig" "$orig"
cp "$orig" "$run"
lab_start "$run"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "up, through WAN1" ;;
	*) bad "TCP through WAN1 (got '$line')"; lab_finish; exit 1 ;;
esac

# The long flows, through WAN1: 12 s each.
ip netns exec sb-inet /usr/bin/python3 "$top/tests/lab/labtcp.py" server --max-seconds 30 \
	>"$work/tcp-server.txt" 2>&1 &
tcp_srv=$!
sleep 0.3
ip netns exec sb-lan /usr/bin/python3 "$top/tests/lab/labtcp.py" client --count 240 \
	--interval 0.05 >"$work/tcp-client.txt" 2>&1 &
tcp_cli=$!
ip netns exec sb-lan /usr/bin/python3 "$top/scripts/lab-client.py" stream --count 240 \
	--interval 0.05 --sport 40123 >"$work/udp.txt" 2>&1 &
udp_pid=$!
sleep 1

# --- 1. bad files ------------------------------------------------------------
# bad_case NAME EXPECTED_ERRORS PATTERN...: $run holds the bad file; reload
# must fail, list EXPECTED_ERRORS errors (0: a reason, no list) matching
# each PATTERN, and WAN1 must still carry new connections.
bad_case() {
	local name=$1 want=$2 out js n
	shift 2
	if out=$(ctl reload 2>&1); then
		bad "$name: reload accepted"
	else
		n=$(grep -c ':[0-9]*: \[' <<<"$out")
		local miss=
		for p in "$@"; do grep -q -- "$p" <<<"$out" || miss="$miss '$p'"; done
		if [ "$n" -eq "$want" ] && [ -z "$miss" ] && grep -q "running configuration stays" <<<"$out"; then
			if [ "$want" -eq 0 ]; then ok "$name: refused, with the reason"
			else ok "$name: refused with its $want error(s)"; fi
		else
			bad "$name: refused, but $n error lines (want $want), missing:$miss: $out"
		fi
	fi
	js=$(ctl reload --json 2>&1 | tail -n +2)
	if echo "$js" | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["applied"] is False and len(j["errors"]) == int(sys.argv[1]), j
for e in j["errors"]:
    assert e["line"] > 0 and e["message"], e' "$want"; then
		ok "$name: reload --json says applied false, $want error(s) with their lines"
	else
		bad "$name: reload --json: $js"
	fi
	line=$(connect)
	case "$line" in
		"HELLO 203.0.113.2 "*) ok "$name: the old configuration still forwards (WAN1)" ;;
		*) bad "$name: forwarding after the refused reload: '$line'" ;;
	esac
	cp "$orig" "$run"
}

{ cat "$orig"; printf '\n[route extra]\ndst = 198.18.5.0/24\ngateway = 203.0.113.1\nspeed = 10G\n'; } >"$run"
bad_case "unknown key" 1 "\[route extra\] speed: unknown key"
{ cat "$orig"; printf '\n[route extra]\ndst = 192.0.2.300/32\ngateway = 203.0.113.1\n'; } >"$run"
bad_case "bad address" 1 "\[route extra\] dst: expected A.B.C.D/LEN"
{ cat "$orig"; printf '\n[route extra]\ndst = 198.18.5.0/24\ngateway = 203.0.113.1%%wan9\n'; } >"$run"
bad_case "missing port" 1 'no port named "wan9"'
# (scope 20: the default routes, scope 30, cannot resolve them)
{ cat "$orig"; printf '\n[route la]\ndst = 10.0.0.0/8\ngateway = 172.16.0.1\nscope = 20\ntarget_scope = 20\n[route lb]\ndst = 172.16.0.0/12\ngateway = 10.0.0.1\nscope = 20\ntarget_scope = 20\n'; } >"$run"
bad_case "route loop" 2 "\[route la\] gateway: route loop" "\[route lb\] gateway: route loop"
{ cat "$orig"; printf '\n[route default-wan2]\ndst = 0.0.0.0/0\ngateway = 198.51.100.1\ndistance = 3\n'; } >"$run"
bad_case "duplicate section" 1 "\[route default-wan2\]: appears more than once"
sed 's/^down_after = 3$/down_after = 0/' "$orig" >"$run"
bad_case "out-of-range value" 1 "\[check_gateway\] down_after: expected a whole number from 1 to 100"
{ cat "$orig"; printf '\nthis line is not INI\n'; } >"$run"
bad_case "not an INI line" 1 'expected KEY = VALUE, got "this line is not INI"'
{ cat "$orig"; printf '\n[firewall x]\nrule = 1\n[neighbor n]\naddress = 203.0.113.1\nmac = 02:00:00:00:01\nport = wan1\n[wan wan2]\nquorum = 9\n'; } >"$run"
bad_case "several errors at once" 4 "\[firewall x\]: unknown section" "\[neighbor n\] mac" \
	"\[wan wan2\]: appears more than once" "\[wan wan2\] quorum"
awk '/^\[port wan2\]/{skip=1} /^\[/{if ($0 !~ /^\[port wan2\]/) skip=0} !skip' "$orig" |
	awk '/^\[wan wan2\]/{skip=1;next} /^\[/{skip=0} !skip' |
	sed '/^\[route default-wan2\]/,/^distance/d; /^\[route survivor-wan2\]/,/^gateway/d' >"$run"
bad_case "a port removed" 0 "adding or removing a port needs a restart"
{ cat "$orig"; printf '\n[route t]\ndst = 198.18.5.0/24\ngateway = 203.0.113.1\ntable = fresh\n'; } >"$run"
bad_case "a new routing table" 0 'routing table "fresh" is new'

# --- 2. a good file while the flows run --------------------------------------
{
	sed 's/^sessions = 65536$/sessions = 1000/; s/^window = 20$/window = 30/' "$orig"
	printf '\n[route to-server-via-wan2]\ndst = 192.0.2.80/32\ngateway = 198.51.100.1\ndistance = 1\n'
} >"$run"
if out=$(ctl reload 2>&1); then
	ok "good file: reload applied"
	echo "$out" | sed 's/^/    /'
else
	bad "good file: reload refused: $out"
fi
grep -q "route to-server-via-wan2 added: 192.0.2.80/32 via 198.51.100.1" <<<"$out" &&
	ok "the answer names the new route" || bad "the answer lacks the new route"
grep -q "\[wan wan1\] window: 20 -> 30" <<<"$out" && ok "the answer names the [wan] change" ||
	bad "the answer lacks [wan wan1] window"
grep -q "left unchanged until a restart:" <<<"$out" &&
	grep -q "\[switchback\] sessions: 65536 -> 1000 (start-up only" <<<"$out" &&
	ok "the start-up-only change is reported as left unchanged" || bad "no 'left unchanged' for sessions"
grep -q "reload: route to-server-via-wan2 added" "$log" && ok "the log says what changed" ||
	bad "the log lacks the change"
if wait_via 198.51.100.2; then ok "new connections take the new route (WAN2)"; else bad "new route not active: '$line'"; fi
ctl route print | grep -Eq '^AS +to-server-via-wan2 ' && ok "route print: to-server-via-wan2 active" ||
	bad "route print: $(ctl route print)"
ctl status --json | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["sessions"]["active"] >= 2, j["sessions"]' && ok "sessions kept (status --json)" ||
	bad "status --json sessions"

wait "$tcp_cli"; wait "$tcp_srv"; wait "$udp_pid"
tcp_cli= tcp_srv= udp_pid=
c=$(cat "$work/tcp-client.txt"); s=$(cat "$work/tcp-server.txt"); u=$(cat "$work/udp.txt")
[ "$c" = "client sent 240 echoed 240" ] && [ "$s" = "server lines 240 in-order" ] &&
	ok "the long TCP connection lost nothing across 11 reloads ($c; $s)" || bad "TCP: $c / $s"
case "$u" in "sent 240 received 240 lost 0") ok "the UDP stream lost nothing ($u)" ;; *) bad "UDP: $u" ;; esac

m=$("$lab" gw-exec curl -s 127.0.0.1:9469/metrics)
grep -q '^switchback_config_reloads_total 1$' <<<"$m" &&
	grep -q '^switchback_config_reloads_refused_total 20$' <<<"$m" &&
	ok "metrics: 1 reload applied, 20 refused (10 files, text and JSON)" ||
	bad "metrics: $(grep reloads <<<"$m")"

# --- 3. SIGHUP ---------------------------------------------------------------
cp "$orig" "$run"
kill -HUP "$(pgrep -f "file-prefix $prefix" | head -1)"
if wait_via 203.0.113.2; then ok "SIGHUP: reloaded, the route gone, new connections on WAN1"; else bad "after SIGHUP: '$line'"; fi
grep -q "reload: route to-server-via-wan2 removed" "$log" && ok "SIGHUP: the log says the route was removed" ||
	bad "SIGHUP: no log line"
kill -0 "$sb_pid" 2>/dev/null && ok "still running after SIGHUP" || bad "SIGHUP stopped switchback"

# --- 4. a removed route is gone; added again, it takes its old slot ----------
rp=$(ctl route print)
if ! grep -q 'to-server-via-wan2' <<<"$rp" && ! grep -q '~' <<<"$rp"; then
	ok "route print: the removed route is gone (no ~NAME left behind)"
else
	bad "route print after the removal: $rp"
fi
ctl route print --json | /usr/bin/python3 -c '
import json, sys
n = [r["name"] for r in json.load(sys.stdin)]
sys.exit(0 if "to-server-via-wan2" not in n and not any(x.startswith("~") for x in n) else 1)' &&
	ok "route print --json: the removed route is gone" || bad "route print --json lists it"
ctl route enable to-server-via-wan2 >/dev/null 2>&1 && bad "route enable found the removed route" ||
	ok "route enable: no route of that name any more"
n_routes=$(ctl route print | grep -c '^[A-Z]* ')
{ cat "$orig"; printf '
[route to-server-via-wan2]
dst = 192.0.2.80/32
gateway = 198.51.100.1
distance = 1
'; } >"$run"
ctl reload >/dev/null 2>&1 || bad "reload adding the route again"
if wait_via 198.51.100.2; then ok "the route added again carries new connections (WAN2)"; else bad "route added again not active: '$line'"; fi
[ "$(ctl route print | grep -c '^[A-Z]* ')" -eq $((n_routes + 1)) ] &&
	[ "$(ctl route print | grep -c 'to-server-via-wan2')" -eq 1 ] &&
	ok "route print lists it once" || bad "route print: $(ctl route print)"
cp "$orig" "$run"
ctl reload >/dev/null 2>&1
wait_via 203.0.113.2 && ok "removed again: new connections on WAN1" || bad "after the second removal: '$line'"

# --- 5. [timeouts] and ecmp_hash are applied ---------------------------------
lab_udp_echo 1 || bad "a UDP exchange before the timeout change"
udp_count() { ctl conntrack count --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["udp"])'; }
before=$(udp_count)
[ "${before:-0}" -ge 1 ] && ok "UDP sessions in the table: $before" || bad "no UDP session before: $before"
{ sed 's/^\[switchback\]$/[switchback]\necmp_hash = l3/' "$orig"; printf '
[timeouts]
udp = 2
'; } >"$run"
out=$(ctl reload 2>&1)
if grep -q '\[timeouts\] udp: [0-9]* -> 2$' <<<"$out" && grep -q '\[switchback\] ecmp_hash: l4 -> l3$' <<<"$out" &&
	! grep -q 'start-up only' <<<"$out"; then
	ok "reload applies [timeouts] udp and ecmp_hash (not left for a restart)"
else
	bad "reload answer: $out"
fi
if lab_wait_for "[ \$(udp_count) -eq 0 ]" 6 >/dev/null; then
	ok "UDP sessions idle for 2 s are gone with the new timeout ($before -> 0)"
else
	bad "UDP sessions still there: $(udp_count) ($(ctl conntrack print | head -5))"
fi
lab_udp_echo 1 && ok "a new UDP exchange works" || bad "UDP after the timeout change"
cp "$orig" "$run"
ctl reload >/dev/null 2>&1

# --- 6. PCC: a WAN leaves and joins, the classifier changes ------------------
lab_stop
pcc=$work/pcc.ini
cp "$top/conf/pcc.ini" "$pcc"
cp "$pcc" "$run"
lab_gw_start "$run"
lab_gw_wait
# split N: "W1 W2" counts of N new connections through WAN1 and WAN2.
split() {
	local a=0 b=0 l
	for _ in $(seq "$1"); do
		l=$(connect)
		case "$l" in "HELLO 203.0.113.2 "*) a=$((a + 1)) ;; "HELLO 198.51.100.2 "*) b=$((b + 1)) ;; esac
	done
	echo "$a $b"
}
# pcc_reload SED_SCRIPT WHAT PATTERN...: the running file becomes $pcc edited by
# SED_SCRIPT and is reloaded; ok when the reload names every PATTERN (grep's).
pcc_reload() {
	local script=$1 what=$2 out p
	shift 2
	sed "$script" "$pcc" >"$run"
	out=$(ctl reload 2>&1)
	for p; do
		grep -q -- "$p" <<<"$out" || { bad "reload ($what): $out"; return; }
	done
	ok "reload: $what"
}
read -r a b <<<"$(split 24)"
[ "$a" -ge 1 ] && [ "$b" -ge 1 ] && ok "PCC (3:1, both-addresses-and-ports): $a via WAN1, $b via WAN2" ||
	bad "PCC split at start: $a / $b"
pcc_reload '/^\[port wan2\]/,/^\[/ s/^pcc_weight = 1$/pcc_weight = 0/' "wan2 leaves PCC" \
	'\[port wan2\] pcc_weight: 1 -> 0 (leaves PCC)'
read -r a b <<<"$(split 16)"
[ "$a" -eq 16 ] && [ "$b" -eq 0 ] && ok "wan2 out of PCC: 16 of 16 new connections via WAN1" ||
	bad "after wan2 left PCC: $a via WAN1, $b via WAN2"
pcc_reload 's/^classifier = both-addresses-and-ports$/classifier = src-address/' \
	"wan2 joins PCC again, classifier src-address" \
	'\[pcc\] classifier: both-addresses-and-ports -> src-address' \
	'\[port wan2\] pcc_weight: 0 -> 1 (joins PCC)'
read -r a b <<<"$(split 16)"
[ "$a" -eq 16 ] || [ "$b" -eq 16 ] && ok "classifier src-address: one LAN host, one WAN ($a / $b)" ||
	bad "classifier src-address split one host: $a / $b"
cp "$pcc" "$run"
ctl reload >/dev/null 2>&1
read -r a b <<<"$(split 24)"
[ "$a" -ge 1 ] && [ "$b" -ge 1 ] && ok "back to both-addresses-and-ports: $a via WAN1, $b via WAN2" ||
	bad "PCC split after the last reload: $a / $b"

lab_stop
grep -E "reload" "$log" | head -60 >"$work/reload.log"
lab_finish
