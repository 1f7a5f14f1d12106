/*
 * drop_guard.c
 *    The event trigger that keeps DROP EXTENSION relintel from deleting the
 *    customer's rows without being told to.
 *
 * The CRM tables are members of the extension (its functions are bound to
 * them when they are created), so PostgreSQL would drop them, rows and all,
 * with the extension.  Before a DROP EXTENSION that names relintel and does
 * not say CASCADE, this trigger asks relintel.tables_holding_rows() which of
 * the tables pg_dump backs up hold rows, and refuses (SQLSTATE 2BP01,
 * dependent_objects_still_exist) when any does.  DROP EXTENSION relintel
 * CASCADE drops them as asked.
 */
#include "relintel.h"

#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

/* Whether a DROP statement drops the extension relintel without CASCADE. */
static bool
drops_relintel_without_cascade(const DropStmt *drop)
{
	ListCell   *cell;

	if (drop->removeType != OBJECT_EXTENSION || drop->behavior == DROP_CASCADE)
		return false;
	foreach(cell, drop->objects)
	{
		if (strcmp(strVal(lfirst(cell)), "relintel") == 0)
			return true;
	}
	return false;
}

/* The tables backed up by pg_dump that hold rows, as a list, or NULL. */
static char *
tables_holding_rows(void)
{
	MemoryContext caller_context = CurrentMemoryContext;
	char	   *tables = NULL;
	bool		is_null;
	Datum		value;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "relintel: SPI_connect failed");
	if (SPI_execute("SELECT relintel.tables_holding_rows()", true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "relintel: could not list the tables holding rows");
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
	if (!is_null)
		tables = MemoryContextStrdup(caller_context, TextDatumGetCString(value));
	SPI_finish();
	return tables;
}

PG_FUNCTION_INFO_V1(relintel_guard_drop);

/* Event trigger (ddl_command_start, DROP EXTENSION): refuse to drop relintel's rows without CASCADE. */
Datum
relintel_guard_drop(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigger_data;
	char	   *tables;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("relintel.guard_drop() must be called by an event trigger")));
	trigger_data = (EventTriggerData *) fcinfo->context;
	if (trigger_data->parsetree == NULL || !IsA(trigger_data->parsetree, DropStmt) ||
		!drops_relintel_without_cascade((DropStmt *) trigger_data->parsetree))
		PG_RETURN_VOID();

	tables = tables_holding_rows();
	if (tables != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop extension relintel because its tables hold the customer's rows"),
				 errdetail("Tables with rows: %s.", tables),
				 errhint("Back them up with pg_dump first; DROP EXTENSION relintel CASCADE deletes them.")));
	PG_RETURN_VOID();
}
