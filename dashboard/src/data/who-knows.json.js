// Data of the who-knows page: one lead (RELINTEL_LEAD, an address; by
// default the lead whom the most colleagues know), the colleagues who know
// them (relintel.who_knows) and, for each, the introduction email
// (relintel.intro_request) from RELINTEL_REQUESTER (by default the colleague
// with the weakest tie in the list asks the strongest).  who_knows needs
// EXECUTE, which relintel revokes from PUBLIC: connect as the cluster's
// superuser (the demo does) or as a role granted
//   GRANT EXECUTE ON FUNCTION relintel.who_knows(text, int, timestamptz) TO that_role;
import {withClient, emit} from "../../lib/db.js";
import {leads} from "../../lib/crm.js";

const K = 10;

emit(await withClient(async (q) => {
  const [{as_of}] = await q("SELECT now() AS as_of");
  const all = await leads(q);
  const wanted = process.env.RELINTEL_LEAD?.toLowerCase();
  let candidates = wanted ? all.filter((l) => l.email === wanted) : all;
  if (!candidates.length) throw new Error(`no lead ${wanted ?? ""} in relintel.lead_health`);

  let lead = null;
  let colleagues = [];
  for (const candidate of candidates) {
    const ranked = await q(`
      SELECT colleague_id, email, display_name, strength, last_interaction_at,
             last_interaction_kind::text AS last_interaction_kind
        FROM relintel.who_knows($1, $2)`, [candidate.email, K]);
    // The default: the most colleagues, then the strongest tie, then the first id.
    const better = !lead || ranked.length > colleagues.length ||
      (ranked.length === colleagues.length && (ranked[0]?.strength ?? 0) > (colleagues[0]?.strength ?? 0));
    if (better) [lead, colleagues] = [candidate, ranked];
  }
  const [health] = await q(`
    SELECT id, name, score, status::text AS status, trend::text AS trend,
           last_interaction_at, interactions
      FROM relintel.lead_health WHERE id = $1`, [lead.id]);

  const requester = process.env.RELINTEL_REQUESTER?.toLowerCase()
    ?? (colleagues.length > 1 ? colleagues[colleagues.length - 1].email : null);
  for (const c of colleagues) {
    if (!requester || c.email === requester) { c.intro = null; continue; }
    const [intro] = await q(`
      SELECT "to", subject, body, mailto FROM relintel.intro_request($1, $2, $3)`,
      [requester, c.email, lead.email]);
    c.intro = intro;
  }
  return {as_of, lead: {...lead, ...health}, requester, colleagues};
}));
