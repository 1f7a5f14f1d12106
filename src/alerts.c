/*
 * alerts.c
 *    The per-entity summary behind the alerts (SPEC section 4): the
 *    aggregate alert_summary_agg, and the median of the gaps between
 *    consecutive timestamps.
 *
 * alerts() reduces each entity's stored membership to one alert_summary in
 * its one grouped pass: one transition per row folds the row into the two
 * health states (at T and 30 days before), keeps the last engagement and
 * the last meeting or call, counts the scheduled ones, and collects the
 * times of the year's engaged interactions and of the outbound emails; the
 * final function turns those into the usual gap and the unanswered mail.
 * The rules themselves (limits, waits, details) are comparisons in
 * 70_alerts.sql.  The two time lists are the only part that grows with the
 * rows: the median needs every gap.
 */
#include "relintel.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(relintel_median_gap);
PG_FUNCTION_INFO_V1(alert_summary_transfn);
PG_FUNCTION_INFO_V1(alert_summary_finalfn);
PG_FUNCTION_INFO_V1(alert_summary_combinefn);
PG_FUNCTION_INFO_V1(alert_summary_serialfn);
PG_FUNCTION_INFO_V1(alert_summary_deserialfn);

/* qsort comparator of int64 values (timestamps, gaps in microseconds). */
static int
compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/*
 * The median, in seconds, of the gaps between the `n` (>= 2) finite times
 * once sorted; the mean of the middle two for an even number of gaps.
 * Sorts `times` in place.
 */
static double
median_gap_seconds(int64 *times, int n)
{
	int			gap_count = n - 1;
	int64	   *gaps = (int64 *) palloc(sizeof(int64) * gap_count);
	double		median;

	qsort(times, n, sizeof(int64), compare_int64);
	for (int i = 0; i < gap_count; i++)
		gaps[i] = times[i + 1] - times[i];	/* finite timestamps: no overflow */
	qsort(gaps, gap_count, sizeof(int64), compare_int64);
	if (gap_count % 2 == 1)
		median = (double) gaps[gap_count / 2];
	else
		median = ((double) gaps[gap_count / 2 - 1] + (double) gaps[gap_count / 2]) / 2.0;
	pfree(gaps);
	return median / (double) USECS_PER_SEC;
}

/*
 * median_gap(timestamptz[]): the median, in seconds, of the gaps between
 * consecutive timestamps once sorted (equal ones give a gap of 0); the mean
 * of the middle two for an even number of gaps.  NULL elements are ignored;
 * NULL with fewer than two timestamps.  Infinite timestamps are refused.
 */
Datum
relintel_median_gap(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	int64	   *times;
	int			n = 0;

	if (ARR_ELEMTYPE(array) != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("median_gap expects an array of timestamptz")));
	deconstruct_array(array, TIMESTAMPTZOID, sizeof(TimestampTz), true, TYPALIGN_DOUBLE,
					  &elements, &nulls, &count);
	times = (int64 *) palloc(sizeof(int64) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		TimestampTz t;

		if (nulls[i])
			continue;
		t = DatumGetTimestampTz(elements[i]);
		if (TIMESTAMP_NOT_FINITE(t))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("median_gap does not accept infinite timestamps")));
		times[n++] = t;
	}
	if (n < 2)
		PG_RETURN_NULL();

	PG_RETURN_FLOAT8(median_gap_seconds(times, n));
}

/* A growing list of times, in the aggregate's memory. */
typedef struct TimeList
{
	int64	   *times;
	int			count;
	int			capacity;
} TimeList;

/*
 * What one entity's rows say about its alerts at T (the transition state).
 * Its two health states live in the same allocation, right after it
 * (summary_slot): one chunk per entity.
 */
typedef struct AlertSummary
{
	TimestampTz as_of;			/* T */
	TimestampTz month_ago;		/* the health state "then" holds the rows up to it */
	TimestampTz year_ago;		/* engaged_year holds the rows after it */
	TimestampTz last_engaged;	/* latest engaged row up to T; DT_NOBEGIN if none */
	TimestampTz last_meeting;	/* latest meeting or call up to T; DT_NOBEGIN if none */
	int64		scheduled;		/* meetings and calls after T */
	HealthState *state_then;	/* the rows up to month_ago (slot 0); NULL if none */
	HealthState *state_recent;	/* the rows in (month_ago, T] (slot 1); NULL if none */
	TimeList	engaged_year;	/* engaged rows in (year_ago, T] */
	TimeList	sent;			/* outbound emails up to T later than last_engaged */
} AlertSummary;

