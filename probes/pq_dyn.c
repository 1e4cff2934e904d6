/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpq.so.5 opened with dlopen() on the PostgreSQL probe's first
 * connection, not linked into the program (see include/sizeup/pq_dyn.h):
 * hosts without PostgreSQL never load it or its dependencies.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sizeup/sample.h"
#include "sizeup/pq_dyn.h"

#define LIBPQ_SONAME "libpq.so.5"

#define SYM(f) { #f, offsetof(struct sz_pq, f) }

/* Where each dlsym() result goes in struct sz_pq. */
static const struct {
	const char *name;
	size_t off;
} syms[] = {
	SYM(PQclear), SYM(PQconnectPoll), SYM(PQconnectStartParams),
	SYM(PQconnectionNeedsPassword), SYM(PQconnectionUsedPassword),
	SYM(PQconninfoFree), SYM(PQconninfoParse), SYM(PQconsumeInput),
	SYM(PQerrorMessage), SYM(PQfinish), SYM(PQfreemem), SYM(PQgetResult),
	SYM(PQgetlength), SYM(PQgetvalue), SYM(PQhost), SYM(PQisBusy),
	SYM(PQnfields), SYM(PQntuples), SYM(PQport),
	SYM(PQresultErrorMessage), SYM(PQresultStatus), SYM(PQsendQuery),
	SYM(PQsetNoticeProcessor), SYM(PQsocket), SYM(PQstatus), SYM(PQuser),
};

_Static_assert(sizeof(syms) / sizeof(syms[0]) * sizeof(void (*)(void)) ==
    sizeof(struct sz_pq), "syms[] misses a member of struct sz_pq");

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct sz_pq table;
static const struct sz_pq *loaded;	/* &table once every symbol is in */
static char load_error[SZ_ERRMSG_MAX];

static void
fail(void)
{
	const char *msg = dlerror();

	snprintf(load_error, sizeof(load_error), "%s could not be loaded: %s",
	    LIBPQ_SONAME, msg != NULL ? msg : "unknown error");
}

static void
load(void)
{
	void *lib, *sym;
	size_t i;

	lib = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		fail();
		return;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		(void)dlerror();
		sym = dlsym(lib, syms[i].name);
		if (sym == NULL) {
			fail();
			dlclose(lib);
			return;
		}
		/* POSIX lets dlsym()'s pointer stand for a function */
		memcpy((char *)&table + syms[i].off, &sym, sizeof(sym));
	}
	loaded = &table;
}

const struct sz_pq *
sz_pq_load(char *why, size_t whysz)
{
	pthread_once(&once, load);
	if (loaded == NULL)
		snprintf(why, whysz, "%s", load_error);
	return loaded;
}
