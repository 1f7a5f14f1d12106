/*
 * state_fuzz.c
 *    libFuzzer target for the text input of relintel's state types
 *    (health_state_in, tie_state_in, trend_state_in and the reader of
 *    src/state_io.c they share), linked with the extension's own sources.
 *
 * Every input is given to all three parsers.  A refusal must be SQLSTATE
 * 22P02.  An accepted state must print text that reads back to the same
 * text, give every reader (score, strength, slope, factors, health_report)
 * a value in its documented range at several times without any error, and
 * merge with itself into a state the input accepts, or fail with 22003.
 * Anything else aborts, which libFuzzer reports as a crash.
 */
#include "pg_stubs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "utils/datetime.h"

extern Datum health_state_in(PG_FUNCTION_ARGS);
extern Datum health_state_out(PG_FUNCTION_ARGS);
extern Datum health_score(PG_FUNCTION_ARGS);
extern Datum health_trend_slope(PG_FUNCTION_ARGS);
extern Datum health_factors(PG_FUNCTION_ARGS);
extern Datum health_report(PG_FUNCTION_ARGS);
extern Datum health_merge(PG_FUNCTION_ARGS);
extern Datum health_last_at(PG_FUNCTION_ARGS);
extern Datum tie_state_in(PG_FUNCTION_ARGS);
extern Datum tie_state_out(PG_FUNCTION_ARGS);
extern Datum tie_strength(PG_FUNCTION_ARGS);
extern Datum tie_merge(PG_FUNCTION_ARGS);
extern Datum tie_last_at(PG_FUNCTION_ARGS);
extern Datum trend_state_in(PG_FUNCTION_ARGS);
extern Datum trend_state_out(PG_FUNCTION_ARGS);
extern Datum trend_slope(PG_FUNCTION_ARGS);
extern Datum trend_merge(PG_FUNCTION_ARGS);

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One state type: its functions and what was seen of it. */
typedef struct StateType
{
	const char *name;
	PGFunction	in;
	PGFunction	out;
	PGFunction	merge;
	long		accepted;
	long		merge_refused;
} StateType;

static StateType types[] = {
	{"health_state", health_state_in, health_state_out, health_merge},
	{"tie_state", tie_state_in, tie_state_out, tie_merge},
	{"trend_state", trend_state_in, trend_state_out, trend_merge},
};

static long inputs = 0;

/* Report a broken invariant and crash, so that libFuzzer keeps the input. */
static void
fail(const char *type_name, const char *what, const char *text)
{
	fprintf(stderr, "%s: %s\n  input: %s\n  last error: %d %s\n", type_name, what, text,
			stub_error_code, stub_error_message);
	abort();
}

/*
 * Call `function` with up to two arguments; true when it returned, false
 * when it raised an error (code in stub_error_code).  *is_null tells a NULL result.
 */
