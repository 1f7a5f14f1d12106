/*
 * health.c
 *    health_state: the relationship health of one entity, its aggregate
 *    health_agg, the combine function merge, and the functions that read
 *    it (score, status, trend, trend_slope, factors).
 *
 * The state is fixed-size (a varlena of sizeof(HealthState) bytes).  It
 * keeps per-kind decayed counts rather than weighted sums, so that the kind
 * weights are applied when a state is read and changing them needs no
 * rebuild; it keeps counts per kind for the 13 UTC weeks ending with the
 * week of last_at, which is all the trend slope can ever look at because it
 * is evaluated at T' >= last_at (see decay.c for the decay design).
 *
 * Factors of the score (SPEC section 2.1), each in 0..1:
 *   recency        0.25  2^(-(T' - last_engaged)/14)
 *   frequency      0.20  1 - exp(-(E_in + E_out)/6)
 *   reciprocity    0.20  min(1, 2 E_in / (E_in + E_out))
 *   responsiveness 0.20  min(1, R_in/M_out) * 24/(24 + L_in/R_in), only when M_out >= 0.5
 *   momentum       0.15  (clamp(slope/0.2, -1, 1) + 1)/2
 *   sentiment      0.10  (S/S_n + 1)/2, only when S_n >= 0.5
 * score = round(100 * sum(w x) / sum(w)) over the factors present.
 */
#include "relintel.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"

/* The health of one entity, with sums decayed to last_at. */
struct HealthState
{
	int32		vl_len_;		/* varlena header */
	uint8		version;		/* RELINTEL_STATE_VERSION */
	uint8		padding[3];		/* zero */
	double		half_life;		/* days; states of different half-lives never merge */
	int64		n;				/* interactions folded in (not decayed) */
	TimestampTz last_at;		/* latest occurred_at; every sum below is decayed to it */
	TimestampTz last_engaged;	/* latest inbound interaction or meeting or call; DT_NOBEGIN if none */
	double		emails_out;		/* decayed count of outbound emails (also M_out) */
	double		emails_in;		/* decayed count of inbound emails */
	double		meetings;		/* decayed count of meetings, either direction */
	double		calls;			/* decayed count of calls, either direction */
	double		responses_in;	/* R_in: decayed count of their responses */
	double		latency_in;		/* L_in: decayed sum of their response latencies, hours */
	double		responses_out;	/* R_out: decayed count of our responses */
	double		latency_out;	/* L_out: decayed sum of our response latencies, hours */
	double		sentiment;		/* S: decayed sum of sentiments */
	double		sentiment_n;	/* S_n: decayed count of interactions with a sentiment */
	int64		week;			/* week_index(last_at): slot 0 of the weekly counts */
	int32		weekly[KIND_COUNT][TREND_WEEKS];	/* interactions per kind in weeks week - slot */
};

#define HEALTH_TYPE_NAME "health_state"

/* Fetch a health_state argument. */
#define PG_GETARG_HEALTH(n) ((HealthState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* The factor weights of the score. */
#define W_RECENCY 0.25
#define W_FREQUENCY 0.20
#define W_RECIPROCITY 0.20
#define W_RESPONSIVENESS 0.20
#define W_MOMENTUM 0.15
#define W_SENTIMENT 0.10

/* Fewest interactions for a score. */
#define MIN_INTERACTIONS 3

/* The factors of a state read at one time. */
typedef struct HealthFactors
{
	TimestampTz at;				/* T' */
	double		recency;
	double		frequency;
	double		reciprocity;
	double		responsiveness;
	bool		has_responsiveness; /* false when M_out < 0.5 */
	double		momentum;
	double		sentiment;
	bool		has_sentiment;	/* false when S_n < 0.5 */
	double		slope;			/* trend slope ŝ */
	double		total_weight;	/* sum of the weights of the factors present */
	double		weighted_sum;	/* sum of weight * factor */
} HealthFactors;

/* Add `count` to a weekly counter, refusing overflow. */
static void
add_count(int32 *counter, int64 count)
{
	int64		sum = (int64) *counter + count;

	if (sum > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("too many interactions in one week for a health_state")));
	*counter = (int32) sum;
}

static const char *health_invalid_reason(const HealthState *state);
static char *health_text(const HealthState *state);

/* Fold state `source` into `target` (same half-life): decay the older to the newer and add. */
static void
health_merge_into(HealthState *target, const HealthState *source)
{
	const char *reason;

	double		target_scale;
	double		source_scale;
	int64		newest_week = Max(target->week, source->week);
	int64		target_shift = newest_week - target->week;
	int64		source_shift = newest_week - source->week;

	check_half_life_match(target->half_life, source->half_life, HEALTH_TYPE_NAME);
	target_scale = decay_factor(target->last_at, source->last_at, target->half_life);
	source_scale = decay_factor(source->last_at, target->last_at, target->half_life);
	if (pg_add_s64_overflow(target->n, source->n, &target->n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("too many interactions for a health_state")));

#define MERGE_SUM(field) (target->field = target->field * target_scale + source->field * source_scale)
	MERGE_SUM(emails_out);
	MERGE_SUM(emails_in);
	MERGE_SUM(meetings);
	MERGE_SUM(calls);
	MERGE_SUM(responses_in);
	MERGE_SUM(latency_in);
	MERGE_SUM(responses_out);
	MERGE_SUM(latency_out);
	MERGE_SUM(sentiment);
	MERGE_SUM(sentiment_n);
#undef MERGE_SUM

	for (int kind = 0; kind < KIND_COUNT; kind++)
	{
		int32		shifted[TREND_WEEKS] = {0};

		for (int slot = 0; slot + target_shift < TREND_WEEKS; slot++)
			shifted[slot + target_shift] = target->weekly[kind][slot];
		for (int slot = 0; slot + source_shift < TREND_WEEKS; slot++)
			add_count(&shifted[slot + source_shift], source->weekly[kind][slot]);
		memcpy(target->weekly[kind], shifted, sizeof(shifted));
	}
	target->week = newest_week;
	target->last_at = Max(target->last_at, source->last_at);
	target->last_engaged = Max(target->last_engaged, source->last_engaged);

	/* a merge must not make a state that the input refuses (e.g. a sum overflowing to Infinity) */
	reason = health_invalid_reason(target);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type %s: \"%s\"", HEALTH_TYPE_NAME, health_text(target)),
				 errdetail("%s", reason)));
}

