/*
 * id_set.c
 *    relintel.id_set(bigint[]): the interactions of a maintenance statement
 *    as rows, and the planner's estimate of how many there are.
 *
 * The rules (30_membership.sql) read the set of interactions they work on
 * through id_set.  A plan made for a known array (a one-shot or custom plan,
 * the array folded to a constant) estimates the array's length, as unnest
 * does.  A plan made for no particular array (the generic plans that
 * maintain() keeps for small sets) estimates one row: unnest would estimate
 * ten, and ten interactions with ten participants each make hashing a whole
 * 20,000-row contact table look cheaper than probing its index, which is
 * what one interaction needs.
 */
#include "relintel.h"

#include "funcapi.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "utils/array.h"

/* What id_set keeps between the calls that return its rows. */
typedef struct IdSetScan
{
	Datum	   *ids;			/* the array's elements */
	bool	   *nulls;			/* which of them are NULL */
	int			count;			/* how many elements */
	int			next;			/* the element returned next */
} IdSetScan;

PG_FUNCTION_INFO_V1(relintel_id_set);

/* id_set(ids): each element of ids as a row, in order (as unnest). */
Datum
relintel_id_set(PG_FUNCTION_ARGS)
{
	FuncCallContext *call;
	IdSetScan  *scan;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext caller_context;
		ArrayType  *ids;

		call = SRF_FIRSTCALL_INIT();
		caller_context = MemoryContextSwitchTo(call->multi_call_memory_ctx);
		ids = PG_GETARG_ARRAYTYPE_P_COPY(0);
		scan = palloc0(sizeof(IdSetScan));
		deconstruct_array(ids, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &scan->ids, &scan->nulls, &scan->count);
		call->user_fctx = scan;
		MemoryContextSwitchTo(caller_context);
	}
	call = SRF_PERCALL_SETUP();
	scan = (IdSetScan *) call->user_fctx;
	if (scan->next < scan->count)
	{
		int			element = scan->next++;

		if (scan->nulls[element])
			SRF_RETURN_NEXT_NULL(call);
		SRF_RETURN_NEXT(call, scan->ids[element]);
	}
	SRF_RETURN_DONE(call);
}

PG_FUNCTION_INFO_V1(relintel_id_set_support);

/* The planner's support of id_set: rows = the length of a constant array, else 1. */
Datum
relintel_id_set_support(PG_FUNCTION_ARGS)
{
	Node	   *request = (Node *) PG_GETARG_POINTER(0);
	SupportRequestRows *rows_request;
	Node	   *ids;

	if (!IsA(request, SupportRequestRows))
		PG_RETURN_POINTER(NULL);
	rows_request = (SupportRequestRows *) request;
	if (!is_funcclause(rows_request->node) || list_length(((FuncExpr *) rows_request->node)->args) != 1)
		PG_RETURN_POINTER(NULL);
	ids = linitial(((FuncExpr *) rows_request->node)->args);
	if (IsA(ids, Const) && ((Const *) ids)->constisnull)
		rows_request->rows = 0;
	else if (IsA(ids, Const))
	{
		ArrayType  *array = DatumGetArrayTypeP(((Const *) ids)->constvalue);

		rows_request->rows = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	}
	else
		rows_request->rows = 1;
	PG_RETURN_POINTER(rows_request);
}
