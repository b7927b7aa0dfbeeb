/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: AF_XDP ports and switchback's XDP program (see xdp.h). */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xdp.h"
#include "xdpconf.h"
#include "sb_log.h"

/* Where meson put the program, and where `meson install` puts it. */
#ifndef SB_XDP_PROGRAM_BUILD
#define SB_XDP_PROGRAM_BUILD ""
#endif
#ifndef SB_XDP_PROGRAM_INSTALL
#define SB_XDP_PROGRAM_INSTALL "/usr/local/share/switchback/sb_xdp.o"
#endif

/* The kernel puts a received frame XDP_PACKET_HEADROOM bytes into the
 * chunk after the headroom the PMD declares (mbuf header and
 * RTE_PKTMBUF_HEADROOM): what is left of an mbuf's data room is the
 * largest frame an AF_XDP port can take. */
#define SB_XDP_HEADROOM 256
#define SB_XDP_MAX_FRAME (RTE_MBUF_DEFAULT_DATAROOM - SB_XDP_HEADROOM)

struct xport {
	bool on;
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t prog_id;
	bool native;
	int mgmt_fd, block_fd, stats_fd, probes_fd;
	int probe_sock;            /* the probe replies passed to the kernel, or -1 */
};

struct sb_xdp {
	unsigned n_ports;
	int ncpu;
	struct xport port[SB_MAX_PORTS];
};

static long
sys_long(const char *ifname, const char *what)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The combined channels @ifname has (ETHTOOL_GCHANNELS), what DPDK's
 * AF_XDP PMD counts queues by: 1 when it has none (a veth). */
static unsigned
combined_channels(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned n = 1;

	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0 && ch.max_combined != 0)
		n = ch.max_combined;
	close(fd);
	return n;
}

/* Real rx queues of @ifname (the rx-N folders sysfs shows). */
static int
rx_queues(const char *ifname)
{
	char path[128];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "rx-", 3) == 0)
			n++;
	closedir(d);
	return n;
}

static const char *
program_path(const struct sb_config *cfg)
{
	if (cfg->xdp_program[0] != '\0')
		return cfg->xdp_program;
	if (SB_XDP_PROGRAM_BUILD[0] != '\0' && access(SB_XDP_PROGRAM_BUILD, R_OK) == 0)
		return SB_XDP_PROGRAM_BUILD;
	return SB_XDP_PROGRAM_INSTALL;
}

/* Name of BPF program @id, or "?". */
static void
prog_name(uint32_t id, char *name, size_t len)
{
	struct bpf_prog_info info = { 0 };
	uint32_t ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(name, len, "?");
	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) == 0)
		snprintf(name, len, "%s", info.name);
	close(fd);
}