/* Health-state slot `slot` (0: then, 1: recent) of a summary's allocation. */
static void *
summary_slot(AlertSummary *summary, int slot)
{
	return (char *) summary + MAXALIGN(sizeof(AlertSummary)) + slot * MAXALIGN(health_state_size());
}

/* A new, empty summary with room for its two health states, in `context`. */
static AlertSummary *
summary_new(MemoryContext context)
{
	AlertSummary *summary = (AlertSummary *)
		MemoryContextAllocZero(context, MAXALIGN(sizeof(AlertSummary)) + 2 * MAXALIGN(health_state_size()));

	summary->last_engaged = DT_NOBEGIN;
	summary->last_meeting = DT_NOBEGIN;
	return summary;
}

/* Merge `source` (or a copy of it, into the summary's slot) into the state at *target. */
static void
summary_merge_state(AlertSummary *summary, int slot, HealthState **target, const HealthState *source)
{
	if (source == NULL)
		return;
	if (*target == NULL)
		*target = (HealthState *) memcpy(summary_slot(summary, slot), source, health_state_size());
	else
		health_combine(*target, source);
}

/* Append a time to a list allocated in `context`, doubling it when full. */
static void
time_list_append(TimeList *list, int64 time, MemoryContext context)
{
	if (list->count == list->capacity)
	{
		int			capacity = list->capacity == 0 ? 8 : list->capacity * 2;

		if ((Size) capacity * sizeof(int64) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many interactions for one entity in alert_summary_agg: %d", list->count)));
		list->times = list->times == NULL
			? (int64 *) MemoryContextAlloc(context, capacity * sizeof(int64))
			: (int64 *) repalloc(list->times, capacity * sizeof(int64));
		list->capacity = capacity;
	}
	list->times[list->count++] = time;
}

/* The aggregate's memory context, refusing a call from anywhere else. */
static MemoryContext
summary_context(FunctionCallInfo fcinfo, const char *function_name)
{
	MemoryContext aggregate_context;

	if (!AggCheckCallContext(fcinfo, &aggregate_context))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", function_name)));
	return aggregate_context;
}

/* Drop the times of a list that are not later than `until` (order kept). */
static void
drop_times_until(TimeList *list, int64 until)
{
	int			kept = 0;

	for (int i = 0; i < list->count; i++)
	{
		if (list->times[i] > until)
			list->times[kept++] = list->times[i];
	}
	list->count = kept;
}

/* The time argument `arg` of alert_summary_agg, refusing NULL and infinity. */
static TimestampTz
summary_time_arg(FunctionCallInfo fcinfo, int arg, const char *name)
{
	TimestampTz value;

	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("alert_summary_agg: %s must not be NULL", name)));
	value = PG_GETARG_TIMESTAMPTZ(arg);
	check_state_time(value, name);
	return value;
}

/*
 * alert_summary_agg transition: fold one interaction (arguments 1-6 as
 * health_agg's) into the entity's summary at T = as_of (arguments 7-9:
 * as_of, month_ago, year_ago, the same for every row).  Engaged means
 * inbound, or a meeting or a call.  Rows with a NULL occurred_at, kind or
 * outbound are ignored, as health_agg ignores them.
 */
Datum
alert_summary_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggregate_context = summary_context(fcinfo, "alert_summary_transfn");
	AlertSummary *summary;
	HealthRow	row;
	bool		engaged;

	if (PG_ARGISNULL(0))
	{
		summary = summary_new(aggregate_context);
		summary->as_of = summary_time_arg(fcinfo, 7, "as_of");
		summary->month_ago = summary_time_arg(fcinfo, 8, "month_ago");
		summary->year_ago = summary_time_arg(fcinfo, 9, "year_ago");
	}
	else
		summary = (AlertSummary *) PG_GETARG_POINTER(0);

	if (!health_row_from_args(fcinfo, 1, &row))
		PG_RETURN_POINTER(summary);
	if (row.at > summary->as_of)
	{
		/* pending: only a scheduled meeting or call counts */
		if (row.kind != KIND_EMAIL)
			summary->scheduled++;
		PG_RETURN_POINTER(summary);
	}

	/* each row is folded once: the state now is the two merged (final function) */
	if (row.at <= summary->month_ago)
	{
		if (summary->state_then == NULL)
			summary->state_then = health_start(summary_slot(summary, 0), row.at);
		health_fold(summary->state_then, &row);
	}
	else
	{
		if (summary->state_recent == NULL)
			summary->state_recent = health_start(summary_slot(summary, 1), row.at);
		health_fold(summary->state_recent, &row);
	}

	engaged = row.kind != KIND_EMAIL || !row.outbound;
	if (engaged)
	{
		if (row.at > summary->last_engaged)
		{
			summary->last_engaged = row.at;
			drop_times_until(&summary->sent, row.at);
		}
		if (row.at > summary->year_ago)
			time_list_append(&summary->engaged_year, row.at, aggregate_context);
	}
	else if (row.at > summary->last_engaged)
		time_list_append(&summary->sent, row.at, aggregate_context);
	if (row.kind != KIND_EMAIL)
		summary->last_meeting = Max(summary->last_meeting, row.at);
	PG_RETURN_POINTER(summary);
}

