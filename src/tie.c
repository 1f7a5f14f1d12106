/*
 * tie.c
 *    tie_state: how well one colleague knows one external address, its
 *    aggregate tie_agg, the combine function merge, and strength().
 *
 * SPEC section 2.2, with d() the decayed sum (half-life relintel.tie_half_life):
 *   T_out = d(1 per email u->x), T_in = d(1 per email x->u),
 *   T_mc  = d(kind weight of each meeting and call),
 *   E = T_out + T_in + T_mc, I = T_in + T_mc/2, O = T_out + T_mc/2,
 *   b = min(1, 2I/(I + O)),
 *   strength = round(100 (1 - exp(-E/4)) (0.4 + 0.6 b)) when the tie is
 *   two-way (an email from x, or a meeting or call), else 0.
 * Decayed counts are kept per kind so that kind weights apply when read.
 */
#include "relintel.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

/* The tie between a colleague and an external address, with sums decayed to last_at. */
typedef struct TieState
{
	int32		vl_len_;		/* varlena header */
	uint8		version;		/* RELINTEL_STATE_VERSION */
	uint8		last_kind;		/* InteractionKind of the latest interaction */
	uint8		padding[2];		/* zero */
	double		half_life;		/* days; states of different half-lives never merge */
	int64		n;				/* interactions folded in */
	int64		emails_from_them;	/* emails x->u ever (not decayed): makes the tie two-way */
	int64		meetings_and_calls; /* meetings and calls ever (not decayed): two-way too */
	TimestampTz last_at;		/* latest interaction; every sum below is decayed to it */
	double		emails_out;		/* decayed count of emails u->x */
	double		emails_in;		/* decayed count of emails x->u */
	double		meetings;		/* decayed count of meetings */
	double		calls;			/* decayed count of calls */
} TieState;

#define TIE_TYPE_NAME "tie_state"

/* Fetch a tie_state argument. */
#define PG_GETARG_TIE(n) ((TieState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* Add two interaction counts, refusing overflow. */
static int64
add_counts(int64 left, int64 right)
{
	int64		sum;

	if (pg_add_s64_overflow(left, right, &sum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("too many interactions for a tie_state")));
	return sum;
}

static const char *tie_invalid_reason(const TieState *state);
static char *tie_text(const TieState *state);

/* Fold state `source` into `target` (same half-life): decay the older to the newer and add. */
static void
tie_merge_into(TieState *target, const TieState *source)
{
	const char *reason;
	double		target_scale;
	double		source_scale;

	check_half_life_match(target->half_life, source->half_life, TIE_TYPE_NAME);
	target_scale = decay_factor(target->last_at, source->last_at, target->half_life);
	source_scale = decay_factor(source->last_at, target->last_at, target->half_life);
	target->n = add_counts(target->n, source->n);
	target->emails_from_them = add_counts(target->emails_from_them, source->emails_from_them);
	target->meetings_and_calls = add_counts(target->meetings_and_calls, source->meetings_and_calls);
	target->emails_out = target->emails_out * target_scale + source->emails_out * source_scale;
	target->emails_in = target->emails_in * target_scale + source->emails_in * source_scale;
	target->meetings = target->meetings * target_scale + source->meetings * source_scale;
	target->calls = target->calls * target_scale + source->calls * source_scale;
	/* the latest interaction wins; at the same instant the higher kind, so order never matters */
	if (source->last_at > target->last_at ||
		(source->last_at == target->last_at && source->last_kind > target->last_kind))
		target->last_kind = source->last_kind;
	target->last_at = Max(target->last_at, source->last_at);

	/* a merge must not make a state that the input refuses (e.g. a sum overflowing to Infinity) */
	reason = tie_invalid_reason(target);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range for type %s: \"%s\"", TIE_TYPE_NAME, tie_text(target)),
				 errdetail("%s", reason)));
}

