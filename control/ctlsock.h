/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the control socket (switchbackctl's server). One command
 * line per connection, one answer, then the server closes. Control
 * thread. */
#ifndef SB_CTLSOCK_H
#define SB_CTLSOCK_H

struct sb_ctl;

/** Open the control socket at @path (unlinking a stale one). 0 or -errno.
 * Main lcore. */
int sb_ctlsock_open(struct sb_ctl *c, const char *path);

/** Serve the clients waiting on the control socket, without blocking the
 * control loop for more than a few milliseconds. A command that changes
 * state (wan down, route set, ...) is applied and marked dirty; its
 * client waits for sb_ctlsock_answer. Control loop. */
void sb_ctlsock_poll(struct sb_ctl *c);

/** Answer the client whose change the loop has just published. Control
 * loop, after publishing. */
void sb_ctlsock_answer(struct sb_ctl *c);

/** Close and unlink the control socket. */
void sb_ctlsock_close(struct sb_ctl *c);

#endif