/* Check every invariant of a state; used by text input and binary receive alike. */
static const char *
health_invalid_reason(const HealthState *state)
{
	int64		weekly_total = 0;
	const double sums[] = {
		state->emails_out, state->emails_in, state->meetings, state->calls,
		state->responses_in, state->latency_in, state->responses_out, state->latency_out,
		state->sentiment_n,
	};

	if (state->version != RELINTEL_STATE_VERSION)
		return "Unsupported state version.";
	if (!(state->half_life >= HALF_LIFE_MIN && state->half_life <= HALF_LIFE_MAX))
		return "The half-life is out of range.";
	if (state->n < 0)
		return "The number of interactions must not be negative.";
	if (state->n == 0 && (state->emails_out != 0 || state->emails_in != 0 || state->meetings != 0 ||
						  state->calls != 0 || state->sentiment_n != 0 || state->last_engaged != DT_NOBEGIN))
		return "A state without interactions holds responses only.";
	if (!state_time_valid(state->last_at))
		return "The last interaction time is not a valid time.";
	if (state->last_engaged != DT_NOBEGIN &&
		(state->last_engaged > state->last_at || state->last_engaged < MIN_TIMESTAMP))
		return "The last engaged time must be a time not after the last interaction.";
	for (size_t i = 0; i < lengthof(sums); i++)
	{
		if (!isfinite(sums[i]) || sums[i] < 0.0)
			return "Decayed sums must be finite and not negative.";
	}
	/* each interaction adds at most 1 to one kind's count and to the sentiment count */
	if (!within_count(state->emails_out + state->emails_in + state->meetings + state->calls, (double) state->n))
		return "The decayed counts of emails, meetings and calls exceed the number of interactions.";
	if (!within_count(state->sentiment_n, (double) state->n))
		return "The decayed sentiment count exceeds the number of interactions.";
	/* a response is one of the state's emails; a responses-only state (n = 0, response_agg) has no count */
	if (state->n > 0 && !within_count(state->responses_in + state->responses_out, (double) state->n))
		return "The decayed response counts exceed the number of interactions.";
	/* (+ 1e-300: a decayed response count may underflow to 0 before its latency does) */
	if (!within_count(state->latency_in, LATENCY_HOURS_MAX * (state->responses_in + 1e-300)) ||
		!within_count(state->latency_out, LATENCY_HOURS_MAX * (state->responses_out + 1e-300)))
		return "A decayed latency sum exceeds what its responses can take.";
	if (!isfinite(state->sentiment) || fabs(state->sentiment) > state->sentiment_n * (1.0 + 1e-9))
		return "The sentiment sum must lie within its count.";
	if (state->week != week_index(state->last_at))
		return "The week must be the week of the last interaction.";
	for (int kind = 0; kind < KIND_COUNT; kind++)
	{
		for (int slot = 0; slot < TREND_WEEKS; slot++)
		{
			if (state->weekly[kind][slot] < 0)
				return "Weekly counts must not be negative.";
			weekly_total += state->weekly[kind][slot];
		}
	}
	if (weekly_total > state->n)
		return "Weekly counts exceed the number of interactions.";
	return NULL;
}

PG_FUNCTION_INFO_V1(health_state_in);

/* Text input of health_state. */
Datum
health_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	HealthState *state = palloc0(sizeof(HealthState));
	StateReader reader;
	const char *reason;

	SET_VARSIZE(state, sizeof(HealthState));
	reader_init(&reader, input, HEALTH_TYPE_NAME);
	if (reader_int64(&reader, "v") != RELINTEL_STATE_VERSION)
		reader_fail(&reader, "Unsupported state version.");
	state->version = RELINTEL_STATE_VERSION;
	state->half_life = reader_float(&reader, "hl");
	state->n = reader_int64(&reader, "n");
	state->last_at = reader_time(&reader, "last", false);
	state->last_engaged = reader_time(&reader, "engaged", true);
	state->emails_out = reader_float(&reader, "eo");
	state->emails_in = reader_float(&reader, "ei");
	state->meetings = reader_float(&reader, "mt");
	state->calls = reader_float(&reader, "cl");
	state->responses_in = reader_float(&reader, "rin");
	state->latency_in = reader_float(&reader, "lin");
	state->responses_out = reader_float(&reader, "rout");
	state->latency_out = reader_float(&reader, "lout");
	state->sentiment = reader_float(&reader, "s");
	state->sentiment_n = reader_float(&reader, "sn");
	state->week = reader_int64(&reader, "wk");
	for (int kind = 0; kind < KIND_COUNT; kind++)
		reader_int32_array(&reader, relintel_kind_labels[kind], state->weekly[kind], TREND_WEEKS);
	reader_finish(&reader);

	reason = health_invalid_reason(state);
	if (reason != NULL)
		reader_fail(&reader, reason);
	PG_RETURN_POINTER(state);
}