/* Check every invariant of a tie state; used by text input and binary receive alike. */
static const char *
tie_invalid_reason(const TieState *state)
{
	const double sums[] = {state->emails_out, state->emails_in, state->meetings, state->calls};

	if (state->version != RELINTEL_STATE_VERSION)
		return "Unsupported state version.";
	if (!(state->half_life >= HALF_LIFE_MIN && state->half_life <= HALF_LIFE_MAX))
		return "The half-life is out of range.";
	if (state->last_kind >= KIND_COUNT)
		return "The kind of the last interaction is unknown.";
	if (state->n < 1)
		return "A state holds at least one interaction.";
	if (state->emails_from_them < 0 || state->meetings_and_calls < 0 ||
		state->emails_from_them > state->n - state->meetings_and_calls)
		return "Interaction counts are inconsistent.";
	if (!state_time_valid(state->last_at))
		return "The last interaction time is not a valid time.";
	for (size_t i = 0; i < lengthof(sums); i++)
	{
		if (!isfinite(sums[i]) || sums[i] < 0.0)
			return "Decayed sums must be finite and not negative.";
	}
	/* each email to them, email from them, meeting or call adds at most 1 to its decayed count */
	if (!within_count(state->emails_out, (double) (state->n - state->emails_from_them - state->meetings_and_calls)))
		return "The decayed count of emails to them exceeds the number of such emails.";
	if (!within_count(state->emails_in, (double) state->emails_from_them))
		return "The decayed count of emails from them exceeds the number of such emails.";
	if (!within_count(state->meetings + state->calls, (double) state->meetings_and_calls))
		return "The decayed counts of meetings and calls exceed the number of meetings and calls.";
	return NULL;
}

/* The InteractionKind named by a label, or -1. */
static int
kind_from_label(const char *label, size_t length)
{
	for (int kind = 0; kind < KIND_COUNT; kind++)
	{
		if (strlen(relintel_kind_labels[kind]) == length &&
			strncmp(relintel_kind_labels[kind], label, length) == 0)
			return kind;
	}
	return -1;
}

PG_FUNCTION_INFO_V1(tie_state_in);

/* Text input of tie_state. */
Datum
tie_state_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	TieState   *state = palloc0(sizeof(TieState));
	StateReader reader;
	const char *reason;
	size_t		kind_length;
	int			kind;

	SET_VARSIZE(state, sizeof(TieState));
	reader_init(&reader, input, TIE_TYPE_NAME);
	if (reader_int64(&reader, "v") != RELINTEL_STATE_VERSION)
		reader_fail(&reader, "Unsupported state version.");
	state->version = RELINTEL_STATE_VERSION;
	state->half_life = reader_float(&reader, "hl");
	state->n = reader_int64(&reader, "n");
	state->emails_from_them = reader_int64(&reader, "nin");
	state->meetings_and_calls = reader_int64(&reader, "nmc");
	state->last_at = reader_time(&reader, "last", false);
	reader_expect_key(&reader, "kind");
	kind_length = strcspn(reader.cursor, " ");
	kind = kind_from_label(reader.cursor, kind_length);
	if (kind < 0)
		reader_fail(&reader, "Field \"kind\" needs email, meeting or call.");
	state->last_kind = (uint8) kind;
	reader.cursor += kind_length;
	state->emails_out = reader_float(&reader, "eo");
	state->emails_in = reader_float(&reader, "ei");
	state->meetings = reader_float(&reader, "mt");
	state->calls = reader_float(&reader, "cl");
	reader_finish(&reader);

	reason = tie_invalid_reason(state);
	if (reason != NULL)
		reader_fail(&reader, reason);
	PG_RETURN_POINTER(state);
}

/* The text form of a state (what tie_state_out prints). */
static char *
tie_text(const TieState *state)
{
	StringInfoData out;

	initStringInfo(&out);
	write_int64(&out, "v", state->version);
	write_float(&out, "hl", state->half_life);
	write_int64(&out, "n", state->n);
	write_int64(&out, "nin", state->emails_from_them);
	write_int64(&out, "nmc", state->meetings_and_calls);
	write_time(&out, "last", state->last_at);
	appendStringInfo(&out, " kind=%s", relintel_kind_labels[state->last_kind]);
	write_float(&out, "eo", state->emails_out);
	write_float(&out, "ei", state->emails_in);
	write_float(&out, "mt", state->meetings);
	write_float(&out, "cl", state->calls);
	return out.data;
}

PG_FUNCTION_INFO_V1(tie_state_out);

/* Text output of tie_state. */
Datum
tie_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(tie_text(PG_GETARG_TIE(0)));
}

PG_FUNCTION_INFO_V1(tie_state_send);

