/*
 * output.c: where interactions go. Each is checked against the ids already
 * seen in this run, written as a line of COPY text, and every batch-size
 * rows, at the end of an input item (a message, or every occurrence of an
 * event), the batch is loaded in one transaction: COPY into a temporary
 * staging table, then INSERT ... ON CONFLICT (message_id) DO NOTHING into
 * relintel.interaction, so that mail already in the database is not loaded
 * again and a failed batch leaves nothing behind. A batch never splits an
 * item, so a load that is killed leaves each item loaded whole or not at
 * all, and running it again loads exactly what is missing. With --dry-run the COPY
 * lines go to stdout instead (the connection is still made: addresses.c
 * asks the server to normalize addresses).
 */
#include "relintel_load.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAGE_TABLE "pg_temp.relintel_load_stage"

static const char create_stage_sql[] =
"CREATE TEMPORARY TABLE relintel_load_stage ("
" kind relintel.interaction_kind, occurred_at timestamptz, duration interval,"
" sender text, recipients text[], subject text, message_id text, in_reply_to text"
") ON COMMIT DELETE ROWS";

static const char insert_from_stage_sql[] =
"INSERT INTO relintel.interaction"
" (kind, occurred_at, duration, sender, recipients, subject, message_id, in_reply_to)"
" SELECT kind, occurred_at, duration, sender, recipients, subject, message_id, in_reply_to"
" FROM " STAGE_TABLE
" ON CONFLICT (message_id) DO NOTHING";

static struct
{
	const Options *options;
	PGconn	   *connection;
	GHashTable *seen_ids;		/* message ids accepted in this run */
	GString    *batch;			/* COPY text of the rows not yet loaded */
	GArray	   *row_starts;		/* offset in batch where each row starts */
	GArray	   *row_origins;	/* Origin of each row in batch */
	GArray	   *item_starts;	/* index of the first row of each item in batch */
	bool		item_open;		/* the current item has rows in batch */
	bool		failed;			/* a database error stopped the load */
} output;

/* Free the strings of an interaction (not the struct itself). */
void
interaction_clear(Interaction *row)
{
	g_free(row->sender);
	if (row->recipients != NULL)
		g_ptr_array_free(row->recipients, TRUE);
	g_free(row->subject);
	g_free(row->message_id);
	g_free(row->in_reply_to);
	memset(row, 0, sizeof *row);
}

/* A stable id for an interaction whose input has none (no Message-ID, no
 * UID), made from what identifies it, so that reloading adds nothing. */
char *
interaction_synthetic_id(const Interaction *row)
{
	GString    *identity = g_string_new(NULL);
	char	   *digest;
	char	   *id;
	guint		i;

	g_string_append_printf(identity, "%s\n%" G_GINT64_FORMAT "\n%s\n",
						   row->sender, row->occurred_at, row->subject ? row->subject : "");
	for (i = 0; i < row->recipients->len; i++)
		g_string_append_printf(identity, "%s,", (const char *) g_ptr_array_index(row->recipients, i));
	digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, identity->str, identity->len);
	id = g_strdup_printf("%.32s@relintel-load.invalid", digest);
	g_free(digest);
	g_string_free(identity, TRUE);
	return id;
}

/* Append text to a COPY line, escaped for COPY's text format. */
static void
append_copy_text(GString *line, const char *text)
{
	const char *c;

	for (c = text; *c; c++)
	{
		switch (*c)
		{
			case '\\':
				g_string_append(line, "\\\\");
				break;
			case '\t':
				g_string_append(line, "\\t");
				break;
			case '\n':
				g_string_append(line, "\\n");
				break;
			case '\r':
				g_string_append(line, "\\r");
				break;
			default:
				g_string_append_c(line, *c);
		}
	}
}

/* Append a nullable text column (\N for NULL) and its delimiter. */
static void
append_copy_column(GString *line, const char *text, char delimiter)
{
	if (text == NULL)
		g_string_append(line, "\\N");
	else
		append_copy_text(line, text);
	g_string_append_c(line, delimiter);
}

/* The text[] literal of a list of strings: {"a","b"} with " and \ escaped. */
char *
text_array_literal(GPtrArray *items)
{
	GString    *literal = g_string_new("{");
	guint		i;
	const char *c;

	for (i = 0; i < items->len; i++)
	{
		if (i > 0)
			g_string_append_c(literal, ',');
		g_string_append_c(literal, '"');
		for (c = g_ptr_array_index(items, i); *c; c++)
		{
			if (*c == '"' || *c == '\\')
				g_string_append_c(literal, '\\');
			g_string_append_c(literal, *c);
		}
		g_string_append_c(literal, '"');
	}
	g_string_append_c(literal, '}');
	return g_string_free(literal, FALSE);
}

/* Append one interaction as a line of COPY text, in the staging table's
 * column order. */