static int
check_af_xdp(const struct sb_port_conf *pc, const char *ifname, const char *prog,
	     unsigned queues, char *err, size_t errlen)
{
	int ifindex = (int)if_nametoindex(ifname);
	uint32_t id = 0;
	long mtu;
	int nq;
	struct statfs fs;

	if (ifindex == 0) {
		snprintf(err, errlen, "[port %s] device: no interface \"%s\" in this network "
			 "namespace", pc->name, ifname);
		return -ENODEV;
	}
	if (access(prog, R_OK) != 0) {
		snprintf(err, errlen, "[port %s] device: cannot read switchback's XDP program %s: "
			 "%s (build it with meson compile, or name it with [xdp] program)",
			 pc->name, prog, strerror(errno));
		return -ENOENT;
	}
	mtu = sys_long(ifname, "mtu");
	if (mtu > 0 && mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN > SB_XDP_MAX_FRAME) {
		snprintf(err, errlen, "[port %s] device: MTU %ld of %s is too large for AF_XDP "
			 "here: a frame must fit the %d bytes an mbuf has left after XDP's "
			 "%d-byte headroom; set it to %d or less (ip link set dev %s mtu 1500)",
			 pc->name, mtu, ifname, SB_XDP_MAX_FRAME, SB_XDP_HEADROOM,
			 SB_XDP_MAX_FRAME - RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN, ifname);
		return -EINVAL;
	}
	if (bpf_xdp_query_id(ifindex, 0, &id) == 0 && id != 0) {
		char name[BPF_OBJ_NAME_LEN];

		prog_name(id, name, sizeof(name));
		snprintf(err, errlen, "[port %s] device: %s already has an XDP program attached "
			 "(id %u, %s): another switchback, or one that crashed, left it; detach "
			 "it with: ip link set dev %s xdp off", pc->name, ifname, id, name, ifname);
		return -EBUSY;
	}
	if (queues > 1 && combined_channels(ifname) < queues) {
		snprintf(err, errlen, "[port %s] device: %u workers need %u AF_XDP queues and %s has "
			 "%u combined channel(s), which is what DPDK's AF_XDP driver counts (a veth "
			 "has none, whatever its rx queues): give it %u (ethtool -L %s combined %u), "
			 "use af_packet:%s (the kernel's fanout spreads flows over the workers' "
			 "queues), or lower [switchback] workers", pc->name, queues, queues, ifname,
			 combined_channels(ifname), queues, ifname, queues, ifname);
		return -EINVAL;
	}
	nq = rx_queues(ifname);
	if (nq >= 0 && (unsigned)nq != queues) {
		snprintf(err, errlen, "[port %s] device: %s has %d rx queues and switchback's %u "
			 "worker(s) take %u: what the NIC spread to others would be dropped "
			 "(counted no_socket), and it cannot spread to queues it lacks; give it %u: "
			 "ethtool -L %s combined %u (a veth: create it with numrxqueues %u "
			 "numtxqueues %u)", pc->name, ifname, nq, queues, queues, queues, ifname,
			 queues, queues, queues);
		return -EINVAL;
	}
	/* The PMD loads our object with libbpf and does not pin it: bpffs is
	 * only what libxdp wants for its own default program. Say so, once. */
	if (statfs("/sys/fs/bpf", &fs) != 0 || fs.f_type != BPF_FS_MAGIC)
		SB_INFO(PORT, "port %s: no bpffs at /sys/fs/bpf (not needed for switchback's "
			"program; libxdp warns about it)", pc->name);
	return 0;
}

int
sb_xdp_devargs(const struct sb_config *cfg, unsigned idx, unsigned queues, char *out,
	       size_t outlen, char *err, size_t errlen)
{
	const struct sb_port_conf *pc = &cfg->ports[idx];
	char ifname[IF_NAMESIZE], why[256];
	enum sb_devkind kind;
	const char *prog;
	int ret;

	if (sb_xdpconf_device(pc->device, &kind, ifname, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "[port %s] device: %s", pc->name, why);
		return -EINVAL;
	}
	switch (kind) {
	case SB_DEV_AF_PACKET:
		/* Several queues: PACKET_FANOUT (hash) spreads flows over them.
		 * 2048 frames a ring (the PMD's default is 512): the kernel
		 * fills it while a worker is descheduled, and what does not
		 * fit is lost uncounted. */
		snprintf(out, outlen, "net_af_packet_%s,iface=%s,qpairs=%u,framecnt=2048", pc->name,
			 ifname, queues);
		return 0;
	case SB_DEV_AF_XDP:
		prog = program_path(cfg);
		ret = check_af_xdp(pc, ifname, prog, queues, err, errlen);
		if (ret != 0)
			return ret;
		/* busy_budget=0: no preferred busy polling (the PMD's default
		 * is 64: each empty poll a recvfrom() in which the kernel runs
		 * the interface's receive on the worker's CPU). */
		if ((size_t)snprintf(out, outlen, "net_af_xdp_%s,iface=%s,start_queue=0,"
				     "queue_count=%u,xdp_prog=%s%s", pc->name, ifname, queues,
				     prog, cfg->xdp_busy_poll ? "" : ",busy_budget=0") >= outlen) {
			snprintf(err, errlen, "[port %s] device: devargs too long (the XDP "
				 "program's path %s)", pc->name, prog);
			return -ENAMETOOLONG;
		}
		return 0;
	default:
		snprintf(out, outlen, "%s", pc->device);
		return 0;
	}
}

