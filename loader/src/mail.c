/*
 * mail.c: messages from mbox files, Maildir folders, .eml and .emlx files,
 * parsed with GMime, turned into email interactions. Only headers are used.
 * A message waits in a queue with its addresses as written until the
 * server has normalized them (addresses.c): every batch-size messages, one
 * lookup for the addresses new to this run, then the queue goes to the
 * output in order.
 */
#include "relintel_load.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

/* What the file around a message tells about it: where a date may be
 * taken from when its Date header is unusable, and whether it is a draft. */
typedef struct
{
	const char *mbox_marker;	/* "From sender date" line, or NULL */
	gint64		maildir_time;	/* delivery time from the file name, or -1 */
	bool		maildir_draft;	/* Maildir flag D */
} MessageContext;

/* A message read, waiting for the server's answer on its addresses. */
typedef struct
{
	GPtrArray  *senders;		/* From mailboxes as written, in order */
	GPtrArray  *recipients;		/* To, Cc and Bcc mailboxes as written, in order */
	DateResult	date;			/* whether occurred_at is usable */
	gint64		occurred_at;
	long		year;			/* the impossible year, for DATE_IMPOSSIBLE */
	bool		date_from_fallback; /* occurred_at not from the Date header */
	bool		truncated;		/* cut off by the end of its file */
	char	   *subject;
	char	   *message_id;		/* NULL when the message has none */
	char	   *in_reply_to;
	Origin		origin;
} PendingMessage;

static struct
{
	GPtrArray  *messages;		/* PendingMessage, in input order */
	guint		limit;			/* resolve when this many are waiting */
} queue;

/* Append the mailboxes of every header called name (From, To, ...), as
 * written, to items, and ask for their normalized forms. */
static void
collect_addresses(GMimeMessage *message, const char *name, GPtrArray *items)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	guint		first = items->len;
	guint		i;
	int			h;

	for (h = 0; h < g_mime_header_list_get_count(headers); h++)
	{
		GMimeHeader *header = g_mime_header_list_get_header_at(headers, h);
		const char *value = g_mime_header_get_raw_value(header);

		if (value != NULL && g_ascii_strcasecmp(g_mime_header_get_name(header), name) == 0)
			split_address_list(value, items);
	}
	for (i = first; i < items->len; i++)
		addresses_request(g_ptr_array_index(items, i));
}

/* Seconds since the epoch of a fallback date (Received, From_ line) in
 * *seconds; false when it is unreadable or its year impossible. */
static bool
parse_fallback_date(const char *text, gint64 *seconds)
{
	long		year;

	return header_date_parse(text, seconds, &year) == DATE_OK;
}

/* The date of a message: its Date header; else the time in its newest
 * Received header; else the date on the mbox From_ line; else the delivery
 * time in its Maildir file name. DATE_UNREADABLE when there is none;
 * DATE_IMPOSSIBLE (with the year) when the Date header names a year before
 * 1900 or after 2200, which is reported rather than guessed or replaced.
 * *from_fallback tells whether the date came from other than Date. */
static DateResult
message_date(GMimeMessage *message, const MessageContext *context, gint64 *seconds,
			 long *year, bool *from_fallback)
{
	const char *date = g_mime_object_get_header(GMIME_OBJECT(message), "Date");
	const char *received;
	DateResult	result = DATE_UNREADABLE;

	*from_fallback = false;
	if (date != NULL)
		result = header_date_parse(date, seconds, year);
	if (result != DATE_UNREADABLE)
		return result;

	*from_fallback = true;
	received = g_mime_object_get_header(GMIME_OBJECT(message), "Received");
	if (received != NULL && strrchr(received, ';') != NULL &&
		parse_fallback_date(strrchr(received, ';') + 1, seconds))
		return DATE_OK;
	if (context->mbox_marker != NULL)
	{
		/* "From sender Thu Jan  4 10:00:00 2024": skip "From" and the sender */
		const char *text = context->mbox_marker + strlen("From ");

		while (*text == ' ')
			text++;
		while (*text && *text != ' ')
			text++;
		if (parse_fallback_date(text, seconds))
			return DATE_OK;
	}
	if (context->maildir_time >= 0)
	{
		*seconds = context->maildir_time;
		return DATE_OK;
	}
	*from_fallback = false;
	return DATE_UNREADABLE;
}

