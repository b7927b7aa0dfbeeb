# Seed 000, "Improve detection reliability": the basic failover plus a
# second host per uplink; the two defaults through ISP1 form an ECMP pair,
# ISP1 stays in use until both of its hosts are unreachable. Adapted:
# 8.8.8.8 -> 192.0.2.53, 8.8.4.4 -> 192.0.2.54, 208.67.222.222 ->
# 192.0.2.55, 208.67.220.220 -> 192.0.2.56, 10.111.0.1 -> 203.0.113.1,
# 10.112.0.1 -> 198.51.100.1.
/ip/firewall/nat
add chain=srcnat action=masquerade out-interface=ether1
add chain=srcnat action=masquerade out-interface=ether2

/ip/route/
add dst-address=192.0.2.53 scope=10 gateway=203.0.113.1
add dst-address=192.0.2.54 scope=10 gateway=198.51.100.1

/ip/route/
add distance=1 gateway=192.0.2.53 target-scope=11 check-gateway=ping
add distance=2 gateway=192.0.2.54 target-scope=11 check-gateway=ping

/ip/route
add dst-address=192.0.2.55 gateway=203.0.113.1 scope=10
add dst-address=192.0.2.56 gateway=198.51.100.1 scope=10
add distance=1 gateway=192.0.2.55 target-scope=11 check-gateway=ping
add distance=2 gateway=192.0.2.56 target-scope=11 check-gateway=ping
