# Seed 000 (MikroTik docs, "Failover (WAN Backup)"), "Basic failover":
# recursive routing over one monitor host per uplink. Adapted to the lab:
# 8.8.8.8 -> 192.0.2.53, 8.8.4.4 -> 192.0.2.54, 10.111.0.1 -> 203.0.113.1
# (ISP1), 10.112.0.1 -> 198.51.100.1 (ISP2).
/ip/firewall/nat
add chain=srcnat action=masquerade out-interface=ether1
add chain=srcnat action=masquerade out-interface=ether2

/ip/route/
add dst-address=192.0.2.53 scope=10 gateway=203.0.113.1
add dst-address=192.0.2.54 scope=10 gateway=198.51.100.1

/ip/route/
add distance=1 gateway=192.0.2.53 target-scope=11 check-gateway=ping
add distance=2 gateway=192.0.2.54 target-scope=11 check-gateway=ping
