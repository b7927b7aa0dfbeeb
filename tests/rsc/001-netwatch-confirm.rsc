# Seed 001, Netwatch with a confirmation delay (not translated: the script
# pings again before acting). Adapted: 8.8.8.8 -> 192.0.2.53.
/tool/netwatch add host=192.0.2.53 interval=10s timeout=3s \
down-script={
:delay 10
:if ([/ping 192.0.2.53 count=3] = 0) do={
:log error "Confirmed WAN1 failure"
/ip/route set [find gateway=203.0.113.1] distance=20
}
}
/ip/route add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1
/ip/route add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=10
