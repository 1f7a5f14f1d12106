/*
 * decay.c
 *    The arithmetic that every relintel state shares: time in days,
 *    exponential decay, UTC week buckets and the least-squares slope.
 *
 * Design note.  A decayed sum  sum_i w_i * 2^(-(T - t_i)/H)  cannot be kept
 * as "the value at T" because T is only known when the state is read.  Each
 * state therefore keeps its sums decayed to its own last_at (the latest t_i):
 *
 *     A = sum_i w_i * 2^(-(last_at - t_i)/H)
 *
 * so every stored term lies in (0, w_i] and nothing can overflow however
 * long the history.  Reading at T' = max(T, last_at) multiplies A by
 * 2^(-(T' - last_at)/H).  Two states merge by decaying the one with the
 * older last_at to the newer one and adding; a single interaction is just a
 * state whose last_at is its own time, so the transition function is a
 * merge too and there is one code path for both.
 */
#include "relintel.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "utils/builtins.h"

/* Microseconds in a day. */
#define USECS_PER_DAY_F 86400000000.0

/* The spec's Monday anchor (1970-01-05 00:00 UTC) and week length, in microseconds. */
#define WEEK_ANCHOR_USECS ((int64) 345600 * USECS_PER_SEC)
#define WEEK_USECS ((int64) 604800 * USECS_PER_SEC)

/* Kind weight of an interaction from the settings. */
double
kind_weight(InteractionKind kind)
{
	switch (kind)
	{
		case KIND_EMAIL:
			return relintel_weight_email;
		case KIND_MEETING:
			return relintel_weight_meeting;
		case KIND_CALL:
			return relintel_weight_call;
		default:
			elog(ERROR, "unexpected interaction kind %d", (int) kind);
	}
	return 0.0;					/* keep compiler quiet */
}

/* Days from `from` to `to` (negative when `to` is earlier). */
double
days_between(TimestampTz from, TimestampTz to)
{
	return ((double) to - (double) from) / USECS_PER_DAY_F;
}

/* 2^(-(to - from)/half_life): the decay of a value from `from` to the later `to`. */
double
decay_factor(TimestampTz from, TimestampTz to, double half_life)
{
	if (to <= from)
		return 1.0;
	return exp2(-days_between(from, to) / half_life);
}

/*
 * UTC week index of a time: floor((unix seconds - 345600) / 604800), for
 * every int64 time.  The epoch offset is added to the remainder of a floor
 * division, never to the time itself, so nothing can overflow.
 */
int64
week_index(TimestampTz ts)
{
	int64		week = ts / WEEK_USECS;
	int64		rest = ts % WEEK_USECS;

	if (rest < 0)
	{
		rest += WEEK_USECS;		/* floor, not truncation, before 2000 */
		week--;
	}
	/* 0 <= rest + offset - anchor < 1566 weeks: no overflow, a floor division of non-negatives */
	return week + (rest + UNIX_EPOCH_OFFSET_USECS - WEEK_ANCHOR_USECS) / WEEK_USECS;
}

/*
 * Normalized least-squares slope of the 12 weekly values c_0 (oldest) .. c_11:
 * s / max(mean(c), 0.25), with s = sum((k - 5.5) * c_k) / 143.
 */
double
series_slope(const double *weeks)
{
	double		weighted = 0.0;
	double		total = 0.0;
	double		slope;
	double		mean;

	for (int k = 0; k < TREND_WINDOW; k++)
	{
		weighted += (k - 5.5) * weeks[k];
		total += weeks[k];
	}
	slope = weighted / 143.0;	/* sum of (k - 5.5)^2 over k = 0..11 */
	mean = total / TREND_WINDOW;
	return slope / fmax(mean, 0.25);
}

/* Length of an interval in seconds, the way extract(epoch from interval) counts it. */
double
interval_seconds(const Interval *span)
{
	double		seconds = (double) span->time / USECS_PER_SEC;

	seconds += (double) span->day * SECS_PER_DAY;
	seconds += (DAYS_PER_YEAR * SECS_PER_DAY) * (span->month / MONTHS_PER_YEAR);
	seconds += ((double) DAYS_PER_MONTH * SECS_PER_DAY) * (span->month % MONTHS_PER_YEAR);
	return seconds;
}

/* The spec's T' = max(T, last_at), after refusing an infinite T. */
TimestampTz
evaluation_time(TimestampTz as_of, TimestampTz last_at)
{
	check_finite_time(as_of, "as_of");
	return as_of > last_at ? as_of : last_at;
}

/* Refuse an infinite timestamp with SQLSTATE 22008. */
void
check_finite_time(TimestampTz ts, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite timestamp: \"%s\"", what,
						timestamptz_to_str(ts))));
}

/* Whether a time is one a state may hold (the text form can write it and read it back). */
bool
state_time_valid(TimestampTz ts)
{
	return ts >= MIN_TIMESTAMP && ts <= STATE_TIME_MAX;
}

/* Refuse an infinite time, or one a state cannot hold, with SQLSTATE 22008 quoting it. */
void
check_state_time(TimestampTz ts, const char *what)
{
	check_finite_time(ts, what);
	if (!state_time_valid(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for relintel states: \"%s\"", what,
						timestamptz_to_str(ts)),
				 errdetail("States hold times from 4714-11-24 BC to 294247-01-10 04:00:54.775807 UTC.")));
}

/* Whether a decayed count (finite, not negative) is at most `count` interactions, up to rounding. */
bool
within_count(double decayed, double count)
{
	return isfinite(decayed) && decayed >= 0.0 && decayed <= count * (1.0 + COUNT_SLACK);
}

/* round(value) as a score or strength 0..100; anything else (NaN included) is a 22003 error. */
int32
bounded_score(double value, const char *what)
{
	double		rounded = round(value);

	if (!(rounded >= 0.0 && rounded <= 100.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of its range 0 to 100: \"%g\"", what, value)));
	return (int32) rounded;
}

/* Refuse to merge two states built with different half-lives. */
void
check_half_life_match(double left, double right, const char *type_name)
{
	if (left != right)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge %s values with different half-lives: %g and %g days",
						type_name, left, right),
				 errhint("Recompute the states with one half-life, e.g. with relintel.rebuild().")));
}

/* Whether two floating sums agree to a relative 1e-9 (they differ in the last bits by summation order). */
bool
floats_close(double left, double right)
{
	double		scale = fmax(fabs(left), fabs(right));

	return fabs(left - right) <= 1e-9 * scale + 1e-300;
}
