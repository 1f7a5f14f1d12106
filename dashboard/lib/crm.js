// The links between CRM records that the pages need: which contacts belong
// to an account, and a lead's address and company.  They come from the
// health views' record columns (contact_health.account_id, lead_health.email
// and company), like everything else the dashboard reads: nothing reads the
// base tables, the interactions or the maintained tables.
export async function contactIdsOfAccount(q, accountId) {
  return (await q("SELECT id FROM relintel.contact_health WHERE account_id = $1 ORDER BY id", [accountId])).map((r) => r.id);
}

export async function leads(q) {
  return q("SELECT id, email, company FROM relintel.lead_health ORDER BY id");
}
