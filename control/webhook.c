/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the webhook notifier. Control queues JSON bodies (bounded,
 * never blocking); one thread of its own POSTs them with libcurl, retrying
 * with exponential backoff, so a slow or dead HTTP endpoint can never hold
 * the control thread. The thread touches nothing but its queue and its
 * counters (both under its mutex). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "webhook.h"
#include "clock.h"
#include "sb_log.h"

#define QUEUE_LEN 64
#define MAX_BACKOFF_MS 60000

struct sb_webhook {
	char *url;
	unsigned retries, timeout_ms, backoff_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* signalled on a new body and on stop */
	char *q[QUEUE_LEN];
	unsigned head, n;         /* ring: q[head] is the oldest */
	bool stop;
	uint64_t stop_deadline_ms; /* after stop: give up retrying past this */
	struct sb_webhook_stats st;
};

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

/* One attempt: 0 when the endpoint answered 2xx. */
static int
post_once(struct sb_webhook *n, CURL *h, const char *body, long *status, char *why, size_t wl)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	CURLcode rc;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, n->url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)n->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)n->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* Without it an attempt that timed out in name resolution still waits
	 * for the resolver thread (getaddrinfo cannot be cancelled): a DNS
	 * server that never answers would hold the thread, and the stop,
	 * for the resolver's own timeouts (issue 11). With it, the resolver
	 * thread is left to finish alone. */
	curl_easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
