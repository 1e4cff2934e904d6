/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the network probe (probes/net.c) on fixture roots: node_exporter
 * (odd interface names, checked against node_exporter's own output), PCP
 * (48 NICs, an old /proc/net/snmp, missing files), sysstat (interfaces that
 * come and go) and hand-made roots for malformed input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "scratch.h"

#include "sizeup/probe.h"
#include "sizeup/sample.h"

#define NODE FIXTURES "/node_exporter"
#define BIGSYS FIXTURES "/pcp/bigsys-hpbl920gen8"
#define PROCNET FIXTURES "/pcp/procnet-4.15.14-root-001"
#define SINGLE FIXTURES "/pcp/single-files-net"
#define SYSSTAT1 FIXTURES "/sysstat/root1"
#define SYSSTAT4 FIXTURES "/sysstat/root4"

#define NET_DEV_HEADER                                                     \
	"Inter-|   Receive                                                |" \
	"  Transmit\n"                                                     \
	" face |bytes    packets errs drop fifo frame compressed multicast|" \
	"bytes    packets errs drop fifo colls carrier compressed\n"

/* Run the probe once on root. */
static struct sz_sample *
collect(const char *root, enum sz_err *ret)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sz_sample_new();
	enum sz_err err;

	err = sz_probe_net.collect(NULL, ctx, s);
	if (ret != NULL)
		*ret = err;
	sz_ctx_free(ctx);
	return s;
}

static const struct sz_netif *
find_if(const struct sz_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->net.nifs; i++) {
		if (strcmp(s->net.ifs[i].name, name) == 0)
			return &s->net.ifs[i];
	}
	fail_msg("no interface %s", name);
	return NULL;
}

/* The error recorded about file, which must be there exactly once. */
static const struct sz_sample_error *
find_error(const struct sz_sample *s, const char *file)
{
	const struct sz_sample_error *found = NULL;
	size_t i;

	for (i = 0; i < s->nerrors; i++) {
		assert_string_equal(s->errors[i].probe, "net");
		if (strstr(s->errors[i].msg, file) != NULL) {
			assert_null(found);
			found = &s->errors[i];
		}
	}
	if (found == NULL)
		fail_msg("no error about %s", file);
	return found;
}

static void
assert_names(const struct sz_sample *s, const char *const *names, size_t n)
{
	size_t i;

	assert_int_equal(s->net.nifs, n);
	for (i = 0; i < n; i++)
		assert_string_equal(s->net.ifs[i].name, names[i]);
}

/*
 * Every per-interface counter we keep, compared with what node_exporter
 * computed from the same /proc/net/dev (its e2e output at f23a956c).
 */
static void
test_probe_net_node_exporter_matches_expected(void **state)
{
	static const struct {
		const char *metric;
		size_t off;
	} metrics[] = {
		{ "receive_bytes_total", offsetof(struct sz_netif, rx_bytes) },
		{ "receive_packets_total",
		    offsetof(struct sz_netif, rx_packets) },
		{ "receive_errs_total", offsetof(struct sz_netif, rx_errs) },
		{ "receive_drop_total", offsetof(struct sz_netif, rx_drop) },
		{ "transmit_bytes_total", offsetof(struct sz_netif, tx_bytes) },
		{ "transmit_packets_total",
		    offsetof(struct sz_netif, tx_packets) },
		{ "transmit_errs_total", offsetof(struct sz_netif, tx_errs) },
		{ "transmit_drop_total", offsetof(struct sz_netif, tx_drop) },
	};
	struct sz_sample *s = collect(NODE, NULL);
	const struct sz_netif *nif;
	char line[512], metric[64], dev[64];
	size_t i, checked = 0;
	uint64_t got;
	double want;
	FILE *f;

	(void)state;
	assert_true(s->net.valid);
	assert_int_equal(s->net.nifs, 10);
	f = fopen(NODE "/expected/e2e-output-netdev-a71d0bdd-parent.txt", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		/* node_network_<metric>{device="<dev>"} <value> */
		if (sscanf(line,
		    "node_network_%63[a-z_]{device=\"%63[^\"]\"} %lf",
		    metric, dev, &want) != 3)
			continue;
		for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
			if (strcmp(metric, metrics[i].metric) != 0)
				continue;
			nif = find_if(s, dev);
			memcpy(&got, (const char *)nif + metrics[i].off,
			    sizeof(got));
			if ((double)got != want)
				fail_msg("%s %s: %ju, expected %.17g", dev,
				    metric, (uintmax_t)got, want);
			checked++;
		}
	}
	fclose(f);
	assert_int_equal(checked, 10 * 8);
	sz_sample_free(s);
}

