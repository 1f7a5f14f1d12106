-- tie_agg and strength() (SPEC section 2.2).  Half-life H_t = 90 days;
-- kind weights email 1, call 2, meeting 3.  T0 = 2026-03-02 12:00 UTC.
-- T_out = d(1 per email u->x), T_in = d(1 per email x->u), T_mc = d(weight of each meeting/call),
-- E = T_out + T_in + T_mc, I = T_in + T_mc/2, O = T_out + T_mc/2, b = min(1, 2I/(I+O)),
-- strength = round(100 (1 - exp(-E/4)) (0.4 + 0.6 b)) when two-way, else 0.
SET search_path = relintel, public;
SET timezone = 'UTC';

CREATE TEMP TABLE tx (sc text, t timestamptz, k interaction_kind, o boolean);
INSERT INTO tx VALUES
-- oneway: three cold emails u->x, never answered
('oneway', '2026-02-28 12:00', 'email', true), ('oneway', '2026-03-01 12:00', 'email', true),
('oneway', '2026-03-02 12:00', 'email', true),
-- reply: two emails u->x and one answer x->u
('reply', '2026-03-02 12:00', 'email', true), ('reply', '2026-03-02 12:00', 'email', true),
('reply', '2026-03-02 12:00', 'email', false),
-- meeting: one email u->x and a meeting (organized by x)
('meeting', '2026-03-02 12:00', 'email', true), ('meeting', '2026-03-02 12:00', 'meeting', false),
-- call: one email u->x and a call
('call', '2026-03-02 12:00', 'email', true), ('call', '2026-03-02 12:00', 'call', true),
-- inonly: two emails x->u, never answered by u: two-way by the spec's rule
('inonly', '2026-03-02 12:00', 'email', false), ('inonly', '2026-03-02 12:00', 'email', false),
-- half: an email u->x 90 days (one half-life) before an email x->u
('half', '2025-12-02 12:00', 'email', true), ('half', '2026-03-02 12:00', 'email', false),
-- rows with a NULL time, kind or direction are ignored
('meeting', NULL, 'email', false), ('meeting', '2026-03-02 12:00', NULL, false),
('meeting', '2026-03-02 12:00', 'email', NULL);

CREATE TEMP TABLE ts AS SELECT sc, tie_agg(t, k, o) AS state FROM tx GROUP BY sc;

-- oneway: one-way email only -> 0 (T_out = 2^(-2/90) + 2^(-1/90) + 1 = 2.977043 but no x->u, no meeting)
-- reply:   T_out = 2, T_in = 1, E = 3, I = 1, O = 2, b = min(1, 2/3) = 0.666667
--          100 * (1 - exp(-0.75)) * (0.4 + 0.4) = 100 * 0.527633 * 0.8 = 42.2107 -> 42
-- meeting: T_out = 1, T_mc = 3, E = 4, I = 1.5, O = 2.5, b = min(1, 3/4) = 0.75
--          100 * (1 - exp(-1)) * (0.4 + 0.45) = 100 * 0.632121 * 0.85 = 53.7302 -> 54
--          (the three rows with a NULL argument are ignored: n = 2)
-- call:    T_out = 1, T_mc = 2, E = 3, I = 1, O = 2, b = 0.666667 -> 42.2107 -> 42
-- inonly:  T_in = 2, E = 2, I = 2, O = 0, b = 1: 100 * (1 - exp(-0.5)) * 1 = 39.3469 -> 39
-- half:    T_out = 2^(-90/90) = 0.5, T_in = 1, E = 1.5, I = 1, O = 0.5, b = min(1, 2/1.5) = 1
--          100 * (1 - exp(-0.375)) * 1 = 100 * 0.312711 = 31.2711 -> 31
SELECT sc, strength(state, '2026-03-02 12:00'), tie_last_at(state), tie_last_kind(state)
FROM ts ORDER BY array_position(ARRAY['oneway', 'reply', 'meeting', 'call', 'inonly', 'half'], sc);

