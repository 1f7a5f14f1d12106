/*
 * relintel.c
 *    Module start-up and the settings (GUCs) of relintel.
 *
 * Durations (half-lives, silences, waits) are settings in days.  They are
 * string settings that take either a plain number of days ('21', '0.5') or
 * a number with a unit ('21 days', '3 weeks', '36h'), so that both
 * `SET relintel.health_half_life = 30` and `= '30 days'` mean 30 days.
 */
#include "relintel.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

#include "utils/builtins.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/* The settings' variables and their defaults are in settings.c. */

/* Text values of the duration settings, as the GUC machinery keeps them. */
static char *health_half_life_text;
static char *tie_half_life_text;
static char *min_silence_text;
static char *answer_wait_text;

/* A unit accepted after a duration's number, with its length in days. */
typedef struct DurationUnit
{
	const char *name;			/* spelling accepted, lower case */
	double		days;			/* days in one unit */
} DurationUnit;

static const DurationUnit duration_units[] = {
	{"d", 1.0}, {"day", 1.0}, {"days", 1.0},
	{"w", 7.0}, {"week", 7.0}, {"weeks", 7.0},
	{"h", 1.0 / 24}, {"hour", 1.0 / 24}, {"hours", 1.0 / 24},
	{"min", 1.0 / 1440}, {"minute", 1.0 / 1440}, {"minutes", 1.0 / 1440},
	{"s", 1.0 / 86400}, {"sec", 1.0 / 86400}, {"second", 1.0 / 86400}, {"seconds", 1.0 / 86400},
};

/* Parse '21', '21 days', '3w', '36 hours' into days; false when malformed. */
static bool
parse_days(const char *text, double *days)
{
	char	   *end;
	double		number;

	if (text == NULL)
		return false;
	number = strtod(text, &end);
	if (end == text || !isfinite(number))
		return false;
	while (isspace((unsigned char) *end))
		end++;
	if (*end == '\0')
	{
		*days = number;
		return true;
	}
	for (size_t i = 0; i < lengthof(duration_units); i++)
	{
		size_t		length = strlen(duration_units[i].name);

		if (pg_strncasecmp(end, duration_units[i].name, length) == 0)
		{
			const char *rest = end + length;

			while (isspace((unsigned char) *rest))
				rest++;
			if (*rest == '\0')
			{
				*days = number * duration_units[i].days;
				return true;
			}
		}
	}
	return false;
}

/* Check a duration setting against its range and pass the days on to the assign hook. */
static bool
check_duration(char **newval, void **extra, double min_days, double max_days)
{
	double		days;
	double	   *parsed;

	if (!parse_days(*newval, &days))
	{
		GUC_check_errdetail("A duration is a number of days, optionally with a unit: \"21\", \"21 days\", \"3 weeks\", \"36 hours\".");
		return false;
	}
	if (days < min_days || days > max_days)
	{
		GUC_check_errdetail("The duration must be between %g and %g days.", min_days, max_days);
		return false;
	}
	parsed = (double *) guc_malloc(LOG, sizeof(double));
	if (parsed == NULL)
		return false;
	*parsed = days;
	*extra = parsed;
	return true;
}

/* Check hook of the half-life settings. */
static bool
check_half_life(char **newval, void **extra, GucSource source)
{
	return check_duration(newval, extra, HALF_LIFE_MIN, HALF_LIFE_MAX);
}

/* Check hook of the alert waiting times (zero allowed). */
static bool
check_wait(char **newval, void **extra, GucSource source)
{
	return check_duration(newval, extra, 0.0, 36500.0);
}

/* Assign hook of relintel.health_half_life. */
static void
assign_health_half_life(const char *newval, void *extra)
{
	relintel_health_half_life = *(double *) extra;
}

/* Assign hook of relintel.tie_half_life. */
static void
assign_tie_half_life(const char *newval, void *extra)
{
	relintel_tie_half_life = *(double *) extra;
}

/* Assign hook of relintel.min_silence. */
static void
assign_min_silence(const char *newval, void *extra)
{
	relintel_min_silence = *(double *) extra;
}

/* Assign hook of relintel.answer_wait. */
static void
assign_answer_wait(const char *newval, void *extra)
{
	relintel_answer_wait = *(double *) extra;
}

