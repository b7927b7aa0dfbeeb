# Seed 001, recursive anchor routing: one checked /32 per ISP gateway; the
# defaults and the "VPN" routes resolve through them and fail over with
# them. The seed's addresses are the lab's; 10.10.0.0/16 -> 198.18.100.0/24.
# Step 1: Anchor routes — /32 host routes with check-gateway
# scope=10 allows dependent routes (target-scope=20) to resolve through them
/ip/route add dst-address=203.0.113.1/32 gateway=203.0.113.1%ether1 \
check-gateway=ping distance=1 scope=10 target-scope=20
/ip/route add dst-address=198.51.100.1/32 gateway=198.51.100.1%ether2 \
check-gateway=ping distance=1 scope=10 target-scope=20
# Step 2: Default routes resolve through the anchors (scope=20, target-scope default=10)
# Note: set scope=20 so anchor can resolve them (anchor.scope=10 ≤ route.target-scope=20)
/ip/route add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1 scope=20
/ip/route add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=10 scope=20
# Step 3: VPN routes also resolve through the same anchors
/ip/route add dst-address=198.18.100.0/24 gateway=203.0.113.1 distance=1 scope=20
/ip/route add dst-address=198.18.100.0/24 gateway=198.51.100.1 distance=10 scope=20
