/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: the names an X-macro list gives, looked up by index.
 * SB_NAMES_FN(sb_drop_name, SB_DROP_REASONS, SB_NAME_2OF2) defines
 * const char *sb_drop_name(unsigned i): the second field of the list's
 * i-th entry, "?" past its end. */
#ifndef SB_NAMES_H
#define SB_NAMES_H

#define SB_NAME_2OF2(a, b) b,
#define SB_NAME_2OF3(a, b, c) b,
#define SB_NAME_3OF3(a, b, c) c,

#define SB_NAMES_FN(fn, LIST, PICK)                                           \
	const char *fn(unsigned i)                                              \
	{                                                                       \
		static const char *const names[] = { LIST(PICK) };              \
		return i < sizeof(names) / sizeof(names[0]) ? names[i] : "?";   \
	}

#endif