static void
append_copy_line(GString *line, const Interaction *row)
{
	time_t		seconds = (time_t) row->occurred_at;
	struct tm	utc;
	char		timestamp[64];
	char	   *recipients = text_array_literal(row->recipients);

	gmtime_r(&seconds, &utc);
	strftime(timestamp, sizeof timestamp, "%Y-%m-%d %H:%M:%S+00", &utc);
	g_string_append(line, row->kind == KIND_EMAIL ? "email\t" : "meeting\t");
	g_string_append_printf(line, "%s\t", timestamp);
	if (row->duration < 0)
		g_string_append(line, "\\N\t");
	else
		g_string_append_printf(line, "%" G_GINT64_FORMAT " seconds\t", row->duration);
	append_copy_column(line, row->sender, '\t');
	append_copy_column(line, recipients, '\t');
	append_copy_column(line, row->subject, '\t');
	append_copy_column(line, row->message_id, '\t');
	append_copy_column(line, row->in_reply_to, '\n');
	g_free(recipients);
}

/* True when a result has the expected status; otherwise the error text
 * goes to *error (when error is not NULL) and the SQLSTATE to sqlstate. */
static bool
check_result(PGresult *result, ExecStatusType expected, char **error, char *sqlstate)
{
	const char *state;

	if (PQresultStatus(result) == expected)
		return true;
	if (error != NULL)
	{
		state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
		*error = g_strdup(PQerrorMessage(output.connection));
		g_strlcpy(sqlstate, state ? state : "", 6);
	}
	return false;
}

/* Run a statement without result rows; false on failure (see check_result). */
static bool
run_command(const char *sql, char **error, char *sqlstate)
{
	PGresult   *result = PQexec(output.connection, sql);
	bool		ok = check_result(result, PGRES_COMMAND_OK, error, sqlstate);

	PQclear(result);
	return ok;
}

/* Load rows of COPY text in one transaction. Returns true and sets
 * *inserted to the rows that were new; on failure rolls back and returns
 * false with the error in *error and the SQLSTATE in sqlstate. */
static bool
load_copy_text(const char *data, gsize length, long *inserted, char **error, char *sqlstate)
{
	PGresult   *result;
	bool		ok;

	*error = NULL;
	if (!run_command("BEGIN", error, sqlstate))
		goto fail;
	result = PQexec(output.connection, "COPY " STAGE_TABLE " FROM STDIN");
	ok = check_result(result, PGRES_COPY_IN, error, sqlstate);
	PQclear(result);
	if (!ok)
		goto fail;
	if (PQputCopyData(output.connection, data, (int) length) != 1 ||
		PQputCopyEnd(output.connection, NULL) != 1)
	{
		*error = g_strdup(PQerrorMessage(output.connection));
		sqlstate[0] = '\0';
		goto fail;
	}
	result = PQgetResult(output.connection);
	ok = check_result(result, PGRES_COMMAND_OK, error, sqlstate);
	PQclear(result);
	while ((result = PQgetResult(output.connection)) != NULL)
		PQclear(result);
	if (!ok)
		goto fail;

	result = PQexec(output.connection, insert_from_stage_sql);
	ok = check_result(result, PGRES_COMMAND_OK, error, sqlstate);
	if (ok)
		*inserted = strtol(PQcmdTuples(result), NULL, 10);
	PQclear(result);
	if (ok && run_command("COMMIT", error, sqlstate))
		return true;

fail:
	run_command("ROLLBACK", NULL, NULL);
	return false;
}

/* True for errors caused by the data of some row (SQLSTATE classes 22 and
 * 23), after which the rows are worth trying one at a time. */
static bool
is_row_error(const char *sqlstate)
{
	return strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0;
}

/* Load the pending batch into the database (or print it for --dry-run). A
 * batch that fails on the data of a row is retried item by item (a message,
 * or all occurrences of an event, in one transaction), so that only the bad
 * items are left out, each reported with its file and position. */
