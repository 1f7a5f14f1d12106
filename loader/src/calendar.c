/*
 * calendar.c: meetings from iCalendar files, parsed with libical. Each
 * VEVENT with an organizer and attendees becomes a meeting; a recurring
 * event becomes one meeting per occurrence within the recurrence window,
 * each with the id "UID/instant" (instant in UTC, as its RECURRENCE-ID would
 * give). Recurring events are kept until every input has been read, since
 * the default window is the span of the data's dates plus one year; their
 * expansion is bounded by the window and by a cap per event.
 */
#include "relintel_load.h"

#include <libical/ical.h>
#include <string.h>

#define SECONDS_PER_DAY 86400
#define MAX_DURATION_SECONDS G_MAXINT32	/* libical's own arithmetic is int */
#define INSTANCES_PER_OCCURRENCE 100	/* instances of a rule looked at per occurrence allowed */

/* What the events of one VCALENDAR share while they are turned into rows. */
typedef struct
{
	const Options *options;
	Origin		origin;
	GHashTable *overridden;		/* "UID\ninstant" of occurrences given by their own VEVENT */
	Interaction row;			/* the event being expanded */
} CalendarContext;

/* A recurring event (or an occurrence given by its own VEVENT) kept until
 * the window is known. */
typedef struct
{
	icalcomponent *event;		/* inside a calendar kept in deferred.roots */
	Origin		origin;
	GHashTable *overridden;		/* of its VCALENDAR (a reference) */
} DeferredEvent;

static struct
{
	GPtrArray  *roots;			/* parsed files that hold deferred events */
	GPtrArray  *paths;			/* their paths, for the origins */
	GPtrArray  *events;			/* DeferredEvent, in input order */
} deferred;

/* The expansion of one recurring event under way. */
typedef struct
{
	CalendarContext *context;
	const char *uid;
	gint64		start;			/* its DTSTART */
	long		emitted;
	bool		capped;			/* an occurrence beyond the cap was left out */
} Expansion;

/* Seconds since the epoch of an iCalendar date-time: in its own time zone
 * (TZID resolved through VTIMEZONE or the system's zones), UTC when it ends
 * in Z, and UTC too when it is floating (no zone at all). */
static gint64
instant_of(struct icaltimetype time)
{
	const icaltimezone *zone = icaltime_get_timezone(time);

	if (zone == NULL)
		zone = icaltimezone_get_utc_timezone();
	return (gint64) icaltime_as_timet_with_zone(time, zone);
}

/* The RECURRENCE-ID of an event with its TZID resolved (libical's own
 * getter leaves it floating), or the null time when it has none. */
static struct icaltimetype
recurrence_id_of(icalcomponent *event)
{
	icalproperty *property = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY);

	if (property == NULL)
		return icaltime_null_time();
	return icalproperty_get_datetime_with_component(property, event);
}

/* The UTC form of an instant used in occurrence ids: 20240102T150000Z. */
static char *
instant_text(gint64 seconds)
{
	GDateTime  *time = g_date_time_new_from_unix_utc(seconds);
	char	   *text = g_date_time_format(time, "%Y%m%dT%H%M%SZ");

	g_date_time_unref(time);
	return text;
}

/* The address of a calendar user as written, without its "mailto:" (a
 * URI scheme, not part of the address); NULL when there is none. */
static const char *
calendar_user_raw(const char *value)
{
	if (value != NULL && g_ascii_strncasecmp(value, "mailto:", 7) == 0)
		value += 7;
	return value;
}

/* The normalized address of a calendar user ("mailto:Ann@X.com" gives
 * ann@x.com), a new string; NULL when there is none or the server's rule
 * refuses it. */
static char *
calendar_user_address(const char *value)
{
	const char *raw = calendar_user_raw(value);

	return raw != NULL ? g_strdup(addresses_lookup(raw)) : NULL;
}

/* True when an attendee did not take part as a person: declined, or a room
 * or other resource. */
static bool
attendee_is_absent(icalproperty *attendee)
{
	icalparameter *partstat = icalproperty_get_first_parameter(attendee, ICAL_PARTSTAT_PARAMETER);
	icalparameter *cutype = icalproperty_get_first_parameter(attendee, ICAL_CUTYPE_PARAMETER);

	if (partstat != NULL && icalparameter_get_partstat(partstat) == ICAL_PARTSTAT_DECLINED)
		return true;
	return cutype != NULL && (icalparameter_get_cutype(cutype) == ICAL_CUTYPE_ROOM ||
							  icalparameter_get_cutype(cutype) == ICAL_CUTYPE_RESOURCE);
}