int
sb_xdp_pool_check(const struct rte_mempool *mp, char *err, size_t errlen)
{
	if (mp->nb_mem_chunks != 1) {
		snprintf(err, errlen, "the mbuf pool %s lies in %u memory chunks: AF_XDP registers "
			 "one chunk as its UMEM; give the EAL hugepages or more memory (-m) so the "
			 "pool fits one", mp->name, mp->nb_mem_chunks);
		return -EINVAL;
	}
	return 0;
}

/* The fd of @prog_id's map named @name, or -1. */
static int
map_by_name(uint32_t prog_id, const char *name)
{
	struct bpf_prog_info info = { 0 };
	uint32_t ilen = sizeof(info), ids[16];
	int pfd = bpf_prog_get_fd_by_id(prog_id), fd = -1;

	if (pfd < 0)
		return -1;
	info.nr_map_ids = 16;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(pfd, &info, &ilen) != 0)
		goto out;
	for (uint32_t i = 0; i < info.nr_map_ids && i < 16 && fd < 0; i++) {
		struct bpf_map_info mi = { 0 };
		uint32_t mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		if (mfd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen) == 0 && strcmp(mi.name, name) == 0)
			fd = mfd;
		else
			close(mfd);
	}
out:
	close(pfd);
	return fd;
}

static int
mgmt_put(struct xport *xp, uint32_t addr, uint8_t proto, uint16_t port, uint32_t bits)
{
	struct sb_xdp_mgmt_key k = { .addr = htonl(addr), .proto = proto, .port = htons(port) };
	uint32_t v = 0;

	/* Bits add up: a port rule's FRAGS and a protocol rule's MATCH may
	 * share the (addr, proto, 0) key. */
	(void)bpf_map_lookup_elem(xp->mgmt_fd, &k, &v);
	v |= bits;
	return bpf_map_update_elem(xp->mgmt_fd, &k, &v, BPF_ANY);
}

static int
fill_mgmt(struct xport *xp, const struct sb_port_conf *pc)
{
	int ret = 0;

	for (unsigned i = 0; i < pc->n_mgmt && ret == 0; i++) {
		const struct sb_mgmt_conf *m = &pc->mgmt[i];

		ret = mgmt_put(xp, m->addr, m->proto, m->port, SB_XDP_MGMT_MATCH);
		if (ret == 0 && m->port != 0)
			ret = mgmt_put(xp, m->addr, m->proto, 0, SB_XDP_MGMT_FRAGS);
		/* The kernel must answer ARP for its own address. */
		if (ret == 0)
			ret = mgmt_put(xp, m->addr, SB_XDP_PROTO_ARP, 0, SB_XDP_MGMT_MATCH);
	}
	return ret;
}

/* A packet socket on @xp's interface taking only the frames the program
 * marked as probe replies for the kernel (Ethernet destination
 * SB_XDP_PROBE_MAC), never what the port sends; non-blocking. -1 (and
 * the program keeps giving the replies to the socket's ring) when it
 * cannot be made. */
static int
probe_socket(const struct xport *xp, const char *name)
{
	static const uint8_t mark[ETH_ALEN] = SB_XDP_PROBE_MAC;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 (uint32_t)mark[0] << 24 | (uint32_t)mark[1] << 16 | (uint32_t)mark[2] << 8 |
			 mark[3], 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)mark[4] << 8 | mark[5], 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 256),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = xp->ifindex };
	int one = 1, fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	char junk[64];

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		SB_WARN(PORT, "port %s: no packet socket for probe replies on %s (%s): they share "
			"the AF_XDP socket's ring with the traffic", name, xp->ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* What came before the filter (on any interface, before bind). */
	while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	return fd;
}