/* The text form of a state (what health_state_out prints). */
static char *
health_text(const HealthState *state)
{
	StringInfoData out;

	initStringInfo(&out);
	write_int64(&out, "v", state->version);
	write_float(&out, "hl", state->half_life);
	write_int64(&out, "n", state->n);
	write_time(&out, "last", state->last_at);
	write_time(&out, "engaged", state->last_engaged);
	write_float(&out, "eo", state->emails_out);
	write_float(&out, "ei", state->emails_in);
	write_float(&out, "mt", state->meetings);
	write_float(&out, "cl", state->calls);
	write_float(&out, "rin", state->responses_in);
	write_float(&out, "lin", state->latency_in);
	write_float(&out, "rout", state->responses_out);
	write_float(&out, "lout", state->latency_out);
	write_float(&out, "s", state->sentiment);
	write_float(&out, "sn", state->sentiment_n);
	write_int64(&out, "wk", state->week);
	for (int kind = 0; kind < KIND_COUNT; kind++)
		write_int32_array(&out, relintel_kind_labels[kind], state->weekly[kind], TREND_WEEKS);
	return out.data;
}

PG_FUNCTION_INFO_V1(health_state_out);

/* Text output of health_state. */
Datum
health_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(health_text(PG_GETARG_HEALTH(0)));
}

PG_FUNCTION_INFO_V1(health_state_send);

/* Binary output of health_state. */
Datum
health_state_send(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_GETARG_HEALTH(0);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendbyte(&buffer, state->version);
	pq_sendfloat8(&buffer, state->half_life);
	pq_sendint64(&buffer, state->n);
	pq_sendint64(&buffer, state->last_at);
	pq_sendint64(&buffer, state->last_engaged);
	pq_sendfloat8(&buffer, state->emails_out);
	pq_sendfloat8(&buffer, state->emails_in);
	pq_sendfloat8(&buffer, state->meetings);
	pq_sendfloat8(&buffer, state->calls);
	pq_sendfloat8(&buffer, state->responses_in);
	pq_sendfloat8(&buffer, state->latency_in);
	pq_sendfloat8(&buffer, state->responses_out);
	pq_sendfloat8(&buffer, state->latency_out);
	pq_sendfloat8(&buffer, state->sentiment);
	pq_sendfloat8(&buffer, state->sentiment_n);
	pq_sendint64(&buffer, state->week);
	for (int kind = 0; kind < KIND_COUNT; kind++)
		for (int slot = 0; slot < TREND_WEEKS; slot++)
			pq_sendint32(&buffer, state->weekly[kind][slot]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

PG_FUNCTION_INFO_V1(health_state_recv);

/* Binary input of health_state: the same checks as the text input. */
Datum
health_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buffer = (StringInfo) PG_GETARG_POINTER(0);
	HealthState *state = palloc0(sizeof(HealthState));
	const char *reason;

	SET_VARSIZE(state, sizeof(HealthState));
	state->version = pq_getmsgbyte(buffer);
	if (state->version != RELINTEL_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported health_state version %d", state->version)));
	state->half_life = pq_getmsgfloat8(buffer);
	state->n = pq_getmsgint64(buffer);
	state->last_at = pq_getmsgint64(buffer);
	state->last_engaged = pq_getmsgint64(buffer);
	state->emails_out = pq_getmsgfloat8(buffer);
	state->emails_in = pq_getmsgfloat8(buffer);
	state->meetings = pq_getmsgfloat8(buffer);
	state->calls = pq_getmsgfloat8(buffer);
	state->responses_in = pq_getmsgfloat8(buffer);
	state->latency_in = pq_getmsgfloat8(buffer);
	state->responses_out = pq_getmsgfloat8(buffer);
	state->latency_out = pq_getmsgfloat8(buffer);
	state->sentiment = pq_getmsgfloat8(buffer);
	state->sentiment_n = pq_getmsgfloat8(buffer);
	state->week = pq_getmsgint64(buffer);
	for (int kind = 0; kind < KIND_COUNT; kind++)
		for (int slot = 0; slot < TREND_WEEKS; slot++)
			state->weekly[kind][slot] = pq_getmsgint(buffer, 4);
	if (buffer->cursor != buffer->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary health_state: %d bytes left over", buffer->len - buffer->cursor)));

	reason = health_invalid_reason(state);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary health_state"),
				 errdetail("%s", reason)));
	PG_RETURN_POINTER(state);
}

/* Refuse a value outside -1..1 (or NaN) as a sentiment. */
static void
check_sentiment(float4 sentiment)
{
	if (!(sentiment >= -1.0f && sentiment <= 1.0f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sentiment must be between -1 and 1: \"%s\"",
						DatumGetCString(DirectFunctionCall1(float4out, Float4GetDatum(sentiment))))));
}

