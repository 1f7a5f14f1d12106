/*
 * compat.h
 *    The differences between the PostgreSQL versions relintel builds for
 *    (15, 16, 17 and 18), in one place.  Included by relintel.h right
 *    after postgres.h; the rest of the code is written for the newest.
 */
#ifndef RELINTEL_COMPAT_H
#define RELINTEL_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "relintel needs PostgreSQL 15 or later"
#endif

/*
 * PostgreSQL 16 moved the varlena macros (VARDATA, SET_VARSIZE, ...) out of
 * postgres.h into varatt.h.
 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * PostgreSQL 18 marks functions that do not return with pg_noreturn, written
 * before the declaration, and dropped pg_attribute_noreturn(); before, the
 * GCC attribute pg_attribute_noreturn() may stand at the same place.
 */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * The "extra" data of a GUC check hook is freed by the GUC machinery: with
 * free() up to PostgreSQL 15, with guc_free() from 16 on, so it must come
 * from guc_malloc() there (malloc() memory makes pfree() fail).
 */
#if PG_VERSION_NUM < 160000
#define guc_malloc(elevel, size) malloc(size)
#endif

#endif							/* RELINTEL_COMPAT_H */