-- Decay over a year: the meeting tie read at T0 + 365 days.  Every sum x 2^(-365/90) = 0.060139:
--   T_out = 0.060139, T_mc = 3 * 0.060139 = 0.180417, E = 0.240556, I = 0.090208, O = 0.150347, b = 0.75
--   100 * (1 - exp(-0.060139)) * 0.85 = 100 * 0.058366 * 0.85 = 4.9611 -> 5 (just at min_tie_strength)
-- and at T0 - 365 days: T' = max(as_of, last_at) = T0, so 54 again.
SELECT as_of, strength(state, as_of)
FROM ts, unnest(ARRAY[timestamptz '2027-03-02 12:00', '2025-03-02 12:00']) AS as_of WHERE sc = 'meeting';

-- Kind weights apply when read: meeting weight 1: T_mc = 1, E = 2, I = 0.5, O = 1.5, b = 0.5
--   100 * (1 - exp(-0.5)) * (0.4 + 0.3) = 100 * 0.393469 * 0.7 = 27.5429 -> 28
SET relintel.weight_meeting = 1;
SELECT strength(state, '2026-03-02 12:00') FROM ts WHERE sc = 'meeting';
-- meeting weight 0: E = T_out = 1, I = 0, O = 1, b = 0, still two-way (a meeting took place):
--   100 * (1 - exp(-0.25)) * 0.4 = 100 * 0.221199 * 0.4 = 8.8480 -> 9
SET relintel.weight_meeting = 0;
SELECT strength(state, '2026-03-02 12:00') FROM ts WHERE sc = 'meeting';
RESET relintel.weight_meeting;
SELECT strength(state, '2026-03-02 12:00') FROM ts WHERE sc = 'meeting';

-- The latest interaction's time and kind; the state does not depend on the row order.
-- Read at T0 (later than the last interaction, so T' = T0):
--   meeting 2026-01-05 09:00: 56.125 d -> 2^(-56.125/90) = 0.649044, weight 3 -> 1.947133
--   email u->x 2026-02-10 17:30: 19.770833 d -> 0.858758 = T_out
--   call 2026-02-11 08:15: 19.15625 d -> 0.862833, weight 2 -> 1.725665
--   email x->u 2026-01-20 10:00: 41.083333 d -> 0.728761 = T_in
--   T_mc = 3.672798, E = 5.260318, I = 0.728761 + 1.836399 = 2.565161, O = 0.858758 + 1.836399 = 2.695158
--   b = min(1, 5.130321/5.260318) = 0.975287
--   100 * (1 - exp(-1.315080)) * (0.4 + 0.6*0.975287) = 100 * 0.731547 * 0.985172 = 72.0700 -> 72
-- (In the scenarios above, 'meeting' has an email and a meeting at the same instant:
-- tie_last_kind reports the meeting whatever the order; the spec does not rank kinds.)
SELECT tie_last_at(a) AS last_at, tie_last_kind(a) AS kind, a = b AS same_state_any_order,
       strength(a, '2026-03-02 12:00') AS asc_strength, strength(b, '2026-03-02 12:00') AS desc_strength
FROM (SELECT tie_agg(t, k, o ORDER BY t) AS a, tie_agg(t, k, o ORDER BY t DESC) AS b
      FROM (VALUES (timestamptz '2026-01-05 09:00', 'meeting'::interaction_kind, false),
                   ('2026-02-10 17:30', 'email', true),
                   ('2026-02-11 08:15', 'call', false),
                   ('2026-01-20 10:00', 'email', false)) AS v(t, k, o)) AS x;

-- Empty group -> NULL; a group of ignored rows -> NULL.
SELECT tie_agg(t, k, o) IS NULL AS empty_is_null FROM tx WHERE false;
SELECT tie_agg(t, k, o) IS NULL AS ignored_is_null FROM tx WHERE t IS NULL;