/* Refuse a negative interval argument (a duration or a reply latency). */
static void
check_not_negative(const Interval *span, const char *what)
{
	if (interval_seconds(span) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative: \"%s\"", what,
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(span))))));
}

/* Read the reply latency argument into a row, in hours, refusing a negative one. */
static void
set_response(HealthRow *row, const Interval *latency)
{
	check_not_negative(latency, "reply_latency");
	row->has_response = true;
	row->response_hours = interval_seconds(latency) / 3600.0;
}

/* Decay every sum of a state by `scale` (moving its time later). */
static void
health_scale_sums(HealthState *state, double scale)
{
	state->emails_out *= scale;
	state->emails_in *= scale;
	state->meetings *= scale;
	state->calls *= scale;
	state->responses_in *= scale;
	state->latency_in *= scale;
	state->responses_out *= scale;
	state->latency_out *= scale;
	state->sentiment *= scale;
	state->sentiment_n *= scale;
}

/* Move the weekly counts `shift` (> 0) weeks later: slot 0 becomes a new, empty week. */
static void
health_shift_weeks(HealthState *state, int64 shift)
{
	for (int kind = 0; kind < KIND_COUNT; kind++)
	{
		int32	   *weekly = state->weekly[kind];

		/* from the oldest slot down, so that nothing is overwritten before it moves */
		for (int slot = TREND_WEEKS - 1; slot >= 0; slot--)
			weekly[slot] = slot >= shift ? weekly[slot - shift] : 0;
	}
	state->week += shift;
}

/*
 * Add one row into a state in place: a newer row first decays the state to
 * its time (one exp2) and shifts the weeks; an older row is decayed to the
 * state's time (one exp2); a row at the state's time adds as it is.  The
 * arithmetic is the same as merging a one-interaction state (health_merge_into),
 * term for term, so both give bit-identical states; the invariants hold by
 * construction from checked arguments, so they are not checked again.
 */
static void
health_add_row(HealthState *state, const HealthRow *row)
{
	double		weight = 1.0;
	int64		row_week = week_index(row->at);

	if (row->at > state->last_at)
	{
		health_scale_sums(state, decay_factor(state->last_at, row->at, state->half_life));
		if (row_week > state->week)
			health_shift_weeks(state, row_week - state->week);
		state->last_at = row->at;
	}
	else
		weight = decay_factor(row->at, state->last_at, state->half_life);

	if (row->kind >= 0)
	{
		int64		slot = state->week - row_week;

		if (pg_add_s64_overflow(state->n, 1, &state->n))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("too many interactions for a health_state")));
		if (row->kind == KIND_EMAIL && row->outbound)
			state->emails_out += weight;
		else if (row->kind == KIND_EMAIL)
			state->emails_in += weight;
		else if (row->kind == KIND_MEETING)
			state->meetings += weight;
		else
			state->calls += weight;
		if ((row->kind != KIND_EMAIL || !row->outbound) && row->at > state->last_engaged)
			state->last_engaged = row->at;
		if (slot < TREND_WEEKS)
			add_count(&state->weekly[row->kind][slot], 1);
	}
	if (row->has_response && row->outbound)
	{
		state->responses_out += weight;
		state->latency_out += row->response_hours * weight;
	}
	else if (row->has_response)
	{
		state->responses_in += weight;
		state->latency_in += row->response_hours * weight;
	}
	if (row->has_sentiment)
	{
		state->sentiment += row->sentiment * weight;
		state->sentiment_n += weight;
	}
}

/*
 * Fold a row into the transition state: in place in an aggregate (the state
 * is the aggregate's own, never toasted, so it is not detoasted), else into
 * a copy.  The first row makes an empty state at its own time.
 */
static Datum
health_fold_row(FunctionCallInfo fcinfo, const HealthRow *row)
{
	HealthState *state = NULL;

	if (!PG_ARGISNULL(0) && AggCheckCallContext(fcinfo, NULL))
		state = (HealthState *) PG_GETARG_POINTER(0);
	else if (!PG_ARGISNULL(0))
	{
		state = state_alloc(sizeof(HealthState));
		memcpy(VARDATA(state), VARDATA(PG_GETARG_HEALTH(0)), sizeof(HealthState) - VARHDRSZ);
	}
	PG_RETURN_POINTER(health_fold(state, row));
}

/*
 * Add one row into `state` in place and return it; with no state (NULL), a
 * new empty one at the row's time, in the current memory context, at the
 * half-life of relintel.health_half_life.
 */
HealthState *
health_fold(HealthState *state, const HealthRow *row)
{
	if (state == NULL)
		state = health_start(palloc(sizeof(HealthState)), row->at);
	health_add_row(state, row);
	return state;
}

/*
 * Make an empty health_state at time `at` in `place` (health_state_size()
 * bytes, aligned), at the half-life of relintel.health_half_life.
 */
HealthState *
health_start(void *place, TimestampTz at)
{
	HealthState *state = (HealthState *) place;

	memset(state, 0, sizeof(HealthState));
	SET_VARSIZE(state, sizeof(HealthState));
	state->version = RELINTEL_STATE_VERSION;
	state->half_life = relintel_health_half_life;
	state->last_at = at;
	state->last_engaged = DT_NOBEGIN;
	state->week = week_index(at);
	return state;
}

PG_FUNCTION_INFO_V1(health_agg_transfn);

