/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: RouterOS configuration -> switchback INI
 * (docs/routeros.md says what maps to what). Reads the script with
 * rsc_script, keeps the items of the menus it translates (addresses,
 * interface lists, routes, routing tables, masquerade, PCC mangle,
 * netwatch, ECMP hash policy), applies later set/enable/disable/remove to
 * them, and writes the INI. Every line that is not translated is reported
 * with its number. Host tool code: no EAL. */
#ifndef RSC_IMPORT_H
#define RSC_IMPORT_H

#include <stdint.h>
#include <stdio.h>

/* Exit statuses of the importer (and of rsc_import()). */
enum {
	RSC_OK = 0,        /* everything translated */
	RSC_SKIPPED = 1,   /* an INI was written, but some lines were skipped */
	RSC_FAILED = 2,    /* malformed input or no valid INI: nothing written */
};

struct rsc_import_opts {
	const char *ports_path;     /* PORTS.ini, or NULL */
	const char *src_name;       /* the script's name, for reports */
	uint32_t check_interval_ms; /* 0: RouterOS's 10 s check-gateway interval */
};

/**
 * Translate the RouterOS script @text (@len bytes). Reports go to @err as
 * "NAME:LINE: error|skipped|note: ...". On RSC_OK or RSC_SKIPPED, *@out is
 * the INI text (free() it), validated with switchback's own config loader;
 * on RSC_FAILED *@out is NULL. Any thread.
 */
int rsc_import(const char *text, size_t len, const struct rsc_import_opts *opts,
	       char **out, FILE *err);

#endif