/* The first (or the last) message id in a header value holding a list of
 * them, without angle brackets; NULL when there is none. */
static char *
reference_in(const char *value, bool last)
{
	GMimeReferences *references;
	char	   *id = NULL;
	int			count;

	if (value == NULL)
		return NULL;
	references = g_mime_references_parse(NULL, value);
	if (references == NULL)
		return NULL;
	count = g_mime_references_length(references);
	if (count > 0)
		id = g_strstrip(g_utf8_make_valid(
			g_mime_references_get_message_id(references, last ? count - 1 : 0), -1));
	g_mime_references_free(references);
	if (id != NULL && id[0] == '\0')
	{
		g_free(id);
		id = NULL;
	}
	return id;
}

/* The id a message replies to: the first id of In-Reply-To, else the last
 * of References; without angle brackets, or NULL. */
static char *
message_in_reply_to(GMimeMessage *message)
{
	char	   *id = reference_in(g_mime_object_get_header(GMIME_OBJECT(message),
														  "In-Reply-To"), false);

	if (id == NULL)
		id = reference_in(g_mime_object_get_header(GMIME_OBJECT(message),
												   "References"), true);
	return id;
}

/* The reason a message is not from a person, judged from its headers. */
static bool
message_skip_reason(GMimeMessage *message, SkipReason *reason)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	int			i;

	for (i = 0; i < g_mime_header_list_get_count(headers); i++)
	{
		GMimeHeader *header = g_mime_header_list_get_header_at(headers, i);
		const char *value = g_mime_header_get_value(header);

		if (header_skip_reason(g_mime_header_get_name(header), value ? value : "", reason))
			return true;
	}
	return false;
}

/* Free a message of the queue. */
static void
pending_free(gpointer data)
{
	PendingMessage *pending = data;

	g_ptr_array_free(pending->senders, TRUE);
	g_ptr_array_free(pending->recipients, TRUE);
	g_free(pending->subject);
	g_free(pending->message_id);
	g_free(pending->in_reply_to);
	g_free(pending);
}

/* Turn a message whose addresses the server has normalized into an
 * interaction and hand it to the output, or count it as skipped or
 * malformed. Takes over its strings. */
static void
resolve_message(PendingMessage *pending)
{
	Interaction row = {.kind = KIND_EMAIL, .duration = -1};
	const char *sender = NULL;
	GHashTable *seen;
	guint		i;

	if (pending->truncated)
	{
		report_malformed(&pending->origin, "truncated: the file ends inside the message's header");
		return;
	}
	if (pending->date == DATE_IMPOSSIBLE)
	{
		report_malformed(&pending->origin, "impossible year %ld in Date (before %d or after %d)",
						 pending->year, MIN_POSSIBLE_YEAR, MAX_POSSIBLE_YEAR);
		return;
	}
	for (i = 0; i < pending->senders->len && sender == NULL; i++)
		sender = addresses_lookup(g_ptr_array_index(pending->senders, i));
	if (sender == NULL)
	{
		report_skip(SKIP_NO_SENDER);
		return;
	}
	if (sender_matches_pattern(sender))
	{
		report_skip(SKIP_SENDER_PATTERN);
		return;
	}
	row.sender = g_strdup(sender);
	row.recipients = g_ptr_array_new_with_free_func(g_free);
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < pending->recipients->len; i++)
		address_list_add(row.recipients, seen, g_ptr_array_index(pending->recipients, i));
	g_hash_table_destroy(seen);
	if (row.recipients->len == 0)
	{
		interaction_clear(&row);
		report_skip(SKIP_NO_RECIPIENT);
		return;
	}
	if (pending->date != DATE_OK)
	{
		interaction_clear(&row);
		report_malformed(&pending->origin, "no usable date (Date, Received, From_ line)");
		return;
	}
	if (pending->date_from_fallback)
		counters.dates_from_fallback++;
	row.occurred_at = pending->occurred_at;
	row.subject = g_steal_pointer(&pending->subject);
	row.in_reply_to = g_steal_pointer(&pending->in_reply_to);
	row.message_id = g_steal_pointer(&pending->message_id);
	if (row.message_id == NULL || row.message_id[0] == '\0')
	{
		g_free(row.message_id);
		row.message_id = interaction_synthetic_id(&row);
	}
	output_accept(&row, &pending->origin);
	output_item_end();
	interaction_clear(&row);
}

