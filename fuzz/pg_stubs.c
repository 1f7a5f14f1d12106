/*
 * pg_stubs.c
 *    Just enough of the PostgreSQL server for relintel's state code to run
 *    in a plain process: memory from an arena freed after every input,
 *    ereport() that longjmps back to the harness with the SQLSTATE, the
 *    GUC values at their defaults, and the tuple functions of factors() and
 *    health_report() capturing their columns.  Anything else aborts.
 */
#include "pg_stubs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

const char *const relintel_kind_labels[KIND_COUNT] = {"email", "meeting", "call"};

MemoryContext CurrentMemoryContext = NULL;

sigjmp_buf *stub_error_target = NULL;
int			stub_error_code = 0;
char		stub_error_message[1024];
Datum		stub_tuple_values[32];
bool		stub_tuple_nulls[32];
int			stub_tuple_columns = 0;

/* Every live arena allocation, so that stub_arena_reset() frees them all. */
static void **arena = NULL;
static size_t arena_used = 0;
static size_t arena_size = 0;
static int	error_level = 0;

/* Abort with a message: a server function the harness must never reach. */
static void
unreachable(const char *name)
{
	fprintf(stderr, "stub %s called\n", name);
	abort();
}

/* Remember an allocation in the arena. */
static void *
arena_keep(void *pointer)
{
	if (pointer == NULL)
		abort();
	if (arena_used == arena_size)
	{
		arena_size = arena_size ? 2 * arena_size : 1024;
		arena = realloc(arena, arena_size * sizeof(void *));
		if (arena == NULL)
			abort();
	}
	arena[arena_used++] = pointer;
	return pointer;
}

/* Free everything allocated since the last reset. */
void
stub_arena_reset(void)
{
	for (size_t i = 0; i < arena_used; i++)
		free(arena[i]);
	arena_used = 0;
}

/* palloc: arena memory. */
void *
palloc(Size size)
{
	return arena_keep(malloc(size ? size : 1));
}

/* palloc0: zeroed arena memory. */
void *
palloc0(Size size)
{
	return arena_keep(calloc(1, size ? size : 1));
}

/* palloc_extended: arena memory (flags ignored but zeroing). */
void *
palloc_extended(Size size, int flags)
{
	return (flags & MCXT_ALLOC_ZERO) ? palloc0(size) : palloc(size);
}

/* MemoryContextAllocZero: zeroed arena memory (one context). */
void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return palloc0(size);
}

/* MemoryContextAlloc: arena memory (one context). */
void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return palloc(size);
}

/* pfree: free now and forget it. */
void
pfree(void *pointer)
{
	for (size_t i = arena_used; i-- > 0;)
	{
		if (arena[i] == pointer)
		{
			free(pointer);
			arena[i] = arena[--arena_used];
			return;
		}
	}
	abort();					/* not ours: a double free */
}

/* repalloc: grow an arena allocation. */
void *
repalloc(void *pointer, Size size)
{
	for (size_t i = arena_used; i-- > 0;)
	{
		if (arena[i] == pointer)
		{
			arena[i] = realloc(pointer, size ? size : 1);
			if (arena[i] == NULL)
				abort();
			return arena[i];
		}
	}
	abort();
}

/* pnstrdup: a NUL-terminated copy of at most `length` bytes. */
char *
pnstrdup(const char *source, Size length)
{
	char	   *copy;

	length = strnlen(source, length);
	copy = palloc(length + 1);
	memcpy(copy, source, length);
	copy[length] = '\0';
	return copy;
}

/* pstrdup: a copy. */
char *
pstrdup(const char *source)
{
	return pnstrdup(source, strlen(source));
}

/* errstart: only errors are reported; warnings and below are dropped. */
bool
errstart(int elevel, const char *domain)
{
	error_level = elevel;
	stub_error_code = 0;
	stub_error_message[0] = '\0';
	return elevel >= ERROR;
}

/* errstart_cold: as errstart. */
bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

/* errfinish: jump back to the harness. */
void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (error_level < ERROR)
		return;
	if (stub_error_target == NULL)
		unreachable("errfinish without a target");
	siglongjmp(*stub_error_target, 1);
}

/* errcode: remember the SQLSTATE. */
int
errcode(int sqlerrcode)
{
	stub_error_code = sqlerrcode;
	return 0;
}

/* errmsg: remember the message. */
int
errmsg(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vsnprintf(stub_error_message, sizeof(stub_error_message), fmt, args);
	va_end(args);
	return 0;
}

/* errmsg_internal: as errmsg (elog). */
int
errmsg_internal(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	vsnprintf(stub_error_message, sizeof(stub_error_message), fmt, args);
	va_end(args);
	return 0;
}

