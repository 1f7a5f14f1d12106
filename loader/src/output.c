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
 *
 * A batch is loaded while the next one is read: its INSERT and COMMIT are
 * sent without waiting, and their result is collected before the next batch
 * is sent (or at the end), so the server's work (the extension's triggers)
 * and the parsing run on two cores at once. Address lookups go over a
 * second connection, so that reading never waits for the batch in flight.
 * Batches still commit one after the other, in input order, and a batch
 * that fails is settled (retried item by item, or the load stopped) before
 * the next one is sent.
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

/* Sent without waiting: the commit follows the insert at once, so that
 * the batch holds its locks no longer than the server needs. */
static const char insert_from_stage_sql[] =
"INSERT INTO relintel.interaction"
" (kind, occurred_at, duration, sender, recipients, subject, message_id, in_reply_to)"
" SELECT kind, occurred_at, duration, sender, recipients, subject, message_id, in_reply_to"
" FROM " STAGE_TABLE
" ON CONFLICT (message_id) DO NOTHING;"
"COMMIT";

/* Rows as COPY text with what locates each row and item in it. */
typedef struct Batch
{
	GString    *text;			/* COPY text of the rows */
	GArray	   *row_starts;		/* offset in text where each row starts */
	GArray	   *row_origins;	/* Origin of each row */
	GArray	   *item_starts;	/* index of the first row of each item */
} Batch;

static struct
{
	const Options *options;
	PGconn	   *connection;		/* loads the batches */
	PGconn	   *lookup_connection;	/* address lookups (the same one for --dry-run) */
	GHashTable *seen_ids;		/* message ids accepted in this run */
	Batch		pending;		/* rows read and not yet sent */
	Batch		in_flight;		/* rows sent, their result not yet collected */
	bool		in_flight_sent; /* in_flight's INSERT and COMMIT were sent */
	bool		item_open;		/* the current item has rows in pending */
	bool		failed;			/* a database error stopped the load */
} output;

/* Make an empty batch. */
static void
batch_init(Batch *batch)
{
	batch->text = g_string_sized_new(1 << 20);
	batch->row_starts = g_array_new(FALSE, FALSE, sizeof(gsize));
	batch->row_origins = g_array_new(FALSE, FALSE, sizeof(Origin));
	batch->item_starts = g_array_new(FALSE, FALSE, sizeof(guint));
}

/* Empty a batch, keeping its memory. */
static void
batch_clear(Batch *batch)
{
	g_string_truncate(batch->text, 0);
	g_array_set_size(batch->row_starts, 0);
	g_array_set_size(batch->row_origins, 0);
	g_array_set_size(batch->item_starts, 0);
}

/* Free a batch's memory. */
static void
batch_free(Batch *batch)
{
	g_string_free(batch->text, TRUE);
	g_array_free(batch->row_starts, TRUE);
	g_array_free(batch->row_origins, TRUE);
	g_array_free(batch->item_starts, TRUE);
}

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

/* Start loading rows of COPY text in one transaction: BEGIN, COPY into
 * the staging table, then send the INSERT and the COMMIT without waiting
 * (finish_copy_text collects them). On failure rolls back and returns
 * false with the error in *error and the SQLSTATE in sqlstate. */
static bool
start_copy_text(const char *data, gsize length, char **error, char *sqlstate)
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
	if (PQsendQuery(output.connection, insert_from_stage_sql) == 1)
		return true;
	*error = g_strdup(PQerrorMessage(output.connection));
	sqlstate[0] = '\0';

fail:
	run_command("ROLLBACK", NULL, NULL);
	return false;
}

/* Wait for the INSERT and COMMIT that start_copy_text sent. Returns true
 * and sets *inserted to the rows that were new; on failure rolls back and
 * returns false with the error in *error and the SQLSTATE in sqlstate. */
