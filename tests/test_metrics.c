/* SPDX-License-Identifier: BSD-3-Clause
 * Prometheus metrics: a rendered status passes Debian's promtool and says
 * what the status holds; the HTTP server answers on its own thread, and a
 * scrape during a stream of publications always sees one whole status
 * (the seqlock), never half of two. */
#include "test_common.h"

#include <errno.h>
#include <pthread.h>
#include <curl/curl.h>

#include "metrics.h"
#include "probe.h"

static void
sample(struct sb_status *st)
{
	memset(st, 0, sizeof(*st));
	st->taken_ms = 100000;
	st->taken_unix_ms = 1764662400000;
	st->start_unix_ms = 1764662000000;
	st->state_version = 7;
	st->n_ports = 3;
	snprintf(st->port[0].name, SB_NAME_LEN, "lan");
	snprintf(st->port[1].name, SB_NAME_LEN, "wan1");
	snprintf(st->port[2].name, SB_NAME_LEN, "wan2");
	st->port[1].wan = st->port[2].wan = true;
	st->port[0].link_up = st->port[1].link_up = true;
	st->port[0].rx_pkts = 1000;
	st->port[0].rx_bytes = 64000;
	st->port[1].tx_pkts = 990;
	st->port[2].rx_missed = 3;
	st->port[1].xdp = true;           /* wan1 on af_xdp: */
	st->port[1].xdp_pkts[SB_XDP_REDIRECT] = 990;
	st->port[1].xdp_pkts[SB_XDP_BLOCKED] = 9;
	st->n_wans = 2;
	snprintf(st->wan[0].name, SB_NAME_LEN, "wan1");
	st->wan[0].state = SB_WAN_UP;
	st->wan[0].in_service = true;
	st->wan[0].link_up = true;
	st->wan[0].monitored = true;
	st->wan[0].changes = 2;
	st->wan[0].since_ms = 87500;          /* 12.5 s before taken_ms */
	st->wan[0].since_unix_ms = 1764662387500;
	st->wan[0].sessions_created = 41;
	st->wan[0].sessions_active = 6;
	st->wan[0].addr = 0xcb00710a;         /* 203.0.113.10/24 from a lease */
	st->wan[0].prefix_len = 24;
	st->wan[0].gateway = 0xcb007101;
	st->wan[0].dhcp = true;
	st->wan[0].dhcp_bound = true;
	st->wan[0].lease_s = 120;
	st->wan[0].lease_remaining_ms = 73250;
	st->wan[0].leases_lost = 1;
	st->wan[0].address_changes = 2;
	st->wan[0].n_mons = 2;
	st->wan[0].mon[0] = (struct sb_status_mon){ .addr = 0xc0000235, .up = true,
		.rtt_us = 12345, .jitter_us = 250, .loss_pct = 10, .sent = 100, .answered = 90 };
	st->wan[0].mon[1] = (struct sb_status_mon){ .addr = 0xc0000236, .up = false,
		.rtt_us = 0, .loss_pct = 100, .sent = 100, .answered = 0 };
	snprintf(st->wan[1].name, SB_NAME_LEN, "wan2");
	st->wan[1].state = SB_WAN_DOWN;
	st->wan[1].forced = -1;
	st->wan[1].since_ms = 99000;
	st->wan[1].addr = 0xc6336402;         /* 198.51.100.2/24, static */
	st->wan[1].prefix_len = 24;
	st->drop[SB_DROP_NO_ROUTE] = 5;
	st->sessions_active = 17;
	st->sessions_created = 41;
	st->sessions_capacity = 65536;
	st->punted = 12;
	st->punted_reason[SB_PUNT_ARP] = 9;
	st->punted_reason[SB_PUNT_DHCP] = 3;
}

/* promtool check metrics reads the exposition on stdin; 0 = no problem. */
static int
promtool(const char *text, char *out, size_t outlen)
{
	const char *path = sb_test_write_tmp(text);
	char cmd[256];
	FILE *p;
	size_t n;
	int rc;

	assert_non_null(path);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	rc = pclose(p);
	unlink(path);
	return rc;
}