/* Define a duration setting in days. */
static void
define_duration(const char *name, const char *description, char **text, const char *default_text,
				GucStringCheckHook check, GucStringAssignHook assign)
{
	DefineCustomStringVariable(name, description,
							   "A number of days, or a number with a unit (days, weeks, hours, minutes, seconds).",
							   text, default_text, PGC_USERSET, 0, check, assign, NULL);
}

/* Define a kind weight setting. */
static void
define_weight(const char *name, const char *description, double *target, double default_value)
{
	DefineCustomRealVariable(name, description,
							 "States keep per-kind sums, so a change applies to every score at once.",
							 target, default_value, 0.0, 1000.0, PGC_USERSET, 0, NULL, NULL, NULL);
}

/* Module start-up: define every setting. */
void
_PG_init(void)
{
	define_duration("relintel.health_half_life", "Half-life of interactions in health scores, in days.",
					&health_half_life_text, "21", check_half_life, assign_health_half_life);
	define_duration("relintel.tie_half_life", "Half-life of interactions in tie strengths, in days.",
					&tie_half_life_text, "90", check_half_life, assign_tie_half_life);
	define_duration("relintel.min_silence", "Shortest silence that makes a relationship go dark, in days.",
					&min_silence_text, "14", check_wait, assign_min_silence);
	define_duration("relintel.answer_wait", "Time after which an unanswered email raises an alert, in days.",
					&answer_wait_text, "5", check_wait, assign_answer_wait);

	define_weight("relintel.weight_email", "Weight of an email.", &relintel_weight_email, 1.0);
	define_weight("relintel.weight_call", "Weight of a call.", &relintel_weight_call, 2.0);
	define_weight("relintel.weight_meeting", "Weight of a meeting.", &relintel_weight_meeting, 3.0);

	DefineCustomIntVariable("relintel.good_score", "Lowest score whose status is good.", NULL,
							&relintel_good_score, 60, 0, 100, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("relintel.fair_score", "Lowest score whose status is fair.", NULL,
							&relintel_fair_score, 40, 0, 100, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("relintel.min_tie_strength", "Lowest tie strength at which a colleague knows someone.", NULL,
							&relintel_min_tie_strength, 5, 0, 100, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("relintel.max_tie_participants",
							"Interactions with more participants are mass mail and build no tie.", NULL,
							&relintel_max_tie_participants, 10, 2, 100000, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("relintel.dark_factor",
							 "A silence longer than this many usual gaps makes a relationship go dark.", NULL,
							 &relintel_dark_factor, 8.0, 1.0, 1000.0, PGC_USERSET, 0, NULL, NULL, NULL);

	MarkGUCPrefixReserved("relintel");
}

/* A setting of relintel by its short name, as a number (durations in days). */
typedef struct NamedSetting
{
	const char *name;			/* name without the "relintel." prefix */
	const double *real_value;	/* the value when it is a real setting */
	const int  *int_value;		/* the value when it is an integer setting */
} NamedSetting;

static const NamedSetting named_settings[] = {
	{"health_half_life", &relintel_health_half_life, NULL},
	{"tie_half_life", &relintel_tie_half_life, NULL},
	{"weight_email", &relintel_weight_email, NULL},
	{"weight_call", &relintel_weight_call, NULL},
	{"weight_meeting", &relintel_weight_meeting, NULL},
	{"good_score", NULL, &relintel_good_score},
	{"fair_score", NULL, &relintel_fair_score},
	{"min_tie_strength", NULL, &relintel_min_tie_strength},
	{"max_tie_participants", NULL, &relintel_max_tie_participants},
	{"min_silence", &relintel_min_silence, NULL},
	{"dark_factor", &relintel_dark_factor, NULL},
	{"answer_wait", &relintel_answer_wait, NULL},
};

PG_FUNCTION_INFO_V1(relintel_setting);

/* relintel.setting(name): a setting's current value; loads the module, unlike current_setting(). */
Datum
relintel_setting(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const char *short_name = name;

	if (strncmp(name, "relintel.", 9) == 0)
		short_name = name + 9;
	for (size_t i = 0; i < lengthof(named_settings); i++)
	{
		if (strcmp(short_name, named_settings[i].name) != 0)
			continue;
		if (named_settings[i].real_value != NULL)
			PG_RETURN_FLOAT8(*named_settings[i].real_value);
		PG_RETURN_FLOAT8((double) *named_settings[i].int_value);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown relintel setting: \"%s\"", name)));
	PG_RETURN_NULL();
}