static void
test_probe_net_odd_names(void **state)
{
	static const char *const names[] = {
		"tun0", "veth4B09XN", "lo", "eth0", "lxcbr0", "wlan0",
		"docker0", "ibr10:30", "flannel.1", "\xf0\x9f\x92\xa9" "0",
	};
	struct sz_sample *s;
	const struct sz_netif *nif;
	enum sz_err err;

	(void)state;
	s = collect(NODE, &err);
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->nerrors, 0);
	assert_names(s, names, sizeof(names) / sizeof(names[0]));

	/* No blank between the colon and an 11-digit byte count. */
	nif = find_if(s, "eth0");
	assert_int_equal(nif->rx_bytes, 68210035552u);
	assert_int_equal(nif->rx_packets, 520993275);
	assert_int_equal(nif->tx_bytes, 9315587528u);
	assert_int_equal(nif->tx_packets, 43451486);

	nif = find_if(s, "flannel.1");
	assert_int_equal(nif->tx_drop, 64);
	assert_int_equal(nif->tx_errs, 0);
	nif = find_if(s, "\xf0\x9f\x92\xa9" "0");
	assert_int_equal(nif->rx_bytes, 57750104);
	assert_int_equal(nif->tx_packets, 304261);
	sz_sample_free(s);
}

static void
test_probe_net_sysfs_speed(void **state)
{
	struct sz_sample *s;

	(void)state;
	s = collect(NODE, NULL);
	assert_int_equal(find_if(s, "eth0")->speed_mbit, 1000);
	/* No sysfs directory at all. */
	assert_int_equal(find_if(s, "lo")->speed_mbit, -1);
	sz_sample_free(s);

	/* An empty speed file (sysstat's lo). */
	s = collect(SYSSTAT1, NULL);
	assert_int_equal(find_if(s, "enp6s0")->speed_mbit, 1000);
	assert_int_equal(find_if(s, "lo")->speed_mbit, -1);
	assert_int_equal(find_if(s, "virbr0")->speed_mbit, -1);
	sz_sample_free(s);
}

/* What older kernels and drivers print for an unknown speed. */
static void
test_probe_net_speed_unknown_spellings(void **state)
{
	static const struct {
		const char *name, *speed;
		int64_t want;
	} links[] = {
		{ "a", "10000\n", 10000 },
		{ "b", "-1\n", -1 },
		{ "c", "0\n", -1 },
		{ "d", "65535\n", -1 },
		{ "e", "4294967295\n", -1 },
		{ "f", "fast\n", -1 },
	};
	char dev[4096] = NET_DEV_HEADER, relpath[64], line[128];
	struct sz_sample *s;
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(relpath, sizeof(relpath), "sys/class/net/%s/speed",
		    links[i].name);
		scratch_write(*state, relpath, links[i].speed);
		snprintf(line, sizeof(line), "%s: 1 2 3 4 5 6 7 8 "
		    "9 10 11 12 13 14 15 16\n", links[i].name);
		strcat(dev, line);
	}
	/* A '/' in a name must not lead out of sys/class/net. */
	scratch_write(*state, "sys/class/x/speed", "100\n");
	strcat(dev, "../x: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
	scratch_write(*state, "proc/net/dev", dev);

	s = collect(*state, NULL);
	assert_int_equal(s->net.nifs, 7);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		assert_int_equal(find_if(s, links[i].name)->speed_mbit,
		    links[i].want);
	assert_int_equal(find_if(s, "../x")->speed_mbit, -1);
	assert_int_equal(find_if(s, "a")->tx_drop, 12);
	sz_sample_free(s);
}

static void
test_probe_net_tcp_counters(void **state)
{
	struct sz_sample *s = collect(NODE, NULL);

	(void)state;
	assert_true(s->net.tcp_valid);
	assert_int_equal(s->net.tcp_out_segs, 54915039);
	assert_int_equal(s->net.tcp_retrans_segs, 227);
	assert_int_equal(s->net.tcp_curr_estab, 0);
	assert_true(s->net.listen_valid);
	assert_int_equal(s->net.listen_overflows, 0);
	assert_int_equal(s->net.listen_drops, 0);
	sz_sample_free(s);
}

