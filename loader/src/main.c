/*
 * main.c: the relintel-load command line.
 */
#include "relintel_load.h"

#include <getopt.h>
#include <gmime/gmime.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECONDS_PER_DAY 86400
#define DEFAULT_BATCH_SIZE 10000
#define DEFAULT_MAX_OCCURRENCES 10000

static const char usage_text[] =
"Usage: relintel-load [OPTION]... PATH...\n"
"Load mail (mbox files, Maildir folders, .eml/.emlx files) and calendars\n"
"(.ics files) into relintel.interaction. A PATH may be a file or a directory,\n"
"which is searched recursively. Only headers are read; bodies never are.\n"
"\n"
"  -d, --dsn=DSN              connection string or URI (default: the PG*\n"
"                             environment variables, as for psql)\n"
"  -b, --batch-size=N         rows per transaction (default %d)\n"
"  -n, --dry-run              write nothing; print the rows as COPY text on\n"
"                             stdout (the database still normalizes addresses)\n"
"  -w, --recurrence-window=FROM/TO\n"
"                             expand recurring events within this window; each\n"
"                             end is YYYY-MM-DD (UTC) or +Nd/-Nd from now\n"
"                             (default: from the earliest date in the data to\n"
"                             one year after the latest; --window is the same)\n"
"      --max-occurrences=N    load at most N occurrences of one recurring event\n"
"                             (default %d)\n"
"  -s, --skip-sender=PATTERN  also skip mail and meetings whose sender's local\n"
"                             part matches this shell pattern (repeatable)\n"
"      --no-default-skip-senders\n"
"                             drop the built-in patterns (*noreply*, *no-reply*,\n"
"                             mailer-daemon, postmaster, ...)\n"
"  -q, --quiet                no progress bar\n"
"  -h, --help                 show this help\n"
"  -V, --version              show the version\n"
"\n"
"Exit status: 0 when the load completed (skipped and malformed inputs are\n"
"listed in the summary), 1 when the database failed, 2 on a usage error.\n";

/* Print the usage text to stream. */
static void
print_usage(FILE *stream)
{
	fprintf(stream, usage_text, DEFAULT_BATCH_SIZE, DEFAULT_MAX_OCCURRENCES);
}

/* Parse one end of --window: YYYY-MM-DD (UTC midnight) or +Nd/-Nd days from
 * now; false when it is neither. */
static bool
parse_window_end(const char *text, gint64 now, gint64 *seconds)
{
	int			year,
				month,
				day;
	long		days;
	char		unit;
	char		trailing;

	if ((text[0] == '+' || text[0] == '-') &&
		sscanf(text, "%ld%c%c", &days, &unit, &trailing) == 2 && unit == 'd')
	{
		*seconds = now + (gint64) days * SECONDS_PER_DAY;
		return true;
	}
	if (sscanf(text, "%4d-%2d-%2d%c", &year, &month, &day, &trailing) == 3 &&
		g_date_valid_dmy(day, month, year))
	{
		GDateTime  *date = g_date_time_new_utc(year, month, day, 0, 0, 0);

		*seconds = g_date_time_to_unix(date);
		g_date_time_unref(date);
		return true;
	}
	return false;
}

/* Parse --window FROM/TO into options; false with a message when invalid. */
static bool
parse_window(const char *text, Options *options)
{
	char	  **ends = g_strsplit(text, "/", -1);
	gint64		now = (gint64) time(NULL);
	bool		ok = g_strv_length(ends) == 2 &&
		parse_window_end(ends[0], now, &options->window_start) &&
		parse_window_end(ends[1], now, &options->window_end) &&
		options->window_start < options->window_end;

	options->window_given = ok;
	g_strfreev(ends);
	if (!ok)
		fprintf(stderr, "relintel-load: invalid --recurrence-window \"%s\": expected FROM/TO, "
				"each YYYY-MM-DD or +Nd/-Nd, FROM before TO\n", text);
	return ok;
}

/* Sum of the sizes of the input files, for the progress bar. */
static gint64
total_size(GPtrArray *files)
{
	gint64		total = 0;
	guint		i;

	for (i = 0; i < files->len; i++)
		total += ((InputFile *) g_ptr_array_index(files, i))->size;
	return total;
}

