/*
 * relintel-load: shared types and the interfaces between the loader's parts.
 *
 * inputs.c     finds input files and decides their format
 * headers.c    header text: address lists, dates, truncation (pure, fuzzed)
 * mail.c       mbox, Maildir and .eml messages (GMime)
 * calendar.c   iCalendar files (libical)
 * addresses.c  addresses normalized by the server's rule, cached per run
 * filters.c    the skip rules
 * output.c     de-duplication, COPY batches into the database, --dry-run
 * summary.c    counters, progress bar and the final summary
 * main.c       command line
 */
#ifndef RELINTEL_LOAD_H
#define RELINTEL_LOAD_H

#include <glib.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#define RELINTEL_LOAD_VERSION "0.1.0"

typedef enum
{
	KIND_EMAIL,
	KIND_MEETING
} InteractionKind;

/* One row of relintel.interaction, as the parsers produce it. */
typedef struct
{
	InteractionKind kind;
	gint64		occurred_at;	/* seconds since the epoch, UTC */
	gint64		duration;		/* seconds; -1 when none (emails) */
	char	   *sender;			/* normalized address */
	GPtrArray  *recipients;		/* normalized addresses, unique, in order */
	char	   *subject;		/* NULL when the input has none */
	char	   *message_id;		/* Message-ID or UID, without angle brackets */
	char	   *in_reply_to;	/* NULL when not a reply */
} Interaction;

/* Where an input item comes from, for messages about it. */
typedef struct
{
	const char *path;
	gint64		byte_offset;	/* -1 when not meaningful */
	long		item_number;	/* 1-based message or event number in the file */
	const char *item_name;		/* "message" or "event" */
} Origin;

/* Why an input item was not loaded. */
typedef enum
{
	SKIP_AUTO_SUBMITTED,
	SKIP_PRECEDENCE,
	SKIP_MAILING_LIST,
	SKIP_AUTO_REPLY,
	SKIP_SPAM,
	SKIP_CHAT,
	SKIP_DRAFT,
	SKIP_SENDER_PATTERN,
	SKIP_NO_SENDER,
	SKIP_NO_RECIPIENT,
	SKIP_CANCELLED,
	SKIP_ALL_DAY,
	SKIP_CALENDAR_REPLY,
	SKIP_REASON_COUNT
} SkipReason;

/* What a file holds. */
typedef enum
{
	FORMAT_MBOX,
	FORMAT_MESSAGE,				/* one RFC 5322 message: .eml or Maildir entry */
	FORMAT_EMLX,				/* Apple Mail .emlx: byte count line, message, plist */
	FORMAT_CALENDAR
} InputFormat;

typedef struct
{
	char	   *path;
	InputFormat format;
	gint64		size;
	gint64		maildir_time;	/* delivery time from a Maildir file name, or -1 */
	bool		maildir_draft;	/* Maildir flag D (draft) in the file name */
} InputFile;

/* Settings from the command line. */
typedef struct
{
	const char *dsn;
	int			batch_size;
	bool		dry_run;
	bool		quiet;
	bool		window_given;	/* --recurrence-window; else the data's span + 1 year */
	gint64		window_start;	/* recurrence expansion window, epoch seconds */
	gint64		window_end;
	long		max_occurrences;	/* per recurring event */
} Options;

/* A message or meeting outside these years is malformed, not guessed. */
#define MIN_POSSIBLE_YEAR 1900
#define MAX_POSSIBLE_YEAR 2200

typedef enum
{
	DATE_OK,
	DATE_UNREADABLE,
	DATE_IMPOSSIBLE				/* a year before 1900 or after 2200 */
} DateResult;

/* Where a message's header section ends, found byte by byte. */
typedef struct
{
	bool		line_empty;		/* no byte but CR yet on the current line */
	bool		ended;			/* an empty line ended the header section */
	bool		seen;			/* any byte at all */
	char		last;			/* the last byte seen */
} HeaderScan;

/* headers.c */
void		split_address_list(const char *value, GPtrArray *items);
bool		year_possible(long year);
DateResult	header_date_parse(const char *text, gint64 *seconds, long *year);
void		header_scan_init(HeaderScan *scan);
void		header_scan_feed(HeaderScan *scan, const char *bytes, size_t length);
bool		header_scan_truncated(const HeaderScan *scan);

/* addresses.c */
bool		addresses_open(PGconn *connection, char **error, char *sqlstate);
void		addresses_request(const char *raw);
bool		addresses_resolve(void);
const char *addresses_lookup(const char *raw);
void		address_list_add(GPtrArray *addresses, GHashTable *seen, const char *raw);
void		addresses_close(void);

/* filters.c */
void		sender_patterns_init(bool with_defaults);
void		sender_patterns_add(const char *pattern);
void		sender_patterns_free(void);
bool		sender_matches_pattern(const char *normalized_address);
bool		header_skip_reason(const char *name, const char *value, SkipReason *reason);
void		text_sanitize(char *text);

/* inputs.c */
GPtrArray  *inputs_collect(char **paths, int path_count, int *unreadable_count);
void		input_file_free(gpointer file);

/* mail.c */
void		mail_load_file(const InputFile *file, const Options *options);
void		mail_flush(void);

/* calendar.c */
void		calendar_load_file(const InputFile *file, const Options *options);
void		calendar_expand_recurring(const Options *options);

/* output.c */
bool		output_open(const Options *options);
void		output_accept(Interaction *row, const Origin *origin);
void		output_item_end(void);
void		output_abort(const char *what, const char *error);
char	   *text_array_literal(GPtrArray *items);
bool		output_close(void);
bool		output_failed(void);
void		interaction_clear(Interaction *row);
char	   *interaction_synthetic_id(const Interaction *row);

/* summary.c */
typedef struct
{
	long		files;
	long		files_ignored;
	long		files_unreadable;
	long		messages;
	long		events;
	long		occurrences;
	long		accepted;
	long		loaded;
	long		duplicates_in_run;
	long		duplicates_in_database;
	long		rejected_by_database;
	long		dates_from_fallback;
	long		skipped[SKIP_REASON_COUNT];
	long		malformed;
	bool		span_known;		/* some date was seen: span_first..span_last */
	gint64		span_first;
	gint64		span_last;
	long		recurring_expanded;	/* recurring events expanded */
	long		cut_at_cap;		/* recurring events stopped at --max-occurrences */
	long		cut_at_window;	/* recurring events going on past the window */
	bool		window_given;	/* the window came from the command line */
	gint64		window_start;	/* the recurrence window used */
	gint64		window_end;
	long		max_occurrences;
} Counters;

extern Counters counters;

void		progress_start(gint64 total_bytes, bool enabled);
void		progress_update(gint64 bytes_done_in_file);
void		progress_file_done(gint64 file_size);
void		progress_finish(void);
void		report_skip(SkipReason reason);
void		report_malformed(const Origin *origin, const char *fmt,...) G_GNUC_PRINTF(2, 3);
void		report_rejected(const Origin *origin, const char *server_message);
void		report_cut(const Origin *origin, const char *uid, long max_occurrences);
void		data_span_add(gint64 seconds);
void		report_warning(const char *fmt,...) G_GNUC_PRINTF(1, 2);
void		summary_print(bool dry_run);
void		summary_free(void);
const char *origin_describe(const Origin *origin, char *buffer, size_t size);

#endif
