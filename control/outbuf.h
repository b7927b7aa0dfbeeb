/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: a fixed text buffer that answers are appended to, cut (and
 * always NUL-terminated) at its end. Control thread. */
#ifndef SB_OUTBUF_H
#define SB_OUTBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct out {
	char *buf;
	size_t cap, len;
};

static inline void __attribute__((format(printf, 2, 3)))
out(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

#endif
