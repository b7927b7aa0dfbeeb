#!/usr/bin/env bash
# Lab test: WAN1 takes its address from the ISP's DHCP server (issue 17),
# Debian's dnsmasq in sb-isp1 on the WAN1 link, run in the foreground from
# here (scripts/lab.sh dhcp-server), its lease file and pid in $work.
#  1. The gateway gets a lease within a few seconds and NATs with it.
#  2. The lease is renewed (T1 = 5 s).
#  2b. A reload (a route added) leaves the lease, its routes and NAT alone.
#  3. The server hands out another address (the old one NAKed at renewal):
#     new connections use the new address; a TCP connection on the old one
#     is reset toward the LAN host; the hook is told old -> new.
#  4. A failover between the DHCP WAN and the static one (fail-gw) works as
#     between two static ones.
#  5. A clean stop sends RELEASE.
# The server going silent until the lease expires, INIT-REBOOT and a NAK of
# it: test_lab_dhcp_lease.sh (lab_dhcp_lease, about three minutes).
# Usage: test_lab_dhcp.sh SWITCHBACK_BINARY
set -uo pipefail
. "$(dirname "$0")/../../scripts/lab-lib.sh"
lab_test_init "$@"

hook_out=$work/hook.txt
conf=$work/lab-dhcp.ini
{
	cat "$top/conf/lab-dhcp.ini"
	printf '\n[notify]\nhook = env | grep ^SB_ | sort | tr "\\n" " " >>%s && echo >>%s\n' \
		"$hook_out" "$hook_out"
} >"$conf"

# dhcp_server FIRST LAST: serve FIRST-LAST (lease 120 s, T1 5 s, T2 8 s).
dns_pid=
dhcp_server() {
	"$lab" dhcp-server wan1 "$work" "$1" "$2" 120 5 8 >>"$work/dnsmasq.log" 2>&1 &
	dns_pid=$!
	lab_track "$dns_pid"
}
dhcp_server_stop() {
	[ -n "$dns_pid" ] && kill "$dns_pid" 2>/dev/null && wait "$dns_pid" 2>/dev/null
	dns_pid=
}
wan1_print() { ctl wan print 2>/dev/null | grep -A3 '^wan1\|wan1 '; }

lab_up
dhcp_server 203.0.113.10 203.0.113.10
t0=$(lab_now_ms)
lab_gw_start "$conf"

# 1. Lease and NAT.
if lab_wait_for "grep -q 'wan1 lease 203.0.113.10/24' '$log'" 10 >/dev/null; then
	t_lease=$(log_ms "wan1 lease 203.0.113.10/24")
	ok "lease 203.0.113.10/24 in $((t_lease - t0)) ms from start"
else
	bad "no lease within 10 s: $(tail -5 "$log")"
fi
if wait_via 203.0.113.10; then
	ok "NAT with the lease address: $line"
else
	bad "no connection through WAN1 as 203.0.113.10 (got '$line')"
fi
out=$(ctl wan print)
case "$out" in
	*"dhcp bound 203.0.113.10/24 gateway 203.0.113.1 dns 203.0.113.1"*)
		ok "wan print shows the lease: $(grep -o 'dhcp bound.*' <<<"$out" | head -1)" ;;
	*) bad "wan print lacks the lease: $out" ;;
esac

# 2. Renewal at T1 (5 s).
if lab_wait_for "[ \$(grep -c 'DHCPACK(isp1-cust) 203.0.113.10' '$work/dnsmasq.log') -ge 2 ]" 12 >/dev/null; then
	ok "lease renewed (dnsmasq: $(grep -c 'DHCPACK' "$work/dnsmasq.log") ACKs)"
else
	bad "no renewal within 12 s: $(tail -5 "$work/dnsmasq.log")"
fi
case "$(connect)" in "HELLO 203.0.113.10 "*) ok "still through 203.0.113.10 after renewal" ;;
	*) bad "connection after renewal" ;; esac

