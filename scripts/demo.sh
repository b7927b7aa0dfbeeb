#!/usr/bin/env bash
# switchback demo: install, build, bring up the namespace lab, run switchback
# on conf/lab.ini, show NAT through WAN1, fail WAN1's gateway, then blackhole
# its upstream, measure each failover to WAN2 and the return to WAN1, tear
# everything down.
# Exits 0 only if every step happened as it should.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
lab=$top/scripts/lab.sh
work=/tmp/switchback-demo
log=$work/switchback.log
prefix=switchback-demo
sb_pid=
loop_pid=
failed=0

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ok()   { printf '  \033[32mOK\033[0m   %s\n' "$*"; }
bad()  { printf '  \033[31mFAIL\033[0m %s\n' "$*"; failed=1; }
now_ms() { date +%s%3N; }

cleanup() {
	[ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null
	if [ -n "$sb_pid" ] && kill -0 "$sb_pid" 2>/dev/null; then
		kill -INT "$sb_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$sb_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$sb_pid" 2>/dev/null
	fi
	"$lab" down >/dev/null 2>&1
	rm -rf "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi
rm -rf "$work"
mkdir -p "$work"

bold "1/7 dependencies and build"
./scripts/install-deps.sh >"$work/install.log" 2>&1 || { cat "$work/install.log"; echo "install failed"; exit 1; }
ok "dependencies installed ($(wc -l <"$work/install.log") lines in $work/install.log)"
{ [ -d build ] || meson setup build; } >"$work/build.log" 2>&1 && meson compile -C build >>"$work/build.log" 2>&1 \
	|| { tail -30 "$work/build.log"; echo "build failed"; exit 1; }
ok "built build/switchback"

bold "2/7 the lab: LAN host, gateway, two ISPs, the internet"
"$lab" up >"$work/lab.log" 2>&1 && "$lab" server start >>"$work/lab.log" 2>&1 \
	|| { cat "$work/lab.log"; echo "lab failed"; exit 1; }
cat <<'PIC'
   sb-lan                sb-gw (switchback)              sb-isp1            sb-inet
  192.168.1.10 ---- lan 192.168.1.1                     203.0.113.1 ----- server 192.0.2.80:8080
                        wan1 203.0.113.2 (masquerade) ---/                  monitors 192.0.2.53/.54
                        wan2 198.51.100.2 (masquerade) --- 198.51.100.1 --/
                                                           sb-isp2
PIC

bold "3/7 switchback on conf/lab.ini"
"$lab" gw-exec "$top/build/switchback" -l 0,1 --no-huge -m 256 --no-pci --file-prefix "$prefix" \
	--log-level 'pmd.*:error' -- -c "$top/conf/lab.ini" >"$log" 2>&1 &
sb_pid=$!
connect() {
	ip netns exec sb-lan /usr/bin/python3 "$top/scripts/lab-client.py" once --timeout 1
}
line=
for _ in $(seq 100); do
	line=$(connect)
	case "$line" in HELLO*) break ;; esac
	kill -0 "$sb_pid" 2>/dev/null || break
	sleep 0.1
done
grep -E "port:|running" "$log" | sed 's/^/  | /'
/usr/bin/python3 scripts/sbtel.py -f "$prefix" /switchback/routes 2>/dev/null | sed 's/^/  | /'

bold "4/7 TCP from the LAN host to the server"
echo "  192.168.1.10 -> 192.0.2.80:8080, the server answers with the source it saw:"
echo "  | $line"
case "$line" in
	"HELLO 203.0.113.2 "*) ok "the server saw WAN1's address 203.0.113.2 (masquerade)" ;;
	*) bad "expected HELLO 203.0.113.2, got '$line'" ;;
esac
# AF_XDP hands switchback the frames as they are on the wire, fragments too.
echo "  a 3000-byte ping from the LAN host, fragmented by its kernel, answered in fragments:"
if ip netns exec sb-lan ping -n -q -c 2 -s 3000 -W 2 192.0.2.80 >"$work/frag.txt" 2>&1; then
	ok "fragments NATed both ways ($(grep -o '[0-9]* received' "$work/frag.txt"))"
else
	bad "fragmented ping: $(grep -E 'received|error' "$work/frag.txt")"
fi

