/*
 * trend.c
 *    trend_state: a weekly series alone, its aggregate trend_agg, the
 *    combine function merge, and slope().
 *
 * The state keeps the weight summed per UTC week (weeks start Monday
 * 00:00 UTC) for the week of the latest point and the 12 before it.
 * slope(state, as_of) is the spec's ŝ over the 12 complete weeks before the
 * week of T' = max(as_of, latest point); since week_index is monotone only
 * the latest point's week is needed, not its exact time.
 */
#include "relintel.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

/* A weekly series of weights. */
typedef struct TrendState
{
	int32		vl_len_;		/* varlena header */
	uint8		version;		/* RELINTEL_STATE_VERSION */
	uint8		padding[7];		/* zero */
	int64		n;				/* points folded in */
	int64		week;			/* week index of the latest point: slot 0 below */
	double		weekly[TREND_WEEKS];	/* summed weight in weeks week - slot */
} TrendState;

#define TREND_TYPE_NAME "trend_state"

/* Fetch a trend_state argument. */
#define PG_GETARG_TREND(n) ((TrendState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* Latest and earliest week indexes a state may carry (those of finite timestamps). */
#define TREND_WEEK_LIMIT ((int64) 20000000)

/* Fold state `source` into `target`: align both on the newer week and add. */
static void
trend_merge_into(TrendState *target, const TrendState *source)
{
	int64		newest_week = Max(target->week, source->week);
	int64		target_shift = newest_week - target->week;
	int64		source_shift = newest_week - source->week;
	double		shifted[TREND_WEEKS] = {0};

	if (pg_add_s64_overflow(target->n, source->n, &target->n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("too many points for a trend_state")));
	for (int slot = 0; slot + target_shift < TREND_WEEKS; slot++)
		shifted[slot + target_shift] = target->weekly[slot];
	for (int slot = 0; slot + source_shift < TREND_WEEKS; slot++)
	{
		shifted[slot + source_shift] += source->weekly[slot];
		if (!(fabs(shifted[slot + source_shift]) <= TREND_SUM_MAX))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("weekly sum of a trend_state is out of range: \"%g\"", shifted[slot + source_shift]),
					 errdetail("Weekly sums lie between -1e300 and 1e300.")));
	}
	memcpy(target->weekly, shifted, sizeof(shifted));
	target->week = newest_week;
}

/* Check every invariant of a trend state; used by text input and binary receive alike. */
static const char *
trend_invalid_reason(const TrendState *state)
{
	int64		weeks_with_points = 0;

	if (state->version != RELINTEL_STATE_VERSION)
		return "Unsupported state version.";
	if (state->n < 1)
		return "A state holds at least one point.";
	if (state->week < -TREND_WEEK_LIMIT || state->week > TREND_WEEK_LIMIT)
		return "The week is outside the range of timestamps.";
	for (int slot = 0; slot < TREND_WEEKS; slot++)
	{
		if (!(fabs(state->weekly[slot]) <= TREND_SUM_MAX))
			return "Weekly sums must lie between -1e300 and 1e300.";
		if (state->weekly[slot] != 0.0)
			weeks_with_points++;
	}
	/* each point adds to one week only */
	if (weeks_with_points > state->n)
		return "More weeks hold points than there are points.";
	return NULL;
}

PG_FUNCTION_INFO_V1(trend_state_in);

/* Text input of trend_state. */
Datum
trend_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	TrendState *state = palloc0(sizeof(TrendState));
	StateReader reader;
	const char *reason;

	SET_VARSIZE(state, sizeof(TrendState));
	reader_init(&reader, input, TREND_TYPE_NAME);
	if (reader_int64(&reader, "v") != RELINTEL_STATE_VERSION)
		reader_fail(&reader, "Unsupported state version.");
	state->version = RELINTEL_STATE_VERSION;
	state->n = reader_int64(&reader, "n");
	state->week = reader_int64(&reader, "wk");
	reader_float_array(&reader, "weekly", state->weekly, TREND_WEEKS);
	reader_finish(&reader);

	reason = trend_invalid_reason(state);
	if (reason != NULL)
		reader_fail(&reader, reason);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(trend_state_out);

/* Text output of trend_state. */
Datum
trend_state_out(PG_FUNCTION_ARGS)
{
	TrendState *state = PG_GETARG_TREND(0);
	StringInfoData out;

	initStringInfo(&out);
	write_int64(&out, "v", state->version);
	write_int64(&out, "n", state->n);
	write_int64(&out, "wk", state->week);
	write_float_array(&out, "weekly", state->weekly, TREND_WEEKS);
	PG_RETURN_CSTRING(out.data);
}

PG_FUNCTION_INFO_V1(trend_state_send);