# A reload beside the DHCP WAN: a route added (routes may change now), the
# lease and its routes stay; the address change below then shows that the
# lease client follows the new configuration.
printf '\n[route bench-net]\ndst = 198.18.0.0/15\ngateway = 198.51.100.1\n' >>"$conf"
out=$(ctl reload 2>&1)
case "$out" in
	*"left unchanged"*) bad "reload beside the DHCP WAN: something left for a restart: $out" ;;
	*"route bench-net added"*) ok "reload beside the DHCP WAN applied: $(grep -m1 'route bench-net' <<<"$out")" ;;
	*) bad "reload beside the DHCP WAN: $out" ;;
esac
ctl route print | grep -Eq '^AS +dhcp-default-wan1 ' && ok "the lease's default route stays active" ||
	bad "route print after the reload: $(ctl route print)"
case "$(ctl wan print)" in *"dhcp bound 203.0.113.10/24 gateway 203.0.113.1"*) ok "the lease stays bound" ;;
	*) bad "wan print after the reload: $(ctl wan print)" ;; esac
case "$(connect)" in "HELLO 203.0.113.10 "*) ok "still through 203.0.113.10 after the reload" ;;
	*) bad "connection after the reload" ;; esac

# 3. Another address: the server only has .20 now; the renewal of .10 is NAKed.
lab_tcp_hold 25 0.1 203.0.113.10
dhcp_server_stop
rm -f "$work/dnsmasq.leases"
dhcp_server 203.0.113.20 203.0.113.20
if lab_wait_for "grep -q 'wan1 address 203.0.113.10 -> 203.0.113.20' '$log'" 20 >/dev/null; then
	ok "log: $(grep -m1 'wan1 address 203.0.113.10 -> 203.0.113.20' "$log" | sed 's/^.*wan: //')"
else
	bad "no address change within 20 s: $(tail -5 "$log")"
fi
if wait_via 203.0.113.20; then
	ok "new connections use the new address: $line"
else
	bad "no connection as 203.0.113.20 (got '$line')"
fi
wait "$cpid"
if grep -q '^reset' "$work/client.txt"; then
	ok "the TCP connection on the old address was reset toward the LAN host ($(awk '$1 == "reset" {print $3}' "$work/client.txt"))"
else
	bad "TCP connection on the old address: $(cat "$work/client.txt")"
fi
if grep -q 'SB_EVENT=address.*SB_NEW_STATE=203.0.113.20 .*SB_OLD_STATE=203.0.113.10 ' "$hook_out"; then
	ok "hook told: $(grep -m1 'SB_EVENT=address' "$hook_out")"
else
	bad "hook not told of the address change: $(cat "$hook_out" 2>/dev/null)"
fi

# 4. Failover like two static WANs: WAN1's gateway stops answering.
lab_loop_start "$work/attempts2.txt" 200
sleep 0.5
"$lab" fail-gw wan1 >>"$work/lab.log" 2>&1 || bad "fail-gw: $(tail -3 "$work/lab.log")"
t_f=$(lab_stamp_ms fault-wan1)
if t2=$(lab_wait_first_via "$work/attempts2.txt" "$t_f" 2 10000); then
	ok "fail-gw on the DHCP WAN: new connections through WAN2 after $((t2 - t_f)) ms"
else
	bad "no failover to WAN2 after fail-gw wan1"
fi
"$lab" restore wan1 >>"$work/lab.log" 2>&1
lab_loop_stop
if wait_via 203.0.113.20; then ok "WAN1 back after restore: $line"
else bad "WAN1 not back after restore (got '$line')"; fi

lab_stop
grep -q "DHCPRELEASE(isp1-cust) 203.0.113.20" "$work/dnsmasq.log" &&
	ok "RELEASE sent on the clean stop" || bad "no RELEASE at stop: $(tail -3 "$work/dnsmasq.log")"
dhcp_server_stop
lab_finish
