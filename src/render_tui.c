/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drawing the screen of `sizeup top` from one const report (see tui.h):
 * the verdict, the cores, memory, disks, interfaces, the hottest processes
 * with their hottest thread, a status line, and the help, evidence and
 * sort overlays.  Rows are shared out by priority so that any screen, down
 * to one line, shows the most important blocks whole and clips the rest;
 * nothing is ever written past the right edge, so the terminal never
 * wraps or scrolls.
 *
 * Every string goes through sz_str_sanitize() and then fit(), which counts
 * columns, not bytes, and turns what an ASCII terminal or the locale
 * cannot show into '?': a process name cannot send an escape sequence to
 * the terminal or shift the layout.
 */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sizeup/render.h"
#include "sizeup/strsafe.h"
#include "sizeup/tui.h"

/* Lines are drawn up to this many columns; a wider screen stays blank at
 * the right.  UTF-8 takes at most 4 bytes a column. */
#define MAX_COLS 512
#define TEXT_MAX (MAX_COLS * 4 + 1)

#define MIN_BAR 10	/* narrowest per-core bar, in cells */
#define GRID_GROUP 8	/* grid cells between two gaps */
#define DISK_ROWS 3	/* busiest disks shown */
#define NET_ROWS 3	/* busiest interfaces shown */
#define PROC_ROWS 5	/* processes shown before disks and links grow */
#define COMM_COLS 15	/* a Linux comm is at most 15 bytes */

enum {
	PAIR_OK = 1,
	PAIR_WARN,
	PAIR_CRIT,
	PAIR_USER,
	PAIR_SYSTEM,
	PAIR_IOWAIT,
	PAIR_STEAL,
	PAIR_LABEL,
	PAIR_STATUS,
};

const char *
sz_tui_sort_name(enum sz_tui_sort sort)
{
	static const char *const names[SZ_NSORTS] = { "cpu", "memory",
		"threads" };

	return sort < SZ_NSORTS ? names[sort] : "?";
}

void
sz_tui_colors_init(void)
{
	/* -1 is the terminal's own background, where it can keep it */
	short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;

	init_pair(PAIR_OK, COLOR_BLACK, COLOR_GREEN);
	init_pair(PAIR_WARN, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_CRIT, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_USER, COLOR_GREEN, bg);
	init_pair(PAIR_SYSTEM, COLOR_RED, bg);
	init_pair(PAIR_IOWAIT, COLOR_MAGENTA, bg);
	init_pair(PAIR_STEAL, COLOR_CYAN, bg);
	init_pair(PAIR_LABEL, COLOR_CYAN, bg);
	init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
}

/* ---- text ------------------------------------------------------------ */

/* The code point of the valid UTF-8 sequence at s; *len its bytes. */
static wchar_t
utf8_decode(const unsigned char *s, size_t *len)
{
	wchar_t wc;
	size_t n, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	wc = s[0] & (0x7f >> n);
	for (i = 1; i < n && (s[i] & 0xc0) == 0x80; i++)
		wc = (wc << 6) | (s[i] & 0x3f);
	*len = i;
	return wc;
}

/*
 * Copy sanitized UTF-8 src into dst (TEXT_MAX bytes), taking at most cols
 * columns.  On an ASCII terminal, and for a character the locale cannot
 * print, '?' stands in.  *used gets the columns taken; RETURNS the bytes
 * of src consumed.
 */
static size_t
fit(char *dst, const char *src, int cols, bool utf8, int *used)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, len;
	int w;

	*used = 0;
	if (cols > MAX_COLS)
		cols = MAX_COLS;
	while (*s != '\0') {
		wchar_t wc = utf8_decode(s, &len);

		w = *s < 0x80 ? 1 : utf8 ? wcwidth(wc) : -1;
		if (*used + (w < 0 ? 1 : w) > cols)
			break;
		if (w < 0) {
			dst[o++] = '?';
			w = 1;
		} else {
			memcpy(dst + o, s, len);
			o += len;
		}
		*used += w;
		s += len;
	}
	dst[o] = '\0';
	return (size_t)((const char *)s - src);
}

/*
 * Draw text at (y, x) in attribute a, sanitized and cut to at most cols
 * columns and to the right edge.  RETURNS the column after it.
 */
static int
put_cut(const struct sz_tui_view *v, int y, int x, int cols, attr_t a,
    const char *text)
{
	char safe[TEXT_MAX], shown[TEXT_MAX];
	int used;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return x;
	if (cols > COLS - x)
		cols = COLS - x;
	sz_str_sanitize(safe, sizeof(safe), text);
	fit(shown, safe, cols, v->utf8, &used);
	attrset(a);
	mvaddstr(y, x, shown);
	attrset(A_NORMAL);
	return x + used;
}

static int
put(const struct sz_tui_view *v, int y, int x, attr_t a, const char *text)
{
	return put_cut(v, y, x, MAX_COLS, a, text);
}

static int
putf(const struct sz_tui_view *v, int y, int x, attr_t a, const char *fmt,
    ...) __attribute__((format(printf, 5, 6)));

