#!/usr/bin/env bash
# switchback-import-rsc, the binary: every seed block (tests/rsc/*.rsc)
# imports with the exit status it should have, and what it prints passes
# `switchback --check`; malformed files exit 2 with line-numbered errors,
# print nothing, and never die of a signal (ASan's aborts included).
# Usage: test_rsc_check.sh IMPORT_BINARY SWITCHBACK_BINARY
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
imp=$1
sb=$2
work=$(mktemp -d /tmp/sb-rsc.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok()  { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# ports file, expected exit status (1: some lines reported as skipped), the files
cases="
lab-ports.ini 0 000-basic-failover.rsc 000-double-monitor.rsc 001-recursive.rsc 001-anchor.rsc
lab-ports.ini 0 001-check-gateway.rsc 001-netwatch-distance.rsc 001-netwatch-enable.rsc
lab-ports.ini 0 001-masquerade-list.rsc 001-ecmp.rsc
lab-ports.ini 1 001-pcc.rsc 001-netwatch-flush.rsc 001-netwatch-confirm.rsc export-v7.rsc
lab-ports-004.ini 1 004-dual-wan-pcc.rsc
"
n=0
while read -r ports want files; do
	for f in $files; do
		n=$((n + 1))
		"$imp" --ports "$here/$ports" "$here/$f" >"$work/out.ini" 2>"$work/err.txt"
		rc=$?
		if [ "$rc" -ne "$want" ]; then
			bad "$f: exit $rc, expected $want"; cat "$work/err.txt"; continue
		fi
		if [ "$want" -eq 1 ] && ! grep -q "^$here/$f:[0-9]*: skipped: " "$work/err.txt"; then
			bad "$f: exit 1 without a line-numbered skip"; continue
		fi
		if out=$("$sb" -- -c "$work/out.ini" --check 2>&1); then
			ok "$f (exit $rc): $out"
		else
			bad "$f: switchback --check refuses the INI: $out"
		fi
	done
done <<<"$cases"
[ "$(ls "$here"/*.rsc | wc -l)" -eq "$n" ] && ok "every .rsc here is checked ($n)" ||
	bad "some .rsc files here are not in this test's list"

# Malformed input through the binary.
printf '/ip route\nadd gateway=203.0.113.1 comment="no end\n' >"$work/q.rsc"
printf '/ip routes add gateway=203.0.113.1\n' >"$work/m.rsc"
printf '/ip route\nadd dst-address=\n' >"$work/v.rsc"
printf '/ip firewall nat add chain=srcnat action=masquerade out-interface=ether1 [\n' >"$work/b.rsc"
head -c 20000 /dev/urandom >"$work/r.rsc" 2>/dev/null
printf '' >"$work/e.rsc"
for f in q:2 m:1 v:2 b:1 r:; do
	name=${f%%:*} line=${f#*:}
	"$imp" --ports "$here/lab-ports.ini" "$work/$name.rsc" >"$work/out.ini" 2>"$work/err.txt"
	rc=$?
	if [ "$rc" -ne 2 ]; then
		bad "$name.rsc: exit $rc, expected 2"; head -5 "$work/err.txt"; continue
	fi
	if [ -s "$work/out.ini" ]; then
		bad "$name.rsc: printed an INI although it failed"; continue
	fi
	if [ -n "$line" ] && ! grep -q "^$work/$name.rsc:$line: error: " "$work/err.txt"; then
		bad "$name.rsc: no error at line $line"; cat "$work/err.txt"; continue
	fi
	ok "$name.rsc: exit 2, $(head -1 "$work/err.txt" | sed "s|$work/||")"
done
# An empty script with no ports file: nothing to make a gateway of.
"$imp" "$work/e.rsc" >"$work/out.ini" 2>"$work/err.txt"
[ $? -eq 2 ] && grep -q "no interface with an address" "$work/err.txt" && ok "empty script: exit 2" ||
	bad "empty script"
# Usage errors.
"$imp" >/dev/null 2>&1; [ $? -eq 2 ] && ok "no file: exit 2" || bad "no file"
"$imp" /nonexistent.rsc >/dev/null 2>&1; [ $? -eq 2 ] && ok "missing file: exit 2" || bad "missing file"
"$imp" --check-interval 0 "$here/001-ecmp.rsc" >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad --check-interval: exit 2" ||
	bad "bad --check-interval"
# stdin, and --check-interval in the output.
"$imp" --ports "$here/lab-ports.ini" --check-interval 200 - <"$here/001-ecmp.rsc" >"$work/out.ini" 2>/dev/null &&
	grep -q '^interval_ms = 200$' "$work/out.ini" && ok "stdin and --check-interval 200" ||
	bad "stdin / --check-interval"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
