/*
 * calendar.c: meetings from iCalendar files, parsed with libical. Each
 * VEVENT with an organizer and attendees becomes a meeting; a recurring
 * event becomes one meeting per occurrence within the --window, each with
 * the id "UID/instant" (instant in UTC, as its RECURRENCE-ID would give).
 */
#include "relintel_load.h"

#include <libical/ical.h>
#include <string.h>

/* What the events of one VCALENDAR share while they are turned into rows. */
typedef struct
{
	const Options *options;
	Origin		origin;
	GHashTable *overridden;		/* "UID\ninstant" of occurrences given by their own VEVENT */
	Interaction row;			/* the event being expanded */
} CalendarContext;

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

/* libical callback for each occurrence of a recurring event in the window. */
static void
emit_recurrence(icalcomponent *event, struct icaltime_span *span, void *data)
{
	CalendarContext *context = data;
	const char *uid = icalcomponent_get_uid(event);
	char	   *key = occurrence_key(uid, span->start);
	char	   *instant;

	if (!g_hash_table_contains(context->overridden, key))
	{
		instant = instant_text(span->start);
		emit_occurrence(context, span->start, g_strdup_printf("%s/%s", uid, instant));
		g_free(instant);
	}
	g_free(key);
}

/* Fill context->row with what all occurrences of an event share (organizer,
 * attendees, summary, duration); false when the event is skipped, which
 * is then counted. */
static bool
event_prepare(CalendarContext *context, icalcomponent *event, gint64 start)
{
	Interaction *row = &context->row;
	icalproperty *attendee;
	struct icaltimetype end = icalcomponent_get_dtend(event);
	const char *summary = icalcomponent_get_summary(event);
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
	for (attendee = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY);
		 attendee != NULL;
		 attendee = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY))
	{
		const char *value = icalproperty_get_attendee(attendee);

		if (value == NULL || attendee_is_absent(attendee))
			continue;
		address_list_add(row->recipients, calendar_user_raw(value));
	}
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
	row->duration = icaltime_is_null_time(end) ? 0 : instant_of(end) - start;
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

/* Turn one VEVENT into meetings, or count why not. */
static void
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
		return;
	}
	if (icaltime_is_null_time(start))
	{
		report_malformed(&context->origin, "event without DTSTART");
		return;
	}
	if (start.is_date)
	{
		report_skip(SKIP_ALL_DAY);
		return;
	}
	start_instant = instant_of(start);
	if (!event_prepare(context, event, start_instant))
	{
		interaction_clear(&context->row);
		return;
	}
	if (uid == NULL || uid[0] == '\0')
		emit_occurrence(context, start_instant, NULL);
	else if (!icaltime_is_null_time(recurrence_id))
	{
		/* an occurrence given by its own VEVENT: in the window like the rest */
		char	   *instant = instant_text(instant_of(recurrence_id));

		if (start_instant <= context->options->window_end &&
			start_instant + context->row.duration >= context->options->window_start)
			emit_occurrence(context, start_instant, g_strdup_printf("%s/%s", uid, instant));
		g_free(instant);
	}
	else if (recurring)
	{
		icaltimezone *utc = icaltimezone_get_utc_timezone();

		icalcomponent_foreach_recurrence(event,
										 icaltime_from_timet_with_zone((time_t) context->options->window_start, 0, utc),
										 icaltime_from_timet_with_zone((time_t) context->options->window_end, 0, utc),
										 emit_recurrence, context);
	}
	else
		emit_occurrence(context, start_instant, g_strdup(uid));
	interaction_clear(&context->row);
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

/* Load the events of one VCALENDAR. METHOD:CANCEL cancels them all; a reply
 * or counter-proposal (METHOD REPLY, REFRESH, COUNTER, DECLINECOUNTER)
 * carries only the answering attendee and is not a meeting of its own. */
static void
load_vcalendar(CalendarContext *context, icalcomponent *calendar)
{
	icalproperty_method method = icalcomponent_get_method(calendar);
	bool		is_reply = method == ICAL_METHOD_REPLY || method == ICAL_METHOD_REFRESH ||
		method == ICAL_METHOD_COUNTER || method == ICAL_METHOD_DECLINECOUNTER;
	icalcomponent *event;

	if (!resolve_calendar_users(calendar))
		return;
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
			load_event(context, event, method == ICAL_METHOD_CANCEL);
		progress_update(0);
	}
	g_hash_table_destroy(context->overridden);
	context->overridden = NULL;
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

	if (!g_file_get_contents(file->path, &contents, NULL, &error))
	{
		report_warning("cannot read %s: %s", file->path, error->message);
		counters.files_unreadable++;
		g_error_free(error);
		return;
	}
	counters.files++;
	root = icalparser_parse_string(contents);
	g_free(contents);
	if (root != NULL && icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		load_vcalendar(&context, root);
	else if (root != NULL && icalcomponent_isa(root) == ICAL_XROOT_COMPONENT)
		for (calendar = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
			 calendar != NULL;
			 calendar = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
			load_vcalendar(&context, calendar);
	else
	{
		Origin		origin = {.path = file->path, .byte_offset = -1, .item_number = 1,
		.item_name = "calendar"};

		report_malformed(&origin, "no VCALENDAR in the file");
	}
	if (root != NULL)
		icalcomponent_free(root);
	progress_file_done(file->size);
}