static int
putf(const struct sz_tui_view *v, int y, int x, attr_t a, const char *fmt,
    ...)
{
	char buf[TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return put(v, y, x, a, buf);
}

/* Paint row y from column x, `width` columns wide, in attribute a. */
static void
fill(int y, int x, int width, attr_t a)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS || width <= 0)
		return;
	attrset(a);
	mvhline(y, x, ' ', width < COLS - x ? width : COLS - x);
	attrset(A_NORMAL);
}

/* 1536 -> "1.5K": binary units, one letter, at most 5 columns. */
static const char *
human(char *buf, size_t sz, double v)
{
	static const char unit[] = "BKMGTPE";
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(unit) - 1)
		v /= 1024, u++;
	snprintf(buf, sz, v < 10 && u > 0 ? "%.1f%c" : "%.0f%c", v, unit[u]);
	return buf;
}

/* 1.5e6 -> "1.5M": decimal units, as links are sold, for bits/s. */
static const char *
human_si(char *buf, size_t sz, double v)
{
	static const char unit[] = " kMGTP";
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(unit) - 1)
		v /= 1000, u++;
	if (u == 0)
		snprintf(buf, sz, "%.0f", v);
	else
		snprintf(buf, sz, v < 10 ? "%.1f%c" : "%.0f%c", v, unit[u]);
	return buf;
}

static attr_t
label_attr(const struct sz_tui_view *v)
{
	return v->color ? COLOR_PAIR(PAIR_LABEL) | A_BOLD : A_BOLD;
}

static attr_t
status_attr(const struct sz_tui_view *v)
{
	return v->color ? COLOR_PAIR(PAIR_STATUS) : A_REVERSE;
}

static int
min_int(int a, int b)
{
	return a < b ? a : b;
}

/* ---- severity and CPU kinds ----------------------------------------- */

enum severity { SEV_OK, SEV_WATCH, SEV_BOUND };

/*
 * Bound: the analyzer names a bottleneck.  Watch: some resource scores at
 * least half the bound threshold, the cut from which the diagnose report
 * shows evidence.  Otherwise quiet.
 */
static enum severity
severity(const struct sz_report *rep)
{
	int b;

	if (rep->bound != SZ_BOUND_NONE)
		return SEV_BOUND;
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		if (rep->res[b].score >= rep->th->bound / 2)
			return SEV_WATCH;
	}
	return SEV_OK;
}

static attr_t
severity_attr(const struct sz_tui_view *v, enum severity s)
{
	static const short pair[] = { PAIR_OK, PAIR_WARN, PAIR_CRIT };
	static const attr_t mono[] = { A_NORMAL, A_BOLD, A_REVERSE | A_BOLD };

	return v->color ? COLOR_PAIR(pair[s]) | A_BOLD : mono[s];
}

/* What a core's time went to, in the order bars draw it. */
enum kind { K_USER, K_SYSTEM, K_IOWAIT, K_STEAL, NKINDS };

static const char kind_char[NKINDS] = { '|', '#', '~', '!' };
static const char *const kind_name[NKINDS] = { "user", "sys", "wait",
	"steal" };

static attr_t
kind_attr(const struct sz_tui_view *v, enum kind k)
{
	static const short pair[] = { PAIR_USER, PAIR_SYSTEM, PAIR_IOWAIT,
		PAIR_STEAL };
	/* without colour the grid tells kinds apart by attribute */
	static const attr_t mono[] = { A_NORMAL, A_BOLD, A_UNDERLINE,
		A_REVERSE };

	return v->color ? COLOR_PAIR(pair[k]) | A_BOLD : mono[k];
}

/* Shares of c's time by kind: user with nice and guest, system with irq
 * and softirq, as the diagnose report adds them. */
static void
kind_shares(const struct sz_core_rate *c, double out[NKINDS])
{
	out[K_USER] = c->user + c->nice + c->guest;
	out[K_SYSTEM] = c->system + c->irq + c->softirq;
	out[K_IOWAIT] = c->iowait;
	out[K_STEAL] = c->steal;
}

/* ---- layout --------------------------------------------------------- */

struct layout {
	int verdict, cpu, cores, mem, disks, nets, pg, procs, status;
};

/* How the cores are drawn: bars in `cols` columns, or a grid. */
struct core_plan {
	bool grid;
	int per_row;	/* cores a row holds */
	int rows;	/* rows that hold every core */
	int label;	/* columns of a core number */
};

static int
digits(int n)
{
	int d = 1;

	while (n >= 10)
		n /= 10, d++;
	return d;
}

/* Columns of a bar cell around its bar: "id [", "] 100%" and a gap. */
static int
bar_frame(int label)
{
	return label + 2 + 6 + 1;
}

/*
 * Bars when they fit in `budget` rows, in as few columns as will do; else
 * a grid of one cell per core with a gap every GRID_GROUP cells.
 */
static void
plan_cores(struct core_plan *p, const struct sz_cpu_rates *c, int budget)
{
	int n = (int)c->ncores, width = min_int(COLS, MAX_COLS);
	int cols, room, groups;

	memset(p, 0, sizeof(*p));
	if (n == 0)
		return;
	p->label = digits(c->cores[n - 1].id);
	for (cols = 1; cols * (bar_frame(p->label) + MIN_BAR) <= width;
	    cols++) {
		if ((n + cols - 1) / cols <= budget) {
			p->per_row = cols;
			p->rows = (n + cols - 1) / cols;
			return;
		}
	}
	p->grid = true;
	room = width - p->label - 1;
	groups = (room + 1) / (GRID_GROUP + 1);
	p->per_row = groups > 0 ? groups * GRID_GROUP : room > 0 ? room : 1;
	p->rows = (n + p->per_row - 1) / p->per_row;
}

