# Shared by the lab tests: sourced, not run. Expects $top (the checkout) and
# $bin (the switchback binary) to be set by the test.
lab=$top/scripts/lab.sh
work=$(mktemp -d /tmp/sb-labtest.XXXXXX)
log=$work/switchback.log
prefix=sb-labtest
pass=0
fail=0
sb_pid=
loop_pid=

ok()   { echo "ok   $*"; pass=$((pass + 1)); }
bad()  { echo "FAIL $*"; fail=$((fail + 1)); }
now_ms() { date +%s%3N; }

# Milliseconds since the epoch of the first log line matching $1, after
# skipping $2 earlier matches (0 by default).
log_ms() {
	local t
	t=$(grep "$1" "$log" | sed -n "$(( ${2:-0} + 1 ))p" | awk '{print $1}')
	[ -n "$t" ] && date -d "$(date +%F) $t" +%s%3N
}

lab_cleanup() {
	[ -n "$loop_pid" ] && kill "$loop_pid" 2>/dev/null
	if [ -n "$sb_pid" ] && kill -0 "$sb_pid" 2>/dev/null; then
		kill -INT "$sb_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$sb_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$sb_pid" 2>/dev/null
	fi
	"$lab" down >/dev/null 2>&1
	rm -rf "$work" "/var/run/dpdk/$prefix"
}

lab_require() {
	if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
		echo "SKIP: needs root and network namespaces"
		exit 77
	fi
}

# One TCP connection from the LAN host; prints the server's HELLO line.
connect() {
	ip netns exec sb-lan /usr/bin/python3 "$top/scripts/lab-client.py" once --timeout 1
}

ctl() { "$(dirname "$bin")/switchbackctl" -f "$prefix" "$@"; }

# Lab up, server up, switchback on CONFIG; returns when a first connection
# gets through (ARP, probes and routes settled), with its HELLO in $line.
lab_start() {
	"$lab" up >"$work/lab.log" 2>&1 || { cat "$work/lab.log"; echo "FAIL lab up"; exit 1; }
	"$lab" server start >>"$work/lab.log" 2>&1 || { cat "$work/lab.log"; echo "FAIL server start"; exit 1; }
	"$lab" gw-exec "$bin" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$prefix" \
		--log-level 'pmd.*:error' -- -c "$1" >"$log" 2>&1 &
	sb_pid=$!
	line=
	for _ in $(seq 100); do
		line=$(connect)
		case "$line" in HELLO*) break ;; esac
		kill -0 "$sb_pid" 2>/dev/null || break
		sleep 0.1
	done
}

# Wait up to 10 s for a connection through the WAN with address $1.
wait_via() {
	line=
	for _ in $(seq 50); do
		line=$(connect)
		case "$line" in "HELLO $1 "*) return 0 ;; esac
		sleep 0.2
	done
	return 1
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
nat_hosts() {
	"$lab" nat-hosts >>"$work/lab.log" 2>&1 || bad "lab.sh nat-hosts"
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
