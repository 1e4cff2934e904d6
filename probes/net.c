/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network probe.  It copies per-interface byte, packet, error and drop
 * counters from /proc/net/dev, link speeds from /sys/class/net/IF/speed,
 * TCP segment counters from /proc/net/snmp and listen-queue overflows from
 * /proc/net/netstat (all below sz_ctx_root()) into struct sz_net_sample;
 * rates.c turns them into rates.  A missing or malformed file, or a
 * malformed line of /proc/net/dev, is recorded in the sample's errors and
 * the rest is still read.
 */
#include "config.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "net"
#define NET_DEV "proc/net/dev"

/*
 * Beyond any real host (even thousands of containers give one veth each
 * in the host's namespace), and a bound on memory and sysfs reads.
 */
#define MAX_IFS 4096

/*
 * The counters of an interface line in file order: eight receive (bytes
 * packets errs drop fifo frame compressed multicast), then eight transmit
 * (bytes packets errs drop fifo colls carrier compressed).  This layout
 * and the two header lines above it are unchanged since Linux 2.4.
 */
enum {
	RX_BYTES, RX_PACKETS, RX_ERRS, RX_DROP,
	TX_BYTES = 8, TX_PACKETS, TX_ERRS, TX_DROP,
	DEV_NCOLS = 16
};

/*
 * The link speed of ifname in Mbit/s, or -1 when unknown.  Virtual
 * interfaces have no speed file, and a link that is down or a driver
 * without ethtool support fails the read (EINVAL): neither is an error
 * worth reporting.  The kernel's SPEED_UNKNOWN is -1 today, but older
 * kernels and drivers print it as an unsigned 16- or 32-bit value, and
 * some print 0.
 */
static int64_t
link_speed(const char *root, const char *ifname)
{
	char path[sizeof("sys/class/net//speed") + SZ_NAME_MAX];
	enum sz_err err;
	int64_t mbit;

	/* No kernel interface name holds a '/'; never follow one. */
	if (strchr(ifname, '/') != NULL)
		return -1;
	snprintf(path, sizeof(path), "sys/class/net/%s/speed", ifname);
	err = sz_procfs_read_i64(root, path, &mbit);
	if (err || mbit <= 0 || mbit == UINT16_MAX || mbit == UINT32_MAX)
		return -1;
	return mbit;
}

/*
 * One interface line, printed by the kernel as "%6s:%8llu %7llu ...": the
 * name is right-aligned, and a receive byte count wider than its column
 * runs straight into the colon ("eth0:68210035552").  A name may itself
 * hold ':' ("ibr10:30") and any UTF-8, but counters never hold a ':', so
 * the name ends at the last colon of the line.
 */
static enum sz_err
parse_dev_line(const char *line, struct sz_netif *nif)
{
	const char *name = sz_skip_blanks(line), *colon = NULL, *p;
	uint64_t c[DEV_NCOLS];
	enum sz_err err;
	size_t len, i;

	for (p = name; *p != '\n' && *p != '\0'; p++) {
		if (*p == ':')
			colon = p;
	}
	if (colon == NULL || colon == name)
		return SZ_EPARSE;
	len = (size_t)(colon - name);
	if (len >= sizeof(nif->name))
		return SZ_EPARSE;
	p = colon + 1;
	for (i = 0; i < DEV_NCOLS; i++) {
		err = sz_parse_u64(&p, &c[i]);
		if (err)
			return err;
	}
	memcpy(nif->name, name, len);
	nif->name[len] = '\0';
	nif->rx_bytes = c[RX_BYTES];
	nif->rx_packets = c[RX_PACKETS];
	nif->rx_errs = c[RX_ERRS];
	nif->rx_drop = c[RX_DROP];
	nif->tx_bytes = c[TX_BYTES];
	nif->tx_packets = c[TX_PACKETS];
	nif->tx_errs = c[TX_ERRS];
	nif->tx_drop = c[TX_DROP];
	return SZ_OK;
}

/*
 * Fill s->net.ifs from /proc/net/dev.  A malformed line is skipped and
 * counted, and one error names the first of them.
 */
static enum sz_err
read_dev(const char *root, struct sz_sample *s)
{
	size_t nifs = 0, cap = 0, nbad = 0, lineno = 2, bad_lineno = 0;
	enum sz_err err, line_err, bad_err = SZ_OK;
	struct sz_netif *ifs = NULL;
	const char *line, *p;
	char *buf;

	err = sz_procfs_read(root, NET_DEV, &buf, NULL);
	if (err) {
		sz_sample_add_error(s, PROBE, err, "cannot read /%s", NET_DEV);
		return err;
	}
	p = buf;
	line = sz_next_line(buf);
	if (!sz_match_key(&p, "Inter-|") || line == NULL) {
		err = SZ_EPARSE;
		sz_sample_add_error(s, PROBE, err, "/%s: bad header", NET_DEV);
		goto out;
	}
	for (line = sz_next_line(line); line != NULL;
	     line = sz_next_line(line)) {
		lineno++;
		if (nifs == MAX_IFS) {
			sz_sample_add_error(s, PROBE, SZ_ETOOBIG,
			    "/%s: over %d interfaces, the rest left out",
			    NET_DEV, MAX_IFS);
			break;
		}
		if (nifs == cap) {
			cap = cap > 0 ? 2 * cap : 16;
			ifs = sz_xreallocarray(ifs, cap, sizeof(*ifs));
		}
		line_err = parse_dev_line(line, &ifs[nifs]);
		if (line_err) {
			if (nbad++ == 0) {
				bad_err = line_err;
				bad_lineno = lineno;
			}
			continue;
		}
		ifs[nifs].speed_mbit = link_speed(root, ifs[nifs].name);
		nifs++;
	}
	if (nbad > 0)
		sz_sample_add_error(s, PROBE, bad_err,
		    "/%s: skipped %zu malformed line(s), first line %zu",
		    NET_DEV, nbad, bad_lineno);
	s->net.ifs = ifs;
	s->net.nifs = nifs;
	s->net.valid = true;
out:
	free(buf);
	return err;
}