static bool
disk_active(const struct sz_disk_rate *k)
{
	return k->reads_per_s + k->writes_per_s > 0 || k->util > 0;
}

static bool
if_active(const struct sz_netif_rate *f)
{
	return f->rx_bytes_per_s + f->tx_bytes_per_s > 0;
}

static int
count_disks(const struct sz_disk_rates *d)
{
	size_t i;
	int n = 0;

	for (i = 0; i < d->ndisks; i++)
		n += disk_active(&d->disks[i]);
	return n;
}

static int
count_ifs(const struct sz_net_rates *nr)
{
	size_t i;
	int n = 0;

	for (i = 0; i < nr->nifs; i++)
		n += if_active(&nr->ifs[i]);
	return n;
}

static void
give(int *rows, int want, int *left)
{
	int n = want < *left ? want : *left;

	if (n > 0) {
		*rows += n;
		*left -= n;
	}
}

/*
 * Share the rows: one for each block, most important first, then what
 * each block wants, again by importance; the process list takes the rest.
 */
static void
plan_rows(struct layout *l, const struct sz_rates *r, int verdict_want,
    int core_rows, int nprocs)
{
	int left = LINES;
	int disks = 1 + min_int(count_disks(&r->disk), DISK_ROWS);
	int nets = 1 + min_int(count_ifs(&r->net), NET_ROWS);
	int procs = 1 + nprocs;

	memset(l, 0, sizeof(*l));
	give(&l->verdict, 1, &left);
	give(&l->status, 1, &left);
	give(&l->cpu, 1, &left);
	give(&l->mem, 1, &left);
	give(&l->procs, min_int(2, procs), &left);
	give(&l->cores, min_int(1, core_rows), &left);
	give(&l->disks, 1, &left);
	give(&l->nets, 1, &left);
	give(&l->pg, r->pg.valid ? 1 : 0, &left);
	give(&l->cores, core_rows - l->cores, &left);
	give(&l->verdict, verdict_want - l->verdict, &left);
	give(&l->procs, min_int(procs, 1 + PROC_ROWS) - l->procs, &left);
	give(&l->disks, disks - l->disks, &left);
	give(&l->nets, nets - l->nets, &left);
	give(&l->procs, procs - l->procs, &left);
}

/* ---- the verdict ---------------------------------------------------- */

static void
format_verdict(char *buf, size_t sz, const struct sz_report *rep)
{
	char safe[SZ_SUMMARY_MAX * 4];

	sz_str_sanitize(safe, sizeof(safe), rep->summary);
	if (rep->bound == SZ_BOUND_NONE)
		snprintf(buf, sz, "no bottleneck. %s", safe);
	else
		snprintf(buf, sz, "%s bound (%s), bigger server helps: %s. %s",
		    sz_bound_name(rep->bound), rep->kind,
		    sz_helps_name(rep->helps), safe);
}

/* Bytes of text that fit on the first verdict row: all of it, or up to
 * the last space that fits. */
static size_t
verdict_cut(const struct sz_tui_view *v, const char *text)
{
	char shown[TEXT_MAX];
	size_t n, cut;
	int used;

	n = fit(shown, text, COLS, v->utf8, &used);
	if (text[n] == '\0')
		return n;
	for (cut = n; cut > 0 && text[cut] != ' '; cut--)
		;
	return cut > 0 ? cut : n;
}

/* The verdict as a coloured banner over `rows` rows. */
static void
draw_verdict(const struct sz_tui_view *v, int y, int rows, attr_t a,
    const char *text)
{
	char first[TEXT_MAX];
	size_t cut = rows > 1 ? verdict_cut(v, text) : strlen(text);
	const char *rest = text + cut;

	snprintf(first, sizeof(first), "%.*s", (int)cut, text);
	fill(y, 0, COLS, a);
	put(v, y, 0, a, first);
	if (rows < 2)
		return;
	while (*rest == ' ')
		rest++;
	fill(y + 1, 0, COLS, a);
	put(v, y + 1, 2, a, rest);
}

/* ---- CPU ------------------------------------------------------------ */

static void
draw_cpu_head(const struct sz_tui_view *v, int y, const struct sz_rates *r,
    int hidden)
{
	const struct sz_cpu_rates *c = &r->cpu;
	double share[NKINDS];
	int x, k;

	x = put(v, y, 0, label_attr(v), "CPU ");
	if (!c->valid) {
		put(v, y, x, A_NORMAL, " not measured");
		return;
	}
	kind_shares(&c->all, share);
	x = putf(v, y, x, A_NORMAL, "%3.0f%% busy ", c->all.busy * 100);
	for (k = 0; k < NKINDS; k++)
		x = putf(v, y, x + 1, kind_attr(v, k), "%c%s %.0f%%",
		    kind_char[k], kind_name[k], share[k] * 100);
	x = putf(v, y, x, A_NORMAL, "  runq %.1f", c->runq_avg);
	if (c->psi.valid)
		x = putf(v, y, x, A_NORMAL, "  psi %.0f%%", c->psi.some * 100);
	if (hidden > 0)
		putf(v, y, x, A_BOLD, "  (%d cores not shown)", hidden);
}

