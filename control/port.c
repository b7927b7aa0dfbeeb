/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_dev.h>
#include <rte_mempool.h>

#include "port.h"
#include "sb_log.h"

int
sb_port_open(const struct sb_port_conf *pc, struct rte_mempool *mp,
	     uint16_t *port_id, struct rte_ether_addr *mac, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	char name[SB_DEV_LEN], *comma;
	uint16_t nrx = pc->rx_desc, ntx = pc->tx_desc;
	int ret;

	snprintf(name, sizeof(name), "%s", pc->device);
	comma = strchr(name, ',');
	if (comma != NULL)
		*comma = '\0';
	/* Already there (a PCI device the EAL probed, or --vdev)? */
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		ret = rte_dev_probe(pc->device);
		if (ret < 0) {
			snprintf(err, errlen, "[port %s] device: cannot probe \"%s\": %s "
				 "(is the PMD available and the interface there?)",
				 pc->name, pc->device, strerror(-ret));
			return ret;
		}
		if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
			snprintf(err, errlen, "[port %s] device: \"%s\" probed but no ethdev "
				 "named \"%s\" appeared", pc->name, pc->device, name);
			return -ENODEV;
		}
	}
	ret = rte_eth_dev_info_get(*port_id, &info);
	if (ret != 0)
		goto fail;
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(*port_id, 1, 1, &conf);
	if (ret != 0)
		goto fail;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(*port_id, &nrx, &ntx);
	if (ret != 0)
		goto fail;
	ret = rte_eth_rx_queue_setup(*port_id, 0, nrx, rte_eth_dev_socket_id(*port_id), NULL, mp);
	if (ret != 0)
		goto fail;
	ret = rte_eth_tx_queue_setup(*port_id, 0, ntx, rte_eth_dev_socket_id(*port_id), NULL);
	if (ret != 0)
		goto fail;
	ret = rte_eth_dev_start(*port_id);
	if (ret != 0)
		goto fail;
	/* We filter on our MAC ourselves; promiscuous mode is not needed,
	 * and not every PMD has it. */
	ret = rte_eth_macaddr_get(*port_id, mac);
	if (ret != 0)
		goto fail;
	SB_INFO(PORT, "port %s: %s (ethdev %u, %s) mac " RTE_ETHER_ADDR_PRT_FMT
		" rx/tx desc %u/%u", pc->name, pc->device, *port_id, info.driver_name,
		RTE_ETHER_ADDR_BYTES(mac), nrx, ntx);
	return 0;
fail:
	snprintf(err, errlen, "[port %s] device: cannot set up \"%s\": %s", pc->name,
		 pc->device, strerror(ret < 0 ? -ret : ret));
	return ret < 0 ? ret : -ret;
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
	const char *ifc = device ? strstr(device, "iface=") : NULL;

	if (ifc != NULL) {
		char name[64], path[128], v = '1';
		size_t n = strcspn(ifc + 6, ",");
		FILE *f;

		if (n == 0 || n >= sizeof(name))
			return true;
		memcpy(name, ifc + 6, n);
		name[n] = '\0';
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