static void
test_metrics_render_passes_promtool(void **state)
{
	struct sb_status st;
	char out[4096];
	size_t len;
	char *text;
	int rc;

	(void)state;
	if (system("command -v promtool >/dev/null") != 0)
		fail_msg("promtool missing: apt-get install prometheus (scripts/install-deps.sh)");
	sample(&st);
	text = sb_metrics_render(&st, 100000, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	rc = promtool(text, out, sizeof(out));
	if (rc != 0 || out[0] != '\0')
		fail_msg("promtool check metrics (rc %d): %s", rc, out);
	/* A mistake promtool must catch, or the check above proves nothing. */
	rc = promtool("# TYPE switchback_x counter\nswitchback_x 1\n", out, sizeof(out));
	assert_true(rc != 0 || strstr(out, "_total") != NULL);
	free(text);
}

static void
has(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("metrics lack the line \"%s\"", line);
}

static void
test_metrics_render_values(void **state)
{
	struct sb_status st;
	char *text;

	(void)state;
	sample(&st);
	text = sb_metrics_render(&st, 100500, NULL);
	assert_non_null(text);
	has(text, "switchback_wan_up{wan=\"wan1\"} 1");
	has(text, "switchback_xdp_packets_total{port=\"wan1\",verdict=\"drop\",reason=\"blocklist\"} 9");
	has(text, "switchback_xdp_packets_total{port=\"wan1\",verdict=\"redirect\",reason=\"redirect\"} 990");
	assert_null(strstr(text, "switchback_xdp_packets_total{port=\"lan\""));
	has(text, "switchback_wan_up{wan=\"wan2\"} 0");
	has(text, "switchback_wan_state{wan=\"wan2\",state=\"down\"} 1");
	has(text, "switchback_wan_state{wan=\"wan2\",state=\"up\"} 0");
	has(text, "switchback_wan_forced{wan=\"wan2\"} -1");
	has(text, "switchback_wan_in_service{wan=\"wan1\"} 1");
	has(text, "switchback_wan_in_service{wan=\"wan2\"} 0");
	has(text, "switchback_wan_state_changes_total{wan=\"wan1\"} 2");
	has(text, "switchback_wan_state_seconds{wan=\"wan1\"} 13.000");  /* rendered 0.5 s later */
	has(text, "switchback_wan_last_change_timestamp_seconds{wan=\"wan1\"} 1764662387.500");
	has(text, "switchback_wan_sessions_created_total{wan=\"wan1\"} 41");
	has(text, "switchback_monitor_rtt_seconds{wan=\"wan1\",monitor=\"192.0.2.53\"} 0.012345");
	has(text, "switchback_monitor_jitter_seconds{wan=\"wan1\",monitor=\"192.0.2.53\"} 0.000250");
	has(text, "switchback_monitor_loss_ratio{wan=\"wan1\",monitor=\"192.0.2.53\"} 0.10");
	has(text, "switchback_monitor_up{wan=\"wan1\",monitor=\"192.0.2.54\"} 0");
	has(text, "switchback_monitor_probes_sent_total{wan=\"wan1\",monitor=\"192.0.2.53\"} 100");
	has(text, "switchback_monitor_probes_answered_total{wan=\"wan1\",monitor=\"192.0.2.53\"} 90");
	has(text, "switchback_port_receive_packets_total{port=\"lan\",role=\"lan\"} 1000");
	has(text, "switchback_port_receive_bytes_total{port=\"lan\",role=\"lan\"} 64000");
	has(text, "switchback_port_transmit_packets_total{port=\"wan1\",role=\"wan\"} 990");
	has(text, "switchback_port_receive_missed_total{port=\"wan2\",role=\"wan\"} 3");
	has(text, "switchback_drops_total{reason=\"no_route\"} 5");
	has(text, "switchback_drops_total{reason=\"tx_full\"} 0");
	has(text, "switchback_sessions_active 17");
	has(text, "switchback_punted_packets_total 12");
	has(text, "switchback_punts_total{reason=\"arp\"} 9");
	has(text, "switchback_punts_total{reason=\"dhcp\"} 3");
	has(text, "switchback_punts_total{reason=\"ttl_exceeded\"} 0");
	has(text, "switchback_punts_total{reason=\"probe_reply\"} 0");
	has(text, "switchback_wan_sessions_active{wan=\"wan1\"} 6");
	has(text, "switchback_wan_sessions_active{wan=\"wan2\"} 0");
	has(text, "switchback_wan_address_info{wan=\"wan1\",address=\"203.0.113.10/24\","
		  "gateway=\"203.0.113.1\",source=\"dhcp\"} 1");
	has(text, "switchback_wan_address_info{wan=\"wan2\",address=\"198.51.100.2/24\","
		  "gateway=\"\",source=\"static\"} 1");
	has(text, "switchback_wan_dhcp_bound{wan=\"wan1\"} 1");
	has(text, "switchback_wan_dhcp_lease_seconds{wan=\"wan1\"} 120");
	has(text, "switchback_wan_dhcp_lease_remaining_seconds{wan=\"wan1\"} 73.250");
	has(text, "switchback_wan_dhcp_leases_lost_total{wan=\"wan1\"} 1");
	has(text, "switchback_wan_dhcp_address_changes_total{wan=\"wan1\"} 2");
	/* wan2 is static: no DHCP series. */
	assert_null(strstr(text, "switchback_wan_dhcp_bound{wan=\"wan2\""));
	has(text, "switchback_status_age_seconds 0.500");
	/* wan2 has no monitors: no series of its own. */
	assert_null(strstr(text, "monitor{wan=\"wan2\""));
	assert_null(strstr(text, "{wan=\"wan2\",monitor="));
	free(text);
}

/* --- over HTTP ------------------------------------------------------------ */

struct body {
	char *p;
	size_t n;
};

static size_t
collect(char *data, size_t sz, size_t nm, void *arg)
{
	struct body *b = arg;
	char *q = realloc(b->p, b->n + sz * nm + 1);

	if (q == NULL)
		return 0;
	b->p = q;
	memcpy(b->p + b->n, data, sz * nm);
	b->n += sz * nm;
	b->p[b->n] = '\0';
	return sz * nm;
}

/* GET @path; the status code, the body in @b (free it), the type in @ct. */
static long
get(uint16_t port, const char *path, struct body *b, char *ct, size_t ctlen)
{
	CURL *h = curl_easy_init();
	char url[128];
	long code = 0;
	char *type = NULL;

	assert_non_null(h);
	b->p = NULL;
	b->n = 0;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	if (curl_easy_perform(h) != CURLE_OK)
		fail_msg("GET %s failed", url);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
	if (ct != NULL)
		snprintf(ct, ctlen, "%s", type ? type : "");
	curl_easy_cleanup(h);
	return code;
}

static void
test_metrics_http(void **state)
{
	struct sb_metrics *m = sb_metrics_start(0x7f000001, 0);
	struct sb_status st;
	struct body b;
	char ct[128];

	(void)state;
	assert_non_null(m);
	assert_true(sb_metrics_port(m) != 0);
	/* Nothing published yet: not an empty 200 a scraper would believe. */
	assert_int_equal(get(sb_metrics_port(m), "/metrics", &b, NULL, 0), 503);
	free(b.p);
	sample(&st);
	sb_metrics_publish(m, &st);
	assert_int_equal(get(sb_metrics_port(m), "/metrics", &b, ct, sizeof(ct)), 200);
	assert_string_equal(ct, "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(b.p, "\nswitchback_wan_up{wan=\"wan1\"} 1\n"));
	free(b.p);
	assert_int_equal(get(sb_metrics_port(m), "/nope", &b, NULL, 0), 404);
	free(b.p);
	assert_int_equal(sb_metrics_scrapes(m), 2);

	/* The port is taken now: a second server there fails, with errno. */
	{
		struct sb_metrics *m2 = sb_metrics_start(0x7f000001, sb_metrics_port(m));

		assert_null(m2);
		assert_true(errno != 0);
	}
	sb_metrics_stop(m);
}

struct writer {
	struct sb_metrics *m;
	volatile int stop;
	unsigned long n;
};

/* Publish statuses whose counters all hold the same number, as fast as
 * it can. */
static void *
write_loop(void *arg)
{
	struct writer *w = arg;
	struct sb_status *st = malloc(sizeof(*st));

	sample(st);
	while (!w->stop) {
		w->n++;
		st->rx = st->tx = st->forwarded = st->sessions_created = w->n;
		for (unsigned p = 0; p < st->n_ports; p++)
			st->port[p].rx_pkts = w->n;
		sb_metrics_publish(w->m, st);
	}
	free(st);
	return NULL;
}

static unsigned long
value_of(const char *text, const char *series)
{
	char want[256];
	const char *q;

	snprintf(want, sizeof(want), "\n%s ", series);
	q = strstr(text, want);
	if (q == NULL)
		fail_msg("no %s", series);
	return strtoul(q + strlen(want), NULL, 10);
}

static void
test_metrics_scrape_sees_whole_statuses(void **state)
{
	struct writer w = { .m = sb_metrics_start(0x7f000001, 0) };
	pthread_t t;
	unsigned long last = 0;

	(void)state;
	assert_non_null(w.m);
	assert_int_equal(pthread_create(&t, NULL, write_loop, &w), 0);
	/* Until the writer's first publication the endpoint says "starting"
	 * (503); on a loaded machine the thread may not have run yet (n is
	 * counted before each publication: 2 means one is done). */
	for (int i = 0; i < 2000 && __atomic_load_n(&w.n, __ATOMIC_RELAXED) < 2; i++)
		usleep(1000);
	for (int i = 0; i < 50; i++) {
		struct body b;
		unsigned long rx;

		assert_int_equal(get(sb_metrics_port(w.m), "/metrics", &b, NULL, 0), 200);
		rx = value_of(b.p, "switchback_received_packets_total");
		assert_int_equal(value_of(b.p, "switchback_transmitted_packets_total"), rx);
		assert_int_equal(value_of(b.p, "switchback_sessions_created_total"), rx);
		assert_int_equal(value_of(b.p, "switchback_port_receive_packets_total{port=\"wan2\","
					  "role=\"wan\"}"), rx);
		assert_true(rx >= last);
		last = rx;
		free(b.p);
	}
	w.stop = 1;
	pthread_join(t, NULL);
	assert_true(last > 0);
	sb_metrics_stop(w.m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_render_passes_promtool),
		cmocka_unit_test(test_metrics_render_values),
		cmocka_unit_test(test_metrics_http),
		cmocka_unit_test(test_metrics_scrape_sees_whole_statuses),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
