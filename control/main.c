/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the daemon. Arguments, EAL, and the control loop on the
 * main lcore: each iteration lets the parts report what happened (punted
 * frames, probes, carrier, the control socket), then settles the WANs and
 * publishes once if anything changed (docs/threading.md). Set-up and
 * tear-down are in setup.c, the parts in their own files
 * (docs/architecture.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "ctl.h"
#include "ctlsock.h"
#include "dhcpio.h"
#include "ops.h"
#include "port.h"
#include "punt.h"
#include "reload_run.h"
#include "sb_log.h"
#include "summary.h"
#include "telemetry.h"

#define ROUTE_LOG_MAX 256 /* route change lines per publication */
#define LINK_CHECK_MS 50
#define NEIGH_AGE_MS 100 /* a slice of the neighbour table aged this often */

/* Set by the signal handler only: the one piece of process-wide mutable
 * state, as a handler cannot be given a context. */
static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t reload_signal;  /* SIGHUP: reload the file */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_signal = 1;
	else
		quit_signal = sig;
}

/* Free hugepages of the default size, from /proc/meminfo (-1: unknown). */
static long
hugepages_free(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long n = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* What to do when the EAL refuses to start: the usual causes on a fresh
 * machine, said as commands (the EAL's own text names none of them). */
static void
eal_hint(int err, int argc, char **argv)
{
	bool nohuge = false, prefix = false;

	for (int i = 1; i < argc; i++) {
		nohuge |= strcmp(argv[i], "--no-huge") == 0;
		prefix |= strncmp(argv[i], "--file-prefix", 13) == 0 ||
			  strcmp(argv[i], "--in-memory") == 0;
	}
	if (geteuid() != 0)
		fprintf(stderr, "  switchback needs root (or CAP_SYS_ADMIN, CAP_NET_ADMIN, "
			"CAP_IPC_LOCK, CAP_NET_RAW): run it with sudo\n");
	bool huge_cause = !nohuge && hugepages_free() == 0;

	if (huge_cause)
		fprintf(stderr, "  no free hugepages: reserve some (as root: echo 512 > "
			"/proc/sys/vm/nr_hugepages), or run without them for a test: "
			"add --no-huge -m 512 before the --\n");
	if (!huge_cause && (err == EALREADY || err == EBUSY || (!prefix && err == EACCES)))
		fprintf(stderr, "  another DPDK program may hold the same runtime directory: "
			"give this one its own --file-prefix NAME (switchbackctl -f NAME "
			"then reaches it)\n");
	fprintf(stderr, "  README.md (\"Running it\") shows working command lines\n");
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- -c FILE.ini [--check]\n"
	       "  -c, --config FILE  configuration (INI, see docs/config.md)\n"
	       "  -t, --check        validate the configuration and exit (no EAL needed)\n"
	       "  -h, --help         this text\n"
	       "The EAL needs two lcores (-l 0,1): the main one runs control, the other the worker.\n",
	       prog);
}

static void
log_route(void *arg, const struct sb_rib_route *r, const struct sb_rib_result *rs)
{
	(void)arg;
	if (rs->active)
		SB_INFO(RIB, "route %s active", r->name);
	else
		SB_INFO(RIB, "route %s inactive: %s", r->name, rs->reason);
}

/* Once per loop iteration, when a part marked a change: settle the WANs
 * (RIB inputs, resolution, judgement, notifications), publish the new
 * state, then report. Costs O(groups + special routes), not O(prefixes). */
static int
commit(struct sb_ctl *c, uint64_t now)
{
	struct sb_wan_state wan[SB_MAX_PORTS];
	uint64_t t0 = sb_now_us();
	unsigned n_changed;
	int ret;

	c->dirty = false;
	sb_wan_apply(&c->wans, now);
	sb_wan_published(&c->wans, wan);
	ret = sb_publish(&c->pub, c->rib, c->cfg, wan);
	if (ret != 0)
		return ret;
	c->last_publish_us = sb_now_us() - t0;

	n_changed = sb_rib_changes(c->rib, log_route, NULL, ROUTE_LOG_MAX);
	if (n_changed > ROUTE_LOG_MAX)
		SB_INFO(RIB, "... and %u more route changes", n_changed - ROUTE_LOG_MAX);
	if (c->pub.state->version > 1)
		SB_INFO(RIB, "published state v%lu in %lu us", (unsigned long)c->pub.state->version,
			(unsigned long)c->last_publish_us);
	sb_telemetry_snapshot(c);
	/* Gateways of the new groups without a MAC yet: ask. */
	sb_arp_gateways(&c->arp, c->rib, now);
	return 0;
}

/* Carrier of every port as it reports it (changes are logged by wan.c). */
static void
check_links(struct sb_ctl *c)
{
	for (unsigned p = 0; p < c->n_ports; p++)
		sb_wan_set_link(&c->wans, p, !sb_port_link_up(c->port_id[p], c->cfg->ports[p].device));
}

static void
control_loop(struct sb_ctl *c)
{
	uint64_t link_at = 0, age_at = 0;

	while (!quit_signal) {
		uint64_t now = sb_now_ms();
		unsigned busy;

		/* Parts report what happened... */
		busy = sb_punt_drain(c);
		sb_wan_tick(&c->wans, sb_now_us());
		sb_dhcpio_tick(c);
		if (now >= link_at) {
			/* Carrier changes take effect at once (well, within
			 * 50 ms of the port reporting them). */
			check_links(c);
			link_at = now + LINK_CHECK_MS;
		}
		if (now >= age_at) {
			sb_arp_age(&c->arp, now, (uint32_t)(rte_rdtsc() / rte_get_tsc_hz()));
			age_at = now + NEIGH_AGE_MS;
		}
		sb_ctlsock_poll(c);
		if (reload_signal) {
			char *answer = malloc(65536);

			reload_signal = 0;
			if (answer != NULL)
				sb_reload_run(c, false, answer, 65536); /* (it logs what it did) */
			free(answer);
		}
		/* ...and what changed is published once. */
		if ((c->dirty || c->wans.dirty) && commit(c, now) != 0)
			SB_WARN(MAIN, "out of memory: the forwarding state was not published "
				"(tried again next time)");
		sb_ctlsock_answer(c);
		sb_ops_tick(c, now);
		sb_hooks_reap(&c->notify.hooks, sb_now_ms());
		sb_wan_alerts(&c->wans, now);
		/* Rest only when nothing was queued: punted work is drained
		 * as fast as it comes (a flood is policed in the worker). */
		if (busy == 0)
			usleep(200);
	}
}

/* Application options come after "--"; find them before the EAL so a
 * config check needs no EAL at all. */
static int
app_args(int argc, char **argv, const char **config, bool *check)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:th", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			*config = optarg;
			break;
		case 't':
			*check = true;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

/* Stop the first @n workers and wait for their lcores. */
static void
stop_workers(struct sb_ctl *c, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		sb_worker_stop(c->w[k]);
	for (unsigned k = 0; k < n; k++)
		rte_eal_wait_lcore(c->worker_lcore[k]);
}

int
main(int argc, char **argv)
{
	struct sb_ctl *c;
	const char *config = NULL;
	bool check = false;
	char err[16384]; /* every config error, one per line */
	int dd = -1, ret, rc = 1;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}
	{
		/* getopt over the part after "--" (or everything if none). */
		int n = dd >= 0 ? argc - dd : argc;
		char **v = dd >= 0 ? argv + dd : argv;
		char *save = v[0];

		v[0] = argv[0];
		ret = app_args(n, v, &config, &check);
		v[0] = save;
		if (ret != 0 || config == NULL) {
			usage(argv[0]);
			return ret == 1 ? 0 : 2;
		}
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fprintf(stderr, "switchback: out of memory\n");
		return 1;
	}
	c->ctl_fd = -1;
	c->cfg = sb_config_load(config, err, sizeof(err));
	if (c->cfg == NULL) {
		fprintf(stderr, "switchback: configuration refused: %s\n", err);
		free(c);
		return 2;
	}
	if (check) {
		printf("switchback: %s is valid: %u ports, %u routes, %u neighbours, %u tables\n",
		       config, c->cfg->n_ports, c->cfg->n_routes, c->cfg->n_neigh, c->cfg->n_tables);
		sb_config_free(c->cfg);
		free(c);
		return 0;
	}
	ret = rte_eal_init(dd >= 0 ? dd : 1, argv);
	if (ret < 0) {
		fprintf(stderr, "switchback: EAL init failed: %s\n", rte_strerror(rte_errno));
		eal_hint(rte_errno, dd >= 0 ? dd : 1, argv);
		sb_config_free(c->cfg);
		free(c);
		return 1;
	}
	sb_log_init();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	c->start_ms = sb_now_ms();

	if (sb_ctl_setup(c, err, sizeof(err)) != 0) {
		SB_ERR(MAIN, "%s", err);
		fprintf(stderr, "switchback: %s\n", err);
		goto out;
	}
	if (sb_telemetry_init(c) != 0)
		SB_WARN(MAIN, "telemetry commands not registered");
	{
		char path[108];

		if (c->cfg->ctl_socket[0] != '\0')
			snprintf(path, sizeof(path), "%s", c->cfg->ctl_socket);
		else
			snprintf(path, sizeof(path), "%s/switchback.sock", rte_eal_get_runtime_dir());
		ret = sb_ctlsock_open(c, path);
		if (ret != 0)
			SB_WARN(CTL, "control socket %s: %s (switchbackctl will not reach us)", path,
				strerror(-ret));
		else
			SB_INFO(CTL, "control socket %s", path);
	}
	/* The carrier at start is a fact, not a change: nothing to log. */
	for (unsigned p = 0; p < c->n_ports; p++)
		c->wans.link_down[p] = !sb_port_link_up(c->port_id[p], c->cfg->ports[p].device);
	/* The first publication also asks for every gateway's MAC. */
	if (commit(c, sb_now_ms()) != 0) {
		fprintf(stderr, "switchback: cannot publish the first forwarding state\n");
		goto out;
	}

	char lcores[64] = "";

	for (unsigned k = 0; k < c->n_workers; k++) {
		ret = rte_eal_remote_launch(sb_worker_main, c->w[k], c->worker_lcore[k]);
		if (ret != 0) {
			fprintf(stderr, "switchback: cannot launch worker %u on lcore %u\n", k,
				c->worker_lcore[k]);
			stop_workers(c, k);
			goto out;
		}
		snprintf(lcores + strlen(lcores), sizeof(lcores) - strlen(lcores), "%s%u",
			 k ? "," : "", c->worker_lcore[k]);
	}
	SB_INFO(MAIN, "switchback running: %u ports, %u routes, %u probes, %s on lcore%s %s, "
		"control on lcore %u", c->n_ports, c->rib->n_routes, c->wans.n_probes,
		c->n_workers == 1 ? "worker" : "workers", c->n_workers == 1 ? "" : "s", lcores,
		rte_get_main_lcore());

	control_loop(c);

	SB_INFO(MAIN, "signal %d: stopping", (int)quit_signal);
	/* RELEASE where configured: the worker sends it before it stops
	 * (it drains the inject ring; a second at most). */
	sb_lease_stop(&c->leases, sb_now_ms());
	for (unsigned k = 0; k < 1000 && !rte_ring_empty(c->inject); k++)
		usleep(1000);
	usleep(2000);
	stop_workers(c, c->n_workers);
	sb_summary_print(c);
	rc = 0;
out:
	sb_ctl_teardown(c);
	sb_config_free(c->cfg);
	free(c);
	rte_eal_cleanup();
	return rc;
}