/* Look up the addresses of the queued messages that are new to this run
 * (one query), then hand the messages to the output in order. */
void
mail_flush(void)
{
	guint		i;

	if (queue.messages == NULL)
		return;
	if (!output_failed() && addresses_resolve())
		for (i = 0; i < queue.messages->len; i++)
			resolve_message(g_ptr_array_index(queue.messages, i));
	g_ptr_array_free(queue.messages, TRUE);
	queue.messages = NULL;
}

/* Read one parsed message into the queue (its addresses as written), or
 * count it as skipped or malformed when its headers alone say so. */
static void
load_message(GMimeMessage *message, const MessageContext *context, const Origin *origin,
			 bool truncated)
{
	PendingMessage *pending;
	SkipReason	reason;
	const char *subject;
	const char *message_id;

	counters.messages++;
	if (g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(message))) == 0)
	{
		report_malformed(origin, "no message header");
		return;
	}
	if (context->maildir_draft)
	{
		report_skip(SKIP_DRAFT);
		return;
	}
	if (message_skip_reason(message, &reason))
	{
		report_skip(reason);
		return;
	}

	pending = g_new0(PendingMessage, 1);
	pending->origin = *origin;
	pending->senders = g_ptr_array_new_with_free_func(g_free);
	pending->recipients = g_ptr_array_new_with_free_func(g_free);
	collect_addresses(message, "From", pending->senders);
	collect_addresses(message, "To", pending->recipients);
	collect_addresses(message, "Cc", pending->recipients);
	collect_addresses(message, "Bcc", pending->recipients);
	pending->date = message_date(message, context, &pending->occurred_at, &pending->year,
								 &pending->date_from_fallback);
	pending->truncated = truncated;
	subject = g_mime_message_get_subject(message);
	if (subject != NULL)
	{
		pending->subject = g_utf8_make_valid(subject, -1);
		text_sanitize(pending->subject);
	}
	message_id = g_mime_message_get_message_id(message);
	if (message_id != NULL)
	{
		pending->message_id = g_strstrip(g_utf8_make_valid(message_id, -1));
		text_sanitize(pending->message_id);
	}
	pending->in_reply_to = message_in_reply_to(message);

	if (queue.messages == NULL)
		queue.messages = g_ptr_array_new_with_free_func(pending_free);
	g_ptr_array_add(queue.messages, pending);
	if (queue.messages->len >= queue.limit)
		mail_flush();
}

/* Open a file as a GMime stream; NULL (and a warning) when it cannot be read. */
static GMimeStream *
open_stream(const char *path)
{
	int			fd = open(path, O_RDONLY);

	if (fd < 0)
	{
		report_warning("cannot open %s: %s", path, g_strerror(errno));
		counters.files_unreadable++;
		return NULL;
	}
	return g_mime_stream_fs_new(fd);
}

/* True when the message that starts at offset in stream (and runs to its
 * end) was cut off inside its header section. Moves the stream. */
static bool
stream_truncated(GMimeStream *stream, gint64 offset)
{
	char		buffer[65536];
	HeaderScan	scan;
	ssize_t		length;

	header_scan_init(&scan);
	if (g_mime_stream_seek(stream, offset, GMIME_STREAM_SEEK_SET) < 0)
		return false;
	while (!scan.ended && (length = g_mime_stream_read(stream, buffer, sizeof buffer)) > 0)
		header_scan_feed(&scan, buffer, (size_t) length);
	return header_scan_truncated(&scan);
}

/* The offset of the next line starting with "From " at or after offset
 * (where the next message of an mbox file begins), or -1 at the end. */
