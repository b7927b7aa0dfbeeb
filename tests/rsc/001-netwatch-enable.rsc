# Seed 001, Netwatch disabling and enabling the primary by its comment.
# Adapted: 8.8.8.8 -> 192.0.2.53.
/tool/netwatch add host=192.0.2.53 interval=10s timeout=3s \
up-script={
:log info "WAN1 upstream UP"
/ip/route enable [find comment="wan1-default"]
} \
down-script={
:log warning "WAN1 upstream DOWN - failing over"
/ip/route disable [find comment="wan1-default"]
}
/ip/route add dst-address=0.0.0.0/0 gateway=203.0.113.1 distance=1 comment="wan1-default"
/ip/route add dst-address=0.0.0.0/0 gateway=198.51.100.1 distance=10 comment="wan2-default"
