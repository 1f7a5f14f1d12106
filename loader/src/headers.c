/*
 * headers.c: pure parsing of message header text, shared by mail.c and the
 * fuzz target (fuzz/): splitting an address list into its mailboxes as
 * written, reading a date and the year it was written with, and telling
 * whether a message's header section was cut off by the end of its file.
 * Nothing here does I/O or talks to the database.
 */
#include "relintel_load.h"

#include <gmime/gmime.h>
#include <string.h>

/* Append one mailbox as written (unfolded) to items, unless it is empty. */
static void
take_mailbox(GString *mailbox, GPtrArray *items)
{
	if (mailbox->len > 0)
		g_ptr_array_add(items, g_strndup(mailbox->str, mailbox->len));
	g_string_truncate(mailbox, 0);
}

/* Split the raw value of an address header (an RFC 5322 address list,
 * groups included) into its mailboxes as written, unfolded, and append them
 * to items. Only the list syntax is read here: commas, and a group's
 * "name:" and ";", outside quotes, comments, angle brackets and domain
 * literals ([...]). What a mailbox stands for is the server's rule
 * (addresses.c). */
void
split_address_list(const char *value, GPtrArray *items)
{
	GString    *mailbox = g_string_new(NULL);
	bool		quoted = false;
	bool		in_group = false;
	bool		in_literal = false;
	int			comment_depth = 0;
	int			angle_depth = 0;
	const char *c;

	for (c = value; *c; c++)
	{
		if (*c == '\r' || *c == '\n')
			continue;			/* unfolding: the white space after stays */
		if ((quoted || comment_depth > 0) && *c == '\\' && c[1] != '\0' && c[1] != '\r' && c[1] != '\n')
			g_string_append_c(mailbox, *c++);
		else if (quoted)
			quoted = *c != '"';
		else if (comment_depth > 0)
			comment_depth += (*c == '(') - (*c == ')');
		else if (*c == '"')
			quoted = true;
		else if (*c == '(')
			comment_depth = 1;
		else if (*c == '<')
			angle_depth++;
		else if (*c == '>' && angle_depth > 0)
			angle_depth--;
		else if (*c == '[' || *c == ']')
			in_literal = *c == '[';
		else if (!in_literal && angle_depth == 0 && (*c == ',' || (*c == ';' && in_group)))
		{
			in_group = in_group && *c != ';';
			take_mailbox(mailbox, items);
			continue;
		}
		else if (!in_literal && angle_depth == 0 && *c == ':' && !in_group)
		{
			in_group = true;	/* the group's name is no address */
			g_string_truncate(mailbox, 0);
			continue;
		}
		g_string_append_c(mailbox, *c);
	}
	take_mailbox(mailbox, items);
	g_string_free(mailbox, TRUE);
}

/* True for a year a message or meeting can have been written in. */
bool
year_possible(long year)
{
	return year >= MIN_POSSIBLE_YEAR && year <= MAX_POSSIBLE_YEAR;
}

/* The year as written in a date text: the first token of three or more
 * digits only (times hold ':', zones a sign), a three-digit year counted
 * from 1900 as RFC 5322's obsolete syntax says; -1 when there is none
 * (two-digit years are left to the date parser, which maps them to 1950-2049). */
static long
written_year(const char *text)
{
	const char *c = text;

	while (*c)
	{
		const char *start;
		long		value = 0;
		size_t		digits = 0;

		while (*c && !g_ascii_isalnum(*c) && *c != '+' && *c != '-' && *c != ':')
			c++;
		start = c;
		while (*c && (g_ascii_isalnum(*c) || *c == '+' || *c == '-' || *c == ':'))
		{
			if (g_ascii_isdigit(*c) && value < 1000000)
				value = value * 10 + (*c - '0');
			digits += g_ascii_isdigit(*c) != 0;
			c++;
		}
		if (digits >= 3 && digits == (size_t) (c - start))
			return digits == 3 ? value + 1900 : value;
	}
	return -1;
}

/* Read a date in RFC 5322 (or a looser) form. DATE_OK with *seconds since
 * the epoch; DATE_IMPOSSIBLE with the year in *year when the year written,
 * or the year read, lies outside the possible years (GMime would read
 * "0000" as 2000: that is a guess, not a date); DATE_UNREADABLE otherwise. */
DateResult
header_date_parse(const char *text, gint64 *seconds, long *year)
{
	GDateTime  *date;
	long		written = written_year(text);

	*seconds = 0;
	*year = written;
	if (written >= 0 && !year_possible(written))
		return DATE_IMPOSSIBLE;
	date = g_mime_utils_header_decode_date(text);
	if (date == NULL)
		return DATE_UNREADABLE;
	*year = g_date_time_get_year(date);
	*seconds = g_date_time_to_unix(date);
	g_date_time_unref(date);
	if (!year_possible(*year))
		return DATE_IMPOSSIBLE;
	return DATE_OK;
}

/* Start scanning the bytes of a message from its first line. */
void
header_scan_init(HeaderScan *scan)
{
	memset(scan, 0, sizeof *scan);
	scan->line_empty = true;
}

/* Feed the next bytes of a message: the scan notes where its header
 * section ends (the first empty line) and the last byte seen. */
void
header_scan_feed(HeaderScan *scan, const char *bytes, size_t length)
{
	size_t		i;

	for (i = 0; i < length && !scan->ended; i++)
	{
		if (bytes[i] == '\n')
		{
			scan->ended = scan->line_empty;
			scan->line_empty = true;
		}
		else if (bytes[i] != '\r')
			scan->line_empty = false;
		scan->last = bytes[i];
		scan->seen = true;
	}
}

/* True when the message was cut off inside its header section: its bytes
 * ran out before an empty line and not at the end of a line. */
bool
header_scan_truncated(const HeaderScan *scan)
{
	return scan->seen && !scan->ended && scan->last != '\n';
}
