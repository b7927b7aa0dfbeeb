#!/usr/bin/env bash
# switchback demo: install, build, bring up the namespace lab, run switchback
# on conf/lab.ini, show NAT through WAN1; then the scenario runner
# (scripts/lab.sh run demo) fails WAN1's gateway, then blackholes its
# upstream, measures each failover to WAN2 and the return to WAN1, draws
# the timeline (DIR/demo.png) and tears everything down.
# Exits 0 only if every step happened as it should.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi
# shellcheck source=scripts/lab-lib.sh
. "$top/scripts/lab-lib.sh"
rm -rf /tmp/switchback-demo
LAB_WORK=/tmp/switchback-demo LAB_PREFIX=switchback-demo LAB_KEEP_WORK=1 LAB_INDENT="  " LAB_COLOR=1
lab_test_init "$top/build/switchback"
trap 'exit 130' INT TERM

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bold "1/7 dependencies and build"
./scripts/install-deps.sh >"$work/install.log" 2>&1 || { cat "$work/install.log"; echo "install failed"; exit 1; }
ok "dependencies installed ($(wc -l <"$work/install.log") lines in $work/install.log)"
{ [ -d build ] || meson setup build; } >"$work/build.log" 2>&1 && meson compile -C build >>"$work/build.log" 2>&1 \
	|| { tail -30 "$work/build.log"; echo "build failed"; exit 1; }
ok "built build/switchback"

bold "2/7 the lab: LAN host, gateway, two ISPs, the internet"
lab_up
cat <<'PIC'
   sb-lan                sb-gw (switchback)              sb-isp1            sb-inet
  192.168.1.10 ---- lan 192.168.1.1                     203.0.113.1 ----- server 192.0.2.80:8080
                        wan1 203.0.113.2 (masquerade) ---/                  monitors 192.0.2.53/.54
                        wan2 198.51.100.2 (masquerade) --- 198.51.100.1 --/
                                                           sb-isp2
PIC

bold "3/7 switchback on conf/lab.ini"
lab_gw_start "$top/conf/lab.ini"
lab_gw_wait
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

bold "5/7 stop switchback"
lab_stop
sed -n '/=== switchback summary/,$p' "$log" | sed 's/^/  | /'
"$lab" down >/dev/null 2>&1 && ok "lab torn down"

bold "6/7 failover, measured: scripts/lab.sh run demo"
cat <<'TXT'
  conf/scenarios/demo.ini: the lab again with switchback on conf/lab.ini. A LAN
  client opens a new connection every 100 ms and keeps a long TCP flow, a UDP
  stream and pings running, while WAN1's gateway dies (at 2 s) and comes back
  (5 s), then WAN1's upstream is blackholed (8.5 s) and comes back (11.5 s).
  The blackholed gateway still answers pings: conf/lab.ini probes a monitor
  host behind each ISP (like RouterOS recursive routes), so it is noticed.
TXT
"$lab" run demo --out "$work" --bin "$top/build/switchback" >"$work/run.txt" 2>&1
rc=$?
sed 's/^/  /' "$work/run.txt"
if [ "$rc" -eq 0 ]; then
	ok "every figure within its bound (scripts/lab.sh run demo)"
else
	bad "scripts/lab.sh run demo exited $rc"
fi

bold "7/7 the picture"
if [ -s "$work/demo.png" ]; then
	ok "per-WAN state, traffic per WAN and every connection attempt over time:"
	echo "     $work/demo.png (and .svg); every event and figure: $work/demo.json"
else
	bad "no picture in $work/demo.png"
fi

echo
if [ "$fail" -eq 0 ]; then
	echo "demo: all steps passed (logs: $work)"
	exit 0
fi
echo "demo: some steps FAILED (logs: $work)"
exit 1
