# Seed 004 ("MikroTik Dual WAN Load Balancing + Failover | RouterOS v7"):
# PCC load balancing with recursive dual-monitor failover, driven by the
# seed's configuration variables. The seed gives the variables and what
# the script does (PCC with a configurable ratio on both-addresses-and-
# ports, two monitor IPs per ISP with failover only when both fail,
# cross-ISP failover of marked traffic, failsafe routes at distance 250+,
# masquerade on out-interface-list=WAN, a LAN bridge with a DHCP server);
# the commands below are written for that description.
# Adapted to the lab: WAN1 203.0.113.2/24 via 203.0.113.1, WAN2
# 198.51.100.2/24 via 198.51.100.1, LAN 192.168.1.0/24, monitors
# 192.0.2.53/.55 (through ISP1) and 192.0.2.54/.56 (through ISP2).

:local lISP1Name "Primary-ISP"
:local lISP2Name "Backup-ISP"
:local lPreferredISP "ISP1"

:local lWAN1Interface "ether1"
:local lWAN1Address "203.0.113.2"
:local lWAN1Gateway "203.0.113.1"
:local lWAN1Subnet "203.0.113.0/24"

:local lWAN2Interface "ether2"
:local lWAN2Address "198.51.100.2"
:local lWAN2Gateway "198.51.100.1"
:local lWAN2Subnet "198.51.100.0/24"

:local lLANInterface "bridge-lan"
:local lLANSubnet "192.168.1.0/24"
:local lLANAddress "192.168.1.1/24"
:local lLANGateway "192.168.1.1"
:local lLANPort1 "ether3"
:local lLANPort2 "ether4"
:local lLANPort3 "ether5"

:local lISP1MonitorIP1 "192.0.2.53"
:local lISP1MonitorIP2 "192.0.2.55"
:local lISP2MonitorIP1 "192.0.2.54"
:local lISP2MonitorIP2 "192.0.2.56"

:local lFailureThreshold 2
:local lCheckInterval "10s"
:local lLBRatio1 1
:local lLBRatio2 1

# Email Notifications
:local lNotifyDelay1 60;   # Alert 1: 1 Hour (in minutes)
:local lNotifyDelay2 360;  # Alert 2: 6 Hours (in minutes)
:local lEmailEnable true
:local lEmailAddress "your-email@gmail.com"
:local lEmailPassword "your-app-password"

# ---- routing tables, one per ISP ----
/routing table
add name=ISP1 fib comment=$lISP1Name
add name=ISP2 fib comment=$lISP2Name

# ---- interface lists ----
/interface list
add name=WAN comment="WAN interfaces"
add name=LAN comment="LAN interfaces"
/interface list member
:if ([:len $lWAN1Interface] > 0) do={ add list=WAN interface=$lWAN1Interface comment="WAN1" }
:if ([:len $lWAN2Interface] > 0) do={ add list=WAN interface=$lWAN2Interface comment="WAN2" }
add list=LAN interface=$lLANInterface comment="LAN bridge"

# ---- LAN bridge ----
/interface bridge
add name=$lLANInterface comment="LAN Bridge"
/interface bridge port
add bridge=$lLANInterface interface=$lLANPort1
add bridge=$lLANInterface interface=$lLANPort2
add bridge=$lLANInterface interface=$lLANPort3

# ---- addresses ----
/ip address
add address=($lWAN1Address . "/24") interface=$lWAN1Interface comment="WAN1"
add address=($lWAN2Address . "/24") interface=$lWAN2Interface comment="WAN2"
add address=$lLANAddress interface=$lLANInterface comment="LAN"

# ---- DHCP server for the LAN ----
/ip pool
add name=lan-dhcp-pool ranges=192.168.1.100-192.168.1.200
/ip dhcp-server
add name=lan-dhcp interface=$lLANInterface address-pool=lan-dhcp-pool disabled=no
/ip dhcp-server network
add address=$lLANSubnet gateway=$lLANGateway dns-server=$lLANGateway

# ---- PCC: LBRatio1 of every (LBRatio1 + LBRatio2) new connections to ISP1 ----
:local PCCTotal ($lLBRatio1 + $lLBRatio2)
/ip firewall mangle
add chain=prerouting dst-address-type=local action=return comment="Local: Router Addresses"
:for i from=0 to=($PCCTotal - 1) do={
    :local mark "ISP2_conn"
    :if ($i < $lLBRatio1) do={ :set mark "ISP1_conn" }
    /ip firewall mangle add chain=prerouting in-interface=$lLANInterface \
        connection-state=new connection-mark=no-mark dst-address-type=!local \
        per-connection-classifier=("both-addresses-and-ports:" . $PCCTotal . "/" . $i) \
        action=mark-connection new-connection-mark=$mark passthrough=yes \
        comment=("PCC: " . $mark . " (" . ($i + 1) . "/" . $PCCTotal . ")")
}
# Connections that came in on a WAN stay on it
add chain=prerouting in-interface=$lWAN1Interface connection-mark=no-mark \
    action=mark-connection new-connection-mark=ISP1_conn passthrough=yes comment="Return: ISP1"
