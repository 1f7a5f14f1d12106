/*
 * state_io.c
 *    The text form shared by relintel's state types.
 *
 * A state prints as a version tag followed by `key=value` fields in a fixed
 * order, separated by single spaces:
 *
 *     v1 hl=21 n=3 last=1793613600000000 ...
 *
 * Times are integers (microseconds since 1970-01-01 UTC, or `-` for none) so
 * that the text does not depend on DateStyle or TimeZone; floats are printed
 * shortest-exact, as float8out does, so that text round-trips bit for bit
 * (Citus ships partial aggregates between nodes as text).  The reader is
 * strict: any deviation is SQLSTATE 22P02 with the whole input quoted.
 */
#include "relintel.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "common/shortest_dec.h"
#include "utils/memutils.h"

/* Start reading `input` as a value of `type_name`. */
void
reader_init(StateReader *reader, const char *input, const char *type_name)
{
	reader->input = input;
	reader->cursor = input;
	reader->type_name = type_name;
}

/* Raise the 22P02 error of malformed input, with what was expected. */
void
reader_fail(StateReader *reader, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					reader->type_name, reader->input),
			 errdetail("%s", detail)));
	pg_unreachable();
}

/* Consume `key=` (after one separating space unless at the start). */
void
reader_expect_key(StateReader *reader, const char *key)
{
	size_t		key_length = strlen(key);

	if (reader->cursor != reader->input)
	{
		if (*reader->cursor != ' ')
			reader_fail(reader, psprintf("Expected a space before \"%s\".", key));
		reader->cursor++;
	}
	if (strncmp(reader->cursor, key, key_length) != 0 || reader->cursor[key_length] != '=')
		reader_fail(reader, psprintf("Expected field \"%s=\".", key));
	reader->cursor += key_length + 1;
}

/* Length of the token at the cursor: up to a space, comma, bracket or the end. */
static size_t
token_length(const char *cursor)
{
	return strcspn(cursor, " ,]");
}

/* Parse the token at the cursor as a finite double. */
static double
parse_float_token(StateReader *reader, const char *key)
{
	size_t		length = token_length(reader->cursor);
	char	   *token = pnstrdup(reader->cursor, length);
	char	   *end;
	double		value;

	errno = 0;
	value = strtod(token, &end);
	if (length == 0 || isspace((unsigned char) token[0]) || *end != '\0' || !isfinite(value))
		reader_fail(reader, psprintf("Field \"%s\" needs a finite number.", key));
	pfree(token);
	reader->cursor += length;
	return value;
}

/* Parse the token at the cursor as a signed 64-bit integer. */
static int64
parse_int64_token(StateReader *reader, const char *key)
{
	size_t		length = token_length(reader->cursor);
	char	   *token = pnstrdup(reader->cursor, length);
	char	   *end;
	long long	value;

	errno = 0;
	value = strtoll(token, &end, 10);
	if (length == 0 || isspace((unsigned char) token[0]) || token[0] == '+' ||
		*end != '\0' || errno == ERANGE)
		reader_fail(reader, psprintf("Field \"%s\" needs an integer.", key));
	pfree(token);
	reader->cursor += length;
	return (int64) value;
}

/* Read `key=<float>`. */
double
reader_float(StateReader *reader, const char *key)
{
	reader_expect_key(reader, key);
	return parse_float_token(reader, key);
}

/* Read `key=<integer>`. */
int64
reader_int64(StateReader *reader, const char *key)
{
	reader_expect_key(reader, key);
	return parse_int64_token(reader, key);
}

/* Read `key=<unix microseconds>` or, when allowed, `key=-` (none, returned as DT_NOBEGIN). */
TimestampTz
reader_time(StateReader *reader, const char *key, bool allow_none)
{
	int64		unix_usecs;

	reader_expect_key(reader, key);
	if (allow_none && reader->cursor[0] == '-' && token_length(reader->cursor) == 1)
	{
		reader->cursor++;
		return DT_NOBEGIN;
	}
	unix_usecs = parse_int64_token(reader, key);
	/* every int64 >= MIN_TIMESTAMP + offset is a time a state may hold (STATE_TIME_MAX) */
	if (unix_usecs < MIN_TIMESTAMP + UNIX_EPOCH_OFFSET_USECS)
		reader_fail(reader, psprintf("Field \"%s\" is outside the range of timestamps.", key));
	return unix_usecs - UNIX_EPOCH_OFFSET_USECS;
}

