// Data of the account page: one account (RELINTEL_ACCOUNT, an account id;
// by default the account with the most interactions), its KPIs us vs them
// (relintel.kpis, 30 days), its daily activity over the last 60 days
// (relintel.activity_history) and its contacts' health (relintel.contact_health).
import {withClient, emit} from "../../lib/db.js";
import {contactIdsOfAccount} from "../../lib/crm.js";

emit(await withClient(async (q) => {
  const [{as_of}] = await q("SELECT now() AS as_of");
  const wanted = process.env.RELINTEL_ACCOUNT ? Number(process.env.RELINTEL_ACCOUNT) : null;
  const [account] = await q(`
    SELECT id, name, score, status::text AS status, trend::text AS trend, trend_slope,
           last_interaction_at, last_engaged_at, interactions,
           recency, frequency, reciprocity, responsiveness, momentum, sentiment
      FROM relintel.account_health
     WHERE $1::bigint IS NULL OR id = $1
     ORDER BY interactions DESC NULLS LAST, id
     LIMIT 1`, [wanted]);
  if (!account) throw new Error(`no account ${wanted ?? ""} in relintel.account_health`);

  const [kpis] = await q(`
    SELECT emails_sent, emails_received, meetings, calls_made, calls_received,
           extract(epoch FROM time_spent_by_us)::float8 / 3600 AS hours_us,
           extract(epoch FROM time_spent_by_them)::float8 / 3600 AS hours_them,
           our_response_rate, their_response_rate,
           extract(epoch FROM our_response_time)::float8 / 3600 AS response_hours_us,
           extract(epoch FROM their_response_time)::float8 / 3600 AS response_hours_them,
           last_interaction_at, last_interaction_kind::text AS last_interaction_kind,
           last_interaction_direction, last_interaction_colleague,
           next_interaction_at, next_interaction_kind::text AS next_interaction_kind,
           top_colleagues, top_external
      FROM relintel.kpis('account', $1, interval '30 days')`, [account.id]);

  // 60 whole UTC days, today included: one row per day, empty days too.
  const history = await q(`
    SELECT bucket_start, emails_out, emails_in, meetings, calls_out, calls_in, minutes
      FROM relintel.activity_history('account', $1,
             date_trunc('day', now()) - interval '59 days',
             date_trunc('day', now()) + interval '1 day', interval '1 day')
     ORDER BY bucket_start`, [account.id]);

  const ids = await contactIdsOfAccount(q, account.id);
  const contacts = await q(`
    SELECT id, name, score, status::text AS status, trend::text AS trend,
           last_interaction_at, last_engaged_at, interactions,
           recency, frequency, reciprocity, responsiveness, momentum, sentiment
      FROM relintel.contact_health
     WHERE id = ANY($1::bigint[])
     ORDER BY score DESC NULLS LAST, id`, [ids]);

  return {as_of, account, kpis, history, contacts};
}));
