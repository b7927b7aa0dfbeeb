# Seed 001, ECMP over both WANs with the l4 hash (addresses are the lab's).
# Both gateways at distance=1 — RouterOS creates an ECMP group
/ip/route add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1 check-gateway=ping
/ip/route add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=1 check-gateway=ping
# Options: l3 (src+dst IP), l4 (src+dst IP + ports), l3-inner (inner headers for tunnels)
/ip/settings set ecmp-hash-policy=l4