/* Key of an occurrence for the set of overridden occurrences. */
static char *
occurrence_key(const char *uid, gint64 instant)
{
	return g_strdup_printf("%s\n%" G_GINT64_FORMAT, uid, instant);
}

/* Hand the event in context->row to the output with the given start and
 * id (which this frees); a NULL id (no UID) is replaced by a synthetic one. */
static void
emit_occurrence(CalendarContext *context, gint64 start, char *message_id)
{
	context->row.occurred_at = start;
	context->row.message_id = message_id ? message_id
		: interaction_synthetic_id(&context->row);
	counters.occurrences++;
	output_accept(&context->row, &context->origin);
	g_free(context->row.message_id);
	context->row.message_id = NULL;
}

/* Take one occurrence of a recurring event starting at instant: loaded
 * when it lies in the window and is not given by its own VEVENT; false
 * once the cap is reached and this occurrence is left out. */
static bool
expansion_take(Expansion *expansion, gint64 instant)
{
	CalendarContext *context = expansion->context;
	const Options *options = context->options;
	char	   *key;
	char	   *instant_id;
	bool		overridden;

	if (instant + context->row.duration < options->window_start || instant > options->window_end)
		return true;
	key = occurrence_key(expansion->uid, instant);
	overridden = g_hash_table_contains(context->overridden, key);
	g_free(key);
	if (overridden)
		return true;
	if (expansion->emitted >= options->max_occurrences)
	{
		expansion->capped = true;
		return false;
	}
	instant_id = instant_text(instant);
	emit_occurrence(context, instant, g_strdup_printf("%s/%s", expansion->uid, instant_id));
	g_free(instant_id);
	expansion->emitted++;
	return true;
}

/* Walk one RRULE of an event from its DTSTART (or from the window's start,
 * where libical can jump there: rules without COUNT), up to the window's
 * end, the cap, or INSTANCES_PER_OCCURRENCE times the cap instances. */
static void
expand_rule(Expansion *expansion, icalcomponent *event, icalproperty *rule,
			struct icaltimetype start)
{
	const Options *options = expansion->context->options;
	icalrecur_iterator *iterator = icalrecur_iterator_new(icalproperty_get_rrule(rule), start);
	gint64		instances = 0;
	struct icaltimetype time;

	if (iterator == NULL)
		return;
	if (options->window_start > expansion->start)
	{
		const icaltimezone *zone = icaltime_get_timezone(start);
		struct icaltimetype from = icaltime_from_timet_with_zone((time_t) options->window_start, 0,
																 icaltimezone_get_utc_timezone());

		if (zone != NULL)
			from = icaltime_convert_to_zone(from, (icaltimezone *) zone);
		else
			from.zone = NULL;
		icalrecur_iterator_set_start(iterator, from);	/* refused with COUNT: then walk */
	}
	for (time = icalrecur_iterator_next(iterator); !icaltime_is_null_time(time);
		 time = icalrecur_iterator_next(iterator))
	{
		gint64		instant;

		if (++instances > INSTANCES_PER_OCCURRENCE * options->max_occurrences)
		{
			expansion->capped = true;
			break;
		}
		if (time.zone == NULL)
			time.zone = start.zone;
		instant = instant_of(time);
		if (instant > options->window_end)
		{
			counters.cut_at_window++;
			break;
		}
		if (instant == expansion->start ||
			icalproperty_recurrence_is_excluded(event, &start, &time))
			continue;
		if (!expansion_take(expansion, instant))
			break;
	}
	icalrecur_iterator_free(iterator);
}

/* Load the occurrences of a recurring event within the window: DTSTART,
 * each RRULE, each RDATE, less EXDATEs and occurrences given by their own
 * VEVENT; at most options->max_occurrences, the cut reported. */
static void
expand_event(CalendarContext *context, icalcomponent *event, struct icaltimetype start,
			 gint64 start_instant)
{
	Expansion	expansion = {.context = context, .uid = icalcomponent_get_uid(event),
	.start = start_instant};
	icalproperty *property;
	long		cut_before = counters.cut_at_window;

	counters.recurring_expanded++;
	if (!icalproperty_recurrence_is_excluded(event, &start, &start))
		expansion_take(&expansion, start_instant);
	for (property = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY);
		 property != NULL && !expansion.capped;
		 property = icalcomponent_get_next_property(event, ICAL_RRULE_PROPERTY))
		expand_rule(&expansion, event, property, start);
	for (property = icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY);
		 property != NULL && !expansion.capped;
		 property = icalcomponent_get_next_property(event, ICAL_RDATE_PROPERTY))
	{
		struct icaldatetimeperiodtype date = icalproperty_get_rdate(property);
		struct icaltimetype time = icaltime_is_null_time(date.time) ? date.period.start
			: icalproperty_get_datetime_with_component(property, event);

		if (icaltime_is_null_time(time) || time.is_date)
			continue;
		if (time.zone == NULL)
			time.zone = start.zone;
		if (!icalproperty_recurrence_is_excluded(event, &start, &time))
			expansion_take(&expansion, instant_of(time));
	}
	if (counters.cut_at_window > cut_before + 1)
		counters.cut_at_window = cut_before + 1;	/* once per event */
	if (expansion.capped)
		report_cut(&context->origin, expansion.uid, context->options->max_occurrences);
}

