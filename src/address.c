/*
 * address.c
 *    Email address normalization: the one rule that every stored address
 *    of relintel goes through.
 *
 *    "Ann Lee" <Ann.Lee@Fabrikam.COM>   ->   ann.lee@fabrikam.com
 *
 * The display name and angle brackets are removed, surrounding white space
 * (Unicode white space included) is trimmed and the result is lower-cased
 * (as lower() does).  What is left must have exactly one '@', a non-empty
 * local part and domain, and no white space, control or invisible character
 * or angle bracket inside; a display name holding a second address in angle
 * brackets is refused too.  Anything else is SQLSTATE 22023 quoting the value
 * as given, or NULL from address_or_null(), which takes the same code path
 * (the loader asks it for the addresses it reads, so that the server's rule,
 * with the database's lower(), is the only one).
 */
#include "relintel.h"

#include <ctype.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/varlena.h"

/* Raise the 22023 error for an address that cannot be normalized. */
static pg_noreturn void
reject_address(const char *given, const char *reason)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid email address: \"%s\"", given),
			 errdetail("%s", reason)));
	pg_unreachable();
}

/*
 * The length in bytes of the Unicode white-space character (White_Space
 * property) that starts at p, or 0: ASCII white space, and in UTF-8 U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
 */
static int
white_space_length(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *) p;
	ptrdiff_t	left = end - p;

	if (left >= 1 && isspace(u[0]))
		return 1;
	if (left >= 2 && u[0] == 0xC2 && (u[1] == 0x85 || u[1] == 0xA0))
		return 2;
	if (left >= 3 && u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80)
		return 3;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
		(u[2] <= 0x8A || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF) && u[2] >= 0x80)
		return 3;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F)
		return 3;
	if (left >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;
	return 0;
}

/*
 * The length in bytes of the invisible character (control or format) that
 * starts at p, or 0: C0 controls, DEL, C1 controls (U+0080..U+009F), the
 * zero-width and direction marks U+200B..U+200F, U+2060..U+2064 and U+FEFF.
 */
static int
invisible_length(const char *p, const char *end)
{
	const unsigned char *u = (const unsigned char *) p;
	ptrdiff_t	left = end - p;

	if (left >= 1 && (u[0] < 0x20 || u[0] == 0x7F))
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F)
		return 2;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x8B && u[2] <= 0x8F)
		return 3;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x81 && u[2] >= 0xA0 && u[2] <= 0xA4)
		return 3;
	if (left >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		return 3;
	return 0;
}

/* Move *start forward and *end backward past Unicode white space. */
static void
trim_space(const char **start, const char **end)
{
	int			length;

	while (*start < *end && (length = white_space_length(*start, *end)) > 0)
		*start += length;
	while (*end > *start)
	{
		/* the last character starts at most 3 bytes before *end */
		const char *last = *end - 1;

		while (last > *start && last > *end - 3 && (((unsigned char) *last) & 0xC0) == 0x80)
			last--;
		length = white_space_length(last, *end);
		if (length == 0 || last + length != *end)
			break;
		*end = last;
	}
}

/*
 * Why a display name [start, end) is refused, or NULL: an angle bracket
 * outside of double quotes is a second address ("Ann <a@b.com> <c@d.com>").
 */
static const char *
display_name_problem(const char *start, const char *end)
{
	bool		quoted = false;

	for (const char *c = start; c < end; c++)
	{
		if (quoted && *c == '\\' && c + 1 < end)
			c++;
		else if (*c == '"')
			quoted = !quoted;
		else if (!quoted && (*c == '<' || *c == '>'))
			return "Only one address in angle brackets is allowed.";
	}
	return NULL;
}