/* 2.6.32's Tcp: has no InCsumErrors; no /proc/net/dev in this root. */
static void
test_probe_net_old_snmp_layout(void **state)
{
	const struct sz_sample_error *e;
	struct sz_sample *s;
	enum sz_err err;

	(void)state;
	s = collect(SINGLE, &err);
	assert_int_equal(err, SZ_ENOENT);
	assert_true(s->net.tcp_valid);
	assert_int_equal(s->net.tcp_out_segs, 137778);
	assert_int_equal(s->net.tcp_retrans_segs, 773);
	assert_int_equal(s->net.tcp_curr_estab, 10);
	assert_true(s->net.listen_valid);
	assert_int_equal(s->net.listen_overflows, 19);
	assert_int_equal(s->net.listen_drops, 20);

	assert_false(s->net.valid);
	assert_int_equal(s->net.nifs, 0);
	assert_null(s->net.ifs);
	assert_int_equal(s->nerrors, 1);
	e = find_error(s, "/proc/net/dev");
	assert_int_equal(e->code, SZ_ENOENT);
	sz_sample_free(s);
}

static void
test_probe_net_missing_snmp(void **state)
{
	struct sz_sample *s;
	enum sz_err err;

	(void)state;
	s = collect(PROCNET, &err);
	assert_int_equal(err, SZ_ENOENT);
	assert_false(s->net.tcp_valid);
	assert_int_equal(find_error(s, "/proc/net/snmp")->code, SZ_ENOENT);
	assert_int_equal(s->nerrors, 1);
	assert_true(s->net.listen_valid);
	assert_int_equal(s->net.listen_overflows, 90);
	assert_int_equal(s->net.listen_drops, 90);
	assert_true(s->net.valid);
	assert_int_equal(s->net.nifs, 9);
	assert_int_equal(find_if(s, "enp0s25")->rx_bytes, 18690974820u);
	assert_int_equal(find_if(s, "lo")->tx_packets, 31020507);
	sz_sample_free(s);
}

static void
test_probe_net_bigsys_48_nics(void **state)
{
	const struct sz_netif *nif;
	struct sz_sample *s;
	char name[32];
	size_t i;

	(void)state;
	s = collect(BIGSYS, NULL);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(s->net.nifs, 49);
	assert_string_equal(s->net.ifs[0].name, "lo");
	assert_int_equal(s->net.ifs[0].rx_bytes, 480);
	for (i = 1; i < s->net.nifs; i++) {
		snprintf(name, sizeof(name), "eth%zu", i - 1);
		assert_string_equal(s->net.ifs[i].name, name);
	}
	nif = find_if(s, "eth0");
	assert_int_equal(nif->rx_bytes, 14948502);
	assert_int_equal(nif->rx_packets, 95077);
	assert_int_equal(nif->tx_bytes, 0);
	assert_int_equal(nif->speed_mbit, -1);
	assert_int_equal(s->net.tcp_out_segs, 9607);
	assert_int_equal(s->net.tcp_retrans_segs, 18);
	assert_int_equal(s->net.tcp_curr_estab, 2);
	assert_true(s->net.listen_valid);
	sz_sample_free(s);
}

/* sysstat's root1 -> root4 step: virbr0-nic and virbr0 leave, enp6s1 and
 * wlp5s1 arrive. */