# One fault on WAN1, measured: a LAN client tries a new connection every
# 100 ms (300 ms timeout) and records which WAN the server saw, so the
# failover can be timed and drawn. Then the fault is undone and WAN1 must
# come back.
fault_cycle() { # fault_cycle KIND WHAT
	local kind=$1 what=$2 t_fault t_ok t_down t_fix line
	ip netns exec sb-lan /usr/bin/python3 "$top/scripts/lab-client.py" loop --interval 0.1 --timeout 0.3 \
		--count 300 >"$work/attempts-$kind.txt" 2>/dev/null &
	loop_pid=$!
	sleep 1
	t_fault=$(now_ms)
	"$lab" "$kind" wan1 >>"$work/lab.log" 2>&1 || bad "fault injection failed: $(tail -3 "$work/lab.log")"
	echo "  $(date +%T.%3N) fault injected: $what"
	t_ok=
	for _ in $(seq 100); do
		t_ok=$(awk -v t="$t_fault" '$1 >= t && $2 == 2 {print $1; exit}' "$work/attempts-$kind.txt")
		[ -n "$t_ok" ] && break
		sleep 0.1
	done
	grep -E "wan wan1 DOWN|route default" "$log" | tail -3 | sed 's/^/  | /'
	t_down=$(grep "wan wan1 DOWN" "$log" | tail -1 | awk '{print $1}')
	if [ -n "$t_down" ]; then
		t_down=$(date -d "$(date +%F) $t_down" +%s%3N)
		ok "detected: wan1 DOWN $((t_down - t_fault)) ms after the fault (200 ms x 3 rounds)"
	else
		bad "no 'wan wan1 DOWN' in the log"
	fi
	if [ -n "$t_ok" ]; then
		ok "new connections succeed through WAN2: $((t_ok - t_fault)) ms from the fault to the first success"
		echo "     (detection, then the client's next attempt: one every 100 ms, 300 ms timeout)"
	else
		bad "no connection through WAN2 within 10 s"
	fi
	line=$(connect)
	case "$line" in
		"HELLO 198.51.100.2 "*) ok "the server now sees WAN2's address: $line" ;;
		*) bad "expected HELLO 198.51.100.2, got '$line'" ;;
	esac

	local ups_before
	ups_before=$(grep -c "wan wan1 UP" "$log")
	t_fix=$(now_ms)
	"$lab" restore wan1 >>"$work/lab.log" 2>&1 || bad "restore failed: $(tail -3 "$work/lab.log")"
	echo "  $(date +%T.%3N) fault removed"
	for _ in $(seq 100); do
		[ "$(grep -c "wan wan1 UP" "$log")" -gt "$ups_before" ] && break
		sleep 0.1
	done
	if [ "$(grep -c "wan wan1 UP" "$log")" -gt "$ups_before" ]; then
		ok "WAN1 up again after $(( $(now_ms) - t_fix )) ms (3 answered rounds, then the 1 s hold-down)"
		grep "wan wan1 UP" "$log" | tail -1 | sed 's/^/  | /'
	else
		bad "WAN1 did not come back"
	fi
	sleep 0.5
	kill "$loop_pid" 2>/dev/null
	wait "$loop_pid" 2>/dev/null
	loop_pid=
	line=$(connect)
	case "$line" in
		"HELLO 203.0.113.2 "*) ok "new connections use WAN1 again" ;;
		*) bad "expected HELLO 203.0.113.2 after failback, got '$line'" ;;
	esac
	echo "  every 100 ms attempt from the LAN host (1 = via WAN1, 2 = via WAN2, x = failed):"
	awk -v f="$t_fault" -v r="$t_fix" '
		{ c = $2; if ($1 >= f && !fm) { s = s "|F|"; fm = 1 } if ($1 >= r && !rm) { s = s "|R|"; rm = 1 } s = s c }
		END { print "  " s; print "  F = fault injected, R = fault removed" }' "$work/attempts-$kind.txt"
}

bold "5/7 WAN1's gateway stops answering"
fault_cycle fail-gw "ISP1's router drops everything from us (link stays up)"

bold "6/7 WAN1's upstream is blackholed (its gateway still answers pings)"
fault_cycle blackhole "ISP1's router answers us but drops what it should forward"
echo "  (conf/lab-basic.ini, which pings only the gateway, would not notice this one:"
echo "   conf/lab.ini probes a monitor host behind each ISP, like RouterOS recursive routes)"

bold "7/7 stop switchback"
kill -INT "$sb_pid"
wait "$sb_pid"
rc=$?
sb_pid=
sed -n '/=== switchback summary/,$p' "$log" | sed 's/^/  | /'
[ "$rc" -eq 0 ] && ok "switchback stopped cleanly" || bad "switchback exited $rc"
"$lab" down >/dev/null 2>&1 && ok "lab torn down"

echo
if [ "$failed" -eq 0 ]; then
	echo "demo: all steps passed (full log: $log)"
	exit 0
fi
echo "demo: some steps FAILED (full log: $log)"
exit 1
