-------------------------------------------------------------------------------
-- Core: enums, state types, aggregates and the functions that read states.
-- Everything here is implemented in C (src/*.c); this section only declares it.
-------------------------------------------------------------------------------

-- Enums ----------------------------------------------------------------------

CREATE TYPE relintel.interaction_kind AS ENUM ('email', 'meeting', 'call');
COMMENT ON TYPE relintel.interaction_kind IS 'Kind of an interaction: email, meeting or call';

CREATE TYPE relintel.entity_type AS ENUM ('account', 'contact', 'lead', 'opportunity');
COMMENT ON TYPE relintel.entity_type IS 'CRM record types whose relationship health relintel computes';

CREATE TYPE relintel.health_status AS ENUM ('good', 'fair', 'poor', 'insufficient');
COMMENT ON TYPE relintel.health_status IS 'Health band of a score; insufficient with fewer than 3 interactions';

CREATE TYPE relintel.health_trend AS ENUM ('improving', 'steady', 'declining');
COMMENT ON TYPE relintel.health_trend IS 'Direction of the weekly activity over the last 12 complete weeks';

-- Settings and addresses -----------------------------------------------------

CREATE FUNCTION relintel.setting(name text) RETURNS float8
    AS 'MODULE_PATHNAME', 'relintel_setting'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.setting(text) IS
    'Current value of a relintel setting as a number (durations in days); loads the module, unlike current_setting()';

CREATE FUNCTION relintel.normalize_address(address text) RETURNS text
    AS 'MODULE_PATHNAME', 'relintel_normalize_address'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.normalize_address(text) IS
    'Normalized email address: display name and angle brackets removed, trimmed, lower-cased; invalid addresses raise 22023';

CREATE FUNCTION relintel.address_domain(address text) RETURNS text
    AS 'MODULE_PATHNAME', 'relintel_address_domain'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.address_domain(text) IS
    'Domain of a normalized address (the part after the last @), NULL without @';

-- State types ----------------------------------------------------------------
-- Each is a fixed-size varlena with a leading version byte, text and binary I/O.

CREATE TYPE relintel.health_state;
CREATE FUNCTION relintel.health_state_in(cstring) RETURNS relintel.health_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.health_state_out(relintel.health_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.health_state_recv(internal) RETURNS relintel.health_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.health_state_send(relintel.health_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE relintel.health_state (
    INPUT = relintel.health_state_in, OUTPUT = relintel.health_state_out,
    RECEIVE = relintel.health_state_recv, SEND = relintel.health_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = plain
);
COMMENT ON TYPE relintel.health_state IS
    'Relationship health of one entity: decayed per-kind counts, responses, sentiment, 13 weekly counts';
COMMENT ON FUNCTION relintel.health_state_in(cstring) IS 'Text input of health_state';
COMMENT ON FUNCTION relintel.health_state_out(relintel.health_state) IS 'Text output of health_state';
COMMENT ON FUNCTION relintel.health_state_recv(internal) IS 'Binary input of health_state';
COMMENT ON FUNCTION relintel.health_state_send(relintel.health_state) IS 'Binary output of health_state';

CREATE TYPE relintel.tie_state;
CREATE FUNCTION relintel.tie_state_in(cstring) RETURNS relintel.tie_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.tie_state_out(relintel.tie_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.tie_state_recv(internal) RETURNS relintel.tie_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.tie_state_send(relintel.tie_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE relintel.tie_state (
    INPUT = relintel.tie_state_in, OUTPUT = relintel.tie_state_out,
    RECEIVE = relintel.tie_state_recv, SEND = relintel.tie_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = plain
);
COMMENT ON TYPE relintel.tie_state IS
    'How well a colleague knows an external address: decayed per-kind counts and the latest interaction';
COMMENT ON FUNCTION relintel.tie_state_in(cstring) IS 'Text input of tie_state';
COMMENT ON FUNCTION relintel.tie_state_out(relintel.tie_state) IS 'Text output of tie_state';
COMMENT ON FUNCTION relintel.tie_state_recv(internal) IS 'Binary input of tie_state';
COMMENT ON FUNCTION relintel.tie_state_send(relintel.tie_state) IS 'Binary output of tie_state';

CREATE TYPE relintel.trend_state;
CREATE FUNCTION relintel.trend_state_in(cstring) RETURNS relintel.trend_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.trend_state_out(relintel.trend_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.trend_state_recv(internal) RETURNS relintel.trend_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.trend_state_send(relintel.trend_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE relintel.trend_state (
    INPUT = relintel.trend_state_in, OUTPUT = relintel.trend_state_out,
    RECEIVE = relintel.trend_state_recv, SEND = relintel.trend_state_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = plain
);
COMMENT ON TYPE relintel.trend_state IS 'A weekly series of weights: the week of the latest point and the 12 before';
COMMENT ON FUNCTION relintel.trend_state_in(cstring) IS 'Text input of trend_state';
COMMENT ON FUNCTION relintel.trend_state_out(relintel.trend_state) IS 'Text output of trend_state';
COMMENT ON FUNCTION relintel.trend_state_recv(internal) IS 'Binary input of trend_state';
COMMENT ON FUNCTION relintel.trend_state_send(relintel.trend_state) IS 'Binary output of trend_state';

-- Equality: counts and times exactly, decayed sums within a relative 1e-9,
-- since a maintained state and a recomputed one add the same terms in
-- different orders.

CREATE FUNCTION relintel.health_state_eq(relintel.health_state, relintel.health_state) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.health_state_eq(relintel.health_state, relintel.health_state) IS
    'Whether two health states are equal (decayed sums within a relative 1e-9)';
CREATE OPERATOR relintel.= (
    LEFTARG = relintel.health_state, RIGHTARG = relintel.health_state,
    FUNCTION = relintel.health_state_eq, COMMUTATOR = OPERATOR(relintel.=)
);
COMMENT ON OPERATOR relintel.= (relintel.health_state, relintel.health_state) IS
    'Equal health states (decayed sums within a relative 1e-9)';

CREATE FUNCTION relintel.tie_state_eq(relintel.tie_state, relintel.tie_state) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.tie_state_eq(relintel.tie_state, relintel.tie_state) IS
    'Whether two tie states are equal (decayed sums within a relative 1e-9)';
CREATE OPERATOR relintel.= (
    LEFTARG = relintel.tie_state, RIGHTARG = relintel.tie_state,
    FUNCTION = relintel.tie_state_eq, COMMUTATOR = OPERATOR(relintel.=)
);
COMMENT ON OPERATOR relintel.= (relintel.tie_state, relintel.tie_state) IS
    'Equal tie states (decayed sums within a relative 1e-9)';

CREATE FUNCTION relintel.trend_state_eq(relintel.trend_state, relintel.trend_state) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.trend_state_eq(relintel.trend_state, relintel.trend_state) IS
    'Whether two trend states are equal (weekly sums within a relative 1e-9)';
CREATE OPERATOR relintel.= (
    LEFTARG = relintel.trend_state, RIGHTARG = relintel.trend_state,
    FUNCTION = relintel.trend_state_eq, COMMUTATOR = OPERATOR(relintel.=)
);
COMMENT ON OPERATOR relintel.= (relintel.trend_state, relintel.trend_state) IS
    'Equal trend states (weekly sums within a relative 1e-9)';

-- Combine functions, callable as merge() ------------------------------------
-- Not strict: a NULL side is the empty state, so merge(NULL, s) = s.

CREATE FUNCTION relintel.merge(relintel.health_state, relintel.health_state) RETURNS relintel.health_state
    AS 'MODULE_PATHNAME', 'health_merge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.merge(relintel.health_state, relintel.health_state) IS
    'Health state of the union of two sets of interactions (the combine function of health_agg)';
CREATE FUNCTION relintel.merge(relintel.tie_state, relintel.tie_state) RETURNS relintel.tie_state
    AS 'MODULE_PATHNAME', 'tie_merge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.merge(relintel.tie_state, relintel.tie_state) IS
    'Tie state of the union of two sets of interactions (the combine function of tie_agg)';
CREATE FUNCTION relintel.merge(relintel.trend_state, relintel.trend_state) RETURNS relintel.trend_state
    AS 'MODULE_PATHNAME', 'trend_merge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.merge(relintel.trend_state, relintel.trend_state) IS
    'Weekly series of the union of two sets of points (the combine function of trend_agg)';

-- Aggregates -----------------------------------------------------------------
-- Transition functions read the half-life and are STABLE; they ignore rows
-- whose time, kind or direction is NULL, and an empty group gives NULL.

CREATE FUNCTION relintel.health_agg_transfn(relintel.health_state, timestamptz, relintel.interaction_kind,
                                            boolean, interval, interval, real)
    RETURNS relintel.health_state
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.health_agg_transfn(relintel.health_state, timestamptz, relintel.interaction_kind,
                                                boolean, interval, interval, real) IS
    'Transition function of health_agg: folds one interaction into the state';
CREATE AGGREGATE relintel.health_agg(occurred_at timestamptz, kind relintel.interaction_kind,
                                     outbound boolean, duration interval, reply_latency interval,
                                     sentiment real) (
    SFUNC = relintel.health_agg_transfn,
    STYPE = relintel.health_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.health_agg(timestamptz, relintel.interaction_kind, boolean, interval, interval, real) IS
    'Health state of a set of interactions (reply_latency marks a response; NULL sentiment means none)';

CREATE FUNCTION relintel.health_response_transfn(relintel.health_state, timestamptz, boolean, interval)
    RETURNS relintel.health_state
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.health_response_transfn(relintel.health_state, timestamptz, boolean, interval) IS
    'Transition function of response_agg: folds in the response part alone of an interaction';
CREATE AGGREGATE relintel.response_agg(occurred_at timestamptz, outbound boolean, reply_latency interval) (
    SFUNC = relintel.health_response_transfn,
    STYPE = relintel.health_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.response_agg(timestamptz, boolean, interval) IS
    'The response part alone of replies already held by a health state (n = 0), to merge into it when the mails they answer arrive later';

CREATE FUNCTION relintel.tie_agg_transfn(relintel.tie_state, timestamptz, relintel.interaction_kind, boolean)
    RETURNS relintel.tie_state
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.tie_agg_transfn(relintel.tie_state, timestamptz, relintel.interaction_kind, boolean) IS
    'Transition function of tie_agg: folds one interaction into the state';
CREATE AGGREGATE relintel.tie_agg(occurred_at timestamptz, kind relintel.interaction_kind, outbound boolean) (
    SFUNC = relintel.tie_agg_transfn,
    STYPE = relintel.tie_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.tie_agg(timestamptz, relintel.interaction_kind, boolean) IS
    'Tie state of the interactions between one colleague and one external address (outbound relative to the colleague)';

CREATE FUNCTION relintel.trend_agg_transfn(relintel.trend_state, timestamptz, float8)
    RETURNS relintel.trend_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.trend_agg_transfn(relintel.trend_state, timestamptz, float8) IS
    'Transition function of trend_agg: adds a weight to the week of a time';
CREATE AGGREGATE relintel.trend_agg(ts timestamptz, weight float8) (
    SFUNC = relintel.trend_agg_transfn,
    STYPE = relintel.trend_state,
    COMBINEFUNC = relintel.merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.trend_agg(timestamptz, float8) IS
    'Weekly series (UTC weeks from Monday) of weighted points';

-- Reading states -------------------------------------------------------------
-- All read a state at T' = max(as_of, last interaction) and use the current
-- kind weights and score bands, hence STABLE.

CREATE FUNCTION relintel.score(state relintel.health_state, as_of timestamptz DEFAULT now()) RETURNS integer
    AS 'MODULE_PATHNAME', 'health_score' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.score(relintel.health_state, timestamptz) IS
    'Health score 0..100 at as_of; NULL with fewer than 3 interactions';

CREATE FUNCTION relintel.status(state relintel.health_state, as_of timestamptz DEFAULT now())
    RETURNS relintel.health_status
    AS 'MODULE_PATHNAME', 'health_status' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.status(relintel.health_state, timestamptz) IS
    'good / fair / poor by relintel.good_score and relintel.fair_score; insufficient with fewer than 3 interactions';

CREATE FUNCTION relintel.trend(state relintel.health_state, as_of timestamptz DEFAULT now())
    RETURNS relintel.health_trend
    AS 'MODULE_PATHNAME', 'health_trend' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.trend(relintel.health_state, timestamptz) IS
    'improving when the trend slope > 0.05, declining when < -0.05, else steady; NULL with fewer than 3 interactions';

CREATE FUNCTION relintel.trend_slope(state relintel.health_state, as_of timestamptz DEFAULT now()) RETURNS float8
    AS 'MODULE_PATHNAME', 'health_trend_slope' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.trend_slope(relintel.health_state, timestamptz) IS
    'Least-squares slope of the weighted weekly counts of the last 12 complete weeks, divided by max(mean, 0.25)';

CREATE FUNCTION relintel.factors(state relintel.health_state, as_of timestamptz DEFAULT now(),
    OUT recency float8, OUT recency_contribution float8,
    OUT frequency float8, OUT frequency_contribution float8,
    OUT reciprocity float8, OUT reciprocity_contribution float8,
    OUT responsiveness float8, OUT responsiveness_contribution float8,
    OUT momentum float8, OUT momentum_contribution float8,
    OUT sentiment float8, OUT sentiment_contribution float8,
    OUT last_engaged timestamptz, OUT last_at timestamptz, OUT n bigint)
    AS 'MODULE_PATHNAME', 'health_factors' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.factors(relintel.health_state, timestamptz) IS
    'Each factor of the score (0..1) and its contribution in score points (NULL when left out), last_engaged, last_at, n';

CREATE FUNCTION relintel.last_at(state relintel.health_state) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'health_last_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.last_at(relintel.health_state) IS 'Latest interaction time folded into a health state';

CREATE FUNCTION relintel.interactions(state relintel.health_state) RETURNS bigint
    AS 'MODULE_PATHNAME', 'health_interactions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.interactions(relintel.health_state) IS 'Number of interactions folded into a health state';

CREATE FUNCTION relintel.strength(state relintel.tie_state, as_of timestamptz DEFAULT now()) RETURNS integer
    AS 'MODULE_PATHNAME', 'tie_strength' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.strength(relintel.tie_state, timestamptz) IS
    'Tie strength 0..100 at as_of; 0 unless the tie is two-way';

CREATE FUNCTION relintel.tie_last_at(state relintel.tie_state) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'tie_last_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.tie_last_at(relintel.tie_state) IS 'When the latest interaction of a tie happened';

CREATE FUNCTION relintel.tie_last_kind(state relintel.tie_state) RETURNS relintel.interaction_kind
    AS 'MODULE_PATHNAME', 'tie_last_kind' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.tie_last_kind(relintel.tie_state) IS 'Kind of the latest interaction of a tie';

CREATE FUNCTION relintel.slope(state relintel.trend_state, as_of timestamptz DEFAULT now()) RETURNS float8
    AS 'MODULE_PATHNAME', 'trend_slope' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.slope(relintel.trend_state, timestamptz) IS
    'Normalized least-squares slope of the 12 complete weeks before the week of max(as_of, latest point)';
