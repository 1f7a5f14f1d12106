/*
 * summary.c: what the load did, as it goes (a progress bar on a terminal)
 * and at the end (counts, skip reasons, malformed inputs with positions).
 */
#include "relintel_load.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

Counters	counters;

#define MAX_LISTED_PROBLEMS 100

static const char *const skip_reason_names[SKIP_REASON_COUNT] = {
	[SKIP_AUTO_SUBMITTED] = "Auto-Submitted (automatic mail)",
	[SKIP_PRECEDENCE] = "Precedence bulk, list or junk",
	[SKIP_MAILING_LIST] = "mailing list (List-Id, List-Unsubscribe)",
	[SKIP_AUTO_REPLY] = "auto-reply (X-Autoreply, X-Autorespond)",
	[SKIP_SPAM] = "spam (X-Spam-Flag, Gmail label Spam)",
	[SKIP_CHAT] = "chat, not mail (Gmail label Chat)",
	[SKIP_DRAFT] = "draft, never sent",
	[SKIP_SENDER_PATTERN] = "sender matches a skip pattern",
	[SKIP_NO_SENDER] = "no valid sender or organizer",
	[SKIP_NO_RECIPIENT] = "no valid recipient or attendee",
	[SKIP_CANCELLED] = "cancelled event",
	[SKIP_ALL_DAY] = "all-day event",
	[SKIP_CALENDAR_REPLY] = "calendar reply (METHOD REPLY, COUNTER, ...)",
};

static struct
{
	bool		enabled;
	bool		line_shown;
	gint64		total_bytes;
	gint64		finished_bytes;
	double		started;
	double		last_drawn;
} progress;

static GPtrArray *problems;		/* malformed and rejected inputs, described */

/* Seconds on a monotonic clock. */
static double
clock_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec + now.tv_nsec / 1e9;
}

/* Describe where an input item comes from: "file: message 3 at byte 120". */
const char *
origin_describe(const Origin *origin, char *buffer, size_t size)
{
	if (origin->byte_offset >= 0)
		snprintf(buffer, size, "%s: %s %ld at byte %" G_GINT64_FORMAT,
				 origin->path, origin->item_name, origin->item_number,
				 origin->byte_offset);
	else
		snprintf(buffer, size, "%s: %s %ld", origin->path, origin->item_name,
				 origin->item_number);
	return buffer;
}

/* Start the progress bar; it only shows when enabled (stderr a terminal). */
void
progress_start(gint64 total_bytes, bool enabled)
{
	progress.enabled = enabled;
	progress.total_bytes = total_bytes > 0 ? total_bytes : 1;
	progress.started = clock_seconds();
	progress.last_drawn = 0;
}

/* Erase the progress line so that other output starts on a clean line. */
static void
progress_erase(void)
{
	if (progress.line_shown)
		fputs("\r\033[K", stderr);
	progress.line_shown = false;
}

/* Redraw the bar (at most ten times a second) for the bytes read so far. */
void
progress_update(gint64 bytes_done_in_file)
{
	double		now;
	double		fraction;
	int			width = 30;
	int			filled;
	char		bar[31];

	if (!progress.enabled)
		return;
	now = clock_seconds();
	if (now - progress.last_drawn < 0.1)
		return;
	progress.last_drawn = now;
	fraction = (double) (progress.finished_bytes + bytes_done_in_file) / progress.total_bytes;
	if (fraction > 1)
		fraction = 1;
	filled = (int) (fraction * width);
	memset(bar, '#', filled);
	memset(bar + filled, '.', width - filled);
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %3d%%  %ld files, %ld messages, %ld events, %.0f/s\033[K",
			bar, (int) (fraction * 100), counters.files, counters.messages,
			counters.events,
			(counters.messages + counters.events) / (now - progress.started + 1e-9));
	progress.line_shown = true;
}

/* Account for a file read to its end. */
void
progress_file_done(gint64 file_size)
{
	progress.finished_bytes += file_size;
	progress_update(0);
}

/* Remove the bar before the summary. */
void
progress_finish(void)
{
	progress_erase();
}

/* Count an item skipped for a reason. */
void
report_skip(SkipReason reason)
{
	counters.skipped[reason]++;
}

/* Remember a problem for the summary. */
static void
problem_add(char *description)
{
	if (problems == NULL)
		problems = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(problems, description);
}

/* Count and remember a malformed input item with its position. */
void
report_malformed(const Origin *origin, const char *fmt,...)
{
	char		where[1024];
	char	   *why;
	va_list		args;

	counters.malformed++;
	va_start(args, fmt);
	why = g_strdup_vprintf(fmt, args);
	va_end(args);
	problem_add(g_strdup_printf("malformed: %s: %s",
								origin_describe(origin, where, sizeof where), why));
	g_free(why);
}

