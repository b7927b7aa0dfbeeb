/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_dev.h>
#include <rte_mempool.h>

#include "port.h"
#include "sb_log.h"
#include "xdp.h"
#include "xdpconf.h"

int
sb_port_probe(const struct sb_config *cfg, unsigned idx, unsigned queues, uint16_t *port_id,
	      uint32_t *mbufs_held, char *err, size_t errlen)
{
	const struct sb_port_conf *pc = &cfg->ports[idx];
	struct rte_eth_dev_info info;
	char dev[SB_DEV_LEN + 300], name[SB_DEV_LEN + 300], *comma;
	int ret;

	/* af_xdp:IF and af_packet:IF become devargs here (control/xdp.c). */
	ret = sb_xdp_devargs(cfg, idx, queues, dev, sizeof(dev), err, errlen);
	if (ret != 0)
		return ret;
	snprintf(name, sizeof(name), "%s", dev);
	comma = strchr(name, ',');
	if (comma != NULL)
		*comma = '\0';
	/* Already there (a PCI device the EAL probed, or --vdev)? */
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		ret = rte_dev_probe(dev);
		if (ret < 0) {
			snprintf(err, errlen, "[port %s] device: cannot probe \"%s\": %s "
				 "(is the PMD available and the interface there?)",
				 pc->name, dev, strerror(-ret));
			return ret;
		}
		if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
			snprintf(err, errlen, "[port %s] device: \"%s\" probed but no ethdev "
				 "named \"%s\" appeared", pc->name, dev, name);
			return -ENODEV;
		}
	}
	*mbufs_held = 0;
	ret = rte_eth_dev_info_get(*port_id, &info);
	if (ret != 0) {
		snprintf(err, errlen, "[port %s] device: no device info: %s", pc->name,
			 strerror(-ret));
		return ret;
	}
	/* net_af_xdp fills each socket's fill ring with as many mbufs as its
	 * default ring size when the queue starts, and keeps as many in
	 * flight on its tx ring until their completions come back: the pool
	 * must hold those on top of what switchback itself keeps. */
	if (strcmp(info.driver_name, "net_af_xdp") == 0)
		*mbufs_held = ((uint32_t)info.default_rxportconf.ring_size +
			       info.default_txportconf.ring_size) * queues;
	return 0;
}

int
sb_port_open(const struct sb_port_conf *pc, struct rte_mempool *mp,
	     uint16_t port_id, unsigned queues, struct rte_ether_addr *mac, char *err,
	     size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = pc->rx_desc, ntx = pc->tx_desc;
	int ret;

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		goto fail;
	memset(&conf, 0, sizeof(conf));
	if (queues > info.max_rx_queues || queues > info.max_tx_queues) {
		snprintf(err, errlen, "[port %s] device: %s has at most %u rx and %u tx queues, and "
			 "%u workers need one of each: lower [switchback] workers, or give the "
			 "device more queues", pc->name, pc->device, info.max_rx_queues,
			 info.max_tx_queues, queues);
		return -EINVAL;
	}
	if (queues > 1 && (info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
							  RTE_ETH_RSS_UDP)) != 0) {
		/* The NIC spreads flows over the workers' queues; whatever
		 * lands on a worker that does not own it is handed over. */
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	ret = rte_eth_dev_configure(port_id, (uint16_t)queues, (uint16_t)queues, &conf);
	if (ret != 0)
		goto fail;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nrx, &ntx);
	if (ret != 0)
		goto fail;
	for (unsigned q = 0; q < queues; q++) {
		ret = rte_eth_rx_queue_setup(port_id, (uint16_t)q, nrx,
					     rte_eth_dev_socket_id(port_id), NULL, mp);
		if (ret != 0)
			goto fail;
		ret = rte_eth_tx_queue_setup(port_id, (uint16_t)q, ntx,
					     rte_eth_dev_socket_id(port_id), NULL);
		if (ret != 0)
			goto fail;
	}
	ret = rte_eth_dev_start(port_id);
	if (ret != 0)
		goto fail;
	/* We filter on our MAC ourselves; promiscuous mode is not needed,
	 * and not every PMD has it. */
	ret = rte_eth_macaddr_get(port_id, mac);
	if (ret != 0)
		goto fail;
	SB_INFO(PORT, "port %s: %s (ethdev %u, %s) mac " RTE_ETHER_ADDR_PRT_FMT
		" rx/tx desc %u/%u, %u queue pair(s)%s", pc->name, pc->device, port_id,
		info.driver_name, RTE_ETHER_ADDR_BYTES(mac), nrx, ntx, queues,
		queues == 1 ? "" : conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? ", RSS" :
		", spread by the device (no RSS offload)");
	return 0;
fail:
	snprintf(err, errlen, "[port %s] device: cannot set up \"%s\": %s%s", pc->name,
		 pc->device, strerror(ret < 0 ? -ret : ret),
		 strcmp(info.driver_name, "net_af_xdp") == 0 ?
		 " (net_af_xdp: its log lines above say which step failed)" : "");
	return ret < 0 ? ret : -ret;
}

