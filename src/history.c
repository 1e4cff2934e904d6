/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * History of recorded windows (see history.h): counting verdicts by
 * resource, kind and UTC hour, keeping the worst windows, and the text
 * and sizeup.report.v1 JSON layouts of the result.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/history.h"
#include "sizeup/render.h"

#define SCHEMA "sizeup.report.v1"
#define DAY_S 86400

void
sz_history_init(struct sz_history *h, const time_t *since,
    const time_t *until)
{
	memset(h, 0, sizeof(*h));
	h->has_since = since != NULL;
	h->since = since != NULL ? *since : 0;
	h->has_until = until != NULL;
	h->until = until != NULL ? *until : 0;
}

bool
sz_history_wants_day(const struct sz_history *h, time_t day)
{
	/* a file holds the windows that start from its midnight (UTC) on;
	 * the last may start just after the next midnight, as the record
	 * opens the file just before it watches */
	return (!h->has_since || day + 2 * DAY_S > h->since) &&
	    (!h->has_until || day < h->until);
}

static double
primary_score(const struct sz_record *rec)
{
	double top = 0;
	enum sz_bound b;

	if (rec->bound != SZ_BOUND_NONE)
		return rec->score[rec->bound];
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++)
		top = fmax(top, rec->score[b]);
	return top;
}

static void
count_host(struct sz_history *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nhosts; i++) {
		if (strcmp(h->hosts[i], name) == 0)
			return;
	}
	if (h->nhosts == SZ_HISTORY_HOSTS)
		h->more_hosts = true;
	else
		snprintf(h->hosts[h->nhosts++], sizeof(h->hosts[0]), "%s",
		    name);
}

static void
count_kind(struct sz_history *h, const struct sz_record *rec)
{
	size_t i;

	if (rec->bound == SZ_BOUND_NONE)
		return;
	for (i = 0; i < h->nkinds; i++) {
		if (h->kinds[i].bound == rec->bound &&
		    strcmp(h->kinds[i].kind, rec->kind) == 0) {
			h->kinds[i].windows++;
			return;
		}
	}
	if (h->nkinds == SZ_HISTORY_KINDS) {
		h->other_kinds++;
		return;
	}
	h->kinds[h->nkinds].bound = rec->bound;
	snprintf(h->kinds[h->nkinds].kind, sizeof(h->kinds[0].kind), "%s",
	    rec->kind);
	h->kinds[h->nkinds++].windows = 1;
}

/* Keep rec among the worst if it scores higher than one of them; equal
 * scores keep the earlier window first. */
static void
count_worst(struct sz_history *h, const struct sz_record *rec,
    const char *name)
{
	double score = primary_score(rec);
	struct sz_history_worst *w;
	size_t i = h->nworst;

	while (i > 0 && h->worst[i - 1].score < score)
		i--;
	if (i == SZ_HISTORY_WORST)
		return;
	if (h->nworst < SZ_HISTORY_WORST)
		h->nworst++;
	memmove(&h->worst[i + 1], &h->worst[i],
	    (h->nworst - 1 - i) * sizeof(h->worst[0]));
	w = &h->worst[i];
	w->rec = *rec;
	w->rec.text = NULL;
	w->score = score;
	snprintf(w->file, sizeof(w->file), "%s", name);
}

void
sz_history_add(struct sz_history *h, const struct sz_record *rec,
    const char *name)
{
	struct tm tm;

	if ((h->has_since && rec->start < h->since) ||
	    (h->has_until && rec->start >= h->until) ||
	    gmtime_r(&rec->start, &tm) == NULL)
		return;
	if (h->windows == 0 || rec->start < h->first)
		h->first = rec->start;
	if (h->windows == 0 || rec->end > h->last)
		h->last = rec->end;
	h->windows++;
	count_host(h, rec->hostname);
	h->bound_windows[rec->bound]++;
	count_kind(h, rec);
	h->hour_windows[tm.tm_hour]++;
	h->hour_bound[tm.tm_hour][rec->bound]++;
	count_worst(h, rec, name);
}

void
sz_history_add_file(struct sz_history *h, const struct sz_record_file *f,
    const char *name)
{
	size_t i;

	h->files++;
	for (i = 0; i < f->n; i++)
		sz_history_add(h, &f->recs[i], name);
	if (f->bad > 0 && h->bad == 0) {
		snprintf(h->first_bad_file, sizeof(h->first_bad_file), "%s",
		    name);
		h->first_bad_line = f->first_bad;
	}
	h->bad += f->bad;
	h->newer += f->newer;
}

