/*
 * state_io.c
 *    The text form shared by relintel's state types.
 *
 * A state prints as `key=value` fields in a fixed order, separated by
 * single spaces, the version first:
 *
 *     v=1 hl=21 n=3 last=1793613600000000 eo=0x1.2d3e8f1c5b2a4p+0 ...
 *
 * Times are integers (microseconds since 1970-01-01 UTC, or `-` for none) so
 * that the text does not depend on DateStyle or TimeZone.  A float that is a
 * whole number below 2^53 prints as that integer; any other prints as a
 * C99 hexadecimal float (`0x1.<13 hex digits at most>p<exponent>`), which
 * holds its 64 bits exactly, so the text round-trips bit for bit (Citus
 * ships partial aggregates between nodes as text) and costs no decimal
 * conversion either way.  The reader takes those forms on a fast path and
 * every other number that strtod() reads, among them the shortest-exact
 * decimals that relintel 0.1.0 printed (dumps hold them), through strtod();
 * 0.1.0's reader (strtod) reads the hexadecimal floats too.  The reader is
 * strict: any deviation is SQLSTATE 22P02 with the whole input quoted.
 */
#include "relintel.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "common/shortest_dec.h"
#include "utils/builtins.h"
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
	const char *cursor = reader->cursor;
	const char *expected = key;

	if (cursor != reader->input)
	{
		if (*cursor != ' ')
			reader_fail(reader, psprintf("Expected a space before \"%s\".", key));
		cursor++;
	}
	/* (keys are a few letters: compared in place, without strlen and strncmp) */
	while (*expected != '\0' && *cursor == *expected)
	{
		cursor++;
		expected++;
	}
	if (*expected != '\0' || *cursor != '=')
		reader_fail(reader, psprintf("Expected field \"%s=\".", key));
	reader->cursor = cursor + 1;
}

/* Whether a character ends a token: a space, a comma, a bracket or the end. */
static inline bool
token_end(char c)
{
	return c == ' ' || c == ',' || c == ']' || c == '\0';
}

/* Length of the token at the cursor: up to a space, comma, bracket or the end. */
static size_t
token_length(const char *cursor)
{
	return strcspn(cursor, " ,]");
}