/* Write the program's settings (sb_xdp_conf) from @cfg. */
static int
write_conf(uint32_t prog_id, const struct sb_config *cfg)
{
	struct sb_xdp_conf v = { .syn_per_s = cfg->xdp_syn_per_source };
	uint32_t zero = 0;
	int fd = map_by_name(prog_id, SB_XDP_MAP_CONF), ret;

	if (fd < 0)
		return -ENOENT;
	ret = bpf_map_update_elem(fd, &zero, &v, BPF_ANY) != 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int
open_port(struct sb_xdp *x, unsigned p, const struct sb_config *cfg, const char *ifname,
	  char *err, size_t errlen)
{
	const struct sb_port_conf *pc = &cfg->ports[p];
	struct xport *xp = &x->port[p];
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char name[BPF_OBJ_NAME_LEN];
	int ret;

	xp->mgmt_fd = xp->block_fd = xp->stats_fd = xp->probes_fd = -1;
	snprintf(xp->ifname, sizeof(xp->ifname), "%s", ifname);
	xp->ifindex = (int)if_nametoindex(ifname);
	if (xp->ifindex == 0 || bpf_xdp_query(xp->ifindex, 0, &q) != 0 || q.prog_id == 0) {
		snprintf(err, errlen, "[port %s] device: no XDP program on %s after the PMD "
			 "started it", pc->name, ifname);
		return -ENOENT;
	}
	xp->prog_id = q.prog_id;
	xp->native = q.attach_mode == XDP_ATTACHED_DRV || q.attach_mode == XDP_ATTACHED_HW;
	prog_name(q.prog_id, name, sizeof(name));
	xp->mgmt_fd = map_by_name(q.prog_id, SB_XDP_MAP_MGMT);
	xp->block_fd = map_by_name(q.prog_id, SB_XDP_MAP_BLOCK);
	xp->stats_fd = map_by_name(q.prog_id, SB_XDP_MAP_STATS);
	xp->probes_fd = map_by_name(q.prog_id, SB_XDP_MAP_PROBES);
	if (xp->mgmt_fd < 0 || xp->block_fd < 0 || xp->stats_fd < 0 || xp->probes_fd < 0) {
		snprintf(err, errlen, "[port %s] device: the XDP program on %s (id %u, %s) is not "
			 "switchback's: no %s, %s, %s and %s maps", pc->name, ifname, q.prog_id, name,
			 SB_XDP_MAP_MGMT, SB_XDP_MAP_BLOCK, SB_XDP_MAP_STATS, SB_XDP_MAP_PROBES);
		return -EINVAL;
	}
	ret = write_conf(q.prog_id, cfg);
	if (ret != 0) {
		snprintf(err, errlen, "[xdp] syn_per_source: cannot set it in the XDP program on %s "
			 "(id %u, %s): %s%s", ifname, q.prog_id, name, strerror(-ret),
			 ret == -ENOENT ? " (no " SB_XDP_MAP_CONF " map: an older sb_xdp.o? "
			 "[xdp] program names the object)" : "");
		return ret;
	}
	xp->on = true;
	if (pc->role == SB_ROLE_WAN)
		xp->probe_sock = probe_socket(xp, pc->name);
	if (fill_mgmt(xp, pc) != 0) {
		snprintf(err, errlen, "[port %s] management: cannot fill %s: %s", pc->name,
			 SB_XDP_MAP_MGMT, strerror(errno));
		return -errno;
	}
	if (!xp->native)
		SB_WARN(PORT, "port %s: XDP program on %s in generic (skb) mode: the driver has "
			"no native XDP, every frame costs an skb before the program sees it",
			pc->name, ifname);
	SB_INFO(PORT, "port %s: XDP program %s (id %u) on %s in %s mode, %u management "
		"entr%s, TCP SYNs at most %u a second per source share%s", pc->name, name,
		q.prog_id, ifname, xp->native ? "native" : "generic", pc->n_mgmt,
		pc->n_mgmt == 1 ? "y" : "ies", cfg->xdp_syn_per_source,
		cfg->xdp_syn_per_source == 0 ? " (0: not policed)" : "");
	return 0;
}

struct sb_xdp *
sb_xdp_open(const struct sb_config *cfg, char *err, size_t errlen)
{
	struct sb_xdp *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		snprintf(err, errlen, "xdp: out of memory");
		return NULL;
	}
	x->n_ports = cfg->n_ports;
	x->ncpu = libbpf_num_possible_cpus();
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		char ifname[IF_NAMESIZE], why[256];
		enum sb_devkind kind;

		x->port[p].mgmt_fd = x->port[p].block_fd = x->port[p].stats_fd = -1;
		x->port[p].probes_fd = x->port[p].probe_sock = -1;
		if (sb_xdpconf_device(cfg->ports[p].device, &kind, ifname, why, sizeof(why)) != 0 ||
		    kind != SB_DEV_AF_XDP)
			continue;
		if (open_port(x, p, cfg, ifname, err, errlen) != 0)
			goto fail;
	}
	for (unsigned i = 0; i < cfg->n_block; i++) {
		int ret = sb_xdp_block(x, true, cfg->block[i].addr, cfg->block[i].len);

		if (ret != 0 && ret != -ENODEV) {
			snprintf(err, errlen, "[xdp] block: cannot add %u.%u.%u.%u/%u: %s",
				 cfg->block[i].addr >> 24, (cfg->block[i].addr >> 16) & 255,
				 (cfg->block[i].addr >> 8) & 255, cfg->block[i].addr & 255,
				 cfg->block[i].len, strerror(-ret));
			goto fail;
		}
	}
	return x;