/* Binary output of trend_state. */
Datum
trend_state_send(PG_FUNCTION_ARGS)
{
	TrendState *state = PG_GETARG_TREND(0);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendbyte(&buffer, state->version);
	pq_sendint64(&buffer, state->n);
	pq_sendint64(&buffer, state->week);
	for (int slot = 0; slot < TREND_WEEKS; slot++)
		pq_sendfloat8(&buffer, state->weekly[slot]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

PG_FUNCTION_INFO_V1(trend_state_recv);

/* Binary input of trend_state: the same checks as the text input. */
Datum
trend_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buffer = (StringInfo) PG_GETARG_POINTER(0);
	TrendState *state = palloc0(sizeof(TrendState));
	const char *reason;

	SET_VARSIZE(state, sizeof(TrendState));
	state->version = pq_getmsgbyte(buffer);
	if (state->version != RELINTEL_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported trend_state version %d", state->version)));
	state->n = pq_getmsgint64(buffer);
	state->week = pq_getmsgint64(buffer);
	for (int slot = 0; slot < TREND_WEEKS; slot++)
		state->weekly[slot] = pq_getmsgfloat8(buffer);
	if (buffer->cursor != buffer->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary trend_state: %d bytes left over", buffer->len - buffer->cursor)));

	reason = trend_invalid_reason(state);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary trend_state"),
				 errdetail("%s", reason)));
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(trend_agg_transfn);

/* trend_agg transition: add `weight` to the week of `ts`; rows with a NULL argument are ignored. */
Datum
trend_agg_transfn(PG_FUNCTION_ARGS)
{
	TrendState *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_TREND(0);
	TrendState	one = {0};
	double		weight;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	check_finite_time(PG_GETARG_TIMESTAMPTZ(1), "ts");
	weight = PG_GETARG_FLOAT8(2);
	if (!isfinite(weight))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weight must be a finite number: \"%s\"",
						DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(weight))))));
	if (fabs(weight) > TREND_SUM_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("weight is out of range: \"%s\"",
						DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(weight)))),
				 errdetail("Weekly sums lie between -1e300 and 1e300.")));

	one.version = RELINTEL_STATE_VERSION;
	one.n = 1;
	one.week = week_index(PG_GETARG_TIMESTAMPTZ(1));
	one.weekly[0] = weight;

	if (state == NULL || !AggCheckCallContext(fcinfo, NULL))
	{
		TrendState *fresh = state_alloc(sizeof(TrendState));

		memcpy(VARDATA(fresh), VARDATA(state == NULL ? &one : state), sizeof(TrendState) - VARHDRSZ);
		if (state != NULL)
			trend_merge_into(fresh, &one);
		PG_RETURN_POINTER(fresh);
	}
	trend_merge_into(state, &one);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(trend_merge);

/* merge(trend_state, trend_state): the combine function of trend_agg; a NULL side is the empty state. */
Datum
trend_merge(PG_FUNCTION_ARGS)
{
	TrendState *left = PG_ARGISNULL(0) ? NULL : PG_GETARG_TREND(0);
	TrendState *right = PG_ARGISNULL(1) ? NULL : PG_GETARG_TREND(1);
	TrendState *result;

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left != NULL && AggCheckCallContext(fcinfo, NULL))
	{
		trend_merge_into(left, right);
		PG_RETURN_POINTER(left);
	}
	result = state_alloc(sizeof(TrendState));
	memcpy(VARDATA(result), VARDATA(left == NULL ? right : left), sizeof(TrendState) - VARHDRSZ);
	if (left != NULL)
		trend_merge_into(result, right);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(trend_slope);

/* slope(trend_state, as_of): ŝ over the 12 complete weeks before the week of max(as_of, latest point). */
Datum
trend_slope(PG_FUNCTION_ARGS)
{
	TrendState *state = PG_GETARG_TREND(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	int64		current_week;
	double		series[TREND_WINDOW];
	double		slope;

	check_finite_time(as_of, "as_of");
	current_week = Max(week_index(as_of), state->week);
	for (int k = 0; k < TREND_WINDOW; k++)
	{
		int64		slot = state->week - (current_week - TREND_WINDOW + k);

		series[k] = (slot >= 0 && slot < TREND_WEEKS) ? state->weekly[slot] : 0.0;
	}
	slope = series_slope(series);
	if (!isfinite(slope))		/* cannot happen with weekly sums within +-1e300 */
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("slope of a trend_state is out of range: \"%g\"", slope)));
	PG_RETURN_FLOAT8(slope);
}

PG_FUNCTION_INFO_V1(trend_state_eq);

/* trend_state = trend_state: counts and weeks exactly, sums within a relative 1e-9. */
Datum
trend_state_eq(PG_FUNCTION_ARGS)
{
	TrendState *left = PG_GETARG_TREND(0);
	TrendState *right = PG_GETARG_TREND(1);
	bool		equal = left->n == right->n && left->week == right->week;

	for (int slot = 0; equal && slot < TREND_WEEKS; slot++)
		equal = floats_close(left->weekly[slot], right->weekly[slot]);
	PG_RETURN_BOOL(equal);
}