/* Value of each character as a lower-case hexadecimal digit, -1 for any other. */
static const int8 hex_digit_values[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* Value of a lower-case hexadecimal digit, or -1. */
static inline int
hex_digit_value(char c)
{
	return hex_digit_values[(unsigned char) c];
}

/*
 * Read the canonical hexadecimal float that append_double() writes,
 * [-]0x1[.h{1,13}]p(+|-)d{1,4} (or 0x0.h...p-1022 for a subnormal), exactly,
 * by assembling its bits.  Returns the length read, or 0 when the text is
 * not in that form (the caller then tries strtod()).
 */
static size_t
parse_canonical_hex(const char *text, double *value)
{
	const char *cursor = text;
	bool		negative = false;
	int			lead;
	uint64		mantissa = 0;
	int			digits = 0;
	int			exponent = 0;
	int			exponent_digits = 0;
	bool		exponent_negative;
	uint64		bits;

	if (*cursor == '-')
	{
		negative = true;
		cursor++;
	}
	if (cursor[0] != '0' || cursor[1] != 'x' || (cursor[2] != '0' && cursor[2] != '1'))
		return 0;
	lead = cursor[2] - '0';
	cursor += 3;
	if (*cursor == '.')
	{
		cursor++;
		while (hex_digit_value(*cursor) >= 0 && digits < 13)
		{
			mantissa = (mantissa << 4) | (uint64) hex_digit_value(*cursor++);
			digits++;
		}
		if (digits == 0 || hex_digit_value(*cursor) >= 0)
			return 0;
		mantissa <<= 4 * (13 - digits);
	}
	if (*cursor++ != 'p' || (*cursor != '+' && *cursor != '-'))
		return 0;
	exponent_negative = *cursor++ == '-';
	while (*cursor >= '0' && *cursor <= '9' && exponent_digits < 4)
	{
		exponent = exponent * 10 + (*cursor++ - '0');
		exponent_digits++;
	}
	if (exponent_digits == 0 || !token_end(*cursor))
		return 0;
	if (exponent_negative)
		exponent = -exponent;
	if (lead == 1 && exponent >= -1022 && exponent <= 1023)
		bits = ((uint64) (exponent + 1023) << 52) | mantissa;
	else if (lead == 0 && exponent == -1022 && mantissa != 0)
		bits = mantissa;		/* subnormal */
	else
		return 0;
	if (negative)
		bits |= UINT64CONST(1) << 63;
	memcpy(value, &bits, sizeof(bits));
	return cursor - text;
}

/*
 * Read a decimal integer token [-]d+ into an int64; returns the length
 * read, or 0 when the token is not one or does not fit.
 */
static size_t
parse_integer(const char *text, int64 *value)
{
	const char *cursor = text;
	bool		negative = *cursor == '-';
	uint64		magnitude = 0;

	if (negative)
		cursor++;
	if (*cursor < '0' || *cursor > '9')
		return 0;
	while (*cursor >= '0' && *cursor <= '9')
	{
		uint64		digit = (uint64) (*cursor++ - '0');

		if (magnitude > (PG_UINT64_MAX - digit) / 10)
			return 0;
		magnitude = magnitude * 10 + digit;
	}
	if (!token_end(*cursor))
		return 0;
	if (negative ? magnitude > (uint64) PG_INT64_MAX + 1 : magnitude > (uint64) PG_INT64_MAX)
		return 0;
	*value = negative ? (int64) (0 - magnitude) : (int64) magnitude;
	return cursor - text;
}

/* Parse the token at the cursor as a finite double. */
static double
parse_float_token(StateReader *reader, const char *key)
{
	size_t		length;
	int64		whole;
	char	   *token;
	char	   *end;
	double		value;

	/* the forms that append_double() writes: a whole number below 2^53, or a hexadecimal float */
	length = parse_integer(reader->cursor, &whole);
	if (length > 0 && length <= 16 && whole >= -(INT64CONST(1) << 53) && whole <= (INT64CONST(1) << 53))
	{
		bool		negative_zero = whole == 0 && reader->cursor[0] == '-';	/* "-0" */

		reader->cursor += length;
		return negative_zero ? -0.0 : (double) whole;
	}
	length = parse_canonical_hex(reader->cursor, &value);
	if (length > 0)
	{
		reader->cursor += length;
		return value;
	}

	/* anything else strtod() reads: the shortest-exact decimals of 0.1.0 among them */
	length = token_length(reader->cursor);
	token = pnstrdup(reader->cursor, length);
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
	int64		value;
	size_t		length = parse_integer(reader->cursor, &value);

	if (length == 0)
		reader_fail(reader, psprintf("Field \"%s\" needs an integer.", key));
	reader->cursor += length;
	return value;
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
		if (reader->cursor[0] == '0' && (reader->cursor[1] == ',' || reader->cursor[1] == ']'))
		{
			values[i] = 0;		/* most weeks are empty */
			reader->cursor++;
			continue;
		}
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

/* Append a 64-bit integer in decimal. */
static void
append_int64(StringInfo out, int64 value)
{
	enlargeStringInfo(out, MAXINT8LEN + 1);
	out->len += pg_lltoa(value, out->data + out->len);
}

/*
 * Append a finite double so that it reads back as exactly the same bits: a
 * whole number below 2^53 in decimal ("-0" for the negative zero), else a
 * C99 hexadecimal float, 0x1.<mantissa>p<exponent> with the mantissa's
 * trailing zero digits left out (0x0.<mantissa>p-1022 when subnormal).
 */
static void
append_double(StringInfo out, double value)
{
	static const char hex_digits[] = "0123456789abcdef";
	char		buffer[32];
	char	   *cursor = buffer;
	uint64		bits;
	int			biased_exponent;
	uint64		mantissa;
	int			exponent;

	if (!isfinite(value))
	{
		/* states are finite (their invariants say so); print what float8out would */
		char		shortest[DOUBLE_SHORTEST_DECIMAL_LEN];

		double_to_shortest_decimal_buf(value, shortest);
		appendStringInfoString(out, shortest);
		return;
	}
	if (value == 0.0 && signbit(value))
	{
		appendBinaryStringInfo(out, "-0", 2);
		return;
	}
	if (fabs(value) <= 9007199254740992.0 && value == (double) (int64) value)
	{
		append_int64(out, (int64) value);
		return;
	}
	memcpy(&bits, &value, sizeof(bits));
	biased_exponent = (int) ((bits >> 52) & 0x7ff);
	mantissa = bits & ((UINT64CONST(1) << 52) - 1);
	if (bits >> 63)
		*cursor++ = '-';
	*cursor++ = '0';
	*cursor++ = 'x';
	*cursor++ = biased_exponent == 0 ? '0' : '1';
	exponent = biased_exponent == 0 ? -1022 : biased_exponent - 1023;
	if (mantissa != 0)
	{
		*cursor++ = '.';
		for (int shift = 48; shift >= 0 && mantissa != 0; shift -= 4)
		{
			*cursor++ = hex_digits[(mantissa >> shift) & 0xf];
			mantissa &= (UINT64CONST(1) << shift) - 1;
		}
	}
	*cursor++ = 'p';
	*cursor++ = exponent < 0 ? '-' : '+';
	cursor += pg_ltoa(exponent < 0 ? -exponent : exponent, cursor);
	appendBinaryStringInfo(out, buffer, cursor - buffer);
}

/* Append ` key=` (no space before the first field). */
static void
write_key(StringInfo out, const char *key)
{
	size_t		key_length = strlen(key);

	enlargeStringInfo(out, key_length + 2);
	if (out->len > 0)
		out->data[out->len++] = ' ';
	memcpy(out->data + out->len, key, key_length);
	out->len += key_length;
	out->data[out->len++] = '=';
	out->data[out->len] = '\0';
}

/* Append `key=<float>`. */
void
write_float(StringInfo out, const char *key, double value)
{
	write_key(out, key);
	append_double(out, value);
}

/* Append `key=<integer>`. */
void
write_int64(StringInfo out, const char *key, int64 value)
{
	write_key(out, key);
	append_int64(out, value);
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
	enlargeStringInfo(out, count * 12 + 1);	/* pg_ltoa: 11 characters and a NUL */
	for (int i = 0; i < count; i++)
	{
		out->data[out->len++] = i == 0 ? '[' : ',';
		if (values[i] == 0)
			out->data[out->len++] = '0';	/* most weeks are empty */
		else
			out->len += pg_ltoa(values[i], out->data + out->len);
	}
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
		append_double(out, values[i]);
	}
	appendStringInfoChar(out, ']');
}

/*
 * Allocate a zeroed varlena state of `size` bytes in the current memory
 * context.  In an aggregate that is the per-row context: a transition or
 * combine function that returns a new pointer has it copied into the
 * aggregate's context by the executor, so allocating there too would leave
 * one unused copy per group.
 */
void *
state_alloc(Size size)
{
	void	   *state = palloc0(size);

	SET_VARSIZE(state, size);
	return state;
}