#endif
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "switchback");
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdr);
	*status = 0;
	if (rc != CURLE_OK) {
		snprintf(why, wl, "%s", curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (*status < 200 || *status > 299) {
		snprintf(why, wl, "HTTP %ld", *status);
		return -1;
	}
	return 0;
}

static void *
notifier_main(void *arg)
{
	struct sb_webhook *n = arg;
	CURL *h = curl_easy_init();

	pthread_mutex_lock(&n->lock);
	for (;;) {
		char *body;

		while (n->n == 0 && !n->stop)
			pthread_cond_wait(&n->cond, &n->lock);
		if (n->n == 0)
			break;
		body = n->q[n->head];
		n->head = (n->head + 1) % QUEUE_LEN;
		n->n--;
		pthread_mutex_unlock(&n->lock);

		bool done = false;
		char why[128] = "no curl handle";
		long status = 0;
		unsigned tries = 0;

		for (unsigned attempt = 0; h != NULL && attempt <= n->retries; attempt++) {
			tries++;
			if (post_once(n, h, body, &status, why, sizeof(why)) == 0) {
				done = true;
				break;
			}
			if (attempt == n->retries)
				break;
			/* Back off: backoff_ms, then doubling, cut short by a
			 * stop whose grace period is over. */
			uint64_t wait = (uint64_t)n->backoff_ms << (attempt < 7 ? attempt : 7);
			uint64_t until;

			if (wait > MAX_BACKOFF_MS)
				wait = MAX_BACKOFF_MS;
			SB_INFO(WAN, "webhook attempt %u failed (%s), retrying in %lu ms", attempt + 1,
				why, (unsigned long)wait);
			until = sb_now_ms() + wait;
			pthread_mutex_lock(&n->lock);
			n->st.retries++;
			for (;;) {
				uint64_t end = until, now = sb_now_ms();
				struct timespec ts;

				if (n->stop && n->stop_deadline_ms < end)
					end = n->stop_deadline_ms;
				if (now >= end)
					break;
				ts.tv_sec = (time_t)(end / 1000);
				ts.tv_nsec = (long)(end % 1000) * 1000000;
				pthread_cond_timedwait(&n->cond, &n->lock, &ts);
			}
			bool give_up = n->stop && sb_now_ms() >= n->stop_deadline_ms;

			pthread_mutex_unlock(&n->lock);
			if (give_up)
				break;
		}
		if (done)
			SB_INFO(WAN, "webhook delivered (HTTP %ld)", status);
		else
			SB_WARN(WAN, "webhook not delivered after %u attempt(s)%s: %s", tries,
				tries <= n->retries ? " (stopping)" : "", why);
		free(body);
		pthread_mutex_lock(&n->lock);
		if (done)
			n->st.delivered++;
		else
			n->st.failed++;
		if (n->stop && sb_now_ms() >= n->stop_deadline_ms) {
			/* Out of time: what is left is dropped. */
			while (n->n > 0) {
				free(n->q[n->head]);
				n->head = (n->head + 1) % QUEUE_LEN;
				n->n--;
				n->st.dropped++;
			}
		}
	}
	pthread_mutex_unlock(&n->lock);
	if (h != NULL)
		curl_easy_cleanup(h);
	return NULL;
}

struct sb_webhook *
sb_webhook_start(const char *url, unsigned retries, unsigned timeout_ms, unsigned backoff_ms)
{
	struct sb_webhook *n = calloc(1, sizeof(*n));
	int ret;

	if (n == NULL)
		return NULL;
	n->url = strdup(url);
	n->retries = retries;
	n->timeout_ms = timeout_ms;
	n->backoff_ms = backoff_ms;
	if (n->url == NULL) {
		free(n);
		errno = ENOMEM;
		return NULL;
	}
	/* Before any other thread uses curl (it is not thread-safe). */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_condattr_t ca;

	pthread_mutex_init(&n->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->cond, &ca);
	pthread_condattr_destroy(&ca);
	ret = pthread_create(&n->thread, NULL, notifier_main, n);
	if (ret != 0) {
		pthread_cond_destroy(&n->cond);
		pthread_mutex_destroy(&n->lock);
		free(n->url);
		free(n);
		curl_global_cleanup();
		errno = ret;
		return NULL;
	}
	pthread_setname_np(n->thread, "sb-notify");
	return n;
}

int
sb_webhook_post(struct sb_webhook *n, const char *json)
{
	char *copy;
	int ret = 0;
	uint64_t dropped = 0;

	if (n == NULL)
		return -EINVAL;
	copy = strdup(json);
	if (copy == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&n->lock);
	if (n->n == QUEUE_LEN || n->stop) {
		dropped = ++n->st.dropped;
		ret = -ENOBUFS;
	} else {
		n->q[(n->head + n->n) % QUEUE_LEN] = copy;
		n->n++;
		n->st.queued++;
		copy = NULL;
		pthread_cond_signal(&n->cond);
	}
	pthread_mutex_unlock(&n->lock);
	free(copy);
	/* Logged at the 1st, 2nd, 4th, 8th... drop: the log is not a flood. */
	if (ret != 0 && (dropped & (dropped - 1)) == 0)
		SB_WARN(WAN, "webhook queue full: notification dropped (%lu so far)",
			(unsigned long)dropped);
	return ret;
}

void
sb_webhook_stats_get(struct sb_webhook *n, struct sb_webhook_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	*s = n->st;
	pthread_mutex_unlock(&n->lock);
}

void
sb_webhook_stop(struct sb_webhook *n, unsigned grace_ms)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	n->stop_deadline_ms = sb_now_ms() + grace_ms;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	/* Bounded: an attempt lasts at most timeout_ms, backoffs end at
	 * the deadline. Should libcurl still overrun it (a resolver it has
	 * to wait for), the thread is left behind with what it uses: the
	 * process is on its way out. */
	{
		uint64_t end = sb_now_ms() + grace_ms + n->timeout_ms + 1000;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)((end - sb_now_ms()) / 1000);
		ts.tv_nsec += (long)((end - sb_now_ms()) % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(n->thread, NULL, &ts) != 0) {
			SB_WARN(WAN, "webhook: the notifier thread overran its stop (%u ms): "
				"left behind", grace_ms + n->timeout_ms + 1000);
			pthread_detach(n->thread);
			return;
		}
	}
	while (n->n > 0) {
		free(n->q[n->head]);
		n->head = (n->head + 1) % QUEUE_LEN;
		n->n--;
	}
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n->url);
	free(n);
	curl_global_cleanup();
}
