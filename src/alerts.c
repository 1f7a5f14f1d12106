/*
 * alerts.c
 *    The per-entity summary behind the going_dark alert (SPEC section 4):
 *    the median of the gaps between consecutive timestamps.
 *
 * alerts() collects each entity's engaged interactions of the year with
 * array_agg in its one grouped pass; median_gap() turns that array into the
 * relationship's usual gap.  A plain function over an array needs no state
 * type: the aggregate is PostgreSQL's own.
 */
#include "relintel.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(relintel_median_gap);

/* qsort comparator of int64 values (timestamps, gaps in microseconds). */
static int
compare_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
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
	int64	   *gaps;
	int			n = 0;
	int			gap_count;
	double		median;

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

	qsort(times, n, sizeof(int64), compare_int64);
	gap_count = n - 1;
	gaps = (int64 *) palloc(sizeof(int64) * gap_count);
	for (int i = 0; i < gap_count; i++)
		gaps[i] = times[i + 1] - times[i];	/* finite timestamps: no overflow */
	qsort(gaps, gap_count, sizeof(int64), compare_int64);

	if (gap_count % 2 == 1)
		median = (double) gaps[gap_count / 2];
	else
		median = ((double) gaps[gap_count / 2 - 1] + (double) gaps[gap_count / 2]) / 2.0;
	PG_RETURN_FLOAT8(median / (double) USECS_PER_SEC);
}
