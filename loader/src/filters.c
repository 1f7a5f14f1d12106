/*
 * filters.c: the rules that keep mail which is not a human relationship out
 * of the database. (Addresses are normalized by the server: addresses.c.)
 */
#include "relintel_load.h"

#include <fnmatch.h>
#include <string.h>

/* Sender local parts that never belong to a person (shell patterns). */
static const char *const default_sender_patterns[] = {
	"*noreply*", "*no-reply*", "*no_reply*",
	"*donotreply*", "*do-not-reply*", "*do_not_reply*",
	"mailer-daemon", "postmaster", "bounce", "bounces", "bounces+*", "bounce-*",
	NULL
};

static GPtrArray *sender_patterns;

/* Start the list of sender patterns, with or without the defaults. */
void
sender_patterns_init(bool with_defaults)
{
	const char *const *pattern;

	sender_patterns = g_ptr_array_new_with_free_func(g_free);
	if (with_defaults)
		for (pattern = default_sender_patterns; *pattern; pattern++)
			sender_patterns_add(*pattern);
}

/* Add a sender pattern (matched against the local part, case-insensitive). */
void
sender_patterns_add(const char *pattern)
{
	g_ptr_array_add(sender_patterns, g_ascii_strdown(pattern, -1));
}

/* Release the sender patterns. */
void
sender_patterns_free(void)
{
	if (sender_patterns != NULL)
		g_ptr_array_free(sender_patterns, TRUE);
	sender_patterns = NULL;
}

/* True when the local part of a normalized address matches a pattern. */
bool
sender_matches_pattern(const char *normalized_address)
{
	const char *at = strchr(normalized_address, '@');
	char	   *local_part = g_strndup(normalized_address,
									   at ? (gsize) (at - normalized_address) : strlen(normalized_address));
	bool		matched = false;
	guint		i;

	for (i = 0; i < sender_patterns->len && !matched; i++)
		matched = fnmatch(g_ptr_array_index(sender_patterns, i), local_part, 0) == 0;
	g_free(local_part);
	return matched;
}

/* The first word of a header value, lower-cased, without parameters or
 * comments: "Auto-Replied; x=1 (y)" gives "auto-replied". */
static char *
header_keyword(const char *value)
{
	const char *start = value;
	const char *end;

	while (*start && g_ascii_isspace(*start))
		start++;
	end = start;
	while (*end && !g_ascii_isspace(*end) && *end != ';' && *end != '(')
		end++;
	return g_ascii_strdown(start, end - start);
}

/* True when a header value, without surrounding white space, is word (in
 * any case). */
static bool
value_equals(const char *value, const char *word)
{
	size_t		length = strlen(word);

	while (g_ascii_isspace(*value))
		value++;
	if (g_ascii_strncasecmp(value, word, length) != 0)
		return false;
	for (value += length; g_ascii_isspace(*value); value++)
		;
	return *value == '\0';
}

/* Gmail Takeout's X-Gmail-Labels ("Inbox,Spam,Category Updates"): spam,
 * chat transcripts and drafts are not mail between people. */
static bool
gmail_labels_skip_reason(const char *value, SkipReason *reason)
{
	char	  **labels = g_strsplit(value, ",", -1);
	bool		skip = false;
	char	  **label;

	for (label = labels; *label != NULL && !skip; label++)
	{
		skip = true;
		if (value_equals(*label, "Spam"))
			*reason = SKIP_SPAM;
		else if (value_equals(*label, "Chat"))
			*reason = SKIP_CHAT;
		else if (value_equals(*label, "Drafts") || value_equals(*label, "Draft"))
			*reason = SKIP_DRAFT;
		else
			skip = false;
	}
	g_strfreev(labels);
	return skip;
}

/* Decide whether one header marks a message as not from a person; on true,
 * *reason says why. */
bool
header_skip_reason(const char *name, const char *value, SkipReason *reason)
{
	char	   *keyword;
	bool		skip = false;

	if (g_ascii_strcasecmp(name, "List-Id") == 0 ||
		g_ascii_strcasecmp(name, "List-Unsubscribe") == 0)
	{
		*reason = SKIP_MAILING_LIST;
		return true;
	}
	if (g_ascii_strcasecmp(name, "X-Autoreply") == 0 ||
		g_ascii_strcasecmp(name, "X-Autorespond") == 0)
	{
		*reason = SKIP_AUTO_REPLY;
		return true;
	}
	if (g_ascii_strcasecmp(name, "X-Mozilla-Draft-Info") == 0 ||
		(g_ascii_strcasecmp(name, "X-Uniform-Type-Identifier") == 0 &&
		 value_equals(value, "com.apple.mail-draft")))
	{
		*reason = SKIP_DRAFT;
		return true;
	}
	if (g_ascii_strcasecmp(name, "X-Gmail-Labels") == 0)
		return gmail_labels_skip_reason(value, reason);
	if (g_ascii_strcasecmp(name, "X-Spam-Flag") == 0)
	{
		keyword = header_keyword(value);
		skip = strcmp(keyword, "yes") == 0;
		*reason = SKIP_SPAM;
		g_free(keyword);
		return skip;
	}
	if (g_ascii_strcasecmp(name, "Auto-Submitted") == 0)
	{
		keyword = header_keyword(value);
		skip = keyword[0] != '\0' && strcmp(keyword, "no") != 0;
		*reason = SKIP_AUTO_SUBMITTED;
		g_free(keyword);
		return skip;
	}
	if (g_ascii_strcasecmp(name, "Precedence") == 0)
	{
		keyword = header_keyword(value);
		skip = strcmp(keyword, "bulk") == 0 || strcmp(keyword, "list") == 0 ||
			strcmp(keyword, "junk") == 0;
		*reason = SKIP_PRECEDENCE;
		g_free(keyword);
		return skip;
	}
	return false;
}

/* Make free text fit for one database field in place: each run of control
 * characters (line breaks of folded headers, tabs) becomes one space, and
 * leading and trailing white space goes. The text must be valid UTF-8. */
void
text_sanitize(char *text)
{
	char	   *read = text;
	char	   *write = text;

	while (*read && (g_ascii_isspace(*read) || g_ascii_iscntrl(*read)))
		read++;
	while (*read)
	{
		if (g_ascii_iscntrl(*read))
		{
			while (*read && g_ascii_iscntrl(*read))	/* NUL is a control character too */
				read++;
			*write++ = ' ';
		}
		else
			*write++ = *read++;
	}
	while (write > text && g_ascii_isspace(write[-1]))
		write--;
	*write = '\0';
}