/* Why the bare address [start, end) breaks the spec's rule, or NULL. */
static const char *
bare_address_problem(const char *start, const char *end)
{
	const char *at = NULL;

	for (const char *c = start; c < end; c++)
	{
		if (white_space_length(c, end) > 0)
			return "An address must not contain white space.";
		if (invisible_length(c, end) > 0)
			return "An address must not contain control or invisible characters.";
		if (*c == '<' || *c == '>')
			return "An address must not contain angle brackets outside of a \"Name <address>\" form.";
		if (*c == '@')
		{
			if (at != NULL)
				return "An address must contain exactly one \"@\".";
			at = c;
		}
	}
	if (at == NULL)
		return "An address must contain exactly one \"@\".";
	if (at == start)
		return "The local part before \"@\" is empty.";
	if (at == end - 1)
		return "The domain after \"@\" is empty.";
	return NULL;
}

/*
 * Normalize one address given as a C string: the result is palloc'd, or NULL
 * with the reason in *reason when the address breaks the rule.
 */
static char *
normalize_cstring(const char *given, size_t length, const char **reason)
{
	const char *start = given;
	const char *end = given + length;

	trim_space(&start, &end);
	if (end > start && end[-1] == '>')
	{
		const char *open = end - 1;

		while (open > start && *open != '<')
			open--;
		if (*open != '<')
		{
			*reason = "A closing \">\" has no opening \"<\".";
			return NULL;
		}
		if ((*reason = display_name_problem(start, open)) != NULL)
			return NULL;
		start = open + 1;
		end = end - 1;
		trim_space(&start, &end);
	}
	if ((*reason = bare_address_problem(start, end)) != NULL)
		return NULL;
	return str_tolower(start, end - start, DEFAULT_COLLATION_OID);
}

/*
 * Whether an address is already in normal form: printable ASCII without
 * upper case, white space or angle brackets, with exactly one '@' neither
 * first nor last (what a loader or an application usually sends).
 */
static bool
is_normal_ascii(const char *data, int length)
{
	int			at_count = 0;
	int			at_position = -1;

	for (int i = 0; i < length; i++)
	{
		unsigned char c = (unsigned char) data[i];

		if (c <= ' ' || c >= 127 || (c >= 'A' && c <= 'Z') || c == '<' || c == '>')
			return false;
		if (c == '@')
		{
			at_count++;
			at_position = i;
		}
	}
	return at_count == 1 && at_position > 0 && at_position < length - 1;
}

/*
 * The normalized form of an address given as text, or NULL with the reason in
 * *reason: the one code path of normalize_address() and address_or_null().
 */
static text *
try_normalize_address_text(text *given, const char **reason)
{
	char	   *given_cstring;
	char	   *normalized;

	if (is_normal_ascii(VARDATA_ANY(given), VARSIZE_ANY_EXHDR(given)))
		return given;			/* lower() of printable ASCII without A-Z is itself */
	given_cstring = text_to_cstring(given);
	normalized = normalize_cstring(given_cstring, strlen(given_cstring), reason);
	if (normalized == NULL)
		return NULL;
	return cstring_to_text(normalized);
}

/* The normalized form of an address given as text (22023 when invalid). */
text *
normalize_address_text(text *given)
{
	const char *reason = NULL;
	text	   *normalized = try_normalize_address_text(given, &reason);

	if (normalized == NULL)
		reject_address(text_to_cstring(given), reason);
	return normalized;
}

PG_FUNCTION_INFO_V1(relintel_normalize_address);

/* normalize_address(text): the normalized form of an email address. */
Datum
relintel_normalize_address(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(normalize_address_text(PG_GETARG_TEXT_PP(0)));
}

PG_FUNCTION_INFO_V1(relintel_address_or_null);