static gint64
find_next_mbox_marker(GMimeStream *stream, gint64 offset)
{
	char		buffer[65536];
	const gint64 overlap = 6;	/* "\nFrom " minus one byte */
	gint64		chunk_start = offset - 1;
	ssize_t		length;

	while (g_mime_stream_seek(stream, chunk_start, GMIME_STREAM_SEEK_SET) >= 0 &&
		   (length = g_mime_stream_read(stream, buffer, sizeof buffer)) > overlap)
	{
		const char *found = g_strstr_len(buffer, length, "\nFrom ");

		if (found != NULL)
			return chunk_start + (found - buffer) + 1;
		chunk_start += length - overlap;
	}
	return -1;
}

/* Load every message of an mbox file. */
static void
load_mbox(const InputFile *file, GMimeStream *stream)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	Origin		origin = {.path = file->path, .item_name = "message"};
	MessageContext context = {.maildir_time = -1};

	g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
	while (!g_mime_parser_eos(parser))
	{
		gint64		position_before = g_mime_parser_tell(parser);
		GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
		char	   *mbox_marker;
		bool		last;

		origin.item_number++;
		if (message == NULL)
		{
			gint64		next_marker = find_next_mbox_marker(stream, position_before + 1);

			origin.byte_offset = position_before;
			counters.messages++;
			report_malformed(&origin, "not a message");
			if (next_marker < 0)
				break;
			g_mime_stream_seek(stream, next_marker, GMIME_STREAM_SEEK_SET);
			g_mime_parser_init_with_stream(parser, stream);
			g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
			continue;
		}
		origin.byte_offset = g_mime_parser_get_mbox_marker_offset(parser);
		mbox_marker = g_mime_parser_get_mbox_marker(parser);
		context.mbox_marker = mbox_marker;
		/* the last message of the file may have been cut off (the check
		 * moves the stream: nothing is parsed after it) */
		last = g_mime_parser_eos(parser);
		load_message(message, &context, &origin,
					 last && stream_truncated(stream, origin.byte_offset));
		g_free(mbox_marker);
		g_object_unref(message);
		progress_update(g_mime_parser_tell(parser));
		if (last)
			break;
	}
	g_object_unref(parser);
}

/* Load a file holding one message (.eml, Maildir entry) from stream. */
static void
load_single_message(const InputFile *file, GMimeStream *stream)
{
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
	Origin		origin = {.path = file->path, .byte_offset = -1, .item_number = 1,
	.item_name = "message"};
	MessageContext context = {.mbox_marker = NULL, .maildir_time = file->maildir_time,
	.maildir_draft = file->maildir_draft};

	if (message == NULL)
	{
		counters.messages++;
		report_malformed(&origin, "not a message");
	}
	else
	{
		load_message(message, &context, &origin, stream_truncated(stream, 0));
		g_object_unref(message);
	}
	g_object_unref(parser);
}

/* Load an Apple Mail .emlx file: a line with the message's length in
 * bytes, the message, then a property list that is ignored. */
static void
load_emlx(const InputFile *file, GMimeStream *stream)
{
	char		line[32] = {0};
	gint64		length;
	GMimeStream *message_stream;
	Origin		origin = {.path = file->path, .byte_offset = 0, .item_number = 1,
	.item_name = "message"};

	g_mime_stream_buffer_gets(stream, line, sizeof line);
	length = g_ascii_strtoll(line, NULL, 10);
	if (length <= 0)
	{
		counters.messages++;
		report_malformed(&origin, "no message length on the first line of the .emlx file");
		return;
	}
	message_stream = g_mime_stream_substream(stream, g_mime_stream_tell(stream),
											 g_mime_stream_tell(stream) + length);
	load_single_message(file, message_stream);
	g_object_unref(message_stream);
}

/* Load every message of one mail input file (the last ones may wait in
 * the queue: mail_flush). */
void
mail_load_file(const InputFile *file, const Options *options)
{
	GMimeStream *stream = open_stream(file->path);

	queue.limit = (guint) options->batch_size;
	if (stream == NULL)
		return;
	counters.files++;
	if (file->format == FORMAT_MBOX)
		load_mbox(file, stream);
	else if (file->format == FORMAT_EMLX)
		load_emlx(file, stream);
	else
		load_single_message(file, stream);
	g_object_unref(stream);
	progress_file_done(file->size);
}
