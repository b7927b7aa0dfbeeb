/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: a C string as the inside of a JSON string (RFC 8259 7),
 * for every JSON the daemon and switchbackctl write. */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Bytes of the well-formed UTF-8 character at @p (1-4), or 0 when @p
 * does not start one (RFC 3629 4: no overlong forms, no surrogates,
 * nothing past U+10FFFF). */
static inline unsigned
sb_utf8_len(const unsigned char *p)
{
	unsigned n, lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (unsigned i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)  /* the NUL ends it too */
			return 0;
	return n;
}

/* Escape @s into @out (@cap bytes with the NUL) as the inside of a JSON
 * string: '"' and '\\' escaped, control characters and DEL as \u00XX,
 * a byte that starts no UTF-8 character as \ufffd (the replacement
 * character), the rest as it is. A string longer than @cap is cut
 * between whole characters and escapes, so what is written is always
 * valid JSON text in UTF-8. Returns the length written. */
static inline size_t
sb_json_escape(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (cap == 0)
		return 0;
	while (*p != '\0') {
		unsigned n = sb_utf8_len(p);
		char esc[8];
		const char *w = esc;
		size_t wl;

		if (n == 0) {
			w = "\\ufffd";
			wl = 6;
			n = 1;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			wl = 2;
		} else if (*p < 0x20 || *p == 0x7f) {
			wl = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *p);
		} else {
			w = (const char *)p;
			wl = n;
		}
		if (o + wl + 1 > cap)
			break;
		memcpy(out + o, w, wl);
		o += wl;
		p += n;
	}
	out[o] = '\0';
	return o;
}

#endif
