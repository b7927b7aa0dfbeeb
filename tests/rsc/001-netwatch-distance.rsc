# Seed 001, Netwatch raising the primary's distance while an external
# host is down. Adapted: 8.8.8.8 -> 192.0.2.53 (behind ISP1).
# Monitor an external IP for WAN1 reachability
/tool/netwatch add host=192.0.2.53 interval=10s timeout=3s \
up-script="/ip/route set [find gateway=203.0.113.1] distance=1" \
down-script="/ip/route set [find gateway=203.0.113.1] distance=20"
# Primary route (distance=1 when WAN1 healthy; Netwatch raises to 20 on failure)
/ip/route add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1
# Backup route (distance=10 — always wins when WAN1 distance=20)
/ip/route add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=10