/* A bar: "id [" then the kinds' shares as runs of their characters,
 * "] busy%". */
static void
draw_bar(const struct sz_tui_view *v, int y, int x, int width,
    const struct core_plan *p, const struct sz_core_rate *core)
{
	int bar = width - bar_frame(p->label), at = 0, end, k;
	double share[NKINDS], cum = 0;

	if (bar < 1)
		return;
	kind_shares(core, share);
	x = putf(v, y, x, label_attr(v), "%*d", p->label, core->id);
	x = put(v, y, x, A_NORMAL, " [");
	for (k = 0; k < NKINDS; k++) {
		cum += share[k];
		/* round the running total, so the runs add up to the whole */
		end = min_int((int)(cum * bar + 0.5), bar);
		if (end > at && x < COLS) {
			attrset(kind_attr(v, k));
			mvhline(y, x, (chtype)kind_char[k],
			    min_int(end - at, COLS - x));
			attrset(A_NORMAL);
			x += end - at;
			at = end;
		}
	}
	fill(y, x, bar - at, A_NORMAL);
	x += bar - at;
	putf(v, y, x, A_NORMAL, "] %3.0f%%", core->busy * 100);
}

/* Grid glyphs by height: eighths in UTF-8, tenths in ASCII. */
static const char *const glyph_utf8[] = { "\xc2\xb7", "\xe2\x96\x81",
	"\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85",
	"\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" };
static const char glyph_ascii[] = ".123456789#";

/* One grid cell: its height the core's time not idle, its colour (or
 * attribute) the kind that took most of it. */
static void
draw_cell(const struct sz_tui_view *v, int y, int x,
    const struct sz_core_rate *core)
{
	double share[NKINDS], used = 0;
	int k, top = K_USER, level;
	char ascii[2] = { 0, 0 };

	kind_shares(core, share);
	for (k = 0; k < NKINDS; k++) {
		used += share[k];
		if (share[k] > share[top])
			top = k;
	}
	if (used > 1)
		used = 1;
	if (v->utf8) {
		level = (int)(used * 8 + 0.5);
		put(v, y, x, level ? kind_attr(v, top) : A_NORMAL,
		    glyph_utf8[level]);
		return;
	}
	level = (int)(used * 10 + 0.5);
	ascii[0] = glyph_ascii[level];
	put(v, y, x, level ? kind_attr(v, top) : A_NORMAL, ascii);
}

/* The cores over `rows` rows: bars column by column, or grid rows each
 * led by the number of its first core.  RETURNS the cores left out. */
static int
draw_cores(const struct sz_tui_view *v, int y, int rows,
    const struct core_plan *p, const struct sz_cpu_rates *c)
{
	int n = (int)c->ncores, shown, i, width;

	if (rows <= 0 || n == 0)
		return n;
	if (!p->grid) {
		width = min_int(COLS, MAX_COLS) / p->per_row;
		for (i = 0; i < n; i++)
			draw_bar(v, y + i % p->rows, (i / p->rows) * width,
			    width, p, &c->cores[i]);
		return 0;
	}
	shown = min_int(n, rows * p->per_row);
	for (i = 0; i < shown; i++) {
		int col = i % p->per_row;
		int x = p->label + 1 + col + col / GRID_GROUP;

		if (col == 0)
			putf(v, y + i / p->per_row, 0, label_attr(v), "%*d",
			    p->label, c->cores[i].id);
		draw_cell(v, y + i / p->per_row, x, &c->cores[i]);
	}
	return n - shown;
}

/* ---- memory, disks, interfaces ------------------------------------- */

static void
draw_memory(const struct sz_tui_view *v, int y, const struct sz_rates *r)
{
	const struct sz_mem_rates *m = &r->mem;
	char a[16], t[16], su[16], st[16];
	int x = put(v, y, 0, label_attr(v), "MEM ");

	if (!m->valid) {
		put(v, y, x, A_NORMAL, " not measured");
		return;
	}
	x = putf(v, y, x, A_NORMAL, " %s avail of %s (%.0f%% used)",
	    human(a, sizeof(a), (double)m->available_bytes),
	    human(t, sizeof(t), (double)m->total_bytes), m->used * 100);
	if (m->psi.valid)
		x = putf(v, y, x, A_NORMAL, "  psi %.0f%%/%.0f%%",
		    m->psi.some * 100, m->psi.full * 100);
	x = putf(v, y, x, A_NORMAL, "  swap %s/%s",
	    human(su, sizeof(su), (double)m->swap_used_bytes),
	    human(st, sizeof(st), (double)m->swap_total_bytes));
	if (m->vm_valid)
		putf(v, y, x, A_NORMAL, "  refault %.0f/s  majflt %.0f/s  "
		    "swap in/out %.0f/%.0f/s", m->refault_per_s,
		    m->majfault_per_s, m->swapin_per_s, m->swapout_per_s);
}

#define NAME_COLS 9	/* disk and interface names */