/* Read every input file, in order, stopping early only when the database
 * fails; queued mail goes out before a calendar's events and at the end,
 * then the recurring events, once the data's span is known. */
static void
load_files(GPtrArray *files, const Options *options)
{
	guint		i;

	for (i = 0; i < files->len && !output_failed(); i++)
	{
		const InputFile *file = g_ptr_array_index(files, i);

		if (file->format == FORMAT_CALENDAR)
		{
			mail_flush();
			calendar_load_file(file, options);
		}
		else
			mail_load_file(file, options);
	}
	mail_flush();
	if (!output_failed())
		calendar_expand_recurring(options);
}

/* Parse the command line, load the inputs, print the summary. */
int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"dsn", required_argument, NULL, 'd'},
		{"batch-size", required_argument, NULL, 'b'},
		{"dry-run", no_argument, NULL, 'n'},
		{"window", required_argument, NULL, 'w'},
		{"recurrence-window", required_argument, NULL, 'w'},
		{"max-occurrences", required_argument, NULL, 'M'},
		{"skip-sender", required_argument, NULL, 's'},
		{"no-default-skip-senders", no_argument, NULL, 'N'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	Options		options = {.batch_size = DEFAULT_BATCH_SIZE,
	.max_occurrences = DEFAULT_MAX_OCCURRENCES};
	GPtrArray  *extra_patterns = g_ptr_array_new();
	bool		default_patterns = true;
	GPtrArray  *files;
	int			unreadable;
	int			option;
	bool		ok;
	char	   *end;
	guint		i;

	parse_window("1970-01-01/+365d", &options);	/* when the data has no date */
	options.window_given = false;
	while ((option = getopt_long(argc, argv, "d:b:nw:s:qhV", long_options, NULL)) != -1)
	{
		switch (option)
		{
			case 'd':
				options.dsn = optarg;
				break;
			case 'b':
				options.batch_size = (int) strtol(optarg, &end, 10);
				if (*end != '\0' || options.batch_size < 1)
				{
					fprintf(stderr, "relintel-load: invalid --batch-size \"%s\": expected a positive integer\n", optarg);
					return 2;
				}
				break;
			case 'n':
				options.dry_run = true;
				break;
			case 'w':
				if (!parse_window(optarg, &options))
					return 2;
				break;
			case 'M':
				options.max_occurrences = strtol(optarg, &end, 10);
				if (*end != '\0' || options.max_occurrences < 1)
				{
					fprintf(stderr, "relintel-load: invalid --max-occurrences \"%s\": expected a positive integer\n", optarg);
					return 2;
				}
				break;
			case 's':
				g_ptr_array_add(extra_patterns, optarg);
				break;
			case 'N':
				default_patterns = false;
				break;
			case 'q':
				options.quiet = true;
				break;
			case 'h':
				print_usage(stdout);
				return 0;
			case 'V':
				printf("relintel-load %s\n", RELINTEL_LOAD_VERSION);
				return 0;
			default:
				print_usage(stderr);
				return 2;
		}
	}
	if (optind >= argc)
	{
		fprintf(stderr, "relintel-load: no input given; name mbox files, Maildir folders, .eml or .ics files, or directories\n");
		print_usage(stderr);
		return 2;
	}

	sender_patterns_init(default_patterns);
	for (i = 0; i < extra_patterns->len; i++)
		sender_patterns_add(g_ptr_array_index(extra_patterns, i));
	g_ptr_array_free(extra_patterns, TRUE);
	g_mime_init();
	icalerror_set_errors_are_fatal(0);

	files = inputs_collect(argv + optind, argc - optind, &unreadable);
	counters.files_unreadable += unreadable;
	ok = output_open(&options);
	if (ok)
	{
		progress_start(total_size(files), !options.quiet && isatty(STDERR_FILENO));
		load_files(files, &options);
		ok = output_close();
		progress_finish();
		summary_print(options.dry_run);
	}

	g_ptr_array_free(files, TRUE);
	addresses_close();
	summary_free();
	sender_patterns_free();
	g_mime_shutdown();
	icaltimezone_free_builtin_timezones();
	return ok ? 0 : 1;
}