/*
 * health_agg transition: fold one interaction into the state.
 * Arguments: state, occurred_at, kind, outbound, duration, reply_latency, sentiment.
 * Rows with NULL occurred_at, kind or outbound are ignored.
 */
Datum
health_agg_transfn(PG_FUNCTION_ARGS)
{
	HealthRow	row;

	if (!health_row_from_args(fcinfo, 1, &row))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	return health_fold_row(fcinfo, &row);
}

/*
 * Read the six interaction arguments from `first` on (occurred_at, kind,
 * outbound, duration, reply_latency, sentiment) into `row`, checking each as
 * health_agg does; false when occurred_at, kind or outbound is NULL (the
 * row is ignored).
 */
bool
health_row_from_args(FunctionCallInfo fcinfo, int first, HealthRow *row)
{
	memset(row, 0, sizeof(HealthRow));
	if (PG_ARGISNULL(first) || PG_ARGISNULL(first + 1) || PG_ARGISNULL(first + 2))
		return false;
	row->at = PG_GETARG_TIMESTAMPTZ(first);
	check_state_time(row->at, "occurred_at");
	row->kind = kind_from_datum(fcinfo, PG_GETARG_DATUM(first + 1));
	row->outbound = PG_GETARG_BOOL(first + 2);
	if (!PG_ARGISNULL(first + 3))
		check_not_negative(PG_GETARG_INTERVAL_P(first + 3), "duration");
	if (!PG_ARGISNULL(first + 4))
		set_response(row, PG_GETARG_INTERVAL_P(first + 4));
	if (!PG_ARGISNULL(first + 5))
	{
		check_sentiment(PG_GETARG_FLOAT4(first + 5));
		row->has_sentiment = true;
		row->sentiment = PG_GETARG_FLOAT4(first + 5);
	}
	return true;
}

PG_FUNCTION_INFO_V1(health_response_transfn);

/*
 * response_agg transition: fold in the response part alone of an interaction
 * that a state already holds (state, occurred_at, outbound, reply_latency),
 * for a reply whose answered mail arrived after it.  The result holds no
 * interactions (n = 0): it is meant to be merged into the state holding them.
 * Rows with a NULL argument are ignored.
 */
Datum
health_response_transfn(PG_FUNCTION_ARGS)
{
	HealthRow	row = {0};

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	row.at = PG_GETARG_TIMESTAMPTZ(1);
	check_state_time(row.at, "occurred_at");
	row.kind = -1;
	row.outbound = PG_GETARG_BOOL(2);
	set_response(&row, PG_GETARG_INTERVAL_P(3));
	return health_fold_row(fcinfo, &row);
}

PG_FUNCTION_INFO_V1(health_merge);

/*
 * merge(health_state, health_state): the combine function of health_agg.
 * A NULL side is the empty state.  In an aggregate the first argument is
 * updated in place; the second is copied, never returned as is.
 */
Datum
health_merge(PG_FUNCTION_ARGS)
{
	HealthState *left = PG_ARGISNULL(0) ? NULL : PG_GETARG_HEALTH(0);
	HealthState *right = PG_ARGISNULL(1) ? NULL : PG_GETARG_HEALTH(1);
	HealthState *result;

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left != NULL && AggCheckCallContext(fcinfo, NULL))
		PG_RETURN_POINTER(health_combine(left, right));
	result = left == NULL ? NULL : health_from_bytes((const char *) left);
	PG_RETURN_POINTER(health_combine(result, right));
}

/*
 * Merge state `source` into `target` in place and return it; with no target
 * (NULL), a copy of `source` in the current memory context.
 */
HealthState *
health_combine(HealthState *target, const HealthState *source)
{
	if (target == NULL)
		return health_from_bytes((const char *) source);
	health_merge_into(target, source);
	return target;
}

/* The size in bytes of every health_state (a fixed-size varlena). */
Size
health_state_size(void)
{
	return sizeof(HealthState);
}

/*
 * A copy, in the current memory context, of the health_state whose bytes
 * (varlena header included, not detoasted, possibly unaligned) start at
 * `bytes`: a state this module made, so its invariants are not checked.
 */
HealthState *
health_from_bytes(const char *bytes)
{
	HealthState *state = state_alloc(sizeof(HealthState));

	memcpy(VARDATA(state), bytes + VARHDRSZ, sizeof(HealthState) - VARHDRSZ);
	return state;
}

/* Weekly series c_0 (oldest) .. c_11 of the 12 complete weeks before the week of `at`. */
static void
health_weekly_series(const HealthState *state, TimestampTz at, double *series)
{
	int64		current_week = week_index(at);

	for (int k = 0; k < TREND_WINDOW; k++)
	{
		int64		slot = state->week - (current_week - TREND_WINDOW + k);

		series[k] = 0.0;
		if (slot < 0 || slot >= TREND_WEEKS)
			continue;
		for (int kind = 0; kind < KIND_COUNT; kind++)
			series[k] += kind_weight((InteractionKind) kind) * state->weekly[kind][slot];
	}
}