/* Binary output of tie_state. */
Datum
tie_state_send(PG_FUNCTION_ARGS)
{
	TieState   *state = PG_GETARG_TIE(0);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendbyte(&buffer, state->version);
	pq_sendbyte(&buffer, state->last_kind);
	pq_sendfloat8(&buffer, state->half_life);
	pq_sendint64(&buffer, state->n);
	pq_sendint64(&buffer, state->emails_from_them);
	pq_sendint64(&buffer, state->meetings_and_calls);
	pq_sendint64(&buffer, state->last_at);
	pq_sendfloat8(&buffer, state->emails_out);
	pq_sendfloat8(&buffer, state->emails_in);
	pq_sendfloat8(&buffer, state->meetings);
	pq_sendfloat8(&buffer, state->calls);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

PG_FUNCTION_INFO_V1(tie_state_recv);

/* Binary input of tie_state: the same checks as the text input. */
Datum
tie_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buffer = (StringInfo) PG_GETARG_POINTER(0);
	TieState   *state = palloc0(sizeof(TieState));
	const char *reason;

	SET_VARSIZE(state, sizeof(TieState));
	state->version = pq_getmsgbyte(buffer);
	if (state->version != RELINTEL_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported tie_state version %d", state->version)));
	state->last_kind = pq_getmsgbyte(buffer);
	state->half_life = pq_getmsgfloat8(buffer);
	state->n = pq_getmsgint64(buffer);
	state->emails_from_them = pq_getmsgint64(buffer);
	state->meetings_and_calls = pq_getmsgint64(buffer);
	state->last_at = pq_getmsgint64(buffer);
	state->emails_out = pq_getmsgfloat8(buffer);
	state->emails_in = pq_getmsgfloat8(buffer);
	state->meetings = pq_getmsgfloat8(buffer);
	state->calls = pq_getmsgfloat8(buffer);
	if (buffer->cursor != buffer->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary tie_state: %d bytes left over", buffer->len - buffer->cursor)));

	reason = tie_invalid_reason(state);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary tie_state"),
				 errdetail("%s", reason)));
	PG_RETURN_POINTER(state);
}

/*
 * Add one interaction into a tie state in place: a newer one first decays
 * the state to its time, an older one is decayed to the state's time (one
 * exp2 either way).  The same arithmetic as merging a one-interaction state
 * (tie_merge_into), so both give bit-identical states; the invariants hold
 * by construction, so they are not checked again.
 */
static void
tie_add_interaction(TieState *state, TimestampTz at, InteractionKind kind, bool outbound)
{
	double		weight = 1.0;

	if (at > state->last_at)
	{
		double		scale = decay_factor(state->last_at, at, state->half_life);

		state->emails_out *= scale;
		state->emails_in *= scale;
		state->meetings *= scale;
		state->calls *= scale;
		state->last_at = at;
		state->last_kind = (uint8) kind;
	}
	else
	{
		weight = decay_factor(at, state->last_at, state->half_life);
		/* at the same instant the higher kind wins, so order never matters */
		if (at == state->last_at && (uint8) kind > state->last_kind)
			state->last_kind = (uint8) kind;
	}
	state->n = add_counts(state->n, 1);
	if (kind == KIND_EMAIL && outbound)
		state->emails_out += weight;
	else if (kind == KIND_EMAIL)
	{
		state->emails_in += weight;
		state->emails_from_them = add_counts(state->emails_from_them, 1);
	}
	else
	{
		state->meetings_and_calls = add_counts(state->meetings_and_calls, 1);
		if (kind == KIND_MEETING)
			state->meetings += weight;
		else
			state->calls += weight;
	}
}

PG_FUNCTION_INFO_V1(tie_agg_transfn);

/*
 * tie_agg transition: fold one interaction (state, occurred_at, kind,
 * outbound relative to the colleague) in place in an aggregate (the state
 * is the aggregate's own, never toasted), else into a copy.  Rows with a
 * NULL argument are ignored.
 */