/* Seconds of an iCalendar duration, added up in 64 bits (each part is an
 * unsigned int, so the sum cannot overflow). */
static gint64
duration_seconds(struct icaldurationtype duration)
{
	gint64		seconds = (gint64) duration.weeks * 7 * SECONDS_PER_DAY +
		(gint64) duration.days * SECONDS_PER_DAY + (gint64) duration.hours * 3600 +
		(gint64) duration.minutes * 60 + (gint64) duration.seconds;

	return duration.is_neg ? -seconds : seconds;
}

/* The length of an event: DURATION, else DTEND - DTSTART, else 0 (RFC
 * 5545). Its DURATION is read here, never added by libical, whose int
 * arithmetic overflows for P2147483647D. */
static gint64
event_duration(icalcomponent *event, gint64 start)
{
	icalproperty *duration = icalcomponent_get_first_property(event, ICAL_DURATION_PROPERTY);
	icalproperty *end = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY);

	if (duration != NULL)
		return duration_seconds(icalproperty_get_duration(duration));
	if (end != NULL)
	{
		struct icaltimetype end_time = icalproperty_get_datetime_with_component(end, event);

		if (!icaltime_is_null_time(end_time))
			return instant_of(end_time) - start;
	}
	return 0;
}

/* Fill context->row with what all occurrences of an event share (organizer,
 * attendees, summary, duration); false when the event is skipped, which
 * is then counted. */
static bool
event_prepare(CalendarContext *context, icalcomponent *event, gint64 start)
{
	Interaction *row = &context->row;
	icalproperty *attendee;
	const char *summary = icalcomponent_get_summary(event);
	GHashTable *seen;
	guint		i;

	*row = (Interaction) {.kind = KIND_MEETING};
	row->sender = calendar_user_address(icalproperty_get_organizer(
		icalcomponent_get_first_property(event, ICAL_ORGANIZER_PROPERTY)));
	if (row->sender == NULL)
	{
		report_skip(SKIP_NO_SENDER);
		return false;
	}
	if (sender_matches_pattern(row->sender))
	{
		report_skip(SKIP_SENDER_PATTERN);
		return false;
	}
	row->recipients = g_ptr_array_new_with_free_func(g_free);
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (attendee = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY);
		 attendee != NULL;
		 attendee = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY))
	{
		const char *value = icalproperty_get_attendee(attendee);

		if (value == NULL || attendee_is_absent(attendee))
			continue;
		address_list_add(row->recipients, seen, calendar_user_raw(value));
	}
	g_hash_table_destroy(seen);
	for (i = 0; i < row->recipients->len; i++)
		if (strcmp(g_ptr_array_index(row->recipients, i), row->sender) == 0)
		{
			g_ptr_array_remove_index(row->recipients, i);
			break;
		}
	if (row->recipients->len == 0)
	{
		report_skip(SKIP_NO_RECIPIENT);
		return false;
	}
	row->duration = event_duration(event, start);
	if (row->duration > MAX_DURATION_SECONDS)
	{
		report_malformed(&context->origin, "duration out of range: %" G_GINT64_FORMAT
						 " seconds, more than %d", row->duration, MAX_DURATION_SECONDS);
		return false;
	}
	if (row->duration < 0)
	{
		report_malformed(&context->origin, "event ends before it starts");
		return false;
	}
	if (summary != NULL)
	{
		row->subject = g_utf8_make_valid(summary, -1);
		text_sanitize(row->subject);
	}
	return true;
}

/* The lists that keep deferred events and their files, made on first use;
 * returns the kept copy of path, which lives until the events are loaded. */
static const char *
deferred_keep_path(const char *path)
{
	if (deferred.events == NULL)
	{
		deferred.roots = g_ptr_array_new_with_free_func((GDestroyNotify) icalcomponent_free);
		deferred.paths = g_ptr_array_new_with_free_func(g_free);
		deferred.events = g_ptr_array_new();
	}
	g_ptr_array_add(deferred.paths, g_strdup(path));
	return g_ptr_array_index(deferred.paths, deferred.paths->len - 1);
}