static void
draw_psi_tail(const struct sz_tui_view *v, int y, int x,
    const struct sz_psi_rate *psi)
{
	if (psi->valid)
		putf(v, y, x, A_NORMAL, "  psi %.0f%%/%.0f%%", psi->some * 100,
		    psi->full * 100);
}

/* Indices of the active entries of a list, busiest first, at most max. */
struct pick {
	size_t idx[DISK_ROWS > NET_ROWS ? DISK_ROWS : NET_ROWS];
	double key[DISK_ROWS > NET_ROWS ? DISK_ROWS : NET_ROWS];
	int n, max;
};

/* Keep i among the `max` largest keys, in descending order. */
static void
pick_add(struct pick *p, size_t i, double key)
{
	int at;

	if (p->max <= 0)
		return;
	if (p->n == p->max) {
		if (key <= p->key[p->max - 1])
			return;
		at = p->max - 1;	/* the smallest makes room */
	} else {
		at = p->n++;
	}
	while (at > 0 && p->key[at - 1] < key) {
		p->idx[at] = p->idx[at - 1];
		p->key[at] = p->key[at - 1];
		at--;
	}
	p->idx[at] = i;
	p->key[at] = key;
}

/* Whole disks with I/O, busiest first, under a header with PSI. */
static void
draw_disks(const struct sz_tui_view *v, int y, int rows,
    const struct sz_disk_rates *d)
{
	struct pick p = { .max = min_int(rows - 1, DISK_ROWS) };
	char rd[16], wr[16];
	size_t i;
	int x, j;

	if (rows <= 0)
		return;
	for (i = 0; i < d->ndisks; i++) {
		if (disk_active(&d->disks[i]))
			pick_add(&p, i, d->disks[i].util * 1e9 +
			    d->disks[i].reads_per_s + d->disks[i].writes_per_s);
	}
	x = put(v, y, 0, label_attr(v), "DISK");
	if (!d->valid)
		x = put(v, y, x, A_NORMAL, "  not measured");
	else if (count_disks(d) == 0)
		x = put(v, y, x, A_NORMAL, "  no I/O");
	else
		x = putf(v, y, NAME_COLS + 1, label_attr(v),
		    "%6s %7s %7s %5s %8s %6s", "IOPS", "READ/s", "WRITE/s",
		    "UTIL", "AWAIT", "QUEUE");
	draw_psi_tail(v, y, x, &d->psi);
	for (j = 0; j < p.n; j++) {
		const struct sz_disk_rate *k = &d->disks[p.idx[j]];

		put_cut(v, y + 1 + j, 0, NAME_COLS, A_NORMAL, k->name);
		putf(v, y + 1 + j, NAME_COLS + 1, A_NORMAL,
		    "%6.0f %7s %7s %4.0f%% %6.1fms %6.1f",
		    k->reads_per_s + k->writes_per_s,
		    human(rd, sizeof(rd), k->read_bytes_per_s),
		    human(wr, sizeof(wr), k->write_bytes_per_s),
		    k->util * 100, k->await_ms, k->queue);
	}
}

/* Interfaces with traffic, busiest first: bits/s, capacity, share. */
static void
draw_nets(const struct sz_tui_view *v, int y, int rows,
    const struct sz_net_rates *nr)
{
	struct pick p = { .max = min_int(rows - 1, NET_ROWS) };
	char rx[16], tx[16], cap[16], use[16];
	size_t i;
	int x, j;

	if (rows <= 0)
		return;
	for (i = 0; i < nr->nifs; i++) {
		if (if_active(&nr->ifs[i]))
			pick_add(&p, i, nr->ifs[i].rx_bytes_per_s +
			    nr->ifs[i].tx_bytes_per_s);
	}
	x = put(v, y, 0, label_attr(v), "NET");
	if (!nr->valid)
		x = put(v, y, x, A_NORMAL, "   not measured");
	else if (count_ifs(nr) == 0)
		x = put(v, y, x, A_NORMAL, "   no traffic");
	else
		x = putf(v, y, NAME_COLS + 1, label_attr(v),
		    "%7s %7s %6s %5s %7s %6s", "RX b/s", "TX b/s", "LINK",
		    "USE", "DROP/s", "ERR/s");
	if (nr->tcp_valid)
		putf(v, y, x, A_NORMAL, "  retrans %.1f/s", nr->retrans_per_s);
	for (j = 0; j < p.n; j++) {
		const struct sz_netif_rate *f = &nr->ifs[p.idx[j]];
		double u = f->rx_util > f->tx_util ? f->rx_util : f->tx_util;

		if (f->capacity_bits_per_s > 0) {
			human_si(cap, sizeof(cap), f->capacity_bits_per_s);
			snprintf(use, sizeof(use), "%.0f%%", u * 100);
		} else {
			snprintf(cap, sizeof(cap), "-");
			snprintf(use, sizeof(use), "-");
		}
		put_cut(v, y + 1 + j, 0, NAME_COLS, A_NORMAL, f->name);
		putf(v, y + 1 + j, NAME_COLS + 1, A_NORMAL,
		    "%7s %7s %6s %5s %7.1f %6.1f",
		    human_si(rx, sizeof(rx), f->rx_bytes_per_s * 8),
		    human_si(tx, sizeof(tx), f->tx_bytes_per_s * 8), cap, use,
		    f->rx_drops_per_s + f->tx_drops_per_s, f->errors_per_s);
	}
}

