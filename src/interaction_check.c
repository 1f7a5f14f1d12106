/*
 * interaction_check.c
 *    The row rules of the interaction table (SPEC section 1), as a BEFORE
 *    INSERT OR UPDATE trigger: the sender and every recipient normalized
 *    (recipients keep their order and duplicates), and SQLSTATE 22023, with
 *    the offending value quoted, for an empty, multi-dimensional or
 *    NULL-holding recipient list, a negative duration, a sentiment outside
 *    -1 ... 1 (NaN included), or a regarding_type without regarding_id or
 *    the reverse.  In C because COPY runs it once per row.
 */
#include "relintel.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

/* The text form of a value of type type_oid, as its output function writes it. */
static char *
value_text(Datum value, Oid type_oid)
{
	Oid			output_function;
	bool		is_varlena;

	getTypeOutputInfo(type_oid, &output_function, &is_varlena);
	return OidOutputFunctionCall(output_function, value);
}

/* The attribute number of a column of the trigger's table (error when missing). */
static int
column_number(TupleDesc descriptor, const char *name)
{
	int			number = SPI_fnumber(descriptor, name);

	if (number <= 0)
		elog(ERROR, "relintel: the interaction table has no column \"%s\"", name);
	return number;
}

/* Raise 22023 for a row value that breaks a rule. */
static pg_noreturn void
reject_value(const char *what, const char *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: \"%s\"", what, value)));
	pg_unreachable();
}

/* Raise 22023 for a recipient list that breaks a rule, quoting the list. */
static pg_noreturn void
reject_recipients(const char *what, ArrayType *recipients)
{
	reject_value(what, value_text(PointerGetDatum(recipients), TEXTARRAYOID));
}

/* The recipients normalized one by one, after the checks on the list itself. */
static Datum
normalized_recipients(ArrayType *recipients)
{
	Datum	   *elements;
	bool	   *nulls;
	int			count;

	if (ARR_NDIM(recipients) > 1)
		reject_recipients("recipients must be a one-dimensional list", recipients);
	deconstruct_array(recipients, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
	if (count == 0)
		reject_recipients("recipients must not be empty", recipients);
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			reject_recipients("recipients must not contain NULL", recipients);
		elements[i] = PointerGetDatum(normalize_address_text(DatumGetTextPP(elements[i])));
	}
	return PointerGetDatum(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
}

/* The attribute numbers of the checked columns, cached per trigger call site. */
typedef struct CheckedColumns
{
	Oid			relation_id;	/* the table they were read from */
	int			sender;
	int			recipients;
	int			duration;
	int			sentiment;
	int			regarding_type;
	int			regarding_id;
} CheckedColumns;

/* The checked columns of the trigger's table, looked up once per call site and table. */
static const CheckedColumns *
checked_columns(FunctionCallInfo fcinfo, Relation relation)
{
	CheckedColumns *columns = (CheckedColumns *) fcinfo->flinfo->fn_extra;
	TupleDesc	descriptor = RelationGetDescr(relation);

	if (columns != NULL && columns->relation_id == RelationGetRelid(relation))
		return columns;
	if (columns == NULL)
		columns = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CheckedColumns));
	columns->sender = column_number(descriptor, "sender");
	columns->recipients = column_number(descriptor, "recipients");
	columns->duration = column_number(descriptor, "duration");
	columns->sentiment = column_number(descriptor, "sentiment");
	columns->regarding_type = column_number(descriptor, "regarding_type");
	columns->regarding_id = column_number(descriptor, "regarding_id");
	columns->relation_id = RelationGetRelid(relation);
	fcinfo->flinfo->fn_extra = columns;
	return columns;
}

PG_FUNCTION_INFO_V1(relintel_check_interaction);

/* check_interaction(): BEFORE INSERT OR UPDATE row trigger of interaction. */
Datum
relintel_check_interaction(PG_FUNCTION_ARGS)
{
	TriggerData *trigger_data = (TriggerData *) fcinfo->context;
	TupleDesc	descriptor;
	HeapTuple	row;
	const CheckedColumns *columns;
	Datum		value;
	bool		is_null;
	bool		regarding_type_null,
				regarding_id_null;
	int			changed_columns[2];
	Datum		changed_values[2];
	bool		changed_nulls[2] = {false, false};
	int			changed_count = 0;
	Interval	zero_interval = {0, 0, 0};

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigger_data->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigger_data->tg_event))
		elog(ERROR, "relintel_check_interaction: not called as a BEFORE ROW trigger");
	row = TRIGGER_FIRED_BY_UPDATE(trigger_data->tg_event) ? trigger_data->tg_newtuple
		: trigger_data->tg_trigtuple;
	descriptor = trigger_data->tg_relation->rd_att;
	columns = checked_columns(fcinfo, trigger_data->tg_relation);

	value = heap_getattr(row, columns->sender, descriptor, &is_null);
	if (!is_null)
	{
		changed_columns[changed_count] = columns->sender;
		changed_values[changed_count++] = PointerGetDatum(normalize_address_text(DatumGetTextPP(value)));
	}
	value = heap_getattr(row, columns->recipients, descriptor, &is_null);
	if (!is_null)
	{
		changed_columns[changed_count] = columns->recipients;
		changed_values[changed_count++] = normalized_recipients(DatumGetArrayTypeP(value));
	}

	value = heap_getattr(row, columns->duration, descriptor, &is_null);
	if (!is_null && DatumGetBool(DirectFunctionCall2(interval_lt, value,
													 IntervalPGetDatum(&zero_interval))))
		reject_value("duration must not be negative", value_text(value, INTERVALOID));

	value = heap_getattr(row, columns->sentiment, descriptor, &is_null);
	if (!is_null)
	{
		float4		sentiment = DatumGetFloat4(value);

		if (!(sentiment >= -1.0f && sentiment <= 1.0f))
			reject_value("sentiment must be between -1 and 1", value_text(value, FLOAT4OID));
	}

	value = heap_getattr(row, columns->regarding_type, descriptor, &regarding_type_null);
	(void) heap_getattr(row, columns->regarding_id, descriptor, &regarding_id_null);
	if (regarding_type_null != regarding_id_null)
	{
		char	   *type_shown = regarding_type_null ? "<NULL>"
			: SPI_getvalue(row, descriptor, columns->regarding_type);
		char	   *id_shown = regarding_id_null ? "<NULL>"
			: SPI_getvalue(row, descriptor, columns->regarding_id);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("regarding_type and regarding_id must be set together: \"%s\", \"%s\"",
						type_shown, id_shown)));
	}

	if (changed_count > 0)
		row = heap_modify_tuple_by_cols(row, descriptor, changed_count, changed_columns,
										changed_values, changed_nulls);
	return PointerGetDatum(row);
}