/* Compute every factor of `state` read at `as_of`. */
static void
health_compute(const HealthState *state, TimestampTz as_of, HealthFactors *factors)
{
	TimestampTz at = evaluation_time(as_of, state->last_at);
	double		scale = decay_factor(state->last_at, at, state->half_life);
	double		two_way = (relintel_weight_meeting * state->meetings + relintel_weight_call * state->calls) * scale / 2.0;
	double		energy_out = relintel_weight_email * state->emails_out * scale + two_way;
	double		energy_in = relintel_weight_email * state->emails_in * scale + two_way;
	double		mails_out = state->emails_out * scale;
	double		responses_in = state->responses_in * scale;
	double		sentiment_n = state->sentiment_n * scale;
	double		series[TREND_WINDOW];

	memset(factors, 0, sizeof(HealthFactors));
	factors->at = at;

	if (state->last_engaged != DT_NOBEGIN)
		factors->recency = exp2(-days_between(state->last_engaged, at) / 14.0);
	factors->frequency = 1.0 - exp(-(energy_in + energy_out) / 6.0);
	if (energy_in + energy_out > 0.0)
		factors->reciprocity = fmin(1.0, 2.0 * energy_in / (energy_in + energy_out));

	factors->has_responsiveness = mails_out >= 0.5;
	if (factors->has_responsiveness && responses_in > 0.0)
	{
		double		rate = fmin(1.0, responses_in / mails_out);
		double		mean_latency = state->latency_in * scale / responses_in;

		factors->responsiveness = rate * 24.0 / (24.0 + mean_latency);
	}

	health_weekly_series(state, at, series);
	factors->slope = series_slope(series);
	factors->momentum = (fmax(-1.0, fmin(1.0, factors->slope / 0.2)) + 1.0) / 2.0;

	factors->has_sentiment = sentiment_n >= 0.5;
	if (factors->has_sentiment)		/* |S| <= S_n up to rounding: keep the factor in 0..1 */
		factors->sentiment = fmax(0.0, fmin(1.0, (state->sentiment * scale / sentiment_n + 1.0) / 2.0));

	factors->weighted_sum = W_RECENCY * factors->recency + W_FREQUENCY * factors->frequency +
		W_RECIPROCITY * factors->reciprocity + W_MOMENTUM * factors->momentum;
	factors->total_weight = W_RECENCY + W_FREQUENCY + W_RECIPROCITY + W_MOMENTUM;
	if (factors->has_responsiveness)
	{
		factors->weighted_sum += W_RESPONSIVENESS * factors->responsiveness;
		factors->total_weight += W_RESPONSIVENESS;
	}
	if (factors->has_sentiment)
	{
		factors->weighted_sum += W_SENTIMENT * factors->sentiment;
		factors->total_weight += W_SENTIMENT;
	}
}

/* The integer score 0..100 of computed factors (half away from zero). */
static int32
factors_score(const HealthFactors *factors)
{
	return bounded_score(100.0 * factors->weighted_sum / factors->total_weight, "score");
}

/* The status band of a score: good, fair or poor by the settings. */
static const char *
status_label(int32 score)
{
	if (score >= relintel_good_score)
		return "good";
	if (score >= relintel_fair_score)
		return "fair";
	return "poor";
}

/* The trend of a slope: improving above 0.05, declining below -0.05, else steady. */
static const char *
trend_label(double slope)
{
	if (slope > 0.05)
		return "improving";
	if (slope < -0.05)
		return "declining";
	return "steady";
}

/* Columns of health_report(). */
enum
{
	REPORT_SCORE, REPORT_STATUS, REPORT_TREND, REPORT_TREND_SLOPE,
	REPORT_LAST_AT, REPORT_LAST_ENGAGED, REPORT_INTERACTIONS,
	REPORT_RECENCY, REPORT_FREQUENCY, REPORT_RECIPROCITY, REPORT_RESPONSIVENESS,
	REPORT_MOMENTUM, REPORT_SENTIMENT, REPORT_COLUMNS
};

/*
 * What health_report() (or score, status, trend) last computed in this
 * backend, with everything it was computed from: the state's bytes, as_of
 * and the settings that reading a state uses.  The views read the report
 * column by column, one call per column (so that ORDER BY score LIMIT n
 * computes the other columns only for the rows it keeps), and a query asks
 * score(), status() and trend() of one state; the calls after the first of
 * a row find it here.
 * Labels rather than enum OIDs are kept, so nothing outlives the extension.
 */
typedef struct ReportMemo
{
	bool		valid;
	HealthState state;
	TimestampTz as_of;
	double		weights[KIND_COUNT];	/* email, meeting, call */
	int32		good_score;
	int32		fair_score;
	Datum		values[REPORT_COLUMNS];	/* by-value columns; status and trend below */
	bool		nulls[REPORT_COLUMNS];
	const char *status;
	const char *trend;			/* NULL when the trend is NULL */
} ReportMemo;

static ReportMemo report_memo;

/* Whether the memo holds the report of `state` at `as_of` under the current settings. */
static bool
report_memo_matches(const HealthState *state, TimestampTz as_of)
{
	return report_memo.valid &&
		report_memo.as_of == as_of &&
		report_memo.weights[KIND_EMAIL] == relintel_weight_email &&
		report_memo.weights[KIND_MEETING] == relintel_weight_meeting &&
		report_memo.weights[KIND_CALL] == relintel_weight_call &&
		report_memo.good_score == relintel_good_score &&
		report_memo.fair_score == relintel_fair_score &&
		memcmp(&report_memo.state, state, sizeof(HealthState)) == 0;
}