/* errdetail: formatted and dropped. */
int
errdetail(const char *fmt,...)
{
	char		buffer[1024];
	va_list		args;

	va_start(args, fmt);
	vsnprintf(buffer, sizeof(buffer), fmt, args);
	va_end(args);
	return 0;
}

/* errhint: formatted and dropped. */
int
errhint(const char *fmt,...)
{
	char		buffer[1024];
	va_list		args;

	va_start(args, fmt);
	vsnprintf(buffer, sizeof(buffer), fmt, args);
	va_end(args);
	return 0;
}

/* pg_detoast_datum: states here are never toasted. */
struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	return datum;
}

/* AggCheckCallContext: never inside an aggregate. */
int
AggCheckCallContext(FunctionCallInfo fcinfo, MemoryContext *aggcontext)
{
	if (aggcontext)
		*aggcontext = NULL;
	return 0;
}

/* timestamptz_to_str: the raw microseconds (messages only). */
const char *
timestamptz_to_str(TimestampTz t)
{
	static char buffer[64];

	snprintf(buffer, sizeof(buffer), INT64_FORMAT, t);
	return buffer;
}

/* call_result_descriptor: a record of up to 32 columns. */
TupleDesc
call_result_descriptor(FunctionCallInfo fcinfo, const char *function_name)
{
	static struct TupleDescData descriptor;

	return &descriptor;
}

/* The const-ness of heap_form_tuple's arrays, as the server's headers declare it (const from 17). */
#if PG_VERSION_NUM >= 170000
#define STUB_FORM_CONST const
#else
#define STUB_FORM_CONST
#endif

/* heap_form_tuple: capture the columns for the harness. */
HeapTuple
heap_form_tuple(TupleDesc tupleDescriptor, STUB_FORM_CONST Datum *values, STUB_FORM_CONST bool *isnull)
{
	static HeapTupleData tuple;

	memcpy(stub_tuple_values, values, sizeof(Datum) * stub_tuple_columns);
	memcpy(stub_tuple_nulls, isnull, sizeof(bool) * stub_tuple_columns);
	return &tuple;
}

/* HeapTupleHeaderGetDatum: a dummy Datum (the columns were captured). */
Datum
HeapTupleHeaderGetDatum(HeapTupleHeader tuple)
{
	return (Datum) 0;
}

/* enum_datum: the label's address (the harness does not read enums). */
Datum
enum_datum(FunctionCallInfo fcinfo, const char *type_name, const char *label)
{
	return PointerGetDatum(label);
}

/* The server functions below are never reached by the text parsers. */
InteractionKind
kind_from_datum(FunctionCallInfo fcinfo, Datum kind)
{
	unreachable("kind_from_datum");
	return KIND_EMAIL;
}

/* Not reached. */
Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	unreachable("DirectFunctionCall1Coll");
	return 0;
}

/* Not reached. */
Datum
float4out(PG_FUNCTION_ARGS)
{
	unreachable("float4out");
	return 0;
}

/* Not reached. */
Datum
float8out(PG_FUNCTION_ARGS)
{
	unreachable("float8out");
	return 0;
}

/* Not reached. */
Datum
interval_out(PG_FUNCTION_ARGS)
{
	unreachable("interval_out");
	return 0;
}

/* Not reached. */
void
pq_begintypsend(StringInfo buf)
{
	unreachable("pq_begintypsend");
}

/* Not reached. */
bytea *
pq_endtypsend(StringInfo buf)
{
	unreachable("pq_endtypsend");
	return NULL;
}

/* Not reached. */
void
pq_sendfloat8(StringInfo msg, float8 f)
{
	unreachable("pq_sendfloat8");
}

/* Not reached. */
int
pq_getmsgbyte(StringInfo msg)
{
	unreachable("pq_getmsgbyte");
	return 0;
}

/* Not reached. */
unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unreachable("pq_getmsgint");
	return 0;
}

/* Not reached. */
int64
pq_getmsgint64(StringInfo msg)
{
	unreachable("pq_getmsgint64");
	return 0;
}

/* Not reached. */
float8
pq_getmsgfloat8(StringInfo msg)
{
	unreachable("pq_getmsgfloat8");
	return 0;
}

/* pg_ltoa: decimal text of an int32 and a NUL; returns the length. */
int
pg_ltoa(int32 value, char *text)
{
	return snprintf(text, 12, "%d", (int) value);
}

/* pg_lltoa: decimal text of an int64 and a NUL; returns the length. */
int
pg_lltoa(int64 value, char *text)
{
	return snprintf(text, 21, "%lld", (long long) value);
}
