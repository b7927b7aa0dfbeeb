/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: sb_config_load() on any file (written to a memfd and read
 * through /proc/self/fd, as the daemon reads its file). Invariants: it
 * returns a config or an error message, never both and never neither; a
 * config it accepts is within the limits docs/config.md states. Leaks are
 * LeakSanitizer reports. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "sb_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], err[1024];
	struct sb_config *cfg;

	if (size > 65536)
		return 0;
	if (fd < 0) {
		fd = memfd_create("sbfuzz.ini", 0);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cfg = sb_config_load(path, err, sizeof(err));
	if (cfg == NULL) {
		FUZZ_CHECK(err[0] != '\0', "refused without a message");
		return 0;
	}
	FUZZ_CHECK(err[0] == '\0', "accepted with a message: %s", err);
	FUZZ_CHECK(cfg->n_ports >= 1 && cfg->n_ports <= SB_MAX_PORTS, "%u ports", cfg->n_ports);
	FUZZ_CHECK(cfg->n_tables >= 1 && cfg->n_tables <= SB_MAX_TABLES, "%u tables",
		   cfg->n_tables);
	FUZZ_CHECK(cfg->n_routes <= SB_MAX_ROUTES, "%u routes", cfg->n_routes);
	FUZZ_CHECK(sb_config_host_max(cfg, cfg->sessions) <= cfg->sessions,
		   "sessions_per_host %u over sessions %u", sb_config_host_max(cfg, cfg->sessions),
		   cfg->sessions);
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct sb_port_conf *p = &cfg->ports[i];
		const struct sb_wan_conf *w = &cfg->wan[i];

		/* address = dhcp: no address until a lease (control/lease.c). */
		FUZZ_CHECK(p->dhcp.enabled ? p->addr == 0 && p->prefix_len == 0 && p->role == SB_ROLE_WAN :
			   p->prefix_len >= 1 && p->prefix_len <= 31, "prefix %u", p->prefix_len);
		FUZZ_CHECK(p->name[0] != '\0' && p->device[0] != '\0', "unnamed port");
		if (w->enabled) {
			FUZZ_CHECK(p->role == SB_ROLE_WAN, "[wan] on a lan port");
			FUZZ_CHECK(w->n_monitors >= 1 && w->n_monitors <= SB_WAN_MAX_MONITORS,
				   "%u monitors", w->n_monitors);
			FUZZ_CHECK(w->quorum >= 1 && w->quorum <= w->n_monitors, "quorum");
			FUZZ_CHECK(w->timeout_ms <= w->interval_ms, "timeout over interval");
		}
	}
	{
		struct sb_mbuf_need n;

		sb_config_mbufs_needed(cfg, cfg->workers, &n);
		FUZZ_CHECK(!cfg->mbufs_set || cfg->mbufs >= n.total, "mbufs %u below %u",
			   cfg->mbufs, n.total);
	}
	for (unsigned i = 0; i < cfg->n_routes; i++) {
		const struct sb_route_conf *r = &cfg->routes[i];

		FUZZ_CHECK(r->table < cfg->n_tables, "route table %u", r->table);
		FUZZ_CHECK(r->gw_port < (int)cfg->n_ports, "route port %d", r->gw_port);
		FUZZ_CHECK(r->prefix_len <= 32, "route prefix %u", r->prefix_len);
	}
	for (unsigned i = 0; i < cfg->n_neigh; i++)
		FUZZ_CHECK(cfg->neigh[i].port >= 0 && cfg->neigh[i].port < (int)cfg->n_ports,
			   "neighbour port %d", cfg->neigh[i].port);
	sb_config_free(cfg);
	return 0;
}
