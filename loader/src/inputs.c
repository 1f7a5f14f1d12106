/*
 * inputs.c: turn the command line's files and directories into the list of
 * input files, each with its format (mbox, single message, .emlx, iCalendar).
 */
#include "relintel_load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SNIFF_BYTES 64

/* Release one InputFile. */
void
input_file_free(gpointer file)
{
	InputFile  *input = file;

	g_free(input->path);
	g_free(input);
}

/* True when the name of the directory holding path is "cur" or "new", as
 * for the messages of a Maildir folder. */
static bool
in_maildir_folder(const char *path)
{
	char	   *directory = g_path_get_dirname(path);
	char	   *name = g_path_get_basename(directory);
	bool		maildir = strcmp(name, "cur") == 0 || strcmp(name, "new") == 0;

	g_free(name);
	g_free(directory);
	return maildir;
}

/* The delivery time in a Maildir file name ("1700000000.M1P2.host:2,S"), or -1. */
static gint64
maildir_delivery_time(const char *path)
{
	char	   *name = g_path_get_basename(path);
	char	   *end;
	gint64		seconds = g_ascii_strtoll(name, &end, 10);

	if (end == name || *end != '.')
		seconds = -1;
	g_free(name);
	return seconds;
}

/* True when a Maildir file name's flags ("...:2,DS") include D, draft. */
static bool
maildir_has_draft_flag(const char *path)
{
	char	   *name = g_path_get_basename(path);
	const char *flags = strstr(name, ":2,");
	bool		draft = flags != NULL && strchr(flags + 3, 'D') != NULL;

	g_free(name);
	return draft;
}

/* Decide a file's format from its first bytes and its name; false when the
 * file is neither mail nor calendar (only files met while walking a
 * directory can be that: a file named on the command line is read as a
 * message at least). */
static bool
detect_format(const char *path, bool named_by_user, InputFormat *format)
{
	char		head[SNIFF_BYTES + 1] = {0};
	const char *text = head;
	FILE	   *stream = fopen(path, "rb");
	size_t		length = 0;

	if (stream != NULL)
	{
		length = fread(head, 1, SNIFF_BYTES, stream);
		fclose(stream);
	}
	head[length] = '\0';
	if (g_str_has_prefix(text, "\xEF\xBB\xBF"))
		text += 3;
	while (*text && g_ascii_isspace(*text))
		text++;

	if (g_ascii_strncasecmp(text, "BEGIN:VCALENDAR", 15) == 0 ||
		g_str_has_suffix(path, ".ics") || g_str_has_suffix(path, ".ICS"))
		*format = FORMAT_CALENDAR;
	else if (strncmp(head, "From ", 5) == 0)
		*format = FORMAT_MBOX;
	else if (g_str_has_suffix(path, ".emlx"))
		*format = FORMAT_EMLX;
	else if (named_by_user || in_maildir_folder(path) ||
			 g_str_has_suffix(path, ".eml") || g_str_has_suffix(path, ".EML"))
		*format = FORMAT_MESSAGE;
	else
		return false;
	return true;
}

/* Add one regular file to the list, or count it as ignored. */
static void
add_file(GPtrArray *files, const char *path, gint64 size, bool named_by_user)
{
	InputFile  *input;
	InputFormat format;

	if (!detect_format(path, named_by_user, &format))
	{
		counters.files_ignored++;
		return;
	}
	input = g_new0(InputFile, 1);
	input->path = g_strdup(path);
	input->format = format;
	input->size = size;
	input->maildir_time = in_maildir_folder(path) ? maildir_delivery_time(path) : -1;
	input->maildir_draft = in_maildir_folder(path) && maildir_has_draft_flag(path);
	g_ptr_array_add(files, input);
}

/* Order directory entries by name so that loads are reproducible. */
static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Add the files under a directory, recursively, in name order. Hidden
 * entries, symbolic links to directories and the tmp/ of a Maildir folder
 * (messages still being delivered) are left out. */
static void
walk_directory(GPtrArray *files, const char *directory, int *unreadable_count)
{
	GDir	   *dir;
	GError	   *error = NULL;
	GPtrArray  *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	char	   *cur_path = g_build_filename(directory, "cur", NULL);
	bool		is_maildir = g_file_test(cur_path, G_FILE_TEST_IS_DIR);
	guint		i;

	g_free(cur_path);
	dir = g_dir_open(directory, 0, &error);
	if (dir == NULL)
	{
		fprintf(stderr, "relintel-load: cannot read directory %s: %s\n", directory, error->message);
		g_error_free(error);
		(*unreadable_count)++;
		g_ptr_array_free(names, TRUE);
		return;
	}
	while ((name = g_dir_read_name(dir)) != NULL)
		if (name[0] != '.' && !(is_maildir && strcmp(name, "tmp") == 0))
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(dir);
	g_ptr_array_sort(names, compare_names);

	for (i = 0; i < names->len; i++)
	{
		char	   *path = g_build_filename(directory, g_ptr_array_index(names, i), NULL);
		struct stat link_info;
		struct stat info;

		if (lstat(path, &link_info) == 0 && stat(path, &info) == 0)
		{
			if (S_ISDIR(link_info.st_mode))
				walk_directory(files, path, unreadable_count);
			else if (S_ISREG(info.st_mode))
				add_file(files, path, info.st_size, false);
		}
		g_free(path);
	}
	g_ptr_array_free(names, TRUE);
}

/* Collect the input files named on the command line (files or
 * directories); *unreadable_count counts paths that could not be read. */
GPtrArray *
inputs_collect(char **paths, int path_count, int *unreadable_count)
{
	GPtrArray  *files = g_ptr_array_new_with_free_func(input_file_free);
	int			i;

	*unreadable_count = 0;
	for (i = 0; i < path_count; i++)
	{
		struct stat info;

		if (stat(paths[i], &info) != 0)
		{
			fprintf(stderr, "relintel-load: cannot read %s: %s\n", paths[i], strerror(errno));
			(*unreadable_count)++;
		}
		else if (S_ISDIR(info.st_mode))
			walk_directory(files, paths[i], unreadable_count);
		else
			add_file(files, paths[i], info.st_size, true);
	}
	return files;
}
