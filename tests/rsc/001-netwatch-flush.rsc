# Seed 001, Netwatch clearing a WAN's connections on down (not translated:
# switchback flushes a WAN's sessions itself). Adapted: 8.8.8.8 -> 192.0.2.53.
/tool/netwatch add host=192.0.2.53 interval=10s timeout=3s \
down-script={
:log warning "WAN1 down - clearing wan1 connections"
/ip/firewall/connection remove [find connection-mark=wan1_conn]
}
