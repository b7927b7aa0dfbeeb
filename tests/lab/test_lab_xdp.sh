#!/usr/bin/env bash
# Lab test: switchback's own XDP program on its AF_XDP ports (docs/afxdp.md).
# - The program is attached in native mode to the three veths, and frames
#   reach switchback through each port's AF_XDP socket.
# - Management: the gateway namespace's kernel holds 192.168.1.2 on gw-lan
#   and listens on TCP 22 there (an SSH-like banner); the program passes
#   that port and ARP for that address to the kernel (management = in
#   [port lan]), so the LAN host reaches the listener while its transit
#   traffic is NATed by switchback; another port of that address never
#   reaches the kernel (no RST: the connection times out).
# - Blocklist: a source on the WAN1 side pings switchback's WAN1 address;
#   once `switchbackctl block add` names it, its pings die in XDP: the
#   program's blocklist counter and the entry's hits move by the pings sent,
#   switchback's own rx and local replies do not move for them; `block del`
#   lets it through again. [xdp] block entries from the file are listed.
# Usage: test_lab_xdp.sh SWITCHBACK_BINARY
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/switchback}
. "$top/scripts/lab-lib.sh"
lab_test_init "$bin"

cfg=$work/lab-xdp-mgmt.ini
sed -e 's/^device = af_xdp:gw-lan$/&\nmanagement = 192.168.1.2 tcp 22/' "$top/conf/lab.ini" >"$cfg"
printf '\n[xdp]\nblock = 198.18.99.0/24\n' >>"$cfg"
grep -q '^management = 192.168.1.2 tcp 22$' "$cfg" || { echo "FAIL could not derive the test config"; exit 1; }

lab_start "$cfg"
case "$line" in "HELLO 203.0.113.2 "*) ok "up, through WAN1 (NAT)" ;; *) bad "start (got '$line')" ;; esac

# --- the program and its sockets -------------------------------------------
for ifc in gw-lan gw-wan1 gw-wan2; do
	if ip netns exec sb-gw ip -d link show "$ifc" | grep -q 'prog/xdp id .* name sb_xdp'; then
		ok "$ifc: sb_xdp attached in native mode"
	else
		bad "$ifc: sb_xdp not attached natively: $(ip netns exec sb-gw ip -d link show "$ifc" | grep -i xdp)"
	fi
done
ctl stats --json >"$work/s0.json"
if /usr/bin/python3 - "$work/s0.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
x = s["xdp"]
assert set(x) == {"lan", "wan1", "wan2"}, x.keys()
assert all(p["mode"] == "native" for p in x.values()), x
# Every port's socket got frames (ARP, probes, the first connection).
assert all(p["redirect"]["packets"] > 0 for p in x.values()), x
assert s["rx"] > 0, s
PY
then ok "stats --json: XDP counters of the three ports, native, frames redirected to each socket"
else bad "stats --json XDP section: $(cat "$work/s0.json")"; fi
ctl block print >"$work/block0.txt"
grep -q '^198.18.99.0/24 hits 0$' "$work/block0.txt" && ok "[xdp] block from the file listed" ||
	bad "block print: $(cat "$work/block0.txt")"

# --- management: the kernel's listener on 192.168.1.2:22 -------------------
ip netns exec sb-gw ip addr add 192.168.1.2/24 dev gw-lan
ip netns exec sb-gw timeout 60 /usr/bin/python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.1.2", 22)); s.listen(8)
while True:
    c, a = s.accept(); c.sendall(b"SSH-2.0-sb-gw-kernel %s\r\n" % a[0].encode()); c.close()