fail:
	sb_xdp_close(x);
	return NULL;
}

void
sb_xdp_close(struct sb_xdp *x)
{
	if (x == NULL)
		return;
	for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
		if (x->port[p].mgmt_fd >= 0)
			close(x->port[p].mgmt_fd);
		if (x->port[p].block_fd >= 0)
			close(x->port[p].block_fd);
		if (x->port[p].stats_fd >= 0)
			close(x->port[p].stats_fd);
		if (x->port[p].probes_fd >= 0)
			close(x->port[p].probes_fd);
		if (x->port[p].probe_sock >= 0)
			close(x->port[p].probe_sock);
	}
	free(x);
}

bool
sb_xdp_port(const struct sb_xdp *x, unsigned p)
{
	return x != NULL && p < SB_MAX_PORTS && x->port[p].on;
}

const char *
sb_xdp_mode(const struct sb_xdp *x, unsigned p)
{
	return !sb_xdp_port(x, p) ? "-" : x->port[p].native ? "native" : "generic";
}

int
sb_xdp_probe(struct sb_xdp *x, unsigned p, unsigned idx, uint32_t target, uint16_t seq,
	     uint64_t cookie)
{
	struct sb_xdp_probe v = { .target = htonl(target), .seq = htons(seq),
				  .live = SB_XDP_PROBE_TO_SOCKET, .cookie = cookie };
	uint32_t k = idx % SB_XDP_PROBES;

	if (!sb_xdp_port(x, p))
		return 0;
	if (x->port[p].probe_sock >= 0)
		v.live = SB_XDP_PROBE_TO_KERNEL;
	return bpf_map_update_elem(x->port[p].probes_fd, &k, &v, BPF_ANY) == 0 ? 0 : -errno;
}

unsigned
sb_xdp_probe_replies(struct sb_xdp *x,
		     void (*fn)(void *arg, unsigned port, const uint8_t *frame, unsigned len),
		     void *arg)
{
	unsigned got = 0;

	if (x == NULL)
		return 0;
	for (unsigned p = 0; p < x->n_ports && p < SB_MAX_PORTS; p++) {
		int fd = x->port[p].probe_sock;

		for (unsigned i = 0; fd >= 0 && i < 64; i++) {
			uint8_t f[256];
			ssize_t n = recv(fd, f, sizeof(f), MSG_DONTWAIT);

			if (n < 0)
				break;
			fn(arg, p, f, (unsigned)n);
			got++;
		}
	}
	return got;
}

