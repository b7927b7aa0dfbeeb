# Seed 001, distance-based failover with check-gateway (addresses as in
# the seed: they are the lab's).
# Primary route — actively probed every 10s
/ip/route add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1 check-gateway=ping
# Backup route — activates automatically if primary fails
/ip/route add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=10
