/*
 * relintel.h
 *    Shared declarations of the relintel module: settings, decay math,
 *    enum mapping and the small text reader used by the state types.
 *
 * Time inside relintel is a TimestampTz (microseconds since 2000-01-01 UTC);
 * every formula of the specification measures it in days.
 */
#ifndef RELINTEL_H
#define RELINTEL_H

#include "postgres.h"
#include "compat.h"
#include "fmgr.h"
#include "common/int.h"
#include "lib/stringinfo.h"
#include "access/tupdesc.h"
#include "utils/timestamp.h"

/* Version byte at the front of every stored state. */
#define RELINTEL_STATE_VERSION 1

/* Weeks kept by a weekly series: the week of the last interaction and 12 before. */
#define TREND_WEEKS 13

/* Complete weeks that the trend slope looks at. */
#define TREND_WINDOW 12

/* Interaction kinds, in the order of the SQL enum interaction_kind. */
typedef enum InteractionKind
{
	KIND_EMAIL = 0,
	KIND_MEETING = 1,
	KIND_CALL = 2,
	KIND_COUNT = 3
} InteractionKind;

/* Labels of the SQL enums that C code receives or returns. */
extern const char *const relintel_kind_labels[KIND_COUNT];

/* Module start-up (declared here for PostgreSQL versions whose fmgr.h does not). */
extern void _PG_init(void);

/* Settings (GUCs), see relintel.c. Durations are in days. */
extern double relintel_health_half_life;
extern double relintel_tie_half_life;
extern double relintel_weight_email;
extern double relintel_weight_call;
extern double relintel_weight_meeting;
extern int	relintel_good_score;
extern int	relintel_fair_score;
extern int	relintel_min_tie_strength;
extern int	relintel_max_tie_participants;
extern double relintel_min_silence;
extern double relintel_dark_factor;
extern double relintel_answer_wait;

/* Smallest and largest half-life a setting or a state may carry, in days. */
#define HALF_LIFE_MIN 0.001
#define HALF_LIFE_MAX 36500.0

/* Microseconds between 1970-01-01 (the text form's epoch) and 2000-01-01. */
#define UNIX_EPOCH_OFFSET_USECS ((int64) 946684800 * USECS_PER_SEC)

/*
 * The latest time a state may hold: the text form writes times as Unix
 * microseconds in an int64, which ends at 294247-01-10 04:00:54.775807 UTC,
 * earlier than PostgreSQL's timestamps do.  The earliest is MIN_TIMESTAMP.
 */
#define STATE_TIME_MAX (PG_INT64_MAX - UNIX_EPOCH_OFFSET_USECS)

/*
 * Bounds of the invariant checks.  A decayed count of n interactions is at
 * most n (every term is at most 1); the slack only absorbs rounding.  A
 * response latency is at most the longest interval (about 1.6e12 hours),
 * so a decayed latency sum is at most 1e13 hours per decayed response.  A
 * weekly sum of trend_agg lies within +-1e300, so that the slope's sums
 * (at most 72 times a week's value) stay finite.
 */
#define COUNT_SLACK 1e-6
#define LATENCY_HOURS_MAX 1e13
#define TREND_SUM_MAX 1e300

/* address.c: the one address rule */
extern text *normalize_address_text(text *given);

/* decay.c: the arithmetic shared by all states */
extern double kind_weight(InteractionKind kind);
extern double days_between(TimestampTz from, TimestampTz to);
extern double decay_factor(TimestampTz from, TimestampTz to, double half_life);
extern int64 week_index(TimestampTz ts);
extern double series_slope(const double *weeks);
extern double interval_seconds(const Interval *span);
extern TimestampTz evaluation_time(TimestampTz as_of, TimestampTz last_at);
extern void check_finite_time(TimestampTz ts, const char *what);
extern void check_state_time(TimestampTz ts, const char *what);
extern bool state_time_valid(TimestampTz ts);
extern bool within_count(double decayed, double count);
extern int32 bounded_score(double value, const char *what);
extern void check_half_life_match(double left, double right, const char *type_name);
extern bool floats_close(double left, double right);

/* enums.c: the SQL enums as seen from C */
extern InteractionKind kind_from_datum(FunctionCallInfo fcinfo, Datum kind);
extern Datum enum_datum(FunctionCallInfo fcinfo, const char *type_name, const char *label);
extern TupleDesc call_result_descriptor(FunctionCallInfo fcinfo, const char *function_name);

/* health.c: folding interactions into a health_state (the struct stays private) */
typedef struct HealthState HealthState;

/* One interaction (or the response part alone of one) as a transition folds it in. */
typedef struct HealthRow
{
	TimestampTz at;				/* occurred_at */
	int			kind;			/* InteractionKind, or -1 for a response alone (n unchanged) */
	bool		outbound;
	bool		has_response;	/* a reply: response_hours is its latency */
	double		response_hours;
	bool		has_sentiment;
	double		sentiment;		/* -1..1 */
} HealthRow;

extern bool health_row_from_args(FunctionCallInfo fcinfo, int first, HealthRow *row);
extern HealthState *health_fold(HealthState *state, const HealthRow *row);
extern HealthState *health_start(void *place, TimestampTz at);
extern HealthState *health_combine(HealthState *target, const HealthState *source);
extern HealthState *health_from_bytes(const char *bytes);
extern Size health_state_size(void);

/* state_io.c: reading and writing the text form of states */
typedef struct StateReader
{
	const char *input;			/* whole text being parsed, for messages */
	const char *cursor;			/* next character to read */
	const char *type_name;		/* SQL type being parsed, for messages */
} StateReader;

extern void reader_init(StateReader *reader, const char *input, const char *type_name);
extern void reader_expect_key(StateReader *reader, const char *key);
extern double reader_float(StateReader *reader, const char *key);
extern int64 reader_int64(StateReader *reader, const char *key);
extern TimestampTz reader_time(StateReader *reader, const char *key, bool allow_none);
extern void reader_int32_array(StateReader *reader, const char *key, int32 *values, int count);
extern void reader_float_array(StateReader *reader, const char *key, double *values, int count);
extern void reader_finish(StateReader *reader);
extern pg_noreturn void reader_fail(StateReader *reader, const char *detail);

extern void write_float(StringInfo out, const char *key, double value);
extern void write_int64(StringInfo out, const char *key, int64 value);
extern void write_time(StringInfo out, const char *key, TimestampTz value);
extern void write_int32_array(StringInfo out, const char *key, const int32 *values, int count);
extern void write_float_array(StringInfo out, const char *key, const double *values, int count);

/* Allocate a zeroed varlena state of `size` bytes in the current memory context. */
extern void *state_alloc(Size size);

#endif							/* RELINTEL_H */