Datum
tie_agg_transfn(PG_FUNCTION_ARGS)
{
	TieState   *state;
	TimestampTz at;
	InteractionKind kind;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	at = PG_GETARG_TIMESTAMPTZ(1);
	check_state_time(at, "occurred_at");
	kind = kind_from_datum(fcinfo, PG_GETARG_DATUM(2));

	if (!PG_ARGISNULL(0) && AggCheckCallContext(fcinfo, NULL))
		state = (TieState *) PG_GETARG_POINTER(0);
	else if (!PG_ARGISNULL(0))
	{
		state = state_alloc(sizeof(TieState));
		memcpy(VARDATA(state), VARDATA(PG_GETARG_TIE(0)), sizeof(TieState) - VARHDRSZ);
	}
	else
	{
		state = state_alloc(sizeof(TieState));
		state->version = RELINTEL_STATE_VERSION;
		state->half_life = relintel_tie_half_life;
		state->last_at = at;
		state->last_kind = (uint8) kind;
	}
	tie_add_interaction(state, at, kind, PG_GETARG_BOOL(3));
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tie_merge);

/* merge(tie_state, tie_state): the combine function of tie_agg; a NULL side is the empty state. */
Datum
tie_merge(PG_FUNCTION_ARGS)
{
	TieState   *left = PG_ARGISNULL(0) ? NULL : PG_GETARG_TIE(0);
	TieState   *right = PG_ARGISNULL(1) ? NULL : PG_GETARG_TIE(1);
	TieState   *result;

	if (right == NULL)
	{
		if (left == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(left);
	}
	if (left != NULL && AggCheckCallContext(fcinfo, NULL))
	{
		tie_merge_into(left, right);
		PG_RETURN_POINTER(left);
	}
	result = state_alloc(sizeof(TieState));
	memcpy(VARDATA(result), VARDATA(left == NULL ? right : left), sizeof(TieState) - VARHDRSZ);
	if (left != NULL)
		tie_merge_into(result, right);
	PG_RETURN_POINTER(result);
}

PG_FUNCTION_INFO_V1(tie_strength);

/* strength(tie_state, as_of): 0..100; 0 unless the tie is two-way. */
Datum
tie_strength(PG_FUNCTION_ARGS)
{
	TieState   *state = PG_GETARG_TIE(0);
	TimestampTz at = evaluation_time(PG_GETARG_TIMESTAMPTZ(1), state->last_at);
	double		scale = decay_factor(state->last_at, at, state->half_life);
	double		to_them = state->emails_out * scale;
	double		from_them = state->emails_in * scale;
	double		together = (relintel_weight_meeting * state->meetings + relintel_weight_call * state->calls) * scale;
	double		energy = to_them + from_them + together;
	double		incoming = from_them + together / 2.0;
	double		outgoing = to_them + together / 2.0;
	double		balance = 0.0;

	if (state->emails_from_them == 0 && state->meetings_and_calls == 0)
		PG_RETURN_INT32(0);
	if (incoming + outgoing > 0.0)
		balance = fmin(1.0, 2.0 * incoming / (incoming + outgoing));
	PG_RETURN_INT32(bounded_score(100.0 * (1.0 - exp(-energy / 4.0)) * (0.4 + 0.6 * balance), "strength"));
}

PG_FUNCTION_INFO_V1(tie_last_at);

/* tie_last_at(tie_state): when the latest interaction of the tie happened. */
Datum
tie_last_at(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(PG_GETARG_TIE(0)->last_at);
}

PG_FUNCTION_INFO_V1(tie_last_kind);

/* tie_last_kind(tie_state): the kind of the latest interaction of the tie. */
Datum
tie_last_kind(PG_FUNCTION_ARGS)
{
	return enum_datum(fcinfo, "interaction_kind", relintel_kind_labels[PG_GETARG_TIE(0)->last_kind]);
}

PG_FUNCTION_INFO_V1(tie_state_eq);

/* tie_state = tie_state: counts and times exactly, decayed sums within a relative 1e-9. */
Datum
tie_state_eq(PG_FUNCTION_ARGS)
{
	TieState   *left = PG_GETARG_TIE(0);
	TieState   *right = PG_GETARG_TIE(1);

	PG_RETURN_BOOL(left->half_life == right->half_life &&
				   left->n == right->n &&
				   left->emails_from_them == right->emails_from_them &&
				   left->meetings_and_calls == right->meetings_and_calls &&
				   left->last_at == right->last_at &&
				   left->last_kind == right->last_kind &&
				   floats_close(left->emails_out, right->emails_out) &&
				   floats_close(left->emails_in, right->emails_in) &&
				   floats_close(left->meetings, right->meetings) &&
				   floats_close(left->calls, right->calls));
}