/* address_or_null(text): normalize_address(), but NULL for an invalid address. */
Datum
relintel_address_or_null(PG_FUNCTION_ARGS)
{
	const char *reason = NULL;
	text	   *normalized = try_normalize_address_text(PG_GETARG_TEXT_PP(0), &reason);

	if (normalized == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(normalized);
}

/* The part of an address after its last '@', or NULL without '@'. */
static text *
domain_of(text *address)
{
	const char *data = VARDATA_ANY(address);
	int			length = VARSIZE_ANY_EXHDR(address);

	for (int i = length - 1; i >= 0; i--)
	{
		if (data[i] == '@')
			return cstring_to_text_with_len(data + i + 1, length - i - 1);
	}
	return NULL;
}

PG_FUNCTION_INFO_V1(relintel_address_domain);

/* address_domain(text): the part after the last '@' of an address, NULL without '@'. */
Datum
relintel_address_domain(PG_FUNCTION_ARGS)
{
	text	   *domain = domain_of(PG_GETARG_TEXT_PP(0));

	if (domain == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(domain);
}

PG_FUNCTION_INFO_V1(relintel_participant_domains);

/*
 * participant_domains(sender, recipients): the distinct domains (the part
 * after the last '@') of the sender and the recipients, in order of first
 * appearance; NULL elements and addresses without '@' are skipped.
 */
Datum
relintel_participant_domains(PG_FUNCTION_ARGS)
{
	ArrayType  *recipients = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *recipient_values;
	bool	   *recipient_nulls;
	int			recipient_count;
	Datum	   *domains;
	int			domain_count = 0;

	deconstruct_array(recipients, TEXTOID, -1, false, TYPALIGN_INT,
					  &recipient_values, &recipient_nulls, &recipient_count);
	domains = palloc(sizeof(Datum) * (recipient_count + 1));
	for (int i = -1; i < recipient_count; i++)
	{
		text	   *address;
		text	   *domain;
		bool		seen = false;

		if (i < 0)
			address = PG_GETARG_TEXT_PP(0);
		else if (recipient_nulls[i])
			continue;
		else
			address = DatumGetTextPP(recipient_values[i]);
		domain = domain_of(address);
		if (domain == NULL)
			continue;
		for (int j = 0; j < domain_count && !seen; j++)
			seen = DatumGetBool(DirectFunctionCall2Coll(texteq, DEFAULT_COLLATION_OID,
														domains[j], PointerGetDatum(domain)));
		if (!seen)
			domains[domain_count++] = PointerGetDatum(domain);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(domains, domain_count, TEXTOID, -1, false, TYPALIGN_INT));
}

/* qsort_arg comparator of text datums in the collation that arg points to. */
static int
compare_text_datums(const void *left, const void *right, void *arg)
{
	text	   *left_text = DatumGetTextPP(*(const Datum *) left);
	text	   *right_text = DatumGetTextPP(*(const Datum *) right);

	return varstr_cmp(VARDATA_ANY(left_text), VARSIZE_ANY_EXHDR(left_text),
					  VARDATA_ANY(right_text), VARSIZE_ANY_EXHDR(right_text),
					  *(Oid *) arg);
}

PG_FUNCTION_INFO_V1(relintel_sorted_addresses);

/*
 * sorted_addresses(addresses): the distinct elements of a text array sorted
 * in the argument's collation, one NULL last if there was any: what
 * array_agg(DISTINCT a ORDER BY a) gives for the same elements, without a
 * sort per group (classify() splits each interaction's participants so).
 */
Datum
relintel_sorted_addresses(PG_FUNCTION_ARGS)
{
	ArrayType  *addresses = PG_GETARG_ARRAYTYPE_P(0);
	Oid			collation = PG_GET_COLLATION();
	Datum	   *values;
	bool	   *nulls;
	int			count;
	int			kept = 0;
	bool		has_null = false;
	int			dims[1];
	int			lbs[1] = {1};

	if (ARR_NDIM(addresses) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("sorted_addresses() takes a one-dimensional array, not %d dimensions",
						ARR_NDIM(addresses))));
	deconstruct_array(addresses, TEXTOID, -1, false, TYPALIGN_INT, &values, &nulls, &count);
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			has_null = true;
		else
			values[kept++] = values[i];
	}
	if (kept > 1)
		qsort_arg(values, kept, sizeof(Datum), compare_text_datums, &collation);
	count = kept;
	kept = 0;
	for (int i = 0; i < count; i++)
		if (kept == 0 || compare_text_datums(&values[kept - 1], &values[i], &collation) != 0)
			values[kept++] = values[i];
	for (int i = 0; i < kept; i++)
		nulls[i] = false;
	if (has_null)
		nulls[kept++] = true;
	if (kept == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	dims[0] = kept;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(values, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}
