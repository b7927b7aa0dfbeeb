/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the DHCP client's parser and state machine (control/dhcp.c)
 * on any frame a WAN port may punt. sb_dhcp_fuzz_one() parses the input as
 * a frame and as a bare DHCP message and hands what parses to a client in
 * every state that takes replies (transaction id, MAC and server made to
 * match). Invariants: a refusal has a named reason; an accepted message
 * is within the limits the client keeps. Leaks are LeakSanitizer reports. */
#include "fuzz_common.h"
#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct sb_dhcp_msg *m)
{
	FUZZ_CHECK(m->type == SB_DHCP_OFFER || m->type == SB_DHCP_ACK || m->type == SB_DHCP_NAK,
		   "type %u", m->type);
	FUZZ_CHECK(m->n_dns <= SB_DHCP_MAX_DNS, "%u dns", m->n_dns);
	FUZZ_CHECK(m->n_csr <= SB_DHCP_MAX_ROUTES + 1, "%u routes", m->n_csr);
	FUZZ_CHECK(!m->has_mask || (m->prefix_len >= 1 && m->prefix_len <= 32), "mask /%u",
		   m->prefix_len);
	for (unsigned i = 0; i < m->n_csr; i++)
		FUZZ_CHECK(m->csr[i].len <= 32 && (m->csr[i].len == 32 ||
			   (m->csr[i].dst & (0xffffffffu >> m->csr[i].len)) == 0),
			   "route %u /%u", i, m->csr[i].len);
	FUZZ_CHECK(memchr(m->message, '\0', sizeof(m->message)) != NULL, "message unterminated");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_dhcp_msg m;
	enum sb_dhcp_refuse r;

	if (size > 9216)
		return 0;
	r = sb_dhcp_fuzz_one(data, size);
	FUZZ_CHECK(r < SB_DHCP_R_MAX, "refusal %d", (int)r);
	FUZZ_CHECK(strcmp(sb_dhcp_refuse_name(r), "?") != 0, "unnamed refusal %d", (int)r);
	if (sb_dhcp_parse_frame(data, size, &m) == SB_DHCP_OK)
		check(&m);
	memset(&m, 0, sizeof(m));
	if (sb_dhcp_parse(data, size, &m) == SB_DHCP_OK)
		check(&m);
	return 0;
}