/* PostgreSQL's slots and its client backends by state. */
static void
draw_pg(const struct sz_tui_view *v, int y, const struct sz_pg_rates *pg)
{
	const struct sz_pg_sample *p = pg->last;
	int x = put(v, y, 0, label_attr(v), "PG  ");

	if (pg->slots_known)
		x = putf(v, y, x, A_NORMAL, " %.0f/%lld slots %.0f%%",
		    pg->used_avg, (long long)pg->usable, pg->used * 100);
	else
		x = putf(v, y, x, A_NORMAL, " %llu backends, slots unknown",
		    (unsigned long long)p->backends);
	x = putf(v, y, x, A_NORMAL, "  active %llu  lock %llu  idle %llu  "
	    "idle in xact %llu",
	    (unsigned long long)p->states[SZ_PG_ACTIVE],
	    (unsigned long long)p->waiting_lock,
	    (unsigned long long)p->states[SZ_PG_IDLE],
	    (unsigned long long)(p->states[SZ_PG_IDLE_IN_XACT] +
	    p->states[SZ_PG_IDLE_IN_XACT_ABORTED]));
	if (p->oldest_xact_s >= 0)
		putf(v, y, x, A_NORMAL, "  oldest %.0fs", p->oldest_xact_s);
}

/* ---- processes ------------------------------------------------------ */

static const struct sz_task_rate *
sorted_procs(const struct sz_thread_rates *t, enum sz_tui_sort sort,
    size_t *n)
{
	switch (sort) {
	case SZ_SORT_MEMORY:
		*n = t->nby_rss;
		return t->by_rss;
	case SZ_SORT_THREADS:
		*n = t->nby_threads;
		return t->by_threads;
	default:
		*n = t->nprocs;
		return t->procs;
	}
}

/* Columns of the process list: x position, width, heading. */
enum { C_PID, C_COMM, C_CPU, C_THR, C_HOTTID, C_HOTCOMM, C_HOTCPU, C_RSS,
	C_STATE, NCOLUMNS };

static const struct column {
	int x, width;
	const char *head;
} columns[NCOLUMNS] = {
	[C_PID] = { 0, 7, "PID" },
	[C_COMM] = { 8, COMM_COLS, "COMMAND" },
	[C_CPU] = { 24, 5, "CPU%" },
	[C_THR] = { 30, 4, "THR" },
	[C_HOTTID] = { 35, 7, "HOT TID" },
	[C_HOTCOMM] = { 43, COMM_COLS, "HOT THREAD" },
	[C_HOTCPU] = { 59, 5, "CPU%" },
	[C_RSS] = { 65, 6, "RSS" },
	[C_STATE] = { 72, 1, "S" },
};

/* Where the process count goes, after the last column. */
#define COUNT_X 75

/* The column each order sorts by. */
static const int sort_column[SZ_NSORTS] = { C_CPU, C_RSS, C_THR };

/* Text in column c of row y: numbers right-aligned, names left. */
static void
cell(const struct sz_tui_view *v, int y, int c, attr_t a, const char *text)
{
	const struct column *col = &columns[c];
	int len = (int)strlen(text);
	bool left = c == C_COMM || c == C_HOTCOMM;
	int x = col->x + (left || len >= col->width ? 0 : col->width - len);

	put_cut(v, y, x, col->width, a, text);
}

static void
draw_proc(const struct sz_tui_view *v, int y, const struct sz_task_rate *p)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", p->pid);
	cell(v, y, C_PID, A_NORMAL, buf);
	cell(v, y, C_COMM, A_NORMAL, p->comm != NULL ? p->comm : "");
	snprintf(buf, sizeof(buf), "%.0f", p->cpu * 100);
	cell(v, y, C_CPU, A_NORMAL, buf);
	snprintf(buf, sizeof(buf), "%d", p->nthreads);
	cell(v, y, C_THR, A_NORMAL, buf);
	if (p->hot_tid != 0) {
		snprintf(buf, sizeof(buf), "%d", p->hot_tid);
		cell(v, y, C_HOTTID, A_NORMAL, buf);
		cell(v, y, C_HOTCOMM, A_NORMAL,
		    p->hot_comm != NULL ? p->hot_comm : "");
		snprintf(buf, sizeof(buf), "%.0f", p->hot_cpu * 100);
		cell(v, y, C_HOTCPU, A_NORMAL, buf);
	} else {
		cell(v, y, C_HOTTID, A_NORMAL, "-");
	}
	cell(v, y, C_RSS, A_NORMAL, human(buf, sizeof(buf),
	    (double)p->rss_bytes));
	snprintf(buf, sizeof(buf), "%c", p->state ? p->state : '?');
	cell(v, y, C_STATE, A_NORMAL, buf);
}