int
sb_xdp_arp_probe(struct sb_xdp *x, unsigned p, uint32_t target)
{
	if (!sb_xdp_port(x, p) || x->port[p].probe_sock < 0)
		return 0;
	return mgmt_put(&x->port[p], target, SB_XDP_PROTO_ARP_PROBE, 0, SB_XDP_MGMT_MATCH) == 0 ?
	       0 : -errno;
}

int
sb_xdp_block(struct sb_xdp *x, bool add, uint32_t addr, uint8_t len)
{
	struct sb_xdp_block_key k = { .prefixlen = len,
				      .addr = htonl(len ? addr & (0xffffffffu << (32 - len)) : 0) };
	struct sb_xdp_block_val v = { 0 };
	bool any = false;
	int ret = 0;

	for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
		if (!x->port[p].on)
			continue;
		any = true;
		if (add) {
			/* Keep the hits of an entry already there. */
			if (bpf_map_update_elem(x->port[p].block_fd, &k, &v, BPF_NOEXIST) != 0 &&
			    errno != EEXIST)
				ret = -errno;
		} else if (bpf_map_delete_elem(x->port[p].block_fd, &k) != 0) {
			ret = -errno;
		}
	}
	return any ? ret : -ENODEV;
}

size_t
sb_xdp_block_print(const struct sb_xdp *x, bool json, char *buf, size_t len)
{
	static const char close[] = "]}\n";
	struct sb_xdp_block_key k, next;
	const struct xport *first = NULL;
	size_t n = 0, full = len;
	void *prev = NULL;

	for (unsigned p = 0; p < SB_MAX_PORTS && first == NULL; p++)
		if (x->port[p].on)
			first = &x->port[p];
	if (first == NULL || len < sizeof(close) + 16)
		return 0;
	buf[0] = '\0';
	if (json) {
		/* Room kept for the closing brackets, whatever fits before. */
		len -= sizeof(close) - 1;
		n = (size_t)snprintf(buf, len, "{\"blocks\": [");
	}
	/* Every port holds the same list: walk the first, sum the hits. */
	while (bpf_map_get_next_key(first->block_fd, prev, &next) == 0) {
		uint64_t hits = 0;
		char a[INET_ADDRSTRLEN];
		int w;

		for (unsigned p = 0; p < SB_MAX_PORTS; p++) {
			struct sb_xdp_block_val v;

			if (x->port[p].on && bpf_map_lookup_elem(x->port[p].block_fd, &next, &v) == 0)
				hits += v.hits;
		}
		inet_ntop(AF_INET, &next.addr, a, sizeof(a));
		if (json)
			w = snprintf(buf + n, len - n, "%s{\"prefix\": \"%s/%u\", \"hits\": %lu}",
				     prev != NULL ? ", " : "", a, next.prefixlen, (unsigned long)hits);
		else
			w = snprintf(buf + n, len - n, "%s/%u hits %lu\n", a, next.prefixlen,
				     (unsigned long)hits);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
		k = next;
		prev = &k;
	}
	if (json)
		n += (size_t)snprintf(buf + n, full - n, "%s", close);
	return n;
}

int
sb_xdp_counts(const struct sb_xdp *x, unsigned p, struct sb_xdp_count out[SB_XDP_REASON_MAX])
{
	if (!sb_xdp_port(x, p))
		return -ENODEV;
	struct sb_xdp_count per_cpu[x->ncpu];

	for (uint32_t r = 0; r < SB_XDP_REASON_MAX; r++) {
		out[r].packets = out[r].bytes = 0;
		if (bpf_map_lookup_elem(x->port[p].stats_fd, &r, per_cpu) != 0)
			return -errno;
		for (int c = 0; c < x->ncpu; c++) {
			out[r].packets += per_cpu[c].packets;
			out[r].bytes += per_cpu[c].bytes;
		}
	}
	return 0;
}