static bool
finish_copy_text(long *inserted, char **error, char *sqlstate)
{
	PGresult   *result;
	bool		ok;

	*error = NULL;
	result = PQgetResult(output.connection);
	ok = check_result(result, PGRES_COMMAND_OK, error, sqlstate);
	if (ok)
		*inserted = strtol(PQcmdTuples(result), NULL, 10);
	PQclear(result);
	if (ok)
	{
		result = PQgetResult(output.connection);	/* the COMMIT */
		ok = check_result(result, PGRES_COMMAND_OK, error, sqlstate);
		PQclear(result);
	}
	while ((result = PQgetResult(output.connection)) != NULL)
		PQclear(result);
	if (ok)
		return true;
	run_command("ROLLBACK", NULL, NULL);
	return false;
}

/* Load rows of COPY text in one transaction and wait for it (see
 * start_copy_text and finish_copy_text). */
static bool
load_copy_text(const char *data, gsize length, long *inserted, char **error, char *sqlstate)
{
	return start_copy_text(data, length, error, sqlstate) &&
		finish_copy_text(inserted, error, sqlstate);
}

/* True for errors caused by the data of some row (SQLSTATE classes 22 and
 * 23), after which the rows are worth trying one at a time. */
static bool
is_row_error(const char *sqlstate)
{
	return strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0;
}

/* Account for a batch whose load ended (ok, with inserted new rows, or
 * failed with error and sqlstate). A batch that failed on the data of a row
 * is retried item by item (a message, or all occurrences of an event, in
 * one transaction), so that only the bad items are left out, each reported
 * with its file and position; any other failure stops the load. */
static void
settle_batch(const Batch *batch, bool ok, long inserted, const char *error, const char *sqlstate)
{
	guint		rows = batch->row_starts->len;
	guint		items = batch->item_starts->len;
	char	   *item_error = NULL;
	char		item_sqlstate[6] = "";
	guint		i;

	if (ok)
	{
		counters.loaded += inserted;
		counters.duplicates_in_database += rows - inserted;
		return;
	}
	if (!is_row_error(sqlstate))
	{
		report_warning("loading a batch of %u rows failed, the batch was rolled back:\n%s",
					   rows, error);
		output.failed = true;
		return;
	}
	for (i = 0; i < items && !output.failed; i++)
	{
		guint		first_row = g_array_index(batch->item_starts, guint, i);
		guint		end_row = i + 1 < items ? g_array_index(batch->item_starts, guint, i + 1) : rows;
		gsize		start = g_array_index(batch->row_starts, gsize, first_row);
		gsize		end = end_row < rows ? g_array_index(batch->row_starts, gsize, end_row)
			: batch->text->len;

		inserted = 0;
		if (load_copy_text(batch->text->str + start, end - start, &inserted, &item_error, item_sqlstate))
		{
			counters.loaded += inserted;
			counters.duplicates_in_database += (end_row - first_row) - inserted;
			continue;
		}
		if (is_row_error(item_sqlstate))
		{
			report_rejected(&g_array_index(batch->row_origins, Origin, first_row), item_error);
			counters.rejected_by_database += (end_row - first_row) - 1;
		}
		else
		{
			report_warning("loading failed, the current item was rolled back:\n%s", item_error);
			output.failed = true;
		}
		g_free(item_error);
		item_error = NULL;
	}
}

/* Wait for the batch in flight, if one was sent, and settle it. */
static void
finish_in_flight(void)
{
	long		inserted = 0;
	char	   *error = NULL;
	char		sqlstate[6] = "";
	bool		ok;

	if (!output.in_flight_sent)
		return;
	output.in_flight_sent = false;
	ok = finish_copy_text(&inserted, &error, sqlstate);
	settle_batch(&output.in_flight, ok, inserted, error, sqlstate);
	g_free(error);
	batch_clear(&output.in_flight);
}

/* Send the pending batch to the database (or print it for --dry-run),
 * after the batch in flight is settled; the pending batch becomes the one
 * in flight and reading goes on while the server loads it. */