/* Compute the report of a state (not NULL) at as_of into the memo. */
static void
report_memo_compute(const HealthState *state, TimestampTz as_of)
{
	HealthFactors factors;
	Datum	   *values = report_memo.values;
	bool	   *nulls = report_memo.nulls;

	report_memo.valid = false;	/* until complete: health_compute may raise an error */
	health_compute(state, as_of, &factors);
	memset(nulls, true, sizeof(report_memo.nulls));
	memset(values, 0, sizeof(report_memo.values));
	report_memo.status = "insufficient";
	report_memo.trend = NULL;
	values[REPORT_INTERACTIONS] = Int64GetDatum(state->n);
	values[REPORT_LAST_AT] = TimestampTzGetDatum(state->last_at);
	values[REPORT_LAST_ENGAGED] = TimestampTzGetDatum(state->last_engaged);
	values[REPORT_RECENCY] = Float8GetDatum(factors.recency);
	values[REPORT_FREQUENCY] = Float8GetDatum(factors.frequency);
	values[REPORT_RECIPROCITY] = Float8GetDatum(factors.reciprocity);
	values[REPORT_RESPONSIVENESS] = Float8GetDatum(factors.responsiveness);
	values[REPORT_MOMENTUM] = Float8GetDatum(factors.momentum);
	values[REPORT_SENTIMENT] = Float8GetDatum(factors.sentiment);
	nulls[REPORT_STATUS] = nulls[REPORT_INTERACTIONS] = nulls[REPORT_LAST_AT] = false;
	nulls[REPORT_LAST_ENGAGED] = state->last_engaged == DT_NOBEGIN;
	nulls[REPORT_RECENCY] = nulls[REPORT_FREQUENCY] = nulls[REPORT_RECIPROCITY] = false;
	nulls[REPORT_MOMENTUM] = false;
	nulls[REPORT_RESPONSIVENESS] = !factors.has_responsiveness;
	nulls[REPORT_SENTIMENT] = !factors.has_sentiment;
	if (state->n >= MIN_INTERACTIONS)
	{
		int32		score = factors_score(&factors);

		values[REPORT_SCORE] = Int32GetDatum(score);
		values[REPORT_TREND_SLOPE] = Float8GetDatum(factors.slope);
		nulls[REPORT_SCORE] = nulls[REPORT_TREND_SLOPE] = nulls[REPORT_TREND] = false;
		report_memo.status = status_label(score);
		report_memo.trend = trend_label(factors.slope);
	}
	memcpy(&report_memo.state, state, sizeof(HealthState));
	report_memo.as_of = as_of;
	report_memo.weights[KIND_EMAIL] = relintel_weight_email;
	report_memo.weights[KIND_MEETING] = relintel_weight_meeting;
	report_memo.weights[KIND_CALL] = relintel_weight_call;
	report_memo.good_score = relintel_good_score;
	report_memo.fair_score = relintel_fair_score;
	report_memo.valid = true;
}

PG_FUNCTION_INFO_V1(health_score);

/* score(health_state, as_of): the health score, NULL with fewer than 3 interactions. */
Datum
health_score(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_GETARG_HEALTH(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);

	if (state->n < MIN_INTERACTIONS)
		PG_RETURN_NULL();
	/* through the memo: a view's other columns (health_report) of the same row then find it */
	if (!report_memo_matches(state, as_of))
		report_memo_compute(state, as_of);
	PG_RETURN_DATUM(report_memo.values[REPORT_SCORE]);
}

PG_FUNCTION_INFO_V1(health_status);

/* status(health_state, as_of): good, fair, poor, or insufficient with fewer than 3 interactions. */
Datum
health_status(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_GETARG_HEALTH(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);

	check_finite_time(as_of, "as_of");
	if (state->n < MIN_INTERACTIONS)
		return enum_datum(fcinfo, "health_status", "insufficient");
	if (!report_memo_matches(state, as_of))
		report_memo_compute(state, as_of);
	return enum_datum(fcinfo, "health_status", report_memo.status);
}

PG_FUNCTION_INFO_V1(health_trend);

/* trend(health_state, as_of): improving, steady or declining; NULL with fewer than 3 interactions. */
Datum
health_trend(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_GETARG_HEALTH(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);

	check_finite_time(as_of, "as_of");
	if (state->n < MIN_INTERACTIONS)
		PG_RETURN_NULL();
	if (!report_memo_matches(state, as_of))
		report_memo_compute(state, as_of);
	return enum_datum(fcinfo, "health_trend", report_memo.trend);
}

PG_FUNCTION_INFO_V1(health_trend_slope);

/* trend_slope(health_state, as_of): the normalized weekly slope ŝ. */
Datum
health_trend_slope(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_GETARG_HEALTH(0);
	HealthFactors factors;

	health_compute(state, PG_GETARG_TIMESTAMPTZ(1), &factors);
	PG_RETURN_FLOAT8(factors.slope);
}

/* Columns of factors(). */
enum
{
	COL_RECENCY, COL_RECENCY_C, COL_FREQUENCY, COL_FREQUENCY_C,
	COL_RECIPROCITY, COL_RECIPROCITY_C, COL_RESPONSIVENESS, COL_RESPONSIVENESS_C,
	COL_MOMENTUM, COL_MOMENTUM_C, COL_SENTIMENT, COL_SENTIMENT_C,
	COL_LAST_ENGAGED, COL_LAST_AT, COL_N, FACTOR_COLUMNS
};