/* Count and remember a row that the database refused. */
void
report_rejected(const Origin *origin, const char *server_message)
{
	char		where[1024];
	char	   *message = g_strstrip(g_strdup(server_message));

	counters.rejected_by_database++;
	problem_add(g_strdup_printf("rejected by the database: %s: %s",
								origin_describe(origin, where, sizeof where), message));
	g_free(message);
}

/* Count and remember a recurring event whose expansion stopped at the cap. */
void
report_cut(const Origin *origin, const char *uid, long max_occurrences)
{
	char		where[1024];

	counters.cut_at_cap++;
	problem_add(g_strdup_printf("cut: %s (%s): more than %ld occurrences in the window, "
								"the first %ld loaded",
								origin_describe(origin, where, sizeof where), uid,
								max_occurrences, max_occurrences));
}

/* Widen the span of the data's dates to include seconds. */
void
data_span_add(gint64 seconds)
{
	if (!counters.span_known || seconds < counters.span_first)
		counters.span_first = seconds;
	if (!counters.span_known || seconds > counters.span_last)
		counters.span_last = seconds;
	counters.span_known = true;
}

/* Print the recurrence window and what it and the cap cut off. */
static void
print_recurrence(void)
{
	GDateTime  *from;
	GDateTime  *to;
	char	   *from_text;
	char	   *to_text;

	if (counters.recurring_expanded == 0)
		return;
	from = g_date_time_new_from_unix_utc(counters.window_start);
	to = g_date_time_new_from_unix_utc(counters.window_end);
	from_text = from ? g_date_time_format(from, "%Y-%m-%d") : g_strdup("?");
	to_text = to ? g_date_time_format(to, "%Y-%m-%d") : g_strdup("?");
	fprintf(stderr, "  recurrence window:         %s to %s (%s)\n", from_text, to_text,
			counters.window_given ? "--recurrence-window" : "the data's span plus one year");
	fprintf(stderr, "  recurring events cut at the window's end: %ld\n", counters.cut_at_window);
	fprintf(stderr, "  recurring events cut at %ld occurrences: %ld\n",
			counters.max_occurrences, counters.cut_at_cap);
	g_free(from_text);
	g_free(to_text);
	if (from)
		g_date_time_unref(from);
	if (to)
		g_date_time_unref(to);
}

/* Print a warning on stderr without garbling the progress bar. */
void
report_warning(const char *fmt,...)
{
	va_list		args;

	progress_erase();
	fputs("relintel-load: warning: ", stderr);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
}

/* Print the final summary on stderr. */
void
summary_print(bool dry_run)
{
	long		skipped_total = 0;
	int			reason;
	guint		i;

	for (reason = 0; reason < SKIP_REASON_COUNT; reason++)
		skipped_total += counters.skipped[reason];
	fflush(stdout);

	fprintf(stderr, "relintel-load summary%s\n", dry_run ? " (dry run, nothing written)" : "");
	fprintf(stderr, "  files read:               %ld\n", counters.files);
	if (counters.files_ignored > 0)
		fprintf(stderr, "  files ignored (not mail or calendar): %ld\n", counters.files_ignored);
	if (counters.files_unreadable > 0)
		fprintf(stderr, "  files unreadable:         %ld\n", counters.files_unreadable);
	fprintf(stderr, "  messages read:            %ld\n", counters.messages);
	fprintf(stderr, "  events read:              %ld (%ld occurrences)\n",
			counters.events, counters.occurrences);
	fprintf(stderr, "  interactions %s%ld\n",
			dry_run ? "printed:     " : "loaded:      ",
			dry_run ? counters.accepted : counters.loaded);
	fprintf(stderr, "  duplicates in this run:   %ld\n", counters.duplicates_in_run);
	if (!dry_run)
		fprintf(stderr, "  already in the database:  %ld\n", counters.duplicates_in_database);
	print_recurrence();
	if (counters.dates_from_fallback > 0)
		fprintf(stderr, "  dates from Received or From_ line (no usable Date): %ld\n",
				counters.dates_from_fallback);
	fprintf(stderr, "  skipped:                  %ld\n", skipped_total);
	for (reason = 0; reason < SKIP_REASON_COUNT; reason++)
		if (counters.skipped[reason] > 0)
			fprintf(stderr, "    %-44s %ld\n", skip_reason_names[reason], counters.skipped[reason]);
	fprintf(stderr, "  malformed:                %ld\n", counters.malformed);
	if (counters.rejected_by_database > 0)
		fprintf(stderr, "  rejected by the database: %ld\n", counters.rejected_by_database);
	for (i = 0; problems != NULL && i < problems->len && i < MAX_LISTED_PROBLEMS; i++)
		fprintf(stderr, "    %s\n", (const char *) g_ptr_array_index(problems, i));
	if (problems != NULL && problems->len > MAX_LISTED_PROBLEMS)
		fprintf(stderr, "    ... and %u more\n", problems->len - MAX_LISTED_PROBLEMS);
}

/* Release what the summary remembered. */
void
summary_free(void)
{
	if (problems != NULL)
		g_ptr_array_free(problems, TRUE);
	problems = NULL;
}