/* Keep a recurring event, or an occurrence given by its own VEVENT, until
 * the window is known (calendar_expand_recurring). */
static void
defer_event(CalendarContext *context, icalcomponent *event)
{
	DeferredEvent *kept = g_new0(DeferredEvent, 1);

	kept->event = event;
	kept->origin = context->origin;
	kept->overridden = g_hash_table_ref(context->overridden);
	g_ptr_array_add(deferred.events, kept);
}

/* Turn one VEVENT into meetings, or count why not; recurring events and
 * occurrences given by their own VEVENT are deferred (true), their DTSTART
 * counted in the data's span. */
static bool
load_event(CalendarContext *context, icalcomponent *event, bool calendar_cancelled)
{
	struct icaltimetype start = icalcomponent_get_dtstart(event);
	struct icaltimetype recurrence_id = recurrence_id_of(event);
	const char *uid = icalcomponent_get_uid(event);
	bool		recurring = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY) != NULL ||
		icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY) != NULL;
	gint64		start_instant;

	counters.events++;
	if (calendar_cancelled || icalcomponent_get_status(event) == ICAL_STATUS_CANCELLED)
	{
		report_skip(SKIP_CANCELLED);
		return false;
	}
	if (icaltime_is_null_time(start))
	{
		report_malformed(&context->origin, "event without DTSTART");
		return false;
	}
	if (start.is_date)
	{
		report_skip(SKIP_ALL_DAY);
		return false;
	}
	if (!year_possible(start.year))
	{
		report_malformed(&context->origin, "impossible year %d in DTSTART (before %d or after %d)",
						 start.year, MIN_POSSIBLE_YEAR, MAX_POSSIBLE_YEAR);
		return false;
	}
	start_instant = instant_of(start);
	if (uid != NULL && uid[0] != '\0' && (recurring || !icaltime_is_null_time(recurrence_id)))
	{
		data_span_add(start_instant);
		defer_event(context, event);
		return true;
	}
	if (event_prepare(context, event, start_instant))
	{
		emit_occurrence(context, start_instant, uid != NULL && uid[0] != '\0' ? g_strdup(uid) : NULL);
		output_item_end();
	}
	interaction_clear(&context->row);
	return false;
}

/* Turn a deferred event into meetings within the window: an occurrence
 * given by its own VEVENT, or every occurrence of a recurring event (one
 * item: loaded in one batch). */
static void
load_deferred_event(CalendarContext *context, icalcomponent *event)
{
	struct icaltimetype start = icalcomponent_get_dtstart(event);
	struct icaltimetype recurrence_id = recurrence_id_of(event);
	const char *uid = icalcomponent_get_uid(event);
	gint64		start_instant = instant_of(start);

	if (!event_prepare(context, event, start_instant))
	{
		interaction_clear(&context->row);
		return;
	}
	if (!icaltime_is_null_time(recurrence_id))
	{
		/* an occurrence given by its own VEVENT: in the window like the rest */
		char	   *instant = instant_text(instant_of(recurrence_id));

		if (start_instant <= context->options->window_end &&
			start_instant + context->row.duration >= context->options->window_start)
			emit_occurrence(context, start_instant, g_strdup_printf("%s/%s", uid, instant));
		g_free(instant);
	}
	else
		expand_event(context, event, start, start_instant);
	output_item_end();
	interaction_clear(&context->row);
}

/* Once every input is read: settle the recurrence window (unless given,
 * the data's span plus one year) and load the deferred events. */
void
calendar_expand_recurring(const Options *options)
{
	CalendarContext context = {.options = options};
	Options		window = *options;
	guint		i;

	if (!options->window_given && counters.span_known)
	{
		window.window_start = counters.span_first;
		window.window_end = counters.span_last + 365 * (gint64) SECONDS_PER_DAY;
	}
	context.options = &window;
	counters.window_given = options->window_given;
	counters.window_start = window.window_start;
	counters.window_end = window.window_end;
	counters.max_occurrences = options->max_occurrences;
	for (i = 0; deferred.events != NULL && i < deferred.events->len && !output_failed(); i++)
	{
		DeferredEvent *kept = g_ptr_array_index(deferred.events, i);

		context.origin = kept->origin;
		context.overridden = kept->overridden;
		load_deferred_event(&context, kept->event);
		progress_update(0);
	}
	for (i = 0; deferred.events != NULL && i < deferred.events->len; i++)
	{
		DeferredEvent *kept = g_ptr_array_index(deferred.events, i);

		g_hash_table_unref(kept->overridden);
		g_free(kept);
	}
	if (deferred.events != NULL)
	{
		g_ptr_array_free(deferred.events, TRUE);
		g_ptr_array_free(deferred.roots, TRUE);
		g_ptr_array_free(deferred.paths, TRUE);
	}
	memset(&deferred, 0, sizeof deferred);
}

