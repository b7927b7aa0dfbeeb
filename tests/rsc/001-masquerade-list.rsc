# Seed 001, masquerade on both uplinks through an interface list.
/interface/list add name=WAN
/interface/list/member add interface=ether1 list=WAN
/interface/list/member add interface=ether2 list=WAN
/ip/firewall/nat add chain=srcnat out-interface-list=WAN action=masquerade