/* A counter wanted from a header/value line pair, and where it goes. */
struct pair_col {
	const char *name;
	uint64_t *out;
};

#define MAX_PAIR_COLS 8

/* The index of the column called name, or ncols. */
static size_t
col_index(const struct pair_col *cols, size_t ncols, const char *name)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (strcmp(cols[i].name, name) == 0)
			break;
	}
	return i;
}

/*
 * The start of the first line of buf that begins with key, just past the
 * key and its colon; NULL when there is none.
 */
static const char *
find_key(const char *buf, const char *key)
{
	const char *line, *p;

	for (line = buf; line != NULL; line = sz_next_line(line)) {
		p = line;
		if (sz_match_key(&p, key))
			return p;
	}
	return NULL;
}

/*
 * /proc/net/snmp and /proc/net/netstat hold two lines per protocol, one
 * of column names and one of values: "Tcp: RtoAlgorithm ... OutSegs ..."
 * then "Tcp: 1 ... 54915039 ...".  Kernels add columns over time (Tcp:
 * InCsumErrors came in 3.10, TcpExt: grows often) and some values are
 * signed (MaxConn is -1), so wanted columns are found by name, parsed as
 * unsigned, and the others are skipped as words.
 * On error *bad is the column at fault, or NULL when the lines are.
 */
static enum sz_err
parse_pair(const char *buf, const char *key, const struct pair_col *cols,
    size_t ncols, uint64_t *vals, const char **bad)
{
	const char *head, *val;
	char name[64], skip[32];
	unsigned int found = 0;
	enum sz_err err;
	size_t i;

	*bad = NULL;
	head = find_key(buf, key);
	val = head != NULL ? sz_next_line(head) : NULL;
	if (val == NULL || !sz_match_key(&val, key))
		return SZ_EPARSE;
	while (sz_parse_word(&head, name, sizeof(name)) == SZ_OK) {
		i = col_index(cols, ncols, name);
		if (i < ncols) {
			err = sz_parse_u64(&val, &vals[i]);
			if (err) {
				*bad = cols[i].name;
				return err;
			}
			found |= 1u << i;
		} else {
			err = sz_parse_word(&val, skip, sizeof(skip));
			if (err)
				return err;
		}
	}
	for (i = 0; i < ncols; i++) {
		if (!(found & 1u << i)) {
			*bad = cols[i].name;
			return SZ_EPARSE;
		}
	}
	return SZ_OK;
}

/*
 * Read the cols of the key line pair in root/relpath into their places
 * and set *valid, or record why not.
 */
static enum sz_err
read_pair(const char *root, const char *relpath, const char *key,
    const struct pair_col *cols, size_t ncols, bool *valid,
    struct sz_sample *s)
{
	uint64_t vals[MAX_PAIR_COLS];
	const char *bad;
	enum sz_err err;
	char *buf;
	size_t i;

	assert(ncols <= MAX_PAIR_COLS);
	err = sz_procfs_read(root, relpath, &buf, NULL);
	if (err) {
		sz_sample_add_error(s, PROBE, err, "cannot read /%s", relpath);
		return err;
	}
	err = parse_pair(buf, key, cols, ncols, vals, &bad);
	free(buf);
	if (err) {
		if (bad != NULL)
			sz_sample_add_error(s, PROBE, err,
			    "/%s: %s: bad or no %s", relpath, key, bad);
		else
			sz_sample_add_error(s, PROBE, err,
			    "/%s: no valid %s: lines", relpath, key);
		return err;
	}
	for (i = 0; i < ncols; i++)
		*cols[i].out = vals[i];
	*valid = true;
	return SZ_OK;
}

/* Returns the first error met; all of them are in the sample. */
static enum sz_err
net_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	const char *root = sz_ctx_root(ctx);
	struct sz_net_sample *net = &s->net;
	const struct pair_col tcp[] = {
		{ "OutSegs", &net->tcp_out_segs },
		{ "RetransSegs", &net->tcp_retrans_segs },
		{ "CurrEstab", &net->tcp_curr_estab },
	};
	const struct pair_col tcpext[] = {
		{ "ListenOverflows", &net->listen_overflows },
		{ "ListenDrops", &net->listen_drops },
	};
	enum sz_err err, first;

	(void)state;
	first = read_dev(root, s);
	err = read_pair(root, "proc/net/snmp", "Tcp", tcp,
	    sizeof(tcp) / sizeof(tcp[0]), &net->tcp_valid, s);
	if (first == SZ_OK)
		first = err;
	err = read_pair(root, "proc/net/netstat", "TcpExt", tcpext,
	    sizeof(tcpext) / sizeof(tcpext[0]), &net->listen_valid, s);
	if (first == SZ_OK)
		first = err;
	return first;
}

const struct sz_probe_ops sz_probe_net = {
	.name = PROBE,
	.collect = net_collect,
};