static bool
call(PGFunction function, int nargs, Datum arg0, Datum arg1, Datum *result, bool *is_null)
{
	LOCAL_FCINFO(fcinfo, 2);
	sigjmp_buf	target;
	sigjmp_buf *saved = stub_error_target;

	InitFunctionCallInfoData(*fcinfo, NULL, nargs, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = arg0;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = arg1;
	fcinfo->args[1].isnull = false;
	if (sigsetjmp(target, 0) != 0)
	{
		stub_error_target = saved;
		return false;
	}
	stub_error_target = &target;
	*result = function(fcinfo);
	stub_error_target = saved;
	if (is_null)
		*is_null = fcinfo->isnull;
	return true;
}

/* Whether x is a number within [low, high]. */
static bool
in_range(double x, double low, double high)
{
	return x >= low && x <= high;
}

/* Check the readers of an accepted health_state at time `as_of`. */
static void
check_health_readers(Datum state, TimestampTz as_of, const char *text)
{
	Datum		result;
	bool		is_null;

	if (!call(health_score, 2, state, TimestampTzGetDatum(as_of), &result, &is_null))
		fail("health_state", "score() raised an error", text);
	if (!is_null && !in_range(DatumGetInt32(result), 0, 100))
		fail("health_state", "score() out of 0..100", text);
	if (!call(health_trend_slope, 2, state, TimestampTzGetDatum(as_of), &result, &is_null))
		fail("health_state", "trend_slope() raised an error", text);
	if (!isfinite(DatumGetFloat8(result)))
		fail("health_state", "trend_slope() not finite", text);

	/* factors(): value and contribution of 6 factors, then last_engaged, last_at, n */
	stub_tuple_columns = 15;
	if (!call(health_factors, 2, state, TimestampTzGetDatum(as_of), &result, &is_null))
		fail("health_state", "factors() raised an error", text);
	for (int column = 0; column < 12; column += 2)
	{
		if (stub_tuple_nulls[column])
			continue;
		if (!in_range(DatumGetFloat8(stub_tuple_values[column]), 0.0, 1.0))
			fail("health_state", "a factor is out of 0..1", text);
		if (!in_range(DatumGetFloat8(stub_tuple_values[column + 1]), 0.0, 100.0))
			fail("health_state", "a contribution is out of 0..100", text);
	}

	/* health_report(): score, status, trend, slope, last_at, last_engaged, n, 6 factors */
	stub_tuple_columns = 13;
	if (!call(health_report, 2, state, TimestampTzGetDatum(as_of), &result, &is_null))
		fail("health_state", "health_report() raised an error", text);
	if (!stub_tuple_nulls[0] && !in_range(DatumGetInt32(stub_tuple_values[0]), 0, 100))
		fail("health_state", "health_report() score out of 0..100", text);
	if (!stub_tuple_nulls[3] && !isfinite(DatumGetFloat8(stub_tuple_values[3])))
		fail("health_state", "health_report() slope not finite", text);
	for (int column = 7; column < 13; column++)
	{
		if (!stub_tuple_nulls[column] && !in_range(DatumGetFloat8(stub_tuple_values[column]), 0.0, 1.0))
			fail("health_state", "health_report() factor out of 0..1", text);
	}
}

/* Check the reader of an accepted state of type `index` at time `as_of`. */
static void
check_readers(int index, Datum state, TimestampTz as_of, const char *text)
{
	Datum		result;
	bool		is_null;

	if (index == 0)
		check_health_readers(state, as_of, text);
	else if (index == 1)
	{
		if (!call(tie_strength, 2, state, TimestampTzGetDatum(as_of), &result, &is_null))
			fail("tie_state", "strength() raised an error", text);
		if (!in_range(DatumGetInt32(result), 0, 100))
			fail("tie_state", "strength() out of 0..100", text);
	}
	else
	{
		if (!call(trend_slope, 2, state, TimestampTzGetDatum(as_of), &result, &is_null))
			fail("trend_state", "slope() raised an error", text);
		if (!isfinite(DatumGetFloat8(result)))
			fail("trend_state", "slope() not finite", text);
	}
}

/* Parse `text` as state type `index` and check everything an accepted state promises. */
static void
check_type(int index, const char *text)
{
	StateType  *type = &types[index];
	Datum		state;
	Datum		printed;
	Datum		again;
	Datum		merged;
	Datum		last_at = 0;
	TimestampTz times[5] = {MIN_TIMESTAMP, 0, END_TIMESTAMP - 1, 0, 0};
	int			time_count = 3;

	if (!call(type->in, 1, CStringGetDatum(text), 0, &state, NULL))
	{
		if (stub_error_code != ERRCODE_INVALID_TEXT_REPRESENTATION)
			fail(type->name, "refused with a SQLSTATE other than 22P02", text);
		return;
	}
	type->accepted++;

	/* text round-trip: out -> in -> out is the identity */
	if (!call(type->out, 1, state, 0, &printed, NULL))
		fail(type->name, "output raised an error", text);
	if (!call(type->in, 1, printed, 0, &again, NULL))
		fail(type->name, "output not accepted by the input", DatumGetCString(printed));
	if (!call(type->out, 1, again, 0, &again, NULL) ||
		strcmp(DatumGetCString(again), DatumGetCString(printed)) != 0)
		fail(type->name, "text does not round-trip", text);

	/* the readers, at the extremes, at the state's last time and a day later */
	if (index < 2 && call(index == 0 ? health_last_at : tie_last_at, 1, state, 0, &last_at, NULL))
	{
		times[time_count++] = DatumGetTimestampTz(last_at);
		if (DatumGetTimestampTz(last_at) < END_TIMESTAMP - USECS_PER_DAY)
			times[time_count++] = DatumGetTimestampTz(last_at) + USECS_PER_DAY;
	}
	for (int i = 0; i < time_count; i++)
		check_readers(index, state, times[i], text);

	/* merge(x, x): a state the input accepts, or 22003 */
	if (!call(type->merge, 2, state, state, &merged, NULL))
	{
		if (stub_error_code != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
			fail(type->name, "merge(x, x) raised an error other than 22003", text);
		type->merge_refused++;
		return;
	}
	if (!call(type->out, 1, merged, 0, &printed, NULL))
		fail(type->name, "output of merge(x, x) raised an error", text);
	if (!call(type->in, 1, printed, 0, &again, NULL))
		fail(type->name, "merge(x, x) made a state the input refuses", DatumGetCString(printed));
	check_readers(index, again, times[time_count - 1], text);
}

/* Print what was seen, for the README. */
static void
print_summary(void)
{
	fprintf(stderr, "state_fuzz: %ld inputs; accepted: health_state %ld, tie_state %ld, trend_state %ld; "
			"merge(x, x) refused with 22003: %ld, %ld, %ld\n",
			inputs, types[0].accepted, types[1].accepted, types[2].accepted,
			types[0].merge_refused, types[1].merge_refused, types[2].merge_refused);
}

/* libFuzzer entry: the input up to its first NUL byte is the text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size + 1);

	if (inputs++ == 0)
		atexit(print_summary);
	memcpy(text, data, size);
	text[size] = '\0';
	for (int index = 0; index < 3; index++)
	{
		check_type(index, text);
		stub_arena_reset();
	}
	free(text);
	return 0;
}
