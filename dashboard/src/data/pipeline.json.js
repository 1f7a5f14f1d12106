// Data of the pipeline page: opportunities by status and trend, the at-risk
// list with the factors behind each score, and the alerts when the installed
// relintel has alerts().  Reads relintel.opportunity_health, the other
// health views (names of alerted records) and relintel.alerts().
import {withClient, emit} from "../../lib/db.js";

const AT_RISK_LIMIT = 15;

emit(await withClient(async (q) => {
  const [{as_of}] = await q("SELECT now() AS as_of");

  const byStatusTrend = await q(`
    SELECT status::text AS status, coalesce(trend::text, 'n/a') AS trend, count(*)::int AS opportunities
      FROM relintel.opportunity_health
     GROUP BY 1, 2
     ORDER BY array_position(ARRAY['good','fair','poor','insufficient'], status::text), 2`);

  const opportunities = await q(`
    SELECT id, name, score, status::text AS status, trend::text AS trend, trend_slope,
           last_interaction_at, interactions
      FROM relintel.opportunity_health
     WHERE score IS NOT NULL
     ORDER BY id`);

  // At risk: a poor or fair score, or a declining trend, among the open
  // opportunities, the lowest scores first.  Factors are each in 0 ... 1.
  const atRisk = await q(`
    SELECT id, name, score, status::text AS status, trend::text AS trend,
           round(trend_slope::numeric, 3)::float8 AS trend_slope,
           last_interaction_at, last_engaged_at, interactions,
           recency, frequency, reciprocity, responsiveness, momentum, sentiment
      FROM relintel.opportunity_health
     WHERE (status IN ('poor', 'fair') OR trend = 'declining')
       AND closed_at IS NULL
     ORDER BY score, trend_slope, id
     LIMIT ${AT_RISK_LIMIT}`);

  // Alerts (SPEC section 4) only when this relintel has them and we may call them.
  const [{has_alerts}] = await q(`
    SELECT coalesce(has_function_privilege(to_regprocedure('relintel.alerts(timestamptz)'), 'EXECUTE'), false)
           AS has_alerts`);
  let alerts = null;
  let alertCounts = null;
  if (has_alerts) {
    // alerts() is one pass over every interaction: call it once.
    const all = await q(`
      WITH names AS (
        SELECT 'opportunity' AS entity_type, id, name FROM relintel.opportunity_health
        UNION ALL SELECT 'account', id, name FROM relintel.account_health)
      SELECT a.entity_type::text AS entity_type, a.entity_id, n.name, a.alert, a.since, a.detail
        FROM relintel.alerts() AS a
        LEFT JOIN names AS n ON n.entity_type = a.entity_type::text AND n.id = a.entity_id
       ORDER BY a.since DESC, a.entity_type, a.entity_id, a.alert`);
    alerts = all.filter((a) => a.entity_type === "opportunity" || a.entity_type === "account");
    const counts = new Map();
    for (const a of all) {
      const key = `${a.alert}\t${a.entity_type}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    alertCounts = [...counts].sort().map(([key, n]) => {
      const [alert, entity_type] = key.split("\t");
      return {alert, entity_type, alerts: n};
    });
  }

  return {as_of, byStatusTrend, opportunities, atRisk, alerts, alertCounts};
}));
