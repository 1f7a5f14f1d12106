-- ===========================================================================
-- 15_rollup.sql: merge as an aggregate, for rolling stored states up
--
-- relintel.merge(state) folds a column of states of one type into one, with
-- the two-argument merge() as both its transition and its combine function:
-- per-day or per-shard states roll up to accounts in one GROUP BY, serially
-- or in parallel, and a distributed engine combines partial states with it.
-- Merging the states of disjoint sets of interactions gives the state of
-- their union (the aggregates' own combine), so merge(health_agg by day)
-- over the days equals health_agg over all the rows (sql/rollup.sql).
-- ===========================================================================

CREATE AGGREGATE relintel.merge(relintel.health_state) (
    SFUNC = relintel.merge,
    STYPE = relintel.health_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.merge(relintel.health_state) IS
    'health_state of the union of the interactions of the states merged (NULLs are empty states)';

CREATE AGGREGATE relintel.merge(relintel.tie_state) (
    SFUNC = relintel.merge,
    STYPE = relintel.tie_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.merge(relintel.tie_state) IS
    'tie_state of the union of the interactions of the states merged (NULLs are empty states)';

CREATE AGGREGATE relintel.merge(relintel.trend_state) (
    SFUNC = relintel.merge,
    STYPE = relintel.trend_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.merge(relintel.trend_state) IS
    'weekly series of the union of the points of the series merged (NULLs are empty series)';