static int
cmp_kind(const void *a, const void *b)
{
	const struct sz_history_kind *x = a, *y = b;

	if (x->bound != y->bound)
		return x->bound < y->bound ? -1 : 1;
	if (x->windows != y->windows)
		return x->windows > y->windows ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

static double
share(size_t part, size_t whole)
{
	return whole > 0 ? (double)part / (double)whole : 0;
}

void
sz_history_finish(struct sz_history *h)
{
	enum sz_bound b;
	size_t i;

	for (b = SZ_BOUND_NONE; b < SZ_NBOUNDS; b++)
		h->bound_share[b] = share(h->bound_windows[b], h->windows);
	for (i = 0; i < h->nkinds; i++)
		h->kinds[i].share = share(h->kinds[i].windows, h->windows);
	qsort(h->kinds, h->nkinds, sizeof(h->kinds[0]), cmp_kind);
}

/* ---- text ----------------------------------------------------------- */

static void
text_header(FILE *out, const struct sz_history *h)
{
	char a[SZ_UTC_MAX], b[SZ_UTC_MAX];
	size_t i;

	fprintf(out, "sizeup report: %zu window%s", h->windows,
	    h->windows == 1 ? "" : "s");
	for (i = 0; i < h->nhosts; i++)
		fprintf(out, "%s%s", i ? ", " : " of ", h->hosts[i]);
	if (h->more_hosts)
		fprintf(out, " and others");
	fprintf(out, " in %zu file%s\n", h->files, h->files == 1 ? "" : "s");
	if (h->windows > 0)
		fprintf(out, "  %s to %s (times in UTC)\n",
		    sz_format_utc(a, sizeof(a), h->first),
		    sz_format_utc(b, sizeof(b), h->last));
	if (h->bad > 0)
		fprintf(out, "  skipped %zu line%s that %s not a record "
		    "(first: %s line %lu)\n", h->bad, h->bad == 1 ? "" : "s",
		    h->bad == 1 ? "is" : "are", h->first_bad_file,
		    h->first_bad_line);
	if (h->newer > 0)
		fprintf(out, "  skipped %zu record%s of a newer schema\n",
		    h->newer, h->newer == 1 ? "" : "s");
}

static void
text_bounds(FILE *out, const struct sz_history *h)
{
	static const enum sz_bound order[] = { SZ_BOUND_CPU, SZ_BOUND_MEMORY,
		SZ_BOUND_IO, SZ_BOUND_NETWORK, SZ_BOUND_CONNECTIONS,
		SZ_BOUND_NONE };
	size_t i, k;

	fprintf(out, "\n%-28s %8s %7s\n", "Bound by", "windows", "share");
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		enum sz_bound b = order[k];

		if (b != SZ_BOUND_NONE && h->bound_windows[b] == 0)
			continue;
		fprintf(out, "  %-26s %8zu %6.0f%%\n", b == SZ_BOUND_NONE ?
		    "nothing (none)" : sz_bound_name(b), h->bound_windows[b],
		    h->bound_share[b] * 100);
		for (i = 0; i < h->nkinds; i++) {
			if (h->kinds[i].bound == b)
				fprintf(out, "    %-24s %8zu %6.0f%%\n",
				    h->kinds[i].kind, h->kinds[i].windows,
				    h->kinds[i].share * 100);
		}
	}
	if (h->other_kinds > 0)
		fprintf(out, "  %-26s %8zu\n", "(other kinds)", h->other_kinds);
}

static void
text_worst(FILE *out, const struct sz_history *h)
{
	char when[SZ_UTC_MAX], where[SZ_LOG_NAME_MAX + 32];
	size_t i;

	if (h->nworst == 0)
		return;
	fprintf(out, "\nWorst windows (highest score first)\n");
	for (i = 0; i < h->nworst; i++) {
		const struct sz_history_worst *w = &h->worst[i];

		fprintf(out, "  %s  %s%s%s, score %.2f\n",
		    sz_format_utc(when, sizeof(when), w->rec.start),
		    sz_bound_name(w->rec.bound), w->rec.kind[0] ? " / " : "",
		    w->rec.kind, w->score);
		sz_render_wrapped(out, "", 6, w->rec.summary);
		snprintf(where, sizeof(where), "in %s, line %lu", w->file,
		    w->rec.line);
		sz_render_wrapped(out, "", 6, where);
	}
}

/* A column of the hour table: as wide as its title, at least 5. */
static int
col_width(enum sz_bound b)
{
	int w = (int)strlen(sz_bound_name(b));

	return w > 5 ? w : 5;
}

static void
text_hours(FILE *out, const struct sz_history *h)
{
	enum sz_bound b;
	int hr;

	fprintf(out, "\nWhen (UTC hour: windows, and how many were bound by "
	    "each resource)\n  %4s %8s", "hour", "windows");
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++)
		fprintf(out, " %*s", col_width(b), sz_bound_name(b));
	fputc('\n', out);
	for (hr = 0; hr < 24; hr++) {
		fprintf(out, "  %4.2d %8zu", hr, h->hour_windows[hr]);
		for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
			if (h->hour_bound[hr][b] == 0)
				fprintf(out, " %*s", col_width(b), "-");
			else
				fprintf(out, " %*zu", col_width(b),
				    h->hour_bound[hr][b]);
		}
		fputc('\n', out);
	}
}