/* The rule of protocol @proto (item type) for slice @k of @n: ETH / IPV4
 * dst @addr / TCP or UDP dst port & (n - 1) == k -> queue k. */
static int
steer_rule(uint16_t port_id, uint32_t addr, enum rte_flow_item_type proto, unsigned k,
	   unsigned n, bool create, struct rte_flow_error *e)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_ipv4 ip = { .hdr.dst_addr = rte_cpu_to_be_32(addr) };
	struct rte_flow_item_ipv4 ip_m = { .hdr.dst_addr = RTE_BE32(0xffffffff) };
	struct rte_flow_item_udp udp = { .hdr.dst_port = rte_cpu_to_be_16((uint16_t)k) };
	struct rte_flow_item_udp udp_m = { .hdr.dst_port = rte_cpu_to_be_16((uint16_t)(n - 1)) };
	struct rte_flow_item_tcp tcp = { .hdr.dst_port = rte_cpu_to_be_16((uint16_t)k) };
	struct rte_flow_item_tcp tcp_m = { .hdr.dst_port = rte_cpu_to_be_16((uint16_t)(n - 1)) };
	bool is_udp = proto == RTE_FLOW_ITEM_TYPE_UDP;
	struct rte_flow_item pat[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip, .mask = &ip_m },
		{ .type = proto, .spec = is_udp ? (const void *)&udp : (const void *)&tcp,
		  .mask = is_udp ? (const void *)&udp_m : (const void *)&tcp_m },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_queue q = { .index = (uint16_t)k };
	struct rte_flow_action act[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &q },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};

	if (!create)
		return rte_flow_validate(port_id, &attr, pat, act, e);
	return rte_flow_create(port_id, &attr, pat, act, e) != NULL ? 0 : -1;
}

unsigned
sb_port_steer(const struct sb_port_conf *pc, uint16_t port_id, uint32_t addr, unsigned queues)
{
	static const enum rte_flow_item_type protos[] = { RTE_FLOW_ITEM_TYPE_UDP,
							   RTE_FLOW_ITEM_TYPE_TCP };
	struct rte_flow_error e = { .message = NULL };
	unsigned made = 0;

	if (queues < 2)
		return 0;
	if ((queues & (queues - 1)) != 0 || addr == 0) {
		SB_INFO(PORT, "port %s: replies handed to their worker in software (%s)", pc->name,
			addr == 0 ? "a DHCP address: no rte_flow rule" :
			"rte_flow rules need a power-of-two number of workers");
		return 0;
	}
	for (unsigned k = 0; k < queues; k++)
		for (unsigned i = 0; i < 2; i++)
			if (steer_rule(port_id, addr, protos[i], k, queues, false, &e) != 0) {
				SB_INFO(PORT, "port %s: replies handed to their worker in software "
					"(the device takes no rte_flow rule on the destination port: "
					"%s)", pc->name, e.message != NULL ? e.message : "not supported");
				return 0;
			}
	for (unsigned k = 0; k < queues; k++)
		for (unsigned i = 0; i < 2; i++)
			made += steer_rule(port_id, addr, protos[i], k, queues, true, &e) == 0;
	if (made != 2 * queues) {
		/* Validated, not all made (net_tap here): none, then, so the
		 * log says what the port does. */
		struct rte_flow_error fe;

		(void)rte_flow_flush(port_id, &fe);
		SB_INFO(PORT, "port %s: replies handed to their worker in software (the device "
			"validated the rte_flow rules but made %u of %u: %s)", pc->name, made,
			2 * queues, e.message != NULL ? e.message : "no reason given");
		return 0;
	}
	SB_INFO(PORT, "port %s: replies steered by rte_flow: TCP and UDP to its address, "
		"destination port & %u -> queue of that worker (%u rules)", pc->name, queues - 1,
		made);
	return made;
}

void
sb_port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}

bool
sb_port_link_up(uint16_t port_id, const char *device)
{
	struct rte_eth_link link;
	char name[64] = "", why[256];
	enum sb_devkind kind = SB_DEV_DPDK;

	/* The interface: af_xdp:IF, af_packet:IF, or a vdev's iface=IF. */
	if (device != NULL && sb_xdpconf_device(device, &kind, name, why, sizeof(why)) == 0 &&
	    kind == SB_DEV_DPDK) {
		const char *ifc = strstr(device, "iface=");

		if (ifc != NULL) {
			size_t n = strcspn(ifc + 6, ",");

			if (n == 0 || n >= sizeof(name))
				return true;
			memcpy(name, ifc + 6, n);
			name[n] = '\0';
		}
	}
	if (name[0] != '\0') {
		char path[128], v = '1';
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", name);
		f = fopen(path, "r");
		if (f == NULL)
			return true;    /* not a Linux interface we can see */
		/* Reading carrier of an interface that is down fails: no link. */
		if (fread(&v, 1, 1, f) != 1)
			v = '0';
		fclose(f);
		return v == '1';
	}
	if (rte_eth_link_get_nowait(port_id, &link) != 0)
		return true;
	return link.link_status == RTE_ETH_LINK_UP;
}