static void
draw_procs(const struct sz_tui_view *v, int y, int rows,
    const struct sz_thread_rates *t)
{
	const struct sz_task_rate *list;
	char count[32];
	size_t n, i;
	int c;

	if (rows <= 0)
		return;
	if (!t->valid) {
		put(v, y, 0, label_attr(v), "PROCESSES  not measured");
		return;
	}
	fill(y, 0, COLS, label_attr(v));
	for (c = 0; c < NCOLUMNS; c++)
		cell(v, y, c, c == sort_column[v->sort] ? label_attr(v) |
		    A_REVERSE : label_attr(v), columns[c].head);
	/* the count only where it fits whole */
	snprintf(count, sizeof(count), "%zu procs", t->total_procs);
	if (COUNT_X + (int)strlen(count) <= COLS)
		put(v, y, COUNT_X, label_attr(v), count);
	list = sorted_procs(t, v->sort, &n);
	for (i = 0; i < n && (int)i < rows - 1; i++)
		draw_proc(v, y + 1 + (int)i, &list[i]);
}

/* ---- status line ---------------------------------------------------- */

static void
draw_status(const struct sz_tui_view *v, int y, const struct sz_report *rep)
{
	attr_t a = status_attr(v);
	char state[64] = "";
	int x;

	fill(y, 0, COLS, a);
	if (v->replay != NULL) {
		x = putf(v, y, 0, a, " q quit  <- -> step  ? help  "
		    "e evidence  s sort: %s", sz_tui_sort_name(v->sort));
		put(v, y, x + 2, a | A_BOLD, v->replay);
		return;
	}
	x = putf(v, y, 0, a, " q quit  space pause  ? help  e evidence  "
	    "s sort: %s  +/- %gs", sz_tui_sort_name(v->sort), v->interval);
	if (rep == NULL)
		snprintf(state, sizeof(state), "measuring");
	else if (v->paused)
		snprintf(state, sizeof(state), "PAUSED");
	else if (v->stale)
		snprintf(state, sizeof(state), "no refresh for %.0fs",
		    v->age);
	if (state[0] != '\0')
		put(v, y, x + 2 > COLS - (int)strlen(state) - 1 ? x + 2 :
		    COLS - (int)strlen(state) - 1, a | A_BOLD, state);
}

/* ---- overlays ------------------------------------------------------- */

/* A framed box, blank inside, with a title on its top edge. */
static void
draw_box(const struct sz_tui_view *v, int y, int x, int h, int w,
    const char *title)
{
	int i;

	for (i = 0; i < h; i++)
		fill(y + i, x, w, A_NORMAL);
	if (h < 2 || w < 2)
		return;
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	put_cut(v, y, x + 2, w - 4, A_BOLD, title);
}

static const char *const help_lines[] = {
	"q         quit",
	"space     pause or resume the display",
	"?         this help",
	"e         the verdict's evidence: the diagnose report",
	"s         choose the order of the process list",
	"+ -       refresh less or more often",
	"<- ->     with --from: the record before or after",
	"arrows    scroll the evidence",
	"Ctrl-L    redraw the screen",
	"Esc       close this window",
	"",
	"Bars      | user  # system  ~ iowait  ! steal; busy %",
	"Grid      one cell per core, as high as its time not",
	"          idle, coloured by the kind that took most",
	"          (no colour: bold system, underlined iowait,",
	"          reverse steal)",
	"Verdict   red: bound; yellow: worth watching; green: quiet",
	"HOT TID   each process's busiest thread, named from the",
	"          second refresh in a row that the process is busy",
};

#define NHELP (int)(sizeof(help_lines) / sizeof(help_lines[0]))
#define HELP_W 62

static void
draw_help(const struct sz_tui_view *v)
{
	int w = min_int(COLS, HELP_W), h = min_int(LINES, NHELP + 2);
	int y = (LINES - h) / 2, x = (COLS - w) / 2, i;

	draw_box(v, y, x, h, w, " keys (Esc or ? closes) ");
	for (i = 0; i < NHELP && i < h - 2; i++)
		put_cut(v, y + 1 + i, x + 2, w - 4, A_NORMAL, help_lines[i]);
}

/*
 * Line `line` of text, wrapped at the screen's width, between words where
 * a line has a blank to break at: call with every line in turn, from row
 * `row` on; RETURNS the rows it takes.  Only rows from top on, and fewer
 * than `rows` after it, are drawn.
 */
static int
wrapped(const struct sz_tui_view *v, const char *line, int row, int top,
    int y, int rows)
{
	char safe[TEXT_MAX], shown[TEXT_MAX], head[TEXT_MAX];
	const char *p = safe;
	int n = 0, used;

	sz_str_sanitize(safe, sizeof(safe), line);
	do {
		size_t len = fit(shown, p, COLS, v->utf8, &used), cut = len;

		if (len == 0 && *p != '\0')
			break;	/* a character wider than the screen */
		/* inside a word: end the row at the last blank, if any */
		if (p[len] != '\0' && p[len] != ' ') {
			while (cut > 0 && p[cut - 1] != ' ')
				cut--;
			while (cut > 0 && p[cut - 1] == ' ')
				cut--;
			if (cut > 0) {
				memcpy(head, p, cut);
				head[cut] = '\0';
				(void)fit(shown, head, COLS, v->utf8, &used);
				len = cut;
			}
		}
		if (row + n >= top && row + n - top < rows)
			put(v, y + row + n - top, 0, A_NORMAL, shown);
		p += len;
		while (*p == ' ')
			p++;	/* the blanks a row breaks at */
		n++;
	} while (*p != '\0');
	return n;
}