/*
 * alert_summary_agg combine: merge the second partial summary into the
 * first (a parallel worker's rows into another's): the health states merge
 * as merge() does, the latest times and the counts combine, the time lists
 * are concatenated.
 */
Datum
alert_summary_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggregate_context = summary_context(fcinfo, "alert_summary_combinefn");
	AlertSummary *target = PG_ARGISNULL(0) ? NULL : (AlertSummary *) PG_GETARG_POINTER(0);
	AlertSummary *source = PG_ARGISNULL(1) ? NULL : (AlertSummary *) PG_GETARG_POINTER(1);

	if (source == NULL)
		PG_RETURN_POINTER(target);
	if (target == NULL)
	{
		target = summary_new(aggregate_context);
		target->as_of = source->as_of;
		target->month_ago = source->month_ago;
		target->year_ago = source->year_ago;
	}
	target->last_engaged = Max(target->last_engaged, source->last_engaged);
	target->last_meeting = Max(target->last_meeting, source->last_meeting);
	target->scheduled += source->scheduled;
	summary_merge_state(target, 0, &target->state_then, source->state_then);
	summary_merge_state(target, 1, &target->state_recent, source->state_recent);
	for (int i = 0; i < source->engaged_year.count; i++)
		time_list_append(&target->engaged_year, source->engaged_year.times[i], aggregate_context);
	for (int i = 0; i < source->sent.count; i++)
		time_list_append(&target->sent, source->sent.times[i], aggregate_context);
	PG_RETURN_POINTER(target);
}

/* Write a time list (its length, then its times) into a serialized summary. */
static void
send_time_list(StringInfo buffer, const TimeList *list)
{
	pq_sendint32(buffer, list->count);
	for (int i = 0; i < list->count; i++)
		pq_sendint64(buffer, list->times[i]);
}

/* Read a time list written by send_time_list, in `context`. */
static void
receive_time_list(StringInfo buffer, TimeList *list, MemoryContext context)
{
	int			count = pq_getmsgint(buffer, 4);

	for (int i = 0; i < count; i++)
		time_list_append(list, pq_getmsgint64(buffer), context);
}

/* Write a health state (a presence byte, then its bytes) into a serialized summary. */
static void
send_health(StringInfo buffer, const HealthState *state)
{
	pq_sendbyte(buffer, state != NULL);
	if (state != NULL)
		pq_sendbytes(buffer, (const char *) state, health_state_size());
}

/* Read a health state written by send_health into `place` (NULL if absent). */
static HealthState *
receive_health(StringInfo buffer, void *place)
{
	if (pq_getmsgbyte(buffer) == 0)
		return NULL;
	return (HealthState *) memcpy(place, pq_getmsgbytes(buffer, health_state_size()), health_state_size());
}

/* alert_summary_agg serialization: a partial summary as bytea, for a parallel worker to send. */
Datum
alert_summary_serialfn(PG_FUNCTION_ARGS)
{
	AlertSummary *summary;
	StringInfoData buffer;

	summary_context(fcinfo, "alert_summary_serialfn");
	summary = (AlertSummary *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buffer);
	pq_sendint64(&buffer, summary->as_of);
	pq_sendint64(&buffer, summary->month_ago);
	pq_sendint64(&buffer, summary->year_ago);
	pq_sendint64(&buffer, summary->last_engaged);
	pq_sendint64(&buffer, summary->last_meeting);
	pq_sendint64(&buffer, summary->scheduled);
	send_health(&buffer, summary->state_then);
	send_health(&buffer, summary->state_recent);
	send_time_list(&buffer, &summary->engaged_year);
	send_time_list(&buffer, &summary->sent);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

/* alert_summary_agg deserialization: the partial summary that alert_summary_serialfn wrote. */
Datum
alert_summary_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggregate_context = summary_context(fcinfo, "alert_summary_deserialfn");
	bytea	   *serialized = PG_GETARG_BYTEA_PP(0);
	StringInfoData buffer;
	AlertSummary *summary;

	buffer.data = VARDATA_ANY(serialized);
	buffer.len = VARSIZE_ANY_EXHDR(serialized);
	buffer.maxlen = buffer.len;
	buffer.cursor = 0;
	summary = summary_new(aggregate_context);
	summary->as_of = pq_getmsgint64(&buffer);
	summary->month_ago = pq_getmsgint64(&buffer);
	summary->year_ago = pq_getmsgint64(&buffer);
	summary->last_engaged = pq_getmsgint64(&buffer);
	summary->last_meeting = pq_getmsgint64(&buffer);
	summary->scheduled = pq_getmsgint64(&buffer);
	summary->state_then = receive_health(&buffer, summary_slot(summary, 0));
	summary->state_recent = receive_health(&buffer, summary_slot(summary, 1));
	receive_time_list(&buffer, &summary->engaged_year, aggregate_context);
	receive_time_list(&buffer, &summary->sent, aggregate_context);
	pq_getmsgend(&buffer);
	PG_RETURN_POINTER(summary);
}

