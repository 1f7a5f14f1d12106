/*
 * pg_stubs.h
 *    What the fuzz harness shares with its server stubs (pg_stubs.c).
 */
#ifndef RELINTEL_PG_STUBS_H
#define RELINTEL_PG_STUBS_H

#include "relintel.h"

#include <setjmp.h>

extern sigjmp_buf *stub_error_target;	/* where ereport(ERROR) jumps */
extern int	stub_error_code;	/* SQLSTATE of the last error */
extern char stub_error_message[1024];	/* its message */
extern Datum stub_tuple_values[32];	/* columns of the last heap_form_tuple */
extern bool stub_tuple_nulls[32];
extern int	stub_tuple_columns;	/* how many columns to capture */

extern void stub_arena_reset(void);

#endif							/* RELINTEL_PG_STUBS_H */