' >/dev/null 2>&1 &
sleep 0.5
banner=$(ip netns exec sb-lan timeout 5 /usr/bin/python3 -c '
import socket
s = socket.create_connection(("192.168.1.2", 22), timeout=3)
print(s.recv(100).decode().strip())' 2>&1)
case "$banner" in
"SSH-2.0-sb-gw-kernel 192.168.1.10") ok "LAN host reached the kernel's listener on 192.168.1.2:22" ;;
*) bad "management listener: '$banner'" ;;
esac
line=$(connect)
case "$line" in "HELLO 203.0.113.2 "*) ok "meanwhile transit traffic NATed through WAN1 ($line)" ;;
*) bad "transit after management (got '$line')" ;; esac
# Port 2222 of the same address is not management: switchback gets it, the
# kernel never sees it (it would answer with a RST: "refused").
res=$(ip netns exec sb-lan timeout 5 /usr/bin/python3 -c '
import socket
try:
    socket.create_connection(("192.168.1.2", 2222), timeout=1.5); print("connected")
except ConnectionRefusedError: print("refused")
except OSError as e: print("timeout")' 2>&1)
[ "$res" = timeout ] && ok "192.168.1.2:2222 not passed to the kernel (no RST)" || bad "port 2222: $res"
ctl stats --json >"$work/s1.json"
if /usr/bin/python3 - "$work/s1.json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))["xdp"]["lan"]
assert x["management"]["packets"] >= 3, x       # SYN, ACK, FIN at least
assert x["management_arp"]["packets"] >= 1, x   # the LAN host asked for 192.168.1.2
PY
then ok "lan: XDP passed management and management_arp packets"
else bad "lan XDP counters: $(cat "$work/s1.json")"; fi

# --- blocklist ---------------------------------------------------------------
ip netns exec sb-isp1 ip addr add 203.0.113.9/24 dev isp1-cust
ping_from9() { ip netns exec sb-isp1 ping -n -q -I 203.0.113.9 -c "$1" -i 0.2 -W 1 203.0.113.2 2>&1 | grep -o '[0-9]* received' | cut -d' ' -f1; }
got=$(ping_from9 3)
[ "${got:-0}" -eq 3 ] && ok "203.0.113.9 pings switchback's WAN1 address (3/3)" || bad "before block: ${got:-0}/3"
ctl block add 203.0.113.9 >/dev/null && ok "block add 203.0.113.9" || bad "block add"
# The program's blocklist counter of wan1 (stats --json), and switchback's
# own ICMP echo replies (telemetry): the first moves, the second must not.
xdp_blocked() { ctl stats --json | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["xdp"]["wan1"]["blocklist"]["packets"])'; }
local_replies() { "$top/scripts/sbtel.py" -f "$prefix" /switchback/stats | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["local_replies"])'; }
b0=$(xdp_blocked); lr0=$(local_replies)
got=$(ping_from9 10)
b1=$(xdp_blocked); lr1=$(local_replies)
[ "${got:-0}" -eq 0 ] && ok "blocked: 0/10 answered" || bad "blocked source got ${got}/10 answers"
[ -n "$b0" ] && [ -n "$b1" ] && [ $((b1 - b0)) -eq 10 ] && ok "XDP blocklist counter on wan1 moved by the 10 pings" ||
	bad "XDP blocklist counter moved by $((b1 - b0)), expected 10"
[ -n "$lr0" ] && [ "$lr0" = "$lr1" ] && ok "switchback's local replies did not move ($lr0)" ||
	bad "switchback's local replies moved: '$lr0' -> '$lr1'"
ctl block print >"$work/block1.txt"
grep -q '^203.0.113.9/32 hits 10$' "$work/block1.txt" && ok "block print: 203.0.113.9/32 hits 10" ||
	bad "block print: $(cat "$work/block1.txt")"
# README: every command takes --json.
ctl block print --json >"$work/block1.json"
if /usr/bin/python3 - "$work/block1.json" <<'PY'
import json, sys
b = {e["prefix"]: e["hits"] for e in json.load(open(sys.argv[1]))["blocks"]}
assert b.get("203.0.113.9/32") == 10 and b.get("198.18.99.0/24") == 0, b
PY
then ok "block print --json: 203.0.113.9/32 hits 10, 198.18.99.0/24 from the file"
else bad "block print --json: $(cat "$work/block1.json")"; fi
ctl block del 203.0.113.9 >/dev/null && ok "block del 203.0.113.9" || bad "block del"
got=$(ping_from9 3)
[ "${got:-0}" -eq 3 ] && ok "unblocked: 3/3 answered" || bad "after block del: ${got:-0}/3"
! ctl block del 203.0.113.9 2>/dev/null && ok "block del of an absent prefix is an error" ||
	bad "block del absent prefix accepted"
line=$(connect)
case "$line" in "HELLO 203.0.113.2 "*) ok "transit still NATed through WAN1" ;; *) bad "transit at the end (got '$line')" ;; esac

lab_stop
grep -q "XDP program sb_xdp (id [0-9]*) on gw-lan in native mode, 1 management entry" "$log" &&
	ok "log names the program, its mode and the management entry" || bad "log line of the program"
lab_finish
