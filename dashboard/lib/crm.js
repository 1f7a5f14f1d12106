// The two links between CRM records that the health views do not carry:
// which contacts belong to an account, and a lead's address and company.
// relintel's views give id and name only, so these come from the CRM record
// tables themselves (relintel.contact, relintel.lead: key columns only, as a
// BI tool joins its CRM records).  Nothing reads the interactions or the
// maintained tables (entity_health, tie): scores, KPIs, history and ties
// come from the views and functions.
export async function contactIdsOfAccount(q, accountId) {
  return (await q("SELECT id FROM relintel.contact WHERE account_id = $1 ORDER BY id", [accountId])).map((r) => r.id);
}

export async function leads(q) {
  return q("SELECT id, email, company FROM relintel.lead ORDER BY id");
}
