/* SPDX-License-Identifier: BSD-3-Clause
 * switchback tests: a configuration given as text, loaded through a
 * temporary file as the daemon loads its own (sb_config_load), and the
 * RIB made from it. */
#ifndef SB_TEST_CONFIG_LOAD_H
#define SB_TEST_CONFIG_LOAD_H

#include "test_common.h"
#include "sb_config.h"
#include "rib.h"

/* A LAN and two WANs, for configurations to start with. */
#define SB_TEST_PORTS "[port lan]\ndevice = d0\naddress = 192.168.1.1/24\n" \
		      "[port wan1]\ndevice = d1\nrole = wan\naddress = 203.0.113.2/24\n" \
		      "[port wan2]\ndevice = d2\nrole = wan\naddress = 198.51.100.2/24\n"

/* @text loaded; NULL when refused, the errors then in @err. */
static inline struct sb_config *
sb_test_config_try(const char *text, char *err, size_t len)
{
	const char *path = sb_test_write_tmp(text);
	struct sb_config *cfg;

	assert_non_null(path);
	cfg = sb_config_load(path, err, len);
	unlink(path);
	return cfg;
}

/* @text loaded; the test fails, the errors named, when it is refused. */
static inline struct sb_config *
sb_test_config(const char *text)
{
	char err[2048];
	struct sb_config *cfg = sb_test_config_try(text, err, sizeof(err));

	if (cfg == NULL)
		fail_msg("config refused: %s", err);
	return cfg;
}

/* The RIB of @cfg; the test fails when it cannot be made. */
static inline struct sb_rib *
sb_test_rib(const struct sb_config *cfg)
{
	struct sb_rib *rib = sb_rib_create(cfg);

	assert_non_null(rib);
	return rib;
}

/* The index of the route named @name in @rib; the test fails without one. */
static inline unsigned
sb_test_route(const struct sb_rib *rib, const char *name)
{
	int i = sb_rib_find(rib, name);

	if (i < 0)
		fail_msg("no route %s", name);
	return (unsigned)i;
}

#endif
