-- relintel: relationship intelligence for a CRM database.
-- This script is generated from src/sql/*.sql; edit those sections, not the result.

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION relintel" to load this file. \quit

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
-- ===========================================================================
-- 20_schema.sql: the canonical CRM tables of SPEC section 1
--
-- The tables users write: colleagues and internal domains (who is "us"),
-- accounts, contacts, leads, opportunities and their stakeholders (who is
-- "them"), and interactions (emails, meetings, calls).  Every stored email
-- address goes through relintel.normalize_address() in a BEFORE INSERT OR
-- UPDATE row trigger, and every other rule of the spec that a single row can
-- break (negative duration, sentiment outside -1 ... 1, empty recipient list,
-- half-set or unknown "regarding") is checked there too, raising SQLSTATE
-- 22023 with the offending value quoted.  Because PostgreSQL statements are
-- atomic, a refused row leaves nothing of its statement behind.
--
-- The enums are created by the core section (10_core.sql).
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Domain names (internal_domain.domain, account.domain)
-- ---------------------------------------------------------------------------

-- relintel.normalize_domain: trim and lower-case a domain name, refusing one
-- that is empty or contains '@' or white space (SQLSTATE 22023).
CREATE FUNCTION relintel.normalize_domain(domain text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d text := lower(btrim(domain, E' \t\r\n\f\v'));
BEGIN
    IF d = '' OR d ~ '[[:space:]@]' THEN
        RAISE EXCEPTION 'invalid domain name "%"', domain
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A domain name must be non-empty and contain neither "@" nor white space.';
    END IF;
    RETURN d;
END;
$$;

COMMENT ON FUNCTION relintel.normalize_domain(text) IS
    'trimmed, lower-cased domain name; raises 22023 for an empty one or one containing "@" or white space';


-- ---------------------------------------------------------------------------
-- Colleagues and internal domains: who is "us"
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.colleague (
    id                  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email               text NOT NULL UNIQUE,
    display_name        text,
    share_relationships boolean NOT NULL DEFAULT true
);

COMMENT ON TABLE relintel.colleague IS
    'people of the sales team; their addresses are internal';
COMMENT ON COLUMN relintel.colleague.email IS
    'normalized email address (see relintel.normalize_address)';
COMMENT ON COLUMN relintel.colleague.share_relationships IS
    'false = opted out of who-knows-whom: never shown by who_knows or intro_request';

CREATE TABLE relintel.internal_domain (
    domain text PRIMARY KEY
);

COMMENT ON TABLE relintel.internal_domain IS
    'domains whose addresses are internal (e.g. contoso.com), stored lower-cased and trimmed';


-- ---------------------------------------------------------------------------
-- Accounts, contacts, leads, opportunities, stakeholders: who is "them"
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.account (
    id     bigint PRIMARY KEY,
    name   text NOT NULL,
    domain text
);

COMMENT ON TABLE relintel.account IS
    'customer companies; an interaction with anyone at the account''s domain belongs to it';
COMMENT ON COLUMN relintel.account.domain IS
    'email domain of the company, lower-cased and trimmed (a blank value is stored as NULL)';

CREATE TABLE relintel.contact (
    id         bigint PRIMARY KEY,
    account_id bigint REFERENCES relintel.account (id) ON DELETE SET NULL,
    email      text NOT NULL,
    full_name  text
);

COMMENT ON TABLE relintel.contact IS
    'known people at customers; an interaction belongs to a contact when its email is a participant';

CREATE TABLE relintel.lead (
    id        bigint PRIMARY KEY,
    email     text NOT NULL,
    full_name text,
    company   text
);

COMMENT ON TABLE relintel.lead IS
    'prospects not yet qualified; an interaction belongs to a lead by participant email or regarding';

CREATE TABLE relintel.opportunity (
    id         bigint PRIMARY KEY,
    account_id bigint REFERENCES relintel.account (id) ON DELETE SET NULL,
    name       text NOT NULL,
    owner_id   bigint REFERENCES relintel.colleague (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    closed_at  timestamptz
);

COMMENT ON TABLE relintel.opportunity IS
    'deals; an interaction belongs to one between created_at and closed_at, by regarding or stakeholder';

CREATE TABLE relintel.opportunity_contact (
    opportunity_id bigint NOT NULL REFERENCES relintel.opportunity (id) ON DELETE CASCADE,
    contact_id     bigint NOT NULL REFERENCES relintel.contact (id) ON DELETE CASCADE,
    PRIMARY KEY (opportunity_id, contact_id)
);

COMMENT ON TABLE relintel.opportunity_contact IS
    'the stakeholders of an opportunity';


-- ---------------------------------------------------------------------------
-- Interactions
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.interaction (
    id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind           relintel.interaction_kind NOT NULL,
    occurred_at    timestamptz NOT NULL,
    duration       interval,
    sender         text NOT NULL,
    recipients     text[] NOT NULL,
    subject        text,
    message_id     text UNIQUE,
    in_reply_to    text,
    regarding_type relintel.entity_type,
    regarding_id   bigint,
    sentiment      real
);

COMMENT ON TABLE relintel.interaction IS
    'emails, meetings and calls; participants = sender + recipients as a set';
COMMENT ON COLUMN relintel.interaction.occurred_at IS
    'send time of an email, start of a meeting or call';
COMMENT ON COLUMN relintel.interaction.duration IS
    'length of a meeting or call (NULL: unknown, counts as 0); never negative';
COMMENT ON COLUMN relintel.interaction.sender IS
    'normalized address of the email sender, meeting organizer or caller';
COMMENT ON COLUMN relintel.interaction.recipients IS
    'normalized addresses of to + cc + bcc, attendees or callee; never empty';
COMMENT ON COLUMN relintel.interaction.message_id IS
    'RFC 5322 Message-ID or iCalendar UID';
COMMENT ON COLUMN relintel.interaction.in_reply_to IS
    'Message-ID of the email this one answers';
COMMENT ON COLUMN relintel.interaction.regarding_type IS
    'type of the CRM record this interaction is about (set together with regarding_id)';
COMMENT ON COLUMN relintel.interaction.sentiment IS
    'score of any text-analytics tool in -1 ... 1 (NULL: none)';


-- ---------------------------------------------------------------------------
-- Normalization and validation triggers
-- ---------------------------------------------------------------------------

-- relintel.normalize_email_column: BEFORE INSERT OR UPDATE trigger of the
-- colleague, contact and lead tables, normalizing NEW.email.
CREATE FUNCTION relintel.normalize_email_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.email := relintel.normalize_address(NEW.email);
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION relintel.normalize_email_column() IS
    'trigger: normalizes NEW.email with relintel.normalize_address (22023 when invalid)';

CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.colleague
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_email_column();
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.contact
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_email_column();
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.lead
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_email_column();

COMMENT ON TRIGGER normalize ON relintel.colleague IS 'normalizes email';
COMMENT ON TRIGGER normalize ON relintel.contact IS 'normalizes email';
COMMENT ON TRIGGER normalize ON relintel.lead IS 'normalizes email';

-- relintel.normalize_domain_column: BEFORE INSERT OR UPDATE trigger of the
-- internal_domain and account tables, normalizing NEW.domain.  A blank
-- account domain means "unknown" and is stored as NULL; a blank internal
-- domain is refused.
CREATE FUNCTION relintel.normalize_domain_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'account' AND btrim(NEW.domain, E' \t\r\n\f\v') = '' THEN
        NEW.domain := NULL;
    ELSE
        NEW.domain := relintel.normalize_domain(NEW.domain);
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION relintel.normalize_domain_column() IS
    'trigger: normalizes NEW.domain with relintel.normalize_domain (22023 when invalid)';

CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.internal_domain
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_domain_column();
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.account
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_domain_column();

COMMENT ON TRIGGER normalize ON relintel.internal_domain IS 'normalizes domain';
COMMENT ON TRIGGER normalize ON relintel.account IS 'normalizes domain';

-- relintel.check_interaction: BEFORE INSERT OR UPDATE trigger of the
-- interaction table.  Normalizes the sender and every recipient (keeping
-- the recipients' order and any duplicates: participants are taken as a set
-- where they are used) and refuses, with SQLSTATE 22023:
--   * an invalid address (raised by normalize_address),
--   * an empty recipient list or a NULL recipient,
--   * a negative duration,
--   * a sentiment outside -1 ... 1 (NaN included),
--   * a regarding_type without regarding_id or the reverse.
-- A regarding_type that is not one of relintel.entity_type cannot reach
-- this trigger: the enum's input function refuses it first.  A regarding_id
-- naming no row is accepted (regarding is a loose reference, like
-- Dynamics 365's; the CRM rows may be loaded after the interactions): it
-- simply makes the interaction belong to no entity through regarding.
CREATE FUNCTION relintel.check_interaction()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    normalized text[];
BEGIN
    NEW.sender := relintel.normalize_address(NEW.sender);

    IF NEW.recipients IS NOT NULL THEN
        IF cardinality(NEW.recipients) = 0 THEN
            RAISE EXCEPTION 'recipients must not be empty: "%"', NEW.recipients
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF array_position(NEW.recipients, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'recipients must not contain NULL: "%"', NEW.recipients
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT array_agg(relintel.normalize_address(r.address) ORDER BY r.ord)
          INTO normalized
          FROM unnest(NEW.recipients) WITH ORDINALITY AS r(address, ord);
        NEW.recipients := normalized;
    END IF;

    IF NEW.duration < interval '0' THEN
        RAISE EXCEPTION 'duration must not be negative: "%"', NEW.duration
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF NOT (NEW.sentiment BETWEEN -1 AND 1) THEN
        RAISE EXCEPTION 'sentiment must be between -1 and 1: "%"', NEW.sentiment
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF (NEW.regarding_type IS NULL) <> (NEW.regarding_id IS NULL) THEN
        RAISE EXCEPTION 'regarding_type and regarding_id must be set together: "%", "%"',
                        NEW.regarding_type, NEW.regarding_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION relintel.check_interaction() IS
    'trigger: normalizes sender and recipients and validates an interaction (22023 when invalid)';

CREATE TRIGGER check_row BEFORE INSERT OR UPDATE ON relintel.interaction
    FOR EACH ROW EXECUTE FUNCTION relintel.check_interaction();

COMMENT ON TRIGGER check_row ON relintel.interaction IS
    'normalizes addresses and validates duration, sentiment, recipients and regarding';


-- ---------------------------------------------------------------------------
-- Indexes used by membership, the views, who_knows and the KPIs
-- ---------------------------------------------------------------------------

CREATE INDEX interaction_sender_idx ON relintel.interaction (sender);
CREATE INDEX interaction_recipients_idx ON relintel.interaction USING gin (recipients);
CREATE INDEX interaction_occurred_at_idx ON relintel.interaction (occurred_at);
CREATE INDEX interaction_in_reply_to_idx ON relintel.interaction (in_reply_to);
CREATE INDEX interaction_regarding_idx ON relintel.interaction (regarding_type, regarding_id);
CREATE INDEX contact_email_idx ON relintel.contact (email);
CREATE INDEX contact_account_idx ON relintel.contact (account_id);
CREATE INDEX lead_email_idx ON relintel.lead (email);
CREATE INDEX account_domain_idx ON relintel.account (domain);
CREATE INDEX opportunity_account_idx ON relintel.opportunity (account_id);
CREATE INDEX opportunity_contact_contact_idx ON relintel.opportunity_contact (contact_id);

COMMENT ON INDEX relintel.interaction_sender_idx IS 'interactions by sender (who_knows, membership)';
COMMENT ON INDEX relintel.interaction_recipients_idx IS 'interactions by recipient (who_knows, membership)';
COMMENT ON INDEX relintel.interaction_occurred_at_idx IS 'interactions by time (windows, pending)';
COMMENT ON INDEX relintel.interaction_in_reply_to_idx IS 'replies of a message (reply detection)';
COMMENT ON INDEX relintel.interaction_regarding_idx IS 'interactions regarding a CRM record';
COMMENT ON INDEX relintel.contact_email_idx IS 'contacts by email';
COMMENT ON INDEX relintel.contact_account_idx IS 'contacts of an account';
COMMENT ON INDEX relintel.lead_email_idx IS 'leads by email';
COMMENT ON INDEX relintel.account_domain_idx IS 'accounts by domain';
COMMENT ON INDEX relintel.opportunity_account_idx IS 'opportunities of an account';
COMMENT ON INDEX relintel.opportunity_contact_contact_idx IS 'opportunities of a stakeholder';
-- ===========================================================================
-- 25_maintained.sql: the tables that relintel maintains (SPEC section 3).
--
-- entity_health and tie hold one state per key, kept equal to a full
-- recomputation from the base tables by the triggers of 60_maintenance.sql;
-- the health views and who_knows read them.  pending_interaction lists the
-- interactions dated later than when they were written, and stale is the
-- work list of a running statement.  Nobody but the extension writes them.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.entity_health (
    entity_type relintel.entity_type NOT NULL,
    entity_id   bigint NOT NULL,
    state       relintel.health_state,
    PRIMARY KEY (entity_type, entity_id)
);
COMMENT ON TABLE relintel.entity_health IS
    'maintained health_state of every entity with settled interactions (written only by relintel''s triggers)';
COMMENT ON COLUMN relintel.entity_health.state IS
    'health_state over the entity''s settled interactions; NULL only inside a writing statement';

CREATE TABLE relintel.tie (
    colleague_id bigint NOT NULL,
    address      text NOT NULL,
    state        relintel.tie_state,
    PRIMARY KEY (colleague_id, address)
);
COMMENT ON TABLE relintel.tie IS
    'maintained tie_state of every colleague and external address that interacted (readable only through who_knows)';
COMMENT ON COLUMN relintel.tie.state IS
    'tie_state over their settled interactions; NULL only inside a writing statement';
CREATE INDEX tie_address_idx ON relintel.tie (address);
COMMENT ON INDEX relintel.tie_address_idx IS 'who_knows: the ties of one external address';

CREATE TABLE relintel.pending_interaction (
    interaction_id bigint PRIMARY KEY REFERENCES relintel.interaction (id) ON DELETE CASCADE,
    occurred_at    timestamptz NOT NULL
);
COMMENT ON TABLE relintel.pending_interaction IS
    'interactions dated later than when they were written, left out of the maintained states until catch_up()';
CREATE INDEX pending_interaction_due_idx ON relintel.pending_interaction (occurred_at);
COMMENT ON INDEX relintel.pending_interaction_due_idx IS 'catch_up: the pending interactions that are due';

CREATE TABLE relintel.stale (
    backend_pid    integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    interaction_id bigint,
    entity_type    relintel.entity_type,
    entity_id      bigint,
    colleague_id   bigint,
    address        text
);
COMMENT ON TABLE relintel.stale IS
    'work list of the running statement: interactions whose membership may change, and keys as they were before';
CREATE INDEX stale_backend_idx ON relintel.stale (backend_pid);
COMMENT ON INDEX relintel.stale_backend_idx IS 'the work list of one backend';

REVOKE ALL ON relintel.entity_health, relintel.tie, relintel.pending_interaction, relintel.stale FROM PUBLIC;


-- ===========================================================================
-- 30_membership.sql: classification, replies and membership (SPEC section 1)
--
-- One definition of each rule, used by the health views, the KPIs, the
-- activity history and who_knows (and by the triggers of the maintained
-- tables):
--
--   interaction_participant   one row per distinct participant, internal or not
--   interaction_class         per interaction: participants, counts?, outbound?
--   interaction_reply         R replies to P, with its latency
--   interaction_fact          per counted interaction: the aggregates' inputs
--   entity_interaction        which counted interaction belongs to which entity
--   tie_interaction           which interaction links colleague u and address x
--
-- They are plain views built interaction by interaction (LATERAL), so that
-- a caller interested in a few interactions writes "WHERE interaction_id =
-- ANY(...)" and every lookup behind it is an index probe: the triggers of
-- the maintained tables read them that way.  None of them is granted to anyone: they show who wrote to
-- whom, which only the extension's functions may read.
--
-- Nothing here looks at the clock: leaving pending (future) interactions out
-- is the reader's business (views, kpis, who_knows filter on occurred_at).
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Participants and internal/external classification
-- ---------------------------------------------------------------------------

-- An address is internal when it is a colleague's email or its domain is in
-- internal_domain (two index probes per participant).
CREATE VIEW relintel.interaction_participant AS
SELECT i.id AS interaction_id,
       p.address,
       p.address OPERATOR(pg_catalog.=) i.sender AS is_sender,
       (EXISTS (SELECT 1 FROM relintel.colleague AS c
                 WHERE c.email OPERATOR(pg_catalog.=) p.address)
        OR EXISTS (SELECT 1 FROM relintel.internal_domain AS d
                    WHERE d.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(p.address, '@', 2))) AS internal
  FROM relintel.interaction AS i
 CROSS JOIN LATERAL (
        SELECT DISTINCT a.address
          FROM pg_catalog.unnest(pg_catalog.array_prepend(i.sender, i.recipients)) AS a(address)
       ) AS p;

COMMENT ON VIEW relintel.interaction_participant IS
    'one row per distinct participant (sender + recipients) of each interaction, with internal = colleague email or internal domain';

-- Per interaction: its participants split by side, whether it counts (at
-- least one internal and one external participant) and its direction
-- (outbound when the sender is internal).
CREATE VIEW relintel.interaction_class AS
SELECT i.id AS interaction_id,
       i.kind,
       i.occurred_at,
       i.duration,
       i.sentiment,
       i.sender,
       i.recipients,
       i.message_id,
       i.in_reply_to,
       i.regarding_type,
       i.regarding_id,
       p.participants,
       p.internal_participants,
       p.external_participants,
       (pg_catalog.cardinality(p.internal_participants) > 0
        AND pg_catalog.cardinality(p.external_participants) > 0) AS counts,
       p.sender_internal AS outbound
  FROM relintel.interaction AS i
 CROSS JOIN LATERAL (
        SELECT pg_catalog.array_agg(ip.address ORDER BY ip.address) AS participants,
               COALESCE(pg_catalog.array_agg(ip.address ORDER BY ip.address)
                          FILTER (WHERE ip.internal), '{}') AS internal_participants,
               COALESCE(pg_catalog.array_agg(ip.address ORDER BY ip.address)
                          FILTER (WHERE NOT ip.internal), '{}') AS external_participants,
               COALESCE(pg_catalog.bool_or(ip.is_sender AND ip.internal), false) AS sender_internal
          FROM (SELECT ip.address, ip.is_sender, ip.internal
                  FROM relintel.interaction_participant AS ip
                 WHERE ip.interaction_id OPERATOR(pg_catalog.=) i.id
                OFFSET 0) AS ip     -- a fence: classify each participant once
       ) AS p;

COMMENT ON VIEW relintel.interaction_class IS
    'each interaction with its participants (sorted, by side), counts = has both an internal and an external participant, outbound = sender is internal';


-- ---------------------------------------------------------------------------
-- Replies
-- ---------------------------------------------------------------------------

-- Everything the aggregates and KPIs need about a counted interaction,
-- with the reply rule: R replies to P when R.in_reply_to = P.message_id,
-- both are emails that count, their directions differ and R is not earlier
-- than P; its latency is R.occurred_at - P.occurred_at.  message_id is
-- unique, so an interaction replies to at most one other.  Computed from
-- both rows as they are now, the answer does not depend on which was
-- inserted first.
CREATE VIEW relintel.interaction_fact AS
SELECT k.interaction_id,
       k.kind,
       k.occurred_at,
       k.outbound,
       k.duration,
       r.latency AS reply_latency,
       k.sentiment,
       k.sender,
       k.recipients,
       k.participants,
       k.internal_participants,
       k.external_participants,
       k.regarding_type,
       k.regarding_id,
       r.replied_to
  FROM relintel.interaction_class AS k
  LEFT JOIN LATERAL (
        SELECT p.interaction_id AS replied_to,
               k.occurred_at OPERATOR(pg_catalog.-) p.occurred_at AS latency
          FROM relintel.interaction_class AS p
         WHERE p.message_id OPERATOR(pg_catalog.=) k.in_reply_to
           AND k.kind OPERATOR(pg_catalog.=) 'email'
           AND p.kind OPERATOR(pg_catalog.=) 'email'
           AND p.counts
           AND p.outbound OPERATOR(pg_catalog.<>) k.outbound
           AND k.occurred_at OPERATOR(pg_catalog.>=) p.occurred_at
       ) AS r ON true
 WHERE k.counts;

COMMENT ON VIEW relintel.interaction_fact IS
    'the interactions that count (an internal and an external participant), with direction and reply latency (non-null only for a reply)';


-- The replies alone: interaction_id answers replied_to; outbound = our
-- response, else their response.
CREATE VIEW relintel.interaction_reply AS
SELECT f.interaction_id, f.replied_to, f.outbound, f.reply_latency AS latency
  FROM relintel.interaction_fact AS f
 WHERE f.replied_to IS NOT NULL;

COMMENT ON VIEW relintel.interaction_reply IS
    'replies: interaction_id answers replied_to (both counted emails, opposite directions, not earlier); outbound = our response, else their response';


-- ---------------------------------------------------------------------------
-- Entity membership
-- ---------------------------------------------------------------------------

-- The distinct email domains of an interaction's participants (also indexed,
-- to find an account's or an internal domain's interactions).
CREATE FUNCTION relintel.participant_domains(sender text, recipients text[]) RETURNS text[]
    AS 'MODULE_PATHNAME', 'relintel_participant_domains'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.participant_domains(text, text[]) IS
    'distinct email domains of an interaction''s participants';

-- Which counted interactions belong to which entity, each pair once:
--   contact      its email is a participant;
--   lead         its email is a participant, or the interaction regards it;
--   account      a participant is one of its contacts' emails, or has the
--                account's domain, or the interaction regards it;
--   opportunity  the interaction regards it, or a participant is one of its
--                stakeholder contacts; and created_at <= occurred_at <=
--                coalesce(closed_at, 'infinity').
-- A "regarding" pointing to a row that does not exist matches nothing.
CREATE VIEW relintel.entity_interaction AS
SELECT m.entity_type,
       m.entity_id,
       f.interaction_id,
       f.kind,
       f.occurred_at,
       f.outbound,
       f.duration,
       f.reply_latency,
       f.sentiment,
       f.sender,
       f.recipients,
       f.internal_participants,
       f.external_participants
  FROM relintel.interaction_fact AS f
 CROSS JOIN LATERAL (
        SELECT 'contact'::relintel.entity_type AS entity_type, c.id AS entity_id
          FROM relintel.contact AS c
         WHERE c.email OPERATOR(pg_catalog.=) ANY (f.participants)
        UNION
        SELECT 'lead'::relintel.entity_type, l.id
          FROM relintel.lead AS l
         WHERE l.email OPERATOR(pg_catalog.=) ANY (f.participants)
        UNION
        SELECT 'lead'::relintel.entity_type, l.id
          FROM relintel.lead AS l
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'lead'
           AND l.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION
        SELECT 'account'::relintel.entity_type, c.account_id
          FROM relintel.contact AS c
         WHERE c.email OPERATOR(pg_catalog.=) ANY (f.participants)
           AND c.account_id IS NOT NULL
        UNION
        SELECT 'account'::relintel.entity_type, a.id
          FROM relintel.account AS a
         WHERE a.domain OPERATOR(pg_catalog.=) ANY (relintel.participant_domains(f.sender, f.recipients))
        UNION
        SELECT 'account'::relintel.entity_type, a.id
          FROM relintel.account AS a
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'account'
           AND a.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION
        SELECT 'opportunity'::relintel.entity_type, o.id
          FROM relintel.opportunity AS o
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'opportunity'
           AND o.id OPERATOR(pg_catalog.=) f.regarding_id
           AND f.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
        UNION
        SELECT 'opportunity'::relintel.entity_type, o.id
          FROM relintel.contact AS c
          JOIN relintel.opportunity_contact AS oc
            ON oc.contact_id OPERATOR(pg_catalog.=) c.id
          JOIN relintel.opportunity AS o
            ON o.id OPERATOR(pg_catalog.=) oc.opportunity_id
         WHERE c.email OPERATOR(pg_catalog.=) ANY (f.participants)
           AND f.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
       ) AS m;

COMMENT ON VIEW relintel.entity_interaction IS
    'which counted interaction belongs to which account, contact, lead or opportunity (each pair once), with the inputs of health_agg and the KPIs';


-- ---------------------------------------------------------------------------
-- The index path to membership
-- ---------------------------------------------------------------------------

-- Finding the interactions of an email domain (account and internal domain
-- changes) without reading the whole table.
CREATE INDEX interaction_domains_idx ON relintel.interaction
    USING gin (relintel.participant_domains(sender, recipients));
COMMENT ON INDEX relintel.interaction_domains_idx IS 'the interactions of an email domain (accounts, internal domains)';

-- relintel.interactions_of: the interactions a row of a CRM or directory
-- table can bring into or take out of a key: those with a participant among
-- addresses, a participant at one of domains, or regarding (type, one of ids).
CREATE FUNCTION relintel.interactions_of(addresses text[], domains text[],
                                         regarding relintel.entity_type, regarding_ids bigint[])
RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ARRAY(
        SELECT i.id FROM relintel.interaction AS i WHERE i.sender = ANY (addresses)
        UNION SELECT i.id FROM relintel.interaction AS i WHERE i.recipients && addresses
        UNION SELECT i.id FROM relintel.interaction AS i
               WHERE relintel.participant_domains(i.sender, i.recipients) && domains
        UNION SELECT i.id FROM relintel.interaction AS i
               WHERE i.regarding_type = regarding AND i.regarding_id = ANY (regarding_ids));
END;
COMMENT ON FUNCTION relintel.interactions_of(text[], text[], relintel.entity_type, bigint[]) IS
    'interactions with a participant among addresses or at one of domains, or regarding one of the given records';

-- relintel.entity_candidates: the interactions that may belong to an
-- entity, found through indexes (a superset: entity_interaction decides).
-- The index path of each membership rule of 30_membership.sql: a contact's
-- or lead's email, an account's contacts and domain, an opportunity's
-- stakeholders, and regarding.
CREATE FUNCTION relintel.entity_candidates(entity_type relintel.entity_type, entity_id bigint)
RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE entity_type
        WHEN 'contact' THEN relintel.interactions_of(
            ARRAY(SELECT c.email FROM relintel.contact AS c WHERE c.id = entity_id), NULL, NULL, NULL)
        WHEN 'lead' THEN relintel.interactions_of(
            ARRAY(SELECT l.email FROM relintel.lead AS l WHERE l.id = entity_id), NULL, 'lead', ARRAY[entity_id])
        WHEN 'account' THEN relintel.interactions_of(
            ARRAY(SELECT c.email FROM relintel.contact AS c WHERE c.account_id = entity_id),
            ARRAY(SELECT a.domain FROM relintel.account AS a WHERE a.id = entity_id),
            'account', ARRAY[entity_id])
        WHEN 'opportunity' THEN relintel.interactions_of(
            ARRAY(SELECT c.email FROM relintel.opportunity_contact AS oc
                    JOIN relintel.contact AS c ON c.id = oc.contact_id
                   WHERE oc.opportunity_id = entity_id),
            NULL, 'opportunity', ARRAY[entity_id])
    END;
END;
COMMENT ON FUNCTION relintel.entity_candidates(relintel.entity_type, bigint) IS
    'interactions that may belong to an entity, found through indexes (a superset of its membership)';

REVOKE ALL ON FUNCTION relintel.interactions_of(text[], text[], relintel.entity_type, bigint[]),
                       relintel.entity_candidates(relintel.entity_type, bigint)
    FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Tie membership
-- ---------------------------------------------------------------------------

-- The interactions between colleague u (a row of colleague) and external
-- address x: emails whose sender is one of them and whose recipients include
-- the other, and meetings and calls in which both take part; an interaction
-- with more than relintel.max_tie_participants distinct participants (mass
-- mail, town halls) is left out.  outbound is relative to the colleague
-- (u is the sender, organizer or caller).  Opted-out colleagues are kept
-- here: who_knows hides them, so that opting out or back in acts at once.
-- Since u is internal and x external, both are participants and distinct,
-- so for an email "the sender is one of them" already implies that the
-- other is among the recipients.
CREATE VIEW relintel.tie_interaction AS
SELECT c.id AS colleague_id,
       x.address,
       f.interaction_id,
       f.kind,
       f.occurred_at,
       f.sender OPERATOR(pg_catalog.=) c.email AS outbound
  FROM relintel.interaction_fact AS f
  JOIN relintel.colleague AS c
    ON c.email OPERATOR(pg_catalog.=) ANY (f.internal_participants)
 CROSS JOIN LATERAL pg_catalog.unnest(f.external_participants) AS x(address)
 WHERE pg_catalog.cardinality(f.participants) OPERATOR(pg_catalog.<=)
           relintel.setting('max_tie_participants')
   AND (f.kind OPERATOR(pg_catalog.<>) 'email'
        OR f.sender OPERATOR(pg_catalog.=) c.email
        OR f.sender OPERATOR(pg_catalog.=) x.address);

COMMENT ON VIEW relintel.tie_interaction IS
    'which interaction links colleague_id and external address (emails between them, meetings and calls with both, mass mail excluded); readable only by the owner and who_knows';

REVOKE ALL ON relintel.interaction_participant, relintel.interaction_class,
              relintel.interaction_reply, relintel.interaction_fact,
              relintel.entity_interaction, relintel.tie_interaction
  FROM PUBLIC;
-- ===========================================================================
-- 40_views.sql: health views, KPIs and activity history (SPEC section 3)
--
-- The four health views read the maintained states (entity_health, kept
-- fresh by the triggers of 60_maintenance.sql, pending interactions left
-- out); live_entity_state and health_at() compute the same from the base
-- tables through the membership views of 30_membership.sql, for any time
-- and as the reference the maintained states are tested against.  KPIs and
-- the activity history read the base tables for their windows; pending
-- interactions (occurred_at later than as_of) are left out of them, except
-- as the KPIs' next interaction.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Health states evaluated now
-- ---------------------------------------------------------------------------

-- The health state of every entity that has at least one counted
-- interaction up to now(), computed from the base tables: the reference
-- for the maintained entity_health.
CREATE VIEW relintel.live_entity_state AS
SELECT ei.entity_type,
       ei.entity_id,
       relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                           ei.reply_latency, ei.sentiment) AS state
  FROM relintel.entity_interaction AS ei
 WHERE ei.occurred_at OPERATOR(pg_catalog.<=) pg_catalog.now()
 GROUP BY ei.entity_type, ei.entity_id;

COMMENT ON VIEW relintel.live_entity_state IS
    'health_state of each entity over its counted interactions up to now(), computed from the base tables';

REVOKE ALL ON relintel.live_entity_state FROM PUBLIC;

-- relintel.health_report: the columns shared by the four health views, for
-- a state (NULL: no interactions) evaluated at as_of, computed in one pass
-- in C (src/health.c).  An entity with fewer than 3 interactions is
-- "insufficient", with score, trend and trend slope NULL; its factors are
-- still shown.
CREATE FUNCTION relintel.health_report(state relintel.health_state, as_of timestamptz,
    OUT score integer,
    OUT status relintel.health_status,
    OUT trend relintel.health_trend,
    OUT trend_slope double precision,
    OUT last_interaction_at timestamptz,
    OUT last_engaged_at timestamptz,
    OUT interactions bigint,
    OUT recency double precision,
    OUT frequency double precision,
    OUT reciprocity double precision,
    OUT responsiveness double precision,
    OUT momentum double precision,
    OUT sentiment double precision)
    AS 'MODULE_PATHNAME', 'health_report'
    LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION relintel.health_report(relintel.health_state, timestamptz) IS
    'score, status, trend, trend slope, last interaction, last engagement, n and factors of a health state at as_of (NULL state: insufficient, 0 interactions)';


-- relintel.health_at: the health of one entity at any time as_of, from its
-- counted interactions up to as_of (what the views show at now()).
CREATE FUNCTION relintel.health_at(entity_type relintel.entity_type,
                                   entity_id bigint,
                                   as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (score integer,
               status relintel.health_status,
               trend relintel.health_trend,
               trend_slope double precision,
               last_interaction_at timestamptz,
               last_engaged_at timestamptz,
               interactions bigint,
               recency double precision,
               frequency double precision,
               reciprocity double precision,
               responsiveness double precision,
               momentum double precision,
               sentiment double precision)
LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT h.*
      FROM (SELECT relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                       ei.reply_latency, ei.sentiment) AS state
              FROM relintel.entity_interaction AS ei
             WHERE ei.entity_type = $1
               AND ei.entity_id = $2
               AND ei.interaction_id = ANY (relintel.entity_candidates($1, $2))
               AND ei.occurred_at <= $3) AS s
     CROSS JOIN LATERAL relintel.health_report(s.state, $3) AS h
$$;

COMMENT ON FUNCTION relintel.health_at(relintel.entity_type, bigint, timestamptz) IS
    'health of one entity at as_of (score, status, trend, factors) from its counted interactions up to as_of';


-- ---------------------------------------------------------------------------
-- Health views
-- ---------------------------------------------------------------------------

CREATE VIEW relintel.contact_health AS
SELECT e.id,
       COALESCE(e.full_name, e.email) AS name,
       h.*,
       e.account_id,
       e.email
  FROM relintel.contact AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'contact'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL relintel.health_report(s.state, pg_catalog.now()) AS h;

COMMENT ON VIEW relintel.contact_health IS
    'health of every contact now: score 0-100, status, trend, last interaction and factors (name = full name, else email), with its account and email';

CREATE VIEW relintel.lead_health AS
SELECT e.id,
       COALESCE(e.full_name, e.email) AS name,
       h.*,
       e.email,
       e.company
  FROM relintel.lead AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'lead'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL relintel.health_report(s.state, pg_catalog.now()) AS h;

COMMENT ON VIEW relintel.lead_health IS
    'health of every lead now: score 0-100, status, trend, last interaction and factors (name = full name, else email), with its email and company';

CREATE VIEW relintel.account_health AS
SELECT e.id,
       e.name,
       h.*,
       e.domain
  FROM relintel.account AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'account'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL relintel.health_report(s.state, pg_catalog.now()) AS h;

COMMENT ON VIEW relintel.account_health IS
    'health of every account now: score 0-100, status, trend, last interaction and factors, with its domain';

CREATE VIEW relintel.opportunity_health AS
SELECT e.id,
       e.name,
       h.*,
       e.account_id,
       e.owner_id,
       e.created_at,
       e.closed_at
  FROM relintel.opportunity AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'opportunity'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL relintel.health_report(s.state, pg_catalog.now()) AS h;

COMMENT ON VIEW relintel.opportunity_health IS
    'health of every opportunity now: score 0-100, status, trend, last interaction and factors, with its account, owner and open period';


-- ---------------------------------------------------------------------------
-- KPIs
-- ---------------------------------------------------------------------------

-- relintel.kpis: the windowed KPIs of one entity over its counted
-- interactions with as_of - window < occurred_at <= as_of (SPEC section 3).
-- Time spent: an email costs its writer 5 minutes and each reader on the
-- other side 2.5 (for an inbound email the internal participants are its
-- internal recipients, for an outbound one the external participants are its
-- external recipients); a meeting or call costs its duration (NULL: 0) times
-- the number of participants on that side.  Responses are the window's
-- replies (the mail they answer may be older).  The last interaction is
-- taken up to as_of regardless of the window, the next one among the
-- entity's meetings and calls after as_of; a later id wins a tie in time.
-- top_colleagues / top_external: up to 3 addresses by number of the
-- window's interactions they take part in, ties by address; empty when none.
CREATE FUNCTION relintel.kpis(entity_type relintel.entity_type,
                              entity_id bigint,
                              "window" interval DEFAULT '30 days',
                              as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (emails_sent bigint,
               emails_received bigint,
               meetings bigint,
               calls_made bigint,
               calls_received bigint,
               time_spent_by_us interval,
               time_spent_by_them interval,
               their_response_rate double precision,
               our_response_rate double precision,
               their_response_time interval,
               our_response_time interval,
               last_interaction_at timestamptz,
               last_interaction_kind relintel.interaction_kind,
               last_interaction_direction text,
               last_interaction_colleague text,
               next_interaction_at timestamptz,
               next_interaction_kind relintel.interaction_kind,
               top_colleagues text[],
               top_external text[])
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    candidates bigint[];
BEGIN
    IF kpis."window" <= interval '0' THEN
        RAISE EXCEPTION 'window must be positive: "%"', kpis."window"
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    candidates := relintel.entity_candidates(kpis.entity_type, kpis.entity_id);

    RETURN QUERY
    WITH member AS (
        SELECT ei.*
          FROM relintel.entity_interaction AS ei
         WHERE ei.entity_type = kpis.entity_type
           AND ei.entity_id = kpis.entity_id
           AND ei.interaction_id = ANY (candidates)
    ), win AS (
        SELECT m.*
          FROM member AS m
         WHERE m.occurred_at > kpis.as_of - kpis."window"
           AND m.occurred_at <= kpis.as_of
    ), counts AS (
        SELECT count(*) FILTER (WHERE w.kind = 'email' AND w.outbound) AS emails_sent,
               count(*) FILTER (WHERE w.kind = 'email' AND NOT w.outbound) AS emails_received,
               count(*) FILTER (WHERE w.kind = 'meeting') AS meetings,
               count(*) FILTER (WHERE w.kind = 'call' AND w.outbound) AS calls_made,
               count(*) FILTER (WHERE w.kind = 'call' AND NOT w.outbound) AS calls_received,
               COALESCE(sum(cardinality(w.internal_participants))
                            FILTER (WHERE w.kind = 'email' AND NOT w.outbound), 0) AS our_reads,
               COALESCE(sum(cardinality(w.external_participants))
                            FILTER (WHERE w.kind = 'email' AND w.outbound), 0) AS their_reads,
               COALESCE(sum(COALESCE(w.duration, interval '0') * cardinality(w.internal_participants))
                            FILTER (WHERE w.kind <> 'email'), interval '0') AS our_time_together,
               COALESCE(sum(COALESCE(w.duration, interval '0') * cardinality(w.external_participants))
                            FILTER (WHERE w.kind <> 'email'), interval '0') AS their_time_together,
               count(*) FILTER (WHERE w.reply_latency IS NOT NULL AND NOT w.outbound) AS their_responses,
               count(*) FILTER (WHERE w.reply_latency IS NOT NULL AND w.outbound) AS our_responses,
               avg(w.reply_latency) FILTER (WHERE NOT w.outbound) AS their_response_time,
               avg(w.reply_latency) FILTER (WHERE w.outbound) AS our_response_time
          FROM win AS w
    ), last_one AS (
        SELECT m.occurred_at, m.kind, m.outbound,
               CASE WHEN m.outbound THEN m.sender
                    ELSE (SELECT r.address
                            FROM unnest(m.recipients) WITH ORDINALITY AS r(address, ord)
                           WHERE r.address = ANY (m.internal_participants)
                           ORDER BY r.ord
                           LIMIT 1)
               END AS colleague
          FROM member AS m
         WHERE m.occurred_at <= kpis.as_of
         ORDER BY m.occurred_at DESC, m.interaction_id DESC
         LIMIT 1
    ), next_one AS (
        SELECT m.occurred_at, m.kind
          FROM member AS m
         WHERE m.occurred_at > kpis.as_of
           AND m.kind IN ('meeting', 'call')
         ORDER BY m.occurred_at, m.interaction_id
         LIMIT 1
    ), side AS (
        SELECT p.address, p.internal, count(*) AS n
          FROM win AS w
         CROSS JOIN LATERAL (
                SELECT a, true AS internal FROM unnest(w.internal_participants) AS a
                UNION ALL
                SELECT a, false FROM unnest(w.external_participants) AS a
               ) AS p(address, internal)
         GROUP BY p.address, p.internal
    )
    SELECT c.emails_sent,
           c.emails_received,
           c.meetings,
           c.calls_made,
           c.calls_received,
           interval '5 minutes' * c.emails_sent
             + interval '150 seconds' * c.our_reads
             + c.our_time_together,
           interval '5 minutes' * c.emails_received
             + interval '150 seconds' * c.their_reads
             + c.their_time_together,
           CASE WHEN c.emails_sent > 0
                THEN c.their_responses::double precision / c.emails_sent END,
           CASE WHEN c.emails_received > 0
                THEN c.our_responses::double precision / c.emails_received END,
           c.their_response_time,
           c.our_response_time,
           l.occurred_at,
           l.kind,
           CASE WHEN l.outbound THEN 'outbound' WHEN NOT l.outbound THEN 'inbound' END,
           l.colleague,
           x.occurred_at,
           x.kind,
           COALESCE((SELECT array_agg(t.address ORDER BY t.n DESC, t.address)
                       FROM (SELECT s.address, s.n FROM side AS s WHERE s.internal
                              ORDER BY s.n DESC, s.address LIMIT 3) AS t), '{}'),
           COALESCE((SELECT array_agg(t.address ORDER BY t.n DESC, t.address)
                       FROM (SELECT s.address, s.n FROM side AS s WHERE NOT s.internal
                              ORDER BY s.n DESC, s.address LIMIT 3) AS t), '{}')
      FROM counts AS c
      LEFT JOIN last_one AS l ON true
      LEFT JOIN next_one AS x ON true;
END;
$$;

COMMENT ON FUNCTION relintel.kpis(relintel.entity_type, bigint, interval, timestamptz) IS
    'windowed KPIs of one entity (as_of - window < occurred_at <= as_of): email, meeting and call counts, time spent, response rates and times, last and next interaction, top participants';


-- ---------------------------------------------------------------------------
-- Activity history
-- ---------------------------------------------------------------------------

-- relintel.activity_history: one row per bucket [from + k*bucket,
-- from + (k+1)*bucket) while its start is before "to" (the last bucket is
-- whole even when it ends after "to"), empty buckets
-- included, counting the entity's counted interactions by kind and
-- direction and the minutes of its meetings and calls.  The range is the
-- caller's choice, so scheduled (future) meetings and calls in it are shown.
CREATE FUNCTION relintel.activity_history(entity_type relintel.entity_type,
                                          entity_id bigint,
                                          "from" timestamptz,
                                          "to" timestamptz,
                                          bucket interval DEFAULT '1 day')
RETURNS TABLE (bucket_start timestamptz,
               emails_out bigint,
               emails_in bigint,
               meetings bigint,
               calls_out bigint,
               calls_in bigint,
               minutes double precision)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    candidates bigint[];
BEGIN
    IF activity_history.bucket <= interval '0' THEN
        RAISE EXCEPTION 'bucket must be positive: "%"', activity_history.bucket
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF activity_history."from" > activity_history."to" THEN
        RAISE EXCEPTION 'from must not be later than to: "%" > "%"',
                        activity_history."from", activity_history."to"
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    candidates := relintel.entity_candidates(activity_history.entity_type, activity_history.entity_id);

    RETURN QUERY
    WITH RECURSIVE b(k, lo, hi) AS (
        SELECT 0::bigint, activity_history."from", activity_history."from" + activity_history.bucket
         WHERE activity_history."from" < activity_history."to"
        UNION ALL
        SELECT b.k + 1, b.hi, activity_history."from" + (b.k + 2) * activity_history.bucket
          FROM b
         WHERE b.hi < activity_history."to"
    ), member AS (
        SELECT ei.kind, ei.outbound, ei.occurred_at, ei.duration
          FROM relintel.entity_interaction AS ei
         WHERE ei.entity_type = activity_history.entity_type
           AND ei.entity_id = activity_history.entity_id
           AND ei.interaction_id = ANY (candidates)
           AND ei.occurred_at >= activity_history."from"
    )
    SELECT b.lo,
           count(m.kind) FILTER (WHERE m.kind = 'email' AND m.outbound),
           count(m.kind) FILTER (WHERE m.kind = 'email' AND NOT m.outbound),
           count(m.kind) FILTER (WHERE m.kind = 'meeting'),
           count(m.kind) FILTER (WHERE m.kind = 'call' AND m.outbound),
           count(m.kind) FILTER (WHERE m.kind = 'call' AND NOT m.outbound),
           COALESCE(sum(extract(epoch FROM m.duration)::double precision / 60)
                        FILTER (WHERE m.kind <> 'email'), 0)
      FROM b
      LEFT JOIN member AS m
             ON m.occurred_at >= b.lo
            AND m.occurred_at < b.hi
     GROUP BY b.k, b.lo
     ORDER BY b.k;
END;
$$;

COMMENT ON FUNCTION relintel.activity_history(relintel.entity_type, bigint, timestamptz, timestamptz, interval) IS
    'per bucket from + k*bucket (< to, empty ones included): emails and calls out and in, meetings, minutes of meetings and calls of one entity';
-- ===========================================================================
-- 50_who_knows.sql: who knows whom, introduction requests, privileges
--
-- Tie strengths come from the maintained tie table (60_maintenance.sql), or,
-- for a time in the past, from the tie membership view of 30_membership.sql
-- with tie_agg.  Both are readable by no one but their owner: who_knows (SECURITY DEFINER,
-- fixed search_path, EXECUTE revoked from PUBLIC) is the door, showing only
-- the top k colleagues for the one address asked about, and intro_request
-- goes through it.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Who knows whom
-- ---------------------------------------------------------------------------

-- relintel.who_knows: the colleagues who know an external address (tie
-- strength >= relintel.min_tie_strength at as_of: from the maintained ties
-- when as_of is now or later, else from the interactions up to as_of) and
-- share their relationships, best first: strength descending,
-- then latest interaction of the tie (newer first), then email; at most k
-- rows.  The address is normalized first (22023 when invalid); an internal
-- address has no ties and gives no rows; a negative k is refused (22023).
CREATE FUNCTION relintel.who_knows(address text,
                                   k integer DEFAULT 5,
                                   as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (colleague_id bigint,
               email text,
               display_name text,
               strength integer,
               last_interaction_at timestamptz,
               last_interaction_kind relintel.interaction_kind)
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE ROWS 5
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan    -- planned once per session, not per call
AS $$
#variable_conflict use_column
DECLARE
    target text := relintel.normalize_address(who_knows.address);
    min_strength double precision := relintel.setting('min_tie_strength');
    candidates bigint[];
BEGIN
    IF who_knows.k < 0 THEN
        RAISE EXCEPTION 'k must not be negative: "%"', who_knows.k
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- In the past, the ties as they were: from the interactions up to as_of
    -- (found through the indexes; tie_interaction alone decides which count).
    IF who_knows.as_of < pg_catalog.now() THEN
        candidates := relintel.interactions_of(ARRAY[target], NULL, NULL, NULL);
    END IF;

    RETURN QUERY
    WITH tie AS (
        -- now or later: the maintained states (pending interactions left out)
        SELECT t.colleague_id, t.state
          FROM relintel.tie AS t
         WHERE t.address = target
           AND who_knows.as_of >= pg_catalog.now()
        UNION ALL
        SELECT t.colleague_id,
               relintel.tie_agg(t.occurred_at, t.kind, t.outbound) AS state
          FROM relintel.tie_interaction AS t
         WHERE who_knows.as_of < pg_catalog.now()
           AND t.address = target
           AND t.interaction_id = ANY (candidates)
           AND t.occurred_at <= who_knows.as_of
         GROUP BY t.colleague_id
    ), ranked AS (
        SELECT c.id,
               c.email,
               c.display_name,
               relintel.strength(tie.state, who_knows.as_of) AS strength,
               relintel.tie_last_at(tie.state) AS last_at,
               relintel.tie_last_kind(tie.state) AS last_kind
          FROM tie
          JOIN relintel.colleague AS c ON c.id = tie.colleague_id
         WHERE c.share_relationships
    )
    SELECT r.id, r.email, r.display_name, r.strength, r.last_at, r.last_kind
      FROM ranked AS r
     WHERE r.strength >= min_strength
     ORDER BY r.strength DESC, r.last_at DESC, r.email
     LIMIT who_knows.k;
END;
$$;

COMMENT ON FUNCTION relintel.who_knows(text, integer, timestamptz) IS
    'top k colleagues who know an external address (tie strength >= relintel.min_tie_strength), opted-out colleagues hidden; SECURITY DEFINER, grant EXECUTE to the roles that may ask';


-- ---------------------------------------------------------------------------
-- Introduction requests
-- ---------------------------------------------------------------------------

-- relintel.percent_encode: RFC 3986 / RFC 6068 percent-encoding of the UTF-8
-- bytes of a text: unreserved characters (A-Z a-z 0-9 - . _ ~) and the
-- ASCII characters listed in safe are kept, every other byte becomes %XX
-- (upper-case hex), so a space is %20, never '+'.
CREATE FUNCTION relintel.percent_encode(value text, safe text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(string_agg(
               CASE WHEN b.byte BETWEEN 48 AND 57          -- 0-9
                      OR b.byte BETWEEN 65 AND 90          -- A-Z
                      OR b.byte BETWEEN 97 AND 122         -- a-z
                      OR b.byte IN (45, 46, 95, 126)       -- - . _ ~
                      OR (b.byte < 128 AND strpos($2, chr(b.byte)) > 0)
                    THEN chr(b.byte)
                    ELSE '%' || upper(lpad(to_hex(b.byte), 2, '0'))
               END, '' ORDER BY g.i), '')
      FROM (SELECT convert_to($1, 'UTF8') AS bytes) AS s
     CROSS JOIN LATERAL generate_series(0, octet_length(s.bytes) - 1) AS g(i)
     CROSS JOIN LATERAL (SELECT get_byte(s.bytes, g.i) AS byte) AS b
$$;

COMMENT ON FUNCTION relintel.percent_encode(text, text) IS
    'percent-encoding of the UTF-8 bytes of a text (RFC 3986 unreserved characters and those in safe kept, space = %20)';

-- relintel.intro_request: the email that asks a colleague to introduce the
-- requester to a target address, as to / subject / body and a mailto: URI
-- (RFC 6068: every field percent-encoded as UTF-8, line breaks CRLF, which
-- the body itself uses, so the URI decodes back to exactly these texts).
-- The target is named by full name and company when a contact or lead with
-- that email, or an account with its domain, tells them (contact first,
-- then lead, then account by domain).  The body says how the colleague
-- knows the target: tie strength and latest interaction (date in the
-- session's time zone), at as_of (default now()).  The colleague must be a colleague who knows the
-- target as who_knows says (an opted-out one does not): otherwise 22023,
-- with the same message either way.
CREATE FUNCTION relintel.intro_request(requester text, colleague text, target text,
                                       as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE ("to" text, subject text, body text, mailto text)
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    requester_address text := relintel.normalize_address(intro_request.requester);
    colleague_address text := relintel.normalize_address(intro_request.colleague);
    target_address    text := relintel.normalize_address(intro_request.target);
    requester_name    text;
    v_colleague_id    bigint;
    colleague_name    text;
    tie_strength      integer;
    tie_last_at       timestamptz;
    tie_last_kind     relintel.interaction_kind;
    target_name       text;
    target_company    text;
    target_label      text;
    crlf              constant text := E'\r\n';
    v_subject         text;
    v_body            text;
BEGIN
    SELECT c.id, COALESCE(c.display_name, c.email)
      INTO v_colleague_id, colleague_name
      FROM relintel.colleague AS c
     WHERE c.email = colleague_address;

    IF v_colleague_id IS NOT NULL THEN
        SELECT w.strength, w.last_interaction_at, w.last_interaction_kind
          INTO tie_strength, tie_last_at, tie_last_kind
          FROM relintel.who_knows(target_address, 2147483647, intro_request.as_of) AS w
         WHERE w.colleague_id = v_colleague_id;
    END IF;
    IF tie_strength IS NULL THEN
        RAISE EXCEPTION '"%" is not a colleague who knows "%"', colleague_address, target_address
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'relintel.who_knows() lists the colleagues who know an address.';
    END IF;

    SELECT COALESCE(c.display_name, c.email)
      INTO requester_name
      FROM relintel.colleague AS c
     WHERE c.email = requester_address;
    requester_name := COALESCE(requester_name, requester_address);

    -- Name and company: contact first, then lead, then account by domain.
    SELECT ct.full_name, a.name
      INTO target_name, target_company
      FROM relintel.contact AS ct
      LEFT JOIN relintel.account AS a ON a.id = ct.account_id
     WHERE ct.email = target_address
     ORDER BY ct.id
     LIMIT 1;
    SELECT COALESCE(target_name, l.full_name), COALESCE(target_company, l.company)
      INTO target_name, target_company
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT ld.full_name, ld.company
                           FROM relintel.lead AS ld
                          WHERE ld.email = target_address
                          ORDER BY ld.id
                          LIMIT 1) AS l ON true;
    IF target_company IS NULL THEN
        SELECT a.name
          INTO target_company
          FROM relintel.account AS a
         WHERE a.domain = split_part(target_address, '@', 2)
         ORDER BY a.id
         LIMIT 1;
    END IF;

    target_label := COALESCE(target_name, target_address)
                    || COALESCE(' at ' || target_company, '');
    v_subject := 'Introduction to ' || target_label;
    v_body := 'Hi ' || colleague_name || ',' || crlf
           || crlf
           || 'Could you introduce me to '
           || COALESCE(target_name || ' <' || target_address || '>', target_address)
           || COALESCE(' at ' || target_company, '') || '?' || crlf
           || 'You know them: relationship strength ' || tie_strength
           || '/100, last interaction '
           || CASE tie_last_kind WHEN 'email' THEN 'an email'
                                 WHEN 'meeting' THEN 'a meeting'
                                 ELSE 'a call' END
           || ' on ' || to_char(tie_last_at, 'YYYY-MM-DD') || '.' || crlf
           || crlf
           || 'Thanks,' || crlf
           || requester_name;

    RETURN QUERY
    SELECT colleague_address,
           v_subject,
           v_body,
           'mailto:' || relintel.percent_encode(colleague_address, '@')
           || '?subject=' || relintel.percent_encode(v_subject)
           || '&body=' || relintel.percent_encode(v_body);
END;
$$;

COMMENT ON FUNCTION relintel.intro_request(text, text, text, timestamptz) IS
    'email (to, subject, body, RFC 6068 mailto: URI) asking a colleague who knows target to introduce requester; SECURITY DEFINER, grant EXECUTE to the roles that may ask';


-- ---------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------

-- Every object is usable by name (USAGE on the schema), but no table or view
-- is readable by anyone but the owner until an administrator grants it.  The
-- tie data (tie_interaction, and any tie table) is never granted: who_knows
-- and intro_request are the doors, and EXECUTE on them is granted by an
-- administrator to the roles that may ask.
GRANT USAGE ON SCHEMA relintel TO PUBLIC;

REVOKE ALL ON FUNCTION relintel.who_knows(text, integer, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.intro_request(text, text, text, timestamptz) FROM PUBLIC;
-- ===========================================================================
-- 60_maintenance.sql: the maintained tables entity_health and tie, kept
-- equal to a full recomputation by triggers (SPEC section 3).
--
-- A key is an entity (entity_type, entity_id) or a tie (colleague_id,
-- address).  Every writing statement ends in relintel.apply_changes(), the
-- one place that writes the maintained tables, with two kinds of keys:
--
--   merged keys     keys of newly settled interactions: their states get the
--                   aggregate of the new rows merged in (the combine
--                   function), without reading anything else;
--   recomputed keys keys whose membership or inputs changed in any other
--                   way (deletes, updates, a reply arriving after the mail
--                   it answers, changes of colleagues, domains, accounts,
--                   contacts, leads, opportunities and stakeholders): their
--                   states are recomputed from the base tables.
--
-- Which keys an interaction belongs to is never written here: it is always
-- read from the membership views of 30_membership.sql (entity_interaction,
-- tie_interaction), restricted to interaction ids.  When a change would
-- alter membership, a BEFORE ROW trigger records the interactions it
-- touches and their keys as they were (relintel.stale), and the statement's
-- AFTER trigger adds their keys as they are now.
--
-- Pending: an interaction whose occurred_at is later than the time it is
-- written is listed in relintel.pending_interaction and left out of the
-- maintained states until relintel.catch_up() folds it in.
--
-- Concurrency (READ COMMITTED writers):
--   * keys are locked in one sorted pass (an upsert ordered by key, entity
--     keys before tie keys), so two writers never wait on each other in
--     opposite orders;
--   * a recomputation reads the base tables in a statement that starts after
--     its keys are locked, so it sees every writer that held them;
--   * replies: writers lock (transaction advisory locks, sorted) buckets of
--     the Message-IDs they write and answer, so a reply and the mail it
--     answers, written concurrently, are seen by one of the two;
--   * changes of colleagues, domains and CRM records take a SHARE ROW
--     EXCLUSIVE lock on the maintained tables: they wait for interaction
--     writers (ROW EXCLUSIVE) and those wait for them.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- The settled interactions: what the maintained states are made of
-- ---------------------------------------------------------------------------

CREATE VIEW relintel.settled_entity_interaction AS
SELECT ei.*
  FROM relintel.entity_interaction AS ei
 WHERE NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                    WHERE p.interaction_id OPERATOR(pg_catalog.=) ei.interaction_id);
COMMENT ON VIEW relintel.settled_entity_interaction IS
    'entity_interaction without pending interactions: the input of entity_health';

CREATE VIEW relintel.settled_tie_interaction AS
SELECT ti.*
  FROM relintel.tie_interaction AS ti
 WHERE NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                    WHERE p.interaction_id OPERATOR(pg_catalog.=) ti.interaction_id);
COMMENT ON VIEW relintel.settled_tie_interaction IS
    'tie_interaction without pending interactions: the input of tie';

REVOKE ALL ON relintel.settled_entity_interaction, relintel.settled_tie_interaction FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- Writing the maintained tables
-- ---------------------------------------------------------------------------

-- relintel.apply_changes: fold the settled interactions merged_ids into their
-- keys' states; fold in the responses of the settled replies answered_ids
-- (already in the states, whose answered mail just arrived); and recompute
-- from the base tables the keys of recomputed_ids plus the keys listed in
-- relintel.stale for this backend.  The one writer of entity_health and tie.
-- The queries here touch few rows through many index probes: JIT compilation
-- would cost more than it saves, hash joins over whole CRM tables are what a
-- misestimated ANY(array) would otherwise pick, and planning these queries
-- anew for each statement (custom plans) costs more than running them.  The
-- one generic plan must not depend on statistics (a plan made while the
-- tables looked empty would scan them per row), hence no sequential scans.
CREATE FUNCTION relintel.apply_changes(merged_ids bigint[], recomputed_ids bigint[],
                                       answered_ids bigint[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    stale_ids bigint[];                       -- interactions whose keys are recomputed
    entity_types relintel.entity_type[];      -- entity keys to recompute, with entity_ids
    entity_ids bigint[];
    colleague_ids bigint[];                   -- tie keys to recompute, with addresses
    addresses text[];
BEGIN
    -- Keys to recompute: those recorded before the change, and those of the
    -- changed interactions now.
    WITH recorded AS (
        DELETE FROM relintel.stale WHERE backend_pid = pg_backend_pid()
        RETURNING interaction_id, entity_type, entity_id, colleague_id, address
    )
    SELECT array_agg(interaction_id) FILTER (WHERE interaction_id IS NOT NULL),
           array_agg(entity_type) FILTER (WHERE entity_type IS NOT NULL),
           array_agg(entity_id) FILTER (WHERE entity_type IS NOT NULL),
           array_agg(colleague_id) FILTER (WHERE colleague_id IS NOT NULL),
           array_agg(address) FILTER (WHERE colleague_id IS NOT NULL)
      INTO stale_ids, entity_types, entity_ids, colleague_ids, addresses
      FROM recorded;
    stale_ids := coalesce(stale_ids, '{}') || coalesce(recomputed_ids, '{}');
    SELECT array_agg(k.entity_type), array_agg(k.entity_id) INTO entity_types, entity_ids
      FROM (SELECT u.entity_type, u.entity_id FROM unnest(entity_types, entity_ids) AS u(entity_type, entity_id)
            UNION
            SELECT ei.entity_type, ei.entity_id FROM relintel.entity_interaction AS ei
             WHERE ei.interaction_id = ANY (stale_ids)) AS k;
    SELECT array_agg(k.colleague_id), array_agg(k.address) INTO colleague_ids, addresses
      FROM (SELECT u.colleague_id, u.address FROM unnest(colleague_ids, addresses) AS u(colleague_id, address)
            UNION
            SELECT ti.colleague_id, ti.address FROM relintel.tie_interaction AS ti
             WHERE ti.interaction_id = ANY (stale_ids)) AS k;

    -- One sorted pass over all keys: merge the new rows' states into theirs,
    -- and create (state NULL) or lock the keys to recompute; merge(s, NULL) = s.
    INSERT INTO relintel.entity_health AS h (entity_type, entity_id, state)
    SELECT coalesce(d.entity_type, r.entity_type), coalesce(d.entity_id, r.entity_id),
           CASE WHEN r.entity_id IS NULL THEN d.state END
      FROM (SELECT coalesce(n.entity_type, a.entity_type) AS entity_type,
                   coalesce(n.entity_id, a.entity_id) AS entity_id,
                   relintel.merge(n.state, a.state) AS state
              FROM (SELECT ei.entity_type, ei.entity_id,
                           relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                               ei.reply_latency, ei.sentiment) AS state
                      FROM relintel.entity_interaction AS ei
                     WHERE ei.interaction_id = ANY (merged_ids)
                     GROUP BY ei.entity_type, ei.entity_id) AS n
              FULL JOIN
                   (SELECT ei.entity_type, ei.entity_id,
                           relintel.response_agg(ei.occurred_at, ei.outbound, ei.reply_latency) AS state
                      FROM relintel.settled_entity_interaction AS ei
                     WHERE ei.interaction_id = ANY (answered_ids)
                       AND ei.reply_latency IS NOT NULL
                     GROUP BY ei.entity_type, ei.entity_id) AS a
                ON a.entity_type = n.entity_type AND a.entity_id = n.entity_id) AS d
      FULL JOIN unnest(entity_types, entity_ids) AS r(entity_type, entity_id)
        ON r.entity_type = d.entity_type AND r.entity_id = d.entity_id
     ORDER BY 1, 2
    ON CONFLICT (entity_type, entity_id) DO UPDATE
       SET state = relintel.merge(h.state, EXCLUDED.state);

    -- A response folded into a key whose state did not hold the reply (it
    -- had none): recompute that key too (its row is locked: we created it).
    SELECT array_agg(h.entity_type) || coalesce(entity_types, '{}'),
           array_agg(h.entity_id) || coalesce(entity_ids, '{}')
      INTO entity_types, entity_ids
      FROM relintel.entity_health AS h
     WHERE answered_ids IS NOT NULL
       AND relintel.interactions(h.state) = 0
       AND (h.entity_type, h.entity_id) IN (SELECT ei.entity_type, ei.entity_id
                                              FROM relintel.entity_interaction AS ei
                                             WHERE ei.interaction_id = ANY (answered_ids));

    INSERT INTO relintel.tie AS t (colleague_id, address, state)
    SELECT coalesce(d.colleague_id, r.colleague_id), coalesce(d.address, r.address),
           CASE WHEN r.colleague_id IS NULL THEN d.state END
      FROM (SELECT ti.colleague_id, ti.address,
                   relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound) AS state
              FROM relintel.tie_interaction AS ti
             WHERE ti.interaction_id = ANY (merged_ids)
             GROUP BY ti.colleague_id, ti.address) AS d
      FULL JOIN unnest(colleague_ids, addresses) AS r(colleague_id, address)
        ON r.colleague_id = d.colleague_id AND r.address = d.address
     ORDER BY 1, 2
    ON CONFLICT (colleague_id, address) DO UPDATE
       SET state = relintel.merge(t.state, EXCLUDED.state);

    -- Recompute the locked keys, in statements that start after the locks.
    IF entity_ids IS NOT NULL THEN
        UPDATE relintel.entity_health AS h
           SET state = f.state
          FROM unnest(entity_types, entity_ids) AS r(entity_type, entity_id)
          LEFT JOIN LATERAL (
                SELECT relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                           ei.reply_latency, ei.sentiment) AS state
                  FROM relintel.settled_entity_interaction AS ei
                 WHERE ei.interaction_id = ANY (relintel.entity_candidates(r.entity_type, r.entity_id))
                   AND ei.entity_type = r.entity_type AND ei.entity_id = r.entity_id) AS f ON true
         WHERE h.entity_type = r.entity_type AND h.entity_id = r.entity_id;
        DELETE FROM relintel.entity_health AS h
         USING unnest(entity_types, entity_ids) AS r(entity_type, entity_id)
         WHERE h.entity_type = r.entity_type AND h.entity_id = r.entity_id AND h.state IS NULL;
    END IF;
    IF colleague_ids IS NOT NULL THEN
        UPDATE relintel.tie AS t
           SET state = f.state
          FROM unnest(colleague_ids, addresses) AS r(colleague_id, address)
          LEFT JOIN LATERAL (
                SELECT relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound) AS state
                  FROM relintel.settled_tie_interaction AS ti
                 WHERE ti.interaction_id = ANY (relintel.interactions_of(ARRAY[r.address], NULL, NULL, NULL))
                   AND ti.colleague_id = r.colleague_id AND ti.address = r.address) AS f ON true
         WHERE t.colleague_id = r.colleague_id AND t.address = r.address;
        DELETE FROM relintel.tie AS t
         USING unnest(colleague_ids, addresses) AS r(colleague_id, address)
         WHERE t.colleague_id = r.colleague_id AND t.address = r.address AND t.state IS NULL;
    END IF;
END;
$$;
COMMENT ON FUNCTION relintel.apply_changes(bigint[], bigint[], bigint[]) IS
    'the one writer of entity_health and tie: merges new settled interactions, recomputes changed keys';

-- relintel.lock_reply_buckets: lock (sorted) the buckets of the Message-IDs
-- given, so that a reply and the mail it answers are never written
-- concurrently unseen by each other.  256 buckets bound the locks a
-- transaction holds however large its batch.  UPDATE and DELETE lock all
-- buckets before their first row (they learn the Message-IDs row by row,
-- and taking buckets in row order could deadlock).
CREATE FUNCTION relintel.lock_reply_buckets(message_ids text[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pg_advisory_xact_lock(1919249516, b)
      FROM (SELECT DISTINCT hashtext(m) & 255 AS b FROM unnest(message_ids) AS m
             WHERE m IS NOT NULL
            UNION
            SELECT b FROM generate_series(0, 255) AS b WHERE message_ids IS NULL
             ORDER BY 1) AS buckets;
END;
COMMENT ON FUNCTION relintel.lock_reply_buckets(text[]) IS
    'locks, in sorted order, the advisory-lock buckets of the given Message-IDs (all buckets for NULL)';


-- ---------------------------------------------------------------------------
-- Triggers on interaction
-- ---------------------------------------------------------------------------

-- After INSERT (and COPY): record the future-dated rows as pending, merge the
-- others; fold in the responses of existing replies to the new mails (their
-- latency just appeared).
CREATE FUNCTION relintel.interaction_inserted()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    settled_ids bigint[];
    answered_ids bigint[];
    written_ids text[];
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    SELECT array_agg(n.message_id) || array_agg(n.in_reply_to) INTO written_ids FROM new_rows AS n;
    PERFORM relintel.lock_reply_buckets(written_ids);

    INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
    SELECT n.id, n.occurred_at FROM new_rows AS n WHERE n.occurred_at > now();
    SELECT array_agg(n.id) INTO settled_ids FROM new_rows AS n WHERE n.occurred_at <= now();
    SELECT array_agg(i.id) INTO answered_ids
      FROM relintel.interaction AS i
     WHERE i.in_reply_to IN (SELECT n.message_id FROM new_rows AS n)
       AND i.id NOT IN (SELECT n.id FROM new_rows AS n);

    PERFORM relintel.apply_changes(settled_ids, NULL, answered_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_inserted() IS
    'statement trigger: folds inserted interactions into the maintained states';

-- Before an UPDATE or DELETE statement: wait for directory changes, and lock
-- every reply bucket (sorted) before any row is touched.
CREATE FUNCTION relintel.interaction_changes_starting()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    PERFORM relintel.lock_reply_buckets(NULL);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changes_starting() IS
    'statement trigger: takes the locks of an UPDATE or DELETE of interactions before its first row';

-- Before UPDATE or DELETE of a row: record its keys and those of its replies
-- as they are now.
CREATE FUNCTION relintel.interaction_changing()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    PERFORM relintel.record_stale(ARRAY(
        SELECT OLD.id
        UNION ALL
        SELECT i.id FROM relintel.interaction AS i
         WHERE i.in_reply_to IN (OLD.message_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.message_id END)));
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changing() IS
    'row trigger: records the keys an updated or deleted interaction and its replies belong to';

-- After UPDATE or DELETE: pending status of updated rows, then recompute.
CREATE FUNCTION relintel.interaction_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    changed_ids bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM relintel.pending_interaction AS p
         USING new_rows AS n WHERE p.interaction_id = n.id;
        INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
        SELECT n.id, n.occurred_at FROM new_rows AS n WHERE n.occurred_at > now();
        SELECT array_agg(n.id) INTO changed_ids FROM new_rows AS n;
        -- replies to the new Message-IDs
        changed_ids := changed_ids || ARRAY(
            SELECT i.id FROM relintel.interaction AS i
             WHERE i.in_reply_to IN (SELECT n.message_id FROM new_rows AS n));
    END IF;
    PERFORM relintel.apply_changes(NULL, changed_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changed() IS
    'statement trigger: recomputes the keys of updated or deleted interactions';

-- After TRUNCATE: nothing is left to maintain.
CREATE FUNCTION relintel.interaction_truncated()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    -- DELETE, not TRUNCATE: the statement that fired may be truncating them too
    DELETE FROM relintel.entity_health;
    DELETE FROM relintel.tie;
    DELETE FROM relintel.pending_interaction;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_truncated() IS
    'statement trigger: empties the maintained tables when interaction is truncated';

CREATE TRIGGER maintain_insert AFTER INSERT ON relintel.interaction
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_inserted();
CREATE TRIGGER maintain_starting BEFORE UPDATE OR DELETE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changes_starting();
CREATE TRIGGER maintain_changing BEFORE UPDATE OR DELETE ON relintel.interaction
    FOR EACH ROW EXECUTE FUNCTION relintel.interaction_changing();
CREATE TRIGGER maintain_update AFTER UPDATE ON relintel.interaction
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changed();
CREATE TRIGGER maintain_delete AFTER DELETE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changed();
CREATE TRIGGER maintain_truncate AFTER TRUNCATE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_truncated();
COMMENT ON TRIGGER maintain_insert ON relintel.interaction IS 'keeps entity_health and tie fresh on INSERT and COPY';
COMMENT ON TRIGGER maintain_starting ON relintel.interaction IS 'locks before an UPDATE or DELETE touches a row';
COMMENT ON TRIGGER maintain_changing ON relintel.interaction IS 'records the keys of rows about to change';
COMMENT ON TRIGGER maintain_update ON relintel.interaction IS 'keeps entity_health and tie fresh on UPDATE';
COMMENT ON TRIGGER maintain_delete ON relintel.interaction IS 'keeps entity_health and tie fresh on DELETE';
COMMENT ON TRIGGER maintain_truncate ON relintel.interaction IS 'empties entity_health and tie on TRUNCATE';


-- ---------------------------------------------------------------------------
-- Triggers on colleagues, domains and CRM records
-- ---------------------------------------------------------------------------

-- relintel.record_stale: note interactions whose membership or inputs may
-- change, and the replies to them (a reclassified mail changes its replies'
-- latency), with their entity and tie keys as they are now.
CREATE FUNCTION relintel.record_stale(interaction_ids bigint[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    touched bigint[];   -- the interactions, and the replies to them (their latency may change)
BEGIN
    touched := ARRAY(SELECT unnest(interaction_ids)
                     UNION
                     SELECT r.id FROM relintel.interaction AS p
                       JOIN relintel.interaction AS r ON r.in_reply_to = p.message_id
                      WHERE p.id = ANY (interaction_ids));
    INSERT INTO relintel.stale (interaction_id) SELECT unnest(touched);
    INSERT INTO relintel.stale (entity_type, entity_id)
    SELECT DISTINCT ei.entity_type, ei.entity_id FROM relintel.entity_interaction AS ei
     WHERE ei.interaction_id = ANY (touched);
    INSERT INTO relintel.stale (colleague_id, address)
    SELECT DISTINCT ti.colleague_id, ti.address FROM relintel.tie_interaction AS ti
     WHERE ti.interaction_id = ANY (touched);
END;
$$;
COMMENT ON FUNCTION relintel.record_stale(bigint[]) IS
    'records interactions whose membership may change, with their current entity and tie keys';

-- Before a row of colleague, internal_domain, account, contact, lead,
-- opportunity or opportunity_contact changes: wait for interaction writers,
-- then record the interactions it concerns (old and new values) and their keys.
CREATE FUNCTION relintel.directory_changing()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    ignored_columns constant text[] := ARRAY['name', 'display_name', 'full_name', 'company',
                                             'owner_id', 'share_relationships'];
    ids bigint[];
BEGIN
    IF TG_OP = 'UPDATE' AND old_row - ignored_columns = new_row - ignored_columns THEN
        RETURN NEW;     -- names, owners and opt-outs change no state
    END IF;
    LOCK TABLE relintel.entity_health, relintel.tie IN SHARE ROW EXCLUSIVE MODE;
    IF TG_TABLE_NAME IN ('colleague', 'contact', 'lead') THEN
        ids := relintel.interactions_of(ARRAY[old_row ->> 'email', new_row ->> 'email'], NULL,
                                        CASE WHEN TG_TABLE_NAME = 'lead' THEN 'lead'::relintel.entity_type END,
                                        ARRAY[(old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint]);
    ELSIF TG_TABLE_NAME = 'internal_domain' THEN
        ids := relintel.interactions_of(NULL, ARRAY[old_row ->> 'domain', new_row ->> 'domain'], NULL, NULL);
    ELSIF TG_TABLE_NAME = 'account' THEN
        ids := relintel.interactions_of(NULL, ARRAY[old_row ->> 'domain', new_row ->> 'domain'], 'account',
                                        ARRAY[(old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint]);
    ELSIF TG_TABLE_NAME = 'opportunity' THEN
        ids := relintel.interactions_of(
                   ARRAY(SELECT c.email FROM relintel.opportunity_contact AS oc
                           JOIN relintel.contact AS c ON c.id = oc.contact_id
                          WHERE oc.opportunity_id IN ((old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint)),
                   NULL, 'opportunity', ARRAY[(old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint]);
    ELSIF TG_TABLE_NAME = 'opportunity_contact' THEN
        ids := relintel.interactions_of(
                   ARRAY(SELECT c.email FROM relintel.contact AS c
                          WHERE c.id IN ((old_row ->> 'contact_id')::bigint, (new_row ->> 'contact_id')::bigint)),
                   NULL, NULL, NULL);
    END IF;
    PERFORM relintel.record_stale(ids);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION relintel.directory_changing() IS
    'row trigger: records the interactions and keys that a change of a directory or CRM row may move';

-- After the statement: recompute what was recorded.
CREATE FUNCTION relintel.directory_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM relintel.rebuild();
    ELSE
        PERFORM relintel.apply_changes(NULL, NULL);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.directory_changed() IS
    'statement trigger: recomputes the keys recorded by directory_changing()';

DO $$
DECLARE
    table_name text;
BEGIN
    FOREACH table_name IN ARRAY ARRAY['colleague', 'internal_domain', 'account', 'contact', 'lead',
                                      'opportunity', 'opportunity_contact'] LOOP
        EXECUTE format('CREATE TRIGGER maintain_changing BEFORE INSERT OR UPDATE OR DELETE ON relintel.%I
                            FOR EACH ROW EXECUTE FUNCTION relintel.directory_changing()', table_name);
        EXECUTE format('CREATE TRIGGER maintain_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON relintel.%I
                            FOR EACH STATEMENT EXECUTE FUNCTION relintel.directory_changed()', table_name);
        EXECUTE format('COMMENT ON TRIGGER maintain_changing ON relintel.%I IS %L', table_name,
                       'records the interactions and keys a change may move');
        EXECUTE format('COMMENT ON TRIGGER maintain_changed ON relintel.%I IS %L', table_name,
                       'recomputes the recorded keys of entity_health and tie');
    END LOOP;
END;
$$;


-- ---------------------------------------------------------------------------
-- catch_up, verify, rebuild
-- ---------------------------------------------------------------------------

CREATE FUNCTION relintel.catch_up()
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    due_ids bigint[];
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    WITH due AS (
        DELETE FROM relintel.pending_interaction WHERE occurred_at <= now() RETURNING interaction_id
    )
    SELECT array_agg(interaction_id) INTO due_ids FROM due;
    PERFORM relintel.apply_changes(due_ids, NULL);
    RETURN coalesce(cardinality(due_ids), 0);
END;
$$;
COMMENT ON FUNCTION relintel.catch_up() IS
    'folds pending interactions whose time has come into the maintained states, each exactly once; returns how many';

CREATE FUNCTION relintel.verify()
RETURNS TABLE (kind text, key text, maintained text, recomputed text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH fresh AS (
        SELECT ei.entity_type, ei.entity_id,
               relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                   ei.reply_latency, ei.sentiment) AS state
          FROM relintel.settled_entity_interaction AS ei
         GROUP BY ei.entity_type, ei.entity_id
    )
    SELECT 'entity_health', coalesce(h.entity_type, f.entity_type)::text || ' ' || coalesce(h.entity_id, f.entity_id),
           h.state::text, f.state::text
      FROM relintel.entity_health AS h
      FULL JOIN fresh AS f ON f.entity_type = h.entity_type AND f.entity_id = h.entity_id
     WHERE h.state IS NULL OR f.state IS NULL OR NOT (h.state OPERATOR(relintel.=) f.state)
    UNION ALL
    SELECT 'tie', coalesce(t.colleague_id, f.colleague_id)::text || ' ' || coalesce(t.address, f.address),
           t.state::text, f.state::text
      FROM relintel.tie AS t
      FULL JOIN (SELECT ti.colleague_id, ti.address,
                        relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound) AS state
                   FROM relintel.settled_tie_interaction AS ti
                  GROUP BY ti.colleague_id, ti.address) AS f
        ON f.colleague_id = t.colleague_id AND f.address = t.address
     WHERE t.state IS NULL OR f.state IS NULL OR NOT (t.state OPERATOR(relintel.=) f.state);
END;
COMMENT ON FUNCTION relintel.verify() IS
    'rows where a maintained state differs from a recomputation from the base tables (there should be none)';

CREATE FUNCTION relintel.rebuild()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN EXCLUSIVE MODE;
    DELETE FROM relintel.stale WHERE backend_pid = pg_backend_pid();
    DELETE FROM relintel.entity_health;
    DELETE FROM relintel.tie;
    INSERT INTO relintel.entity_health (entity_type, entity_id, state)
    SELECT ei.entity_type, ei.entity_id,
           relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration, ei.reply_latency, ei.sentiment)
      FROM relintel.settled_entity_interaction AS ei
     GROUP BY ei.entity_type, ei.entity_id;
    INSERT INTO relintel.tie (colleague_id, address, state)
    SELECT ti.colleague_id, ti.address, relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound)
      FROM relintel.settled_tie_interaction AS ti
     GROUP BY ti.colleague_id, ti.address;
END;
$$;
COMMENT ON FUNCTION relintel.rebuild() IS
    'recomputes every maintained state from the base tables (needed after changing a half-life or max_tie_participants)';

-- Trigger functions are SECURITY DEFINER so that any role allowed to write
-- interactions and CRM rows keeps the maintained tables fresh without being
-- able to write them itself; nobody calls them directly.
REVOKE ALL ON FUNCTION relintel.interaction_inserted(), relintel.interaction_changing(),
                       relintel.interaction_changes_starting(),
                       relintel.interaction_changed(), relintel.interaction_truncated(),
                       relintel.directory_changing(), relintel.directory_changed()
    FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.catch_up(), relintel.verify(), relintel.rebuild(),
                       relintel.apply_changes(bigint[], bigint[], bigint[]), relintel.record_stale(bigint[]),
                       relintel.lock_reply_buckets(text[])
    FROM PUBLIC;
-- ===========================================================================
-- 70_alerts.sql: alerts, what a sales manager must act on (SPEC section 4)
--
--   alerts(as_of)      the alerts of every entity at any time T, computed
--                      from the base tables through entity_interaction (the
--                      one definition of membership) in one pass
--   alert              the alerts stored by the last refresh_alerts(), with
--                      first_seen
--   refresh_alerts()   stores alerts(now()) in alert and sends one
--                      NOTIFY relintel_alert (JSON payload) per new alert
--
-- Decisions where the spec is silent:
--   * time is measured in days of 86400 seconds, as in the scoring (section
--     2): every window and wait is a number of seconds, never a calendar day
--     (the functions run with TimeZone = UTC);
--   * "in the N days before T" is the window T - N days < occurred_at <= T,
--     as for the KPIs; interactions later than T are pending and left out,
--     except as the scheduled meetings and calls of no_next_meeting;
--   * an opportunity is closed at T when closed_at <= T: it gets no alert
--     of any kind; one closed later was still open at T;
--   * unanswered counts the outbound emails strictly later than
--     last_engaged (the latest inbound interaction, meeting or call up to T);
--   * no_next_meeting: "no meeting or call in the 21 days before T" means
--     none in T - 21 days < occurred_at <= T, so that a meeting exactly 21
--     days ago gives the alert with since = T; the date in its detail is
--     that of the last meeting or call, or of created_at when there was none
--     ("no meeting since <created_at>": none since the opportunity exists);
--   * details: day counts are whole days, rounded down (23.9 days of silence
--     is "23 days"; a usual gap of half a day is "0 days"), "1 day" in the
--     singular; dates are YYYY-MM-DD in UTC; addresses as stored;
--   * the typical gap is the median of the gaps between consecutive engaged
--     interactions (equal times give gaps of 0), computed in seconds with
--     percentile_cont(0.5): the mean of the middle two for an even count.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Membership of every interaction at once
-- ---------------------------------------------------------------------------

-- relintel.all_entity_interaction: entity_interaction (30_membership.sql)
-- computed set-based, for passes over every entity at once.  The rules are
-- those of interaction_class, interaction_reply and entity_interaction,
-- word for word; only the plan differs.  entity_interaction is built
-- interaction by interaction with index probes (about 60 µs each: a minute
-- for a million interactions), which is what the triggers need.  Here
-- everything that depends only on the participants (classification,
-- direction, the contacts, leads, accounts and stakeholders they bring) is
-- computed once per distinct (sender, recipients) pair, a few per cent of
-- the interactions in mail and calendar data, with hash joins; each
-- interaction then takes the keys of its pair, plus the record it regards,
-- and an opportunity only within its created_at ... closed_at.  The alerts
-- test checks that both views give the same rows.  Columns: those of
-- entity_interaction that alerts() reads, with the lowest and highest
-- external participant instead of the array.
CREATE VIEW relintel.all_entity_interaction AS
WITH pair AS (
    -- per distinct (sender, recipients): interaction_class's counts (an
    -- internal and an external participant) and outbound (the sender is
    -- internal), with the lowest and highest external participant
    SELECT p.pair_id, p.sender, p.recipients, c.outbound, c.external_lowest, c.external_highest,
           c.has_internal AND c.external_lowest IS NOT NULL AS counts
      FROM (SELECT i.sender, i.recipients, pg_catalog.row_number() OVER () AS pair_id
              FROM relintel.interaction AS i
             GROUP BY i.sender, i.recipients) AS p
     CROSS JOIN LATERAL (
            SELECT COALESCE(pg_catalog.bool_or(a.address OPERATOR(pg_catalog.=) p.sender AND a.internal), false) AS outbound,
                   pg_catalog.min(a.address) FILTER (WHERE NOT a.internal) AS external_lowest,
                   pg_catalog.max(a.address) FILTER (WHERE NOT a.internal) AS external_highest,
                   COALESCE(pg_catalog.bool_or(a.internal), false) AS has_internal
              FROM (SELECT a.address,
                           (a.address IN (SELECT c.email FROM relintel.colleague AS c)
                            OR pg_catalog.split_part(a.address, '@', 2)
                                   IN (SELECT d.domain FROM relintel.internal_domain AS d)) AS internal
                      FROM (SELECT DISTINCT x AS address
                              FROM pg_catalog.unnest(pg_catalog.array_prepend(p.sender, p.recipients)) AS x) AS a) AS a) AS c
), participant AS (
    SELECT DISTINCT p.pair_id, x AS address
      FROM pair AS p
     CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.array_prepend(p.sender, p.recipients)) AS x
     WHERE p.counts
), pair_member AS (
    -- the entities a pair's participants bring, each once, with the time
    -- bounds of an opportunity (created_at ... closed_at)
    SELECT DISTINCT k.pair_id, k.entity_type, k.entity_id, k.valid_from, k.valid_to
      FROM (SELECT pa.pair_id, 'contact'::relintel.entity_type AS entity_type, c.id AS entity_id,
                   '-infinity'::timestamptz AS valid_from, 'infinity'::timestamptz AS valid_to
              FROM participant AS pa JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) pa.address
            UNION ALL
            SELECT pa.pair_id, 'lead', l.id, '-infinity', 'infinity'
              FROM participant AS pa JOIN relintel.lead AS l ON l.email OPERATOR(pg_catalog.=) pa.address
            UNION ALL
            SELECT pa.pair_id, 'account', c.account_id, '-infinity', 'infinity'
              FROM participant AS pa JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) pa.address
             WHERE c.account_id IS NOT NULL
            UNION ALL
            SELECT pa.pair_id, 'account', a.id, '-infinity', 'infinity'
              FROM participant AS pa JOIN relintel.account AS a
                ON a.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(pa.address, '@', 2)
            UNION ALL
            SELECT pa.pair_id, 'opportunity', o.id, o.created_at, COALESCE(o.closed_at, 'infinity')
              FROM participant AS pa
              JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) pa.address
              JOIN relintel.opportunity_contact AS oc ON oc.contact_id OPERATOR(pg_catalog.=) c.id
              JOIN relintel.opportunity AS o ON o.id OPERATOR(pg_catalog.=) oc.opportunity_id) AS k
), counted AS (
    -- the counted interactions with their pair's classification
    SELECT i.id AS interaction_id, i.kind, i.occurred_at, i.duration, i.sentiment, i.message_id,
           i.in_reply_to, i.regarding_type, i.regarding_id,
           p.pair_id, p.outbound, p.external_lowest, p.external_highest
      FROM relintel.interaction AS i
      JOIN pair AS p ON p.sender OPERATOR(pg_catalog.=) i.sender AND p.recipients OPERATOR(pg_catalog.=) i.recipients
     WHERE p.counts
), fact AS (
    -- interaction_fact: with the latency of a reply (interaction_reply)
    SELECT r.*, r.occurred_at OPERATOR(pg_catalog.-) p.occurred_at AS reply_latency
      FROM counted AS r
      LEFT JOIN (SELECT c.message_id, c.occurred_at, c.outbound FROM counted AS c
                  WHERE c.kind OPERATOR(pg_catalog.=) 'email') AS p
             ON p.message_id OPERATOR(pg_catalog.=) r.in_reply_to
            AND r.kind OPERATOR(pg_catalog.=) 'email'
            AND r.outbound OPERATOR(pg_catalog.<>) p.outbound
            AND r.occurred_at OPERATOR(pg_catalog.>=) p.occurred_at
)
-- entity_interaction: the entities of the pair (opportunities within their
-- time bounds) ...
SELECT pm.entity_type, pm.entity_id, f.interaction_id, f.kind, f.occurred_at, f.outbound,
       f.duration, f.reply_latency, f.sentiment, f.external_lowest, f.external_highest
  FROM fact AS f
  JOIN pair_member AS pm ON pm.pair_id OPERATOR(pg_catalog.=) f.pair_id
 WHERE f.occurred_at OPERATOR(pg_catalog.>=) pm.valid_from
   AND f.occurred_at OPERATOR(pg_catalog.<=) pm.valid_to
UNION ALL
-- ... and the record it regards, unless the participants brought it
SELECT r.entity_type, r.entity_id, f.interaction_id, f.kind, f.occurred_at, f.outbound,
       f.duration, f.reply_latency, f.sentiment, f.external_lowest, f.external_highest
  FROM fact AS f
 CROSS JOIN LATERAL (
        SELECT f.regarding_type AS entity_type, x.id AS entity_id
          FROM relintel.lead AS x
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'lead' AND x.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION ALL
        SELECT f.regarding_type, x.id
          FROM relintel.account AS x
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'account' AND x.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION ALL
        SELECT f.regarding_type, x.id
          FROM relintel.opportunity AS x
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'opportunity' AND x.id OPERATOR(pg_catalog.=) f.regarding_id
           AND f.occurred_at OPERATOR(pg_catalog.>=) x.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(x.closed_at, 'infinity')) AS r
 WHERE f.regarding_type IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM pair_member AS pm
                    WHERE pm.pair_id OPERATOR(pg_catalog.=) f.pair_id
                      AND pm.entity_type OPERATOR(pg_catalog.=) r.entity_type
                      AND pm.entity_id OPERATOR(pg_catalog.=) r.entity_id
                      AND f.occurred_at OPERATOR(pg_catalog.>=) pm.valid_from
                      AND f.occurred_at OPERATOR(pg_catalog.<=) pm.valid_to);

COMMENT ON VIEW relintel.all_entity_interaction IS
    'entity_interaction computed set-based (hash joins) for passes over every entity; external_lowest/highest instead of the participant arrays';
REVOKE ALL ON relintel.all_entity_interaction FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- alerts(as_of)
-- ---------------------------------------------------------------------------

-- relintel.median_gap: the median, in seconds, of the gaps between the
-- consecutive (sorted) timestamps of an array; mean of the middle two for
-- an even count; NULL with fewer than two.
CREATE FUNCTION relintel.median_gap(times timestamptz[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'relintel_median_gap'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.median_gap(timestamptz[]) IS
    'median of the gaps between consecutive sorted timestamps, in seconds (mean of the middle two for an even count); NULL with fewer than two';

-- relintel.alert_days: a duration in seconds as whole days, rounded down,
-- for the details ("23 days", "1 day").
CREATE FUNCTION relintel.alert_days(seconds double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN floor(seconds / 86400)::bigint::text
       || CASE WHEN floor(seconds / 86400) = 1 THEN ' day' ELSE ' days' END;
COMMENT ON FUNCTION relintel.alert_days(double precision) IS
    'a duration in seconds as whole days rounded down, for alert details: "23 days", "1 day"';

-- relintel.alerts: every alert at T = as_of.  One grouped pass over the
-- membership of every entity (all_entity_interaction) reduces each entity
-- to the summaries of the five rules: its last engagement, the times of its
-- engaged interactions of the year (for the median gap) and of its outbound
-- emails, the count, first time and external participants of the last 30
-- days, its last and scheduled meetings and calls, and its health states
-- now and 30 days ago; the rules are then comparisons.  Open opportunities
-- without any interaction are read from opportunity (no_next_meeting).
-- PL/pgSQL so that RETURN QUERY may use a parallel plan.
CREATE FUNCTION relintel.alerts(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (entity_type relintel.entity_type,
               entity_id bigint,
               alert text,
               since timestamptz,
               detail text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 10000
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET work_mem = '256MB'
SET jit = off
SET enable_nestloop = off
SET enable_mergejoin = off
AS $$
DECLARE
    t constant timestamptz := as_of;
    min_silence constant double precision := relintel.setting('min_silence') * 86400;  -- seconds
    dark_factor constant double precision := relintel.setting('dark_factor');
    answer_wait constant interval := make_interval(secs => relintel.setting('answer_wait') * 86400);
    year_ago constant timestamptz := as_of - interval '365 days';
    month_ago constant timestamptz := as_of - interval '30 days';
    weeks_ago constant timestamptz := as_of - interval '21 days';
BEGIN
    RETURN QUERY
    WITH s AS MATERIALIZED (
        SELECT m.entity_type, m.entity_id,
               max(m.occurred_at) FILTER (WHERE m.engaged AND m.occurred_at <= t) AS last_engaged,
               -- going_dark: the engaged interactions of the year
               array_agg(m.occurred_at) FILTER (WHERE m.engaged AND m.occurred_at <= t
                                                  AND m.occurred_at > year_ago) AS engaged_year,
               -- unanswered: the outbound emails (those after last_engaged below)
               array_agg(m.occurred_at) FILTER (WHERE m.kind = 'email' AND m.outbound
                                                  AND m.occurred_at <= t) AS sent,
               -- single_threaded: the last 30 days' interactions and external
               -- participants (one address in all iff lowest = highest)
               count(*) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_n,
               min(m.occurred_at) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_first,
               min(m.external_lowest) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_lowest,
               max(m.external_highest) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_highest,
               -- no_next_meeting: the last meeting or call, and any scheduled
               max(m.occurred_at) FILTER (WHERE m.kind <> 'email' AND m.occurred_at <= t) AS last_meeting,
               count(*) FILTER (WHERE m.kind <> 'email' AND m.occurred_at > t) AS scheduled,
               -- health_drop: the states now and 30 days ago
               relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
                   FILTER (WHERE m.occurred_at <= t) AS state_now,
               relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
                   FILTER (WHERE m.occurred_at <= month_ago) AS state_then
          FROM (SELECT ei.*, (NOT ei.outbound OR ei.kind <> 'email') AS engaged
                  FROM relintel.all_entity_interaction AS ei) AS m
         GROUP BY m.entity_type, m.entity_id
    ), open_s AS (
        -- opportunities closed at T get no alert
        SELECT s.*
          FROM s
          LEFT JOIN relintel.opportunity AS o
                 ON s.entity_type = 'opportunity' AND o.id = s.entity_id
         WHERE o.closed_at IS NULL OR o.closed_at > t
    ), found AS (
        SELECT d.entity_type, d.entity_id, 'going_dark'::text AS alert, d.dark_since AS since,
               'no answer or meeting for ' || relintel.alert_days(extract(epoch FROM t - d.last_engaged)::float8)
               || '; usual gap ' || relintel.alert_days(d.typical_gap) AS detail
          FROM (SELECT g.*, g.last_engaged
                       + make_interval(secs => greatest(min_silence, dark_factor * g.typical_gap)) AS dark_since
                  FROM (SELECT os.entity_type, os.entity_id, os.last_engaged,
                               relintel.median_gap(os.engaged_year) AS typical_gap
                          FROM open_s AS os
                         WHERE cardinality(os.engaged_year) >= 3) AS g) AS d
         WHERE d.dark_since < t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'unanswered', u.first_sent + answer_wait,
               u.sent_count || ' emails since ' || to_char(u.first_sent, 'YYYY-MM-DD') || ' without an answer'
          FROM open_s AS os
         CROSS JOIN LATERAL (SELECT count(*) AS sent_count, min(x) AS first_sent
                               FROM unnest(os.sent) AS x
                              WHERE x > coalesce(os.last_engaged, '-infinity')) AS u
         WHERE cardinality(os.sent) >= 2
           AND u.sent_count >= 2
           AND u.first_sent + answer_wait <= t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'single_threaded', os.month_first,
               'all ' || os.month_n || ' interactions in 30 days with ' || os.month_lowest
          FROM open_s AS os
         WHERE os.entity_type IN ('opportunity', 'account')
           AND os.month_n >= 3
           AND os.month_lowest = os.month_highest
        UNION ALL
        SELECT 'opportunity', o.id, 'no_next_meeting', coalesce(os.last_meeting, o.created_at) + interval '21 days',
               'no meeting since ' || to_char(coalesce(os.last_meeting, o.created_at), 'YYYY-MM-DD')
               || ' and none scheduled'
          FROM relintel.opportunity AS o
          LEFT JOIN open_s AS os
                 ON os.entity_type = 'opportunity' AND os.entity_id = o.id
         WHERE (o.closed_at IS NULL OR o.closed_at > t)
           AND o.created_at <= weeks_ago
           AND coalesce(os.last_meeting <= weeks_ago, true)
           AND coalesce(os.scheduled, 0) = 0
        UNION ALL
        SELECT h.entity_type, h.entity_id, 'health_drop', t,
               'score ' || h.score_then || ' → ' || h.score_now || ' in 30 days'
          FROM (SELECT os.entity_type, os.entity_id,
                       relintel.score(os.state_now, t) AS score_now,
                       relintel.score(os.state_then, month_ago) AS score_then
                  FROM open_s AS os
                 WHERE os.state_then IS NOT NULL) AS h
         WHERE h.score_now - h.score_then <= -15
    )
    SELECT f.entity_type, f.entity_id, f.alert, f.since, f.detail
      FROM found AS f
     ORDER BY f.entity_type, f.entity_id, f.alert;
END;
$$;
COMMENT ON FUNCTION relintel.alerts(timestamptz) IS
    'alerts of every entity at as_of (going_dark, unanswered, single_threaded, no_next_meeting, health_drop) with since and detail, over interactions up to as_of; closed opportunities get none';


-- ---------------------------------------------------------------------------
-- The alert table, refresh_alerts() and the notifications
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.alert (
    entity_type relintel.entity_type NOT NULL,
    entity_id   bigint NOT NULL,
    alert       text NOT NULL,
    since       timestamptz NOT NULL,
    detail      text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (entity_type, entity_id, alert)
);
COMMENT ON TABLE relintel.alert IS
    'the alerts found by the last refresh_alerts() (written only by it); first_seen = the refresh that first found each';
COMMENT ON COLUMN relintel.alert.since IS 'when the condition became true (see alerts())';
COMMENT ON COLUMN relintel.alert.first_seen IS 'time of the refresh_alerts() that first found this alert; kept while it persists';

-- relintel.refresh_alerts: store alerts(now()) in alert: insert the new ones
-- (first_seen = now()), update since and detail of those that persist
-- (first_seen kept), delete those that ended, and send one
-- NOTIFY relintel_alert per new alert with the JSON payload {entity_type,
-- entity_id, alert, since, detail, first_seen}.  Notifications are delivered
-- when the transaction commits, and not at all if it rolls back.  Refreshes
-- are serialized (a lock on alert), so that each new alert is notified once.
-- Returns the number of new alerts.
CREATE FUNCTION relintel.refresh_alerts()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET enable_nestloop = off
AS $$
DECLARE
    new_alerts integer;
BEGIN
    LOCK TABLE relintel.alert IN SHARE ROW EXCLUSIVE MODE;
    -- One statement: the DELETE and the INSERT touch disjoint rows (ended
    -- alerts, current alerts).
    WITH current_alert AS MATERIALIZED (
        SELECT * FROM relintel.alerts(now())
    ), ended AS (
        DELETE FROM relintel.alert AS a
         WHERE NOT EXISTS (SELECT 1 FROM current_alert AS c
                            WHERE c.entity_type = a.entity_type AND c.entity_id = a.entity_id
                              AND c.alert = a.alert)
    ), upserted AS (
        INSERT INTO relintel.alert AS a (entity_type, entity_id, alert, since, detail, first_seen)
        SELECT c.entity_type, c.entity_id, c.alert, c.since, c.detail, now()
          FROM current_alert AS c
         ORDER BY c.entity_type, c.entity_id, c.alert
        ON CONFLICT (entity_type, entity_id, alert) DO UPDATE
           SET since = EXCLUDED.since, detail = EXCLUDED.detail
         WHERE (a.since, a.detail) IS DISTINCT FROM (EXCLUDED.since, EXCLUDED.detail)
        RETURNING a.entity_type, a.entity_id, a.alert, a.since, a.detail, a.first_seen,
                  a.xmax = 0 AS inserted
    )
    SELECT count(pg_notify('relintel_alert',
                           json_build_object('entity_type', u.entity_type, 'entity_id', u.entity_id,
                                             'alert', u.alert, 'since', u.since, 'detail', u.detail,
                                             'first_seen', u.first_seen)::text))
      INTO new_alerts
      FROM (SELECT * FROM upserted AS n WHERE n.inserted
             ORDER BY n.entity_type, n.entity_id, n.alert) AS u;
    RETURN new_alerts;
END;
$$;
COMMENT ON FUNCTION relintel.refresh_alerts() IS
    'stores alerts(now()) in relintel.alert (first_seen kept, ended alerts removed) and sends NOTIFY relintel_alert with a JSON payload per new alert; returns how many are new';

REVOKE ALL ON relintel.alert FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.alerts(timestamptz), relintel.refresh_alerts() FROM PUBLIC;
