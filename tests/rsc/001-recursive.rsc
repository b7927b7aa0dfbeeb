# Seed 001 ("Multi-WAN Failover with Recursive Routing"), scope and
# target-scope: route A resolves through the static route B, which needs
# A's target-scope raised to 30; then the troubleshooting section's fix
# (/ip/route set [find dst-address=...] target-scope=30) on a route C added
# with the default target-scope. Adapted: 10.1.0.0/16 -> 198.18.100.0/24,
# 172.16.0.1 -> 198.18.1.2 and 172.16.0.0/24 -> 198.18.1.0/24 (behind
# ISP1), 192.168.1.1 (directly connected) -> 203.0.113.1, 10.10.0.0/16 ->
# 198.18.101.0/24.
# Route A: resolved via a static route (raise target-scope to allow it)
/ip/route add dst-address=198.18.100.0/24 gateway=198.18.1.2 target-scope=30
# Route B: intermediate static route (scope=30 satisfies A's target-scope=30)
/ip/route add dst-address=198.18.1.0/24 gateway=203.0.113.1
# C: not resolvable with the default target-scope=10 ...
/ip/route add dst-address=198.18.101.0/24 gateway=198.18.1.2
# ... until it is raised:
/ip/route set [find dst-address=198.18.101.0/24] target-scope=30
