/*
 * enums.c
 *    The SQL enums of relintel (interaction_kind, health_status,
 *    health_trend) as seen from C, and the result row type of a function
 *    returning a record.
 *
 * Enum values are OIDs that differ from one database (and one CREATE
 * EXTENSION) to the next, so they are looked up by label and cached in the
 * calling expression's fn_extra, never in a static variable; the blessed
 * descriptor of a function's result row is cached there too.
 */
#include "relintel.h"

#include "catalog/namespace.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

const char *const relintel_kind_labels[KIND_COUNT] = {"email", "meeting", "call"};

/* Labels one call site may return (health_status has the most, 4). */
#define ENUM_CACHE_SIZE 8

/* Enum OIDs and the result row descriptor cached for one call site. */
typedef struct EnumCache
{
	Oid			kind_oids[KIND_COUNT];	/* interaction_kind values by InteractionKind */
	const char *labels[ENUM_CACHE_SIZE];	/* labels returned by enum_datum() so far */
	Datum		values[ENUM_CACHE_SIZE];	/* their OIDs as Datums */
	int			used;			/* entries of labels/values in use */
	TupleDesc	result_descriptor;	/* blessed, in fn_mcxt; NULL until first needed */
} EnumCache;

/* The cache of this call site, created on first use. */
static EnumCache *
enum_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EnumCache));
	return (EnumCache *) fcinfo->flinfo->fn_extra;
}

/* OID of the type relintel.<type_name>. */
static Oid
relintel_type_oid(const char *type_name)
{
	Oid			namespace_oid = get_namespace_oid("relintel", false);
	Oid			type_oid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										   CStringGetDatum(type_name),
										   ObjectIdGetDatum(namespace_oid));

	if (!OidIsValid(type_oid))
		elog(ERROR, "type relintel.%s does not exist", type_name);
	return type_oid;
}

/* OID of the value `label` of enum relintel.<type_name>. */
static Oid
enum_value_oid(const char *type_name, const char *label)
{
	return DatumGetObjectId(DirectFunctionCall2(enum_in, CStringGetDatum(label),
												ObjectIdGetDatum(relintel_type_oid(type_name))));
}

/* The InteractionKind of an interaction_kind value. */
InteractionKind
kind_from_datum(FunctionCallInfo fcinfo, Datum kind)
{
	EnumCache  *cache = enum_cache(fcinfo);
	Oid			kind_oid = DatumGetObjectId(kind);

	if (!OidIsValid(cache->kind_oids[KIND_EMAIL]))
	{
		for (int i = 0; i < KIND_COUNT; i++)
			cache->kind_oids[i] = enum_value_oid("interaction_kind", relintel_kind_labels[i]);
	}
	for (int i = 0; i < KIND_COUNT; i++)
	{
		if (cache->kind_oids[i] == kind_oid)
			return (InteractionKind) i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown interaction kind: enum value %u", kind_oid)));
	return KIND_EMAIL;			/* keep compiler quiet */
}

/* The Datum of value `label` (a string constant) of enum relintel.<type_name>, cached per call site. */
Datum
enum_datum(FunctionCallInfo fcinfo, const char *type_name, const char *label)
{
	EnumCache  *cache = enum_cache(fcinfo);
	Datum		value;

	for (int i = 0; i < cache->used; i++)
	{
		if (strcmp(cache->labels[i], label) == 0)
			return cache->values[i];
	}
	value = ObjectIdGetDatum(enum_value_oid(type_name, label));
	if (cache->used < ENUM_CACHE_SIZE)
	{
		cache->labels[cache->used] = label;
		cache->values[cache->used] = value;
		cache->used++;
	}
	return value;
}

/*
 * The blessed descriptor of the record that the called function returns,
 * cached per call site (get_call_result_type() builds it from the catalog on
 * every call); `function_name` names the function in the error raised when
 * the caller does not accept a record.
 */
TupleDesc
call_result_descriptor(FunctionCallInfo fcinfo, const char *function_name)
{
	EnumCache  *cache = enum_cache(fcinfo);
	TupleDesc	descriptor;
	MemoryContext previous;

	if (cache->result_descriptor != NULL)
		return cache->result_descriptor;
	if (get_call_result_type(fcinfo, NULL, &descriptor) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s() must be called in a context that accepts a record", function_name)));
	previous = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache->result_descriptor = BlessTupleDesc(CreateTupleDescCopy(descriptor));
	MemoryContextSwitchTo(previous);
	return cache->result_descriptor;
}