static void
flush_batch(void)
{
	guint		rows = output.row_starts->len;
	guint		items = output.item_starts->len;
	long		inserted = 0;
	char	   *error = NULL;
	char		sqlstate[6] = "";
	guint		i;

	if (rows == 0 || output.failed)
		goto done;
	if (output.options->dry_run)
	{
		fwrite(output.batch->str, 1, output.batch->len, stdout);
		goto done;
	}
	if (load_copy_text(output.batch->str, output.batch->len, &inserted, &error, sqlstate))
	{
		counters.loaded += inserted;
		counters.duplicates_in_database += rows - inserted;
		goto done;
	}
	if (!is_row_error(sqlstate))
	{
		report_warning("loading a batch of %u rows failed, the batch was rolled back:\n%s",
					   rows, error);
		output.failed = true;
		g_free(error);
		goto done;
	}
	g_free(error);
	for (i = 0; i < items && !output.failed; i++)
	{
		guint		first_row = g_array_index(output.item_starts, guint, i);
		guint		end_row = i + 1 < items ? g_array_index(output.item_starts, guint, i + 1) : rows;
		gsize		start = g_array_index(output.row_starts, gsize, first_row);
		gsize		end = end_row < rows ? g_array_index(output.row_starts, gsize, end_row)
			: output.batch->len;

		inserted = 0;
		if (load_copy_text(output.batch->str + start, end - start, &inserted, &error, sqlstate))
		{
			counters.loaded += inserted;
			counters.duplicates_in_database += (end_row - first_row) - inserted;
			continue;
		}
		if (is_row_error(sqlstate))
		{
			report_rejected(&g_array_index(output.row_origins, Origin, first_row), error);
			counters.rejected_by_database += (end_row - first_row) - 1;
		}
		else
		{
			report_warning("loading failed, the current item was rolled back:\n%s", error);
			output.failed = true;
		}
		g_free(error);
	}

done:
	g_string_truncate(output.batch, 0);
	g_array_set_size(output.row_starts, 0);
	g_array_set_size(output.row_origins, 0);
	g_array_set_size(output.item_starts, 0);
	output.item_open = false;
}

/* Connect, prepare the address lookup and (unless --dry-run) the staging
 * table; false with a message on stderr when the database cannot be used. */
bool
output_open(const Options *options)
{
	const char *keywords[] = {"dbname", "fallback_application_name", NULL};
	const char *values[] = {options->dsn ? options->dsn : "", "relintel-load", NULL};
	char	   *error = NULL;
	char		sqlstate[6] = "";

	output.options = options;
	output.seen_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	output.batch = g_string_sized_new(1 << 20);
	output.row_starts = g_array_new(FALSE, FALSE, sizeof(gsize));
	output.row_origins = g_array_new(FALSE, FALSE, sizeof(Origin));
	output.item_starts = g_array_new(FALSE, FALSE, sizeof(guint));

	output.connection = PQconnectdbParams(keywords, values, 1);
	if (PQstatus(output.connection) != CONNECTION_OK)
	{
		fprintf(stderr, "relintel-load: cannot connect to the database: %s",
				PQerrorMessage(output.connection));
		return false;
	}
	if (PQsetClientEncoding(output.connection, "UTF8") != 0 ||
		!run_command("SET client_min_messages = warning", &error, sqlstate) ||
		!addresses_open(output.connection, &error, sqlstate) ||
		(!options->dry_run && !run_command(create_stage_sql, &error, sqlstate)))
	{
		fprintf(stderr, "relintel-load: cannot prepare the load: %s%s",
				error ? error : PQerrorMessage(output.connection),
				strcmp(sqlstate, "42704") == 0 || strcmp(sqlstate, "3F000") == 0
				? "hint: install the extension first: CREATE EXTENSION relintel;\n"
				: strcmp(sqlstate, "42883") == 0
				? "hint: relintel.address_or_null() is missing: update the extension (ALTER EXTENSION relintel UPDATE)\n" : "");
		g_free(error);
		return false;
	}
	return true;
}

/* Take one interaction of the current item: drop it if its id was already
 * seen in this run, else add it to the batch (loaded by output_item_end). */
void
output_accept(Interaction *row, const Origin *origin)
{
	guint		row_index = output.row_starts->len;

	if (g_hash_table_contains(output.seen_ids, row->message_id))
	{
		counters.duplicates_in_run++;
		return;
	}
	g_hash_table_add(output.seen_ids, g_strdup(row->message_id));
	counters.accepted++;
	data_span_add(row->occurred_at);
	if (!output.item_open)
		g_array_append_val(output.item_starts, row_index);
	output.item_open = true;
	g_array_append_val(output.row_starts, output.batch->len);
	g_array_append_val(output.row_origins, *origin);
	append_copy_line(output.batch, row);
}

/* End the current item (a message, or an event with all its occurrences):
 * the batch is loaded once it holds batch-size rows or more, so that it
 * never ends inside an item. */
void
output_item_end(void)
{
	output.item_open = false;
	if (output.row_starts->len >= (guint) output.options->batch_size)
		flush_batch();
}

/* Stop the load after a database error elsewhere (what failed, the
 * server's message); what is already committed stays. */
void
output_abort(const char *what, const char *error)
{
	report_warning("%s:\n%s", what, error);
	output.failed = true;
}

/* True once a database error has stopped the load. */
bool
output_failed(void)
{
	return output.failed;
}

/* Load what is left, disconnect and free; false if the load failed. */
bool
output_close(void)
{
	bool		ok;

	flush_batch();
	ok = !output.failed;
	if (output.connection != NULL)
		PQfinish(output.connection);
	output.connection = NULL;
	g_hash_table_destroy(output.seen_ids);
	g_string_free(output.batch, TRUE);
	g_array_free(output.row_starts, TRUE);
	g_array_free(output.row_origins, TRUE);
	g_array_free(output.item_starts, TRUE);
	return ok;
}