/*
 * The diagnose report of rep over the screen between the verdict and the
 * status line, its lines wrapped when the screen is narrower than the
 * report, from row v->scroll on.  RETURNS the largest useful scroll.
 */
static int
draw_evidence(const struct sz_tui_view *v, const struct sz_report *rep)
{
	int y = LINES > 3 ? 1 : 0, rows = LINES > 3 ? LINES - 3 : LINES - 1;
	int total = 0, top, pass;
	char *text = NULL, *p, *nl;
	size_t len = 0;
	FILE *f;

	fill(y, 0, COLS, status_attr(v));
	putf(v, y, 0, status_attr(v) | A_BOLD, " evidence: the diagnose "
	    "report of this %s (arrows scroll, e closes)",
	    v->replay != NULL ? "record" : "refresh");
	for (pass = y + 1; pass < y + 1 + rows; pass++)
		fill(pass, 0, COLS, A_NORMAL);
	if (rep == NULL || rows <= 0)
		return 0;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return 0;
	(void)sz_render_text(f, rep);
	fclose(f);
	/* first count the rows, to keep the scroll in range, then draw */
	top = 0;
	for (pass = 0; pass < 2; pass++) {
		int row = 0;

		for (p = text; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				break;
			*nl = '\0';
			row += wrapped(v, p, row, pass ? top : INT_MAX, y + 1,
			    rows);
			*nl = '\n';
		}
		total = row;
		top = total > rows ? total - rows : 0;
		top = v->scroll < top ? v->scroll : top;
	}
	free(text);
	return total > rows ? total - rows : 0;
}

static void
draw_sort(const struct sz_tui_view *v)
{
	static const char *const keys = "cmt";
	int w = min_int(COLS, 30), h = min_int(LINES, SZ_NSORTS + 2);
	int y = (LINES - h) / 2, x = (COLS - w) / 2, i;

	draw_box(v, y, x, h, w, " sort by ");
	for (i = 0; i < SZ_NSORTS && i < h - 2; i++)
		putf(v, y + 1 + i, x + 2, i == (int)v->sort_cursor ?
		    A_REVERSE : A_NORMAL, "%c  %-10s%s", keys[i],
		    sz_tui_sort_name(i), i == (int)v->sort ? " *" : "  ");
}

/* ---- the screen ----------------------------------------------------- */

/* One row for every block but the cores (PostgreSQL's aside), two for
 * the processes. */
#define FIXED_ROWS 8

static void
draw_report(const struct sz_tui_view *v, const struct sz_report *rep)
{
	const struct sz_rates *r = rep->rates;
	char verdict[TEXT_MAX], shown[TEXT_MAX];
	struct core_plan cp;
	struct layout l;
	size_t nprocs;
	int y = 0, used, hidden, vrows;

	format_verdict(verdict, sizeof(verdict), rep);
	vrows = verdict[fit(shown, verdict, COLS, v->utf8, &used)] ? 2 : 1;
	sorted_procs(&r->threads, v->sort, &nprocs);
	plan_cores(&cp, &r->cpu, LINES > FIXED_ROWS + 2 ?
	    (LINES - FIXED_ROWS) / 2 : 1);
	plan_rows(&l, r, vrows, cp.rows, (int)nprocs);
	if (l.cores < cp.rows) {
		/* fewer rows than planned: bars may have to become a grid */
		plan_cores(&cp, &r->cpu, l.cores);
		plan_rows(&l, r, vrows, min_int(cp.rows, l.cores),
		    (int)nprocs);
	}

	draw_verdict(v, y, l.verdict, severity_attr(v, severity(rep)),
	    verdict);
	y += l.verdict;
	hidden = draw_cores(v, y + l.cpu, l.cores, &cp, &r->cpu);
	if (l.cpu > 0)
		draw_cpu_head(v, y, r, hidden);
	y += l.cpu + l.cores;
	if (l.mem > 0)
		draw_memory(v, y, r);
	y += l.mem;
	draw_disks(v, y, l.disks, &r->disk);
	y += l.disks;
	draw_nets(v, y, l.nets, &r->net);
	y += l.nets;
	if (l.pg > 0)
		draw_pg(v, y, &r->pg);
	y += l.pg;
	draw_procs(v, y, l.procs, &r->threads);
	if (l.status > 0)
		draw_status(v, LINES - 1, rep);
}

int
sz_tui_draw(const struct sz_tui_view *v, const struct sz_report *rep)
{
	erase();
	if (rep != NULL) {
		draw_report(v, rep);
	} else {
		put(v, 0, 0, A_BOLD, v->replay != NULL ? "sizeup: this "
		    "record's window cannot be rebuilt" : "sizeup: measuring "
		    "the first refresh...");
		if (LINES > 1)
			draw_status(v, LINES - 1, NULL);
	}
	switch (v->overlay) {
	case SZ_OVERLAY_HELP:
		draw_help(v);
		break;
	case SZ_OVERLAY_EVIDENCE:
		return draw_evidence(v, rep);
	case SZ_OVERLAY_SORT:
		draw_sort(v);
		break;
	default:
		break;
	}
	return 0;
}