/* Remember the occurrences of recurring events that a VEVENT with a
 * RECURRENCE-ID replaces (moved, changed or cancelled). */
static GHashTable *
collect_overridden(icalcomponent *calendar)
{
	GHashTable *overridden = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	icalcomponent *event;

	for (event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
		 event != NULL;
		 event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
	{
		struct icaltimetype recurrence_id = recurrence_id_of(event);
		const char *uid = icalcomponent_get_uid(event);

		if (uid != NULL && !icaltime_is_null_time(recurrence_id))
			g_hash_table_add(overridden, occurrence_key(uid, instant_of(recurrence_id)));
	}
	return overridden;
}

/* Ask the server, in one query, for the normalized forms of the organizers
 * and attendees of every event of a VCALENDAR; false when the load stopped. */
static bool
resolve_calendar_users(icalcomponent *calendar)
{
	icalcomponent *event;
	icalproperty *property;
	const char *raw;

	for (event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
		 event != NULL;
		 event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
	{
		for (property = icalcomponent_get_first_property(event, ICAL_ORGANIZER_PROPERTY);
			 property != NULL;
			 property = icalcomponent_get_next_property(event, ICAL_ORGANIZER_PROPERTY))
			if ((raw = calendar_user_raw(icalproperty_get_organizer(property))) != NULL)
				addresses_request(raw);
		for (property = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY);
			 property != NULL;
			 property = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY))
			if ((raw = calendar_user_raw(icalproperty_get_attendee(property))) != NULL)
				addresses_request(raw);
	}
	return !output_failed() && addresses_resolve();
}

/* Load the events of one VCALENDAR (true when some are kept for later:
 * calendar_expand_recurring). METHOD:CANCEL cancels them all; a reply
 * or counter-proposal (METHOD REPLY, REFRESH, COUNTER, DECLINECOUNTER)
 * carries only the answering attendee and is not a meeting of its own. */
static bool
load_vcalendar(CalendarContext *context, icalcomponent *calendar)
{
	bool		kept = false;
	icalproperty_method method = icalcomponent_get_method(calendar);
	bool		is_reply = method == ICAL_METHOD_REPLY || method == ICAL_METHOD_REFRESH ||
		method == ICAL_METHOD_COUNTER || method == ICAL_METHOD_DECLINECOUNTER;
	icalcomponent *event;

	if (!resolve_calendar_users(calendar))
		return false;
	context->overridden = collect_overridden(calendar);
	for (event = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
		 event != NULL;
		 event = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
	{
		context->origin.item_number++;
		if (is_reply)
		{
			counters.events++;
			report_skip(SKIP_CALENDAR_REPLY);
		}
		else
			kept |= load_event(context, event, method == ICAL_METHOD_CANCEL);
		progress_update(0);
	}
	g_hash_table_unref(context->overridden);
	context->overridden = NULL;
	return kept;
}

/* Load every event of an iCalendar file (one or more VCALENDARs). */
void
calendar_load_file(const InputFile *file, const Options *options)
{
	CalendarContext context = {.options = options,
	.origin = {.path = file->path, .byte_offset = -1, .item_name = "event"}};
	char	   *contents = NULL;
	GError	   *error = NULL;
	icalcomponent *root;
	icalcomponent *calendar;
	bool		kept = false;

	if (!g_file_get_contents(file->path, &contents, NULL, &error))
	{
		report_warning("cannot read %s: %s", file->path, error->message);
		counters.files_unreadable++;
		g_error_free(error);
		return;
	}
	counters.files++;
	context.origin.path = deferred_keep_path(file->path);
	root = icalparser_parse_string(contents);
	g_free(contents);
	if (root != NULL && icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		kept = load_vcalendar(&context, root);
	else if (root != NULL && icalcomponent_isa(root) == ICAL_XROOT_COMPONENT)
		for (calendar = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
			 calendar != NULL;
			 calendar = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
			kept |= load_vcalendar(&context, calendar);
	else
	{
		Origin		origin = {.path = file->path, .byte_offset = -1, .item_number = 1,
		.item_name = "calendar"};

		report_malformed(&origin, "no VCALENDAR in the file");
	}
	if (kept)
		g_ptr_array_add(deferred.roots, root);
	else if (root != NULL)
		icalcomponent_free(root);
	progress_file_done(file->size);
}