static void
flush_batch(void)
{
	Batch		sent;
	char	   *error = NULL;
	char		sqlstate[6] = "";

	finish_in_flight();
	if (output.pending.row_starts->len == 0 || output.failed)
		goto done;
	if (output.options->dry_run)
	{
		fwrite(output.pending.text->str, 1, output.pending.text->len, stdout);
		goto done;
	}
	sent = output.in_flight;	/* empty: swap, keeping both buffers */
	output.in_flight = output.pending;
	output.pending = sent;
	if (start_copy_text(output.in_flight.text->str, output.in_flight.text->len, &error, sqlstate))
	{
		output.in_flight_sent = true;
		goto done;
	}
	settle_batch(&output.in_flight, false, 0, error, sqlstate);
	g_free(error);
	batch_clear(&output.in_flight);

done:
	batch_clear(&output.pending);
	output.item_open = false;
}

/* A new connection in UTF8 that reports warnings and errors only; NULL
 * with a message on stderr when it fails. */
static PGconn *
connect_session(const char *const *keywords, const char *const *values)
{
	PGconn	   *connection = PQconnectdbParams(keywords, values, 1);
	PGresult   *result = NULL;

	if (PQstatus(connection) == CONNECTION_OK && PQsetClientEncoding(connection, "UTF8") == 0)
		result = PQexec(connection, "SET client_min_messages = warning");
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
	{
		PQclear(result);
		fprintf(stderr, "relintel-load: cannot connect to the database: %s",
				PQerrorMessage(connection));
		PQfinish(connection);
		return NULL;
	}
	PQclear(result);
	return connection;
}

/* Connect (twice unless --dry-run: batches and address lookups), prepare
 * the address lookup and (unless --dry-run) the staging table; false with
 * a message on stderr when the database cannot be used. */
bool
output_open(const Options *options)
{
	const char *keywords[] = {"dbname", "fallback_application_name", NULL};
	const char *values[] = {options->dsn ? options->dsn : "", "relintel-load", NULL};
	char	   *error = NULL;
	char		sqlstate[6] = "";

	output.options = options;
	output.seen_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	batch_init(&output.pending);
	batch_init(&output.in_flight);

	output.connection = connect_session(keywords, values);
	if (output.connection == NULL)
		return false;
	output.lookup_connection = options->dry_run ? output.connection : connect_session(keywords, values);
	if (output.lookup_connection == NULL)
		return false;
	if (!addresses_open(output.lookup_connection, &error, sqlstate) ||
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
	guint		row_index = output.pending.row_starts->len;

	if (g_hash_table_contains(output.seen_ids, row->message_id))
	{
		counters.duplicates_in_run++;
		return;
	}
	g_hash_table_add(output.seen_ids, g_strdup(row->message_id));
	counters.accepted++;
	data_span_add(row->occurred_at);
	if (!output.item_open)
		g_array_append_val(output.pending.item_starts, row_index);
	output.item_open = true;
	g_array_append_val(output.pending.row_starts, output.pending.text->len);
	g_array_append_val(output.pending.row_origins, *origin);
	append_copy_line(output.pending.text, row);
}

/* End the current item (a message, or an event with all its occurrences):
 * the batch is loaded once it holds batch-size rows or more, so that it
 * never ends inside an item. */
void
output_item_end(void)
{
	output.item_open = false;
	if (output.pending.row_starts->len >= (guint) output.options->batch_size)
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
	finish_in_flight();
	ok = !output.failed;
	if (output.lookup_connection != NULL && output.lookup_connection != output.connection)
		PQfinish(output.lookup_connection);
	if (output.connection != NULL)
		PQfinish(output.connection);
	output.connection = output.lookup_connection = NULL;
	g_hash_table_destroy(output.seen_ids);
	batch_free(&output.pending);
	batch_free(&output.in_flight);
	return ok;
}