static void
test_probe_net_interfaces_come_and_go(void **state)
{
	static const char *const names1[] = {
		"lo", "virbr0-nic", "enp6s0", "virbr0", "virbr0-1", "wlp5s0",
	};
	static const char *const names4[] = {
		"lo", "enp6s0", "enp6s1", "virbr0-1", "wlp5s0", "wlp5s1",
	};
	struct sz_sample *s1, *s4;

	(void)state;
	s1 = collect(SYSSTAT1, NULL);
	s4 = collect(SYSSTAT4, NULL);
	assert_names(s1, names1, sizeof(names1) / sizeof(names1[0]));
	assert_names(s4, names4, sizeof(names4) / sizeof(names4[0]));

	assert_int_equal(find_if(s1, "wlp5s0")->rx_drop, 848);
	assert_int_equal(find_if(s1, "enp6s0")->rx_bytes, 205916976);
	assert_int_equal(find_if(s4, "enp6s0")->rx_bytes, 2059169);
	assert_int_equal(find_if(s4, "enp6s1")->speed_mbit, 1000);
	assert_int_equal(find_if(s4, "wlp5s1")->tx_bytes, 250);
	assert_int_equal(find_if(s4, "wlp5s1")->speed_mbit, -1);

	/* Tcp: is there, /proc/net/netstat is not. */
	assert_true(s4->net.tcp_valid);
	assert_int_equal(s4->net.tcp_out_segs, 145504);
	assert_int_equal(s4->net.tcp_retrans_segs, 304);
	assert_int_equal(s4->net.tcp_curr_estab, 3);
	assert_false(s4->net.listen_valid);
	assert_int_equal(s4->nerrors, 1);
	assert_int_equal(find_error(s4, "/proc/net/netstat")->code,
	    SZ_ENOENT);
	sz_sample_free(s1);
	sz_sample_free(s4);
}

static void
test_probe_net_malformed_lines_skipped(void **state)
{
	const struct sz_sample_error *e;
	const struct sz_netif *nif;
	struct sz_sample *s;
	enum sz_err err;

	scratch_write(*state, "proc/net/dev", NET_DEV_HEADER
	    "  eth0: 10 20 0 0 0 0 0 0 30 40 0 0 0 0 0 0\n"
	    "  bad0: 1 2 3\n"
	    "no colon here\n"
	    "\n"
	    ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
	    " big0: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
	    "  neg0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
	    "  x0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16x\n"
	    "  eth1:5 6 7 8 0 0 0 0 9 10 11 12 0 0 0 0\n"
	    "  cut0: 1 2 3 4 5 6 7");

	s = collect(*state, &err);
	assert_true(s->net.valid);
	assert_int_equal(s->net.nifs, 2);
	nif = find_if(s, "eth0");
	assert_int_equal(nif->rx_bytes, 10);
	assert_int_equal(nif->tx_packets, 40);
	nif = find_if(s, "eth1");
	assert_int_equal(nif->rx_bytes, 5);
	assert_int_equal(nif->rx_packets, 6);
	assert_int_equal(nif->rx_errs, 7);
	assert_int_equal(nif->rx_drop, 8);
	assert_int_equal(nif->tx_bytes, 9);
	assert_int_equal(nif->tx_packets, 10);
	assert_int_equal(nif->tx_errs, 11);
	assert_int_equal(nif->tx_drop, 12);

	/* One error for all eight bad lines, plus snmp and netstat. */
	assert_int_equal(s->nerrors, 3);
	e = find_error(s, "/proc/net/dev");
	assert_int_equal(e->code, SZ_EPARSE);
	assert_non_null(strstr(e->msg, "8 malformed"));
	assert_non_null(strstr(e->msg, "line 4"));
	assert_int_equal(err, SZ_ENOENT);
	sz_sample_free(s);
}

static void
test_probe_net_bad_header(void **state)
{
	static const char *const bad[] = {
		"", "garbage\n", NET_DEV_HEADER,
		"Inter-|   Receive   |  Transmit\n",
	};
	struct sz_sample *s;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		scratch_write(*state, "proc/net/dev", bad[i]);
		s = collect(*state, NULL);
		/* A header alone is a host without interfaces. */
		if (i == 2) {
			assert_true(s->net.valid);
			assert_int_equal(s->net.nifs, 0);
		} else {
			assert_false(s->net.valid);
			assert_int_equal(find_error(s, "/proc/net/dev")->code,
			    SZ_EPARSE);
		}
		sz_sample_free(s);
	}
}