/* Indexes of the columns of relintel.alert_summary. */
enum
{
	SUMMARY_LAST_ENGAGED,
	SUMMARY_ENGAGED_YEAR,
	SUMMARY_TYPICAL_GAP,
	SUMMARY_UNANSWERED,
	SUMMARY_FIRST_UNANSWERED,
	SUMMARY_LAST_MEETING,
	SUMMARY_SCHEDULED,
	SUMMARY_STATE_NOW,
	SUMMARY_STATE_THEN,
	SUMMARY_COLUMNS
};

/*
 * alert_summary_agg final: the relintel.alert_summary of the entity: its
 * last engagement, the number of engaged interactions of the year and the
 * median of their gaps, the outbound emails after the last engagement (all
 * of them when nothing engaged) with the first one's time, the last and
 * the scheduled meetings and calls, and the two health states.  The state
 * is only read.
 */
Datum
alert_summary_finalfn(PG_FUNCTION_ARGS)
{
	AlertSummary *summary;
	TupleDesc	descriptor = call_result_descriptor(fcinfo, "alert_summary_agg");
	Datum		values[SUMMARY_COLUMNS] = {0};
	bool		nulls[SUMMARY_COLUMNS] = {0};
	int			engaged_count;
	int64		unanswered = 0;
	TimestampTz first_unanswered = DT_NOEND;
	HealthState *state_now;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	summary = (AlertSummary *) PG_GETARG_POINTER(0);
	engaged_count = summary->engaged_year.count;

	for (int i = 0; i < summary->sent.count; i++)
	{
		if (summary->sent.times[i] > summary->last_engaged)
		{
			unanswered++;
			first_unanswered = Min(first_unanswered, summary->sent.times[i]);
		}
	}

	values[SUMMARY_LAST_ENGAGED] = TimestampTzGetDatum(summary->last_engaged);
	nulls[SUMMARY_LAST_ENGAGED] = summary->last_engaged == DT_NOBEGIN;
	values[SUMMARY_ENGAGED_YEAR] = Int32GetDatum(engaged_count);
	if (engaged_count >= 2)
	{
		/* sorted in a copy: a final function leaves the state as it was */
		int64	   *times = (int64 *) palloc(sizeof(int64) * engaged_count);

		memcpy(times, summary->engaged_year.times, sizeof(int64) * engaged_count);
		values[SUMMARY_TYPICAL_GAP] = Float8GetDatum(median_gap_seconds(times, engaged_count));
		pfree(times);
	}
	else
		nulls[SUMMARY_TYPICAL_GAP] = true;
	values[SUMMARY_UNANSWERED] = Int64GetDatum(unanswered);
	values[SUMMARY_FIRST_UNANSWERED] = TimestampTzGetDatum(first_unanswered);
	nulls[SUMMARY_FIRST_UNANSWERED] = unanswered == 0;
	values[SUMMARY_LAST_MEETING] = TimestampTzGetDatum(summary->last_meeting);
	nulls[SUMMARY_LAST_MEETING] = summary->last_meeting == DT_NOBEGIN;
	values[SUMMARY_SCHEDULED] = Int64GetDatum(summary->scheduled);
	/* the state now: the rows up to month_ago merged with the later ones, in a copy */
	state_now = summary->state_then == NULL ? NULL : health_combine(NULL, summary->state_then);
	if (summary->state_recent != NULL)
		state_now = health_combine(state_now, summary->state_recent);
	values[SUMMARY_STATE_NOW] = PointerGetDatum(state_now);
	nulls[SUMMARY_STATE_NOW] = state_now == NULL;
	values[SUMMARY_STATE_THEN] = PointerGetDatum(summary->state_then);
	nulls[SUMMARY_STATE_THEN] = summary->state_then == NULL;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls)));
}
