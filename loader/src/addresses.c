/*
 * addresses.c: the address rule, applied by the server. The loader has no
 * rule of its own: every address it reads, as written (display name and
 * all), is normalized by relintel.address_or_null() in the database it loads
 * into (the code path of relintel.normalize_address(), with that database's
 * lower()). Each distinct raw address is looked up once per run: callers
 * request the addresses of what they have read, one query resolves all new
 * ones (a batch), and the answers stay in a cache, raw -> normalized or
 * invalid, until the end of the run.
 */
#include "relintel_load.h"

#include <string.h>

#define LOOKUP_STATEMENT "relintel_load_address_lookup"

/* One query per batch; the array keeps the order of its elements. */
static const char lookup_sql[] =
"SELECT relintel.address_or_null(raw)"
" FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS a(raw, n)"
" ORDER BY n";

static struct
{
	PGconn	   *connection;
	GHashTable *cache;			/* raw -> normalized form, or NULL when invalid */
	GHashTable *requested;		/* raw addresses not yet looked up (a set) */
} rule;

/* The form of raw used as key and sent to the server: raw itself when it
 * is valid UTF-8 (the usual case, returned as is), else a new copy with
 * the invalid bytes replaced (U+FFFD), which *copy owns. */
static const char *
address_key(const char *raw, char **copy)
{
	*copy = NULL;
	if (g_utf8_validate(raw, -1, NULL))
		return raw;
	*copy = g_utf8_make_valid(raw, -1);
	return *copy;
}

/* Prepare the lookup on an open connection; false with the server's error
 * in *error (the caller frees it) and its SQLSTATE in sqlstate. */
bool
addresses_open(PGconn *connection, char **error, char *sqlstate)
{
	PGresult   *result = PQprepare(connection, LOOKUP_STATEMENT, lookup_sql, 1, NULL);
	const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
	bool		ok = PQresultStatus(result) == PGRES_COMMAND_OK;

	if (!ok)
	{
		*error = g_strdup(PQerrorMessage(connection));
		g_strlcpy(sqlstate, state ? state : "", 6);
	}
	PQclear(result);
	rule.connection = connection;
	rule.cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	rule.requested = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return ok;
}

/* Note that raw will be needed; it is looked up by the next resolve unless
 * it already is known. */
void
addresses_request(const char *raw)
{
	char	   *copy;
	const char *key = address_key(raw, &copy);

	if (!g_hash_table_contains(rule.cache, key) && !g_hash_table_contains(rule.requested, key))
		g_hash_table_add(rule.requested, copy ? copy : g_strdup(key));
	else
		g_free(copy);
}

/* Look up every requested address in one query and cache the answers;
 * false (with a warning) when the query failed, which stops the load. */
bool
addresses_resolve(void)
{
	GPtrArray  *raws;
	GHashTableIter iter;
	gpointer	key;
	PGresult   *result;
	char	   *literal;
	const char *values[1];
	bool		ok;
	guint		i;

	if (g_hash_table_size(rule.requested) == 0)
		return true;
	raws = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_iter_init(&iter, rule.requested);
	while (g_hash_table_iter_next(&iter, &key, NULL))
	{
		g_ptr_array_add(raws, key);
		g_hash_table_iter_steal(&iter);
	}
	literal = text_array_literal(raws);
	values[0] = literal;
	result = PQexecPrepared(rule.connection, LOOKUP_STATEMENT, 1, values, NULL, NULL, 0);
	g_free(literal);
	ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == (int) raws->len;
	if (!ok)
		output_abort("looking up addresses failed", PQerrorMessage(rule.connection));
	for (i = 0; ok && i < raws->len; i++)
		g_hash_table_insert(rule.cache, g_strdup(g_ptr_array_index(raws, i)),
							PQgetisnull(result, i, 0) ? NULL : g_strdup(PQgetvalue(result, i, 0)));
	PQclear(result);
	g_ptr_array_free(raws, TRUE);
	return ok;
}

/* The normalized form of a raw address that was requested and resolved,
 * or NULL when the server's rule refuses it (or it was never looked up). */
const char *
addresses_lookup(const char *raw)
{
	char	   *copy;
	const char *key = address_key(raw, &copy);
	const char *normalized = g_hash_table_lookup(rule.cache, key);

	g_free(copy);
	return normalized;
}

/* Append the normalized form of a resolved raw address to a list of owned
 * strings, unless it is invalid or its normalized form already is there;
 * seen is the set of the list's strings (it borrows them), so that a list
 * of n addresses is de-duplicated in linear time. */
void
address_list_add(GPtrArray *addresses, GHashTable *seen, const char *raw)
{
	const char *address = addresses_lookup(raw);
	char	   *copy;

	if (address == NULL || g_hash_table_contains(seen, address))
		return;
	copy = g_strdup(address);
	g_ptr_array_add(addresses, copy);
	g_hash_table_add(seen, copy);
}

/* Release the cache (the connection belongs to output.c). */
void
addresses_close(void)
{
	if (rule.cache != NULL)
		g_hash_table_destroy(rule.cache);
	if (rule.requested != NULL)
		g_hash_table_destroy(rule.requested);
	memset(&rule, 0, sizeof rule);
}