add chain=prerouting in-interface=$lWAN2Interface connection-mark=no-mark \
    action=mark-connection new-connection-mark=ISP2_conn passthrough=yes comment="Return: ISP2"
add chain=prerouting connection-mark=ISP1_conn in-interface=$lLANInterface \
    action=mark-routing new-routing-mark=ISP1 passthrough=no comment="Route-Mark: LAN-ISP1"
add chain=prerouting connection-mark=ISP2_conn in-interface=$lLANInterface \
    action=mark-routing new-routing-mark=ISP2 passthrough=no comment="Route-Mark: LAN-ISP2"

# ---- dual-IP monitoring: each ISP's monitors reachable through it only ----
/ip route
add dst-address=$lISP1MonitorIP1 gateway=$lWAN1Gateway scope=10 comment="Monitor ISP1-1"
add dst-address=$lISP1MonitorIP2 gateway=$lWAN1Gateway scope=10 comment="Monitor ISP1-2"
add dst-address=$lISP2MonitorIP1 gateway=$lWAN2Gateway scope=10 comment="Monitor ISP2-1"
add dst-address=$lISP2MonitorIP2 gateway=$lWAN2Gateway scope=10 comment="Monitor ISP2-2"

# Per-ISP tables: both monitors of the ISP (ECMP: down only when both
# fail), then the other ISP (cross-ISP failover), then the failsafe.
add routing-table=ISP1 gateway=$lISP1MonitorIP1 distance=1 target-scope=11 check-gateway=ping comment="Table ISP1 via M1"
add routing-table=ISP1 gateway=$lISP1MonitorIP2 distance=1 target-scope=11 check-gateway=ping comment="Table ISP1 via M2"
add routing-table=ISP1 gateway=$lISP2MonitorIP1 distance=2 target-scope=11 check-gateway=ping comment="Table ISP1 backup M1"
add routing-table=ISP1 gateway=$lISP2MonitorIP2 distance=2 target-scope=11 check-gateway=ping comment="Table ISP1 backup M2"
add routing-table=ISP2 gateway=$lISP2MonitorIP1 distance=1 target-scope=11 check-gateway=ping comment="Table ISP2 via M1"
add routing-table=ISP2 gateway=$lISP2MonitorIP2 distance=1 target-scope=11 check-gateway=ping comment="Table ISP2 via M2"
add routing-table=ISP2 gateway=$lISP1MonitorIP1 distance=2 target-scope=11 check-gateway=ping comment="Table ISP2 backup M1"
add routing-table=ISP2 gateway=$lISP1MonitorIP2 distance=2 target-scope=11 check-gateway=ping comment="Table ISP2 backup M2"

# Main table: the preferred ISP first.
:local d1 1
:local d2 2
:if ($lPreferredISP = "ISP2") do={ :set d1 2; :set d2 1 }
add gateway=$lISP1MonitorIP1 distance=$d1 target-scope=11 check-gateway=ping comment="Default: ISP1 M1"
add gateway=$lISP1MonitorIP2 distance=$d1 target-scope=11 check-gateway=ping comment="Default: ISP1 M2"
add gateway=$lISP2MonitorIP1 distance=$d2 target-scope=11 check-gateway=ping comment="Default: ISP2 M1"
add gateway=$lISP2MonitorIP2 distance=$d2 target-scope=11 check-gateway=ping comment="Default: ISP2 M2"

# Failsafe: a last resort should the monitors be misconfigured.
add gateway=$lWAN1Gateway distance=251 comment="FAILSAFE ISP1"
add gateway=$lWAN2Gateway distance=252 comment="FAILSAFE ISP2"

# ---- NAT ----
/ip firewall nat
add chain=srcnat out-interface-list=WAN action=masquerade comment="NAT: masquerade WAN"

# ---- security and services ----
/ip firewall filter
add chain=input connection-state=established,related action=accept comment="Accept: established"
add chain=input in-interface-list=WAN action=drop comment="Drop: WAN to router"
/ip dns
set servers=1.1.1.1,8.8.8.8 allow-remote-requests=yes
:if ($lEmailEnable) do={
    /tool e-mail set server=smtp.gmail.com port=587 tls=starttls user=$lEmailAddress password=$lEmailPassword
}
