/*
 * mail.c: messages from mbox files, Maildir folders, .eml and .emlx files,
 * parsed with GMime, turned into email interactions. Only headers are used.
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

/* Append the addresses of a GMime address list (group members flattened),
 * normalized, valid and unique, to addresses. */
static void
collect_addresses(GPtrArray *addresses, InternetAddressList *list)
{
	int			i;

	if (list == NULL)
		return;
	for (i = 0; i < internet_address_list_length(list); i++)
	{
		InternetAddress *address = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(address))
			collect_addresses(addresses,
							  internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)));
		else if (INTERNET_ADDRESS_IS_MAILBOX(address))
			address_list_add(addresses,
							 internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
	}
}

/* Seconds since the epoch of a date in RFC 5322 (or a looser) form, or -1. */
static gint64
parse_date_text(const char *text)
{
	GDateTime  *date = g_mime_utils_header_decode_date(text);
	gint64		seconds = -1;

	if (date != NULL)
	{
		seconds = g_date_time_to_unix(date);
		g_date_time_unref(date);
	}
	return seconds;
}

/* The date of a message: its Date header; else the time in its newest
 * Received header; else the date on the mbox From_ line; else the delivery
 * time in its Maildir file name. -1 when there is none. */
static gint64
message_date(GMimeMessage *message, const MessageContext *context)
{
	GDateTime  *date = g_mime_message_get_date(message);
	const char *received;
	gint64		seconds = -1;

	if (date != NULL)
		return g_date_time_to_unix(date);

	received = g_mime_object_get_header(GMIME_OBJECT(message), "Received");
	if (received != NULL && strrchr(received, ';') != NULL)
		seconds = parse_date_text(strrchr(received, ';') + 1);
	if (seconds < 0 && context->mbox_marker != NULL)
	{
		/* "From sender Thu Jan  4 10:00:00 2024": skip "From" and the sender */
		const char *text = context->mbox_marker + strlen("From ");

		while (*text == ' ')
			text++;
		while (*text && *text != ' ')
			text++;
		seconds = parse_date_text(text);
	}
	if (seconds < 0)
		seconds = context->maildir_time;
	if (seconds >= 0)
		counters.dates_from_fallback++;
	return seconds;
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

/* Turn one parsed message into an interaction and hand it to the output,
 * or count it as skipped or malformed. */
static void
load_message(GMimeMessage *message, const MessageContext *context, const Origin *origin)
{
	Interaction row = {.kind = KIND_EMAIL, .duration = -1};
	GPtrArray  *senders;
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

	senders = g_ptr_array_new_with_free_func(g_free);
	collect_addresses(senders, g_mime_message_get_from(message));
	if (senders->len == 0)
	{
		g_ptr_array_free(senders, TRUE);
		report_skip(SKIP_NO_SENDER);
		return;
	}
	row.sender = g_strdup(g_ptr_array_index(senders, 0));
	g_ptr_array_free(senders, TRUE);
	if (sender_matches_pattern(row.sender))
	{
		g_free(row.sender);
		report_skip(SKIP_SENDER_PATTERN);
		return;
	}

	row.recipients = g_ptr_array_new_with_free_func(g_free);
	collect_addresses(row.recipients, g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_TO));
	collect_addresses(row.recipients, g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_CC));
	collect_addresses(row.recipients, g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_BCC));
	if (row.recipients->len == 0)
	{
		interaction_clear(&row);
		report_skip(SKIP_NO_RECIPIENT);
		return;
	}

	row.occurred_at = message_date(message, context);
	if (row.occurred_at < 0)
	{
		interaction_clear(&row);
		report_malformed(origin, "no usable date (Date, Received, From_ line)");
		return;
	}

	subject = g_mime_message_get_subject(message);
	if (subject != NULL)
	{
		row.subject = g_utf8_make_valid(subject, -1);
		text_sanitize(row.subject);
	}
	message_id = g_mime_message_get_message_id(message);
	if (message_id != NULL)
	{
		row.message_id = g_strstrip(g_utf8_make_valid(message_id, -1));
		text_sanitize(row.message_id);
	}
	if (row.message_id == NULL || row.message_id[0] == '\0')
	{
		g_free(row.message_id);
		row.message_id = interaction_synthetic_id(&row);
	}
	row.in_reply_to = message_in_reply_to(message);
	output_accept(&row, origin);
	interaction_clear(&row);
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
		load_message(message, &context, &origin);
		g_free(mbox_marker);
		g_object_unref(message);
		progress_update(g_mime_parser_tell(parser));
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
		load_message(message, &context, &origin);
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

/* Load every message of one mail input file. */
void
mail_load_file(const InputFile *file)
{
	GMimeStream *stream = open_stream(file->path);

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
