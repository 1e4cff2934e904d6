/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libpq, loaded at run time.  The PostgreSQL probe (probes/postgresql.c)
 * is the only user of libpq, and most runs never connect to a server, so
 * the program does not link it: loading libpq's dependencies (TLS,
 * Kerberos, LDAP) at start-up would cost every command milliseconds and
 * megabytes.  libpq.so.5 is opened on first use instead and the functions
 * the probe calls are resolved into one table, typed by libpq-fe.h.
 */
#ifndef SIZEUP_PQ_DYN_H
#define SIZEUP_PQ_DYN_H

#include <stddef.h>

#include <libpq-fe.h>

#define SZ_PQ_FN(f) __typeof__(f) *f

/* The libpq functions the probe calls, named as in libpq-fe.h. */
struct sz_pq {
	SZ_PQ_FN(PQclear);
	SZ_PQ_FN(PQconnectPoll);
	SZ_PQ_FN(PQconnectStartParams);
	SZ_PQ_FN(PQconnectionNeedsPassword);
	SZ_PQ_FN(PQconnectionUsedPassword);
	SZ_PQ_FN(PQconninfoFree);
	SZ_PQ_FN(PQconninfoParse);
	SZ_PQ_FN(PQconsumeInput);
	SZ_PQ_FN(PQerrorMessage);
	SZ_PQ_FN(PQfinish);
	SZ_PQ_FN(PQfreemem);
	SZ_PQ_FN(PQgetResult);
	SZ_PQ_FN(PQgetlength);
	SZ_PQ_FN(PQgetvalue);
	SZ_PQ_FN(PQhost);
	SZ_PQ_FN(PQisBusy);
	SZ_PQ_FN(PQnfields);
	SZ_PQ_FN(PQntuples);
	SZ_PQ_FN(PQport);
	SZ_PQ_FN(PQresultErrorMessage);
	SZ_PQ_FN(PQresultStatus);
	SZ_PQ_FN(PQsendQuery);
	SZ_PQ_FN(PQsetNoticeProcessor);
	SZ_PQ_FN(PQsocket);
	SZ_PQ_FN(PQstatus);
	SZ_PQ_FN(PQuser);
};

#undef SZ_PQ_FN

/*
 * Open libpq.so.5 (once per process; safe from any thread) and resolve
 * every function of struct sz_pq.  The library stays loaded until exit.
 * RETURNS the table, borrowed, or NULL with why saying
 * "libpq.so.5 could not be loaded: <dlerror()>"; a failure is final.
 */
const struct sz_pq *sz_pq_load(char *why, size_t whysz);

#endif