/* Put a factor and its contribution in score points into two columns, or NULLs when absent. */
static void
set_factor(Datum *values, bool *nulls, int column, bool present, double value, double weight,
		   const HealthFactors *factors)
{
	nulls[column] = !present;
	nulls[column + 1] = !present;
	values[column] = Float8GetDatum(value);
	values[column + 1] = Float8GetDatum(100.0 * weight * value / factors->total_weight);
}

PG_FUNCTION_INFO_V1(health_factors);

/* factors(health_state, as_of): each factor, its contribution, last_engaged, last_at and n. */
Datum
health_factors(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_GETARG_HEALTH(0);
	HealthFactors factors;
	TupleDesc	descriptor;
	Datum		values[FACTOR_COLUMNS];
	bool		nulls[FACTOR_COLUMNS] = {0};

	descriptor = call_result_descriptor(fcinfo, "factors");

	health_compute(state, PG_GETARG_TIMESTAMPTZ(1), &factors);
	set_factor(values, nulls, COL_RECENCY, true, factors.recency, W_RECENCY, &factors);
	set_factor(values, nulls, COL_FREQUENCY, true, factors.frequency, W_FREQUENCY, &factors);
	set_factor(values, nulls, COL_RECIPROCITY, true, factors.reciprocity, W_RECIPROCITY, &factors);
	set_factor(values, nulls, COL_RESPONSIVENESS, factors.has_responsiveness, factors.responsiveness,
			   W_RESPONSIVENESS, &factors);
	set_factor(values, nulls, COL_MOMENTUM, true, factors.momentum, W_MOMENTUM, &factors);
	set_factor(values, nulls, COL_SENTIMENT, factors.has_sentiment, factors.sentiment, W_SENTIMENT, &factors);
	values[COL_LAST_ENGAGED] = TimestampTzGetDatum(state->last_engaged);
	nulls[COL_LAST_ENGAGED] = state->last_engaged == DT_NOBEGIN;
	values[COL_LAST_AT] = TimestampTzGetDatum(state->last_at);
	values[COL_N] = Int64GetDatum(state->n);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls)));
}

PG_FUNCTION_INFO_V1(health_last_at);

/* last_at(health_state): the latest interaction time folded in. */
Datum
health_last_at(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(PG_GETARG_HEALTH(0)->last_at);
}

PG_FUNCTION_INFO_V1(health_interactions);

/* interactions(health_state): the number of interactions folded in. */
Datum
health_interactions(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_HEALTH(0)->n);
}

PG_FUNCTION_INFO_V1(health_state_eq);

/* health_state = health_state: counts and times exactly, decayed sums within a relative 1e-9. */
Datum
health_state_eq(PG_FUNCTION_ARGS)
{
	HealthState *left = PG_GETARG_HEALTH(0);
	HealthState *right = PG_GETARG_HEALTH(1);

	PG_RETURN_BOOL(left->half_life == right->half_life &&
				   left->n == right->n &&
				   left->last_at == right->last_at &&
				   left->last_engaged == right->last_engaged &&
				   floats_close(left->emails_out, right->emails_out) &&
				   floats_close(left->emails_in, right->emails_in) &&
				   floats_close(left->meetings, right->meetings) &&
				   floats_close(left->calls, right->calls) &&
				   floats_close(left->responses_in, right->responses_in) &&
				   floats_close(left->latency_in, right->latency_in) &&
				   floats_close(left->responses_out, right->responses_out) &&
				   floats_close(left->latency_out, right->latency_out) &&
				   floats_close(left->sentiment, right->sentiment) &&
				   floats_close(left->sentiment_n, right->sentiment_n) &&
				   left->week == right->week &&
				   memcmp(left->weekly, right->weekly, sizeof(left->weekly)) == 0);
}

PG_FUNCTION_INFO_V1(health_report);

/*
 * health_report(state, as_of): the columns of the health views in one pass:
 * score, status, trend, trend slope, last interaction, last engagement, n and
 * each factor.  A NULL state (no interactions) is insufficient with n = 0;
 * with fewer than 3 interactions score, trend and trend slope are NULL.  A
 * NULL as_of gives a NULL row: the time is unknown, as for the strict
 * readers score(), status() etc., and the state must not pass for empty.
 */
Datum
health_report(PG_FUNCTION_ARGS)
{
	TupleDesc	descriptor;
	Datum		values[REPORT_COLUMNS] = {0};
	bool		nulls[REPORT_COLUMNS];
	const char *status = "insufficient";
	const char *trend = NULL;

	descriptor = call_result_descriptor(fcinfo, "health_report");
	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	memset(nulls, true, sizeof(nulls));
	nulls[REPORT_STATUS] = false;
	nulls[REPORT_INTERACTIONS] = false;
	values[REPORT_INTERACTIONS] = Int64GetDatum(0);

	if (!PG_ARGISNULL(0))
	{
		HealthState *state = PG_GETARG_HEALTH(0);
		TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);

		if (!report_memo_matches(state, as_of))
			report_memo_compute(state, as_of);
		memcpy(values, report_memo.values, sizeof(values));
		memcpy(nulls, report_memo.nulls, sizeof(nulls));
		status = report_memo.status;
		trend = report_memo.trend;
	}
	values[REPORT_STATUS] = enum_datum(fcinfo, "health_status", status);
	if (trend != NULL)
		values[REPORT_TREND] = enum_datum(fcinfo, "health_trend", trend);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls)));
}
