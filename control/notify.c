/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "notify.h"
#include "webhook.h"
#include "sb_log.h"

extern char **environ;

int
sb_notify_run(const char *hook, const char *event, const char *wan, const char *old_state,
	      const char *new_state, const char *reason)
{
	char e_event[64], e_wan[64], e_old[64], e_new[64], e_reason[256], e_time[64];
	char *envp[64];
	int n = 0, ret;
	pid_t pid;
	char *argv[] = { "/bin/sh", "-c", (char *)hook, NULL };

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
	ret = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, envp);
	if (ret != 0) {
		SB_WARN(WAN, "hook \"%s\" did not start: %s", hook, strerror(ret));
		return -ret;
	}
	return 0;
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
sb_notify_wan(const struct sb_notify *n, const char *event, const char *wan,
	      const char *old_state, const char *new_state, const char *reason, bool in_service)
{
	char body[1024], esc[640];

	if (n->hook != NULL && n->hook[0] != '\0')
		sb_notify_run(n->hook, event, wan, old_state, new_state, reason);
	if (n->webhook == NULL)
		return;
	sb_json_escape(reason, esc, sizeof(esc));
	snprintf(body, sizeof(body), "{\"event\": \"%s\", \"wan\": \"%s\", \"old_state\": \"%s\", "
		 "\"new_state\": \"%s\", \"reason\": \"%s\", \"time\": %ld, \"in_service\": %s}",
		 event, wan, old_state, new_state, esc, (long)time(NULL),
		 in_service ? "true" : "false");
	sb_notifier_post(n->webhook, body);
}
