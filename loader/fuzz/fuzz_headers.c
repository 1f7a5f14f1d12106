/*
 * fuzz_headers.c: libFuzzer target for the loader's header parsing. The
 * input is read as a message by GMime, as mail.c does; its address headers
 * go through split_address_list(), its Date through header_date_parse(),
 * every header through header_skip_reason(), the subject through
 * text_sanitize(), and its bytes through the truncation scan, fed whole and
 * in two pieces. The same source files as the loader are compiled
 * (src/headers.c, src/filters.c); nothing is copied. Aborts when a result
 * breaks what the loader relies on.
 */
#include "../src/relintel_load.h"

#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

/* Stop the run: a property the loader relies on does not hold. */
static void
broken(const char *what)
{
	fprintf(stderr, "fuzz_headers: %s\n", what);
	abort();
}

/* Split an address list and check its mailboxes: never empty, no line break. */
static void
check_address_list(const char *value)
{
	GPtrArray  *items = g_ptr_array_new_with_free_func(g_free);
	guint		i;

	split_address_list(value, items);
	for (i = 0; i < items->len; i++)
	{
		const char *item = g_ptr_array_index(items, i);

		if (item[0] == '\0' || strpbrk(item, "\r\n") != NULL)
			broken("split_address_list gave an empty mailbox or one with a line break");
	}
	g_ptr_array_free(items, TRUE);
}

/* Read a date and check that an accepted one lies in the possible years. */
static void
check_date(const char *text)
{
	gint64		seconds;
	long		year;
	DateResult	result = header_date_parse(text, &seconds, &year);

	/* 1900-01-01 minus a day of zone, and 2201-01-01 plus one */
	if (result == DATE_OK && (!year_possible(year) || seconds < -2209075200LL - 86400 ||
							  seconds > 7289654400LL + 86400))
		broken("header_date_parse accepted a date outside the possible years");
	if (result == DATE_IMPOSSIBLE && year_possible(year))
		broken("header_date_parse refused a possible year");
}

/* Feed the bytes whole and in two pieces: the truncation scan must agree. */
static void
check_scan(const uint8_t *data, size_t size)
{
	HeaderScan	whole;
	HeaderScan	pieces;
	size_t		cut = size > 0 ? data[0] % (size + 1) : 0;

	header_scan_init(&whole);
	header_scan_feed(&whole, (const char *) data, size);
	header_scan_init(&pieces);
	header_scan_feed(&pieces, (const char *) data, cut);
	header_scan_feed(&pieces, (const char *) data + cut, size - cut);
	if (header_scan_truncated(&whole) != header_scan_truncated(&pieces) ||
		whole.ended != pieces.ended)
		broken("the truncation scan depends on how the bytes are fed");
}

/* Parse the bytes as one message and run the loader's header code on it. */
static void
check_message(const uint8_t *data, size_t size)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *) data, size);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
	GMimeHeaderList *headers;
	int			i;

	if (message != NULL)
	{
		headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
		for (i = 0; i < g_mime_header_list_get_count(headers); i++)
		{
			GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
			const char *name = g_mime_header_get_name(header);
			const char *raw = g_mime_header_get_raw_value(header);
			const char *value = g_mime_header_get_value(header);
			SkipReason	reason;

			if (raw != NULL && (g_ascii_strcasecmp(name, "From") == 0 || g_ascii_strcasecmp(name, "To") == 0 ||
								g_ascii_strcasecmp(name, "Cc") == 0 || g_ascii_strcasecmp(name, "Bcc") == 0))
				check_address_list(raw);
			if (value != NULL && (g_ascii_strcasecmp(name, "Date") == 0 ||
								  g_ascii_strcasecmp(name, "Received") == 0))
				check_date(value);
			header_skip_reason(name, value ? value : "", &reason);
		}
		if (g_mime_message_get_subject(message) != NULL)
		{
			char	   *subject = g_utf8_make_valid(g_mime_message_get_subject(message), -1);

			text_sanitize(subject);
			g_free(subject);
		}
		g_object_unref(message);
	}
	g_object_unref(parser);
	g_object_unref(stream);
}

/* libFuzzer: GMime is set up once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	g_mime_init();
	return 0;
}

/* libFuzzer: one input, as a message, as an address list and as a date. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = g_strndup((const char *) data, size);

	check_scan(data, size);
	check_address_list(text);
	check_date(text);
	check_message(data, size);
	g_free(text);
	return 0;
}
