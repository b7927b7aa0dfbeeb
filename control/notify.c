/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "notify.h"
#include "clock.h"
#include "json.h"
#include "webhook.h"
#include "sb_log.h"

extern char **environ;

/* Start @hook; its pid in *@pid. Every descriptor above stderr is closed
 * in the child: DPDK's (hugepage and runtime files, device and socket
 * fds) are not close-on-exec, and a hook must hold none of them. The
 * child leads a process group of its own, so a hook that overruns can be
 * killed with whatever it started. */
static int
spawn(const char *hook, const char *event, const char *wan, const char *old_state,
      const char *new_state, const char *reason, pid_t *pid)
{
	char e_event[64], e_wan[64], e_old[64], e_new[64], e_reason[256], e_time[64];
	char *envp[64];
	int n = 0, ret;
	char *argv[] = { "/bin/sh", "-c", (char *)hook, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;

	snprintf(e_event, sizeof(e_event), "SB_EVENT=%s", event);
	snprintf(e_wan, sizeof(e_wan), "SB_WAN=%s", wan);
	snprintf(e_old, sizeof(e_old), "SB_OLD_STATE=%s", old_state);
	snprintf(e_new, sizeof(e_new), "SB_NEW_STATE=%s", new_state);
	snprintf(e_reason, sizeof(e_reason), "SB_REASON=%s", reason);
	snprintf(e_time, sizeof(e_time), "SB_TIME=%ld", (long)time(NULL));
	envp[n++] = e_event;
	envp[n++] = e_wan;
	envp[n++] = e_old;
	envp[n++] = e_new;
	envp[n++] = e_reason;
	envp[n++] = e_time;
	/* Keep PATH and HOME so the hook can find its tools. */
	for (char **e = environ; *e != NULL && n < 62; e++)
		if (strncmp(*e, "PATH=", 5) == 0 || strncmp(*e, "HOME=", 5) == 0)
			envp[n++] = *e;
	envp[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	ret = posix_spawn(pid, "/bin/sh", &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (ret != 0) {
		SB_WARN(WAN, "hook \"%s\" did not start: %s", hook, strerror(ret));
		return -ret;
	}
	return 0;
}

void
sb_hooks_init(struct sb_hooks *h, unsigned max, unsigned timeout_ms)
{
	memset(h, 0, sizeof(*h));
	h->max = max == 0 ? 1 : max > SB_HOOKS_MAX ? SB_HOOKS_MAX : max;
	h->timeout_ms = timeout_ms;
}

int
sb_hooks_run(struct sb_hooks *h, uint64_t now_ms, const char *hook, const char *event,
	     const char *wan, const char *old_state, const char *new_state, const char *reason)
{
	pid_t pid;
	int ret;

	if (h->running == h->max) {
		h->skipped++;
		/* Logged at the 1st, 2nd, 4th... skip: not a flood. */
		if ((h->skipped & (h->skipped - 1)) == 0)
			SB_WARN(WAN, "hook not run for %s %s: %u hooks still running (%lu skipped "
				"so far)", wan, event, h->running, (unsigned long)h->skipped);
		return -EBUSY;
	}
	ret = spawn(hook, event, wan, old_state, new_state, reason, &pid);
	if (ret != 0)
		return ret;
	for (unsigned i = 0; i < SB_HOOKS_MAX; i++)
		if (h->pid[i] == 0) {
			h->pid[i] = pid;
			h->started_ms[i] = now_ms;
			break;
		}
	h->running++;
	h->started++;
	return 0;
}

unsigned
sb_hooks_reap(struct sb_hooks *h, uint64_t now_ms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SB_HOOKS_MAX; i++) {
		int status;
		pid_t r;

		if (h->pid[i] == 0)
			continue;
		r = waitpid(h->pid[i], &status, WNOHANG);
		if (r == 0) {
			if (h->timeout_ms != 0 && now_ms - h->started_ms[i] >= h->timeout_ms &&
			    !(h->killed >> i & 1)) {
				/* The hook and what it started, then reaped
				 * on a later call. */
				kill(-h->pid[i], SIGKILL);
				h->killed |= 1u << i;
				h->timed_out++;
				SB_WARN(WAN, "hook (pid %d) ran past %u ms: killed", (int)h->pid[i],
					h->timeout_ms);
			}
			continue;
		}
		if (r == h->pid[i] && WIFEXITED(status) && WEXITSTATUS(status) != 0)
			SB_WARN(WAN, "hook (pid %d) exited %d", (int)r, WEXITSTATUS(status));
		h->pid[i] = 0;
		h->killed &= ~(1u << i);
		h->running--;
		n++;
	}
	return n;
}

int
sb_notify_run(const char *hook, const char *event, const char *wan, const char *old_state,
	      const char *new_state, const char *reason)
{
	pid_t pid;

	return spawn(hook, event, wan, old_state, new_state, reason, &pid);
}

unsigned
sb_notify_reap(void)
{
	unsigned n = 0;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		n++;
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			SB_WARN(WAN, "hook (pid %d) exited %d", (int)pid, WEXITSTATUS(status));
	}
	return n;
}

void
sb_notify_wan(struct sb_notify *n, const char *event, const char *wan,
	      const char *old_state, const char *new_state, const char *reason, bool in_service)
{
	char body[1024], esc[640];

	if (n->hook != NULL && n->hook[0] != '\0')
		(void)sb_hooks_run(&n->hooks, sb_now_ms(), n->hook, event, wan, old_state,
				   new_state, reason);
	if (n->webhook == NULL)
		return;
	sb_json_escape(reason, esc, sizeof(esc));
	snprintf(body, sizeof(body), "{\"event\": \"%s\", \"wan\": \"%s\", \"old_state\": \"%s\", "
		 "\"new_state\": \"%s\", \"reason\": \"%s\", \"time\": %ld, \"in_service\": %s}",
		 event, wan, old_state, new_state, esc, (long)time(NULL),
		 in_service ? "true" : "false");
	sb_webhook_post(n->webhook, body);
}