enum sz_err
sz_history_render_text(FILE *out, const struct sz_history *h)
{
	text_header(out, h);
	if (h->windows > 0) {
		text_bounds(out, h);
		text_worst(out, h);
		text_hours(out, h);
	}
	return ferror(out) ? SZ_EIO : SZ_OK;
}

/* ---- JSON ----------------------------------------------------------- */

static json_t *
jtime(time_t t)
{
	char buf[SZ_UTC_MAX];

	return json_string(sz_format_utc(buf, sizeof(buf), t));
}

static json_t *
jshare(double v)
{
	return json_real(round(v * 1e4) / 1e4);
}

static json_t *
count_json(size_t windows, double sh)
{
	json_t *o = json_object();

	json_object_set_new(o, "windows", json_integer((json_int_t)windows));
	json_object_set_new(o, "share", jshare(sh));
	return o;
}

static json_t *
bounds_json(const struct sz_history *h)
{
	json_t *o = json_object();
	enum sz_bound b;
	size_t i;

	for (b = SZ_BOUND_NONE; b < SZ_NBOUNDS; b++) {
		json_t *e = count_json(h->bound_windows[b], h->bound_share[b]);
		json_t *kinds = json_object();

		for (i = 0; i < h->nkinds; i++) {
			if (h->kinds[i].bound == b)
				json_object_set_new(kinds, h->kinds[i].kind,
				    count_json(h->kinds[i].windows,
				    h->kinds[i].share));
		}
		if (b != SZ_BOUND_NONE)
			json_object_set_new(e, "kinds", kinds);
		else
			json_decref(kinds);
		json_object_set_new(o, sz_bound_name(b), e);
	}
	return o;
}

static json_t *
worst_json(const struct sz_history *h)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < h->nworst; i++) {
		const struct sz_history_worst *w = &h->worst[i];
		json_t *o = json_object();

		json_object_set_new(o, "start", jtime(w->rec.start));
		json_object_set_new(o, "end", jtime(w->rec.end));
		json_object_set_new(o, "bound",
		    json_string(sz_bound_name(w->rec.bound)));
		json_object_set_new(o, "kind", w->rec.kind[0] ?
		    json_string(w->rec.kind) : json_null());
		json_object_set_new(o, "score", jshare(w->score));
		json_object_set_new(o, "confidence",
		    jshare(w->rec.confidence));
		json_object_set_new(o, "summary", json_string(w->rec.summary));
		json_object_set_new(o, "file", json_string(w->file));
		json_object_set_new(o, "line",
		    json_integer((json_int_t)w->rec.line));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
hours_json(const struct sz_history *h)
{
	json_t *a = json_array();
	enum sz_bound b;
	int hr;

	for (hr = 0; hr < 24; hr++) {
		json_t *o = json_object(), *by = json_object();

		json_object_set_new(o, "hour", json_integer(hr));
		json_object_set_new(o, "windows",
		    json_integer((json_int_t)h->hour_windows[hr]));
		for (b = SZ_BOUND_NONE; b < SZ_NBOUNDS; b++)
			json_object_set_new(by, sz_bound_name(b), json_integer(
			    (json_int_t)h->hour_bound[hr][b]));
		json_object_set_new(o, "bound", by);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
history_json(const struct sz_history *h)
{
	json_t *doc = json_object(), *hosts = json_array(), *skip;
	size_t i;

	json_object_set_new(doc, "schema", json_string(SCHEMA));
	json_object_set_new(doc, "version", json_string(PACKAGE_VERSION));
	for (i = 0; i < h->nhosts; i++)
		json_array_append_new(hosts, json_string(h->hosts[i]));
	json_object_set_new(doc, "hosts", hosts);
	json_object_set_new(doc, "more_hosts", json_boolean(h->more_hosts));
	json_object_set_new(doc, "since", h->has_since ? jtime(h->since) :
	    json_null());
	json_object_set_new(doc, "until", h->has_until ? jtime(h->until) :
	    json_null());
	json_object_set_new(doc, "first", h->windows ? jtime(h->first) :
	    json_null());
	json_object_set_new(doc, "last", h->windows ? jtime(h->last) :
	    json_null());
	json_object_set_new(doc, "windows",
	    json_integer((json_int_t)h->windows));
	json_object_set_new(doc, "files", json_integer((json_int_t)h->files));
	skip = json_object();
	json_object_set_new(skip, "not_records",
	    json_integer((json_int_t)h->bad));
	json_object_set_new(skip, "newer_schema",
	    json_integer((json_int_t)h->newer));
	json_object_set_new(doc, "skipped", skip);
	json_object_set_new(doc, "bounds", bounds_json(h));
	json_object_set_new(doc, "worst", worst_json(h));
	json_object_set_new(doc, "hours", hours_json(h));
	return doc;
}

enum sz_err
sz_history_render_json(FILE *out, const struct sz_history *h)
{
	return sz_render_json_doc(out, history_json(h));
}