static void
test_probe_net_too_many_interfaces(void **state)
{
	size_t n = 4100, i, len;
	struct sz_sample *s;
	char *dev, *p;

	dev = malloc(n * 64 + sizeof(NET_DEV_HEADER));
	assert_non_null(dev);
	p = dev + sprintf(dev, "%s", NET_DEV_HEADER);
	for (i = 0; i < n; i++) {
		len = (size_t)sprintf(p, "veth%zu: %zu 0 0 0 0 0 0 0 "
		    "0 0 0 0 0 0 0 0\n", i, i);
		p += len;
	}
	scratch_write(*state, "proc/net/dev", dev);
	free(dev);

	s = collect(*state, NULL);
	assert_true(s->net.valid);
	assert_int_equal(s->net.nifs, 4096);
	assert_string_equal(s->net.ifs[4095].name, "veth4095");
	assert_int_equal(s->net.ifs[4095].rx_bytes, 4095);
	assert_int_equal(find_error(s, "/proc/net/dev")->code, SZ_ETOOBIG);
	sz_sample_free(s);
}

static void
test_probe_net_bad_counter_pairs(void **state)
{
	static const struct {
		const char *snmp, *why;
	} cases[] = {
		{ "Tcp: OutSegs RetransSegs CurrEstab\n", "no valid Tcp:" },
		{ "Tcp: OutSegs RetransSegs CurrEstab\nUdp: 1 2 3\n",
		    "no valid Tcp:" },
		{ "Tcp: OutSegs RetransSegs CurrEstab\nTcp: 1 x 3\n",
		    "bad or no RetransSegs" },
		{ "Tcp: OutSegs RetransSegs CurrEstab\nTcp: 1 2\n",
		    "bad or no CurrEstab" },
		{ "Tcp: OutSegs RetransSegs\nTcp: 1 2\n",
		    "bad or no CurrEstab" },
		{ "Tcp: OutSegs RetransSegs CurrEstab Z\nTcp: 1 2 3\n",
		    "no valid Tcp:" },
		{ "Tcp: OutSegs RetransSegs CurrEstab\n"
		  "Tcp: 1 2 18446744073709551616\n", "bad or no CurrEstab" },
		{ "TcpExt: OutSegs RetransSegs CurrEstab\nTcpExt: 1 2 3\n",
		    "no valid Tcp:" },
	};
	const struct sz_sample_error *e;
	struct sz_sample *s;
	size_t i;

	scratch_write(*state, "proc/net/netstat",
	    "TcpExt: SyncookiesSent ListenDrops ListenOverflows\n"
	    "TcpExt: 0 7 5\n"
	    "IpExt: InNoRoutes\nIpExt: 0\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scratch_write(*state, "proc/net/snmp", cases[i].snmp);
		s = collect(*state, NULL);
		assert_false(s->net.tcp_valid);
		e = find_error(s, "/proc/net/snmp");
		if (strstr(e->msg, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e->msg,
			    cases[i].why);
		/* Columns found by name, whatever their order. */
		assert_true(s->net.listen_valid);
		assert_int_equal(s->net.listen_overflows, 5);
		assert_int_equal(s->net.listen_drops, 7);
		sz_sample_free(s);
	}
}

static void
test_probe_net_empty_root(void **state)
{
	struct sz_sample *s;
	enum sz_err err;

	s = collect(*state, &err);
	assert_int_equal(err, SZ_ENOENT);
	assert_false(s->net.valid);
	assert_false(s->net.tcp_valid);
	assert_false(s->net.listen_valid);
	assert_int_equal(s->nerrors, 3);
	assert_int_equal(find_error(s, "/proc/net/dev")->code, SZ_ENOENT);
	assert_int_equal(find_error(s, "/proc/net/snmp")->code, SZ_ENOENT);
	assert_int_equal(find_error(s, "/proc/net/netstat")->code, SZ_ENOENT);
	sz_sample_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_net_node_exporter_matches_expected),
		cmocka_unit_test(test_probe_net_odd_names),
		cmocka_unit_test(test_probe_net_sysfs_speed),
		cmocka_unit_test_setup_teardown(
		    test_probe_net_speed_unknown_spellings, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test(test_probe_net_tcp_counters),
		cmocka_unit_test(test_probe_net_old_snmp_layout),
		cmocka_unit_test(test_probe_net_missing_snmp),
		cmocka_unit_test(test_probe_net_bigsys_48_nics),
		cmocka_unit_test(test_probe_net_interfaces_come_and_go),
		cmocka_unit_test_setup_teardown(
		    test_probe_net_malformed_lines_skipped, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test_setup_teardown(test_probe_net_bad_header,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(
		    test_probe_net_too_many_interfaces, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test_setup_teardown(
		    test_probe_net_bad_counter_pairs, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_probe_net_empty_root,
		    scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
