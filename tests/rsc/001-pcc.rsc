# Seed 001, PCC mangle with per-table routing (addresses are the lab's;
# the LAN bridge is "bridge"). The output chain rules (router-originated
# traffic) have no switchback counterpart and are reported as skipped.
# 1) Create routing tables for policy routing
/routing/table
add name=to_wan1 fib
add name=to_wan2 fib
# 2) Per-table default routes (for marked traffic)
/ip/route
add dst-address=0.0.0.0/0 gateway=203.0.113.1 routing-table=to_wan1 distance=1 check-gateway=ping
add dst-address=0.0.0.0/0 gateway=198.51.100.1 routing-table=to_wan2 distance=1 check-gateway=ping
# 3) Main table routes (for unmarked traffic and fallback)
/ip/route
add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1 check-gateway=ping
add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=10 check-gateway=ping
# 4) Mangle: mark incoming connections from LAN using PCC (2-way split)
/ip/firewall/mangle
add chain=prerouting in-interface=bridge connection-state=new \
dst-address-type=!local \
per-connection-classifier=both-addresses-and-ports:2/0 \
action=mark-connection new-connection-mark=wan1_conn passthrough=yes
add chain=prerouting in-interface=bridge connection-state=new \
dst-address-type=!local \
per-connection-classifier=both-addresses-and-ports:2/1 \
action=mark-connection new-connection-mark=wan2_conn passthrough=yes
# 5) Apply routing marks for established connections
add chain=prerouting in-interface=bridge \
connection-mark=wan1_conn \
action=mark-routing new-routing-mark=to_wan1 passthrough=no
add chain=prerouting in-interface=bridge \
connection-mark=wan2_conn \
action=mark-routing new-routing-mark=to_wan2 passthrough=no
# 6) Router-originated traffic (e.g., DNS, updates)
add chain=output connection-mark=wan1_conn \
action=mark-routing new-routing-mark=to_wan1 passthrough=no
add chain=output connection-mark=wan2_conn \
action=mark-routing new-routing-mark=to_wan2 passthrough=no