/* Consume `[` or `,` or `]` as the list syntax requires at position `index` of `count`. */
static void
expect_list_punctuation(StateReader *reader, const char *key, int index, int count)
{
	char		wanted = index == 0 ? '[' : (index == count ? ']' : ',');

	if (*reader->cursor != wanted)
		reader_fail(reader, psprintf("Field \"%s\" needs a list of %d values in brackets.", key, count));
	reader->cursor++;
}

/* Read `key=[i0,i1,...]` with exactly `count` non-negative 32-bit integers. */
void
reader_int32_array(StateReader *reader, const char *key, int32 *values, int count)
{
	reader_expect_key(reader, key);
	for (int i = 0; i < count; i++)
	{
		int64		value;

		expect_list_punctuation(reader, key, i, count);
		value = parse_int64_token(reader, key);
		if (value < 0 || value > PG_INT32_MAX)
			reader_fail(reader, psprintf("Field \"%s\" needs counts between 0 and %d.", key, PG_INT32_MAX));
		values[i] = (int32) value;
	}
	expect_list_punctuation(reader, key, count, count);
}

/* Read `key=[f0,f1,...]` with exactly `count` finite doubles. */
void
reader_float_array(StateReader *reader, const char *key, double *values, int count)
{
	reader_expect_key(reader, key);
	for (int i = 0; i < count; i++)
	{
		expect_list_punctuation(reader, key, i, count);
		values[i] = parse_float_token(reader, key);
	}
	expect_list_punctuation(reader, key, count, count);
}

/* Check that nothing follows the last field. */
void
reader_finish(StateReader *reader)
{
	if (*reader->cursor != '\0')
		reader_fail(reader, "Unexpected text after the last field.");
}

/* Append the shortest text that reads back as exactly `value`. */
static void
append_shortest(StringInfo out, double value)
{
	char		buffer[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, buffer);
	appendStringInfoString(out, buffer);
}

/* Append ` key=` (no space before the first field). */
static void
write_key(StringInfo out, const char *key)
{
	if (out->len > 0)
		appendStringInfoChar(out, ' ');
	appendStringInfo(out, "%s=", key);
}

/* Append `key=<float>`. */
void
write_float(StringInfo out, const char *key, double value)
{
	write_key(out, key);
	append_shortest(out, value);
}

/* Append `key=<integer>`. */
void
write_int64(StringInfo out, const char *key, int64 value)
{
	write_key(out, key);
	appendStringInfo(out, INT64_FORMAT, value);
}

/* Append `key=<unix microseconds>`, or `key=-` for DT_NOBEGIN; a time past STATE_TIME_MAX is an error. */
void
write_time(StringInfo out, const char *key, TimestampTz value)
{
	int64		unix_usecs;

	if (value == DT_NOBEGIN)
	{
		write_key(out, key);
		appendStringInfoChar(out, '-');
	}
	else
	{
		if (pg_add_s64_overflow(value, UNIX_EPOCH_OFFSET_USECS, &unix_usecs))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("field \"%s\" of a state is out of range: " INT64_FORMAT, key, value)));
		write_int64(out, key, unix_usecs);
	}
}

/* Append `key=[i0,i1,...]`. */
void
write_int32_array(StringInfo out, const char *key, const int32 *values, int count)
{
	write_key(out, key);
	for (int i = 0; i < count; i++)
		appendStringInfo(out, "%c%d", i == 0 ? '[' : ',', values[i]);
	appendStringInfoChar(out, ']');
}

/* Append `key=[f0,f1,...]`. */
void
write_float_array(StringInfo out, const char *key, const double *values, int count)
{
	write_key(out, key);
	for (int i = 0; i < count; i++)
	{
		appendStringInfoChar(out, i == 0 ? '[' : ',');
		append_shortest(out, values[i]);
	}
	appendStringInfoChar(out, ']');
}

/* Allocate a zeroed varlena state of `size` bytes in the aggregate context or the current one. */
void *
state_alloc(FunctionCallInfo fcinfo, Size size)
{
	MemoryContext aggregate_context;
	MemoryContext target = CurrentMemoryContext;
	void	   *state;

	if (AggCheckCallContext(fcinfo, &aggregate_context))
		target = aggregate_context;
	state = MemoryContextAllocZero(target, size);
	SET_VARSIZE(state, size);
	return state;
}
