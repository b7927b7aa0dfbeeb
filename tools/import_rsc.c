/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc [--ports PORTS.ini] [--check-interval MS] FILE.rsc
 *
 * Reads a RouterOS v7 export or script and prints a switchback INI on
 * standard output (docs/routeros.md). Every line not translated is
 * reported on standard error with its number. Exit status: 0 everything
 * translated, 1 the INI was printed but some lines were skipped, 2
 * malformed input or no valid INI (nothing printed). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rsc_import.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: switchback-import-rsc [--ports PORTS.ini] [--check-interval MS] FILE.rsc\n"
		"  Prints a switchback INI for a RouterOS v7 export or script (- reads stdin).\n"
		"  --ports PORTS.ini      RouterOS interface -> DPDK device (docs/routeros.md)\n"
		"  --check-interval MS    check-gateway probe interval (default RouterOS's 10000)\n"
		"  Exit: 0 all translated, 1 some lines skipped (reported), 2 errors.\n");
}

static char *
slurp(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *p = malloc(cap);

	while (p != NULL) {
		size_t r = fread(p + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *q = cap < (64u << 20) ? realloc(p, cap * 2) : NULL;

			if (q == NULL) {
				free(p);
				return NULL;
			}
			p = q;
			cap *= 2;
		}
	}
	*len = n;
	return p;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "check-interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rsc_import_opts o = { 0 };
	char *text, *ini = NULL, *end;
	size_t len;
	FILE *f;
	int c, rc;

	while ((c = getopt_long(argc, argv, "p:i:h", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.ports_path = optarg;
			break;
		case 'i':
			errno = 0;
			o.check_interval_ms = (uint32_t)strtoul(optarg, &end, 10);
			if (errno || *end || o.check_interval_ms < 10 || o.check_interval_ms > 3600000) {
				fprintf(stderr, "--check-interval: 10 .. 3600000 ms\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o.src_name = argv[optind];
	f = strcmp(argv[optind], "-") == 0 ? stdin : fopen(argv[optind], "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	text = slurp(f, &len);
	if (f != stdin)
		fclose(f);
	if (text == NULL) {
		fprintf(stderr, "%s: cannot read it (too large or out of memory)\n", argv[optind]);
		return 2;
	}
	rc = rsc_import(text, len, &o, &ini, stderr);
	free(text);
	if (ini != NULL) {
		fputs(ini, stdout);
		free(ini);
	}
	if (rc == RSC_SKIPPED)
		fprintf(stderr, "%s: some lines were not translated (above); the INI holds the rest\n",
			o.src_name);
	else if (rc == RSC_FAILED)
		fprintf(stderr, "%s: not imported (errors above)\n", o.src_name);
	return rc;
}
